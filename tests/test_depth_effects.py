"""The depth effects against numpy references (tests/depth_reference.py): depthmap,
depth_color, depth_wave, dof; and the GPU depth preparation (guided filter, layers)."""

from __future__ import annotations

import numpy as np
import pytest
from depth_reference import back_depth, depth_color, depth_wave, depthmap, dof, guided_filter
from reference import bilinear, make_image, make_smooth_image, pixel_centres, to_float

from shaderviz.effects.chain import parse_fx
from shaderviz.render.depthprep import EPS, GUIDE_RADIUS, KAPPA, guide_factor
from shaderviz.render.renderer import Frame, Renderer


def ramp(width: int, height: int, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """Left-to-right depth ramp: pixel centre u maps to lo + (hi - lo) u."""
    u = (np.arange(width) + 0.5) / width
    return np.tile(lo + (hi - lo) * u, (height, 1)).astype(np.float32)


def radial(width: int, height: int) -> np.ndarray:
    """Near in the middle, far at the corners: every depth, in every direction."""
    y, x = np.mgrid[0:height, 0:width]
    r = np.hypot((x + 0.5) / width - 0.5, (y + 0.5) / height - 0.5) / np.hypot(0.5, 0.5)
    return (1.0 - r).astype(np.float32)


# -- depthmap ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fx, kwargs",
    [
        ("depthmap", {}),
        ("depthmap palette=viridis", {"palette_name": "viridis"}),
        ("depthmap palette=fire amount=0.4 gamma=2", {"palette_name": "fire", "amount": 0.4, "gamma": 2.0}),
        ("depthmap near=0.8 far=0.2 invert=true", {"near": 0.8, "far": 0.2, "invert": True}),
    ],
)
def test_depthmap(render, fx, kwargs) -> None:  # noqa: ANN001
    img = make_image(48, 32, seed=3)
    depth = radial(48, 32)
    expected = depthmap(to_float(img), depth.astype(np.float64), **kwargs)
    assert np.abs(render(img, [fx], depth=depth) - expected).max() <= 1.5 / 255


def test_depthmap_grey_is_the_depth_itself(render) -> None:  # noqa: ANN001
    depth = ramp(64, 8)
    out = render(np.full((8, 64, 3), 90, np.uint8), ["depthmap"], depth=depth)
    assert np.abs(out - depth[..., None]).max() <= 1.5 / 255  # grey, white = near


# -- depth_color ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fx, kwargs, phase",
    [
        ("depth_color", {}, 0.0),
        ("depth_color palette=ocean amount=1", {"palette_name": "ocean", "amount": 1.0}, 0.0),
        ("depth_color bands=6", {"bands": 6}, 0.0),
        ("depth_color bands=5 speed=1", {"bands": 5, "speed": 1}, 0.3),
        ("depth_color bands=5 speed=-2", {"bands": 5, "speed": -2}, 0.7),
        ("depth_color speed=1 amount=1", {"speed": 1, "amount": 1.0}, 0.45),
        ("depth_color shift=0.3 amount=0.5", {"shift": 0.3, "amount": 0.5}, 0.0),
        ("depth_color amount=0 fog=0.8 fog_color=#ff0000",
         {"amount": 0.0, "fog": 0.8, "fog_color": (1, 0, 0)}, 0.0),
    ],
)
def test_depth_color(render, fx, kwargs, phase) -> None:  # noqa: ANN001
    img = make_image(48, 32, seed=4)
    depth = radial(48, 32)
    expected = depth_color(to_float(img), depth.astype(np.float64), phase=phase, **kwargs)
    diff = np.abs(render(img, [fx], Frame(phase=phase), depth=depth) - expected)
    # Band edges may fall either side at the float32 / float64 boundary: allow a few pixels.
    assert np.mean(diff.max(axis=2) > 2.5 / 255) < 0.02, diff.max()


def test_depth_color_bands_travel_seamlessly(render) -> None:  # noqa: ANN001
    img = np.full((8, 64, 3), 128, np.uint8)
    depth = ramp(64, 8)
    fx = ["depth_color bands=4 speed=1 amount=1"]
    start, end, half = (render(img, fx, Frame(phase=p), depth=depth) for p in (0.0, 1.0, 0.5))
    assert np.abs(start - end).max() <= 1.5 / 255  # the loop closes
    assert np.abs(start - half).max() > 0.2  # ... and moves in between
    # speed > 0 travels toward the far: at a quarter of the loop the band pattern has moved
    # a quarter of the depth range to the left (toward smaller depth).
    quarter = render(img, fx, Frame(phase=0.25), depth=depth)
    assert np.abs(quarter[:, :48] - start[:, 16:]).mean() < 0.02


def test_depth_color_contour_lines_sit_on_band_edges(render) -> None:  # noqa: ANN001
    img = np.full((8, 128, 3), 128, np.uint8)
    out = render(img, ["depth_color bands=4 lines=2 amount=1"], depth=ramp(128, 8))
    changed = np.abs(out - 128 / 255).max(axis=2)[4] > 0.05
    edges = [32, 64, 96]  # u = 1/4, 1/2, 3/4
    for edge in edges:
        assert changed[edge - 1 : edge + 1].all(), np.nonzero(changed)
    far_from_edges = np.ones(128, bool)
    for edge in (0, *edges, 128):
        far_from_edges[max(0, edge - 3) : edge + 3] = False
    assert not changed[far_from_edges].any()


# -- depth_wave -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fx, kwargs, phase",
    [
        ("depth_wave", {}, 0.0),
        ("depth_wave", {}, 0.35),
        ("depth_wave direction=out speed=2 bands=3", {"direction": "out", "speed": 2, "bands": 3.0}, 0.2),
        ("depth_wave amount=0.03 angle=30 shade=0.5", {"amount": 0.03, "angle": 30.0, "shade": 0.5}, 0.6),
    ],
)
def test_depth_wave(render, fx, kwargs, phase) -> None:  # noqa: ANN001
    img = make_smooth_image(64, 48, seed=5)
    depth = radial(64, 48)
    expected = depth_wave(to_float(img), depth.astype(np.float64), phase=phase, **kwargs)
    out = render(img, [fx], Frame(phase=phase), depth=depth)
    assert np.abs(out - expected).max() <= 3 / 255


def test_depth_wave_fronts_travel_in_and_out(render) -> None:  # noqa: ANN001
    """The wave's phase over depth, measured from the displacement of a horizontal
    gradient: it moves by +speed * phase cycles with direction=in (fronts travel from near
    to far), by -speed * phase with out."""
    depth = ramp(256, 4)
    img = np.tile(np.linspace(0, 255, 256).astype(np.uint8)[None, :, None], (4, 1, 3))

    def wave_phase(direction: str, phase: float) -> float:
        out = render(img, [f"depth_wave bands=1 amount=0.02 angle=0 direction={direction}"],
                     Frame(phase=phase), depth=depth)
        shift = (img[2, 16:240, 0] / 255 - out[2, 16:240, 0])  # > 0 where content moved right
        d = depth[2, 16:240]
        return float(np.arctan2(np.sum(shift * np.cos(2 * np.pi * d)), np.sum(shift * np.sin(2 * np.pi * d))))

    for direction, sign in (("in", 1), ("out", -1)):
        moved = wave_phase(direction, 0.1) - wave_phase(direction, 0.0)
        assert abs(moved - sign * 0.2 * np.pi) < 0.2, (direction, moved)  # (0.875 cycles seen: a bias)


# -- dof --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fx, kwargs",
    [
        ("dof", {}),
        ("dof focus=1 blur=24", {"focus": 1.0, "blur": 24.0}),
        ("dof focus=0.3 blur=40 range=0.3 side=far",
         {"focus": 0.3, "blur": 40.0, "range_": 0.3, "side": "far"}),
        ("dof focus=0.2 blur=8 side=near", {"focus": 0.2, "blur": 8.0, "side": "near"}),
    ],
)
def test_dof_matches_a_per_pixel_reference(render, fx, kwargs) -> None:  # noqa: ANN001
    """Against ideal gaussian blurs per pixel: the pyramid's levels are downsampled
    approximations (and clamp at the border at their own size), so compare on a smooth
    image with a tolerance, tighter away from the border."""
    img = make_smooth_image(128, 96, seed=6)
    depth = radial(128, 96)
    expected = dof(to_float(img), depth.astype(np.float64), **kwargs)
    diff = np.abs(render(img, [fx], depth=depth) - expected)
    inner = diff[8:-8, 8:-8]
    assert diff.mean() < 0.025 and inner.mean() < 0.012, (diff.mean(), inner.mean())
    assert np.percentile(inner, 99) < 0.03, np.percentile(inner, 99)


def test_dof_keeps_the_focus_sharp_and_blurs_away_from_it(render) -> None:  # noqa: ANN001
    img = make_image(128, 32, seed=7)
    depth = ramp(128, 32)
    depth[:, -8:] = 1.0
    out = render(img, ["dof focus=1 blur=16 range=0.5"], depth=depth)
    detail = np.abs(np.diff(out, axis=1)).mean(axis=(0, 2))
    assert np.abs(out[:, -2:] - to_float(img)[:, -2:]).max() <= 2 / 255  # in focus: the input
    assert detail[:32].mean() < 0.25 * detail[-16:].mean()  # far: smooth


# -- depth preparation ------------------------------------------------------------------


def _refined(gl_ctx, registry, img: np.ndarray, depth: np.ndarray, reduce: int = 1) -> np.ndarray:  # noqa: ANN001
    renderer = Renderer(gl_ctx, (img.shape[1], img.shape[0]), registry)
    try:
        renderer.depth_prep.set_reduce(reduce)
        renderer.upload_source(img)
        renderer.upload_depth(depth, refine=True)
        renderer.render([], Frame())  # prepares the map
        width, height = renderer.depth.size
        data = np.frombuffer(renderer.depth.read(), np.float32)
        return data.reshape(height, width)[::-1].astype(np.float64)
    finally:
        renderer.release()


def _mean2(a: np.ndarray) -> np.ndarray:
    """2 x 2 block means (even sides): what a bilinear fetch at a half-size pixel centre reads."""
    return (a[0::2, 0::2] + a[1::2, 0::2] + a[0::2, 1::2] + a[1::2, 1::2]) / 4


def test_guided_filter_matches_reference(gl_ctx, registry) -> None:  # noqa: ANN001
    width, height = 202, 121  # factor 2, a partial block row and column
    img = make_smooth_image(width, height, seed=8)
    depth = (radial(width, height) * 0.7 + 0.3 * to_float(img)[..., 1]).astype(np.float32)
    factor = guide_factor((width, height))
    assert factor == 2
    expected = guided_filter(to_float(img), depth.astype(np.float64), factor, GUIDE_RADIUS, EPS)
    got = _refined(gl_ctx, registry, img, depth)
    assert np.abs(got - expected).max() < 2e-3


def test_a_small_map_is_refined_as_if_upscaled_first(gl_ctx, registry) -> None:  # noqa: ANN001
    """The model's map goes up at its own size: the refinement reads it bilinearly, with no
    full-size pass for it, and gives the map refined after a bilinear upscale."""
    width, height = 192, 120
    img = make_smooth_image(width, height, seed=4)
    small = radial(48, 30).astype(np.float32)
    x, y = pixel_centres(width, height)
    upscaled = bilinear(small[..., None].astype(np.float64), x * 48 / width, y * 30 / height)[..., 0]
    expected = guided_filter(to_float(img), upscaled, 2, GUIDE_RADIUS, EPS)
    got = _refined(gl_ctx, registry, img, small)
    assert got.shape == (height, width) and np.abs(got - expected).max() < 2e-3


def test_a_small_unrefined_map_is_scaled_bilinearly(gl_ctx, registry) -> None:  # noqa: ANN001
    renderer = Renderer(gl_ctx, (96, 60), registry)
    try:
        small = radial(24, 15).astype(np.float32)
        renderer.upload_depth(small)
        got = np.frombuffer(renderer.depth.read(), np.float32).reshape(60, 96)[::-1]
    finally:
        renderer.release()
    x, y = pixel_centres(96, 60)
    want = bilinear(small[..., None].astype(np.float64), x * 24 / 96, y * 15 / 60)[..., 0]
    assert np.abs(got - want).max() < 1e-3


def test_a_reduced_refinement_is_the_filter_at_half_size(gl_ctx, registry) -> None:  # noqa: ANN001
    """reduce=2 (play, a video on software GL): the guide read as 2 x 2 means, the filter's
    grid as coarse as at full size (factor 3 there, 2 here), the map half the size."""
    width, height = 384, 216
    img = make_smooth_image(width, height, seed=9)
    depth = (radial(width, height) * 0.6 + 0.4 * to_float(img)[..., 0]).astype(np.float32)
    expected = guided_filter(_mean2(to_float(img)), _mean2(depth.astype(np.float64)), 2, GUIDE_RADIUS, EPS)
    got = _refined(gl_ctx, registry, img, depth, reduce=2)
    assert got.shape == (height // 2, width // 2)
    assert np.abs(got - expected).max() < 5e-3  # the guide's 2 x 2 means in 8 bits


@pytest.mark.parametrize("fx", ["pixelsort key=depth backend=fragment", "pixelsort key=depth backend=compute",
                                "pixelsort key=depth mode=flow speed=16"])
def test_depth_sort_and_parallax_layers_read_a_reduced_map_at_every_pixel(gl_ctx, registry, fx: str) -> None:  # noqa: ANN001
    """Pixel sort by depth and the parallax's layers read depth pixel by pixel: a half-size
    map must be read by position (read past its size, the right half had no depth)."""
    width, height = 256, 24
    columns = np.arange(width)
    img = np.zeros((height, width, 3), np.uint8)
    img[..., 0], img[..., 1], img[..., 2] = columns, 60, 90  # red: which column a pixel came from
    depth = np.tile(np.linspace(0.05, 0.95, width, dtype=np.float32)[::-1], (height, 1))  # near left
    renderer = Renderer(gl_ctx, (width, height), registry)
    try:
        renderer.depth_prep.set_reduce(2)
        renderer.upload_source(img)
        renderer.upload_depth(depth, refine=True)
        chain = [parse_fx(fx, renderer.registry)]
        for index in range(40 if "flow" in fx else 1):  # a flow sort: enough steps for 256 px
            out = renderer.read(renderer.render(chain, Frame(index=index, time=index / 30)))
        half = np.frombuffer(renderer.depth.read(), np.float32).reshape(height // 2, width // 2)[::-1]
        layers = renderer.depth_prep.layers()
        front = np.frombuffer(layers.front.read(), np.float16).reshape(height, width)[::-1]
    finally:
        renderer.release()
    x, y = pixel_centres(width, height)
    full = bilinear(half[..., None].astype(np.float64), x / 2, y / 2)[..., 0]  # what DEPTH_AT reads
    source = out[..., 0].astype(int)
    keys = np.round(full[np.arange(height)[:, None], source] * 255)
    assert np.all(np.diff(keys, axis=1) >= 0)  # every row ascends in depth (far first)
    assert np.abs(front.astype(np.float64) - full).max() < 0.02  # at full size (dilated by a pixel)


def test_guided_filter_moves_a_blurred_depth_edge_onto_the_image_edge(gl_ctx, registry) -> None:  # noqa: ANN001
    """A model's map is soft: at 384x216 the model sees ~1.5 px per pixel of its own, and
    its edges spread over ~8 of them. Here the map's edge is at x = 136, 10-90 % over 13 px;
    the image's edge is at x = 128. The refined map jumps at the image's edge."""
    width, height = 384, 216
    img = np.zeros((height, width, 3), np.uint8)
    img[:, :128] = (200, 60, 40)
    img[:, 128:] = (30, 90, 160)
    x = np.arange(width) + 0.5
    soft = (1.0 / (1.0 + np.exp((x - 136) / 3.0))).astype(np.float32)
    got = _refined(gl_ctx, registry, img, np.tile(soft, (height, 1)))[height // 2]
    step = np.abs(np.diff(got))
    assert abs(int(np.argmax(step)) + 1 - 128) <= 1, np.argmax(step)
    assert step.max() > 4 * np.abs(np.diff(soft)).max()  # a jump, not the map's ramp


@pytest.mark.parametrize("follow", [True, False])
def test_a_moving_source_reapplies_the_last_fit_to_each_new_frame(gl_ctx, registry, follow: bool) -> None:  # noqa: ANN001
    """`play` on a video (``follow``): the map was fitted to the frame it arrived with; the
    next frames only re-apply that fit, so the depth edge moves with the picture's edge
    (6 px here, within the filter's window); a fit of the old map to the new frame instead
    blurs near depth across the strip the edge moved over."""
    width, height = 384, 216

    def frame(edge: int) -> np.ndarray:
        img = np.zeros((height, width, 3), np.uint8)
        img[:, :edge] = (200, 60, 40)
        img[:, edge:] = (30, 90, 160)
        return img

    step = np.where(np.arange(width) < 128, 0.9, 0.1).astype(np.float32)
    renderer = Renderer(gl_ctx, (width, height), registry)
    try:
        prep = renderer.depth_prep
        prep.follow = follow
        renderer.upload_source(frame(128))
        renderer.upload_depth(np.tile(step, (height, 1)), refine=True)
        renderer.render([], Frame())
        renderer.upload_source(frame(134))  # the picture moved on; no new map yet
        renderer.render([], Frame(index=1))
        got = np.frombuffer(renderer.depth.read(), np.float32).reshape(height, width)[::-1][height // 2]
        counts = (prep.fits, prep.applies)
        renderer.upload_depth(np.full((height, width), 0.5, np.float32), refine=True)  # a new map
        renderer.render([], Frame(index=2))
        refitted = np.frombuffer(renderer.depth.read(), np.float32)
        assert prep.fits == counts[0] + 1 and np.abs(refitted - 0.5).max() < 1e-3  # fitted anew
    finally:
        renderer.release()
    if follow:
        assert counts == (1, 1)
        assert int(np.argmax(np.abs(np.diff(got)))) + 1 == 134
        assert got[:128].min() > 0.85 and got[128:134].min() > 0.7 and got[134:].max() < 0.15
    else:
        assert counts == (2, 0)
        assert got[128:134].min() < 0.6  # refitted: near depth fades out before the new edge


def test_depth_files_are_used_as_they_are(render) -> None:  # noqa: ANN001
    depth = radial(32, 24)
    out = render(np.zeros((24, 32, 3), np.uint8), ["depthmap"], depth=depth)
    assert np.abs(out[..., 0] - depth).max() <= 1.5 / 255


def test_parallax_layers_match_reference(gl_ctx, registry) -> None:  # noqa: ANN001
    """front = the map dilated 1 px (3x3 max) where that rises more than 0.05 (depth
    edges); back = the L1 distance cone (slope KAPPA per image height) over the farthest
    of each block."""
    width, height = 96, 200  # back scale 2: a reach of 50 px in at most 32 taps
    rng = np.random.default_rng(9)
    depth = np.full((height, width), 0.2, np.float32)
    depth[60:120, 30:70] = 0.9
    depth += (rng.random((height, width)) * 0.05).astype(np.float32)
    renderer = Renderer(gl_ctx, (width, height), registry)
    try:
        renderer.upload_depth(depth)
        layers = renderer.depth_prep.layers()
        front = np.frombuffer(layers.front.read(), np.float16).reshape(height, width).astype(np.float64)
        scale = renderer.depth_prep.back_scale()
        bw, bh = layers.back.size
        back = np.frombuffer(layers.back.read(), np.float16).reshape(bh, bw).astype(np.float64)
        cw, ch = layers.bounds.size
        bounds = np.frombuffer(layers.bounds.read(), np.float16).reshape(ch, cw, 2).astype(np.float64)
    finally:
        renderer.release()
    own = depth.astype(np.float64)[::-1]
    padded = np.pad(own, 1, mode="edge")
    dilated = np.max([padded[1 + j : 1 + j + height, 1 + i : 1 + i + width]
                      for j in (-1, 0, 1) for i in (-1, 0, 1)], axis=0)
    dilated = np.where(dilated - own > 0.05, dilated, own)
    assert scale == 2
    assert np.abs(front - dilated).max() < 1e-3
    assert (front > own + 0.5).sum() == 2 * (60 + 40) + 4  # one ring around the near block
    taps = int(np.ceil(0.25 * height / scale))
    expected = back_depth(front, scale, KAPPA / height * scale, taps)
    assert np.abs(back - expected).max() < 2e-3
    # bounds: per 8x8 cell (from GL's origin), the lowest map value and the highest front
    # value of the 3x3 cells around it.
    plain = depth.astype(np.float64)[::-1]
    for cy in range(ch):
        for cx in range(cw):
            around = np.s_[max(0, cy * 8 - 8) : cy * 8 + 16, max(0, cx * 8 - 8) : cx * 8 + 16]
            assert bounds[cy, cx, 0] <= plain[around].min() + 1e-3
            assert bounds[cy, cx, 1] >= front[around].max() - 1e-3
            assert bounds[cy, cx, 0] >= plain[around].min() - 2e-3  # and tight
    # Under the near block's edge, back holds about the background's depth (+ kappa per px).
    assert back[(200 - 90) // 2, 32 // 2] < front[200 - 90, 32] - 0.5


def test_every_depth_effect_reads_depth(registry) -> None:  # noqa: ANN001
    for name in ("parallax", "depth_color", "depth_wave", "dof", "depthmap"):
        spec = registry.get(name)
        assert spec.reads_depth and parse_fx(name, registry).uses_depth(spec)
