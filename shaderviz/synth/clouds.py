"""Procedural clouds: the training images of the ``clouds`` GAN.

A sky gradient (day, dusk, night, overcast, pastel or acid palettes) under one or two
cloud layers: puffy cumulus (warped fbm with a coverage threshold), flat stratus
(stretched horizontally), wispy cirrus (strongly stretched along a random direction) or
cellular altocumulus (Voronoi cells). Each layer is lit from a sun direction by marching
the density towards it (self-shadowing), with bright rims where the cloud thins out.
Half of the skies are seen at an angle (perspective squash towards a horizon), so the
images range from photographic to nearly abstract noise, as the essay's clouds do.
"""

from __future__ import annotations

import numpy as np

from shaderviz.synth.noise import (
    box_blur,
    fbm,
    grid,
    hsv_to_rgb,
    lerp,
    smoothstep,
    to_uint8,
    value_noise,
    voronoi,
    warp,
)

# (zenith, horizon, lit cloud, shadowed cloud) per sky; jittered per image.
SKIES = {
    "day": ((0.12, 0.32, 0.72), (0.62, 0.78, 0.95), (1.0, 0.99, 0.97), (0.55, 0.60, 0.70)),
    "dusk": ((0.20, 0.14, 0.40), (0.98, 0.56, 0.30), (1.0, 0.80, 0.60), (0.38, 0.24, 0.38)),
    "night": ((0.01, 0.02, 0.08), (0.08, 0.12, 0.25), (0.55, 0.60, 0.75), (0.05, 0.06, 0.12)),
    "overcast": ((0.48, 0.50, 0.54), (0.72, 0.74, 0.76), (0.92, 0.92, 0.93), (0.40, 0.42, 0.46)),
    "pastel": ((0.55, 0.70, 0.90), (0.95, 0.80, 0.85), (1.0, 0.97, 0.98), (0.70, 0.62, 0.75)),
    "storm": ((0.10, 0.12, 0.16), (0.35, 0.38, 0.40), (0.70, 0.72, 0.74), (0.12, 0.13, 0.16)),
}
SKY_WEIGHTS = {"day": 0.34, "dusk": 0.2, "night": 0.08, "overcast": 0.14, "pastel": 0.1, "storm": 0.08,
               "acid": 0.06}
LAYERS = ("cumulus", "stratus", "cirrus", "altocumulus")


def _palette(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    names = list(SKY_WEIGHTS)
    weights = np.array([SKY_WEIGHTS[n] for n in names])
    name = names[rng.choice(len(names), p=weights / weights.sum())]
    if name == "acid":  # an unnatural sky: random hues, the "almost noise" end
        h = rng.random()
        return (hsv_to_rgb(h, 0.8, 0.35), hsv_to_rgb((h + 0.3) % 1, 0.7, 0.9),
                hsv_to_rgb((h + 0.55) % 1, 0.3, 1.0), hsv_to_rgb((h + 0.8) % 1, 0.6, 0.4))
    jitter = rng.normal(0.0, 0.04, (4, 3)).astype(np.float32)
    return tuple(np.clip(np.array(c, np.float32) + j, 0, 1) for c, j in zip(SKIES[name], jitter, strict=True))


def _layer(rng: np.random.Generator, kind: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Cloud density 0..1 of one layer."""
    cells = float(rng.uniform(1.5, 5.0))
    if kind == "stratus":
        x, y = x * 0.35, y * 1.6
    elif kind == "cirrus":
        a = rng.uniform(0, np.pi)
        u, v = x * np.cos(a) + y * np.sin(a), -x * np.sin(a) + y * np.cos(a)
        x, y = u * 0.4, v * 2.0
        x, y = warp(rng, x, y, cells, 0.6)
    wx, wy = warp(rng, x, y, cells * 0.7, float(rng.uniform(0.1, 0.8)))
    if kind == "altocumulus":
        cells_ix, dist, edge = voronoi(rng, wx, wy, int(rng.integers(20, 90)))
        base = smoothstep(0.0, 0.08, edge) * fbm(rng, wx, wy, cells * 2, 4)
        return base * 1.4
    octaves = int(rng.integers(4, 7))
    return fbm(rng, wx, wy, cells, octaves, gain=float(rng.uniform(0.45, 0.6)))


def _shade(density: np.ndarray, sun: tuple[float, float], steps: int, strength: float) -> np.ndarray:
    """Light reaching each point: density marched towards the sun (integer pixel shifts)."""
    height, width = density.shape
    optical = np.zeros_like(density)
    for k in range(1, steps + 1):
        dy, dx = int(round(sun[1] * k * height / 48)), int(round(sun[0] * k * width / 48))
        optical += np.roll(density, (dy, dx), axis=(0, 1))
    return np.exp(-strength * optical / steps)


def render(seed: int, size: tuple[int, int] = (128, 128)) -> np.ndarray:
    """One sky as (H, W, 3) uint8; the same seed gives the same pixels."""
    width, height = size
    rng = np.random.default_rng([0xC10D, seed])
    zenith, horizon, lit, dark = _palette(rng)
    x, y = grid(height, width)
    if rng.random() < 0.5:  # seen at an angle: clouds squash towards a horizon below the frame
        tilt = float(rng.uniform(0.3, 1.2))
        y = 1.0 / (1.0 - y + tilt) - 1.0 / (1.0 + tilt)
        x = (x - width / height / 2) * (y + 0.5) * 2 + x.mean()
    rows = np.arange(height, dtype=np.float32) / max(height - 1, 1)
    sky_t = np.broadcast_to(rows[:, None], (height, width))
    rgb = lerp(zenith, horizon, sky_t ** float(rng.uniform(0.6, 2.0)))
    rgb = rgb + (value_noise(rng, x, y, 24)[..., None] - 0.5) * 0.03
    sun = (float(rng.uniform(-1, 1)), float(rng.uniform(-1, 1)))
    for index in range(int(rng.integers(1, 3))):
        kind = LAYERS[int(rng.choice(4, p=[0.45, 0.2, 0.2, 0.15]))]
        density = _layer(rng, kind, x + index * 7.3, y + index * 3.1)
        coverage = float(rng.uniform(0.35, 0.62))
        soft = float(rng.uniform(0.05, 0.3))
        alpha = smoothstep(coverage, coverage + soft, density)
        if kind == "cirrus":
            alpha *= float(rng.uniform(0.4, 0.8))
        light = _shade(alpha, sun, 6, float(rng.uniform(1.0, 4.0)))
        color = lerp(dark, lit, light)
        rim = 4.0 * alpha * (1.0 - alpha) * light
        color = color + rim[..., None] * (lit * 0.25)
        rgb = lerp(rgb, color, alpha)
    if rng.random() < 0.25:
        rgb = lerp(rgb, box_blur(rgb, 1), np.full(rgb.shape[:2], 0.7, np.float32))
    grain = rng.normal(0.0, float(rng.uniform(0.0, 0.02)), rgb.shape).astype(np.float32)
    return to_uint8(rgb + grain)
