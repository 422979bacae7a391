"""Latent walks: a closed smooth path through a generator's latent space.

Image ``i`` of seed ``s`` has the keyframe latent ``c = N(0, I)`` drawn from
``numpy.random.default_rng([s, i])`` (so ``shaderviz generate --seed s`` and ``play``
with ``--seed s`` agree, on every platform). Around it the walk follows

    z(p) = c + radius * sum_h (a_h (cos 2πhp - 1) + b_h sin 2πhp) / h,   h = 1 .. HARMONICS

with random directions ``a_h``, ``b_h``: a smooth loop with period 1 in ``p`` that starts at
``c`` (``z(0) = c``). ``p`` counts trips around the loop; it comes from the ``speed``
parameter integrated over the loop phase, so a whole-number speed returns to the start
at the end of every loop (a seamless render) and a live walk never jumps.
"""

from __future__ import annotations

import numpy as np

HARMONICS = 3
_NORM = float(np.sqrt(sum(1.0 / h**2 for h in range(1, HARMONICS + 1))))


def keyframe(seed: int, image: int, dim: int) -> np.ndarray:
    """The latent of image ``image`` of seed ``seed``: (dim,) float32."""
    return np.random.default_rng([abs(int(seed)), int(image)]).standard_normal(dim).astype(np.float32)


def latent(seed: int, image: int, dim: int, position: float = 0.0, radius: float = 0.0) -> np.ndarray:
    """The walk's latent at ``position`` (trips around the loop; period 1)."""
    c = keyframe(seed, image, dim)
    if radius == 0.0:
        return c
    rng = np.random.default_rng([abs(int(seed)), int(image), 0x3A1C])
    directions = rng.standard_normal((HARMONICS, 2, dim))
    offset = np.zeros(dim, np.float64)
    for h in range(1, HARMONICS + 1):
        turn = 2.0 * np.pi * h * position
        a, b = directions[h - 1]
        offset += (a * (np.cos(turn) - 1.0) + b * np.sin(turn)) / h
    return (c + radius * offset / _NORM).astype(np.float32)
