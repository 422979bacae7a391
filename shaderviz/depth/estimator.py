"""DepthEstimator: image -> float32 nearness map (0 = far, 1 = near) at the image's size.

    est = DepthEstimator()                 # the shipped model, CUDA if available
    near = est.estimate("photo.jpg")       # blocking
    fut = est.submit(image_array)          # non-blocking: a Future, computed on a worker thread
    ...
    if fut.done(): near = fut.result()

The model sees the image resized to about ``size``² pixels with its aspect ratio kept
(sides rounded to the model's multiple); the prediction is upsampled back to the image's
size (smoothed by a 3x3 binomial filter first where the model's checkpoint asks for it)
and normalised per image (robust min/max) to 0..1. With ``guided=True`` (what ``shaderviz
depth`` asks for) the map is then refined by the fast guided filter with the image as the
guide (``shaderviz.depth.guided``), so its edges land on the image's edges. The default is
the model's map as it is: ``render`` and ``play`` refine it on the GPU at their output size.

Results are cached in memory (LRU, ``memory_items``) and on disk under
``$XDG_CACHE_HOME/shaderviz/depth`` (default ``~/.cache``), keyed by a hash of the image
pixels + the model's content hash + the inference size. The disk cache is bounded by
``disk_bytes`` (least recently used files go first) and survives restarts.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import torch
import torch.nn.functional as F

from shaderviz.depth.guided import guide_factor, guided_filter
from shaderviz.depth.loaders import DEFAULT_MODEL, LoadedModel, load_model
from shaderviz.depth.maps import inference_shape, map_key, normalise, to_rgb_float
from shaderviz.diskcache import NpyCache, cache_folder

DISK_BYTES = 512 * 1024 * 1024




def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class DepthEstimator:
    """Model + memory LRU + disk cache + one worker thread. Thread-safe."""

    def __init__(
        self,
        model: str | os.PathLike | LoadedModel = DEFAULT_MODEL,
        size: int | None = None,
        device: str | torch.device | None = None,
        cache_dir: str | os.PathLike | None | bool = None,
        memory_items: int = 16,
        disk_bytes: int = DISK_BYTES,
        smooth: bool | None = None,
        flip: bool | None = None,
        guided: bool = False,
    ) -> None:
        self.device = torch.device(device) if device is not None else default_device()
        self.model = model if isinstance(model, LoadedModel) else load_model(model, self.device)
        self.model.to(self.device)
        self.size = int(size or self.model.default_size)
        self.smooth = self.model.smooth if smooth is None else bool(smooth)
        self.flip = self.model.flip if flip is None else bool(flip)
        self.guided = bool(guided)
        self.disk = NpyCache(cache_folder(cache_dir, "depth"), disk_bytes)
        self.memory_items = memory_items
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._model_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self.hits = {"memory": 0, "disk": 0}
        self.misses = 0

    runtime = "torch"

    @property
    def multiple(self) -> int:
        """The model's input sides are multiples of this."""
        return self.model.multiple

    # -- public API ---------------------------------------------------------------------------

    def key(self, rgb: np.ndarray) -> str:
        return map_key(rgb, self.model.identity, self.size,
                       flip=self.flip, smooth=self.smooth, guided=self.guided)

    def estimate(self, image) -> np.ndarray:  # noqa: ANN001
        """Nearness map (H, W) float32 in 0..1 for ``image``; blocks. Uses and fills the caches."""
        rgb = to_rgb_float(image)
        key = self.key(rgb)
        cached = self._lookup(key)
        if cached is not None:
            return cached
        out = self._compute(rgb)
        self._store(key, out)
        return out

    def submit(self, image) -> Future:  # noqa: ANN001
        """A Future of :meth:`estimate`, run on the worker thread: the caller never waits.

        Reading, hashing and the model all run on the worker; requests are served in
        order, so a repeated image is a cache hit by the time its turn comes. Errors
        (a bad file, say) are raised by ``future.result()``.
        """
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shaderviz-depth")
            return self._pool.submit(self.estimate, image)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> DepthEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def clear_memory(self) -> None:
        with self._lock:
            self._memory.clear()

    # -- internals ----------------------------------------------------------------------------

    def infer(self, x: torch.Tensor) -> torch.Tensor:
        """The model on one image already at the inference size: (1,3,h,w) -> (1,1,h,w), raw
        nearness, with test-time mirroring when it is on (the mean with the mirrored image's
        mirrored prediction)."""
        with self._model_lock:
            if not self.flip:
                return self.model.predict(x)[None]
            both = self.model.predict(torch.cat([x, x.flip(-1)]))  # one batch of two
            return ((both[0] + both[1].flip(-1)) / 2)[None, None]

    def _compute(self, rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        ih, iw = inference_shape(h, w, self.size, self.model.multiple)
        if self.model.square:
            ih = iw = max(1, round(self.size / self.model.multiple)) * self.model.multiple
        x = torch.from_numpy(rgb).permute(2, 0, 1)[None].to(self.device)
        x = F.interpolate(x, size=(ih, iw), mode="bilinear", align_corners=False, antialias=True).clamp(0, 1)
        pred = self.infer(x)
        if self.smooth:  # softer edges: a 3x3 binomial blur at inference resolution
            k = torch.tensor([1.0, 2.0, 1.0], device=pred.device)
            k = (k[:, None] * k[None]) / 16
            pred = F.conv2d(F.pad(pred, (1, 1, 1, 1), mode="replicate"), k.view(1, 1, 3, 3))
        pred = F.interpolate(pred, size=(h, w), mode="bilinear", align_corners=False)[0, 0]
        near = normalise(pred.float().cpu().numpy())
        if self.guided:  # depth edges onto the image's edges, as the renderer does on the GPU
            factor = guide_factor(h, w, self.size)  # blocks of about two model pixels
            near = guided_filter(torch.from_numpy(rgb), torch.from_numpy(near), factor).numpy()
        # float16 precision, like the disk cache, so memory and disk hits are identical
        return near.astype(np.float16).astype(np.float32)

    def _lookup(self, key: str) -> np.ndarray | None:
        with self._lock:
            hit = self._memory.get(key)
            if hit is not None:
                self._memory.move_to_end(key)
                self.hits["memory"] += 1
                return hit
        arr = self.disk.load(key)
        if arr is not None:
            arr = arr.astype(np.float32)
            with self._lock:
                self.hits["disk"] += 1
                self._remember(key, arr)
            return arr
        with self._lock:
            self.misses += 1
        return None

    def _remember(self, key: str, arr: np.ndarray) -> None:
        arr.setflags(write=False)
        self._memory[key] = arr
        self._memory.move_to_end(key)
        while len(self._memory) > self.memory_items:
            self._memory.popitem(last=False)

    def _store(self, key: str, arr: np.ndarray) -> None:
        with self._lock:
            self._remember(key, arr)
        self.disk.save(key, arr.astype(np.float16))
