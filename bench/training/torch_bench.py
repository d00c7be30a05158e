"""PyTorch CPU side of the training benchmark: the same networks, batch, data and optimizer as
tfjs-worker.mjs, trained for a fixed number of steps. Prints one JSON line: {"ms": [...], ...}.

Runs with any Python that has torch (not the project's .venv): run.mjs finds it.
Usage: python torch_bench.py '<JSON spec from run.mjs>'
"""

import json
import math
import sys
import time

import torch
from torch import nn


def bn_cnn(in_channels, widths, num_classes):
    """Per width: conv 3x3 (padding 1, stride 1 then 2, no bias) -> BN -> ReLU; pool; linear."""
    layers, previous = [], in_channels
    for i, width in enumerate(widths):
        stride = 1 if i == 0 else 2
        layers += [nn.Conv2d(previous, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
        previous = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(previous, num_classes))


class BasicBlock(nn.Module):
    """torchvision's ResNet-18 block: two 3x3 convolutions and an identity or 1x1 projection."""

    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or in_planes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


def resnet18(in_channels, num_classes):
    """torchvision's resnet18() architecture (torchvision itself is not needed)."""
    stages, previous = [], 64
    for stage, planes in enumerate([64, 128, 256, 512]):
        blocks = [BasicBlock(previous, planes, 2 if stage > 0 else 1), BasicBlock(planes, planes, 1)]
        stages.append(nn.Sequential(*blocks))
        previous = planes
    return nn.Sequential(
        nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False),
        nn.BatchNorm2d(64),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(3, 2, 1),
        *stages,
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(512, num_classes),
    )


def synthetic_batch(spec):
    """synthetic.mjs's formula: pixel (n, h, w, c) = sin(0.1n + 0.37h + 0.23w + 1.3c), label n mod classes."""
    n, h, w, c = (
        torch.arange(size, dtype=torch.float64)
        for size in (spec["batch"], spec["height"], spec["width"], spec["inChannels"])
    )
    nhwc = torch.sin(
        0.1 * n[:, None, None, None]
        + 0.37 * h[None, :, None, None]
        + 0.23 * w[None, None, :, None]
        + 1.3 * c[None, None, None, :]
    ).float()
    labels = torch.arange(spec["batch"]) % spec["numClasses"]
    return nhwc.permute(0, 3, 1, 2).contiguous(), labels


def main():
    spec = json.loads(sys.argv[1])
    if spec.get("threads"):
        torch.set_num_threads(spec["threads"])
    torch.manual_seed(0)
    if spec["model"] == "bnCnn":
        model = bn_cnn(spec["inChannels"], spec["widths"], spec["numClasses"])
    else:
        model = resnet18(spec["inChannels"], spec["numClasses"])
    model.train()
    images, labels = synthetic_batch(spec)
    optimizer = torch.optim.SGD(model.parameters(), lr=spec["learningRate"], momentum=spec["momentum"])
    loss_fn = nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(spec["warmup"]):
        step()
    ms, loss = [], math.nan
    for _ in range(spec["steps"]):
        start = time.perf_counter()
        loss = step()
        ms.append((time.perf_counter() - start) * 1000)
    if not math.isfinite(loss):
        raise RuntimeError(f"{spec['model']} reached a non-finite loss ({loss})")
    print(json.dumps({"ms": ms, "loss": loss, "threads": torch.get_num_threads(), "version": torch.__version__}))


if __name__ == "__main__":
    main()
