"""Re-runs the committed ablation's check subset on wasm (tools/ablation/check-subset.js).

The committed results in results/ablation/ must come from the code in the tree: the script
re-trains the few runs of check-subset.json on the backend they were computed on and fails when
any number differs, or when the subset and the full grid were made at different commits.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_committed_check_subset_reproduces() -> None:
    env = {**os.environ, "PARAMSCOPE_BACKEND": "wasm"}
    result = subprocess.run(
        ["node", "tools/ablation/check-subset.js"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(result.stdout)
    assert result.returncode == 0, f"check subset did not reproduce:\n{result.stdout}\n{result.stderr}"
