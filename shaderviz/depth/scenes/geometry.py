"""Geometry for the scenes: camera / light matrices (``perspective``, ``ortho``, ``look_at``),
rotations, unit primitive meshes (``BOX``, ``SPHERE``, ``CYLINDER``, ``CONE``, lathed profiles)
and ``Mesh``, the vertex soup a scene accumulates."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

# ----------------------------------------------------------------------------- maths


def perspective(fov_y_deg: float, aspect: float, near: float, far: float) -> np.ndarray:
    f = 1.0 / math.tan(math.radians(fov_y_deg) / 2)
    return np.array(
        [
            [f / aspect, 0, 0, 0],
            [0, f, 0, 0],
            [0, 0, (far + near) / (near - far), 2 * far * near / (near - far)],
            [0, 0, -1, 0],
        ],
        dtype=np.float64,
    )


def ortho(half: float, near: float, far: float) -> np.ndarray:
    return np.array(
        [
            [1 / half, 0, 0, 0],
            [0, 1 / half, 0, 0],
            [0, 0, -2 / (far - near), -(far + near) / (far - near)],
            [0, 0, 0, 1],
        ],
        dtype=np.float64,
    )


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray | None = None) -> np.ndarray:
    up = np.array([0.0, 1.0, 0.0]) if up is None else up
    f = target - eye
    f = f / np.linalg.norm(f)
    if abs(np.dot(f, up)) > 0.999:
        up = np.array([0.0, 0.0, 1.0])
    s = np.cross(f, up)
    s /= np.linalg.norm(s)
    u = np.cross(s, f)
    m = np.eye(4)
    m[0, :3], m[1, :3], m[2, :3] = s, u, -f
    m[:3, 3] = -m[:3, :3] @ eye
    return m


def forward(yaw: float, pitch: float) -> np.ndarray:
    """Unit view direction for yaw (about +y, 0 = +z) and pitch (radians)."""
    return np.array([math.sin(yaw) * math.cos(pitch), math.sin(pitch), math.cos(yaw) * math.cos(pitch)])


def rot_y(a: float) -> np.ndarray:
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def rot_x(a: float) -> np.ndarray:
    c, s = math.cos(a), math.sin(a)
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def rot_z(a: float) -> np.ndarray:
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


# ----------------------------------------------------------------------------- meshes


def _unit_box() -> tuple[np.ndarray, np.ndarray]:
    pos, nrm = [], []
    for axis in range(3):
        for sign in (-1.0, 1.0):
            n = np.zeros(3)
            n[axis] = sign
            u = np.zeros(3)
            u[(axis + 1) % 3] = 1
            v = np.zeros(3)
            v[(axis + 2) % 3] = 1
            c = n * 0.5
            quad = [c - u / 2 - v / 2, c + u / 2 - v / 2, c + u / 2 + v / 2, c - u / 2 + v / 2]
            for i in (0, 1, 2, 0, 2, 3):
                pos.append(quad[i])
                nrm.append(n)
    return np.array(pos), np.array(nrm)


def _grid_tris(rows: int, cols: int) -> np.ndarray:
    i, j = np.meshgrid(np.arange(rows - 1), np.arange(cols - 1), indexing="ij")
    a = i * cols + j
    b, c, d = a + 1, a + cols, a + cols + 1
    return np.stack([a, c, b, b, c, d], -1).reshape(-1)


def _lathe(profile: np.ndarray, segments: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Surface of revolution around y of (radius, height) points; unit-free."""
    r, y = profile[:, 0], profile[:, 1]
    ang = np.linspace(0, 2 * np.pi, segments + 1)
    ca, sa = np.cos(ang), np.sin(ang)
    pts = np.stack([r[:, None] * ca[None], np.repeat(y[:, None], segments + 1, 1), r[:, None] * sa[None]], -1)
    dr = np.gradient(r)
    dy = np.gradient(y)
    nr, ny = dy, -dr  # outward normal in the (r, y) plane
    ln = np.hypot(nr, ny) + 1e-9
    nr, ny = nr / ln, ny / ln
    nrm = np.stack(
        [nr[:, None] * ca[None], np.repeat(ny[:, None], segments + 1, 1), nr[:, None] * sa[None]], -1
    )
    idx = _grid_tris(len(r), segments + 1)
    return pts.reshape(-1, 3)[idx], nrm.reshape(-1, 3)[idx]


def _sphere(rows: int = 12, segments: int = 18) -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(-np.pi / 2, np.pi / 2, rows + 1)
    prof = np.stack([np.cos(t), np.sin(t)], -1)
    pos, _ = _lathe(prof, segments)
    return pos, pos / (np.linalg.norm(pos, axis=1, keepdims=True) + 1e-9)


BOX = _unit_box()
SPHERE = _sphere()
CYLINDER = _lathe(np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [1.0, 1.0], [0.0, 1.0]]), 16)
CONE = _lathe(np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), 16)


@dataclass
class Mesh:
    pos: list = field(default_factory=list)
    nrm: list = field(default_factory=list)
    col: list = field(default_factory=list)
    mat: list = field(default_factory=list)

    def add(
        self,
        shape: tuple[np.ndarray, np.ndarray],
        scale=(1, 1, 1),
        at=(0, 0, 0),
        rot=None,
        color=(0.5, 0.5, 0.5),
        tex: int = 0,
        tex_scale: float = 1.0,
        seed: float = 0.0,
        jitter: float = 0.0,
        rng: np.random.Generator | None = None,
    ) -> None:
        p, n = shape
        s = np.asarray(scale, dtype=np.float64)
        p = p * s
        if jitter and rng is not None:  # lumpy surfaces: radial noise, smooth over angle
            k = rng.normal(size=(3, 3))
            p = p * (1 + jitter * np.sin(p @ k / (s.mean() + 1e-9) * 2.5).sum(1, keepdims=True) / 3)
        n = n / s
        if rot is not None:
            p = p @ rot.T
            n = n @ rot.T
        n = n / (np.linalg.norm(n, axis=1, keepdims=True) + 1e-9)
        p = p + np.asarray(at, dtype=np.float64)
        self.pos.append(p)
        self.nrm.append(n)
        self.col.append(np.broadcast_to(np.asarray(color, dtype=np.float64), p.shape))
        self.mat.append(np.broadcast_to(np.array([tex, tex_scale, seed], dtype=np.float64), p.shape))

    def add_tris(
        self,
        pos: np.ndarray,
        nrm: np.ndarray,
        color,
        tex: int,
        tex_scale: float,
        seed: float,
        col_per_vertex: np.ndarray | None = None,
    ) -> None:
        self.pos.append(pos)
        self.nrm.append(nrm)
        self.col.append(
            col_per_vertex
            if col_per_vertex is not None
            else np.broadcast_to(np.asarray(color, dtype=np.float64), pos.shape)
        )
        self.mat.append(np.broadcast_to(np.array([tex, tex_scale, seed], dtype=np.float64), pos.shape))

    def array(self) -> np.ndarray:
        return np.concatenate(
            [np.concatenate(a) for a in (self.pos, self.nrm, self.col, self.mat)], 1
        ).astype("f4")
