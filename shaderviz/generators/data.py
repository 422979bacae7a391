"""A folder of images as GAN training data: any sizes and formats, held in memory.

Every readable image is decoded once (EXIF rotation, greyscale/RGBA/16-bit handled by
``sources.images``), scaled so its short side is the training size (``center`` crops) or
a little larger (``random`` crops, which also flip), and kept as uint8. Batches are drawn
with a numpy generator seeded by (seed, rank, step): reproducible, and different on
every process of a data-parallel run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from shaderviz.errors import UserError
from shaderviz.sources.images import IMAGE_SUFFIXES, open_image, to_rgb

MIN_IMAGES = 8
RANDOM_CROP_MARGIN = 1.125  # random crops: short side scaled to size x this


def list_images(folder: Path) -> list[Path]:
    if not folder.exists():
        raise UserError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise UserError(f"{folder}: is a file; train-gan takes a folder of images")
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


class ImageFolder:
    def __init__(self, folder: Path, size: int, crop: str = "random", verbose: bool = True) -> None:
        if crop not in ("center", "random"):
            raise ValueError(f"crop must be center or random, got {crop!r}")
        self.folder, self.size, self.crop = Path(folder), size, crop
        paths = list_images(self.folder)
        if not paths:
            raise UserError(f"{folder}: no images in the folder ({', '.join(sorted(IMAGE_SUFFIXES))})")
        short = round(size * (RANDOM_CROP_MARGIN if crop == "random" else 1.0))
        self.images: list[np.ndarray] = []
        skipped: list[str] = []
        for path in paths:
            try:
                img = Image.fromarray(to_rgb(open_image(path)))
            except UserError as err:
                skipped.append(str(err))
                continue
            scale = short / min(img.size)
            target = (max(short, round(img.width * scale)), max(short, round(img.height * scale)))
            resized = img.resize(target, Image.BICUBIC, reducing_gap=2.0)
            self.images.append(np.asarray(resized))
        if len(self.images) < MIN_IMAGES:
            what = f"{len(self.images)} readable image(s)"
            if skipped:
                what += f" ({len(skipped)} unreadable)"
            raise UserError(f"{folder}: too few images to train on: {what}; need at least {MIN_IMAGES}")
        if skipped and verbose:
            print(f"shaderviz: warning: skipped {len(skipped)} unreadable image(s), e.g. {skipped[0]}",
                  file=sys.stderr)

    def __len__(self) -> int:
        return len(self.images)

    def batch(self, rng: np.random.Generator, count: int) -> torch.Tensor:
        """(count, 3, size, size) float in -1..1."""
        s = self.size
        out = np.empty((count, s, s, 3), np.uint8)
        for i, k in enumerate(rng.integers(0, len(self.images), count)):
            img = self.images[int(k)]
            h, w = img.shape[:2]
            if self.crop == "random":
                y, x = int(rng.integers(0, h - s + 1)), int(rng.integers(0, w - s + 1))
            else:
                y, x = (h - s) // 2, (w - s) // 2
            tile = img[y : y + s, x : x + s]
            out[i] = tile[:, ::-1] if self.crop == "random" and rng.random() < 0.5 else tile
        return torch.from_numpy(out).permute(0, 3, 1, 2).float().div_(127.5).sub_(1.0)
