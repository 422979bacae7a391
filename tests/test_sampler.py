"""The sampler effect against a numpy reference (tests/sampler_reference.py): rectangle ->
texture coordinates, rotation, aspect, zoom stacks, tile and mirror, the three filters, the
source read at its own resolution, modulated loops."""

from __future__ import annotations

import moderngl
import numpy as np
import pytest
from sampler_reference import sample, sample_native

from shaderviz.effects.chain import parse_fx
from shaderviz.effects.registry import Registry
from shaderviz.render.renderer import Frame, Renderer
from shaderviz.sources.images import fit_box


@pytest.fixture(scope="module")
def noise() -> np.ndarray:
    return np.random.default_rng(3).integers(0, 256, (48, 64, 3), dtype=np.uint8)


def fx(level: dict) -> str:
    return "sampler " + " ".join(f"{k}={v}" for k, v in level.items())


def mismatch(a: np.ndarray, b: np.ndarray, tolerance: float = 1.5 / 255) -> float:
    """Fraction of pixels that differ by more than ``tolerance`` in any channel."""
    return float((np.abs(a - b) > tolerance).any(axis=2).mean())


LEVELS = [
    {"x": 0.25, "y": 0.25, "size": 0.25},
    {"x": 0.6, "y": 0.4, "size": 0.3, "aspect": 2.0},
    {"x": 0.5, "y": 0.5, "size": 0.5, "rotation": 30},
    {"x": 0.4, "y": 0.7, "size": 0.2, "aspect": 0.5, "rotation": -75},
    {"x": 0.5, "y": 0.5, "size": 0.25, "mode": "tile"},
    {"x": 0.3, "y": 0.7, "size": 0.1, "mode": "mirror", "tiles": 6},
    {"x": 0.55, "y": 0.45, "size": 0.2, "mode": "tile", "tiles": 3, "rotation": 15},
    {"x": 0.5, "y": 0.5, "size": 0.3, "mode": "mirror"},
]


@pytest.mark.parametrize("level", LEVELS, ids=lambda lv: " ".join(f"{k}={v}" for k, v in lv.items()))
def test_rectangle_to_texture_coordinates_nearest(render, noise: np.ndarray, level: dict) -> None:
    out = render(noise, [fx({**level, "filter": "nearest"})])
    expected = sample(noise / 255.0, [level])
    # Nearest: a pixel whose position falls on a texel edge may round either way in float32.
    assert mismatch(out, expected) < 0.01


@pytest.mark.parametrize("how", ["linear", "cubic"])
@pytest.mark.parametrize("level", LEVELS[:2] + LEVELS[3:4] + LEVELS[5:6], ids=str)
def test_linear_and_cubic_filters(render, noise: np.ndarray, level: dict, how: str) -> None:
    out = render(noise, [fx({**level, "filter": how})])
    expected = sample(noise / 255.0, [{**level, "filter": how}])
    assert np.abs(out - expected).mean() < 0.5 / 255
    assert mismatch(out, expected, 3 / 255) < 0.01


def test_nearest_keeps_blocks_and_the_filters_differ(render, noise: np.ndarray) -> None:
    level = {"x": 0.5, "y": 0.5, "size": 0.125}  # 8x8 texels shown 8 times larger
    filters = ("nearest", "linear", "cubic")
    nearest, linear, cubic = (render(noise, [fx({**level, "filter": f})]) for f in filters)
    blocks = nearest.reshape(6, 8, 8, 8, 3)
    assert (blocks == blocks[:, :1, :, :1]).all()  # every 8x8 block is one colour
    assert not (linear.reshape(6, 8, 8, 8, 3) == linear.reshape(6, 8, 8, 8, 3)[:, :1, :, :1]).all()
    assert np.abs(linear - cubic).mean() > 1 / 255  # cubic overshoots where linear does not
    assert cubic.std() > linear.std()  # and keeps more contrast


def test_zoom_stack_is_traced_back_through_every_level(render, noise: np.ndarray) -> None:
    stack = [{"x": 0.6, "y": 0.4, "size": 0.5}, {"x": 0.3, "y": 0.6, "size": 0.5, "rotation": 20},
             {"x": 0.5, "y": 0.5, "size": 0.5, "mode": "mirror", "tiles": 3}]
    for depth in (1, 2, 3):  # push; each level zooms into what the one before shows
        out = render(noise, [fx(level) for level in stack[:depth]])
        assert mismatch(out, sample(noise / 255.0, stack[:depth])) < 0.01
    once = render(noise, [fx(stack[0])])
    twice = render(noise, [fx(stack[0]), fx(stack[1])])
    assert mismatch(once, twice) > 0.5  # a second level changes the view; popping it restores it


def test_tile_repeats_exactly_and_mirror_meets_without_seams(render, noise: np.ndarray) -> None:
    tiled = render(noise, [fx({"x": 0.5, "y": 0.5, "size": 0.25, "mode": "tile"})])
    assert np.array_equal(tiled[:, 16:], tiled[:, :-16]) and np.array_equal(tiled[12:], tiled[:-12])
    # The tile at the rectangle is the rectangle, in place (16x12 at 24, 18).
    assert np.array_equal(tiled[18:30, 24:40], noise[18:30, 24:40] / 255.0)
    mirrored = render(noise, [fx({"x": 0.5, "y": 0.5, "size": 0.25, "mode": "mirror"})])
    assert np.array_equal(mirrored[18:30, 24:40], noise[18:30, 24:40] / 255.0)
    assert np.array_equal(mirrored[18:30, 40:56], mirrored[18:30, 24:40][:, ::-1])  # flipped neighbour
    assert np.array_equal(mirrored[30:42, 24:40], mirrored[18:30, 24:40][::-1])
    assert np.array_equal(mirrored[:, 32:], mirrored[:, :-32])  # period two tiles


def test_sampler_position_in_the_chain_decides_what_it_samples(render) -> None:
    image = np.random.default_rng(5).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    zoom = "sampler x=0.5 y=0.5 size=0.5 filter=nearest"
    after = render(image, ["pixelate size=8", zoom])  # the blocks are magnified: 16 px
    before = render(image, [zoom, "pixelate size=8"])  # the zoomed picture in 8 px blocks
    assert (after.reshape(4, 16, 4, 16, 3) == after.reshape(4, 16, 4, 16, 3)[:, :1, :, :1]).all()
    assert not (before.reshape(4, 16, 4, 16, 3) == before.reshape(4, 16, 4, 16, 3)[:, :1, :, :1]).all()
    assert (before.reshape(8, 8, 8, 8, 3) == before.reshape(8, 8, 8, 8, 3)[:, :1, :, :1]).all()


def test_a_depth_gated_sampler_runs_on_its_own(render, noise: np.ndarray) -> None:
    depth = np.zeros((48, 64), np.float32)
    depth[:, 32:] = 1.0  # right half near
    level = {"x": 0.25, "y": 0.25, "size": 0.25}
    chain = ["sampler x=0.5 y=0.5 size=1", fx(level) + " depth_min=0.5 depth_soft=0"]
    out = render(noise, chain, depth=depth)
    zoomed = sample(noise / 255.0, [level])
    assert mismatch(out[:, 34:], zoomed[:, 34:]) < 0.01
    assert mismatch(out[:, :30], noise[:, :30] / 255.0) < 0.01  # far: the input (size=1: the image)


# -- the source at its own resolution ---------------------------------------------------------------


def render_native(ctx: moderngl.Context, registry: Registry, native: np.ndarray, size: tuple[int, int],
                  fit: str, chain: list[str], frame: Frame | None = None) -> np.ndarray:
    from PIL import Image

    from shaderviz.sources.images import fit_image

    fitted = np.asarray(fit_image(Image.fromarray(native), size, fit))
    renderer = Renderer(ctx, size, registry)
    try:
        renderer.upload_source(fitted)
        renderer.upload_native(native, fit)
        target = renderer.render([parse_fx(c, registry) for c in chain], frame or Frame())
        assert renderer.errors == {}
        return renderer.read(target).astype(np.float64) / 255.0
    finally:
        renderer.release()


def placement(native: tuple[int, int], size: tuple[int, int], fit: str) -> tuple[tuple[float, float], tuple]:
    """Where fit_image puts the native image: offset of the frame in the resized image, scale."""
    (rw, rh), crop = fit_box(native, size, fit)
    scale = (rw / native[0], rh / native[1])
    if crop is not None:
        return (crop[0], crop[1]), scale
    return (-((size[0] - rw) // 2), -((size[1] - rh) // 2)), scale


@pytest.mark.parametrize("fit", ["fill", "fit"])
def test_zoom_into_a_small_image_shows_its_real_pixels(gl_ctx, registry, fit: str) -> None:
    small = np.random.default_rng(9).integers(0, 256, (12, 20, 3), dtype=np.uint8)  # 20x12, shown at 160x90
    level = {"x": 0.4, "y": 0.55, "size": 0.25}
    out = render_native(gl_ctx, registry, small, (160, 91), fit, [fx(level)])
    offset, scale = placement((20, 12), (160, 91), fit)
    expected = sample_native(small / 255.0, [level], (160, 91), offset, scale)
    assert mismatch(out, expected) < 0.01
    colours = {tuple(c) for c in (out * 255).round().astype(int).reshape(-1, 3)}
    assert colours <= {tuple(c) for c in small.reshape(-1, 3)} | {(0, 0, 0)}  # real pixels, nothing blended


def test_without_the_native_image_the_zoom_reads_the_blurred_resize(gl_ctx, registry, render) -> None:
    from PIL import Image

    small = np.random.default_rng(9).integers(0, 256, (12, 20, 3), dtype=np.uint8)
    fitted = np.asarray(Image.fromarray(small).resize((160, 96), Image.BICUBIC))
    zoom = "sampler x=0.5 y=0.5 size=0.25"
    native = render_native(gl_ctx, registry, small, (160, 96), "fill", [zoom])
    resized = render(fitted, [zoom])
    assert mismatch(native, resized) > 0.5  # the bicubic resize is not what the generator made


def test_shrinking_a_big_native_image_reads_the_resized_copy(gl_ctx, registry) -> None:
    big = np.random.default_rng(2).integers(0, 256, (360, 640, 3), dtype=np.uint8)
    out = render_native(gl_ctx, registry, big, (64, 36), "fill", ["sampler size=1"])
    from PIL import Image

    fitted = np.asarray(Image.fromarray(big).resize((64, 36), Image.BICUBIC)) / 255.0
    assert np.abs(out - fitted).max() <= 1.5 / 255  # not every tenth pixel of the big one


def test_native_image_only_where_the_sampler_reads_the_source(gl_ctx, registry) -> None:
    small = np.random.default_rng(9).integers(0, 256, (12, 20, 3), dtype=np.uint8)
    zoom = "sampler x=0.4 y=0.55 size=0.25"
    first = render_native(gl_ctx, registry, small, (160, 96), "fill", [zoom])
    behind = render_native(gl_ctx, registry, small, (160, 96), "fill", ["saturate amount=0", zoom])
    grey = first.mean(axis=2, keepdims=True)
    assert mismatch(behind, np.repeat(grey, 3, axis=2), 4 / 255) > 0.3  # read the blurred input, not native


# -- modulation --------------------------------------------------------------------------------------


def test_every_numeric_parameter_modulates_and_the_loop_closes(render, noise: np.ndarray) -> None:
    from shaderviz.effects.modulation import parse_modulator

    mods = {"x": "sine(0.3,0.7)", "y": "triangle(0.4,0.6)", "size": "triangle(1,0.05)",
            "aspect": "sine(0.8,1.25)", "rotation": "saw(0,360)", "tiles": "sine(2,4)"}
    text = "sampler mode=mirror " + " ".join(f"{k}={v}" for k, v in mods.items())
    start, end = (render(noise, [text], Frame(phase=p)) for p in (0.0, 1.0))
    assert np.array_equal(start, end)  # seamless: the last frame leads into the first
    for phase in (0.13, 0.5):
        level = {"mode": "mirror", **{k: parse_modulator(v).value(phase) for k, v in mods.items()}}
        out = render(noise, [text], Frame(phase=phase))
        assert mismatch(out, sample(noise / 255.0, [level])) < 0.02
    assert mismatch(render(noise, [text], Frame(phase=0.25)), start) > 0.5  # it does move


def test_render_zooms_into_the_files_own_pixels(tmp_path) -> None:
    import subprocess
    import sys

    from PIL import Image

    small = np.random.default_rng(4).integers(0, 256, (12, 20, 3), dtype=np.uint8)
    Image.fromarray(small).save(tmp_path / "small.png")
    out = tmp_path / "zoom.png"
    subprocess.run([sys.executable, "-m", "shaderviz", "render", str(tmp_path / "small.png"),
                    "--size", "160x96", "--frames", "1", "--quiet", "-o", str(out),
                    "--fx", "sampler x=0.5 y=0.5 size=0.25"], check=True, capture_output=True)
    shown = np.asarray(Image.open(out).convert("RGB"))
    # 8 render pixels a file pixel, zoomed 4x: 32; the centre (file pixel 10, 6) falls on a corner
    assert np.array_equal(shown, np.kron(small[4:8, 7:13], np.ones((32, 32, 1), np.uint8))[16:-16, 16:-16])
