"""Live video as a source: ``live:SPEC`` — a webcam or capture card, or a stream.

SPEC is a device (``/dev/video0`` or a number on Linux (V4L2); a number on macOS
(AVFoundation); ``video=NAME`` on Windows (DirectShow)) or anything ffmpeg opens: a
stream URL (``udp://``, ``rtsp://``, ``http://``, ``srt://``), a pipe, a file played as if
live. ffmpeg decodes it in a process of its own, scaled and fitted to the render size
there; a thread reads its frames as they come and keeps the newest, so the show never
waits for the camera and never falls behind it. Each new frame is a new picture (its
number is the key), shown the way video frames are (no crossfade). While nothing has
arrived the picture stays black; if the stream ends (a cable pulled, a sender stopped),
ffmpeg is started again every ``RETRY_SECONDS`` and the show goes on with the last frame. A
watchdog restarts ffmpeg when frames stop coming for ``STALL_SECONDS`` (a network stream
that went quiet never reports an end).

Devices need an ffmpeg built with them (Debian's ``ffmpeg`` has V4L2; the one inside
imageio-ffmpeg has none): the system's ffmpeg is used when there is one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shaderviz.sources import VideoSource

PREFIX = "live:"
RETRY_SECONDS = 2.0
STALL_SECONDS = 3.0  # frames stopped this long: the watchdog restarts ffmpeg (a UDP stream never "ends")
FIRST_FRAME_SECONDS = 15.0  # the first frame may take longer (a camera waking up)


def _ffmpeg() -> str:
    system = shutil.which("ffmpeg")
    if system:
        return system
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def input_args(spec: str) -> list[str]:
    """ffmpeg's input options for a device or URL."""
    if sys.platform.startswith("linux") and (spec.startswith("/dev/video") or spec.isdigit()):
        device = f"/dev/video{spec}" if spec.isdigit() else spec
        return ["-f", "v4l2", "-i", device]
    if sys.platform == "darwin" and spec.isdigit():
        return ["-f", "avfoundation", "-framerate", "30", "-i", f"{spec}:none"]
    if sys.platform == "win32" and spec.startswith("video="):
        return ["-f", "dshow", "-i", spec]
    quick = ["-fflags", "nobuffer", "-flags", "low_delay", "-analyzeduration", "500000",
             "-probesize", "500000"]
    live = quick if "://" in spec else ["-re"]  # a stream: start within half a second
    return [*live, "-i", spec]


def fit_filter(size: tuple[int, int], fit: str) -> str:
    w, h = size
    if fit == "stretch":
        return f"scale={w}:{h}"
    if fit == "fit":
        return f"scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2"
    return f"scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h}"


@dataclass
class CaptureSource(VideoSource):
    spec: str = ""
    frames: int = 0  # frames received so far (the key of the newest)
    _latest: np.ndarray | None = field(default=None, repr=False)
    _wanted: tuple[tuple[int, int], str] | None = field(default=None, repr=False)
    _proc: subprocess.Popen | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _fed: float = 0.0  # when the last frame came (monotonic)

    def native_size(self) -> tuple[int, int] | None:
        return None  # not known before the stream answers: --size, or the default size

    def key_at(self, seconds: float, loop_index: int) -> Hashable:
        return self.frames

    def upcoming(self, key: Hashable) -> list[Hashable]:
        return []

    def recipe(self, key: Hashable) -> dict[str, Any]:
        return {"source": self.description}

    def load(self, key: Hashable, size: tuple[int, int], fit: str) -> np.ndarray | None:
        """The newest frame at ``size`` (None before the first one arrives)."""
        self._ensure(size, fit)
        with self._lock:
            return None if self._latest is None else self._latest.copy()

    def _ensure(self, size: tuple[int, int], fit: str) -> None:
        with self._lock:
            if self._wanted == (size, fit) and self._thread is not None:
                return
            self._wanted = (size, fit)
            self._latest = None
            proc = self._proc
        if proc is not None:
            proc.kill()  # the reader thread starts ffmpeg again at the new size
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="shaderviz-capture", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        warned = False
        while not self._stop.is_set():
            with self._lock:
                size, fit = self._wanted  # type: ignore[misc]
            command = [_ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", *input_args(self.spec),
                       "-an", "-vf", fit_filter(size, fit), "-pix_fmt", "rgb24", "-f", "rawvideo", "-"]
            try:
                proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        stdin=subprocess.DEVNULL)
            except OSError as err:
                print(f"shaderviz: warning: live:{self.spec}: cannot start ffmpeg ({err})", file=sys.stderr)
                return
            with self._lock:
                self._proc = proc
            self._fed = time.monotonic()
            watchdog = threading.Thread(target=self._watch, args=(proc,), name="shaderviz-capture-watch",
                                        daemon=True)
            watchdog.start()
            got = self._read(proc, size)
            proc.kill()
            errors = proc.stderr.read() if proc.stderr else b""
            message = errors.decode("utf-8", "replace").strip().splitlines()
            proc.wait()
            if self._stop.is_set():
                return
            with self._lock:
                resized = self._wanted != (size, fit)
            if resized:
                continue
            if got or not warned:
                why = message[-1] if message else "the stream ended"
                print(f"shaderviz: warning: live:{self.spec}: {why}; trying again every {RETRY_SECONDS:g} s",
                      file=sys.stderr, flush=True)
                warned = True
            self._stop.wait(RETRY_SECONDS)

    def _watch(self, proc: subprocess.Popen) -> None:
        """Kill ffmpeg when its frames stop (the reader then starts it again)."""
        started = time.monotonic()
        while proc.poll() is None and not self._stop.is_set():
            now = time.monotonic()
            quiet = now - self._fed
            if (self._fed > started and quiet > STALL_SECONDS) or (self._fed <= started
                                                                   and now - started > FIRST_FRAME_SECONDS):
                proc.kill()
                return
            self._stop.wait(0.25)

    def _read(self, proc: subprocess.Popen, size: tuple[int, int]) -> int:
        """Read frames until ffmpeg stops; the number read."""
        width, height = size
        count, nbytes = 0, width * height * 3
        stream = proc.stdout
        assert stream is not None
        while not self._stop.is_set():
            data = stream.read(nbytes)
            if len(data) < nbytes:
                return count
            frame = np.frombuffer(data, np.uint8).reshape(height, width, 3)
            with self._lock:
                if self._wanted is None or self._wanted[0] != size:
                    return count
                self._latest = frame
                self.frames += 1
            self._fed = time.monotonic()
            count += 1
        return count

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            proc = self._proc
        if proc is not None:
            proc.kill()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


def open_capture(spec: str) -> CaptureSource:
    return CaptureSource(f"{PREFIX}{spec}", spec=spec)
