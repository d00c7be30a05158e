"""The inspector's costs, as figures and ratios measured in the same run (not a timed test):

- `paramscope.inspect` of an SGD optimizer on ResNet-50 (CPU), against the issue's 100 ms;
- the share `paramscope.watch` adds to a ResNet-18 CPU training step (every=1), against 2 %:
  steps with and without the watch alternate in blocks, so load from other processes hits both.

    python bench/inspect_bench.py [--repeats 15] [--blocks 6] [--steps 3] [--batch 16] [--size 112]
"""

import argparse
import statistics
import time

import paramscope
import torch
from paramscope.testing.torchvision_resnet import resnet18, resnet50


def two_groups(model):
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    return [{"params": decay, "weight_decay": 1e-4}, {"params": no_decay, "weight_decay": 0.0}]


def bench_inspect(repeats: int) -> float:
    model = resnet50()
    optimizer = torch.optim.SGD(two_groups(model), lr=0.1, momentum=0.9)
    model(torch.randn(2, 3, 64, 64)).sum().backward()  # gradients too: ‖∇W‖ is read as well
    paramscope.inspect(optimizer, model)  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        paramscope.inspect(optimizer, model)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def bench_watch(blocks: int, steps: int, batch: int, size: int):
    torch.manual_seed(0)
    model = resnet18(10)
    optimizer = torch.optim.SGD(two_groups(model), lr=0.01, momentum=0.9)
    inputs, targets = torch.randn(batch, 3, size, size), torch.randint(0, 10, (batch,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step_time():
        started = time.perf_counter()
        optimizer.zero_grad()
        loss_fn(model(inputs), targets).backward()
        optimizer.step()
        return time.perf_counter() - started

    step_time()  # warm-up
    plain, watched, in_hook = [], [], 0.0
    for _ in range(blocks):
        plain += [step_time() for _ in range(steps)]
        run = paramscope.watch(optimizer, model, every=1, params=["bn1.weight"], label="bench")
        watched += [step_time() for _ in range(steps)]
        in_hook += run.hook_seconds
        run.close()
    return statistics.median(plain) * 1000, statistics.median(watched) * 1000, in_hook / len(watched) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--blocks", type=int, default=6)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--size", type=int, default=112)
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    inspect_ms = bench_inspect(args.repeats)
    print(
        f"inspect, ResNet-50 SGD (161 tensors, 25.6M values): {inspect_ms:.1f} ms "
        f"(target < 100 ms: {inspect_ms / 100:.2f}× the target)"
    )
    plain_ms, watched_ms, hook_ms = bench_watch(args.blocks, args.steps, args.batch, args.size)
    print(
        f"ResNet-18 training step, batch {args.batch}×3×{args.size}×{args.size}: {plain_ms:.0f} ms plain, "
        f"{watched_ms:.0f} ms watched (every=1, medians of alternating blocks): "
        f"{100 * (watched_ms / plain_ms - 1):+.2f} % (noisy under load)"
    )
    print(
        f"time inside the watch's step hook: {hook_ms:.1f} ms per step = {100 * hook_ms / plain_ms:.2f} % "
        "of a plain step (target < 2 %)"
    )


if __name__ == "__main__":
    main()
