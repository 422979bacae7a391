"""Live pixel sorting from the keyboard: arrow keys sort while held, auto sort keeps
flowing, one key cycles the sort key, one resets to the unsorted image.

It drives one flow-mode ``pixelsort`` instance in the chain (the first one, or one it
appends on first use); the sorting itself is the effect's, so a recorded preset holds
the same instance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shaderviz.effects.chain import EffectInstance, fresh_uid, make_instance
from shaderviz.effects.registry import Registry

# Arrow -> (axis, descending): values grow toward the arrow.
DIRECTIONS = {"RIGHT": ("x", False), "LEFT": ("x", True), "DOWN": ("y", False), "UP": ("y", True)}
EFFECT = "pixelsort"


@dataclass
class SortControl:
    speed: int = 8  # passes per frame while sorting
    direction: str = "RIGHT"
    auto: bool = False
    held: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.auto or bool(self.held)

    def press(self, arrow: str) -> None:
        if arrow not in self.held:
            self.held.append(arrow)
        self.direction = arrow

    def release(self, arrow: str) -> None:
        if arrow in self.held:
            self.held.remove(arrow)
        if self.held:
            self.direction = self.held[-1]

    def toggle_auto(self) -> bool:
        self.auto = not self.auto
        return self.auto

    def apply(self, chain: list[EffectInstance], registry: Registry) -> EffectInstance | None:
        """Point the flow instance at the current direction and speed (each frame)."""
        instance = self._instance(chain, registry, create=self.active)
        if instance is None:
            return None
        axis, descending = DIRECTIONS[self.direction]
        instance.values.update(axis=axis, descending=descending, angle=0.0,  # rows / columns, as the arrows
                               speed=self.speed if self.active else 0)
        return instance

    def cycle_key(self, chain: list[EffectInstance], registry: Registry) -> str:
        instance = self._instance(chain, registry, create=True)
        param = registry.get(EFFECT).param("key")
        assert param is not None
        current = instance.values.get("key", param.default)
        instance.values["key"] = param.values[(param.values.index(current) + 1) % len(param.values)]
        return instance.values["key"]

    def reset(self, chain: list[EffectInstance], registry: Registry) -> None:
        """Back to the unsorted image: a new identity means fresh sort state."""
        instance = self._instance(chain, registry, create=False)
        if instance is not None:
            instance.uid = fresh_uid()

    def _instance(
        self, chain: list[EffectInstance], registry: Registry, create: bool
    ) -> EffectInstance | None:
        for instance in chain:
            if instance.name == EFFECT and instance.values.get("mode") == "flow":
                instance.enabled = True
                return instance
        if not create or EFFECT not in registry.effects:
            return None
        instance = make_instance(registry.get(EFFECT), {"mode": "flow", "speed": 0})
        chain.append(instance)
        return instance
