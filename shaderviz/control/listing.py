"""``shaderviz keys``: every command with its key, OSC address and MIDI binding."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from shaderviz.control.commands import command_specs
from shaderviz.control.osc import osc_address
from shaderviz.effects.registry import Registry
from shaderviz.keymap import MODE_LABELS, bindings, key_label


def describe_commands(registry: Registry, bank: Sequence[str] = (), midi_map: Path | None = None) -> str:
    from shaderviz.control.midi import default_map, load_bindings

    keys: dict[str, list[str]] = {}
    for binding in bindings(registry, bank):
        label = key_label(binding.key)  # a mode's key says its mode: "M: LEFT"
        if binding.mode is not None:
            label = f"{MODE_LABELS[binding.mode].split('(')[-1].rstrip(')')}: {label}"
        keys.setdefault(binding.command, []).append(label)
    midi: dict[str, list[str]] = {}
    path = midi_map or default_map()
    for b in load_bindings(path, must_exist=midi_map is not None):
        midi.setdefault(b.command, []).append(b.describe())
    lines = ["Commands: key, OSC address (play --osc PORT), MIDI binding "
             f"({path if path.is_file() else 'none yet: play --midi PORT, then L to learn'})", ""]
    rows = []
    params = []
    for spec in command_specs(registry, bank):
        address = osc_address(spec) or "-"
        value = f" <{spec.value}>" if spec.value else ""
        row = (spec.name, " ".join(keys.get(spec.name, [])) or "-", address + value,
               ", ".join(midi.get(spec.name, [])) or "-", spec.help)
        (params if spec.verb == "set" else rows).append(row)
    lines += _table(rows)
    lines += ["", "Parameters: OSC VALUE in the declared range, or .../norm 0..1; EFFECT.2 is the chain's "
              "second EFFECT; MIDI CC moves a parameter over its range, a note toggles", ""]
    lines += _table([(name, address, midi_binding) for name, _, address, midi_binding, _ in params])
    return "\n".join(lines)


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    padded = [*widths, 0]
    return ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, padded, strict=True)).rstrip()
            for row in rows]
