"""Example inputs: positional, keyword, mappings and nested containers."""

import pytest
import torch
from helpers import probe
from paramscope import export_structure
from torch import nn


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)
        self.norm = nn.LayerNorm(4)

    def forward(self, x, *, y=None, extra=None):
        out = self.a(x) + self.b(y)
        if extra is not None:
            out = out + extra["bias"]
        return self.norm(out)


class DictInput(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.norm = nn.LayerNorm(4)

    def forward(self, batch):
        return self.norm(self.fc(batch["x"]))


def assert_probed(doc):
    assert doc["export"]["route"] == "hooks" or doc["edges"]
    assert probe(doc, "norm")["invariant"] is True


def test_args_and_kwargs_with_a_nested_dict():
    x, y = torch.randn(2, 4), torch.randn(2, 4)
    doc = export_structure(TwoInputs(), example_args=(x,), example_kwargs={"y": y, "extra": {"bias": torch.ones(4)}})
    assert_probed(doc)
    assert probe(doc, "b")["invariant"] is False


def test_a_mapping_as_example_args_is_unpacked_as_keywords():
    doc = export_structure(TwoInputs(), example_args={"x": torch.randn(2, 4), "y": torch.randn(2, 4)})
    assert_probed(doc)


def test_a_dict_passed_positionally():
    doc = export_structure(DictInput(), example_args=({"x": torch.randn(2, 4)},))
    assert_probed(doc)


def test_a_single_tensor_is_one_argument():
    doc = export_structure(DictInput().fc, example_args=torch.randn(2, 4))
    assert probe(doc, "")["invariant"] is False


def test_bad_example_args_name_the_type():
    with pytest.raises(
        TypeError, match="example_args must be a tensor, a tuple/list of arguments or a mapping, got int"
    ):
        export_structure(DictInput(), example_args=3)
