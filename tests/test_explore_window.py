"""Exploring the image in `play`, in a real window under Xvfb driven with xdotool: the
keyboard sampler (enter, move, resize, zoom twice, back out, tile; the mouse), its recipe
round trip, and pan / zoom / split view, which change what the window shows and never a
snapshot."""
# ruff: noqa: F811 - the fixtures `display` and `play` come from test_window (one Xvfb per module)

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sampler_reference import sample_native
from test_play_live import window_pixels
from test_window import Player, display, pixels, play, wait_for  # noqa: F401 - display, play: fixtures

from shaderviz.sources.images import fit_box

SIZE = (256, 144)
OVERLAY = np.array([255, 230, 51])  # the rectangle's colour (1.0, 0.9, 0.2)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """40x20 noise: each pixel shows as a 7.2-pixel block at 256x144 (a zoom shows them sharp)."""
    rgb = np.random.default_rng(11).integers(0, 256, (20, 40, 3), dtype=np.uint8)
    path = tmp_path / "small.png"
    Image.fromarray(rgb).save(path)
    return path


def recipe(path: Path) -> dict:
    with Image.open(path) as img:
        return json.loads(img.info["shaderviz:recipe"])


def levels(path: Path) -> list[dict]:
    return [{k: v for k, v in entry.items() if k != "effect"}
            for entry in recipe(path)["preset"]["chain"] if entry["effect"] == "sampler"]


def expected(source: Path, chain: list[dict]) -> np.ndarray:
    """What the sampler levels show of the source at its own size (tests/sampler_reference)."""
    native = np.asarray(Image.open(source).convert("RGB")) / 255.0
    (rw, rh), crop = fit_box((native.shape[1], native.shape[0]), SIZE, "fill")
    assert crop is not None
    out = sample_native(native, chain, SIZE, (crop[0], crop[1]), (rw / native.shape[1], rh / native.shape[0]))
    return np.round(out * 255).astype(int)


def matches(snap: np.ndarray, want: np.ndarray) -> bool:
    return float((np.abs(snap - want) > 1).any(axis=2).mean()) < 0.01


def render_recipe(snapshot: Path, out: Path) -> np.ndarray:
    subprocess.run([sys.executable, "-m", "shaderviz", "render", "--preset", str(snapshot), "-o", str(out),
                    "--quiet"], check=True, capture_output=True)
    return pixels(out)


def overlay_pixels(shown: np.ndarray) -> int:
    return int((np.abs(shown - OVERLAY) <= 12).all(axis=2).sum())


def test_keyboard_sampler_zooms_stacks_backs_out_and_tiles(
    play: Callable[..., Player], small: Path, tmp_path: Path
) -> None:
    player = play(str(small), "--size", "256x144", "--fx", "saturate amount=0", "--transition", "0")
    plain = pixels(player.snapshot_where(lambda a: a.std() > 30, "the image"))
    player.key("m")
    wait_for(lambda: overlay_pixels(window_pixels(player)) > 200, 10, "the sampler's rectangle in the window")
    snap = player.snapshot()
    assert np.array_equal(pixels(snap), plain)  # the rectangle is drawn over the window only
    assert recipe(snap)["preset"]["play"]["sampler"] == {"x": 0.5, "y": 0.5, "size": 0.5, "aspect": 1.0,
                                                          "rotation": 0.0}

    for key in ("Right", "Right", "Down", "plus"):  # arrows move the rectangle (not the sort)
        player.key(key)
    player.key("Return")
    first = player.snapshot()
    level = levels(first)
    assert len(level) == 1 and level[0]["mode"] == "zoom" and level[0]["filter"] == "nearest"
    assert level[0]["x"] == pytest.approx(0.6) and level[0]["y"] == pytest.approx(0.55)
    assert level[0]["size"] == pytest.approx(0.5 * 2**0.25, abs=1e-5)
    assert "pixelsort" not in json.dumps(recipe(first)) and "sort sorting" not in player.title
    assert matches(pixels(first), expected(small, level))

    player.key("Return")  # a zoom into the zoom
    second = player.snapshot()
    assert len(levels(second)) == 2
    assert matches(pixels(second), expected(small, levels(second)))
    assert np.array_equal(render_recipe(second, tmp_path / "again.png"), pixels(second))

    player.key("BackSpace")  # back out one level
    back = player.snapshot()
    assert levels(back) == level and np.array_equal(pixels(back), pixels(first))

    player.key("t")  # the level tiles (in sampler mode T is not saturate's key)
    tiled = player.snapshot()
    assert [lv["mode"] for lv in levels(tiled)] == ["tile"]
    assert matches(pixels(tiled), expected(small, levels(tiled)))
    assert np.array_equal(render_recipe(tiled, tmp_path / "tiled.png"), pixels(tiled))
    assert "saturate" in json.dumps(recipe(tiled))

    player.key("Escape")  # leaves sampler mode; does not quit
    wait_for(lambda: overlay_pixels(window_pixels(player)) == 0, 10, "the rectangle gone")
    assert player.proc.poll() is None
    player.key("Right")  # the arrows sort again
    wait_for(lambda: "sort held right" in player.title, 10, "the sort in the title")


def test_mouse_drag_selects_the_rectangle(play: Callable[..., Player], small: Path) -> None:
    player = play(str(small), "--size", "256x144", "--fx", "saturate amount=0", "--transition", "0")
    player.snapshot_where(lambda a: a.std() > 30, "the image")
    player.key("m")
    wait_for(lambda: overlay_pixels(window_pixels(player)) > 200, 10, "the sampler's rectangle")
    player.xdotool("mousemove", "--window", player.window, "64", "36")
    player.xdotool("mousedown", "1")
    for x, y in ((100, 60), (140, 80), (160, 90)):
        player.xdotool("mousemove", "--window", player.window, str(x), str(y))
        time.sleep(0.1)
    player.xdotool("mouseup", "1")
    time.sleep(0.3)
    player.key("Return")
    snap = player.snapshot()
    (level,) = levels(snap)
    assert level["x"] == pytest.approx(112 / 256, abs=0.01)
    assert level["y"] == pytest.approx(63 / 144, abs=0.01)
    assert level["size"] == pytest.approx(96 / 256, abs=0.01)
    assert level["aspect"] == pytest.approx((96 / 256) / (54 / 144), abs=0.03)
    assert matches(pixels(snap), expected(small, [level]))


def test_view_pan_zoom_and_split_change_the_window_never_the_snapshot(
    play: Callable[..., Player], small: Path
) -> None:
    player = play(str(small), "--size", "256x144", "--fx", "saturate amount=0.5", "--transition", "0")
    plain = pixels(player.snapshot_where(lambda a: a.std() > 30, "the image"))
    shown = window_pixels(player)
    assert np.abs(shown[60:, :] - plain[60:, :]).mean() < 1  # (notices show top left)

    player.key("equal")
    player.key("equal")  # view x2: one frame pixel on 2x2 window pixels, nearest
    twice = np.kron(plain[36:108, 64:192], np.ones((2, 2, 1), int))
    wait_for(lambda: _showing(window_pixels(player), twice), 10, "the view zoomed in 2x")
    assert np.array_equal(pixels(player.snapshot()), plain)

    player.xdotool("mousemove", "--window", player.window, "128", "100")
    player.xdotool("mousedown", "1")
    player.xdotool("mousemove", "--window", player.window, "88", "100")
    player.xdotool("mouseup", "1")  # dragged 40 px left: the view moved 20 frame pixels right
    right = np.kron(plain[36:108, 84:212], np.ones((2, 2, 1), int))
    wait_for(lambda: _showing(window_pixels(player), right), 10, "the view panned")
    assert np.array_equal(pixels(player.snapshot()), plain)

    player.key("0")
    wait_for(lambda: np.abs(window_pixels(player)[60:] - plain[60:]).mean() < 1, 10, "the view reset")

    player.key("backslash")  # split: the source (before) left of the line, the processed right
    fitted = Image.open(small).convert("RGB").resize((288, 144), Image.BICUBIC)  # as fit=fill loads it
    source = np.asarray(fitted)[:, 16:272].astype(int)
    wipe = np.concatenate([source[:, :128], plain[:, 128:]], axis=1)
    split = wait_for(lambda: _showing(window_pixels(player), wipe, skip=(126, 131)), 10, "split view")[0]
    assert np.array_equal(pixels(player.snapshot()), plain)
    player.xdotool("mousemove", "--window", player.window, "128", "100")
    player.xdotool("mousedown", "1")
    player.xdotool("mousemove", "--window", player.window, "200", "100")
    player.xdotool("mouseup", "1")  # the line dragged to x = 200
    wipe = np.concatenate([source[:, :200], plain[:, 200:]], axis=1)
    wait_for(lambda: _showing(window_pixels(player), wipe, skip=(198, 203)), 10, "the line dragged")

    player.key("backslash")  # side by side: each half the window, letterboxed
    wait_for(lambda: _changed(window_pixels(player), split), 10, "side by side")
    def half(a: np.ndarray) -> np.ndarray:  # what bilinear filtering at exactly half size gives
        return (a[0::2, 0::2] + a[1::2, 0::2] + a[0::2, 1::2] + a[1::2, 1::2]) / 4

    both = np.zeros((144, 256, 3))
    both[36:108, :128], both[36:108, 128:] = half(source), half(plain)
    shown = wait_for(lambda: _showing(window_pixels(player), both), 10, "before and after side by side")[0]
    assert np.abs(shown[108:]).max() == 0  # letterboxed
    assert np.array_equal(pixels(player.snapshot()), plain)


def _showing(now: np.ndarray, want: np.ndarray, skip: tuple[int, int] = (0, 0)) -> list[np.ndarray] | None:
    """``now`` if it shows ``want`` below the notices (top left), but for columns ``skip``."""
    if now.shape != want.shape:
        return None
    diff = np.abs(now[60:] - want[60:])
    diff[:, skip[0]:skip[1]] = 0  # the splitter line
    return [now] if diff.max() <= 2 else None


def _changed(now: np.ndarray, before: np.ndarray) -> list[np.ndarray] | None:
    return [now] if now.shape == before.shape and np.abs(now - before).mean() > 3 else None


def test_dreams_run_on_a_worker_never_stall_and_undream(play: Callable[..., Player], tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    blobs = Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)).resize((192, 108), Image.BICUBIC)
    blobs.save(tmp_path / "blobs.png")
    preset = tmp_path / "dream.toml"
    preset.write_text('source = "blobs.png"\nsize = "192x108"\n[[chain]]\neffect = "saturate"\namount = 0\n'
                      '[[chain]]\neffect = "enhance"\nenabled = false\n'  # E dreams with its parameters
                      'steps = 100\noctaves = 2\nlayer = 5\nstrength = 2\n')
    stats = tmp_path / "stats.jsonl"
    player = play("--preset", str(preset), "--fps", "10", "--stats", str(stats), "--transition", "0")
    plain = pixels(player.snapshot_where(lambda a: a.std() > 20, "the picture"))
    time.sleep(2.0)  # settled frame times before the dream
    player.key("e")
    titles: list[str] = []
    wait_for(lambda: titles.append(player.title) or "dreamed x1" in titles[-1], 180, "the dream")
    # progress in the title (enough steps that it shows between two title refreshes)
    assert any(re.search(r"dreaming \d+% \(\d+/200 steps\)", title) for title in titles), sorted(set(titles))
    first = player.snapshot()
    assert np.abs(pixels(first) - plain).mean() > 4  # the dream is the source now
    assert any("dreamed into with E" in note for note in recipe(first)["not_replayed"])

    player.key("e")  # dreams on the dream
    wait_for(lambda: "dreamed x2" in player.title, 180, "the second dream")
    assert np.abs(pixels(player.snapshot()) - pixels(first)).mean() > 2

    player.key("ctrl+e")
    wait_for(lambda: "dreamed" not in player.title, 10, "back to the undreamed picture")
    assert np.array_equal(pixels(player.snapshot()), plain)
    player.key("Escape")
    assert player.proc.wait(20) == 0, player.stderr

    rows = [json.loads(line) for line in stats.read_text().splitlines()]
    dreams = [(r["t"], e) for r in rows for e in r.get("events", []) if e["kind"] == "dream_dream"]
    assert len(dreams) == 2
    arrived, event = dreams[0]
    began = arrived - event["latency_ms"] / 1000.0
    during = np.array([r["ms"] for r in rows if began < r["t"] <= arrived])
    settled = np.array([r["ms"] for r in rows if r["t"] > rows[0]["t"] + 1.0])
    assert event["latency_ms"] > 1000 and len(during) >= 10  # the dream took a while; frames went on
    assert during.max() <= 3 * np.median(settled), (during.max(), np.median(settled))
