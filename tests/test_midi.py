"""MIDI: the mapping fed real mido messages (CC scaled to the declared range, notes toggle,
held commands, buttons on CCs), learn mode, the bindings file; then a real controller
port: a JACK virtual port (jackd -d dummy) driving `play --midi` in the real window under
Xvfb, learn included."""
# ruff: noqa: F811 - the fixtures `display` and `play` come from test_window (one Xvfb per module)

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import mido
import pytest
from PIL import Image
from test_window import Player, display, play, stripes, wait_for  # noqa: F401 - fixtures

from shaderviz.app.live import LiveOptions, LiveShow
from shaderviz.app.show import build_show
from shaderviz.app.stats import FrameStats
from shaderviz.control.commands import Commands, command_specs
from shaderviz.control.midi import Binding, MidiControl, load_bindings, save_bindings
from shaderviz.errors import UserError


class FakePort:
    """What MidiControl reads: ``iter_pending()`` (mido's port API)."""

    def __init__(self) -> None:
        self.waiting: list[mido.Message] = []

    def send(self, message: mido.Message) -> None:
        self.waiting.append(message)

    def iter_pending(self) -> Iterator[mido.Message]:
        while self.waiting:
            yield self.waiting.pop(0)


@pytest.fixture
def rig(gl_ctx, registry, tmp_path: Path):  # noqa: ANN001, ANN201
    show = build_show(registry, "clouds", None, ["rgb_split", "blur", "pixelsort"], (32, 18))
    commands = Commands(lambda: command_specs(registry))
    notes: list[str] = []
    live = LiveShow(gl_ctx, show, LiveOptions(), commands, FrameStats(None), notes.append)
    port = FakePort()
    midi = MidiControl(port, tmp_path / "midi.toml")

    def selected() -> str | None:
        found = live.params.selected()
        return found[0] if found else None

    midi.attach(commands, registry, selected, live.params.state, notes.append)
    yield live, commands, port, midi, notes
    live.release()


def values(live: LiveShow, index: int) -> dict:
    return live.show.chain[index].values


def test_cc_moves_a_parameter_over_its_declared_range(rig, tmp_path: Path) -> None:  # noqa: ANN001
    live, commands, port, midi, _ = rig
    midi.bindings = [Binding("cc", 1, 21, "set:rgb_split/amount"), Binding("cc", 2, 22, "set:blur/radius")]
    for value, expected in ((0, 0.0), (127, 0.25), (64, 0.25 * 64 / 127)):
        port.send(mido.Message("control_change", channel=0, control=21, value=value))
        midi.poll()
        assert values(live, 0)["amount"] == pytest.approx(expected)
    port.send(mido.Message("control_change", channel=1, control=22, value=127))
    port.send(mido.Message("control_change", channel=0, control=22, value=0))  # another channel: unbound
    midi.poll()
    assert values(live, 1)["radius"] == 64  # an int parameter: whole numbers


def test_notes_toggle_and_hold_and_cc_buttons_trigger_once(rig) -> None:  # noqa: ANN001
    live, commands, port, midi, _ = rig
    ran: list[str] = []
    commands.listeners.append(lambda name, value, pressed: ran.append(f"{name}:{pressed}"))
    midi.bindings = [Binding("note", 1, 36, "toggle:rgb_split"), Binding("note", 1, 38, "sort:LEFT"),
                     Binding("cc", 1, 64, "next_source")]
    port.send(mido.Message("note_on", note=36, velocity=100))
    port.send(mido.Message("note_off", note=36))
    port.send(mido.Message("note_on", note=38, velocity=90))
    port.send(mido.Message("note_on", note=38, velocity=0))  # note off as note on with velocity 0
    for value in (127, 127, 0, 127):  # a button held, released, pressed again: twice
        port.send(mido.Message("control_change", control=64, value=value))
    midi.poll()
    assert not live.show.chain[0].enabled
    assert ran == ["toggle:rgb_split:True", "sort:LEFT:True", "sort:LEFT:False", "next_source:True",
                   "next_source:True"]


def test_learn_binds_the_chosen_parameter_and_saves_it(rig, tmp_path: Path) -> None:  # noqa: ANN001
    live, commands, port, midi, notes = rig
    commands.run("learn")
    commands.run("select_next")  # rgb_split
    commands.run("param_next")  # its first parameter: amount
    assert midi.target == "set:rgb_split/amount" and "move a control for rgb_split/amount" in notes[-1]
    port.send(mido.Message("control_change", channel=3, control=7, value=10))
    midi.poll()
    assert not midi.learning and values(live, 0).get("amount") is None  # the learning move only binds
    port.send(mido.Message("control_change", channel=3, control=7, value=127))
    midi.poll()
    assert values(live, 0)["amount"] == pytest.approx(0.25)
    assert load_bindings(tmp_path / "midi.toml") == [Binding("cc", 4, 7, "set:rgb_split/amount")]
    # a key while learning chooses its command instead of running it; a note then toggles
    commands.run("learn")
    commands.run("toggle:blur")
    assert live.show.chain[1].enabled  # not toggled by the key
    port.send(mido.Message("note_on", note=40, velocity=1))
    midi.poll()
    port.send(mido.Message("note_on", note=40, velocity=1))
    midi.poll()
    assert not live.show.chain[1].enabled
    # a note learned for a number parameter toggles its effect (notes toggle)
    commands.run("learn")
    commands.run("param_next")  # blur (selected by its toggle), its first parameter: radius
    port.send(mido.Message("note_on", note=41, velocity=1))
    midi.poll()
    assert load_bindings(tmp_path / "midi.toml")[-1] == Binding("note", 1, 41, "toggle:blur")


def test_bindings_file_round_trip_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "map.toml"
    bindings = [Binding("cc", 1, 0, "set:blur/radius"), Binding("note", 16, 127, 'preset:2')]
    save_bindings(path, bindings)
    assert load_bindings(path) == bindings
    path.write_text('[[binding]]\ncontrol = "knob"\nchannel = 1\nnumber = 1\ncommand = "x"\n')
    with pytest.raises(UserError, match="binding 1: control is cc or note"):
        load_bindings(path)
    path.write_text("[[binding]\n")
    with pytest.raises(UserError, match="map.toml"):
        load_bindings(path)


# -- a real port: JACK's dummy driver, rtmidi's JACK API, the real window ------------------------


@pytest.fixture(scope="module")
def jack() -> Iterator[dict[str, str]]:
    """A private JACK server with the dummy driver (no sound card needed)."""
    if not shutil.which("jackd"):
        pytest.skip("needs jackd (Debian jackd2)")
    name = f"svtest{os.getpid()}"
    env = {**os.environ, "JACK_DEFAULT_SERVER": name, "JACK_NO_AUDIO_RESERVATION": "1"}
    command = ["jackd", "--no-realtime", "-n", name, "-d", "dummy", "-r", "48000", "-p", "512"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: subprocess.run(["jack_lsp"], env=env, capture_output=True).returncode == 0, 20,
                 "jackd to start")
        yield env
    finally:
        server.terminate()
        server.wait(10)


def snapshot_chain(player: Player, out: object) -> list[dict]:
    """Note 36 takes a snapshot: the chain in its recipe."""
    before = set(player.snapshots.glob("*.png"))
    out.send(mido.Message("note_on", note=36, velocity=100))  # type: ignore[attr-defined]
    snap = sorted(wait_for(lambda: set(player.snapshots.glob("*.png")) - before, 15, "a MIDI snapshot"))[-1]
    with Image.open(snap) as img:
        return json.loads(img.text["shaderviz:recipe"])["preset"]["chain"]


def test_midi_port_drives_the_window_and_learn_works(jack: dict[str, str], display: str, tmp_path: Path,
                                                     stripes: Path) -> None:
    os.environ["JACK_DEFAULT_SERVER"] = jack["JACK_DEFAULT_SERVER"]  # for this process's rtmidi
    backend = mido.Backend("mido.backends.rtmidi/UNIX_JACK", load=True)
    out = backend.open_output("svcontroller", virtual=True)
    try:
        listed = subprocess.run([sys.executable, "-m", "shaderviz", "midi-ports"], env=jack,
                                capture_output=True, text=True, timeout=60)
        assert "svcontroller" in listed.stdout, listed.stdout + listed.stderr
        bindings = tmp_path / "map.toml"
        save_bindings(bindings, [Binding("cc", 1, 21, "set:rgb_split/amount"),
                                 Binding("note", 1, 36, "snapshot")])
        player = Player(display, tmp_path, str(stripes), "--size", "160x120", "--fx", "rgb_split",
                        "--fx", "blur", "--midi", "svcontroller", "--midi-map", str(bindings), env=jack)
        try:
            wait_for(lambda: "rgb_split" in player.title, 20, "the loop running")
            out.send(mido.Message("control_change", control=21, value=127))
            time.sleep(0.5)
            assert snapshot_chain(player, out)[0]["amount"] == pytest.approx(0.25)
            # learn: L, Tab Tab (blur), . (radius), then a knob
            for key in ("l", "Tab", "Tab", "period"):
                player.key(key)
                time.sleep(0.3)
            out.send(mido.Message("control_change", control=30, value=5))
            wait_for(lambda: any(b.number == 30 for b in load_bindings(bindings)), 15, "the binding saved")
            assert load_bindings(bindings)[-1] == Binding("cc", 1, 30, "set:blur/radius")
            out.send(mido.Message("control_change", control=30, value=127))
            time.sleep(0.5)
            assert snapshot_chain(player, out)[1]["radius"] == 64
            player.key("Escape")
            assert player.proc.wait(15) == 0, player.stderr
        finally:
            player.close()
    finally:
        out.close()


def test_unknown_port_is_one_line(jack: dict[str, str], stripes: Path) -> None:
    env = {k: v for k, v in jack.items() if k != "DISPLAY"}
    done = subprocess.run([sys.executable, "-m", "shaderviz", "play", str(stripes), "--midi", "nosuchport"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--midi nosuchport" in done.stderr and "Traceback" not in done.stderr

