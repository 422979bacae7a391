"""Where the shipped depth models live, and the content hash that names a model file.

No torch here: the live window's depth worker finds the model and checks its ONNX export
without importing it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from shaderviz.depth import SHIPPED


def models_dirs() -> list[Path]:
    """Where shipped checkpoints are looked for: the installed package, then the repo."""
    here = Path(__file__).resolve().parent.parent  # shaderviz/
    return [here / "_models", here.parent / "models"]


def shipped_path(name: str) -> Path | None:
    file = SHIPPED.get(name)
    if file is None:
        return None
    for folder in models_dirs():
        if (folder / file).is_file():
            return folder / file
    return None


def file_hash(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()[:16]
