"""The parts of exploring in `play`, without a window: the keyboard sampler's stack and
rectangle, the view's arithmetic, the keymap's modes, the live show with a sampler and an
enhance effect, and the dream process (cancel)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sampler_reference import sample

from shaderviz.app.live import LiveOptions, LiveShow
from shaderviz.app.show import build_show
from shaderviz.app.stats import FrameStats
from shaderviz.control.commands import Commands, command_specs
from shaderviz.explore.dream import DreamParams
from shaderviz.explore.geometry import Rect, from_corners
from shaderviz.explore.livedream import DreamWorker
from shaderviz.explore.sampler import SamplerControl
from shaderviz.explore.view import View
from shaderviz.keymap import command_for
from shaderviz.presets import load_preset


def sampler_for(registry, fx: list[str] | None = None) -> tuple[SamplerControl, list[str]]:
    show = build_show(registry, None, fx=fx or ["saturate"], size=(64, 36))
    notes: list[str] = []
    return SamplerControl(show, notes.append), notes


def test_keys_in_sampler_mode_move_the_rectangle_not_the_sort(registry) -> None:
    assert command_for("LEFT", registry) == "sort:LEFT"
    assert command_for("LEFT", registry, modes=["sampler"]) == "sampler_move:LEFT"
    assert command_for("LEFT", registry, modes=["sampler"], modifiers=["SHIFT"]) == "sampler_nudge:LEFT"
    assert command_for("LEFT", registry, modes=["sampler"], modifiers=["CTRL"]) == "sampler_stretch:LEFT"
    assert command_for("LEFT", registry, modifiers=["SHIFT"]) == "sort:LEFT"  # no binding: the plain key
    assert command_for("T", registry) == "toggle:saturate"
    assert command_for("T", registry, modes=["sampler"]) == "sampler_cycle"
    assert command_for("ESCAPE", registry) == "quit"
    assert command_for("ESCAPE", registry, modes=["sampler"]) == "sampler_mode"
    assert command_for("LEFT", registry, modes=["view"]) == "view_pan:LEFT"
    assert command_for("E", registry, modifiers=["SHIFT"]) == "dream_frame"
    assert command_for("E", registry, modifiers=["CTRL"]) == "undream"
    assert {spec.name for spec in command_specs(registry)} >= {"sampler_zoom", "split", "dream", "view_reset"}


def test_the_stack_is_the_run_of_samplers_in_the_chain(registry) -> None:
    control, notes = sampler_for(registry)
    control.press("sampler_move:RIGHT", True, now=0.0)
    control.press("sampler_move:RIGHT", False)
    control.press("sampler_size:SHRINK", True, now=0.0)
    control.press("sampler_size:SHRINK", False)
    control.push()
    chain = control.show.chain
    assert [i.name for i in chain] == ["sampler", "saturate"]  # first: it reads the source itself
    level = chain[0].values
    assert level["x"] == pytest.approx(0.55) and level["size"] == pytest.approx(0.5 / 2**0.25, abs=1e-6)
    control.push()
    assert [i.name for i in chain] == ["sampler", "sampler", "saturate"]
    control.cycle()
    assert chain[1].values["mode"] == "tile"
    control.tiles(more=True)
    assert chain[1].values["tiles"] == 2.0
    control.cycle()
    control.cycle()
    assert chain[1].values["mode"] == "zoom"
    control.cycle_filter()
    assert {i.values["filter"] for i in chain[:2]} == {"linear"}
    control.set_rect(Rect(0.2, 0.3, 0.1))
    control.pop()  # the rectangle returns to where the level was
    assert len(control.levels()) == 1 and control.rect.x == pytest.approx(0.55)
    control.pop()
    control.pop()
    assert [i.name for i in chain] == ["saturate"] and "no zoom level" in notes[-1]


def test_held_keys_repeat_and_the_rectangle_stays_inside(registry) -> None:
    control, _ = sampler_for(registry)
    control.press("sampler_move:LEFT", True, now=10.0)
    control.update(now=10.2)
    assert control.rect.x == pytest.approx(0.45)  # one step at the press, none before the pause
    control.update(now=10.35 + 0.5)
    assert control.rect.x == pytest.approx(0.25)  # the left edge: it stops there
    control.press("sampler_move:LEFT", False)
    control.set_rect(Rect(0.5, 0.5, 0.5).turned(45))
    xs, ys = zip(*control.rect.corners((64, 36)), strict=True)
    assert min(xs) >= -1e-9 and max(xs) <= 1 + 1e-9 and min(ys) >= -1e-9 and max(ys) <= 1 + 1e-9
    stretched = Rect().stretched(2.0, 1.0)
    assert stretched.width == pytest.approx(1.0) and stretched.height == pytest.approx(0.5)


def test_a_drag_selects_and_a_click_moves(registry) -> None:
    control, _ = sampler_for(registry)
    control.drag_to((0.1, 0.2), (0.3, 0.6))
    assert control.corners()[0] == pytest.approx((0.1, 0.2))
    control.drag_end((0.1, 0.2), (0.3, 0.6))
    assert control.drag is None and control.rect == from_corners((0.1, 0.2), (0.3, 0.6), (64, 36))
    assert control.rect.aspect == pytest.approx(0.2 / 0.4)
    control.drag_end((0.7, 0.5), (0.7, 0.5))  # a click
    assert (control.rect.x, control.rect.y) == pytest.approx((0.7, 0.5))


def test_the_rectangle_and_levels_come_back_from_a_recipe(registry, tmp_path: Path) -> None:
    control, _ = sampler_for(registry)
    control.set_rect(Rect(0.3, 0.6, 0.2, 1.5, 10))
    control.push("mirror")
    recipe = control.show.recipe(control.show.frame(0))
    expected = {"x": 0.3, "y": 0.6, "size": 0.2, "aspect": 1.5, "rotation": 10.0}
    assert recipe["preset"]["play"]["sampler"] == expected
    lines = ['[play.sampler]', 'x = 0.3', 'y = 0.6', 'size = 0.2', 'aspect = 1.5', 'rotation = 10.0',
             '[[chain]]', 'effect = "sampler"', 'x = 0.4', 'mode = "mirror"', 'filter = "cubic"']
    (tmp_path / "p.toml").write_text("\n".join(lines) + "\n")
    show = build_show(registry, None, str(tmp_path / "p.toml"), size=(64, 36))
    again = SamplerControl(show, print)
    assert again.rect == Rect(0.3, 0.6, 0.2, 1.5, 10.0) and again.filter == "cubic"
    assert len(again.levels()) == 1 and load_preset(str(tmp_path / "p.toml"), registry).play_extra


def test_view_arithmetic() -> None:
    view = View()
    box = view.boxes((256, 144), (512, 400))[0]
    assert box == (0, 56, 512, 288)
    assert view.to_frame((256, 200), box) == pytest.approx((0.5, 0.5))
    view.zoom_by(4, anchor=(0.25, 0.25))  # the anchor stays where it was on screen
    assert view.to_window((0.25, 0.25), box) == pytest.approx((128, 56 + 72))
    point = (300.0, 123.0)
    assert view.to_window(view.to_frame(point, box), box) == pytest.approx(point)
    view.pan(10, 10)
    assert view.region()[2:] == pytest.approx((1.0, 1.0))  # clamped to the picture
    view.reset()
    assert view.identity
    view.next_split()
    view.next_split()
    left, right = view.boxes((256, 144), (512, 400))
    assert left[2] == right[2] == 256 and right[0] == 256


# -- the live show, headless ----------------------------------------------------------------------


@pytest.fixture
def noise_file(tmp_path: Path) -> Path:
    path = tmp_path / "noise.png"
    Image.fromarray(np.random.default_rng(6).integers(0, 256, (36, 64, 3), dtype=np.uint8)).save(path)
    return path


def live_show(gl_ctx, registry, source: Path, fx: list[str], tmp_path: Path) -> tuple[LiveShow, Commands]:
    show = build_show(registry, str(source), fx=fx, size=(64, 36))
    commands = Commands(lambda: command_specs(registry))
    live = LiveShow(gl_ctx, show, LiveOptions(transition=0.0, snapshots=tmp_path), commands,
                    FrameStats(None), lambda text: None)
    return live, commands


def test_live_show_zooms_where_the_keys_say(gl_ctx, registry, noise_file: Path, tmp_path: Path) -> None:
    live, commands = live_show(gl_ctx, registry, noise_file, ["saturate amount=0"], tmp_path)
    try:
        for name in ("sampler_mode", "sampler_move:UP", "sampler_size:SHRINK", "sampler_zoom"):
            commands.run(name)
            commands.run(name, pressed=False)
        deadline = time.monotonic() + 10
        while live.native.uploaded is not live.shown and time.monotonic() < deadline:
            live.step()
            time.sleep(0.02)
        out = live.renderer.read(live.step()) / 255.0
        level = {k: v for k, v in live.show.chain[0].values.items()}
        expected = sample(np.asarray(Image.open(noise_file)) / 255.0, [level])
        assert float((np.abs(out - expected) > 1.5 / 255).any(axis=2).mean()) < 0.01
        commands.run("sampler_back")
        assert np.array_equal(live.renderer.read(live.step()), np.asarray(Image.open(noise_file)))
    finally:
        live.release()


def test_live_enhance_effect_fades_its_dream_in(gl_ctx, registry, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rng = np.random.default_rng(2)
    blobs = Image.fromarray(rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)).resize((64, 36), Image.BICUBIC)
    blobs.save(tmp_path / "blobs.png")
    live, _ = live_show(gl_ctx, registry, tmp_path / "blobs.png",
                        ["enhance steps=3 octaves=1 layer=5 strength=3"], tmp_path)
    try:
        first = live.renderer.read(live.step())
        assert np.array_equal(first, np.asarray(blobs))  # no dream yet: the input
        uid = live.show.chain[0].uid
        deadline = time.monotonic() + 120
        while not live.renderer.has_effect_image(uid, "dreamImage") and time.monotonic() < deadline:
            live.step()
            time.sleep(0.05)
        fading = live.renderer.read(live.step())
        time.sleep(0.6)
        live.step()
        dreamed = live.renderer.read(live.step())
        change = np.abs(dreamed.astype(int) - np.asarray(blobs)).mean()
        assert change > 4 and np.abs(fading.astype(int) - np.asarray(blobs)).mean() < change
    finally:
        live.release()


def test_a_dream_in_progress_can_be_cancelled() -> None:
    worker = DreamWorker()
    try:
        image = np.random.default_rng(0).integers(0, 256, (48, 64, 3), dtype=np.uint8)
        worker.submit(("picture", 1), image, DreamParams(steps=200, octaves=1))
        deadline = time.monotonic() + 120
        while not worker.progress and time.monotonic() < deadline:
            time.sleep(0.05)
        assert worker.progress, worker.error
        worker.cancel(lambda tag: True)
        done: list = []
        while not done and time.monotonic() < deadline:
            done = worker.take()
            time.sleep(0.05)
        assert [d[0] for d in done] == ["cancelled"]
    finally:
        worker.close()
