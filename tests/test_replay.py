"""The command log and its replay: a live show run headless with a log, driven by posted
commands (as OSC, MIDI and keys post them) while a worker loads the pictures; the replay
of its log at the same size equals every frame shown, and renders at other sizes and
rates; bad logs are one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shaderviz.app.controls import ControlOptions, LiveControls
from shaderviz.app.live import LiveOptions, LiveShow
from shaderviz.app.show import build_show
from shaderviz.app.stats import FrameStats
from shaderviz.audio.music import Music
from shaderviz.audio.tempo import Tempo
from shaderviz.control.commands import Commands, command_specs
from shaderviz.control.replay import Replay
from shaderviz.render.renderer import Renderer


def shaderviz(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "shaderviz", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def folder(tmp_path: Path) -> Path:
    images = tmp_path / "images"
    images.mkdir()
    rng = np.random.default_rng(3)
    for i in range(3):
        small = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
        Image.fromarray(small).resize((64, 48), Image.BICUBIC).save(images / f"{i}.png")
    return images


def perform(gl_ctx, registry, tmp_path: Path, log: Path, script: dict[int, list[tuple]],  # noqa: ANN001
            frames: int = 40, fx: tuple[str, ...] = ("rgb_split amount=sine(0,0.05)",)) -> list[np.ndarray]:
    """Run a live show headless for ``frames`` frames, posting ``script[i]`` before frame i;
    the pixels of each frame shown."""
    source = folder(tmp_path)
    show = build_show(registry, str(source), None, list(fx), (64, 48), 30.0, 2.0, 0, None, None, 100.0)
    show.music = Music(Tempo(120.0, manual=True))
    args = {"input": str(source), "preset": None, "fx": list(fx), "size": [64, 48], "fps": 30.0,
            "seconds": 2.0, "seed": 0, "fit": None, "depth": None, "cycle": 100.0, "depth_model": None,
            "effects_dir": [], "bank": [], "transition": 0.3, "scale": None, "render_size": None}
    commands = Commands(lambda: command_specs(registry, []))
    live = LiveShow(gl_ctx, show, LiveOptions(transition=0.3), commands, FrameStats(None), lambda text: None)
    controls = LiveControls(ControlOptions(log=log, log_args=args))
    listeners: list = []
    shown = []
    try:
        controls.attach(commands, live, lambda text: None, listeners)
        for index in range(frames):
            for name, *rest in script.get(index, []):
                commands.post(name, True, rest[0] if rest else None)
            commands.pump()
            controls.before_frame()
            output = live.step()
            for listener in listeners:
                listener(output, live.frame)
            shown.append(Renderer.read(live.renderer, output))
            time.sleep(0.01)  # wall time goes on: the crossfade and the worker's loads take frames
    finally:
        controls.release()
        live.release()
    return shown


SCRIPT = {3: [("set:rgb_split/amount", 0.2)], 6: [("toggle:blur",)], 8: [("next_source",)],
          12: [("set:blur/radius", "7")], 14: [("on:rgb_split", 0)], 16: [("set:blur/radius", 99)],
          20: [("next_source",)], 22: [("tap",)], 24: [("tap",)], 25: [("on:rgb_split", 1)],
          30: [("set:rgb_split/angle", "saw(0,360,1b)")]}


def test_replay_at_the_same_size_equals_every_frame_shown(gl_ctx, registry, tmp_path: Path) -> None:  # noqa: ANN001
    log = tmp_path / "show.jsonl"
    shown = perform(gl_ctx, registry, tmp_path, log, SCRIPT)
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    assert rows[0]["shaderviz_log"] == 1 and rows[0]["render_size"] == [64, 48]
    ran = [r["c"] for r in rows if "c" in r]
    assert "set:blur/radius" in ran and ran.count("next_source") == 2 and ran.count("tap") == 2
    assert sum(1 for r in rows if r.get("e") == "source") == 2  # two pictures arrived from the worker
    assert len({tuple(f.reshape(-1)[:64]) for f in shown}) > 10  # the show moved
    replay = Replay(log, gl_ctx)
    try:
        assert replay.frames == len(shown)
        for index, expected in enumerate(shown):
            got = Renderer.read(replay.live.renderer, replay.render(index))
            assert np.array_equal(got, expected), f"frame {index} differs"
    finally:
        replay.release()


def test_a_replay_that_misses_a_command_differs(gl_ctx, registry, tmp_path: Path) -> None:  # noqa: ANN001
    """The comparison above can fail: drop one logged command and frames differ from then on."""
    log = tmp_path / "show.jsonl"
    shown = perform(gl_ctx, registry, tmp_path, log, {5: [("set:rgb_split/amount", 0.2)]}, frames=10)
    lines = [ln for ln in log.read_text().splitlines() if '"c":"set:rgb_split/amount"' not in ln]
    log.write_text("\n".join(lines) + "\n")
    replay = Replay(log, gl_ctx)
    try:
        frames = [Renderer.read(replay.live.renderer, replay.render(i)) for i in range(10)]
    finally:
        replay.release()
    assert np.array_equal(frames[4], shown[4]) and not np.array_equal(frames[6], shown[6])


def test_render_replay_at_another_size_and_rate(gl_ctx, registry, tmp_path: Path) -> None:  # noqa: ANN001
    log = tmp_path / "show.jsonl"
    perform(gl_ctx, registry, tmp_path, log, SCRIPT, frames=30)
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    wall = [r["w"] for r in rows if "t" in r]
    out = tmp_path / "big"
    done = shaderviz("render", "--replay", str(log), "-o", str(out), "--size", "128x96", "--fps", "50",
                     "--quiet")
    assert done.returncode == 0, done.stderr
    frames = sorted(out.glob("*.png"))
    assert len(frames) == int((wall[-1] - wall[0]) * 50) + 1  # as long as the show, at 50 fps
    assert Image.open(frames[0]).size == (128, 96)
    performed = tmp_path / "performed"
    done = shaderviz("render", "--replay", str(log), "-o", str(performed), "--performed", "--quiet")
    assert done.returncode == 0, done.stderr
    assert len(list(performed.glob("*.png"))) == 30


@pytest.mark.parametrize(("content", "message"), [
    ("", "not a shaderviz command log"),
    ('{"shaderviz_log": 1}\nnonsense\n{"f": 0}\n', ":2: not a JSON line"),
    ('{"hello": 1}\n', "not a shaderviz command log"),
])
def test_bad_logs_are_one_line(tmp_path: Path, content: str, message: str) -> None:
    log = tmp_path / "bad.jsonl"
    log.write_text(content)
    done = shaderviz("render", "--replay", str(log), "-o", str(tmp_path / "x.mp4"))
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    done = shaderviz("render", "photo.jpg", "--replay", str(log), "-o", str(tmp_path / "x.mp4"))
    assert done.returncode == 2 and "--replay takes the show from the log" in done.stderr
