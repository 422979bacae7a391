"""Depth in `play`: the model runs in its own process; maps reach the GPU when ready; the
loop never waits.

- The model process (:mod:`shaderviz.app.depthworker`) starts before the window opens
  when the show's chain reads depth (:func:`start_early`: its torch import, ~1.5 s of CPU,
  then overlaps the window's own start-up instead of slowing the first frames on two
  cores), else the first time the chain reads depth; a thread of its own talks to it, so
  neither the torch import nor the model load touches the render loop. Images are scaled
  down to about the model's inference size on that thread too (Pillow releases the GIL),
  so only small arrays travel, and the map comes back at that size: the GPU scales it up
  and refines it onto the image's edges (``Renderer.upload_depth(..., refine=True)``), as
  in ``render``.
- Until the first map of the picture on screen is there, depth-driven effects are neutral
  (``Renderer.depth_weight`` = 0: a depth-gated effect acts nowhere instead of on the whole
  picture); when it arrives they fade in over ``FADE_SECONDS``.
- Stills are estimated in turn; for video the newest frame wins. The source feed decodes
  video a few frames ahead and offers each frame when decoded, so its map is often ready
  by the time the frame is shown. A frame without its own map shows the map of the nearest
  earlier frame: the depth lag, in frames, goes to ``--stats`` as ``depth_lag``.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from shaderviz.app import childprocess
from shaderviz.app.show import Show
from shaderviz.app.stats import FrameStats
from shaderviz.sources import VideoSource

if TYPE_CHECKING:
    from shaderviz.render.renderer import Renderer

FADE_SECONDS = 0.5
KEEP_MAPS = 16  # recent maps kept for video frames shown later
MAX_PENDING = 3  # still images waiting for the model; older ones are dropped
MAX_LAG = 30  # a video map older than this many frames counts as no map


@dataclass
class DepthResult:
    tag: Hashable
    depth: np.ndarray | None  # float16 at the model's input size; None if it failed
    ms: float  # the model process's own time
    latency_ms: float  # from the offer to the result, waiting included
    message: str = ""


class DepthWorker:
    """The window's side of the model process: one image in flight at a time."""

    def __init__(self, model: str, size: tuple[int, int], cache: bool) -> None:
        self.model, self.size, self.cache = model, size, cache
        self.error: str | None = None
        self.ready_ms: float | None = None  # the model's load time, once ready
        self.runtime = ""  # onnxruntime | torch (why not onnxruntime), once ready
        self._input: tuple[int, int] | None = None
        self._cond = threading.Condition()
        self._pending: OrderedDict[Hashable, tuple[np.ndarray, float]] = OrderedDict()
        self._done: list[DepthResult] = []
        self._stop = False
        self._proc: subprocess.Popen | None = None
        self._thread = threading.Thread(target=self._run, name="shaderviz-depth", daemon=True)
        self._thread.start()

    def submit(self, tag: Hashable, image: np.ndarray, newest_only: bool) -> None:
        """Queue ``image`` (any thread); ``newest_only`` drops what still waits (video)."""
        with self._cond:
            if newest_only:
                self._pending.clear()
            self._pending[tag] = (image, time.perf_counter())
            self._pending.move_to_end(tag)
            while len(self._pending) > MAX_PENDING:
                self._pending.popitem(last=False)
            self._cond.notify()

    def take(self) -> list[DepthResult]:
        with self._cond:
            done, self._done = self._done, []
        return done

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        if self.ready_ms is None:
            childprocess.kill(self._proc)  # still loading: nothing to finish (its thread waits for "ready")
        self._thread.join(timeout=10)
        childprocess.kill(self._proc)

    # -- the worker thread -------------------------------------------------------------------

    def _run(self) -> None:
        conn = None
        try:
            conn = self._start()
            kind, info = conn.recv()
            if kind != "ready":
                self.error = info
                return
            self._input, self.runtime = tuple(info["input"]), info.get("runtime", "")
            self.ready_ms = info["load_ms"]
            while True:
                with self._cond:
                    while not self._pending and not self._stop:
                        self._cond.wait()
                    if self._stop:
                        return
                    tag, (image, offered) = self._pending.popitem(last=False)
                conn.send((tag, shrink_for_model(image, self._input or image.shape[:2])))
                reply = conn.recv()
                result = DepthResult(tag, None, 0.0, (time.perf_counter() - offered) * 1000.0)
                if reply[0] == "depth":
                    result.depth, result.ms = reply[2], reply[3]
                else:
                    result.message = reply[2]
                with self._cond:
                    self._done.append(result)
        except (EOFError, OSError) as err:
            if not self._stop:
                self.error = f"the depth process stopped ({err or 'no reply'})"
        finally:
            childprocess.finish(conn, self._proc)

    def _start(self) -> Connection:
        args = ["--model", self.model, "--size", f"{self.size[0]}x{self.size[1]}"]
        self._proc, conn = childprocess.spawn("shaderviz.app.depthworker", *args,
                                              *([] if self.cache else ["--no-cache"]))
        return conn


def shrink_for_model(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """``image`` (H, W, 3|4 uint8) at about the model's inference ``shape`` (h, w), RGB;
    never enlarged."""
    height, width = shape
    if height * width >= image.shape[0] * image.shape[1]:
        return image
    # reducing_gap 1: a box reduction by the whole factor (an area average), then bilinear
    # over what is left (nothing for 1280x720 -> 256x144): 2.2 ms for a 720p frame, where
    # a 2x2 reduction then bilinear took 5.1 ms and a plain bilinear shrink three times that
    return np.asarray(Image.fromarray(image[:, :, :3]).resize((width, height), Image.BILINEAR,
                                                              reducing_gap=1.0))


class LiveDepth:
    """Decides which depth map is on the GPU each frame, and how strongly it acts."""

    def __init__(self, show: Show, size: tuple[int, int], stats: FrameStats,
                 video_frames: int | None, early: DepthWorker | None = None) -> None:
        self.show, self.size, self.stats = show, size, stats
        self.video_frames = video_frames  # frames in the video source; None for stills
        self.every = 1  # video: only every n-th frame is estimated (LiveShow sets it)
        self.worker: DepthWorker | None = None
        self._early = early  # started by start_early, adopted when depth is first wanted
        self.maps: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self.uploaded: Hashable | None = None  # the key whose map is on the GPU
        self.lag: int | None = None  # video: frames between the picture and its map
        self.weight = 1.0
        self._latest: tuple[Hashable, np.ndarray] | None = None
        self._lock = threading.Lock()
        self._warned = False
        self._was_ready = False

    @property
    def auto(self) -> bool:
        return self.show.depth_mode == "auto"

    @property
    def wanted(self) -> bool:
        return self.auto and self.show.uses_depth()

    @property
    def status(self) -> str:
        """For the HUD: off | loading | ready | failed."""
        if not self.wanted:
            return "off"
        if self.worker is None or (self.worker.ready_ms is None and self.worker.error is None):
            return "loading the model"
        return "failed" if self.worker.error else "ready"

    def start(self, renderer: Renderer) -> None:
        """``--depth FILE``: upload it once. Flat and file depth act at full strength. In
        auto mode a flat small map goes up now, to be refined like the model's maps: the GPU
        scaler and the refinement's programs compile in the first frame, not when the first
        map arrives mid-show."""
        depth = self.show.depth_file()
        if depth is not None:
            renderer.upload_depth(depth)
        elif self.auto:
            renderer.upload_depth(np.full((2, 2), 0.5, np.float32), refine=True)
        renderer.depth_weight = 0.0 if self.wanted else 1.0

    def set_source(self, video_frames: int | None) -> None:
        """A new source (preset switch): forget the old one's maps."""
        with self._lock:
            self.video_frames, self._latest = video_frames, None
        self.maps.clear()
        self.uploaded = None

    def offer(self, key: Hashable, image: np.ndarray) -> None:
        """A source image was loaded (feed worker thread): estimate it if depth is wanted."""
        with self._lock:
            self._latest = (key, image)
            worker = self.worker
        if self.video_frames is not None and isinstance(key, int) and key % self.every:
            return  # the frames between take the map before theirs (``_best``)
        if worker is not None and self.wanted:
            worker.submit(key, image, newest_only=self.video_frames is not None)

    def has(self, key: Hashable) -> bool:
        """Whether the map of ``key`` is here (or nothing will come: the model failed)."""
        return key in self.maps or (self.worker is not None and self.worker.error is not None)

    def update(self, renderer: Renderer, shown: Hashable, now: float, dt: float) -> None:
        """Each frame, render thread: collect results, upload the best map for ``shown``."""
        if not self.wanted:
            renderer.depth_weight = 1.0 if self.uploaded is None else renderer.depth_weight
            return
        if self.worker is None:
            self._start_worker()
        self._collect()
        best, lag = self._best(shown)
        if best is not None and best != self.uploaded:
            renderer.upload_depth(self.maps[best].astype(np.float32), refine=True)
            self.uploaded = best
        self.lag = lag if self.video_frames is not None else None
        if best is None:
            self.weight = 0.0  # no map of this picture: neutral, not acting on all of it
        else:
            self.weight = min(1.0, self.weight + dt / FADE_SECONDS)
        renderer.depth_weight = self.weight

    def _start_worker(self) -> None:
        early, self._early = self._early, None
        if early is not None and early.model == self.show.depth_model:
            self.worker = early
        else:
            if early is not None:
                early.close()
            self.worker = DepthWorker(self.show.depth_model, self.size, cache=self.video_frames is None)
        with self._lock:
            latest = self._latest
        if latest is not None:
            self.worker.submit(*latest, newest_only=True)

    def _collect(self) -> None:
        worker = self.worker
        assert worker is not None
        if worker.ready_ms is not None and not self._was_ready:
            self._was_ready = True
            self.stats.event("depth_model", ms=worker.ready_ms, runtime=worker.runtime)
        if worker.error is not None and not self._warned:
            self._warned = True
            self.stats.event("depth_failed", message=worker.error)
            print(f"shaderviz: warning: depth model: {worker.error}; depth-driven effects stay neutral",
                  file=sys.stderr, flush=True)
        for result in worker.take():
            event = {"ms": result.ms, "latency_ms": round(result.latency_ms, 1)}
            if self.video_frames is not None:
                event["frame"] = result.tag
            if result.depth is None:
                self.stats.event("depth_failed", message=result.message, **event)
                print(f"shaderviz: warning: depth: {result.message}", file=sys.stderr, flush=True)
                continue
            self.stats.event("depth", **event)
            self.maps[result.tag] = result.depth
            self.maps.move_to_end(result.tag)
            while len(self.maps) > KEEP_MAPS:
                self.maps.popitem(last=False)

    def _best(self, shown: Hashable) -> tuple[Hashable | None, int | None]:
        """The map for ``shown``: its own, or (video) the nearest earlier frame's."""
        if shown in self.maps:
            return shown, 0
        if self.video_frames is None or not isinstance(shown, int):
            return None, None
        count = self.video_frames
        behind = [((shown - key) % count, key) for key in self.maps if isinstance(key, int)]
        behind = [(d, key) for d, key in behind if d <= min(MAX_LAG, count // 2)]
        if not behind:
            return None, None
        lag, key = min(behind)
        return key, lag

    def release(self) -> None:
        for worker in (self.worker, self._early):
            if worker is not None:
                worker.close()
        self.worker = self._early = None


def start_early(show: Show) -> DepthWorker | None:
    """The model process for a show whose chain reads depth (``--depth auto``), started
    now, before the window: hand it to :class:`LiveDepth`, or close it."""
    if show.depth_mode != "auto" or not show.uses_depth():
        return None
    # The size only sets the inference shape's aspect: the show's size has the render's.
    # Video frames are not cached on disk (LiveDepth makes the same choice).
    return DepthWorker(show.depth_model, show.size, cache=not isinstance(show.source, VideoSource))
