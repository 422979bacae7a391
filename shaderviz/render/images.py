"""Images on their way to textures: :class:`GLImage` (converted off the render thread, so
an upload is a plain copy) and where a source's own pixels fall under the render
(``native_map``, for effects that read ``nativeImage``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class GLImage:
    """An image as the source texture holds it: RGBA, bottom row first, contiguous."""

    data: np.ndarray

    @classmethod
    def from_rgb(cls, rgb: np.ndarray) -> GLImage:
        """From (H, W, 3|4) uint8, top row first: the slow part of an upload, safe on any thread."""
        if rgb.shape[2] == 4:
            return cls(np.ascontiguousarray(rgb[::-1]))
        # Pillow's conversion: half the time of numpy's strided 3-into-4 copy (2.2 vs 4.5 ms
        # at 960x540), which a live video pays per frame
        image = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), "RGB").convert("RGBA")
        return cls(np.asarray(image.transpose(Image.Transpose.FLIP_TOP_BOTTOM)))


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
