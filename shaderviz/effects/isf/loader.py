"""ISF v2 files (``*.fs``, with an optional ``*.vs``) read into the same EffectSpec as the
native effect files, so the CLI, presets, modulators, keys and depth gating work on them.

INPUTS become parameters with their ranges: float, long (a choice by LABELS, sending its
VALUES; or a whole number), bool, event (a bool), color (``#rrggbbaa``), point2D
(``x,y``), image (a choice of what to bind: ``source`` — the original picture, ``depth``
— shaderviz's depth map, ``input`` — the chain so far, or ``none``), audio and audioFFT
(silent until audio analysis exists). A file with an ``inputImage`` input is an effect;
one without is a generator (use it as the INPUT). PASSES keep TARGET, PERSISTENT, FLOAT
and WIDTH/HEIGHT (see isf/expressions.py); IMPORTED images are read beside the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shaderviz.effects.isf.expressions import parse_expression
from shaderviz.effects.params import ParamSpec, parse_vector
from shaderviz.effects.spec import GATE_PARAMS, EffectSpec, PassSpec

_HEADER = re.compile(r"\A\s*/\*\s*(\{.*?\})\s*\*/", re.DOTALL)
IMAGE_BINDINGS = ("source", "depth", "input", "none")
MAX_IMPORTED = 16


@dataclass(frozen=True)
class IsfInfo:
    """What an ISF file needs beyond an EffectSpec: its GLSL body, samplers and images."""

    body: str  # the fragment shader after the JSON header
    body_line: int  # the file's line number of the body's first line
    declarations: tuple[str, ...]  # uniforms for the inputs and pass targets
    images: tuple[str, ...] = ()  # image inputs (choice parameters bound as textures)
    audio: tuple[tuple[str, bool, int], ...] = ()  # (name, is FFT, samples): silent textures
    imported: tuple[tuple[str, Path], ...] = ()  # (sampler name, image file)
    vertex: str | None = None  # the .vs file's text
    vertex_path: Path | None = None
    has_input: bool = True
    final_target: str | None = None  # the last pass also renders into this buffer
    float_targets: frozenset[str] = field(default_factory=frozenset)


def effect_name(path: Path, taken: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """``Bad TV.fs`` -> ``bad_tv``; ``_isf`` is added if a native effect has the name."""
    name = re.sub(r"[^a-z0-9]+", "_", path.stem.lower()).strip("_") or "isf"
    if not name[0].isalpha():
        name = f"isf_{name}"
    return f"{name}_isf" if name in taken else name


def read_isf(path: Path, taken: set[str] = frozenset()) -> EffectSpec:  # type: ignore[assignment]
    """Parse ``path`` (and ``path.with_suffix('.vs')``); ValueError naming file:line."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
        vs_path = path.with_suffix(".vs")
        vertex = vs_path.read_text(encoding="utf-8", errors="replace") if vs_path.is_file() else None
    except OSError as err:
        raise ValueError(f"{path}: cannot read ({err.strerror or err})") from None
    try:
        return parse_isf(path, text, vertex, taken)
    except ValueError as err:
        message = str(err)
        raise ValueError(message if message.startswith(str(path)) else f"{path}: {message}") from None


def parse_isf(path: Path, text: str, vertex: str | None, taken: set[str] = frozenset()) -> EffectSpec:  # type: ignore[assignment]
    match = _HEADER.match(text)
    if not match:
        raise ValueError(f"{path}:1: an ISF file starts with a /*{{ ... }}*/ JSON header")
    try:
        header = json.loads(match.group(1))
    except json.JSONDecodeError as err:
        line = text[: match.start(1)].count("\n") + err.lineno
        raise ValueError(f"{path}:{line}: ISF header: {err.msg}") from None
    if not isinstance(header, dict):
        raise ValueError(f"{path}:1: the ISF header must be a JSON object")
    body_start = match.end()
    body = text[body_start:]
    body_line = text[:body_start].count("\n") + 1
    if not re.search(r"\bvoid\s+main\s*\(", body):
        raise ValueError(f"{path}:{body_line}: no void main()")

    inputs = header.get("INPUTS", [])
    if not isinstance(inputs, list):
        raise ValueError(f"{path}:1: INPUTS must be a list")
    params: list[ParamSpec] = []
    declarations: list[str] = []
    images: list[str] = []
    audio: list[tuple[str, bool, int]] = []
    has_input = False
    reserved = {p.name for p in GATE_PARAMS}
    for index, decl in enumerate(inputs):
        where = f"{path}:{_line_of(text, decl.get('NAME') if isinstance(decl, dict) else None)}"
        if not isinstance(decl, dict) or not isinstance(decl.get("NAME"), str) or not decl.get("TYPE"):
            raise ValueError(f"{where}: INPUTS[{index}] needs a NAME and a TYPE")
        name, kind = decl["NAME"], str(decl["TYPE"])
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or name in reserved:
            raise ValueError(f"{where}: input name {name!r} is not usable")
        if name == "inputImage":
            if kind != "image":
                raise ValueError(f"{where}: inputImage must be an image")
            has_input = True
            continue  # the framework's input: already declared
        try:
            param, glsl = _input(name, kind, decl)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{where}: input {name!r}: {err}") from None
        declarations.append(f"uniform {glsl} {name};")
        if kind == "image":
            images.append(name)
        if kind in ("audio", "audioFFT"):
            samples = decl.get("MAX", 256)
            samples = int(samples) if isinstance(samples, (int, float)) and 1 <= samples <= 8192 else 256
            audio.append((name, kind == "audioFFT", samples))
        if param is not None:
            params.append(param)

    param_names = {p.name for p in params}
    passes, targets, final_target, float_targets = _passes(path, text, header, param_names)
    declarations += [f"uniform sampler2D {t};" for t in targets]
    imported = _imported(path, text, header)
    declarations += [f"uniform sampler2D {name};" for name, _ in imported]
    names = {name for name, _ in imported} | set(targets) | param_names
    if len(names) != len(imported) + len(targets) + len(param_names):
        raise ValueError(f"{path}:1: an input, pass TARGET and IMPORTED image share a name")
    if final_target is not None:  # a framework pass copies that buffer to the effect's output
        passes = (*passes, PassSpec())
    description = str(header.get("DESCRIPTION", "")).strip()
    return EffectSpec(
        name=effect_name(path, set(taken)),
        path=path,
        source=text + "\n//vs\n" + (vertex or ""),
        description=f"ISF: {description.splitlines()[0] if description else path.stem}",
        key=None,
        kind="effect" if has_input else "source",
        params=tuple(params),
        passes=passes,
        reads_depth=False,
        isf=IsfInfo(body, body_line, tuple(declarations), tuple(images), tuple(audio), tuple(imported),
                    vertex, path.with_suffix(".vs") if vertex is not None else None, has_input, final_target,
                    frozenset(float_targets)),
    )


def _line_of(text: str, name: Any) -> int:
    if isinstance(name, str):
        found = re.search(rf'"NAME"\s*:\s*"{re.escape(name)}"', text)
        if found:
            return text[: found.start()].count("\n") + 1
    return 1


def _number(value: Any, fallback: float) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else fallback


def _input(name: str, kind: str, decl: dict) -> tuple[ParamSpec | None, str]:
    doc = str(decl.get("LABEL", "") or "")
    if kind == "float":
        lo, hi = _number(decl.get("MIN"), 0.0), _number(decl.get("MAX"), 1.0)
        if lo > hi:
            lo, hi = hi, lo
        default = min(max(_number(decl.get("DEFAULT"), lo), lo), hi)
        return ParamSpec(name, "float", default, lo, hi, doc=doc), "float"
    if kind == "long":
        values, labels = decl.get("VALUES"), decl.get("LABELS")
        if isinstance(values, list) and values and all(isinstance(v, (int, float)) for v in values):
            codes = tuple(int(v) for v in values)
            names = _choice_names(labels if isinstance(labels, list) and len(labels) == len(codes) else codes)
            default = int(_number(decl.get("DEFAULT"), codes[0]))
            chosen = names[codes.index(default)] if default in codes else names[0]
            return ParamSpec(name, "choice", chosen, values=names, codes=codes, doc=doc), "int"
        lo, hi = int(_number(decl.get("MIN"), 0)), int(_number(decl.get("MAX"), 100))
        lo, hi = min(lo, hi), max(lo, hi)
        default = min(max(int(_number(decl.get("DEFAULT"), lo)), lo), hi)
        return ParamSpec(name, "int", default, lo, hi, doc=doc), "int"
    if kind in ("bool", "event"):
        default = bool(decl.get("DEFAULT", False)) if kind == "bool" else False
        doc = doc or ("momentary event" if kind == "event" else "")
        return ParamSpec(name, "bool", default, doc=doc), "bool"
    if kind == "color":
        raw = decl.get("DEFAULT", [0.0, 0.0, 0.0, 1.0])
        return ParamSpec(name, "rgba", parse_vector(raw, name, "rgba"), doc=doc), "vec4"
    if kind == "point2D":
        raw = decl.get("DEFAULT", [0.0, 0.0])
        return ParamSpec(name, "point", parse_vector(raw, name, "point"), doc=doc), "vec2"
    if kind == "image":
        default = "depth" if "depth" in name.lower() else "source"
        what = "image to bind: source (the original), depth (the depth map), input (the chain so far), none"
        return ParamSpec(name, "choice", default, values=IMAGE_BINDINGS, doc=doc or what), "sampler2D"
    if kind in ("audio", "audioFFT"):
        return None, "sampler2D"
    raise ValueError(f"unknown TYPE {kind!r}")


def _choice_names(labels: list) -> tuple[str, ...]:
    names: list[str] = []
    for label in labels:
        name = re.sub(r"[^a-z0-9]+", "_", str(label).lower()).strip("_") or "value"
        while name in names:
            name += "_"
        names.append(name)
    return tuple(names)


def _passes(path: Path, text: str, header: dict, params: set[str]
            ) -> tuple[tuple[PassSpec, ...], list[str], str | None, set[str]]:
    raw = header.get("PASSES") or [{}]
    persistent_v1 = header.get("PERSISTENT_BUFFERS") or []  # ISF v1: names of persistent targets
    if isinstance(persistent_v1, dict):
        persistent_v1 = list(persistent_v1)
    if not isinstance(raw, list):
        raise ValueError(f"{path}:1: PASSES must be a list")
    names = {"WIDTH", "HEIGHT", *params}
    passes, targets, floats = [], [], set()
    final_target = None
    for index, decl in enumerate(raw):
        if not isinstance(decl, dict):
            raise ValueError(f"{path}:1: PASSES[{index}] must be an object")
        target = decl.get("TARGET")
        last = index == len(raw) - 1
        if target is not None and (not isinstance(target, str) or not re.fullmatch(r"[A-Za-z_]\w*", target)):
            raise ValueError(f"{path}:1: PASSES[{index}]: TARGET {target!r} is not a name")
        if target is None and not last:
            target = f"_isf_pass{index}"  # an untargeted pass before the last: its own buffer
        try:
            width = parse_expression(decl["WIDTH"], names) if "WIDTH" in decl else None
            height = parse_expression(decl["HEIGHT"], names) if "HEIGHT" in decl else None
        except ValueError as err:
            raise ValueError(f"{path}:1: PASSES[{index}]: {err}") from None
        persistent = bool(decl.get("PERSISTENT", False)) or target in persistent_v1
        is_float = bool(decl.get("FLOAT", False))
        if target is not None and target not in targets:
            targets.append(target)
        if target is not None and is_float:
            floats.add(target)
        if last:
            final_target = target
            if target is None and (width is not None or height is not None):
                width = height = None  # the output is the render size
        passes.append(PassSpec(target=target, persistent=persistent, width=width, height=height,
                               float=is_float))
    return tuple(passes), targets, final_target, floats


def _imported(path: Path, text: str, header: dict) -> list[tuple[str, Path]]:
    raw = header.get("IMPORTED") or {}
    if isinstance(raw, list):  # ISF v1: [{"NAME": ..., "PATH": ...}]
        raw = {d.get("NAME"): d for d in raw if isinstance(d, dict)}
    if not isinstance(raw, dict) or len(raw) > MAX_IMPORTED:
        raise ValueError(f"{path}:1: IMPORTED must be an object of at most {MAX_IMPORTED} images")
    folder = path.resolve().parent
    out = []
    for name, decl in raw.items():
        file = decl.get("PATH") if isinstance(decl, dict) else None
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_]\w*", name) or not isinstance(file, str):
            raise ValueError(f"{path}:{_line_of(text, name)}: IMPORTED {name!r} needs a name and a PATH")
        image = (folder / file).resolve()
        if not image.is_relative_to(folder):
            raise ValueError(f"{path}:1: IMPORTED {name}: {file} is outside the effect's folder")
        if not image.is_file():
            raise ValueError(f"{path}:1: IMPORTED {name}: no such file {file}")
        out.append((name, image))
    return out
