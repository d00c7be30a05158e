"""TypeScript forms that use an earlier cell's names, through the real tslab kernel.

tslab turns each cell's top-level declarations into properties of a shared `exports` object and
rewrites later references to them (`model` → `exports.model`). tslab 1.0.22 missed two forms:
a shorthand property (`{ model }` stayed `{ model }`: "ReferenceError: model is not defined") and
a destructuring with a rename (`const { n: renamed } = model` became `{ exports, n: renamed }`, a
SyntaxError). `patches/tslab+1.0.22.patch`, applied by `npm ci` (postinstall), fixes both; this
test runs every common form against the installed tslab, so a lost patch or a tslab upgrade that
breaks one fails here with the form's name.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

# The kernel starts in notebooks/, where @paramscope/notebook resolves as in every notebook.
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

DECLARATIONS = """\
import * as path from 'path';
import { join } from 'path';
const model = { n: 1 };
const label = 'L';
const obj = { a: 1, b: 2 };
let counter = 5;
function twice(x: number) { return 2 * x; }
class Base { v = 3; }
enum Color { Red, Green }
const { a, b } = obj;
const [first, second] = [10, 20];"""

# (form, cell, the line it prints): every cell runs after DECLARATIONS, in this order.
FORMS: list[tuple[str, str, str]] = [
    ("shorthand property", "console.log(JSON.stringify({ model, label }));", '{"model":{"n":1},"label":"L"}'),
    (
        "shorthand as an argument",
        "const show = (o: { model: unknown; label: string }) => o.label;\nconsole.log(show({ model, label }));",
        "L",
    ),
    (
        "shorthand of imports, functions, classes, enums",
        "const o = { path, join, twice, Base, Color };\n"
        "console.log(o.join('x', 'y'), o.twice(2), new o.Base().v, o.Color.Green, o.path.sep);",
        "x/y 4 3 1 /",
    ),
    (
        "shorthand nested and in a closure",
        "const make = () => ({ outer: { model }, list: [{ label }] });\nconsole.log(JSON.stringify(make()));",
        '{"outer":{"model":{"n":1}},"list":[{"label":"L"}]}',
    ),
    (
        "shorthand next to a getter",
        "const g = { model, get l() { return label; } };\nconsole.log(g.model.n, g.l);",
        "1 L",
    ),
    (
        "a local that shadows an earlier name",
        "const shadow = (model: number) => ({ model });\nconsole.log(JSON.stringify(shadow(42)));",
        '{"model":42}',
    ),
    ("destructured names used later", "console.log(a + b, first + second);", "3 30"),
    ("destructured names in a shorthand", "console.log(JSON.stringify({ a, first }));", '{"a":1,"first":10}'),
    ("destructuring an earlier name with a rename", "const { n: renamed } = model;\nconsole.log(renamed);", "1"),
    (
        "destructuring with a rest element",
        "const { n, ...rest } = { ...model, extra: label };\nconsole.log(n, JSON.stringify(rest));",
        '1 {"extra":"L"}',
    ),
    ("destructuring assignment to an earlier let", "({ counter } = { counter: 7 });\nconsole.log(counter);", "7"),
    (
        "destructuring assignment with a default",
        "({ counter = 3 } = {} as { counter?: number });\nconsole.log(counter);",
        "3",
    ),
    ("the let keeps the assigned value", "console.log(counter);", "3"),
    ("default parameters", "function f(m = model, l = label) { return `${m.n}${l}`; }\nconsole.log(f());", "1L"),
    (
        "class fields and methods",
        "class C extends Base { m = model; static s = label; get l() { return label; } }\n"
        "console.log(new C().m.n, C.s, new C().l, new C().v);",
        "1 L L 3",
    ),
    (
        "object and array spread",
        "console.log(JSON.stringify({ ...obj, c: 3 }), [...[first, second]].length);",
        '{"a":1,"b":2,"c":3} 2',
    ),
    (
        "template literals, tagged too",
        "const tag = (s: TemplateStringsArray, ...v: unknown[]) => s.join('|') + v;\n"
        "console.log(`${label}: ${model.n}`, tag`a${label}b`);",
        "L: 1 a|bL",
    ),
    ("computed keys and optional chaining", "console.log(JSON.stringify({ [label]: model?.n }));", '{"L":1}'),
    (
        "arrow functions see later assignments",
        "const read = () => model.n + counter;\ncounter = 10;\nconsole.log(read());",
        "11",
    ),
    (
        "a labelled statement named like an earlier const",
        "label: for (const i of [1, 2]) { if (i === 2) break label; console.log(i, label); }",
        "1 L",
    ),
    (
        "top-level await with a shorthand",
        "const later = await Promise.resolve({ model, label });\nconsole.log(later.model.n, later.label);",
        "1 L",
    ),
]


def run_cells(sources: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "tslab", "display_name": "TypeScript", "language": "typescript"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    client = NotebookClient(
        nb, kernel_name="tslab", timeout=180, allow_errors=True, resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    return nb


def cell_result(cell: nbformat.NotebookNode) -> tuple[str, str]:
    """(stdout, everything else: stderr and errors) of an executed cell."""
    stdout = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
    other = [
        o.get("text", "") if o.get("output_type") == "stream" else f"{o.get('ename')}: {o.get('evalue')}"
        for o in cell.outputs
        if o.get("name") != "stdout"
    ]
    return stdout, "".join(other)


def test_forms_that_use_earlier_cells_names() -> None:
    nb = run_cells([DECLARATIONS] + [cell for _, cell, _ in FORMS])
    stdout, errors = cell_result(nb.cells[0])
    assert errors == "", f"the declarations cell failed: {errors}"
    for (form, _, expected), cell in zip(FORMS, nb.cells[1:]):
        stdout, errors = cell_result(cell)
        # After a failed cell tslab prints nothing for the later ones: the first failure is the news.
        assert not errors and stdout == expected + "\n", (
            f"{form}: expected {expected!r}, printed {stdout!r}, errors {errors.strip()[:400]!r}"
        )


def test_inspect_with_a_shorthand_model_from_an_earlier_cell() -> None:
    """The issue's case: the model and label declared in one cell, `inspect(opt, { model, label })` in the next."""
    nb = run_cells(
        [
            "import { SGD, groupParams, nn } from '@paramscope/core';\n"
            "import { inspect } from '@paramscope/notebook';\n"
            "const model = nn.bnMlp([4, 8, 2]);\n"
            "const label = 'SGD on a BN MLP';\n"
            "const optimizer = new SGD(groupParams(model, { weightDecay: 1e-4 }).groups, { lr: 0.1 });",
            "inspect(optimizer, { model, label });",
        ]
    )
    # stderr may carry TF.js's banner about the native backend; errors must not appear.
    errors = [o for cell in nb.cells for o in cell.outputs if o.get("output_type") == "error"]
    assert not errors, [f"{e['ename']}: {e['evalue']}" for e in errors]
    bundles = [o["data"] for o in nb.cells[1].outputs if o.get("output_type") == "display_data"]
    assert len(bundles) == 1, nb.cells[1].outputs
    assert "SGD on a BN MLP" in bundles[0]["text/plain"]
