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


def rasterise(lines: list[str], size: int, max_height: int | None = None) -> np.ndarray:
    """(H, W, 4) uint8: the lines on a translucent dark box, top row first. A line that
    starts with ``!`` is an error (red), with ``*`` a notice (yellow); the mark is not drawn.
    A tab splits a line in two aligned columns (a key and its help). Lines that do not fit
    in ``max_height`` pixels continue in another column to the right."""
    font = _font(size)
    texts = [(ln[1:], COLOURS[ln[0]]) if ln[:1] in ("!", "*") else (ln, COLOURS[""]) for ln in lines]
    ascent, descent = font.getmetrics()
    step = ascent + descent + 2
    rows = len(texts) if max_height is None else max(1, (max_height - 2 * PADDING) // step)
    columns = [texts[i : i + rows] for i in range(0, len(texts), rows)] or [[]]
    layouts = []  # per column: (x offset of the part after a tab, width)
    for column in columns:
        heads = [font.getlength(t.split("\t")[0]) + size for t, _ in column if "\t" in t]
        tab = max(heads, default=0)
        width = max((tab + font.getlength(t.split("\t", 1)[1]) if "\t" in t else font.getlength(t)
                     for t, _ in column), default=0)
        layouts.append((tab, width))
    total = sum(int(width) + 2 * PADDING for _, width in layouts)
    image = Image.new("RGBA", (max(1, total), step * min(rows, len(texts)) + 2 * PADDING), BACKGROUND)
    draw = ImageDraw.Draw(image)
    left = 0
    for column, (tab, width) in zip(columns, layouts, strict=True):
        for row, (text, colour) in enumerate(column):
            y = PADDING + row * step
            head, sep, rest = text.partition("\t")
            draw.text((left + PADDING, y), head, font=font, fill=colour)
            if sep:
                draw.text((left + PADDING + tab, y), rest, font=font, fill=colour)
        left += int(width) + 2 * PADDING
    return np.asarray(image)


class TextLayer:
    """One block of text; ``draw`` puts it at a corner of the window's framebuffer."""

    def __init__(self, ctx: moderngl.Context, size: int = 15) -> None:
        self.ctx, self.size = ctx, size
        self.program = ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=TEXT_SHADER)
        self.vao = ctx.vertex_array(self.program, [])
        self.texture: moderngl.Texture | None = None
        self.lines: list[str] = []
        self._height = 0  # the window height the text was laid out for
        _font(size)  # loaded now, not in the middle of the show

    def draw(self, lines: list[str], fbo: moderngl.Framebuffer, window: tuple[int, int],
             corner: str = "top-left") -> None:
        if not lines:
            return
        if lines != self.lines or self.texture is None or self._height != window[1]:
            self._upload(lines, window[1])
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

    def _upload(self, lines: list[str], height: int) -> None:
        pixels = rasterise(lines, self.size, max_height=height - 2 * PADDING)
        self._height = height
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
