"""Dreaming in `play`: the dream process, and what its dreams do to the show.

- ``E`` dreams into the picture: the source as the chain sees it (the dream so far, after
  the first) is sent to the dream process; when the dream comes back it crossfades in as
  the source, and the source holds still on it (a folder stops cycling, a video or a
  generator pauses) until ``Ctrl+E`` returns to the undreamed picture. ``E`` again dreams on
  the dream (pressed while one runs: one more is queued). ``Shift+E`` dreams into the frame
  as shown, effects and all. Progress shows in the HUD and the title; ``Ctrl+E`` also stops
  a dream in progress.
- An ``enhance`` effect in the chain gets the dream of each picture, made the same way,
  faded in when it arrives (until then it shows its input).

The dream process (:mod:`shaderviz.explore.dreamworker`) starts on the first dream, on a
thread of its own; the render loop only sends images and uploads results. E's parameters
are those of an ``enhance`` instance in the chain (on or off), else the effect's defaults
dreamed at most ``QUICK_RESOLUTION`` pixels wide (a CPU dreams a 720p frame for minutes).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

import numpy as np

from shaderviz.app import childprocess
from shaderviz.control.commands import Commands
from shaderviz.errors import UserError
from shaderviz.explore.dream import DreamParams
from shaderviz.explore.enhance import EFFECT, IMAGE, dream_params
from shaderviz.render.images import GLImage

if TYPE_CHECKING:
    from shaderviz.app.live import LiveShow
    from shaderviz.app.stats import FrameStats

QUICK_RESOLUTION = 640
FADE_SECONDS = 0.5  # an enhance effect's dream fades in
KEEP_DREAMS = 8  # effect dreams kept in memory (a folder cycling back finds them here)


class DreamWorker:
    """The window's side of the dream process: one dream at a time, in submission order."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self.error: str | None = None
        self.ready_ms: float | None = None
        self.progress: dict[Hashable, tuple[int, int]] = {}
        self._cond = threading.Condition()
        self._jobs: deque[tuple[Hashable, np.ndarray, dict]] = deque()
        self._done: list[tuple[str, Hashable, Any, float]] = []  # (dream|failed|cancelled, tag, payload, ms)
        self._current: Hashable = None
        self._stop = False
        self._send_lock = threading.Lock()
        self._conn: Connection | None = None
        self._proc: subprocess.Popen | None = None
        self._thread = threading.Thread(target=self._run, name="shaderviz-dream", daemon=True)
        self._thread.start()

    def submit(self, tag: Hashable, image: np.ndarray, params: DreamParams) -> None:
        with self._cond:
            self._jobs.append((tag, image, params.key()))
            self._cond.notify()

    def cancel(self, match: Callable[[Hashable], bool]) -> None:
        """Drop the waiting jobs whose tag matches; stop the running one if it matches."""
        with self._cond:
            self._jobs = deque(job for job in self._jobs if not match(job[0]))
            current, conn = self._current, self._conn
        if current is not None and match(current) and conn is not None:
            with self._send_lock:
                try:
                    conn.send(("cancel", current))
                except OSError:
                    pass

    def busy(self, match: Callable[[Hashable], bool]) -> bool:
        with self._cond:
            running = self._current is not None and match(self._current)
            return running or any(match(job[0]) for job in self._jobs)

    def take(self) -> list[tuple[str, Hashable, Any, float]]:
        with self._cond:
            done, self._done = self._done, []
        return done

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        if self._conn is not None:
            self.cancel(lambda tag: True)
        self._thread.join(timeout=10)
        childprocess.kill(self._proc)

    def _run(self) -> None:
        conn = None
        try:
            conn = self._start()
            kind, info = conn.recv()
            if kind != "ready":
                self.error = info
                return
            self.ready_ms = info["load_ms"]
            while True:
                with self._cond:
                    while not self._jobs and not self._stop:
                        self._cond.wait()
                    if self._stop:
                        return
                    tag, image, values = self._jobs.popleft()
                    self._current = tag
                with self._send_lock:
                    conn.send(("dream", tag, image, values))
                while True:
                    reply = conn.recv()
                    if reply[0] == "progress":
                        self.progress[reply[1]] = (reply[2], reply[3])
                        continue
                    break
                payload = reply[2] if len(reply) > 2 else None
                if reply[0] == "dream":
                    payload = GLImage.from_rgb(payload)  # converted for upload here, not on the render thread
                with self._cond:
                    self._current = None
                    self.progress.pop(tag, None)
                    self._done.append((reply[0], tag, payload, reply[3] if len(reply) > 3 else 0.0))
        except (EOFError, OSError) as err:
            if not self._stop:
                self.error = f"the dream process stopped ({err or 'no reply'})"
        finally:
            childprocess.finish(conn, self._proc, self._send_lock)

    def _start(self) -> Connection:
        self._proc, self._conn = childprocess.spawn("shaderviz.explore.dreamworker",
                                                    "--threads", str(self.threads))
        return self._conn


class LiveDream:
    def __init__(self, live: LiveShow, notify: Callable[[str], None], stats: FrameStats) -> None:
        self.live, self.notify, self.stats = live, notify, stats
        self.worker: DreamWorker | None = None
        self.holding = False  # the source holds still on a dream
        self.original: np.ndarray | None = None  # the undreamed source, to return to
        self.count = 0  # dreams on the picture so far
        self.queued = 0  # E pressed while a dream runs
        self._asked: tuple[Hashable, float] | None = None  # the running E dream: (tag, when asked)
        self._offered: tuple[Hashable, np.ndarray] | None = None  # the picture on screen (enhance effect)
        self._dreams: OrderedDict[Hashable, np.ndarray] = OrderedDict()  # effect dreams by tag
        self._weights: dict[int, float] = {}  # enhance instance uid -> how far its dream has faded in
        self._warned: set[str] = set()

    def bind(self, commands: Commands) -> None:
        commands.bind("dream", lambda: self.dream(frame=False))
        commands.bind("dream_frame", lambda: self.dream(frame=True))
        commands.bind("undream", self.undream)

    # -- E, Shift+E, Ctrl+E --------------------------------------------------------------------

    def dream(self, frame: bool) -> None:
        if self._asked is not None:
            self.queued += 1
            self.notify(f"dreaming: {self.queued} more queued")
            return
        live = self.live
        target = live.output if frame else live.renderer.source
        if target is None:
            return
        image = live.renderer.read(target)
        if self.original is None:
            self.original = image if not frame else live.renderer.read(live.renderer.source)
        try:
            params = self.params()
        except UserError as err:
            self.notify(str(err))
            return
        tag = ("picture", self.count + 1, frame)
        self._asked = (tag, time.perf_counter())
        self._worker().submit(tag, image, params)
        self.notify("dreaming into the frame..." if frame else "dreaming...")

    def undream(self) -> None:
        if self.worker is not None:
            self.worker.cancel(lambda tag: tag[0] == "picture")
        was_dreaming = self._asked is not None
        self._asked, self.queued = None, 0
        if not self.holding:
            self.original = None
            self.notify("dream stopped" if was_dreaming else "nothing dreamed to undo")
            return
        live = self.live
        live.fade.start(live.output)
        if self.original is not None:
            live.renderer.upload_source(self.original)
            live.renderer.reset_state()
        self.holding, self.original, self.count = False, None, 0
        self.notify("back to the undreamed picture")

    def forget(self) -> None:
        """Another show took over (a preset): no dream holds its source."""
        if self.worker is not None:
            self.worker.cancel(lambda tag: True)
        if self.holding:
            self.live.shown = object()  # the feed uploads the picture again
        self._asked, self.queued, self.holding, self.original, self.count = None, 0, False, None, 0
        self._offered = None

    def params(self) -> DreamParams:
        """E's parameters: an enhance instance's in the chain (on or off), else a quick dream."""
        spec = self.live.show.registry.effects.get(EFFECT)
        instance = next((i for i in self.live.show.chain if i.name == EFFECT), None)
        if spec is None or instance is None:
            return DreamParams(resolution=QUICK_RESOLUTION)
        return dream_params(spec, instance)

    # -- the enhance effect --------------------------------------------------------------------

    def offer(self, key: Hashable, image: np.ndarray | None) -> None:
        """The source now shows ``image`` (render thread): the enhance effect dreams it."""
        if image is not None:
            self._offered = (key, image)

    # -- each frame ----------------------------------------------------------------------------

    def update(self, now: float, dt: float) -> None:
        worker = self.worker
        if worker is not None:
            if worker.error and "worker" not in self._warned:
                self._warned.add("worker")
                self.notify(f"dreams: {worker.error}")
                print(f"shaderviz: warning: dreams: {worker.error}", file=sys.stderr, flush=True)
            if worker.ready_ms is not None and "ready" not in self._warned:
                self._warned.add("ready")
                self.stats.event("dream_model", ms=worker.ready_ms)
            for kind, tag, payload, ms in worker.take():
                self._finished(kind, tag, payload, ms)
        self._effect_dreams(dt)

    def _finished(self, kind: str, tag: Hashable, payload: Any, ms: float) -> None:
        if tag[0] == "effect":  # type: ignore[index]
            if kind == "dream":
                self._dreams[tag] = payload
                while len(self._dreams) > KEEP_DREAMS:
                    self._dreams.popitem(last=False)
            elif kind == "failed":
                print(f"shaderviz: warning: dream: {payload}", file=sys.stderr, flush=True)
            return
        if self._asked is None or tag != self._asked[0]:
            return  # stopped by Ctrl+E
        latency = (time.perf_counter() - self._asked[1]) * 1000.0
        self._asked = None
        self.stats.event(f"dream_{kind}", ms=ms, latency_ms=round(latency, 1))
        if kind != "dream":
            self.notify(f"the dream failed: {payload}" if kind == "failed" else "dream stopped")
            self.queued = 0
            return
        live = self.live
        live.fade.start(live.output)
        live.renderer.upload_source(payload)
        live.renderer.reset_state()
        live.native.forget(live.renderer)  # zooms read the dream, not the file under it
        self.holding = True
        self.count += 1
        self.notify(f"dream {self.count} (E dreams on it, Ctrl+E undreams)")
        if self.queued:
            self.queued -= 1
            self.dream(frame=False)

    def _effect_dreams(self, dt: float) -> None:
        """Upload each enhance instance's dream of the picture on screen; fade it in."""
        live = self.live
        spec = live.show.registry.effects.get(EFFECT)
        instances = [i for i in live.show.chain if i.name == EFFECT and i.enabled]
        if spec is None or not instances or self._offered is None:
            return
        if live.show.source.generator is not None:
            self._warn_once("generator", "enhance dreams a source image: a generator draws a new one every "
                                         "frame (E dreams into the frame instead)")
            return
        key, image = self._offered
        for instance in instances:
            try:
                params = dream_params(spec, instance)
            except UserError as err:
                self._warn_once(str(err), str(err))
                continue
            tag = ("effect", key, tuple(sorted(params.key().items())))
            renderer = live.renderer
            if not renderer.has_effect_image(instance.uid, IMAGE):
                if tag in self._dreams:
                    renderer.upload_effect_image(instance.uid, IMAGE, self._dreams[tag], 0.0)
                    self._weights[instance.uid] = 0.0
                elif not self._worker().busy(lambda t, tag=tag: t == tag):
                    self._worker().cancel(lambda t, key=key: t[0] == "effect" and t[1] != key)
                    self._worker().submit(tag, image, params)
                continue
            weight = min(1.0, self._weights.get(instance.uid, 1.0) + dt / FADE_SECONDS)
            self._weights[instance.uid] = weight
            renderer.set_effect_image_weight(instance.uid, IMAGE, weight)

    # -- what the window shows -----------------------------------------------------------------

    def status(self) -> list[str]:
        lines = []
        if self._asked is not None and self.worker is not None:
            done, total = self.worker.progress.get(self._asked[0], (0, 0))
            what = "loading the network" if self.worker.ready_ms is None else (
                f"{100 * done // max(1, total)}% ({done}/{total} steps)" if total else "starting")
            more = f", {self.queued} more queued" if self.queued else ""
            lines.append(f"dreaming {what}{more} (Ctrl+E stops)")
        elif self.holding:
            lines.append(f"dreamed x{self.count} (Ctrl+E: the undreamed picture)")
        if self.worker is not None and any(t[0] == "effect" for t in self.worker.progress):
            lines.append("enhance: dreaming the picture")
        return lines

    def notes(self) -> list[str]:
        """What a snapshot's recipe cannot replay."""
        if not self.holding:
            return []
        return ["the picture was dreamed into with E (a worker's result, not in the recipe): a render "
                "of this recipe shows the undreamed picture"]

    def release(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None

    # -- helpers ---------------------------------------------------------------------------------

    def _worker(self) -> DreamWorker:
        if self.worker is None:
            self.worker = DreamWorker()
        return self.worker

    def _warn_once(self, key: str, text: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.notify(text)
            print(f"shaderviz: warning: {text}", file=sys.stderr, flush=True)

