"""`paramscope.check` on a 10,000-tensor model (2,500 blocks of Linear + LayerNorm, grouped by
`paramscope.group_params` into an AdamW), against a baseline measured in the same run: a plain
loop over `named_parameters()` that maps each tensor to its name (what any check must do at
least). Prints medians over repeated runs and the ratio. Target: check under 100 ms.

    python packages/python/bench/check_bench.py [--blocks 2500] [--repeat 15]
"""

import argparse
import statistics
import time

import paramscope
import torch
from torch import nn


class Blocks(nn.Module):
    """`blocks` × (Linear(8, 8) → LayerNorm(8)): four tensors per block."""

    def __init__(self, blocks: int):
        super().__init__()
        self.blocks = nn.ModuleList(nn.Sequential(nn.Linear(8, 8), nn.LayerNorm(8)) for _ in range(blocks))

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x


def median_seconds(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=2500)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    model = Blocks(args.blocks)
    optimizer = torch.optim.AdamW(paramscope.group_params(model, weight_decay=0.05), lr=1e-3)
    tensors = sum(1 for _ in model.parameters())

    def baseline():
        return {id(p): name for name, p in model.named_parameters()}

    check = median_seconds(lambda: paramscope.check(optimizer, model), args.repeat)
    loop = median_seconds(baseline, args.repeat)
    print(f"model: {tensors:,} tensors in {len(optimizer.param_groups)} groups (torch {torch.__version__})")
    print(f"paramscope.check:                    {check * 1e3:7.1f} ms (median of {args.repeat})")
    print(f"baseline, named_parameters() → names: {loop * 1e3:7.1f} ms")
    print(f"ratio: {check / loop:.1f}× the baseline; target under 100 ms: {'met' if check < 0.1 else 'NOT met'}")


if __name__ == "__main__":
    main()
