"""`python -m paramscope.export` in a subprocess."""

import json
import subprocess
import sys
import textwrap

import pytest
from paramscope.export.cli import main

FACTORY = textwrap.dedent("""
    import torch
    from torch import nn

    class TwoInputs(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(100, 8)
            self.norm = nn.LayerNorm(8)

        def forward(self, input_ids, scale=None):
            return self.norm(self.embed(input_ids) * scale)

    def build():
        return TwoInputs()

    instance = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3))
    not_a_model = 42
""")


@pytest.fixture()
def workdir(tmp_path):
    (tmp_path / "factories.py").write_text(FACTORY)
    return tmp_path


def run(workdir, *args):
    return subprocess.run(
        [sys.executable, "-m", "paramscope.export", *args], cwd=workdir, capture_output=True, text=True, timeout=120
    )


def test_a_factory_with_keyword_inputs_from_json(workdir):
    spec = {"kwargs": {"input_ids": {"randint": [0, 100], "shape": [2, 5]}, "scale": {"randn": [2, 5, 8]}}}
    result = run(workdir, "factories:build", "--out", "m.json", "--example-json", json.dumps(spec), "--name", "two")
    assert result.returncode == 0, result.stderr
    doc = json.loads((workdir / "m.json").read_text())
    assert doc["model"] == "two"
    norm = next(m for m in doc["modules"] if m["path"] == "norm")
    assert norm["normalization"]["probe"]["invariant"] is True
    assert "[paramscope] two: edges from a torch.fx trace" in result.stderr
    assert result.stdout.strip() == "wrote m.json: 3 modules, 3 tensors, edges from fx"


def test_a_module_level_instance_and_a_spec_file(workdir):
    (workdir / "spec.json").write_text('{"args": [[4, 3]]}')
    result = run(workdir, "factories:instance", "--out", "i.json", "--example-json", "spec.json")
    assert result.returncode == 0, result.stderr
    doc = json.loads((workdir / "i.json").read_text())
    assert doc["modules"][2]["normalization"]["probe"]["invariant"] is True


@pytest.mark.parametrize(
    "args, message",
    [
        (["factories"], "expected package.module:factory, got 'factories'"),
        (["nowhere:build"], "cannot import module 'nowhere'"),
        (["factories:missing"], "'factories' has no attribute 'missing'"),
        (["factories:not_a_model"], "'factories:not_a_model' is a int, neither an nn.Module nor a callable"),
        (["factories:build", "--example-json", "{not json"], "the JSON given is not valid JSON"),
        (["factories:build", "--example-json", "missing.json"], "'missing.json' is neither JSON text"),
        (
            ["factories:build", "--example-json", '{"args": [{"randint": [5, 1], "shape": [2]}]}'],
            "$.args[0].randint: expected [low, high] integers with low < high, got [5, 1]",
        ),
        (
            ["factories:build", "--example-json", '{"kwargs": {"x": {"randn": [2], "dtype": "float8"}}}'],
            '$.kwargs.x.dtype: unknown dtype "float8"',
        ),
    ],
)
def test_errors_name_what_is_wrong(workdir, monkeypatch, capsys, args, message):
    # In-process (a subprocess per case would spend its time importing torch).
    monkeypatch.chdir(workdir)
    monkeypatch.syspath_prepend(str(workdir))
    monkeypatch.delitem(sys.modules, "factories", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main([args[0], "--out", "x.json", *args[1:]])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
    assert not (workdir / "x.json").exists()


def test_the_usage_error_goes_through_the_real_entry_point(workdir):
    result = run(workdir, "factories:missing", "--out", "x.json")
    assert result.returncode == 2
    assert "error: 'factories' has no attribute 'missing'" in result.stderr
