"""Live video input (``live:SPEC``): a generated stream (ffmpeg's test pattern over UDP on
loopback) shown in the real window as it plays; the show outlives the stream stopping and
picks it up again when it comes back."""
# ruff: noqa: F811 - the fixtures `display` and `play` come from test_window (one Xvfb per module)

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from test_window import Player, display, pixels, play, wait_for  # noqa: F401 - fixtures


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def send_test_pattern(port: int, seconds: float) -> subprocess.Popen:
    """ffmpeg's moving test pattern (colour bars, a counter, a gradient) as MPEG-TS over UDP."""
    return subprocess.Popen([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-re",
                             "-f", "lavfi", "-i", "testsrc=size=160x90:rate=15", "-t", str(seconds),
                             "-f", "mpegts", f"udp://127.0.0.1:{port}?pkt_size=1316"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def is_test_pattern(a: np.ndarray) -> bool:
    top = a[: a.shape[0] // 2]
    return top[..., 0].max() > 200 and top[..., 1].max() > 200 and top[..., 2].max() > 200 and top.std() > 60


def test_a_live_stream_plays_and_survives_its_end(play: Callable[..., Player], tmp_path: Path) -> None:
    port = free_udp_port()
    player = play(f"live:udp://127.0.0.1:{port}", "--size", "160x90", "--fx", "saturate amount=0")
    sender = send_test_pattern(port, 8)  # the window is up, black: the stream starts
    try:
        first = pixels(player.snapshot_where(is_test_pattern, "the stream's test pattern", timeout=30))
        later = pixels(player.snapshot_where(lambda a: is_test_pattern(a) and not np.array_equal(a, first),
                                             "the next frames of the stream"))
        assert later.shape == (90, 160, 3)
        sender.wait(30)  # the stream ends
        wait_for(lambda: "trying again" in player.stderr, 20, "the end of the stream noticed")
        assert player.proc.poll() is None
        sender = send_test_pattern(port, 6)  # and comes back
        before = pixels(player.snapshot())
        player.snapshot_where(lambda a: is_test_pattern(a) and not np.array_equal(a, before),
                              "the stream again", timeout=30)
        player.key("Escape")
        assert player.proc.wait(20) == 0, player.stderr
        assert "Traceback" not in player.stderr
    finally:
        sender.kill()
        sender.wait()


def test_live_without_a_device_is_one_line() -> None:
    done = subprocess.run([sys.executable, "-m", "shaderviz", "render", "live:", "-o", "x.png"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "live: needs a device or stream" in done.stderr
