"""Editing the running chain from the keyboard: toggle an effect, select one, remove it,
move it earlier or later. The selection is shown in the HUD; removing an instance frees its
GPU state (the renderer drops what the chain no longer holds)."""

from __future__ import annotations

from collections.abc import Callable

from shaderviz.app.paramcontrol import find_instance, split_target
from shaderviz.app.show import Show
from shaderviz.effects.chain import make_instance


class ChainEditor:
    def __init__(self, show: Show, notify: Callable[[str], None]) -> None:
        self.show, self.notify = show, notify
        self.selected: int | None = None  # an index into show.chain

    @property
    def chain(self) -> list:
        return self.show.chain

    def _check(self) -> int | None:
        if self.selected is not None and not 0 <= self.selected < len(self.chain):
            self.selected = len(self.chain) - 1 if self.chain else None
        return self.selected

    def toggle(self, target: str) -> None:
        """Turn ``NAME`` (its first instance; ``NAME.2`` its second) on or off; add it at the
        end if absent."""
        index = find_instance(self.chain, target)
        if index is None:
            self.chain.append(make_instance(self.show.registry.get(split_target(target)[0]), {}))
            index = len(self.chain) - 1
        else:
            self.chain[index].enabled = not self.chain[index].enabled
        self.selected = index

    def select(self, step: int) -> None:
        if not self.chain:
            self.selected = None
            self.notify("the chain is empty")
            return
        current = self._check()
        if current is None:
            self.selected = 0 if step > 0 else len(self.chain) - 1
        else:
            self.selected = (current + step) % len(self.chain)
        self.notify(f"selected {self.chain[self.selected].name}")

    def remove(self) -> None:
        index = self._check()
        if index is None:
            self.notify("nothing selected: Tab selects an effect")
            return
        removed = self.chain.pop(index)
        self.selected = min(index, len(self.chain) - 1) if self.chain else None
        self.notify(f"removed {removed.name}")

    def move(self, step: int) -> None:
        index = self._check()
        if index is None:
            self.notify("nothing selected: Tab selects an effect")
            return
        to = index + step
        if 0 <= to < len(self.chain):
            self.chain[index], self.chain[to] = self.chain[to], self.chain[index]
            self.selected = to

    def forget(self) -> None:
        """The chain was replaced (a preset): no selection."""
        self.selected = None

    def describe(self) -> str:
        """``clouds > [rgb_split] > (blur)``: the selection in brackets, disabled in parentheses."""
        self._check()
        parts = []
        for i, inst in enumerate(self.chain):
            text = inst.name if inst.enabled else f"({inst.name})"
            parts.append(f"[{text}]" if i == self.selected else text)
        return " > ".join(parts) if parts else "(no effects)"
