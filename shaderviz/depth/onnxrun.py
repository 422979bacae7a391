"""A shaderviz depth checkpoint run by onnxruntime, without torch: the live depth worker.

onnxruntime runs the shipped model in less than half torch's time and loads in a fraction
of torch's import (figures in the README). :func:`open_onnx` finds ``<model>.onnx`` beside
the checkpoint (written by :mod:`shaderviz.depth.onnxexport`) and uses it only when its
metadata names that very checkpoint (see :mod:`shaderviz.onnxfiles`).

:class:`OnnxDepth` makes the same maps as :class:`~shaderviz.depth.estimator.DepthEstimator`
(the same steps from :mod:`shaderviz.depth.maps`, the same disk-cache keys), for the
checkpoint's shipped settings; an image not at the inference size is resized with Pillow
(the torch estimator resizes with torch, which differs by a few levels at the edges).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from shaderviz.depth.maps import binomial_smooth, inference_shape, map_key, normalise, to_rgb_float
from shaderviz.depth.shipped import model_path
from shaderviz.diskcache import NpyCache, cache_folder
from shaderviz.modelfiles import file_hash
from shaderviz.onnxfiles import open_export

DISK_BYTES = 512 * 1024 * 1024


def _resize(channels: np.ndarray, height: int, width: int) -> np.ndarray:
    """(H, W[, C]) float32 -> (height, width[, C]), bilinear (antialiased when shrinking)."""
    if channels.shape[:2] == (height, width):
        return channels
    if channels.ndim == 2:
        return np.asarray(Image.fromarray(channels, "F").resize((width, height), Image.Resampling.BILINEAR))
    return np.stack([_resize(np.ascontiguousarray(channels[..., c]), height, width)
                     for c in range(channels.shape[2])], -1)


class OnnxDepth:
    """The model of an ONNX export, with the disk cache; ``estimate`` like the estimator's."""

    runtime = "onnxruntime"

    def __init__(self, session: Any, meta: dict[str, str],
                 cache_dir: str | os.PathLike | None | bool = None, disk_bytes: int = DISK_BYTES) -> None:
        self.session = session
        self.identity = meta["identity"]
        self.size = int(meta["inference_size"])
        self.multiple = int(meta["multiple"])
        self.smooth = meta["smooth"] == "1"
        self.flip = meta["flip"] == "1"
        self.disk = NpyCache(cache_folder(cache_dir, "depth"), disk_bytes)

    def key(self, rgb: np.ndarray) -> str:
        return map_key(rgb, self.identity, self.size, flip=self.flip, smooth=self.smooth, guided=False)

    def predict(self, rgb: np.ndarray) -> np.ndarray:
        """(h, w, 3) float32 at a size in multiples of 32 -> raw nearness (h, w)."""
        x = np.ascontiguousarray(rgb.transpose(2, 0, 1)[None], dtype=np.float32)
        pred = self.session.run(None, {"rgb": x})[0][0, 0]
        if self.flip:
            mirrored = self.session.run(None, {"rgb": np.ascontiguousarray(x[..., ::-1])})[0][0, 0]
            pred = (pred + mirrored[:, ::-1]) / 2
        return pred

    def estimate(self, image) -> np.ndarray:  # noqa: ANN001 - path, PIL image or array
        """Nearness (H, W) float32 in 0..1 for ``image``; blocks; uses and fills the disk cache."""
        rgb = to_rgb_float(image)
        key = self.key(rgb)
        cached = self.disk.load(key)
        if cached is not None:
            return cached.astype(np.float32)
        h, w = rgb.shape[:2]
        ih, iw = inference_shape(h, w, self.size, self.multiple)
        pred = self.predict(np.clip(_resize(rgb, ih, iw), 0, 1))
        if self.smooth:
            pred = binomial_smooth(pred)
        near = normalise(_resize(pred.astype(np.float32), h, w))
        near = near.astype(np.float16)  # the precision of the cache, as the estimator keeps it
        self.disk.save(key, near)
        return near.astype(np.float32)


def onnx_path(spec: str) -> Path:
    """Where the ONNX export of the checkpoint ``spec`` (a shipped name or a path) would be."""
    return model_path(spec).with_suffix(".onnx")


def open_onnx(spec: str, threads: int = 1,
              cache_dir: str | os.PathLike | None | bool = None) -> tuple[OnnxDepth | None, str]:
    """The ONNX runner for ``spec``, or None and why not (then use the torch estimator)."""
    checkpoint = model_path(spec)
    if checkpoint.suffix != ".pt" or not checkpoint.is_file():
        return None, f"{spec} is not a .pt checkpoint"
    session, meta, why = open_export(checkpoint, "sv-" + file_hash(checkpoint), threads,
                                     "python -m shaderviz.depth.onnxexport")
    if session is None:
        return None, why
    try:
        return OnnxDepth(session, meta, cache_dir), ""
    except (KeyError, ValueError) as err:
        return None, f"{checkpoint.with_suffix('.onnx').name}: bad metadata ({err})"
