"""numpy reference for pixel sorting: the exact integer keys and interval rules the
GPU implements (see shaders/include/sortkey.glsl)."""

from __future__ import annotations

import math

import numpy as np

KEYS = ("luma", "lightness", "hue", "saturation", "intensity", "min", "depth")


def sort_keys(rgb: np.ndarray, depth8: np.ndarray, key: str) -> np.ndarray:
    """16-bit integer key per pixel (uint32 array), identical to sortkey.glsl."""
    c = rgb.astype(np.int64)
    r, g, b = c[..., 0], c[..., 1], c[..., 2]
    hi, lo = c.max(axis=-1), c.min(axis=-1)
    if key == "luma":
        out = (2126 * r + 7152 * g + 722 * b) * 257 // 10000
    elif key == "lightness":
        out = (hi + lo) * 257 // 2
    elif key == "intensity":
        out = (r + g + b) * 257 // 3
    elif key == "min":
        out = lo * 257
    elif key == "saturation":
        out = np.where(hi == 0, 0, (hi - lo) * 65535 // np.maximum(hi, 1))
    elif key == "hue":
        d = np.maximum(hi - lo, 1)
        sector = 10922

        def part(a, b_):
            return np.where(a >= b_, (a - b_) * sector // d, -((b_ - a) * sector // d))

        h_r = part(g, b)
        h_r = np.where(h_r < 0, 6 * sector + h_r, h_r)
        h_g = 2 * sector + part(b, r)
        h_b = 4 * sector + part(r, g)
        out = np.where(r >= np.maximum(g, b), h_r, np.where(g >= b, h_g, h_b))
        out = np.where(hi == lo, 0, out)
    elif key == "depth":
        out = depth8.astype(np.int64) * 257
    else:
        raise ValueError(key)
    return out.astype(np.uint32)


def pcg(v: np.ndarray) -> np.ndarray:
    v = v.astype(np.uint32)
    with np.errstate(over="ignore"):
        state = v * np.uint32(747796405) + np.uint32(2891336453)
        word = ((state >> ((state >> np.uint32(28)) + np.uint32(4))) ^ state) * np.uint32(277803737)
        return (word >> np.uint32(22)) ^ word


def breaks(lines: int, length: int, interval: int, seed: int) -> np.ndarray:
    """(lines, length) bool: a random interval starts at this position."""
    if interval <= 0:
        return np.zeros((lines, length), bool)
    line = np.arange(lines, dtype=np.uint32)[:, None]
    pos = np.arange(length, dtype=np.uint32)[None, :]
    with np.errstate(over="ignore"):
        h = pcg(pcg(line ^ (np.uint32(seed) * np.uint32(2654435769))) + pos)
    return (h % np.uint32(interval)) == 0


def thresholds(lo: float, hi: float) -> tuple[int, int]:
    """The integer band the GPU uses (computed on the CPU for both)."""
    return math.ceil(lo * 65535 - 1e-9), math.floor(hi * 65535 + 1e-9)


def line_map(h: int, w: int, axis: str, angle: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Image (row, column) of every (line, position) of the angled lines, and where that
    is on the image (elsewhere: a hole). The definition of
    shaderviz/render/kernels/sortlines.py, written out again."""
    theta = math.remainder(angle, 360.0) - (90.0 if axis == "y" else 0.0)  # CCW from "right"
    quarter = math.ceil((theta - 45.0) / 90.0)
    tilt = theta - 90.0 * quarter
    major = quarter % 4  # 0 right, 1 up, 2 left, 3 down
    length, across = (w, h) if major % 2 == 0 else (h, w)
    slope = abs(math.tan(math.radians(tilt)))
    sign = (-1 if major in (0, 1) else 1) * (1 if tilt >= 0 else -1)
    shift = np.array([sign * math.floor(slope * u + 0.5) for u in range(length)])
    u = np.arange(length)[None, :]
    v = np.arange(across + abs(shift[-1]))[:, None] - max(0, shift[-1]) + shift[None, :]
    u = np.broadcast_to(u, v.shape)
    row, col = {0: (v, u), 1: (h - 1 - u, v), 2: (v, w - 1 - u), 3: (u, v)}[major]
    return row, col, (v >= 0) & (v < across)


def _sort_lines(rgb: np.ndarray, keys: np.ndarray, band: np.ndarray, brk: np.ndarray,
                descending: bool) -> np.ndarray:
    """Each row of (lines, length) arrays sorted stably by (interval, key)."""
    lines, length = keys.shape
    out = np.empty_like(rgb)
    idx = np.arange(length)
    for n in range(lines):
        b = band[n]
        starts = ~b | np.concatenate([[True], ~b[:-1]]) | brk[n]
        starts[0] = True
        start_pos = np.maximum.accumulate(np.where(starts, idx, 0))
        k = 65535 - keys[n].astype(np.int64) if descending else keys[n].astype(np.int64)
        order = np.lexsort((idx, k, start_pos))
        out[n] = rgb[n][order]
    return out


def pixelsort(rgb: np.ndarray, depth8: np.ndarray | None = None, key: str = "lightness", axis: str = "x",
              descending: bool = False, lo: float = 0.0, hi: float = 1.0, interval: int = 0, seed: int = 0,
              mask: np.ndarray | None = None, angle: float = 0.0) -> np.ndarray:
    """Stable sort of each line by (interval, key); out-of-band pixels stay put.

    ``rgb`` is (H, W, 3) top row first; axis x sorts rows left to right, axis y sorts
    columns top to bottom; ``angle`` turns the lines counter-clockwise (degrees) into
    the digital lines of :func:`line_map`. ``mask`` (H, W) bool limits the band further
    (depth gating).
    """
    if depth8 is None:
        depth8 = np.zeros(rgb.shape[:2], np.uint8)
    keys = sort_keys(rgb, depth8, key)
    band_lo, band_hi = thresholds(lo, hi)
    band = (keys >= band_lo) & (keys <= band_hi)
    if mask is not None:
        band &= mask
    if math.remainder(angle, 360.0) != 0:
        row, col, on = line_map(*keys.shape, axis, angle)
        r, c = np.where(on, row, 0), np.where(on, col, 0)
        lines = _sort_lines(rgb[r, c], np.where(on, keys[r, c], 0), on & band[r, c],
                            breaks(*on.shape, interval, seed), descending)
        out = np.zeros_like(rgb)
        out[row[on], col[on]] = lines[on]
        assert on.sum() == len(set(zip(row[on], col[on], strict=True))) == keys.size  # a bijection
        return out
    if axis == "y":
        rgb, keys, band = rgb.transpose(1, 0, 2), keys.T, band.T
    out = _sort_lines(rgb, keys, band, breaks(*keys.shape, interval, seed), descending)
    return out.transpose(1, 0, 2) if axis == "y" else out
