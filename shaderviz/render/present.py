"""Draw the renderer's output into a window: letterboxed, with an error frame on demand."""

from __future__ import annotations

import moderngl

from shaderviz.render.glsl import VERTEX_SHADER

PRESENT_SHADER = """#version 330
in vec2 uv;
out vec4 fragColor;
uniform sampler2D image;
uniform bool showError;
uniform vec2 viewSize;   // pixels
uniform float border;    // pixels
void main() {
    vec2 px = uv * viewSize;
    bool edge = px.x < border || px.y < border || px.x > viewSize.x - border
        || px.y > viewSize.y - border;
    if (showError && edge) {
        fragColor = vec4(0.9, 0.08, 0.08, 1.0);
        return;
    }
    vec4 c = texture(image, uv);  // alpha is 1 unless the show is transparent: then a checkerboard
    float check = mod(floor(px.x / 12.0) + floor(px.y / 12.0), 2.0);
    fragColor = vec4(mix(vec3(0.35 + 0.3 * check), c.rgb, c.a), 1.0);
}
"""


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

    def draw(
        self, texture: moderngl.Texture, fbo: moderngl.Framebuffer, size: tuple[int, int], error: bool
    ) -> None:
        """Clear ``fbo`` (``size`` pixels) to black and draw ``texture`` letterboxed into it."""
        fbo.use()
        fbo.viewport = (0, 0, size[0], size[1])
        fbo.clear(0.0, 0.0, 0.0, 1.0)
        x, y, w, h = letterbox(texture.size, size)
        fbo.viewport = (x, y, w, h)
        texture.use(0)
        self.program["image"].value = 0
        self.program["showError"].value = error
        self.program["viewSize"].value = (float(w), float(h))
        self.program["border"].value = float(max(3, min(w, h) // 60))
        self.vao.render(moderngl.TRIANGLES, vertices=3)

    def release(self) -> None:
        self.vao.release()
        self.program.release()
