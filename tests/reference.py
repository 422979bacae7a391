"""Small numpy reference implementations of the built-in effects.

Images are float arrays (H, W, C) in 0..1 with row 0 the TOP of the image, as the
renderer's ``upload_source`` / ``read`` use them. GL's uv origin is the bottom-left and
texel ``i`` has its centre at ``(i + 0.5) / size``; the helpers here work in
"top-down pixel coordinates": ``x = u * W`` and ``y = (1 - v) * H``, so pixel
``(col, row)`` has its centre at ``(col + 0.5, row + 0.5)``. The vertical flip is
exact, so bilinear sampling in these coordinates is the same as GL's in uv.
"""

from __future__ import annotations

import math

import numpy as np

from shaderviz.effects.spec import scale_factor

REC709 = np.array([0.2126, 0.7152, 0.0722])


def to_float(img: np.ndarray) -> np.ndarray:
    return img.astype(np.float64) / 255.0


def quantize(img: np.ndarray) -> np.ndarray:
    """What an RGBA8 render target stores: the nearest of the 256 levels."""
    return np.round(np.clip(img, 0.0, 1.0) * 255.0) / 255.0


def pixel_centres(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) grids of the pixel centres in top-down pixel coordinates, shape (H, W)."""
    x = np.arange(width) + 0.5
    y = np.arange(height) + 0.5
    return np.meshgrid(x, y)


def bilinear(img: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """GL_LINEAR sampling with CLAMP_TO_EDGE at top-down pixel coordinates (x, y)."""
    height, width = img.shape[:2]
    fx, fy = x - 0.5, y - 0.5
    x0, y0 = np.floor(fx).astype(int), np.floor(fy).astype(int)
    ax, ay = (fx - x0)[..., None], (fy - y0)[..., None]
    xa, xb = np.clip(x0, 0, width - 1), np.clip(x0 + 1, 0, width - 1)
    ya, yb = np.clip(y0, 0, height - 1), np.clip(y0 + 1, 0, height - 1)
    top = img[ya, xa] * (1 - ax) + img[ya, xb] * ax
    bottom = img[yb, xa] * (1 - ax) + img[yb, xb] * ax
    return top * (1 - ay) + bottom * ay


def sample_uv(img: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``texture(tex, vec2(u, v))`` with GL's bottom-left uv origin."""
    height, width = img.shape[:2]
    return bilinear(img, u * width, (1.0 - v) * height)


def luma(img: np.ndarray) -> np.ndarray:
    return img[..., :3] @ REC709


def smoothstep_ramp(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    """The epilogue's ``_ramp``: smoothstep that tolerates e0 == e1."""
    t = np.clip((x - e0) / max(e1 - e0, 1e-5), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


# -- test images ---------------------------------------------------------------------


def make_image(width: int, height: int, seed: int = 0) -> np.ndarray:
    """Random (H, W, 3) uint8 noise: every pixel differs, so any misplaced sample shows."""
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def make_smooth_image(width: int, height: int, seed: int = 0) -> np.ndarray:
    """Low-frequency (H, W, 3) uint8 image: structure at 10..30 px, for downsampled paths."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    channels = []
    for _ in range(3):
        value = np.full((height, width), 0.5)
        for _ in range(3):
            period = rng.uniform(10.0, 30.0)
            theta = rng.uniform(0.0, np.pi)
            kx, ky = np.cos(theta) / period, np.sin(theta) / period
            value += 0.15 * np.sin(2 * np.pi * (kx * x + ky * y) + rng.uniform(0, 2 * np.pi))
        channels.append(value)
    return np.round(np.clip(np.stack(channels, axis=2), 0, 1) * 255).astype(np.uint8)


# -- effects ---------------------------------------------------------------------------


def rgb_split(
    img: np.ndarray,
    amount: float,
    angle: float = 0.0,
    wobble: float = 0.0,
    cycles: int = 1,
    phase: float = 0.0,
) -> np.ndarray:
    """Red sampled at uv - d, blue at uv + d, green unchanged.

    ``d`` is ``amount`` of the width along ``angle`` (0 = right, 90 = up), the same
    number of pixels in x and y; wobble swings the angle by up to 45 degrees and the
    amount by up to 50% over the loop.
    """
    height, width = img.shape[:2]
    turn = 2.0 * math.pi * phase * cycles
    a = math.radians(angle) + wobble * math.pi / 4.0 * math.sin(turn)
    amt = amount * (1.0 + wobble * 0.5 * math.cos(turn))
    dx = amt * math.cos(a) * width  # pixels to the right
    dy = amt * math.sin(a) * width  # pixels up (so -dy in top-down coordinates)
    x, y = pixel_centres(width, height)
    out = img.copy()
    out[..., 0] = bilinear(img, x - dx, y + dy)[..., 0]
    out[..., 2] = bilinear(img, x + dx, y - dy)[..., 2]
    return out


def pixelate(img: np.ndarray, size: int) -> np.ndarray:
    """Blocks of ``size`` px from the top-left, each the bilinear sample at its centre.

    A partial last block samples at its centre clamped to the last pixel centre.
    """
    height, width = img.shape[:2]
    x, y = pixel_centres(width, height)
    cx = np.minimum((np.floor(x / size) + 0.5) * size, width - 0.5)
    cy = np.minimum((np.floor(y / size) + 0.5) * size, height - 0.5)
    return bilinear(img, cx, cy)


def gaussian_kernel(radius: float) -> np.ndarray:
    """sigma = radius / 3, taps -ceil(radius)..ceil(radius), normalised."""
    sigma = max(radius / 3.0, 1e-3)
    taps = math.ceil(radius)
    i = np.arange(-taps, taps + 1, dtype=np.float64)
    w = np.exp(-0.5 * i * i / (sigma * sigma))
    return w / w.sum()


def _convolve_axis(img: np.ndarray, kernel: np.ndarray, axis: int) -> np.ndarray:
    taps = len(kernel) // 2
    n = img.shape[axis]
    out = np.zeros_like(img)
    for k, w in enumerate(kernel):
        idx = np.clip(np.arange(n) + k - taps, 0, n - 1)  # clamp-to-edge
        out += w * np.take(img, idx, axis=axis)
    return out


def gaussian_blur(img: np.ndarray, radius: float, quantize_passes: bool = False) -> np.ndarray:
    """Separable gaussian, horizontal then vertical, clamp-to-edge.

    ``quantize_passes`` rounds after each 1-D pass to 8 bits, as the GPU does when it
    stores each pass in an RGBA8 target; use it to compare full-size runs tightly.
    """
    kernel = gaussian_kernel(radius)
    step = quantize if quantize_passes else (lambda a: a)
    horizontal = step(_convolve_axis(img, kernel, axis=1))
    return step(_convolve_axis(horizontal, kernel, axis=0))


def downsampled_blur(img: np.ndarray, radius: float) -> np.ndarray:
    """The GPU's cheap path for large radii, modelled step by step (8-bit buffers included).

    At factor f = scale_factor(radius): box-average down to ceil(size / f) (one bilinear
    tap at f = 2, four at f = 4), gaussian of radius / f at that size, then a bilinear
    upsample. At f = 1 this is :func:`gaussian_blur` with 8-bit passes.
    """
    height, width = img.shape[:2]
    factor = scale_factor(radius)
    w, h = math.ceil(width / factor), math.ceil(height / factor)
    x, y = pixel_centres(w, h)
    u, v = x / w, 1.0 - y / h
    if factor < 4:
        down = sample_uv(img, u, v)
    else:
        tx, ty = 1.0 / width, 1.0 / height
        down = 0.25 * sum(sample_uv(img, u + sx * tx, v + sy * ty) for sx in (-1, 1) for sy in (-1, 1))
    low = gaussian_blur(quantize(down), radius / factor, quantize_passes=True)
    x, y = pixel_centres(width, height)
    return sample_uv(low, x / width, 1.0 - y / height)


def sharpen(img: np.ndarray, amount: float, radius: float, quantize_passes: bool = False) -> np.ndarray:
    """Unsharp mask: c + amount * (c - blur(c)), clamped to 0..1.

    ``quantize_passes`` uses the GPU's exact blur path (:func:`downsampled_blur`).
    """
    blurred = downsampled_blur(img, radius) if quantize_passes else gaussian_blur(img, radius)
    return np.clip(img + amount * (img - blurred), 0.0, 1.0)


def saturate(img: np.ndarray, amount: float) -> np.ndarray:
    """mix(luma, c, 1 + amount) with Rec.709 luma, clamped to 0..1."""
    y = luma(img)[..., None]
    return np.clip(y + (img - y) * (1.0 + amount), 0.0, 1.0)


# The palettes' colour stops, written out here (not read from shaderviz's table, so a
# changed or mistyped stop there shows): five stops each, evenly spread from t = 0 to 1.
PALETTE_STOPS = {
    "fire": ((0, 0, 0), (90, 10, 10), (208, 48, 12), (255, 166, 32), (255, 246, 200)),
    "ocean": ((2, 8, 22), (11, 42, 92), (21, 122, 156), (98, 209, 196), (239, 252, 246)),
    "acid": ((18, 0, 43), (122, 0, 196), (255, 46, 166), (200, 255, 0), (244, 255, 240)),
    "thermal": ((0, 0, 16), (59, 15, 112), (181, 54, 122), (251, 136, 97), (252, 253, 191)),
    "viridis": ((68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)),
    "vapor": ((26, 5, 51), (255, 79, 216), (110, 242, 255), (255, 240, 110), (255, 255, 255)),
    "mono": ((0, 0, 0), (64, 64, 64), (128, 128, 128), (192, 192, 192), (255, 255, 255)),
}


def gradient(palette: str, t: np.ndarray) -> np.ndarray:
    """The palette at t (0..1): linear between its stops."""
    stops = np.array(PALETTE_STOPS[palette], dtype=np.float64) / 255.0
    where = np.linspace(0.0, 1.0, len(stops))
    return np.stack([np.interp(t, where, stops[:, c]) for c in range(3)], axis=-1)


def colorize(img: np.ndarray, palette: str, amount: float = 1.0, shift: float = 0.0) -> np.ndarray:
    """Gradient map: t = luma + shift (wrapped once past 1), mapped through the palette's
    stops, mixed over the image by amount."""
    t = luma(img) + shift
    t = np.where(t > 1.0, t - 1.0, t)
    mapped = gradient(palette, np.clip(t, 0.0, 1.0))
    return img * (1.0 - amount) + mapped * amount


def depth_weight(
    depth: np.ndarray, lo: float, hi: float, soft: float = 0.05, invert: bool = False
) -> np.ndarray:
    """How much of the effect shows at each pixel: a soft band lo..hi on the depth map."""
    s = max(soft, 1e-5)
    w = smoothstep_ramp(lo - s, lo, depth) * (1.0 - smoothstep_ramp(hi, hi + s, depth))
    return 1.0 - w if invert else w


def depth_gate(
    before: np.ndarray,
    after: np.ndarray,
    depth: np.ndarray,
    lo: float,
    hi: float,
    soft: float = 0.05,
    invert: bool = False,
) -> np.ndarray:
    """mix(input, effect, w) with w from :func:`depth_weight`."""
    w = depth_weight(depth, lo, hi, soft, invert)[..., None]
    return before * (1.0 - w) + after * w
