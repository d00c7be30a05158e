"""verify_param_groups on live torch optimizers and on groups of names: the same findings,
codes and verdicts as the TypeScript side (the conformance suite compares them exactly)."""

import pytest
import torch
from grouping_models import tiny_llama, tiny_resnet
from paramscope import ParamGroupsError, group_params, verify_param_groups
from paramscope.recipes import recipe_adamw
from torch import nn


def codes(report):
    return [(f["severity"], f["code"], f["params"]) for f in report["findings"]]


def test_the_structural_default_passes_and_is_summarised():
    model = tiny_resnet()
    optimizer = torch.optim.AdamW(group_params(model, weight_decay=0.05), lr=1e-3)
    report = verify_param_groups(model, optimizer)
    assert report["ok"] and report["verdict"] == "ok"
    assert [(g["label"], g["weight_decay"], g["tensor_count"]) for g in report["groups"]] == [
        ("decay", 0.05, 5),
        ("no_decay", 0, 9),
    ]
    assert report["model"] == {
        "name": "TinyResNet",
        "tensor_count": 14,
        "element_count": sum(p.numel() for p in model.parameters()),
        "trainable_count": 14,
    }


def test_the_documents_adamw_recipe_decays_the_shortcut_batchnorm():
    model = tiny_resnet()
    decay, no_decay = recipe_adamw(model)
    params = dict(model.named_parameters())
    optimizer = torch.optim.AdamW(
        [
            {"params": [params[n] for n in decay], "weight_decay": 0.01},
            {"params": [params[n] for n in no_decay], "weight_decay": 0.0},
        ]
    )
    report = verify_param_groups(model, optimizer)
    assert report["verdict"] == "errors"
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert [f["params"] for f in errors] == [["layer1.downsample.1.weight"]]
    assert errors[0]["message"] == (
        "layer1.downsample.1.weight (BatchNorm2d weight) has weight decay 0.01 in group 0; "
        "BatchNorm2d: torch.nn normalization class"
    )
    # The trace knows conv weights feed BatchNorm: decay on them is information, not a failure.
    assert {f["code"] for f in report["findings"] if f["severity"] == "info"} == {"scale-invariant-decayed"}


def test_missing_duplicate_foreign_and_frozen():
    model = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4))
    model[1].bias.requires_grad_(False)
    stranger = nn.Parameter(torch.zeros(3))
    groups = [
        {"params": [model[0].weight, model[0].weight, stranger], "weight_decay": 0.0},
        {"params": [model[0].weight, model[1].bias], "weight_decay": 0.0},
    ]
    report = verify_param_groups(model, groups)
    assert codes(report) == [
        ("error", "duplicate", ["0.weight"]),
        ("error", "unknown-param", ["group[0].params[2] (a tensor of shape [3])"]),
        ("warning", "frozen-in-group", ["1.bias"]),
        ("error", "duplicate", ["0.weight"]),
        ("error", "missing", ["0.bias"]),
        ("error", "missing", ["1.weight"]),
    ]
    assert report["findings"][3]["message"] == "0.weight is in groups 0 and 1"


def test_groups_of_names_on_a_structure_document_and_bad_values():
    from paramscope import export_structure

    doc = export_structure(nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4)))
    report = verify_param_groups(
        doc, [{"params": ["0.weight", "0.bias", "1.weight", "1.bias"], "weight_decay": 0.1, "lr": -1}]
    )
    assert codes(report) == [
        ("error", "invalid-hyperparameter", []),
        ("info", "scale-invariant-decayed", ["0.weight"]),  # its bias cancels in the BatchNorm
        ("warning", "bias-decayed", ["0.bias"]),
        ("error", "norm-param-decayed", ["1.weight"]),
        ("error", "norm-param-decayed", ["1.bias"]),
    ]
    assert report["findings"][0]["message"] == "group 0: lr must be a finite number ≥ 0, got -1"


def test_strict_levels():
    model = nn.Sequential(nn.Linear(4, 4))
    decayed_bias = [{"params": list(model.parameters()), "weight_decay": 0.1}]
    assert verify_param_groups(model, decayed_bias, strict=True)["verdict"] == "warnings"
    with pytest.raises(ParamGroupsError, match="warning bias-decayed: 0.bias"):
        verify_param_groups(model, decayed_bias, strict="warnings")
    with pytest.raises(ValueError, match="strict must be"):
        verify_param_groups(model, decayed_bias, strict="always")
    with pytest.raises(TypeError, match="expected parameter groups"):
        verify_param_groups(model, object())


def test_llama_one_decayed_group_is_wrong_by_behaviour_and_suspicious_without_inputs():
    pytest.importorskip("transformers")
    model, ids = tiny_llama()
    optimizer = torch.optim.AdamW(model.parameters(), weight_decay=0.1)
    probed = verify_param_groups(model, optimizer, example_args=(ids,))
    assert {f["code"] for f in probed["findings"] if f["severity"] == "error"} == {"norm-param-decayed"}
    assert "LlamaRMSNorm: output unchanged when its input is scaled" in probed["findings"][0]["message"]
    unprobed = verify_param_groups(model, optimizer)
    assert unprobed["verdict"] == "warnings"
    assert {f["code"] for f in unprobed["findings"]} == {"unknown-kind-1d-decayed"}
