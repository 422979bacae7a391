"""The sound of ``render --audio`` in the video: the frames are written to a hidden file,
then ffmpeg copies that video stream and encodes the audio file's same stretch of time
beside it, into a temporary name renamed on success, so an interrupted render still leaves
nothing that looks finished. Image outputs (PNG, GIF) have no sound track."""

from __future__ import annotations

import os
import subprocess
from contextlib import suppress
from pathlib import Path

from shaderviz.errors import UserError

AUDIO_CODECS = {".mp4": ["-c:a", "aac", "-b:a", "192k"], ".mov": ["-c:a", "aac", "-b:a", "192k"],
                ".mkv": ["-c:a", "aac", "-b:a", "192k"], ".webm": ["-c:a", "libopus", "-b:a", "160k"]}


def takes_audio(out: Path) -> bool:
    return out.suffix.lower() in AUDIO_CODECS


def silent_path(out: Path) -> Path:
    """Where the frames go before the sound joins them (hidden, beside the output)."""
    return out.with_name(f".{out.stem}.video{out.suffix}")


def add_audio(video: Path, audio: Path, out: Path, start: float, seconds: float) -> None:
    """``video`` + ``audio`` from ``start`` for ``seconds`` -> ``out``; ``video`` is removed.
    UserError with ffmpeg's last line if it fails (nothing is left at ``out`` then)."""
    import imageio_ffmpeg

    partial = out.with_name(f".{out.stem}.partial{out.suffix}")
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
               "-i", str(video), "-ss", f"{start:.6f}", "-t", f"{seconds:.6f}", "-i", str(audio),
               "-map", "0:v:0", "-map", "1:a:0?", "-c:v", "copy", *AUDIO_CODECS[out.suffix.lower()],
               "-t", f"{seconds:.6f}"]
    if out.suffix.lower() == ".mp4":
        command += ["-movflags", "+faststart"]
    try:
        done = subprocess.run([*command, str(partial)], capture_output=True, check=False)
        if done.returncode != 0:
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
            why = lines[-1] if lines else f"exit status {done.returncode}"
            raise UserError(f"{out}: ffmpeg could not add the audio ({why})")
        try:
            os.replace(partial, out)
        except OSError as err:
            raise UserError(f"{out}: cannot write ({err.strerror})") from None
    finally:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
        with suppress(OSError):
            video.unlink(missing_ok=True)
