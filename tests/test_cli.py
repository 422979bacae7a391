"""The `shaderviz` command end to end, run as a subprocess like a user would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image, PngImagePlugin

ENV = {**os.environ, "XDG_CONFIG_HOME": "/nonexistent-shaderviz-test"}


def shaderviz(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shaderviz", *args], capture_output=True, text=True,
        timeout=timeout, cwd=cwd, env=ENV,
    )


def ok(*args: str, **kwargs) -> subprocess.CompletedProcess:
    result = shaderviz(*args, **kwargs)
    assert result.returncode == 0, result.stderr
    return result


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


@pytest.fixture(scope="module")
def photo(tmp_path_factory) -> Path:
    """A small colourful test image with structure in it."""
    y, x = np.mgrid[0:48, 0:64]
    rgb = np.stack([x * 4, y * 5, ((x // 8 + y // 8) % 2) * 255], axis=2).astype(np.uint8)
    path = tmp_path_factory.mktemp("img") / "photo.png"
    Image.fromarray(rgb).save(path)
    return path


# -- outputs ------------------------------------------------------------------------------


def test_mp4_has_exact_frame_count_and_size(tmp_path, photo):
    out = tmp_path / "loop.mp4"
    result = ok("render", str(photo), "--fx", "rgb_split amount=sine(0,0.05)", "--frames", "17",
                "--size", "96x64", "-o", str(out), "--quiet")
    assert "17 frames" in result.stdout
    frames = np.stack(list(iio.imiter(out)))
    assert frames.shape == (17, 64, 96, 3)
    assert not list(tmp_path.glob(".*partial*"))


def test_odd_sized_image_to_mp4_rounds_down_to_even_sides(tmp_path):
    odd = tmp_path / "odd.png"
    Image.fromarray(np.full((31, 45, 3), 200, np.uint8)).save(odd)
    out = tmp_path / "odd.mp4"
    result = ok("render", str(odd), "--fx", "saturate", "--frames", "2", "-o", str(out), "--quiet")
    assert "45x31 rendered as 44x30" in result.stderr
    assert np.stack(list(iio.imiter(out))).shape == (2, 30, 44, 3)


def test_webm_and_gif(tmp_path, photo):
    ok("render", str(photo), "--fx", "saturate", "--frames", "5", "--size", "32x24",
       "-o", str(tmp_path / "a.webm"), "--quiet")
    assert len(list(iio.imiter(tmp_path / "a.webm"))) == 5
    ok("render", str(photo), "--fx", "rgb_split amount=saw(0,0.2)", "--frames", "6", "--size", "40x30",
       "-o", str(tmp_path / "a.gif"), "--quiet")
    with Image.open(tmp_path / "a.gif") as gif:
        assert gif.size == (40, 30) and gif.n_frames == 6 and gif.info.get("loop") == 0


def test_single_png_is_the_chain_applied(tmp_path, photo):
    out = tmp_path / "one.png"
    ok("render", str(photo), "--fx", "saturate amount=-1", "-o", str(out), "--frames", "1", "--quiet")
    img = pixels(out)
    assert img.shape == (48, 64, 3)  # native size of the input
    assert np.abs(img[..., 0] - img[..., 1]).max() <= 1  # desaturated: grey
    assert np.abs(img[..., 1] - img[..., 2]).max() <= 1


def test_png_sequence_pattern_and_folder(tmp_path, photo):
    ok("render", str(photo), "--fx", "blur", "--frames", "3", "-o", str(tmp_path / "f_%03d.png"), "--quiet")
    assert sorted(p.name for p in tmp_path.glob("f_*.png")) == ["f_000.png", "f_001.png", "f_002.png"]
    ok("render", str(photo), "--fx", "blur", "--frames", "2", "-o", str(tmp_path / "frames"), "--quiet")
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == ["frame_0000.png", "frame_0001.png"]


def test_modulated_loop_is_seamless(tmp_path):
    """Frame N (rendered with --frames N+1) equals frame 0, and the middle differs."""
    n = 12
    ok("render", "clouds", "--fx", "rgb_split amount=sine(0,0.05) angle=saw(0,360)",
       "--fx", "colorize amount=noise(0,1,2)", "--size", "64x48", "--fps", "12", "--seconds", "1",
       "--frames", str(n + 1), "-o", str(tmp_path / "f_%02d.png"), "--quiet")
    first, middle, last = (pixels(tmp_path / f"f_{i:02d}.png") for i in (0, n // 2, n))
    assert np.array_equal(first, last)
    assert np.abs(first - middle).mean() > 5


def test_render_is_deterministic(tmp_path):
    for name in ("a", "b"):
        ok("render", "--size", "64x36", "--frames", "1", "--seed", "3", "-o", str(tmp_path / f"{name}.png"),
           "--quiet")
    assert np.array_equal(pixels(tmp_path / "a.png"), pixels(tmp_path / "b.png"))
    ok("render", "--size", "64x36", "--frames", "1", "--seed", "4", "-o", str(tmp_path / "c.png"), "--quiet")
    assert not np.array_equal(pixels(tmp_path / "a.png"), pixels(tmp_path / "c.png"))


def test_png_carries_recipe_that_renders_again(tmp_path, photo):
    first = tmp_path / "first.png"
    ok("render", str(photo), "--fx", "colorize palette=ocean", "--fx", "pixelate size=6", "--frames", "1",
       "-o", str(first), "--quiet")
    recipe = json.loads(Image.open(first).info["shaderviz:recipe"])
    assert [e["effect"] for e in recipe["preset"]["chain"]] == ["colorize", "pixelate"]
    assert recipe["preset"]["chain"][0]["palette"] == "ocean"
    again = tmp_path / "again.png"
    ok("render", "--preset", str(first), "--frames", "1", "-o", str(again), "--quiet")
    assert np.array_equal(pixels(first), pixels(again))


# -- sources, presets, depth --------------------------------------------------------------


def test_folder_source_one_image_per_loop(tmp_path):
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i, colour in enumerate([(255, 0, 0), (0, 0, 255)]):
        Image.new("RGB", (20, 10), colour).save(folder / f"{i}.png")
    ok("render", str(folder), "--fx", "saturate amount=0", "--fps", "2", "--seconds", "1", "--frames", "4",
       "-o", str(tmp_path / "f_%d.png"), "--quiet")
    reds = [pixels(tmp_path / f"f_{i}.png")[..., 0].mean() for i in range(4)]
    assert reds[0] > 200 and reds[1] > 200 and reds[2] < 50 and reds[3] < 50
    # Without --frames: one loop per image, so every image is shown.
    result = ok("render", str(folder), "--fps", "2", "--seconds", "1", "-o", str(tmp_path / "all"), "--quiet")
    assert "4 frames" in result.stdout
    assert pixels(tmp_path / "all" / "frame_0003.png")[..., 2].mean() > 200


def test_video_source(tmp_path, photo):
    video = tmp_path / "in.mp4"
    ok("render", str(photo), "--fx", "rgb_split amount=saw(0,0.2)", "--frames", "10", "--size", "64x48",
       "-o", str(video), "--quiet")
    ok("render", str(video), "--fx", "saturate amount=0", "--frames", "3", "-o", str(tmp_path / "v_%d.png"),
       "--quiet")
    assert pixels(tmp_path / "v_0.png").shape == (48, 64, 3)
    assert not np.array_equal(pixels(tmp_path / "v_0.png"), pixels(tmp_path / "v_2.png"))


def test_fit_modes(tmp_path, photo):
    ok("render", str(photo), "--fx", "saturate amount=0", "--size", "64x24", "--fit", "fit", "--frames", "1",
       "-o", str(tmp_path / "fit.png"), "--quiet")
    img = pixels(tmp_path / "fit.png")
    assert img[:, :10].max() == 0 and img[:, -10:].max() == 0  # letterboxed: black bars
    ok("render", str(photo), "--fx", "saturate amount=0", "--size", "64x24", "--fit", "fill", "--frames", "1",
       "-o", str(tmp_path / "fill.png"), "--quiet")
    assert pixels(tmp_path / "fill.png")[:, :10].max() > 0


def test_depth_gating_from_depth_image(tmp_path, photo):
    depth = tmp_path / "depth.png"
    grey = np.zeros((48, 64), np.uint8)
    grey[:, :32] = 255  # left half near
    Image.fromarray(grey).save(depth)
    out = tmp_path / "gated.png"
    ok("render", str(photo), "--depth", str(depth), "--fx", "saturate amount=-1 depth_min=0.5 depth_soft=0",
       "--frames", "1", "-o", str(out), "--quiet")
    img, src = pixels(out), pixels(photo)
    assert np.abs(img[:, :30, 0] - img[:, :30, 2]).max() <= 1  # near half: grey
    assert np.array_equal(img[:, 34:], src[:, 34:])  # far half: untouched


def test_preset_file_and_fx_append(tmp_path, photo):
    preset = tmp_path / "show.toml"
    preset.write_text(
        f'source = "{photo.name}"\nsize = "32x24"\nfps = 10\nseconds = 0.5\n\n'
        '[[chain]]\neffect = "colorize"\npalette = "mono"\n'
    )
    (tmp_path / photo.name).write_bytes(photo.read_bytes())
    result = ok("render", "--preset", str(preset), "--fx", "saturate amount=2", "-o", str(tmp_path / "p.mp4"),
                "--quiet")
    assert "5 frames, 32x24" in result.stdout
    out = tmp_path / "p.png"
    ok("render", "--preset", str(preset), "--fx", "saturate amount=2", "--frames", "1", "-o", str(out),
       "--quiet")
    recipe = json.loads(Image.open(out).info["shaderviz:recipe"])
    assert [e["effect"] for e in recipe["preset"]["chain"]] == ["colorize", "saturate"]


def test_lists(tmp_path):
    effects = json.loads(ok("effects", "--json").stdout)
    by_name = {e["name"]: e for e in effects}
    assert {"rgb_split", "pixelate", "blur", "sharpen", "saturate", "colorize", "clouds"} <= set(by_name)
    assert by_name["blur"]["params"]["radius"]["max"] == 64
    assert "depth_min" in by_name["saturate"]["params"]
    assert "rgb_split" in ok("effects").stdout
    keys = ok("keys").stdout
    assert "toggle rgb_split" in keys and "snapshot" in keys
    assert "default" in ok("presets").stdout.split()


# -- bad input: one line on stderr, exit 2, no traceback ----------------------------------


def _bad_preset(tmp_path: Path) -> str:
    path = tmp_path / "bad.toml"
    path.write_text('fps = 30\n\n[[chain]]\neffect = "blur"\n\n[[chain]]\neffect = "saturate"\namount = 99\n')
    return str(path)


def _corrupt(tmp_path: Path) -> str:
    path = tmp_path / "corrupt.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)
    return str(path)


@pytest.mark.parametrize(
    "make_args, expected",
    [
        (lambda t: ["render", str(t / "missing.png"), "-o", str(t / "o.png")], "no such file"),
        (lambda t: ["render", _corrupt(t), "-o", str(t / "o.png")], "corrupt.png"),
        (lambda t: ["render", "--fx", "nosuch", "-o", str(t / "o.png")], "unknown effect 'nosuch'"),
        (lambda t: ["render", "--fx", "blur bogus=1", "-o", str(t / "o.png")], "unknown parameter 'bogus'"),
        (lambda t: ["render", "--fx", "blur radius=1000", "-o", str(t / "o.png")], "out of range"),
        (lambda t: ["render", "--fx", "blur radius=big", "-o", str(t / "o.png")], "expected a number"),
        (lambda t: ["render", "--fx", "pixelate size=2.5", "-o", str(t / "o.png")], "whole number"),
        (lambda t: ["render", "--fx", "blur radius=wave(0,1)", "-o", str(t / "o.png")], "unknown wave"),
        (lambda t: ["render", "--preset", _bad_preset(t), "-o", str(t / "o.png")], "bad.toml:8"),
        (lambda t: ["render", "--preset", "nope", "-o", str(t / "o.png")], "no such file or built-in preset"),
        (lambda t: ["render", "--size", "0x10", "-o", str(t / "o.png")], "out of range"),
        (lambda t: ["render", "--size", "65x49", "-o", str(t / "o.mp4")], "even width"),
        (lambda t: ["render", "-o", str(t / "o.xyz")], "unsupported output"),
        (lambda t: ["render", "-o", str(t / "nodir" / "o.png")], "does not exist"),
        (lambda t: ["render", "--depth", str(t / "nodepth.png"), "-o", str(t / "o.png")], "no such file"),
        # The size is given, so the image is first read after the output is opened.
        (lambda t: ["render", _corrupt(t), "--size", "32x24", "--quiet", "-o", str(t / "o.png")], "corrupt"),
        (lambda t: ["render", _corrupt(t), "--size", "32x24", "--quiet", "-o", str(t / "o.mp4")], "corrupt"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, make_args, expected):
    args = make_args(tmp_path)
    inputs = sorted(p.name for p in tmp_path.iterdir())
    result = shaderviz(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    # Nothing left behind, hidden temporaries (.o.partial.mp4, .o.png.partial) included.
    assert sorted(p.name for p in tmp_path.iterdir()) == inputs


def test_bad_preset_line_names_file_line_and_key(tmp_path):
    preset = tmp_path / "broken.toml"
    preset.write_text('seconds = 2\nsize = "big"\n')
    result = shaderviz("render", "--preset", str(preset), "-o", str(tmp_path / "o.png"))
    assert result.returncode == 2
    assert "broken.toml:2: size" in result.stderr
    preset.write_text('seconds = 2\n[[chain]\n')
    result = shaderviz("render", "--preset", str(preset), "-o", str(tmp_path / "o.png"))
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert "broken.toml:2: " in result.stderr  # a TOML syntax error as file:line too


def _interactive() -> None:
    """Ctrl-C as in a terminal, also when the tests run as a background job (which
    ignores SIGINT, and so would the render)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _signal_mid_render(tmp_path: Path, sig: int) -> tuple[int, str]:
    """Start a long render, send ``sig`` once it is in its frame loop (ffmpeg has written
    to the partial file); (exit code, stderr)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "shaderviz", "render", "--size", "640x360", "--frames", "3000",
         "-o", str(tmp_path / "long.mp4"), "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
        preexec_fn=_interactive,
    )

    def partial_size() -> int:
        sizes = []
        for path in tmp_path.glob(".*partial*"):
            try:
                sizes.append(path.stat().st_size)
            except OSError:
                pass
        return max(sizes, default=0)

    try:
        deadline = time.monotonic() + 180  # a loaded machine may take long to start
        while partial_size() == 0 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None and partial_size() > 0, "the render never reached its frame loop"
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=180)
    finally:
        proc.kill()
        proc.wait()
    return proc.returncode, stderr


def test_interrupted_render_leaves_no_output(tmp_path):
    code, stderr = _signal_mid_render(tmp_path, signal.SIGINT)
    assert code == 130
    assert "no output was written" in stderr and "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


def test_sigterm_render_cleans_up_like_ctrl_c(tmp_path):
    """SIGTERM (kill, timeout, systemd) unwinds like Ctrl-C: no partial file; exit 143 = 128 + 15."""
    code, stderr = _signal_mid_render(tmp_path, signal.SIGTERM)
    assert code == 143, stderr
    assert stderr.strip().splitlines() == ["shaderviz: terminated; no output was written"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_ffmpeg_starts_still_stops_the_render(tmp_path, capsys, monkeypatch, sig, code):
    """A Ctrl-C or TERM that lands while ffmpeg is being started (the worst moment: a Popen
    cut short leaves ffmpeg running, and it writes the output after the clean-up) stops the
    render all the same, with one line and nothing left behind."""
    import shaderviz.outputs.ffmpeg as ffmpeg_module
    from shaderviz.cli import main

    real = ffmpeg_module.subprocess.Popen

    def popen(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        os.kill(os.getpid(), sig)  # arrives before the process exists ...
        started = real(*args, **kwargs)
        os.kill(os.getpid(), sig)  # ... and a second one right after
        return started

    monkeypatch.setattr(ffmpeg_module.subprocess, "Popen", popen)
    ignored = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal (see _interactive)
    try:
        result = main(["render", "--size", "64x48", "--frames", "300", "-o", str(tmp_path / "x.mp4"),
                       "--quiet"])
    finally:
        signal.signal(signal.SIGINT, ignored)
    err = capsys.readouterr().err
    assert result == code, err
    assert len(err.strip().splitlines()) == 1 and "no output was written" in err, err
    assert list(tmp_path.iterdir()) == []


# -- render: review fixes ------------------------------------------------------------------


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("shaderviz: error: ")
    return lines[0]


def test_fx_that_does_not_compile_stops_render(tmp_path, photo):
    effects = tmp_path / "fx"
    effects.mkdir()
    (effects / "glitchy.glsl").write_text(
        '/*{"description": "broken body", "params": {}}*/\n'
        "vec4 effect(vec2 uv) {\n"
        "    vec4 c = INPUT(uv)\n"  # no semicolon: the compiler stops at line 4
        "    return c;\n"
        "}\n"
    )
    for out in ("j.png", "j.mp4", "frames"):
        line = one_line_error(shaderviz("render", str(photo), "-o", str(tmp_path / out), "--frames", "2",
                                        "--effects-dir", str(effects), "--fx", "glitchy", "--quiet"))
        assert "glitchy" in line and "glitchy.glsl:4:" in line and "error" in line
        assert sorted(p.name for p in tmp_path.iterdir()) == ["fx"]


MODULATED = ("--fx", "rgb_split amount=sine(0,0.05) angle=saw(0,360)", "--fx", "colorize amount=noise(0,1,2)",
             "--size", "64x48", "--fps", "12", "--seconds", "2")


def test_png_frame_recipe_renders_that_frame_again(tmp_path):
    frames = tmp_path / "frames"
    ok("render", "clouds", *MODULATED, "--frames", "31", "-o", str(frames), "--quiet")
    frame30 = frames / "frame_0030.png"
    recipe = json.loads(Image.open(frame30).info["shaderviz:recipe"])
    assert (recipe["frame"], recipe["time"], recipe["phase"]) == (30, 30 / 12, 6 / 24)
    assert json.loads(Image.open(frames / "frame_0007.png").info["shaderviz:recipe"])["frame"] == 7

    again = tmp_path / "again.png"
    ok("render", "--preset", str(frame30), "--frames", "1", "-o", str(again), "--quiet")
    assert np.array_equal(pixels(again), pixels(frame30))
    assert not np.array_equal(pixels(again), pixels(frames / "frame_0000.png"))
    assert json.loads(Image.open(again).info["shaderviz:recipe"])["frame"] == 30

    # Without --frames: that one frame, not a whole loop; with --frames N: N frames from there.
    result = ok("render", "--preset", str(frame30), "-o", str(tmp_path / "single.png"), "--quiet")
    assert "(1 frame," in result.stdout
    assert np.array_equal(pixels(tmp_path / "single.png"), pixels(frame30))
    ok("render", "--preset", str(frames / "frame_0028.png"), "--frames", "3", "-o", str(tmp_path / "more"),
       "--quiet")
    assert sorted(p.name for p in (tmp_path / "more").iterdir()) == [f"frame_{i:04d}.png" for i in range(3)]
    assert np.array_equal(pixels(tmp_path / "more" / "frame_0002.png"), pixels(frame30))


def test_play_snapshot_recipe_renders_at_its_wall_clock_time(tmp_path):
    """`play` records wall-clock seconds; render uses that time and the phase of play."""
    first = tmp_path / "first.png"
    ok("render", "clouds", *MODULATED, "--frames", "1", "-o", str(first), "--quiet")
    with Image.open(first) as img:
        recipe = json.loads(img.info["shaderviz:recipe"])
        rgb = np.asarray(img.convert("RGB"))
    recipe.update(time=1.37, phase=(1.37 / 2) % 1.0, frame=412)
    snap = tmp_path / "snap.png"
    info = PngImagePlugin.PngInfo()
    info.add_itxt("shaderviz:recipe", json.dumps(recipe))
    Image.fromarray(rgb).save(snap, pnginfo=info)
    result = ok("render", "--preset", str(snap), "-o", str(tmp_path / "again.png"), "--quiet")
    assert "(1 frame," in result.stdout
    again = json.loads(Image.open(tmp_path / "again.png").info["shaderviz:recipe"])
    assert (again["time"], again["phase"]) == (recipe["time"], recipe["phase"])
    assert not np.array_equal(pixels(tmp_path / "again.png"), pixels(first))


@pytest.mark.parametrize("out, frames", [
    ("afile/x.png", "1"), ("afile/x.png", "3"), ("afile/f_%02d.png", "3"), ("afile/frames", "3"),
    ("afile/", "3"), ("afile/x.mp4", "3"), ("afile/x.webm", "3"), ("afile/x.gif", "3"),
    ("/proc/x.png", "1"), ("/proc/x.png", "3"), ("/proc/frames", "3"), ("/proc/x.mp4", "3"),
    ("/proc/x.webm", "3"), ("/proc/x.gif", "3"),
])
def test_unwritable_output_is_one_line_naming_path_and_reason(tmp_path, photo, out, frames):
    (tmp_path / "afile").write_text("a regular file")
    result = shaderviz("render", str(photo), "--fx", "saturate", "--frames", frames, "-o", out, "--quiet",
                       cwd=tmp_path)
    line = one_line_error(result)
    assert out.rstrip("/") in line
    reasons = ("Not a directory", "No such file or directory", "Permission denied", "not a folder")
    assert any(reason in line for reason in reasons), line  # /proc: ENOENT as root, EACCES otherwise
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]
    assert (tmp_path / "afile").read_text() == "a regular file"


def test_shorter_render_removes_stale_frames_of_its_own_pattern_only(tmp_path, photo):
    frames = tmp_path / "frames"
    ok("render", str(photo), "--fx", "saturate", "--frames", "5", "-o", str(frames), "--quiet")
    others = ["frame_0009.txt", "frame_12.png", "notes.png", "frame_0003.png.bak"]
    for name in others:
        (frames / name).write_text("keep")
    ok("render", str(photo), "--fx", "saturate", "--frames", "2", "-o", str(frames), "--quiet")
    assert sorted(p.name for p in frames.iterdir()) == sorted(["frame_0000.png", "frame_0001.png", *others])

    def frames_to(out: str, count: int) -> None:
        ok("render", str(photo), "--fx", "saturate", "--frames", str(count), "-o", str(tmp_path / out),
           "--quiet")

    frames_to("f_%02d.png", 4)
    frames_to("x.png", 4)  # x_0000.png ...
    (tmp_path / "f_099.png").write_text("keep")  # not what f_%02d.png makes of 99
    frames_to("f_%02d.png", 2)
    frames_to("x.png", 3)
    names = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert names == ["f_00.png", "f_01.png", "f_099.png", "x_0000.png", "x_0001.png", "x_0002.png"]


# -- claims of the README ----------------------------------------------------------------


def test_flow_sort_restarts_with_each_image_of_a_folder(tmp_path):
    """Two images, one loop each, mode=flow: every frame of a loop is its own image with
    pixels moved along rows, never the sorted state of the image before."""
    folder = tmp_path / "imgs"
    folder.mkdir()
    images = [np.random.default_rng(seed).integers(0, 256, (8, 24, 3), dtype=np.uint8) for seed in (1, 2)]
    for i, img in enumerate(images):
        Image.fromarray(img).save(folder / f"{i}.png")
    ok("render", str(folder), "--fx", "pixelsort mode=flow speed=2", "--fps", "4", "--seconds", "1",
       "-o", str(tmp_path / "frames"), "--quiet")
    frames = [pixels(p) for p in sorted((tmp_path / "frames").glob("frame_*.png"))]
    assert len(frames) == 8

    def rows_are_a_permutation_of(frame: np.ndarray, img: np.ndarray) -> bool:
        return all(sorted(map(tuple, frame[y])) == sorted(map(tuple, img[y])) for y in range(img.shape[0]))

    for index, frame in enumerate(frames):
        img = images[index // 4]
        assert rows_are_a_permutation_of(frame, img), f"frame {index} is not image {index // 4} sorted"
    assert not np.array_equal(frames[3], images[0]) and not np.array_equal(frames[7], images[1])  # it sorts


def test_quality_sets_the_video_quality(tmp_path):
    """--quality 1..10: a better quality is a bigger file of the same frames; out of range
    is a one-line error."""
    noisy = tmp_path / "noise.png"
    Image.fromarray(np.random.default_rng(3).integers(0, 256, (48, 64, 3), dtype=np.uint8)).save(noisy)
    for suffix in (".mp4", ".webm"):
        sizes = {}
        for quality in ("2", "9"):
            out = tmp_path / f"q{quality}{suffix}"
            ok("render", str(noisy), "--fx", "rgb_split amount=saw(0,0.1)", "--frames", "6",
               "--quality", quality, "-o", str(out), "--quiet")
            sizes[quality] = out.stat().st_size
        assert sizes["9"] > 1.5 * sizes["2"], (suffix, sizes)
    for bad in ("0", "11"):
        result = shaderviz("render", str(noisy), "--quality", bad, "-o", str(tmp_path / "x.mp4"))
        line = one_line_error(result)
        assert "--quality" in line and "1..10" in line


def test_fit_stretch_fills_the_frame_with_the_whole_image(tmp_path):
    """Three bands, 60x20, into 30x30: stretch shows all three, full height; fill crops
    to the middle band; fit letterboxes."""
    bands = np.zeros((20, 60, 3), np.uint8)
    for i in range(3):
        bands[:, 20 * i : 20 * (i + 1), i] = 255
    path = tmp_path / "bands.png"
    Image.fromarray(bands).save(path)

    def fitted(fit: str) -> np.ndarray:
        out = tmp_path / f"{fit}.png"
        ok("render", str(path), "--fx", "saturate amount=0", "--size", "30x30", "--fit", fit, "--frames", "1",
           "-o", str(out), "--quiet")
        return pixels(out)

    stretch = fitted("stretch")
    for i, (x0, x1) in enumerate(((0, 8), (11, 19), (22, 30))):  # away from the resampled edges
        expected = np.zeros(3)
        expected[i] = 255
        assert np.abs(stretch[:, x0:x1] - expected).max() <= 2, i
    fill = fitted("fill")
    assert np.abs(fill[:, 1:-1] - [0, 255, 0]).max() <= 2  # only the middle band
    fit = fitted("fit")
    assert fit[:8].max() == 0 and fit[-8:].max() == 0  # black bars above and below


@pytest.mark.parametrize("preset", ["glitch", "melt"])
def test_built_in_presets_render(tmp_path, preset):
    """The glitch and melt presets render, with their chains, and differ from the bare
    clouds they start from."""
    out = tmp_path / "frames"
    ok("render", "--preset", preset, "--size", "64x36", "--frames", "2", "-o", str(out), "--quiet")
    paths = sorted(out.glob("frame_*.png"))
    assert len(paths) == 2
    recipe = json.loads(Image.open(paths[0]).info["shaderviz:recipe"])
    from shaderviz.effects.registry import Registry
    from shaderviz.presets import load_preset

    chain = [i.name for i in load_preset(preset, Registry.load()).chain]
    assert [e["effect"] for e in recipe["preset"]["chain"]] == chain and len(chain) >= 3
    generator = " ".join(f"{k}={v}" for k, v in recipe["preset"]["generator"].items())
    bare = tmp_path / "bare.png"
    ok("render", "clouds", "--fx", "saturate amount=0", "--size", "64x36", "--frames", "1", "--seed",
       str(recipe["preset"]["seed"]), "-o", str(bare), "--quiet")
    assert generator  # the preset's generator settings travel in the recipe
    assert np.abs(pixels(paths[0]) - pixels(bare)).mean() > 10


MODES = {"deep.png": "I;16", "grey.png": "L", "rgba.png": "RGBA"}


def test_render_takes_16_bit_greyscale_and_rgba_images(tmp_path):
    """Each comes out as the image itself (an identity chain): 16-bit scaled to 8 bits,
    grey as grey, RGBA composited over black."""
    ramp16 = (np.linspace(0, 65535, 32)[None, :].repeat(8, 0)).astype(np.uint16)
    grey = np.random.default_rng(4).integers(0, 256, (8, 32), dtype=np.uint8)
    rgba = np.random.default_rng(5).integers(0, 256, (8, 32, 4), dtype=np.uint8)
    rgba[:, :4, 3] = 0  # fully transparent: black
    rgba[:, 4:8, 3] = 255  # opaque: the colour
    cases = {
        "deep.png": (Image.fromarray(ramp16), np.repeat(np.round(ramp16 / 257.0)[..., None], 3, 2)),
        "grey.png": (Image.fromarray(grey), np.repeat(grey[..., None], 3, 2).astype(float)),
        "rgba.png": (Image.fromarray(rgba, "RGBA"), rgba[..., :3] * (rgba[..., 3:] / 255.0)),
    }
    for name, (img, expected) in cases.items():
        img.save(tmp_path / name)
        assert Image.open(tmp_path / name).mode == MODES[name]
        out = tmp_path / f"out-{name}"
        ok("render", str(tmp_path / name), "--fx", "saturate amount=0", "--frames", "1", "-o", str(out),
           "--quiet")
        got = pixels(out)
        assert got.shape == (8, 32, 3), name
        assert np.abs(got - expected).max() <= 1, name
