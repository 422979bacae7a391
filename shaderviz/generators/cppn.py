"""CPPN: a randomly initialised MLP from pixel coordinates (and a moving latent) to colour.

Inputs per pixel: ``x``, ``y`` (the short side spans -zoom..zoom, aspect kept), the
radius ``r = |(x, y)|`` and ``latents`` values ``z`` shared by all pixels. ``layers``
hidden layers of ``width`` neurons, each neuron with its activation (``mix``: drawn per
neuron from tanh, sin, gauss, softplus), then three sigmoid outputs: r, g, b. Weights are
N(0, 1/fan_in) and multiplied by ``detail`` in the hidden layers (more detail = higher
frequencies); biases N(0, 0.5²). Everything is drawn from ``numpy.random.default_rng
([seed, image])``: a network is a pure function of its parameters.

The latent moves on a closed smooth path, the same one as the GAN walk (``walk``): at
position p (trips around the path, from the ``speed`` parameter integrated over the
loop) ``z(p) = c + radius * (a (cos 2πp - 1) + b sin 2πp)``, so ``z(0) = c``.

The network exists twice: ``render`` here in torch (the reference, ``generate``) and
``shaders/cppn.glsl``, which reads the weights from the texture that ``pack`` builds
(the ``cppn`` kernel uploads it) and animates at full resolution. They agree within
float rounding (tests/test_cppn.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # torch loads only for the reference renderer, not for the shader's kernel
    import torch

ACTIVATIONS = ("mix", "tanh", "sin", "gauss", "softplus")  # the shader's choice order
_IDS = {"tanh": 0, "sin": 1, "gauss": 2, "softplus": 3, "sigmoid": 4}
MAX_WIDTH = 32
MAX_LATENTS = 8
PATH_ROWS = 3  # texture rows before the layers: c, a, b of the latent path


@dataclass(frozen=True)
class Settings:
    """The parameters that shape a network (the rest act at evaluation time)."""

    seed: int = 0
    image: int = 0
    width: int = 16
    layers: int = 4
    latents: int = 4
    activation: str = "mix"


@dataclass
class Network:
    settings: Settings
    weights: list[np.ndarray]  # per layer (out, in) float32
    biases: list[np.ndarray]  # per layer (out,)
    activations: list[np.ndarray]  # per layer (out,) int ids
    path: np.ndarray  # (3, latents): c, a, b


def build(settings: Settings) -> Network:
    s = settings
    if not (1 <= s.width <= MAX_WIDTH and 1 <= s.layers <= 16 and 1 <= s.latents <= MAX_LATENTS):
        raise ValueError(f"width 1..{MAX_WIDTH}, layers 1..16 and latents 1..{MAX_LATENTS}")
    rng = np.random.default_rng([abs(int(s.seed)), int(s.image), 0xC999])
    sizes = [3 + s.latents] + [s.width] * s.layers + [3]
    weights, biases, acts = [], [], []
    for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        weights.append((rng.standard_normal((fan_out, fan_in)) / np.sqrt(fan_in)).astype(np.float32))
        biases.append((rng.standard_normal(fan_out) * 0.5).astype(np.float32))
        if layer == len(sizes) - 2:
            acts.append(np.full(fan_out, _IDS["sigmoid"], np.int32))
        elif s.activation == "mix":
            acts.append(rng.integers(0, 4, fan_out).astype(np.int32))
        else:
            acts.append(np.full(fan_out, _IDS[s.activation], np.int32))
    path = rng.standard_normal((3, s.latents)).astype(np.float32)
    return Network(settings, weights, biases, acts, path)


def latent_at(net: Network, position: float, radius: float) -> np.ndarray:
    c, a, b = net.path
    turn = 2.0 * np.pi * position
    return (c + radius * (a * (np.cos(turn) - 1.0) + b * np.sin(turn))).astype(np.float32)


def _activate(x: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    import torch

    out = torch.tanh(x)
    out = torch.where(ids == 1, torch.sin(x), out)
    out = torch.where(ids == 2, torch.exp(-x * x), out)
    out = torch.where(ids == 3, torch.log1p(torch.exp(-x.abs())) + x.clamp_min(0), out)
    return torch.where(ids == 4, torch.sigmoid(x), out)


def coordinates(size: tuple[int, int], zoom: float) -> tuple[torch.Tensor, torch.Tensor]:
    """x, y at pixel centres as the shader sees them (uv origin bottom-left; rows top first)."""
    import torch

    width, height = size
    u = (torch.arange(width, dtype=torch.float32) + 0.5) / width
    v = 1.0 - (torch.arange(height, dtype=torch.float32) + 0.5) / height
    x = (u * 2 - 1) * (width / height) * zoom
    y = (v * 2 - 1) * zoom
    return x[None, :].expand(height, width), y[:, None].expand(height, width)


def render(net: Network, size: tuple[int, int], *, position: float, radius: float, zoom: float,
           detail: float) -> np.ndarray:
    """The network's image as (H, W, 3) float32 in 0..1 (top row first). The defaults of
    the parameters are those of ``shaders/cppn.glsl``'s header (``generate`` reads them)."""
    import torch

    with torch.inference_mode():
        return _render(net, size, position, radius, zoom, detail)


def _render(net: Network, size: tuple[int, int], position: float, radius: float, zoom: float,
            detail: float) -> np.ndarray:
    import torch

    x, y = coordinates(size, zoom)
    z = torch.from_numpy(latent_at(net, position, radius))
    h = torch.stack([x, y, torch.sqrt(x * x + y * y)], -1).reshape(-1, 3)
    h = torch.cat([h, z[None].expand(h.shape[0], -1)], 1)
    last = len(net.weights) - 1
    for layer, (w, b, ids) in enumerate(zip(net.weights, net.biases, net.activations, strict=True)):
        pre = h @ torch.from_numpy(w).T
        if layer < last:
            pre = pre * detail
        h = _activate(pre + torch.from_numpy(b), torch.from_numpy(ids))
    return h.reshape(size[1], size[0], 3).numpy()


def to_uint8(rgb: np.ndarray) -> np.ndarray:
    return np.clip(np.round(rgb * 255.0), 0, 255).astype(np.uint8)


def pack(net: Network) -> np.ndarray:
    """The texture the shader reads, (rows, 1 + MAX_WIDTH / 4, 4) float32: rows 0..2 hold
    the latent path (c, a, b) from texel 1; then one row per neuron, layer by layer:
    texel 0 = (bias, activation id, 0, 0), texels 1.. = its input weights, 4 per texel."""
    groups = 1 + MAX_WIDTH // 4
    rows = PATH_ROWS + sum(w.shape[0] for w in net.weights)
    tex = np.zeros((rows, groups, 4), np.float32)
    latents = net.path.shape[1]
    for i in range(PATH_ROWS):
        flat = np.zeros((groups - 1) * 4, np.float32)
        flat[:latents] = net.path[i]
        tex[i, 1:] = flat.reshape(-1, 4)
    row = PATH_ROWS
    for w, b, ids in zip(net.weights, net.biases, net.activations, strict=True):
        for j in range(w.shape[0]):
            flat = np.zeros((groups - 1) * 4, np.float32)
            flat[: w.shape[1]] = w[j]
            tex[row, 0, :2] = (b[j], ids[j])
            tex[row, 1:] = flat.reshape(-1, 4)
            row += 1
    return tex
