"""Seamless loops, checked across the loop point.

Frame N equals frame 0 by construction (the phase wraps to exactly 0), so comparing
them proves nothing. What a viewer sees at the seam is the step from frame N - 1 to
frame N: it must look like any other step between neighbouring frames. The same holds
for a modulator just before and just after phase 1.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from shaderviz.app.show import build_show
from shaderviz.effects.modulation import WAVES, Modulator
from shaderviz.outputs.recorder import record
from shaderviz.presets import builtin_presets
from shaderviz.render.renderer import Renderer


def wave_step(wave: str, lo: float, hi: float, a: float, b: float) -> float:
    """How far a modulator moves from a to b; a saw's jump back to the start of its range
    is no step for what it usually drives (angles: saw(0, 360)), so it is measured round
    the range."""
    step = abs(b - a)
    return min(step, abs(hi - lo) - step) if wave == "saw" else step


def jumps_at_the_loop_point(wave: str, cycles: int, offset: float) -> bool:
    """A square wave switches where its cycle starts or halves: at the loop point too when
    the offset puts a switch there. That jump is the wave's own, not a seam."""
    return wave == "square" and math.isclose((cycles + offset) * 2 % 1.0, 0.0, abs_tol=1e-9)


@pytest.mark.parametrize("wave", WAVES)
@pytest.mark.parametrize("cycles", [1, 2, 3])
@pytest.mark.parametrize("offset", [0.0, 0.3, 0.75])
def test_modulator_steps_across_the_loop_point_like_anywhere_else(wave, cycles, offset):
    lo, hi = -2.0, 5.0
    frames = 48
    for seed in range(6):
        mod = Modulator(wave, lo, hi, cycles, offset)
        values = [mod.value(k / frames, seed) for k in range(frames + 1)]
        steps = [wave_step(wave, lo, hi, values[k], values[k + 1]) for k in range(frames)]
        seam, inner = steps[-1], steps[:-1]
        assert seam <= max(inner) + 1e-9, (seed, seam, max(inner))
        # Just before and just after phase 1 (and the same around any other phase): no jump.
        eps = 1e-7
        across = wave_step(wave, lo, hi, mod.value(1.0 - eps, seed), mod.value(1.0 + eps, seed))
        if not jumps_at_the_loop_point(wave, cycles, offset):
            assert across < 1e-4 * (hi - lo), (seed, across)
        elsewhere = wave_step(wave, lo, hi, mod.value(0.37 - eps, seed), mod.value(0.37 + eps, seed))
        assert elsewhere < 1e-4 * (hi - lo) or wave == "square"


@pytest.mark.parametrize("wave", ["sine", "triangle", "noise"])
@pytest.mark.parametrize("offset", [0.0, 0.3])
def test_continuous_waves_never_jump(wave, offset):
    """Sine, triangle and noise are continuous everywhere: no step is steeper than the
    wave's steepest slope allows (noise: smoothstep between random knots, 4 per cycle)."""
    frames, cycles = 480, 3
    steepest = {"sine": math.pi / 2 * 2, "triangle": 2.0, "noise": 1.5 * 4}[wave] * cycles
    for seed in range(6):
        mod = Modulator(wave, 0.0, 1.0, cycles, offset)
        values = [mod.value(k / frames, seed) for k in range(frames + 1)]
        assert max(abs(b - a) for a, b in zip(values, values[1:], strict=False)) <= steepest / frames + 1e-9


def frame_steps(frames: list[np.ndarray]) -> list[float]:
    """Mean absolute change between neighbouring frames, in 8-bit levels."""
    return [float(np.abs(frames[k + 1].astype(float) - frames[k]).mean()) for k in range(len(frames) - 1)]


def assert_seamless(steps: list[float], what: str) -> None:
    """The last step (frame N - 1 -> frame N) is an ordinary one: no bigger than the largest
    step elsewhere, and not a stall (a repeated frame) where every other frame moves."""
    seam, inner = steps[-1], steps[:-1]
    assert seam <= 1.1 * max(inner), f"{what}: a jump at the loop point ({seam:.2f} vs {max(inner):.2f})"
    if min(inner) > 0.05:
        assert seam >= 0.5 * min(inner), f"{what}: a stall at the loop point ({seam:.3f} vs {min(inner):.3f})"


# Each wave on a parameter that shows it: the saw turns an angle (its wrap is no seam
# there), the square switches at a quarter and three quarters of the loop.
WAVE_FX = {
    "sine": "rgb_split amount=sine(0.005,0.06)",
    "triangle": "rgb_split amount=triangle(0.005,0.06)",
    "noise": "rgb_split amount=noise(0.005,0.06,2)",
    "saw": "rgb_split amount=0.04 angle=saw(0,360)",
    "square": "rgb_split amount=square(0.01,0.05,1,0.25) angle=saw(0,360)",
}


@pytest.mark.parametrize("wave", WAVES)
def test_every_wave_renders_across_the_loop_point_like_anywhere_else(gl_ctx, registry, wave):
    """Rendered frames (the chain, the show's clock) for each wave, N = 24 frames a loop."""
    y, x = np.mgrid[0:36, 0:48]
    image = np.stack([x * 5, y * 7, ((x // 6 + y // 6) % 2) * 255], axis=2).astype(np.uint8)
    show = build_show(registry, "clouds", fx=[WAVE_FX[wave]], size=(48, 36), fps=12, seconds=2, seed=3,
                      depth="flat")
    renderer = Renderer(gl_ctx, show.size, registry)  # the show gives the chain and the clock
    try:
        renderer.upload_source(image)
        loop = range(show.loop_frames + 1)
        frames = [renderer.read(renderer.render(show.chain, show.frame(i))) for i in loop]
    finally:
        renderer.release()
    assert np.array_equal(frames[0], frames[-1])
    assert_seamless(frame_steps(frames), wave)


@pytest.mark.parametrize("preset", builtin_presets())
def test_shipped_presets_render_across_the_loop_point_like_anywhere_else(registry, tmp_path, preset):
    """Each built-in preset rendered by `render` itself (small, at 8 frames/s so a loop is a
    few dozen frames), one frame past the loop."""
    show = build_show(registry, preset_name=preset, size=(64, 36), fps=8)
    frames_dir = tmp_path / "frames"
    record(show, frames_dir, show.loop_frames + 1, progress=False)
    paths = sorted(frames_dir.glob("frame_*.png"))
    assert len(paths) == show.loop_frames + 1
    frames = [np.asarray(Image.open(p).convert("RGB")) for p in paths]
    assert np.array_equal(frames[0], frames[-1])
    assert_seamless(frame_steps(frames), preset)


def test_the_seam_check_sees_a_jump_and_a_stall():
    """The check itself: a loop whose last frame jumps, and one that repeats a frame."""
    steps = [1.0, 1.2, 0.9, 1.1]
    assert_seamless(steps + [1.0], "smooth")
    with pytest.raises(AssertionError, match="jump"):
        assert_seamless(steps + [5.0], "jump")
    with pytest.raises(AssertionError, match="stall"):
        assert_seamless(steps + [0.0], "stall")
