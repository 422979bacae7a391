"""Recording the performance in the real window: V starts and stops a video of the shown
frames (constant frame rate, as long as the recording), the HUD and the REC mark are not
in it, the show keeps its pace, and SIGTERM finishes the file before the process ends."""
# ruff: noqa: F811 - the fixtures `display` and `play` come from test_window (one Xvfb per module)

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from test_window import Player, display, pixels, play, wait_for  # noqa: F401 - fixtures


def video_frames(path: Path) -> tuple[list[np.ndarray], dict]:
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    width, height = meta["size"]
    frames = [np.frombuffer(f, np.uint8).reshape(height, width, 3) for f in reader]
    return frames, meta


def recordings(player: Player) -> list[Path]:
    return sorted(player.snapshots.glob("shaderviz_rec_*.mp4"))


def test_m_records_what_the_chain_shows_without_the_hud(play: Callable[..., Player], tmp_path: Path) -> None:
    from PIL import Image

    image = np.zeros((90, 160, 3), np.uint8)
    image[:, :80] = (200, 40, 40)
    image[:, 80:] = (40, 40, 200)
    Image.fromarray(image).save(tmp_path / "halves.png")
    stats = tmp_path / "stats.jsonl"
    player = play(str(tmp_path / "halves.png"), "--size", "160x90", "--fps", "20", "--stats", str(stats),
                  "--fx", "saturate amount=0")
    player.snapshot_where(lambda a: a[..., 0].max() > 150, "the picture")
    player.key("h")  # the HUD on: it must not reach the recording
    player.key("ctrl+r")
    time.sleep(2.5)
    player.key("ctrl+r")
    path = player.snapshots / "shaderviz_rec_0001.mp4"
    wait_for(lambda: "recorded" in player.out_path.read_text(), 20, "the recording finished")
    assert recordings(player) == [path] and not list(player.snapshots.glob(".*partial*"))
    frames, meta = video_frames(path)
    assert meta["fps"] == 20 and meta["size"] == (160, 90)
    assert 35 <= len(frames) <= 65  # about 2.5 s at 20 fps, whatever the window's own rate
    for frame in frames[:: max(1, len(frames) // 5)]:
        assert np.abs(frame[5:-5, 5:70].astype(int) - (200, 40, 40)).max() < 30  # no HUD text on it
        assert np.abs(frame[5:-5, 90:-5].astype(int) - (40, 40, 200)).max() < 30
    player.key("Escape")
    assert player.proc.wait(20) == 0, player.stderr
    rows = [json.loads(line) for line in stats.read_text().splitlines()]
    assert len(rows) > 40


def test_sigterm_while_recording_finishes_the_file(play: Callable[..., Player], tmp_path: Path) -> None:
    player = play("clouds", "--size", "96x64", "--fps", "15", "--scale", "1")
    wait_for(lambda: "shaderviz |" in player.title, 20, "the loop running")
    player.key("ctrl+r")
    time.sleep(2.0)
    player.proc.send_signal(signal.SIGTERM)
    assert player.proc.wait(30) == 143, player.stderr  # 128 + SIGTERM, as a shell reports it
    assert "stopped by SIGTERM" in player.stderr and "Traceback" not in player.stderr
    [path] = recordings(player)
    frames, meta = video_frames(path)
    assert meta["size"] == (96, 64) and len(frames) >= 15
    assert not list(player.snapshots.glob(".*partial*"))
