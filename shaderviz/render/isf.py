"""GPU resources of ISF effects: their IMPORTED images, the textures their image inputs
bind (the original picture, the depth map, the chain so far, or nothing) and the silent
audio textures (until audio analysis exists)."""

from __future__ import annotations

import datetime

import moderngl
import numpy as np

from shaderviz.effects.spec import EffectSpec
from shaderviz.errors import UserError
from shaderviz.render.glsl import ShaderError


def load_imported(ctx: moderngl.Context, spec: EffectSpec) -> dict[str, moderngl.Texture]:
    """The file's IMPORTED images as textures (decoded with the same limits as sources)."""
    from shaderviz.sources.images import open_image

    textures: dict[str, moderngl.Texture] = {}
    try:
        for name, path in spec.isf.imported:
            try:
                rgba = np.asarray(open_image(path).convert("RGBA"))
            except UserError as err:
                raise ShaderError(f"{spec.path}:1: IMPORTED {name}: {err}") from None
            pixels = np.ascontiguousarray(rgba[::-1]).tobytes()
            texture = ctx.texture((rgba.shape[1], rgba.shape[0]), 4, pixels)
            texture.repeat_x = texture.repeat_y = False
            texture.filter = (moderngl.LINEAR, moderngl.LINEAR)
            textures[name] = texture
    except BaseException:
        for texture in textures.values():
            texture.release()
        raise
    return textures


class IsfTextures:
    """Textures shared by every ISF effect of one renderer: blank and silent audio."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.blank = ctx.texture((1, 1), 4, bytes(4))
        self._audio: dict[tuple[int, bool], moderngl.Texture] = {}

    def audio(self, samples: int, fft: bool) -> moderngl.Texture:
        """Silence: a waveform sits at 0.5, a spectrum at 0 (two channels = two rows)."""
        key = (samples, fft)
        if key not in self._audio:
            level = 0.0 if fft else 0.5
            data = np.full((2, samples, 4), level, np.float32)
            data[..., 3] = 1.0
            self._audio[key] = self.ctx.texture((samples, 2), 4, data.tobytes(), dtype="f4")
        return self._audio[key]

    def bindings(
        self, spec: EffectSpec, values: dict, imported: dict[str, moderngl.Texture], choices: dict[str, str],
        source: moderngl.Texture, original: moderngl.Texture, depth: moderngl.Texture,
    ) -> dict[str, moderngl.Texture]:
        """Sampler name -> texture for this frame: IMPORTED, image inputs, audio inputs."""
        out = dict(imported)
        by_choice = {"source": original, "depth": depth, "input": source, "none": self.blank}
        for name in spec.isf.images:
            out[name] = by_choice.get(choices.get(name, "source"), self.blank)
        for name, fft, samples in spec.isf.audio:
            out[name] = self.audio(samples, fft)
        return out

    def release(self) -> None:
        self.blank.release()
        for texture in self._audio.values():
            texture.release()
        self._audio.clear()


def isf_date() -> tuple[float, float, float, float]:
    """ISF DATE: (year, month, day, seconds since midnight), local wall clock."""
    now = datetime.datetime.now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return float(now.year), float(now.month), float(now.day), (now - midnight).total_seconds()
