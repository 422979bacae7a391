"""Transitions between pictures in `play`: a crossfade from the last frame shown.

When the picture changes (the next image of a folder, ``N``, another preset), the frame on
screen is copied once; for ``seconds`` after that each frame is the live output mixed over
that copy (smoothstep), in one extra pass. Video frames follow each other without one.
"""

from __future__ import annotations

import time

import moderngl

from shaderviz.render.glsl import VERTEX_SHADER
from shaderviz.render.targets import Target

MIX_SHADER = """#version 330
in vec2 uv;
out vec4 fragColor;
uniform sampler2D before;
uniform sampler2D after;
uniform float amount;
void main() {
    float a = smoothstep(0.0, 1.0, amount);
    fragColor = vec4(mix(texture(before, uv).rgb, texture(after, uv).rgb, a), 1.0);
}
"""


class Crossfade:
    def __init__(self, ctx: moderngl.Context, size: tuple[int, int], seconds: float) -> None:
        self.ctx, self.size, self.seconds = ctx, size, seconds
        self.duration: float | None = None  # this fade's own length (a playlist entry's), if set
        self._length = seconds  # the running fade's
        self.started: float | None = None
        self._held: Target | None = None  # the frame faded from
        self._out: Target | None = None
        self._program: moderngl.Program | None = None
        self._vao: moderngl.VertexArray | None = None
        if seconds > 0:  # allocated and compiled now: the first fade must not stall the show
            self._held, self._out = Target.create(ctx, size), Target.create(ctx, size)
            self._program = ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=MIX_SHADER)
            self._vao = ctx.vertex_array(self._program, [])

    @property
    def active(self) -> bool:
        return self.started is not None

    def start(self, shown: Target | None, now: float | None = None,
              size: tuple[int, int] | None = None) -> None:
        """Fade from ``shown`` (the output of the last frame; copied now). ``size``: the
        render size from now on, when it changes (``shown`` is scaled to it)."""
        if self._held is None or self._out is None:
            return
        self._length = self.seconds if self.duration is None else self.duration
        if size is not None and size != self.size:
            held, out = Target.create(self.ctx, size), Target.create(self.ctx, size)
            if shown is not None:
                self._mix(shown, shown, 0.0, held)
            for old in (self._held, self._out):
                old.release()
            self.size, self._held, self._out = size, held, out
        elif shown is None:
            return
        elif shown is self._out:  # a fade already running: go on from where it is
            self._held, self._out = self._out, self._held
        else:
            self.ctx.copy_framebuffer(self._held.fbo, shown.fbo)
        start = time.perf_counter() if now is None else now
        self.started = start if shown is not None and self._length > 0 else None  # (0: a cut)

    def apply(self, live: Target, now: float | None = None) -> Target:
        """The frame to show: ``live``, or while fading, ``live`` mixed over the held frame."""
        if self.started is None or self._held is None:
            return live
        amount = ((time.perf_counter() if now is None else now) - self.started) / self._length
        if amount >= 1.0:
            self.started = None
            return live
        assert self._out is not None
        self._mix(self._held, live, max(0.0, amount), self._out)
        return self._out

    def _mix(self, before: Target, after: Target, amount: float, into: Target) -> None:
        assert self._program is not None and self._vao is not None
        before.texture.use(0)
        after.texture.use(1)
        self._program["before"].value = 0
        self._program["after"].value = 1
        self._program["amount"].value = amount
        into.fbo.use()
        self._vao.render(moderngl.TRIANGLES, vertices=3)

    def release(self) -> None:
        for obj in (self._held, self._out, self._vao, self._program):
            if obj is not None:
                obj.release()
        self._held = self._out = self._vao = self._program = None
