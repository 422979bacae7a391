"""Synthetic training data: every image a model of this project learns from is made here.

One module per kind, each with ``render(seed, size) -> (H, W, 3) uint8`` that is a pure
function of its seed (numpy ``default_rng`` seeded with the kind and the seed), so a
dataset is reproducible from ``(kind, first seed, count, size)``:

- ``clouds``  — skies with cumulus / stratus / cirrus / altocumulus layers, self-shadowed;
- ``terrain`` — satellite-like tiles: height field, erosion-like gullies, water, rivers,
  land cover, fields, roads, settlements, hill shading;
- ``covers``  — book covers: palettes, bands, blocks, stripes, borders, invented glyphs.

``python -m shaderviz.synth KIND OUT --count N --size S`` writes PNGs (several worker
processes); ``shaderviz train-gan OUT`` trains on them. The depth model's RGB-D scenes
(today ``shaderviz.depth.scenes``) are the other resident-to-be of this package.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import numpy as np

# kind -> module; the GAN named in the comment is trained on it.
KINDS = {
    "clouds": "shaderviz.synth.clouds",  # gan:clouds
    "terrain": "shaderviz.synth.terrain",  # gan:landscape
    "covers": "shaderviz.synth.covers",  # gan:books
}


def renderer(kind: str) -> Callable[[int, tuple[int, int]], np.ndarray]:
    """``render(seed, (width, height))`` of a kind; KeyError for unknown kinds."""
    if kind not in KINDS:
        raise KeyError(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
    return importlib.import_module(KINDS[kind]).render


def render(kind: str, seed: int, size: tuple[int, int] = (128, 128)) -> np.ndarray:
    return renderer(kind)(seed, size)
