"""``gan:NAME`` sources: images from a GAN, made on the loader's worker thread.

``gan:landscape`` (a shipped generator), ``gan:mine.pt`` (a checkpoint or TorchScript
file) or several, ``gan:clouds,landscape,books``: one generator per loop in ``render``
and per ``--cycle`` seconds in ``play`` (N skips to the next), each visit a new image
(so ``play`` with one GAN shows a new image every ``--cycle`` seconds; ``render`` of one
GAN repeats its loop).

The source's parameters live in the header of ``shaders/gan.glsl`` (the effect that
upscales the image on the GPU), so presets, recipes and modulators treat them like any
other: ``image`` (G adds one), ``walk`` (W), ``speed`` (trips around the closed path per
loop, integrated over the loop), ``radius``, ``upscale``, ``fade``. A key names the image
that is due: (generator, image, walk position, radius); ``load`` makes it (small, at the
model's size) and ``upload`` hands it to the renderer, crossfading when the generator
or image changed and cutting between the frames of a walk.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from shaderviz.sources import Source

if TYPE_CHECKING:
    from shaderviz.effects.chain import EffectInstance
    from shaderviz.effects.spec import EffectSpec
    from shaderviz.generators.loader import Generator
    from shaderviz.render.renderer import GLImage, Renderer

STEPS = 1 << 16  # walk positions per trip: keys stay hashable, frame N equals frame 0


@dataclass
class GanSource(Source):
    models: list[str] = field(default_factory=list)  # shipped names or resolved paths
    cycle_seconds: float | None = None  # None: one generator per loop (render)
    loop_seconds: float = 4.0
    seed: int = 0
    skipped: int = 0
    instance: EffectInstance | None = None  # the `gan` effect instance: its parameters
    spec: EffectSpec | None = None
    _generators: dict[str, Generator] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loaded: Hashable = None  # key of the image `load` returned last
    _shown: Hashable = None  # (generator, image) uploaded last

    def bind(self, instance: EffectInstance, spec: EffectSpec, loop_seconds: float, seed: int) -> None:
        """Take the effect's parameters; load every generator now, so that a missing or
        broken file stops `render` and `play` before the first frame (one line)."""
        self.instance, self.spec, self.loop_seconds, self.seed = instance, spec, loop_seconds, seed
        for index in range(len(self.models)):
            self.model(index)

    def _value(self, name: str, phase: float) -> Any:
        assert self.instance is not None and self.spec is not None
        param = self.spec.param(name)
        return param.uniform_value(self.instance.value(self.spec, name), phase, self.seed)

    def key_at(self, seconds: float, loop_index: int) -> Hashable:
        phase = seconds / self.loop_seconds - loop_index
        step = loop_index if self.cycle_seconds is None else int(seconds // self.cycle_seconds)
        step += self.skipped
        model = step % len(self.models)
        image = int(self._value("image", phase))
        if self.cycle_seconds is not None or len(self.models) > 1:
            image += step // len(self.models)  # each visit a new image (one GAN rendered: the same loop)
        if not self._value("walk", phase):
            return (model, image, None, None)
        position = round((float(self._value("speed", phase)) % 1.0) * STEPS) % STEPS
        return (model, image, position, round(float(self._value("radius", phase)) * 4096))

    def stands_in(self, loaded: Hashable, wanted: Hashable, shown: Hashable) -> bool:
        return True  # a walk's key moves every frame: show the newest image there is

    def skip(self, seconds: float) -> bool:
        self.skipped += 1
        return len(self.models) > 1

    def loops(self) -> int:
        return len(self.models)

    def model(self, index: int) -> Generator:
        from shaderviz.generators.loader import load_generator

        name = self.models[index]
        with self._lock:
            if name not in self._generators:
                # One thread: a 64x64 image takes a few ms on one core, and two threads contend
                # with the GL driver (software GL renders on the same cores) for no gain (measured).
                self._generators[name] = load_generator(name, threads=1)
            return self._generators[name]

    def load(self, key: Hashable, size: tuple[int, int], fit: str) -> np.ndarray:
        from shaderviz.generators.walk import latent

        model, image, position, radius = key  # type: ignore[misc]
        gen = self.model(model)
        if position is None:
            z = latent(self.seed, image, gen.latent)
        else:
            z = latent(self.seed, image, gen.latent, position / STEPS, radius / 4096)
        self._loaded = key
        return gen.generate(z[None])[0]

    def upload(self, renderer: Renderer, image: np.ndarray | GLImage, fit: str) -> None:
        """Hand the image to the GPU: a new generator or image crossfades, a walk step cuts."""
        shown = self._loaded[:2] if isinstance(self._loaded, tuple) else None
        renderer.upload_generated(image, crossfade=self._shown is not None and shown != self._shown, fit=fit)
        self._shown = shown
