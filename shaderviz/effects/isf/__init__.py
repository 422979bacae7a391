"""ISF (Interactive Shader Format) v2 files as shaderviz effects: see loader.py."""

from shaderviz.effects.isf.loader import IsfInfo, read_isf

__all__ = ["IsfInfo", "read_isf"]
