"""Satellite-like terrain seen from straight above: the ``landscape`` GAN's training images.

Layers, bottom up:

- **height field**: warped fbm plants, ridged multifractal mountain ranges where a
  low-frequency mask allows them;
- **erosion-like detail**: gullies that run downhill, i.e. ridged noise in a frame
  turned to follow the local slope direction, weighted by the slope (steep ground is
  carved, plains stay smooth), plus a little thermal smoothing of the lowlands;
- **water**: sea or lakes below a sea level, shallows lighter than the deep;
  **rivers**: the zero-crossing lines of a warped noise field, kept to lowland, wider
  downstream (lower), carved into the height;
- **land cover** by climate (temperate, arid, arctic, tropical, autumn): grass, forest
  with crown speckle, scrub, bare rock on steep slopes, snow above a snow line, beaches;
- **fields**: parcels of a rotated, jittered grid on flat farmland, each with its own
  crop colour and plough stripes, hedge lines between them;
- **roads**: a few gently curving polylines plus some parcel edges, pale lines that
  avoid water; small settlements of roofs along them;
- **shading**: hill shading from the height gradient under a sun direction, and at times
  thin clouds with their shadows.
"""

from __future__ import annotations

import numpy as np

from shaderviz.synth.noise import (
    box_blur,
    fbm,
    gradient,
    grid,
    lerp,
    ridged,
    smoothstep,
    to_uint8,
    value_noise,
    warp,
)

# Per climate: grass, forest, scrub/dry, rock, snow, sand, deep water, shallow water.
CLIMATES = {
    "temperate": ((0.36, 0.45, 0.22), (0.13, 0.23, 0.11), (0.52, 0.50, 0.32), (0.48, 0.45, 0.42),
                  (0.93, 0.94, 0.96), (0.80, 0.74, 0.58), (0.05, 0.13, 0.22), (0.16, 0.33, 0.38)),
    "arid": ((0.66, 0.55, 0.38), (0.38, 0.36, 0.20), (0.78, 0.62, 0.42), (0.60, 0.40, 0.28),
             (0.90, 0.86, 0.80), (0.88, 0.78, 0.58), (0.06, 0.18, 0.26), (0.22, 0.44, 0.46)),
    "arctic": ((0.55, 0.57, 0.52), (0.22, 0.28, 0.25), (0.70, 0.72, 0.72), (0.38, 0.38, 0.40),
               (0.96, 0.97, 1.00), (0.60, 0.60, 0.58), (0.04, 0.10, 0.20), (0.30, 0.45, 0.55)),
    "tropical": ((0.25, 0.47, 0.17), (0.07, 0.25, 0.09), (0.45, 0.50, 0.25), (0.42, 0.36, 0.30),
                 (0.90, 0.90, 0.90), (0.90, 0.86, 0.70), (0.03, 0.20, 0.35), (0.10, 0.55, 0.55)),
    "autumn": ((0.55, 0.48, 0.25), (0.45, 0.22, 0.08), (0.62, 0.45, 0.25), (0.46, 0.42, 0.40),
               (0.93, 0.93, 0.95), (0.78, 0.70, 0.55), (0.06, 0.12, 0.20), (0.20, 0.30, 0.34)),
}
CROPS = np.array([(0.80, 0.72, 0.38), (0.55, 0.62, 0.25), (0.40, 0.50, 0.22), (0.52, 0.40, 0.26),
                  (0.70, 0.60, 0.40), (0.30, 0.42, 0.18), (0.85, 0.80, 0.55), (0.45, 0.35, 0.25)],
                 np.float32)


def _height(rng: np.random.Generator, x: np.ndarray, y: np.ndarray, scale: float) -> np.ndarray:
    wx, wy = warp(rng, x, y, scale * 0.5, float(rng.uniform(0.05, 0.5)))
    plains = fbm(rng, wx, wy, scale, 6)
    mountains = ridged(rng, wx, wy, scale * 1.3, 6)
    mask = smoothstep(0.35, 0.75, fbm(rng, x, y, scale * 0.35, 3) + rng.uniform(-0.25, 0.25))
    return plains * 0.65 + mountains * mask * float(rng.uniform(0.3, 0.8))


def _erode(rng: np.random.Generator, h: np.ndarray, x: np.ndarray, y: np.ndarray, scale: float) -> np.ndarray:
    """Gullies along the slope: ridged noise stretched downhill, deeper where it is steep."""
    gx, gy = gradient(box_blur(h, max(1, h.shape[0] // 64)))
    slope = np.hypot(gx, gy) * h.shape[0]
    nx, ny = gx / (slope / h.shape[0] + 1e-6), gy / (slope / h.shape[0] + 1e-6)
    across = x * ny - y * nx  # constant along a line running downhill
    along = x * nx + y * ny
    gullies = ridged(rng, across * 4.0, along * 0.6, scale * 3.0, 4)
    depth = smoothstep(0.5, 4.0, slope) * float(rng.uniform(0.03, 0.09))
    eroded = h - gullies * depth
    low = box_blur(eroded, 1)
    flat = 1.0 - smoothstep(0.5, 2.0, slope)
    return eroded * (1.0 - flat * 0.5) + low * flat * 0.5


def _rivers(rng: np.random.Generator, x: np.ndarray, y: np.ndarray, h: np.ndarray, sea: float,
            scale: float) -> np.ndarray:
    """River coverage 0..1: thin where high, wider downstream, only above the sea."""
    wx, wy = warp(rng, x, y, scale * 0.6, 0.35)
    line = np.abs(fbm(rng, wx, wy, scale * 0.5, 4) - 0.5)
    lowland = 1.0 - smoothstep(sea + 0.08, sea + 0.3, h)
    width = (0.004 + 0.012 * lowland) * float(rng.uniform(0.6, 1.6))
    on_land = smoothstep(sea - 0.01, sea + 0.02, h) * (lowland > 0.05)
    return (1.0 - smoothstep(width * 0.6, width, line)) * on_land


def _fields(rng: np.random.Generator, x: np.ndarray, y: np.ndarray, size: float) -> tuple[np.ndarray, ...]:
    """Parcels of a rotated, row-jittered grid: (colour HxWx3, hedge mask, stripe shade)."""
    angle = rng.uniform(0, np.pi)
    u = x * np.cos(angle) + y * np.sin(angle)
    v = -x * np.sin(angle) + y * np.cos(angle)
    rows = np.floor(v / size)
    u = u + (value_noise(rng, rows * 0.37, rows * 0.0, 1.0) * size * 3)
    cw = size * rng.uniform(1.0, 3.0)
    cols = np.floor(u / cw)
    cell = (rows * 7919 + cols * 104729).astype(np.int64) % 65521
    pick = np.random.default_rng(int(rng.integers(1 << 30))).random((65521, 3)).astype(np.float32)
    colour = CROPS[(pick[cell, 0] * len(CROPS)).astype(np.int64)]
    colour = colour * (0.85 + 0.3 * pick[cell, 1:2])
    fu, fv = u / cw - cols, v / size - rows
    hedge = np.minimum(np.minimum(fu, 1 - fu) * cw, np.minimum(fv, 1 - fv) * size)
    stripe_dir = pick[cell, 2] > 0.5
    stripes = np.sin(np.where(stripe_dir, u, v) * (np.pi * 2 / (size * 0.08)))
    return colour, hedge, stripes, cols, rows


def _roads(rng: np.random.Generator, x: np.ndarray, y: np.ndarray, count: int) -> np.ndarray:
    """Distance to the nearest of ``count`` curving roads."""
    width = float(x.max())
    dist = np.full(x.shape, np.inf, np.float32)
    for _ in range(count):
        start = rng.random(2) * [width, 1.0]
        heading = rng.uniform(0, 2 * np.pi)
        points = [start]
        for _ in range(12):
            heading += rng.normal(0, 0.35)
            points.append(points[-1] + 0.12 * np.array([np.cos(heading), np.sin(heading)]))
        for a, b in zip(points[:-1], points[1:], strict=True):
            ab = b - a
            t = np.clip(((x - a[0]) * ab[0] + (y - a[1]) * ab[1]) / (ab @ ab), 0, 1)
            dist = np.minimum(dist, np.hypot(x - a[0] - t * ab[0], y - a[1] - t * ab[1]))
    return dist


def render(seed: int, size: tuple[int, int] = (128, 128)) -> np.ndarray:
    """One satellite-like tile as (H, W, 3) uint8; the same seed gives the same pixels."""
    width, height = size
    rng = np.random.default_rng([0x7E44, seed])
    climate = list(CLIMATES)[int(rng.choice(len(CLIMATES), p=[0.4, 0.2, 0.1, 0.15, 0.15]))]
    grass, forest, dry, rock, snow, sand, deep, shallow = (np.array(c, np.float32) for c in CLIMATES[climate])
    x, y = grid(height, width)
    scale = float(rng.uniform(1.2, 4.0))  # zoom: larger = more land per tile
    h = _erode(rng, _height(rng, x, y, scale), x, y, scale)
    h = (h - h.min()) / max(float(np.ptp(h)), 1e-6)
    water_share = float(rng.choice([0.0, rng.uniform(0.03, 0.2), rng.uniform(0.2, 0.5)], p=[0.4, 0.3, 0.3]))
    sea = float(np.quantile(h, water_share)) if water_share > 0 else -0.05
    river = _rivers(rng, x, y, h, sea, scale) if rng.random() < 0.7 else np.zeros_like(h)
    h = h - river * 0.03
    gx, gy = gradient(h)
    slope = np.hypot(gx, gy) * height
    moisture = fbm(rng, x, y, scale * 1.5, 5)
    # Land cover: grass -> dry by moisture, forest patches, rock on steep slopes, snow high.
    land = lerp(dry, grass, smoothstep(0.35, 0.6, moisture))
    forest_mask = smoothstep(0.5, 0.56, fbm(rng, x, y, scale * 2.5, 5) + (moisture - 0.5) * 0.6)
    crowns = value_noise(rng, x, y, height * 0.35) * 0.5 + 0.75
    land = lerp(land, forest * crowns[..., None], forest_mask)
    flat = 1.0 - smoothstep(1.0, 3.0, slope)
    farmland = (smoothstep(0.45, 0.55, fbm(rng, x, y, scale * 0.8, 3)) * flat
                * (h < sea + 0.45) * (rng.random() < 0.65))
    if farmland.any():
        colour, hedge, stripes, _, _ = _fields(rng, x, y, float(rng.uniform(0.03, 0.09)))
        crop = colour * (1.0 + 0.06 * stripes[..., None])
        crop = lerp(crop, forest * 0.9, 1.0 - smoothstep(0.0, 0.004, hedge) * 1.0)
        land = lerp(land, crop, farmland * (1.0 - forest_mask * 0.7))
    land = lerp(land, rock, smoothstep(4.0, 9.0, slope) * 0.85)
    snowline = float(rng.uniform(0.7, 1.1)) if climate != "arctic" else float(rng.uniform(0.35, 0.7))
    land = lerp(land, snow, smoothstep(snowline, snowline + 0.08, h + 0.1 * (moisture - 0.5)))
    land = lerp(land, sand, (1.0 - smoothstep(sea + 0.005, sea + 0.025, h)) * (rng.random() < 0.8))
    roads = _roads(rng, x, y, int(rng.integers(0, 4)))
    road_mask = (1.0 - smoothstep(0.0025, 0.005, roads)) * (h > sea + 0.01)
    land = lerp(land, np.array((0.72, 0.70, 0.66), np.float32), road_mask * 0.9)
    if rng.random() < 0.5:  # a settlement: roofs near a road
        near = (roads < 0.05) * smoothstep(0.55, 0.6, fbm(rng, x, y, scale * 2.0, 2)) * (h > sea + 0.02)
        roofs = value_noise(rng, x, y, height / 3.0)
        roof_colour = lerp(np.array((0.55, 0.30, 0.25), np.float32), np.array((0.65, 0.64, 0.62), np.float32),
                           roofs > 0.5)
        land = lerp(land, roof_colour, near * (roofs > 0.35))
    # Hill shading.
    sun = rng.uniform(0, 2 * np.pi)
    relief = float(rng.uniform(3.0, 9.0))
    nx, ny = -gx * height * relief * 0.1, -gy * height * relief * 0.1
    shade = (nx * np.cos(sun) + ny * np.sin(sun) + 1.0) / np.sqrt(nx * nx + ny * ny + 1.0)
    land = land * np.clip(0.55 + 0.45 * shade, 0.25, 1.4)[..., None]
    depth = smoothstep(0.0, 0.15, sea - h)
    water = lerp(shallow, deep, depth) * (0.95 + 0.1 * value_noise(rng, x, y, 30))[..., None]
    water_mask = np.maximum(1.0 - smoothstep(sea - 0.004, sea, h), river)
    rgb = lerp(land, water, water_mask)
    if rng.random() < 0.2:  # thin clouds and their shadows
        cloud = smoothstep(0.55, 0.75, fbm(rng, x, y, scale * 1.2, 5))
        shadow = np.roll(cloud, (height // 20, width // 20), axis=(0, 1))
        rgb = rgb * (1.0 - 0.35 * shadow[..., None])
        rgb = lerp(rgb, np.array((0.95, 0.95, 0.96), np.float32), cloud * 0.85)
    haze = float(rng.uniform(0.0, 0.15))
    rgb = rgb * (1 - haze) + haze * np.array((0.6, 0.65, 0.72), np.float32)
    return to_uint8(rgb + rng.normal(0, 0.012, rgb.shape).astype(np.float32))
