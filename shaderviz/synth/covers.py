"""Book covers: the ``books`` GAN's training images.

Each cover has a palette (curated sets, or harmonious random hues), a layout, and
typography in an invented script: every cover draws ~24 glyphs from strokes on a small
node grid (segments, a few curves and dots), then sets rows of title-like words in
them — a big title, a smaller subtitle or author line, sometimes a publisher mark — so
a GAN learns "typography" it cannot read, the essay's "cryptographic signs".

Layouts: horizontal bands (the classic paperback), geometric blocks (rectangles,
circles, triangles), stripes (straight or diagonal), a framed classic with borders and
ornaments, and a full-bleed picture (clouds or terrain from this package) under the
title. Drawn with Pillow at twice the size and downsampled (anti-aliasing); a little
paper grain and print wear on top.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from shaderviz.synth.noise import hsv_to_rgb

PALETTES = (
    ("#f3ead8", "#e4572e", "#17255a", "#f5b700"),
    ("#101820", "#f2aa4c", "#e8e8e8", "#5c8a8a"),
    ("#fdf6e3", "#2b2b2b", "#c0392b", "#7f8c8d"),
    ("#0b3d91", "#fafafa", "#ffcc00", "#111111"),
    ("#e9d8a6", "#005f73", "#ae2012", "#0a9396"),
    ("#1b1b1b", "#ff4f79", "#f7f7f7", "#6a4c93"),
    ("#f4f1de", "#3d405b", "#e07a5f", "#81b29a"),
    ("#ff6700", "#ebebeb", "#004e98", "#3a6ea5"),
    ("#2d3142", "#bfc0c0", "#ef8354", "#ffffff"),
    ("#fefae0", "#283618", "#bc6c25", "#606c38"),
    ("#000000", "#ffffff", "#d00000", "#888888"),
    ("#22223b", "#f2e9e4", "#c9ada7", "#9a8c98"),
)
LAYOUTS = ("bands", "blocks", "stripes", "framed", "picture")


def _hex(c: str) -> tuple[int, int, int]:
    return int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)


def palette(rng: np.random.Generator) -> list[tuple[int, int, int]]:
    """Four colours: background, and three for shapes and type."""
    if rng.random() < 0.6:
        colours = [_hex(c) for c in PALETTES[int(rng.integers(len(PALETTES)))]]
        order = rng.permutation(4) if rng.random() < 0.4 else np.arange(4)
        return [colours[i] for i in order]
    h = rng.random()
    scheme = rng.choice([0.08, 0.33, 0.5, 0.42])
    hues = [h, (h + scheme) % 1, (h - scheme) % 1, (h + 0.5) % 1]
    out = []
    for i, hue in enumerate(hues):
        s, v = (rng.uniform(0.1, 0.5), rng.uniform(0.8, 0.97)) if i == 0 else (rng.uniform(0.4, 0.95),
                                                                             rng.uniform(0.15, 0.95))
        out.append(tuple(int(c * 255) for c in hsv_to_rgb(hue, s, v)))
    if rng.random() < 0.3:
        out[0], out[2] = out[2], out[0]  # a dark cover
    return out


def make_script(rng: np.random.Generator, count: int = 24) -> list[list[tuple]]:
    """An invented alphabet: each glyph a list of strokes on a 3x4 node grid (0..1 box)."""
    nodes = [(x / 2, y / 3) for y in range(4) for x in range(3)]
    glyphs = []
    for _ in range(count):
        strokes: list[tuple] = []
        for _ in range(int(rng.integers(2, 5))):
            kind = rng.random()
            a = nodes[int(rng.integers(len(nodes)))]
            if kind < 0.7:  # a straight segment to a near node
                near = [n for n in nodes if 0 < math.dist(n, a) <= 0.75]
                strokes.append(("line", a, near[int(rng.integers(len(near)))]))
            elif kind < 0.9:
                strokes.append(("arc", a, float(rng.uniform(0.2, 0.45)), int(rng.integers(0, 4)) * 90))
            else:
                strokes.append(("dot", a))
        glyphs.append(strokes)
    return glyphs


def draw_word(draw: ImageDraw.ImageDraw, glyphs: list, letters: list[int], x: float, y: float,
              height: float, weight: float, colour: tuple[int, int, int], slant: float = 0.0) -> float:
    """Set glyphs left to right from (x, y) (top-left); returns the x after the word."""
    w = height * 0.55
    stroke = max(1, int(round(height * weight)))
    for index in letters:
        for part in glyphs[index]:
            def at(p: tuple[float, float], x: float = x) -> tuple[float, float]:
                return x + p[0] * w + (1 - p[1]) * height * slant, y + p[1] * height
            if part[0] == "line":
                draw.line([at(part[1]), at(part[2])], fill=colour, width=stroke)
            elif part[0] == "arc":
                cx, cy = at(part[1])
                r = part[2] * height
                draw.arc([cx - r, cy - r, cx + r, cy + r], part[3], part[3] + 180, fill=colour, width=stroke)
            else:
                cx, cy = at(part[1])
                r = stroke * 0.8
                draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
        x += w + height * 0.22
    return x


def text_block(rng: np.random.Generator, draw: ImageDraw.ImageDraw, glyphs: list, box: tuple[float, ...],
               height: float, colour: tuple[int, int, int], rows: int, weight: float, align: str) -> float:
    """Rows of random words inside box = (left, top, right, bottom); returns the bottom y."""
    left, top, right, _ = box
    advance = height * 0.77
    y = top
    for _ in range(rows):
        words, total = [], 0.0
        while True:
            n = int(rng.integers(2, 8))
            width = n * advance
            if words and total + height * 0.5 + width > right - left:
                break
            if not words and width > right - left:
                n = max(1, int((right - left) // advance))
                width = n * advance
            words.append([int(rng.integers(len(glyphs))) for _ in range(n)])
            total += width + (height * 0.5 if len(words) > 1 else 0)
            if rng.random() < 0.35:
                break
        x = left if align == "left" else (left + right - total) / 2
        slant = 0.15 if rng.random() < 0.1 else 0.0
        for word in words:
            x = draw_word(draw, glyphs, word, x, y, height, weight, colour, slant)
            x += height * 0.5 - height * 0.22
        y += height * 1.45
    return y


def _picture(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    from shaderviz.synth import clouds, terrain

    maker = clouds if rng.random() < 0.5 else terrain
    small = (max(16, size[0] // 4), max(16, size[1] // 4))
    return Image.fromarray(maker.render(int(rng.integers(1 << 30)), small)).resize(size, Image.BICUBIC)


def render(seed: int, size: tuple[int, int] = (128, 128)) -> np.ndarray:
    """One cover as (H, W, 3) uint8; the same seed gives the same pixels."""
    rng = np.random.default_rng([0xB00C, seed])
    width, height = size[0] * 2, size[1] * 2
    bg, c1, c2, c3 = palette(rng)
    image = Image.new("RGB", (width, height), bg)
    draw = ImageDraw.Draw(image)
    glyphs = make_script(rng)
    layout = LAYOUTS[int(rng.choice(len(LAYOUTS), p=[0.26, 0.22, 0.16, 0.22, 0.14]))]
    margin = width * rng.uniform(0.06, 0.12)
    title_h = height * rng.uniform(0.07, 0.15)
    title_box = [margin, height * rng.uniform(0.07, 0.2), width - margin, height]
    title_colour, small_colour = c2, c3
    if layout == "bands":
        cuts = sorted(rng.uniform(0.15, 0.85, int(rng.integers(1, 4))))
        edges = [0.0, *cuts, 1.0]
        colours = [bg, c1, bg, c3, c1]
        for i in range(len(edges) - 1):
            band = [0, edges[i] * height, width, edges[i + 1] * height]
            draw.rectangle(band, fill=colours[i % len(colours)])
        title_box[1] = edges[1] * height + title_h * 0.5 if edges[1] < 0.5 else height * 0.08
        title_colour = c2 if colours[1 % len(colours)] != c2 else bg
    elif layout == "blocks":
        for _ in range(int(rng.integers(2, 7))):
            x0, y0 = rng.uniform(-0.2, 0.9, 2) * [width, height]
            w, h = rng.uniform(0.1, 0.7, 2) * [width, height]
            fill = [c1, c3, c2][int(rng.integers(3))]
            shape = rng.random()
            if shape < 0.45:
                draw.rectangle([x0, y0, x0 + w, y0 + h], fill=fill)
            elif shape < 0.8:
                draw.ellipse([x0, y0, x0 + w, y0 + w], fill=fill)
            else:
                draw.polygon([(x0, y0 + h), (x0 + w / 2, y0), (x0 + w, y0 + h)], fill=fill)
        title_box[1] = height * rng.choice([0.08, 0.55])
    elif layout == "stripes":
        count = int(rng.integers(3, 14))
        angle = float(rng.choice([0.0, 90.0, 45.0, -45.0, rng.uniform(-60, 60)]))
        stripe = Image.new("RGB", (width * 3, height * 3), bg)
        sd = ImageDraw.Draw(stripe)
        step = width * 3 / (count * 2)
        for i in range(count * 2):
            if i % 2:
                right = (i + rng.uniform(0.3, 1.0)) * step
                sd.rectangle([i * step, 0, right, height * 3], fill=[c1, c3][i % 4 // 2])
        stripe = stripe.rotate(angle, resample=Image.BILINEAR).crop((width, height, width * 2, height * 2))
        image.paste(stripe)
        top = height * rng.uniform(0.25, 0.55)
        draw.rectangle([0, top - title_h * 0.6, width, top + title_h * 2.6], fill=bg)
        title_box[1] = top
    elif layout == "framed":
        inset = margin * 0.5
        for k in range(int(rng.integers(1, 4))):
            d = inset + k * width * 0.02
            draw.rectangle([d, d, width - d, height - d], outline=c1, width=max(2, int(width * 0.008)))
        r = width * 0.04
        for cx, cy in ((width / 2, height * 0.5), (width / 2, height * 0.8)):
            if rng.random() < 0.6:
                draw.regular_polygon((cx, cy, r), int(rng.integers(3, 9)), rotation=float(rng.uniform(0, 90)),
                                     fill=c3)
        title_box = [margin * 1.2, height * rng.uniform(0.12, 0.3), width - margin * 1.2, height]
    else:  # picture under the type
        image.paste(_picture(rng, (width, height)))
        if rng.random() < 0.6:
            top = height * rng.uniform(0.05, 0.15)
            draw.rectangle([0, top, width, top + title_h * 2.8], fill=bg)
            title_box[1] = top + title_h * 0.4
        title_colour = c2 if rng.random() < 0.5 else (255, 255, 255)
    align = "centre" if rng.random() < 0.7 else "left"
    weight = float(rng.uniform(0.1, 0.22))
    bottom = text_block(rng, draw, glyphs, tuple(title_box), title_h, title_colour,
                        int(rng.integers(1, 4)), weight, align)
    if rng.random() < 0.7:  # subtitle / author line
        small = title_h * rng.uniform(0.35, 0.55)
        y = bottom + small if rng.random() < 0.5 else height * rng.uniform(0.8, 0.88)
        text_block(rng, draw, glyphs, (margin, y, width - margin, height), small, small_colour, 1,
                   weight * 0.8, align)
    if rng.random() < 0.4:  # publisher mark
        r = width * 0.035
        cx, cy = width / 2, height - margin * 0.9
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=c1, outline=c2)
    small_image = image.resize(size, Image.LANCZOS)
    rgb = np.asarray(small_image).astype(np.float32)
    grain = rng.normal(0.0, float(rng.uniform(1.0, 5.0)), rgb.shape[:2])[..., None]
    wear = 1.0 - 0.12 * (np.linspace(-1, 1, size[0])[None, :, None] ** 8)  # darker spine and edge
    return np.clip(rgb * wear + grain, 0, 255).astype(np.uint8)
