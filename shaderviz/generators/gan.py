"""The GAN: a DCGAN-style generator and discriminator, small enough to train on a CPU.

Generator (``z`` -> RGB in -1..1): pixel-normalised latent -> linear to 4x4 -> one
block per doubling (4x4 transposed convolution, stride 2; batch norm; leaky ReLU) ->
3x3 convolution to RGB, tanh: the DCGAN generator. ``norm: pixel`` swaps batch norm for
ProGAN's pixel norm (no batch statistics), which collapsed to a single image in our
short CPU runs. In eval mode (sampling) batch norm uses its running statistics, so an
image does not depend on the rest of its batch. The transposed convolutions leave a
faint checkerboard: the artefact is part of the look.

Discriminator (RGB -> logit): one block per halving (4x4 convolution, stride 2, leaky
ReLU), every layer spectrally normalised, a minibatch standard-deviation feature before
the 4x4 head (it lets the discriminator see a lack of variety, against mode collapse).

Stabilisers (see ``train_gan``): spectral norm in D, hinge loss, lazy R1 penalty on
real images, the minibatch-stddev feature, DiffAugment (the same differentiable
augmentation of real and fake images), EMA of the generator's weights (what is shipped
and sampled).

Checkpoints are plain dicts of tensors plus a JSON-able ``config`` (``format``
``shaderviz-gan-1``), read with ``torch.load(..., weights_only=True)``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

FORMAT = "shaderviz-gan-1"
SIZES = (32, 64, 128, 256)
DEFAULT_CONFIG = {"latent": 128, "size": 64, "width": 256, "min_width": 16, "norm": "pixel"}
NORMS = ("pixel", "batch")


def channels(config: dict, resolution: int) -> int:
    """Feature channels at a resolution: ``width`` at 4x4, halving per doubling, >= min_width."""
    halvings = int(math.log2(resolution // 4))
    return max(int(config["min_width"]), int(config["width"]) >> halvings)


def full_config(config: dict | None) -> dict:
    out = dict(DEFAULT_CONFIG)
    out.update({k: v for k, v in (config or {}).items() if k in DEFAULT_CONFIG})
    if out["size"] not in SIZES:
        raise ValueError(f"size must be one of {', '.join(map(str, SIZES))}, got {out['size']}")
    if out["norm"] not in NORMS:
        raise ValueError(f"norm must be one of {', '.join(NORMS)}, got {out['norm']!r}")
    return out


class PixelNorm(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + 1e-8)


class Generator(nn.Module):
    def __init__(self, config: dict | None = None) -> None:
        super().__init__()
        self.config = full_config(config)
        self.latent = int(self.config["latent"])
        self.size = int(self.config["size"])
        c4 = channels(self.config, 4)
        batch = self.config["norm"] == "batch"
        self.norm = PixelNorm()
        self.fc = nn.Linear(self.latent, c4 * 16)
        self.fc_norm = nn.BatchNorm2d(c4) if batch else PixelNorm()
        blocks = []
        resolution = 4
        while resolution < self.size:
            cin, cout = channels(self.config, resolution), channels(self.config, resolution * 2)
            norm = nn.BatchNorm2d(cout) if batch else PixelNorm()
            blocks += [nn.ConvTranspose2d(cin, cout, 4, 2, 1), norm, nn.LeakyReLU(0.2)]
            resolution *= 2
        self.blocks = nn.Sequential(*blocks)
        self.to_rgb = nn.Conv2d(channels(self.config, self.size), 3, 3, padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.fc(self.norm(z.flatten(1)))
        x = F.leaky_relu(self.fc_norm(x.view(x.shape[0], -1, 4, 4)), 0.2)
        return torch.tanh(self.to_rgb(self.blocks(x)))


class MinibatchStd(nn.Module):
    """Append the mean standard deviation over groups of the batch as one feature map."""

    def __init__(self, group: int = 4) -> None:
        super().__init__()
        self.group = group

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        g = min(self.group, n)
        while n % g:
            g -= 1
        y = x.view(g, -1, c, h, w)
        y = (y.var(0, unbiased=False) + 1e-8).sqrt().mean(dim=(1, 2, 3))  # (n / g,)
        y = y.view(-1, 1, 1, 1).repeat(g, 1, h, w)
        return torch.cat([x, y], 1)


class Discriminator(nn.Module):
    def __init__(self, config: dict | None = None) -> None:
        super().__init__()
        self.config = full_config(config)
        sn = nn.utils.parametrizations.spectral_norm
        layers: list[nn.Module] = []
        resolution, cin = int(self.config["size"]), 3
        while resolution > 4:
            cout = channels(self.config, resolution // 2)
            layers += [sn(nn.Conv2d(cin, cout, 4, 2, 1)), nn.LeakyReLU(0.2)]
            cin, resolution = cout, resolution // 2
        self.body = nn.Sequential(*layers)
        self.stddev = MinibatchStd()
        self.head_conv = sn(nn.Conv2d(cin + 1, cin, 3, padding=1))
        self.head = sn(nn.Linear(cin * 16, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stddev(self.body(x))
        x = F.leaky_relu(self.head_conv(x), 0.2)
        return self.head(x.flatten(1)).squeeze(1)


def build(config: dict | None = None) -> tuple[Generator, Discriminator]:
    return Generator(config), Discriminator(config)


def parameter_count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
