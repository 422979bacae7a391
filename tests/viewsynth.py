"""Parallax quality against ground truth: the project's RGB-D scene renderer draws a scene
from camera A and from camera B (A moved sideways); the parallax effect, given view A and
its depth, moves its camera to B; PSNR / SSIM to the true view B in the pixels B shares
with A (*visible*) and in those A could not see (*revealed*, disoccluded).

Geometry. The scenes' camera is a pinhole with vertical field of view ``fov``; moving it
by ``t`` along its right axis shifts a point at distance z by ``-t f / z`` pixels, f =
(H / 2) / tan(fov / 2). Both views are rendered wider than the picture and B's window is
taken ``round(shift of the focus distance)`` pixels over, so a chosen focus depth stays
still as in the parallax (whose translations keep the focus plane still). With the true
nearness n = (1/z - lo) / (hi - lo) of view A, the parallax's shift -x height (n - focus)
image heights is exactly the true one for height = 1, x = t f (hi - lo) / H and focus =
the nearness of the plane kept still (shaders/parallax.glsl; tests/test_parallax.py
checks the model itself).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np

MARGIN = 48  # px rendered beyond each side, so both windows are real pixels


class _NoBlur:
    """Stands in for the renderer's random generator: no depth-of-field blur."""

    def random(self) -> float:
        return 1.0


@dataclass
class ViewPair:
    a: np.ndarray  # (H, W, 3) uint8: view A
    b: np.ndarray  # (H, W, 3) uint8: the true view B
    near_a: np.ndarray  # (H, W) float32: A's true nearness, 0..1
    visible: np.ndarray  # (H, W) bool: B pixels that A also sees
    revealed: np.ndarray  # (H, W) bool: B pixels hidden in A (disoccluded)
    x: float  # parallax camera offset from A to B
    focus: float  # the nearness kept still


def _render(renderer, scene, eye: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    moved = copy.copy(scene)
    moved.eye, moved.target = eye, target
    return renderer.render_scene(moved, _NoBlur())


def view_pair(renderer, seed: int, kind: str, width: int, height: int, shift: float = 0.04,  # noqa: ANN001
              focus: float = 0.5) -> ViewPair:
    """Scene ``seed`` of ``kind`` seen from A and from B, B moved right so that the nearest
    and farthest points of A shift by ``shift`` image heights against each other.
    ``renderer`` is a ``SceneRenderer((width + 2 * MARGIN, height))``."""
    from shaderviz.depth.scenes import make_scene
    from shaderviz.depth.scenes.geometry import look_at

    assert renderer.size == (width + 2 * MARGIN, height)
    scene, _ = make_scene(seed, kind)
    scene.shadow_center = scene.eye.copy()  # the same shadows from both cameras
    crop = np.s_[:, MARGIN : MARGIN + width]
    rgb_a, z_a = _render(renderer, scene, scene.eye, scene.target)
    inv_a = np.where(z_a > 0, 1.0 / np.maximum(z_a, 1e-9), 0.0)
    lo, hi = float(inv_a[crop].min()), float(inv_a[crop].max())
    f_px = (height / 2) / math.tan(math.radians(scene.fov) / 2)
    t = shift * height / (f_px * (hi - lo))  # world units
    view = look_at(scene.eye, scene.target)
    if scene.roll:
        from shaderviz.depth.scenes.geometry import rot_z

        view[:3, :3] = rot_z(math.radians(scene.roll)) @ view[:3, :3]
    right = view[0, :3]
    rgb_b, z_b = _render(renderer, scene, scene.eye + t * right, scene.target + t * right)
    inv_b = np.where(z_b > 0, 1.0 / np.maximum(z_b, 1e-9), 0.0)
    # Keep the plane at `focus` still: B's window moves with it (a whole number of pixels).
    inv_focus = lo + focus * (hi - lo)
    window = round(-t * f_px * inv_focus)
    inv_focus = -window / (t * f_px)
    crop_b = np.s_[:, MARGIN + window : MARGIN + window + width]
    # Where each B pixel was in A: back along its true disparity; visible there if A's
    # surface at that spot has (about) the same inverse depth.
    w_b = inv_b[crop_b]
    cols = np.arange(width)[None, :] + MARGIN + window + t * f_px * w_b  # column in A's full render
    rows = np.repeat(np.arange(height)[:, None], width, axis=1)
    inside = (cols >= MARGIN) & (cols <= MARGIN + width - 1)
    left = np.clip(np.floor(cols).astype(int), 0, inv_a.shape[1] - 2)
    frac = np.clip(cols - left, 0, 1)
    w_there = inv_a[rows, left] * (1 - frac) + inv_a[rows, left + 1] * frac
    w_near = np.maximum(inv_a[rows, left], inv_a[rows, left + 1])
    tolerance = 0.03 * (hi - lo) + 0.02 * w_b
    same = np.abs(w_there - w_b) < tolerance
    hidden = (w_near > w_b + 3 * tolerance) & ~same  # something nearer stood there in A
    guard = _dilate(~same & ~hidden, 1)  # anti-aliased edges: neither
    near_a = ((inv_a[crop] - lo) / (hi - lo)).astype(np.float32)
    return ViewPair(
        a=rgb_a[crop].copy(),
        b=rgb_b[crop_b].copy(),
        near_a=near_a,
        visible=inside & same & ~guard,
        revealed=inside & hidden & ~guard,
        x=t * f_px * (hi - lo) / height,
        focus=(inv_focus - lo) / (hi - lo),
    )


def _dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    out = mask.copy()
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            out |= np.roll(np.roll(mask, dy, 0), dx, 1)
    return out


def psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    err = (a.astype(np.float64) - b.astype(np.float64))[mask]
    mse = float(np.mean(err**2)) if err.size else 0.0
    return 99.0 if mse == 0 else 10 * math.log10(255.0**2 / mse)


def ssim(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    """Mean of the SSIM map (7x7 windows, skimage defaults) over the mask."""
    from skimage.metrics import structural_similarity

    _, full = structural_similarity(a, b, channel_axis=2, data_range=255, full=True)
    return float(full.mean(axis=2)[mask].mean()) if mask.any() else 1.0
