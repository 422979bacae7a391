"""PNG snapshots that carry their own recipe (loadable with ``--preset FILE.png``)."""

from __future__ import annotations

import json
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
