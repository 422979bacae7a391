"""The keymap as data: application keys plus one toggle key per effect header.

Printed by ``shaderviz keys`` and ``?`` in the window; the window dispatches on it.
Later issues add keys here (arrow keys for pixel sort, sampler keys), not in the loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shaderviz.effects.registry import Registry


@dataclass(frozen=True)
class Binding:
    key: str  # pyglet-style key name: "S", "SPACE", "ESCAPE", "QUESTION", ...
    action: str  # "snapshot", "toggle:blur", ...
    help: str


APP_BINDINGS: tuple[Binding, ...] = (
    Binding("S", "snapshot", "save a PNG snapshot of the frame, with its recipe"),
    Binding("F", "fullscreen", "toggle fullscreen"),
    Binding("SPACE", "pause", "pause / resume time"),
    Binding("N", "next_source", "next image of a folder source"),
    Binding("RIGHT", "sort:RIGHT", "hold: pixel sort rows, values growing to the right"),
    Binding("LEFT", "sort:LEFT", "hold: pixel sort rows, values growing to the left"),
    Binding("DOWN", "sort:DOWN", "hold: pixel sort columns, values growing downward"),
    Binding("UP", "sort:UP", "hold: pixel sort columns, values growing upward"),
    Binding("A", "autosort", "toggle auto sort: keep sorting in the last arrow's direction"),
    Binding("Z", "sort_key", "cycle the pixel-sort key (luma, lightness, hue, ..., depth)"),
    Binding("X", "sort_reset", "reset pixel sorting to the unsorted image"),
    Binding("D", "depth_view", "show the depth map over the chain (what the depth model sees)"),
    Binding("QUESTION", "help", "print the keys (also: /)"),
    Binding("SLASH", "help", "print the keys"),
    Binding("ESCAPE", "quit", "quit"),
)

RESERVED_KEYS = frozenset(b.key for b in APP_BINDINGS) | {"?"}


def bindings(registry: Registry) -> list[Binding]:
    """Every key of `play`: the application's, then one per effect (from its header)."""
    out = list(APP_BINDINGS)
    for key, name in sorted(registry.keys.items()):
        out.append(Binding(key, f"toggle:{name}", f"toggle {name}: {registry.effects[name].description}"))
    return out


def describe(registry: Registry) -> str:
    seen = set()
    lines = []
    for binding in bindings(registry):
        if binding.key == "SLASH":
            continue
        label = "?" if binding.key == "QUESTION" else binding.key
        if (label, binding.action) not in seen:
            seen.add((label, binding.action))
            lines.append(f"  {label:<8} {binding.help}")
    return "\n".join(lines)
