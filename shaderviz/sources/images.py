"""Reading images from disk and fitting them to the render size (CPU, worker-safe)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from shaderviz.errors import UserError

FITS = ("fill", "fit", "stretch")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".tga"}
# Images are checked by their header before any pixel is decoded: at most Pillow's own
# decompression-bomb limit, 178,956,970 pixels (about 179 megapixels: 16384x10922), and
# 65535 per side; decoding one that large takes about 3 bytes a pixel (0.5 GB) plus the
# fitted copy. JPEGs larger than the output decode at a reduced scale.
MAX_PIXELS = 2 * (1024 * 1024 * 1024 // 4 // 3)
MAX_SIDE = 65535


def _too_large(path: Path, size: str = "") -> str:
    return (f"{path}: {size}{' is ' if size else ''}too large to load safely (the limit is "
            f"{MAX_PIXELS // 1_000_000} megapixels and {MAX_SIDE} per side)")


def check_dimensions(path: Path, width: int, height: int) -> None:
    if width < 1 or height < 1 or width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise UserError(_too_large(path, f"{width}x{height}"))


def open_image(path: Path, target: tuple[int, int] | None = None) -> Image.Image:
    """Open and decode an image; UserError (one line) if missing, corrupt or absurd.
    ``target``: the size it will be fitted to (a large JPEG then decodes at a reduced scale)."""
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if path.is_dir():
        raise UserError(f"{path}: is a folder, not an image")
    try:
        with warnings.catch_warnings():  # Pillow's DecompressionBombWarning: our own limit applies
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                check_dimensions(path, img.width, img.height)
                if target is not None and img.format == "JPEG":  # DCT scaling: decode less
                    turned = img.getexif().get(0x0112, 1) in (5, 6, 7, 8)  # EXIF: a quarter turn
                    img.draft(img.mode, target[::-1] if turned else target)
                img.load()
                return ImageOps.exif_transpose(img)
    except UserError:
        raise
    except UnidentifiedImageError:
        raise UserError(f"{path}: not an image, or a format Pillow cannot read") from None
    except Image.DecompressionBombError:
        raise UserError(_too_large(path)) from None
    except (OSError, ValueError, SyntaxError) as err:
        raise UserError(f"{path}: corrupt or unreadable image ({err})") from None


def image_size(path: Path) -> tuple[int, int]:
    """Width and height from the header, without decoding pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                size = img.size
    except Image.DecompressionBombError:
        raise UserError(_too_large(path)) from None
    except (OSError, UnidentifiedImageError, ValueError) as err:
        raise UserError(f"{path}: not a readable image ({err})") from None
    check_dimensions(path, *size)
    return size


def _wide_grey(img: Image.Image) -> np.ndarray | None:
    """16-bit, 32-bit int or float greyscale as float 0..1; None for other modes."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        peak = 65535.0 if img.mode != "I" or arr.max() > 255 else 255.0
        return np.clip(arr / peak, 0.0, 1.0)
    if img.mode == "F":
        return np.clip(np.asarray(img, dtype=np.float64), 0.0, 1.0)
    return None


def to_rgb(img: Image.Image) -> np.ndarray:
    """(H, W, 3) uint8 from any mode: greyscale, 16-bit, palette, RGBA (over black)."""
    grey = _wide_grey(img)
    if grey is not None:
        return np.repeat(np.round(grey * 255.0).astype(np.uint8)[:, :, None], 3, axis=2)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        return np.asarray(Image.alpha_composite(background, rgba).convert("RGB"))
    return np.asarray(img.convert("RGB"))


def to_grey_float(img: Image.Image) -> np.ndarray:
    """(H, W) float32 in 0..1 from any mode, keeping 16-bit precision."""
    grey = _wide_grey(img)
    if grey is not None:
        return grey.astype(np.float32)
    return (np.asarray(img.convert("L"), dtype=np.float32) / 255.0).astype(np.float32)


Box = tuple[int, int, int, int]


def fit_box(src: tuple[int, int], dst: tuple[int, int], fit: str) -> tuple[tuple[int, int], Box | None]:
    """Resize target and crop box for ``fit``; see :func:`fit_image`."""
    sw, sh = src
    dw, dh = dst
    if fit == "stretch":
        return (dw, dh), None
    scale = max(dw / sw, dh / sh) if fit == "fill" else min(dw / sw, dh / sh)
    rw, rh = max(1, round(sw * scale)), max(1, round(sh * scale))
    if fit == "fill":
        left, top = (rw - dw) // 2, (rh - dh) // 2
        return (rw, rh), (left, top, left + dw, top + dh)
    return (rw, rh), None


def fit_image(
    img: Image.Image, size: tuple[int, int], fit: str, resample: int = Image.BICUBIC
) -> Image.Image:
    """Fit to ``size``: fill (crop to cover), fit (letterbox in black), stretch."""
    if img.size == size:
        return img
    resized_size, crop = fit_box(img.size, size, fit)
    resized = img.resize(resized_size, resample)
    if crop is not None:
        return resized.crop(crop)
    if resized.size == size:
        return resized
    canvas = Image.new(resized.mode, size)
    canvas.paste(resized, ((size[0] - resized.width) // 2, (size[1] - resized.height) // 2))
    return canvas


def load_rgb(path: Path, size: tuple[int, int], fit: str) -> np.ndarray:
    """An image file as (H, W, 3) uint8 at ``size``."""
    rgb = Image.fromarray(to_rgb(open_image(path, size)))
    return np.asarray(fit_image(rgb, size, fit))


NATIVE_LIMIT = (8192, 64 * 1024 * 1024)  # longest side, pixels: bigger images are scaled down


def load_native(path: Path) -> np.ndarray:
    """An image file as (H, W, 3) uint8 at its own size (scaled down only past NATIVE_LIMIT):
    what the sampler reads when it zooms into the source."""
    img = Image.fromarray(to_rgb(open_image(path)))
    side, pixels = NATIVE_LIMIT
    scale = min(1.0, side / max(img.size), (pixels / (img.width * img.height)) ** 0.5)
    if scale < 1.0:
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))), Image.BICUBIC)
    return np.asarray(img)


def load_depth(path: Path, size: tuple[int, int], fit: str) -> np.ndarray:
    """A greyscale depth image (white = near) as (H, W) float32 nearness in 0..1."""
    grey = Image.fromarray(to_grey_float(open_image(path)), mode="F")
    return np.asarray(fit_image(grey, size, fit, Image.BILINEAR), dtype=np.float32).clip(0.0, 1.0)
