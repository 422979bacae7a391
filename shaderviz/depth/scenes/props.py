"""Scene parts: colours, the ``Scene`` description, and the builders every scene kind draws on:
terrain, trees, buildings, small objects, people, animals, the sun and sky light, and a camera
standing on the ground."""

from __future__ import annotations

import colorsys
import math
from dataclasses import dataclass, field

import numpy as np

from shaderviz.depth.scenes.geometry import BOX, CONE, CYLINDER, SPHERE, Mesh, _grid_tris, _lathe, rot_y

# ----------------------------------------------------------------------------- colours


def log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    """A draw spread evenly over orders of magnitude (distances, sizes, haze)."""
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def hsv(h: float, s: float, v: float) -> tuple[float, float, float]:
    return colorsys.hsv_to_rgb(h % 1.0, float(np.clip(s, 0, 1)), float(np.clip(v, 0, 1)))


def any_color(rng: np.random.Generator) -> tuple[float, float, float]:
    return hsv(rng.random(), rng.uniform(0.05, 0.85), rng.uniform(0.15, 0.95))


def earth_color(rng: np.random.Generator) -> tuple[float, float, float]:
    return hsv(rng.uniform(0.05, 0.35), rng.uniform(0.2, 0.7), rng.uniform(0.2, 0.65))


def skin_color(rng: np.random.Generator) -> tuple[float, float, float]:
    return hsv(rng.uniform(0.03, 0.09), rng.uniform(0.25, 0.6), rng.uniform(0.3, 0.95))


def fur_color(rng: np.random.Generator) -> tuple[float, float, float]:
    if rng.random() < 0.2:
        return hsv(0, 0, rng.uniform(0.05, 0.95))
    return hsv(rng.uniform(0.04, 0.12), rng.uniform(0.2, 0.8), rng.uniform(0.15, 0.85))


# ----------------------------------------------------------------------------- scene


@dataclass
class Scene:
    mesh: Mesh
    eye: np.ndarray
    target: np.ndarray
    fov: float
    roll: float = 0.0
    sky: bool = True
    haze: float = 0.002
    shadow_center: np.ndarray | None = None
    shadow_half: float = 30.0
    focus: float | None = None  # distance in focus for depth of field, None = random
    near: float = 0.05
    far: float = 4000.0
    light: dict = field(default_factory=dict)


def _terrain(
    mesh: Mesh,
    rng: np.random.Generator,
    center: np.ndarray,
    extent: float,
    flat_r: float,
    mountains: float,
    color,
    tex: int = 1,
    res: int = 120,
) -> callable:
    """A heightfield around ``center``, denser near it; mountains grow with distance."""
    u = np.linspace(-1, 1, res)
    u = np.sign(u) * np.abs(u) ** 2.2 * extent
    x, z = np.meshgrid(u + center[0], u + center[2], indexing="ij")
    waves = [(rng.normal(size=2), rng.uniform(0.002, 0.03), rng.uniform(0, 6.3)) for _ in range(6)]
    bumps = [(rng.normal(size=2), rng.uniform(0.05, 0.4), rng.uniform(0, 6.3)) for _ in range(4)]
    bump_amp = rng.uniform(0.0, 0.6)

    def height(px: np.ndarray, pz: np.ndarray) -> np.ndarray:
        r = np.hypot(px - center[0], pz - center[2])
        h = np.zeros_like(px)
        for d, f, ph in waves:
            d = d / np.linalg.norm(d)
            h += np.abs(np.sin((px * d[0] + pz * d[1]) * f + ph)) / 6
        far = np.clip((r - flat_r) / (extent * 0.35), 0, 1) ** 1.5
        b = sum(np.sin((px * d[0] + pz * d[1]) * f + ph) for d, f, ph in bumps) / 4
        return mountains * far * h + bump_amp * b

    y = height(x, z)
    eps = 0.5
    nx = -(height(x + eps, z) - height(x - eps, z)) / (2 * eps)
    nz = -(height(x, z + eps) - height(x, z - eps)) / (2 * eps)
    nrm = np.stack([nx, np.ones_like(nx), nz], -1)
    nrm /= np.linalg.norm(nrm, axis=-1, keepdims=True)
    pos = np.stack([x, y, z], -1).reshape(-1, 3)
    nrm = nrm.reshape(-1, 3)
    # colour: lower greener/browner, high far slopes rocky / snowy
    base = np.asarray(color)
    rock = np.array(hsv(rng.uniform(0.05, 0.12), rng.uniform(0.05, 0.3), rng.uniform(0.3, 0.6)))
    snow_h = mountains * rng.uniform(0.5, 1.2)
    hy = pos[:, 1:2]
    steep = 1 - nrm[:, 1:2]
    col = base + (rock - base) * np.clip(steep * 3 + hy / (mountains + 1e-6) * 0.5, 0, 1)
    if rng.random() < 0.35 and mountains > 20:
        col = np.where(hy > snow_h, np.array([0.92, 0.93, 0.96]), col)
    idx = _grid_tris(res, res)
    mesh.add_tris(pos[idx], nrm[idx], None, tex, rng.uniform(0.3, 2.0), rng.uniform(0, 100), col[idx])
    return height


def _tree(mesh: Mesh, rng: np.random.Generator, x: float, y: float, z: float, h: float) -> None:
    trunk = hsv(rng.uniform(0.05, 0.1), rng.uniform(0.3, 0.6), rng.uniform(0.15, 0.4))
    leaf = hsv(rng.uniform(0.18, 0.36), rng.uniform(0.35, 0.8), rng.uniform(0.15, 0.55))
    r = h * rng.uniform(0.02, 0.05)
    mesh.add(CYLINDER, (r, h * 0.6, r), (x, y, z), color=trunk, tex=2, tex_scale=4, seed=rng.random())
    if rng.random() < 0.4:  # conifer
        for k in range(3):
            mesh.add(
                CONE,
                (h * (0.3 - 0.06 * k), h * 0.35, h * (0.3 - 0.06 * k)),
                (x, y + h * (0.3 + 0.2 * k), z),
                color=leaf,
                tex=5,
                tex_scale=3,
                seed=rng.random(),
            )
    else:
        for _ in range(rng.integers(1, 4)):
            c = rng.uniform(0.25, 0.4) * h
            off = rng.normal(size=3) * h * 0.08
            mesh.add(
                SPHERE,
                (c, c * rng.uniform(0.7, 1.0), c),
                (x + off[0], y + h * 0.7 + off[1], z + off[2]),
                color=leaf,
                tex=5,
                tex_scale=rng.uniform(2, 6),
                seed=rng.random(),
                jitter=0.15,
                rng=rng,
            )


def _building(
    mesh: Mesh,
    rng: np.random.Generator,
    x: float,
    y: float,
    z: float,
    w: float,
    d: float,
    h: float,
    yaw: float,
) -> None:
    col = hsv(rng.uniform(0.0, 0.15), rng.uniform(0.0, 0.4), rng.uniform(0.3, 0.9))
    tex = 6 if rng.random() < 0.7 else 4
    mesh.add(BOX, (w, h, d), (x, y + h / 2, z), rot_y(yaw), col, tex, rng.uniform(0.25, 0.4), rng.random())
    if rng.random() < 0.4:  # roof
        mesh.add(
            BOX,
            (w * 1.05, h * 0.05, d * 1.05),
            (x, y + h, z),
            rot_y(yaw),
            hsv(0.02, 0.3, rng.uniform(0.1, 0.4)),
            1,
            2.0,
            rng.random(),
        )


def _object(mesh: Mesh, rng: np.random.Generator, at, size: float, kinds=None) -> float:
    """A random small object standing on y=at[1]; returns its height."""
    kind = rng.choice(kinds or ["box", "sphere", "cylinder", "cone", "vase", "rock", "pole"])
    col = any_color(rng)
    tex = int(rng.choice([0, 0, 1, 2, 3, 5]))
    ts = rng.uniform(1, 8) / max(size, 0.05)
    seed = rng.random()
    x, y, z = at
    yaw = rot_y(rng.uniform(0, 6.3))
    if kind == "box":
        s = size * rng.uniform(0.4, 1.2, 3)
        mesh.add(BOX, s, (x, y + s[1] / 2, z), yaw, col, tex, ts, seed)
        return s[1]
    if kind == "sphere":
        r = size * rng.uniform(0.3, 0.6)
        mesh.add(SPHERE, (r, r, r), (x, y + r, z), yaw, col, tex, ts, seed)
        return 2 * r
    if kind == "rock":
        r = size * rng.uniform(0.3, 0.7)
        mesh.add(
            SPHERE,
            (r, r * rng.uniform(0.4, 0.9), r * rng.uniform(0.7, 1.2)),
            (x, y + r * 0.3, z),
            yaw,
            hsv(0.08, rng.uniform(0, 0.2), rng.uniform(0.25, 0.7)),
            1,
            ts,
            seed,
            jitter=0.25,
            rng=rng,
        )
        return r
    if kind == "pole":
        h = size * rng.uniform(2, 6)
        r = size * rng.uniform(0.02, 0.06)
        mesh.add(CYLINDER, (r, h, r), (x, y, z), None, col, 0, ts, seed)
        return h
    if kind == "cone":
        r = size * rng.uniform(0.2, 0.5)
        h = size * rng.uniform(0.5, 1.4)
        mesh.add(CONE, (r, h, r), (x, y, z), None, col, tex, ts, seed)
        return h
    if kind == "vase":
        t = np.linspace(0, 1, 12)
        a, b = rng.uniform(0.2, 0.5), rng.uniform(0.05, 0.25)
        r = 0.25 + a * np.sin(np.pi * t * rng.uniform(0.8, 1.6)) ** 2 + b * t
        prof = np.stack([np.r_[0, r, 0], np.r_[0, t, 1]], -1)
        h = size * rng.uniform(0.6, 1.5)
        mesh.add(_lathe(prof, 18), (size * 0.5, h, size * 0.5), (x, y, z), None, col, tex, ts, seed)
        return h
    r = size * rng.uniform(0.2, 0.5)
    h = size * rng.uniform(0.3, 1.5)
    mesh.add(CYLINDER, (r, h, r), (x, y, z), None, col, tex, ts, seed)
    return h


def _person(mesh: Mesh, rng: np.random.Generator, at: np.ndarray, yaw: float, s: float = 1.0) -> None:
    """Head and shoulders (+ torso); ``at`` is the base of the torso."""
    R = rot_y(yaw)
    skin, cloth = skin_color(rng), any_color(rng)
    hair = hsv(rng.uniform(0.02, 0.1), rng.uniform(0.2, 0.7), rng.uniform(0.03, 0.6))
    sh = rng.uniform(0.18, 0.25) * s

    def put(shape, scale, off, col, tex=0, ts=5.0, jitter=0.0):
        mesh.add(shape, scale, at + R @ (np.asarray(off) * s), R, col, tex, ts, rng.random(), jitter, rng)

    put(SPHERE, (sh * 1.0, 0.45 * s, 0.12 * s), (0, 0.25, 0), cloth, int(rng.choice([0, 1, 2, 3])), 10)
    put(SPHERE, (sh, 0.09 * s, 0.12 * s), (0, 0.62, 0), cloth)
    put(CYLINDER, (0.05 * s, 0.12 * s, 0.05 * s), (0, 0.62, 0), skin)
    hw = rng.uniform(0.085, 0.1)
    put(SPHERE, (hw * s, 0.12 * s, 0.1 * s), (0, 0.82, 0.005), skin)
    put(SPHERE, (0.015 * s, 0.02 * s, 0.02 * s), (0, 0.80, 0.1), skin)  # nose
    for ex in (-0.035, 0.035):
        put(SPHERE, (0.012 * s, 0.008 * s, 0.006 * s), (ex, 0.84, 0.088), (0.05, 0.04, 0.04))
    if rng.random() < 0.85:
        put(SPHERE, (hw * 1.08 * s, 0.1 * s, 0.1 * s), (0, 0.87, -0.015), hair, 5, 40, 0.05)
        if rng.random() < 0.4:
            put(SPHERE, (hw * 1.1 * s, 0.2 * s, 0.06 * s), (0, 0.72, -0.06), hair, 5, 40, 0.05)


def _animal(mesh: Mesh, rng: np.random.Generator, at: np.ndarray, yaw: float, s: float = 1.0) -> None:
    """A four-legged, cat/dog/horse-like shape standing on ``at``."""
    R = rot_y(yaw)
    fur = fur_color(rng)
    leg = rng.uniform(0.25, 0.5)
    bl = rng.uniform(0.35, 0.6)

    def put(shape, scale, off, col=fur, tex=5, ts=30.0, jitter=0.0):
        mesh.add(
            shape,
            np.asarray(scale) * s,
            at + R @ (np.asarray(off) * s),
            R,
            col,
            tex,
            ts / s,
            rng.random(),
            jitter,
            rng,
        )

    put(SPHERE, (bl, 0.17, 0.15), (0, leg + 0.12, 0), jitter=0.05)
    for lx in (-bl * 0.65, bl * 0.65):
        for lz in (-0.08, 0.08):
            put(CYLINDER, (0.035, leg + 0.05, 0.035), (lx, 0, lz))
    neck = np.array([bl * 0.9, leg + 0.3, 0])
    put(SPHERE, (0.09, 0.16, 0.08), neck - [0.05, 0.08, 0])
    put(SPHERE, (0.12, 0.1, 0.09), neck + [0.05, 0.03, 0])
    put(SPHERE, (0.07, 0.05, 0.05), neck + [0.15, 0.0, 0])  # muzzle
    for ez in (-0.05, 0.05):
        put(CONE, (0.03, 0.08, 0.02), neck + [0.02, 0.09, ez])
        put(SPHERE, (0.012, 0.014, 0.012), neck + [0.13, 0.05, ez * 0.8], (0.05, 0.05, 0.02), 0)
    put(CYLINDER, (0.02, 0.3, 0.02), (-bl, leg + 0.1, 0))


def _sun(rng: np.random.Generator, scene: Scene, indoor: bool = False) -> None:
    elev = rng.uniform(0.12, 1.3)
    az = rng.uniform(0, 6.283)
    d = np.array([math.cos(elev) * math.cos(az), math.sin(elev), math.cos(elev) * math.sin(az)])
    warm = rng.uniform(0, 1) if elev < 0.4 else rng.uniform(0, 0.3)
    overcast = rng.random() < 0.25
    sun = np.array(hsv(0.08, warm * 0.6, 1.0)) * (0.4 if overcast else rng.uniform(1.0, 1.6))
    sky_amb = np.array(hsv(0.58, rng.uniform(0.1, 0.4), rng.uniform(0.25, 0.5))) * (1.5 if overcast else 1.0)
    ground_amb = np.array(hsv(0.1, 0.3, rng.uniform(0.08, 0.2)))
    if indoor:
        sun *= rng.uniform(0.4, 0.9)
        sky_amb = np.array(hsv(rng.uniform(0.05, 0.15), rng.uniform(0.0, 0.3), rng.uniform(0.3, 0.6)))
        ground_amb = sky_amb * 0.5
    zen = np.array(hsv(rng.uniform(0.55, 0.65), rng.uniform(0.3, 0.8), rng.uniform(0.5, 0.95)))
    hor = np.array(hsv(rng.uniform(0.05, 0.62), rng.uniform(0.02, 0.35), rng.uniform(0.75, 1.0)))
    if overcast:
        g = rng.uniform(0.55, 0.9)
        zen = np.array([g, g, g * 1.03]) * 0.85
        hor = np.array([g, g, g])
    if warm > 0.6 and elev < 0.4:
        hor = np.array(hsv(rng.uniform(0.02, 0.1), rng.uniform(0.3, 0.7), 1.0))
    scene.light = dict(
        sun_dir=d,
        sun_col=sun,
        sky_amb=sky_amb,
        ground_amb=ground_amb,
        zenith=zen,
        horizon=hor,
        haze_col=hor * rng.uniform(0.85, 1.0),
        cloud=np.array(hsv(0.1, 0.05, rng.uniform(0.7, 1.0))),
        cover=rng.uniform(0.35, 0.85) if not overcast else rng.uniform(0.1, 0.4),
        cloud_scale=rng.uniform(0.5, 3.0),
        seed=rng.uniform(0, 100),
    )


def _camera_on_ground(rng: np.random.Generator, height: float, pitch_deg: tuple) -> tuple:
    eye = np.array([0.0, height, 0.0])
    yaw = rng.uniform(0, 6.283)
    pitch = math.radians(rng.uniform(*pitch_deg))
    f = np.array([math.cos(pitch) * math.cos(yaw), math.sin(pitch), math.cos(pitch) * math.sin(yaw)])
    return eye, eye + f, yaw
