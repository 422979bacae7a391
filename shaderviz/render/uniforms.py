"""Uniforms: an effect instance's parameter values at a frame, and setting values on a
program (names it does not use are skipped: the compiler drops unused uniforms)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import moderngl

from shaderviz.effects.chain import EffectInstance
from shaderviz.effects.spec import EffectSpec
from shaderviz.render.glsl import uniform_name
from shaderviz.render.grouping import Stack
from shaderviz.render.targets import Frame


def effect_values(
    spec: EffectSpec, instance: EffectInstance | Stack, frame: Frame, pixel_scale: float
) -> dict:
    """Uniform values at this frame; "px" parameters in render pixels (``pixel_scale`` per
    output pixel). A stack: each parameter as an array (padded to the declared length), its
    gate the last member's."""
    if isinstance(instance, Stack):
        each = [effect_values(spec, member, frame, pixel_scale) for member in instance.members]
        values = dict(each[-1])
        for name in [uniform_name(p.name) for p in spec.params] + [f"{p.name}_dir" for p in spec.params
                                                                      if p.unit == "deg"]:
            column = [v[name] for v in each]
            values[name] = column + [column[-1]] * (spec.stack - len(column))
        values["STACKCOUNT"] = len(each)
        return values
    values = {}
    for p in spec.all_params:
        value = p.uniform_value(instance.value(spec, p.name), frame.phase, frame.seed, frame.signals)
        if p.unit == "px" and pixel_scale != 1.0 and value > 0:
            scaled = value * pixel_scale
            value = max(1, round(scaled)) if p.type == "int" else scaled
        values[uniform_name(p.name)] = value
        if p.unit == "deg":
            values[f"{p.name}_dir"] = (math.cos(math.radians(value)), math.sin(math.radians(value)))
    return values


def set_values(program: moderngl.Program, *groups: Mapping) -> None:
    """Set every named value ``program`` has; later groups win."""
    for group in groups:
        for name, value in group.items():
            if name in program:
                uniform = program[name]
                if isinstance(value, list):  # a stack's array: the compiler may keep only the elements used
                    value = value[0] if uniform.array_length == 1 else value[: uniform.array_length]
                uniform.value = value


def set_gate(program: moderngl.Program, values: dict, suffix: str = "") -> None:
    """The depth gate's uniforms from an instance's values (``suffix``: a fused member's)."""
    if f"_gate_lo{suffix}" not in program:
        return  # an ungated variant
    gate = (("_gate_lo", values.get("depth_min", 0.0)), ("_gate_hi", values.get("depth_max", 1.0)),
            ("_gate_invert", bool(values.get("depth_invert", False))),
            ("_gate_soft", values.get("depth_soft", 0.05)))
    for name, value in gate:
        if name + suffix in program:
            program[name + suffix].value = value
