"""Sources: where the image entering the chain comes from.

A source says *which* image it wants at a moment (``key_at``) and can *load* it
(``load``, slow, safe to call from a worker thread). Generators are drawn on the GPU
by a source effect (``kind: source``) and load nothing.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from shaderviz.effects.registry import Registry
from shaderviz.errors import UserError
from shaderviz.sources.images import IMAGE_SUFFIXES, image_size, load_rgb
from shaderviz.sources.video import VIDEO_SUFFIXES, VideoFile

DEFAULT_GENERATOR = "clouds"


@dataclass
class Source:
    """Base: a source that never changes and loads nothing (a GPU generator)."""

    description: str
    generator: str | None = None

    def native_size(self) -> tuple[int, int] | None:
        return None

    def key_at(self, seconds: float, loop_index: int) -> Hashable:
        return None

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


@dataclass
class VideoSource(Source):
    video: VideoFile | None = None
    offset: int = 0  # frames added to the clock's frame (a snapshot's recipe names the frame it shows)
    ahead: int = 6  # frames decoded ahead in play (the depth model sees them early)

    def native_size(self) -> tuple[int, int]:
        return self.video.size  # type: ignore[union-attr,return-value]

    def key_at(self, seconds: float, loop_index: int) -> Hashable:
        return (int(seconds * self.video.fps) + self.offset) % self.video.frame_count  # type: ignore[union-attr]

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


def open_source(spec: str | None, registry: Registry, cycle_seconds: float | None = None) -> Source:
    """An image, folder or video path, or a generator name (default: clouds).

    A folder shows one image per loop, or with ``cycle_seconds`` (play) one per that time.
    """
    if spec is None:
        spec = DEFAULT_GENERATOR
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
