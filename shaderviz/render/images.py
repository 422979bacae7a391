"""Images on their way to textures: :class:`GLImage` (converted off the render thread, so
an upload is a plain copy), and the images the renderer keeps besides the source: a
generator's pictures (:class:`GeneratedImages`), the source at its own size
(:class:`NativeImage`, for effects that read ``nativeImage``) and the images effect
instances declare (:class:`EffectImages`)."""

from __future__ import annotations

from dataclasses import dataclass

import moderngl
import numpy as np


@dataclass(frozen=True)
class GLImage:
    """An image as a texture holds it: RGB or RGBA, bottom row first, contiguous."""

    data: np.ndarray

    @classmethod
    def from_rgb(cls, rgb: np.ndarray) -> GLImage:
        """From (H, W, 3|4) uint8, top row first: the flip, safe on any thread. RGB stays
        RGB: an RGB texture takes it as it is (the driver pads it: 2.3 ms for a 720p frame on
        software GL, where converting it to RGBA here with Pillow took 9.3 ms)."""
        return cls(np.ascontiguousarray(rgb[::-1], dtype=np.uint8))


def fits(texture: moderngl.Texture, data: np.ndarray) -> bool:
    """Whether ``texture`` has the size and channels of ``data`` (H, W, 3|4)."""
    return texture.size == (data.shape[1], data.shape[0]) and texture.components == data.shape[2]


def fitted_texture(
    ctx: moderngl.Context, texture: moderngl.Texture | None, data: np.ndarray
) -> moderngl.Texture:
    """``texture`` if it has the size and channels of ``data`` (H, W, 3|4), else a new one
    (clamped, bilinear; the old one released)."""
    if texture is not None and fits(texture, data):
        return texture
    if texture is not None:
        texture.release()
    texture = ctx.texture((data.shape[1], data.shape[0]), data.shape[2])
    texture.repeat_x = texture.repeat_y = False
    texture.filter = (moderngl.LINEAR, moderngl.LINEAR)
    return texture


class GeneratedImages:
    """A generator's picture at its own (small) size on the GPU, and the one it crossfades
    from (``previousImage``); ``since``: seconds from the swap to the frame being rendered."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.textures: list[moderngl.Texture] = []  # [current, previous]
        self.fit = 0  # index in sources.images.FITS (the shader's GENFIT)
        self.since = 0.0
        self._swapped_at: float | None = -1e9  # frame time of the last swap; None: the next frame's

    def upload(self, data: np.ndarray, crossfade: bool, fit: str) -> None:
        """``data``: a GLImage's array. See ``Renderer.upload_generated``."""
        from shaderviz.sources.images import FITS  # (Pillow stays off this module's import)

        current = self.textures[0] if self.textures else None
        if current is None or not fits(current, data):  # the first image, or a new size: no fade
            self.release()
            self.textures = [fitted_texture(self.ctx, None, data) for _ in range(2)]
            self.textures[1].write(data)  # the current one is written below
            self._swapped_at = -1e9
        elif crossfade:
            self.textures.reverse()  # the current image becomes the previous one
            self._swapped_at = None
        self.textures[0].write(data)
        self.fit = FITS.index(fit)

    def tick(self, time: float) -> None:
        """The frame at ``time`` is about to render: it sets the swap's time if it is new."""
        if self._swapped_at is None:
            self._swapped_at = time
        self.since = time - self._swapped_at

    def use(self, current_unit: int, previous_unit: int) -> None:
        if self.textures:
            self.textures[0].use(current_unit)
            self.textures[1].use(previous_unit)

    def release(self) -> None:
        for texture in self.textures:
            texture.release()
        self.textures.clear()


IDENTITY_MAP = (1.0, 1.0, 0.0, 0.0)


class NativeImage:
    """The source image at its own size, and where its pixels fall under the render."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.texture: moderngl.Texture | None = None
        self.map: tuple[float, ...] = IDENTITY_MAP  # render uv -> native uv: uv * map.xy + map.zw
        self.scale = 1.0  # native pixels per render pixel

    def upload(self, data: np.ndarray | None, size: tuple[int, int], fit: str) -> None:
        """``data``: a GLImage's array, fitted to the render ``size`` as ``fit`` says; None: none."""
        if data is None:
            self.release()
            return
        self.texture = fitted_texture(self.ctx, self.texture, data)
        self.texture.write(data)
        self.map, self.scale = native_map((data.shape[1], data.shape[0]), size, fit)

    def release(self) -> None:
        if self.texture is not None:
            self.texture.release()
        self.texture = None
        self.map, self.scale = IDENTITY_MAP, 1.0


class EffectImages:
    """Images effect instances read by the names their headers declare (``images``), each
    with a weight (0..1: how strongly it acts, e.g. a dream fading in)."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self._images: dict[tuple[int, str], tuple[moderngl.Texture, float]] = {}  # (uid, name)

    def upload(self, uid: int, name: str, data: np.ndarray | None, weight: float) -> None:
        """``data``: a GLImage's array; None removes the image."""
        old = self._images.pop((uid, name), None)
        if data is None:
            if old is not None:
                old[0].release()
            return
        texture = fitted_texture(self.ctx, old[0] if old is not None else None, data)
        texture.write(data)
        self._images[(uid, name)] = (texture, weight)

    def set_weight(self, uid: int, name: str, weight: float) -> None:
        if (uid, name) in self._images:
            self._images[(uid, name)] = (self._images[(uid, name)][0], weight)

    def has(self, uid: int, name: str) -> bool:
        return (uid, name) in self._images

    def get(self, uid: int, name: str) -> tuple[moderngl.Texture, float] | None:
        return self._images.get((uid, name))

    def keep_only(self, alive: set[int]) -> None:
        """Free the images of instances not in ``alive``."""
        for key in [k for k in self._images if k[0] not in alive]:
            self._images.pop(key)[0].release()

    def release(self) -> None:
        self.keep_only(set())


def native_map(native: tuple[int, int], size: tuple[int, int], fit: str) -> tuple[tuple[float, ...], float]:
    """Where each render-size uv falls in the native image (GL uv, bottom row first), exactly
    as ``sources.images.fit_image`` placed it: (scale x, scale y, offset x, offset y), and
    native pixels per render pixel."""
    from shaderviz.sources.images import fit_box

    (rw, rh), crop = fit_box(native, size, fit)
    dw, dh = size
    if fit == "stretch":
        return (1.0, 1.0, 0.0, 0.0), max(native[0] / dw, native[1] / dh)
    if crop is not None:  # fill: the resized image cropped at (left, top)
        left, top = crop[0], crop[1]
        return (dw / rw, dh / rh, left / rw, (rh - dh - top) / rh), native[0] / rw
    left, top = (dw - rw) // 2, (dh - rh) // 2  # fit: the resized image pasted at (left, top)
    return (dw / rw, dh / rh, -left / rw, (rh - dh + top) / rh), native[0] / rw
