"""Models on torch's meta device: shapes only, probes on one real instance per class."""

import resource

import torch
from custom_modules import ChannelsFirstLayerNorm, LayerScale, OnePlusRMSNorm, PlainRMSNorm
from helpers import module, param, probe
from paramscope import export_structure, validate_structure
from torch import nn


class Wide(nn.Module):
    """Two 2^29-element matrices: 4 GiB if anything materialised them."""

    def __init__(self, dim=2**14):
        super().__init__()
        self.up = nn.Linear(dim, 2 * dim, bias=False)
        self.down = nn.Linear(2 * dim, dim, bias=False)
        self.norm = PlainRMSNorm(dim)
        self.gemma = OnePlusRMSNorm(dim)
        self.scale = LayerScale(dim)
        self.ln = nn.LayerNorm(dim)

    def forward(self, x):
        return self.ln(self.scale(self.gemma(self.norm(self.down(self.up(x))))))


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_meta_model_exports_shapes_without_materialising_weights():
    with torch.device("meta"):
        model = Wide()
    before = peak_rss_mib()
    doc = export_structure(model)
    assert peak_rss_mib() - before < 512
    assert all(p.is_meta for p in model.parameters())
    assert doc["export"]["device"] == "meta" and doc["export"]["route"] == "fx"
    assert param(doc, "up.weight")["shape"] == [2**15, 2**14]
    assert validate_structure(doc) == []
    for path in ("norm", "gemma", "ln"):
        assert probe(doc, path)["invariant"] is True, path
    assert probe(doc, "scale")["invariant"] is False
    assert probe(doc, "up")["skipped"].startswith("meta device: no real instance built (536870912 elements")


def test_meta_probes_find_channels_first_and_batch_norms():
    with torch.device("meta"):
        model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), ChannelsFirstLayerNorm(8), nn.GroupNorm(2, 8))
    doc = export_structure(model)
    assert [probe(doc, p)["invariant"] for p in "0123"] == [False, True, True, True]


def test_the_verdict_of_a_class_holds_for_every_instance():
    with torch.device("meta"):
        model = nn.Sequential(PlainRMSNorm(8), PlainRMSNorm(4096))
    doc = export_structure(model)
    assert probe(doc, "0") == probe(doc, "1")
    assert module(doc, "1")["normalization"]["nameHint"] == "PlainRMSNorm"


def test_hooks_run_on_meta_tensors_when_fx_cannot_trace():
    class Untraceable(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.norm = nn.LayerNorm(4)

        def forward(self, x):
            for _ in range(x.shape[0]):  # a loop over a traced shape: fx refuses
                x = x
            return self.norm(self.fc(x))

    with torch.device("meta"):
        model = Untraceable()
    doc = export_structure(model, example_args=torch.randn(2, 4))
    assert doc["export"]["route"] == "hooks"
    assert {"from": "fc", "to": "norm", "via": []} in doc["edges"]
