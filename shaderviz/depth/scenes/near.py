"""Scene kinds at close range: rooms and corridors (``scene_room``), close-ups of one or two
large subjects in front of a wall or a landscape (``scene_closeup``) and tabletops seen from
above (``scene_tabletop``), with the room shell, table and close-up background they share."""

from __future__ import annotations

import math

import numpy as np

from shaderviz.depth.scenes.geometry import BOX, CYLINDER, Mesh, forward, rot_y
from shaderviz.depth.scenes.props import (
    Scene,
    _animal,
    _building,
    _object,
    _person,
    _sun,
    _terrain,
    _tree,
    any_color,
    earth_color,
    hsv,
    log_uniform,
)


def _room_shell(mesh: Mesh, rng: np.random.Generator, w: float, d: float, h: float) -> None:
    floor = hsv(rng.uniform(0.03, 0.12), rng.uniform(0.1, 0.6), rng.uniform(0.2, 0.8))
    wall = (
        any_color(rng)
        if rng.random() < 0.4
        else hsv(rng.uniform(0, 0.15), rng.uniform(0, 0.2), rng.uniform(0.5, 0.95))
    )
    ft = int(rng.choice([2, 3, 1, 0]))
    wt = int(rng.choice([0, 0, 4, 2, 1]))
    mesh.add(BOX, (w, 0.02, d), (0, -0.01, 0), None, floor, ft, rng.uniform(0.8, 3), rng.random())
    mesh.add(BOX, (w, 0.02, d), (0, h, 0), None, hsv(0.1, 0.05, rng.uniform(0.6, 0.95)), 0, 1, rng.random())
    for x in (-w / 2, w / 2):
        mesh.add(BOX, (0.02, h, d), (x, h / 2, 0), None, wall, wt, rng.uniform(1, 4), rng.random())
    for z in (-d / 2, d / 2):
        mesh.add(BOX, (w, h, 0.02), (0, h / 2, z), None, wall, wt, rng.uniform(1, 4), rng.random())
    for _ in range(rng.integers(0, 3)):  # windows / pictures / lamps: flat bright or coloured panels
        z = d / 2 - 0.02 if rng.random() < 0.5 else -d / 2 + 0.02
        pw, ph = rng.uniform(0.5, 2), rng.uniform(0.5, 1.5)
        emissive = rng.random() < 0.5
        mesh.add(
            BOX,
            (pw, ph, 0.02),
            (rng.uniform(-w / 3, w / 3), rng.uniform(1, h - 0.8), z),
            None,
            hsv(0.58, 0.1, 1.0) if emissive else any_color(rng),
            7 if emissive else 1,
            2,
            rng.random(),
        )


def _table(mesh: Mesh, rng: np.random.Generator, x: float, z: float, w: float, d: float, h: float) -> None:
    col = hsv(rng.uniform(0.04, 0.1), rng.uniform(0.2, 0.7), rng.uniform(0.2, 0.8))
    tex = int(rng.choice([2, 0, 3]))
    mesh.add(BOX, (w, 0.04, d), (x, h, z), None, col, tex, rng.uniform(2, 6), rng.random())
    for lx in (-w / 2 + 0.05, w / 2 - 0.05):
        for lz in (-d / 2 + 0.05, d / 2 - 0.05):
            mesh.add(BOX, (0.05, h, 0.05), (x + lx, h / 2, z + lz), None, col, tex, 3, rng.random())


def scene_room(rng: np.random.Generator) -> Scene:
    mesh = Mesh()
    corridor = rng.random() < 0.35
    w = rng.uniform(1.8, 3.5) if corridor else rng.uniform(3, 9)
    d = rng.uniform(10, 40) if corridor else rng.uniform(3, 10)
    h = rng.uniform(2.3, 4.0)
    _room_shell(mesh, rng, w, d, h)
    for _ in range(rng.integers(1, 9)):
        x, z = rng.uniform(-w / 2 + 0.4, w / 2 - 0.4), rng.uniform(-d / 2 + 0.4, d / 2 - 0.4)
        r = rng.random()
        if r < 0.3:
            tw, td, th = rng.uniform(0.6, 1.8), rng.uniform(0.5, 1.0), rng.uniform(0.45, 0.95)
            _table(mesh, rng, x, z, tw, td, th)
            for _ in range(rng.integers(0, 4)):
                _object(
                    mesh,
                    rng,
                    (x + rng.uniform(-tw / 3, tw / 3), th + 0.02, z + rng.uniform(-td / 3, td / 3)),
                    rng.uniform(0.1, 0.3),
                    ["box", "sphere", "cylinder", "vase"],
                )
        elif r < 0.5:  # shelf / cupboard against a wall
            side = rng.choice([-1, 1])
            sw, sh = rng.uniform(0.6, 2), rng.uniform(0.8, 2.2)
            mesh.add(
                BOX,
                (0.45, sh, sw),
                (side * (w / 2 - 0.25), sh / 2, z),
                None,
                any_color(rng),
                int(rng.choice([2, 0])),
                3,
                rng.random(),
            )
        elif r < 0.65:
            _person(mesh, rng, np.array([x, 0.9, z]), rng.uniform(0, 6.3))
            mesh.add(CYLINDER, (0.15, 0.9, 0.15), (x, 0, z), None, any_color(rng), 0, 1, 0)
        else:
            _object(mesh, rng, (x, 0, z), rng.uniform(0.3, 1.0))
    eye = np.array(
        [rng.uniform(-w / 4, w / 4), rng.uniform(1.0, min(2.0, h - 0.3)), -d / 2 + rng.uniform(0.3, 1.5)]
    )
    yaw = math.radians(rng.uniform(-25, 25) if corridor else rng.uniform(-50, 50))
    pitch = math.radians(rng.uniform(-30, 15))
    fwd = forward(yaw, pitch)
    sc = Scene(
        mesh,
        eye,
        eye + fwd,
        rng.uniform(45, 85),
        rng.uniform(-4, 4),
        False,
        rng.uniform(0, 0.01),
        np.array([0, 0, 0.0]),
        max(w, d) * 0.6,
    )
    _sun(rng, sc, indoor=True)
    return sc


def _background(mesh: Mesh, rng: np.random.Generator, eye: np.ndarray, fwd: np.ndarray, dist: float) -> bool:
    """Behind a close-up: a wall, a room, or open land with sky. Returns whether sky shows."""
    r = rng.random()
    if r < 0.35:
        side = np.array([-fwd[2], 0, fwd[0]])
        c = eye + fwd * dist
        yaw = math.atan2(fwd[0], fwd[2])
        mesh.add(
            BOX,
            (60, 40, 0.1),
            (c[0], 10, c[2]),
            rot_y(yaw),
            any_color(rng),
            int(rng.choice([0, 1, 4, 2, 3, 5])),
            rng.uniform(0.5, 5),
            rng.random(),
        )
        mesh.add(
            BOX,
            (200, 0.02, 200),
            (eye[0], -0.01, eye[2]),
            None,
            earth_color(rng),
            int(rng.choice([1, 2, 3])),
            rng.uniform(0.5, 3),
            rng.random(),
        )
        for _ in range(rng.integers(0, 5)):
            p = eye + fwd * rng.uniform(2, dist) + side * rng.uniform(-dist, dist) * 0.5
            _object(mesh, rng, (p[0], 0, p[2]), rng.uniform(0.3, 1.5))
        return False
    _terrain(mesh, rng, eye, 2500.0, rng.uniform(20, 150), rng.uniform(0, 200), earth_color(rng))
    side = np.array([-fwd[2], 0, fwd[0]])
    for _ in range(rng.integers(0, 25)):
        dd = log_uniform(rng, 4, 300)
        p = eye + fwd * dd + side * rng.uniform(-1, 1) * dd
        if rng.random() < 0.6:
            _tree(mesh, rng, p[0], -0.3, p[2], rng.uniform(3, 15))
        else:
            _building(
                mesh, rng, p[0], -0.5, p[2], *rng.uniform(4, 15, 2), rng.uniform(3, 25), rng.uniform(0, 3)
            )
    return True


def scene_closeup(rng: np.random.Generator) -> Scene:
    mesh = Mesh()
    yaw = rng.uniform(0, 6.283)
    fwd = np.array([math.cos(yaw), 0, math.sin(yaw)])
    side = np.array([-fwd[2], 0, fwd[0]])
    kind = rng.choice(["person", "animal", "object"], p=[0.4, 0.3, 0.3])
    n = 1 if rng.random() < 0.7 else 2
    dist = rng.uniform(0.6, 1.8) if kind == "person" else rng.uniform(0.7, 3.0)
    eye = np.array([0.0, 0.0, 0.0])
    subj_y = 0.0
    for i in range(n):
        off = side * ((i - (n - 1) / 2) * rng.uniform(0.4, 0.9)) + fwd * (dist + i * rng.uniform(0, 0.8))
        face = math.atan2(-fwd[0], -fwd[2]) + rng.uniform(-0.6, 0.6)
        if kind == "person":
            s = rng.uniform(0.9, 1.1)
            base = np.array([off[0], 0.9, off[2]])
            _person(mesh, rng, base, face, s)
            mesh.add(CYLINDER, (0.17, 0.9, 0.15), (off[0], 0, off[2]), None, any_color(rng), 0, 1, 0)
            subj_y = 0.9 + 0.75 * s
        elif kind == "animal":
            s = rng.uniform(0.6, 1.6)
            _animal(mesh, rng, np.array([off[0], 0, off[2]]), face + math.pi / 2 * rng.choice([-1, 1]), s)
            subj_y = 0.5 * s
        else:
            if rng.random() < 0.5:
                _table(mesh, rng, off[0], off[2], rng.uniform(1, 2), rng.uniform(0.6, 1.2), 0.75)
                y0 = 0.77
            else:
                y0 = 0.0
            hgt = _object(
                mesh, rng, (off[0], y0, off[2]), rng.uniform(0.25, 0.7), ["vase", "box", "sphere", "cylinder"]
            )
            subj_y = y0 + hgt * 0.5
    eye[1] = subj_y + rng.uniform(-0.2, 0.3)
    sky = _background(mesh, rng, eye, fwd, rng.uniform(4, 30))
    target = eye + fwd * dist + np.array([0, subj_y - eye[1], 0]) + side * rng.uniform(-0.2, 0.2)
    sc = Scene(
        mesh,
        eye,
        target,
        rng.uniform(25, 60),
        rng.uniform(-5, 5),
        sky,
        log_uniform(rng, 2e-4, 4e-3),
        eye + fwd * dist,
        15.0,
        focus=dist,
    )
    _sun(rng, sc)
    return sc


def scene_tabletop(rng: np.random.Generator) -> Scene:
    mesh = Mesh()
    indoor = rng.random() < 0.7
    if indoor:
        _room_shell(mesh, rng, rng.uniform(4, 8), rng.uniform(4, 8), rng.uniform(2.5, 3.5))
    else:
        _terrain(mesh, rng, np.zeros(3), 2000.0, 50, rng.uniform(0, 100), earth_color(rng))
    tw, td, th = rng.uniform(1.0, 2.0), rng.uniform(0.7, 1.4), rng.uniform(0.7, 0.8)
    _table(mesh, rng, 0, 0, tw, td, th)
    if rng.random() < 0.4:  # cloth / mat
        mesh.add(
            BOX,
            (tw * 0.6, 0.005, td * 0.6),
            (0, th + 0.022, 0),
            None,
            any_color(rng),
            int(rng.choice([1, 3, 2])),
            rng.uniform(5, 20),
            rng.random(),
        )
    for _ in range(rng.integers(1, 8)):
        _object(
            mesh,
            rng,
            (rng.uniform(-tw / 2.5, tw / 2.5), th + 0.02, rng.uniform(-td / 2.5, td / 2.5)),
            rng.uniform(0.06, 0.3),
            ["box", "sphere", "cylinder", "vase", "cone", "rock"],
        )
    ang = rng.uniform(0, 6.283)
    pitch = math.radians(rng.uniform(25, 85))
    r = rng.uniform(0.5, 1.6)
    eye = np.array(
        [math.cos(ang) * r * math.cos(pitch), th + r * math.sin(pitch), math.sin(ang) * r * math.cos(pitch)]
    )
    target = np.array([rng.uniform(-0.2, 0.2), th, rng.uniform(-0.2, 0.2)])
    sc = Scene(
        mesh,
        eye,
        target,
        rng.uniform(35, 70),
        rng.uniform(-6, 6),
        not indoor,
        rng.uniform(0, 0.003),
        np.array([0, th, 0]),
        3.0,
        focus=float(np.linalg.norm(target - eye)),
    )
    _sun(rng, sc, indoor=indoor)
    return sc
