"""The ``cppn`` kernel: keeps the random network of ``shaders/cppn.glsl`` in a float
texture (``cppnWeights``), rebuilt only when a parameter that shapes the network changes
(seed, image, width, layers, latents, activation). See ``shaderviz.generators.cppn``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import moderngl

from shaderviz.generators.cppn import ACTIVATIONS, Settings, build, pack

if TYPE_CHECKING:
    from shaderviz.render.renderer import Frame


def settings_from(values: dict[str, Any], seed: int) -> Settings:
    """The network's settings from the effect's uniform values (seed -1: the show's seed)."""
    own = int(values["seed"])
    return Settings(seed=own if own >= 0 else seed, image=int(values["image"]), width=int(values["width"]),
                    layers=int(values["layers"]), latents=int(values["latents"]),
                    activation=ACTIVATIONS[int(values["activation"])])


class CppnKernel:
    def __init__(self, ctx: moderngl.Context, size: tuple[int, int], include_dirs: list[Path]) -> None:
        self.ctx = ctx
        self.settings: Settings | None = None
        self.texture: moderngl.Texture | None = None

    def run(self, source: moderngl.Texture, depth: moderngl.Texture, values: dict[str, Any],
            frame: Frame) -> dict[str, moderngl.Texture]:
        settings = settings_from(values, frame.seed)
        if settings != self.settings or self.texture is None:
            data = pack(build(settings))
            if self.texture is None or self.texture.size != (data.shape[1], data.shape[0]):
                self.release()
                self.texture = self.ctx.texture((data.shape[1], data.shape[0]), 4, dtype="f4")
                self.texture.filter = (moderngl.NEAREST, moderngl.NEAREST)
            self.texture.write(data.tobytes())
            self.settings = settings
        return {"cppnWeights": self.texture}

    def release(self) -> None:
        if self.texture is not None:
            self.texture.release()
            self.texture = None
