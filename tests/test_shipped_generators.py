"""The GANs in models/: they load, and give varied, structured images of the right shape,
the same for the same seed; `generate` writes them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from shaderviz.generators.loader import SHIPPED, load_generator, shipped_path
from shaderviz.generators.walk import keyframe


def smoothness(img: np.ndarray) -> float:
    grey = img.astype(np.float64).mean(axis=2)
    return float(np.corrcoef(grey[:, :-1].ravel(), grey[:, 1:].ravel())[0, 1])


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_generator_images(name: str) -> None:
    path = shipped_path(name)
    assert path is not None and path.stat().st_size < 4_000_000
    state = torch.load(path, weights_only=True)
    assert all(v.dtype == torch.float16 for v in state["g_ema"].values() if v.is_floating_point())
    gen = load_generator(name)
    z = np.stack([keyframe(0, i, gen.latent) for i in range(8)])
    images = gen.generate(z)
    assert images.shape == (8, gen.size, gen.size, 3) and images.dtype == np.uint8
    assert np.array_equal(images, gen.generate(z))  # deterministic
    assert np.array_equal(images[:1], gen.generate(z[:1]))  # an image does not depend on its batch
    pairs = [np.abs(images[i].astype(int) - images[j]).mean() for i in range(8) for j in range(i + 1, 8)]
    assert min(pairs) > 3, "two latents gave (nearly) the same image: mode collapse"
    for img in images:
        assert img.std() > 8, "a flat image"
        assert smoothness(img) > 0.5, "noise, not a picture"


def test_generate_cli_is_seeded(tmp_path: Path) -> None:
    def run(seed: int, out: Path) -> list[np.ndarray]:
        command = [sys.executable, "-m", "shaderviz", "generate", "books", "-n", "2", "-o", str(out),
                   "--seed", str(seed), "--size", "96x128", "--upscale", "nearest"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return [np.asarray(Image.open(p)) for p in sorted(out.glob("*.png"))]

    a, b, c = run(1, tmp_path / "a"), run(1, tmp_path / "b"), run(2, tmp_path / "c")
    assert [x.shape for x in a] == [(128, 96, 3)] * 2
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0]) and not np.array_equal(a[0], a[1])
