"""``--quantize beat|bar``: source changes, presets and toggles wait for the next beat (or
bar of four) of the tempo clock, so a change lands on the music. A gate on the command
registry: it holds such a command and lets it through once the beat position crosses
the next multiple; the command log records when it ran, so a replay needs no quantising."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from shaderviz.control.commands import Commands

QUANTIZED = frozenset({"toggle", "on", "next_source", "preset", "entry"})


class Quantizer:
    def __init__(self, every: float, beats_now: Callable[[], float]) -> None:
        self.every, self.beats_now = every, beats_now  # every: beats (1 beat, 4 a bar); 0: off
        self.held: list[tuple[str, Any, bool, int]] = []

    def gate(self, name: str, value: Any, pressed: bool) -> bool:
        """Hold ``name`` until the next boundary (a Commands gate)."""
        if not self.every or name.partition(":")[0] not in QUANTIZED:
            return False
        self.held.append((name, value, pressed, self._slot()))
        return True

    def _slot(self) -> int:
        return math.floor(self.beats_now() / self.every + 1e-9)

    def release_due(self, commands: Commands) -> None:
        """Run what was held before the boundary just crossed (render thread, each frame)."""
        if not self.held:
            return
        slot = self._slot()
        due = [h for h in self.held if slot > h[3]]
        self.held = [h for h in self.held if slot <= h[3]]
        for name, value, pressed, _ in due:
            commands.run(name, pressed, value, gated=False)
