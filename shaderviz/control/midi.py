"""MIDI controllers (the ``midi`` extra: mido + python-rtmidi): bindings from controls to
commands, learn mode, and the bindings file.

- A **CC** bound to a parameter (``set:EFFECT/PARAM``) moves it over its declared range
  (0..127 -> min..max); bound to any other command it runs that command when it rises
  past 64 (a button sending 127 / 0).
- A **note** bound to an effect toggles it (note on); bound to a held command (pixel sort)
  it holds while the note is down; to any other command it runs it.
- **Learn** (``L``): choose a parameter (Tab selects the effect, ``.`` / ``,`` the
  parameter) or press the key of any command, then move a control: it is bound, and the
  bindings are saved to the bindings file (``--midi-map``, default
  ``~/.config/shaderviz/midi.toml``). ``L`` again cancels. While learning, keys choose
  instead of acting.

Messages are read on the render loop (``poll``: rtmidi queues them on its own thread), so
a binding and the command it runs happen in order with the keyboard's.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shaderviz.app.paramcontrol import scale_unit, split_target
from shaderviz.control.commands import Commands, warn
from shaderviz.control.quiet import quiet_stderr
from shaderviz.effects.registry import Registry
from shaderviz.errors import UserError

EXTRA = "MIDI needs the midi extra: pip install 'shaderviz[midi]' (mido, python-rtmidi)"
JACK = "mido.backends.rtmidi/UNIX_JACK"
FIELDS = ("control", "channel", "number", "command")
NAVIGATION = frozenset({"select_next", "select_previous", "param_next", "param_previous", "learn", "help",
                        "hud", "quit", "fullscreen"})


def default_map() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "shaderviz" / "midi.toml"


@dataclass(frozen=True)
class Binding:
    control: str  # "cc" | "note"
    channel: int  # 1..16
    number: int  # 0..127
    command: str

    def describe(self) -> str:
        return f"{'CC' if self.control == 'cc' else 'note'} {self.number} ch {self.channel}"


def load_bindings(path: Path, must_exist: bool = False) -> list[Binding]:
    """The bindings of a TOML file; UserError naming the file and entry on any problem."""
    if not path.is_file():
        if must_exist:
            raise UserError(f"--midi-map {path}: no such file")
        return []
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: cannot read ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"{path}: {err}") from None
    out = []
    for index, entry in enumerate(data.get("binding", []), 1):
        if not isinstance(entry, dict) or set(entry) - set(FIELDS):
            raise UserError(f"{path}: binding {index}: expected control, channel, number, command")
        control, channel, number, command = (entry.get(k) for k in FIELDS)
        if control not in ("cc", "note") or not isinstance(command, str) or not command:
            raise UserError(f"{path}: binding {index}: control is cc or note, command a command name")
        if not isinstance(channel, int) or not 1 <= channel <= 16 or not isinstance(number, int) \
                or not 0 <= number <= 127:
            raise UserError(f"{path}: binding {index}: channel is 1..16, number 0..127")
        out.append(Binding(control, channel, number, command))
    return out


def save_bindings(path: Path, bindings: list[Binding]) -> None:
    """Write the bindings as TOML (temporary file, then rename)."""
    lines = ["# shaderviz MIDI bindings: play --midi PORT uses them; L in the window learns more.",
             "# control: cc | note; channel 1..16; number 0..127; command: see shaderviz keys", ""]
    for b in bindings:
        lines += ["[[binding]]", f'control = "{b.control}"', f"channel = {b.channel}", f"number = {b.number}",
                  f"command = {json.dumps(b.command)}", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.replace(path)


def _mido() -> Any:
    try:
        import mido
    except ImportError:
        raise UserError(EXTRA) from None
    return mido


def _input_names(mido: Any) -> tuple[list[str], Any]:
    """Input port names and the backend that found them: rtmidi's default API first (ALSA,
    CoreMIDI, Windows MM), then JACK (where ALSA has no sequencer, JACK often runs)."""
    tried = []
    for backend_name in (os.environ.get("MIDO_BACKEND"), None, JACK):
        try:
            with quiet_stderr():
                backend = mido.Backend(backend_name, load=True) if backend_name else mido.Backend(load=True)
                names = backend.get_input_names()
        except Exception as err:  # noqa: BLE001 - an API that does not work here
            tried.append(" ".join(str(err).split()))
            continue
        if names:
            return list(names), backend
    return [], None


def port_names() -> list[str]:
    """``shaderviz midi-ports``."""
    names, _ = _input_names(_mido())
    return names


def open_input(spec: str) -> Any:
    """An input port by name (exact, else the first containing it), or ``auto``: the first
    that is not a "Through" port."""
    mido = _mido()
    names, backend = _input_names(mido)
    if not names:
        raise UserError(f"--midi {spec}: no MIDI input ports here (shaderviz midi-ports lists them)")
    if spec == "auto":
        chosen = next((n for n in names if "through" not in n.lower()), names[0])
    else:
        chosen = next((n for n in names if n == spec), None) or next(
            (n for n in names if spec.lower() in n.lower()), None)
    if chosen is None:
        raise UserError(f"--midi {spec}: no such port; inputs: {'; '.join(names)}")
    try:
        with quiet_stderr():
            return backend.open_input(chosen)
    except Exception as err:  # noqa: BLE001
        raise UserError(f"--midi {spec}: cannot open {chosen} ({' '.join(str(err).split())})") from None


class MidiControl:
    """Bindings, learn mode and an input port (any object with ``iter_pending()``)."""

    def __init__(self, port: Any, bindings_path: Path, registry: Registry | None = None) -> None:
        self.port, self.path = port, bindings_path
        self.bindings = load_bindings(bindings_path)
        self.registry = registry
        self.learning = False
        self.target: str | None = None  # the command to bind next
        self._cc_high: dict[tuple[int, int], bool] = {}

    def attach(self, commands: Commands, registry: Registry, selected: Callable[[], str | None],
               state: Callable[[str], tuple[bool, dict[str, Any]] | None],
               notify: Callable[[str], None]) -> None:
        """``selected``: the selected parameter (``EFFECT/PARAM``); ``state``: an effect's values."""
        self.commands, self.registry, self.selected, self.notify = commands, registry, selected, notify
        self.state = state
        commands.bind("learn", self.toggle_learn)
        commands.gates.append(self._choose)
        commands.listeners.append(self._chosen)

    # -- learn ----------------------------------------------------------------------------------

    def toggle_learn(self) -> None:
        self.learning, self.target = not self.learning, None
        self.notify("MIDI learn: choose a parameter (Tab, then . or ,) or press a key, then move a control"
                    if self.learning else "MIDI learn off")

    def _choose(self, name: str, value: Any, pressed: bool) -> bool:
        """While learning, a command's key chooses it instead of running it (a gate)."""
        if not self.learning or name.partition(":")[0] in NAVIGATION:
            return False
        if pressed:
            self.target = name
            self.notify(f"MIDI learn: move a control for {name}")
        return True

    def _chosen(self, name: str, value: Any, pressed: bool) -> None:
        """While learning, choosing a parameter (. or ,) makes it the target."""
        if self.learning and name in ("param_next", "param_previous"):
            selected = self.selected()
            if selected is not None:
                self.target = f"set:{selected}"
                self.notify(f"MIDI learn: move a control for {selected}")

    def mark(self) -> str | None:
        if not self.learning:
            return None
        return f"*MIDI LEARN: {self.target or 'choose a parameter or key'}"

    # -- messages --------------------------------------------------------------------------------

    def poll(self) -> None:
        """Every message waiting (render thread, each frame)."""
        for message in self.port.iter_pending():
            self.handle(message)

    def handle(self, message: Any) -> None:
        kind = message.type
        if kind not in ("control_change", "note_on", "note_off"):
            return
        control = "cc" if kind == "control_change" else "note"
        number = message.control if control == "cc" else message.note
        channel = message.channel + 1
        if self.learning and self.target is not None and not (kind == "note_off" or (
                kind == "note_on" and message.velocity == 0)):
            self._bind(Binding(control, channel, number, self.target))
            return
        for binding in self.bindings:
            if binding.control == control and binding.channel == channel and binding.number == number:
                self._run(binding, message)

    def _bind(self, binding: Binding) -> None:
        command = binding.command
        if binding.control == "note" and command.startswith("set:"):
            target, _, pname = command[4:].partition("/")
            spec = self.registry.effects.get(split_target(target)[0]) if self.registry else None
            param = spec.param(pname) if spec else None
            if param is None or param.type != "bool":
                command = f"toggle:{target}"  # notes toggle (a bool parameter, else the effect)
        binding = Binding(binding.control, binding.channel, binding.number, command)
        self.bindings = [b for b in self.bindings if (b.control, b.channel, b.number) !=
                         (binding.control, binding.channel, binding.number)] + [binding]
        self.learning, self.target = False, None
        try:
            save_bindings(self.path, self.bindings)
            saved = f"; saved in {self.path}"
        except OSError as err:
            saved = f"; not saved ({err.strerror or err})"
        self.notify(f"MIDI: {binding.describe()} -> {command}{saved}")
        print(f"shaderviz: MIDI {binding.describe()} -> {command}{saved}", file=sys.stderr, flush=True)

    def _run(self, binding: Binding, message: Any) -> None:
        command, commands = binding.command, self.commands
        spec = commands.spec(command)
        if spec is None:
            warn(f"MIDI {binding.describe()}: unknown command {command!r}")
            return
        if binding.control == "cc":
            key = (binding.channel, binding.number)
            if command.startswith("set:"):
                target, _, pname = command[4:].partition("/")
                param = self.registry.effects[split_target(target)[0]].param(pname) if self.registry else None
                if param is None:
                    return
                commands.run(command, True, scale_unit(param, message.value / 127.0))
                return
            high, was = message.value >= 64, self._cc_high.get(key, False)
            self._cc_high[key] = high
            if spec.hold and high != was:
                commands.run(command, high)
            elif high and not was:
                commands.run(command, True, 1 if spec.value else None)
            return
        down = message.type == "note_on" and message.velocity > 0
        if command.startswith("set:"):  # a bool parameter: the note toggles it
            if down:
                target, _, pname = command[4:].partition("/")
                found = self.state(target)
                commands.run(command, True, not (found is not None and bool(found[1].get(pname))))
            return
        if spec.hold:
            commands.run(command, down)
        elif down:
            commands.run(command, True, 1 if spec.value and not spec.optional else None)

    def binding_for(self, command: str) -> str:
        """``CC 21 ch 1`` for ``shaderviz keys``, or ""."""
        return ", ".join(b.describe() for b in self.bindings if b.command == command)

    def release(self) -> None:
        close = getattr(self.port, "close", None)
        if close is not None:
            close()
