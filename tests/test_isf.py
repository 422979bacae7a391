"""ISF v2 files as effects: inputs, passes, persistence, imported images, built-ins, errors.

Every ISF file here is written by these tests (none is copied from elsewhere)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_cli import ok, one_line_error, shaderviz

from shaderviz.effects.chain import make_instance, parse_fx
from shaderviz.effects.isf.expressions import parse_expression
from shaderviz.effects.registry import Registry
from shaderviz.render.renderer import Frame, Renderer

W, H = 32, 20

FILTER = """/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Gain, a channel forced to full and a tint",
  "INPUTS": [
    {"NAME": "inputImage", "TYPE": "image"},
    {"NAME": "gain", "TYPE": "float", "DEFAULT": 0.5, "MIN": 0.0, "MAX": 2.0},
    {"NAME": "channel", "TYPE": "long", "VALUES": [10, 20, 30], "LABELS": ["Red", "Green", "No Channel"],
     "DEFAULT": 30},
    {"NAME": "tint", "TYPE": "color", "DEFAULT": [1.0, 1.0, 1.0, 1.0]},
    {"NAME": "invert", "TYPE": "bool", "DEFAULT": false},
    {"NAME": "shift", "TYPE": "point2D", "DEFAULT": [0.0, 0.0]}
  ]
}*/
void main() {
    vec4 c = IMG_NORM_PIXEL(inputImage, isf_FragNormCoord - shift);
    vec4 o = c * gain;
    if (channel == 10) o.r = 1.0;
    if (channel == 20) o.g = 1.0;
    o.rgb *= tint.rgb;
    if (invert) o.rgb = 1.0 - o.rgb;
    gl_FragColor = vec4(o.rgb, 1.0);
}
"""

ACCUMULATE = """/*{
  "INPUTS": [{"NAME": "inputImage", "TYPE": "image"}, {"NAME": "decay", "TYPE": "float", "DEFAULT": 0.5}],
  "PASSES": [{"TARGET": "accum", "PERSISTENT": true, "FLOAT": true}]
}*/
void main() {
    gl_FragColor = mix(IMG_THIS_PIXEL(inputImage), IMG_THIS_NORM_PIXEL(accum), decay);
}
"""

TWO_PASS = """/*{
  "INPUTS": [{"NAME": "inputImage", "TYPE": "image"}, {"NAME": "shrink", "TYPE": "float", "DEFAULT": 2,
              "MIN": 1, "MAX": 8}],
  "PASSES": [{"TARGET": "small", "WIDTH": "max(floor($WIDTH / $shrink), 1)", "HEIGHT": "$HEIGHT/$shrink"}, {}]
}*/
void main() {
    if (PASSINDEX == 0) {
        gl_FragColor = vec4(RENDERSIZE / 255.0, 0.0, 1.0);  // ISF: RENDERSIZE is this pass's size
    } else {
        gl_FragColor = IMG_NORM_THIS_PIXEL(small) + 0.0 * IMG_PIXEL(inputImage, gl_FragCoord.xy);
    }
}
"""

STRIPES_FS = """/*{
  "DESCRIPTION": "Vertical stripes, shifted in the vertex shader",
  "INPUTS": [{"NAME": "count", "TYPE": "long", "DEFAULT": 4, "MIN": 1, "MAX": 64}]
}*/
varying vec2 shifted;
void main() {
    gl_FragColor = vec4(vec3(step(0.5, fract(shifted.x * float(count)))), 1.0);
}
"""

STRIPES_VS = """varying vec2 shifted;
void main() {
    isf_vertShaderInit();
    shifted = isf_FragNormCoord + vec2(0.25 / float(count), 0.0);
}
"""

IMPORTED = """/*{
  "INPUTS": [{"NAME": "inputImage", "TYPE": "image"}, {"NAME": "other", "TYPE": "image"},
             {"NAME": "wave", "TYPE": "audio"}, {"NAME": "spectrum", "TYPE": "audioFFT", "MAX": 64}],
  "IMPORTED": {"logo": {"PATH": "logo.png"}}
}*/
void main() {
    vec2 p = isf_FragNormCoord;
    if (p.x < 0.25) gl_FragColor = IMG_NORM_PIXEL(logo, p);
    else if (p.x < 0.5) gl_FragColor = IMG_THIS_PIXEL(other);
    else if (p.x < 0.75) gl_FragColor = vec4(IMG_NORM_PIXEL(wave, vec2(0.5)).r);
    else gl_FragColor = vec4(vec3(IMG_NORM_PIXEL(spectrum, vec2(0.5)).r), 1.0);
}
"""

CLOCK = """/*{ "INPUTS": [] }*/
void main() {
    gl_FragColor = vec4(TIMEDELTA * 10.0, float(FRAMEINDEX) / 255.0, DATE.y / 255.0, 1.0);
}
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("isf")
    for name, text in (("Gain Tint.fs", FILTER), ("accumulate.fs", ACCUMULATE), ("two pass.fs", TWO_PASS),
                       ("stripes.fs", STRIPES_FS), ("stripes.vs", STRIPES_VS), ("imported.fs", IMPORTED),
                       ("clock.fs", CLOCK), ("Blur.fs", FILTER.replace("Gain, a", "A blur"))):
        (d / name).write_text(text)
    Image.fromarray(np.full((8, 8, 3), (10, 200, 30), np.uint8)).save(d / "logo.png")
    return d


@pytest.fixture(scope="module")
def reg(folder) -> Registry:
    return Registry.load([folder])


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    return np.random.default_rng(8).integers(0, 256, (H, W, 3), dtype=np.uint8)


def run(gl_ctx, reg, image, chain, frames=1, generator=None, depth=None):
    renderer = Renderer(gl_ctx, (W, H), reg)
    try:
        renderer.upload_source(image)
        if depth is not None:
            renderer.upload_depth(depth)
        instances = [parse_fx(c, reg) if isinstance(c, str) else c for c in chain]
        gen = make_instance(reg.get(generator, "source"), {}) if generator else None
        for index in range(frames):
            target = renderer.render(instances, Frame(index, index / 30, 0.0), gen)
        assert renderer.errors == {}, renderer.errors
        return renderer.read(target).astype(float) / 255, renderer
    finally:
        renderer.release()


def test_inputs_become_parameters_with_ranges(reg):
    spec = reg.get("gain_tint")
    params = {p.name: p for p in spec.params}
    assert spec.kind == "effect" and spec.description == "ISF: Gain, a channel forced to full and a tint"
    assert (params["gain"].type, params["gain"].min, params["gain"].max, params["gain"].default) == \
        ("float", 0.0, 2.0, 0.5)
    assert params["channel"].values == ("red", "green", "no_channel")
    assert params["channel"].default == "no_channel" and params["channel"].codes == (10, 20, 30)
    assert params["tint"].type == "rgba" and params["shift"].type == "point"
    assert reg.get("stripes", "source").kind == "source"  # no inputImage: a generator
    assert "blur" in reg.effects and reg.effects["blur"].isf is None  # the built-in keeps its name
    assert reg.effects["blur_isf"].isf is not None
    assert spec.param("depth_min") is not None  # depth gating like every effect


def test_filter_matches_numpy(gl_ctx, reg, image):
    out, _ = run(gl_ctx, reg, image, ["gain_tint gain=1.5 channel=green tint=#ff8000 invert=false"])
    want = np.clip(image / 255 * 1.5, 0, 1)
    want[..., 1] = 1.0
    want *= np.array([1.0, 128 / 255, 0.0])
    assert np.abs(out - want).max() <= 1.5 / 255
    inverted, _ = run(gl_ctx, reg, image, ["gain_tint gain=1 invert=true"])
    assert np.abs(inverted - (1 - image / 255)).max() <= 1.5 / 255


def test_point_input_and_modulated_float(gl_ctx, reg, image):
    out, _ = run(gl_ctx, reg, image, [f"gain_tint gain=sine(1,1) shift={4 / W},0"])
    assert np.abs(out[:, 8:] - image[:, 4:-4] / 255).max() <= 1.5 / 255


def test_depth_gating_applies_to_isf_effects(gl_ctx, reg, image):
    depth = np.tile(np.linspace(0, 1, W, dtype=np.float32), (H, 1))
    out, _ = run(gl_ctx, reg, image, ["gain_tint gain=0 depth_min=0.5 depth_soft=0"], depth=depth)
    assert out[:, -4:].max() == 0.0  # near: the effect (black)
    assert np.abs(out[:, :4] - image[:, :4] / 255).max() <= 1 / 255  # far: untouched


def test_persistent_float_buffer_accumulates(gl_ctx, reg, image):
    for frames in (1, 3):
        out, _ = run(gl_ctx, reg, image, ["accumulate decay=0.5"], frames=frames)
        want = image / 255 * (1 - 0.5 ** frames)  # starts from a cleared buffer
        assert np.abs(out - want).max() <= 1 / 255  # float buffer: no rounding builds up


def test_pass_sizes_come_from_expressions(gl_ctx, reg, image):
    out, _ = run(gl_ctx, reg, image, ["two_pass shrink=4"])
    assert np.allclose(out[..., 0], (W // 4) / 255, atol=0.6 / 255)
    assert np.allclose(out[..., 1], (H / 4) / 255, atol=0.6 / 255)


def test_generator_with_its_vertex_shader(gl_ctx, reg, image):
    out, _ = run(gl_ctx, reg, image, [], generator="stripes")
    x = (np.arange(W) + 0.5) / W + 0.25 / 4
    want = (np.modf(x * 4)[0] >= 0.5).astype(float)
    assert np.array_equal(out[0, :, 0], want)


def test_imported_images_image_inputs_and_silent_audio(gl_ctx, reg, image):
    depth = np.tile(np.linspace(0, 1, W, dtype=np.float32), (H, 1))
    out, _ = run(gl_ctx, reg, image, ["imported other=depth"], depth=depth)
    assert np.abs(out[:, : W // 4] - np.array([10, 200, 30]) / 255).max() <= 1 / 255
    assert np.abs(out[:, W // 4 : W // 2, 0] - depth[:, W // 4 : W // 2]).max() <= 1 / 255
    assert np.abs(out[:, W // 2 : 3 * W // 4] - 0.5).max() <= 1 / 255  # waveform of silence
    assert out[:, 3 * W // 4 :].max() == 0.0  # empty spectrum
    source, _ = run(gl_ctx, reg, image, ["imported other=source"])
    assert np.abs(source[:, W // 4 : W // 2] - image[:, W // 4 : W // 2] / 255).max() <= 1 / 255


def test_clock_builtins(gl_ctx, reg, image):
    out, _ = run(gl_ctx, reg, image, [], frames=3, generator="clock")
    assert out[0, 0, 0] == pytest.approx(10 / 30, abs=1 / 255)  # TIMEDELTA at 30 fps
    assert out[0, 0, 1] == pytest.approx(2 / 255, abs=0.5 / 255)  # FRAMEINDEX
    assert 1 <= round(out[0, 0, 2] * 255) <= 12  # DATE.y: the month


def test_cli_presets_and_render(folder, tmp_path):
    preset = tmp_path / "p.toml"
    preset.write_text('source = "clouds"\nsize = "32x20"\n[[chain]]\neffect = "gain_tint"\n'
                      'gain = "sine(0.5, 1.5)"\nchannel = "red"\n')
    out = tmp_path / "loop.gif"
    ok("render", "--effects-dir", str(folder), "--preset", str(preset), "--frames", "4", "-o", str(out),
       "--quiet")
    assert out.stat().st_size > 0
    listing = ok("effects", "--effects-dir", str(folder)).stdout
    assert "gain_tint" in listing and "red|green|no_channel" in listing


BROKEN = {
    "bad json.fs": ('/*{\n  "INPUTS": [\n    {"NAME": "x" "TYPE": "float"}\n  ]\n}*/\nvoid main() {}\n',
                    "bad json.fs:3: ISF header"),
    "escape.fs": ('/*{"IMPORTED": {"img": {"PATH": "../../etc/passwd"}}}*/\nvoid main() {}\n',
                  "outside the effect's folder"),
    "sneaky.fs": ('/*{"INPUTS": [{"NAME": "inputImage", "TYPE": "image"}], "PASSES": '
                  '[{"TARGET": "a", "WIDTH": "__import__(\'os\').getcwd()"}, {}]}*/\nvoid main() {}\n',
                  "unknown function"),
    "nomain.fs": ('/*{}*/\nvec4 f() { return vec4(1.0); }\n', "no void main()"),
}


def test_files_that_cannot_load_are_warnings_and_the_rest_runs(tmp_path, folder):
    for name, (text, _) in BROKEN.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "fine.fs").write_text(CLOCK)
    registry = Registry.load([tmp_path])
    assert "fine" in registry.effects
    for name, (_, expected) in BROKEN.items():
        assert any(expected in w and w.startswith(str(tmp_path / name)) for w in registry.warnings), \
            (name, registry.warnings)


def test_compile_error_names_file_and_line(tmp_path, gl_ctx, image):
    header = '/*{\n "INPUTS": [{"NAME": "inputImage", "TYPE": "image"}]\n}*/\n'
    body = 'void main() {\n    gl_FragColor = IMG_THIS_PIXEL(inputImage) * nope;\n}\n'
    (tmp_path / "typo.fs").write_text(header + body)
    registry = Registry.load([tmp_path])
    renderer = Renderer(gl_ctx, (W, H), registry)
    try:
        renderer.upload_source(image)
        renderer.render([parse_fx("typo", registry)], Frame())
        assert "typo.fs:5:" in renderer.errors["typo"]
    finally:
        renderer.release()
    line = one_line_error(shaderviz("render", "--effects-dir", str(tmp_path), "--fx", "typo", "--frames", "1",
                                    "-o", str(tmp_path / "x.png"), "--quiet"))
    assert "typo.fs:5:" in line


@pytest.mark.parametrize("text, value", [
    ("$WIDTH/2.0", 50.0), ("floor($WIDTH*0.33)", 33.0), ("max($HEIGHT, 2^3)", 50.0),
    ("$x > 1 ? 7 : 9", 7.0), ("pow(2, 10)", 1024.0), ("-$x + 3 % 2", -1.0),
])
def test_expressions(text, value):
    assert parse_expression(text, {"WIDTH", "HEIGHT", "x"})({"WIDTH": 100, "HEIGHT": 50, "x": 2}) == value


@pytest.mark.parametrize("text", ["open('x')", "x.__class__", "[1, 2]", "'a' * 3", "lambda: 1", "y + 1",
                                  "9 ** 9 ** 9"])
def test_expressions_refuse_anything_else(text):
    with pytest.raises(ValueError):
        expr = parse_expression(text, {"x"})
        result = expr({"x": 1.0})
        assert math.isfinite(result)
        raise ValueError("evaluated")  # "9 ** 9 ** 9" must fail when evaluated, not hang
