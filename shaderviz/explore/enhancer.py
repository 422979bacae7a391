"""Dreams with a disk cache: the same pixels, parameters and weights dream once.

Used by ``shaderviz enhance``, by the ``enhance`` effect in ``render`` and by the dream
process of ``play``. Dreams are kept under ``$XDG_CACHE_HOME/shaderviz/enhance`` (default
``~/.cache``) as ``.npy`` files keyed by a hash of the image's pixels, the parameters and the
weights' identity; at most ``disk_bytes``, least recently used first out. A read-only or
full cache folder never stops a dream.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from shaderviz.diskcache import NpyCache, cache_folder
from shaderviz.explore.dream import Dreamer, DreamParams, Progress, weights_identity

DISK_BYTES = 1024 * 1024 * 1024


def dream_key(rgb: np.ndarray, params: DreamParams, weights: str) -> str:
    digest = hashlib.sha256()
    digest.update(str(rgb.shape).encode())
    digest.update(np.ascontiguousarray(rgb[..., :3]).tobytes())
    digest.update(json.dumps(params.key(), sort_keys=True).encode())
    digest.update(weights.encode())
    return digest.hexdigest()[:32]


class Enhancer:
    """A :class:`Dreamer` (loaded on the first dream that misses the cache) and the cache."""

    def __init__(self, cache_dir: Path | None | bool = None, device: str | None = None,
                 disk_bytes: int = DISK_BYTES) -> None:
        self.disk = NpyCache(cache_folder(cache_dir, "enhance"), disk_bytes)
        self.device = device
        self.weights = weights_identity()
        self.hits = self.misses = 0
        self._dreamer: Dreamer | None = None

    @property
    def dreamer(self) -> Dreamer:
        if self._dreamer is None:
            self._dreamer = Dreamer(self.device)
        return self._dreamer

    def cached(self, rgb: np.ndarray, params: DreamParams) -> np.ndarray | None:
        dream = self.disk.load(dream_key(rgb, params, self.weights))
        if dream is None:
            return None
        if dream.shape != rgb[..., :3].shape or dream.dtype != np.uint8:
            return None
        return dream

    def enhance(self, rgb: np.ndarray, params: DreamParams, progress: Progress | None = None,
                cancelled: Callable[[], bool] | None = None) -> np.ndarray:
        """The dream of (H, W, 3) uint8 ``rgb``: from the cache, or dreamed now and kept (a
        dream stopped by ``cancelled`` is returned as it is, never kept)."""
        rgb = np.ascontiguousarray(rgb[..., :3])
        dream = self.cached(rgb, params)
        if dream is not None:
            self.hits += 1
            if progress is not None:
                progress(1, 1)
            return dream
        self.misses += 1
        dream = self.dreamer.dream(rgb, params, progress, cancelled)
        if cancelled is None or not cancelled():
            self.disk.save(dream_key(rgb, params, self.weights), dream)
        return dream
