"""Arrays kept on disk between runs: one ``.npy`` file per key in a folder.

The depth estimator's maps and enhance's dreams are cached this way, under
``$XDG_CACHE_HOME/shaderviz/NAME`` (default ``~/.cache``). Files are written under a
temporary name and renamed (two processes never see half a file); reading one marks it
recently used, and the folder is kept under ``max_bytes`` by removing the least recently
used files first. A read-only, full or corrupt cache never stops the work it saves:
failures read as misses and writes that fail are skipped.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np


def user_cache_dir(name: str) -> Path:
    """``$XDG_CACHE_HOME/shaderviz/NAME`` (``~/.cache`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "shaderviz" / name


def cache_folder(given: str | os.PathLike | bool | None, name: str) -> Path | None:
    """What a ``cache_dir`` argument means: False no cache, a path that folder, None or
    True the user's cache folder ``name``."""
    if given is False:
        return None
    return Path(given) if given not in (None, True) else user_cache_dir(name)  # type: ignore[arg-type]


class NpyCache:
    def __init__(self, folder: Path | None, max_bytes: int) -> None:
        self.folder, self.max_bytes = folder, max_bytes

    def path(self, key: str) -> Path | None:
        return None if self.folder is None else self.folder / f"{key}.npy"

    def load(self, key: str) -> np.ndarray | None:
        """The array stored under ``key`` (now the most recently used), or None."""
        path = self.path(key)
        if path is not None and path.is_file():
            try:
                arr = np.load(path, allow_pickle=False)
                os.utime(path)  # recently used: evicted last
            except (OSError, ValueError):
                path.unlink(missing_ok=True)
                return None
            return arr
        return None

    def save(self, key: str, arr: np.ndarray) -> None:
        path = self.path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
            with open(tmp, "wb") as f:
                np.save(f, arr)
            tmp.replace(path)
            self._evict()
        except OSError:
            pass  # a read-only or full cache folder never breaks the work

    def _evict(self) -> None:
        assert self.folder is not None
        files = []
        for p in self.folder.glob("*.npy"):
            try:
                st = p.stat()
            except OSError:
                continue
            files.append((st.st_mtime, st.st_size, p))
        total = sum(size for _, size, _ in files)
        for _, size, p in sorted(files, key=lambda t: t[0]):
            if total <= self.max_bytes:
                break
            p.unlink(missing_ok=True)
            total -= size
