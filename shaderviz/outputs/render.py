"""`render` for one output file: frame count, codec size fitting, the recorder, the summary.

The CLI and the batch runners (local processes, Ray) all call :func:`render_show`, so a
loop rendered in a batch is byte for byte the loop ``shaderviz render IMAGE -o OUT``
makes with the same options.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shaderviz.app.show import Show
from shaderviz.errors import UserError
from shaderviz.outputs import codecs


@dataclass(frozen=True)
class RenderOptions:
    """What `render` takes besides the show; plain data, so it crosses process boundaries."""

    output: Path
    frames: int | None = None
    quality: float = codecs.DEFAULT_QUALITY
    codec: str | None = None
    size_given: bool = False  # --size was given: a size the codec cannot take is an error
    progress: bool = True
    sinks: tuple[str, ...] = ()  # --out: previews while rendering (outputs/sinks)

    def check(self) -> None:
        if not 1 <= self.quality <= 10:
            raise UserError(f"--quality {self.quality:g} is out of range 1..10")


def _note(text: str) -> None:
    print(f"shaderviz: note: {text}", file=sys.stderr)


def frame_count(show: Show, frames: int | None) -> int:
    """``--frames``, else one loop (one per image of a folder); one frame from a PNG recipe."""
    if frames:
        return frames
    return 1 if show.start_time is not None else show.loop_frames * show.source.loops()


def render_show(show: Show, options: RenderOptions, note: Callable[[str], None] = _note) -> str:
    """Render ``show`` to ``options.output``; the one-line summary of what was written."""
    from shaderviz.outputs.recorder import record

    options.check()
    frames = frame_count(show, options.frames)
    out = options.output
    video = options.codec is not None or out.suffix.lower() in codecs.DEFAULT_CODEC
    alpha = show.background is None
    codec = codecs.choose(out, options.codec, alpha) if video and not options.size_given else None
    if codec is not None and codecs.fit_size(codec, show.size) != show.size:
        # Only when the size came from the image or preset: an explicit --size that does not fit is an error.
        width, height = show.size
        show.size = codecs.fit_size(codec, show.size)
        need = "even sides" if codec.multiple == 2 else f"sides that are multiples of {codec.multiple}"
        note(f"{width}x{height} rendered as {show.size[0]}x{show.size[1]}: {codec.name} ({codec.pix_fmt}) "
             f"needs {need}")
    record(show, out, frames, options.quality, progress=options.progress, codec=options.codec,
           sinks=options.sinks)
    seconds = frames / show.fps
    count = f"{frames} frame{'s' if frames != 1 else ''}"
    return f"wrote {out} ({count}, {show.size[0]}x{show.size[1]}, {seconds:g} s at {show.fps:g} fps)"
