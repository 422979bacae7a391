"""Frame statistics of the live loop: rolling fps and frame-time percentiles for the HUD,
and (``play --stats FILE``) one JSON line per shown frame.

Each line holds at least ``t`` (seconds since the window opened) and ``ms`` (time since the
previous shown frame; for the first frame, since the window opened), the frame number
``frame``, ``work_ms`` (the loop's own time for the frame, before waiting for the display),
and what finished in workers since the previous frame as ``events``, e.g.
``{"kind": "depth", "ms": 41.0, "lag": 1}`` or ``{"kind": "source", "ms": 12.9}`` (a new
picture shown: a folder image, a video frame, a GAN walk step). Fields given per frame
(``depth_lag``) are added as they are. Workers report through :meth:`FrameStats.event` from any thread.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from pathlib import Path
from typing import IO, Any

import numpy as np

from shaderviz.errors import UserError

WINDOW_FRAMES = 240  # frames in the rolling window (about 8 s at 30 fps)
FLUSH_SECONDS = 0.5


class FrameStats:
    def __init__(self, path: Path | None = None, window: int = WINDOW_FRAMES) -> None:
        self.opened = time.perf_counter()
        self.previous: float | None = None
        self.count = 0
        self.times: deque[float] = deque(maxlen=window)  # ms between shown frames
        self._events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        self._flushed = self.opened
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._file = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
            except OSError as err:
                raise UserError(f"--stats {path}: cannot write ({err.strerror or err})") from None

    def restart(self) -> None:
        """The window is open now: ``t`` counts from here."""
        self.opened = self._flushed = time.perf_counter()
        self.previous = None

    def event(self, kind: str, **fields: Any) -> None:
        """A worker finished something (thread-safe); it goes into the next frame's line."""
        with self._lock:
            self._events.append({"kind": kind, **fields})

    def frame(self, work_ms: float | None = None, **fields: Any) -> None:
        """A frame was shown (call right after the buffer swap)."""
        now = time.perf_counter()
        ms = (now - (self.previous if self.previous is not None else self.opened)) * 1000.0
        if self.previous is not None:
            self.times.append(ms)
        self.previous = now
        self.count += 1
        with self._lock:
            events, self._events = self._events, []
        if self._file is None:
            return
        line: dict[str, Any] = {"frame": self.count - 1, "t": round(now - self.opened, 5), "ms": round(ms, 3)}
        if work_ms is not None:
            line["work_ms"] = round(work_ms, 3)
        line.update({k: v for k, v in fields.items() if v is not None})
        if events:
            line["events"] = events
        self._file.write(json.dumps(line, separators=(",", ":")) + "\n")
        if now - self._flushed >= FLUSH_SECONDS:
            self._file.flush()
            self._flushed = now

    def summary(self) -> dict[str, float]:
        """fps, p50 and p99 (ms) over the rolling window; zeros before two frames."""
        if not self.times:
            return {"fps": 0.0, "p50": 0.0, "p99": 0.0}
        times = np.fromiter(self.times, float)
        p50, p99 = np.percentile(times, [50, 99])
        return {"fps": 1000.0 / float(times.mean()), "p50": float(p50), "p99": float(p99)}

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def release(self) -> None:
        self.close()
