"""A cell that updates a display many times without yielding, through the real tslab kernel.

zeromq lets one send be in flight per socket: after 512 sends that completed synchronously, the
next completes only when the event loop runs, and until then every send throws EBUSY. A training
loop with a progress bar reaches that (notebook 07 on the cpu backend did, intermittently); the
display must wait for the socket instead of failing the cell.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

# The kernel starts in notebooks/, where @paramscope/notebook resolves as in every notebook.
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

BURST = 2000

CELLS = [
    "import { Progress } from '@paramscope/notebook';\n"
    f"const progress = new Progress('burst', {BURST}, {{ minIntervalMs: 0 }});\n"
    f"for (let i = 1; i <= {BURST}; i++) progress.update(i); // one synchronous stretch",
    # The held updates go out once the event loop runs: this cell keeps the kernel busy meanwhile.
    "await new Promise((resolve) => setTimeout(resolve, 500));\nconsole.log('done');",
]


def test_display_updates_survive_a_busy_socket() -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "tslab", "display_name": "TypeScript", "language": "typescript"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    NotebookClient(nb, kernel_name="tslab", timeout=120, resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    displays = [o for o in nb.cells[0].outputs if o.get("output_type") == "display_data"]
    assert len(displays) == 1, nb.cells[0].outputs
    assert displays[0]["data"]["text/plain"].startswith(f"burst: {BURST}/{BURST} (100%)")
    assert nb.cells[1].outputs[-1]["text"] == "done\n"
