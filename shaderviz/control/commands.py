"""The command registry: every action of `play` by name.

A command name is a verb with an optional argument: ``snapshot``, ``toggle:blur``,
``sort:RIGHT``, ``preset:2``, ``set:rgb_split/amount``. Some take a value (``set:...``
a parameter's value, ``on:blur`` 0|1, ``record`` 0|1). The names and their help come from
data: the application table below, and from each effect file ``toggle:NAME``, ``on:NAME``
and one ``set:NAME/PARAM`` per declared parameter; one ``preset:N`` per preset of the bank.
A second instance of an effect in the chain is ``NAME.2`` (``set:rgb_split.2/amount``).
Modules bind a handler to each verb they own; inputs (keyboard, OSC, MIDI, the replay of
a command log) only ever say a name (and a value). Handlers run on the render thread:
other threads ``post`` and the loop ``pump``s once per frame. Listeners (the command log,
OSC feedback) hear each command that ran; gates (tempo quantising) may hold one back.
"""

from __future__ import annotations

import queue
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shaderviz.effects.registry import Registry

Handler = Callable[..., None]
Listener = Callable[[str, Any, bool], None]  # (name, value, pressed) of a command that ran
Gate = Callable[[str, Any, bool], bool]  # True: the gate holds the command back (runs it later)

_INSTANCE = re.compile(r"^([a-z_]+):([a-z][a-z0-9_]*)\.(\d+)((?:/.*)?)$")


@dataclass(frozen=True)
class CommandSpec:
    name: str
    help: str
    hold: bool = False  # runs on release too: the handler gets ``pressed`` last
    value: str = ""  # the value it takes ("0|1", "0..0.2", ...); "": none
    optional: bool = False  # the value may be left out (``record``: toggle)

    @property
    def verb(self) -> str:
        return self.name.partition(":")[0]


ARROWS = (("RIGHT", "rows, values growing to the right"), ("LEFT", "rows, values growing to the left"),
          ("DOWN", "columns, values growing downward"), ("UP", "columns, values growing upward"))

APP_COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("snapshot", "save a PNG snapshot of the frame, with its recipe"),
    CommandSpec("fullscreen", "toggle fullscreen"),
    CommandSpec("pause", "pause / resume time"),
    CommandSpec("next_source", "next image of a folder, or next GAN of gan:A,B,C (--cycle starts again)"),
    CommandSpec("generate", "generator source: a new image (gan:) or network (cppn)"),
    CommandSpec("walk", "generator source: latent walk on / off"),
    *(CommandSpec(f"sort:{arrow}", f"hold: pixel sort {what}", hold=True) for arrow, what in ARROWS),
    CommandSpec("autosort", "toggle auto sort: keep sorting in the last arrow's direction"),
    CommandSpec("sort_key", "cycle the pixel-sort key (luma, lightness, hue, ..., depth)"),
    CommandSpec("sort_reset", "remove the pixel sort: back to the unsorted image"),
    CommandSpec("depth_view", "show the depth map over the chain (what the depth model sees)"),
    CommandSpec("steer", "point the parallax camera: X Y, fractions of the window from its top-left "
                "(the mouse does this)", value="X Y"),
    CommandSpec("select_next", "select the next effect of the chain (marked in the HUD)"),
    CommandSpec("select_previous", "select the previous effect of the chain"),
    CommandSpec("remove", "remove the selected effect from the chain"),
    CommandSpec("move_earlier", "move the selected effect one place earlier in the chain"),
    CommandSpec("move_later", "move the selected effect one place later in the chain"),
    CommandSpec("param_next", "select the next parameter of the selected effect (HUD; MIDI learn)"),
    CommandSpec("param_previous", "select the previous parameter of the selected effect"),
    CommandSpec("param_up", "raise the selected parameter by a twentieth of its range"),
    CommandSpec("param_down", "lower the selected parameter by a twentieth of its range"),
    CommandSpec("record", "start / stop recording the show to a video file (0|1; none: toggle)",
                value="0|1", optional=True),
    CommandSpec("tap", "tap tempo: tap on the beat (4 taps set the BPM and the beat)"),
    CommandSpec("bpm", "set the tempo in beats per minute", value="20..300"),
    CommandSpec("learn", "MIDI learn: choose a parameter or key, then move a control"),
    CommandSpec("playlist_next", "playlist: on to the next entry now"),
    CommandSpec("hud", "show / hide the HUD: fps, frame times p50 / p99, the chain"),
    CommandSpec("help", "show / hide the keys on screen (and print them)"),
    CommandSpec("quit", "quit"),
)


def effect_commands(registry: Registry) -> list[CommandSpec]:
    """``toggle:NAME``, ``on:NAME`` and ``set:NAME/PARAM`` for every effect file
    (generators are sources: only their parameters)."""
    out = []
    for spec in sorted(registry.effects.values(), key=lambda s: (s.kind != "effect", s.name)):
        if spec.kind == "effect":
            out.append(CommandSpec(f"toggle:{spec.name}", f"toggle {spec.name}: {spec.description}"))
            out.append(CommandSpec(f"on:{spec.name}", f"{spec.name} on (1) or off (0)", value="0|1"))
        for param in spec.all_params:
            doc = f": {param.doc}" if param.doc else ""
            out.append(CommandSpec(f"set:{spec.name}/{param.name}", f"set {spec.name} {param.name}{doc}",
                                   value=param.describe_range()))
    return out


def preset_commands(bank: Sequence[str]) -> list[CommandSpec]:
    """``preset:N`` (1-based) for each preset of the bank."""
    return [CommandSpec(f"preset:{n}", f"load preset {name} (crossfade)") for n, name in enumerate(bank, 1)]


def command_specs(registry: Registry, bank: Sequence[str] = ()) -> list[CommandSpec]:
    from shaderviz.explore.commands import EXPLORE_COMMANDS

    return [*APP_COMMANDS, *EXPLORE_COMMANDS, *effect_commands(registry), *preset_commands(bank)]


class Commands:
    """Names -> handlers. ``specs`` is asked on each lookup, so effects that hot reload
    brings in or takes away are commands at once."""

    def __init__(self, specs: Callable[[], Iterable[CommandSpec]]) -> None:
        self._specs = specs
        self._handlers: dict[str, Handler] = {}
        self._posted: queue.SimpleQueue[tuple[str, bool]] = queue.SimpleQueue()
        self.listeners: list[Listener] = []  # e.g. a command log, OSC feedback: told of each run

    def bind(self, verb: str, handler: Handler, replace: bool = False) -> None:
        """``handler(arg?, value?, pressed?)`` runs ``verb`` and ``verb:ARG``; one handler per
        verb (``replace``: another in its place)."""
        if verb in self._handlers and not replace:
            raise ValueError(f"command {verb!r} is bound twice")
        self._handlers[verb] = handler

        self.gates: list[Gate] = []  # e.g. tempo quantising: may hold a command until the beat

    def spec(self, name: str) -> CommandSpec | None:
        """The spec of ``name``; an effect's second instance (``toggle:blur.2``) has its effect's."""
        match = _INSTANCE.match(name)
        generic = f"{match.group(1)}:{match.group(2)}{match.group(4)}" if match else name
        return next((s for s in self._specs() if s.name == generic), None)

    def specs(self) -> list[CommandSpec]:
        return list(self._specs())

    def handles(self, name: str) -> bool:
        spec = self.spec(name)
        return spec is not None and spec.verb in self._handlers

    def run(self, name: str, pressed: bool = True, value: Any = None, gated: bool = True) -> bool:
        """Run a command now (render thread). False if it is unknown or nothing handles it.
        A handler that raises (a bad value, say) is a warning; listeners hear only commands
        that ran. ``gated=False`` skips the gates (a held command let through, a replay)."""
        spec = self.spec(name)
        handler = self._handlers.get(spec.verb) if spec is not None else None
        if spec is None or handler is None:
            return False
        if not pressed and not spec.hold:
            return True  # a key released: only hold commands care
        if spec.value and value is None and not spec.optional:
            warn(f"{name}: needs a value ({spec.value})")
            return True
        if gated and any(gate(name, value, pressed) for gate in self.gates):
            return True
        _, _, arg = name.partition(":")
        args: list[object] = [arg] if arg else []
        if spec.value:
            args.append(value)
        if spec.hold:
            args.append(pressed)
        try:
            handler(*args)
        except Exception as err:  # noqa: BLE001 - a failing command never ends the show
            warn(f"{name}: {' '.join(str(err).split())}")
            return True
        for listener in self.listeners:
            try:
                listener(name, value, pressed)
            except Exception as err:  # noqa: BLE001 - a log or feedback failure is a warning
                warn(f"{name}: {' '.join(str(err).split())}")
        return True

    def post(self, name: str, pressed: bool = True, value: Any = None) -> None:
        """Queue a command from any thread; it runs at the next :meth:`pump`."""
        self._posted.put((name, pressed, value))

    def pump(self) -> None:
        """Run the commands posted since the last call (render thread, once per frame)."""
        while True:
            try:
                name, pressed, value = self._posted.get_nowait()
            except queue.Empty:
                return
            if not self.run(name, pressed, value):
                known = self.spec(name) is not None
                warn(f"{'nothing handles' if known else 'unknown'} command {name!r}")


def warn(text: str) -> None:
    """One warning line on stderr (the show goes on)."""
    print(f"shaderviz: warning: {text}", file=sys.stderr, flush=True)
