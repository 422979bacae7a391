"""Synthetic RGB-D scenes rendered with moderngl: the depth model's training data.

``SceneRenderer(size).render(seed)`` returns ``(rgb uint8 HxWx3, depth float32 HxW)``
where depth is the view-space z distance and 0 marks the sky (infinitely far). The same
seed gives the same scene. ``nearness(depth)`` is the training target: inverse depth,
normalised per image to 0 (far / sky) .. 1 (nearest).

Scene kinds (mixed by ``KIND_WEIGHTS``) cover what photographs contain: open terrain to
a hazy horizon with mountains, streets between buildings, rooms and corridors, close-ups
of one or two large subjects (head-and-shoulders, animal-like, objects) in front of a
wall or a landscape, tabletops seen from above, and clutter at many distances. Lighting
is a sun with shadow mapping plus sky/ground ambient, surfaces carry procedural textures
(noise, planks, tiles, bricks, facades, fur), distance haze grows exponentially, and a
third of the images get depth-of-field blur. Camera pitch, roll and field of view vary.

Run ``python -m shaderviz.depth.scenes OUT_DIR --count N`` to render a dataset in shards
(``rgb_XXXX.npy`` uint8, ``depth_XXXX.npy`` float16).
"""

from __future__ import annotations

import argparse
import colorsys
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

KIND_WEIGHTS = {
    "landscape": 0.2,
    "street": 0.14,
    "room": 0.15,
    "closeup": 0.22,
    "tabletop": 0.12,
    "clutter": 0.17,
}

VERT = """
#version 330
uniform mat4 u_vp; uniform mat4 u_view; uniform mat4 u_light;
in vec3 in_pos; in vec3 in_nrm; in vec3 in_col; in vec3 in_mat;
out vec3 v_pos; out vec3 v_nrm; out vec3 v_col; flat out vec3 v_mat; out vec4 v_light; out float v_z;
void main() {
    v_pos = in_pos; v_nrm = in_nrm; v_col = in_col; v_mat = in_mat;
    v_light = u_light * vec4(in_pos, 1.0);
    v_z = -(u_view * vec4(in_pos, 1.0)).z;
    gl_Position = u_vp * vec4(in_pos, 1.0);
}
"""

NOISE = """
float hash(vec3 p) {
    p = fract(p * 0.3183099 + 0.1); p *= 17.0;
    return fract(p.x * p.y * p.z * (p.x + p.y + p.z));
}
float noise(vec3 x) {
    vec3 i = floor(x); vec3 f = fract(x); f = f * f * (3.0 - 2.0 * f);
    return mix(mix(mix(hash(i), hash(i + vec3(1, 0, 0)), f.x),
                   mix(hash(i + vec3(0, 1, 0)), hash(i + vec3(1, 1, 0)), f.x), f.y),
               mix(mix(hash(i + vec3(0, 0, 1)), hash(i + vec3(1, 0, 1)), f.x),
                   mix(hash(i + vec3(0, 1, 1)), hash(i + vec3(1, 1, 1)), f.x), f.y), f.z);
}
float fbm(vec3 p) {
    float a = 0.5, s = 0.0;
    for (int i = 0; i < 5; i++) { s += a * noise(p); p = p * 2.03 + vec3(1.7, 9.2, 3.1); a *= 0.5; }
    return s;
}
"""

FRAG = (
    """
#version 330
uniform sampler2DShadow u_shadow;
uniform vec3 u_sun_dir; uniform vec3 u_sun_col; uniform vec3 u_sky_amb; uniform vec3 u_ground_amb;
uniform vec3 u_haze_col; uniform float u_haze; uniform vec3 u_cam;
in vec3 v_pos; in vec3 v_nrm; in vec3 v_col; flat in vec3 v_mat; in vec4 v_light; in float v_z;
layout(location = 0) out vec4 f_col;
layout(location = 1) out float f_depth;
"""
    + NOISE
    + """
vec2 plane_uv(vec3 p, vec3 n) {
    vec3 a = abs(n);
    if (a.y > a.x && a.y > a.z) return p.xz;
    if (a.x > a.z) return vec2(p.z, p.y);
    return p.xy;
}
void main() {
    vec3 n = normalize(v_nrm);
    if (!gl_FrontFacing) n = -n;
    int kind = int(v_mat.x + 0.5);
    float sc = v_mat.y;
    vec3 p = v_pos * sc + v_mat.z * vec3(13.1, 7.7, 3.3);
    vec3 alb = pow(v_col, vec3(2.2));
    float gloss = 0.0;
    if (kind == 0) {
        alb *= 0.9 + 0.2 * fbm(p);
    } else if (kind == 1) {
        alb *= mix(0.5, 1.3, fbm(p)) * mix(vec3(0.85, 0.95, 0.8), vec3(1.1, 1.0, 0.9), noise(p * 0.21));
    } else if (kind == 2) {
        vec2 uv = plane_uv(p, n);
        float s = sin((uv.x + 1.5 * fbm(vec3(uv * vec2(0.3, 3.0), 1.0))) * 6.2832);
        alb *= 0.78 + 0.18 * s + 0.1 * noise(vec3(floor(uv.y * 2.0), 0.0, 3.0));
        gloss = 0.15;
    } else if (kind == 3) {
        vec2 uv = plane_uv(p, n);
        float c = mod(floor(uv.x) + floor(uv.y), 2.0);
        vec2 g = abs(fract(uv) - 0.5);
        alb *= mix(0.55, 1.1, c) * (0.95 + 0.1 * noise(p * 4.0)) * (max(g.x, g.y) > 0.47 ? 0.6 : 1.0);
        gloss = 0.3;
    } else if (kind == 4) {
        vec2 uv = plane_uv(p, n) * vec2(1.0, 2.0);
        float row = floor(uv.y);
        vec2 f = fract(vec2(uv.x + 0.5 * mod(row, 2.0), uv.y));
        bool mortar = f.x < 0.05 || f.y < 0.1;
        float brick = hash(vec3(floor(uv.x + 0.5 * mod(row, 2.0)), row, 1.0));
        alb *= mortar ? vec3(1.4) : vec3(0.8 + 0.35 * brick);
    } else if (kind == 5) {
        alb *= 0.55 + 0.7 * noise(p * 6.0) * (0.6 + 0.8 * fbm(p));
    } else if (kind == 6) {
        vec2 uv = plane_uv(p, n);
        vec2 f = fract(uv);
        if (abs(n.y) < 0.7 && f.x > 0.22 && f.x < 0.78 && f.y > 0.25 && f.y < 0.8) {
            float lit = step(0.85, hash(vec3(floor(uv), 5.0)));
            alb = mix(vec3(0.02, 0.03, 0.05) + 0.08 * hash(vec3(floor(uv), 2.0)), vec3(1.0, 0.8, 0.4), lit);
            gloss = 0.6;
        } else {
            alb *= 0.85 + 0.3 * fbm(p * 2.0);
        }
    } else if (kind == 7) {
        vec3 c = v_col * (0.9 + 0.2 * fbm(p));
        float d = length(v_pos - u_cam);
        c = mix(c, u_haze_col, 1.0 - exp(-d * u_haze));
        f_col = vec4(c, 1.0);
        f_depth = v_z;
        return;
    }
    vec3 l = normalize(u_sun_dir);
    float diff = max(dot(n, l), 0.0);
    vec3 lp = v_light.xyz / v_light.w * 0.5 + 0.5;
    float sh = 0.0;
    float bias = 0.0015 + 0.003 * (1.0 - diff);
    vec2 texel = 1.0 / vec2(textureSize(u_shadow, 0));
    for (int i = 0; i < 4; i++) {
        vec2 o = vec2(float(i & 1) - 0.5, float(i >> 1) - 0.5) * texel * 1.5;
        sh += texture(u_shadow, vec3(lp.xy + o, lp.z - bias));
    }
    sh *= 0.25;
    if (lp.x < 0.0 || lp.x > 1.0 || lp.y < 0.0 || lp.y > 1.0 || lp.z > 1.0) sh = 1.0;
    vec3 hemi = mix(u_ground_amb, u_sky_amb, 0.5 + 0.5 * n.y);
    vec3 vdir = normalize(u_cam - v_pos);
    float spec = pow(max(dot(reflect(-l, n), vdir), 0.0), 32.0) * gloss;
    vec3 c = alb * (hemi + u_sun_col * diff * sh) + u_sun_col * spec * sh;
    c = pow(c, vec3(1.0 / 2.2));
    float d = length(v_pos - u_cam);
    c = mix(c, u_haze_col, 1.0 - exp(-d * u_haze));
    f_col = vec4(c, 1.0);
    f_depth = v_z;
}
"""
)

SKY_VERT = """
#version 330
in vec2 in_xy; out vec2 v_ndc;
void main() { v_ndc = in_xy; gl_Position = vec4(in_xy, 0.0, 1.0); }
"""

SKY_FRAG = (
    """
#version 330
uniform mat4 u_inv_vp; uniform vec3 u_cam; uniform vec3 u_sun_dir; uniform vec3 u_sun_col;
uniform vec3 u_zenith; uniform vec3 u_horizon; uniform vec3 u_haze_col; uniform vec3 u_cloud_col;
uniform float u_cover; uniform float u_cloud_scale; uniform float u_seed;
in vec2 v_ndc;
layout(location = 0) out vec4 f_col;
layout(location = 1) out float f_depth;
"""
    + NOISE
    + """
void main() {
    vec4 q = u_inv_vp * vec4(v_ndc, 1.0, 1.0);
    vec3 dir = normalize(q.xyz / q.w - u_cam);
    float t = dir.y;
    vec3 c = mix(u_horizon, u_zenith, pow(clamp(t, 0.0, 1.0), 0.45));
    if (t > 0.0) {
        vec2 uv = dir.xz / (t + 0.06) * u_cloud_scale;
        float cl = smoothstep(u_cover, u_cover + 0.25, fbm(vec3(uv, u_seed)));
        vec3 cloud = u_cloud_col * (0.8 + 0.3 * fbm(vec3(uv * 2.0, u_seed + 3.0)));
        c = mix(c, cloud, cl * smoothstep(0.0, 0.12, t));
    }
    float s = max(dot(dir, normalize(u_sun_dir)), 0.0);
    c += u_sun_col * (0.25 * pow(s, 12.0) + 2.0 * pow(s, 900.0));
    c = mix(u_haze_col, c, smoothstep(-0.02, 0.08, t));
    f_col = vec4(c, 1.0);
    f_depth = 0.0;
}
"""
)

SHADOW_VERT = """
#version 330
uniform mat4 u_light; in vec3 in_pos;
void main() { gl_Position = u_light * vec4(in_pos, 1.0); }
"""
SHADOW_FRAG = """
#version 330
void main() {}
"""


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


# ----------------------------------------------------------------------------- colours


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


def scene_landscape(rng: np.random.Generator) -> Scene:
    mesh = Mesh()
    cam_h = float(np.exp(rng.uniform(np.log(1.0), np.log(40.0))))
    eye, target, yaw = _camera_on_ground(rng, 0.0, (-18, 10))
    height = _terrain(
        mesh, rng, np.zeros(3), 2500.0, rng.uniform(30, 200), rng.uniform(0, 250), earth_color(rng)
    )
    eye[1] = float(height(np.array([0.0]), np.array([0.0]))[0]) + cam_h
    target = target + [0, eye[1], 0]
    fwd = np.array([math.cos(yaw), 0, math.sin(yaw)])
    side = np.array([-fwd[2], 0, fwd[0]])
    for _ in range(rng.integers(0, 40)):
        dist = float(np.exp(rng.uniform(np.log(2), np.log(400))))
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
        float(np.exp(rng.uniform(np.log(2e-4), np.log(4e-3)))),
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
            h = float(np.exp(rng.uniform(np.log(4), np.log(60))))
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
        z = float(np.exp(rng.uniform(np.log(3), np.log(200))))
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
    fwd = np.array([math.sin(yaw) * math.cos(pitch), math.sin(pitch), math.cos(yaw) * math.cos(pitch)])
    sc = Scene(
        mesh,
        eye,
        eye + fwd,
        rng.uniform(40, 80),
        rng.uniform(-4, 4),
        True,
        float(np.exp(rng.uniform(np.log(5e-4), np.log(6e-3)))),
        eye + fwd * 40,
        70.0,
    )
    _sun(rng, sc)
    return sc


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
    fwd = np.array([math.sin(yaw) * math.cos(pitch), math.sin(pitch), math.cos(yaw) * math.cos(pitch)])
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
        dd = float(np.exp(rng.uniform(np.log(4), np.log(300))))
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
        float(np.exp(rng.uniform(np.log(2e-4), np.log(4e-3)))),
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
        dd = float(np.exp(rng.uniform(np.log(0.8), np.log(120))))
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
        float(np.exp(rng.uniform(np.log(3e-4), np.log(8e-3)))),
        eye + fwd * 20,
        40.0,
    )
    _sun(rng, sc)
    return sc


BUILDERS = {
    "landscape": scene_landscape,
    "street": scene_street,
    "room": scene_room,
    "closeup": scene_closeup,
    "tabletop": scene_tabletop,
    "clutter": scene_clutter,
}


def make_scene(seed: int, kind: str | None = None, dusk: float = 0.0) -> tuple[Scene, str]:
    """Scene ``seed``; with probability ``dusk`` (own random stream) relit at dusk / night."""
    rng = np.random.default_rng(seed)
    if kind is None:
        names = list(KIND_WEIGHTS)
        p = np.array([KIND_WEIGHTS[k] for k in names])
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


# ----------------------------------------------------------------------------- image ops


def box_blur(img: np.ndarray, r: int) -> np.ndarray:
    """Separable box blur (edge-clamped) of an HxW or HxWxC float array, radius r px."""
    if r <= 0:
        return img
    out = img
    for axis in (0, 1):
        pad = [(0, 0)] * out.ndim
        pad[axis] = (r + 1, r)
        c = np.cumsum(np.pad(out, pad, mode="edge"), axis=axis, dtype=np.float64)
        n = out.shape[axis]
        hi = np.take(c, np.arange(2 * r + 1, 2 * r + 1 + n), axis=axis)
        lo = np.take(c, np.arange(0, n), axis=axis)
        out = (hi - lo) / (2 * r + 1)
    return out


def depth_of_field(rgb: np.ndarray, inv: np.ndarray, focus_inv: float, strength: float) -> np.ndarray:
    """Blur by circle of confusion ~ |1/z - 1/z_focus|: a stack of blurs, chosen per pixel."""
    coc = np.clip(np.abs(inv - focus_inv) / (inv.max() + 1e-9) * strength, 0, 4.0)
    levels = [rgb] + [box_blur(box_blur(rgb, r), r) for r in (1, 2, 3)]
    idx = coc.clip(0, 2.999)
    lo = np.floor(idx).astype(int)
    t = (idx - lo)[..., None]
    stack = np.stack(levels)
    h, w = lo.shape
    yy, xx = np.mgrid[0:h, 0:w]
    return stack[lo, yy, xx] * (1 - t) + stack[lo + 1, yy, xx] * t


def nearness(depth: np.ndarray) -> np.ndarray:
    """Training target: inverse depth (sky = 0) normalised to 0..1 per image."""
    inv = np.where(depth > 0, 1.0 / np.maximum(depth, 1e-6), 0.0)
    lo, hi = float(inv.min()), float(inv.max())
    return ((inv - lo) / max(hi - lo, 1e-9)).astype(np.float32)


# ----------------------------------------------------------------------------- renderer


class SceneRenderer:
    """Renders scenes at ``size`` (square, or (w, h)) with ``supersample``x supersampling."""

    def __init__(
        self, size: int | tuple[int, int] = 192, supersample: int = 2, ctx=None, shadow_size: int = 1024
    ) -> None:
        import moderngl

        from shaderviz.render.context import headless_context

        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.ss = supersample
        self.ctx = ctx or headless_context()
        w, h = self.size[0] * supersample, self.size[1] * supersample
        self.prog = self.ctx.program(vertex_shader=VERT, fragment_shader=FRAG)
        self.sky = self.ctx.program(vertex_shader=SKY_VERT, fragment_shader=SKY_FRAG)
        self.shadow_prog = self.ctx.program(vertex_shader=SHADOW_VERT, fragment_shader=SHADOW_FRAG)
        self.color = self.ctx.texture((w, h), 4)
        self.depth_tex = self.ctx.texture((w, h), 1, dtype="f4")
        self.zbuf = self.ctx.depth_renderbuffer((w, h))
        self.fbo = self.ctx.framebuffer([self.color, self.depth_tex], self.zbuf)
        self.shadow_tex = self.ctx.depth_texture((shadow_size, shadow_size))
        self.shadow_tex.compare_func = "<="
        self.shadow_tex.repeat_x = self.shadow_tex.repeat_y = False
        self.shadow_fbo = self.ctx.framebuffer(depth_attachment=self.shadow_tex)
        quad = np.array([-1, -1, 1, -1, -1, 1, 1, 1], dtype="f4")
        self.quad = self.ctx.buffer(quad.tobytes())
        self.sky_vao = self.ctx.vertex_array(self.sky, [(self.quad, "2f", "in_xy")])
        self._moderngl = moderngl

    def render(self, seed: int, kind: str | None = None, dusk: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        scene, _ = make_scene(seed, kind, dusk)
        rng = np.random.default_rng(seed + 7_777_777)
        return self.render_scene(scene, rng)

    def _set(self, prog, **values) -> None:
        for k, v in values.items():
            if k in prog:
                arr = np.asarray(v, dtype="f4")
                prog[k].write(arr.T.tobytes() if arr.ndim == 2 else arr.tobytes())

    def render_scene(self, scene: Scene, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        ctx = self.ctx
        mg = self._moderngl
        data = scene.mesh.array()
        vbo = ctx.buffer(data.tobytes())
        vao = ctx.vertex_array(self.prog, [(vbo, "3f 3f 3f 3f", "in_pos", "in_nrm", "in_col", "in_mat")])
        svao = ctx.vertex_array(self.shadow_prog, [(vbo, "3f 36x", "in_pos")])
        w, h = self.size
        view = look_at(scene.eye, scene.target)
        if scene.roll:
            r = np.eye(4)
            r[:3, :3] = rot_z(math.radians(scene.roll))
            view = r @ view
        proj = perspective(scene.fov, w / h, scene.near, scene.far)
        vp = proj @ view
        L = scene.light
        center = scene.shadow_center if scene.shadow_center is not None else scene.eye
        sun = L["sun_dir"] / np.linalg.norm(L["sun_dir"])
        half = scene.shadow_half
        light = ortho(half, 0.1, half * 8) @ look_at(center + sun * half * 4, center)
        # shadow pass
        self.shadow_fbo.use()
        self.shadow_fbo.clear(depth=1.0)
        ctx.enable(mg.DEPTH_TEST)
        ctx.disable(mg.CULL_FACE)
        self._set(self.shadow_prog, u_light=light)
        svao.render()
        # sky + scene
        self.fbo.use()
        self.fbo.clear(0, 0, 0, 1, depth=1.0)
        ctx.disable(mg.DEPTH_TEST)
        self._set(
            self.sky,
            u_inv_vp=np.linalg.inv(vp),
            u_cam=scene.eye,
            u_sun_dir=sun,
            u_sun_col=L["sun_col"],
            u_zenith=L["zenith"],
            u_horizon=L["horizon"],
            u_haze_col=L["haze_col"],
            u_cloud_col=L["cloud"],
            u_cover=L["cover"],
            u_cloud_scale=L["cloud_scale"],
            u_seed=L["seed"],
        )
        self.sky_vao.render(mg.TRIANGLE_STRIP)
        ctx.enable(mg.DEPTH_TEST)
        self.shadow_tex.use(0)
        self.prog["u_shadow"].value = 0
        self._set(
            self.prog,
            u_vp=vp,
            u_view=view,
            u_light=light,
            u_sun_dir=sun,
            u_sun_col=L["sun_col"],
            u_sky_amb=L["sky_amb"],
            u_ground_amb=L["ground_amb"],
            u_haze_col=L["haze_col"],
            u_haze=scene.haze,
            u_cam=scene.eye,
        )
        vao.render()
        ss = self.ss
        rgb = np.frombuffer(self.color.read(), np.uint8).reshape(h * ss, w * ss, 4)[::-1, :, :3]
        z = np.frombuffer(self.depth_tex.read(), np.float32).reshape(h * ss, w * ss)[::-1]
        for obj in (vao, svao, vbo):
            obj.release()
        rgb = rgb.astype(np.float32).reshape(h, ss, w, ss, 3).mean((1, 3))
        inv = np.where(z > 0, 1.0 / np.maximum(z, 1e-6), 0.0).reshape(h, ss, w, ss).mean((1, 3))
        sky_frac = (z <= 0).reshape(h, ss, w, ss).mean((1, 3))
        # pixels mostly sky stay sky (0); the rest keep the mean inverse depth of their samples
        inv = np.where(sky_frac > 0.5, 0.0, inv)
        if rng.random() < 0.35:
            focus = scene.focus if scene.focus else float(np.exp(rng.uniform(np.log(0.5), np.log(50))))
            rgb = depth_of_field(rgb, inv, 1.0 / focus, rng.uniform(2, 12))
        depth = np.where(inv > 0, 1.0 / np.maximum(inv, 1e-9), 0.0).astype(np.float32)
        return np.clip(rgb + 0.5, 0, 255).astype(np.uint8), depth

    def release(self) -> None:
        for obj in (
            self.prog,
            self.sky,
            self.shadow_prog,
            self.color,
            self.depth_tex,
            self.zbuf,
            self.fbo,
            self.shadow_tex,
            self.shadow_fbo,
            self.quad,
            self.sky_vao,
        ):
            obj.release()


def render_dataset(
    out: Path,
    count: int,
    size: int = 192,
    seed: int = 0,
    shard: int = 500,
    start: int = 0,
    stop: int | None = None,
    progress: bool = True,
    dusk: float = 0.0,
) -> None:
    """Render scenes ``seed + i`` for i in [0, count) into shards; skips shards already written."""
    from tqdm import tqdm

    out.mkdir(parents=True, exist_ok=True)
    renderer = SceneRenderer(size)
    shards = range(start, stop if stop is not None else math.ceil(count / shard))
    for s in shards:
        rgb_path, depth_path = out / f"rgb_{s:04d}.npy", out / f"depth_{s:04d}.npy"
        if rgb_path.exists() and depth_path.exists():
            continue
        n = min(shard, count - s * shard)
        rgbs = np.zeros((n, size, size, 3), np.uint8)
        depths = np.zeros((n, size, size), np.float16)
        t0 = time.time()
        for i in tqdm(range(n), desc=f"shard {s}", disable=not progress, leave=False):
            rgb, depth = renderer.render(seed + s * shard + i, dusk=dusk)
            rgbs[i] = rgb
            depths[i] = np.minimum(depth, 60000)
        np.save(out / f"depth_{s:04d}.tmp.npy", depths)
        np.save(out / f"rgb_{s:04d}.tmp.npy", rgbs)
        (out / f"depth_{s:04d}.tmp.npy").replace(depth_path)
        (out / f"rgb_{s:04d}.tmp.npy").replace(rgb_path)
        print(json.dumps({"shard": s, "scenes": n, "seconds": round(time.time() - t0, 1)}), flush=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Render synthetic RGB-D scenes into .npy shards.")
    p.add_argument("out", type=Path)
    p.add_argument("--count", type=int, default=12000)
    p.add_argument("--size", type=int, default=192)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--shard", type=int, default=500)
    p.add_argument("--start", type=int, default=0, help="first shard index (for parallel workers)")
    p.add_argument("--stop", type=int, default=None, help="shard index to stop before")
    p.add_argument("--preview", type=int, default=0, help="write N preview PNGs (rgb | nearness) instead")
    p.add_argument("--dusk", type=float, default=0.0, help="share of scenes relit at dusk / night")
    args = p.parse_args(argv)
    if args.preview:
        from PIL import Image

        args.out.mkdir(parents=True, exist_ok=True)
        r = SceneRenderer(args.size)
        for i in range(args.preview):
            t0 = time.time()
            scene_seed = args.seed + i
            _, kind = make_scene(scene_seed, dusk=args.dusk)
            rgb, depth = r.render(scene_seed, dusk=args.dusk)
            near = (nearness(depth) * 255).astype(np.uint8)
            both = np.concatenate([rgb, np.repeat(near[..., None], 3, -1)], 1)
            Image.fromarray(both).save(args.out / f"scene_{scene_seed:05d}_{kind}.png")
            print(scene_seed, kind, f"{time.time() - t0:.3f}s")
        return
    render_dataset(
        args.out, args.count, args.size, args.seed, args.shard, args.start, args.stop, dusk=args.dusk
    )


if __name__ == "__main__":
    main()
