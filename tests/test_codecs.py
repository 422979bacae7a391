"""Video codecs, GIF timing and the encoder settings, checked with the bundled ffmpeg."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_cli import ok, one_line_error, shaderviz

from shaderviz.app.show import build_show
from shaderviz.errors import UserError
from shaderviz.outputs import codecs
from shaderviz.outputs.recorder import record


def ffmpeg() -> str:
    return codecs.ffmpeg_exe()


def probe(path: Path) -> dict:
    """Codec, pixel format, size and the number of frames ffmpeg decodes."""
    info = subprocess.run([ffmpeg(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    line = next(ln for ln in info.splitlines() if "Video:" in ln)
    codec = line.split("Video:")[1].split()[0]
    size = tuple(int(v) for v in re.search(r", (\d+)x(\d+)", line).groups())
    cmd = [ffmpeg(), "-v", "error", "-i", str(path), "-f", "null", "-", "-progress", "pipe:1"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    frames = int(re.findall(r"^frame=(\d+)", done, re.M)[-1])
    return {"codec": codec, "line": line, "size": size, "frames": frames}


def decode(path: Path, pix_fmt: str = "rgba") -> np.ndarray:
    """Every frame as (N, H, W, C) uint8."""
    size = probe(path)["size"]
    cmd = [ffmpeg(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", pix_fmt, "-"]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    channels = {"rgba": 4, "rgb24": 3}[pix_fmt]
    return np.frombuffer(raw, np.uint8).reshape(-1, size[1], size[0], channels)


@pytest.fixture(scope="module")
def picture(tmp_path_factory) -> Path:
    y, x = np.mgrid[0:48, 0:64]
    rgb = np.stack([x * 4, y * 5, ((x // 8 + y // 8) % 2) * 255], axis=2).astype(np.uint8)
    path = tmp_path_factory.mktemp("codec") / "picture.png"
    Image.fromarray(rgb).save(path)
    return path


SOFTWARE = [
    ("h264", ".mp4", "h264", "yuv420p"), ("h264", ".mov", "h264", "yuv420p"),
    ("hevc", ".mp4", "hevc", "yuv420p"), ("vp9", ".webm", "vp9", "yuv420p"),
    ("hap", ".mov", "hap", "Hap1"), ("hap_q", ".mov", "hap", "HapY"), ("hap_alpha", ".mov", "hap", "Hap5"),
    ("prores", ".mov", "prores", "apch"), ("prores_4444", ".mov", "prores", "ap4h"),
]


@pytest.mark.parametrize("name, suffix, codec, marker", SOFTWARE)
def test_each_codec_holds_its_codec_frames_and_size(registry, picture, tmp_path, name, suffix, codec, marker):
    show = build_show(registry, str(picture), None, ["rgb_split amount=sine(0,0.05)"], (64, 48), 30.0)
    out = record(show, tmp_path / f"x{suffix}", 7, progress=False, codec=name)
    info = probe(out)
    assert (info["codec"], info["size"], info["frames"]) == (codec, (64, 48), 7)
    assert marker in info["line"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"x{suffix}"]


def test_default_h264_is_crf_18_and_the_mapping_is_documented(picture, tmp_path):
    out = tmp_path / "q.mp4"
    ok("render", str(picture), "--fx", "saturate", "--frames", "2", "-o", str(out), "--quiet")
    assert re.search(rb"crf=18\.0", out.read_bytes())
    ok("render", str(picture), "--fx", "saturate", "--frames", "2", "-o", str(out), "--quiet",
       "--quality", "10")
    assert re.search(rb"crf=14\.0", out.read_bytes())
    help_text = " ".join(ok("render", "--help").stdout.split())
    assert "crf = 34 - 2 x quality" in help_text and "8 -> crf 18" in help_text
    assert [codecs.crf(q) for q in (1, 8, 10)] == [32, 18, 14]


def test_video_frames_are_the_rendered_frames_right_way_up(registry, picture, tmp_path):
    """Frames reach ffmpeg bottom row first and are flipped there: compare with the PNG path."""
    show = build_show(registry, str(picture), None, ["saturate amount=0.5"], (64, 48), 30.0)
    png = record(show, tmp_path / "f.png", 1, progress=False)
    show = build_show(registry, str(picture), None, ["saturate amount=0.5"], (64, 48), 30.0)
    mov = record(show, tmp_path / "f.mov", 1, progress=False, codec="prores_4444")
    want = np.asarray(Image.open(png).convert("RGB")).astype(int)
    got = decode(mov)[0, :, :, :3].astype(int)
    assert np.abs(got - want).mean() < 3  # 10-bit 4:4:4: near lossless, and not upside down


def test_hap_needs_sides_that_are_multiples_of_4(picture, tmp_path):
    line = one_line_error(shaderviz("render", str(picture), "--codec", "hap", "--size", "66x48",
                                    "--frames", "2", "-o", str(tmp_path / "h.mov")))
    assert "multiples of 4" in line and "66x48" in line
    odd = tmp_path / "odd.png"
    Image.fromarray(np.full((31, 45, 3), 90, np.uint8)).save(odd)
    result = ok("render", str(odd), "--codec", "hap", "--frames", "2", "--fx", "saturate",
                "-o", str(tmp_path / "h.mov"), "--quiet")
    assert "45x31 rendered as 44x28" in result.stderr
    assert probe(tmp_path / "h.mov")["size"] == (44, 28)


@pytest.mark.parametrize("args, expected", [
    (["--codec", "hap", "-o", "x.mp4"], "goes in .mov, not .mp4"),
    (["--codec", "prores", "-o", "x.webm"], "goes in .mov"),
    (["--codec", "vp9", "-o", "x.gif"], "goes in .webm"),
    (["--codec", "bogus", "-o", "x.mov"], "invalid choice"),
])
def test_codec_and_container_must_fit(tmp_path, args, expected):
    result = shaderviz("render", "--fx", "saturate", "--frames", "2", *args, cwd=tmp_path)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert expected in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_hardware_encoder_without_its_device_is_one_line(tmp_path):
    if codecs.probe("h264_nvenc") is None:
        pytest.skip("this machine has a working NVENC")
    line = one_line_error(shaderviz("render", "--fx", "saturate", "--frames", "2", "--codec", "h264_nvenc",
                                    "-o", str(tmp_path / "n.mp4")))
    assert "--codec h264_nvenc: not available on this machine" in line and "use --codec h264" in line
    assert list(tmp_path.iterdir()) == []


def test_missing_encoder_is_named(monkeypatch):
    monkeypatch.setitem(codecs.CODECS, "h264_fake", codecs.Codec(
        "h264_fake", "no_such_encoder", (".mp4",), "yuv420p", "test", lambda q: [], hardware=True))
    assert codecs.probe("h264_fake") == "this ffmpeg has no such encoder"
    with pytest.raises(UserError, match="h264_fake: not available on this machine"):
        codecs.require(codecs.CODECS["h264_fake"])


def gif_delays(path: Path) -> list[int]:
    with Image.open(path) as gif:
        delays = []
        for index in range(gif.n_frames):
            gif.seek(index)
            delays.append(gif.info["duration"])
    return delays


@pytest.mark.parametrize("fps, seconds", [(30, 4), (24, 1), (25, 2), (60, 1)])
def test_gif_keeps_the_loops_real_length(tmp_path, fps, seconds):
    """GIF delays are whole centiseconds: 30 fps alternates 3/3/4 cs, so 4 s stay 4 s."""
    out = tmp_path / "loop.gif"
    ok("render", "--size", "24x16", "--fps", str(fps), "--seconds", str(seconds), "-o", str(out), "--quiet")
    delays = gif_delays(out)
    assert len(delays) == fps * seconds
    assert sum(delays) == 1000 * seconds
    assert max(delays) - min(delays) <= 10


def test_gif_is_one_palette_with_frame_differencing(tmp_path, picture):
    """Frames that do not change merge (their time adds up); a frame where only a small part
    moves stores only that rectangle."""
    still = tmp_path / "still.gif"
    ok("render", str(picture), "--fx", "saturate", "--frames", "6", "-o", str(still), "--quiet")
    assert gif_delays(still) == [200]  # six frames of 1/30 s, one picture
    ok("render", str(picture), "--fx", "saturate", "--frames", "1", "-o", str(tmp_path / "f.png"), "--quiet")
    with Image.open(still) as gif:
        assert gif.info.get("loop") == 0
        first = np.asarray(gif.convert("RGB")).astype(int)
    want = np.asarray(Image.open(tmp_path / "f.png").convert("RGB")).astype(int)
    assert np.abs(first - want).mean() < 8  # 256 colours, dithered
    depth = np.zeros((48, 64), np.uint8)
    depth[8:20, 40:56] = 255  # a small near square: the only part that moves
    Image.fromarray(depth).save(tmp_path / "depth.png")
    moving = tmp_path / "moving.gif"
    ok("render", str(picture), "--depth", str(tmp_path / "depth.png"), "--fx",
       "rgb_split amount=saw(0,0.2) depth_min=0.5 depth_soft=0", "--frames", "5", "-o", str(moving),
       "--quiet")
    with Image.open(moving) as gif:
        assert gif.n_frames == 5
        areas = []
        for index in range(1, 5):
            gif.seek(index)
            x0, y0, x1, y1 = gif.dispose_extent
            areas.append((x1 - x0) * (y1 - y0))
    assert max(areas) <= 0.4 * 64 * 48, areas  # the square and its split, not the whole frame


def _gif_frame_bytes(path: Path, index: int) -> bytes:
    with Image.open(path) as gif:
        gif.seek(index)
        frame = gif.convert("RGB")
    single = path.with_name("single.gif")
    frame.save(single)
    return single.read_bytes()


def test_live_recordings_use_a_fast_preset_below_the_windows_priority(tmp_path):
    """Ctrl+R in `play`: the encoder must not take the window's frame rate (same quality)."""
    import os

    from shaderviz.outputs.writers import VideoWriter

    frame = np.random.default_rng(1).integers(0, 255, (48, 64, 3), np.uint8)
    headers = {}
    for live in (False, True):
        writer = VideoWriter(tmp_path / f"{live}.mp4", (64, 48), 30.0, codecs.CODECS["h264"], 8, live=live)
        proc = writer._pipe.proc
        nice = os.getpriority(os.PRIO_PROCESS, proc.pid) - os.getpriority(os.PRIO_PROCESS, 0)
        for _ in range(3):
            writer.write(frame)
        writer.finish()
        headers[live] = ((tmp_path / f"{live}.mp4").read_bytes(), nice)
    (medium, medium_nice), (fast, fast_nice) = headers[False], headers[True]
    assert b"subme=7" in medium and b"subme=2" in fast  # x264's medium vs veryfast
    assert b"crf=18.0" in medium and b"crf=18.0" in fast
    assert medium_nice == 0 and fast_nice == 5
