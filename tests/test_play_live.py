"""`shaderviz play` live: stats, render scale, HUD, transitions, presets, chain edits and the
bugs of issue 15, in a real window under Xvfb, driven with xdotool as a person would."""
# ruff: noqa: F811 - the fixtures `display` and `play` come from test_window (one Xvfb per module)

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_window import Player, display, pixels, play, wait_for  # noqa: F401 - display, play: fixtures

# -- reading what the window shows ----------------------------------------------------------------


class _XImage(ctypes.Structure):
    _fields_ = [("width", ctypes.c_int), ("height", ctypes.c_int), ("xoffset", ctypes.c_int),
                ("format", ctypes.c_int), ("data", ctypes.c_void_p), ("byte_order", ctypes.c_int),
                ("bitmap_unit", ctypes.c_int), ("bitmap_bit_order", ctypes.c_int),
                ("bitmap_pad", ctypes.c_int),
                ("depth", ctypes.c_int), ("bytes_per_line", ctypes.c_int), ("bits_per_pixel", ctypes.c_int)]


def window_pixels(player: Player) -> np.ndarray:
    """What the window shows now, (H, W, 3) int, read from the X server (XGetImage)."""
    x11 = ctypes.CDLL(ctypes.util.find_library("X11"))
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XGetImage.restype = ctypes.POINTER(_XImage)
    x11.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int, ctypes.c_uint,
                              ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    x11.XFree.argtypes = [ctypes.c_void_p]
    geometry = player.xdotool("getwindowgeometry", player.window)
    width, height = (int(v) for v in geometry.split("Geometry:")[1].split()[0].split("x"))
    handle = x11.XOpenDisplay(player.display.encode())
    try:
        image = x11.XGetImage(handle, int(player.window), 0, 0, width, height, 0xFFFFFFFF, 2).contents
        assert image.bits_per_pixel == 32
        raw = ctypes.string_at(image.data, image.bytes_per_line * height)
        x11.XFree(image.data)
    finally:
        x11.XCloseDisplay(handle)
    rows = np.frombuffer(raw, np.uint8).reshape(height, -1)[:, : width * 4].reshape(height, width, 4)
    return rows[..., [2, 1, 0]].astype(int)  # BGRX -> RGB


def window_where(player: Player, check: Callable[[np.ndarray], bool], what: str) -> np.ndarray:
    """The window's pixels once they pass ``check``."""
    def grab() -> list[np.ndarray] | None:
        shown = window_pixels(player)
        return [shown] if check(shown) else None
    return wait_for(grab, 10, what)[0]


def stats_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def solid(path: Path, rgb: tuple[int, int, int], size: tuple[int, int] = (64, 36)) -> Path:
    Image.new("RGB", size, rgb).save(path)
    return path


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """Smooth colour noise, 256x144: detail that a wrong scale or frame would change."""
    rng = np.random.default_rng(4)
    small = Image.fromarray(rng.integers(0, 256, (9, 16, 3), dtype=np.uint8))
    path = tmp_path / "photo.png"
    small.resize((256, 144), Image.BICUBIC).save(path)
    return path


# -- stats, fps cap ----------------------------------------------------------------------------


def test_stats_file_has_one_line_per_shown_frame(play: Callable[..., Player], tmp_path: Path) -> None:
    stats = tmp_path / "stats.jsonl"
    player = play("--size", "160x90", "--stats", str(stats))
    time.sleep(1.5)
    player.key("Escape")
    assert player.proc.wait(15) == 0, player.stderr
    rows = stats_rows(stats)
    assert len(rows) > 5
    assert [r["frame"] for r in rows] == list(range(len(rows)))  # one line per frame, none lost
    t = np.array([r["t"] for r in rows])
    ms = np.array([r["ms"] for r in rows])
    assert np.all(np.diff(t) > 0) and np.all(ms > 0) and all("work_ms" in r for r in rows)
    assert np.allclose(np.diff(t) * 1000, ms[1:], atol=0.05)  # ms: since the previous shown frame


def test_fps_caps_the_window_rate(play: Callable[..., Player], tmp_path: Path) -> None:
    stats = tmp_path / "stats.jsonl"
    player = play("--size", "64x36", "--fps", "20", "--stats", str(stats))
    time.sleep(2.0)
    player.key("Escape")
    assert player.proc.wait(15) == 0, player.stderr
    ms = np.array([r["ms"] for r in stats_rows(stats)][3:])
    assert np.median(ms) >= 47.0  # a cap: never faster than 20 frames a second (tiny frames run at 100+)
    assert len(ms) >= 10


def test_a_video_plays_at_its_own_rate_on_software_gl(play: Callable[..., Player], tmp_path: Path) -> None:
    """Without a GPU, frames between a video's frames repeat its picture and take the CPU
    that decoding and depth need: the window runs at the video's rate (--fps still rules)."""
    import imageio.v2 as iio

    video = tmp_path / "slow.mp4"
    with iio.get_writer(str(video), fps=12, codec="libx264", quality=8, macro_block_size=8) as writer:
        for i in range(24):
            writer.append_data(np.full((36, 64, 3), 8 * i, np.uint8))
    medians = {}
    for label, extra in (("own", ()), ("fps", ("--fps", "40"))):
        stats = tmp_path / f"{label}.jsonl"
        player = play(str(video), "--size", "64x36", "--fx", "saturate", "--stats", str(stats), *extra)
        time.sleep(2.5)
        player.key("Escape")
        assert player.proc.wait(15) == 0, player.stderr
        medians[label] = float(np.median([r["ms"] for r in stats_rows(stats)][3:]))
    assert 80 <= medians["own"] <= 90, medians  # 12 frames a second (tiny frames run at 100+)
    assert 23 <= medians["fps"] <= 27, medians


# -- render scale ------------------------------------------------------------------------------


def test_scale_shows_a_render_at_that_size_scaled_up(
    play: Callable[..., Player], photo: Path, tmp_path: Path
) -> None:
    fx = ["--fx", "rgb_split amount=0.03", "--fx", "colorize palette=acid amount=0.5"]
    small = tmp_path / "small.png"
    subprocess.run([sys.executable, "-m", "shaderviz", "render", str(photo), *fx, "--size", "160x90",
                    "--frames", "1", "-o", str(small), "--quiet"], check=True, capture_output=True)
    player = play(str(photo), *fx, "--size", "320x180", "--scale", "0.5", "--transition", "0")
    player.key("space")  # pause: the time of the frame no longer matters (nothing here moves)
    snap = pixels(player.snapshot_where(lambda a: a.std() > 20, "the photo"))
    assert snap.shape == (90, 160, 3)  # a snapshot holds the pixels the chain rendered
    expected = np.asarray(Image.open(small).convert("RGB").resize((320, 180), Image.BILINEAR)).astype(int)
    shown = window_where(player, lambda a: a.shape == (180, 320, 3), "the window at 320x180")
    assert np.abs(snap - np.asarray(Image.open(small).convert("RGB")).astype(int)).max() <= 3
    below_notices = np.abs(shown - expected)[70:-2, 2:-2]  # ("paused", "saved ..." show top left)
    assert below_notices.mean() < 1.0 and below_notices.max() <= 8  # the same frame, scaled up bilinearly


# -- what only the window shows: HUD, keys, title ---------------------------------------------------


def test_hud_and_keys_show_in_the_window_never_in_snapshots(
    play: Callable[..., Player], photo: Path
) -> None:
    player = play(str(photo), "--size", "256x144", "--fx", "saturate amount=0")
    bare = window_where(player, lambda a: a.shape == (144, 256, 3) and a.std() > 20, "the photo")
    photo_pixels = np.asarray(Image.open(photo).convert("RGB")).astype(int)
    assert np.abs(bare - photo_pixels).max() <= 2  # pixel for pixel (copied, not drawn)
    player.key("h")
    hud = window_where(player, lambda a: np.abs(a - bare)[:40, :120].mean() > 5, "the HUD, top left")
    assert np.abs(hud - bare)[100:, 150:].max() <= 2  # elsewhere the picture is untouched
    player.key("question")  # the keys, top right
    window_where(player, lambda a: np.abs(a - bare)[:40, -100:].mean() > 5, "the keys on screen")
    assert np.abs(pixels(player.snapshot()) - photo_pixels).max() <= 2  # neither is in a snapshot
    assert "snapshot" in player.out_path.read_text()  # ? also prints the keys


def test_a_broken_effect_frames_the_window_in_red(
    play: Callable[..., Player], photo: Path, tmp_path: Path
) -> None:
    effects = tmp_path / "fx"
    effects.mkdir()
    (effects / "broken.glsl").write_text('/*{ "description": "broken" }*/\n'
                                         "vec4 effect(vec2 uv) { return 1.0 }\n")
    player = play(str(photo), "--size", "256x144", "--fx", "broken", "--effects-dir", str(effects))
    wait_for(lambda: player.title.startswith("[shader error] broken.glsl:2"), 10, "the error in the title")
    red = np.array([230, 20, 20])
    photo_pixels = np.asarray(Image.open(photo).convert("RGB")).astype(int)

    def framed(a: np.ndarray) -> bool:  # red on all four sides, the show going on inside
        sides = a[[0, -1, 72, 72], [128, 128, 0, -1]]
        return np.abs(sides - red).max() <= 2 and np.abs(a - photo_pixels)[60:-5, 40:-40].max() <= 2

    window_where(player, framed, "the red frame around the picture")


def test_title_shows_auto_sort_and_the_sort_key(play: Callable[..., Player], photo: Path) -> None:
    player = play(str(photo), "--size", "128x72")
    player.key("a")
    wait_for(lambda: "sort auto" in player.title, 10, "auto sort in the title")
    player.key("z")
    wait_for(lambda: "key hue" in player.title, 10, "the sort key in the title")
    player.key("x")  # X removes the sort: nothing about it is left
    wait_for(lambda: "sort" not in player.title and "pixelsort" not in player.title, 10, "the sort gone")


# -- chain edits, transitions, presets -----------------------------------------------------------


def test_keys_remove_and_reorder_effects(play: Callable[..., Player], photo: Path) -> None:
    player = play(str(photo), "--size", "128x72", "--fx", "blur", "--fx", "saturate")
    player.key("Right")  # one arrow press puts a pixel sort in the chain
    wait_for(lambda: "pixelsort" in player.title, 10, "the sort in the chain")
    player.key("Tab")
    wait_for(lambda: "[blur]" in player.title, 10, "blur selected")
    player.key("bracketright")
    wait_for(lambda: "saturate > [blur] > pixelsort" in player.title, 10, "blur moved later")
    player.key("Tab")
    player.key("BackSpace")
    wait_for(lambda: "pixelsort" not in player.title, 10, "the sort removed")
    assert "saturate > [blur]" in player.title


def test_folder_images_crossfade(play: Callable[..., Player], tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    solid(folder / "a.png", (250, 10, 10))
    solid(folder / "b.png", (10, 10, 250))
    player = play(str(folder), "--size", "64x36", "--cycle", "100", "--transition", "3")
    player.snapshot_where(lambda a: a[..., 0].mean() > 240, "the first image")
    player.key("n")

    def mixed(a: np.ndarray) -> bool:  # on the way from red to blue
        red, blue = a[..., 0].mean(), a[..., 2].mean()
        return 30 < red < 230 and 30 < blue < 230 and a.std(axis=(0, 1)).max() < 3

    player.snapshot_where(mixed, "a frame between the two images")
    player.snapshot_where(lambda a: a[..., 2].mean() > 240 and a[..., 0].mean() < 20, "the second image")


def test_next_image_stays_a_whole_cycle(play: Callable[..., Player], tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    for name, rgb in (("a", (250, 0, 0)), ("b", (0, 250, 0)), ("c", (0, 0, 250))):
        solid(folder / f"{name}.png", rgb)
    player = play(str(folder), "--size", "64x36", "--cycle", "4", "--transition", "0")
    player.snapshot_where(lambda a: a[..., 0].mean() > 240, "the first image")
    time.sleep(2.0)  # about 2.5 s into the first image's 4 s
    player.key("n")
    time.sleep(2.5)  # past the end of the first cycle: before the fix the third image was here
    assert pixels(player.snapshot())[..., 1].mean() > 240, "N must give the next image a whole cycle"


def test_number_keys_load_presets_into_the_running_window(play: Callable[..., Player]) -> None:
    player = play("--size", "128x72", "--transition", "0.5")
    wait_for(lambda: "rgb_split" in player.title, 10, "the default show")
    player.key("3")  # the bank: clouds, default, glitch, melt, network
    wait_for(lambda: "sharpen > pixelate > rgb_split > saturate > colorize" in player.title, 20,
             "the glitch preset's chain")
    with Image.open(player.snapshot()) as img:
        recipe = json.loads(img.text["shaderviz:recipe"])
    assert recipe["preset_name"] == "glitch"
    assert "preset glitch" in player.stderr


# -- depth: never a stall, neutral until the map arrives -----------------------------------------


def test_depth_starts_without_a_stall_and_gated_effect_waits(
    play: Callable[..., Player], tmp_path: Path, gl_ctx  # noqa: ANN001
) -> None:
    from shaderviz.depth.scenes import SceneRenderer

    renderer = SceneRenderer(192, ctx=gl_ctx, shadow_size=256)
    rgb, _ = renderer.render(20_000_001, "closeup")
    renderer.release()
    scene = tmp_path / "scene.png"
    Image.fromarray(rgb).resize((320, 180)).save(scene)
    stats = tmp_path / "stats.jsonl"
    # Paced at 10 frames a second: a frame stalled by the depth model (torch's import, the
    # model load) shows; the scheduling noise of a busy shared machine mostly does not.
    player = play(str(scene), "--size", "320x180", "--fps", "10", "--stats", str(stats),
                  "--fx", "saturate amount=-1 depth_max=0.5")
    colourful = np.asarray(Image.open(scene).convert("RGB")).astype(int)

    def saturation(a: np.ndarray) -> float:
        return float((a.max(axis=2) - a.min(axis=2)).mean())

    first = pixels(player.snapshot())
    gated = pixels(player.snapshot_where(lambda a: saturation(a) < 0.8 * saturation(colourful),
                                         "the far part greyed"))
    # The first picture is never greyer than the gated one: before the first map the effect
    # is neutral (the whole picture keeps its colour), then it fades in; acting on a flat
    # map would grey the whole picture. (The first map may already be there: on
    # onnxruntime it comes ~0.3 s after launch.)
    assert saturation(first) >= saturation(gated) - 2, (saturation(first), saturation(gated))
    time.sleep(1.0)
    player.key("Escape")
    assert player.proc.wait(20) == 0, player.stderr
    rows = stats_rows(stats)
    kinds = [e["kind"] for r in rows for e in r.get("events", [])]
    assert "depth_model" in kinds and "depth" in kinds
    ms = np.array([r["ms"] for r in rows][3:])
    assert ms.max() <= 3 * np.median(ms), (ms.max(), np.median(ms))  # no stall while torch loads
    weights = [r["depth_weight"] for r in rows if "depth_weight" in r]
    arrived = next(i for i, r in enumerate(rows) if any(e["kind"] == "depth" for e in r.get("events", [])))
    assert all(w == 0.0 for w in weights[:arrived]) and weights[-1] == 1.0


# -- bugs of issue 15 ----------------------------------------------------------------------------


def test_video_snapshot_rerenders_the_frame_it_shows(
    play: Callable[..., Player], tmp_path: Path
) -> None:
    import imageio.v2 as iio

    video = tmp_path / "ramp.mp4"
    with iio.get_writer(str(video), fps=25, codec="libx264", quality=9, macro_block_size=8) as writer:
        for i in range(50):  # every frame its own brightness and bar position
            frame = np.full((72, 128, 3), 40 + 4 * i, np.uint8)
            frame[:, (2 * i) % 120 : (2 * i) % 120 + 8] = 255
            writer.append_data(frame)
    player = play(str(video), "--size", "128x72", "--fx", "saturate amount=0")
    time.sleep(1.0)
    snap = player.snapshot()
    again = tmp_path / "again.png"
    done = subprocess.run([sys.executable, "-m", "shaderviz", "render", "--preset", str(snap),
                           "--frames", "1",
                           "-o", str(again), "--quiet"], capture_output=True, text=True, env=player.env)
    assert done.returncode == 0, done.stderr
    assert np.abs(pixels(again) - pixels(snap)).mean() < 0.5


def test_flow_sort_snapshot_says_it_is_not_replayed(
    play: Callable[..., Player], photo: Path, tmp_path: Path
) -> None:
    player = play(str(photo), "--size", "128x72")
    player.key("Right")

    def noted() -> Path | None:
        # The flow sort joins the chain on the next frame; under load the S press can be
        # handled in the same event batch as Right, before it (a snapshot of the unsorted
        # picture, rightly without the note): snapshot again until one has it.
        snap = player.snapshot()
        return snap if "note:" in player.out_path.read_text() else None

    snap = wait_for(noted, 10, "the note when saving")
    assert "flow sort" in player.out_path.read_text()
    done = subprocess.run([sys.executable, "-m", "shaderviz", "render", "--preset", str(snap),
                           "--frames", "1",
                           "-o", str(tmp_path / "again.png"), "--quiet"], capture_output=True, text=True,
                          env=player.env)
    assert done.returncode == 0 and "note:" in done.stderr and "unsorted" in done.stderr


def test_fullscreen_keeps_the_same_window(play: Callable[..., Player]) -> None:
    player = play("--size", "160x90")
    window = player.window
    def geometry() -> str:
        return player.xdotool("getwindowgeometry", window).split("Geometry:")[1].strip()

    windowed = geometry()
    player.key("f")
    wait_for(lambda: geometry() == "1280x1024", 10, "the window over the whole screen")
    assert player.xdotool("search", "--onlyvisible", "--name", "^shaderviz").split() == [window]
    player.key("f")
    wait_for(lambda: geometry() == windowed, 10, "the window back")
    assert player.proc.poll() is None


def test_a_display_without_a_server_is_named(tmp_path: Path) -> None:
    number = random.randint(31000, 32000)
    while Path(f"/tmp/.X{number}-lock").exists():
        number += 1
    env = {**os.environ, "DISPLAY": f":{number}", "XDG_CONFIG_HOME": str(tmp_path)}
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run([sys.executable, "-m", "shaderviz", "play"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and f":{number}" in done.stderr and "None" not in done.stderr


def test_presets_render_smaller_without_a_gpu(play: Callable[..., Player]) -> None:
    """The default preset's [play] software_scale (0.75) applies on llvmpipe; --scale wins."""
    player = play("--size", "320x180")
    with Image.open(player.snapshot()) as img:
        assert img.size == (240, 135)
        assert json.loads(img.text["shaderviz:recipe"])["preset"]["size"] == "320x180"
    player.close()
    player = play("--size", "320x180", "--scale", "1")
    with Image.open(player.snapshot()) as img:
        assert img.size == (320, 180)
    player.close()
    player = play("--size", "320x180", "--render-size", "200x100")
    with Image.open(player.snapshot()) as img:
        assert img.size == (200, 100)


def test_a_big_photo_is_fitted_and_said_so(play: Callable[..., Player], tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    Image.new("RGB", (2400, 1350), (30, 160, 90)).save(big)
    player = play(str(big), "--fx", "saturate amount=0")
    with Image.open(player.snapshot()) as img:
        assert img.size == (1920, 1080)
    assert "2400x1350 source shown at 1920x1080" in player.stderr
