"""Draw the renderer's output into a window: letterboxed (scaled with bilinear filtering),
with a red frame on demand. Where the output fills the window pixel for pixel it is copied
(a framebuffer blit) instead of drawn: a software renderer pays less for that."""

from __future__ import annotations

import moderngl

from shaderviz.render.glsl import VERTEX_SHADER
from shaderviz.render.targets import Target

PRESENT_SHADER = """#version 330
in vec2 uv;
out vec4 fragColor;
uniform sampler2D image;
void main() {
    fragColor = vec4(texture(image, uv).rgb, 1.0);
}
"""
ERROR_RED = (0.9, 0.08, 0.08, 1.0)


def letterbox(image: tuple[int, int], window: tuple[int, int]) -> tuple[int, int, int, int]:
    """The largest rectangle of the image's aspect centred in the window: (x, y, w, h)."""
    iw, ih = image
    ww, wh = max(window[0], 1), max(window[1], 1)
    scale = min(ww / iw, wh / ih)
    w, h = max(1, round(iw * scale)), max(1, round(ih * scale))
    return (ww - w) // 2, (wh - h) // 2, w, h


class Presenter:
    """One small program and an empty vertex array; ``release()`` frees both."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.program = ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=PRESENT_SHADER)
        self.vao = ctx.vertex_array(self.program, [])

    def draw(self, image: Target, fbo: moderngl.Framebuffer, size: tuple[int, int], error: bool) -> None:
        """Fill ``fbo`` (``size`` pixels) with ``image`` letterboxed on black, framed in red
        when ``error``."""
        x, y, w, h = letterbox(image.texture.size, size)
        if (w, h) == image.texture.size == tuple(size):
            self.ctx.copy_framebuffer(fbo, image.fbo)
        else:
            fbo.use()
            fbo.viewport = (0, 0, size[0], size[1])
            fbo.clear(0.0, 0.0, 0.0, 1.0)
            fbo.viewport = (x, y, w, h)
            image.texture.use(0)
            self.program["image"].value = 0
            self.vao.render(moderngl.TRIANGLES, vertices=3)
        if error:
            border = max(3, min(w, h) // 60)
            for edge in ((x, y, w, border), (x, y + h - border, w, border), (x, y, border, h),
                         (x + w - border, y, border, h)):
                fbo.clear(*ERROR_RED, viewport=edge)
        fbo.viewport = (0, 0, size[0], size[1])

    def release(self) -> None:
        self.vao.release()
        self.program.release()
