"""The keymap as data: which key says which command (shaderviz.control.commands).

Application keys are the table below; each effect's key comes from its file header
(``toggle:NAME``); the number keys load the presets of the bank (``preset:N``). Printed
by ``shaderviz keys`` and ``?`` in the window; the window only looks keys up here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shaderviz.control.commands import command_specs

if TYPE_CHECKING:
    from shaderviz.effects.registry import Registry


@dataclass(frozen=True)
class Binding:
    key: str  # pyglet-style key name: "S", "SPACE", "ESCAPE", "QUESTION", "1", ...
    command: str  # "snapshot", "toggle:blur", "preset:2", ...
    help: str


APP_KEYS: tuple[tuple[str, str], ...] = (
    ("S", "snapshot"),
    ("F", "fullscreen"),
    ("SPACE", "pause"),
    ("N", "next_source"),
    ("RIGHT", "sort:RIGHT"),
    ("LEFT", "sort:LEFT"),
    ("DOWN", "sort:DOWN"),
    ("UP", "sort:UP"),
    ("A", "autosort"),
    ("Z", "sort_key"),
    ("X", "sort_reset"),
    ("D", "depth_view"),
    ("TAB", "select_next"),
    ("QUOTELEFT", "select_previous"),
    ("BACKSPACE", "remove"),
    ("DELETE", "remove"),
    ("BRACKETLEFT", "move_earlier"),
    ("BRACKETRIGHT", "move_later"),
    ("H", "hud"),
    ("QUESTION", "help"),
    ("SLASH", "help"),
    ("ESCAPE", "quit"),
)
PRESET_KEYS = tuple(str(n) for n in range(1, 10))
LABELS = {"QUESTION": "?", "QUOTELEFT": "`", "BRACKETLEFT": "[", "BRACKETRIGHT": "]", "SLASH": "/"}

RESERVED_KEYS = frozenset(key for key, _ in APP_KEYS) | frozenset(PRESET_KEYS) | {"?"}


def bindings(registry: Registry, bank: Sequence[str] = ()) -> list[Binding]:
    """Every key of `play`: the application's, one per effect (from its header), then
    the number keys of the preset bank."""
    helps = {spec.name: spec.help for spec in command_specs(registry, bank)}
    pairs = list(APP_KEYS)
    pairs += [(key, f"toggle:{name}") for key, name in sorted(registry.keys.items())]
    pairs += [(key, f"preset:{key}") for key in PRESET_KEYS[: len(bank)]]
    return [Binding(key, command, helps[command]) for key, command in pairs if command in helps]


def command_for(key: str, registry: Registry, bank: Sequence[str] = ()) -> str | None:
    return next((b.command for b in bindings(registry, bank) if b.key == key), None)


def key_lines(registry: Registry, bank: Sequence[str] = (), short: bool = False) -> list[tuple[str, str]]:
    """(keys, help) per command: keys that say the same command share a line ("? /").
    ``short``: an effect's toggle without its description (on screen)."""
    grouped: dict[str, list[str]] = {}
    helps: dict[str, str] = {}
    for binding in bindings(registry, bank):
        grouped.setdefault(binding.command, []).append(LABELS.get(binding.key, binding.key))
        verb, _, name = binding.command.partition(":")
        helps[binding.command] = f"toggle {name}" if short and verb == "toggle" else binding.help
    return [(" ".join(keys), helps[command]) for command, keys in grouped.items()]


def describe(registry: Registry, bank: Sequence[str] = ()) -> str:
    """The keys as text, one line each (``shaderviz keys``, ``?``)."""
    return "\n".join(f"  {keys:<16} {help}" for keys, help in key_lines(registry, bank))
