"""Animated GIF: one palette per loop, frame differencing, the loop's real length.

Frames are staged raw on disk beside the output (memory stays flat however long the
loop). At the end ffmpeg's ``palettegen`` makes one 256-colour palette from frames spread
over the whole loop (at most 16, at most 512 pixels wide: the palette of a loop, not of
its first frame), Pillow maps every frame to it (Floyd-Steinberg, a few ms a frame) and
writes the GIF, storing of each frame only the rectangle that changed and merging frames
that did not change at all. GIF delays are whole centiseconds: each frame gets the
difference of its rounded start and end times (30 fps: 3, 3, 4, 3, 3, 4 ... cs), so a 4 s
loop lasts exactly 4 s. With alpha, pixels under half opacity are transparent (GIF has
1-bit alpha) and each frame clears the one before it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import numpy as np
from PIL import Image

from shaderviz.outputs.ffmpeg import raw_input_args
from shaderviz.outputs.ffmpeg import run as ffmpeg_run

PALETTE_FRAMES = 16
PALETTE_WIDTH = 512
TRANSPARENT = 255  # the palette index kept for transparency (alpha GIFs)


def delays_ms(frames: int, fps: float) -> list[int]:
    """Per-frame delays in whole centiseconds (as ms) that add up to the loop's length."""
    ends = [round((i + 1) * 100 / fps) for i in range(frames)]
    return [10 * (end - start) for start, end in zip([0, *ends], ends, strict=False)]


class GifWriter:
    def __init__(self, path: Path, size: tuple[int, int], fps: float, alpha: bool = False,
                 partial: Path | None = None) -> None:
        self.path, self.size, self.fps, self.alpha = path, size, fps, alpha
        self.channels = 4 if alpha else 3
        self.tmp = partial or path.with_name(f".{path.stem}.partial{path.suffix}")
        self.raw = path.with_name(f".{path.stem}.partial.raw")
        self.palette = path.with_name(f".{path.stem}.partial.palette.png")
        self.count = 0
        self._file = None
        try:
            self.tmp.unlink(missing_ok=True)
            self.tmp.touch()  # an unwritable folder fails here, before any frame is rendered
            self._file = open(self.raw, "wb")  # noqa: SIM115 - closed in finish/abort
        except BaseException:
            self.abort()
            raise

    def write(self, frame: np.ndarray) -> None:
        """A frame as OpenGL reads it (bottom row first)."""
        self._file.write(memoryview(np.ascontiguousarray(frame)).cast("B"))
        self.count += 1

    def finish(self, move) -> None:  # noqa: ANN001 - writers._move (rename, or copy across filesystems)
        self._file.close()
        palette = self._palette()
        frames = self._frames(palette)
        first = next(frames)
        options = {"save_all": True, "append_images": frames, "loop": 0,
                   "duration": delays_ms(self.count, self.fps), "disposal": 2 if self.alpha else 1}
        if self.alpha:
            options["transparency"] = TRANSPARENT
        first.save(self.tmp, format="GIF", **options)
        self._cleanup_staging()
        move(self.tmp, self.path)

    def _palette(self) -> Image.Image:
        """One palette for the loop, from up to 16 frames spread over it."""
        step = max(1, math.ceil(self.count / PALETTE_FRAMES))
        width = min(PALETTE_WIDTH, self.size[0])
        source = [*raw_input_args(self.size, self.channels, self.fps)[:-1], str(self.raw)]
        colours = 255 if self.alpha else 256
        sample = f"select='not(mod(n\\,{step}))',scale={width}:-1:flags=neighbor,format=rgb24"
        make = f"palettegen=max_colors={colours}:stats_mode=full:reserve_transparent=0"
        ffmpeg_run([*source, "-vf", f"{sample},{make}", "-frames:v", "1", "-update", "1", str(self.palette)])
        with Image.open(self.palette) as found:
            rgb = np.asarray(found.convert("RGB")).reshape(-1, 3)[:colours]
        flat = list(rgb.ravel()) + [0] * (768 - 3 * len(rgb))
        palette = Image.new("P", (1, 1))
        palette.putpalette(flat)
        return palette

    def _frames(self, palette: Image.Image) -> Iterator[Image.Image]:
        """Each staged frame, upright, mapped to the palette (read one at a time)."""
        width, height = self.size
        raw = np.memmap(self.raw, np.uint8, "r", shape=(self.count, height, width, self.channels))
        try:
            for index in range(self.count):
                pixels = np.ascontiguousarray(raw[index, ::-1])
                rgb = Image.fromarray(np.ascontiguousarray(pixels[..., :3]))
                image = rgb.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG)
                if self.alpha:
                    indices = np.asarray(image).copy()
                    indices[pixels[..., 3] < 128] = TRANSPARENT
                    image = Image.fromarray(indices, "P")
                    image.putpalette(palette.getpalette())
                yield image
        finally:
            del raw

    def _cleanup_staging(self) -> None:
        for path in (self.raw, self.palette):
            with suppress(OSError):
                path.unlink(missing_ok=True)

    def abort(self) -> None:
        if self._file is not None:
            with suppress(OSError):
                self._file.close()
        self._cleanup_staging()
        with suppress(OSError):
            self.tmp.unlink(missing_ok=True)
