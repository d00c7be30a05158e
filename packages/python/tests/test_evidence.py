"""Normalization evidence: the class hierarchy, the behaviour probe and the name hint."""

import torch
from custom_modules import Block, ConvNet, LayerScale, PlainRMSNorm
from helpers import module, probe
from paramscope import export_structure
from paramscope.export.evidence import PROBE_TOLERANCE, probe_scale_invariance
from paramscope.export.inputs import ExampleInputs
from torch import nn


def export_block():
    torch.manual_seed(0)
    return export_structure(Block(), example_args=torch.randn(4, 6, 16) * 0.02)


def test_normalizers_without_a_torch_base_are_found_by_behaviour():
    doc = export_block()
    for path in ("rms", "gemma_norm", "ln"):
        result = probe(doc, path)
        assert result["invariant"] is True, (path, result)
        assert result["maxRelChange"] < 1e-6
        assert result["scales"] == [0.5, 4.0] and result["tolerance"] == PROBE_TOLERANCE
    assert "hierarchy" not in module(doc, "rms")["normalization"]
    assert module(doc, "ln")["normalization"]["hierarchy"] == "LayerNorm"
    assert module(doc, "rms")["normalization"]["nameHint"] == "PlainRMSNorm"


def test_linear_and_layer_scale_are_not_invariant():
    doc = export_block()
    for path in ("proj", "scale"):
        result = probe(doc, path)
        assert result["invariant"] is False and result["maxRelChange"] > 0.2, (path, result)
    assert "nameHint" not in module(doc, "scale")["normalization"]


def test_modules_never_called_or_ignoring_their_input_are_skipped():
    doc = export_block()
    assert probe(doc, "unused") == {"skipped": "never called in the example forward pass"}
    assert "does not depend on its input" in probe(doc, "position")["skipped"]


def test_without_example_inputs_every_probe_is_skipped(capsys):
    doc = export_structure(Block())
    assert probe(doc, "rms") == {"skipped": "no example inputs given"}
    assert "[paramscope] Block: no example inputs given: behaviour probes skipped" in capsys.readouterr().err


def test_channels_first_layer_norm_and_batch_norm_are_invariant():
    torch.manual_seed(0)
    doc = export_structure(ConvNet(), example_args=(torch.randn(4, 3, 8, 8),))
    assert probe(doc, "cf_norm")["invariant"] is True
    assert probe(doc, "bn")["invariant"] is True
    assert module(doc, "bn")["normalization"]["hierarchy"] == "BatchNorm2d"
    assert probe(doc, "conv")["invariant"] is False
    assert probe(doc, "head")["invariant"] is False


def test_the_probe_leaves_running_statistics_and_modes_as_they_were():
    torch.manual_seed(0)
    model = ConvNet().eval()
    model.bn.running_mean.fill_(0.25)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    export_structure(model, example_args=torch.randn(4, 3, 8, 8))
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not any(m.training for m in model.modules())


def test_mixed_training_modes_are_kept():
    torch.manual_seed(0)
    model = ConvNet().train()
    model.bn.eval()  # a frozen BatchNorm inside a model that trains
    export_structure(model, example_args=torch.randn(4, 3, 8, 8))
    assert model.training and model.conv.training and not model.bn.training


def test_hierarchy_follows_the_mro_not_the_name():
    class Renamed(nn.BatchNorm1d):
        pass

    class HasNormInName(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.ones(3))

        def forward(self, x):
            return x * self.w

    model = nn.Sequential(nn.Linear(3, 3), Renamed(3), HasNormInName())
    doc = export_structure(model, example_args=torch.randn(8, 3))
    assert module(doc, "1")["normalization"]["hierarchy"] == "BatchNorm1d"
    assert "nameHint" not in module(doc, "1")["normalization"]
    impostor = module(doc, "2")["normalization"]
    assert "hierarchy" not in impostor and impostor["nameHint"] == "HasNormInName"
    assert impostor["probe"]["invariant"] is False


def test_rms_norm_of_torch_has_its_hierarchy():
    if not hasattr(nn, "RMSNorm"):  # torch < 2.4
        return
    doc = export_structure(nn.Sequential(nn.Linear(4, 4), nn.RMSNorm(4)), example_args=torch.randn(2, 4))
    assert module(doc, "1")["normalization"]["hierarchy"] == "RMSNorm"
    assert probe(doc, "1")["invariant"] is True


def test_half_precision_modules_are_probed_in_float32():
    norm = PlainRMSNorm(16).to(torch.bfloat16)
    result = probe_scale_invariance(norm, ExampleInputs((torch.randn(2, 16, dtype=torch.bfloat16),)))
    assert result["invariant"] is True and result["maxRelChange"] < 1e-6
    assert norm.weight.dtype == torch.bfloat16


def test_a_module_that_raises_is_skipped_with_the_error():
    class Fails(LayerScale):
        def forward(self, x):
            raise RuntimeError("only in the probe\nsecond line")

    result = probe_scale_invariance(Fails(3), ExampleInputs((torch.randn(2, 3),)))
    assert result == {"skipped": "the module raised RuntimeError: only in the probe"}


def test_integer_inputs_are_skipped():
    result = probe_scale_invariance(nn.Embedding(10, 4), ExampleInputs((torch.tensor([1, 2]),)))
    assert result == {"skipped": "its input has no floating-point tensor to scale"}


def test_a_composite_invariant_through_its_own_normalizer_is_skipped():
    class Encoder(nn.Module):
        """torchvision's ViT Encoder: adds its own table, then blocks, then a LayerNorm."""

        def __init__(self):
            super().__init__()
            self.pos = nn.Parameter(torch.randn(1, 3, 8))
            self.fc = nn.Linear(8, 8)
            self.ln = nn.LayerNorm(8)

        def forward(self, x):
            x = x + self.pos
            return self.ln(x + self.fc(x))

    doc = export_structure(Encoder(), example_args=torch.randn(2, 3, 8))
    assert probe(doc, "") == {
        "skipped": "its output passes through the normalizer 'ln' inside it: "
        "invariance says nothing about its own parameters"
    }
    assert probe(doc, "ln")["invariant"] is True
