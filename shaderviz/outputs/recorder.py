"""Offline rendering: a fixed-step clock, GPU readback overlapped with encoding.

Frame i is at t = i / fps and loop phase i / loop_frames, whatever the speed of the
machine, so the output is deterministic and frame ``loop_frames`` equals frame 0. (From a
PNG recipe, frames start at that recipe's time: see ``Show.frame``.) Every PNG frame
carries its own recipe. An effect that does not compile stops the render (a UserError).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Hashable
from pathlib import Path

import numpy as np
from tqdm import tqdm

from shaderviz.app.depthfeed import DepthFeed
from shaderviz.app.show import Show
from shaderviz.errors import UserError
from shaderviz.explore.enhance import EnhanceFeed
from shaderviz.outputs import interrupts
from shaderviz.outputs.codecs import DEFAULT_QUALITY
from shaderviz.outputs.mux import add_audio, silent_path, takes_audio
from shaderviz.outputs.readback import Readback
from shaderviz.outputs.sinks.feed import LiveOutputs
from shaderviz.outputs.snapshot import recipe_text
from shaderviz.outputs.writers import FrameWriter, check_output, open_writer
from shaderviz.render.context import headless_context
from shaderviz.render.renderer import Renderer


class _Encoder:
    """Writes frames on a worker thread so encoding never stalls rendering; each written
    frame goes back to the readback pool."""

    def __init__(self, writer: FrameWriter, readback: Readback, depth: int = 4) -> None:
        self.writer, self.readback = writer, readback
        self.frames: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=depth)
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
            self.readback.recycle(frame)

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
        """Stop writing (after the writer's abort has stopped ffmpeg, so a write blocked on
        its pipe returns at once); wait a bounded time for the worker."""
        self.error = self.error or RuntimeError("aborted")
        while True:
            try:
                self.frames.get_nowait()
            except queue.Empty:
                break
        try:
            self.frames.put_nowait(None)
        except queue.Full:
            pass
        self.thread.join(timeout=10)  # a daemon thread: never holds the exit up for long


def record(show: Show, out: Path, frames: int, quality: float = DEFAULT_QUALITY, progress: bool = True,
           codec: str | None = None, sinks: tuple[str, ...] = ()) -> Path:
    """Render ``frames`` frames of ``show`` into ``out``; nothing is left behind on failure.

    ``codec``: a video codec name (outputs/codecs.py); None picks one by the suffix.
    ``sinks``: ``--out`` specs that also get every frame (a preview while rendering).
    """
    alpha = show.background is None  # --background transparent: the output keeps the chain's alpha
    check_output(out, frames, show.size, codec, alpha)
    track = getattr(show.music, "track", None)  # render --audio FILE: its sound goes into the video
    video = silent_path(out) if track is not None and takes_audio(out) else out
    ctx = headless_context()
    renderer = Renderer(ctx, show.size, show.registry, alpha=alpha,
                        background=show.background or (0.0, 0.0, 0.0))
    readback = encoder = writer = bar = live = None
    depth = DepthFeed(show)
    dreams = EnhanceFeed(show, progress)
    try:
        # Ctrl-C and TERM stop the render between frames (interrupts.check), never inside
        # starting ffmpeg (an orphan would write the file after the clean-up) or a GL call.
        with interrupts.held():
            live = LiveOutputs.for_show(renderer, show, sinks)
            writer = open_writer(video, frames, show.size, show.fps, quality,
                                 lambda number: recipe_text(show.recipe(show.frame(number))), codec, alpha)
            readback = Readback(ctx, show.size, writer.channels)
            encoder = _Encoder(writer, readback)
            depth.start(renderer)
            current_key: object = object()
            bar = tqdm(total=frames, unit="frame", desc=out.name, disable=not progress, leave=False)
            for index in range(frames):
                interrupts.check()
                frame = show.frame(index)
                key = show.source.key_at(frame.time, show.loop_number(index))
                if key != current_key:
                    image = upload_picture(show, renderer, key)
                    if renderer.reads_native(show.chain):  # the sampler zooms into the real pixels
                        renderer.upload_native(show.source.load_native(key), show.fit)
                    depth.new_image(image)
                    dreams.new_image(image)
                    renderer.reset_state()
                    current_key = key
                depth.update(renderer)
                dreams.update(renderer)
                target = renderer.render(show.chain, frame, show.generator)
                if renderer.errors:  # `play` keeps the last good program; a render must not
                    raise _shader_error(renderer.errors)
                # The previous frame's pixels come back while the GPU works on this one.
                done = readback.push(target.fbo)
                if done is not None:
                    encoder.put(done)
                live.push(target)
                bar.update(1)
            for done in readback.drain():
                encoder.put(done)
        encoder.close()
        bar.close()
        writer.finish()
        if video != out:
            add_audio(video, track.path, out, show.frame(0).time, frames / show.fps)
    except BaseException:
        if bar is not None:
            bar.close()  # clear the bar's line, so the error message stands alone
        if writer is not None:
            writer.abort()  # first: kills ffmpeg, so the encoder thread cannot stay blocked on it
        if encoder is not None:
            encoder.abort()
        if video != out:
            video.unlink(missing_ok=True)
        raise
    finally:
        if live is not None:
            live.release()
        if readback is not None:
            readback.release()
        depth.release()
        renderer.release()
        show.source.close()
        ctx.release()
    return out


def upload_picture(show: Show, renderer: Renderer, key: Hashable) -> np.ndarray | None:
    """Load the source's picture ``key`` at the show's size and upload it (None: the source
    has no picture, a GPU generator)."""
    image = show.source.load(key, show.size, show.fit)
    if image is not None:
        show.source.upload(renderer, image, show.fit)
    return image


def _shader_error(errors: dict[str, str]) -> UserError:
    name, message = next(iter(errors.items()))
    lines = message.strip().splitlines() or ["does not compile"]
    more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
    return UserError(f"effect {name!r} does not compile: {lines[0]}{more}")
