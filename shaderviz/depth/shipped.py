"""The shipped depth models' files, found without torch: the live window's depth worker
finds the model and checks its ONNX export without importing it."""

from __future__ import annotations

from pathlib import Path

from shaderviz.depth import SHIPPED
from shaderviz.modelfiles import find_shipped


def shipped_path(name: str) -> Path | None:
    """The file of the shipped depth model ``name``; None if it is not one (or is missing)."""
    return find_shipped(SHIPPED.get(name))


def model_path(spec: str) -> Path:
    """A shipped model's file, or ``spec`` as a path."""
    return shipped_path(spec) or Path(spec).expanduser()
