"""The chain's depth map in ``render``: a file, the depth model's estimate of the current
source image, or flat 0.5 (the renderer's default).

In ``auto`` mode the model runs only while the chain reads depth (a depth-gated effect, a
sort by depth, an effect whose shader reads depth), on the image the source delivered
last, and ``render`` waits for it: every frame must have its own depth, deterministically.
The model's maps are uploaded for refinement: the renderer moves their edges onto the
image's edges on the GPU (render/depthprep.py); a depth file is used as it is. (``play``
never waits: see :mod:`shaderviz.app.livedepth`.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from shaderviz.app.show import Show
from shaderviz.sources import VideoSource

if TYPE_CHECKING:
    from shaderviz.render.renderer import Renderer


class DepthFeed:
    def __init__(self, show: Show) -> None:
        self.show = show
        self._estimator: Any = None  # a DepthEstimator, made on first use (imports torch)
        self._image: np.ndarray | None = None  # the latest source image, until its depth is uploaded

    def start(self, renderer: Renderer) -> None:
        """Upload a depth file once; load the model now when the chain needs it, so a bad
        model fails before any frame."""
        depth = self.show.depth_file()
        if depth is not None:
            renderer.upload_depth(depth)
        if self.show.depth_mode == "auto" and self.show.uses_depth():
            self._load()

    def new_image(self, image: np.ndarray | None) -> None:
        """The source delivered a new image: its depth is due when the chain reads depth."""
        if self.show.depth_mode == "auto" and image is not None:
            self._image = image

    def update(self, renderer: Renderer) -> None:
        """Before each frame: the depth of a new image, if the chain reads depth."""
        if self._image is None or not self.show.uses_depth():
            return
        renderer.upload_depth(self._estimate(self._image), refine=True)
        self._image = None

    def _estimate(self, image: np.ndarray) -> np.ndarray:
        return self._load().estimate(image)

    def _load(self) -> Any:
        if self._estimator is None:
            from shaderviz.depth.estimator import DepthEstimator

            # Video frames are seen once: keep them out of the disk cache.
            video = isinstance(self.show.source, VideoSource)
            self._estimator = DepthEstimator(self.show.depth_model, cache_dir=False if video else None)
        return self._estimator

    def release(self) -> None:
        if self._estimator is not None:
            self._estimator.close()
            self._estimator = None
