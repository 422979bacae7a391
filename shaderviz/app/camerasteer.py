"""Steering the parallax camera with the mouse in ``play``.

While a parallax effect is on, the pointer's position over the window sets where the
camera should be: the centre is the effect's own offset, the window's edges are ``reach``
away (right edge: camera to the right; top edge: camera up). The camera eases toward that
target (exponential smoothing, ``ease`` seconds to cover 63 % of the way), so a jump of the
pointer never makes a jump in the picture. Dragging steers the same way.
It writes the parallax instance's ``x`` and ``y`` (its own value plus the steering, a
modulated value shifted as a whole), so a snapshot's recipe holds the steered camera.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from shaderviz.effects.chain import EffectInstance
from shaderviz.effects.modulation import Modulator
from shaderviz.effects.registry import Registry

EFFECT = "parallax"
AXES = ("x", "y")


@dataclass
class CameraSteer:
    reach: float = 0.1  # camera offset at the window's edge (fraction of the focus distance)
    ease: float = 0.25  # seconds
    target: tuple[float, float] = (0.0, 0.0)
    offset: tuple[float, float] = (0.0, 0.0)  # the eased steering now
    _time: float | None = None
    _own: dict[tuple[int, str], Any] = field(default_factory=dict)  # (uid, axis) -> value before steering

    def point(self, x: float, y: float) -> None:
        """The pointer at (x, y), fractions of the window from its top-left corner."""
        clamp = lambda v: max(-1.0, min(1.0, v))  # noqa: E731
        self.target = (self.reach * clamp(2 * x - 1), self.reach * clamp(1 - 2 * y))

    def apply(self, chain: list[EffectInstance], registry: Registry, now: float) -> None:
        """Ease toward the target and write the camera offset of every parallax instance."""
        dt = 0.0 if self._time is None else max(0.0, now - self._time)
        self._time = now
        k = 1.0 - math.exp(-dt / self.ease) if self.ease > 0 else 1.0
        self.offset = tuple(o + (t - o) * k for o, t in zip(self.offset, self.target, strict=True))  # type: ignore[assignment]
        if EFFECT not in registry.effects:
            return
        spec = registry.get(EFFECT)
        for instance in chain:
            if instance.name != EFFECT or not instance.enabled:
                continue
            for axis, shift in zip(AXES, self.offset, strict=True):
                param = spec.param(axis)
                if param is None:
                    continue
                key = (instance.uid, axis)
                if key not in self._own:
                    self._own[key] = instance.value(spec, axis)
                instance.values[axis] = _shifted(self._own[key], shift, param.min, param.max)


def _shifted(value: Any, shift: float, lo: float | None, hi: float | None) -> Any:
    """``value`` moved by ``shift`` and kept in [lo, hi]; a modulator moves as a whole."""
    def clamp(v: float) -> float:
        return max(lo if lo is not None else v, min(hi if hi is not None else v, v))

    if isinstance(value, Modulator):
        return dataclasses.replace(value, lo=clamp(value.lo + shift), hi=clamp(value.hi + shift))
    return clamp(float(value) + shift)
