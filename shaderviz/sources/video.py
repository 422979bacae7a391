"""Video files as sources: frames decoded with imageio's ffmpeg plugin."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from shaderviz.errors import UserError
from shaderviz.sources.images import fit_image

VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v", ".mpg", ".mpeg"}


class VideoFile:
    """Sequential-friendly frame access; used from one worker thread at a time."""

    def __init__(self, path: Path) -> None:
        import imageio.v2 as iio

        self.path = path
        try:
            self._reader = iio.get_reader(str(path), format="FFMPEG")
            meta = self._reader.get_meta_data()
            self.fps = float(meta.get("fps") or 25.0)
            self.size = tuple(int(v) for v in meta["size"])
            self.frame_count = self._reader.count_frames()
        except Exception as err:  # noqa: BLE001 - ffmpeg reports many kinds of failure
            raise UserError(f"{path}: unsupported or corrupt video ({_first_line(err)})") from None
        if self.frame_count < 1:
            raise UserError(f"{path}: the video has no frames")
        self._next = 0

    def frame(self, index: int, size: tuple[int, int], fit: str) -> np.ndarray:
        index %= self.frame_count
        try:
            data = self._reader.get_data(index)
        except Exception as err:  # noqa: BLE001
            raise UserError(f"{self.path}: cannot decode frame {index} ({_first_line(err)})") from None
        return np.asarray(fit_image(Image.fromarray(np.asarray(data)[:, :, :3]), size, fit))

    def close(self) -> None:
        self._reader.close()


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
