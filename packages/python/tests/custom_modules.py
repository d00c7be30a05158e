"""Small modules for the tests: normalizers that derive from nn.Module only, and non-normalizers
with vector parameters."""

import torch
from torch import nn


class PlainRMSNorm(nn.Module):
    """An RMSNorm written from scratch (as in Llama or T5): no torch.nn normalization base."""

    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return self.weight * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)


class OnePlusRMSNorm(PlainRMSNorm):
    """Gemma's variant: the scale is (1 + w), with w initialised at zero."""

    def __init__(self, dim, eps=1e-6):
        super().__init__(dim, eps)
        nn.init.zeros_(self.weight)

    def forward(self, x):
        return (1 + self.weight) * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)


class ChannelsFirstLayerNorm(nn.Module):
    """ConvNeXt's channels-first LayerNorm: normalizes over dim 1 of an NCHW tensor."""

    def __init__(self, channels, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x):
        mean = x.mean(1, keepdim=True)
        var = (x - mean).pow(2).mean(1, keepdim=True)
        x = (x - mean) / torch.sqrt(var + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


class LayerScale(nn.Module):
    """A learnable per-channel scale (CaiT, ConvNeXt's gamma): a vector, not a normalizer."""

    def __init__(self, dim, init=1e-5):
        super().__init__()
        self.gamma = nn.Parameter(init * torch.ones(dim))

    def forward(self, x):
        return self.gamma * x


class PositionTable(nn.Module):
    """Returns a learned table shaped after its input: output independent of the input's values."""

    def __init__(self, length, dim):
        super().__init__()
        self.table = nn.Parameter(torch.randn(length, dim))

    def forward(self, x):
        return self.table[: x.shape[1]].expand(x.shape[0], -1, -1)


class Block(nn.Module):
    """Tokens (batch, seq, dim) through every kind above."""

    def __init__(self, dim=16):
        super().__init__()
        self.rms = PlainRMSNorm(dim)
        self.gemma_norm = OnePlusRMSNorm(dim)
        self.proj = nn.Linear(dim, dim)
        self.scale = LayerScale(dim)
        self.position = PositionTable(32, dim)
        self.ln = nn.LayerNorm(dim)
        self.unused = nn.Linear(dim, dim)

    def forward(self, x):
        h = self.proj(self.rms(x)) + self.position(x)
        return self.ln(x + self.scale(self.gemma_norm(h)))


class ConvNet(nn.Module):
    """An NCHW network with BatchNorm and a channels-first LayerNorm."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.cf_norm = ChannelsFirstLayerNorm(8)
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        x = self.cf_norm(torch.relu(self.bn(self.conv(x))))
        return self.head(x.mean((2, 3)))
