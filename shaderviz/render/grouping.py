"""Which chain members run together: runs of a stacking effect become one :class:`Stack`
(one pass, parameters as arrays), and a one-pass effect takes the pointwise effects after
it into its pass (fusion). Plain functions over (spec, instance) pairs; no GL here."""

from __future__ import annotations

from dataclasses import dataclass

from shaderviz.effects.chain import EffectInstance
from shaderviz.effects.spec import EffectSpec

Member = tuple[EffectSpec, "EffectInstance | Stack"]


@dataclass
class Stack:
    """Consecutive instances of a stacking effect (header ``"stack": N``), run as one pass:
    the shader gets each parameter as an array (member i at index i) and composes them."""

    members: list[EffectInstance]
    open: bool = True  # later instances may join (a depth-gated one stands alone)

    @property
    def uid(self) -> int:
        return self.members[0].uid


def stack_runs(active: list[tuple[EffectSpec, EffectInstance]]) -> list[Member]:
    """Each run of consecutive instances of one stacking effect becomes a :class:`Stack`
    (at most ``spec.stack`` long); a depth-gated instance is a stack of its own."""
    out: list[Member] = []
    for spec, instance in active:
        if not spec.stack:
            out.append((spec, instance))
            continue
        gated = instance_gated(spec, instance)
        last = out[-1][1] if out and out[-1][0].name == spec.name else None
        if not gated and isinstance(last, Stack) and last.open and len(last.members) < spec.stack:
            last.members.append(instance)
        else:
            out.append((spec, Stack([instance], open=not gated)))
    return out


def instance_gated(spec: EffectSpec, instance: EffectInstance) -> bool:
    """Whether an instance's depth band is set away from the whole range (as stored)."""
    return (instance.value(spec, "depth_min") != 0.0 or instance.value(spec, "depth_max") != 1.0
            or bool(instance.value(spec, "depth_invert")))


def gated(values: dict) -> bool:
    """Whether an instance's depth band (its values at this frame) narrows anything."""
    return values.get("depth_min", 0.0) > 0.0 or values.get("depth_max", 1.0) < 1.0 or \
        bool(values.get("depth_invert", False))


def fusion_groups(active: list[Member]) -> list[list[Member]]:
    """Consecutive effects that can share one pass: a one-pass effect followed by any
    number of pointwise ones (saturate, colorize, ...). Fewer passes, less bandwidth."""
    groups: list[list[Member]] = []
    for spec, instance in active:
        if groups and spec.pointwise and groups[-1][0][0].fusible:
            groups[-1].append((spec, instance))
        else:
            groups.append([(spec, instance)])
    return groups
