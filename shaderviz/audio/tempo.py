"""The tempo clock: BPM and where beat 0 fell, set by ``--bpm``, tap tempo, or the music.

``beats_at(t)`` is the beat position at show time ``t`` (fractional); waves per beat and
quantised commands read it. Tap tempo: four taps (or more) on the beat set the BPM from
the median interval and put a beat on the last tap; a pause of more than two seconds
starts a new series. Changing the BPM keeps the beat position where it is (no jump).
"""

from __future__ import annotations

import math
import statistics

MIN_BPM, MAX_BPM = 20.0, 300.0
TAP_RESET = 2.0  # seconds without a tap: the next tap starts a new series
TAPS = 8  # the last this many taps count


def check_bpm(bpm: float) -> float:
    if not isinstance(bpm, (int, float)) or isinstance(bpm, bool) or not math.isfinite(bpm) \
            or not MIN_BPM <= bpm <= MAX_BPM:
        raise ValueError(f"a tempo is {MIN_BPM:g}..{MAX_BPM:g} BPM, got {bpm!r}")
    return float(bpm)


class Tempo:
    def __init__(self, bpm: float = 120.0, manual: bool = False) -> None:
        self.bpm = check_bpm(bpm)
        self.origin = 0.0  # show seconds at which beat 0 falls
        self.manual = manual  # set by --bpm or taps: wins over the tempo the audio finds
        self._taps: list[float] = []

    @property
    def period(self) -> float:
        return 60.0 / self.bpm

    def beats_at(self, t: float) -> float:
        return (t - self.origin) / self.period

    def since_beat(self, t: float) -> float:
        beats = self.beats_at(t)
        return (beats - math.floor(beats)) * self.period

    def set_bpm(self, bpm: float, t: float) -> None:
        """A new tempo from show time ``t`` on; the beat position at ``t`` stays."""
        bpm = check_bpm(float(bpm))
        beats = self.beats_at(t)
        self.bpm, self.manual = bpm, True
        self.origin = t - beats * self.period

    def tap(self, t: float) -> float | None:
        """A tap at show time ``t``; the new BPM once there are enough taps, else None."""
        if self._taps and (t - self._taps[-1] > TAP_RESET or t <= self._taps[-1]):
            self._taps.clear()
        self._taps = [*self._taps, t][-TAPS:]
        if len(self._taps) < 2:
            return None
        intervals = [b - a for a, b in zip(self._taps, self._taps[1:], strict=False)]
        bpm = min(MAX_BPM, max(MIN_BPM, 60.0 / statistics.median(intervals)))
        self.bpm, self.manual = bpm, True
        self.origin = t  # the beat is on the tap
        return bpm if len(self._taps) >= 4 else None

    def next_boundary(self, t: float, every: float) -> float:
        """The first show time after ``t`` at which the beat position is a multiple of
        ``every`` beats (1: the next beat, 4: the next bar)."""
        beats = self.beats_at(t)
        target = (math.floor(beats / every + 1e-9) + 1) * every
        return self.origin + target * self.period
