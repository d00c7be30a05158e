"""The snapshots `paramscope.inspect` and `watch` produce against the protocol's JSON Schema
(packages/protocol/schema/snapshot.schema.json) with jsonschema, and the committed fixtures of the
protocol package — the TypeScript side's and this side's — too. The Python fixture is what the
TypeScript tests validate: regenerate it with `python tests/test_inspect_schema.py --write`."""

import json
import sys
from pathlib import Path

import jsonschema
import paramscope
import pytest
import torch
from torch import nn

PROTOCOL = Path(__file__).resolve().parents[2] / "protocol"
SCHEMA = json.loads((PROTOCOL / "schema" / "snapshot.schema.json").read_text(encoding="utf-8"))
PYTHON_FIXTURE = PROTOCOL / "fixtures" / "python-inspect.snapshot.json"
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def schema_errors(doc):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(doc)]


class TiedNet(nn.Module):
    """conv → BatchNorm → two linear heads sharing one weight."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, bias=False)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(16, 4)
        self.head = nn.Linear(16, 4)
        self.head.weight = self.fc.weight

    def forward(self, x):
        x = torch.relu(self.bn(self.conv(x))).flatten(1)
        return self.fc(x) + self.head(x)


def fixture_snapshot() -> dict:
    """A small CNN with every kind of member: a BatchNorm weight under decay, a tied head, a frozen
    tensor, a tensor the model does not own, gradients (one NaN), a watched history."""
    torch.manual_seed(0)
    model = TiedNet()
    model.fc.bias.requires_grad_(False)  # frozen
    outsider = nn.Parameter(torch.ones(3))
    decay = [model.conv.weight, model.bn.weight, model.fc.weight, outsider]
    no_decay = [model.bn.bias, model.fc.bias, model.head.bias]
    optimizer = torch.optim.SGD(
        [{"params": decay, "weight_decay": 1e-4, "label": "decay"}, {"params": no_decay, "weight_decay": 0.0}],
        lr=0.1,
        momentum=0.9,
    )
    run = paramscope.watch(optimizer, model, params=["bn.weight"], label="fixture")
    for _ in range(2):
        optimizer.zero_grad()
        model(torch.randn(2, 3, 4, 4)).sum().backward()
        outsider.grad = torch.tensor([float("nan"), 0.0, 0.0])
        optimizer.step()
    doc = run.flush()
    run.close()
    return {**doc, "sessionId": "python-fixture", "sequence": 1, "createdAt": "2026-11-30T00:00:00.000Z"}


def test_inspect_and_watch_output_matches_the_schema():
    assert schema_errors(fixture_snapshot()) == []


@pytest.mark.parametrize("path", sorted((PROTOCOL / "fixtures").glob("*.snapshot.json")), ids=lambda p: p.name)
def test_committed_fixtures_match_the_schema(path):
    assert schema_errors(json.loads(path.read_text(encoding="utf-8"))) == []


def _shape_of(value, at="$"):
    """The fields and their JSON types, without the values: what must not change silently."""
    if isinstance(value, dict):
        return {at: "object", **{k: v for key in value for k, v in _shape_of(value[key], f"{at}.{key}").items()}}
    if isinstance(value, list):
        return {at: "array", **{k: v for i, item in enumerate(value) for k, v in _shape_of(item, f"{at}[{i}]").items()}}
    return {at: type(value).__name__}


def test_committed_python_fixture_is_current():
    committed = json.loads(PYTHON_FIXTURE.read_text(encoding="utf-8"))
    assert _shape_of(fixture_snapshot()) == _shape_of(committed), (
        "the snapshot's shape changed: run `python tests/test_inspect_schema.py --write` and commit the fixture"
    )


def test_the_schema_rejects_what_the_protocol_rejects():
    doc = fixture_snapshot()
    doc["entries"][0]["groups"][0]["params"][0]["shape"] = [4, -3]
    doc["entries"][0]["findings"][0]["severity"] = "fatal"
    doc["schemaVersion"] = 2
    assert len(schema_errors(doc)) == 3


if __name__ == "__main__" and "--write" in sys.argv:
    PYTHON_FIXTURE.write_text(json.dumps(fixture_snapshot(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {PYTHON_FIXTURE}")
