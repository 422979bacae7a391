"""The depth map as effects read it, prepared once per depth map on the GPU.

``upload(depth, refine)`` stores the map. With ``refine`` (the depth model's maps: smooth,
from a ~192² prediction) the map is resampled by **joint bilateral upsampling** (Kopf et
al. 2007) guided by the source image: the map and the image are box-averaged to about
the model's resolution, then every output pixel averages the nearby low-resolution depth
samples weighted by distance *and* by how close their colour is to its own, so depth
edges move onto the image's edges. Depth files (``--depth FILE``) are used as they are.
The result is ``texture``: every effect's ``depthMap``, the depth gating and pixel sort by
depth read it.

The parallax camera needs more, made on first use and again only when the map (or, when
refined, the guide image) changes — ``layers()``:

- ``front``: the map dilated by one pixel on its near side, so the anti-aliased rim of a
  near object moves with the object instead of staying behind on the background;
- ``back``: the depth of what lies *behind* near objects close to a depth edge, at a
  fraction of the size: ``back(q) = min over q' of front(q') + kappa |q - q'|`` (an L1
  distance cone, in two separable passes). Where the surface only slopes (less than
  ``kappa`` per pixel) this is the surface itself; across a jump it is the far side of the
  jump, so a band on the near side of each edge, as wide as the jump is tall (up to a
  quarter of the image height), learns the depth of the background it hides. Pixels
  whose front depth stands clearly above ``back`` are occluders: the parallax fills what
  they hide from the background side (see shaders/parallax.glsl).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import moderngl
import numpy as np

from shaderviz.render.passes import FloatTarget, PassPrograms

FOLDER = "depthprep"
MODEL_SIDE = 256  # the low-resolution grid of the upsampling: about the model's own
SIGMA_SPACE = 1.0  # low-resolution texels
SIGMA_RANGE = 0.08  # RGB distance (0..1 per channel)
KAPPA = 4.0  # back-depth cone slope, in nearness per image height
BACK_REACH = 0.25  # widest occluder band, as a fraction of the image height
BACK_TAPS = 32  # at most this many taps each way per cone pass (sets the back layer's scale)


@dataclass
class Layers:
    front: moderngl.Texture  # output size, r: nearness
    back: moderngl.Texture  # reduced size, r: nearness behind occluders
    version: int  # changes whenever the layers are recomputed


class DepthPrep:
    def __init__(self, ctx: moderngl.Context, size: tuple[int, int], include_dirs: list[Path]) -> None:
        self.ctx, self.size = ctx, size
        self.passes = PassPrograms(ctx, FOLDER, include_dirs)
        self.raw = FloatTarget.create(ctx, size, (1,), "f4")
        self.refine = False
        self.version = 0  # bumps on every upload and every refinement
        self.source_version = -1  # of the source image, as of the last ``prepare``
        self.guide_glo = 0  # the source image's texture
        self._refined: FloatTarget | None = None
        self._low: FloatTarget | None = None
        self._refined_for: tuple[int, int] | None = None
        self._front: FloatTarget | None = None
        self._back: list[FloatTarget] = []
        self._layers_for = -1

    # -- the map every effect reads -----------------------------------------------------

    def upload(self, depth: np.ndarray, refine: bool = False) -> None:
        """An (H, W) float nearness map, top row first, at the output size."""
        self.raw.texture.write(np.ascontiguousarray(depth[::-1], dtype=np.float32).tobytes())
        self.refine = refine
        self._refined_for = None
        self.version += 1

    @property
    def texture(self) -> moderngl.Texture:
        """``depthMap``: the refined map when refining (after ``prepare``), else the upload."""
        return self._refined.texture if self.refine and self._refined is not None else self.raw.texture

    def prepare(self, guide: moderngl.Texture, guide_version: int) -> None:
        """Refine the map against the source image if either changed (cheap otherwise)."""
        self.source_version, self.guide_glo = guide_version, guide.glo
        if not self.refine or self._refined_for == (self.version, guide_version):
            return
        factor = max(1, round(math.sqrt(self.size[0] * self.size[1]) / MODEL_SIDE))
        low_size = (math.ceil(self.size[0] / factor), math.ceil(self.size[1] / factor))
        if self._low is None or self._low.size != low_size:
            if self._low is not None:
                self._low.release()
            self._low = FloatTarget.create(self.ctx, low_size, (4,), "f4")
        if self._refined is None:
            self._refined = FloatTarget.create(self.ctx, self.size, (1,), "f4")
        self.passes.draw("jbu_down.glsl", self._low, {"guide": guide, "depth": self.raw.texture},
                         {"factor": factor})
        self.passes.draw("jbu_up.glsl", self._refined, {"guide": guide, "low": self._low.texture},
                         {"factor": factor, "sigmaSpace": SIGMA_SPACE, "sigmaRange": SIGMA_RANGE})
        self.version += 1
        self._refined_for = (self.version, guide_version)

    # -- parallax layers ----------------------------------------------------------------

    def back_scale(self) -> int:
        """How many times smaller than the output the back depth is (a power of two)."""
        reach = BACK_REACH * self.size[1]
        return 1 << max(0, math.ceil(math.log2(max(reach / BACK_TAPS, 1.0))))

    def layers(self) -> Layers:
        """Front and back depth for the parallax, recomputed only when the map changed."""
        if self._front is None:
            self._front = FloatTarget.create(self.ctx, self.size, (1,), "f2")
            scale = self.back_scale()
            back_size = (math.ceil(self.size[0] / scale), math.ceil(self.size[1] / scale))
            self._back = [FloatTarget.create(self.ctx, back_size, (1,), "f2") for _ in range(2)]
        if self._layers_for != self.version:
            scale = self.back_scale()
            taps = math.ceil(BACK_REACH * self.size[1] / scale)
            kappa = KAPPA / self.size[1] * scale  # per back texel
            self.passes.draw("dilate.glsl", self._front, {"depth": self.texture})
            self.passes.draw("min_down.glsl", self._back[0], {"depth": self._front.texture},
                             {"factor": scale})
            self.passes.draw("cone.glsl", self._back[1], {"depth": self._back[0].texture},
                             {"axis": (1, 0), "kappa": kappa}, defines=(("TAPS", taps),))
            self.passes.draw("cone.glsl", self._back[0], {"depth": self._back[1].texture},
                             {"axis": (0, 1), "kappa": kappa}, defines=(("TAPS", taps),))
            self._layers_for = self.version
        return Layers(self._front.texture, self._back[0].texture, self.version)

    def release(self) -> None:
        for target in (self.raw, self._refined, self._low, self._front, *self._back):
            if target is not None:
                target.release()
        self._refined = self._low = self._front = None
        self._back = []
        self.passes.release()
