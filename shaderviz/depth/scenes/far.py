"""Scene kinds that reach far: open terrain to a hazy horizon (``scene_landscape``), streets
between buildings (``scene_street``) and ground-level clutter at many distances (``scene_clutter``)."""

from __future__ import annotations

import math

import numpy as np

from shaderviz.depth.scenes.geometry import BOX, CYLINDER, SPHERE, Mesh, forward, rot_x, rot_y
from shaderviz.depth.scenes.props import (
    Scene,
    _animal,
    _building,
    _camera_on_ground,
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


def scene_landscape(rng: np.random.Generator) -> Scene:
    mesh = Mesh()
    cam_h = log_uniform(rng, 1.0, 40.0)
    eye, target, yaw = _camera_on_ground(rng, 0.0, (-18, 10))
    height = _terrain(
        mesh, rng, np.zeros(3), 2500.0, rng.uniform(30, 200), rng.uniform(0, 250), earth_color(rng)
    )
    eye[1] = float(height(np.array([0.0]), np.array([0.0]))[0]) + cam_h
    target = target + [0, eye[1], 0]
    fwd = np.array([math.cos(yaw), 0, math.sin(yaw)])
    side = np.array([-fwd[2], 0, fwd[0]])
    for _ in range(rng.integers(0, 40)):
        dist = log_uniform(rng, 2, 400)
        p = eye + fwd * dist + side * rng.uniform(-1, 1) * dist * 0.8
        y = float(height(np.array([p[0]]), np.array([p[2]]))[0])
        r = rng.random()
        if r < 0.55:
            _tree(mesh, rng, p[0], y - 0.2, p[2], rng.uniform(3, 18))
        elif r < 0.7:
            _building(
                mesh, rng, p[0], y - 0.5, p[2], *rng.uniform(4, 15, 2), rng.uniform(3, 20), rng.uniform(0, 3)
            )
        else:
            _object(
                mesh, rng, (p[0], y - 0.1, p[2]), rng.uniform(0.5, 3.0), ["rock", "pole", "box", "cylinder"]
            )
    if rng.random() < 0.3:  # water / lake plane
        wl = float(height(np.array([0.0]), np.array([0.0]))[0]) - rng.uniform(0.2, 3)
        mesh.add(
            BOX,
            (5000, 0.01, 5000),
            (0, wl, 0),
            None,
            hsv(0.55, 0.4, rng.uniform(0.2, 0.5)),
            0,
            0.05,
            rng.random(),
        )
    sc = Scene(
        mesh,
        eye,
        target,
        rng.uniform(40, 80),
        rng.uniform(-4, 4),
        True,
        log_uniform(rng, 2e-4, 4e-3),
        eye + fwd * 40,
        60.0,
    )
    _sun(rng, sc)
    return sc


def scene_street(rng: np.random.Generator) -> Scene:
    mesh = Mesh()
    width = rng.uniform(6, 25)
    road = hsv(0.1, rng.uniform(0, 0.15), rng.uniform(0.2, 0.5))
    mesh.add(
        BOX,
        (width, 0.02, 3000),
        (0, -0.01, 0),
        None,
        road,
        int(rng.choice([1, 3, 0])),
        rng.uniform(0.2, 1),
        rng.random(),
    )
    mesh.add(BOX, (3000, 0.02, 3000), (0, -0.05, 0), None, earth_color(rng), 1, 0.5, rng.random())
    for side in (-1, 1):
        z = -20.0
        while z < 900:
            w = rng.uniform(6, 25)
            h = log_uniform(rng, 4, 60)
            depth = rng.uniform(8, 20)
            if rng.random() < 0.85:
                _building(
                    mesh,
                    rng,
                    side * (width / 2 + rng.uniform(1, 5) + depth / 2),
                    0,
                    z + w / 2,
                    depth,
                    w,
                    h,
                    0,
                )
            z += w + rng.uniform(0, 6)
        for z in np.arange(rng.uniform(0, 20), 300, rng.uniform(8, 30)):
            if rng.random() < 0.6:
                _object(mesh, rng, (side * (width / 2 + 0.6), 0, z), rng.uniform(0.8, 1.5), ["pole"])
            if rng.random() < 0.3:
                _tree(mesh, rng, side * (width / 2 + 1.5), 0, z + 3, rng.uniform(4, 10))
    for _ in range(rng.integers(0, 12)):  # cars / boxes / people on the street
        z = log_uniform(rng, 3, 200)
        x = rng.uniform(-width / 2 + 1, width / 2 - 1)
        if rng.random() < 0.6:
            c = any_color(rng)
            mesh.add(BOX, (1.8, 1.0, 4.2), (x, 0.6, z), None, c, 0, 1, rng.random())
            mesh.add(BOX, (1.6, 0.6, 2.2), (x, 1.3, z - 0.2), None, (0.1, 0.12, 0.15), 0, 1, rng.random())
        else:
            _person(mesh, rng, np.array([x, 0.9, z]), rng.uniform(0, 6.3), rng.uniform(0.9, 1.1) * 1.0)
            mesh.add(CYLINDER, (0.15, 0.9, 0.15), (x, 0, z), None, any_color(rng), 0, 1, 0)
    eye = np.array(
        [rng.uniform(-width / 2 + 1, width / 2 - 1), rng.uniform(1.2, 12), -5 - rng.uniform(0, 15)]
    )
    yaw = math.radians(rng.uniform(-35, 35))
    pitch = math.radians(rng.uniform(-15, 20))
    fwd = forward(yaw, pitch)
    sc = Scene(
        mesh,
        eye,
        eye + fwd,
        rng.uniform(40, 80),
        rng.uniform(-4, 4),
        True,
        log_uniform(rng, 5e-4, 6e-3),
        eye + fwd * 40,
        70.0,
    )
    _sun(rng, sc)
    return sc


def scene_clutter(rng: np.random.Generator) -> Scene:
    mesh = Mesh()
    eye, target, yaw = _camera_on_ground(rng, rng.uniform(0.3, 3), (-25, 15))
    fwd = np.array([math.cos(yaw), 0, math.sin(yaw)])
    side = np.array([-fwd[2], 0, fwd[0]])
    sky = True
    if rng.random() < 0.5:
        mesh.add(
            BOX,
            (6000, 0.02, 6000),
            (0, -0.01, 0),
            None,
            earth_color(rng),
            int(rng.choice([1, 3, 2, 5])),
            rng.uniform(0.2, 2),
            rng.random(),
        )
    else:
        _terrain(mesh, rng, np.zeros(3), 2500.0, rng.uniform(40, 200), rng.uniform(0, 200), earth_color(rng))
    if rng.random() < 0.3:
        back = rng.uniform(8, 40)
        c = eye + fwd * back
        mesh.add(
            BOX,
            (200, 50, 0.2),
            (c[0], 25, c[2]),
            rot_y(math.atan2(fwd[0], fwd[2])),
            any_color(rng),
            int(rng.choice([0, 4, 6, 1])),
            rng.uniform(0.2, 2),
            rng.random(),
        )
    for _ in range(rng.integers(8, 50)):
        dd = log_uniform(rng, 0.8, 120)
        p = eye + fwd * dd + side * rng.uniform(-0.9, 0.9) * dd
        r = rng.random()
        if r < 0.2:
            _tree(mesh, rng, p[0], 0, p[2], rng.uniform(2, 14))
        elif r < 0.3:
            _building(mesh, rng, p[0], 0, p[2], *rng.uniform(3, 12, 2), rng.uniform(3, 20), rng.uniform(0, 3))
        elif r < 0.38:
            _person(mesh, rng, np.array([p[0], 0.9, p[2]]), rng.uniform(0, 6.3))
            mesh.add(CYLINDER, (0.15, 0.9, 0.15), (p[0], 0, p[2]), None, any_color(rng), 0, 1, 0)
        elif r < 0.45:
            _animal(mesh, rng, np.array([p[0], 0, p[2]]), rng.uniform(0, 6.3), rng.uniform(0.5, 1.5))
        elif r < 0.55:  # floating shape (no ground contact cue)
            s = rng.uniform(0.2, 2) * max(1, dd / 10)
            mesh.add(
                SPHERE if rng.random() < 0.5 else BOX,
                (s, s, s),
                (p[0], eye[1] + rng.uniform(-1, 3) * s, p[2]),
                rot_y(rng.uniform(0, 6)) @ rot_x(rng.uniform(0, 1)),
                any_color(rng),
                int(rng.choice([0, 1, 3, 5])),
                rng.uniform(1, 5) / s,
                rng.random(),
            )
        else:
            _object(mesh, rng, (p[0], 0, p[2]), rng.uniform(0.2, 1.5) * max(1, dd / 15))
    sc = Scene(
        mesh,
        eye,
        target,
        rng.uniform(35, 85),
        rng.uniform(-5, 5),
        sky,
        log_uniform(rng, 3e-4, 8e-3),
        eye + fwd * 20,
        40.0,
    )
    _sun(rng, sc)
    return sc
