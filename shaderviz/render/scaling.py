"""Scaling a depth map to the render size on the GPU: the live depth model returns maps
at its own small size; uploading those and scaling here costs far less than a
full-size upload."""

from __future__ import annotations

import moderngl
import numpy as np

from shaderviz.render.glsl import VERTEX_SHADER

SCALE_SHADER = """#version 330
in vec2 uv;
out float depth;
uniform sampler2D small;
void main() {
    depth = texture(small, uv).r;
}
"""


class DepthScaler:
    """Draws a small float map into a float target with bilinear filtering: the same as
    resizing with half-pixel centres (``align_corners=False``)."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.program = ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=SCALE_SHADER)
        self.vao = ctx.vertex_array(self.program, [])
        self.small: moderngl.Texture | None = None

    def scale(self, data: np.ndarray, fbo: moderngl.Framebuffer) -> None:
        """``data``: (h, w) float32, bottom row first (GL order), drawn over all of ``fbo``."""
        size = (data.shape[1], data.shape[0])
        if self.small is None or self.small.size != size:
            if self.small is not None:
                self.small.release()
            self.small = self.ctx.texture(size, 1, dtype="f4")
            self.small.repeat_x = self.small.repeat_y = False
            self.small.filter = (moderngl.LINEAR, moderngl.LINEAR)
        self.small.write(data.tobytes())
        self.small.use(0)
        self.program["small"].value = 0
        fbo.use()
        self.vao.render(moderngl.TRIANGLES, vertices=3)

    def release(self) -> None:
        for obj in (self.vao, self.program, self.small):
            if obj is not None:
                obj.release()
