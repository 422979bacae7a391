"""The music a show follows: the tempo clock and, if there is sound, its analysis.
``signals(t)`` is what modulators and shaders read for the frame at show time ``t``.

Beats come from the sound's beat tracker, unless the tempo was set by hand (``--bpm``,
tap tempo): then the tempo clock's beats win, and the sound only drives the bands.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Protocol

from shaderviz.audio.analysis import ENVELOPE_RELEASE, AudioState
from shaderviz.audio.signals import Signals
from shaderviz.audio.tempo import Tempo


class Sound(Protocol):
    def release(self) -> None: ...


class Music:
    def __init__(self, tempo: Tempo | None = None, track: object | None = None,
                 live: object | None = None) -> None:
        self.tempo = tempo or Tempo()
        self.track = track  # an AudioTrack: analysed at the frame's time (render, or play --audio FILE)
        self.live = live  # a LiveAudio: the newest analysis
        self.override: Signals | None = None  # a replay sets the logged values here

    @property
    def has_sound(self) -> bool:
        return self.track is not None or self.live is not None

    def state(self, t: float) -> AudioState | None:
        if self.track is not None:
            return self.track.state_at(t)  # type: ignore[attr-defined]
        if self.live is not None:
            return self.live.state()  # type: ignore[attr-defined]
        return None

    def signals(self, t: float) -> Signals:
        if self.override is not None:
            return self.override
        state = self.state(t)
        tempo = self.tempo
        if state is None or tempo.manual:
            since = tempo.since_beat(t)
            clock = {"beat": math.exp(-since / ENVELOPE_RELEASE), "since_beat": since,
                     "beats": tempo.beats_at(t), "bpm": tempo.bpm}
            return Signals(**clock) if state is None else replace(state.signals(self._at(state, t)), **clock)
        found = state.signals(self._at(state, t))
        if state.period is not None:
            tempo.bpm = found.bpm  # the tempo the sound found (shown in the HUD; not manual)
        return found

    def _at(self, state: AudioState, t: float) -> float:
        return t if self.track is not None else state.at  # live: the newest hop's own time

    def release(self) -> None:
        if self.live is not None:
            self.live.release()  # type: ignore[attr-defined]
            self.live = None
