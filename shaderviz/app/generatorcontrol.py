"""Keys for generator sources in ``play``: G makes a new image (``gan:``) or network
(``cppn``), W turns the latent walk on and off. Both change the generator effect's
parameters (``image``, ``walk``), which the source and the shader read every frame, so
a snapshot's recipe re-creates what is on screen."""

from __future__ import annotations

from shaderviz.app.show import Show
from shaderviz.effects.modulation import Modulator


def _has(show: Show, name: str) -> bool:
    generator = show.generator
    return generator is not None and show.registry.effects[generator.name].param(name) is not None


def next_image(show: Show) -> str:
    """One more than the current ``image``; a message for the console."""
    if not _has(show, "image"):
        return "G: the source is not a generator with images (use gan:NAME or cppn)"
    generator = show.generator
    current = generator.value(show.registry.effects[generator.name], "image")
    if isinstance(current, Modulator):
        current = current.lo
    generator.values["image"] = int(current) + 1
    return f"{generator.name}: image {generator.values['image']}"


def toggle_walk(show: Show) -> str:
    if not _has(show, "walk"):
        return "W: the source has no latent walk (use gan:NAME or cppn)"
    generator = show.generator
    walk = not generator.value(show.registry.effects[generator.name], "walk")
    generator.values["walk"] = walk
    return f"{generator.name}: latent walk {'on' if walk else 'off'}"
