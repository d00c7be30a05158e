"""JupyterLab server for the UI tests (galata's test configuration, never for real use).

The server's root is test/ui/.work inside the repository, so that the tslab kernel resolves
@paramscope/* from the repository's node_modules, as it does for notebooks/.
"""

import os
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

work = Path(__file__).resolve().parent / ".work"
work.mkdir(exist_ok=True)
os.environ["JUPYTERLAB_GALATA_ROOT_DIR"] = str(work)

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter passes in)
c.ServerApp.ip = "127.0.0.1"  # noqa: F821
c.ServerApp.port = int(os.environ["PARAMSCOPE_UI_PORT"])  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821 (CI runs as root)
c.LabApp.extension_manager = "readonly"  # noqa: F821 (no registry look-ups from tests)
