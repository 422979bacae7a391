"""Offline rendering: a fixed-step clock, GPU readback overlapped with encoding.

Frame i is at t = i / fps and loop phase i / loop_frames, whatever the speed of the
machine, so the output is deterministic and frame ``loop_frames`` equals frame 0. (From a
PNG recipe, frames start at that recipe's time: see ``Show.frame``.) Every PNG frame
carries its own recipe. An effect that does not compile stops the render (a UserError).
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import moderngl
import numpy as np
from tqdm import tqdm

from shaderviz.app.depthfeed import DepthFeed
from shaderviz.app.show import Show
from shaderviz.errors import UserError
from shaderviz.outputs import interrupts
from shaderviz.outputs.snapshot import recipe_text
from shaderviz.outputs.writers import FrameWriter, check_output, open_writer
from shaderviz.render.context import headless_context
from shaderviz.render.renderer import Renderer


class _Encoder:
    """Writes frames on a worker thread so encoding never stalls rendering."""

    def __init__(self, writer: FrameWriter) -> None:
        self.writer = writer
        self.frames: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=8)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="shaderviz-encoder", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (frame := self.frames.get()) is not None:
            if self.error is None:
                try:
                    self.writer.write(frame)
                except BaseException as err:  # noqa: BLE001 - reported on the main thread
                    self.error = err

    def put(self, frame: np.ndarray) -> None:
        if self.error is not None:
            raise self.error
        self.frames.put(frame)

    def close(self) -> None:
        self.frames.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def abort(self) -> None:
        """Stop writing; wait for the worker so the writer can be cleaned up safely."""
        self.error = self.error or RuntimeError("aborted")
        while True:
            try:
                self.frames.get_nowait()
            except queue.Empty:
                break
        self.frames.put(None)
        self.thread.join()


def record(show: Show, out: Path, frames: int, quality: float = 8.0, progress: bool = True) -> Path:
    """Render ``frames`` frames of ``show`` into ``out``; nothing is left behind on failure."""
    check_output(out, frames, show.size)
    ctx = headless_context()
    renderer = Renderer(ctx, show.size, show.registry)
    width, height = show.size
    pbos = [ctx.buffer(reserve=width * height * 3) for _ in range(2)]
    encoder = None
    writer = None
    depth = DepthFeed(show)
    bar = None
    try:
        # Ctrl-C and TERM stop the render between frames (interrupts.check), never inside
        # starting ffmpeg (an orphan would write the file after the clean-up) or a GL call.
        with interrupts.held():
            writer = open_writer(out, frames, show.size, show.fps, quality,
                                 lambda number: recipe_text(show.recipe(show.frame(number))))
            encoder = _Encoder(writer)
            depth.start(renderer)
            current_key: object = object()
            bar = tqdm(total=frames, unit="frame", desc=out.name, disable=not progress, leave=False)
            for index in range(frames):
                interrupts.check()
                frame = show.frame(index)
                key = show.source.key_at(frame.time, show.loop_number(index))
                if key != current_key:
                    image = show.source.load(key, show.size, show.fit)
                    if image is not None:
                        renderer.upload_source(image)
                    depth.new_image(image)
                    renderer.reset_state()
                    current_key = key
                depth.update(renderer)
                target = renderer.render(show.chain, frame, show.generator)
                if renderer.errors:  # `play` keeps the last good program; a render must not
                    raise _shader_error(renderer.errors)
                # Read into alternating pixel buffers; pull the previous frame's pixels
                # while the GPU works on this one.
                target.fbo.read_into(pbos[index % 2], components=3, alignment=1)
                if index > 0:
                    encoder.put(_pixels(pbos[(index - 1) % 2], width, height))
                bar.update(1)
            encoder.put(_pixels(pbos[(frames - 1) % 2], width, height))
        encoder.close()
        bar.close()
        writer.finish()
    except BaseException:
        if bar is not None:
            bar.close()  # clear the bar's line, so the error message stands alone
        if encoder is not None:
            encoder.abort()
        if writer is not None:
            writer.abort()
        raise
    finally:
        for pbo in pbos:
            pbo.release()
        depth.release()
        renderer.release()
        show.source.close()
        ctx.release()
    return out


def _shader_error(errors: dict[str, str]) -> UserError:
    name, message = next(iter(errors.items()))
    lines = message.strip().splitlines() or ["does not compile"]
    more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
    return UserError(f"effect {name!r} does not compile: {lines[0]}{more}")


def _pixels(buffer: moderngl.Buffer, width: int, height: int) -> np.ndarray:
    return np.frombuffer(buffer.read(), np.uint8).reshape(height, width, 3)[::-1].copy()
