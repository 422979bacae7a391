"""Scene kinds and their mix: ``KIND_WEIGHTS``, ``BUILDERS``, ``make_scene(seed)``,
``parse_weights`` (a mix from the command line) and the dusk / night relighting ``relight_dusk``.

``KIND_WEIGHTS`` is the mix the first dataset (seeds 0..8999) was rendered with and stays
as it is, so that a seed keeps giving the same scene; kinds added later (``floor``) are
drawn only when a mix names them (``--kinds``)."""

from __future__ import annotations

import math

import numpy as np

from shaderviz.depth.scenes.far import scene_clutter, scene_landscape, scene_street
from shaderviz.depth.scenes.floor import scene_floor
from shaderviz.depth.scenes.near import scene_closeup, scene_room, scene_tabletop
from shaderviz.depth.scenes.props import Scene, hsv

KIND_WEIGHTS = {
    "landscape": 0.2,
    "street": 0.14,
    "room": 0.15,
    "closeup": 0.22,
    "tabletop": 0.12,
    "clutter": 0.17,
}


BUILDERS = {
    "landscape": scene_landscape,
    "street": scene_street,
    "room": scene_room,
    "closeup": scene_closeup,
    "tabletop": scene_tabletop,
    "clutter": scene_clutter,
    "floor": scene_floor,
}


def parse_weights(text: str) -> dict[str, float]:
    """``"floor=0.4,room=0.2,closeup=0.2"`` -> a kind mix; ValueError on unknown kinds or bad numbers."""
    weights: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in BUILDERS:
            raise ValueError(f"unknown scene kind {name!r} (kinds: {', '.join(BUILDERS)})")
        w = float(value) if value.strip() else 1.0
        if not w >= 0:
            raise ValueError(f"weight of {name!r} must be >= 0, got {value!r}")
        weights[name] = w
    if not weights or sum(weights.values()) <= 0:
        raise ValueError(f"no scene kind with a positive weight in {text!r}")
    return weights


def make_scene(
    seed: int, kind: str | None = None, dusk: float = 0.0, weights: dict[str, float] | None = None
) -> tuple[Scene, str]:
    """Scene ``seed`` of ``kind`` (else drawn from ``weights``, default ``KIND_WEIGHTS``); with
    probability ``dusk`` (own random stream) relit at dusk / night."""
    rng = np.random.default_rng(seed)
    if kind is None:
        mix = weights or KIND_WEIGHTS
        names = list(mix)
        p = np.array([mix[k] for k in names])
        kind = str(rng.choice(names, p=p / p.sum()))
    scene = BUILDERS[kind](rng)
    if dusk > 0:
        r2 = np.random.default_rng([seed, 99])
        if r2.random() < dusk:
            relight_dusk(scene, r2)
    return scene, kind


def relight_dusk(scene: Scene, rng: np.random.Generator) -> None:
    """Low or set sun, dark blue zenith, glowing or dark horizon, dim ambient light."""
    L = scene.light
    elev = rng.uniform(-0.05, 0.2)
    az = rng.uniform(0, 6.283)
    L["sun_dir"] = np.array([math.cos(elev) * math.cos(az), max(elev, 0.03), math.cos(elev) * math.sin(az)])
    L["sun_col"] = np.array(hsv(rng.uniform(0.02, 0.09), rng.uniform(0.4, 0.8), 1.0)) * rng.uniform(0.0, 0.8)
    L["zenith"] = np.array(hsv(rng.uniform(0.6, 0.68), rng.uniform(0.5, 0.95), rng.uniform(0.04, 0.3)))
    if rng.random() < 0.5:
        L["horizon"] = np.array(hsv(rng.uniform(0.0, 0.11), rng.uniform(0.3, 0.8), rng.uniform(0.3, 0.8)))
    else:
        L["horizon"] = np.array(hsv(rng.uniform(0.58, 0.66), rng.uniform(0.3, 0.7), rng.uniform(0.1, 0.45)))
    L["haze_col"] = L["horizon"] * rng.uniform(0.5, 0.9)
    dim = rng.uniform(0.15, 0.5)
    L["sky_amb"] = L["sky_amb"] * dim
    L["ground_amb"] = L["ground_amb"] * dim
    L["cloud"] = L["horizon"] * rng.uniform(0.3, 1.0)
