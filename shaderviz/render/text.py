"""Text over the picture: lines rasterised with Pillow's built-in font into a texture, drawn
1:1 in window pixels with alpha blending. Rasterised again only when the text changes."""

from __future__ import annotations

from functools import lru_cache

import moderngl
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from shaderviz.render.glsl import VERTEX_SHADER

TEXT_SHADER = """#version 330
in vec2 uv;
out vec4 fragColor;
uniform sampler2D text;
void main() {
    fragColor = texture(text, vec2(uv.x, 1.0 - uv.y));
}
"""
PADDING = 6
BACKGROUND = (0, 0, 0, 170)
COLOURS = {"": (235, 235, 235, 255), "!": (255, 110, 90, 255), "*": (255, 220, 120, 255)}


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def rasterise(lines: list[str], size: int) -> np.ndarray:
    """(H, W, 4) uint8: the lines on a translucent dark box, top row first. A line that
    starts with ``!`` is an error (red), with ``*`` a notice (yellow); the mark is not drawn."""
    font = _font(size)
    texts = [(ln[1:], COLOURS[ln[0]]) if ln[:1] in ("!", "*") else (ln, COLOURS[""]) for ln in lines]
    ascent, descent = font.getmetrics()
    step = ascent + descent + 2
    width = max((font.getlength(text) for text, _ in texts), default=0)
    image = Image.new("RGBA", (int(width) + 2 * PADDING, step * len(texts) + 2 * PADDING), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for row, (text, colour) in enumerate(texts):
        draw.text((PADDING, PADDING + row * step), text, font=font, fill=colour)
    return np.asarray(image)


class TextLayer:
    """One block of text; ``draw`` puts it at a corner of the window's framebuffer."""

    def __init__(self, ctx: moderngl.Context, size: int = 15) -> None:
        self.ctx, self.size = ctx, size
        self.program = ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=TEXT_SHADER)
        self.vao = ctx.vertex_array(self.program, [])
        self.texture: moderngl.Texture | None = None
        self.lines: list[str] = []
        _font(size)  # loaded now, not in the middle of the show

    def draw(self, lines: list[str], fbo: moderngl.Framebuffer, window: tuple[int, int],
             corner: str = "top-left") -> None:
        if not lines:
            return
        if lines != self.lines or self.texture is None:
            self._upload(lines)
        assert self.texture is not None
        width, height = self.texture.size
        x = PADDING if corner.endswith("left") else max(0, window[0] - width - PADDING)
        y = max(0, window[1] - height - PADDING) if corner.startswith("top") else PADDING
        fbo.use()
        fbo.viewport = (x, y, width, height)
        self.ctx.enable(moderngl.BLEND)
        self.ctx.blend_func = moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA
        self.texture.use(0)
        self.program["text"].value = 0
        self.vao.render(moderngl.TRIANGLES, vertices=3)
        self.ctx.disable(moderngl.BLEND)
        fbo.viewport = (0, 0, window[0], window[1])

    def _upload(self, lines: list[str]) -> None:
        pixels = rasterise(lines, self.size)
        size = (pixels.shape[1], pixels.shape[0])
        if self.texture is None or self.texture.size != size:
            if self.texture is not None:
                self.texture.release()
            self.texture = self.ctx.texture(size, 4)
            self.texture.filter = (moderngl.NEAREST, moderngl.NEAREST)
        self.texture.write(pixels.tobytes())
        self.lines = list(lines)

    def release(self) -> None:
        for obj in (self.vao, self.program, self.texture):
            if obj is not None:
                obj.release()
        self.texture = None
