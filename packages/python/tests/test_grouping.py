"""The structural default and rules on live torch models (torch.nn and transformers): groups of
tensors that torch.optim takes as they are, their reasons, skipped parameters and warnings."""

import paramscope
import pytest
import torch
from custom_modules import PlainRMSNorm
from grouping_models import tiny_llama, tiny_resnet
from paramscope import GroupingWarning, group_params
from torch import nn


def names_by_label(model, groups):
    name_of = {id(p): n for n, p in model.named_parameters()}
    return {g["label"]: [name_of[id(p)] for p in g["params"]] for g in groups}


def test_structural_default_on_a_resnet_is_pytorch_ready():
    model = tiny_resnet()
    groups = group_params(model, weight_decay=5e-4, lr=0.1)
    by_label = names_by_label(model, groups)
    assert by_label["decay"] == [
        "conv1.weight",
        "layer1.conv1.weight",
        "layer1.conv2.weight",
        "layer1.downsample.0.weight",
        "fc.weight",
    ]
    assert "layer1.downsample.1.weight" in by_label["no_decay"] and "fc.bias" in by_label["no_decay"]
    assert [g["weight_decay"] for g in groups] == [5e-4, 0] and all(g["lr"] == 0.1 for g in groups)
    assert groups[1]["reasons"]["layer1.downsample.1.weight"] == "BatchNorm2d: torch.nn normalization class → no decay"
    assert groups[1]["reasons"]["fc.bias"] == "bias of Linear: no decay"
    optimizer = torch.optim.SGD(groups, lr=0.1, momentum=0.9)  # torch.optim keeps label and reasons
    assert optimizer.param_groups[0]["label"] == "decay" and groups.warnings == [] and groups.skipped == []


def test_exclude_scale_invariant_leaves_only_the_head_decayed():
    model = tiny_resnet()
    groups = group_params(model, exclude_scale_invariant=True)
    assert names_by_label(model, groups)["decay"] == ["fc.weight"]
    reasons = next(g for g in groups if g["label"] == "no_decay")["reasons"]
    assert [g["label"] for g in groups] == ["no_decay", "decay"]  # in the order of first members
    assert reasons["layer1.downsample.0.weight"] == "feeds layer1.downsample.1 (scale-invariant): no decay"


def test_rules_set_hyperparameters_skip_and_label():
    model = tiny_resnet()
    groups = group_params(
        model,
        weight_decay=0.01,
        lr=0.1,
        rules=[
            {"name": "layer1.*", "lr_multiplier": 0.1},
            {"module_kind": "Linear", "hyperparameters": {"momentum": 0.5}},
            {"name": "conv1.weight", "skip": True},
        ],
    )
    assert groups.skipped == [("conv1.weight", 'rule 2 (name "conv1.weight"): skipped')]
    layer1 = [g for g in groups if g["lr"] == pytest.approx(0.01)]
    assert sum(len(g["params"]) for g in layer1) == 9
    head = next(g for g in groups if g.get("momentum") == 0.5 and g["weight_decay"] == 0.01)
    assert head["reasons"] == {"fc.weight": "Linear weight: weight decay; rule 1 (module kind Linear): momentum 0.5"}
    optimizer = torch.optim.SGD(groups, lr=0.1)
    assert {g.get("momentum") for g in optimizer.param_groups} == {0, 0.5}


def test_frozen_skipped_and_tied_placed_once():
    model = nn.Sequential(nn.Embedding(10, 4), nn.LayerNorm(4), nn.Linear(4, 10, bias=False))
    model[2].weight = model[0].weight  # tied head
    model[1].bias.requires_grad_(False)
    groups = group_params(model)
    members = [p for g in groups for p in g["params"]]
    assert len(members) == 2 and len({id(p) for p in members}) == 2
    assert groups.skipped == [("1.bias", "frozen (not trainable): in no group")]


def test_bad_rules_and_options_name_the_problem():
    model = tiny_resnet()
    with pytest.raises(ValueError, match='rule 0: unknown field "weightDecay"; did you mean "weight_decay"'):
        group_params(model, rules=[{"weightDecay": 0}])
    with pytest.raises(ValueError, match=r'rule 0 \(local name "bias"\): lr_multiplier needs lr'):
        group_params(model, rules=[{"local_name": "bias", "lr_multiplier": 2}])
    with pytest.raises(ValueError, match="group_params: weight_decay must be a finite number ≥ 0, got -1"):
        group_params(model, weight_decay=-1)
    with pytest.raises(TypeError, match="expected a torch.nn.Module, a structure document"):
        group_params(42)


def test_a_custom_rmsnorm_is_found_by_its_behaviour_with_example_inputs():
    model = nn.Sequential(nn.Linear(8, 8), PlainRMSNorm(8), nn.Linear(8, 2))
    groups = group_params(model, example_args=(torch.randn(4, 8),))
    reason = groups[1]["reasons"]["1.weight"]
    assert reason.startswith("PlainRMSNorm: output unchanged when its input is scaled by 0.5 and 4")
    assert groups.warnings == []


def test_without_example_inputs_timm_rule_decides_and_warns():
    model = nn.Sequential(nn.Linear(8, 8), PlainRMSNorm(8))
    with pytest.warns(GroupingWarning, match="PlainRMSNorm is not a known class and its behaviour is unknown"):
        groups = group_params(model)
    assert "timm's ndim ≤ 1 rule" in groups[1]["reasons"]["1.weight"]


def test_llama_norms_without_decay():
    pytest.importorskip("transformers")
    model, ids = tiny_llama()
    groups = group_params(model, weight_decay=0.1, example_args=(ids,))
    no_decay = names_by_label(model, groups)["no_decay"]
    assert no_decay == [n for n, _ in model.named_parameters() if "norm" in n] and len(no_decay) == 5


def test_a_structure_document_gives_names(tmp_path):
    model = tiny_resnet()
    path = tmp_path / "resnet.json"
    paramscope.export_structure(model, str(path))
    groups = group_params(str(path), weight_decay=1e-4)
    assert groups[0]["params"][0] == "conv1.weight" and "layer1.downsample.1.weight" in groups[1]["params"]
    with pytest.raises(paramscope.StructureFileError, match=r"\$.version"):
        group_params(
            {"format": "paramscope-structure", "version": 9, "model": "x", "modules": [{"path": "", "kind": "M"}]}
        )


def test_live_reader_agrees_with_the_exporter():
    """The fast reader of live models gives the same facts and evidence as export_structure."""
    from paramscope.live import param_model_from_module
    from paramscope.model import param_model_from_structure

    model = nn.Sequential(tiny_resnet(), PlainRMSNorm(3))
    for args in ((), (torch.randn(2, 3, 8, 8),)):
        live = param_model_from_module(model, example_args=args)
        exported = param_model_from_structure(paramscope.export_structure(model, example_args=args))
        assert [(m.path, m.facts) for m in live.modules] == [(m.path, m.facts) for m in exported.modules]
        assert [(p.name, p.aliases, p.feeds_normalization, p.verdict) for p in live.params] == [
            (p.name, p.aliases, p.feeds_normalization, p.verdict) for p in exported.params
        ]
