"""Sources: where the image entering the chain comes from.

A source says *which* image it wants at a moment (``key_at``), can *load* it (``load``,
slow, safe to call from a worker thread) and *upload* what it loaded (on the GL thread).
Generators are drawn on the GPU by a source effect (``kind: source``): ``clouds`` and
``cppn`` / ``cppn:SEED`` load nothing; ``gan:NAME`` (``sources.gan``) makes small images
on the worker that its effect upscales.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from shaderviz.effects.registry import Registry
from shaderviz.errors import UserError
from shaderviz.sources.images import IMAGE_SUFFIXES, image_size, load_native, load_rgb
from shaderviz.sources.video import VIDEO_SUFFIXES, VideoFile

if TYPE_CHECKING:
    from shaderviz.effects.chain import EffectInstance
    from shaderviz.effects.spec import EffectSpec
    from shaderviz.render.renderer import GLImage, Renderer

DEFAULT_GENERATOR = "clouds"
PREFIXES = ("gan:", "cppn:")  # generator sources that take an argument


@dataclass
class Source:
    """Base: a source that never changes and loads nothing (a GPU generator)."""

    description: str
    generator: str | None = None
    params: dict[str, Any] = field(default_factory=dict)  # the generator's, from the spec (cppn:7)

    def native_size(self) -> tuple[int, int] | None:
        return None

    def key_at(self, seconds: float, loop_index: int) -> Hashable:
        return None

    def stands_in(self, loaded: Hashable, wanted: Hashable, shown: Hashable) -> bool:
        """Whether `play` may show the image loaded last (``loaded``) while the ``wanted``
        one is not ready (``shown`` is on screen): by default it waits for the wanted one."""
        return False

    def skip(self, seconds: float) -> bool:
        """Move on to the next image at ``seconds`` (N in play); False where that means nothing."""
        return False

    def upcoming(self, key: Hashable) -> list[Hashable]:
        """Keys likely wanted soon after ``key`` (loaded ahead in play): none by default."""
        return []

    def recipe(self, key: Hashable) -> dict[str, object]:
        """Preset fields that name the image shown for ``key`` (a snapshot's recipe)."""
        return {"source": self.description}

    def loops(self) -> int:
        """Loops `render` makes by default: one per image of a folder, else one."""
        return 1

    def load(self, key: Hashable, size: tuple[int, int], fit: str) -> np.ndarray | None:
        return None

    def upload(self, renderer: Renderer, image: np.ndarray | GLImage, fit: str) -> None:
        """Put what ``load`` returned on the GPU (GL thread); images arrive at the render size."""
        renderer.upload_source(image)

    def bind(self, instance: EffectInstance, spec: EffectSpec, loop_seconds: float, seed: int) -> None:
        """Meet the generator effect instance that draws this source (its parameters)."""

    def load_native(self, key: Hashable) -> np.ndarray | None:
        """The image of ``key`` at its own size (for the sampler), or None where there is none
        worth reading: a generator draws at the render size, video frames come fitted."""
        return None

    def close(self) -> None:
        """Release file handles."""


@dataclass
class ImageSource(Source):
    path: Path = Path()

    def native_size(self) -> tuple[int, int]:
        return image_size(self.path)

    def key_at(self, seconds: float, loop_index: int) -> Hashable:
        return self.path

    def load(self, key: Hashable, size: tuple[int, int], fit: str) -> np.ndarray:
        return load_rgb(self.path, size, fit)

    def load_native(self, key: Hashable) -> np.ndarray:
        return load_native(self.path)


@dataclass
class FolderSource(Source):
    """Images of a folder in name order: one per loop in render, every N s in play."""

    paths: list[Path] = field(default_factory=list)
    cycle_seconds: float | None = None  # None: one image per loop (render)
    first: int = 0  # with cycle_seconds: the image shown from ``since`` seconds on
    since: float = 0.0

    def native_size(self) -> tuple[int, int]:
        return image_size(self.paths[0])

    def key_at(self, seconds: float, loop_index: int) -> Hashable:
        if self.cycle_seconds is None:
            return self.paths[loop_index % len(self.paths)]
        step = int(max(0.0, seconds - self.since) // self.cycle_seconds)
        return self.paths[(self.first + step) % len(self.paths)]

    def skip(self, seconds: float) -> bool:
        """The next image from now on, for a whole ``cycle_seconds`` again."""
        current = self.paths.index(self.key_at(seconds, 0))  # type: ignore[arg-type]
        self.first, self.since = current + 1, seconds
        return True

    def upcoming(self, key: Hashable) -> list[Hashable]:
        return [self.paths[(self.paths.index(key) + 1) % len(self.paths)]] if key in self.paths else []

    def recipe(self, key: Hashable) -> dict[str, object]:
        return {"source": str(Path(key).resolve())} if key in self.paths else super().recipe(key)  # type: ignore[arg-type]

    def loops(self) -> int:
        return len(self.paths)

    def load(self, key: Hashable, size: tuple[int, int], fit: str) -> np.ndarray:
        return load_rgb(Path(key), size, fit)  # type: ignore[arg-type]

    def load_native(self, key: Hashable) -> np.ndarray:
        return load_native(Path(key))  # type: ignore[arg-type]


@dataclass
class VideoSource(Source):
    video: VideoFile | None = None
    offset: int = 0  # frames added to the clock's frame (a snapshot's recipe names the frame it shows)
    ahead: int = 6  # frames decoded ahead in play (the depth model sees them early)

    def native_size(self) -> tuple[int, int]:
        return self.video.size  # type: ignore[union-attr,return-value]

    def key_at(self, seconds: float, loop_index: int) -> Hashable:
        return (int(seconds * self.video.fps) + self.offset) % self.video.frame_count  # type: ignore[union-attr]

    def stands_in(self, loaded: Hashable, wanted: Hashable, shown: Hashable) -> bool:
        """A frame decoded before the wanted one and after the one on screen: when decoding
        falls behind the clock (a busy machine), the video drops frames instead of freezing."""
        if self.video is None or not isinstance(loaded, int) or not isinstance(wanted, int):
            return False  # (a live capture has no file: its newest frame is always the wanted one)
        count = self.video.frame_count
        newer = (loaded - shown) % count if isinstance(shown, int) else 1
        return 0 < (wanted - loaded) % count <= count // 2 and 0 < newer <= count // 2

    def upcoming(self, key: Hashable) -> list[Hashable]:
        count = self.video.frame_count  # type: ignore[union-attr]
        return [(int(key) + i) % count for i in range(1, min(self.ahead, count - 1) + 1)]  # type: ignore[call-overload]

    def recipe(self, key: Hashable) -> dict[str, object]:
        return {"source": self.description, "source_frame": int(key)}  # type: ignore[call-overload]

    def start_at(self, seconds: float, frame: int) -> None:
        """Show video frame ``frame`` at ``seconds`` (and go on from there)."""
        self.offset = frame - int(seconds * self.video.fps)  # type: ignore[union-attr]

    def load(self, key: Hashable, size: tuple[int, int], fit: str) -> np.ndarray:
        return self.video.frame(int(key), size, fit)  # type: ignore[union-attr,arg-type]

    def close(self) -> None:
        if self.video is not None:
            self.video.close()


def generator_spec(spec: str, base: Path | None = None) -> tuple[str, dict[str, Any], list[str]]:
    """``cppn:SEED`` or ``gan:NAME[,NAME...]`` -> (effect name, its parameters, generator
    models); paths in ``gan:`` resolve against ``base`` (a preset's folder) and must exist.
    ValueError with a one-line reason."""
    kind, _, arg = spec.partition(":")
    if kind == "cppn":
        try:
            seed = int(arg)
        except ValueError:
            raise ValueError(f"{spec}: expected cppn:SEED with a whole number, e.g. cppn:7") from None
        if not 0 <= seed <= 2**31 - 1:
            raise ValueError(f"{spec}: the seed must be within 0..2147483647")
        return "cppn", {"seed": seed}, []
    from shaderviz.generators.loader import SHIPPED

    models = []
    for name in (n.strip() for n in arg.split(",")):
        if not name:
            raise ValueError(f"{spec}: expected gan:NAME or gan:FILE ({', '.join(SHIPPED)} are shipped)")
        path = ((base or Path.cwd()) / Path(name).expanduser()).resolve()
        if name in SHIPPED and not path.exists():
            models.append(name)
        elif path.is_file():
            models.append(str(path))
        else:
            raise ValueError(f"{spec}: {name} is neither a shipped generator ({', '.join(SHIPPED)}) "
                             "nor a generator file")
    return "gan", {}, models


def open_source(spec: str | None, registry: Registry, cycle_seconds: float | None = None) -> Source:
    """An image, folder or video path, ``live:DEVICE|URL``, a generator name (default:
    clouds), ``cppn:SEED`` or ``gan:NAME[,NAME...]``.

    A folder (or several GANs) shows one image per loop, or with ``cycle_seconds`` (play)
    one per that time.
    """
    if spec is None:
        spec = DEFAULT_GENERATOR
    if spec.startswith("live:"):  # a camera, capture card or stream (sources/capture.py)
        from shaderviz.sources.capture import open_capture

        if not spec[5:]:
            raise UserError("live: needs a device or stream, e.g. live:/dev/video0 or live:udp://0.0.0.0:5000")
        return open_capture(spec[5:])
    if spec == "gan" and not Path(spec).exists():
        raise UserError("gan: name the generator: gan:clouds, gan:landscape, gan:books or gan:FILE.pt")
    if spec.startswith(PREFIXES) and not Path(spec).exists():
        try:
            effect, params, models = generator_spec(spec)
        except ValueError as err:
            raise UserError(str(err)) from None
        if effect == "gan":
            from shaderviz.sources.gan import GanSource

            description = "gan:" + ",".join(models)
            return GanSource(description, generator="gan", models=models, cycle_seconds=cycle_seconds)
        return Source(description=spec, generator=effect, params=params)
    path = Path(spec).expanduser()
    if not path.exists():
        if spec in registry.effects and registry.effects[spec].kind == "source":
            return Source(description=spec, generator=spec)
        generators = ", ".join(s.name for s in registry.of_kind("source"))
        raise UserError(f"{spec}: no such file, folder or generator (generators: {generators})")
    if path.is_dir():
        paths = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not paths:
            raise UserError(f"{path}: the folder holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
        return FolderSource(str(path.resolve()), paths=paths, cycle_seconds=cycle_seconds)
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return VideoSource(str(path.resolve()), video=VideoFile(path))
    return ImageSource(str(path.resolve()), path=path)
