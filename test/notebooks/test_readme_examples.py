"""The README examples marked `<!-- readme-example: NAME -->` run through the real tslab kernel.

Each marked ```ts block is one cell; the blocks of one name in one README run in order in a fresh
kernel, as a reader would paste them. A cell that fails, or prints to stderr anything but TF.js's
banner about the native backend, fails the test with the README and example named.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
READMES = [ROOT / "README.md", ROOT / "packages" / "notebook" / "README.md", ROOT / "packages" / "core" / "README.md"]
# The kernel starts in notebooks/, where the packages resolve as in every notebook.
NOTEBOOKS = ROOT / "notebooks"
EXAMPLE = re.compile(r"<!-- readme-example: (?P<name>[\w-]+) -->\n```ts\n(?P<code>.*?)```", re.S)
TFJS_BANNER = re.compile(r"\s*=+\s*Hi, looks like you are running TensorFlow\.js in Node\.js\..*?=+\s*", re.S)


def examples() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for readme in READMES:
        for match in EXAMPLE.finditer(readme.read_text(encoding="utf-8")):
            found.setdefault(f"{readme.relative_to(ROOT)}:{match['name']}", []).append(match["code"])
    return found


EXAMPLES = examples()


def test_each_readme_has_examples() -> None:
    assert {key.split(":")[0] for key in EXAMPLES} == {str(r.relative_to(ROOT)) for r in READMES}


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_readme_example_runs(key: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "tslab", "display_name": "TypeScript", "language": "typescript"}
    nb.cells = [nbformat.v4.new_code_cell(code) for code in EXAMPLES[key]]
    NotebookClient(
        nb, kernel_name="tslab", timeout=300, allow_errors=True, resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    for index, cell in enumerate(nb.cells):
        errors = [f"{o['ename']}: {o['evalue']}" for o in cell.outputs if o.get("output_type") == "error"]
        stderr = TFJS_BANNER.sub("", "".join(o["text"] for o in cell.outputs if o.get("name") == "stderr"))
        assert not errors and not stderr.strip(), f"{key}, cell {index + 1}: {errors or stderr}"
        assert cell.outputs, f"{key}, cell {index + 1} showed nothing"
