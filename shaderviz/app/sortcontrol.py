"""Live pixel sorting from the keyboard: arrow keys sort while held, auto sort keeps
flowing, one key cycles the sort key, one removes the sort (back to the unsorted image).

It drives one flow-mode ``pixelsort`` instance in the chain (the first one, or one it
appends on first use); the sorting itself is the effect's, so a recorded preset holds
the same instance. On a video source that instance keeps its sort across frames
(``carry``), so each new frame is sorted into the running state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shaderviz.effects.chain import EffectInstance, make_instance
from shaderviz.effects.registry import Registry

# Arrow -> (axis, descending): values grow toward the arrow.
DIRECTIONS = {"RIGHT": ("x", False), "LEFT": ("x", True), "DOWN": ("y", False), "UP": ("y", True)}
EFFECT = "pixelsort"


@dataclass
class SortControl:
    speed: int = 8  # passes per frame while sorting
    direction: str = "RIGHT"
    auto: bool = False
    carry: bool = False  # a video: keep sorting across new frames
    held: list[str] = field(default_factory=list)
    tapped: bool = False  # pressed since the last frame (a tap shorter than a frame still sorts once)

    @property
    def active(self) -> bool:
        return self.auto or bool(self.held) or self.tapped

    def press(self, arrow: str) -> None:
        if arrow not in self.held:
            self.held.append(arrow)
        self.direction = arrow
        self.tapped = True

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
        active, self.tapped = self.active, False
        instance = self._instance(chain, registry, create=active)
        if instance is None:
            return None
        if active:
            instance.enabled = True
        axis, descending = DIRECTIONS[self.direction]
        instance.values.update(axis=axis, descending=descending, angle=0.0,  # rows / columns, as the arrows
                               speed=self.speed if active else 0)
        return instance

    def describe(self, chain: list[EffectInstance]) -> str | None:
        """``sort: auto, key hue``, for the HUD and the title; None without a sort."""
        instance = next((i for i in chain if i.name == EFFECT and i.values.get("mode") == "flow"), None)
        if instance is None:
            return None
        state = "auto" if self.auto else ("sorting" if self.held else "held")
        return f"sort {state} {self.direction.lower()}, key {instance.values.get('key', 'lightness')}"

    def cycle_key(self, chain: list[EffectInstance], registry: Registry) -> str:
        instance = self._instance(chain, registry, create=True)
        instance.enabled = True
        param = registry.get(EFFECT).param("key")
        assert param is not None
        current = instance.values.get("key", param.default)
        instance.values["key"] = param.values[(param.values.index(current) + 1) % len(param.values)]
        return instance.values["key"]

    def reset(self, chain: list[EffectInstance], registry: Registry) -> bool:
        """Remove the sort from the chain (back to the unsorted image, and its cost gone);
        auto sort stops. False if there was none."""
        instance = self._instance(chain, registry, create=False)
        self.auto = False
        if instance is None:
            return False
        chain.remove(instance)
        return True

    def _instance(
        self, chain: list[EffectInstance], registry: Registry, create: bool
    ) -> EffectInstance | None:
        for instance in chain:
            if instance.name == EFFECT and instance.values.get("mode") == "flow":
                return instance
        if not create or EFFECT not in registry.effects:
            return None
        values = {"mode": "flow", "speed": 0}
        if self.carry and registry.get(EFFECT).param("carry") is not None:
            values["carry"] = True
        instance = make_instance(registry.get(EFFECT), values)
        chain.append(instance)
        return instance
