"""The effect-file machinery: headers, the registry, shader errors, modulators, --fx."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import reference as ref
from reference import make_image

from shaderviz.effects.chain import make_instance, parse_fx
from shaderviz.effects.modulation import WAVES, Modulator, parse_modulator
from shaderviz.effects.registry import Registry
from shaderviz.effects.spec import GATE_PARAMS, PassSpec, read_effect_file
from shaderviz.errors import UserError
from shaderviz.render.glsl import map_error
from shaderviz.render.renderer import Frame, Renderer

INVERT_BODY = """
vec4 effect(vec2 uv) {
    return vec4(1.0 - texture(inputImage, uv).rgb * strength, 1.0);
}
"""
INVERT_HEADER = {
    "description": "invert the colours",
    "params": {"strength": {"type": "float", "default": 1.0, "min": 0, "max": 1}},
}
IDENTITY_BODY = """
vec4 effect(vec2 uv) {
    return texture(inputImage, uv);
}
"""


def write_effect(folder: Path, name: str, header: dict | str, body: str = IDENTITY_BODY) -> Path:
    """``folder/name.glsl`` with ``header`` (a dict as a JSON comment, or verbatim text) + body."""
    folder.mkdir(parents=True, exist_ok=True)
    text = header if isinstance(header, str) else "/*" + json.dumps(header, indent=2) + "*/\n"
    path = folder / f"{name}.glsl"
    path.write_text(text + body, encoding="utf-8")
    return path


# -- the built-in registry -------------------------------------------------------------


def test_builtin_registry(registry):
    # (subsets: more built-ins may come)
    assert {s.name for s in registry.of_kind("effect")} >= {
        "blur", "colorize", "pixelate", "rgb_split", "saturate", "sharpen"
    }
    assert "clouds" in [s.name for s in registry.of_kind("source")]
    assert registry.keys.items() >= {"B": "blur", "C": "colorize", "P": "pixelate", "R": "rgb_split",
                                     "T": "saturate", "K": "sharpen"}.items()
    assert registry.warnings == []
    blur = registry.get("blur")
    assert blur.param("radius").default == 4 and blur.param("radius").max == 64
    assert [p.target for p in blur.passes] == ["down", "horizontal", "vertical", None]
    assert blur.passes[0] == PassSpec("down", "radius", False, skip_at_full_size=True)
    # Effects get the depth gate; sources do not.
    assert [p.name for p in blur.all_params[-4:]] == [p.name for p in GATE_PARAMS]
    assert registry.get("clouds", "source").param("depth_min") is None
    colorize = registry.get("colorize")
    assert colorize.param("palette").values[:2] == ("fire", "ocean")


def test_get_unknown_names(registry):
    with pytest.raises(UserError, match=r"unknown effect 'nope'; available: (\w+, )*blur, (\w+, )*colorize"):
        registry.get("nope")
    with pytest.raises(UserError, match=r"unknown generator 'blur'; available: .*clouds"):
        registry.get("blur", "source")


# -- user effect folders ---------------------------------------------------------------


def test_user_effects_dir_adds_an_effect(tmp_path, render):
    path = write_effect(tmp_path, "invert", INVERT_HEADER, INVERT_BODY)
    reg = Registry.load([tmp_path])
    spec = reg.get("invert")
    assert spec.path == path and spec.description == "invert the colours"
    assert spec.param("strength").default == 1.0
    assert "blur" in reg.effects  # the built-ins are still there
    img = make_image(37, 23)
    out = render(img, ["invert strength=0.5"], registry_=reg)
    np.testing.assert_allclose(out, 1.0 - ref.to_float(img) * 0.5, atol=1 / 255 + 1e-9)


def test_xdg_config_effects_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path = write_effect(tmp_path / "shaderviz" / "effects", "invert", INVERT_HEADER, INVERT_BODY)
    reg = Registry.load()
    assert reg.get("invert").path == path


def test_user_file_overrides_builtin(tmp_path, render, registry):
    path = write_effect(tmp_path, "blur", {"description": "my blur", "key": "B",
                                            "params": {"radius": {"type": "int", "default": 1,
                                                                  "min": 0, "max": 3}}})
    reg = Registry.load([tmp_path])
    spec = reg.get("blur")
    assert spec.path == path and spec.description == "my blur"
    assert spec.passes == (PassSpec(),) and spec.param("radius").max == 3
    assert reg.keys["B"] == "blur" and reg.warnings == []  # an override is no key conflict
    assert len(reg.of_kind("effect")) == len(registry.of_kind("effect"))
    # The override is what renders: an identity, where the built-in blur would smooth.
    img = make_image(48, 32)
    np.testing.assert_array_equal(render(img, ["blur"], registry_=reg), ref.to_float(img))
    assert np.abs(render(img, ["blur"]) - ref.to_float(img)).max() > 0.1


def test_effects_dir_overrides_user_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    write_effect(tmp_path / "config" / "shaderviz" / "effects", "glow", {"description": "config"})
    write_effect(tmp_path / "extra", "glow", {"description": "extra"})
    assert Registry.load([tmp_path / "extra"]).get("glow").description == "extra"
    assert Registry.load().get("glow").description == "config"


def test_missing_effects_dir(tmp_path):
    with pytest.raises(UserError, match="no such folder"):
        Registry.load([tmp_path / "missing"])


# -- invalid headers -------------------------------------------------------------------


def _param(**decl):
    return {"description": "x", "params": {"amount": {"type": "float", "default": 0.5,
                                                      "min": 0, "max": 1, **decl}}}


BAD_HEADERS = {
    "missing header": ("vec4 effect(vec2 uv) { return vec4(1.0); }\n", "must start with a /*{"),
    "header not first": ("// hi\n/*{}*/\n", "must start with a /*{"),
    "bad json": ('/*{\n  "description": "x",\n  "key": \n}*/\n', "line 4"),
    "not an object": ("/*[1, 2]*/\n", "must start with a /*{"),
    "unknown field": ({"description": "x", "colour": "red"}, "unknown field(s) colour"),
    "bad kind": ({"kind": "filter"}, "kind must be one of effect, source"),
    "empty key": ({"key": ""}, "key must be a key name"),
    "params not object": ({"params": [1]}, "params must be an object"),
    "unknown param type": (_param(type="vec2"), "type must be one of float, int, bool, color, choice"),
    "unknown param field": (_param(step=0.1), "unknown field(s) step"),
    "bad param name": ({"params": {"Amount": {"type": "bool", "default": True}}}, "lower_snake_case"),
    "min > max": (_param(min=2, max=1, default=1.5), "min is greater than max"),
    "missing min": ({"params": {"n": {"type": "int", "default": 1, "max": 3}}}, "need min"),
    "missing default": ({"params": {"on": {"type": "bool"}}}, "missing default"),
    "default out of range": (_param(default=3), "amount=3 is out of range 0..1"),
    "default modulated": (_param(default="sine(0,1)"), "the default must be a constant"),
    "default wrong type": ({"params": {"n": {"type": "int", "default": 1.5, "min": 0, "max": 3}}},
                           "whole number"),
    "choice without values": ({"params": {"m": {"type": "choice", "default": "a"}}}, "list of values"),
    "choice default not a value": ({"params": {"m": {"type": "choice", "default": "c", "values": ["a"]}}},
                                   "expected one of a"),
    "bad colour default": ({"params": {"c": {"type": "color", "default": "red"}}}, "expected a colour"),
    "reserved depth param": ({"params": {"depth_min": {"type": "bool", "default": True}}}, "reserved"),
    "passes empty": ({"passes": []}, "passes must be a non-empty list"),
    "passes not a list": ({"passes": {"target": "a"}}, "passes must be a non-empty list"),
    "last pass with target": ({"passes": [{"target": "a"}, {"target": "b"}]}, "the last pass"),
    "pass without target": ({"passes": [{}, {}]}, "pass 0: needs a lower_snake_case target"),
    "pass unknown field": ({"passes": [{"target": "a", "size": 2}, {}]}, "pass 0: expected an object"),
    "duplicate target": ({"passes": [{"target": "a"}, {"target": "a"}, {}]}, "pass 1: target 'a'"),
    "target shadows param": ({**_param(), "passes": [{"target": "amount"}, {}]}, "already used"),
    "scale_by not a param": ({"passes": [{"target": "a", "scale_by": "radius"}, {}]},
                             "scale_by must name a numeric parameter"),
    "scale_by non numeric": ({"params": {"on": {"type": "bool", "default": True}},
                              "passes": [{"target": "a", "scale_by": "on"}, {}]},
                             "scale_by must name a numeric parameter"),
}


@pytest.mark.parametrize("case", list(BAD_HEADERS))
def test_invalid_header_names_the_file(tmp_path, case):
    header, message = BAD_HEADERS[case]
    path = write_effect(tmp_path, "broken", header)
    with pytest.raises(UserError) as err:
        Registry.load([tmp_path])
    text = str(err.value)
    assert text.startswith(f"{path}: invalid effect header: "), text
    assert message in text
    assert "\n" not in text  # one line for the CLI


def test_body_without_effect_function(tmp_path):
    path = write_effect(tmp_path, "nobody", {"description": "x"},
                        "vec4 effects(vec2 uv) { return vec4(1.0); }\n")
    with pytest.raises(UserError) as err:
        Registry.load([tmp_path])
    assert str(err.value) == f"{path}: invalid effect header: the body must define vec4 effect(vec2 uv)"
    # Whitespace inside the signature is fine.
    path.write_text(path.read_text().replace("effects(", "effect  ("))
    path.write_text(path.read_text().replace("vec4 effect  (", "vec4\n  effect("))
    assert read_effect_file(path).name == "nobody"


def test_bad_file_name(tmp_path):
    path = write_effect(tmp_path, "My-Effect", {"description": "x"})
    with pytest.raises(UserError, match=r"My-Effect\.glsl: invalid effect header: .*lower_snake_case"):
        Registry.load([tmp_path])
    assert str(path) in str(pytest.raises(UserError, read_effect_file, path).value)


def test_unreadable_file(tmp_path):
    path = tmp_path / "binary.glsl"
    path.write_bytes(b"/*{}*/\xff\xfe")
    with pytest.raises(UserError, match=f"{path}: cannot read effect file"):
        read_effect_file(path)


def test_valid_header_details(tmp_path):
    header = {
        "description": "all types",
        "key": "g",
        "kind": "effect",
        "params": {
            "n": {"type": "int", "default": 3, "min": 1, "max": 9},
            "on": {"type": "bool", "default": "yes"},
            "tint": {"type": "color", "default": "#ff8000"},
            "mode": {"type": "choice", "default": "b", "values": ["a", "b"]},
            "pal": {"type": "choice", "default": "ocean", "values": "palettes"},
        },
        "passes": [{"target": "acc", "scale_by": "n", "persistent": True}, {}],
    }
    spec = read_effect_file(write_effect(tmp_path, "all_types", header))
    assert spec.key == "g" and spec.kind == "effect"
    assert [p.default for p in spec.params] == [3, True, (1.0, 128 / 255, 0.0), "b", "ocean"]
    assert spec.param("pal").values[0] == "fire"
    assert spec.passes == (PassSpec("acc", "n", True), PassSpec())
    assert spec.to_json()["params"]["n"] == {"type": "int", "default": 3, "doc": "", "min": 1, "max": 9}


# -- key conflicts ---------------------------------------------------------------------


def test_key_conflict_with_builtin(tmp_path):
    path = write_effect(tmp_path, "zoom", {"description": "x", "key": "b"})  # lower case: same key
    reg = Registry.load([tmp_path])
    assert reg.keys["B"] == "blur"
    assert "zoom" not in reg.keys.values()
    assert reg.warnings == [f"{path}: key 'b' is taken by blur; zoom has no key"]
    assert "zoom" in reg.effects  # still usable, just unbound


def test_key_conflict_between_user_effects(tmp_path):
    write_effect(tmp_path, "aaa", {"description": "x", "key": "Q"})
    later = write_effect(tmp_path, "bbb", {"description": "x", "key": "Q"})
    reg = Registry.load([tmp_path])
    assert reg.keys["Q"] == "aaa"
    assert reg.warnings == [f"{later}: key 'Q' is taken by aaa; bbb has no key"]


def test_key_reserved_by_the_application(tmp_path):
    path = write_effect(tmp_path, "snap", {"description": "x", "key": "S"})
    reg = Registry.load([tmp_path])
    assert "S" not in reg.keys
    assert reg.warnings == [f"{path}: key 'S' is taken by the application; snap has no key"]


# -- shader errors ---------------------------------------------------------------------

GOOD = """/*{
  "description": "tint",
  "params": {"amount": {"type": "float", "default": 0.5, "min": 0, "max": 1}}
}*/
#include "color.glsl"

vec4 effect(vec2 uv) {
    vec3 c = texture(inputImage, uv).rgb;
    float y = luma(c) * amount;
    return vec4(vec3(y), 1.0);
}
"""


def test_shader_error_keeps_last_good_program(tmp_path, gl_ctx):
    path = tmp_path / "tint.glsl"
    path.write_text(GOOD)
    reg = Registry.load([tmp_path])
    renderer = Renderer(gl_ctx, (37, 23), reg)
    try:
        img = make_image(37, 23)
        renderer.upload_source(img)
        good = renderer.compiled(reg.get("tint"))
        assert good is not None and renderer.errors == {}
        expected = renderer.read(renderer.render([parse_fx("tint", reg)], Frame()))
        np.testing.assert_allclose(expected / 255, ref.luma(ref.to_float(img))[..., None].repeat(3, 2) * 0.5,
                                   atol=1 / 255 + 1e-9)

        # Line 9 now uses an undeclared name (after the #include on line 6).
        path.write_text(GOOD.replace("luma(c) * amount", "luma(c) * amout"))
        spec, problem = reg.reload(path)
        assert problem is None and spec is reg.get("tint")
        assert renderer.compiled(spec) is good  # the last good program
        message = renderer.errors["tint"]
        # "file:line: error...": no source-string number, no column residue like "9: 22):".
        assert message.startswith(f"{path}:9: error"), message
        assert "amout" in message
        # Rendering still works, with the old program.
        again = renderer.read(renderer.render([parse_fx("tint", reg)], Frame()))
        np.testing.assert_array_equal(again, expected)

        # A later syntax error on line 10, reported at its own line.
        path.write_text(GOOD.replace("return vec4(vec3(y), 1.0);", "return vec4(vec3(y), 1.0) +;"))
        spec, _ = reg.reload(path)
        assert renderer.compiled(spec) is good
        assert renderer.errors["tint"].startswith(f"{path}:10: error"), renderer.errors["tint"]

        # Undone back to the last good text: the error goes away, the program stays.
        path.write_text(GOOD)
        spec, _ = reg.reload(path)
        assert renderer.compiled(spec) is good and "tint" not in renderer.errors

        # Fixed: the error goes away and the new program is used.
        path.write_text(GOOD.replace("luma(c) * amount", "luma(c) * amout"))
        renderer.compiled(reg.reload(path)[0])
        assert "tint" in renderer.errors
        path.write_text(GOOD.replace("* amount", "* amount * 2.0"))
        spec, _ = reg.reload(path)
        fixed = renderer.compiled(spec)
        assert fixed is not None and fixed is not good and "tint" not in renderer.errors
        brighter = renderer.read(renderer.render([parse_fx("tint", reg)], Frame()))
        np.testing.assert_allclose(brighter / 255, np.clip(ref.luma(ref.to_float(img)), 0, 1)[..., None]
                                   .repeat(3, 2), atol=1 / 255 + 1e-9)
    finally:
        renderer.release()


def test_shader_error_without_good_program_skips_the_effect(tmp_path, gl_ctx):
    path = tmp_path / "tint.glsl"
    path.write_text(GOOD.replace("vec3 c =", "vec3 c = nothing +"))
    reg = Registry.load([tmp_path])
    renderer = Renderer(gl_ctx, (48, 32), reg)
    try:
        img = make_image(48, 32)
        renderer.upload_source(img)
        assert renderer.compiled(reg.get("tint")) is None
        assert renderer.errors["tint"].startswith(f"{path}:8: error"), renderer.errors["tint"]
        out = renderer.read(renderer.render([parse_fx("tint", reg), parse_fx("pixelate size=1", reg)],
                                            Frame()))
        np.testing.assert_array_equal(out, img)  # the broken effect is skipped
    finally:
        renderer.release()


def test_shader_error_in_an_include(tmp_path, gl_ctx):
    include = tmp_path / "include" / "helpers.glsl"
    include.parent.mkdir()
    include.write_text("// helpers\nfloat twice(float x) {\n    return 2.0 * x\n}\n")
    path = tmp_path / "user.glsl"
    path.write_text(GOOD.replace('#include "color.glsl"', '#include "color.glsl"\n#include "helpers.glsl"'))
    reg = Registry.load([tmp_path])
    renderer = Renderer(gl_ctx, (8, 8), reg)
    try:
        assert renderer.compiled(reg.get("user")) is None
        assert renderer.errors["user"].startswith(f"{include}:4: error"), renderer.errors["user"]

        # A semantic error in the include (Mesa reports those with source string 0);
        # a fresh renderer, as the effect file's own text (its digest) did not change.
        include.write_text("// helpers\nfloat twice(float x) {\n    return 2.0 * y;\n}\n")
        fresh = Renderer(gl_ctx, (8, 8), reg)
        try:
            assert fresh.compiled(reg.get("user")) is None
            assert fresh.errors["user"].startswith(f"{include}:3: error"), fresh.errors["user"]
        finally:
            fresh.release()

        include.write_text("// helpers\n#define OK 1\n")
        path.write_text(path.read_text().replace("return vec4(vec3(y), 1.0);", "return vec4(vec3(y, 1.0);"))
        spec, _ = reg.reload(path)
        assert renderer.compiled(spec) is None
        # The #include lines do not shift the effect file's line numbers.
        assert renderer.errors["user"].startswith(f"{path}:11: error"), renderer.errors["user"]

        path.write_text(GOOD.replace('"color.glsl"', '"missing.glsl"'))
        spec, _ = reg.reload(path)
        assert renderer.compiled(spec) is None
        assert renderer.errors["user"] == f"{path}:5: cannot find include 'missing.glsl'"
    finally:
        renderer.release()


def test_map_error_formats():
    files = (Path("fx.glsl"), Path("inc.glsl"))
    mesa = "0:1(1): error: prelude\n1:10(2): error: syntax error\n0:200003(22): error: `y' undeclared"
    assert map_error(mesa, files).splitlines() == [
        "0:1(1): error: prelude",  # framework code: left as it is
        "fx.glsl:10: error: syntax error",
        "inc.glsl:3: error: `y' undeclared",
    ]
    assert map_error("1(12) : error C0000: bad", files) == "fx.glsl:12: error C0000: bad"  # NVIDIA
    assert map_error("ERROR: 0:100007: 'x' : undeclared", files) == "fx.glsl:7: 'x' : undeclared"
    # Only the error lines are kept when there are any.
    assert map_error("1:4(5): warning: unused\n1:5(2): error: bad", files) == "fx.glsl:5: error: bad"


# -- modulators ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sine(0,1)", Modulator("sine", 0.0, 1.0, 1, 0.0)),
        ("saw(0,360,2)", Modulator("saw", 0.0, 360.0, 2, 0.0)),
        (" triangle( -1 , 1.5 , 3 , 0.25 ) ", Modulator("triangle", -1.0, 1.5, 3, 0.25)),
        ("square(2,1,1,1.5)", Modulator("square", 2.0, 1.0, 1, 0.5)),  # offset wraps
        ("noise(0,1,4)", Modulator("noise", 0.0, 1.0, 4, 0.0)),
        ({"wave": "sine", "min": 0, "max": 1}, Modulator("sine", 0.0, 1.0, 1, 0.0)),
        ({"wave": "saw", "min": 0, "max": 360, "cycles": 2, "offset": 0.5}, Modulator("saw", 0, 360, 2, 0.5)),
    ],
)
def test_parse_modulator(text, expected):
    mod = parse_modulator(text)
    assert mod == expected
    assert parse_modulator(mod.format()) == mod  # format() round-trips


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cosine(0,1)", "unknown wave 'cosine'"),
        ({"wave": "wobble", "min": 0, "max": 1}, "unknown wave 'wobble'"),
        ("sine(0,1,1.5)", "cycles must be a whole number"),
        ("sine(0,1,0)", "cycles must be a whole number"),
        ({"wave": "sine", "min": 0, "max": 1, "cycles": 2.5}, "cycles must be a whole number"),
        ("sine(a,1)", "arguments must be numbers"),
        ("sine(0,1,x)", "arguments must be numbers"),
        ("sine(0,nan)", "arguments must be finite numbers"),
        ("sine(0,1,inf)", "arguments must be finite numbers"),
        ({"wave": "sine", "min": 0}, "arguments must be numbers"),
        ({"wave": "sine", "min": 0, "max": 1, "speed": 2}, "unknown modulator field(s): speed"),
        ("sine(0)", "expected WAVE(min, max"),
        ("sine(0,1,2,3,4)", "expected WAVE(min, max"),
        ("sine 0 1", "cannot read modulator"),
        ("sine((0,1))", "cannot read modulator"),
    ],
)
def test_parse_modulator_errors(text, message):
    with pytest.raises(ValueError) as err:
        parse_modulator(text)
    assert message in str(err.value)


@pytest.mark.parametrize("wave", WAVES)
@pytest.mark.parametrize("cycles", [1, 2, 3, 7])
@pytest.mark.parametrize("offset", [0.0, 0.3, 0.5])
def test_modulators_loop_seamlessly(wave, cycles, offset):
    mod = Modulator(wave, -2.0, 5.0, cycles, offset)
    for seed in (0, 7):
        assert mod.value(0.0, seed) == pytest.approx(mod.value(1.0, seed), abs=1e-9)
        assert mod.value(0.25, seed) == pytest.approx(mod.value(2.25, seed), abs=1e-9)
    values = [mod.value(p / 64) for p in range(64)]
    assert min(values) >= -2.0 - 1e-9 and max(values) <= 5.0 + 1e-9
    assert max(values) - min(values) > 1.0  # it does move


def test_wave_shapes():
    assert Modulator("sine", 0, 2).value(0.25) == pytest.approx(1.0)
    assert Modulator("sine", 0, 2).value(0.5) == pytest.approx(2.0)
    assert Modulator("sine", 0, 2).value(0.0) == pytest.approx(0.0)
    assert Modulator("triangle", 0, 4).value(0.25) == pytest.approx(2.0)
    assert Modulator("triangle", 0, 4).value(0.5) == pytest.approx(4.0)
    assert Modulator("saw", 0, 360, 2).value(0.3) == pytest.approx(0.6 * 360)
    assert Modulator("square", 1, 3).value(0.25) == 1 and Modulator("square", 1, 3).value(0.75) == 3
    assert Modulator("saw", 0, 1, 1, 0.25).value(0.0) == pytest.approx(0.25)
    assert Modulator("sine", 0, 1, 1, 0.5).value(0.0) == pytest.approx(1.0)


def test_noise_modulator_is_deterministic_per_seed():
    mod = Modulator("noise", 0, 1, 2)
    a = [mod.value(p / 32, seed=1) for p in range(32)]
    assert a == [mod.value(p / 32, seed=1) for p in range(32)]
    assert a != [mod.value(p / 32, seed=2) for p in range(32)]
    # Smooth: neighbouring phases are close (smoothstep between 8 knots).
    fine = [mod.value(p / 1024, seed=1) for p in range(1025)]
    assert max(abs(x - y) for x, y in zip(fine, fine[1:], strict=False)) < 0.05
    assert fine[0] == pytest.approx(fine[-1])


def test_param_modulator_uniform_values(registry):
    radius = registry.get("blur").param("radius")
    mod = radius.parse("sine(0, 10)")
    assert isinstance(mod, Modulator)
    assert radius.uniform_value(mod, 0.25, 0) == pytest.approx(5.0)
    size = registry.get("pixelate").param("size")
    assert size.uniform_value(size.parse("saw(2,10)"), 0.3, 0) == 4  # 4.4 rounds to an int
    assert isinstance(size.uniform_value(size.parse("saw(2,10)"), 0.3, 0), int)
    with pytest.raises(ValueError, match=r"radius=100 is out of range 0\.\.64"):
        radius.parse("sine(0,100)")


# -- --fx parsing ----------------------------------------------------------------------


def test_parse_fx(registry):
    inst = parse_fx("rgb_split amount=0.02 angle=45 depth_invert=on", registry)
    assert inst.name == "rgb_split" and inst.enabled
    assert inst.values == {"amount": 0.02, "angle": 45.0, "depth_invert": True}
    spec = registry.get("rgb_split")
    assert inst.value(spec, "wobble") == 0 and inst.value(spec, "amount") == 0.02
    mod = parse_fx("saturate amount=sine(0, 2) ", registry).values["amount"]  # spaces inside ()
    assert mod == Modulator("sine", 0.0, 2.0)
    inst = parse_fx("colorize palette=acid shift=saw(0,1)", registry)
    assert inst.describe(registry.get("colorize")) == "colorize palette=acid shift=saw(0,1)"
    assert parse_fx(inst.describe(registry.get("colorize")), registry).values == inst.values
    assert parse_fx("pixelate size=7", registry).values == {"size": 7}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty --fx"),
        ("blur radius", "expected key=value, got 'radius'"),
        ("blur sigma=3", "blur: unknown parameter 'sigma'; known: radius, depth_min"),
        ("blur radius=100", "blur: radius=100 is out of range 0..64"),
        ("blur radius=-1", "out of range 0..64"),
        ("blur depth_min=2", "depth_min=2 is out of range 0..1"),
        ("blur radius=abc", "blur: radius: expected a number, got 'abc'"),
        ("blur radius=", "expected a number"),
        ("blur radius=3 radius=4", "blur: radius is given twice"),
        ("blur radius=nan", "blur: radius: expected a finite number, got 'nan'"),
        ("pixelsort lo=nan", "pixelsort: lo: expected a finite number"),
        ("pixelate size=inf", "pixelate: size: expected a finite number"),
        ("pixelate size=2.5", "pixelate: size: expected a whole number, got '2.5'"),
        ("colorize palette=rainbow", "colorize: palette: expected one of fire, ocean"),
        ("blur depth_invert=maybe", "depth_invert: expected true or false"),
        ("saturate amount=sine(0,9)", "saturate: amount=9 is out of range -1..5"),
        ("saturate amount=sine(0,1,0.5)", "cycles must be a whole number"),
    ],
)
def test_parse_fx_errors(registry, text, message):
    with pytest.raises(ValueError) as err:
        parse_fx(text, registry)
    assert message in str(err.value)


def test_parse_fx_unknown_effect(registry):
    with pytest.raises(UserError, match=r"unknown effect 'glitch'; available: .*blur, .*pixelate"):
        parse_fx("glitch amount=1", registry)
    with pytest.raises(UserError, match="'clouds' is a generator, not an effect: give it as the input"):
        parse_fx("clouds", registry)


def test_make_instance_validates(registry):
    inst = make_instance(registry.get("sharpen"), {"amount": "2", "radius": 3}, enabled=False)
    assert inst.values == {"amount": 2.0, "radius": 3.0} and not inst.enabled
    with pytest.raises(ValueError, match="sharpen: unknown parameter 'size'"):
        make_instance(registry.get("sharpen"), {"size": 1})
    with pytest.raises(ValueError, match="expected a number, got True"):
        make_instance(registry.get("sharpen"), {"amount": True})


def test_modulated_value_reaches_shader_uniform(registry):
    """The value the renderer sends at a phase: what Modulator.value computes there."""
    spec = registry.get("saturate")
    inst = parse_fx("saturate amount=sine(0,2)", registry)
    param = spec.param("amount")
    for phase in (0.0, 0.125, 0.5, 1.0):
        expected = 1.0 - math.cos(2 * math.pi * phase)
        assert param.uniform_value(inst.value(spec, "amount"), phase, 0) == pytest.approx(expected)
