"""Reference trajectories for @paramscope/core's Lion and LAMB, from timm's implementations.

Writes packages/core/fixtures/optim/{lion,lamb,lamb-options}.json in the format of
optim_reference.py (whose parameters, noise source and helpers this script imports): the initial
parameters, the groups and their hyperparameters, every parameter after each of 50 steps, and the
final state dict, all float32. Gradients follow g = 0.5 * w + noise (xorshift32 seeded
7 + len(optimizer name)), which src/optim/parity.test.ts regenerates bit for bit.

The references are timm.optim.Lion and timm.optim.Lamb themselves (their single-tensor path, the
one timm takes on CPU). The configurations cover several groups, zero and nonzero decay, a tensor
that starts at zero norm (bn.bias), maximize, corrected and decoupled decay, trust clipping,
always_adapt, no grad averaging, no bias correction, and global clipping on (max_grad_norm 1) and
off (None). LAMB groups carry `layer_adaptation` as an extra key (timm keeps unknown group keys):
a group with layer_adaptation False must have weight_decay 0 and always_adapt False, where timm's
own rule gives the trust ratio 1 that our layerAdaptation: false gives (checked below).

Environment: a throwaway venv at the repository root (.gen-venv/, ignored by git), with the CPU
torch of the development environment and timm without its dependencies:
    python3 -m venv .gen-venv
    .gen-venv/bin/pip install torch==2.13.0
    .gen-venv/bin/pip install --no-deps timm==1.0.31 torchvision==0.28.0
    .gen-venv/bin/pip install pyyaml huggingface_hub safetensors
Run from the repository root:
    .gen-venv/bin/python packages/core/scripts/optim_reference_timm.py [name ...]
The committed fixtures were written with torch 2.13.0+cpu and timm 1.0.31 (recorded in each file).
torchvision 0.28.0 from PyPI does not load beside the CPU torch 2.13.0 (its operators fail to
register), and `import timm` imports torchvision; the optimizers need torch only, so when the
package does not import, timm/optim/lion.py and lamb.py are loaded from the installed package with
the package's __init__ files skipped (the same source, byte for byte).
"""

import importlib
import importlib.metadata
import importlib.util
import pathlib
import sys
import types

import torch
from optim_reference import OUT, PARAMS, STEPS, f32_list, initial_params, record_trajectory, write_fixtures

CAMEL = {
    "lr": "lr",
    "betas": "betas",
    "eps": "eps",
    "weight_decay": "weightDecay",
    "maximize": "maximize",
    "caution": "caution",
    "corrected_weight_decay": "correctedWeightDecay",
    "max_lr_snapshot": "maxLrSnapshot",
    "bias_correction": "biasCorrection",
    "grad_averaging": "gradAveraging",
    "max_grad_norm": "maxGradNorm",
    "trust_clip": "trustClip",
    "always_adapt": "alwaysAdapt",
    "decoupled_decay": "decoupledDecay",
    "layer_adaptation": "layerAdaptation",
    "step": "step",
}
STATE_CAMEL = {"exp_avg": "expAvg", "exp_avg_sq": "expAvgSq"}


def timm_optimizers():
    """(Lion, Lamb, timm version): from `timm.optim`, or from its files when `import timm` fails."""
    version = importlib.metadata.version("timm")
    try:
        from timm.optim import Lamb, Lion

        return Lion, Lamb, version
    except Exception as error:  # torchvision's RuntimeError on import, see the docstring
        for name in [n for n in sys.modules if n == "timm" or n.startswith(("timm.", "torchvision"))]:
            del sys.modules[name]
        print(f"import timm failed ({type(error).__name__}: {error}); loading timm/optim/lion.py and lamb.py directly")
    root = pathlib.Path(importlib.util.find_spec("timm").origin).parent
    for name, path in [("timm", root), ("timm.optim", root / "optim")]:
        package = types.ModuleType(name)
        package.__path__ = [str(path)]
        sys.modules[name] = package
    lion = importlib.import_module("timm.optim.lion")
    lamb = importlib.import_module("timm.optim.lamb")
    return lion.Lion, lamb.Lamb, version


Lion, Lamb, TIMM_VERSION = timm_optimizers()

# Group membership by parameter index (see optim_reference.PARAMS; bn.bias, index 3, starts at
# zero) and per-group overrides, with timm's keyword names.
CASES = {
    "lion": dict(
        optimizer="lion",
        cls=lambda groups, d: Lion(groups, **d),
        defaults=dict(lr=1e-2),
        groups=[
            ([0, 3, 4], dict(weight_decay=0.1)),
            ([1, 5], dict(weight_decay=0.0, betas=(0.8, 0.95), maximize=True)),
            ([2], dict(lr=3e-2, weight_decay=0.5, corrected_weight_decay=True)),
        ],
    ),
    # max_grad_norm 1 (the default) clips every step here: the global norm is about 3.
    "lamb": dict(
        optimizer="lamb",
        cls=lambda groups, d: Lamb(groups, **d),
        defaults=dict(lr=1e-2, layer_adaptation=True),
        groups=[
            ([0, 3, 4], dict(weight_decay=1e-2)),
            ([1, 5], dict(weight_decay=0.0, layer_adaptation=False, lr=5e-3)),
            ([2], dict(weight_decay=0.1, trust_clip=True, betas=(0.8, 0.99), eps=1e-4)),
        ],
    ),
    "lamb-options": dict(
        optimizer="lamb",
        cls=lambda groups, d: Lamb(groups, **d),
        defaults=dict(lr=1e-2, max_grad_norm=None, decoupled_decay=True, layer_adaptation=True),
        groups=[
            ([0, 4], dict(weight_decay=5e-2, corrected_weight_decay=True, lr=5e-3)),
            ([1, 3], dict(weight_decay=0.0, always_adapt=True, grad_averaging=False)),
            ([2, 5], dict(weight_decay=2e-2, bias_correction=False, decoupled_decay=False, trust_clip=True)),
        ],
    ),
}

HYPER_KEYS = {
    "lion": ["lr", "betas", "weight_decay", "caution", "corrected_weight_decay", "max_lr_snapshot", "maximize"],
    "lamb": [
        "lr",
        "bias_correction",
        "betas",
        "eps",
        "weight_decay",
        "grad_averaging",
        "max_grad_norm",
        "trust_clip",
        "always_adapt",
        "caution",
        "decoupled_decay",
        "corrected_weight_decay",
        "max_lr_snapshot",
        "layer_adaptation",
        "step",
    ],
}


def plain(v):
    """Tuples as lists, 0-d tensors (timm's group step) as numbers."""
    if isinstance(v, tuple):
        return list(v)
    if torch.is_tensor(v):
        return float(v)
    return v


def run(name, case):
    optimizer = case["optimizer"]
    params = initial_params()
    init = [f32_list(p) for p in params]
    groups = [dict(params=[params[i] for i in idx], **over) for idx, over in case["groups"]]
    # layer_adaptation is ours, not a keyword of timm's: an extra key of every LAMB group.
    opt = case["cls"](groups, {k: v for k, v in case["defaults"].items() if k != "layer_adaptation"})
    if optimizer == "lamb":
        for group in opt.param_groups:
            group.setdefault("layer_adaptation", case["defaults"]["layer_adaptation"])
            # timm's own rule gives ratio 1 to such a group too: the trajectory layerAdaptation: false gives.
            if not group["layer_adaptation"]:
                expressible = group["weight_decay"] == 0 and not group["always_adapt"]
                assert expressible, f"{name}: timm cannot express this group"
    trajectory = record_trajectory(opt, params, seed=7 + len(optimizer))
    sd = opt.state_dict()
    state = {
        str(index): {STATE_CAMEL[k]: {"shape": list(v.shape), "values": f32_list(v)} for k, v in entry.items()}
        for index, entry in sd["state"].items()
    }
    return {
        "optimizer": optimizer,
        "reference": f"timm {TIMM_VERSION} ({'Lion' if optimizer == 'lion' else 'Lamb'}), torch {torch.__version__}",
        "steps": STEPS,
        "gradient": "g = 0.5 * w + noise, noise from xorshift32 seeded 7 + len(optimizer name)",
        "params": [{"name": n, "shape": s, "values": v} for (n, s, _), v in zip(PARAMS, init)],
        "defaults": {CAMEL[k]: plain(v) for k, v in case["defaults"].items()},
        "groups": [{"params": idx, **{CAMEL[k]: plain(v) for k, v in over.items()}} for idx, over in case["groups"]],
        "trajectory": trajectory,
        "stateDict": {
            "state": state,
            "paramGroups": [
                dict({CAMEL[k]: plain(g[k]) for k in HYPER_KEYS[optimizer]}, params=g["params"])
                for g in sd["param_groups"]
            ],
        },
    }


def main():
    names = write_fixtures(CASES, run, sys.argv[1:])  # fixture names to rewrite (default: all)
    print(f"wrote the fixtures of {', '.join(names)} to {OUT} with timm {TIMM_VERSION}, torch {torch.__version__}")


if __name__ == "__main__":
    main()
