"""Held keys that repeat: a step at the press, then (after a pause) steps at a steady rate
until the release, like a key typed in a text field. Runs on the render thread's clock."""

from __future__ import annotations

import time
from collections.abc import Callable

REPEAT_AFTER, REPEAT_EVERY = 0.35, 1 / 20


class Repeater:
    def __init__(self) -> None:
        self._held: dict[str, tuple[Callable[[], None], float]] = {}  # name -> (step, next repeat)

    def press(self, name: str, step: Callable[[], None], pressed: bool, now: float | None = None) -> None:
        if not pressed:
            self._held.pop(name, None)
            return
        step()
        self._held[name] = (step, (time.perf_counter() if now is None else now) + REPEAT_AFTER)

    def update(self, now: float | None = None) -> None:
        now = time.perf_counter() if now is None else now
        for name, (step, due) in list(self._held.items()):
            while due <= now:
                step()
                due += REPEAT_EVERY
            self._held[name] = (step, due)

    def clear(self) -> None:
        self._held.clear()
