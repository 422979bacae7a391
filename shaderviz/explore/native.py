"""The source image at its own resolution, for the sampler in `play` (loaded on a worker).

The picture on screen is also loaded at its own size, on a thread of its own, and kept; it
goes to the GPU while an effect that reads ``nativeImage`` (the sampler) is in the chain:
zooming into a small generated image then shows its real pixels, from the first frame the
sampler is there (so a snapshot renders again exactly). Sources without one (generators,
video) leave the sampler reading the render-size source.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Hashable
from typing import TYPE_CHECKING

from shaderviz.render.images import GLImage
from shaderviz.sources import Source

if TYPE_CHECKING:
    from shaderviz.effects.chain import EffectInstance
    from shaderviz.render.renderer import Renderer

_NOTHING = object()


class NativeFeed:
    def __init__(self, source: Source, fit: str) -> None:
        self.source, self.fit = source, fit
        self.uploaded: Hashable = _NOTHING  # the key whose native image is on the GPU
        self._lock = threading.Lock()
        self._loading: Hashable = _NOTHING
        self._done: tuple[Hashable, GLImage | None] | None = None  # the last load (the shown key's)
        self._thread: threading.Thread | None = None

    def set_source(self, source: Source, fit: str) -> None:
        with self._lock:
            self.source, self.fit, self._done = source, fit, None
        self.uploaded = self._loading = _NOTHING

    def update(self, renderer: Renderer, shown: Hashable, chain: list[EffectInstance]) -> None:
        """Each frame (render thread): load what is shown; upload it while the chain reads it."""
        if type(self.source).load_native is Source.load_native:
            return  # a generator or a video: nothing at another size
        with self._lock:
            done = self._done
        if self.uploaded not in (_NOTHING, shown):
            renderer.upload_native(None)  # never the native image of another picture
            self.uploaded = _NOTHING
        if (done is None or done[0] != shown) and self._loading != shown:
            self._start(shown)
        if done is not None and done[0] == shown and self.uploaded != shown and renderer.reads_native(chain):
            renderer.upload_native(done[1], self.fit)
            self.uploaded = shown

    def forget(self, renderer: Renderer) -> None:
        """The source was replaced by something else (a dream): no native image under it."""
        renderer.upload_native(None)
        self.uploaded = _NOTHING

    def _start(self, key: Hashable) -> None:
        if self._thread is not None and self._thread.is_alive():
            return  # the next frame asks again
        self._loading = key
        self._thread = threading.Thread(target=self._load, args=(self.source, key), name="shaderviz-native",
                                        daemon=True)
        self._thread.start()

    def _load(self, source: Source, key: Hashable) -> None:
        try:
            rgb = source.load_native(key)
            image = None if rgb is None else GLImage.from_rgb(rgb)
        except Exception as err:  # noqa: BLE001 - the sampler reads the render-size source instead
            print(f"shaderviz: warning: {' '.join(str(err).split())}", file=sys.stderr, flush=True)
            image = None
        with self._lock:
            if source is self.source:
                self._done = (key, image)
        self._loading = _NOTHING

    def release(self) -> None:
        if self._thread is not None:
            self._thread.join(timeout=10)
