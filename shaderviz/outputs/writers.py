"""Frame writers by output extension. Each writes to a temporary name and renames on
success, so an interrupted render never leaves a file that looks complete."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image, PngImagePlugin

from shaderviz.errors import UserError

VIDEO_CODECS = {".mp4": "libx264", ".webm": "libvpx-vp9"}
FORMATS = (".png", ".mp4", ".gif", ".webm")
PngText = Callable[[int], dict[str, str]]  # frame number -> PNG text chunks (the recipe)


class FrameWriter(Protocol):
    def write(self, frame: np.ndarray) -> None: ...
    def finish(self) -> None: ...  # move the finished output into place
    def abort(self) -> None: ...  # remove everything written so far


def partial_path(path: Path) -> Path:
    return path.with_name(f".{path.stem}.partial{path.suffix}")


def check_output(path: Path, frames: int, size: tuple[int, int]) -> None:
    """Reject outputs that cannot work before rendering anything."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS and not path.is_dir() and not (frames > 1 and not suffix):
        raise UserError(f"{path}: unsupported output type; use one of {', '.join(FORMATS)} or a folder")
    if not path.parent.exists():
        raise UserError(f"{path.parent}: output folder does not exist")
    if suffix in VIDEO_CODECS and (size[0] % 2 or size[1] % 2):
        raise UserError(f"{path}: {suffix} (yuv420p) needs an even width and height, got {size[0]}x{size[1]}")


def open_writer(path: Path, frames: int, size: tuple[int, int], fps: float, quality: float,
                png_text: PngText | None = None) -> FrameWriter:
    check_output(path, frames, size)
    suffix = path.suffix.lower()
    if suffix in VIDEO_CODECS:
        return VideoWriter(path, size, fps, quality)
    if suffix == ".gif":
        return GifWriter(path, fps)
    return PngWriter(path, frames, png_text or (lambda index: {}))


class VideoWriter:
    """H.264 (mp4) or VP9 (webm), yuv420p, streamed to ffmpeg frame by frame."""

    def __init__(self, path: Path, size: tuple[int, int], fps: float, quality: float) -> None:
        import imageio_ffmpeg

        self.path, self.tmp = path, partial_path(path)
        codec = VIDEO_CODECS[path.suffix.lower()]
        if codec == "libx264":
            params = ["-movflags", "+faststart"]
        else:  # VP9 constant quality: crf 63 (worst) .. 10 (best) from quality 1..10
            params = ["-b:v", "0", "-crf", str(round(63 - quality * 5.3))]
        self._gen = imageio_ffmpeg.write_frames(
            str(self.tmp), size, fps=fps, codec=codec, pix_fmt_in="rgb24",
            pix_fmt_out="yuv420p", quality=quality if codec == "libx264" else None,
            macro_block_size=2, ffmpeg_log_level="error", output_params=params,
        )
        self._gen.send(None)

    def write(self, frame: np.ndarray) -> None:
        self._gen.send(np.ascontiguousarray(frame))

    def finish(self) -> None:
        self._gen.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        try:
            self._gen.close()
        except Exception:  # noqa: BLE001 - ffmpeg may already be gone
            pass
        self.tmp.unlink(missing_ok=True)


class GifWriter:
    """Animated GIF that loops forever (frames kept until the end: GIFs are short)."""

    def __init__(self, path: Path, fps: float) -> None:
        self.path, self.tmp, self.fps = path, partial_path(path), fps
        self._frames: list[Image.Image] = []

    def write(self, frame: np.ndarray) -> None:
        self._frames.append(Image.fromarray(frame).quantize(256, method=Image.Quantize.MEDIANCUT))

    def finish(self) -> None:
        first, *rest = self._frames
        first.save(self.tmp, format="GIF", save_all=True, append_images=rest, loop=0,
                   duration=round(1000 / self.fps), disposal=1)
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self._frames.clear()
        self.tmp.unlink(missing_ok=True)


class PngWriter:
    """One PNG, a ``%04d`` pattern, or a folder of numbered PNGs."""

    def __init__(self, path: Path, frames: int, text: PngText) -> None:
        self.path, self.frames, self.text, self.count = path, frames, text, 0
        self.pattern = "%" in path.name
        self.is_dir = path.is_dir() or (not self.pattern and not path.suffix)
        if frames > 1 and not self.pattern and not self.is_dir:
            self.pattern = True
            self.path = path.with_name(f"{path.stem}_%04d{path.suffix}")
        self.staging = None
        if frames > 1 or self.is_dir:
            self.staging = path.with_name(f".{path.name.replace('%', '_')}.partial")
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging.mkdir()

    def _name(self, index: int) -> str:
        if self.is_dir:
            return f"frame_{index:04d}.png"
        try:
            return self.path.name % index
        except TypeError:
            raise UserError(f"{self.path}: the pattern needs one %d-style field") from None

    def write(self, frame: np.ndarray) -> None:
        info = PngImagePlugin.PngInfo()
        for key, value in self.text(self.count).items():
            info.add_itxt(key, value)
        if self.staging is None:
            target = partial_path(self.path)
        else:
            target = self.staging / self._name(self.count)
        Image.fromarray(frame).save(target, format="PNG", pnginfo=info)
        self.count += 1

    def finish(self) -> None:
        if self.staging is None:
            os.replace(partial_path(self.path), self.path)
            return
        if self.is_dir and not self.path.exists():
            os.replace(self.staging, self.path)
            return
        folder = self.path if self.is_dir else self.path.parent
        for item in sorted(self.staging.iterdir()):
            os.replace(item, folder / item.name)
        self.staging.rmdir()

    def abort(self) -> None:
        if self.staging is None:
            partial_path(self.path).unlink(missing_ok=True)
        else:
            shutil.rmtree(self.staging, ignore_errors=True)
