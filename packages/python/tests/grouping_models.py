"""Small real models for the grouping, verification and check tests (torch.nn only)."""

import torch
from torch import nn


class BasicBlock(nn.Module):
    """torchvision's ResNet block with a shortcut: its BatchNorm is `downsample.1`, a name
    without "bn" or "norm" (the document's recipes decay it)."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.downsample(x))


class TinyResNet(nn.Module):
    """conv1 → bn1 → one BasicBlock → pool → fc: 14 tensors."""

    def __init__(self, classes: int = 3):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU()
        self.layer1 = BasicBlock(8, 16)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        return self.fc(self.flatten(self.pool(self.layer1(self.relu(self.bn1(self.conv1(x)))))))


def tiny_resnet() -> TinyResNet:
    torch.manual_seed(0)
    return TinyResNet()


def tiny_llama():
    """A two-layer Llama (LlamaRMSNorm derives from nn.Module only) and example token ids."""
    import transformers

    torch.manual_seed(0)
    config = transformers.LlamaConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=100,
    )
    return transformers.LlamaForCausalLM(config), torch.randint(0, 100, (2, 8))
