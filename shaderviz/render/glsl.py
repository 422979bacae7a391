"""Turn an effect file into GLSL programs: prelude, includes, epilogue, error mapping.

Every effect reads the same inputs (declared here once): the previous output
``inputImage``, the original ``sourceImage``, the ``depthMap`` (r: 1 = near, 0 = far),
``paletteTex``, the ``audioFFT`` spectrum, and TIME, PHASE (loop phase 0..1), RENDERSIZE,
FRAMEINDEX, SEED, PASSINDEX, AUDIO (level, bass, mid, high), BEAT, BEATS. The
framework's epilogue applies depth gating to the last pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shaderviz.effects.params import ParamSpec
from shaderviz.effects.spec import EffectSpec

VERTEX_SHADER = """#version 330
out vec2 uv;
void main() {
    // One triangle that covers the screen; no vertex buffer needed.
    vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    uv = p;
    gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
"""

_GLSL_TYPES = {"float": "float", "int": "int", "bool": "bool", "color": "vec3", "choice": "int"}
_INCLUDE = re.compile(r'^\s*#include\s+"([^"]+)"\s*$')
# Mesa: "0:12(5): error: ..."; NVIDIA: "0(12) : error ..."; Apple/AMD: "ERROR: 0:12: ..."
_ERROR_LOC = re.compile(r"(?:^|\s)(\d+)[:(](\d+)(?:\(\d+\)|\))?\s*:")
# Line n of files[i - 1] is compiled as line i * LINE_BASE + n (and source string i):
# Mesa reports source string 0 for semantic errors ("`x' undeclared"), the line survives.
LINE_BASE = 100000

PRELUDE = """#version 330
#define PASSINDEX {pass_index}
in vec2 uv;
out vec4 fragColor;
uniform sampler2D inputImage;
uniform sampler2D sourceImage;
uniform sampler2D depthMap;
uniform sampler2D paletteTex;
uniform int PALETTECOUNT;
uniform float TIME;
uniform float PHASE;
uniform vec2 RENDERSIZE;
uniform vec2 PASSSIZE;
uniform float PASSSCALE;
uniform int FRAMEINDEX;
uniform int SEED;
uniform float DEPTHWEIGHT;  // 0..1: how far depth is ready (0: neutral until the first map)
uniform sampler2D audioFFT;  // the spectrum: 256 x 1, log-spaced 20 Hz..20 kHz, 0..1 (silence: 0)
uniform vec4 AUDIO;  // level, bass, mid, high: 0..1 (smoothed)
uniform float BEAT;  // 1 on a beat, then decaying; BEATS: the tempo clock in beats
uniform float BEATS;
"""

# How the last pass writes alpha: opaque (alpha 1, the common case), keep the effect's
# alpha (a transparent output), or lay an effect that makes transparency (header
# "alpha": true) over the background colour.
OPAQUE, KEEP_ALPHA, OVER_BACKGROUND = 0, 1, 2

# The last pass of every effect ends here. Its variants are compiled as needed: depth
# gating only for an instance whose band is narrowed (a disabled gate still costs about
# a third of a simple pass in software GL), alpha handling as above.
EPILOGUE = """
#if PASSINDEX == {last_pass} && {output} == 2
uniform vec3 _sv_background;
#endif
#if PASSINDEX == {last_pass} && {gate}
uniform float _gate_lo;
uniform float _gate_hi;
uniform float _gate_soft;
uniform bool _gate_invert;

float _ramp(float e0, float e1, float x) {
    float t = clamp((x - e0) / max(e1 - e0, 1e-5), 0.0, 1.0);
    return t * t * (3.0 - 2.0 * t);
}
#endif

void main() {
    vec4 color = effect(uv);
#if PASSINDEX == {last_pass} && {gate}
    float d = texture(depthMap, uv).r;
    float s = max(_gate_soft, 1e-5);
    float w = _ramp(_gate_lo - s, _gate_lo, d) * (1.0 - _ramp(_gate_hi, _gate_hi + s, d));
    if (_gate_invert) w = 1.0 - w;
    color = mix(texture(inputImage, uv), color, w * DEPTHWEIGHT);
#endif
#if PASSINDEX != {last_pass}
    fragColor = color;  // a buffer for later passes: all four channels are the effect's
#elif {output} == 1
    fragColor = clamp(color, 0.0, 1.0);
#elif {output} == 2
    fragColor = vec4(mix(_sv_background, color.rgb, clamp(color.a, 0.0, 1.0)), 1.0);
#else
    fragColor = vec4(color.rgb, 1.0);
#endif
}
"""


@dataclass(frozen=True)
class ProgramSource:
    fragment: str
    files: tuple[Path, ...]  # source-string number i+1 -> files[i], for error messages


class ShaderError(Exception):
    """A compile/link error, with locations mapped back to the effect's files."""


NATIVE_DECLARATIONS = """uniform sampler2D nativeImage;  // the input; the source at its own size if first
uniform vec4 NATIVEMAP;  // uv in the input -> uv in nativeImage: uv * NATIVEMAP.xy + NATIVEMAP.zw
uniform float NATIVESCALE;  // nativeImage pixels per input pixel (> 1: the input is the better read)"""


# GLSL words reserved for future use that make good parameter names: such a parameter is
# the uniform NAME_ in the shader (``filter`` -> ``filter_``).
RESERVED_WORDS = frozenset({"active", "common", "filter", "input", "output", "partition", "resource",
                            "sample", "sizeof", "cast", "namespace", "using", "class", "union", "template"})


_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
_INPUT_USE = re.compile(r"\binputImage\b")
_INPUT_SAMPLED = re.compile(
    r"\b(?:texture|textureLod)\s*\(\s*inputImage\b|\buniform\s+sampler2D\s+inputImage\s*;"
)


def samples_input(fragment: str) -> bool:
    """Whether a fragment shader reads ``inputImage`` only as ``texture(inputImage, p)``
    (or ``textureLod``): never its size or texels, never handing it to a function. Such a
    shader sees the same picture in an input of another size (see ``PassSpec.resamples``)."""
    code = _COMMENT.sub("", fragment)
    return len(_INPUT_USE.findall(code)) == len(_INPUT_SAMPLED.findall(code))


def uniform_name(name: str) -> str:
    """The GLSL name of a parameter's uniform."""
    return f"{name}_" if name in RESERVED_WORDS else name


def _param_declarations(spec: EffectSpec, prefix: str = "", variant: tuple[int, ...] = ()) -> list[str]:
    """Uniforms of the header's parameters; a stacking effect (``"stack": N``) gets each as an
    array of N (member i of a run of consecutive instances at index i) and ``STACKCOUNT``.
    A parameter named in ``variants`` is a constant instead (its value's index, from
    ``variant``): one program per value, no branch on it at run time."""
    size = f"[{spec.stack}]" if spec.stack else ""
    compiled = dict(zip([p.name for p in spec.params if p.name in spec.variants], variant, strict=False))
    constants = {name: v for name, v in compiled.items() if spec.param(name).type == "choice"}
    lines = [f"const int {prefix}{uniform_name(p.name)} = {constants[p.name]};" if p.name in constants
             else f"uniform {_GLSL_TYPES[p.type]} {prefix}{uniform_name(p.name)}{size};" for p in spec.params]
    lines += [f"#define {on_name(name)} {v}  // 0: {name} is 0 (compiled out)" for name, v in compiled.items()
              if name not in constants]
    lines += [f"uniform vec2 {prefix}{p.name}_dir{size};  // (cos, sin) of {p.name}"
              for p in spec.params if p.unit == "deg"]
    if spec.stack:
        lines.append(f"uniform int {prefix}STACKCOUNT;")
    if spec.native_input:
        lines.append(NATIVE_DECLARATIONS)
        native = variant[len(compiled)] if len(variant) > len(compiled) else 1
        lines.append(f"#define NATIVE {native}  // 1: a native image is under the input")
    if spec.crossfades:
        at = len(compiled) + int(spec.native_input)
        lines.append(f"#define FADING {variant[at] if len(variant) > at else 1}  // 1: crossfading now")
    for image in spec.images:  # supplied per instance; weight 0 (and the source) until there is one
        lines += [f"uniform sampler2D {image};", f"uniform float {image}Weight;"]
    return lines


def build_sources(
    spec: EffectSpec, include_dirs: list[Path], gate: bool = False, output: int = OPAQUE,
    variant: tuple[int, ...] = (),
) -> list[ProgramSource]:
    """One fragment shader source per declared pass; ``gate``: the last pass applies depth
    gating; ``output``: how it writes alpha (OPAQUE, KEEP_ALPHA, OVER_BACKGROUND);
    ``variant``: the compiled-in values of the header's ``variants``."""
    files: list[Path] = [spec.path]
    body = _expand(spec.source, spec.path, include_dirs, files, depth=0)
    declarations = _param_declarations(spec, variant=variant or _default_variant(spec))
    for param in spec.params:
        for i, value in enumerate(param.values):
            declarations.append(f"#define {param.name.upper()}_{value.upper()} {i}")
    declarations += [f"uniform sampler2D {p.target};" for p in spec.passes if p.target]
    declarations.append("#define INPUT(p) texture(inputImage, p)")
    last = len(spec.passes) - 1
    sources = []
    for index in range(len(spec.passes)):
        text = (
            PRELUDE.format(pass_index=index)
            + "\n".join(declarations)
            + f"\n#line {LINE_BASE + 1} 1\n"
            + body
            + "\n#line 1 0\n"
            + EPILOGUE.replace("{last_pass}", str(last)).replace("{gate}", str(int(gate)))
            .replace("{output}", str(output))
        )
        sources.append(ProgramSource(text, tuple(files)))
    return sources


FUSED_GATE = """
uniform float _gate_lo_{k};
uniform float _gate_hi_{k};
uniform float _gate_soft_{k};
uniform bool _gate_invert_{k};
"""


def on_name(name: str) -> str:
    """``NAME_ON``: a number or bool parameter's variant, 0 when its value is 0 / false."""
    return f"{name.upper()}_ON"


def variant_index(param: ParamSpec, value: Any) -> int:
    """A variant parameter's compiled-in value: a choice's index; for a number or bool, 0
    when it is 0 / false and 1 otherwise (a modulated value counts as on)."""
    if param.type == "choice":
        return param.values.index(value)
    return int(not (isinstance(value, (bool, int, float)) and not value))


def _default_variant(spec: EffectSpec) -> tuple[int, ...]:
    return tuple(variant_index(p, p.default) for p in spec.params if p.name in spec.variants) + (
        (1,) if spec.native_input else ()) + ((1,) if spec.crossfades else ())


def build_fused_source(
    specs: list[EffectSpec],
    include_dirs: list[Path],
    gates: tuple[bool, ...] | None = None,
    outputs: tuple[int, ...] | None = None,
    variants: list[tuple[int, ...]] | None = None,
) -> ProgramSource:
    """One pass running several effects: the first may sample its input anywhere, the
    rest are pointwise (they read ``INPUT(uv)``, here the previous member's value).

    Each member's parameters become ``_f{k}_{name}`` uniforms through ``#define``, its
    ``effect`` function ``_sv_effect_{k}``; includes are shared through their guards.
    Between members the value is clamped and its alpha handled as ``outputs[k]`` says
    (OPAQUE, KEEP_ALPHA, OVER_BACKGROUND), as an 8-bit target would. ``gates[k]``: member k
    is depth-gated (only those carry gating code).
    """
    gates = gates or tuple(True for _ in specs)
    outputs = outputs or tuple(OPAQUE for _ in specs)
    files: list[Path] = []
    parts = [PRELUDE.format(pass_index=0), "vec4 _sv_value;"]
    if OVER_BACKGROUND in outputs:
        parts.append("uniform vec3 _sv_background;")
    calls = []
    for k, spec in enumerate(specs):
        if spec.path not in files:
            files.append(spec.path)
        body = _expand(spec.source, spec.path, include_dirs, files, depth=0)
        names = ["effect", "INPUT"]
        variant = variants[k] if variants is not None else ()
        parts += _param_declarations(spec, prefix=f"_f{k}_", variant=variant or _default_variant(spec))
        if spec.stack:
            parts.append(f"#define STACKCOUNT _f{k}_STACKCOUNT")
            names.append("STACKCOUNT")
        names += [on_name(name) for name in spec.variants if spec.param(name).type != "choice"]
        for param in spec.params:
            name = uniform_name(param.name)
            parts.append(f"#define {name} _f{k}_{name}")
            names.append(name)
            if param.unit == "deg":
                parts.append(f"#define {param.name}_dir _f{k}_{param.name}_dir")
                names.append(f"{param.name}_dir")
            for i, value in enumerate(param.values):
                parts.append(f"#define {param.name.upper()}_{value.upper()} {i}")
                names.append(f"{param.name.upper()}_{value.upper()}")
        source = "texture(inputImage, p)" if k == 0 else "_sv_value"
        parts += [f"#define effect _sv_effect_{k}", f"#define INPUT(p) {source}"]
        if gates[k]:
            parts.append(FUSED_GATE.format(k=k))
        number = files.index(spec.path) + 1
        parts += [f"#line {number * LINE_BASE + 1} {number}", body, "#line 1 0"]
        parts += [f"#undef {name}" for name in names]
        before = "texture(inputImage, uv)" if k == 0 else "_sv_value"
        call = (f"_sv_gate(_gate_lo_{k}, _gate_hi_{k}, _gate_soft_{k}, _gate_invert_{k}, {before}, "
                f"_sv_effect_{k}(uv))" if gates[k] else f"_sv_effect_{k}(uv)")
        keep = {OPAQUE: "vec4(clamp(v.rgb, 0.0, 1.0), 1.0)", KEEP_ALPHA: "clamp(v, 0.0, 1.0)",
                OVER_BACKGROUND: "vec4(mix(_sv_background, clamp(v.rgb, 0.0, 1.0), v.a), 1.0)"}[outputs[k]]
        calls.append(f"    v = {call};\n    _sv_value = {keep};")
    parts.append(FUSED_MAIN.replace("{calls}", "\n".join(calls)))
    return ProgramSource("\n".join(parts), tuple(files))


FUSED_MAIN = """
float _ramp(float e0, float e1, float x) {
    float t = clamp((x - e0) / max(e1 - e0, 1e-5), 0.0, 1.0);
    return t * t * (3.0 - 2.0 * t);
}

vec4 _sv_gate(float lo, float hi, float soft, bool invert, vec4 before, vec4 after) {
    float d = texture(depthMap, uv).r;
    float s = max(soft, 1e-5);
    float w = _ramp(lo - s, lo, d) * (1.0 - _ramp(hi, hi + s, d));
    if (invert) w = 1.0 - w;
    return mix(before, after, w * DEPTHWEIGHT);
}

void main() {
    vec4 v;
{calls}
    fragColor = _sv_value;
}
"""


def _expand(text: str, path: Path, include_dirs: list[Path], files: list[Path], depth: int) -> str:
    if depth > 8:
        raise ShaderError(f"{path}: #include nested too deeply")
    number = files.index(path) + 1
    out = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        match = _INCLUDE.match(line)
        if not match:
            out.append(line)
            continue
        found = next((d / match.group(1) for d in include_dirs if (d / match.group(1)).is_file()), None)
        if found is None:
            raise ShaderError(f"{path}:{lineno}: cannot find include {match.group(1)!r}")
        if found not in files:
            files.append(found)
        inner = _expand(found.read_text(encoding="utf-8"), found, include_dirs, files, depth + 1)
        inner_number = files.index(found) + 1
        out += [
            f"#line {inner_number * LINE_BASE + 1} {inner_number}",
            inner,
            f"#line {number * LINE_BASE + lineno + 1} {number}",
        ]
    return "\n".join(out)


def map_error(message: str, files: tuple[Path, ...]) -> str:
    """Rewrite ``1:12(5): error: ...`` into ``shaders/x.glsl:12: error: ...``."""
    lines = []
    for line in message.strip().splitlines():
        match = _ERROR_LOC.search(line)
        source, number = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
        if number > LINE_BASE:
            source, number = divmod(number, LINE_BASE)
        if match and 1 <= source <= len(files):
            rest = line[match.end() :].lstrip(" :")
            line = f"{files[source - 1]}:{number}: {rest}"
        lines.append(line.strip())
    errors = [ln for ln in lines if "error" in ln.lower()]
    return "\n".join(errors or lines)


def load_glsl(path: Path, include_dirs: list[Path]) -> tuple[str, tuple[Path, ...]]:
    """A complete shader file (with ``#version``) with its includes expanded."""
    files: list[Path] = [path]
    text = _expand(path.read_text(encoding="utf-8"), path, include_dirs, files, depth=0)
    version, _, body = text.partition("\n")
    # #line must come after #version; string 1 is the file itself.
    return f"{version}\n#line {LINE_BASE + 2} 1\n{body}", tuple(files)
