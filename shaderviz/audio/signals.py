"""What a frame knows besides its loop phase: the tempo clock and the audio analysis.

Plain data, made once per frame (by the live show from the audio worker and the tempo,
by `render` from the audio file at the frame's time) and read by modulators
(``audio(bass, 0, 1)``, ``beat(24, 1, 0.3)``, waves per beat) and the shaders' uniforms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

BANDS = ("level", "bass", "mid", "high", "onset", "beat")
SPECTRUM_BINS = 256  # the audioFFT texture: log-spaced 20 Hz .. 20 kHz


@dataclass(frozen=True)
class Signals:
    level: float = 0.0  # loudness 0..1 (dB scale, smoothed with attack / release)
    bass: float = 0.0  # 20-250 Hz
    mid: float = 0.0  # 250-4000 Hz
    high: float = 0.0  # 4-16 kHz
    onset: float = 0.0  # 1 at an onset (a sudden rise), then decaying
    beat: float = 0.0  # 1 on a beat, then decaying
    since_beat: float = math.inf  # seconds since the last beat
    beats: float = 0.0  # the tempo clock: beats since it started (fractional)
    bpm: float = 120.0
    spectrum: np.ndarray | None = field(default=None, compare=False, repr=False)  # SPECTRUM_BINS floats

    def band(self, name: str) -> float:
        return float(getattr(self, name))

    def to_json(self) -> dict[str, float]:
        """The numbers (not the spectrum), at full precision, for a command log."""
        out = {name: self.band(name) for name in BANDS}
        out.update(since_beat=self.since_beat if math.isfinite(self.since_beat) else -1.0,
                   beats=self.beats, bpm=self.bpm)
        return out

    @classmethod
    def from_json(cls, data: dict[str, float], spectrum: np.ndarray | None = None) -> Signals:
        since = float(data.get("since_beat", -1.0))
        values = {name: float(data.get(name, 0.0)) for name in BANDS}
        return cls(**values, since_beat=math.inf if since < 0 else since, beats=float(data.get("beats", 0.0)),
                   bpm=float(data.get("bpm", 120.0)), spectrum=spectrum)
