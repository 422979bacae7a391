"""The ``enhance`` effect's dream: its parameters, and the feed that gives ``render`` one
dream per source image.

The effect file (shaders/enhance.glsl) declares the parameters; all but ``amount`` and
``blend`` say how to dream and are read here. A dream is computed once per source image
(and cached on disk: :mod:`shaderviz.explore.enhancer`), so those parameters are numbers,
never waves. ``render`` waits for each dream (frames stay deterministic); ``play`` dreams
in a process of its own (:mod:`shaderviz.explore.livedream`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from shaderviz.effects.chain import EffectInstance
from shaderviz.effects.modulation import Modulator
from shaderviz.effects.spec import EffectSpec
from shaderviz.errors import UserError
from shaderviz.explore.dream import DreamParams

if TYPE_CHECKING:
    from shaderviz.app.show import Show
    from shaderviz.render.renderer import Renderer

EFFECT = "enhance"
IMAGE = "dreamImage"


def dream_params(spec: EffectSpec, instance: EffectInstance) -> DreamParams:
    """The dreaming parameters of an ``enhance`` instance; UserError for a modulated one."""
    values = {}
    for name in DreamParams.names():
        value = instance.value(spec, name)
        if isinstance(value, Modulator):
            raise UserError(f"enhance {name}={value.format()}: a dream is made once per image, so {name} "
                            "is a number (only amount may be modulated)")
        values[name] = value
    return DreamParams(**values)


def dreaming(show: Show) -> list[tuple[EffectInstance, DreamParams]]:
    """The enabled enhance instances of the chain, with their parameters."""
    spec = show.registry.effects.get(EFFECT)
    if spec is None or spec.kind != "effect":
        return []
    return [(i, dream_params(spec, i)) for i in show.chain if i.name == EFFECT and i.enabled]


class EnhanceFeed:
    """``render``: the dream of each new source image for each enhance instance, before its
    first frame (from the cache, or dreamed with a progress bar)."""

    def __init__(self, show: Show, progress: bool = True) -> None:
        self.show, self.progress = show, progress
        self._enhancer: Any = None  # an Enhancer, made on first use (imports torch)
        self._image: np.ndarray | None = None
        if dreaming(show) and show.source.generator is not None:  # (a modulated parameter fails too)
            raise UserError(f"enhance dreams the source image once, and {show.source.generator} draws a new "
                            "one every frame: render a frame to PNG first and enhance that")

    def new_image(self, image: np.ndarray | None) -> None:
        if image is not None:
            self._image = image

    def update(self, renderer: Renderer) -> None:
        """Before a frame: the dreams of a new image (after ``renderer.reset_state``)."""
        if self._image is None:
            return
        for instance, params in dreaming(self.show):
            renderer.upload_effect_image(instance.uid, IMAGE, self._dream(self._image, params))
        self._image = None

    def _dream(self, image: np.ndarray, params: DreamParams) -> np.ndarray:
        from tqdm import tqdm

        if self._enhancer is None:
            from shaderviz.explore.enhancer import Enhancer

            self._enhancer = Enhancer()
        cached = self._enhancer.cached(image, params)
        if cached is not None:
            return cached
        bar = tqdm(desc="dreaming", unit="step", disable=not self.progress, leave=False, file=sys.stderr)
        with bar:
            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            return self._enhancer.enhance(image, params, progress)
