"""paramscope.watch on a real training loop: norms per group and per chosen parameter through the
optimizer's step post-hook, one display updated in place, clean detachment."""

import gc
import math

import paramscope
import pytest
import torch
from paramscope.inspector import InspectError
from paramscope.inspector.registry import REGISTRY
from torch import nn

MIME = "application/vnd.paramscope.snapshot.v1+json"


def small_run():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8, bias=False), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))
    decay = [model[0].weight, model[3].weight]
    no_decay = [model[1].weight, model[1].bias, model[3].bias]
    optimizer = torch.optim.SGD(
        [{"params": decay, "weight_decay": 0.1, "label": "decay"}, {"params": no_decay, "weight_decay": 0.0}],
        lr=0.05,
        momentum=0.9,
    )
    return model, optimizer


def train(model, optimizer, steps):
    for _ in range(steps):
        optimizer.zero_grad()
        model(torch.randn(16, 4)).pow(2).mean().backward()
        optimizer.step()


def test_records_norms_per_group_and_chosen_parameter():
    model, optimizer = small_run()
    run = paramscope.watch(optimizer, model, every=2, params=["1.weight"], label="watched")
    train(model, optimizer, 6)
    history = run.history
    assert history["steps"] == [0, 2, 4, 6]
    series = {s["name"]: s for s in history["series"]}
    assert set(series) == {"1.weight", "group 0 (decay)", "group 1"}
    assert series["1.weight"]["group"] == 1 and series["group 0 (decay)"]["group"] == 0
    expected = math.sqrt(model[0].weight.norm().item() ** 2 + model[3].weight.norm().item() ** 2)
    assert math.isclose(series["group 0 (decay)"]["values"][-1], expected, rel_tol=1e-5)
    assert math.isclose(series["1.weight"]["values"][-1], model[1].weight.norm().item(), rel_tol=1e-5)
    entry = next(e for e in run.flush()["entries"] if e["label"] == "watched")
    assert entry["watched"] is True and entry["step"] == 6 and entry["history"] == history
    run.close()


def test_close_and_optimizer_deletion_detach():
    model, optimizer = small_run()
    run = paramscope.watch(optimizer, model, label="closed")
    train(model, optimizer, 2)
    run.close()
    assert run.closed and REGISTRY.get("closed") is None
    train(model, optimizer, 2)
    assert run.history["steps"] == [0, 1, 2]
    assert not optimizer._optimizer_step_post_hooks

    model, optimizer = small_run()
    run = paramscope.watch(optimizer, model, label="deleted")
    del optimizer
    gc.collect()
    assert run.closed and REGISTRY.get("deleted") is None


def test_one_display_updated_in_place():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    published = []
    shell.display_pub.publish = lambda data, metadata=None, **kwargs: published.append((data, kwargs))
    try:
        shell.execution_count = 3
        model, optimizer = small_run()
        run = paramscope.watch(optimizer, model, label="in place", min_interval=0)
        train(model, optimizer, 3)
        run.close()
    finally:
        InteractiveShell.clear_instance()
    inline = [(d, k) for d, k in published if k["transient"]["display_id"] != REGISTRY.panel_display_id]
    assert [k.get("update", False) for _, k in inline] == [False, True, True, True]
    assert len({k["transient"]["display_id"] for _, k in inline}) == 1
    assert inline[-1][0][MIME]["entries"][-1]["history"]["steps"] == [0, 1, 2, 3]


def test_long_runs_are_thinned():
    model, optimizer = small_run()
    run = paramscope.watch(optimizer, model, label="thinned", max_points=8)
    train(model, optimizer, 20)
    assert len(run.history["steps"]) <= 9 and run.history["steps"][0] == 0 and run.every > 1
    run.close()


def test_bad_arguments():
    model, optimizer = small_run()
    with pytest.raises(InspectError, match=r"params \['missing.weight'\] are not in the optimizer's groups"):
        paramscope.watch(optimizer, model, params=["missing.weight"])
    with pytest.raises(InspectError, match="every must be a positive integer, got 0"):
        paramscope.watch(optimizer, model, every=0)
    with pytest.raises(TypeError, match="got Sequential"):
        paramscope.watch(model)
    assert not optimizer._optimizer_step_post_hooks
