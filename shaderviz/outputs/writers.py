"""Frame writers by output extension. Each writes to a temporary name on the filesystem of
the final files and renames on success, so an interrupted render never leaves a file that
looks complete. Every OS failure reaches the user as one line naming the output and the
reason (a :class:`UserError`), and ``abort()`` never raises."""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image, PngImagePlugin

from shaderviz.errors import UserError
from shaderviz.outputs import codecs, gif
from shaderviz.outputs.codecs import Codec
from shaderviz.outputs.ffmpeg import FFmpegPipe, raw_input_args

FORMATS = (".png", ".mp4", ".mov", ".webm", ".gif")
VIDEO_SUFFIXES = (".mp4", ".mov", ".webm")
FOLDER_NAME = "frame_{:04d}.png"  # the frames of a folder output
PngText = Callable[[int], dict[str, str]]  # frame number -> PNG text chunks (the recipe)
GIF_MAX_BYTES = 8 << 30  # raw frames a GIF may stage on disk before it is encoded


class FrameWriter(Protocol):
    """Takes frames as OpenGL reads them: (H, W, channels) uint8, the BOTTOM row first
    (video flips them for free inside ffmpeg). ``channels`` is 3 (RGB) or 4 (RGBA)."""

    channels: int

    def write(self, frame: np.ndarray) -> None: ...
    def finish(self) -> None: ...  # move the finished output into place
    def abort(self) -> None: ...  # remove everything written so far; never raises


def partial_path(path: Path) -> Path:
    return path.with_name(f".{path.stem}.partial{path.suffix}")


def output_error(path: Path, err: OSError) -> UserError:
    """``OUT: cannot write (Not a directory)``: the user's path, not our temporary's."""
    lines = str(err).strip().splitlines()
    reason = err.strerror or (lines[0] if lines else type(err).__name__)
    return UserError(f"{path}: cannot write ({reason})")


def save_image_file(path: Path, image: Image.Image, **options: object) -> None:
    """Write one image file (format from the suffix) through a hidden temporary beside it, so
    ``path`` is never half written; a one-line UserError when it cannot be written."""
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(tmp, format=Image.registered_extensions()[path.suffix.lower()], **options)
        tmp.replace(path)
    except (FileExistsError, NotADirectoryError):
        raise UserError(f"{path}: cannot write (a part of {path.parent} is a file, not a folder)") from None
    except OSError as err:
        raise UserError(f"{path}: cannot write ({err.strerror or err})") from None
    finally:
        with suppress(OSError):  # the folder itself is unusable: nothing was written there
            tmp.unlink(missing_ok=True)


@contextmanager
def _reported(path: Path) -> Iterator[None]:
    try:
        yield
    except OSError as err:  # BrokenPipeError, NotADirectoryError, EROFS, ENOSPC, ...
        raise output_error(path, err) from None


def check_output(path: Path, frames: int, size: tuple[int, int], codec: str | None = None,
                 alpha: bool = False) -> Codec | None:
    """Reject outputs that cannot work before rendering anything; the video codec, if any."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS and not path.is_dir() and not (frames > 1 and not suffix):
        raise UserError(f"{path}: unsupported output type; use one of {', '.join(FORMATS)} or a folder")
    chosen = None
    if suffix in VIDEO_SUFFIXES or codec is not None:
        chosen = codecs.choose(path, codec, alpha)
    if not path.parent.exists():
        raise UserError(f"{path.parent}: output folder does not exist")
    if not path.parent.is_dir():
        raise output_error(path, OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR)))
    if not suffix and path.exists() and not path.is_dir():
        raise UserError(f"{path}: cannot write frames into it (a file, not a folder)")
    if suffix in (*VIDEO_SUFFIXES, ".gif") and path.is_dir():
        raise output_error(path, OSError(errno.EISDIR, os.strerror(errno.EISDIR)))
    if chosen is not None:
        codecs.check_size(chosen, path, size)
    if suffix == ".gif":
        _check_gif_space(path, frames, size, 4 if alpha else 3)
    return chosen


def _check_gif_space(path: Path, frames: int, size: tuple[int, int], channels: int) -> None:
    """A GIF stages its raw frames on disk (its palette is made from the whole loop)."""
    need = frames * size[0] * size[1] * channels
    if need > GIF_MAX_BYTES:
        raise UserError(f"{path}: {frames} frames of {size[0]}x{size[1]} are too much for a GIF "
                        f"({need / 2**30:.1f} GiB of frames, the limit is {GIF_MAX_BYTES / 2**30:g} GiB); "
                        "render a video, or fewer frames or a smaller --size")
    with suppress(OSError):
        usage = shutil.disk_usage(path.parent)
        free = usage.free
        if usage.total and need > free:  # (pseudo filesystems such as /proc report no total)
            raise UserError(f"{path}: a GIF of {frames} frames at {size[0]}x{size[1]} stages "
                            f"{need / 2**30:.1f} GiB while encoding; {path.parent} has "
                            f"{free / 2**30:.1f} GiB free")


def open_writer(path: Path, frames: int, size: tuple[int, int], fps: float, quality: float,
                png_text: PngText | None = None, codec: str | None = None,
                alpha: bool = False, live: bool = False) -> FrameWriter:
    """The writer for ``path``; its temporary files exist already (so an unwritable
    output fails here, before any frame is rendered). ``alpha``: keep transparency.
    ``live``: a recording of a running show (see :class:`VideoWriter`)."""
    chosen = check_output(path, frames, size, codec, alpha)
    suffix = path.suffix.lower()
    if chosen is not None and chosen.hardware:
        codecs.require(chosen)
    with _reported(path):
        if chosen is not None:
            writer: FrameWriter = VideoWriter(path, size, fps, chosen, quality, live)
        elif suffix == ".gif":
            writer = GifWriter(path, size, fps, alpha)
        else:
            writer = PngWriter(path, frames, png_text or (lambda index: {}), alpha)
    return _Reporting(path, writer)


class _Reporting:
    """A writer whose OS errors are one-line UserErrors and whose abort never raises."""

    def __init__(self, path: Path, writer: FrameWriter) -> None:
        self.path, self.writer = path, writer
        self.channels = writer.channels

    def write(self, frame: np.ndarray) -> None:
        with _reported(self.path):
            self.writer.write(frame)

    def finish(self) -> None:
        with _reported(self.path):
            self.writer.finish()

    def abort(self) -> None:
        with suppress(Exception):  # cleaning up after a failure must not hide the failure
            self.writer.abort()


def _claim(path: Path) -> None:
    """Create the (empty) temporary file now: a path that cannot be written fails at once,
    with the reason from the OS."""
    path.unlink(missing_ok=True)
    path.touch()


def _move(src: Path, dst: Path) -> None:
    """Rename a finished file into place; across filesystems (EXDEV), copy it beside
    ``dst`` first so the final name still appears only when the file is complete."""
    try:
        os.replace(src, dst)
    except OSError as err:
        if err.errno != errno.EXDEV:
            raise
        beside = dst.with_name(f".{dst.name}.partial")
        try:
            shutil.copyfile(src, beside)
            os.replace(beside, dst)
        finally:
            beside.unlink(missing_ok=True)
        src.unlink()


# Measured with `python -m benchmarks.control` (recording case, 2 cores, software GL):
# x264's "medium" took the window's frame time p99 to 2.25 x p50.
LIVE_PRESET = "veryfast"
LIVE_NICE = 5


class VideoWriter:
    """Frames streamed to one ffmpeg process: ``codec`` (see outputs/codecs.py) into a
    temporary file that is renamed when ffmpeg has finished it.

    ``live``: the frames come from a show playing in a window (Ctrl+R), which must keep its
    frame rate: x264/x265 use a faster preset (``LIVE_PRESET``, as streaming software does)
    and ffmpeg runs at a lower CPU priority than the window (``LIVE_NICE``)."""

    def __init__(self, path: Path, size: tuple[int, int], fps: float, codec: Codec, quality: float,
                 live: bool = False) -> None:
        self.path, self.tmp, self.codec = path, partial_path(path), codec
        # Straight from the GPU: alpha codecs and HAP (which only takes rgba) read 4 channels.
        self.channels = 4 if codec.alpha or codec.pix_fmt == "rgba" else 3
        filters = ",".join(("vflip", *codec.filters))  # vflip only moves row pointers: no copy
        args = [*codec.input_args, *raw_input_args(size, self.channels, fps), "-vf", filters,
                *codec.args(quality), "-an"]
        if live and "-preset" in args and codec.encoder in ("libx264", "libx265"):
            args[args.index("-preset") + 1] = LIVE_PRESET
        if path.suffix.lower() in (".mp4", ".mov"):
            args += ["-movflags", "+faststart"]
        else:  # Matroska writes random IDs and the date: the same render gives the same bytes
            args += ["-fflags", "+bitexact"]
        try:  # (a signal right after the claim must not leave the claimed file)
            _claim(self.tmp)  # ffmpeg overwrites it (-y)
            self._pipe = FFmpegPipe([*args, "-f", _MUXERS[path.suffix.lower()], str(self.tmp)],
                                    nice=LIVE_NICE if live else 0)
        except BaseException:  # (FFmpegPipe has killed its ffmpeg)
            self.tmp.unlink(missing_ok=True)
            raise

    def write(self, frame: np.ndarray) -> None:
        self._pipe.write(memoryview(np.ascontiguousarray(frame)).cast("B"))

    def finish(self) -> None:
        self._pipe.finish()
        if not self.tmp.is_file() or self.tmp.stat().st_size == 0:
            raise OSError(errno.EIO, "ffmpeg wrote no video")
        _move(self.tmp, self.path)

    def abort(self) -> None:
        self._pipe.kill()
        with suppress(OSError):
            self.tmp.unlink(missing_ok=True)


_MUXERS = {".mp4": "mp4", ".mov": "mov", ".webm": "webm", ".gif": "gif"}


class GifWriter(gif.GifWriter):
    """outputs/gif.py, renamed into place like the other outputs."""

    def __init__(self, path: Path, size: tuple[int, int], fps: float, alpha: bool = False) -> None:
        super().__init__(path, size, fps, alpha, partial_path(path))

    def finish(self) -> None:  # type: ignore[override]
        super().finish(_move)


class PngWriter:
    """One PNG, a ``%04d`` pattern, or a folder of numbered PNGs (``frame_0000.png``, ...).

    Frames are staged in a hidden folder on the filesystem of the final files: beside a
    new output folder (renamed into place whole), or inside an existing one (it may be a
    mount point), or beside the files of a pattern. When done, older frames of the same
    naming pattern with higher numbers (from a longer render before) are removed.
    """

    def __init__(self, path: Path, frames: int, text: PngText, alpha: bool = False) -> None:
        self.path, self.frames, self.text, self.count = path, frames, text, 0
        self.channels = 4 if alpha else 3
        self.pattern = "%" in path.name
        self.is_dir = path.is_dir() or (not self.pattern and not path.suffix)
        if frames > 1 and not self.pattern and not self.is_dir:
            self.pattern = True
            self.path = path.with_name(f"{path.stem}_%04d{path.suffix}")
        if self.pattern:
            self._check_pattern()
        self.folder = self.path if self.is_dir else self.path.parent  # where the frames go
        self.staging: Path | None = None
        self.new_folder = self.is_dir and not self.path.exists()
        if self.new_folder:
            self.staging = path.with_name(f".{path.name}.partial")
        elif self.is_dir:
            self.staging = self.folder / ".shaderviz.partial"
        elif self.pattern:
            self.staging = path.with_name(f".{path.name.replace('%', '_')}.partial")
        try:
            if self.staging is None:
                _claim(partial_path(self.path))
            else:
                shutil.rmtree(self.staging, ignore_errors=True)  # left by a killed render
                self.staging.mkdir()
        except BaseException:
            self.abort()
            raise

    def _check_pattern(self) -> None:
        try:
            names = {self.path.name % 0, self.path.name % 1}
        except (TypeError, ValueError):
            names = set()
        if len(names) != 2:
            raise UserError(f"{self.path}: the pattern needs one %d-style field")

    def _name(self, index: int) -> str:
        return FOLDER_NAME.format(index) if self.is_dir else self.path.name % index

    def write(self, frame: np.ndarray) -> None:
        info = PngImagePlugin.PngInfo()
        for key, value in self.text(self.count).items():
            info.add_itxt(key, value)
        if self.staging is None:
            target = partial_path(self.path)
        else:
            target = self.staging / self._name(self.count)
        Image.fromarray(np.ascontiguousarray(frame[::-1])).save(target, format="PNG", pnginfo=info)
        self.count += 1

    def finish(self) -> None:
        if self.staging is None:
            _move(partial_path(self.path), self.path)
            return
        if self.new_folder:
            os.replace(self.staging, self.path)  # same parent: never across filesystems
            return
        for item in sorted(self.staging.iterdir()):
            _move(item, self.folder / item.name)
        self.staging.rmdir()
        self._remove_stale()

    def _remove_stale(self) -> None:
        """Remove our own frames numbered ``count`` and up, left by an earlier, longer render:
        only names that this writer would itself produce (checked by writing them again)."""
        template = "frame_%04d.png" if self.is_dir else self.path.name
        parts = re.split(r"(%%|%[-+ #0-9.]*[a-zA-Z])", template)
        regex = "".join(
            "%" if part == "%%" else r"([ +\-]?\d+)" if i % 2 else re.escape(part)
            for i, part in enumerate(parts)
        )
        for item in self.folder.iterdir():
            match = re.fullmatch(regex, item.name)
            if match is None or len(match.groups()) != 1:
                continue
            index = int(match.group(1))
            if index >= self.count and self._name(index) == item.name and item.is_file():
                item.unlink()

    def abort(self) -> None:
        with suppress(OSError):
            if self.staging is None:
                partial_path(self.path).unlink(missing_ok=True)
            else:
                shutil.rmtree(self.staging, ignore_errors=True)
