"""Images on their way to textures: :class:`GLImage` (converted off the render thread, so
an upload is a plain copy) and where a source's own pixels fall under the render
(``native_map``, for effects that read ``nativeImage``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class GLImage:
    """An image as the source texture holds it: RGBA, bottom row first, contiguous."""

    data: np.ndarray

    @classmethod
    def from_rgb(cls, rgb: np.ndarray) -> GLImage:
        """From (H, W, 3|4) uint8, top row first: the slow part of an upload, safe on any thread."""
        data = np.empty(rgb.shape[:2] + (4,), np.uint8)
        data[..., : rgb.shape[2]] = rgb[::-1]
        if rgb.shape[2] == 3:
            data[..., 3] = 255
        return cls(data)


def native_map(native: tuple[int, int], size: tuple[int, int], fit: str) -> tuple[tuple[float, ...], float]:
    """Where each render-size uv falls in the native image (GL uv, bottom row first), exactly
    as ``sources.images.fit_image`` placed it: (scale x, scale y, offset x, offset y), and
    native pixels per render pixel."""
    from shaderviz.sources.images import fit_box

    (rw, rh), crop = fit_box(native, size, fit)
    dw, dh = size
    if fit == "stretch":
        return (1.0, 1.0, 0.0, 0.0), max(native[0] / dw, native[1] / dh)
    if crop is not None:  # fill: the resized image cropped at (left, top)
        left, top = crop[0], crop[1]
        return (dw / rw, dh / rh, left / rw, (rh - dh - top) / rh), native[0] / rw
    left, top = (dw - rw) // 2, (dh - rh) // 2  # fit: the resized image pasted at (left, top)
    return (dw / rw, dh / rh, -left / rw, (rh - dh + top) / rh), native[0] / rw
