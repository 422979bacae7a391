"""Scene kind ``floor``: large things standing on a floor, seen from standing height —
garages and workshops (a vehicle in front of shelving, benches, boxes), showrooms, yards.

Added after the first model ordered the motorcycle photo's floor well but let the bike's
upper half fade into the shelves behind it: the other kinds rarely show a big, open,
many-part object standing on a floor that recedes behind it, with a cluttered wall
further back. Built from the same primitives and textures as the other kinds.
"""

from __future__ import annotations

import math

import numpy as np

from shaderviz.depth.scenes.geometry import BOX, CYLINDER, SPHERE, Mesh, forward, rot_x, rot_y, rot_z
from shaderviz.depth.scenes.near import _room_shell, _table
from shaderviz.depth.scenes.props import (
    Scene,
    _animal,
    _building,
    _object,
    _person,
    _sun,
    _tree,
    any_color,
    hsv,
    log_uniform,
)


def _wheel(mesh: Mesh, rng: np.random.Generator, at: np.ndarray, R: np.ndarray, r: float, w: float) -> None:
    """A tyre (dark cylinder, axis across the vehicle) with a lighter hub."""
    axis = R @ rot_x(math.pi / 2)  # the unit cylinder runs along +y: turn it onto the vehicle's z
    base = at - R @ np.array([0, 0, w / 2])
    tyre = hsv(0.0, 0.0, rng.uniform(0.03, 0.15))
    mesh.add(CYLINDER, (r, w, r), base, axis, tyre, 1, 6.0, rng.random())
    hub = hsv(0.0, 0.0, rng.uniform(0.4, 0.9))
    mesh.add(CYLINDER, (r * 0.45, w * 1.1, r * 0.45), at - R @ np.array([0, 0, w * 0.55]), axis, hub, 0, 1, 0)


def _rod(mesh: Mesh, a: np.ndarray, b: np.ndarray, r: float, col, seed: float) -> None:
    """A thin cylinder from point a to point b (frames, handlebars, legs)."""
    d = b - a
    length = float(np.linalg.norm(d))
    if length < 1e-6:
        return
    y = d / length
    x = np.cross(y, [0.0, 0.0, 1.0]) if abs(y[2]) < 0.9 else np.cross(y, [1.0, 0.0, 0.0])
    x /= np.linalg.norm(x)
    z = np.cross(x, y)
    mesh.add(CYLINDER, (r, length, r), a, np.stack([x, y, z], 1), col, 0, 1, seed)


def _vehicle(mesh: Mesh, rng: np.random.Generator, at: np.ndarray, yaw: float, s: float) -> float:
    """A motorcycle-, bicycle-, cart- or car-like assembly on the floor; returns its height."""
    R = rot_y(yaw)
    body = any_color(rng) if rng.random() < 0.6 else hsv(0, 0, rng.uniform(0.02, 0.2))
    metal = hsv(0.0, 0.0, rng.uniform(0.35, 0.95))
    kind = rng.choice(["moto", "bike", "car", "cart"], p=[0.4, 0.2, 0.25, 0.15])

    def p(x: float, y: float, z: float = 0.0) -> np.ndarray:
        return at + R @ (np.array([x, y, z]) * s)

    if kind in ("moto", "bike"):
        r = rng.uniform(0.28, 0.36) if kind == "moto" else rng.uniform(0.3, 0.35)
        wb = rng.uniform(0.65, 0.8)  # half wheelbase
        tw = 0.12 if kind == "moto" else 0.04
        for x in (-wb, wb):
            _wheel(mesh, rng, p(x, r), R, r * s, tw * s)
        seat_y = r + rng.uniform(0.35, 0.55)
        rr = 0.025 if kind == "moto" else 0.015
        _rod(mesh, p(-wb, r), p(-0.1, seat_y), rr * s, metal, rng.random())
        _rod(mesh, p(wb, r), p(wb - 0.18, seat_y + 0.3), rr * s, metal, rng.random())
        _rod(mesh, p(-0.1, seat_y), p(wb - 0.15, seat_y + 0.15), rr * s, metal, rng.random())
        _rod(mesh, p(-0.1, seat_y), p(0.0, r), rr * s, metal, rng.random())
        bar = p(wb - 0.18, seat_y + 0.32)
        _rod(
            mesh,
            bar + R @ np.array([0, 0, -0.35 * s]),
            bar + R @ np.array([0, 0, 0.35 * s]),
            rr * s,
            metal,
            0,
        )
        if kind == "moto":  # tank, engine block, seat, headlight, mudguards
            mesh.add(
                SPHERE, (0.3 * s, 0.13 * s, 0.15 * s), p(0.25, seat_y + 0.08), R, body, 0, 1, rng.random()
            )
            mesh.add(BOX, (0.45 * s, 0.3 * s, 0.25 * s), p(0.05, r + 0.05), R, metal, 1, 8, rng.random())
            seat = hsv(0.0, 0.0, rng.uniform(0.02, 0.12))
            mesh.add(
                BOX, (0.5 * s, 0.08 * s, 0.24 * s), p(-0.35, seat_y + 0.02), R, seat, 1, 10, rng.random()
            )
            mesh.add(SPHERE, (0.09 * s,) * 3, p(wb - 0.05, seat_y + 0.2), R, metal, 0, 1, 0)
            for x in (-wb, wb):
                mesh.add(BOX, (0.4 * s, 0.03 * s, 0.14 * s), p(x, 2 * r + 0.05), R, body, 0, 1, 0)
        else:
            mesh.add(BOX, (0.22 * s, 0.05 * s, 0.1 * s), p(-0.1, seat_y + 0.03), R, body, 0, 1, 0)
        return (seat_y + 0.35) * s
    if kind == "car":
        length, width = rng.uniform(1.6, 2.3), rng.uniform(0.75, 0.95)
        r = rng.uniform(0.28, 0.36)
        for x in (-length * 0.65, length * 0.65):
            for z in (-width, width):
                _wheel(mesh, rng, p(x, r, z), R, r * s, 0.22 * s)
        h1 = rng.uniform(0.45, 0.7)
        mesh.add(BOX, (2 * length * s, h1 * s, 2 * width * s), p(0, r + h1 / 2), R, body, 0, 1, rng.random())
        h2 = rng.uniform(0.35, 0.55)
        glass = hsv(0.58, 0.2, rng.uniform(0.05, 0.3))
        cab = 2 * length * rng.uniform(0.4, 0.6)
        mesh.add(
            BOX,
            (cab * s, h2 * s, 2 * width * 0.9 * s),
            p(rng.uniform(-0.3, 0.1), r + h1 + h2 / 2),
            R,
            glass,
            0,
            1,
            0,
        )
        return (r + h1 + h2) * s
    # a cart / trolley / workbench on wheels: a box on four small wheels with a handle
    length, width, r = rng.uniform(0.5, 1.0), rng.uniform(0.3, 0.5), rng.uniform(0.06, 0.12)
    for x in (-length * 0.8, length * 0.8):
        for z in (-width * 0.8, width * 0.8):
            _wheel(mesh, rng, p(x, r, z), R, r * s, 0.04 * s)
    h = rng.uniform(0.3, 0.8)
    mesh.add(BOX, (2 * length * s, h * s, 2 * width * s), p(0, 2 * r + h / 2), R, body, 1, 4, rng.random())
    _rod(mesh, p(-length, 2 * r + h), p(-length - 0.2, 2 * r + h + 0.5), 0.02 * s, metal, 0)
    return (2 * r + h + 0.5) * s


def _shelving(mesh: Mesh, rng: np.random.Generator, at: np.ndarray, yaw: float, w: float, h: float) -> None:
    """An open shelving unit against a wall: uprights, 3-6 boards, boxes and things on them."""
    R = rot_y(yaw)
    depth = rng.uniform(0.3, 0.6)
    col = hsv(rng.uniform(0.0, 0.12), rng.uniform(0.0, 0.5), rng.uniform(0.15, 0.8))
    tex = int(rng.choice([0, 2, 1]))
    for x in (-w / 2, w / 2):
        mesh.add(BOX, (0.05, h, depth), at + R @ np.array([x, h / 2, 0]), R, col, tex, 3, rng.random())
    n = int(rng.integers(3, 7))
    for i in range(n):
        y = 0.1 + (h - 0.15) * i / (n - 1)
        mesh.add(BOX, (w, 0.03, depth), at + R @ np.array([0, y, 0]), R, col, tex, 3, rng.random())
        if i == n - 1:
            break
        gap = (h - 0.15) / (n - 1)
        x = -w / 2 + 0.05
        while x < w / 2 - 0.1:
            bw = rng.uniform(0.1, 0.5)
            if rng.random() < 0.7 and x + bw < w / 2:
                bh = rng.uniform(0.2, 0.9) * gap
                mesh.add(
                    BOX,
                    (bw * 0.95, bh, depth * rng.uniform(0.5, 0.95)),
                    at + R @ np.array([x + bw / 2, y + 0.015 + bh / 2, rng.uniform(-0.05, 0.05)]),
                    R,
                    any_color(rng) if rng.random() < 0.5 else hsv(0.09, 0.4, rng.uniform(0.4, 0.8)),
                    int(rng.choice([0, 0, 1, 5])),
                    rng.uniform(2, 10),
                    rng.random(),
                )
            x += bw


def _bench(mesh: Mesh, rng: np.random.Generator, at: np.ndarray, yaw: float) -> None:
    """A slatted bench or chair: seat, legs, a back."""
    R = rot_y(yaw)
    w, d, h = rng.uniform(0.5, 1.8), rng.uniform(0.4, 0.6), rng.uniform(0.4, 0.5)
    col = hsv(rng.uniform(0.0, 0.12), rng.uniform(0.0, 0.5), rng.uniform(0.2, 0.9))
    mesh.add(BOX, (w, 0.04, d), at + R @ np.array([0, h, 0]), R, col, 2, 4, rng.random())
    for x in (-w / 2 + 0.04, w / 2 - 0.04):
        for z in (-d / 2 + 0.04, d / 2 - 0.04):
            mesh.add(BOX, (0.04, h, 0.04), at + R @ np.array([x, h / 2, z]), R, col, 0, 1, 0)
        mesh.add(BOX, (0.04, 0.5, 0.04), at + R @ np.array([x, h + 0.25, d / 2]), R, col, 0, 1, 0)
    for i in range(int(rng.integers(1, 4))):
        mesh.add(BOX, (w, 0.06, 0.03), at + R @ np.array([0, h + 0.15 + 0.15 * i, d / 2]), R, col, 2, 4, 0)


def scene_floor(rng: np.random.Generator) -> Scene:
    mesh = Mesh()
    indoor = rng.random() < 0.7
    w, d, hgt = rng.uniform(4, 10), rng.uniform(5, 14), rng.uniform(2.5, 4.5)
    # the camera stands near the front wall and looks into the space
    eye = np.array([rng.uniform(-w / 5, w / 5), rng.uniform(0.9, 1.8), -d / 2 + rng.uniform(0.3, 1.2)])
    yaw = math.radians(rng.uniform(-20, 20))
    fwd = forward(yaw, 0.0)
    side = np.array([fwd[2], 0.0, -fwd[0]])
    if indoor:
        _room_shell(mesh, rng, w, d, hgt)
        back = d / 2 - 0.35
        x = -w / 2 + 0.2
        while x < w / 2 - 0.5:  # the back wall: shelving, cupboards, benches, gaps
            uw = rng.uniform(0.8, 2.2)
            r = rng.random()
            if r < 0.5:
                _shelving(
                    mesh, rng, np.array([x + uw / 2, 0, back]), 0.0, uw, rng.uniform(1.2, min(2.4, hgt))
                )
            elif r < 0.7:
                _bench(mesh, rng, np.array([x + uw / 2, 0, back - 0.6]), math.pi)
            elif r < 0.85:
                ch = rng.uniform(0.7, 2.0)
                mesh.add(
                    BOX, (uw, ch, 0.5), (x + uw / 2, ch / 2, back), None, any_color(rng), 2, 3, rng.random()
                )
            x += uw + rng.uniform(0, 0.6)
        for sx in (-1, 1):  # shelving along a side wall now and then
            if rng.random() < 0.4:
                sw = rng.uniform(1, 3)
                _shelving(
                    mesh,
                    rng,
                    np.array([sx * (w / 2 - 0.3), 0, rng.uniform(-d / 4, d / 3)]),
                    sx * math.pi / 2,
                    sw,
                    2.0,
                )
    else:  # a yard or street: open ground, buildings and trees behind, sky
        ground = hsv(rng.uniform(0.05, 0.12), rng.uniform(0.0, 0.3), rng.uniform(0.25, 0.6))
        mesh.add(
            BOX,
            (400, 0.02, 400),
            (0, -0.01, 0),
            None,
            ground,
            int(rng.choice([1, 3])),
            rng.uniform(1, 4),
            rng.random(),
        )
        for _ in range(rng.integers(2, 7)):
            bx, bz = rng.uniform(-25, 25), rng.uniform(d / 2, 40)
            _building(
                mesh,
                rng,
                bx,
                0,
                bz,
                rng.uniform(4, 15),
                rng.uniform(4, 12),
                rng.uniform(3, 20),
                rng.uniform(-0.3, 0.3),
            )
        for _ in range(rng.integers(0, 5)):
            _tree(mesh, rng, rng.uniform(-15, 15), 0, rng.uniform(4, 30), rng.uniform(3, 9))
        for _ in range(rng.integers(0, 3)):
            _bench(mesh, rng, np.array([rng.uniform(-4, 4), 0, rng.uniform(3, 7)]), rng.uniform(0, 6.3))
    # the subject(s): one to three large things on the floor in the middle distance
    subj_h = 1.0
    dist = rng.uniform(1.6, 4.0)
    for i in range(int(rng.choice([1, 1, 2, 3]))):
        at = eye + fwd * (dist + i * rng.uniform(0.5, 2.0)) + side * rng.uniform(-1.2, 1.2) * (i > 0)
        at[1] = 0.0
        r = rng.random()
        face = yaw + (0.0 if rng.random() < 0.5 else math.pi) + rng.uniform(-0.9, 0.9)  # mostly side-on
        if r < 0.55:
            h = _vehicle(mesh, rng, at, face, rng.uniform(0.9, 1.15))
        elif r < 0.7:
            _person(mesh, rng, at + np.array([0, 0.9, 0]), face)
            mesh.add(CYLINDER, (0.15, 0.9, 0.15), at, None, any_color(rng), 0, 1, 0)
            h = 1.7
        elif r < 0.8:
            _animal(mesh, rng, at, face, rng.uniform(0.8, 1.8))
            h = 0.8
        elif r < 0.9:
            _table(
                mesh, rng, at[0], at[2], rng.uniform(0.8, 1.8), rng.uniform(0.5, 0.9), rng.uniform(0.45, 0.9)
            )
            h = 0.8
        else:
            h = _object(mesh, rng, at, rng.uniform(0.4, 1.0), ["box", "cylinder", "vase", "rock"])
        if i == 0:
            subj_h = h
    for _ in range(rng.integers(0, 10)):  # floor clutter at all distances: boxes, cans, tools, a bucket
        at = eye + fwd * rng.uniform(0.8, d * 0.8) + side * rng.uniform(-w / 2, w / 2)
        _object(mesh, rng, (at[0], 0.0, at[2]), log_uniform(rng, 0.08, 0.5))
    if rng.random() < 0.3:  # a stand or post in front: thin and near
        at = eye + fwd * rng.uniform(0.8, 1.5) + side * rng.uniform(-0.8, 0.8)
        mesh.add(
            CYLINDER,
            (0.02, rng.uniform(0.3, 1.5), 0.02),
            (at[0], 0, at[2]),
            rot_z(rng.uniform(-0.2, 0.2)),
            any_color(rng),
            0,
            1,
            0,
        )
    pitch = math.radians(rng.uniform(-35, -5))
    look = forward(yaw + rng.uniform(-0.15, 0.15), pitch)
    target = eye + look * dist
    target[1] = max(target[1], subj_h * rng.uniform(0.2, 0.6))
    sc = Scene(
        mesh,
        eye,
        target,
        rng.uniform(40, 75),
        rng.uniform(-4, 4),
        not indoor,
        rng.uniform(0, 0.01) if indoor else log_uniform(rng, 5e-4, 6e-3),
        eye + fwd * dist,
        max(w, d) * 0.6 if indoor else 30.0,
        focus=dist,
    )
    _sun(rng, sc, indoor=indoor)
    return sc
