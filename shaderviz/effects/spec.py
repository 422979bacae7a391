"""Effect files: one GLSL file per effect, declared by a JSON header comment.

An effect file starts with ``/*{ ... }*/`` (the ISF idea) holding::

    {
      "description": "Split and shift the RGB channels",
      "key": "R",                      # default key in `play` (optional)
      "kind": "effect",                # or "source": draws a source image (generator)
      "params": {"amount": {"type": "float", "default": 0.01, "min": 0, "max": 0.2,
                            "doc": "shift, in fractions of the width"}},
      "passes": [{"target": "down", "scale_by": "radius"}, {}]   # optional
    }

The effect's name is the file name without ``.glsl``. The body defines
``vec4 effect(vec2 uv)``; see ``shaders/README.md`` for the inputs every effect reads.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shaderviz.effects.palettes import palette_names
from shaderviz.effects.params import ParamSpec, spec_from_header
from shaderviz.errors import UserError
from shaderviz.render.kernels import kernel_names

_HEADER = re.compile(r"\A\s*/\*\s*(\{.*?\})\s*\*/", re.DOTALL)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_IMAGE = re.compile(r"^[a-z][A-Za-z0-9]*Image$")
KINDS = ("effect", "source")

HEADER_FIELDS = {
    "description", "key", "kind", "params", "passes", "kernel", "pointwise", "reads_depth", "alpha",
    "constraints", "stack", "native_input", "images", "variants",
}
# Cross-parameter checks: "lo <= hi" (two parameter names, one comparison).
CONSTRAINT = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*(<=|<|>=|>|!=)\s*([a-z][a-z0-9_]*)\s*$")
GATE_CONSTRAINTS = ("depth_min <= depth_max",)
MAX_STACK = 16

# Parameters every effect gets from the framework: a soft band on the depth map.
GATE_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("depth_min", "float", 0.0, 0.0, 1.0, doc="act only where depth >= this (1 = near)"),
    ParamSpec("depth_max", "float", 1.0, 0.0, 1.0, doc="act only where depth <= this"),
    ParamSpec("depth_soft", "float", 0.05, 0.0, 0.5, doc="width of the soft edge of the band"),
    ParamSpec("depth_invert", "bool", False, doc="act outside the band instead"),
)


@dataclass(frozen=True)
class PassSpec:
    """One render pass. ``target`` names a buffer later passes read as a sampler."""

    target: str | None = None
    scale_by: str | None = None  # a float/int param (a radius in px): run at reduced size
    persistent: bool = False  # keep the buffer's content from frame to frame
    divisor: int | str = 1  # run at 1/divisor of the size (smooth fields need less); or an int param's name
    skip_at_full_size: bool = False  # at divisor 1 the pass is not run; target = its input
    width: Any = None  # ISF: an expression of WIDTH, HEIGHT and the inputs (isf/expressions.py)
    height: Any = None
    float: bool = False  # ISF FLOAT: a 32-bit float buffer
    # A source's last pass that only resamples an earlier target to the output size (its
    # output at uv is that target sampled at uv), except while a choice parameter has one
    # of the values in ``unless``: the renderer may then let the first effect sample the
    # target itself and skip the pass (render/renderer.py, ``Renderer.source``).
    resamples: str | None = None
    unless: tuple[tuple[str, str], ...] = ()

    def resamples_now(self, value: Callable[[str], Any]) -> bool:
        """Whether this pass is a plain resample for an instance (``value``: its parameters)."""
        return self.resamples is not None and all(value(name) != bad for name, bad in self.unless)

    def factor(self, values: dict) -> int:
        """How many times smaller than the output this pass runs, given uniform values."""
        if self.scale_by:
            return scale_factor(values[self.scale_by])
        if isinstance(self.divisor, str):
            return min(16, max(1, int(values[self.divisor])))
        return self.divisor

    def size(self, values: dict, render: tuple[int, int], factor: int) -> tuple[int, int]:
        """The pass's buffer size: 1/factor of ``render``, or the ISF WIDTH/HEIGHT expressions."""
        if self.width is None and self.height is None:
            return math.ceil(render[0] / factor), math.ceil(render[1] / factor)
        names = {"WIDTH": render[0], "HEIGHT": render[1]}
        names.update({k: float(v) for k, v in values.items() if isinstance(v, (int, float))})
        sides = (self.width, self.height)
        return tuple(render[i] if e is None else _clamp_side(e, names) for i, e in enumerate(sides))  # type: ignore


@dataclass(frozen=True)
class EffectSpec:
    name: str
    path: Path
    source: str  # the whole file text (header included)
    description: str
    key: str | None
    kind: str
    params: tuple[ParamSpec, ...]
    passes: tuple[PassSpec, ...] = field(default=(PassSpec(),))
    kernel: str | None = None  # Python-driven GPU work run before the passes (see render/kernels)
    pointwise: bool = False  # reads its input only at uv, via INPUT(uv): can share a pass
    reads_depth: bool = False  # the shader itself reads depthMap (so the depth model must run)
    alpha: bool = False  # makes transparency: over the background colour unless it is transparent
    isf: Any = None  # an ISF file: its extra declarations (effects/isf/loader.py: IsfInfo)
    constraints: tuple[str, ...] = ()  # "lo <= hi": checked for every instance (chain.make_instance)
    stack: int = 0  # >0: consecutive instances run as one pass, parameters as arrays of this length
    native_input: bool = False  # reads ``nativeImage``: the source at its own resolution when first
    images: tuple[str, ...] = ()  # textures Python supplies per instance (the dream of enhance)
    variants: tuple[str, ...] = ()  # compiled in: a choice's value; a number's NAME_ON (0 when 0)

    @property
    def crossfades(self) -> bool:
        """A generator that blends in from ``previousImage``: compiled with ``FADING`` 1 only
        while a crossfade runs (software GL would pay for the blend's branch every frame)."""
        return self.kind == "source" and "previousImage" in self.source

    @property
    def fusible(self) -> bool:
        """Can run inside a shared pass (as its first member, or any member if pointwise)."""
        return self.kind == "effect" and len(self.passes) == 1 and self.kernel is None and not self.images

    @property
    def all_params(self) -> tuple[ParamSpec, ...]:
        """Own parameters plus the framework's depth-gating ones (effects only)."""
        return self.params + (GATE_PARAMS if self.kind == "effect" else ())

    def param(self, name: str) -> ParamSpec | None:
        return next((p for p in self.all_params if p.name == name), None)

    @property
    def digest(self) -> str:
        return hashlib.sha1(self.source.encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "key": self.key,
            "file": str(self.path),
            "passes": len(self.passes),
            "reads_depth": self.reads_depth,
            "alpha": self.alpha,
            "stack": self.stack,
            "params": {p.name: p.to_json() for p in self.all_params},
        }


def read_effect_file(path: Path) -> EffectSpec:
    """Parse an effect file; UserError naming the file on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: cannot read effect file: {err}") from None
    try:
        return parse_effect(path, text)
    except ValueError as err:
        raise UserError(f"{path}: invalid effect header: {err}") from None


def parse_effect(path: Path, text: str) -> EffectSpec:
    name = path.stem
    if not _NAME.match(name):
        raise ValueError(f"file name {name!r} must be lower_snake_case")
    match = _HEADER.match(text)
    if not match:
        raise ValueError("the file must start with a /*{ ... }*/ JSON header")
    try:
        header = json.loads(match.group(1))
    except json.JSONDecodeError as err:
        line = text[: match.start(1)].count("\n") + err.lineno
        raise ValueError(f"line {line}: {err.msg}") from None
    if not isinstance(header, dict):
        raise ValueError("the header must be a JSON object")
    unknown = set(header) - HEADER_FIELDS
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}")
    kind = header.get("kind", "effect")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    key = header.get("key")
    if key is not None and (not isinstance(key, str) or not key):
        raise ValueError("key must be a key name such as \"R\"")
    raw_params = header.get("params", {})
    if not isinstance(raw_params, dict):
        raise ValueError("params must be an object")
    params = []
    for pname, decl in raw_params.items():
        if isinstance(decl, dict) and decl.get("values") == "palettes":
            decl = {**decl, "values": list(palette_names())}
        params.append(spec_from_header(pname, decl))
    if kind == "effect" and {p.name for p in params} & {p.name for p in GATE_PARAMS}:
        raise ValueError("depth_* parameter names are reserved for depth gating")
    passes = _parse_passes(header.get("passes"), {p.name: p for p in params})
    if passes[-1].resamples and kind != "source":
        raise ValueError("resamples is for a source's last pass")
    pointwise = header.get("pointwise", False)
    if not isinstance(pointwise, bool):
        raise ValueError("pointwise must be true or false")
    if pointwise and (len(passes) > 1 or header.get("kernel") or kind != "effect"):
        raise ValueError("pointwise effects have one pass and no kernel")
    reads_depth = header.get("reads_depth", False)
    if not isinstance(reads_depth, bool):
        raise ValueError("reads_depth must be true or false")
    constraints = header.get("constraints", [])
    if not isinstance(constraints, list) or not all(isinstance(c, str) for c in constraints):
        raise ValueError("constraints must be a list such as [\"lo <= hi\"]")
    numeric = {p.name for p in params if p.numeric}
    for rule in constraints:
        found = CONSTRAINT.match(rule)
        if not found or not {found.group(1), found.group(3)} <= numeric:
            raise ValueError(f"constraint {rule!r}: expected NUMERIC_PARAM <=|<|>=|>|!= NUMERIC_PARAM")
    alpha = header.get("alpha", False)
    if not isinstance(alpha, bool):
        raise ValueError("alpha must be true or false")
    stack = header.get("stack", 0)
    if not isinstance(stack, int) or isinstance(stack, bool) or not 0 <= stack <= MAX_STACK:
        raise ValueError(f"stack must be a whole number 0..{MAX_STACK}")
    if stack and (len(passes) > 1 or header.get("kernel") or pointwise or kind != "effect"):
        raise ValueError("stacking effects have one pass, no kernel and are not pointwise")
    native_input = header.get("native_input", False)
    if not isinstance(native_input, bool) or (native_input and pointwise):
        raise ValueError("native_input must be true or false (and pointwise effects read only INPUT)")
    images = header.get("images", [])
    if not isinstance(images, list) or not all(isinstance(i, str) and _IMAGE.match(i) for i in images):
        raise ValueError("images must be a list of camelCase texture names, e.g. [\"dreamImage\"]")
    if images and (pointwise or stack):
        raise ValueError("an effect with images is neither pointwise nor stacking")
    variants = header.get("variants", [])
    allowed = {p.name for p in params if p.type in ("choice", "float", "int", "bool")}
    if not isinstance(variants, list) or not all(isinstance(v, str) and v in allowed for v in variants):
        raise ValueError("variants must list choice parameters (each value compiled in) or number/bool "
                         "parameters (NAME_ON compiled in: 0 when the value is 0); no run-time branch")
    kernel = header.get("kernel")
    if kernel is not None and kernel not in kernel_names():
        raise ValueError(f"unknown kernel {kernel!r}; known: {', '.join(kernel_names())}")
    if "vec4 effect(" not in re.sub(r"\s+", " ", text):
        raise ValueError("the body must define vec4 effect(vec2 uv)")
    return EffectSpec(
        name=name,
        path=path,
        source=text,
        description=str(header.get("description", "")),
        key=key,
        kind=kind,
        params=tuple(params),
        passes=passes,
        kernel=kernel,
        pointwise=pointwise,
        reads_depth=reads_depth,
        alpha=alpha,
        constraints=tuple(constraints),
        stack=stack,
        native_input=native_input,
        images=tuple(images),
        variants=tuple(variants),
    )


def _parse_passes(raw: Any, params: dict[str, ParamSpec]) -> tuple[PassSpec, ...]:
    if raw is None:
        return (PassSpec(),)
    if not isinstance(raw, list) or not raw:
        raise ValueError("passes must be a non-empty list")
    passes = []
    targets: set[str] = set()
    for i, decl in enumerate(raw):
        fields = {"target", "scale_by", "persistent", "divisor", "skip_at_full_size", "resamples", "unless"}
        if not isinstance(decl, dict) or set(decl) - fields:
            raise ValueError(f"pass {i}: expected an object with {', '.join(sorted(fields))}")
        target = decl.get("target")
        last = i == len(raw) - 1
        if last and target is not None:
            raise ValueError("the last pass writes the effect's output and takes no target")
        if not last and (not isinstance(target, str) or not _NAME.match(target)):
            raise ValueError(f"pass {i}: needs a lower_snake_case target name")
        if target in targets or target in params:
            raise ValueError(f"pass {i}: target {target!r} is already used")
        scale_by = decl.get("scale_by")
        if scale_by is not None and (scale_by not in params or not params[scale_by].numeric):
            raise ValueError(f"pass {i}: scale_by must name a numeric parameter")
        divisor = decl.get("divisor", 1)
        if isinstance(divisor, str):
            param = params.get(divisor)
            if param is None or param.type != "int" or param.min < 1 or param.max > 16:
                raise ValueError(f"pass {i}: divisor {divisor!r} must name an int parameter within 1..16")
        elif not isinstance(divisor, int) or isinstance(divisor, bool) or not 1 <= divisor <= 16:
            raise ValueError(f"pass {i}: divisor must be a whole number 1..16 or an int parameter's name")
        if scale_by is not None and divisor != 1:
            raise ValueError(f"pass {i}: use scale_by or divisor, not both")
        skip = decl.get("skip_at_full_size", False)
        if skip and (last or not isinstance(skip, bool)):
            raise ValueError(f"pass {i}: skip_at_full_size is for a true/false on a targeted pass")
        resamples, unless = _parse_resample(i, decl, last, targets, params)
        if target:
            targets.add(target)
        passes.append(PassSpec(target, scale_by, bool(decl.get("persistent", False)), divisor, skip,
                               resamples=resamples, unless=unless))
    return tuple(passes)


def _parse_resample(
    i: int, decl: dict, last: bool, targets: set[str], params: dict[str, ParamSpec]
) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """A pass's ``resamples`` (an earlier target's name) and ``unless`` ({choice: value})."""
    resamples, unless = decl.get("resamples"), decl.get("unless", {})
    if resamples is None:
        if unless:
            raise ValueError(f"pass {i}: unless goes with resamples")
        return None, ()
    if not last or resamples not in targets:
        raise ValueError(f"pass {i}: resamples is for the last pass and names an earlier pass's target")
    if not isinstance(unless, dict) or not all(
        name in params and params[name].type == "choice" and value in params[name].values
        for name, value in unless.items()
    ):
        raise ValueError(f"pass {i}: unless maps choice parameters to one of their values")
    return resamples, tuple(sorted(unless.items()))


MAX_PASS_SIDE = 8192


def _clamp_side(expr: Any, names: dict) -> int:
    try:
        value = expr(names)
    except ValueError:
        value = 1.0
    return int(min(max(round(value), 1), MAX_PASS_SIDE))


def scale_factor(radius: float) -> int:
    """Downsampling factor for a pass declared ``scale_by`` a radius in pixels.

    Large radii run at 1/2 or 1/4 size: the same look for a fraction of the cost.
    """
    if radius >= 12:
        return 4
    if radius >= 6:
        return 2
    return 1
