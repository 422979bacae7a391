"""numpy references for the depth effects and the GPU depth preparation.

Same conventions as reference.py: images (H, W, C) float in 0..1, row 0 at the top,
pixel (col, row) centred at (col + 0.5, row + 0.5); depth (H, W) nearness, 1 = near.
"""

from __future__ import annotations

import math

import numpy as np
from reference import bilinear, gaussian_blur, pixel_centres

from shaderviz.effects.palettes import palette_names, palette_texture_rgba


def palette(name: str, t: np.ndarray) -> np.ndarray:
    """palette_color(): the 8-bit 256-entry row, linear between entries, t clamped to 0..1."""
    row = palette_texture_rgba()[palette_names().index(name), :, :3].astype(np.float64) / 255.0
    pos = np.clip(t, 0.0, 1.0) * 255.0
    i0 = np.floor(pos).astype(int)
    i1 = np.minimum(i0 + 1, 255)
    frac = (pos - i0)[..., None]
    return row[i0] * (1.0 - frac) + row[i1] * frac


def depthmap(img: np.ndarray, depth: np.ndarray, palette_name: str = "mono", amount: float = 1.0,
             near: float = 1.0, far: float = 0.0, gamma: float = 1.0, invert: bool = False) -> np.ndarray:
    lo, hi = min(near, far), max(near, far)
    t = np.clip((depth - lo) / max(hi - lo, 1e-5), 0.0, 1.0) ** gamma
    if invert:
        t = 1.0 - t
    return img * (1.0 - amount) + palette(palette_name, t) * amount


def depth_color(img: np.ndarray, depth: np.ndarray, palette_name: str = "thermal", amount: float = 0.7,
                shift: float = 0.0, bands: int = 0, speed: int = 0, fog: float = 0.0,
                fog_color: tuple[float, float, float] = (0xC8 / 255, 0xD2 / 255, 0xE0 / 255),
                phase: float = 0.0) -> np.ndarray:
    """Filled gradient or bands (lines=0): the palette coordinate is depth + shift +
    speed * phase, wrapped only outside 0..1; N bands sample band centres, cyclically."""
    u = np.minimum(depth, 0.99999) + shift + speed * phase
    t = np.where((u >= 0) & (u <= 1), u, u - np.floor(u))
    if bands > 0:
        t = (np.mod(np.floor(u * bands), bands) + 0.5) / bands
    out = img * (1.0 - amount) + palette(palette_name, t) * amount
    f = (fog * (1.0 - depth))[..., None]
    return out * (1.0 - f) + np.asarray(fog_color) * f


def depth_wave(img: np.ndarray, depth: np.ndarray, amount: float = 0.01, bands: float = 4.0, speed: int = 1,
               direction: str = "in", angle: float = 90.0, shade: float = 0.0,
               phase: float = 0.0) -> np.ndarray:
    """The input sampled at uv - offset; offset = amount * wave along angle (equal px in x
    and y), wave = sin(2 pi (bands * depth +- speed * phase)), + for in."""
    height, width = depth.shape
    travel = 1.0 if direction == "in" else -1.0
    wave = np.sin(2 * np.pi * (bands * depth + travel * speed * phase))
    a = math.radians(angle)
    dx = amount * wave * math.cos(a) * width  # px to the right
    dy = amount * wave * math.sin(a) * width  # px up
    x, y = pixel_centres(width, height)
    out = bilinear(img, x - dx, y + dy)
    return np.clip(out * (1.0 + 0.5 * shade * wave)[..., None], 0.0, 1.0)


DOF_RADII = (0.0, 3.0, 6.0, 12.0, 24.0, 48.0)


def dof(img: np.ndarray, depth: np.ndarray, focus: float = 0.5, blur: float = 12.0, range_: float = 0.5,
        side: str = "both") -> np.ndarray:
    """Per pixel: circle of confusion r = blur * clamp(|depth - focus| / range), then linear
    interpolation (in log2 radius above 3 px) between ideal gaussian blurs of radius
    0, 3, 6, 12, 24, 48 px."""
    away = depth - focus
    if side == "far":
        away = np.minimum(away, 0.0)
    if side == "near":
        away = np.maximum(away, 0.0)
    r = blur * np.clip(np.abs(away) / range_, 0.0, 1.0)
    level = np.where(r < 3.0, r / 3.0, 1.0 + np.log2(np.maximum(r, 1e-9) / 3.0))
    levels = np.stack([img] + [gaussian_blur(img, radius) for radius in DOF_RADII[1:]])
    k = np.clip(np.floor(level).astype(int), 0, 4)
    t = np.where(level >= 5.0, 1.0, level - k)[..., None]
    rows, cols = np.indices(depth.shape)
    return levels[k, rows, cols] * (1.0 - t) + levels[k + 1, rows, cols] * t


# -- depth preparation ----------------------------------------------------------------


def _block_mean(a: np.ndarray, factor: int) -> np.ndarray:
    h, w = -(-a.shape[0] // factor), -(-a.shape[1] // factor)
    pad = [(0, h * factor - a.shape[0]), (0, w * factor - a.shape[1])] + [(0, 0)] * (a.ndim - 2)
    a = np.pad(a, pad, mode="edge")
    return a.reshape(h, factor, w, factor, *a.shape[2:]).mean(axis=(1, 3))


def _box(a: np.ndarray, radius: int) -> np.ndarray:
    for axis in (1, 0):
        n = a.shape[axis]
        a = sum(np.take(a, np.clip(np.arange(n) + k, 0, n - 1), axis=axis)
                for k in range(-radius, radius + 1)) / (2 * radius + 1)
    return a


def _upsample(a: np.ndarray, factor: int, shape: tuple[int, int]) -> np.ndarray:
    """Bilinear (GL_LINEAR, clamped) from the reduced grid (a texel per factor px) to full size."""
    height, width = shape
    x, y = pixel_centres(width, height)
    return bilinear(a, x / factor, y / factor)


def guided_filter(guide: np.ndarray, depth: np.ndarray, factor: int, radius: int, eps: float) -> np.ndarray:
    """The fast guided filter (He & Sun 2015) as render/depthprep.py runs it (its blocks
    start at GL's origin, the bottom-left: computed upside down)."""
    return _guided(guide[::-1], depth[::-1], factor, radius, eps)[::-1]


def _guided(guide: np.ndarray, depth: np.ndarray, factor: int, radius: int, eps: float) -> np.ndarray:
    stats = np.concatenate([guide, depth[..., None], (guide[..., :, None] * guide[..., None, :]).reshape(
        *depth.shape, 9), guide * depth[..., None]], axis=-1)
    low = _box(_block_mean(stats, factor), radius)
    mean_i, mean_p = low[..., :3], low[..., 3]
    cov = low[..., 4:13].reshape(*low.shape[:2], 3, 3) - mean_i[..., :, None] * mean_i[..., None, :]
    cov_ip = low[..., 13:16] - mean_i * mean_p[..., None]
    a = np.linalg.solve(cov + eps * np.eye(3), cov_ip[..., None])[..., 0]
    b = mean_p - (a * mean_i).sum(-1)
    coeffs = _box(np.concatenate([a, b[..., None]], axis=-1), radius)
    up = _upsample(coeffs, factor, depth.shape)
    return np.clip((up[..., :3] * guide).sum(-1) + up[..., 3], 0.0, 1.0)


def back_depth(front: np.ndarray, scale: int, kappa: float, taps: int) -> np.ndarray:
    """min over |dx| + |dy| steps (<= taps each way) of front + kappa * steps, on the
    farthest-of-each-block reduced map. Rows bottom-up, as GL stores them (blocks start
    at the bottom-left): pass ``front[::-1]``."""
    h, w = -(-front.shape[0] // scale), -(-front.shape[1] // scale)
    pad = np.pad(front, [(0, h * scale - front.shape[0]), (0, w * scale - front.shape[1])], mode="edge")
    low = pad.reshape(h, scale, w, scale).min(axis=(1, 3))
    for axis in (1, 0):
        n = low.shape[axis]
        best = low.copy()
        for k in range(1, taps + 1):
            for step in (k, -k):
                idx = np.arange(n) + step
                ok = (idx >= 0) & (idx < n)
                moved = np.take(low, np.clip(idx, 0, n - 1), axis=axis) + kappa * k
                mask = ok[None, :] if axis == 1 else ok[:, None]
                best = np.where(mask, np.minimum(best, moved), best)
        low = best
    return low


FAREST_W = 0.02  # parallax.glsl: layers never farther than 1 / FAREST_W focus distances


def parallax_ramp(
    img: np.ndarray, x: float, height: float = 1.0, focus: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """parallax (motion=free, camera offset x) over the left-to-right ramp depth = u. A
    layer of nearness n lies at distance 1 / w(n), w = max(1 + height (n - focus), FAREST_W);
    the output at u shows the input at u' where aspect (u' - u) = x (w(u') - 1) (solved by
    bisection). Returns the image and where u' is inside the picture (beyond, it mirrors)."""
    rows, cols = img.shape[:2]
    aspect = cols / rows
    xs, ys = pixel_centres(cols, rows)
    u = xs / cols

    def excess(v: np.ndarray) -> np.ndarray:  # increasing in v while aspect > x * height
        return aspect * (v - u) - x * (np.maximum(1 + height * (v - focus), FAREST_W) - 1)

    lo, hi = u - 2.0, u + 2.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        below = excess(mid) < 0
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    source_u = 0.5 * (lo + hi)
    inside = (source_u * cols >= 0.5) & (source_u * cols <= cols - 0.5)
    return bilinear(img, source_u * cols, ys), inside
