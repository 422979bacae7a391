"""Playlists for installations: the file format and its errors, the runner (durations,
order, loop, a broken entry skipped, a stuck build abandoned by the watchdog), and
`play --playlist` in the real window: entries cycle with a broken one among them, the log
of it replays, SIGTERM ends it cleanly; perform mode on a second monitor."""
# ruff: noqa: F811 - the fixtures `display` and `play` come from test_window (one Xvfb per module)

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_window import Player, display, play, wait_for  # noqa: F401 - fixtures

from shaderviz.app.playlist import Entry, Playlist, PlaylistRunner, load_playlist
from shaderviz.errors import UserError


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_playlist_file_and_its_errors(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"")
    playlist = load_playlist(write(tmp_path / "p.toml", """
transition = 1.5
[[entry]]
preset = "glitch"
duration = 3
[[entry]]
source = "a.png"
fx = ["blur radius=2"]
duration = 2.5
transition = 0
"""))
    assert playlist.loop and playlist.transition == 1.5
    assert playlist.entries[0] == Entry(3.0, preset="glitch")
    second = Entry(2.5, source=str(tmp_path / "a.png"), fx=("blur radius=2",), transition=0.0)
    assert playlist.entries[1] == second
    for text, message in (("", r"no \[\[entry\]\]"), ("[[entry]]\npreset='x'\n", "needs a duration"),
                          ("[[entry]]\nduration=-1\npreset='x'\n", "duration is a number"),
                          ("[[entry]]\nduration=1\n", "needs a preset, a source or fx"),
                          ("[[entry]]\nduration=1\ncolour='red'\n", "unknown field"),
                          ("loop = 'yes'\n[[entry]]\nduration=1\npreset='x'\n", "loop is true or false"),
                          ("[[entry]\n", "p.toml")):
        with pytest.raises(UserError, match=message):
            load_playlist(write(tmp_path / "p.toml", text))


class FakeLive:
    def __init__(self) -> None:
        self.adopted: list[tuple] = []

    def adopt(self, show: object, now: float, transition: float | None, event: tuple) -> None:
        self.adopted.append((show, now, transition, event))


class FakeCommands:
    def bind(self, verb: str, handler: Callable) -> None:
        self.skip = handler


def run(runner: PlaylistRunner, until: float, step: float = 0.05, wait: float = 0.0) -> None:
    """Tick ``runner`` from 0 to ``until`` seconds of show time. ``wait``: how long each tick
    waits for a pending build (a loaded machine must not shift the schedule being tested)."""
    now = 0.0
    while now <= until:
        runner.tick(now)
        pending = runner._pending
        if wait and pending is not None:
            concurrent.futures.wait([pending[1]], timeout=wait)
        time.sleep(0.002)  # the worker gets its turn
        now += step


def test_runner_shows_entries_in_turn_and_skips_broken_ones() -> None:
    entries = (Entry(1.0, preset="a"), Entry(1.0, preset="broken"), Entry(1.0, preset="c", transition=0.0))
    built: list[str] = []

    def build(entry: Entry) -> str:
        if entry.preset == "broken":
            raise UserError("broken: no such preset")
        built.append(entry.preset)
        return f"show {entry.preset}"

    playlist = Playlist(Path("p.toml"), entries, loop=True, transition=2.0)
    runner = PlaylistRunner(playlist, build, lambda t: None)
    live = FakeLive()
    runner.attach(FakeCommands(), live)  # type: ignore[arg-type]
    run(runner, 3.5, wait=10.0)
    assert [a[3] for a in live.adopted] == [("entry", 2), ("entry", 0), ("entry", 2)]
    assert [a[2] for a in live.adopted] == [0.0, 2.0, 0.0]  # each entry's transition, else the playlist's
    assert runner.skipped == 2
    runner.release()


def test_the_watchdog_abandons_a_stuck_build(capsys: pytest.CaptureFixture) -> None:
    release = threading.Event()

    def build(entry: Entry) -> str:
        if entry.preset == "stuck":
            release.wait(10)  # a hung network share, say
        return f"show {entry.preset}"

    entries = (Entry(0.5, preset="a"), Entry(0.5, preset="stuck"), Entry(0.5, preset="c"))
    runner = PlaylistRunner(Playlist(Path("p.toml"), entries), build, lambda t: None, build_timeout=0.5)
    live = FakeLive()
    runner.attach(FakeCommands(), live)  # type: ignore[arg-type]
    run(runner, 2.0)
    release.set()
    assert ("entry", 2) in [a[3] for a in live.adopted]  # went on past the stuck one
    assert "no result after 0.5 s; its worker was replaced" in capsys.readouterr().err
    runner.release()


# -- in the window -------------------------------------------------------------------------------


def solid(path: Path, rgb: tuple[int, int, int]) -> Path:
    Image.new("RGB", (64, 36), rgb).save(path)
    return path


def test_play_playlist_cycles_past_a_broken_entry_and_replays(
    play: Callable[..., Player], tmp_path: Path
) -> None:
    solid(tmp_path / "red.png", (220, 30, 30))
    solid(tmp_path / "blue.png", (30, 30, 220))
    playlist = write(tmp_path / "show.toml", """
transition = 0.2
[[entry]]
source = "red.png"
fx = ["saturate amount=0"]
duration = 1.2
[[entry]]
source = "missing.png"
duration = 1
[[entry]]
source = "blue.png"
fx = ["saturate amount=0"]
duration = 1.2
""")
    log = tmp_path / "show.jsonl"
    player = play("--playlist", str(playlist), "--size", "64x36", "--fps", "20", "--log", str(log))
    red = player.snapshot_where(lambda a: a[..., 0].mean() > 180, "the first entry (red)")
    blue = player.snapshot_where(lambda a: a[..., 2].mean() > 180, "the third entry (blue)")
    player.snapshot_where(lambda a: a[..., 0].mean() > 180, "the first entry again (a loop)")
    assert red != blue
    assert "entry 2 (missing.png) skipped" in player.stderr
    player.proc.send_signal(signal.SIGTERM)
    assert player.proc.wait(20) == 143 and "Traceback" not in player.stderr
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    assert rows[0]["playlist_entry"] == 0 and any(r.get("e") == "entry" and r["k"] == 2 for r in rows)
    out = tmp_path / "replayed"
    done = subprocess.run([sys.executable, "-m", "shaderviz", "render", "--replay", str(log), "-o", str(out),
                           "--fps", "10", "--quiet"], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    frames = [np.asarray(Image.open(p)).astype(int) for p in sorted(out.glob("*.png"))]
    assert frames[0][..., 0].mean() > 180 and any(f[..., 2].mean() > 180 for f in frames)
    assert not list(Path.cwd().glob("shaderviz_*.png")), "the replay took the show's snapshots again"


def test_a_playlist_that_cannot_start_is_one_line(tmp_path: Path) -> None:
    playlist = write(tmp_path / "p.toml", '[[entry]]\nsource = "nothing.png"\nduration = 1\n')
    done = subprocess.run([sys.executable, "-m", "shaderviz", "play", "--playlist", str(playlist)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "no entry can be shown" in done.stderr and "Traceback" not in done.stderr


FILL_A_MONITOR = """
import sys, time
from shaderviz.outputs.window import open_window
from shaderviz.outputs.fullscreen import Fullscreen

class Monitor:  # a second monitor's geometry, as pyglet reports one
    x, y, width, height = 200, 100, 320, 240

window = open_window((64, 36), True)
full = Fullscreen(window, Monitor())
full.toggle()
for _ in range(20):
    window.swap_buffers()
    time.sleep(0.02)
native = window._window
print(*native.get_location(), native.width, native.height, full.on)
window.close()
"""


def test_fullscreen_fills_the_chosen_monitor(display: str, tmp_path: Path) -> None:
    """Xvfb has one monitor (and pyglet cannot open a window on an Xinerama-only server), so
    the chosen monitor's geometry is given: the window must cover exactly that rectangle."""
    env = {**os.environ, "DISPLAY": display}
    done = subprocess.run([sys.executable, "-c", FILL_A_MONITOR], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["200", "100", "320", "240", "True"]


def test_monitor_option_on_the_only_monitor(play: Callable[..., Player], display: str) -> None:
    env = {**os.environ, "DISPLAY": display}
    listed = subprocess.run([sys.executable, "-m", "shaderviz", "monitors"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert listed.stdout.strip() == "0: 1280x1024 at 0,0 (default)", listed.stdout + listed.stderr
    bad = subprocess.run([sys.executable, "-m", "shaderviz", "play", "--monitor", "1"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--monitor 1: no such monitor (0: 1280x1024)" in bad.stderr
    player = play("--size", "64x36", "--monitor", "0", "--fullscreen")
    wait_for(lambda: "1280x1024" in player.xdotool("getwindowgeometry", player.window), 15, "fullscreen")
    player.key("Escape")
    assert player.proc.wait(20) == 0, player.stderr
