"""Reference gradients for @paramscope/core's nn modules, from PyTorch in float64.

Writes packages/core/fixtures/nn/reference.json: three small networks with torchvision-style
names (a BN CNN with a strided convolution on an even size, a ResNet stem + two BasicBlocks whose
last stage has a single output position, a BatchNorm1d MLP), their float32 weights and batch, and
in float64: the loss, the gradient of every parameter and the running statistics after one
training-mode forward pass. Also the worst relative error of PyTorch's own float32 gradients,
so the tests can say how close float32 can be. Inputs are NHWC (TF.js's layout); PyTorch runs
them as NCHW.

Run from the repository root with a Python that has PyTorch 2.13 CPU (a virtual environment
outside the repository's .venv, which has no torch), e.g.:
    "${PARAMSCOPE_TORCH_PYTHON:-python3}" packages/core/scripts/nn_reference.py
"""

import json
import pathlib

import torch
from torch import nn

OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "nn" / "reference.json"


class BasicBlock(nn.Module):
    """torchvision's ResNet-18 block (same module names)."""

    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or in_planes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


def bn_cnn():
    """nn.bnCnn({ inChannels: 2, channels: [4, 6], numClasses: 3 })."""
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, 1, 1, bias=False),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Conv2d(4, 6, 3, 2, 1, bias=False),
        nn.BatchNorm2d(6),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(6, 3),
    )


def resnet_tail():
    """7x7/2 stem, BN, ReLU, 3x3/2 max pool, BasicBlock(8, 8), BasicBlock(8, 16, stride 2), pool, fc."""
    return nn.Sequential(
        nn.Conv2d(3, 8, 7, 2, 3, bias=False),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(3, 2, 1),
        BasicBlock(8, 8, 1),
        BasicBlock(8, 16, 2),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(16, 5),
    )


def bn_mlp():
    """nn.bnMlp([5, 8, 8, 3])."""
    return nn.Sequential(
        nn.Linear(5, 8, bias=False),
        nn.BatchNorm1d(8),
        nn.ReLU(),
        nn.Linear(8, 8, bias=False),
        nn.BatchNorm1d(8),
        nn.ReLU(),
        nn.Linear(8, 3),
    )


# name, builder, NHWC (or [N, features]) input shape, classes
CASES = [
    ("bnCnn", bn_cnn, [4, 10, 9, 2], 3),
    ("resnetTail", resnet_tail, [6, 8, 8, 3], 5),
    ("bnMlp", bn_mlp, [16, 5], 3),
]


def run(model, x, labels):
    """Loss, gradients by name and running statistics after one training-mode step."""
    model.train()
    loss = nn.CrossEntropyLoss()(model(x if x.dim() == 2 else x.permute(0, 3, 1, 2)), labels)
    loss.backward()
    grads = {name: p.grad.clone() for name, p in model.named_parameters()}
    buffers = {name: b.clone() for name, b in model.named_buffers() if not name.endswith("num_batches_tracked")}
    return loss.item(), grads, buffers


def flat(t):
    return [float(v) for v in t.reshape(-1).tolist()]


def relative_error(actual, expected):
    return ((actual - expected).abs().max() / expected.abs().max()).item()


def main():
    torch.manual_seed(0)
    cases = []
    for name, build, shape, classes in CASES:
        model32 = build()
        # Batch norm starts from γ ~ U(0.5, 1.5), β ~ N(0, 0.1) and non-trivial running statistics.
        with torch.no_grad():
            for module in model32.modules():
                if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
                    module.weight.uniform_(0.5, 1.5)
                    module.bias.normal_(0, 0.1)
                    module.running_mean.normal_(0, 0.5)
                    module.running_var.uniform_(0.5, 2)
        state = {k: v.clone() for k, v in model32.state_dict().items()}
        x32 = torch.randn(shape)
        labels = torch.arange(shape[0]) % classes
        model64 = build().double()
        model64.load_state_dict({k: v.double() if v.is_floating_point() else v for k, v in state.items()})
        loss, grads, buffers = run(model64, x32.double(), labels)
        _, grads32, _ = run(model32, x32, labels)
        cases.append(
            {
                "name": name,
                "inputShape": shape,
                "input": flat(x32),
                "labels": labels.tolist(),
                "numClasses": classes,
                "params": [
                    {"name": k, "shape": list(v.shape), "values": flat(v)}
                    for k, v in state.items()
                    if not k.endswith("num_batches_tracked")
                ],
                "loss": loss,
                "grads": [{"name": k, "values": flat(v)} for k, v in grads.items()],
                "buffersAfter": [{"name": k, "values": flat(v)} for k, v in buffers.items()],
                "torchFloat32WorstGradError": max(relative_error(grads32[k].double(), v) for k, v in grads.items()),
            }
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"generator": f"torch {torch.__version__} (float64)", "cases": cases}) + "\n")
    for case in cases:
        print(
            f"{case['name']}: loss {case['loss']:.6f}, "
            f"torch float32 worst gradient error {case['torchFloat32WorstGradError']:.1e}"
        )


if __name__ == "__main__":
    main()
