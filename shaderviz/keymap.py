"""The keymap as data: which key says which command (shaderviz.control.commands).

Application keys are the table below; each effect's key comes from its file header
(``toggle:NAME``); the number keys load the presets of the bank (``preset:N``). A mode
(sampler, view) has keys of its own that win while it is on (arrows move the sampler's
rectangle instead of sorting). A key may name modifiers: ``SHIFT+LEFT``; a press with
modifiers no binding names falls back to the plain key. Printed by ``shaderviz keys`` and
``?`` in the window; the window only looks keys up here.
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
    key: str  # pyglet-style key name: "S", "SPACE", "ESCAPE", "QUESTION", "1", "SHIFT+LEFT", ...
    command: str  # "snapshot", "toggle:blur", "preset:2", ...
    help: str
    mode: str | None = None  # only while this mode is on (and then before the global keys)


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
    ("G", "generate"),
    ("W", "walk"),
    ("D", "depth_view"),
    ("TAB", "select_next"),
    ("QUOTELEFT", "select_previous"),
    ("BACKSPACE", "remove"),
    ("DELETE", "remove"),
    ("BRACKETLEFT", "move_earlier"),
    ("BRACKETRIGHT", "move_later"),
    ("PERIOD", "param_next"),
    ("COMMA", "param_previous"),
    ("APOSTROPHE", "param_up"),
    ("SEMICOLON", "param_down"),
    ("CTRL+R", "record"),
    ("Y", "tap"),
    ("L", "learn"),
    ("H", "hud"),
    ("QUESTION", "help"),
    ("SLASH", "help"),
    ("ESCAPE", "quit"),
    # exploring the image (shaderviz.explore)
    ("M", "sampler_mode"),
    ("I", "view_mode"),
    ("EQUAL", "view_zoom:IN"),
    ("PLUS", "view_zoom:IN"),
    ("NUM_ADD", "view_zoom:IN"),
    ("MINUS", "view_zoom:OUT"),
    ("NUM_SUBTRACT", "view_zoom:OUT"),
    ("0", "view_reset"),
    ("BACKSLASH", "split"),
    ("BAR", "split"),
    ("E", "dream"),
    ("SHIFT+E", "dream_frame"),
    ("CTRL+E", "undream"),
)
_ARROWS = ("LEFT", "RIGHT", "UP", "DOWN")
MODE_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "sampler": (
        *((arrow, f"sampler_move:{arrow}") for arrow in _ARROWS),
        *((f"SHIFT+{arrow}", f"sampler_nudge:{arrow}") for arrow in _ARROWS),
        *((f"CTRL+{arrow}", f"sampler_stretch:{arrow}") for arrow in _ARROWS),
        ("EQUAL", "sampler_size:GROW"), ("PLUS", "sampler_size:GROW"), ("NUM_ADD", "sampler_size:GROW"),
        ("MINUS", "sampler_size:SHRINK"), ("UNDERSCORE", "sampler_size:SHRINK"),
        ("NUM_SUBTRACT", "sampler_size:SHRINK"),
        ("COMMA", "sampler_rotate:LEFT"), ("PERIOD", "sampler_rotate:RIGHT"),
        ("LESS", "sampler_rotate:FINE_LEFT"), ("GREATER", "sampler_rotate:FINE_RIGHT"),
        ("RETURN", "sampler_zoom"), ("ENTER", "sampler_zoom"), ("NUM_ENTER", "sampler_zoom"),
        ("BACKSPACE", "sampler_back"),
        ("T", "sampler_cycle"),
        ("BRACKETRIGHT", "sampler_tiles:MORE"), ("BRACKETLEFT", "sampler_tiles:FEWER"),
        ("I", "sampler_filter"),
        ("ESCAPE", "sampler_mode"),
    ),
    "view": (
        *((arrow, f"view_pan:{arrow}") for arrow in _ARROWS),
        ("1", "view_pixels"),
        ("ESCAPE", "view_mode"),
    ),
}
MODE_LABELS = {"sampler": "sampler mode (M)", "view": "view mode (I)"}
PRESET_KEYS = tuple(str(n) for n in range(1, 10))
LABELS = {"QUESTION": "?", "QUOTELEFT": "`", "BRACKETLEFT": "[", "BRACKETRIGHT": "]", "SLASH": "/",
          "EQUAL": "=", "PLUS": "+", "MINUS": "-", "UNDERSCORE": "_", "NUM_ADD": "num+",
          "NUM_SUBTRACT": "num-",
          "BACKSLASH": "\\", "BAR": "|", "COMMA": ",", "PERIOD": ".", "LESS": "<", "GREATER": ">",
          "RETURN": "Enter", "ENTER": "Enter", "NUM_ENTER": "num-Enter", "SEMICOLON": ";", "APOSTROPHE": "'"}

RESERVED_KEYS = frozenset(key for key, _ in APP_KEYS) | frozenset(PRESET_KEYS) | {"?"}
MODIFIERS = ("CTRL", "ALT", "SHIFT")  # the order in a key name: "CTRL+SHIFT+LEFT"


def bindings(registry: Registry, bank: Sequence[str] = ()) -> list[Binding]:
    """Every key of `play`: the application's, one per effect (from its header), the
    number keys of the preset bank, then each mode's."""
    helps = {spec.name: spec.help for spec in command_specs(registry, bank)}
    pairs: list[tuple[str, str, str | None]] = [(key, command, None) for key, command in APP_KEYS]
    pairs += [(key, f"toggle:{name}", None) for key, name in sorted(registry.keys.items())]
    pairs += [(key, f"preset:{key}", None) for key in PRESET_KEYS[: len(bank)]]
    pairs += [(key, command, mode) for mode, keys in MODE_KEYS.items() for key, command in keys]
    return [Binding(key, command, helps[command], mode) for key, command, mode in pairs if command in helps]


def key_with(key: str, modifiers: Sequence[str] = ()) -> str:
    """``key_with("LEFT", ["SHIFT"])`` -> "SHIFT+LEFT" (modifiers in a fixed order)."""
    return "+".join([m for m in MODIFIERS if m in modifiers] + [key])


def command_for(key: str, registry: Registry, bank: Sequence[str] = (), modes: Sequence[str] = (),
                modifiers: Sequence[str] = ()) -> str | None:
    """The command of ``key`` pressed with ``modifiers`` while ``modes`` are on: a mode's
    binding first, then the global one; with modifiers first, then without."""
    table = bindings(registry, bank)
    names = [key_with(key, modifiers), key] if modifiers else [key]
    for mode in [*modes, None]:
        for name in names:
            found = next((b.command for b in table if b.key == name and b.mode == mode), None)
            if found is not None:
                return found
    return None


def key_lines(registry: Registry, bank: Sequence[str] = (), short: bool = False) -> list[tuple[str, str]]:
    """(keys, help) per command: keys that say the same command share a line ("? /"); each
    mode's keys after a heading line ("in sampler mode (M):", ""). ``short``: an effect's
    toggle without its description (on screen)."""
    lines: list[tuple[str, str]] = []
    table = bindings(registry, bank)
    for mode in (None, *MODE_KEYS):
        grouped: dict[str, list[str]] = {}
        helps: dict[str, str] = {}
        for binding in (b for b in table if b.mode == mode):
            grouped.setdefault(binding.command, []).append(key_label(binding.key))
            verb, _, name = binding.command.partition(":")
            helps[binding.command] = f"toggle {name}" if short and verb == "toggle" else binding.help
        if mode is not None:
            lines.append((f"in {MODE_LABELS[mode]}:", ""))
        lines += [(" ".join(dict.fromkeys(keys)), helps[command]) for command, keys in grouped.items()]
    return lines


def describe(registry: Registry, bank: Sequence[str] = ()) -> str:
    """The keys as text, one line each (``shaderviz keys``, ``?``)."""
    lines = key_lines(registry, bank)
    return "\n".join(f"  {keys:<16} {help}" if help else keys for keys, help in lines)


def key_label(key: str) -> str:
    """How a key is written for people: "Ctrl+R", "=", "Enter"."""
    *mods, name = key.split("+")
    return "+".join([m.title() for m in mods] + [LABELS.get(name, name)])
