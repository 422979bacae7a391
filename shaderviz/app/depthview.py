"""``D`` in ``play``: the depth map over the chain, live (what the depth model sees).

On, it keeps one ``depthmap`` instance at the end of the chain (moved back to the end
if effects are added after it), so the depth model runs and the picture shows its map;
off, it takes the instance out again (the model then runs only if the chain needs it).
"""

from __future__ import annotations

from dataclasses import dataclass

from shaderviz.effects.chain import EffectInstance, make_instance
from shaderviz.effects.registry import Registry

EFFECT = "depthmap"


@dataclass
class DepthView:
    on: bool = False
    _instance: EffectInstance | None = None

    def toggle(self) -> bool:
        self.on = not self.on
        return self.on

    def apply(self, chain: list[EffectInstance], registry: Registry) -> None:
        """Each frame: the depth view last in the chain while on, absent while off."""
        if self._instance is not None and self._instance in chain:
            chain.remove(self._instance)
        if not self.on or EFFECT not in registry.effects:
            return
        if self._instance is None:
            self._instance = make_instance(registry.get(EFFECT), {})
        self._instance.enabled = True
        chain.append(self._instance)
