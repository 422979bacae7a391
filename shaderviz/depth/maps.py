"""The steps around a depth model that need no torch: an image in as float RGB, its cache
key, the inference size, smoothing and per-image normalisation of the prediction.

Shared by the torch :class:`~shaderviz.depth.estimator.DepthEstimator` and the onnxruntime
:class:`~shaderviz.depth.onnxrun.OnnxDepth`, so both make the same maps under the same keys.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from shaderviz.errors import UserError


def to_rgb_float(image) -> np.ndarray:  # noqa: ANN001 - path, PIL image or array
    """Any image (path, PIL, array; grey, RGB, RGBA, 8/16-bit, float) -> HxWx3 float32 0..1."""
    if isinstance(image, (str, os.PathLike)):
        image = read_image(Path(image))
    if not isinstance(image, np.ndarray):  # PIL
        image = pil_to_array(image)
    a = np.asarray(image)
    if a.dtype == np.uint8:
        a = a.astype(np.float32) / 255
    elif a.dtype == np.uint16:
        a = a.astype(np.float32) / 65535
    elif a.dtype in (np.int32, np.int64):
        a = np.clip(a.astype(np.float32) / (65535 if a.max() > 255 else 255), 0, 1)
    else:
        a = a.astype(np.float32)
    if a.ndim == 2:
        a = a[..., None]
    if a.ndim != 3 or a.shape[0] < 1 or a.shape[1] < 1:
        raise UserError(f"expected an image array HxW or HxWxC, got shape {a.shape}")
    if a.shape[2] == 1:
        a = np.repeat(a, 3, 2)
    elif a.shape[2] == 2:  # grey + alpha
        a = np.repeat(a[..., :1], 3, 2)
    elif a.shape[2] >= 4:
        a = a[..., :3]
    return np.ascontiguousarray(a)


def pil_to_array(im) -> np.ndarray:  # noqa: ANN001 - PIL.Image
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        a = np.asarray(im, dtype=np.int64 if im.mode == "I" else None)
        return a.astype(np.uint16) if a.dtype != np.uint16 and a.max() <= 65535 else a
    if im.mode not in ("RGB", "RGBA", "L", "LA"):
        im = im.convert("RGBA" if "A" in im.mode or "transparency" in im.info else "RGB")
    return np.asarray(im)


def read_image(path: Path) -> np.ndarray:
    """An image file as an array in its own mode (16-bit and alpha kept), EXIF-rotated like
    the render sources; one-line UserError if missing or unreadable."""
    from shaderviz.sources.images import open_image

    if not path.exists():
        raise UserError(f"image not found: {path}")
    return pil_to_array(open_image(path))


def image_key(rgb: np.ndarray) -> str:
    h = hashlib.sha256()
    h.update(str(rgb.shape).encode())
    h.update(np.ascontiguousarray(rgb).tobytes())
    return h.hexdigest()[:24]


def inference_shape(h: int, w: int, size: int, multiple: int) -> tuple[int, int]:
    """Sides with the image's aspect ratio and about size*size pixels, rounded to ``multiple``."""
    scale = size / np.sqrt(h * w)
    ih = max(multiple, int(round(h * scale / multiple)) * multiple)
    iw = max(multiple, int(round(w * scale / multiple)) * multiple)
    return ih, iw


def normalise(pred: np.ndarray, lo_pct: float = 0.5, hi_pct: float = 99.5) -> np.ndarray:
    lo, hi = np.percentile(pred, [lo_pct, hi_pct])
    if hi - lo < 1e-8:
        return np.full(pred.shape, 0.5, np.float32)
    return np.clip((pred - lo) / (hi - lo), 0, 1).astype(np.float32)


def map_key(rgb: np.ndarray, identity: str, size: int, *, flip: bool, smooth: bool, guided: bool) -> str:
    """The cache key of a nearness map: the pixels, the model's identity and how it ran."""
    tags = ("f" if flip else "") + ("" if smooth else "s") + ("g" if guided else "")
    return f"{image_key(rgb)}-{identity}-{size}{tags}"


def binomial_smooth(pred: np.ndarray) -> np.ndarray:
    """A 3x3 binomial blur with replicated borders (what the estimator does in torch)."""
    p = np.pad(pred.astype(np.float32), 1, mode="edge")
    rows = p[:-2] + 2 * p[1:-1] + p[2:]
    return (rows[:, :-2] + 2 * rows[:, 1:-1] + rows[:, 2:]) / 16
