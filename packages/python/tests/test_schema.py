"""validate_structure: the committed fixtures pass, mistakes are named by their JSON path."""

import copy
import glob
import json
import os

import pytest
import torch
from custom_modules import Block
from paramscope import export_structure, validate_structure

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "core", "fixtures", "structures")
STRUCTURE_FILES = sorted(
    p
    for p in glob.glob(os.path.join(FIXTURES, "**", "*.json"), recursive=True)
    if not p.endswith((".recipes.json", ".truth.json", "index.json"))
)


def test_there_are_version_1_and_version_2_fixtures():
    versions = {json.load(open(p))["version"] for p in STRUCTURE_FILES}
    assert versions == {1, 2} and len(STRUCTURE_FILES) >= 18


@pytest.mark.parametrize("path", STRUCTURE_FILES, ids=os.path.basename)
def test_committed_fixtures_are_valid(path):
    with open(path, encoding="utf-8") as f:
        assert validate_structure(json.load(f)) == []


def test_mistakes_are_named_by_path():
    doc = export_structure(Block(), example_args=torch.randn(2, 3, 16))
    bad = copy.deepcopy(doc)
    bad["export"]["route"] = "fx"
    bad["edges"] = None
    bad["modules"][1]["normalization"]["probe"]["maxRelChange"] = -1
    bad["modules"][1]["params"][0]["shape"] = [2, "3"]
    bad["modules"][2]["colour"] = "red"
    bad["modules"][3]["params"][0]["sameAs"] = "nowhere.weight"
    assert validate_structure(bad) == [
        "$.export.route: 'fx' does not match edges null",
        "$.modules[1].params[0].shape: expected a list of non-negative integers, got [2, '3']",
        "$.modules[1].normalization.probe.maxRelChange: expected a finite non-negative number, got -1",
        "$.modules[2].colour: unknown field",
        "$.modules[3].params[0].sameAs: 'nowhere.weight' is not an earlier parameter",
    ]


def test_version_1_rejects_version_2_fields():
    doc = {
        "format": "paramscope-structure",
        "version": 1,
        "model": "m",
        "modules": [{"path": "", "kind": "Linear", "classPath": "torch.nn.Linear"}],
        "export": {},
    }
    assert validate_structure(doc) == ["$.export: unknown field", "$.modules[0].classPath: unknown field"]
