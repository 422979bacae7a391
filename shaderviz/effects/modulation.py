"""Modulators: a numeric parameter that moves over the loop phase (0..1).

Every wave completes a whole number of cycles per loop, so a rendered loop closes
seamlessly: value(phase=1) == value(phase=0).

Syntax (the same in ``--fx`` and presets)::

    WAVE(min, max[, cycles[, offset]])      e.g.  amount=sine(0,0.05)  angle=saw(0,360,2)

WAVE is one of sine, triangle, saw, square, noise. ``cycles`` is a whole number >= 1
(noise moves through 4 random control points per cycle). ``offset`` shifts the
wave by a fraction of a cycle (0..1). A TOML table ``{wave="sine", min=0, max=1}`` works
too. Parsed with a regular expression: nothing is evaluated.

Cycles may instead be per beat of the tempo clock, with a ``b``: ``saw(0,360,1b)`` turns
once a beat, ``sine(0,1,0.25b)`` once a bar of four; with a loop length in beats
(``--beats``) such waves close the loop too.

Two more follow the music (see shaderviz.audio)::

    audio(BAND, min, max)     BAND = level | bass | mid | high | onset | beat: min..max as it moves
    beat(min, max[, decay])   max on each beat, back to min over ``decay`` seconds (default 0.25)
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from shaderviz.audio.signals import Signals

WAVES = ("sine", "triangle", "saw", "square", "noise")
AUDIO_BANDS = ("level", "bass", "mid", "high", "onset", "beat")
BEAT_DECAY = 0.25  # seconds, beat()'s default
_CALL = re.compile(r"^\s*([a-z]+)\s*\(([^()]*)\)\s*$")


@dataclass(frozen=True)
class Modulator:
    wave: str
    lo: float
    hi: float
    cycles: float = 1
    offset: float = 0.0
    per_beat: bool = False  # cycles per beat of the tempo clock instead of per loop

    def value(self, phase: float, seed: int = 0, signals: Signals | None = None) -> float:
        """The value at loop phase ``phase`` (any real; only its fraction matters); a wave
        per beat follows ``signals.beats`` (the tempo clock; without it, it holds its start)."""
        if self.per_beat:  # as a one-cycle wave over the cycles elapsed
            beats = signals.beats if signals is not None else 0.0
            once = Modulator(self.wave, self.lo, self.hi, 1, self.offset)
            return self.lo + (self.hi - self.lo) * once._unit(beats * self.cycles, seed)
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
        if self.cycles != 1 or self.offset or self.per_beat:
            args.append(f"{self.cycles:g}b" if self.per_beat else str(self.cycles))
        if self.offset:
            args.append(f"{self.offset:g}")
        return f"{self.wave}({','.join(args)})"


@dataclass(frozen=True)
class AudioModulator(Modulator):
    """``audio(band, min, max)``: min..max as an audio band moves (0..1)."""

    band: str = "level"

    def value(self, phase: float, seed: int = 0, signals: Signals | None = None) -> float:
        unit = signals.band(self.band) if signals is not None else 0.0
        return self.lo + (self.hi - self.lo) * min(1.0, max(0.0, unit))

    def format(self) -> str:
        return f"audio({self.band},{self.lo:g},{self.hi:g})"


@dataclass(frozen=True)
class BeatModulator(Modulator):
    """``beat(min, max, decay)``: max on each beat, back to min over ``decay`` seconds
    (an exponential: 5 % of the way left after ``decay``)."""

    decay: float = BEAT_DECAY

    def value(self, phase: float, seed: int = 0, signals: Signals | None = None) -> float:
        age = signals.since_beat if signals is not None else math.inf
        envelope = math.exp(-3.0 * age / self.decay) if math.isfinite(age) else 0.0
        return self.lo + (self.hi - self.lo) * envelope

    def format(self) -> str:
        decay = f",{self.decay:g}" if self.decay != BEAT_DECAY else ""
        return f"beat({self.lo:g},{self.hi:g}{decay})"


def is_modulated(value: Any) -> bool:
    return isinstance(value, Modulator)


def follows_music(value: Any) -> bool:
    """Whether a stored value moves with the audio or the tempo (not only the loop phase)."""
    return isinstance(value, (AudioModulator, BeatModulator)) or (
        isinstance(value, Modulator) and value.per_beat)


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
        if wave == "audio":
            return _audio(raw, args)
        if wave == "beat":
            return _beat(raw, args)
        if not 2 <= len(args) <= 4:
            raise ValueError(f"{raw!r}: expected WAVE(min, max[, cycles[, offset]])")
        args += [1, 0.0][len(args) - 2 :]
    if wave not in WAVES:
        raise ValueError(f"unknown wave {wave!r}; expected one of {', '.join(WAVES)}, audio, beat")
    per_beat = isinstance(args[2], str) and args[2].lower().endswith("b")
    try:
        lo, hi, offset = float(args[0]), float(args[1]), float(args[3])
        cycles_f = float(args[2][:-1] if per_beat else args[2])
    except (TypeError, ValueError):
        raise ValueError(f"modulator {raw!r}: arguments must be numbers") from None
    if not all(math.isfinite(v) for v in (lo, hi, offset, cycles_f)):
        raise ValueError(f"modulator {raw!r}: arguments must be finite numbers")
    if per_beat:
        if cycles_f <= 0:
            raise ValueError(f"modulator {raw!r}: cycles per beat must be more than 0")
        return Modulator(wave=wave, lo=lo, hi=hi, cycles=cycles_f, offset=offset % 1.0, per_beat=True)
    if cycles_f != int(cycles_f) or cycles_f < 1:
        raise ValueError(f"modulator {raw!r}: cycles must be a whole number >= 1 (seamless loops), "
                         "or per beat like 2b")
    return Modulator(wave=wave, lo=lo, hi=hi, cycles=int(cycles_f), offset=offset % 1.0)


def _numbers(raw: Any, texts: list[str]) -> list[float]:
    try:
        values = [float(t) for t in texts]
    except ValueError:
        raise ValueError(f"modulator {raw!r}: arguments must be numbers") from None
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"modulator {raw!r}: arguments must be finite numbers")
    return values


def _audio(raw: Any, args: list[str]) -> AudioModulator:
    if len(args) != 3:
        raise ValueError(f"{raw!r}: expected audio(BAND, min, max) with BAND one of {', '.join(AUDIO_BANDS)}")
    band = args[0].lower()
    if band not in AUDIO_BANDS:
        raise ValueError(f"{raw!r}: unknown band {args[0]!r}; expected one of {', '.join(AUDIO_BANDS)}")
    lo, hi = _numbers(raw, args[1:])
    return AudioModulator(wave="audio", lo=lo, hi=hi, band=band)


def _beat(raw: Any, args: list[str]) -> BeatModulator:
    if not 2 <= len(args) <= 3:
        raise ValueError(f"{raw!r}: expected beat(min, max[, decay seconds])")
    values = _numbers(raw, args)
    decay = values[2] if len(values) == 3 else BEAT_DECAY
    if not 0.0 < decay <= 60.0:
        raise ValueError(f"{raw!r}: decay is 0..60 seconds (more than 0)")
    return BeatModulator(wave="beat", lo=values[0], hi=values[1], decay=decay)
