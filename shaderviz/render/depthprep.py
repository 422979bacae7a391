"""The depth map as effects read it, prepared once per depth map on the GPU.

``upload(depth, refine)`` stores the map. With ``refine`` (the depth model's maps: smooth,
from a ~192² prediction, their edges spread over several pixels) the map is resampled by
the **fast guided filter** (He & Sun 2015) with the source image as the guide: at a
reduced size, in every window of about the model's blur, depth is fitted as a linear
function of colour (ridge regression, ``EPS``); the window-averaged coefficients are
upsampled and applied to the full-size image, so depth edges land on the image's edges.
Depth files (``--depth FILE``) are used as they are. The result is ``texture``: every
effect's ``depthMap``, the depth gating and pixel sort by depth read it.

A model's map arrives at its own small size (``upload_small``): the refinement samples it
bilinearly where it needs it, so no full-size pass upscales it first (an unrefined one is
scaled into ``raw`` by one bilinear pass). ``reduce`` = 2 runs
the refinement at half the output size (the guide read as 2 x 2 means), a quarter of the
cost: `play` uses it on a moving source with software GL, where a new video frame means a
new refinement every frame; effects read the map bilinearly, as they read any texture.
``follow`` (a moving source, set by `play`): a new frame with no new map only re-applies
the last fit (the guided filter's coefficients) to the new frame, so the map's edges
follow the picture's for a fifth of a refinement's cost; the fit is made again when a map
arrives. The map is older than the frame anyway (the model is slower than the video), so
fitting it to each newer frame only blurred it against edges that had moved on.

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
  they hide from the background side (see shaders/parallax.glsl);
- ``bounds``: per 8x8 block, the lowest and highest nearness within one block of it, so
  the parallax's march only searches the range of depths its ray can meet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import moderngl
import numpy as np

from shaderviz.render.passes import FloatTarget, PassPrograms

FOLDER = "depthprep"
MODEL_SIDE = 192  # the depth model sees about MODEL_SIDE² pixels
GUIDE_RADIUS = 4  # guided-filter window radius, in reduced texels of 2 model pixels each
EPS = 1e-3  # guided-filter regularisation (colour variance): smaller follows the image more
KAPPA = 4.0  # back-depth cone slope, in nearness per image height
BACK_REACH = 0.25  # widest occluder band, as a fraction of the image height
BACK_TAPS = 32  # at most this many taps each way per cone pass (sets the back layer's scale)
BOUND_CELL = 8  # px per cell of the march bounds


def guide_factor(size: tuple[int, int], reduce: int = 1) -> int:
    """The guided filter's reduction, in pixels of the refinement: two model pixels per
    texel (a reduced refinement keeps the output's grid, rounded coarser, never finer)."""
    factor = max(1, round(2 * math.sqrt(size[0] * size[1]) / MODEL_SIDE))
    return math.ceil(factor / reduce)


@dataclass
class Layers:
    front: moderngl.Texture  # output size, r: nearness
    back: moderngl.Texture  # reduced size, r: nearness behind occluders
    bounds: moderngl.Texture  # a texel per BOUND_CELL² px: r lowest, g highest nearness nearby
    version: int  # changes whenever the layers are recomputed


class DepthPrep:
    def __init__(self, ctx: moderngl.Context, size: tuple[int, int], include_dirs: list[Path]) -> None:
        self.ctx, self.size = ctx, size
        self.passes = PassPrograms(ctx, FOLDER, include_dirs)
        self.raw = FloatTarget.create(ctx, size, (1,), "f4")
        self.small: moderngl.Texture | None = None  # the model's map at its own size
        self._input: moderngl.Texture = self.raw.texture  # what the refinement reads: small or raw
        self.refine = False
        self.reduce = 1  # the refinement runs at the output size / reduce (1 or 2)
        self.follow = False  # a new guide alone re-applies the last fit (see the module doc)
        self.fits = self.applies = 0  # refinements made: whole fits, and fits re-applied
        self._map_version = 0  # bumps on every upload
        self._fitted_map = -1  # the map version of the last whole fit
        self.version = 0  # bumps on every upload and every refinement
        self.source_version = -1  # of the source image, as of the last ``prepare``
        self.guide_glo = 0  # the source image's texture
        self._refined: FloatTarget | None = None
        self._stats: list[FloatTarget] = []  # reduced-size guided-filter statistics (ping-pong)
        self._coeffs: list[FloatTarget] = []
        self._refined_for: tuple[int, int] | None = None
        self._upsampled: FloatTarget | None = None  # the reduced refinement at the output size
        self._upsampled_for = -1
        self._front: FloatTarget | None = None
        self._back: list[FloatTarget] = []
        self._bounds: list[FloatTarget] = []
        self._layers_for = -1

    # -- the map every effect reads -----------------------------------------------------

    def upload(self, depth: np.ndarray, refine: bool = False) -> None:
        """An (H, W) float nearness map, top row first, at the output size."""
        self.raw.texture.write(np.ascontiguousarray(depth[::-1], dtype=np.float32).tobytes())
        self.uploaded(refine)

    def upload_small(self, depth: np.ndarray, refine: bool = True) -> None:
        """An (h, w) float nearness map of another size than the output (the live depth
        model's own), top row first: the refinement upsamples it as it reads it; unrefined,
        a bilinear pass scales it into ``raw`` (far less than a full-size upload)."""
        height, width = depth.shape
        if self.small is None or self.small.size != (width, height):
            if self.small is not None:
                self.small.release()
            self.small = self.ctx.texture((width, height), 1, dtype="f4")
            self.small.repeat_x = self.small.repeat_y = False
            self.small.filter = (moderngl.LINEAR, moderngl.LINEAR)
        self.small.write(np.ascontiguousarray(depth[::-1], dtype=np.float32).tobytes())
        if not refine:
            self.passes.draw("upsample.glsl", self.raw, {"depth": self.small})
        self.uploaded(refine)
        if refine:
            self._input = self.small

    def uploaded(self, refine: bool) -> None:
        """A new map is in ``raw`` (written here, or drawn into ``raw.fbo`` by the caller)."""
        self._input = self.raw.texture
        self.refine = refine
        self._refined_for = None
        self.version += 1
        self._map_version += 1

    @property
    def texture(self) -> moderngl.Texture:
        """``depthMap``: the refined map when refining (after ``prepare``), else the upload."""
        return self._refined.texture if self.refine and self._refined is not None else self.raw.texture

    def stale(self, guide_version: int) -> bool:
        """Whether ``prepare`` would refine (and so read the guide's pixels)."""
        return self.refine and self._refined_for != (self.version, guide_version)

    def prepare(self, guide: moderngl.Texture, guide_version: int) -> None:
        """Refine the map against the source image if either changed (cheap otherwise)."""
        self.source_version, self.guide_glo = guide_version, guide.glo
        if not self.stale(guide_version):
            return
        size = self.refined_size()
        factor = self.guide_factor()
        low = (math.ceil(size[0] / factor), math.ceil(size[1] / factor))
        if not self._stats or self._stats[0].size != low:
            self._release_guided()
            self._stats = [FloatTarget.create(self.ctx, low, (4, 4, 4, 4), "f4") for _ in range(2)]
            self._coeffs = [FloatTarget.create(self.ctx, low, (4,), "f4") for _ in range(2)]
        if self._refined is None or self._refined.size != size:
            if self._refined is not None:
                self._refined.release()
            self._refined = FloatTarget.create(self.ctx, size, (1,), "f4")
        reduced = (("REDUCED", int(self.reduce > 1)),)
        if self.follow and self._fitted_map == self._map_version:
            self.applies += 1  # only the picture changed: its new edges take the last fit
        else:
            stats, spare = self._stats
            self.passes.draw("guided_down.glsl", stats, {"guide": guide, "depth": self._input},
                             {"factor": factor, "size": size}, reduced)
            self._box(stats, spare, 4)
            names = ("meanTex", "sqTex", "mixedTex", "lastTex")
            self.passes.draw("guided_solve.glsl", self._coeffs[0],
                             dict(zip(names, stats.textures, strict=True)), {"eps": EPS})
            self._box(self._coeffs[0], self._coeffs[1], 1)
            self._fitted_map = self._map_version
            self.fits += 1
        self.passes.draw("guided_apply.glsl", self._refined,
                         {"guide": guide, "coeffs": self._coeffs[0].texture},
                         {"factor": factor, "size": size}, reduced)
        self.version += 1
        self._refined_for = (self.version, guide_version)

    def refined_size(self) -> tuple[int, int]:
        return (math.ceil(self.size[0] / self.reduce), math.ceil(self.size[1] / self.reduce))

    def guide_factor(self) -> int:
        return guide_factor(self.size, self.reduce)

    def set_reduce(self, reduce: int) -> None:
        """Refine at the output size / ``reduce`` (1 or 2) from the next ``prepare`` on."""
        if reduce != self.reduce:
            self.reduce = reduce
            self._refined_for = None
            self._fitted_map = -1

    def _full_size(self) -> moderngl.Texture:
        """``texture`` at the output size (upsampled when the refinement was reduced)."""
        if self._refined is None or not self.refine or self._refined.size == self.size:
            return self.texture
        if self._upsampled is None:
            self._upsampled = FloatTarget.create(self.ctx, self.size, (1,), "f4")
        if self._upsampled_for != self.version:
            self.passes.draw("upsample.glsl", self._upsampled, {"depth": self._refined.texture})
            self._upsampled_for = self.version
        return self._upsampled.texture

    def _box(self, target: FloatTarget, spare: FloatTarget, layers: int) -> None:
        """Box-filter ``target``'s textures in place (x into ``spare``, y back)."""
        defines = (("LAYERS", layers), ("RADIUS", GUIDE_RADIUS))
        for axis, source, dest in (((1, 0), target, spare), ((0, 1), spare, target)):
            textures = {f"tex{i}": t for i, t in enumerate(source.textures)}
            self.passes.draw("box.glsl", dest, textures, {"axis": axis}, defines)

    def _release_guided(self) -> None:
        for target in (*self._stats, *self._coeffs):
            target.release()
        self._stats, self._coeffs = [], []
        self._fitted_map = -1  # the fit went with them

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
            cells = (math.ceil(self.size[0] / BOUND_CELL), math.ceil(self.size[1] / BOUND_CELL))
            self._bounds = [FloatTarget.create(self.ctx, cells, (2,), "f2") for _ in range(2)]
        if self._layers_for != self.version:
            plain = self._full_size()
            scale = self.back_scale()
            taps = math.ceil(BACK_REACH * self.size[1] / scale)
            kappa = KAPPA / self.size[1] * scale  # per back texel
            self.passes.draw("dilate.glsl", self._front, {"depth": plain})
            self.passes.draw("min_down.glsl", self._back[0], {"depth": self._front.texture},
                             {"factor": scale})
            self.passes.draw("cone.glsl", self._back[1], {"depth": self._back[0].texture},
                             {"axis": (1, 0), "kappa": kappa}, defines=(("TAPS", taps),))
            self.passes.draw("cone.glsl", self._back[0], {"depth": self._back[1].texture},
                             {"axis": (0, 1), "kappa": kappa}, defines=(("TAPS", taps),))
            cell = (("CELL", BOUND_CELL),)
            self.passes.draw("bounds_down.glsl", self._bounds[1],
                             {"plain": plain, "front": self._front.texture}, defines=cell)
            self.passes.draw("bounds_grow.glsl", self._bounds[0], {"bounds": self._bounds[1].texture})
            self._layers_for = self.version
        return Layers(self._front.texture, self._back[0].texture, self._bounds[0].texture, self.version)

    def release(self) -> None:
        for target in (self.raw, self._refined, self._upsampled, self._front, *self._back, *self._bounds):
            if target is not None:
                target.release()
        if self.small is not None:
            self.small.release()
        self._release_guided()
        self._refined = self._upsampled = self._front = self.small = None
        self._back, self._bounds = [], []
        self.passes.release()
