"""Finished frames to the sinks, off the render loop.

``LiveOutputs`` is the one hook `play` (and `render --out`) calls: ``push(target)`` once
per shown frame. It reads the frame back through a ring of pixel buffers (the frame
pushed two calls earlier comes out, so the GPU is never waited on) and hands it to a
worker thread holding one slot: if the worker is still sending the last frame, the older
waiting frame is dropped and the newest kept, so a slow receiver costs frames, never the
show's frame rate. A sink that fails while running is closed with one warning; the others
and the show carry on. It also sets the renderer's alpha from ``--background``.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from shaderviz.outputs.readback import Readback
from shaderviz.outputs.sinks import Sink, make_sink


class LiveOutputs:
    def __init__(self, ctx: Any, size: tuple[int, int], fps: float, sinks: Sequence[Sink]) -> None:
        self.sinks = list(sinks)
        self.size = tuple(size)
        self.sent = self.dropped = 0
        self._readback = None
        self._slot: np.ndarray | None = None
        self._cond = threading.Condition()
        self._stop = False
        self._thread = None
        opened: list[Sink] = []
        try:
            for sink in self.sinks:
                sink.open(size, fps)
                opened.append(sink)
        except BaseException:
            for sink in opened:
                sink.close()
            raise
        if self.sinks:
            self._readback = Readback(ctx, size, max(s.channels for s in self.sinks), depth=2)
            self._thread = threading.Thread(target=self._run, name="shaderviz-sinks", daemon=True)
            self._thread.start()

    @classmethod
    def for_show(cls, renderer: Any, show: Any, specs: Sequence[str] = (),
                 size: tuple[int, int] | None = None) -> LiveOutputs:
        """Sinks for ``--out`` specs, with the renderer keeping alpha if the show is transparent;
        ``size``: the frames' size when the chain renders smaller than the show (play --scale)."""
        renderer.alpha = show.background is None
        renderer.background = show.background or (0.0, 0.0, 0.0)
        return cls(renderer.ctx, size or show.size, show.fps, [make_sink(spec) for spec in specs])

    def push(self, target: Any) -> None:
        """Start reading this frame; pass a finished one to the worker (never waits)."""
        if self._readback is None:
            return
        if tuple(target.texture.size) != self.size:  # a preset switched the render size mid-show
            self.dropped += 1
            return
        frame = self._readback.push(target.fbo)
        if frame is not None:
            self._offer(frame)

    def _offer(self, frame: np.ndarray) -> None:
        with self._cond:
            if self._slot is not None:  # the worker is behind: the newest frame wins
                self._readback.recycle(self._slot)
                self.dropped += 1
            self._slot = frame
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._slot is None and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                frame, self._slot = self._slot, None
            self._send(frame)
            self._readback.recycle(frame)

    def _send(self, frame: np.ndarray) -> None:
        upright = np.ascontiguousarray(frame[::-1])  # GL rows come bottom first
        for sink in list(self.sinks):
            pixels = upright if sink.channels == upright.shape[2] else np.ascontiguousarray(upright[..., :3])
            try:
                sink.send(pixels)
            except Exception as err:  # noqa: BLE001 - a receiver that fails must not stop the show
                print(f"shaderviz: warning: --out {sink.spec} stopped ({' '.join(str(err).split())})",
                      file=sys.stderr, flush=True)
                self.sinks.remove(sink)
                _close(sink)
        self.sent += 1

    def release(self) -> None:
        """Stop the worker and close every sink (frames in flight are not sent)."""
        if self._thread is not None:
            with self._cond:
                self._stop = True
                self._cond.notify()
            self._thread.join(timeout=10)
            self._thread = None
        for sink in self.sinks:
            _close(sink)
        self.sinks.clear()
        if self._readback is not None:
            self._readback.release()
            self._readback = None


def _close(sink: Sink) -> None:
    try:
        sink.close()
    except Exception:  # noqa: BLE001, S110 - closing after a failure must not raise
        pass
