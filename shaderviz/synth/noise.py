"""Vectorised numpy noise shared by the synthesisers: value noise, fbm, ridged fbm,
domain warping, Voronoi cells, blurs and colour helpers.

Everything takes a ``numpy.random.Generator`` so that an image is a pure function of
its seed. Fields are float32 (H, W) arrays, roughly in 0..1 unless said otherwise.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def grid(height: int, width: int) -> tuple[Array, Array]:
    """Pixel-centre coordinates: x in 0..width/height (aspect kept), y in 0..1."""
    y = (np.arange(height, dtype=np.float32) + 0.5) / height
    x = (np.arange(width, dtype=np.float32) + 0.5) / height
    return np.broadcast_to(x[None, :], (height, width)), np.broadcast_to(y[:, None], (height, width))


def _fade(t: Array) -> Array:
    return t * t * t * (t * (t * 6.0 - 15.0) + 10.0)


def value_noise(rng: np.random.Generator, x: Array, y: Array, cells: float) -> Array:
    """Smooth value noise in 0..1 at points (x, y) on a lattice of ``cells`` per unit."""
    fx, fy = x * cells, y * cells
    ix, iy = np.floor(fx).astype(np.int64), np.floor(fy).astype(np.int64)
    ox, oy = int(ix.min()), int(iy.min())
    ix, iy = ix - ox, iy - oy
    lattice = rng.random((int(iy.max()) + 2, int(ix.max()) + 2), dtype=np.float32)
    tx, ty = _fade((fx - np.floor(fx)).astype(np.float32)), _fade((fy - np.floor(fy)).astype(np.float32))
    a = lattice[iy, ix] + (lattice[iy, ix + 1] - lattice[iy, ix]) * tx
    b = lattice[iy + 1, ix] + (lattice[iy + 1, ix + 1] - lattice[iy + 1, ix]) * tx
    return a + (b - a) * ty


def fbm(
    rng: np.random.Generator,
    x: Array,
    y: Array,
    cells: float,
    octaves: int = 5,
    gain: float = 0.5,
    lacunarity: float = 2.0,
) -> Array:
    """Fractal sum of value noise, normalised to 0..1 (mean about 0.5)."""
    total = np.zeros(np.shape(x), np.float32)
    amp, norm, freq = 1.0, 0.0, cells
    for _ in range(octaves):
        total += amp * value_noise(rng, x, y, freq)
        norm += amp
        amp *= gain
        freq *= lacunarity
    return total / norm


def ridged(rng: np.random.Generator, x: Array, y: Array, cells: float, octaves: int = 5) -> Array:
    """Ridged multifractal: sharp crests (mountain ranges), 0..1. Each octave is damped
    by the one before it, so detail gathers on the ridges as erosion leaves it."""
    total = np.zeros(np.shape(x), np.float32)
    weight = np.ones(np.shape(x), np.float32)
    amp, norm, freq = 1.0, 0.0, cells
    for _ in range(octaves):
        n = 1.0 - np.abs(value_noise(rng, x, y, freq) * 2.0 - 1.0)
        n = n * n * weight
        weight = np.clip(n * 1.6, 0.0, 1.0)
        total += amp * n
        norm += amp
        amp *= 0.5
        freq *= 2.0
    return total / norm


def warp(rng: np.random.Generator, x: Array, y: Array, cells: float, amount: float) -> tuple[Array, Array]:
    """Domain warping: coordinates displaced by two fbm fields."""
    dx = fbm(rng, x, y, cells, 4) - 0.5
    dy = fbm(rng, x, y, cells, 4) - 0.5
    return x + amount * dx, y + amount * dy


def voronoi(rng: np.random.Generator, x: Array, y: Array, count: int) -> tuple[Array, Array, Array]:
    """Nearest of ``count`` random sites: (cell index, distance to it, distance to the
    second nearest minus the nearest: 0 on cell borders)."""
    width = float(x.max()) + 1e-6
    sites = rng.random((count, 2)).astype(np.float32) * np.array([width, 1.0], np.float32)
    d = (x[..., None] - sites[:, 0]) ** 2 + (y[..., None] - sites[:, 1]) ** 2
    first = np.argmin(d, axis=-1)
    d1 = np.take_along_axis(d, first[..., None], -1)[..., 0]
    np.put_along_axis(d, first[..., None], np.inf, -1)
    lo, hi = np.sqrt(d1), np.sqrt(d.min(axis=-1))
    return first, lo, hi - lo


def box_blur(field: Array, radius: int, passes: int = 2, dtype: type | None = np.float32) -> Array:
    """Separable box blur (edge-clamped) of an HxW or HxWxC array, repeated ``passes`` times
    (two: about a gaussian). Each axis's result is stored as ``dtype`` (None: the float64
    running sums' precision is kept, as the depth scenes' renderer wants)."""
    if radius < 1:
        return field
    out = field if dtype is None else field.astype(dtype)
    for _ in range(passes):
        for axis in (0, 1):
            pad = [(0, 0)] * out.ndim
            pad[axis] = (radius + 1, radius)
            c = np.cumsum(np.pad(out, pad, mode="edge"), axis=axis, dtype=np.float64)
            n = out.shape[axis]
            hi = np.take(c, np.arange(2 * radius + 1, 2 * radius + 1 + n), axis=axis)
            lo = np.take(c, np.arange(0, n), axis=axis)
            out = (hi - lo) / (2 * radius + 1)
            if dtype is not None:
                out = out.astype(dtype)
    return out


def gradient(field: Array) -> tuple[Array, Array]:
    """Central differences (dx, dy) per pixel, edges clamped."""
    p = np.pad(field, 1, mode="edge")
    return (p[1:-1, 2:] - p[1:-1, :-2]) * 0.5, (p[2:, 1:-1] - p[:-2, 1:-1]) * 0.5


def smoothstep(e0: float | Array, e1: float | Array, x: Array) -> Array:
    t = np.clip((x - e0) / np.maximum(np.asarray(e1) - e0, 1e-6), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def hsv_to_rgb(h: float, s: float, v: float) -> Array:
    """One colour from hue (0..1 turns), saturation, value: (3,) float32 in 0..1."""
    i = int(h * 6.0) % 6
    f = h * 6.0 - np.floor(h * 6.0)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    return np.array([(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i], np.float32)


def lerp(a: Array, b: Array, t: Array) -> Array:
    """Per-pixel mix of colours: a, b (3,) or (H, W, 3); t (H, W)."""
    t = t[..., None]
    return a * (1.0 - t) + b * t


def to_uint8(rgb: Array) -> Array:
    return np.clip(np.round(rgb * 255.0), 0, 255).astype(np.uint8)


def downsample(rgb: Array, factor: int) -> Array:
    """Average ``factor`` x ``factor`` blocks (supersampling)."""
    if factor == 1:
        return rgb
    h, w = rgb.shape[0] // factor, rgb.shape[1] // factor
    return rgb[: h * factor, : w * factor].reshape(h, factor, w, factor, -1).mean((1, 3))
