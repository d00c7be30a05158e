"""What models declare: timm's no_weight_decay() (fnmatch on full names) and _no_weight_decay."""

import torch
from helpers import param
from paramscope import export_structure
from torch import nn


class TimmStyle(nn.Module):
    """Declares like timm's VisionTransformer (exact names) and with a wildcard (Swin-like)."""

    def __init__(self):
        super().__init__()
        self.pos_embed = nn.Parameter(torch.zeros(1, 4, 8))
        self.cls_token = nn.Parameter(torch.zeros(1, 1, 8))
        self.blocks = nn.Sequential(*[nn.Module() for _ in range(2)])
        for block in self.blocks:
            block.relative_position_bias_table = nn.Parameter(torch.zeros(9, 2))
            block.proj = nn.Linear(8, 8)
        self.pos_embed_extra = nn.Parameter(torch.zeros(2, 2))

    def no_weight_decay(self):
        return {"pos_embed", "cls_token", "reg_token", "blocks.*.relative_position_bias_table"}


def test_timm_entries_are_recorded_sorted_and_resolved_like_timm():
    doc = export_structure(TimmStyle())
    assert doc["declarations"] == {
        "noWeightDecay": ["blocks.*.relative_position_bias_table", "cls_token", "pos_embed", "reg_token"]
    }
    assert param(doc, "pos_embed")["noWeightDecay"] == "model.no_weight_decay() lists 'pos_embed'"
    assert param(doc, "blocks.1.relative_position_bias_table")["noWeightDecay"] == (
        "model.no_weight_decay() lists 'blocks.*.relative_position_bias_table' "
        "(matches 'blocks.1.relative_position_bias_table')"
    )
    # An entry without wildcards names one parameter, not a prefix: timm compares whole names.
    assert "noWeightDecay" not in param(doc, "pos_embed_extra")
    assert "noWeightDecay" not in param(doc, "blocks.0.proj.weight")


def test_no_weight_decay_attribute_on_a_parameter():
    model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 4))
    model[1].weight._no_weight_decay = True
    doc = export_structure(model)
    assert param(doc, "1.weight")["noWeightDecay"] == "_no_weight_decay attribute on the parameter"
    assert "noWeightDecay" not in param(doc, "0.weight")
    assert "declarations" not in doc


def test_a_tied_reference_points_to_the_declared_parameter_without_repeating_it():
    class Tied(TimmStyle):
        def __init__(self):
            super().__init__()
            self.head = nn.Module()
            self.head.pos_embed = self.pos_embed

    doc = export_structure(Tied())
    assert param(doc, "head.pos_embed") == {"name": "pos_embed", "shape": [1, 4, 8], "sameAs": "pos_embed"}


def test_a_failing_declaration_is_a_note_not_an_error():
    class Failing(nn.Linear):
        def no_weight_decay(self):
            raise KeyError("oops")

    doc = export_structure(Failing(2, 2))
    assert "declarations" not in doc
    assert doc["export"]["notes"][0] == "model.no_weight_decay() raised KeyError: 'oops'; ignored"
