"""Typed effect parameters: declaration (from effect headers) and value parsing.

A parameter is declared once, in the effect file's header; validation of ``--fx``
strings, preset values, GL uniform upload and the docs are all derived from it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shaderviz.effects.modulation import Modulator, parse_modulator

if TYPE_CHECKING:
    from shaderviz.audio.signals import Signals

TYPES = ("float", "int", "bool", "color", "choice")  # declared in effect-file headers
# ISF files also have points (vec2, "x,y") and colours with alpha (vec4, "#rrggbbaa").
VECTOR_TYPES = {"point": 2, "rgba": 4}


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter of an effect."""

    name: str
    type: str
    default: Any
    min: float | None = None
    max: float | None = None
    values: tuple[str, ...] = ()  # for choice
    doc: str = ""
    integrate: bool = False  # the shader gets the integral over the loop phase (speed -> position)
    unit: str = ""  # "px": a length in output pixels (scaled when the chain renders smaller);
    # "deg": an angle in degrees; the shader also gets NAME_dir = (cos, sin), computed once a
    # frame (software GL would compute sin and cos for every pixel)
    codes: tuple[int, ...] = ()  # choice: the uniform's value for each name (default: its index)

    @property
    def numeric(self) -> bool:
        return self.type in ("float", "int")

    def describe_range(self) -> str:
        if self.type == "choice":
            return "|".join(self.values)
        if self.numeric:
            return f"{_fmt(self.min)}..{_fmt(self.max)}"
        if self.type == "bool":
            return "true|false"
        if self.type == "point":
            return "x,y"
        if self.type == "rgba":
            return "#rrggbb[aa]"
        return "#rrggbb"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "default": self.default, "doc": self.doc}
        if self.numeric:
            out["min"], out["max"] = self.min, self.max
        if self.type == "choice":
            out["values"] = list(self.values)
        if self.unit:
            out["unit"] = self.unit
        return out

    # -- value parsing -----------------------------------------------------------------

    def parse(self, raw: Any) -> Any:
        """Validate ``raw`` (a string from --fx, or a TOML value) into a stored value.

        Numeric parameters may be a :class:`Modulator` (e.g. ``sine(0, 1, 2)``).
        Raises ``ValueError`` with a message that names the parameter.
        """
        if self.numeric:
            if isinstance(raw, dict) or (isinstance(raw, str) and "(" in raw):
                mod = parse_modulator(raw)
                self._check_range(mod.lo)
                self._check_range(mod.hi)
                return mod
            return self._check_range(self._number(raw))
        if self.type == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(f"{self.name}: expected true or false, got {raw!r}")
        if self.type == "choice":
            text = str(raw).strip()
            if text not in self.values:
                raise ValueError(
                    f"{self.name}: expected one of {', '.join(self.values)}, got {raw!r}"
                )
            return text
        if self.type in VECTOR_TYPES:
            return parse_vector(raw, self.name, self.type)
        return parse_color(raw, self.name)

    def _number(self, raw: Any) -> float | int:
        if isinstance(raw, bool):
            raise ValueError(f"{self.name}: expected a number, got {raw!r}")
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"{self.name}: expected a number, got {raw!r}") from None
        if not math.isfinite(value):
            raise ValueError(f"{self.name}: expected a finite number, got {raw!r}")
        if self.type == "int":
            if value != int(value):
                raise ValueError(f"{self.name}: expected a whole number, got {raw!r}")
            return int(value)
        return value

    def _check_range(self, value: float) -> float:
        if self.min is not None and value < self.min or self.max is not None and value > self.max:
            raise ValueError(
                f"{self.name}={_fmt(value)} is out of range {_fmt(self.min)}..{_fmt(self.max)}"
            )
        return value

    def uniform_value(self, stored: Any, phase: float, seed: int, signals: Signals | None = None) -> Any:
        """The value sent to the shader at loop phase ``phase`` (``signals``: tempo and audio).
        An ``integrate`` parameter sends the integral of its value over the loop so far (from
        phase 0 to ``phase``): a speed becomes a position that moves smoothly even while the
        speed is modulated (over the loop's phase; tempo and audio do not enter the integral)."""
        if self.integrate:
            frac = phase - math.floor(phase)
            return stored.integral(frac, seed) if isinstance(stored, Modulator) else float(stored) * frac
        if isinstance(stored, Modulator):
            value = stored.value(phase, seed, signals)
            return int(round(value)) if self.type == "int" else float(value)
        if self.type == "choice":
            index = self.values.index(stored)
            return self.codes[index] if self.codes else index
        if self.type == "bool":
            return bool(stored)
        return stored

    def format(self, stored: Any) -> str:
        """Inverse of :meth:`parse`: text that parses back to ``stored``."""
        if isinstance(stored, Modulator):
            return stored.format()
        if self.type == "bool":
            return "true" if stored else "false"
        if self.type in ("color", "rgba"):
            return "#" + "".join(f"{round(c * 255):02x}" for c in stored)
        if self.type == "point":
            return ",".join(_fmt(v) for v in stored)
        if isinstance(stored, float):
            return _fmt(stored)
        return str(stored)


def _fmt(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:g}"


_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


def parse_color(raw: Any, name: str) -> tuple[float, float, float]:
    """``#rrggbb`` or a list of three 0..1 floats -> an (r, g, b) tuple."""
    if isinstance(raw, (list, tuple)) and len(raw) == 3:
        try:
            rgb = tuple(float(c) for c in raw)
        except (TypeError, ValueError):
            rgb = ()
        if len(rgb) == 3 and all(0.0 <= c <= 1.0 for c in rgb):
            return rgb  # type: ignore[return-value]
    match = _HEX.match(str(raw).strip()) if isinstance(raw, str) else None
    if match:
        h = match.group(1)
        return tuple(int(h[i : i + 2], 16) / 255.0 for i in (0, 2, 4))  # type: ignore[return-value]
    raise ValueError(f"{name}: expected a colour like #ff8800, got {raw!r}")


def parse_vector(raw: Any, name: str, kind: str) -> tuple[float, ...]:
    """A point ``"x,y"`` / [x, y], or an rgba colour ``#rrggbb[aa]`` / [r, g, b, a] in 0..1."""
    size = VECTOR_TYPES[kind]
    if kind == "rgba" and isinstance(raw, str) and raw.strip().startswith("#"):
        text = raw.strip()[1:]
        if re.fullmatch(r"[0-9a-fA-F]{6}([0-9a-fA-F]{2})?", text):
            text += "" if len(text) == 8 else "ff"
            return tuple(int(text[i : i + 2], 16) / 255.0 for i in range(0, 8, 2))
    items = raw.split(",") if isinstance(raw, str) else raw
    try:
        values = tuple(float(v) for v in items)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        values = ()
    if kind == "rgba" and len(values) == 3:
        values = (*values, 1.0)
    if len(values) != size or not all(math.isfinite(v) for v in values):
        example = "0.5,0.25" if kind == "point" else "#ff8800 or #ff880080"
        raise ValueError(f"{name}: expected {example}, got {raw!r}")
    if kind == "rgba" and not all(0.0 <= v <= 1.0 for v in values):
        raise ValueError(f"{name}: colour channels are 0..1, got {raw!r}")
    return values


def spec_from_header(name: str, decl: Any) -> ParamSpec:
    """Build a ParamSpec from the JSON declaration in an effect header."""
    if not isinstance(decl, dict):
        raise ValueError(f"parameter {name!r} must be an object")
    ptype = decl.get("type")
    if ptype not in TYPES:
        raise ValueError(f"parameter {name!r}: type must be one of {', '.join(TYPES)}")
    unknown = set(decl) - {"type", "default", "min", "max", "values", "doc", "unit", "integrate"}
    if unknown:
        raise ValueError(f"parameter {name!r}: unknown field(s) {', '.join(sorted(unknown))}")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ValueError(f"parameter {name!r}: names are lower_snake_case")
    kwargs: dict[str, Any] = {"doc": str(decl.get("doc", ""))}
    if "integrate" in decl:
        if decl["integrate"] is not True and decl["integrate"] is not False or ptype != "float":
            raise ValueError(f"parameter {name!r}: integrate is true or false, on a float parameter")
        kwargs["integrate"] = decl["integrate"]
    if "unit" in decl:
        length = decl["unit"] == "px" and ptype in ("float", "int")
        if not (length or decl["unit"] == "deg" and ptype == "float"):
            raise ValueError(f"parameter {name!r}: unit is \"px\" (a length in pixels, for numbers) or "
                             f"\"deg\" (an angle, for floats)")
        kwargs["unit"] = decl["unit"]
    if ptype in ("float", "int"):
        for bound in ("min", "max"):
            if not isinstance(decl.get(bound), (int, float)) or isinstance(decl.get(bound), bool):
                raise ValueError(f"parameter {name!r}: numeric parameters need {bound}")
        kwargs["min"], kwargs["max"] = decl["min"], decl["max"]
        if kwargs["min"] > kwargs["max"]:
            raise ValueError(f"parameter {name!r}: min is greater than max")
    if ptype == "choice":
        values = decl.get("values")
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise ValueError(f"parameter {name!r}: choice parameters need a list of values")
        kwargs["values"] = tuple(values)
    if "default" not in decl:
        raise ValueError(f"parameter {name!r}: missing default")
    spec = ParamSpec(name=name, type=ptype, default=None, **kwargs)
    try:
        default = spec.parse(decl["default"])
    except ValueError as err:
        raise ValueError(f"parameter {name!r}: bad default: {err}") from None
    if isinstance(default, Modulator):
        raise ValueError(f"parameter {name!r}: the default must be a constant")
    return ParamSpec(name=name, type=ptype, default=default, **kwargs)
