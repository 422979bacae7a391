"""One ffmpeg process fed raw frames through its stdin: start, write, finish or kill.

ffmpeg's messages go to a temporary file, so a failure reaches the user as its one most
telling line instead of a screenful. The process runs in its own process group: Ctrl-C
reaches Python, which then kills ffmpeg and removes the partial output.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from fractions import Fraction

from shaderviz.outputs.codecs import ffmpeg_exe

_PIPE_BYTES = 1 << 20  # ask Linux for a 1 MiB pipe: fewer wake-ups per frame


def rate(fps: float) -> str:
    """``30``, ``30000/1001``: the exact frame rate as ffmpeg reads it."""
    return str(Fraction(fps).limit_denominator(100000))


def raw_input_args(size: tuple[int, int], channels: int, fps: float) -> list[str]:
    """ffmpeg arguments for raw 8-bit RGB(A) frames of ``size`` on stdin."""
    pix_fmt = {3: "rgb24", 4: "rgba"}[channels]
    return ["-f", "rawvideo", "-pix_fmt", pix_fmt, "-s", f"{size[0]}x{size[1]}", "-r", rate(fps), "-i", "-"]


class FFmpegPipe:
    """``ffmpeg ARGS`` with raw frames written to its stdin."""

    def __init__(self, args: Sequence[str], nice: int = 0) -> None:
        """``nice``: run ffmpeg this much below our CPU priority (POSIX; no privilege needed)."""
        self._log = tempfile.TemporaryFile()
        kwargs: dict = {"start_new_session": True}
        if sys.platform == "win32":  # pragma: no cover - Windows has no sessions
            kwargs = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
        self.proc: subprocess.Popen | None = None
        try:  # (render holds Ctrl-C and TERM while it starts ffmpeg: outputs/interrupts.py)
            self.proc = subprocess.Popen(
                [ffmpeg_exe(), "-hide_banner", "-nostats", "-loglevel", "error", "-y", *args],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log, **kwargs,
            )
            if nice and hasattr(os, "setpriority"):
                with contextlib.suppress(OSError):
                    os.setpriority(os.PRIO_PROCESS, self.proc.pid, os.getpriority(os.PRIO_PROCESS, 0) + nice)
            if sys.platform.startswith("linux"):
                with contextlib.suppress(OSError):
                    import fcntl

                    fcntl.fcntl(self.proc.stdin.fileno(), 1031, _PIPE_BYTES)  # F_SETPIPE_SZ
        except BaseException:
            if self.proc is not None:
                self.kill()
            self._log.close()
            raise

    def write(self, data: memoryview | bytes) -> None:
        try:
            self.proc.stdin.write(data)
        except (BrokenPipeError, ValueError, OSError):
            self.proc.wait()
            raise OSError(errno.EPIPE, f"ffmpeg stopped taking frames: {self.message()}") from None

    def finish(self) -> None:
        """Close the input and wait for ffmpeg; OSError with its message if it failed."""
        try:
            with contextlib.suppress(BrokenPipeError, OSError):
                self.proc.stdin.close()
            code = self.proc.wait()
            if code != 0:
                raise OSError(errno.EIO, f"ffmpeg failed: {self.message()}")
        finally:
            self._log.close()

    def kill(self) -> None:
        """Stop at once (never raises)."""
        with contextlib.suppress(Exception):
            self.proc.kill()
        with contextlib.suppress(Exception):
            self.proc.stdin.close()
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=10)
        with contextlib.suppress(Exception):
            self._log.close()

    def message(self) -> str:
        """ffmpeg's last error line (or its exit status)."""
        try:
            self._log.seek(0)
            text = self._log.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            text = ""
        return _last_line(text) or f"exit status {self.proc.returncode}"


def run(args: Sequence[str]) -> None:
    """Run ffmpeg to completion (no stdin); OSError with its message if it fails."""
    with tempfile.TemporaryFile() as log:
        code = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-nostdin", "-loglevel", "error",
                               "-y", *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=log, check=False).returncode
        if code != 0:
            log.seek(0)
            why = _last_line(log.read().decode("utf-8", "replace")) or f"exit status {code}"
            raise OSError(errno.EIO, f"ffmpeg failed: {why}")


def _last_line(text: str) -> str:
    """ffmpeg's last telling line (not its closing "Conversion failed!")."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    telling = [ln for ln in lines if not ln.startswith(("Conversion failed", "Error while filtering"))]
    return (telling or lines or [""])[-1][:300]
