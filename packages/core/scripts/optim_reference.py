"""Reference trajectories for @paramscope/core's optimizers and LR schedulers, from torch.optim.

Writes packages/core/fixtures/optim/*.json: for each optimizer, the initial parameters, the
groups and their hyperparameters, every parameter after each of 50 steps, and the final state
dict, all float32. Gradients follow g = 0.5 * w + noise, where the noise comes from xorshift32 so
the TypeScript tests regenerate it bit for bit (see src/optim/parity.test.ts).

LARS has no torch.optim class: the reference below follows SimCLR's LARSOptimizer
(google-research/simclr, lars_optimizer.py, classic_momentum=True) line by line, in torch.

Run from the repository root with a Python that has PyTorch 2.13 CPU, e.g.:
    "${PARAMSCOPE_TORCH_PYTHON:-python3}" packages/core/scripts/optim_reference.py [name ...]
(names such as `rmsprop nadam` rewrite only those optimizers' fixtures). LAMB and Lion follow
timm's implementations: scripts/optim_reference_timm.py writes their fixtures.
"""

import json
import math
import pathlib
import sys

import torch

STEPS = 50
OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "optim"

# name, shape, how to initialise ("noise" or "zeros")
PARAMS = [
    ("conv.weight", [3, 2, 2], "noise"),
    ("conv.bias", [3], "noise"),
    ("bn.weight", [3], "noise"),
    ("bn.bias", [3], "zeros"),
    ("fc.weight", [2, 4], "noise"),
    ("fc.bias", [2], "noise"),
]

CAMEL = {
    "lr": "lr",
    "momentum": "momentum",
    "dampening": "dampening",
    "weight_decay": "weightDecay",
    "nesterov": "nesterov",
    "maximize": "maximize",
    "betas": "betas",
    "eps": "eps",
    "amsgrad": "amsgrad",
    "trust_coefficient": "trustCoefficient",
    "layer_adaptation": "layerAdaptation",
    "alpha": "alpha",
    "centered": "centered",
    "lr_decay": "lrDecay",
    "initial_accumulator_value": "initialAccumulatorValue",
    "momentum_decay": "momentumDecay",
    "decoupled_weight_decay": "decoupledWeightDecay",
}
STATE_CAMEL = {
    "momentum_buffer": "momentumBuffer",
    "exp_avg": "expAvg",
    "exp_avg_sq": "expAvgSq",
    "max_exp_avg_sq": "maxExpAvgSq",
    "step": "step",
    "square_avg": "squareAvg",
    "grad_avg": "gradAvg",
    "sum": "sum",
    "mu_product": "muProduct",
}


class XorShift32:
    """The noise source shared with the TypeScript tests: exact float32 values in [-1, 1)."""

    def __init__(self, seed):
        self.x = seed & 0xFFFFFFFF

    def next_uint(self):
        x = self.x
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self.x = x
        return x

    def noise(self, n):
        # 24 random bits -> k / 2^23 - 1, exact in float32.
        return torch.tensor([(self.next_uint() >> 8) / 2.0**23 - 1.0 for _ in range(n)], dtype=torch.float32)


class SimCLRLars(torch.optim.Optimizer):
    """SimCLR's LARSOptimizer (classic momentum), with an optional eps in the trust ratio's denominator."""

    def __init__(
        self,
        params,
        lr,
        momentum=0.9,
        weight_decay=0.0,
        nesterov=False,
        trust_coefficient=0.001,
        eps=0.0,
        layer_adaptation=True,
    ):
        defaults = dict(
            lr=lr,
            momentum=momentum,
            weight_decay=weight_decay,
            nesterov=nesterov,
            trust_coefficient=trust_coefficient,
            eps=eps,
            layer_adaptation=layer_adaptation,
        )
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad
                if group["weight_decay"] != 0:
                    grad = grad + group["weight_decay"] * p
                trust_ratio = torch.tensor(1.0)
                if group["layer_adaptation"]:
                    w_norm = torch.linalg.vector_norm(p)
                    g_norm = torch.linalg.vector_norm(grad)
                    trust_ratio = torch.where(
                        w_norm > 0,
                        torch.where(g_norm > 0, group["trust_coefficient"] * w_norm / (g_norm + group["eps"]), 1.0),
                        1.0,
                    )
                scaled_lr = group["lr"] * trust_ratio
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = torch.zeros_like(p)
                v = state["momentum_buffer"]
                next_v = group["momentum"] * v + scaled_lr * grad
                update = group["momentum"] * next_v + scaled_lr * grad if group["nesterov"] else next_v
                v.copy_(next_v)
                p.sub_(update)


# Group membership by parameter index and per-group overrides (camelCase keys as in TypeScript).
CASES = {
    "sgd": dict(
        cls=lambda groups, d: torch.optim.SGD(groups, **d),
        defaults=dict(lr=0.05, momentum=0.9),
        groups=[
            ([0, 4], dict(nesterov=True, weight_decay=1e-2, lr=0.1)),
            ([1, 3, 5], dict(momentum=0.8, dampening=0.3, weight_decay=0.0)),
            ([2], dict(momentum=0.0, weight_decay=1e-3, maximize=True)),
        ],
    ),
    "adam": dict(
        cls=lambda groups, d: torch.optim.Adam(groups, **d),
        defaults=dict(lr=1e-2),
        groups=[
            ([0, 4], dict(weight_decay=1e-2, amsgrad=True)),
            ([1, 3], dict(lr=5e-3, betas=(0.8, 0.99), weight_decay=0.0, maximize=True)),
            ([2, 5], dict(eps=1e-3, weight_decay=0.1)),
        ],
    ),
    "adamw": dict(
        cls=lambda groups, d: torch.optim.AdamW(groups, **d),
        defaults=dict(lr=1e-2),
        groups=[
            ([0, 4], dict(weight_decay=0.1, amsgrad=True)),
            ([1, 3, 5], dict(weight_decay=0.0, betas=(0.85, 0.95), maximize=True)),
            ([2], dict(lr=3e-2, eps=1e-4)),
        ],
    ),
    "lars": dict(
        cls=lambda groups, d: SimCLRLars(groups, **d),
        defaults=dict(lr=0.5, momentum=0.9, trust_coefficient=0.02),
        groups=[
            # bn.bias (index 3) starts at zero: its first step takes trust ratio 1.
            ([0, 3, 4], dict(weight_decay=1e-3, layer_adaptation=True)),
            ([1, 5], dict(weight_decay=0.0, layer_adaptation=False, nesterov=True, lr=0.05)),
            ([2], dict(weight_decay=1e-2, eps=1e-3, momentum=0.5)),
        ],
    ),
    "rmsprop": dict(
        cls=lambda groups, d: torch.optim.RMSprop(groups, **d),
        defaults=dict(lr=1e-2),
        groups=[
            ([0, 4], dict(momentum=0.9, centered=True, weight_decay=1e-2)),
            ([1, 3], dict(alpha=0.9, eps=1e-4, maximize=True)),
            ([2], dict(centered=True, lr=5e-3)),
            ([5], dict(momentum=0.5, weight_decay=0.1, maximize=True)),
        ],
    ),
    # torch takes initial_accumulator_value from the defaults only (a group's own value is ignored
    # by torch, honoured by ours), so the fixture sets it there.
    "adagrad": dict(
        cls=lambda groups, d: torch.optim.Adagrad(groups, **d),
        defaults=dict(lr=5e-2, initial_accumulator_value=0.1),
        groups=[
            ([0, 4], dict(lr_decay=1e-2, weight_decay=1e-2)),
            ([1, 3], dict(maximize=True)),
            ([2, 5], dict(eps=1e-3, lr=0.1, weight_decay=0.1, lr_decay=0.5)),
        ],
    ),
    "nadam": dict(
        cls=lambda groups, d: torch.optim.NAdam(groups, **d),
        defaults=dict(lr=1e-2),
        groups=[
            ([0, 4], dict(weight_decay=1e-2, momentum_decay=0.01)),
            ([1, 3], dict(betas=(0.8, 0.99), eps=1e-4, maximize=True)),
            ([2, 5], dict(weight_decay=0.1, decoupled_weight_decay=True, lr=2e-2)),
        ],
    ),
    # Steps 1-5 (β₂ = 0.999) or 1-2 (β₂ = 0.9) take RAdam's unrectified step, the rest the rectified one.
    "radam": dict(
        cls=lambda groups, d: torch.optim.RAdam(groups, **d),
        defaults=dict(lr=1e-2),
        groups=[
            ([0, 4], dict(weight_decay=1e-2)),
            ([1, 3], dict(betas=(0.8, 0.9), eps=1e-4, maximize=True)),
            ([2, 5], dict(weight_decay=0.1, decoupled_weight_decay=True, lr=2e-2)),
        ],
    ),
}

HYPER_KEYS = {
    "sgd": ["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"],
    "adam": ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize"],
    "adamw": ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize"],
    "lars": ["lr", "momentum", "weight_decay", "nesterov", "trust_coefficient", "eps", "layer_adaptation"],
    "rmsprop": ["lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize"],
    "adagrad": ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "maximize"],
    "nadam": ["lr", "betas", "eps", "weight_decay", "momentum_decay", "decoupled_weight_decay", "maximize"],
    "radam": ["lr", "betas", "eps", "weight_decay", "decoupled_weight_decay", "maximize"],
}


def f32_list(t):
    # 9 significant digits round-trip float32 exactly.
    return [float(f"{v:.9g}") for v in t.detach().reshape(-1).tolist()]


def camel_hyper(d, keys):
    out = {}
    for k in keys:
        v = d[k]
        out[CAMEL[k]] = list(v) if isinstance(v, tuple) else v
    return out


def initial_params():
    rng = XorShift32(20261125)
    tensors = []
    for _name, shape, init in PARAMS:
        n = math.prod(shape)
        values = rng.noise(n) if init == "noise" else torch.zeros(n)
        tensors.append(values.reshape(shape).clone().requires_grad_(True))
    return tensors


def record_trajectory(opt, params, seed):
    """Steps `opt` STEPS times with g = 0.5 * w + xorshift32 noise (seeded `seed`); every parameter after every step."""
    noise = XorShift32(seed)
    trajectory = []
    for _ in range(STEPS):
        for p in params:
            p.grad = (0.5 * p.detach() + noise.noise(p.numel()).reshape(p.shape)).to(torch.float32)
        opt.step()
        trajectory.append([f32_list(p) for p in params])
    return trajectory


def run(name, case):
    params = initial_params()
    init = [f32_list(p) for p in params]
    groups = [dict(params=[params[i] for i in idx], **over) for idx, over in case["groups"]]
    opt = case["cls"](groups, case["defaults"])
    trajectory = record_trajectory(opt, params, seed=7 + len(name))
    sd = opt.state_dict()
    state = {}
    for index, entry in sd["state"].items():
        state[str(index)] = {
            # step and NAdam's mu_product are 0-d tensors, written as numbers
            STATE_CAMEL[k]: (float(v) if v.dim() == 0 else {"shape": list(v.shape), "values": f32_list(v)})
            for k, v in entry.items()
        }
    group_order = [i for idx, _ in case["groups"] for i in idx]
    return {
        "optimizer": name,
        "steps": STEPS,
        "gradient": "g = 0.5 * w + noise, noise from xorshift32 seeded 7 + len(optimizer name)",
        "params": [{"name": n, "shape": s, "values": v} for (n, s, _), v in zip(PARAMS, init)],
        "defaults": {CAMEL[k]: (list(v) if isinstance(v, tuple) else v) for k, v in case["defaults"].items()},
        "groups": [
            {"params": idx, **{CAMEL[k]: (list(v) if isinstance(v, tuple) else v) for k, v in over.items()}}
            for idx, over in case["groups"]
        ],
        "trajectory": trajectory,
        "stateDict": {
            "state": state,
            "paramGroups": [dict(camel_hyper(g, HYPER_KEYS[name]), params=g["params"]) for g in sd["param_groups"]],
        },
        "stateDictParamOrder": group_order,
    }


def schedulers():
    """LR per epoch for chained schedulers on two groups (lr 0.1 and 0.02)."""

    def make_opt():
        w = torch.zeros(1, requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        return torch.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.02}], lr=0.1, momentum=0.9)

    S = torch.optim.lr_scheduler
    cases = {
        "StepLR": (lambda o: S.StepLR(o, step_size=3, gamma=0.5), {"stepSize": 3, "gamma": 0.5}),
        "CosineAnnealingLR": (lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=1e-3), {"tMax": 10, "etaMin": 1e-3}),
        "LinearLR": (
            lambda o: S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5),
            {"startFactor": 0.1, "endFactor": 1.0, "totalIters": 5},
        ),
        "SequentialLR": (
            lambda o: S.SequentialLR(
                o,
                [S.LinearLR(o, start_factor=0.25, total_iters=4), S.CosineAnnealingLR(o, T_max=12, eta_min=0.0)],
                milestones=[4],
            ),
            {"warmup": {"startFactor": 0.25, "totalIters": 4}, "cosine": {"tMax": 12, "etaMin": 0}, "milestones": [4]},
        ),
        "ChainedScheduler": (
            lambda o: S.ChainedScheduler(
                [S.LinearLR(o, start_factor=0.5, total_iters=3), S.StepLR(o, step_size=4, gamma=0.5)], optimizer=o
            ),
            {"warmup": {"startFactor": 0.5, "totalIters": 3}, "step": {"stepSize": 4, "gamma": 0.5}},
        ),
    }
    out = {}
    for name, (make, options) in cases.items():
        opt = make_opt()
        sched = make(opt)
        lrs = []
        for _ in range(20):
            lrs.append([g["lr"] for g in opt.param_groups])
            opt.step()
            sched.step()
        out[name] = {"options": options, "lrs": lrs}
    return out


def write_fixtures(cases, run_case, only):
    """Writes `run_case(name, case)` to OUT/<name>.json for each case named in `only` (all when empty)."""
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    names = [name for name in cases if not only or name in only]
    for name in names:
        (OUT / f"{name}.json").write_text(json.dumps(run_case(name, cases[name]), separators=(",", ":")) + "\n")
    return names


def main():
    only = sys.argv[1:]  # optimizer names to rewrite (default: all)
    names = write_fixtures(CASES, run, only)
    if not only:
        (OUT / "lr-schedulers.json").write_text(json.dumps(schedulers(), indent=1) + "\n")
    print(f"wrote the fixtures of {', '.join(names)} to {OUT} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
