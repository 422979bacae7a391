"""The parallax camera's layers: front and back depth (once per depth map, from the
renderer's ``DepthPrep``) and the background colour behind occluders.

That colour is a push-pull fill (Gortler et al. 1996) of the effect's input: pull halves
the image level by level, averaging only background pixels (not occluders) and
preferring the farthest; push walks back up, keeping each level's own colour where it
was known and taking the coarser level's where not. Revealed background is therefore
made from the background around the occluder, never from the occluder itself. The fill
runs at half size and is redone only when the input changes: once per image when the
parallax reads the source directly, every frame after an animated effect.

The effect (shaders/parallax.glsl) reads ``marchDepth`` (the front layer; the map itself
for ``edges=stretch``), ``marchBounds``, ``backDepth`` and ``backFill``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import moderngl

from shaderviz.render.passes import FloatTarget, PassPrograms

if TYPE_CHECKING:
    from shaderviz.render.depthprep import DepthPrep
    from shaderviz.render.renderer import Frame

FOLDER = "parallax"
EDGES_FILL, EDGES_STRETCH = 0, 1  # indices in parallax.glsl's `edges` choice


def pyramid_sizes(size: tuple[int, int]) -> list[tuple[int, int]]:
    """Half, quarter, ... down to a few texels on the long side."""
    sizes = []
    width, height = size
    while max(width, height) > 2:
        width, height = math.ceil(width / 2), math.ceil(height / 2)
        sizes.append((width, height))
    return sizes or [(1, 1)]


class ParallaxKernel:
    def __init__(
        self, ctx: moderngl.Context, size: tuple[int, int], include_dirs: list[Path], depth: DepthPrep
    ) -> None:
        self.ctx, self.size, self.prep = ctx, size, depth
        self.passes = PassPrograms(ctx, FOLDER, include_dirs)
        self._pull: list[FloatTarget] = []
        self._push: list[FloatTarget] = []
        self._filled_for: tuple | None = None

    def run(
        self, source: moderngl.Texture, depth: moderngl.Texture, values: dict[str, Any], frame: Frame
    ) -> dict[str, moderngl.Texture]:
        layers = self.prep.layers()
        edges = int(values.get("edges", EDGES_FILL))
        textures = {"marchDepth": depth if edges == EDGES_STRETCH else layers.front, "backDepth": layers.back,
                    "marchBounds": layers.bounds}
        if edges != EDGES_FILL:
            return {**textures, "backFill": layers.front}  # bound, never read
        return {**textures, "backFill": self._fill(source, layers.front, layers.back, layers.version)}

    def _fill(
        self, source: moderngl.Texture, front: moderngl.Texture, back: moderngl.Texture, version: int
    ) -> moderngl.Texture:
        if not self._pull:
            for level in pyramid_sizes(self.size):
                self._pull.append(FloatTarget.create(self.ctx, level, (4, 1), "f2"))
            self._push = [FloatTarget.create(self.ctx, t.size, (4,), "f2") for t in self._pull[:-1]]
        # The source image stays the same until a new one is uploaded (or a generator draws).
        key = (version, self.prep.source_version) if source.glo == self.prep.guide_glo else None
        if key is not None and key == self._filled_for:
            return self._result()
        self.passes.draw("pull.glsl", self._pull[0],
                         {"colourTex": source, "depthTex": front, "backDepth": back}, {"first": True})
        for finer, coarser in zip(self._pull, self._pull[1:], strict=False):
            inputs = {"colourTex": finer.textures[0], "depthTex": finer.textures[1]}
            self.passes.draw("pull.glsl", coarser, inputs, {"first": False})
        below = self._pull[-1].texture
        for level in reversed(range(len(self._push))):
            inputs = {"own": self._pull[level].texture, "coarser": below}
            self.passes.draw("push.glsl", self._push[level], inputs)
            below = self._push[level].texture
        self._filled_for = key
        return self._result()

    def _result(self) -> moderngl.Texture:
        return self._push[0].texture if self._push else self._pull[0].texture

    def release(self) -> None:
        for target in (*self._pull, *self._push):
            target.release()
        self._pull, self._push = [], []
        self.passes.release()
