"""Turn an effect file into GLSL programs: prelude, includes, epilogue, error mapping.

Every effect reads the same inputs (declared here once): the previous output
``inputImage``, the original ``sourceImage``, the ``depthMap`` (r: 1 = near, 0 = far),
``paletteTex``, and TIME, PHASE (loop phase 0..1), RENDERSIZE, FRAMEINDEX, SEED,
PASSINDEX. The framework's epilogue applies depth gating to the last pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

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
"""

EPILOGUE = """
uniform bool _gate_enabled;
uniform float _gate_lo;
uniform float _gate_hi;
uniform float _gate_soft;
uniform bool _gate_invert;

float _ramp(float e0, float e1, float x) {
    float t = clamp((x - e0) / max(e1 - e0, 1e-5), 0.0, 1.0);
    return t * t * (3.0 - 2.0 * t);
}

void main() {
    vec4 color = effect(uv);
#if PASSINDEX == {last_pass}
    if (_gate_enabled) {
        float d = texture(depthMap, uv).r;
        float s = max(_gate_soft, 1e-5);
        float w = _ramp(_gate_lo - s, _gate_lo, d) * (1.0 - _ramp(_gate_hi, _gate_hi + s, d));
        if (_gate_invert) w = 1.0 - w;
        color = mix(texture(inputImage, uv), color, w * DEPTHWEIGHT);
    }
#endif
    fragColor = vec4(color.rgb, 1.0);
}
"""


@dataclass(frozen=True)
class ProgramSource:
    fragment: str
    files: tuple[Path, ...]  # source-string number i+1 -> files[i], for error messages


class ShaderError(Exception):
    """A compile/link error, with locations mapped back to the effect's files."""


def build_sources(spec: EffectSpec, include_dirs: list[Path]) -> list[ProgramSource]:
    """One fragment shader source per declared pass."""
    files: list[Path] = [spec.path]
    body = _expand(spec.source, spec.path, include_dirs, files, depth=0)
    declarations = []
    for param in spec.params:
        declarations.append(f"uniform {_GLSL_TYPES[param.type]} {param.name};")
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
            + EPILOGUE.replace("{last_pass}", str(last))
        )
        sources.append(ProgramSource(text, tuple(files)))
    return sources


FUSED_GATE = """
uniform bool _gate_enabled_{k};
uniform float _gate_lo_{k};
uniform float _gate_hi_{k};
uniform float _gate_soft_{k};
uniform bool _gate_invert_{k};
"""


def build_fused_source(specs: list[EffectSpec], include_dirs: list[Path]) -> ProgramSource:
    """One pass running several effects: the first may sample its input anywhere, the
    rest are pointwise (they read ``INPUT(uv)``, here the previous member's value).

    Each member's parameters become ``_f{k}_{name}`` uniforms through ``#define``, its
    ``effect`` function ``_sv_effect_{k}``; includes are shared through their guards.
    Between members the value is clamped and made opaque, as an 8-bit target would.
    """
    files: list[Path] = []
    parts = [PRELUDE.format(pass_index=0), "vec4 _sv_value;"]
    calls = []
    for k, spec in enumerate(specs):
        if spec.path not in files:
            files.append(spec.path)
        body = _expand(spec.source, spec.path, include_dirs, files, depth=0)
        names = ["effect", "INPUT"]
        for param in spec.params:
            parts.append(f"uniform {_GLSL_TYPES[param.type]} _f{k}_{param.name};")
            parts.append(f"#define {param.name} _f{k}_{param.name}")
            names.append(param.name)
            for i, value in enumerate(param.values):
                parts.append(f"#define {param.name.upper()}_{value.upper()} {i}")
                names.append(f"{param.name.upper()}_{value.upper()}")
        source = "texture(inputImage, p)" if k == 0 else "_sv_value"
        parts += [f"#define effect _sv_effect_{k}", f"#define INPUT(p) {source}", FUSED_GATE.format(k=k)]
        number = files.index(spec.path) + 1
        parts += [f"#line {number * LINE_BASE + 1} {number}", body, "#line 1 0"]
        parts += [f"#undef {name}" for name in names]
        before = "texture(inputImage, uv)" if k == 0 else "_sv_value"
        calls.append(
            f"    v = _sv_gate(_gate_enabled_{k}, _gate_lo_{k}, _gate_hi_{k}, _gate_soft_{k}, "
            f"_gate_invert_{k}, {before}, _sv_effect_{k}(uv));\n"
            "    _sv_value = vec4(clamp(v.rgb, 0.0, 1.0), 1.0);"
        )
    parts.append(FUSED_MAIN.replace("{calls}", "\n".join(calls)))
    return ProgramSource("\n".join(parts), tuple(files))


FUSED_MAIN = """
float _ramp(float e0, float e1, float x) {
    float t = clamp((x - e0) / max(e1 - e0, 1e-5), 0.0, 1.0);
    return t * t * (3.0 - 2.0 * t);
}

vec4 _sv_gate(bool enabled, float lo, float hi, float soft, bool invert, vec4 before, vec4 after) {
    if (!enabled) return after;
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
