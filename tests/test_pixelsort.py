"""Pixel sort on the GPU against the numpy reference (tests/sort_reference.py)."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from sort_reference import KEYS, line_map, pixelsort, sort_keys

from shaderviz.effects.chain import parse_fx
from shaderviz.effects.registry import Registry
from shaderviz.render.context import headless_context
from shaderviz.render.kernels import pixelsort as pixelsort_kernel
from shaderviz.render.kernels.pixelsort import bitonic_stages, scan_offsets
from shaderviz.render.renderer import Frame, Renderer

BACKENDS = ["fragment", "compute"]


@pytest.fixture(scope="module")
def gl():
    ctx = headless_context()
    yield ctx, Registry.load()
    ctx.release()


def random_image(w: int, h: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (h, w, 3), dtype=np.uint8), rng.integers(0, 256, (h, w), dtype=np.uint8)


class Sorter:
    """A renderer with one image and depth uploaded; renders --fx strings."""

    def __init__(self, gl, rgb: np.ndarray, depth8: np.ndarray) -> None:
        ctx, registry = gl
        self.registry = registry
        h, w = rgb.shape[:2]
        self.renderer = Renderer(ctx, (w, h), registry)
        self.renderer.upload_source(rgb)
        self.renderer.upload_depth(depth8.astype(np.float32) / 255.0)

    def render(self, chain: list, frame: int = 0) -> np.ndarray:
        target = self.renderer.render(chain, Frame(index=frame))
        return self.renderer.read(target)

    def fx(self, text: str) -> list:
        return [parse_fx(text, self.registry)]

    def close(self) -> None:
        self.renderer.release()


def skip_without_compute(gl, backend: str) -> None:
    if backend == "compute" and gl[0].version_code < 430:
        pytest.skip("compute shaders need GL 4.3")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("size", [(37, 23), (16, 9)])
@pytest.mark.parametrize("key", KEYS)
def test_instant_equals_stable_sort_reference(gl, backend, size, key):
    skip_without_compute(gl, backend)
    rgb, depth8 = random_image(*size, seed=len(key))
    sorter = Sorter(gl, rgb, depth8)
    try:
        for axis in "xy":
            for descending in (False, True):
                for lo, hi, interval in [(0.0, 1.0, 0), (0.25, 0.8, 0), (0.1, 0.9, 5)]:
                    chain = sorter.fx(f"pixelsort mode=instant backend={backend} key={key} axis={axis} "
                                      f"descending={descending} lo={lo} hi={hi} interval={interval}")
                    expected = pixelsort(rgb, depth8, key, axis, descending, lo, hi, interval)
                    got = sorter.render(chain)
                    assert np.array_equal(got, expected), (axis, descending, lo, hi, interval)
    finally:
        sorter.close()


def test_instant_sorts_a_gradient_image(gl):
    """Sanity beyond the reference: a full-band sort of each row is monotonic."""
    rgb, depth8 = random_image(64, 8, seed=3)
    sorter = Sorter(gl, rgb, depth8)
    try:
        out = sorter.render(sorter.fx("pixelsort key=intensity"))
        total = out.astype(int).sum(axis=2)
        assert (np.diff(total, axis=1) >= 0).all()
        assert sorted(map(tuple, out[0])) == sorted(map(tuple, rgb[0]))
        assert not np.array_equal(out, rgb)
    finally:
        sorter.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_depth_gating_masks_the_sort(gl, backend):
    skip_without_compute(gl, backend)
    rgb, _ = random_image(40, 12, seed=5)
    depth8 = np.zeros((12, 40), np.uint8)
    depth8[:, 10:30] = 255  # a near band in the middle of every row
    sorter = Sorter(gl, rgb, depth8)
    try:
        got = sorter.render(sorter.fx(f"pixelsort backend={backend} depth_min=0.5 depth_soft=0"))
        expected = pixelsort(rgb, depth8, mask=depth8 > 127)
        assert np.array_equal(got, expected)
        assert np.array_equal(got[:, :10], rgb[:, :10]) and np.array_equal(got[:, 30:], rgb[:, 30:])
    finally:
        sorter.close()


@pytest.mark.parametrize("speed", [1, 2])  # single-step draws, two-step draws
def test_flow_pass_keeps_pixels_and_converges_to_instant(gl, speed):
    rgb, depth8 = random_image(29, 7, seed=11)
    sorter = Sorter(gl, rgb, depth8)
    settings = "key=hue axis=x descending=true lo=0.2 hi=0.9 interval=6"
    try:
        flow = sorter.fx(f"pixelsort mode=flow speed={speed} {settings}")
        in_band = pixelsort(rgb, depth8, "hue", "x", True, 0.2, 0.9, 6) != rgb  # moved by the full sort
        outside = ~_band_mask(rgb, depth8, "hue", 0.2, 0.9)
        previous = rgb
        for frame in range(30 // speed):
            out = sorter.render(flow, frame)
            for row in range(rgb.shape[0]):  # every line is a permutation of the last
                assert sorted(map(tuple, out[row])) == sorted(map(tuple, previous[row]))
            assert np.array_equal(out[outside], rgb[outside])  # out-of-band pixels never move
            previous = out
        assert in_band.any()
        instant = sorter.render(sorter.fx(f"pixelsort mode=instant {settings}"))
        assert np.array_equal(previous, instant)
    finally:
        sorter.close()


def test_flow_moves_toward_sorted_and_resets(gl):
    rgb, depth8 = random_image(48, 6, seed=2)
    sorter = Sorter(gl, rgb, depth8)
    try:
        target = sorter.render(sorter.fx("pixelsort axis=x"))
        flow = sorter.fx("pixelsort mode=flow speed=3 axis=x")  # state lives while in the chain
        first = sorter.render(flow, 0)
        later = sorter.render(flow, 1)

        def inversions(img):  # each adjacent swap of the flow removes exactly one
            keys = sort_keys(img, depth8, "lightness").astype(int)
            return sum(int((line[:, None] > line[None, :])[np.triu_indices(len(line), 1)].sum())
                       for line in keys)

        assert inversions(rgb) > inversions(first) > inversions(later) > inversions(target) == 0
        still = sorter.fx("pixelsort mode=flow speed=0 axis=x")
        still[0].uid = flow[0].uid  # same instance, speed 0: holds where it is
        assert np.array_equal(sorter.render(still, 2), later)
        sorter.renderer.reset_state()
        assert np.array_equal(sorter.render(flow, 3), first)  # back to the unsorted source
    finally:
        sorter.close()


FLOW_SETTINGS = [
    "key=hue axis=x descending=true lo=0.05 hi=0.95 interval=40",
    "key=lightness axis=y lo=0.05 hi=0.95 depth_min=0.3 depth_max=0.8 depth_soft=0.05",
    "key=depth axis=x descending=true interval=30 depth_min=0.2 depth_soft=0",  # key carried, gate in place
    "key=luma axis=x lo=0.05 hi=0.95 interval=25 angle=30",
    "key=saturation axis=y descending=true lo=0.02 angle=-63 depth_min=0.4 depth_invert=true depth_soft=0",
    "key=intensity axis=y angle=120 interval=30",  # full band: holes next to in-band pixels
]


@pytest.mark.parametrize("settings", FLOW_SETTINGS)
def test_flow_double_steps_equal_single_steps(gl, monkeypatch, settings):
    """A flow draw does two odd-even steps where it can: after every frame the image is the
    one that single steps give, for odd and even speeds (a double draw may start on an odd
    step) and a speed changing between frames."""
    rgb, noise = random_image(45, 27, seed=9)
    # depth: rows far to near with noise, so the gate leaves long runs and the depth key sorts
    depth8 = np.clip(np.linspace(0, 255, 27)[:, None] + noise / 4 - 32, 0, 255).astype(np.uint8)
    speeds = [1, 2, 3, 1, 2, 0, 3, 7, 2, 5]

    def frames(steps_per_draw: int) -> list[np.ndarray]:
        monkeypatch.setattr(pixelsort_kernel.PixelSortKernel, "flow_steps_per_draw", steps_per_draw)
        sorter = Sorter(gl, rgb, depth8)
        try:
            flow = sorter.fx(f"pixelsort mode=flow {settings}")
            out = []
            for frame, speed in enumerate(speeds):
                flow[0].values["speed"] = speed
                out.append(sorter.render(flow, frame))
            return out
        finally:
            sorter.close()

    single, double = frames(1), frames(2)
    assert not np.array_equal(single[0], rgb)
    assert len({out.tobytes() for out in single}) >= 7  # compared while it sorts, not only once done
    for frame, (one, two) in enumerate(zip(single, double, strict=True)):
        assert np.array_equal(one, two), (frame, speeds[frame])


# -- any angle -----------------------------------------------------------------------------

ANGLES = [17.0, 45.0, -30.0, 63.0, -45.0, 90.0, -90.0, 120.0, -180.0]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("size", [(37, 23), (19, 30)])
@pytest.mark.parametrize("angle", ANGLES)
def test_angled_instant_equals_reference(gl, backend, size, angle):
    skip_without_compute(gl, backend)
    rgb, depth8 = random_image(*size, seed=int(angle) % 7)
    sorter = Sorter(gl, rgb, depth8)
    try:
        for axis in "xy":
            for descending in (False, True):
                for lo, hi, interval in [(0.0, 1.0, 0), (0.25, 0.8, 0), (0.1, 0.9, 5)]:
                    chain = sorter.fx(f"pixelsort backend={backend} key=hue axis={axis} angle={angle} "
                                      f"descending={descending} lo={lo} hi={hi} interval={interval}")
                    expected = pixelsort(rgb, depth8, "hue", axis, descending, lo, hi, interval, angle=angle)
                    got = sorter.render(chain)
                    assert np.array_equal(got, expected), (axis, descending, lo, hi, interval)
    finally:
        sorter.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_angled_lines_are_the_digital_lines(gl, backend):
    """Independent of the reference: at atan(1/3) from the x axis the lines are
    r + round(c / 3) = const (rising to the right), at 45° the anti-diagonals, at
    90° - atan(1/3) c - round((H-1-r) / 3) = const (climbing to the right); each comes
    out sorted along its direction and keeps its pixels."""
    skip_without_compute(gl, backend)
    w, h = 31, 17
    rgb, depth8 = random_image(w, h, seed=9)
    r, c = np.mgrid[0:h, 0:w]
    third = math.degrees(math.atan(1 / 3))
    cases = [(third, r + (2 * c + 3) // 6, c), (45.0, r + c, c),
             (90.0 - third, c - (2 * (h - 1 - r) + 3) // 6, h - 1 - r)]  # (angle, line id, position)
    sorter = Sorter(gl, rgb, depth8)
    try:
        for angle, line_id, position in cases:
            out = sorter.render(sorter.fx(f"pixelsort backend={backend} key=intensity angle={angle}"))
            rows = sorter.render(sorter.fx(f"pixelsort backend={backend} key=intensity"))
            assert not np.array_equal(out, rows)
            before, after = rgb.astype(int).sum(axis=2), out.astype(int).sum(axis=2)
            for line in np.unique(line_id):
                on = line_id == line
                order = np.argsort(position[on])
                assert sorted(map(tuple, out[on])) == sorted(map(tuple, rgb[on])), (angle, line)
                assert (np.diff(after[on][order]) >= 0).all(), (angle, line)
            assert not all((np.diff(before[line_id == n][np.argsort(position[line_id == n])]) >= 0).all()
                           for n in np.unique(line_id))  # there was something to sort
    finally:
        sorter.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_quarter_turns_equal_the_other_axis(gl, backend):
    skip_without_compute(gl, backend)
    rgb, depth8 = random_image(21, 13, seed=4)
    sorter = Sorter(gl, rgb, depth8)
    band = f"backend={backend} key=luma lo=0.1 hi=0.9"

    def render(settings: str) -> np.ndarray:
        return sorter.render(sorter.fx(f"pixelsort {band} {settings}"))

    try:
        # Same lines, same positions: equal even with random interval breaks.
        assert np.array_equal(render("axis=x angle=-90 interval=4"), render("axis=y interval=4"))
        assert np.array_equal(render("axis=y angle=90 interval=4"), render("axis=x interval=4"))
        # Reversed positions: ascending one way is descending the other way.
        assert np.array_equal(render("axis=x angle=90"), render("axis=y descending=true"))
        assert np.array_equal(render("axis=y angle=-90 descending=true"), render("axis=x"))
        assert np.array_equal(render("axis=x angle=180"), render("axis=x descending=true"))
        assert np.array_equal(render("axis=y angle=-180 descending=true"), render("axis=y"))
    finally:
        sorter.close()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("angle", [30.0, -63.0])
def test_angled_depth_key_and_gating_use_original_positions(gl, backend, angle):
    skip_without_compute(gl, backend)
    rgb, depth8 = random_image(40, 12, seed=5)
    sorter = Sorter(gl, rgb, depth8)
    try:
        for key in ("depth", "saturation"):
            got = sorter.render(sorter.fx(f"pixelsort backend={backend} key={key} angle={angle} "
                                          "depth_min=0.5 depth_soft=0"))
            expected = pixelsort(rgb, depth8, key, angle=angle, mask=depth8 > 127)
            assert np.array_equal(got, expected), key
            assert np.array_equal(got[depth8 <= 127], rgb[depth8 <= 127])  # the gated-off pixels stay
    finally:
        sorter.close()


@pytest.mark.parametrize("speed", [1, 2])
@pytest.mark.parametrize("angle", [30.0, -63.0])
def test_angled_flow_keeps_lines_and_converges_to_instant(gl, angle, speed):
    rgb, depth8 = random_image(29, 13, seed=11)
    row, col, on = line_map(13, 29, "x", angle)
    lines = [(row[n][on[n]], col[n][on[n]]) for n in range(on.shape[0])]
    sorter = Sorter(gl, rgb, depth8)
    settings = f"key=hue axis=x descending=true lo=0.2 hi=0.9 interval=6 angle={angle}"
    try:
        flow = sorter.fx(f"pixelsort mode=flow speed={speed} {settings}")
        outside = ~_band_mask(rgb, depth8, "hue", 0.2, 0.9)
        previous = rgb
        for frame in range(32 // speed):
            out = sorter.render(flow, frame)
            for r, c in lines:  # every angled line is a permutation of the last
                assert sorted(map(tuple, out[r, c])) == sorted(map(tuple, previous[r, c]))
            assert np.array_equal(out[outside], rgb[outside])  # out-of-band pixels never move
            previous = out
        instant = pixelsort(rgb, depth8, "hue", "x", True, 0.2, 0.9, 6, angle=angle)
        assert not np.array_equal(instant, rgb)
        assert np.array_equal(previous, instant)
        assert np.array_equal(sorter.render(sorter.fx(f"pixelsort mode=instant {settings}")), instant)
    finally:
        sorter.close()


def test_flow_turns_on_with_its_state(gl):
    """The flow state is the image itself: a new angle sorts on from where it is."""
    rgb, depth8 = random_image(24, 10, seed=6)
    sorter = Sorter(gl, rgb, depth8)
    try:
        flow = sorter.fx("pixelsort mode=flow speed=4 angle=40")
        angled = sorter.render(flow, 0)
        flow[0].values["angle"] = 0.0
        rows = sorter.render(flow, 1)
        assert not np.array_equal(angled, rgb) and not np.array_equal(rows, angled)
        for n in range(rgb.shape[0]):
            assert sorted(map(tuple, rows[n])) == sorted(map(tuple, angled[n]))
    finally:
        sorter.close()


def test_turning_angle_allocates_a_few_times(gl, monkeypatch):
    allocated = []

    class CountingPair(pixelsort_kernel._Pair):
        def __init__(self, *args, **kwargs):
            allocated.append(args[1])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(pixelsort_kernel, "_Pair", CountingPair)
    rgb, depth8 = random_image(40, 24, seed=1)
    sorter = Sorter(gl, rgb, depth8)
    try:
        chain = sorter.fx("pixelsort backend=fragment")
        sweep = [float(a) for a in range(-90, 91, 5)]
        for angle in sweep:
            chain[0].values["angle"] = angle
            assert np.array_equal(sorter.render(chain), pixelsort(rgb, depth8, angle=angle)), angle
        first = len(allocated)
        assert first <= 10, allocated  # two line lengths, a few steps each
        for angle in reversed(sweep):
            chain[0].values["angle"] = angle
            sorter.render(chain)
        assert len(allocated) == first
    finally:
        sorter.close()


def test_cli_renders_an_angled_sort(tmp_path):
    rgb, _ = random_image(36, 20, seed=8)
    source, out = tmp_path / "in.png", tmp_path / "out.png"
    Image.fromarray(rgb).save(source)
    done = subprocess.run([sys.executable, "-m", "shaderviz", "render", str(source), "-o", str(out),
                           "--frames", "1", "--fx", "pixelsort angle=30", "--quiet"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    got = np.asarray(Image.open(out).convert("RGB"))
    assert np.array_equal(got, pixelsort(rgb, angle=30.0))


def test_network_sizes():
    assert len(bitonic_stages(1920)) == 66  # 11 * 12 / 2
    assert len(bitonic_stages(2048)) == 66
    assert len(bitonic_stages(1)) == 0
    assert scan_offsets(1920)[-1] == 1024 and len(scan_offsets(1920)) == 11


def _band_mask(rgb, depth8, key, lo, hi):
    from sort_reference import sort_keys, thresholds

    keys = sort_keys(rgb, depth8, key)
    band_lo, band_hi = thresholds(lo, hi)
    return (keys >= band_lo) & (keys <= band_hi)
