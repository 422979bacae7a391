"""Video files as sources: frames decoded with imageio's ffmpeg plugin."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image

from shaderviz.errors import UserError
from shaderviz.sources.images import MAX_PIXELS, fit_box, fit_image

VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v", ".mpg", ".mpeg"}
# Checked from the header before a frame is decoded: frames of at most 8192 per side and
# 67 megapixels (8K), at most 1000 frames/s, at most 24 hours.
MAX_VIDEO_SIDE = 8192
MAX_VIDEO_PIXELS = min(MAX_PIXELS, 8192 * 8192)
MAX_VIDEO_FPS = 1000.0
MAX_VIDEO_SECONDS = 24 * 3600.0


class VideoFile:
    """Sequential-friendly frame access; used from one worker thread at a time."""

    def __init__(self, path: Path) -> None:
        import imageio.v2 as iio

        self.path = path
        self._scaled_to: tuple[int, int] | None = None  # the size the reader decodes to; None: native
        self._position = -1  # the last frame read, counted on through the loops of the stream
        self._looping = True  # the decoder loops the file itself (see ``_read``)
        self._first: bytes | None = None  # a fingerprint of frame 0, to check each loop by
        try:
            self._reader = iio.get_reader(str(path), format="FFMPEG", input_params=self._input_params())
            meta = self._reader.get_meta_data()
            self.fps = float(meta.get("fps") or 25.0)
            self.size = tuple(int(v) for v in meta["size"])
        except Exception as err:  # noqa: BLE001 - ffmpeg reports many kinds of failure
            self._close_quietly()
            raise UserError(f"{path}: unsupported or corrupt video ({_first_line(err)})") from None
        try:
            self._check(meta)
            self.frame_count = self._reader.count_frames()
        except UserError:
            self._close_quietly()
            raise
        except Exception as err:  # noqa: BLE001
            self._close_quietly()
            raise UserError(f"{path}: unsupported or corrupt video ({_first_line(err)})") from None
        if self.frame_count < 1:
            raise UserError(f"{path}: the video has no frames")

    def _input_params(self) -> list[str]:
        return ["-stream_loop", "-1"] if self._looping else []

    def _check(self, meta: dict) -> None:
        """Refuse absurd sizes, rates and lengths before decoding (memory stays bounded)."""
        width, height = self.size
        sides = 0 < width <= MAX_VIDEO_SIDE and 0 < height <= MAX_VIDEO_SIDE
        if not sides or width * height > MAX_VIDEO_PIXELS:
            raise UserError(f"{self.path}: {width}x{height} video frames are too large (the limit is "
                            f"{MAX_VIDEO_SIDE} per side)")
        if not 0 < self.fps <= MAX_VIDEO_FPS:
            raise UserError(f"{self.path}: {self.fps:g} frames per second is not a usable video rate")
        duration = meta.get("duration")
        if isinstance(duration, (int, float)) and duration > MAX_VIDEO_SECONDS:
            raise UserError(f"{self.path}: {duration / 3600:.0f} hours is longer than the "
                            f"{MAX_VIDEO_SECONDS / 3600:g} hours a video source may be")

    def _close_quietly(self) -> None:
        with _quiet_ffmpeg_log():  # "We had to kill ffmpeg": expected here
            try:
                self._reader.close()
            except Exception:  # noqa: BLE001, S110 - already failing
                pass

    def frame(self, index: int, size: tuple[int, int], fit: str) -> np.ndarray:
        """Frame ``index`` (wrapped) as (H, W, 3) uint8 fitted to ``size``. ffmpeg scales it
        as it decodes (bicubic, in its own process): resizing each frame here with Pillow cost
        a live show ~24 ms of CPU per 720p frame, most of a core at video rates."""
        index %= self.frame_count
        scaled, _ = fit_box(self.size, size, fit)
        self._decode_at(None if scaled == self.size else scaled)
        try:
            data = self._read(index)
        except Exception as err:  # noqa: BLE001
            raise UserError(f"{self.path}: cannot decode frame {index} ({_first_line(err)})") from None
        if (data.shape[1], data.shape[0]) == size:
            return data  # the usual case: no copy
        # already at the fitted size: Pillow only crops (fill) or letterboxes (fit) it
        return np.asarray(fit_image(Image.fromarray(data), size, fit))

    def _decode_at(self, size: tuple[int, int] | None) -> None:
        """Reopen the reader to decode at ``size`` (None: native) if it does not already."""
        if size != self._scaled_to:
            self._open(size)

    def _open(self, size: tuple[int, int] | None) -> None:
        import imageio.v2 as iio

        self._close_quietly()
        with _quiet_ffmpeg_log():  # it warns that the size differs from the video's: asked for
            try:
                self._reader = iio.get_reader(str(self.path), format="FFMPEG", size=size,
                                              input_params=self._input_params())
            except Exception as err:  # noqa: BLE001
                raise UserError(f"{self.path}: cannot decode at {size} ({_first_line(err)})") from None
        self._scaled_to = size
        self._position = -1
        self._first = None  # frame 0 at this size is taken again

    def _read(self, index: int) -> np.ndarray:
        """Frame ``index`` (0 <= index < frame_count) from the decoder. Playing on, from the
        last frame back to the first, reads on in a stream that ffmpeg loops itself
        (``-stream_loop``): reopening the decoder at each loop of a short video cost ~60 ms
        of CPU at once, and a live show's slowest frames came from it. Each time the stream
        comes round, frame 0 is checked against the first pass's; a file that does not loop
        exactly falls back to reopening the decoder (a seek) at every wrap."""
        ahead = (index - self._position) % self.frame_count if self._position >= 0 else -1
        at = self._position + ahead if self._looping and 0 <= ahead <= 100 else index
        try:
            data = np.asarray(self._reader.get_data(at))[:, :, :3]
        except Exception:  # noqa: BLE001 - the looped stream ended: read as a plain file
            if at == index:
                raise
            data = None
        if index == 0 and data is not None:
            mark = data[::16, ::16].tobytes()
            if self._first is None or at == 0:
                self._first = mark
            elif mark != self._first:
                data = None
        if data is None:  # the loop drifted or ended: reopen without it and seek from now on
            self._looping = False
            self._open(self._scaled_to)
            at = index
            data = np.asarray(self._reader.get_data(at))[:, :, :3]
        self._position = at
        return data

    def close(self) -> None:
        self._reader.close()


@contextmanager
def _quiet_ffmpeg_log() -> Iterator[None]:
    """imageio-ffmpeg's warnings off for an expected case (errors still show)."""
    logger = logging.getLogger("imageio_ffmpeg")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
