"""paramscope.inspect on real torch optimizers and models: names, hyperparameters, norms, tied,
frozen and unnamed parameters, custom optimizers, bad input, and the IPython display it publishes
(captured with IPython's own display publisher)."""

import math
import time

import paramscope
import pytest
import torch
from paramscope.inspector import InspectError
from paramscope.inspector.registry import REGISTRY
from paramscope.testing.torchvision_resnet import resnet18
from torch import nn

MIME = "application/vnd.paramscope.snapshot.v1+json"


def bn_in_decay(model):
    """The document's recipe 6.1 mistake: the name test misses downsample.1 (a BatchNorm)."""
    decay = [p for n, p in model.named_parameters() if "bn" not in n and "bias" not in n]
    no_decay = [p for n, p in model.named_parameters() if "bn" in n or "bias" in n]
    return [{"params": decay, "weight_decay": 1e-4}, {"params": no_decay, "weight_decay": 0.0}]


def only_entry(snapshot):
    focus = snapshot["focus"]
    return next(e for e in snapshot["entries"] if e["id"] in focus)


class LARS(torch.optim.Optimizer):
    """A LARS-like optimizer following torch's param_groups contract (timm's keys)."""

    def __init__(self, params, lr=0.1, trust_coeff=0.001, always_adapt=False):
        super().__init__(params, dict(lr=lr, trust_coeff=trust_coeff, always_adapt=always_adapt))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    ratio = group["trust_coeff"] * p.norm() / (p.grad.norm() + 1e-12)
                    p.add_(p.grad, alpha=-group["lr"] * float(ratio))


def test_sgd_on_resnet18_names_members_and_reads_norms():
    model = resnet18(10)
    optimizer = torch.optim.SGD(bn_in_decay(model), lr=0.1, momentum=0.9)
    model(torch.randn(2, 3, 32, 32)).sum().backward()
    snap = paramscope.inspect(optimizer, model, label="sgd-resnet18")
    assert isinstance(snap, dict) and snap["schemaVersion"] == 1
    entry = only_entry(snap)
    assert (entry["label"], entry["optimizer"], entry["source"]) == ("sgd-resnet18", "SGD", "optimizer")
    assert entry["model"] == {
        "name": "ResNet",
        "tensorCount": 62,
        "elementCount": sum(p.numel() for p in model.parameters()),
    }
    decay, no_decay = entry["groups"]
    assert decay["hyperparameters"]["weightDecay"] == 1e-4 and decay["hyperparameters"]["momentum"] == 0.9
    assert no_decay["hyperparameters"]["weightDecay"] == 0.0
    rows = {p["name"]: p for g in entry["groups"] for p in g["params"]}
    assert "layer2.0.downsample.1.weight" in {p["name"] for p in decay["params"]}
    conv = rows["conv1.weight"]
    assert (conv["shape"], conv["size"], conv["moduleKind"], conv["modulePath"]) == (
        [64, 3, 7, 7],
        9408,
        "Conv2d",
        "conv1",
    )
    assert rows["bn1.weight"]["moduleKind"] == "BatchNorm2d"
    assert math.isclose(conv["weightNorm"], model.conv1.weight.norm().item(), rel_tol=1e-6)
    assert math.isclose(conv["gradNorm"], model.conv1.weight.grad.norm().item(), rel_tol=1e-6)
    assert all(g["tensorCount"] == len(g["params"]) for g in entry["groups"])
    # The exporter's graph: conv1 feeds bn1 (scale-invariant), fc feeds none.
    assert (conv["scaleInvariant"], conv["normalizedBy"]) == (True, "bn1")
    assert math.isclose(conv["effectiveLr"], 0.1 / conv["weightNorm"] ** 2)
    assert rows["fc.weight"]["scaleInvariant"] is False and "effectiveLr" not in rows["fc.weight"]
    # paramscope.verify_param_groups: the shortcut BatchNorms the name test decays are errors.
    errors = {p for f in entry["findings"] if f["code"] == "norm-param-decayed" for p in f["params"]}
    assert errors == {f"layer{k}.0.downsample.1.weight" for k in (2, 3, 4)}


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: torch.optim.Adam(ps, lr=1e-3, betas=(0.9, 0.99)),
        lambda ps: torch.optim.AdamW(ps, lr=1e-3, weight_decay=0.05),
        lambda ps: LARS(ps, lr=0.2),
    ],
    ids=["Adam", "AdamW", "LARS"],
)
def test_any_optimizer_with_param_groups(make):
    model = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8), nn.Linear(8, 2))
    optimizer = make(model.parameters())
    model(torch.randn(3, 4)).sum().backward()
    optimizer.step()
    entry = only_entry(paramscope.inspect(optimizer, model))
    hyper = entry["groups"][0]["hyperparameters"]
    assert entry["optimizer"] == type(optimizer).__name__
    assert all("_" not in key for key in hyper), hyper  # snake_case → the protocol's camelCase
    if isinstance(optimizer, torch.optim.AdamW):
        assert hyper["weightDecay"] == 0.05 and hyper["betas"] == [0.9, 0.999]
    elif isinstance(optimizer, torch.optim.Adam):
        assert hyper["betas"] == [0.9, 0.99]
    if isinstance(optimizer, torch.optim.Adam):
        assert entry["step"] == 1  # from the optimizer's state
    else:
        assert hyper["trustCoeff"] == 0.001 and hyper["alwaysAdapt"] is False
    assert [p["name"] for p in entry["groups"][0]["params"]] == [n for n, _ in model.named_parameters()]


def test_unnamed_tied_and_frozen_parameters():
    model = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 10))
    model[1].weight = model[0].weight  # tied, as a language model's head
    model[1].bias.requires_grad_(False)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    entry = only_entry(paramscope.inspect(optimizer, model))
    rows = {p["name"]: p for p in entry["groups"][0]["params"]}
    assert list(rows) == ["0.weight", "1.bias"]
    assert rows["0.weight"]["aliases"] == ["1.weight"]
    assert rows["1.bias"]["trainable"] is False
    assert entry["model"]["tensorCount"] == 2

    without_model = only_entry(paramscope.inspect(optimizer))
    assert [p["name"] for p in without_model["groups"][0]["params"]] == ["group[0].params[0]", "group[0].params[1]"]
    assert [f["code"] for f in without_model["findings"]] == ["no-model"]


def test_other_devices_are_measured_where_they_live():
    devices = ["cpu", "meta"] + (["cuda"] if torch.cuda.is_available() else [])
    params = [nn.Parameter(torch.ones(3, device=d)) for d in devices]
    entry = only_entry(paramscope.inspect(torch.optim.SGD(params, lr=0.1)))
    rows = entry["groups"][0]["params"]
    assert math.isclose(rows[0]["weightNorm"], math.sqrt(3), rel_tol=1e-6)
    assert "weightNorm" not in rows[1]  # a meta tensor has no values to measure
    assert all(math.isclose(r["weightNorm"], math.sqrt(3), rel_tol=1e-6) for r in rows[2:])


def test_nan_norms_are_null_and_named():
    model = nn.Linear(3, 2)
    with torch.no_grad():
        model.weight[0, 0] = float("nan")
    entry = only_entry(paramscope.inspect(torch.optim.SGD(model.parameters(), lr=0.1), model))
    weight = entry["groups"][0]["params"][0]
    assert weight["weightNorm"] is None
    [nan] = [f for f in entry["findings"] if f["code"] == "non-finite-weight"]
    assert nan["params"] == ["weight"] and nan["severity"] == "warning"


def test_bad_input_raises_before_anything_is_published():
    before = REGISTRY.sequence
    with pytest.raises(TypeError, match=r"expected a torch.optim.Optimizer .*got list"):
        paramscope.inspect([torch.ones(2)])
    with pytest.raises(TypeError, match="model must be a torch.nn.Module, got dict"):
        paramscope.inspect(torch.optim.SGD([nn.Parameter(torch.ones(1))], lr=0.1), {"w": 1})
    with pytest.raises(InspectError, match=r"none of the optimizer's 2 parameters belong to the model \(Linear\)"):
        paramscope.inspect(torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1), nn.Linear(2, 2))

    class Broken:
        param_groups = [{"params": [torch.ones(1), "w"]}]

    with pytest.raises(InspectError, match=r"param_groups\[0\]\['params'\]\[1\] is a str, not a tensor"):
        paramscope.inspect(Broken())
    assert REGISTRY.sequence == before


def test_some_parameters_outside_the_model_are_reported():
    model = nn.Linear(2, 2)
    stray = nn.Parameter(torch.ones(2))
    entry = only_entry(paramscope.inspect(torch.optim.SGD([*model.parameters(), stray], lr=0.1), model))
    assert [p["name"] for p in entry["groups"][0]["params"]] == ["weight", "bias", "group[0].params[2]"]
    [outside] = [f for f in entry["findings"] if f["code"] == "unknown-param"]
    assert outside["severity"] == "error" and outside["params"][0].startswith("group[0].params[2]")


def test_ten_thousand_parameters():
    model = nn.ModuleList(nn.Linear(2, 2) for _ in range(5000))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=1e-4)
    started = time.perf_counter()
    entry = only_entry(paramscope.inspect(optimizer, model))
    print(f"inspect of 10,000 tensors: {1000 * (time.perf_counter() - started):.0f} ms")
    assert entry["groups"][0]["tensorCount"] == 10_000
    assert entry["groups"][0]["params"][-1]["name"] == "4999.bias"


def test_display_in_ipython_updates_in_place_per_label():
    """IPython's own display publisher, captured: one output per cell and label, updated in place."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    published = []
    shell.display_pub.publish = lambda data, metadata=None, **kwargs: published.append((data, kwargs))
    try:
        model = nn.Linear(2, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        shell.execution_count = 7
        first = paramscope.inspect(optimizer, model, label="shown")
        paramscope.inspect(optimizer, model, label="shown")
        shell.execution_count = 8
        paramscope.inspect(optimizer, model, label="shown")
    finally:
        InteractiveShell.clear_instance()
    assert [kwargs.get("update", False) for _, kwargs in published] == [False, True, False]
    ids = {kwargs["transient"]["display_id"] for _, kwargs in published}
    assert len(ids) == 1
    data = published[0][0]
    assert data[MIME]["sequence"] == first["sequence"]
    assert data["text/plain"].startswith(f"paramscope snapshot #{first['sequence']} (PyTorch ")
    assert "shown · SGD — Linear: 2 tensors, 6 values" in data["text/plain"]


def test_refresh_publishes_every_live_entry_to_the_panel_only():
    from IPython.core.interactiveshell import InteractiveShell

    model = nn.Linear(2, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    paramscope.inspect(optimizer, model, label="refreshed")
    shell = InteractiveShell.instance()
    published = []
    shell.display_pub.publish = lambda data, metadata=None, **kwargs: published.append((data, kwargs))
    try:
        assert eval(_refresh_code(), {}) is None
    finally:
        InteractiveShell.clear_instance()
    [(data, kwargs)] = published
    assert kwargs["update"] is True and kwargs["transient"]["display_id"] == REGISTRY.panel_display_id
    assert "refreshed" in [e["label"] for e in data[MIME]["entries"]]
    del optimizer
    assert "refreshed" not in [e["label"] for e in REGISTRY.publish_snapshot()["entries"]]


def _refresh_code() -> str:
    """PYTHON_REFRESH_CODE of @paramscope/protocol, from its build (node runs it)."""
    import shutil
    import subprocess
    from pathlib import Path

    protocol = Path(__file__).resolve().parents[2] / "protocol"
    if shutil.which("node") is None or not (protocol / "lib" / "index.js").exists():
        pytest.skip("needs node and the built @paramscope/protocol (npm run build)")
    return subprocess.run(
        ["node", "-p", "require('./lib/index.js').PYTHON_REFRESH_CODE"],
        cwd=protocol,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
