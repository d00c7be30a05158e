"""Where the edges come from: torch.fx, else hooks, else none — never an exception."""

import torch
from custom_modules import Block, PlainRMSNorm
from paramscope import export_structure, validate_structure
from torch import nn


class DataDependent(nn.Module):
    """torch.fx cannot trace a branch on a tensor's value."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.norm = nn.LayerNorm(4)

    def forward(self, x):
        if x.sum() > 0:
            x = -x
        return self.norm(torch.relu(self.fc(x)))


class Broken(DataDependent):
    def forward(self, x):
        raise ValueError("this model needs a special input")


class Traceable(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.norm = PlainRMSNorm(4)

    def forward(self, x):
        return self.norm(self.fc(x).reshape(-1, 4))


def test_fx_route_keeps_normalizers_found_by_behaviour_as_single_nodes(capsys):
    doc = export_structure(Traceable(), example_args=torch.randn(2, 4))
    assert doc["export"]["route"] == "fx"
    assert doc["export"]["notes"] == ["edges from a torch.fx trace"]
    assert {"from": "fc", "to": "norm", "via": ["reshape"]} in doc["edges"]
    assert "[paramscope] Traceable: edges from a torch.fx trace" in capsys.readouterr().err
    assert validate_structure(doc) == []


def test_hooks_when_fx_fails_with_the_reason_on_stderr_and_in_the_file(capsys):
    doc = export_structure(DataDependent(), example_args=torch.randn(2, 4))
    notes = doc["export"]["notes"]
    assert doc["export"]["route"] == "hooks"
    assert notes[0].startswith("torch.fx could not trace DataDependent: TraceError: ")
    assert notes[1] == "edges from one forward pass with hooks"
    err = capsys.readouterr().err.splitlines()
    assert f"[paramscope] DataDependent: {notes[0]}" in err
    assert "[paramscope] DataDependent: edges from one forward pass with hooks" in err
    assert {"from": "fc", "to": "norm", "via": ["relu"]} in doc["edges"]


def test_a_forward_that_raises_gives_null_edges_and_no_exception(capsys):
    doc = export_structure(Broken(), example_args=torch.randn(2, 4))
    assert doc["edges"] is None and doc["export"]["route"] == "none"
    assert doc["export"]["notes"][-1] == (
        "the forward pass with hooks failed: ValueError: this model needs a special input; edges unknown"
    )
    probe = next(m for m in doc["modules"] if m["path"] == "norm")["normalization"]["probe"]
    assert probe == {"skipped": "the example forward pass raised ValueError: this model needs a special input"}
    assert "edges unknown" in capsys.readouterr().err
    assert validate_structure(doc) == []


def test_untraceable_without_inputs_gives_null_edges():
    doc = export_structure(DataDependent())
    assert doc["edges"] is None
    assert doc["export"]["notes"][-1] == "no example inputs for a forward pass with hooks: edges unknown"


def test_the_file_written_is_the_document(tmp_path):
    import json

    target = tmp_path / "block.json"
    doc = export_structure(Block(), str(target), example_args=torch.randn(2, 3, 16), name="block")
    assert json.loads(target.read_text()) == doc
    assert doc["model"] == "block" and doc["version"] == 2
    assert doc["generator"].startswith("paramscope 0.1.0 (torch ")
