"""OSC against the real window under Xvfb: real UDP packets on loopback set parameters,
toggle effects, take snapshots and record; garbage is ignored with one warning; a busy
port is a one-line error; --osc-out echoes state changes to a listening socket."""
# ruff: noqa: F811 - the fixtures `display` and `play` come from test_window (one Xvfb per module)

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from pythonosc.osc_packet import OscPacket
from pythonosc.udp_client import SimpleUDPClient
from test_window import Player, display, play, stripes, wait_for  # noqa: F401 - fixtures


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recipe(path: Path) -> dict:
    with Image.open(path) as img:
        return json.loads(img.text["shaderviz:recipe"])


def new_snapshot(player: Player, before: set[Path]) -> Path:
    found = wait_for(lambda: set(player.snapshots.glob("shaderviz_*.png")) - before, 15, "an OSC snapshot")
    return sorted(found)[-1]


def chain_of(path: Path) -> list[dict]:
    return recipe(path)["preset"]["chain"]


def test_osc_sets_toggles_and_snapshots_in_the_window(play: Callable[..., Player], stripes: Path) -> None:
    port = free_port()
    player = play(str(stripes), "--size", "160x120", "--fx", "rgb_split amount=0.01", "--fx", "blur",
                  "--fx", "blur radius=2", "--osc", f"127.0.0.1:{port}")
    wait_for(lambda: "rgb_split" in player.title, 15, "the loop running")
    client = SimpleUDPClient("127.0.0.1", port)
    raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    raw.sendto(b"\x00\x01garbage", ("127.0.0.1", port))  # not OSC at all
    client.send_message("/shaderviz/fx/rgb_split/amount", "not a number")
    client.send_message("/shaderviz/fx/rgb_split/amount", 5.0)  # out of its range 0..0.2
    client.send_message("/shaderviz/fx/no_such_effect/amount", 0.5)
    client.send_message("/shaderviz/fx/rgb_split/amount", 0.123)
    client.send_message("/shaderviz/fx/rgb_split/angle/norm", 0.75)  # declared -360..360 -> 180
    client.send_message("/shaderviz/fx/blur.2/radius", 7)  # the second blur of the chain
    client.send_message("/shaderviz/fx/blur/on", 0)
    client.send_message("/shaderviz/fx/saturate/on", 1)  # not in the chain: added
    before = set(player.snapshots.glob("shaderviz_*.png"))
    client.send_message("/shaderviz/snapshot", [])
    chain = chain_of(new_snapshot(player, before))
    assert chain[0] == {"effect": "rgb_split", "amount": 0.123, "angle": 180.0}  # (float32 0.123 tidied)
    assert chain[1] == {"effect": "blur", "enabled": False}
    assert chain[2] == {"effect": "blur", "radius": 7}
    assert chain[3] == {"effect": "saturate"}
    err = player.stderr
    assert "unreadable packet" in err and "'not a number'" in err and "out of range" in err
    assert "no effect 'no_such_effect'" in err and "Traceback" not in err
    assert player.proc.poll() is None
    player.key("Escape")
    assert player.proc.wait(15) == 0, player.stderr


def test_osc_out_echoes_state_changes(play: Callable[..., Player], stripes: Path) -> None:
    port = free_port()
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(0.5)
    out_port = listener.getsockname()[1]
    player = play(str(stripes), "--size", "160x120", "--fx", "rgb_split", "--osc", f"127.0.0.1:{port}",
                  "--osc-out", f"127.0.0.1:{out_port}")
    wait_for(lambda: "rgb_split" in player.title, 15, "the loop running")
    heard: dict[str, list] = {}

    def collect() -> None:
        try:
            while True:
                data, _ = listener.recvfrom(65536)
                for timed in OscPacket(data).messages:
                    heard.setdefault(timed.message.address, []).append(list(timed.message.params))
        except TimeoutError:
            pass

    collect()  # the state at start: every instance of the chain
    assert heard["/shaderviz/fx/rgb_split/on"] == [[1]]
    assert heard["/shaderviz/fx/rgb_split/amount/norm"]
    SimpleUDPClient("127.0.0.1", port).send_message("/shaderviz/fx/rgb_split/amount/norm", 0.5)
    player.key("r")  # the keyboard's toggle is echoed too
    time.sleep(1.0)
    heard.clear()
    collect()
    assert [0.125] in heard["/shaderviz/fx/rgb_split/amount"]  # 0.5 of 0..0.25
    assert [0] in heard["/shaderviz/fx/rgb_split/on"]
    player.key("Escape")
    assert player.proc.wait(15) == 0, player.stderr


def test_a_busy_port_is_one_line_and_exit_2(stripes: Path, tmp_path: Path) -> None:
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("0.0.0.0", 0))
    port = taken.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}  # fails before it looks for a display
    done = subprocess.run([sys.executable, "-m", "shaderviz", "play", str(stripes), "--osc", str(port)],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"--osc {port}" in lines[0] and "in use" in lines[0], done.stderr
    for bad in ("nonsense", "70000"):
        done = subprocess.run([sys.executable, "-m", "shaderviz", "play", str(stripes), "--osc", bad],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and "Traceback" not in done.stderr and "--osc" in done.stderr
