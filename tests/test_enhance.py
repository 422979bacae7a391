"""Enhance (DeepDream on EfficientNet-Lite0): deterministic for a seed, structured (the
network's patterns, not noise), cached on disk, in `render` and as `shaderviz enhance`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shaderviz.effects.chain import parse_fx
from shaderviz.explore.dream import Dreamer, DreamParams
from shaderviz.explore.enhancer import Enhancer

QUICK = DreamParams(steps=3, octaves=2, layer=6, strength=2.0)


def photo_like(seed: int = 1, size: tuple[int, int] = (96, 64)) -> np.ndarray:
    """Smooth colour blobs: something for the network to see, quick to dream on."""
    rng = np.random.default_rng(seed)
    small = Image.fromarray(rng.integers(0, 256, (5, 7, 3), dtype=np.uint8))
    return np.asarray(small.resize(size, Image.BICUBIC))


@pytest.fixture(scope="module")
def dreamer() -> Dreamer:
    return Dreamer("cpu")


def test_parameters_are_the_effect_headers(registry) -> None:
    spec = registry.get("enhance")
    for name in DreamParams.names():
        assert spec.param(name) is not None, name
        assert getattr(DreamParams(), name) == spec.param(name).default, name


def test_deterministic_for_a_seed(dreamer: Dreamer) -> None:
    image = photo_like()
    first = dreamer.dream(image, QUICK)
    assert np.array_equal(first, dreamer.dream(image, QUICK))
    other = dreamer.dream(image, DreamParams(**{**QUICK.key(), "seed": 5}))
    assert not np.array_equal(first, other)  # the jitter follows the seed


def lag_correlation(a: np.ndarray) -> float:
    """Correlation of neighbouring pixels (x and y): 0 for white noise, near 1 for smooth structure."""
    a = a - a.mean()
    pairs = [(a[:, 1:], a[:, :-1]), (a[1:], a[:-1])]
    return float(np.mean([(x * y).mean() / (a.var() + 1e-12) for x, y in pairs]))


def test_dreams_the_networks_patterns_not_noise(dreamer: Dreamer) -> None:
    image = photo_like()
    dream = dreamer.dream(image, QUICK)
    change = dream.astype(float) - image
    assert np.abs(change).mean() > 4  # visibly changed
    # What the network sees at that layer grew: the gradient ascent did its job...
    # (measured: 72.8 -> 93.3 for this image)
    assert dreamer.objective(dream, QUICK.layer) > 1.2 * dreamer.objective(image, QUICK.layer)
    # ...while as much random noise makes it fall (measured: 59.3).
    noise = np.random.default_rng(0).normal(0, np.abs(change).mean() * 1.25, image.shape)
    noisy = np.clip(image + noise, 0, 255).astype(np.uint8)
    assert dreamer.objective(noisy, QUICK.layer) < dreamer.objective(image, QUICK.layer)
    # The change is structured: neighbouring pixels move together (measured 0.25; white noise ~0).
    assert lag_correlation(change.mean(axis=2)) > 0.15
    assert abs(lag_correlation(noise.mean(axis=2))) < 0.05


def test_a_dream_is_cached_and_keyed_by_pixels_and_parameters(tmp_path: Path) -> None:
    image = photo_like()
    first = Enhancer(cache_dir=tmp_path)
    dream = first.enhance(image, QUICK)
    assert first.misses == 1 and len(list(tmp_path.glob("*.npy"))) == 1
    second = Enhancer(cache_dir=tmp_path)
    assert np.array_equal(second.enhance(image, QUICK), dream)
    assert second.hits == 1 and second._dreamer is None  # from the disk: the network never loaded
    assert second.cached(image, DreamParams(**{**QUICK.key(), "layer": 7})) is None
    assert second.cached(photo_like(2), QUICK) is None
    off = Enhancer(cache_dir=False)
    off._dreamer = second.dreamer
    off.enhance(image, QUICK)
    assert off.misses == 1 and len(list(tmp_path.glob("*.npy"))) == 2 - 1


def run_cli(*args: str, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    return subprocess.run([sys.executable, "-m", "shaderviz", *args], capture_output=True, text=True, env=env)


def test_cli_enhance_writes_the_dream_and_reads_the_cache_next_time(tmp_path: Path) -> None:
    Image.fromarray(photo_like()).save(tmp_path / "in.png")
    args = ["enhance", str(tmp_path / "in.png"), "-o", str(tmp_path / "out.png"), "steps=3", "octaves=2",
            "layer=6", "strength=2"]
    done = run_cli(*args, cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    assert "step" in done.stderr  # the progress bar counts steps
    dream = np.asarray(Image.open(tmp_path / "out.png"))
    assert dream.shape == (64, 96, 3) and np.abs(dream.astype(int) - photo_like()).mean() > 4
    again = run_cli(*args, cache=tmp_path / "cache")
    assert again.returncode == 0 and "from the cache" in again.stdout
    assert np.array_equal(np.asarray(Image.open(tmp_path / "out.png")), dream)


@pytest.mark.parametrize(("param", "message"), [
    ("strength=sine(0,1)", "only amount may be modulated"),
    ("layer=16", "out of range"),
    ("colour=3", "unknown parameter"),
])
def test_cli_bad_parameters_are_one_line(tmp_path: Path, param: str, message: str) -> None:
    Image.fromarray(photo_like()).save(tmp_path / "in.png")
    done = run_cli("enhance", str(tmp_path / "in.png"), "-o", str(tmp_path / "o.png"), param, cache=tmp_path)
    assert done.returncode == 2 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o.png").exists()


def test_render_uploads_the_cached_dream_as_the_effects_texture(tmp_path: Path) -> None:
    Image.fromarray(photo_like()).save(tmp_path / "in.png")
    cache = tmp_path / "cache"
    fx = "enhance steps=3 octaves=2 layer=6 strength=2"
    done = run_cli("enhance", str(tmp_path / "in.png"), "-o", str(tmp_path / "dream.png"), *fx.split()[1:],
                   cache=cache)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "r.png"
    done = run_cli("render", str(tmp_path / "in.png"), "--frames", "1", "-o", str(out), "--fx", fx,
                   cache=cache)
    assert done.returncode == 0, done.stderr
    dream = np.asarray(Image.open(tmp_path / "dream.png"))
    assert np.array_equal(np.asarray(Image.open(out).convert("RGB")), dream)
    assert len(list(cache.rglob("*.npy"))) == 1  # computed once, by `enhance`; render read it
    half = tmp_path / "half.png"
    assert run_cli("render", str(tmp_path / "in.png"), "--frames", "1", "-o", str(half), "--fx",
                   fx + " amount=0.5", cache=cache).returncode == 0
    expected = (photo_like().astype(float) + np.asarray(Image.open(tmp_path / "dream.png"))) / 2
    assert np.abs(np.asarray(Image.open(half).convert("RGB")) - expected).max() <= 1.5


def test_render_refuses_a_generator_and_a_waving_dream(tmp_path: Path) -> None:
    done = run_cli("render", "clouds", "--frames", "1", "-o", str(tmp_path / "x.png"), "--fx", "enhance",
                   cache=tmp_path)
    assert done.returncode == 2 and "render a frame to PNG first" in done.stderr
    Image.fromarray(photo_like()).save(tmp_path / "in.png")
    done = run_cli("render", str(tmp_path / "in.png"), "--frames", "1", "-o", str(tmp_path / "x.png"),
                   "--fx", "enhance layer=saw(2,8)", cache=tmp_path)
    assert done.returncode == 2 and "layer" in done.stderr and not (tmp_path / "x.png").exists()


def test_without_its_dream_the_effect_shows_its_input(render, registry) -> None:
    image = photo_like()
    out = render(image, [parse_fx("enhance", registry)])
    assert np.abs(out * 255 - image).max() <= 0.5
