"""Rendering: ``SceneRenderer`` (shadow pass, sky, lit scene, supersampled read-back, random
depth of field), the image ops it uses, the training target ``nearness`` and
``render_dataset``, which writes scenes into .npy shards."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np

from shaderviz.depth.scenes.geometry import look_at, ortho, perspective, rot_z
from shaderviz.depth.scenes.glsl import FRAG, SHADOW_FRAG, SHADOW_VERT, SKY_FRAG, SKY_VERT, VERT
from shaderviz.depth.scenes.kinds import make_scene
from shaderviz.depth.scenes.props import Scene, log_uniform
from shaderviz.synth.noise import box_blur

# ----------------------------------------------------------------------------- image ops


def depth_of_field(rgb: np.ndarray, inv: np.ndarray, focus_inv: float, strength: float) -> np.ndarray:
    """Blur by circle of confusion ~ |1/z - 1/z_focus|: a stack of blurs, chosen per pixel."""
    coc = np.clip(np.abs(inv - focus_inv) / (inv.max() + 1e-9) * strength, 0, 4.0)
    levels = [rgb] + [box_blur(rgb, r, passes=2, dtype=None) for r in (1, 2, 3)]
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

    def render(
        self, seed: int, kind: str | None = None, dusk: float = 0.0, weights: dict[str, float] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        scene, _ = make_scene(seed, kind, dusk, weights)
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
            focus = scene.focus if scene.focus else log_uniform(rng, 0.5, 50)
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
    weights: dict[str, float] | None = None,
) -> None:
    """Render scenes ``seed + i`` for i in [0, count) into shards; skips shards already written.
    ``weights``: the kind mix (default ``KIND_WEIGHTS``)."""
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
            rgb, depth = renderer.render(seed + s * shard + i, dusk=dusk, weights=weights)
            rgbs[i] = rgb
            depths[i] = np.minimum(depth, 60000)
        np.save(out / f"depth_{s:04d}.tmp.npy", depths)
        np.save(out / f"rgb_{s:04d}.tmp.npy", rgbs)
        (out / f"depth_{s:04d}.tmp.npy").replace(depth_path)
        (out / f"rgb_{s:04d}.tmp.npy").replace(rgb_path)
        print(json.dumps({"shard": s, "scenes": n, "seconds": round(time.time() - t0, 1)}), flush=True)
