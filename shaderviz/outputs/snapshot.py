"""PNG snapshots that carry their own recipe (loadable with ``--preset FILE.png``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, PngImagePlugin

from shaderviz.presets import RECIPE_KEY


def recipe_text(recipe: dict[str, Any]) -> dict[str, str]:
    return {RECIPE_KEY: json.dumps(recipe, sort_keys=True)}


def save_snapshot(path: Path, rgb: np.ndarray, recipe: dict[str, Any]) -> Path:
    """Write ``rgb`` as PNG with the recipe in an iTXt chunk; atomic rename."""
    info = PngImagePlugin.PngInfo()
    for key, value in recipe_text(recipe).items():
        info.add_itxt(key, value)
    tmp = path.with_name(f".{path.name}.partial")
    Image.fromarray(rgb).save(tmp, format="PNG", pnginfo=info)
    tmp.replace(path)
    return path


def next_snapshot_path(folder: Path, stem: str = "shaderviz") -> Path:
    """``shaderviz_0001.png``, ``shaderviz_0002.png``, ... never overwriting."""
    folder.mkdir(parents=True, exist_ok=True)
    index = 1
    while (folder / f"{stem}_{index:04d}.png").exists():
        index += 1
    return folder / f"{stem}_{index:04d}.png"


class SnapshotSaver:
    """`S` in play: the pixels are read on the render thread (a GL call), the PNG is encoded
    and written on a worker, so a big snapshot never stalls the show."""

    def __init__(self, folder: Path, notify: Callable[[str], None]) -> None:
        self.folder, self.notify = folder, notify
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shaderviz-save")

    def save(self, pixels: np.ndarray, recipe: dict[str, Any]) -> Future:
        return self._pool.submit(self._write, pixels, recipe)

    def _write(self, pixels: np.ndarray, recipe: dict[str, Any]) -> Path | None:
        try:
            path = save_snapshot(next_snapshot_path(self.folder), pixels, recipe)
        except OSError as err:
            self.notify(f"cannot save a snapshot in {self.folder}: {err.strerror or err}")
            print(f"shaderviz: cannot save snapshot in {self.folder}: {err}", file=sys.stderr, flush=True)
            return None
        notes = recipe.get("not_replayed") or []
        self.notify(f"saved {path.name}" + (f" (note: {notes[0]})" if notes else ""))
        print(f"saved {path}", flush=True)
        for note in notes:
            print(f"shaderviz: note: {note}", flush=True)
        return path

    def release(self) -> None:
        self._pool.shutdown(wait=True)  # snapshots being written are finished
