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
import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from shaderviz.explore.dream import Dreamer, DreamParams, Progress, weights_identity

DISK_BYTES = 1024 * 1024 * 1024


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "shaderviz" / "enhance"


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
        self.cache_dir = None if cache_dir is False else (
            Path(cache_dir) if isinstance(cache_dir, (str, Path)) else default_cache_dir())
        self.device, self.disk_bytes = device, disk_bytes
        self.weights = weights_identity()
        self.hits = self.misses = 0
        self._dreamer: Dreamer | None = None

    @property
    def dreamer(self) -> Dreamer:
        if self._dreamer is None:
            self._dreamer = Dreamer(self.device)
        return self._dreamer

    def cached(self, rgb: np.ndarray, params: DreamParams) -> np.ndarray | None:
        path = self._path(dream_key(rgb, params, self.weights))
        if path is None or not path.is_file():
            return None
        try:
            dream = np.load(path, allow_pickle=False)
            os.utime(path)  # recently used: evicted last
        except (OSError, ValueError):
            path.unlink(missing_ok=True)
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
            self._store(dream_key(rgb, params, self.weights), dream)
        return dream

    def _path(self, key: str) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / f"{key}.npy"

    def _store(self, key: str, dream: np.ndarray) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
            with open(tmp, "wb") as f:
                np.save(f, dream)
            tmp.replace(path)
            self._evict()
        except OSError:
            pass

    def _evict(self) -> None:
        assert self.cache_dir is not None
        files = []
        for p in self.cache_dir.glob("*.npy"):
            try:
                st = p.stat()
            except OSError:
                continue
            files.append((st.st_mtime, st.st_size, p))
        total = sum(size for _, size, _ in files)
        for _, size, p in sorted(files):
            if total <= self.disk_bytes:
                break
            p.unlink(missing_ok=True)
            total -= size
