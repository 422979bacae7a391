"""Source images for `play`, loaded on a worker thread; the loop never waits for one.

The loop says which key it wants each frame (:meth:`SourceFeed.poll`); the worker loads
that one first, then the ones the source expects next (the next image of a folder, the
next frames of a video), so a cycle, ``N`` or the next video frame usually finds its image
ready. Each loaded image is also handed to ``on_loaded`` (on the worker thread): the depth
model gets video frames before they are shown.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np

from shaderviz.render.images import GLImage
from shaderviz.sources import Source

OnLoaded = Callable[[Hashable, np.ndarray], None]


@dataclass(frozen=True)
class Loaded:
    """A finished load: the image at the render size (None: nothing to upload, or failed),
    and the same ready for upload (converted on the worker, not the render thread)."""

    key: Hashable
    image: np.ndarray | None
    error: str | None = None
    gl: GLImage | None = None
    ms: float | None = None  # the worker's time for it (load and conversion)

    @classmethod
    def of(cls, key: Hashable, image: np.ndarray | None, ms: float | None = None) -> Loaded:
        return cls(key, image, None, None if image is None else GLImage.from_rgb(image), ms)


class SourceFeed:
    def __init__(self, source: Source, size: tuple[int, int], fit: str,
                 on_loaded: OnLoaded | None = None) -> None:
        self.source, self.size, self.fit, self.on_loaded = source, size, fit, on_loaded
        self._cond = threading.Condition()
        self._done: dict[Hashable, Loaded] = {}
        self._newest: Loaded | None = None  # the load finished last, wanted or not
        self._wanted: Hashable = None
        self._has_wish = False
        self._retired: list[Source] = []  # replaced sources, closed by the worker
        self._stop = False
        self._thread: threading.Thread | None = None

    def load_now(self, key: Hashable) -> Loaded:
        """At start only, before the worker runs: load ``key`` here, so that a broken file
        fails before the show opens."""
        image = self.source.load(key, self.size, self.fit)
        if image is not None and self.on_loaded is not None:
            self.on_loaded(key, image)
        return Loaded.of(key, image)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="shaderviz-load", daemon=True)
        self._thread.start()

    def poll(self, key: Hashable) -> Loaded | None:
        """Want ``key`` now; its load if finished (it stays available while wanted)."""
        with self._cond:
            if not self._has_wish or key != self._wanted:
                self._wanted, self._has_wish = key, True
                self._cond.notify()
            return self._done.get(key)

    def newest(self) -> Loaded | None:
        """The load that finished last, even if no longer wanted (a source whose key moves
        on every frame, like a latent walk, shows the newest image it has)."""
        with self._cond:
            return self._newest

    def set_source(self, source: Source, size: tuple[int, int]) -> None:
        """Switch to another source or size (a preset); an old source is closed on the worker."""
        with self._cond:
            if source is not self.source:
                self._retired.append(self.source)
            self.source, self.size, self._done, self._has_wish = source, size, {}, False
            self._newest = None
            self._cond.notify()

    def release(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for source in self._retired:
            source.close()
        self._retired.clear()

    # -- the worker thread -----------------------------------------------------------------

    def _todo(self) -> Hashable | None:
        """The next key to load: the wanted one, then the upcoming ones."""
        if not self._has_wish:
            return None
        for key in (self._wanted, *self.source.upcoming(self._wanted)):
            if key not in self._done:
                return key
        return None

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stop and not self._retired and (key := self._todo()) is None:
                    self._cond.wait()
                if self._stop:
                    return
                retired, self._retired = self._retired, []
                source, size, key = self.source, self.size, self._todo()
            for old in retired:
                old.close()
            if key is None:
                continue
            began = time.perf_counter()
            try:
                image = source.load(key, size, self.fit)
                loaded = Loaded.of(key, image, round((time.perf_counter() - began) * 1000.0, 2))
            except Exception as err:  # noqa: BLE001 - shown, and the show goes on
                loaded = Loaded(key, None, " ".join(str(err).split()))
                print(f"shaderviz: warning: {loaded.error}", file=sys.stderr, flush=True)
            with self._cond:
                if source is not self.source or size != self.size:
                    continue
                self._done[key] = self._newest = loaded
                keep = {self._wanted, *self.source.upcoming(self._wanted)}
                for stale in [k for k in self._done if k not in keep]:
                    del self._done[stale]
            if loaded.image is not None and self.on_loaded is not None:
                self.on_loaded(key, loaded.image)
