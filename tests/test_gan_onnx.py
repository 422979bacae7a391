"""The shipped GANs' ONNX exports: current, the same images as torch, and a default show
that renders without importing torch."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from shaderviz.generators import walk
from shaderviz.generators.loader import SHIPPED, GeneratorError, load_generator, shipped_path
from shaderviz.modelfiles import file_hash

pytestmark = pytest.mark.skipif(any(shipped_path(n) is None for n in SHIPPED),
                                reason="shipped GANs not built")


@pytest.mark.parametrize("name", list(SHIPPED))
def test_each_shipped_gan_runs_on_its_current_export(name: str) -> None:
    loaded = load_generator(name, threads=1)
    assert loaded.runtime == "onnxruntime"  # a retrained .pt without a new export fails here
    assert loaded.identity == file_hash(shipped_path(name))


@pytest.mark.parametrize("name", list(SHIPPED))
def test_onnx_images_equal_torch_images(name: str) -> None:
    onnx, torch_gen = load_generator(name, threads=1), load_generator(name, runtime="torch", threads=1)
    assert torch_gen.runtime == "torch" and (onnx.latent, onnx.size) == (torch_gen.latent, torch_gen.size)
    z = np.stack([walk.latent(3, i, onnx.latent, 0.25 * i, 0.6) for i in range(8)])
    a, b = onnx.generate(z), torch_gen.generate(z)
    assert a.shape == b.shape == (8, onnx.size, onnx.size, 3) and a.dtype == np.uint8
    diff = np.abs(a.astype(int) - b)
    assert diff.max() <= 1 and (diff > 0).mean() < 1e-3  # float rounding at a level's edge, no more


def test_a_copy_without_export_or_with_a_stale_one_runs_on_torch(tmp_path: Path) -> None:
    mine = tmp_path / "mine.pt"
    shutil.copy(shipped_path("clouds"), mine)
    assert load_generator(str(mine)).runtime == "torch"
    shutil.copy(shipped_path("landscape").with_suffix(".onnx"), tmp_path / "mine.onnx")  # another model's
    assert load_generator(str(mine)).runtime == "torch"
    with pytest.raises(GeneratorError, match="exported from another version of mine.pt"):
        load_generator(str(mine), runtime="onnxruntime")
    (tmp_path / "mine.onnx").write_bytes(b"not a graph")
    with pytest.raises(GeneratorError, match="cannot load mine.onnx"):
        load_generator(str(mine), runtime="onnxruntime")


def test_export_writes_a_current_graph_with_a_dynamic_batch(tmp_path: Path) -> None:
    from shaderviz.generators.onnxgen import main

    mine = tmp_path / "mine.pt"
    shutil.copy(shipped_path("books"), mine)
    assert main([str(mine)]) == 0
    loaded = load_generator(str(mine))
    assert loaded.runtime == "onnxruntime" and loaded.identity == file_hash(mine)
    z = np.stack([walk.keyframe(0, i, loaded.latent) for i in range(3)])
    assert loaded.generate(z).shape[0] == 3 and loaded.generate(z[:1]).shape[0] == 1
    assert (tmp_path / "mine.onnx").stat().st_size < 1.2 * mine.stat().st_size  # float16 weights


def test_torchscript_does_not_export(tmp_path: Path) -> None:
    import torch

    from shaderviz.generators.onnxgen import main

    net = torch.nn.Sequential(torch.nn.Linear(8, 3 * 4 * 4), torch.nn.Unflatten(1, (3, 4, 4)))
    torch.jit.script(net).save(str(tmp_path / "s.pt"))
    assert main([str(tmp_path / "s.pt")]) == 2


def test_the_default_show_renders_without_torch(tmp_path: Path) -> None:
    code = ("import sys; from shaderviz.cli import main; "
            f"rc = main(['render', '-o', r'{tmp_path / 'a.mp4'}', '--size', '128x72', '--frames', '3']); "
            "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH', rc)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.stdout.split()[-2:] == ["NO-TORCH", "0"], done.stdout + done.stderr
