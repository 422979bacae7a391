"""Each built-in effect on the GPU (Mesa llvmpipe) against its numpy reference.

Outputs are 8-bit, so errors are counted in LSB (1/255). Tolerances:

* 1 LSB where the GPU computes the reference's arithmetic exactly and only the final
  float -> unorm8 rounding can differ (exact texel fetches, per-pixel maths);
* 2 LSB where a bilinear tap falls between texels (llvmpipe filters unorm8 textures
  with 8-bit fixed-point weights) or a palette is read from its 8-bit texture;
* wider, and justified at the test, where the GPU deliberately approximates (blurs of
  large radii run on a downsampled copy).

Every test also checks that the effect visibly changes its input, so an effect that
silently did nothing (or the wrong thing) could not pass.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference as ref
from reference import make_image, make_smooth_image

from shaderviz.effects.chain import EffectInstance, parse_fx
from shaderviz.render.renderer import Frame, Renderer

SIZES = [(48, 32), (37, 23)]
LSB = 1.0 / 255.0


def lsb_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest absolute difference, in units of 1/255."""
    return float(np.abs(a - b).max()) * 255.0


def mean_lsb_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).mean()) * 255.0


def assert_close(out: np.ndarray, expected: np.ndarray, tol_lsb: float) -> None:
    err = lsb_error(out, expected)
    where = np.unravel_index(np.argmax(np.abs(out - expected)), out.shape)
    assert err <= tol_lsb + 1e-6, f"max error {err:.2f}/255 > {tol_lsb}/255 at (row, col, ch) {where}"


def assert_changes(out: np.ndarray, before: np.ndarray, min_lsb: float = 10.0) -> None:
    assert lsb_error(out, before) >= min_lsb, "the effect did not change the image"


# -- rgb_split -------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("shift", [1, 3])
@pytest.mark.parametrize("angle", [0, 90, 180, -90, 270])
def test_rgb_split_integer_shift(render, size, shift, angle):
    width, height = size
    img = make_image(width, height, seed=shift)
    amount = shift / width  # `shift` whole pixels, in x and in y alike
    out = render(img, [f"rgb_split amount={amount!r} angle={angle}"])
    src = ref.to_float(img)
    # Whole-pixel shifts land on texel centres: exact fetches.
    assert_close(out, ref.rgb_split(src, amount, angle), 1)
    assert_changes(out, src)


@pytest.mark.parametrize("size", SIZES)
def test_rgb_split_direction_conventions(render, size):
    """Independent of reference.py: red moves right at 0 degrees and up at 90."""
    width, height = size
    img = make_image(width, height, seed=11)
    k = 2
    right = np.round(render(img, [f"rgb_split amount={k / width!r} angle=0"]) * 255).astype(int)
    np.testing.assert_array_equal(right[:, k:, 0], img[:, :-k, 0])  # red moved right by k
    np.testing.assert_array_equal(right[:, :-k, 2], img[:, k:, 2])  # blue moved left by k
    np.testing.assert_array_equal(right[..., 1], img[..., 1])  # green untouched
    up = np.round(render(img, [f"rgb_split amount={k / width!r} angle=90"]) * 255).astype(int)
    np.testing.assert_array_equal(up[:-k, :, 0], img[k:, :, 0])  # red moved up (towards row 0)
    np.testing.assert_array_equal(up[k:, :, 2], img[:-k, :, 2])  # blue moved down


def test_an_angle_parameter_brings_its_direction(gl_ctx, registry, tmp_path) -> None:  # noqa: ANN001
    """A float with "unit": "deg" gives the shader NAME_dir = (cos, sin), set per frame."""
    from shaderviz.effects.registry import Registry

    folder = tmp_path / "fx"
    folder.mkdir()
    (folder / "turn.glsl").write_text('/*{ "params": {"a": {"type": "float", "default": 0, "min": -360, '
                                      '"max": 360, "unit": "deg"}} }*/\n'
                                      "vec4 effect(vec2 uv) { return vec4(0.5 + 0.5 * a_dir, 0.0, 1.0); }\n")
    mine = Registry.load([folder])
    img = make_image(8, 8, seed=1)
    for angle in (0.0, 90.0, 210.0):
        renderer = Renderer(gl_ctx, (8, 8), mine)
        try:
            renderer.upload_source(img)
            out = renderer.read(renderer.render([parse_fx(f"turn a={angle}", mine)], Frame()))
        finally:
            renderer.release()
        want = 0.5 + 0.5 * np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))])
        assert np.abs(out[0, 0, :2] / 255 - want).max() < 2 / 255, (angle, out[0, 0])


def test_a_number_variant_compiles_its_branch_in_or_out(gl_ctx, tmp_path) -> None:  # noqa: ANN001
    """"variants" on a number: NAME_ON is 0 (the code compiled out) exactly when it is 0;
    a modulated value counts as on. A header may not list other kinds there."""
    from shaderviz.effects.registry import Registry
    from shaderviz.effects.spec import parse_effect

    folder = tmp_path / "fx"
    folder.mkdir()
    header = '/*{ "variants": ["k"], "params": {"k": {"type": "float", "default": 0, "min": 0, "max": 1}} }*/'
    body = ("vec4 effect(vec2 uv) {\n#if K_ON\n    return vec4(k, 1.0, 0.0, 1.0);\n"
            "#else\n    return vec4(0.0, 0.0, 1.0, 1.0);\n#endif\n}\n")
    (folder / "onoff.glsl").write_text(header + "\n" + body)
    mine = Registry.load([folder])
    img = make_image(4, 4, seed=2)
    seen = {}
    for text in ("onoff k=0", "onoff k=0.5", "onoff k=sine(0,1)"):
        renderer = Renderer(gl_ctx, (4, 4), mine)
        try:
            renderer.upload_source(img)
            seen[text] = tuple(renderer.read(renderer.render([parse_fx(text, mine)], Frame()))[0, 0, :3])
        finally:
            renderer.release()
    assert seen["onoff k=0"] == (0, 0, 255)
    assert seen["onoff k=0.5"][1:] == (255, 0) and abs(seen["onoff k=0.5"][0] - 128) <= 1
    assert seen["onoff k=sine(0,1)"][1:] == (255, 0)
    with pytest.raises(ValueError, match="variants must list"):
        parse_effect(tmp_path / "bad.glsl", '/*{ "variants": ["c"], "params": {"c": {"type": "color", '
                     '"default": "#ff0000"}} }*/\nvec4 effect(vec2 uv) { return vec4(1.0); }\n')


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("phase", [0.0, 0.25, 0.3, 0.5, 0.875])
def test_rgb_split_wobble_at_phase(render, size, phase):
    width, height = size
    img = make_image(width, height, seed=3)
    src = ref.to_float(img)
    amount, angle, wobble, cycles = 2.5 / width, 30.0, 0.7, 2
    fx = f"rgb_split amount={amount!r} angle={angle} wobble={wobble} cycles={cycles}"
    out = render(img, [fx], Frame(phase=phase))
    # Fractional shifts: bilinear taps between texels (8-bit filter weights): 2 LSB.
    assert_close(out, ref.rgb_split(src, amount, angle, wobble, cycles, phase), 2)
    # The wobble really moves with the phase: an eighth of a wobble later looks different.
    later = ref.rgb_split(src, amount, angle, wobble, cycles, phase + 1 / (8 * cycles))
    assert lsb_error(out, later) > 20


# -- pixelate --------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("block", [1, 2, 3, 5, 8, 12, 40])
def test_pixelate(render, size, block):
    width, height = size
    img = make_image(width, height, seed=block)
    out = render(img, [f"pixelate size={block}"])
    src = ref.to_float(img)
    # Odd blocks sample a texel centre; even ones the exact middle of 2x2 texels: 2 LSB.
    assert_close(out, ref.pixelate(src, block), 2)
    if block == 1:
        assert_close(out, src, 0)
    else:
        assert_changes(out, src)
        # Blocks are anchored at the top-left: the first block is uniform.
        first = out[: min(block, height), : min(block, width)]
        assert np.ptp(first.reshape(-1, 3), axis=0).max() == 0


# -- blur ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("radius", [0, 0.5, 1, 2.5, 4, 5.9])
def test_blur_full_size(render, size, radius):
    """radius < 6 runs at full size: a tight match with the separable gaussian."""
    width, height = size
    img = make_image(width, height, seed=5)
    src = ref.to_float(img)
    out = render(img, [f"blur radius={radius}"])
    # The GPU keeps the horizontal and vertical passes in 8-bit targets; the reference
    # rounds at the same points. Pairs of taps are read with one bilinear fetch, whose
    # weights the GPU holds in fixed point (8 bits on llvmpipe): up to 3 LSB apart.
    assert_close(out, ref.gaussian_blur(src, radius, quantize_passes=True), 3)
    # ...and within a few LSB of the ideal (unrounded) gaussian.
    assert_close(out, ref.gaussian_blur(src, radius), 3)
    if radius >= 2.5:
        assert_changes(out, src, 30)
    elif radius >= 1:  # sigma 1/3 px: the neighbours weigh about 1% each
        assert_changes(out, src, 5)
    elif radius == 0:
        assert_close(out, src, 0)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("radius", [6, 8, 11, 12, 16, 32, 64])
def test_blur_downsampled(render, size, radius):
    """Large radii run on a 1/2 or 1/4 size copy: close to the ideal gaussian on average."""
    width, height = size
    img = make_smooth_image(width, height, seed=radius)
    src = ref.to_float(img)
    out = render(img, [f"blur radius={radius}"])
    # Step by step, the downsampled path is modelled exactly (bilinear taps and tap
    # pairs read with one fixed-point bilinear fetch: 3 LSB)...
    assert_close(out, ref.downsampled_blur(src, radius), 3)
    # ...and it approximates the full-size gaussian: the box downsample and bilinear
    # upsample widen the kernel slightly and the low-res clamp-to-edge differs near the
    # borders, so single pixels can be off by ~30 LSB; on average it is within 4 LSB
    # (a blur of half the radius is off by 8..15 LSB on average on these images).
    ideal = ref.gaussian_blur(src, radius)
    if radius <= 32:  # radius 64 on a 37x23 image: nearly every tap is a clamped edge texel
        assert mean_lsb_error(out, ideal) <= 4.0
    assert_changes(out, src, 30)
    if radius <= 16:  # larger radii flatten these small images whatever the radius
        assert mean_lsb_error(out, ref.gaussian_blur(src, radius / 2)) > 2 * mean_lsb_error(out, ideal)


@pytest.mark.parametrize("fx", ["blur radius=4", "blur radius=8", "blur radius=16",
                                "sharpen amount=1 radius=3", "sharpen amount=1 radius=8",
                                "sharpen amount=1 radius=16", "sharpen amount=1 radius=32"])
def test_blurs_are_isotropic(render, fx):
    """Transposing the input transposes the output: x and y are blurred alike."""
    img = make_smooth_image(40, 40, seed=2)
    out = render(img, [fx])
    out_t = render(np.ascontiguousarray(img.transpose(1, 0, 2)), [fx]).transpose(1, 0, 2)
    # The passes round to 8 bits along different axes: up to 2 LSB, a bit more after
    # sharpen's c + amount * (c - blur) doubles a rounding difference.
    assert_close(out, out_t, 3)
    assert_changes(out, ref.to_float(img))


# -- sharpen ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("amount", "radius"), [(0.5, 1), (1, 2), (2, 3), (4, 1.5), (1, 5), (0, 3)])
def test_sharpen_full_size(render, size, amount, radius):
    width, height = size
    img = make_image(width, height, seed=7)
    src = ref.to_float(img)
    out = render(img, [f"sharpen amount={amount} radius={radius}"])
    # The blurred copy lives in 8-bit targets (modelled by quantize_passes); a one-LSB
    # difference there would be amplified by `amount`, hence 1 + amount.
    assert_close(out, ref.sharpen(src, amount, radius, quantize_passes=True), 1 + amount)
    if amount == 0:
        assert_close(out, src, 0)
    else:  # radius 1 is sigma 1/3 px: a faint change
        assert_changes(out, src, 30 if radius >= 1.5 else 3)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("amount", "radius"), [(1, 6), (2, 8), (1, 12), (3, 16), (1, 32)])
def test_sharpen_downsampled_path(render, size, amount, radius):
    width, height = size
    img = make_image(width, height, seed=8)
    src = ref.to_float(img)
    out = render(img, [f"sharpen amount={amount} radius={radius}"])
    # The downsampled blur is modelled exactly up to its bilinear taps (2 LSB), which
    # c + amount * (c - blur) amplifies.
    assert_close(out, ref.sharpen(src, amount, radius, quantize_passes=True), 2 * (1 + amount))
    assert_changes(out, src, 30)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("radius", [6, 8, 16, 32])
def test_sharpen_large_radius_matches_ideal(render, size, radius):
    """The unsharp mask of the full-size gaussian, on average (see test_blur_downsampled)."""
    width, height = size
    img = make_smooth_image(width, height, seed=radius)
    src = ref.to_float(img)
    out = render(img, [f"sharpen amount=1 radius={radius}"])
    assert mean_lsb_error(out, ref.sharpen(src, 1, radius)) <= 3.0
    assert_changes(out, src, 20)


# -- saturate --------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("amount", [-1, -0.5, 0, 0.8, 3, 5])
def test_saturate(render, size, amount):
    width, height = size
    img = make_image(width, height, seed=9)
    src = ref.to_float(img)
    out = render(img, [f"saturate amount={amount}"])
    assert_close(out, ref.saturate(src, amount), 1)
    if amount == 0:
        assert_close(out, src, 0)
    else:
        assert_changes(out, src, 30)
    if amount == -1:  # grey: all channels equal the Rec.709 luma
        assert_close(out, np.repeat(ref.luma(src)[..., None], 3, axis=2), 1)


# -- colorize --------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("palette", ["fire", "ocean", "acid", "thermal", "viridis", "vapor", "mono"])
@pytest.mark.parametrize(("amount", "shift"), [(1.0, 0.0), (0.5, 0.3), (1.0, 0.9)])
def test_colorize(render, size, palette, amount, shift):
    width, height = size
    img = make_image(width, height, seed=10)
    src = ref.to_float(img)
    out = render(img, [f"colorize palette={palette} amount={amount} shift={shift}"])
    # The palette is read from an 8-bit texture with linear filtering: 2 LSB.
    assert_close(out, ref.colorize(src, palette, amount, shift), 2)
    assert_changes(out, src, 30)


def test_colorize_palettes_are_distinct_rows(render):
    """Each palette name picks its own row of the palette texture."""
    img = make_image(48, 32, seed=12)
    outs = {p: render(img, [f"colorize palette={p}"]) for p in ("fire", "ocean", "mono")}
    assert lsb_error(outs["fire"], outs["ocean"]) > 50
    # mono is a grey ramp: the output is the luma itself.
    assert_close(outs["mono"], np.repeat(ref.luma(ref.to_float(img))[..., None], 3, axis=2), 2)


# -- depth gating ----------------------------------------------------------------------


def depth_ramp(width: int, height: int) -> np.ndarray:
    """Nearness 0 at the left edge to 1 at the right edge (pixel centres)."""
    x = (np.arange(width) + 0.5) / width
    return np.repeat(x[None, :], height, axis=0).astype(np.float32)


GATES = {
    "near": dict(lo=0.6, hi=1.0, soft=0.05, invert=False),
    "far": dict(lo=0.0, hi=0.3, soft=0.05, invert=False),
    "band_inverted": dict(lo=0.3, hi=0.6, soft=0.1, invert=True),
    "soft_edge": dict(lo=0.4, hi=0.55, soft=0.3, invert=False),
    "hard_edge": dict(lo=0.5, hi=1.0, soft=0.0, invert=False),
    "inverted_full_range": dict(lo=0.0, hi=1.0, soft=0.05, invert=True),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("gate", list(GATES))
def test_depth_gating(render, size, gate):
    width, height = size
    g = GATES[gate]
    img = make_image(width, height, seed=13)
    src = ref.to_float(img)
    depth = depth_ramp(width, height)
    fx = (f"saturate amount=3 depth_min={g['lo']} depth_max={g['hi']} "
          f"depth_soft={g['soft']} depth_invert={str(g['invert']).lower()}")
    out = render(img, [fx], depth=depth)
    full = ref.saturate(src, 3)
    assert_close(out, ref.depth_gate(src, full, depth, **g), 1)
    w = ref.depth_weight(depth, **g)
    if gate == "inverted_full_range":
        assert w.max() < 0.01  # nothing is outside the band
    else:
        # Both the untouched and the affected side exist, so a gate that did nothing
        # (or everything) would fail.
        assert (w == 0).any() and (w == 1).any()
        assert_close(out[w == 0], src[w == 0], 0)
        assert_close(out[w == 1], full[w == 1], 1)
    if gate == "soft_edge":
        partial = (w > 0.05) & (w < 0.95)
        assert partial.sum() >= 3 * height  # several columns of the image are half-mixed
        assert lsb_error(out[partial], src[partial]) > 10 and lsb_error(out[partial], full[partial]) > 10


def test_depth_gating_on_a_multipass_effect(render):
    """The gate mixes the effect's final pass with its input, also for blur's 4 passes."""
    width, height = 37, 23
    img = make_image(width, height, seed=14)
    src = ref.to_float(img)
    depth = depth_ramp(width, height)
    out = render(img, ["blur radius=3 depth_min=0.5"], depth=depth)
    blurred = ref.gaussian_blur(src, 3, quantize_passes=True)
    assert_close(out, ref.depth_gate(src, blurred, depth, 0.5, 1.0, 0.05), 1)
    assert_changes(out, blurred, 30)
    assert_changes(out, src, 30)


def test_depth_defaults_leave_the_gate_open(render):
    """Default depth_* values act everywhere, whatever the depth map says."""
    img = make_image(48, 32, seed=15)
    src = ref.to_float(img)
    out = render(img, ["saturate amount=2"], depth=np.zeros((32, 48), np.float32))
    assert_close(out, ref.saturate(src, 2), 1)


# -- chains and modulation -------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_chain_of_two_effects(render, size):
    width, height = size
    img = make_image(width, height, seed=16)
    src = ref.to_float(img)
    out = render(img, ["colorize palette=fire", "pixelate size=4"])
    # Between effects the image sits in an 8-bit target: quantize the intermediate.
    expected = ref.pixelate(ref.quantize(ref.colorize(src, "fire")), 4)
    assert_close(out, expected, 2)
    other_order = ref.colorize(ref.quantize(ref.pixelate(src, 4)), "fire")
    assert lsb_error(out, other_order) > 10  # the order matters

    out = render(img, ["rgb_split amount=0.05 angle=30", "colorize palette=ocean amount=0.7"])
    expected = ref.colorize(ref.quantize(ref.rgb_split(src, 0.05, 30)), "ocean", 0.7)
    assert_close(out, expected, 2)


def test_disabled_effect_is_skipped(render, registry):
    from shaderviz.effects.chain import parse_fx

    img = make_image(37, 23, seed=17)
    src = ref.to_float(img)
    off = parse_fx("saturate amount=-1", registry)
    off.enabled = False
    out = render(img, [off, "pixelate size=3"])
    assert_close(out, ref.pixelate(src, 3), 2)


@pytest.mark.parametrize("phase", [0.0, 0.1, 0.25, 0.5, 0.75, 1.0])
def test_modulated_float_param(render, phase):
    img = make_image(48, 32, seed=18)
    src = ref.to_float(img)
    out = render(img, ["saturate amount=sine(0,2)"], Frame(phase=phase))
    amount = 1.0 - math.cos(2.0 * math.pi * phase)  # sine(0, 2): 0 at phase 0, 2 at 0.5
    assert_close(out, ref.saturate(src, amount), 1)
    if 0.25 <= phase <= 0.75:
        assert lsb_error(out, ref.saturate(src, 0.0)) > 20


@pytest.mark.parametrize(("phase", "size"), [(0.0, 2), (0.25, 4), (0.5, 6), (0.8, 8)])
def test_modulated_int_param(render, phase, size):
    img = make_image(37, 23, seed=19)
    out = render(img, ["pixelate size=saw(2,10)"], Frame(phase=phase))
    assert_close(out, ref.pixelate(ref.to_float(img), size), 2)
    assert lsb_error(out, ref.pixelate(ref.to_float(img), size + 1)) > 20


def test_modulated_wobble_cycles(render):
    """A modulated amount and an int `cycles` together, at a known phase."""
    img = make_image(48, 32, seed=20)
    src = ref.to_float(img)
    phase = 0.3
    out = render(img, ["rgb_split amount=triangle(0,0.1) wobble=0.5 cycles=3"], Frame(phase=phase))
    amount = 0.1 * (1.0 - abs(2.0 * phase - 1.0))
    assert_close(out, ref.rgb_split(src, amount, 0.0, 0.5, 3, phase), 2)


# -- the clouds generator --------------------------------------------------------------


def test_clouds_loop_is_seamless(render):
    img = make_image(48, 32, seed=21)
    at0 = render(img, [], Frame(phase=0.0), generator="clouds")
    at1 = render(img, [], Frame(phase=1.0, index=100), generator="clouds")
    half = render(img, [], Frame(phase=0.5), generator="clouds")
    # cos/sin of 2*pi*phase in float32 at phase 1: at most one LSB of rounding.
    assert_close(at0, at1, 1)
    assert mean_lsb_error(at0, half) > 10
    # The generator replaces the source image entirely.
    assert mean_lsb_error(at0, ref.to_float(img)) > 30
    other_source = render(make_image(48, 32, seed=22), [], Frame(phase=0.0), generator="clouds")
    assert_close(at0, other_source, 0)


def test_clouds_seed_changes_the_image(render):
    img = make_image(48, 32)
    a = render(img, [], Frame(seed=0), generator="clouds")
    b = render(img, [], Frame(seed=5), generator="clouds")
    again = render(img, [], Frame(seed=5), generator="clouds")
    assert mean_lsb_error(a, b) > 10
    assert_close(b, again, 0)


def test_clouds_params_and_chain(render):
    img = make_image(48, 32)
    plain = render(img, [], generator="clouds")
    scaled = render(img, [], generator="clouds scale=8")
    assert mean_lsb_error(plain, scaled) > 10
    # The chain runs on the generated image (stored in the 8-bit source target).
    chained = render(img, ["saturate amount=2"], generator="clouds")
    assert_close(chained, ref.saturate(plain, 2), 1)
    assert_changes(chained, plain, 10)


def test_effect_instance_values_override_defaults(render, registry):
    """An EffectInstance built in code renders like the parsed --fx text."""
    img = make_image(37, 23, seed=23)
    direct = render(img, [EffectInstance("saturate", {"amount": 1.5})])
    parsed = render(img, ["saturate amount=1.5"])
    assert_close(direct, parsed, 0)
    assert_close(direct, ref.saturate(ref.to_float(img), 1.5), 1)
