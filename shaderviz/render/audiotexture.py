"""The audio analysis as shader inputs: the ``audioFFT`` spectrum texture (as ISF names it)
and the AUDIO / BEAT / BEATS uniforms. The texture is written only when a frame brings a
new spectrum; without audio it stays silent (zeros)."""

from __future__ import annotations

from typing import Any

import moderngl
import numpy as np

from shaderviz.audio.signals import SPECTRUM_BINS, Signals


class AudioTexture:
    def __init__(self, ctx: moderngl.Context) -> None:
        self.texture = ctx.texture((SPECTRUM_BINS, 1), 1, np.zeros(SPECTRUM_BINS, np.float32).tobytes(),
                                   dtype="f4")
        self.texture.repeat_x = self.texture.repeat_y = False
        self.texture.filter = (moderngl.LINEAR, moderngl.LINEAR)
        self._shown: int | None = None  # id of the spectrum array on the GPU

    def update(self, signals: Signals | None) -> None:
        spectrum = None if signals is None else signals.spectrum
        if spectrum is None or id(spectrum) == self._shown:
            return
        data = np.ascontiguousarray(spectrum, dtype=np.float32)
        if data.shape != (SPECTRUM_BINS,):
            return
        self.texture.write(data.tobytes())
        self._shown = id(spectrum)

    @staticmethod
    def uniforms(signals: Signals | None) -> dict[str, Any]:
        s = signals or Signals()
        return {"AUDIO": (s.level, s.bass, s.mid, s.high), "BEAT": s.beat, "BEATS": s.beats}

    def release(self) -> None:
        self.texture.release()
