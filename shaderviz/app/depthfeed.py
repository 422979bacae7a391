"""The chain's depth map: a file, the depth model's estimate of the current source image,
or flat 0.5 (the renderer's default).

In ``auto`` mode the model runs only while the chain reads depth (a depth-gated effect, a
sort by depth, an effect whose shader reads depth), on the image the source delivered
last. ``render`` waits for it: every frame must have its own depth, deterministically.
``play`` never waits: the estimate runs on a worker and is uploaded when it is done; until
then the previous depth (or flat) stays, so the window keeps playing. The model's maps are
uploaded for refinement: the renderer moves their edges onto the image's edges on the GPU
(render/depthprep.py); a depth file is used as it is.
"""

from __future__ import annotations

import sys
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from shaderviz.app.show import Show
from shaderviz.sources import VideoSource

if TYPE_CHECKING:
    from shaderviz.render.renderer import Renderer


class DepthFeed:
    def __init__(self, show: Show, wait: bool) -> None:
        self.show, self.wait = show, wait
        self._estimator: Any = None  # a DepthEstimator, made on first use (imports torch)
        self._pool: ThreadPoolExecutor | None = None
        self._image: np.ndarray | None = None  # the latest source image
        self._served = True  # the latest image's depth is uploaded or on its way
        self._pending: Future | None = None
        self._broken = False  # the model failed in play: flat from now on, said once

    def start(self, renderer: Renderer) -> None:
        """Upload a depth file once; other modes start flat. ``render`` loads the model
        here when the chain needs it, so a bad model fails before any frame."""
        depth = self.show.depth_file()
        if depth is not None:
            renderer.upload_depth(depth)
        if self.wait and self.show.depth_mode == "auto" and self.show.uses_depth():
            self._load()

    def new_image(self, image: np.ndarray | None) -> None:
        """The source delivered a new image: its depth is due when the chain reads depth."""
        if self.show.depth_mode == "auto" and image is not None:
            self._image, self._served = image, False

    def update(self, renderer: Renderer) -> None:
        """Each frame: upload a finished estimate; start one for a new image if needed."""
        if self._pending is not None and self._pending.done():
            future, self._pending = self._pending, None
            try:
                renderer.upload_depth(future.result(), refine=True)
            except Exception as err:  # noqa: BLE001 - play goes on with flat depth
                self._broken = True
                print(f"shaderviz: warning: depth model: {' '.join(str(err).split())}; depth stays flat",
                      file=sys.stderr, flush=True)
        if self._served or self._broken or self._image is None or not self.show.uses_depth():
            return
        if self.wait:
            renderer.upload_depth(self._estimate(self._image), refine=True)
        elif self._pending is None:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shaderviz-depth")
            self._pending = self._pool.submit(self._estimate, self._image)
        else:
            return  # the worker is busy: ask again next frame (video: the newest frame wins)
        self._served = True

    def _load(self) -> Any:
        if self._estimator is None:
            from shaderviz.depth.estimator import DepthEstimator

            # Video frames are seen once: keep them out of the disk cache.
            video = isinstance(self.show.source, VideoSource)
            self._estimator = DepthEstimator(self.show.depth_model, cache_dir=False if video else None)
        return self._estimator

    def _estimate(self, image: np.ndarray) -> np.ndarray:
        return self._load().estimate(image)

    def release(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._estimator is not None:
            self._estimator.close()
            self._estimator = None
