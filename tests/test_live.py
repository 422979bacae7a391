"""The pieces of `play` without a window: commands, keymap, chain edits, stats, pacing,
render scale, depth neutral until ready, flow sort across video frames, transitions."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sort_reference import pixelsort, sort_keys

from shaderviz.app.chainedit import ChainEditor
from shaderviz.app.clock import Pacer
from shaderviz.app.show import Show, build_show, fit_for_play
from shaderviz.app.stats import FrameStats
from shaderviz.app.transitions import Crossfade
from shaderviz.control.commands import Commands, command_specs
from shaderviz.effects.chain import parse_fx
from shaderviz.keymap import RESERVED_KEYS, bindings, command_for, describe
from shaderviz.render.renderer import Frame, Renderer
from shaderviz.render.targets import Target
from shaderviz.sources import FolderSource

# -- commands and keys --------------------------------------------------------------------------


def test_keys_say_commands_and_commands_run_handlers(registry) -> None:
    bank = ["default", "glitch"]
    commands = Commands(lambda: command_specs(registry, bank))
    seen: list[tuple] = []
    commands.bind("toggle", lambda name: seen.append(("toggle", name)))
    commands.bind("sort", lambda arrow, down: seen.append(("sort", arrow, down)))
    commands.bind("preset", lambda n: seen.append(("preset", n)))
    commands.bind("snapshot", lambda: seen.append(("snapshot",)))

    assert command_for("R", registry, bank) == "toggle:rgb_split"  # from the effect file's header
    assert command_for("2", registry, bank) == "preset:2" and command_for("3", registry, bank) is None
    assert command_for("BACKSPACE", registry) == "remove" and command_for("TAB", registry) == "select_next"
    presses = (("R", True), ("R", False), ("LEFT", True), ("LEFT", False), ("2", True), ("S", True))
    for key, pressed in presses:
        assert commands.run(command_for(key, registry, bank), pressed)
    assert seen == [("toggle", "rgb_split"), ("sort", "LEFT", True), ("sort", "LEFT", False),
                    ("preset", "2"), ("snapshot",)]  # a released toggle does nothing; held sort hears both
    assert not commands.run("toggle:no_such_effect")
    assert not commands.run("quit")  # nothing bound: not handled
    with pytest.raises(ValueError, match="bound twice"):
        commands.bind("toggle", print)


def test_posted_commands_run_on_pump_and_failures_are_warnings(registry, capsys) -> None:
    commands = Commands(lambda: command_specs(registry))
    ran: list[str] = []
    commands.bind("pause", lambda: ran.append("pause"))
    commands.bind("remove", lambda: 1 / 0)
    commands.post("pause")  # e.g. from an OSC thread
    commands.post("remove")
    commands.post("nonsense")
    assert ran == []
    commands.pump()
    assert ran == ["pause"]
    err = capsys.readouterr().err
    assert "remove: division by zero" in err and "unknown command 'nonsense'" in err


def test_keymap_lists_every_command_key_once(registry) -> None:
    keys = [(b.mode, b.key) for b in bindings(registry, ["default"])]
    assert len(keys) == len(set(keys))  # once per mode (a mode's arrows are not the sort's)
    text = describe(registry, ["default"])
    assert "? /" in text and "load preset default" in text and "toggle rgb_split" in text
    assert {"H", "TAB", "BACKSPACE", "1"} <= RESERVED_KEYS


# -- chain edits -----------------------------------------------------------------------------------


def test_chain_edits_select_remove_and_move(registry) -> None:
    show = build_show(registry, None, fx=["blur", "saturate", "pixelsort mode=flow"], size=(32, 18))
    notes: list[str] = []
    editor = ChainEditor(show, notes.append)
    editor.select(1)
    editor.select(1)
    assert editor.describe() == "blur > [saturate] > pixelsort"
    editor.move(1)
    assert [i.name for i in show.chain] == ["blur", "pixelsort", "saturate"] and editor.selected == 2
    editor.select(-1)
    editor.remove()  # pixel sort can be removed
    assert [i.name for i in show.chain] == ["blur", "saturate"] and notes[-1] == "removed pixelsort"
    editor.toggle("blur")
    assert editor.describe() == "[(blur)] > saturate"
    editor.toggle("rgb_split")
    assert [i.name for i in show.chain][-1] == "rgb_split" and editor.selected == 2
    editor.remove()
    editor.remove()
    editor.remove()
    editor.remove()
    assert show.chain == [] and editor.describe() == "(no effects)" and "nothing selected" in notes[-1]


# -- stats and pacing ---------------------------------------------------------------------------


def test_stats_lines_and_rolling_percentiles(tmp_path: Path) -> None:
    path = tmp_path / "s" / "stats.jsonl"
    stats = FrameStats(path)
    stats.restart()
    for i in range(5):
        if i == 2:
            stats.event("depth", ms=12.5)
        time.sleep(0.01)
        stats.frame(work_ms=1.0, depth_lag=None if i < 3 else 1)
    stats.close()
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["frame"] for r in rows] == [0, 1, 2, 3, 4]
    assert all(r["ms"] >= 9 for r in rows) and rows[-1]["t"] >= sum(r["ms"] for r in rows) / 1000 - 1e-3
    assert rows[2]["events"] == [{"kind": "depth", "ms": 12.5}] and "events" not in rows[3]
    assert "depth_lag" not in rows[0] and rows[4]["depth_lag"] == 1
    summary = stats.summary()
    assert 9 <= summary["p50"] <= summary["p99"] and summary["fps"] > 0


def test_pacer_caps_the_rate() -> None:
    pacer = Pacer(50.0)
    started = time.perf_counter()
    for _ in range(11):
        pacer.wait()
    assert time.perf_counter() - started >= 10 / 50 - 0.005
    assert pacer.early()  # just woken: the next frame is ahead of its time
    time.sleep(0.05)
    assert not pacer.early()  # late: nothing to wait for
    free = Pacer(None)
    started = time.perf_counter()
    for _ in range(100):
        free.wait()
    assert time.perf_counter() - started < 0.05 and not free.early()


# -- sources: the cycle timer and large images -----------------------------------------------------


def test_next_image_restarts_the_cycle_timer(tmp_path: Path) -> None:
    paths = [tmp_path / f"{i}.png" for i in range(3)]
    source = FolderSource(str(tmp_path), paths=paths, cycle_seconds=10.0)
    assert source.key_at(9.0, 0) == paths[0] and source.key_at(10.0, 0) == paths[1]
    assert source.skip(9.5)  # N at 9.5 s: the next image, for a whole cycle from now
    assert source.key_at(9.5, 0) == paths[1] and source.key_at(19.4, 0) == paths[1]
    assert source.key_at(19.5, 0) == paths[2] and source.key_at(29.5, 0) == paths[0]
    assert source.upcoming(paths[2]) == [paths[0]]


def test_big_sources_are_fitted_for_play(registry, tmp_path: Path) -> None:
    photo = tmp_path / "phone.jpg"
    Image.new("RGB", (4032, 3024), (90, 120, 150)).save(photo)
    show = build_show(registry, str(photo))
    assert show.size == (4032, 3024)
    size, note = fit_for_play(show)
    assert size == (1440, 1080) and "4032x3024" in note and "--size" in note
    assert fit_for_play(build_show(registry, str(photo), size=(1280, 720))) == ((1280, 720), None)


# -- the renderer: render scale, depth weight, flow carry ------------------------------------------


def _grey_stripes(w: int, h: int) -> np.ndarray:
    img = np.zeros((h, w, 3), np.uint8)
    img[:, (np.arange(w) // 4) % 2 == 0] = 200
    return img


def test_pixel_parameters_follow_the_render_scale(gl_ctx, registry) -> None:
    """pixelate size=8 at half scale is pixelate size=4 at that size: the same look."""
    img = np.random.default_rng(3).integers(0, 256, (36, 64, 3), dtype=np.uint8)
    half = Renderer(gl_ctx, (64, 36), registry, pixel_scale=0.5)
    plain = Renderer(gl_ctx, (64, 36), registry)
    try:
        for renderer in (half, plain):
            renderer.upload_source(img)
        scaled = half.read(half.render([parse_fx("pixelate size=8", registry)], Frame()))
        direct = plain.read(plain.render([parse_fx("pixelate size=4", registry)], Frame()))
        assert np.array_equal(scaled, direct)
        unscaled = plain.read(plain.render([parse_fx("pixelate size=8", registry)], Frame()))
        assert not np.array_equal(scaled, unscaled)
        off = half.read(half.render([parse_fx("pixelsort interval=0", registry)], Frame()))
        assert np.array_equal(off, plain.read(plain.render([parse_fx("pixelsort", registry)], Frame())))
    finally:
        half.release()
        plain.release()


def test_depth_gating_is_neutral_until_depth_is_ready(gl_ctx, registry) -> None:
    img = _grey_stripes(32, 16)
    img[..., 0] = 255
    chain = [parse_fx("saturate amount=-1 depth_max=0.5 depth_soft=0", registry)]
    renderer = Renderer(gl_ctx, (32, 16), registry)
    try:
        renderer.upload_source(img)
        renderer.upload_depth(np.full((16, 32), 0.2, np.float32))  # far everywhere: the effect acts
        grey = renderer.read(renderer.render(chain, Frame())).astype(int)
        assert np.abs(grey[..., 0] - grey[..., 2]).max() <= 2
        renderer.depth_weight = 0.0  # depth not ready yet
        assert np.array_equal(renderer.read(renderer.render(chain, Frame())), img)  # not the whole picture
        renderer.depth_weight = 0.5
        half = renderer.read(renderer.render(chain, Frame())).astype(int)
        assert 60 < half[0, 4, 0] - half[0, 4, 2] < 200  # fading in (a pure red pixel, half greyed)
    finally:
        renderer.release()


def test_small_depth_maps_are_scaled_on_the_gpu(gl_ctx, registry) -> None:
    small = np.array([[0.0, 1.0], [1.0, 0.0]], np.float32)
    renderer = Renderer(gl_ctx, (8, 8), registry)
    try:
        renderer.upload_depth(small)
        full = np.frombuffer(renderer.depth.read(), np.float32).reshape(8, 8)[::-1]
        expected = np.asarray(Image.fromarray(small, mode="F").resize((8, 8), Image.BILINEAR))
        assert np.allclose(full, expected, atol=1e-3)
    finally:
        renderer.release()


def test_flow_carry_sorts_each_new_frame_into_the_running_order(gl_ctx, registry) -> None:
    rng = np.random.default_rng(5)
    first = rng.integers(0, 256, (6, 40, 3), dtype=np.uint8)
    second = np.clip(first + rng.integers(-6, 7, first.shape), 0, 255).astype(np.uint8)  # the next frame
    depth = np.zeros((6, 40), np.uint8)
    sorted_second = pixelsort(second, depth, "lightness", "x", False, 0.0, 1.0, 0)
    results = {}
    for carry in (True, False):
        renderer = Renderer(gl_ctx, (40, 6), registry)
        chain = [parse_fx(f"pixelsort mode=flow speed=8 key=lightness carry={str(carry).lower()}", registry)]
        try:
            renderer.upload_source(first)
            for frame in range(40):
                out = renderer.read(renderer.render(chain, Frame(frame)))
            assert np.array_equal(out, pixelsort(first, depth, "lightness", "x", False, 0.0, 1.0, 0))
            renderer.upload_source(second)  # the next video frame
            renderer.reset_state()
            results[carry] = renderer.read(renderer.render(chain, Frame(40)))
            for frame in range(41, 90):
                out = renderer.read(renderer.render(chain, Frame(frame)))
            # Either way the new frame ends up sorted (ties may keep the running order).
            keys = sort_keys(out, depth, "lightness")
            assert np.array_equal(keys, sort_keys(sorted_second, depth, "lightness"))
        finally:
            renderer.release()
    for row in range(6):  # the new frame's own pixels ...
        assert sorted(map(tuple, results[True][row])) == sorted(map(tuple, second[row]))
    # ... in the running order: near the sorted frame at once, not starting again from unsorted
    def distance(a):  # noqa: ANN001, ANN202
        return np.abs(a.astype(int) - sorted_second).mean()
    assert distance(results[True]) < 0.2 * distance(results[False])


# -- transitions ---------------------------------------------------------------------------------


def test_crossfade_mixes_from_the_held_frame(gl_ctx) -> None:
    size = (8, 4)
    black, white = Target.create(gl_ctx, size), Target.create(gl_ctx, size)
    black.fbo.clear(0.0, 0.0, 0.0, 1.0)
    white.fbo.clear(1.0, 1.0, 1.0, 1.0)
    fade = Crossfade(gl_ctx, size, seconds=1.0)
    try:
        fade.start(black, now=10.0)
        black.fbo.clear(1.0, 0.0, 0.0, 1.0)  # the held copy does not change with its source
        middle = np.frombuffer(fade.apply(white, now=10.5).fbo.read(components=3), np.uint8)
        assert np.all(np.abs(middle.astype(int) - 128) <= 2)  # smoothstep(0.5) = 0.5
        assert fade.apply(white, now=11.01) is white and not fade.active
        off = Crossfade(gl_ctx, size, seconds=0.0)
        off.start(black)
        assert off.apply(white) is white
    finally:
        fade.release()
        black.release()
        white.release()


def test_show_recipe_names_the_picture_on_screen(registry, tmp_path: Path) -> None:
    show: Show = build_show(registry, None, fx=["pixelsort mode=flow"], size=(16, 9))
    recipe = show.recipe(show.frame_at(1.5, 3))
    assert "not_replayed" in recipe and "flow sort" in recipe["not_replayed"][0]


def test_deleting_a_user_override_brings_the_builtin_back(tmp_path: Path, gl_ctx, capsys) -> None:
    from shaderviz.app.hotreload import HotReload
    from shaderviz.effects.registry import Registry

    fx = tmp_path / "fx"
    fx.mkdir()
    override = fx / "saturate.glsl"
    override.write_text('/*{ "description": "all green", "key": "T" }*/\n'
                        "vec4 effect(vec2 uv) { return vec4(0.0, 1.0, 0.0, 1.0); }\n")
    registry = Registry.load([fx])
    renderer = Renderer(gl_ctx, (8, 8), registry)
    reload = HotReload(registry, renderer)
    reload.start()
    try:
        img = np.tile(np.array([200, 60, 30], np.uint8), (8, 8, 1))
        renderer.upload_source(img)
        chain = [parse_fx("saturate", registry)]

        def pixel() -> list[int]:
            reload.poll(["saturate"])
            return renderer.read(renderer.render(chain, Frame()))[4, 4].tolist()

        assert pixel() == [0, 255, 0]
        override.unlink()
        deadline = time.monotonic() + 10
        while pixel() == [0, 255, 0] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert registry.effects["saturate"].path.parent != fx and registry.keys["T"] == "saturate"
        builtin = Renderer(gl_ctx, (8, 8), Registry.load())
        builtin.upload_source(img)
        expected = builtin.read(builtin.render([parse_fx("saturate", builtin.registry)], Frame()))
        expected = expected[4, 4].tolist()
        builtin.release()
        assert pixel() == expected and reload.report() is None
        assert "saturate.glsl was deleted" in capsys.readouterr().err
        (fx / "mine.glsl").write_text('/*{ "description": "mine" }*/\n'
                                      "vec4 effect(vec2 uv) { return vec4(1.0); }\n")
        deadline = time.monotonic() + 10
        while "mine" not in registry.effects and time.monotonic() < deadline:
            pixel()
            time.sleep(0.05)
        (fx / "mine.glsl").unlink()
        deadline = time.monotonic() + 10
        while "mine" in registry.effects and time.monotonic() < deadline:
            pixel()
            time.sleep(0.05)
        assert "mine" not in registry.effects  # no built-in of that name: it is gone
    finally:
        reload.release()
        renderer.release()


def test_presets_describe_themselves_and_hold_play_settings(registry, tmp_path: Path) -> None:
    from shaderviz.errors import UserError
    from shaderviz.presets import builtin_presets, load_preset, preset_description

    assert all(preset_description(name) for name in builtin_presets())
    assert load_preset("default", registry).software_scale == 0.75
    preset = tmp_path / "p.toml"
    preset.write_text('description = "mine"\n[play]\nsoftware_scale = 0.5\n')
    loaded = load_preset(str(preset), registry)
    assert (loaded.description, loaded.software_scale) == ("mine", 0.5)
    preset.write_text("[play]\nsoftware_scale = 3\n")
    with pytest.raises(UserError, match=r"p\.toml:2: \[play\] software_scale: expected a number 0\.1\.\.1"):
        load_preset(str(preset), registry)
    preset.write_text("[play]\nspeed = 1\n")
    with pytest.raises(UserError, match=r"p\.toml:2: \[play\] unknown key 'speed'"):
        load_preset(str(preset), registry)


def test_presets_command_lists_descriptions() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "shaderviz", "presets"], capture_output=True, text=True,
                          check=True)
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["clouds", "default", "glitch", "melt", "network"]
    assert all(len(line.split()) > 3 for line in lines)  # name, then its description


def test_a_bank_typo_fails_before_the_window(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([sys.executable, "-m", "shaderviz", "play", "--bank", "glitch,nope"], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.splitlines() == [
        "shaderviz: error: --bank: preset 'nope': no such file or built-in preset "
        "(clouds, default, glitch, melt, network)"]


def test_video_frames_show_the_nearest_earlier_depth_map(registry) -> None:
    from shaderviz.app.livedepth import LiveDepth

    show = build_show(registry, None, fx=["blur depth_min=0.5"], size=(8, 8))
    depth = LiveDepth(show, (8, 8), FrameStats(), video_frames=100)
    for key in (3, 7, 98):
        depth.maps[key] = np.full((2, 2), key / 100, np.float16)
    assert depth._best(7) == (7, 0)  # its own map
    assert depth._best(9) == (7, 2)  # two frames behind
    assert depth._best(5) == (3, 2)  # never a later frame's map
    assert depth._best(1) == (98, 3)  # across the loop's end
    assert depth._best(60) == (None, None)  # too old: no map rather than a wrong one
    stills = LiveDepth(show, (8, 8), FrameStats(), video_frames=None)
    stills.maps["a.png"] = np.zeros((2, 2), np.float16)
    assert stills._best("a.png") == ("a.png", 0) and stills._best("b.png") == (None, None)


def test_only_numbers_have_a_pixel_unit(tmp_path: Path) -> None:
    from shaderviz.effects.spec import parse_effect

    body = "vec4 effect(vec2 uv) { return vec4(1.0); }\n"
    spec = parse_effect(tmp_path / "ok.glsl", '/*{ "params": {"r": {"type": "float", "default": 1, "min": 0, '
                        '"max": 9, "unit": "px"}} }*/\n' + body)
    assert spec.param("r").unit == "px" and spec.to_json()["params"]["r"]["unit"] == "px"
    turn = parse_effect(tmp_path / "turn.glsl", '/*{ "params": {"a": {"type": "float", "default": 0, '
                        '"min": -360, "max": 360, "unit": "deg"}} }*/\n' + body)
    assert turn.param("a").unit == "deg"  # the shader also gets a_dir = (cos, sin): tests/test_effects.py
    for decl in ('{"type": "bool", "default": true, "unit": "px"}',
                 '{"type": "int", "default": 1, "min": 0, "max": 9, "unit": "deg"}',
                 '{"type": "float", "default": 1, "min": 0, "max": 9, "unit": "cm"}'):
        with pytest.raises(ValueError, match="unit is"):
            parse_effect(tmp_path / "bad.glsl", '/*{ "params": {"r": ' + decl + "} }*/\n" + body)


class _FakeWorker:
    made: list[_FakeWorker] = []

    def __init__(self, model: str, size: tuple[int, int], cache: bool) -> None:
        self.model, self.size, self.cache, self.closed = model, size, cache, False
        _FakeWorker.made.append(self)

    def close(self) -> None:
        self.closed = True


def test_the_depth_model_starts_before_the_window_and_is_adopted(registry, monkeypatch) -> None:
    """Its torch import overlaps the window's start-up instead of the first frames."""
    from shaderviz.app import livedepth
    from shaderviz.errors import UserError
    from shaderviz.outputs import window

    _FakeWorker.made = []
    monkeypatch.setattr(livedepth, "DepthWorker", _FakeWorker)
    flat = build_show(registry, None, fx=["blur depth_min=0.5"], size=(8, 8))
    show = build_show(registry, None, fx=["blur depth_min=0.5"], size=(8, 8))
    show.depth_mode = "auto"
    plain = build_show(registry, None, fx=["blur"], size=(8, 8))
    plain.depth_mode = "auto"
    assert livedepth.start_early(flat) is None  # --depth flat: no model
    assert livedepth.start_early(plain) is None  # nothing reads depth
    assert _FakeWorker.made == []

    order: list[str] = []
    def early(*args: object, **kwargs: object) -> _FakeWorker:
        order.append("depth")
        return _FakeWorker("m", (8, 8), True)

    monkeypatch.setattr(window, "start_early", early)

    def no_window(*args: object) -> None:
        order.append("window")
        raise UserError("no display")

    monkeypatch.setattr(window, "open_window", no_window)
    with pytest.raises(UserError):
        window.play(show, window.PlayOptions())
    assert order == ["depth", "window"] and _FakeWorker.made[-1].closed  # closed when no window opened

    early = livedepth.start_early(show)
    assert isinstance(early, _FakeWorker) and early.cache
    depth = livedepth.LiveDepth(show, (8, 8), FrameStats(), None, early)
    count = len(_FakeWorker.made)
    depth._start_worker()
    assert depth.worker is early and len(_FakeWorker.made) == count  # adopted, not a second process
    depth.release()
    assert early.closed


@pytest.mark.parametrize("software", [True, False])
def test_a_video_on_software_gl_is_estimated_every_third_frame(gl_ctx, registry, tmp_path: Path, monkeypatch,
                                                               software: bool) -> None:
    """The depth model's CPU is what a software rasteriser lacks: there a video's depth is
    estimated every third frame (the frames between show the map before theirs); with a
    GPU every frame is offered."""
    import imageio.v2 as iio

    from shaderviz.app import livedepth
    from shaderviz.app.live import LiveOptions, LiveShow

    class Recording(_FakeWorker):
        ready_ms, error, runtime = 1.0, None, ""
        submitted: list = []

        def submit(self, tag, image, newest_only: bool) -> None:  # noqa: ANN001
            Recording.submitted.append(tag)

        def take(self) -> list:
            return []

    monkeypatch.setattr(livedepth, "DepthWorker", Recording)
    Recording.submitted = []
    video = tmp_path / "ramp.mp4"
    with iio.get_writer(str(video), fps=30, codec="libx264", quality=9, macro_block_size=8) as writer:
        for i in range(30):
            writer.append_data(np.full((48, 64, 3), 4 * i, np.uint8))
    show = build_show(registry, str(video), None, ["saturate depth_max=0.5"], (64, 48), 30.0)
    show.depth_mode = "auto"
    commands = Commands(lambda: command_specs(registry, []))
    live = LiveShow(gl_ctx, show, LiveOptions(transition=0.0, software=software), commands, FrameStats(None),
                    lambda text: None)
    try:
        deadline = time.perf_counter() + 20
        while len(set(Recording.submitted)) < 6 and time.perf_counter() < deadline:
            live.step()
            time.sleep(0.02)
    finally:
        live.release()
    offered = sorted(set(Recording.submitted))
    assert len(offered) >= 6, offered
    assert all(key % 3 == 0 for key in offered) == software, offered


def test_stats_name_each_picture_the_worker_brought(gl_ctx, registry, tmp_path: Path) -> None:
    """--stats says what ran in workers: each new picture shown, with its load time."""
    from shaderviz.app.live import LiveOptions, LiveShow

    folder = tmp_path / "pictures"
    folder.mkdir()
    for i in range(2):
        Image.fromarray(_grey_stripes(32, 24) // (i + 1)).save(folder / f"{i}.png")
    show = build_show(registry, str(folder), None, ["saturate"], (32, 24), 30.0, 2.0, 0, None, None, 100.0)
    stats = FrameStats(None)
    commands = Commands(lambda: command_specs(registry, []))
    live = LiveShow(gl_ctx, show, LiveOptions(transition=0.0), commands, stats, lambda text: None)
    seen: list[dict] = []
    try:
        live.step()
        live.next_source()
        deadline = time.perf_counter() + 20
        while not seen and time.perf_counter() < deadline:
            live.step()
            seen = [e for e in stats._events if e["kind"] == "source"]
            time.sleep(0.01)
    finally:
        live.release()
    assert len(seen) == 1 and seen[0]["ms"] is not None and 0 <= seen[0]["ms"] < 20_000


def test_a_video_decoded_slower_than_it_plays_drops_frames_instead_of_freezing(
    gl_ctx, registry, tmp_path: Path, monkeypatch
) -> None:
    """With the depth model beside it, decoding a frame took longer than showing one: the
    wanted frame was never ready and the window showed the first frame for ever."""
    import imageio.v2 as iio

    from shaderviz.app.live import LiveOptions, LiveShow
    from shaderviz.sources import VideoSource

    video = tmp_path / "ramp.mp4"
    with iio.get_writer(str(video), fps=30, codec="libx264", quality=9, macro_block_size=8) as writer:
        for i in range(60):
            writer.append_data(np.full((48, 64, 3), 2 * i, np.uint8))
    decode = VideoSource.load

    def slow(self, key, size, fit):  # noqa: ANN001, ANN202 - 60 ms a frame: two frame periods
        time.sleep(0.06)
        return decode(self, key, size, fit)

    monkeypatch.setattr(VideoSource, "load", slow)
    show = build_show(registry, str(video), None, ["saturate"], (64, 48), 30.0)
    commands = Commands(lambda: command_specs(registry, []))
    live = LiveShow(gl_ctx, show, LiveOptions(transition=0.0), commands, FrameStats(None), lambda text: None)
    shown = []
    try:
        for _ in range(60):  # 1.2 s of a 30 fps clock, a frame every 20 ms
            live.step()
            shown.append(live.shown)
            time.sleep(0.02)
    finally:
        live.release()
    assert len(set(shown)) >= 6, shown  # about one decoded frame in two is shown
    steps = [(b - a) % 60 for a, b in zip(shown, shown[1:], strict=False) if a != b]
    assert all(0 < step <= 10 for step in steps), steps  # forward only, never back
