"""The command registry: every action of `play` by name.

A command name is a verb with an optional argument: ``snapshot``, ``toggle:blur``,
``sort:RIGHT``, ``preset:2``. The names and their help come from data: the application
table below, one ``toggle:NAME`` per effect file, one ``preset:N`` per preset of the bank.
Modules bind a handler to each verb they own; inputs (keyboard today; OSC, MIDI, a
command log later) only ever say a name. Handlers run on the render thread: other threads
``post`` and the loop ``pump``s once per frame.
"""

from __future__ import annotations

import queue
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shaderviz.effects.registry import Registry

Handler = Callable[..., None]


@dataclass(frozen=True)
class CommandSpec:
    name: str
    help: str
    hold: bool = False  # runs on release too: the handler gets ``pressed`` last

    @property
    def verb(self) -> str:
        return self.name.partition(":")[0]


ARROWS = (("RIGHT", "rows, values growing to the right"), ("LEFT", "rows, values growing to the left"),
          ("DOWN", "columns, values growing downward"), ("UP", "columns, values growing upward"))

APP_COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("snapshot", "save a PNG snapshot of the frame, with its recipe"),
    CommandSpec("fullscreen", "toggle fullscreen"),
    CommandSpec("pause", "pause / resume time"),
    CommandSpec("next_source", "next image of a folder source (its --cycle timer starts again)"),
    *(CommandSpec(f"sort:{arrow}", f"hold: pixel sort {what}", hold=True) for arrow, what in ARROWS),
    CommandSpec("autosort", "toggle auto sort: keep sorting in the last arrow's direction"),
    CommandSpec("sort_key", "cycle the pixel-sort key (luma, lightness, hue, ..., depth)"),
    CommandSpec("sort_reset", "remove the pixel sort: back to the unsorted image"),
    CommandSpec("depth_view", "show the depth map over the chain (what the depth model sees)"),
    CommandSpec("select_next", "select the next effect of the chain (marked in the HUD)"),
    CommandSpec("select_previous", "select the previous effect of the chain"),
    CommandSpec("remove", "remove the selected effect from the chain"),
    CommandSpec("move_earlier", "move the selected effect one place earlier in the chain"),
    CommandSpec("move_later", "move the selected effect one place later in the chain"),
    CommandSpec("hud", "show / hide the HUD: fps, frame times p50 / p99, the chain"),
    CommandSpec("help", "show / hide the keys on screen (and print them)"),
    CommandSpec("quit", "quit"),
)


def effect_commands(registry: Registry) -> list[CommandSpec]:
    """``toggle:NAME`` for every effect file (generators are sources, not toggles)."""
    return [CommandSpec(f"toggle:{spec.name}", f"toggle {spec.name}: {spec.description}")
            for spec in registry.of_kind("effect")]


def preset_commands(bank: Sequence[str]) -> list[CommandSpec]:
    """``preset:N`` (1-based) for each preset of the bank."""
    return [CommandSpec(f"preset:{n}", f"load preset {name} (crossfade)") for n, name in enumerate(bank, 1)]


def command_specs(registry: Registry, bank: Sequence[str] = ()) -> list[CommandSpec]:
    return [*APP_COMMANDS, *effect_commands(registry), *preset_commands(bank)]


class Commands:
    """Names -> handlers. ``specs`` is asked on each lookup, so effects that hot reload
    brings in or takes away are commands at once."""

    def __init__(self, specs: Callable[[], Iterable[CommandSpec]]) -> None:
        self._specs = specs
        self._handlers: dict[str, Handler] = {}
        self._posted: queue.SimpleQueue[tuple[str, bool]] = queue.SimpleQueue()
        self.listeners: list[Callable[[str, bool], None]] = []  # e.g. a command log; told of each run

    def bind(self, verb: str, handler: Handler) -> None:
        """``handler(arg?, pressed?)`` runs ``verb`` and ``verb:ARG``; one handler per verb."""
        if verb in self._handlers:
            raise ValueError(f"command {verb!r} is bound twice")
        self._handlers[verb] = handler

    def spec(self, name: str) -> CommandSpec | None:
        return next((s for s in self._specs() if s.name == name), None)

    def specs(self) -> list[CommandSpec]:
        return list(self._specs())

    def run(self, name: str, pressed: bool = True) -> bool:
        """Run a command now (render thread). False if it is unknown or nothing handles it."""
        spec = self.spec(name)
        handler = self._handlers.get(spec.verb) if spec is not None else None
        if spec is None or handler is None:
            return False
        if not pressed and not spec.hold:
            return True  # a key released: only hold commands care
        _, _, arg = name.partition(":")
        args: list[object] = [arg] if arg else []
        if spec.hold:
            args.append(pressed)
        for listener in self.listeners:
            listener(name, pressed)
        try:
            handler(*args)
        except Exception as err:  # noqa: BLE001 - a failing command never ends the show
            print(f"shaderviz: warning: {name}: {' '.join(str(err).split())}", file=sys.stderr, flush=True)
        return True

    def post(self, name: str, pressed: bool = True) -> None:
        """Queue a command from any thread; it runs at the next :meth:`pump`."""
        self._posted.put((name, pressed))

    def pump(self) -> None:
        """Run the commands posted since the last call (render thread, once per frame)."""
        while True:
            try:
                name, pressed = self._posted.get_nowait()
            except queue.Empty:
                return
            if not self.run(name, pressed):
                print(f"shaderviz: warning: unknown command {name!r}", file=sys.stderr, flush=True)
