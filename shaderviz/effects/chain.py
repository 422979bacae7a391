"""The effects chain: an ordered list of effect instances with their parameter values."""

from __future__ import annotations

import itertools
import operator
import re
from dataclasses import dataclass, field
from typing import Any

from shaderviz.effects.modulation import Modulator
from shaderviz.effects.registry import Registry
from shaderviz.effects.spec import CONSTRAINT, GATE_CONSTRAINTS, EffectSpec

_uids = itertools.count(1)
_TOKEN = re.compile(r"[^\s=]+=\S*?\([^)]*\)|\S+")


def fresh_uid() -> int:
    """A new instance identity (GPU state such as sort buffers is kept per identity)."""
    return next(_uids)


@dataclass
class EffectInstance:
    """One effect in the chain. ``values`` holds constants or Modulators by param name."""

    name: str
    values: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    uid: int = field(default_factory=fresh_uid)

    def value(self, spec: EffectSpec, pname: str) -> Any:
        if pname in self.values:
            return self.values[pname]
        param = spec.param(pname)
        return None if param is None else param.default

    def uses_depth(self, spec: EffectSpec) -> bool:
        """Whether this instance reads the depth map: its shader does (``reads_depth``), its
        depth gating is narrowed or inverted, or a choice is set to ``depth`` (sort by depth)."""
        if spec.reads_depth:
            return True
        for param in spec.all_params:
            value = self.value(spec, param.name)
            if isinstance(value, Modulator) and param.name in ("depth_min", "depth_max"):
                return True
            if (
                (param.name == "depth_min" and value > 0.0)
                or (param.name == "depth_max" and value < 1.0)
                or (param.name == "depth_invert" and value)
                or (param.type == "choice" and value == "depth")
            ):
                return True
        return False

    def describe(self, spec: EffectSpec) -> str:
        """``--fx`` text for this instance (only values that differ from the defaults)."""
        parts = [self.name]
        for param in spec.all_params:
            if param.name in self.values and self.values[param.name] != param.default:
                parts.append(f"{param.name}={param.format(self.values[param.name])}")
        return " ".join(parts)

    def recipe(self, spec: EffectSpec) -> dict[str, Any]:
        """A preset table for this instance (round-trips through the preset loader)."""
        out: dict[str, Any] = {"effect": self.name}
        if not self.enabled:
            out["enabled"] = False
        for pname, stored in self.values.items():
            param = spec.param(pname)
            if param is not None:
                as_text = isinstance(stored, Modulator) or param.type == "color"
                out[pname] = param.format(stored) if as_text else stored
        return out


def parse_fx(text: str, registry: Registry) -> EffectInstance:
    """Parse ``"NAME key=value ..."``; ValueError with a one-line reason."""
    tokens = _TOKEN.findall(text.strip())
    if not tokens:
        raise ValueError("empty --fx; expected \"NAME key=value ...\"")
    name, *assignments = tokens
    spec = registry.get(name)  # UserError for unknown effects
    values: dict[str, Any] = {}
    for token in assignments:
        key, sep, raw = token.partition("=")
        if not sep or not key:
            raise ValueError(f"{name}: expected key=value, got {token!r}")
        if key in values:
            raise ValueError(f"{name}: {key} is given twice")
        values[key] = raw
    return make_instance(spec, values)


def make_instance(spec: EffectSpec, raw_values: dict[str, Any], enabled: bool = True) -> EffectInstance:
    """Validate raw values against the spec's declared parameters."""
    values: dict[str, Any] = {}
    for key, raw in raw_values.items():
        param = spec.param(key)
        if param is None:
            known = ", ".join(p.name for p in spec.all_params)
            raise ValueError(f"{spec.name}: unknown parameter {key!r}; known: {known}")
        try:
            values[key] = param.parse(raw)
        except ValueError as err:
            raise ValueError(f"{spec.name}: {err}") from None
    instance = EffectInstance(spec.name, values, enabled)
    check_constraints(spec, instance)
    return instance


_COMPARE = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "!=": operator.ne}


def check_constraints(spec: EffectSpec, instance: EffectInstance) -> None:
    """The header's cross-parameter checks ("lo <= hi"), on constants and on the whole
    range of modulated values; ValueError saying which values break which rule."""
    rules = spec.constraints + (GATE_CONSTRAINTS if spec.kind == "effect" else ())
    for rule in rules:
        match = CONSTRAINT.match(rule)
        if match is None:
            continue
        left, op, right = match.groups()
        a, b = instance.value(spec, left), instance.value(spec, right)
        if a is None or b is None:
            continue
        # Modulated: the rule must hold at every phase; check the worst pair of extremes.
        a_lo, a_hi = (a.lo, a.hi) if isinstance(a, Modulator) else (a, a)
        b_lo, b_hi = (b.lo, b.hi) if isinstance(b, Modulator) else (b, b)
        if op in ("<=", "<"):
            worst = (max(a_lo, a_hi), min(b_lo, b_hi))
        else:
            worst = (min(a_lo, a_hi), max(b_lo, b_hi)) if op != "!=" else (a_lo, b_lo)
        if not _COMPARE[op](*worst):
            moving = " (over the loop)" if isinstance(a, Modulator) or isinstance(b, Modulator) else ""
            shown = {n: spec.param(n).format(v) for n, v in ((left, a), (right, b))}
            raise ValueError(f"{spec.name}: {left}={shown[left]} and {right}={shown[right]} break "
                             f"{left} {op} {right}{moving}")
