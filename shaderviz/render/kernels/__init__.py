"""Kernels: Python-driven GPU work for effects whose passes a header cannot describe
(data-dependent pass counts, integer textures, compute shaders).

An effect file names its kernel in the header (``"kernel": "pixelsort"``). Each frame
the renderer calls ``kernel.run(...)`` before the effect's own passes; the textures it
returns are bound as samplers of those passes. One kernel object lives per effect
instance and holds that instance's state; it is released with it. Kernels get the
renderer's depth preparation (``DepthPrep``) for derived depth layers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import moderngl

if TYPE_CHECKING:
    from shaderviz.render.depthprep import DepthPrep
    from shaderviz.render.renderer import Frame


class Kernel(Protocol):
    """``carry`` (an attribute, optional): the state outlives a change of source image."""

    def run(
        self, source: moderngl.Texture, depth: moderngl.Texture, values: dict[str, Any], frame: Frame
    ) -> dict[str, moderngl.Texture]: ...

    def release(self) -> None: ...


def kernel_names() -> tuple[str, ...]:
    return ("pixelsort", "parallax", "cppn")


def create_kernel(
    name: str, ctx: moderngl.Context, size: tuple[int, int], include_dirs: list[Path], depth: DepthPrep
) -> Kernel:
    if name == "pixelsort":
        from shaderviz.render.kernels.pixelsort import PixelSortKernel

        return PixelSortKernel(ctx, size, include_dirs)
    if name == "cppn":
        from shaderviz.render.kernels.cppn import CppnKernel

        return CppnKernel(ctx, size, include_dirs)
    if name == "parallax":
        from shaderviz.render.kernels.parallax import ParallaxKernel

        return ParallaxKernel(ctx, size, include_dirs, depth)
    raise KeyError(name)
