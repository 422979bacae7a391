"""The Fréchet distance of the GAN model cards, and the cache of the real sets' features."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shaderviz.generators.evaluate import cached, frechet


def test_frechet_is_zero_for_one_set_and_the_squared_shift_for_a_moved_one() -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((500, 6)) @ rng.standard_normal((6, 6))
    assert abs(frechet(a, a)) < 1e-6
    shift = np.array([1.0, -2.0, 0.5, 0.0, 0.0, 3.0])
    assert np.isclose(frechet(a, a + shift), (shift**2).sum(), rtol=1e-6)
    b = rng.standard_normal((500, 6)) * 3.0  # another spread: the trace term counts too
    assert frechet(a, b) > frechet(a, a + 0.1)


def test_real_set_features_are_computed_once_per_key(tmp_path: Path) -> None:
    calls: list[int] = []

    def make(value: float) -> np.ndarray:
        calls.append(1)
        return np.full((4, 3), value)

    first = cached(tmp_path, {"set": "heldout", "count": 4}, lambda: make(1.0))
    again = cached(tmp_path, {"set": "heldout", "count": 4}, lambda: make(2.0))
    other = cached(tmp_path, {"set": "heldout", "count": 5}, lambda: make(3.0))
    assert len(calls) == 2 and np.array_equal(first, again) and other[0, 0] == 3.0
    assert not list(tmp_path.glob("*.tmp*"))
    cached(None, {"set": "heldout", "count": 4}, lambda: make(4.0))
    assert len(calls) == 3  # no cache: computed every time


def test_features_are_lite0s_1280_numbers_per_image() -> None:
    import torch

    from shaderviz.generators.evaluate import Lite0Features, features

    torch.manual_seed(0)
    net = Lite0Features.pretrained()
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    feats = features(net, images)
    assert feats.shape == (3, 1280) and np.isfinite(feats).all() and (feats >= 0).all()  # after relu6
    assert np.allclose(feats, features(net, images))
    assert not np.allclose(feats[0], feats[1])  # the ImageNet weights tell the images apart


def test_read_folder_skips_an_unreadable_file(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    from PIL import Image

    from shaderviz.generators.evaluate import read_folder

    for i in range(5):
        Image.new("RGB", (8, 8), (i * 40, 0, 0)).save(tmp_path / f"{i}.png")
    (tmp_path / "5.tmp.png").write_bytes(b"half a png")
    images = read_folder(tmp_path, 5, seed=0)
    assert sorted(int(img[0, 0, 0]) for img in images) == [0, 40, 80, 120, 160]
    assert "5.tmp.png" in capsys.readouterr().err
