"""GLSL for ISF files: the ISF built-ins over the framework's inputs, the file's body
(``gl_FragColor``, ``texture2D``, ``varying`` and ``void main`` mapped to GLSL 3.30 core on
the same lines, so errors keep the file's line numbers), then the common epilogue
(depth gating, alpha) from render/glsl.py."""

from __future__ import annotations

import re
from pathlib import Path

from shaderviz.effects.spec import EffectSpec
from shaderviz.render.glsl import EPILOGUE, LINE_BASE, OPAQUE, ProgramSource

PRELUDE = """#version 330
#define PASSINDEX {pass_index}
uniform sampler2D inputImage;
uniform sampler2D sourceImage;
uniform sampler2D depthMap;
uniform sampler2D paletteTex;
uniform int PALETTECOUNT;
uniform float TIME;
uniform float TIMEDELTA;
uniform vec4 DATE;
uniform float PHASE;
uniform vec2 PASSSIZE;
uniform float PASSSCALE;
uniform int FRAMEINDEX;
uniform int SEED;
uniform float DEPTHWEIGHT;  // 0..1: how far depth is ready (the gate epilogue reads it)
#define RENDERSIZE PASSSIZE
#define IMG_SIZE(img) vec2(textureSize(img, 0))
#define IMG_NORM_PIXEL(img, p) texture(img, p)
#define IMG_PIXEL(img, p) texture(img, (p) / IMG_SIZE(img))
#define IMG_THIS_PIXEL(img) texture(img, isf_FragNormCoord)
#define IMG_THIS_NORM_PIXEL(img) texture(img, isf_FragNormCoord)
#define IMG_NORM_THIS_PIXEL(img) texture(img, isf_FragNormCoord)
#define isf_FragNormCoord uv
#define vv_FragNormCoord uv
"""

FRAGMENT_HEAD = """in vec2 uv;
out vec4 fragColor;
vec4 isf_FragColor;
"""

VERTEX_HEAD = """out vec2 uv;
void isf_vertShaderInit() {
    vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    uv = p;
    gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
"""

_MAIN = re.compile(r"\bvoid\s+main\s*\(\s*(void\s*)?\)")


def _portable(body: str, stage: str) -> str:
    """ISF's GLSL 1.x idioms in GLSL 3.30 core, line for line."""
    body = re.sub(r"^[ \t]*#version[^\n]*", "", body, flags=re.M)
    body = re.sub(r"\btexture2D(Rect)?\b", "texture", body)
    body = re.sub(r"\bvarying\b", "in" if stage == "fragment" else "out", body)
    if stage == "vertex":
        return re.sub(r"\battribute\b", "in", body)
    body = re.sub(r"\bgl_FragColor\b", "isf_FragColor", body)
    return _MAIN.sub("void isf_main()", body)


def isf_sources(spec: EffectSpec, gate: bool = False, output: int = OPAQUE) -> list[ProgramSource]:
    """One fragment source per pass (the last one with the gate/alpha variant asked for)."""
    info = spec.isf
    last = len(spec.passes) - 1
    body = _portable(info.body, "fragment")
    sources = []
    for index in range(len(spec.passes)):
        copy_pass = info.final_target is not None and index == last
        effect = (f"vec4 effect(vec2 p) {{ return texture({info.final_target}, p); }}" if copy_pass else
                  "vec4 effect(vec2 p) { isf_FragColor = vec4(0.0); isf_main(); return isf_FragColor; }")
        text = (
            PRELUDE.format(pass_index=index) + FRAGMENT_HEAD
            + f"#line {LINE_BASE + 1} 1\n"  # an error in what the header declares: file:1
            + "\n".join(info.declarations) + f"\n#line {LINE_BASE + info.body_line} 1\n" + body
            + "\n#line 1 0\n" + effect + "\n"
            + EPILOGUE.replace("{last_pass}", str(last)).replace("{gate}", str(int(gate)))
            .replace("{output}", str(output))
        )
        sources.append(ProgramSource(text, _files(spec)))
    return sources


def isf_vertex(spec: EffectSpec) -> str | None:
    """The .vs beside the file, around ``isf_vertShaderInit()``; None: the framework's own."""
    info = spec.isf
    if info.vertex is None:
        return None
    head = PRELUDE.format(pass_index=0).replace("#define PASSINDEX 0\n", "") + VERTEX_HEAD
    return (head + "\n".join(info.declarations) + f"\n#line {2 * LINE_BASE + 1} 2\n"
            + _portable(info.vertex, "vertex"))


def _files(spec: EffectSpec) -> tuple[Path, ...]:
    info = spec.isf
    return (spec.path, info.vertex_path) if info.vertex_path is not None else (spec.path,)
