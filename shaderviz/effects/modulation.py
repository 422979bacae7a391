"""Modulators: a numeric parameter that moves over the loop phase (0..1).

Every wave completes a whole number of cycles per loop, so a rendered loop closes
seamlessly: value(phase=1) == value(phase=0).

Syntax (the same in ``--fx`` and presets)::

    WAVE(min, max[, cycles[, offset]])      e.g.  amount=sine(0,0.05)  angle=saw(0,360,2)

WAVE is one of sine, triangle, saw, square, noise. ``cycles`` is a whole number >= 1
(noise moves through 4 random control points per cycle). ``offset`` shifts the
wave by a fraction of a cycle (0..1). A TOML table ``{wave="sine", min=0, max=1}`` works
too. Parsed with a regular expression: nothing is evaluated.
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

WAVES = ("sine", "triangle", "saw", "square", "noise")
_CALL = re.compile(r"^\s*([a-z]+)\s*\(([^()]*)\)\s*$")


@dataclass(frozen=True)
class Modulator:
    wave: str
    lo: float
    hi: float
    cycles: int = 1
    offset: float = 0.0

    def value(self, phase: float, seed: int = 0) -> float:
        """The value at loop phase ``phase`` (any real; only its fraction matters)."""
        unit = self._unit(phase, seed)
        return self.lo + (self.hi - self.lo) * unit

    def integral(self, phase: float, seed: int = 0, intervals: int = 256) -> float:
        """The integral of the value from phase 0 to ``phase`` (0..1), by Simpson's rule."""
        if phase <= 0.0:
            return 0.0
        n = max(2, 2 * math.ceil(intervals * phase / 2))
        step = phase / n
        total = self.value(0.0, seed) + self.value(phase, seed)
        for i in range(1, n):
            total += (4.0 if i % 2 else 2.0) * self.value(i * step, seed)
        return total * step / 3.0

    def _unit(self, phase: float, seed: int) -> float:
        x = phase * self.cycles + self.offset
        frac = x - math.floor(x)
        if self.wave == "sine":
            return 0.5 - 0.5 * math.cos(2.0 * math.pi * frac)
        if self.wave == "triangle":
            return 1.0 - abs(2.0 * frac - 1.0)
        if self.wave == "saw":
            return frac
        if self.wave == "square":
            return 0.0 if frac < 0.5 else 1.0
        return self._noise(phase, seed)

    def _noise(self, phase: float, seed: int) -> float:
        # Periodic value noise: `cycles` random knots around the loop, smoothstep between.
        key = zlib.crc32(f"{seed}:{self.lo}:{self.hi}:{self.cycles}:{self.offset}".encode())
        count = 4 * self.cycles
        knots = np.random.default_rng(key).random(count)
        x = ((phase + self.offset / self.cycles) % 1.0) * count
        i = int(math.floor(x)) % count
        t = x - math.floor(x)
        t = t * t * (3.0 - 2.0 * t)
        return float(knots[i] * (1.0 - t) + knots[(i + 1) % count] * t)

    def format(self) -> str:
        args = [f"{self.lo:g}", f"{self.hi:g}"]
        if self.cycles != 1 or self.offset:
            args.append(str(self.cycles))
        if self.offset:
            args.append(f"{self.offset:g}")
        return f"{self.wave}({','.join(args)})"


def parse_modulator(raw: Any) -> Modulator:
    """Parse ``sine(0,1,2)`` or a TOML table into a Modulator; ValueError if malformed."""
    if isinstance(raw, dict):
        unknown = set(raw) - {"wave", "min", "max", "cycles", "offset"}
        if unknown:
            raise ValueError(f"unknown modulator field(s): {', '.join(sorted(unknown))}")
        wave = raw.get("wave")
        args = [raw.get("min"), raw.get("max"), raw.get("cycles", 1), raw.get("offset", 0.0)]
    else:
        match = _CALL.match(str(raw))
        if not match:
            raise ValueError(f"cannot read modulator {raw!r}; expected e.g. sine(0,1)")
        wave = match.group(1)
        args = [a.strip() for a in match.group(2).split(",")]
        if not 2 <= len(args) <= 4:
            raise ValueError(f"{raw!r}: expected WAVE(min, max[, cycles[, offset]])")
        args += [1, 0.0][len(args) - 2 :]
    if wave not in WAVES:
        raise ValueError(f"unknown wave {wave!r}; expected one of {', '.join(WAVES)}")
    try:
        lo, hi, offset = float(args[0]), float(args[1]), float(args[3])
        cycles_f = float(args[2])
    except (TypeError, ValueError):
        raise ValueError(f"modulator {raw!r}: arguments must be numbers") from None
    if not all(math.isfinite(v) for v in (lo, hi, offset, cycles_f)):
        raise ValueError(f"modulator {raw!r}: arguments must be finite numbers")
    if cycles_f != int(cycles_f) or cycles_f < 1:
        raise ValueError(f"modulator {raw!r}: cycles must be a whole number >= 1 (seamless loops)")
    return Modulator(wave=wave, lo=lo, hi=hi, cycles=int(cycles_f), offset=offset % 1.0)
