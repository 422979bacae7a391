"""Hostile files and sizes: one line, exit 2, nothing left behind, memory bounded."""

from __future__ import annotations

import resource
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_cli import ENV, shaderviz

from shaderviz.outputs.codecs import ffmpeg_exe


def png_claiming(path: Path, width: int, height: int) -> Path:
    """A tiny PNG whose header claims width x height (a decompression bomb's shape)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))
    return path


def truncated(path: Path, fraction: float = 0.5) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


@pytest.fixture()
def files(tmp_path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    rng = np.random.default_rng(1)
    picture = (rng.random((120, 160, 3)) * 255).astype(np.uint8)
    Image.fromarray(picture).save(d / "photo.png")
    Image.fromarray(picture).save(d / "photo.jpg", quality=90)
    truncated(d / "photo.png").rename(d / "cut.png")
    Image.fromarray(picture).save(d / "photo.png")
    Image.fromarray(picture).save(d / "cut.jpg", quality=90)
    truncated(d / "cut.jpg", 0.3)
    png_claiming(d / "bomb.png", 60000, 60000)
    png_claiming(d / "wide.png", 70000, 10)
    ff = ffmpeg_exe()
    subprocess.run([ff, "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=300x200:r=10:d=1", "-c:v", "ffv1",
                    str(d / "clip.mkv")], check=True)
    data = bytearray((d / "clip.mkv").read_bytes())
    at = bytes(data).find(b"\xb0\x82\x01\x2c")  # Matroska PixelWidth = 300
    data[at + 2 : at + 4] = b"\xff\xff"  # ... now 65535
    (d / "huge.mkv").write_bytes(data)
    subprocess.run([ff, "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=64x48:r=10:d=2", "-c:v", "libx264",
                    str(d / "whole.mp4")], check=True)
    truncated(d / "whole.mp4").rename(d / "cut.mp4")
    return d


CASES = [
    (["{in}/bomb.png"], "bomb.png: too large to load safely"),
    (["{in}/wide.png"], "70000x10 is too large to load safely"),
    (["{in}/cut.png"], "cut.png: corrupt or unreadable image"),
    (["{in}/cut.jpg"], "cut.jpg: corrupt or unreadable image"),
    (["{in}/huge.mkv"], "65535x200 video frames are too large"),
    (["{in}/cut.mp4"], "cut.mp4: unsupported or corrupt video"),
    (["--size", "9000x9000"], "out of range 1..8192 per side"),
    (["--frames", "100000000"], "is more than 864000"),
    (["--fx", "pixelsort lo=0.9 hi=0.1"], "lo=0.9 and hi=0.1 break lo <= hi"),
    (["--fx", "saturate depth_min=0.8 depth_max=0.3"], "depth_min=0.8 and depth_max=0.3 break"),
    (["--fx", "pixelsort lo=sine(0,0.7) hi=0.5"], "break lo <= hi (over the loop)"),
]


@pytest.mark.parametrize("args, expected", CASES)
@pytest.mark.parametrize("out", ["o.mp4", "o.gif", "frames"])
def test_hostile_input_is_one_line_exit_2_and_leaves_nothing(files, tmp_path, args, expected, out):
    argv = [a.format(**{"in": files}) for a in args]
    if not argv[0].startswith("--"):
        argv += ["--fx", "saturate"]
    if "--frames" not in argv:
        argv += ["--frames", "3"]
    result = shaderviz("render", *argv, "-o", str(tmp_path / out), "--quiet")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_a_bomb_is_refused_before_its_pixels_are_decoded(files):
    """Peak memory of the whole failing run stays far below what decoding would take (10 GB).

    The peak is VmHWM, this address space's own high-water mark: ``ru_maxrss`` also counts
    the address space the child was spawned from (pytest's, ~1 GB once the suite has loaded
    torch and models), which failed this test in a full run."""
    script = ("import resource, sys\nfrom shaderviz.cli import main\ncode = main(sys.argv[1:])\n"
              "try:\n"
              "    status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
              "    print(int(status.split()[0]))\n"
              "except OSError:\n"
              "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
              "sys.exit(code)\n")
    argv = ["render", str(files / "bomb.png"), "--fx", "saturate", "-o", str(files / "x.png")]
    result = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, env=ENV,
                            timeout=120)
    assert result.returncode == 2 and "too large to load safely" in result.stderr
    peak_kib = int(result.stdout.strip().splitlines()[-1])
    assert peak_kib < 1_000_000, peak_kib  # under 1 GB (a decoded 60000x60000 RGB is 10.8 GB)
    assert resource  # (the child reports its own peak)


def test_large_jpeg_decodes_at_a_reduced_scale(tmp_path):
    """A JPEG far larger than the output is decoded with DCT scaling (draft), not in full."""
    from shaderviz.sources.images import load_rgb, open_image

    big = tmp_path / "big.jpg"
    Image.fromarray(np.full((2400, 3200, 3), 128, np.uint8)).save(big, quality=80)
    assert open_image(big, (320, 240)).size == (400, 300)  # 1/8 scale still covers 320x240
    assert load_rgb(big, (320, 240), "fill").shape == (240, 320, 3)
    assert open_image(big).size == (3200, 2400)
