"""numpy reference of the sampler effect, written from its documentation, not its shader.

Coordinates here are image coordinates: pixels from the top-left corner, y downward. A
rectangle has centre (x W, y H), width size W and height (size / aspect) H, turned by
``rotation`` degrees counter-clockwise as seen on screen. zoom: the output frame is the
rectangle. tile: copies of the rectangle, each ``W / tiles`` wide (0: the rectangle's own
size), one of them centred on the rectangle's centre; mirror: every other copy flipped.
Several levels: the output of level i is what level i + 1 reads; a pixel is traced back
through all of them and the image is read once, with the last level's filter.
"""

from __future__ import annotations

import math

import numpy as np

DEFAULTS = {"x": 0.5, "y": 0.5, "size": 0.5, "aspect": 1.0, "rotation": 0.0, "mode": "zoom", "tiles": 0.0,
            "filter": "nearest"}


def level_map(level: dict, px: np.ndarray, py: np.ndarray, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Output pixel positions (px, py) -> positions in what the level reads, both in pixels."""
    lv = {**DEFAULTS, **level}
    cx, cy = lv["x"] * w, lv["y"] * h
    half_w, half_h = 0.5 * lv["size"] * w, 0.5 * lv["size"] / lv["aspect"] * h
    if lv["mode"] == "zoom":
        lx, ly = px / w * 2 - 1, py / h * 2 - 1
    else:
        tile_w, tile_h = 2 * half_w, 2 * half_h
        if lv["tiles"] > 0:
            tile_w = w / lv["tiles"]
            tile_h = tile_w * half_h / half_w
        tx, ty = (px - cx) / tile_w + 0.5, (py - cy) / tile_h + 0.5
        fx, fy = tx - np.floor(tx), ty - np.floor(ty)
        if lv["mode"] == "mirror":
            fx = np.where(np.floor(tx) % 2 == 1, 1 - fx, fx)
            fy = np.where(np.floor(ty) % 2 == 1, 1 - fy, fy)
        lx, ly = fx * 2 - 1, fy * 2 - 1
    dx, dy = lx * half_w, ly * half_h
    a = math.radians(lv["rotation"])
    # counter-clockwise on screen, with y pointing down
    rx, ry = math.cos(a) * dx + math.sin(a) * dy, -math.sin(a) * dx + math.cos(a) * dy
    return np.clip(cx + rx, 0, w), np.clip(cy + ry, 0, h)


def read(image: np.ndarray, qx: np.ndarray, qy: np.ndarray, how: str) -> np.ndarray:
    """Read ``image`` (H, W, 3 float) at pixel positions (qx, qy): texel i covers [i, i + 1)."""
    h, w = image.shape[:2]

    def texel(ix: np.ndarray, iy: np.ndarray) -> np.ndarray:
        return image[np.clip(iy, 0, h - 1), np.clip(ix, 0, w - 1)]

    if how == "nearest":
        return texel(np.floor(qx).astype(int), np.floor(qy).astype(int))
    bx, by = np.floor(qx - 0.5), np.floor(qy - 0.5)
    tx, ty = (qx - 0.5 - bx)[..., None], (qy - 0.5 - by)[..., None]
    bx, by = bx.astype(int), by.astype(int)
    if how == "linear":
        top = texel(bx, by) * (1 - tx) + texel(bx + 1, by) * tx
        bottom = texel(bx, by + 1) * (1 - tx) + texel(bx + 1, by + 1) * tx
        return top * (1 - ty) + bottom * ty

    def weights(t: np.ndarray) -> list[np.ndarray]:  # Catmull-Rom, taps at -1, 0, 1, 2
        return [(-t**3 + 2 * t**2 - t) / 2, (3 * t**3 - 5 * t**2 + 2) / 2,
                (-3 * t**3 + 4 * t**2 + t) / 2, (t**3 - t**2) / 2]

    wx, wy = weights(tx), weights(ty)
    out = np.zeros(qx.shape + (3,))
    for j in range(4):
        for i in range(4):
            out += texel(bx + i - 1, by + j - 1) * wx[i] * wy[j]
    return np.clip(out, 0, 1)


def sample(image: np.ndarray, levels: list[dict], size: tuple[int, int] | None = None) -> np.ndarray:
    """The sampler chain ``levels`` over ``image`` ((H, W, 3) float 0..1) at output ``size``
    (default: the image's), read from the image itself (same size as the output)."""
    h, w = image.shape[:2]
    px, py = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
    for level in reversed(levels):
        px, py = level_map(level, px, py, w, h)
    how = {**DEFAULTS, **levels[-1]}["filter"]
    return read(image, px, py, how)


def sample_native(native: np.ndarray, levels: list[dict], size: tuple[int, int],
                  offset: tuple[float, float], scale: tuple[float, float]) -> np.ndarray:
    """The same, reading a native image placed in the ``size`` frame like ``fit_image`` puts it:
    a frame pixel position p is native position (p + offset) / scale (0 outside: black)."""
    w, h = size
    px, py = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
    for level in reversed(levels):
        px, py = level_map(level, px, py, w, h)
    nx, ny = (px + offset[0]) / scale[0], (py + offset[1]) / scale[1]
    out = read(native, nx, ny, {**DEFAULTS, **levels[-1]}["filter"])
    outside = (nx < 0) | (ny < 0) | (nx > native.shape[1]) | (ny > native.shape[0])
    out[outside] = 0
    return out
