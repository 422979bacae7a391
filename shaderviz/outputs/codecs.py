"""Video codecs for ``render``: one table that the CLI help, the checks and the writer read.

Each codec names its ffmpeg encoder, the containers it may go in, the pixel format it
stores, whether it keeps alpha, the multiple its width and height must be, and how
``--quality`` maps to the encoder's own setting. The bundled ffmpeg (imageio-ffmpeg)
has every software encoder here; hardware encoders (NVENC, Quick Sync, VAAPI, AMF,
VideoToolbox) work only where ffmpeg finds the device, which :func:`probe` checks with
one tiny encode before any frame is rendered.
"""

from __future__ import annotations

import functools
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shaderviz.errors import UserError

DEFAULT_QUALITY = 8.0
CONTAINERS = (".mp4", ".mov", ".webm")


def crf(quality: float) -> float:
    """x264/x265 constant rate factor for ``--quality`` 1..10: crf = 34 - 2 x quality.

    The default 8 gives crf 18, the usual "visually lossless" point for 8-bit H.264;
    10 gives 14 (for further editing), 1 gives 32 (small previews).
    """
    return round(34.0 - 2.0 * quality, 2)


def vp9_crf(quality: float) -> int:
    """libvpx-vp9 crf (0..63, constant quality) for ``--quality`` 1..10: 63 - 5.3 x quality
    rounded: 8 -> 21, 10 -> 10, 1 -> 58."""
    return round(63 - quality * 5.3)


def _fmt(value: float) -> str:
    return f"{value:g}"


def _x26x(quality: float) -> list[str]:
    return ["-crf", _fmt(crf(quality)), "-preset", "medium"]


def _vp9(quality: float) -> list[str]:
    # Constant quality (-b:v 0 -crf); "good" deadline at cpu-used 4 with row multithreading
    # and tile columns: several times faster than libvpx's default (cpu-used 1, one thread).
    return ["-b:v", "0", "-crf", str(vp9_crf(quality)), "-deadline", "good", "-cpu-used", "4",
            "-row-mt", "1", "-tile-columns", "2"]


def _nvenc(quality: float) -> list[str]:
    return ["-preset", "p5", "-tune", "hq", "-rc", "vbr", "-cq", _fmt(round(crf(quality))), "-b:v", "0"]


def _qsv(quality: float) -> list[str]:
    return ["-preset", "medium", "-global_quality", _fmt(round(crf(quality)))]


def _vaapi(quality: float) -> list[str]:
    return ["-rc_mode", "CQP", "-qp", _fmt(round(crf(quality)))]


def _amf(quality: float) -> list[str]:
    qp = _fmt(round(crf(quality)))
    return ["-rc", "cqp", "-qp_i", qp, "-qp_p", qp, "-quality", "quality"]


def _videotoolbox(quality: float) -> list[str]:
    return ["-q:v", _fmt(round(quality * 10))]  # VideoToolbox's constant quality, 1..100


def _fixed(*args: str) -> Callable[[float], list[str]]:
    return lambda quality: list(args)


@dataclass(frozen=True)
class Codec:
    name: str  # the --codec value
    encoder: str  # ffmpeg encoder
    containers: tuple[str, ...]
    pix_fmt: str  # stored pixel format
    description: str
    quality_args: Callable[[float], list[str]] = field(repr=False)
    alpha: bool = False  # keeps the chain's alpha
    multiple: int = 2  # width and height must be multiples of this
    hardware: bool = False
    quality_doc: str = "--quality is not used"
    extra_args: tuple[str, ...] = ()  # always passed (after the quality arguments)
    input_args: tuple[str, ...] = ()  # before the input (hardware devices)
    filters: tuple[str, ...] = ()  # appended to the video filter chain (hwupload, ...)

    def args(self, quality: float) -> list[str]:
        return ["-c:v", self.encoder, *self.quality_args(quality), *self.extra_args, "-pix_fmt", self.pix_fmt]


_CRF_DOC = "crf = 34 - 2 x quality (8 -> 18)"
_H264 = (".mp4", ".mov")

CODECS: dict[str, Codec] = {c.name: c for c in (
    Codec("h264", "libx264", _H264, "yuv420p", "H.264 (x264), plays everywhere", _x26x,
          quality_doc=_CRF_DOC),
    Codec("hevc", "libx265", _H264, "yuv420p", "H.265 (x265): about half the size, slower to encode",
          lambda q: ["-crf", _fmt(crf(q) + 4), "-preset", "medium", "-x265-params", "log-level=error"],
          quality_doc="crf = 38 - 2 x quality (x265's scale runs about 4 higher)",
          extra_args=("-tag:v", "hvc1")),
    Codec("vp9", "libvpx-vp9", (".webm",), "yuv420p", "VP9 (libvpx), for the web", _vp9,
          quality_doc="crf = 63 - 5.3 x quality, rounded (8 -> 21)"),
    Codec("vp9_alpha", "libvpx-vp9", (".webm",), "yuva420p", "VP9 with alpha (browsers, OBS)",
          lambda q: [*_vp9(q), "-auto-alt-ref", "0"], alpha=True,
          quality_doc="as vp9"),
    Codec("hap", "hap", (".mov",), "rgba", "HAP (DXT1): decoded on the GPU by VJ software",
          _fixed("-format", "hap", "-compressor", "snappy", "-chunks", "4"), multiple=4),
    Codec("hap_q", "hap", (".mov",), "rgba", "HAP Q (DXT5 YCoCg): better colour, twice the size",
          _fixed("-format", "hap_q", "-compressor", "snappy", "-chunks", "4"), multiple=4),
    Codec("hap_alpha", "hap", (".mov",), "rgba", "HAP Alpha (DXT5): HAP with an alpha channel",
          _fixed("-format", "hap_alpha", "-compressor", "snappy", "-chunks", "4"), alpha=True, multiple=4),
    Codec("prores", "prores_aw", (".mov",), "yuv422p10le", "ProRes 422 HQ (10-bit), for editors",
          _fixed("-profile:v", "3", "-vendor", "apl0")),
    Codec("prores_4444", "prores_aw", (".mov",), "yuva444p10le", "ProRes 4444 (10-bit) with alpha",
          _fixed("-profile:v", "4", "-vendor", "apl0"), alpha=True),
    # Hardware encoders: where ffmpeg finds the device (checked by probe() before rendering).
    Codec("h264_nvenc", "h264_nvenc", _H264, "yuv420p", "H.264 on an NVIDIA GPU (NVENC)", _nvenc,
          hardware=True, quality_doc="-cq = round(crf)"),
    Codec("hevc_nvenc", "hevc_nvenc", _H264, "yuv420p", "H.265 on an NVIDIA GPU (NVENC)", _nvenc,
          hardware=True, quality_doc="-cq = round(crf)", extra_args=("-tag:v", "hvc1")),
    Codec("h264_qsv", "h264_qsv", _H264, "nv12", "H.264 on Intel Quick Sync", _qsv, hardware=True,
          quality_doc="-global_quality = round(crf)"),
    Codec("hevc_qsv", "hevc_qsv", _H264, "nv12", "H.265 on Intel Quick Sync", _qsv, hardware=True,
          quality_doc="-global_quality = round(crf)", extra_args=("-tag:v", "hvc1")),
    Codec("h264_vaapi", "h264_vaapi", _H264, "vaapi", "H.264 through VAAPI (Linux: Intel, AMD)", _vaapi,
          hardware=True, quality_doc="-qp = round(crf)",
          input_args=("-vaapi_device", "/dev/dri/renderD128"), filters=("format=nv12", "hwupload")),
    Codec("hevc_vaapi", "hevc_vaapi", _H264, "vaapi", "H.265 through VAAPI (Linux: Intel, AMD)", _vaapi,
          hardware=True, quality_doc="-qp = round(crf)", extra_args=("-tag:v", "hvc1"),
          input_args=("-vaapi_device", "/dev/dri/renderD128"), filters=("format=nv12", "hwupload")),
    Codec("h264_amf", "h264_amf", _H264, "yuv420p", "H.264 on an AMD GPU (AMF)", _amf, hardware=True,
          quality_doc="-qp_i/-qp_p = round(crf)"),
    Codec("hevc_amf", "hevc_amf", _H264, "yuv420p", "H.265 on an AMD GPU (AMF)", _amf, hardware=True,
          quality_doc="-qp_i/-qp_p = round(crf)", extra_args=("-tag:v", "hvc1")),
    Codec("h264_videotoolbox", "h264_videotoolbox", _H264, "yuv420p", "H.264 on macOS (VideoToolbox)",
          _videotoolbox, hardware=True, quality_doc="-q:v = 10 x quality"),
    Codec("hevc_videotoolbox", "hevc_videotoolbox", _H264, "yuv420p", "H.265 on macOS (VideoToolbox)",
          _videotoolbox, hardware=True, quality_doc="-q:v = 10 x quality", extra_args=("-tag:v", "hvc1")),
)}

DEFAULT_CODEC = {".mp4": "h264", ".mov": "h264", ".webm": "vp9"}


def choose(path: Path, name: str | None, alpha: bool = False) -> Codec:
    """The codec for ``path`` (by suffix, or ``--codec NAME``); UserError if they do not fit.

    ``alpha``: the output must keep transparency (``--background transparent``): the
    default becomes the container's alpha codec where it has one.
    """
    suffix = path.suffix.lower()
    if name is None:
        if suffix not in DEFAULT_CODEC:
            raise UserError(f"{path}: --codec needs a video file: {', '.join(CONTAINERS)}")
        name = DEFAULT_CODEC[suffix]
        if alpha:
            name = {".webm": "vp9_alpha", ".mov": "prores_4444"}.get(suffix, name)
    codec = CODECS.get(name)
    if codec is None:
        raise UserError(f"--codec {name}: unknown codec; one of {', '.join(CODECS)}")
    if suffix not in codec.containers:
        raise UserError(f"--codec {name} goes in {' or '.join(codec.containers)}, not {suffix or 'a folder'}"
                        f" (write {path.with_suffix(codec.containers[0]).name})")
    if alpha and not codec.alpha:
        keep = ", ".join(c.name for c in CODECS.values() if c.alpha)
        raise UserError(f"--background transparent: {name} has no alpha channel; use --codec {keep}, "
                        "or .png / .gif")
    return codec


def check_size(codec: Codec, path: Path, size: tuple[int, int]) -> None:
    width, height = size
    if width % codec.multiple or height % codec.multiple:
        need = "an even width and height" if codec.multiple == 2 else \
            f"a width and height that are multiples of {codec.multiple}"
        raise UserError(f"{path}: {codec.name} ({codec.pix_fmt}) needs {need}, got {width}x{height}")


def fit_size(codec: Codec, size: tuple[int, int]) -> tuple[int, int]:
    """The largest size no bigger than ``size`` that ``codec`` takes."""
    m = codec.multiple
    return max(m, size[0] - size[0] % m), max(m, size[1] - size[1] % m)


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@functools.cache
def probe(name: str) -> str | None:
    """None if ``name`` can encode here; else why not, in one line.

    Software encoders are in the bundled ffmpeg. A hardware one is tried on a few frames
    of 256x256 black, so a missing driver or device is found before any frame is rendered.
    """
    codec = CODECS[name]
    if not codec.hardware:
        return None
    cmd = [ffmpeg_exe(), "-hide_banner", "-v", "error", *codec.input_args, "-f", "lavfi",
           "-i", "color=black:s=256x256:r=30:d=0.1"]
    if codec.filters:
        cmd += ["-vf", ",".join(codec.filters)]
    cmd += [*codec.args(DEFAULT_QUALITY), "-f", "null", "-"]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"could not try it ({err})"
    if result.returncode == 0:
        return None
    lines = [ln.strip() for ln in result.stderr.splitlines() if ln.strip()]
    if any("Unknown encoder" in ln or "Encoder not found" in ln for ln in lines):
        return "this ffmpeg has no such encoder"
    return _reason(lines)


def _reason(lines: list[str]) -> str:
    """The most telling line of ffmpeg's complaint (the device or driver, not the aftermath)."""
    lines = [re.sub(r"^\[[^]]*@ 0x[0-9a-f]+\]\s*", "", ln) for ln in lines]
    for hint in ("No capable devices", "No NVENC", "Cannot load", "not found", "Failed", "Error", "error"):
        for line in lines:
            if hint in line:
                return line[:200]
    return lines[0][:200] if lines else "the encoder did not start"


def require(codec: Codec) -> None:
    """UserError naming the encoder, why it cannot run, and what to use instead."""
    why = probe(codec.name)
    if why is not None:
        fallback = "hevc" if codec.encoder.startswith("hevc") else "h264"
        raise UserError(f"--codec {codec.name}: not available on this machine ({why}); "
                        f"use --codec {fallback} (software)")


def describe() -> str:
    """The codecs in one line for ``--help`` (the README has the full table)."""
    software = [c for c in CODECS.values() if not c.hardware]
    parts = [f"{c.name} ({'/'.join(c.containers)}{', alpha' if c.alpha else ''})" for c in software]
    hardware = " ".join(c.name for c in CODECS.values() if c.hardware)
    return f"{', '.join(parts)}; hardware, where ffmpeg finds the device: {hardware}"
