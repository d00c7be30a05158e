"""Makes sure the tslab kernel nbclient asks for is the one registered in the repo's .venv."""

import os
import sys
from pathlib import Path

VENV_SHARE = Path(sys.prefix) / "share" / "jupyter"
if not (VENV_SHARE / "kernels" / "tslab" / "kernel.json").exists():
    raise RuntimeError("the tslab kernel is not registered in this Python environment: run scripts/setup.sh")
os.environ.setdefault("JUPYTER_PATH", str(VENV_SHARE))
