"""The shipped model files (depth model, GANs): where they are looked for, and the content
hash that names a model file in caches and exports. No torch here."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path


def models_dirs() -> list[Path]:
    """The installed package's ``_models``, then the repository's ``models/``."""
    here = Path(__file__).resolve().parent  # shaderviz/
    return [here / "_models", here.parent / "models"]


def find_shipped(file: str | None) -> Path | None:
    """The first of :func:`models_dirs` that holds ``file``; None if none does (or no file)."""
    for folder in models_dirs() if file else []:
        if (folder / file).is_file():
            return folder / file
    return None


def file_hash(path: Path, chunk: int = 1 << 20) -> str:
    """The first 16 hex digits of the file's sha256."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()[:16]


def is_torchscript(path: Path) -> bool:
    """Whether ``path`` is a TorchScript archive (``torch.jit.save``), not a checkpoint."""
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    return any(n.split("/", 1)[-1].startswith("code/") or n.endswith("constants.pkl") for n in names)
