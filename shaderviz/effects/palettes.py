"""Named colour palettes (gradient maps), the one table used by every palette effect.

The renderer uploads them as a texture (one row per palette, 256 entries); a choice
parameter declared with ``"values": "palettes"`` chooses a row by name.
"""

from __future__ import annotations

import numpy as np

PALETTES: dict[str, tuple[str, ...]] = {
    "fire": ("#000000", "#5a0a0a", "#d0300c", "#ffa620", "#fff6c8"),
    "ocean": ("#020816", "#0b2a5c", "#157a9c", "#62d1c4", "#effcf6"),
    "acid": ("#12002b", "#7a00c4", "#ff2ea6", "#c8ff00", "#f4fff0"),
    "thermal": ("#000010", "#3b0f70", "#b5367a", "#fb8861", "#fcfdbf"),
    "viridis": ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"),
    "vapor": ("#1a0533", "#ff4fd8", "#6ef2ff", "#fff06e", "#ffffff"),
    "mono": ("#000000", "#404040", "#808080", "#c0c0c0", "#ffffff"),
}

LUT_SIZE = 256


def palette_names() -> tuple[str, ...]:
    return tuple(PALETTES)


def palette_lut(name: str) -> np.ndarray:
    """(256, 3) float32 in 0..1: the stops spread evenly, linear in between."""
    stops = np.array(
        [[int(h[i : i + 2], 16) / 255.0 for i in (1, 3, 5)] for h in PALETTES[name]],
        dtype=np.float64,
    )
    x = np.linspace(0.0, 1.0, LUT_SIZE)
    xp = np.linspace(0.0, 1.0, len(stops))
    return np.stack([np.interp(x, xp, stops[:, c]) for c in range(3)], axis=1).astype(np.float32)


def palette_texture_rgba() -> np.ndarray:
    """(n_palettes, 256, 4) uint8: what the renderer uploads (row i = palette i)."""
    rows = [palette_lut(name) for name in PALETTES]
    rgb = np.round(np.stack(rows) * 255.0).astype(np.uint8)
    alpha = np.full(rgb.shape[:2] + (1,), 255, np.uint8)
    return np.concatenate([rgb, alpha], axis=2)
