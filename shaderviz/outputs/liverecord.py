"""``Ctrl+R`` in `play` (or ``record`` over OSC / MIDI): the show's frames to a video file while
it plays, without slowing it down.

Each shown frame is copied into a ring of pixel buffers (outputs/readback: on a GPU the
copy is asynchronous; the frame comes out two frames later) and handed to an encoder
thread that writes it with the writers `render` uses (H.264 MP4 by default: a temporary
name renamed when complete). The file has a constant frame rate (``fps``): a frame is
written as many times as output frames fall in its time on screen, so the video lasts as
long as the performance; frames the encoder cannot take in time are dropped (and
counted), never waited for. What is recorded is the chain's output before anything the
window draws over it: no HUD, no REC mark.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import moderngl
import numpy as np

from shaderviz.outputs.readback import Readback
from shaderviz.outputs.writers import open_writer
from shaderviz.render.glsl import VERTEX_SHADER
from shaderviz.render.targets import Target

QUEUE_FRAMES = 8  # frames waiting for the encoder; more are dropped
COPY_SHADER = """#version 330
in vec2 uv;
out vec4 fragColor;
uniform sampler2D image;
void main() { fragColor = vec4(texture(image, uv).rgb, 1.0); }
"""


def next_recording_path(folder: Path, suffix: str = ".mp4") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    index = 1
    while (folder / f"shaderviz_rec_{index:04d}{suffix}").exists():
        index += 1
    return folder / f"shaderviz_rec_{index:04d}{suffix}"


def even_size(size: tuple[int, int]) -> tuple[int, int]:
    """H.264 in yuv420p needs even sides."""
    return max(2, size[0] - size[0] % 2), max(2, size[1] - size[1] % 2)


class _Take:
    """One recording: readback ring, encoder thread, writer."""

    def __init__(self, ctx: moderngl.Context, path: Path, size: tuple[int, int], fps: float, quality: float,
                 notify: Callable[[str], None]) -> None:
        self.ctx, self.path, self.size, self.fps, self.notify = ctx, path, size, fps, notify
        self.writer = open_writer(path, 2, size, fps, quality, live=True)  # UserError if it cannot write
        self.readback = Readback(ctx, size, 3, depth=2)
        self.frames: queue.Queue[tuple[np.ndarray, int] | None] = queue.Queue(maxsize=QUEUE_FRAMES)
        self.written = self.dropped = self.shown = 0
        self.error: str | None = None
        self.copies: list[int] = []  # copies of each frame in the readback ring, oldest first
        self._scaled: Target | None = None
        self._program: moderngl.Program | None = None
        self._vao: moderngl.VertexArray | None = None
        self.started: float | None = None
        self._thread = threading.Thread(target=self._run, name="shaderviz-record", daemon=True)
        self._thread.start()

    def push(self, output: Target, now: float) -> None:
        """A shown frame at wall time ``now`` (render thread)."""
        if self.started is None:
            self.started = now
        due = math.floor((now - self.started) * self.fps + 1e-6) + 1  # output frames up to now
        copies = due - (self.shown + sum(self.copies))
        if copies <= 0:
            return  # the show runs faster than the file: this frame falls between two
        done = self.readback.push(self._source(output).fbo)
        self.copies.append(copies)
        if done is not None:
            self._offer(done, self.copies.pop(0))

    def _source(self, output: Target) -> Target:
        """The output itself, or scaled to the recording's size (the render size changed,
        or it is odd)."""
        if output.texture.size == self.size:
            return output
        if self._scaled is None:
            self._scaled = Target.create(self.ctx, self.size)
            self._program = self.ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=COPY_SHADER)
            self._vao = self.ctx.vertex_array(self._program, [])
        assert self._program is not None and self._vao is not None
        output.texture.use(0)
        self._program["image"].value = 0
        self._scaled.fbo.use()
        self._vao.render(moderngl.TRIANGLES, vertices=3)
        return self._scaled

    def _offer(self, frame: np.ndarray, copies: int) -> None:
        self.shown += copies
        try:
            self.frames.put_nowait((frame, copies))
        except queue.Full:
            self.dropped += copies  # the encoder is behind: never wait for it
            self.readback.recycle(frame)

    def _run(self) -> None:
        while (item := self.frames.get()) is not None:
            frame, copies = item
            if self.error is None:
                try:
                    upright = np.ascontiguousarray(frame[::-1])  # GL rows come bottom first
                    for _ in range(copies):
                        self.writer.write(upright)
                        self.written += 1
                except Exception as err:  # noqa: BLE001 - reported on screen, the show goes on
                    self.error = " ".join(str(err).split())
            self.readback.recycle(frame)
        self._finish()

    def _finish(self) -> None:
        if self.error is None and self.written:
            try:
                self.writer.finish()
            except Exception as err:  # noqa: BLE001
                self.error = " ".join(str(err).split())
        if self.error is not None or not self.written:
            self.writer.abort()
            self.notify(f"recording failed: {self.error or 'no frames'}")
            return
        dropped = f", {self.dropped} dropped (the encoder fell behind)" if self.dropped else ""
        self.notify(f"saved {self.path.name}: {self.written / self.fps:.1f} s{dropped}")
        print(f"recorded {self.path} ({self.written} frames at {self.fps:g} fps{dropped})", flush=True)

    def stop(self) -> None:
        """No more frames (render thread): the frames in flight go to the encoder, which
        finishes the file on its own thread."""
        for frame in self.readback.drain():
            copies = self.copies.pop(0) if self.copies else 1
            self.shown += copies
            self.frames.put((frame, copies))  # the last few: worth a short wait
        self.frames.put(None)
        for obj in (self._vao, self._program, self._scaled):
            if obj is not None:
                obj.release()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)
        self.readback.release()


class LiveRecorder:
    def __init__(self, ctx: moderngl.Context, folder: Path, fps: float, notify: Callable[[str], None],
                 quality: float = 8.0) -> None:
        self.ctx, self.folder, self.fps, self.notify, self.quality = ctx, folder, fps, notify, quality
        self.take: _Take | None = None
        self._finishing: list[_Take] = []
        self._last: Target | None = None

    @property
    def recording(self) -> bool:
        return self.take is not None

    def command(self, value: Any = None) -> None:
        """``record`` (Ctrl+R): toggle; ``record 1`` / ``record 0``: start / stop."""
        if isinstance(value, (list, tuple)) and len(value) == 1:
            value = value[0]
        want = not self.recording if value is None else _truth(value)
        if want and not self.recording:
            self.start()
        elif not want and self.recording:
            self.stop()

    def start(self) -> None:
        if self._last is None:
            raise ValueError("nothing shown yet to record")
        size = even_size(self._last.texture.size)
        path = next_recording_path(self.folder)
        self.take = _Take(self.ctx, path, size, self.fps, self.quality, self.notify)
        self.notify(f"recording {path.name} ({size[0]}x{size[1]}, {self.fps:g} fps)")

    def stop(self) -> None:
        if self.take is not None:
            self.take.stop()
            self._finishing.append(self.take)
            self.take = None

    def frame(self, output: Target, now: float | None = None) -> None:
        """Each shown frame (render thread)."""
        self._last = output
        if self.take is not None:
            self.take.push(output, time.perf_counter() if now is None else now)
        for take in [t for t in self._finishing if not t._thread.is_alive()]:
            take.join(0)
            self._finishing.remove(take)

    def mark(self) -> str | None:
        """``REC 0:12`` while recording (drawn by the window only)."""
        take = self.take
        if take is None:
            return None
        seconds = int((take.shown + sum(take.copies)) / take.fps)
        return f"REC {seconds // 60}:{seconds % 60:02d}"

    def release(self) -> None:
        """Stop and finish every file (waits for the encoder: a recording is never lost)."""
        self.stop()
        for take in self._finishing:
            take.join(120)
        self._finishing.clear()


def _truth(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes")
    return bool(value) and float(value) >= 0.5
