"""Split view's *before*: the source as the sampler's levels show it, without the other
effects, so before and after show the same part of the picture. Rendered (one pass and a
copy) only while the window shows split view."""

from __future__ import annotations

import moderngl

from shaderviz.effects.chain import EffectInstance
from shaderviz.render.renderer import Frame, Renderer
from shaderviz.render.targets import Target


class BeforeImage:
    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.wanted = False  # set by the window while split view is on
        self.target: Target | None = None  # the last before, when levels were rendered

    def render(self, renderer: Renderer, levels: list[EffectInstance], frame: Frame) -> Target:
        """The before of this frame: the source itself, or the source through ``levels``
        (call before the frame's own render: this reuses the renderer's buffers)."""
        if not levels:
            return renderer.source
        out = renderer.render(levels, frame, part=True)
        if self.target is None or self.target.texture.size != out.texture.size:
            self.release()
            self.target = Target.create(self.ctx, out.texture.size)
        self.ctx.copy_framebuffer(self.target.fbo, out.fbo)
        return self.target

    def release(self) -> None:
        if self.target is not None:
            self.target.release()
            self.target = None
