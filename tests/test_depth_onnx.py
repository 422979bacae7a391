"""The shipped depth model's ONNX export: current, the same maps as torch, torch-free."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from shaderviz.depth import DEFAULT_MODEL, SHIPPED
from shaderviz.depth.maps import binomial_smooth
from shaderviz.depth.onnxrun import onnx_path, open_onnx
from shaderviz.depth.shipped import shipped_path

pytestmark = pytest.mark.skipif(shipped_path(DEFAULT_MODEL) is None, reason="shipped model not built")


def picture(h: int, w: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    soft = np.stack([gaussian_filter(rng.random((h, w)), 3) for _ in range(3)], -1)
    soft[h // 2:] *= 0.5  # a darker lower half: something for the model to order
    return np.clip((soft - soft.min()) / np.ptp(soft) * 255, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def estimators():
    from shaderviz.depth.estimator import DepthEstimator

    runner, why = open_onnx(DEFAULT_MODEL, cache_dir=False)
    assert runner is not None, why
    return runner, DepthEstimator(DEFAULT_MODEL, device="cpu", cache_dir=False)


def test_the_shipped_export_is_of_the_shipped_checkpoint(estimators) -> None:
    runner, torch_estimator = estimators
    assert runner.identity == torch_estimator.model.identity  # retrained .pt without a new export fails here
    assert (runner.size, runner.multiple, runner.smooth, runner.flip) == (
        torch_estimator.size, torch_estimator.multiple, torch_estimator.smooth, torch_estimator.flip)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_model_has_a_current_export(name: str) -> None:
    from shaderviz.depth.loaders import load_model

    runner, why = open_onnx(name, cache_dir=False)
    assert runner is not None, why
    assert runner.identity == load_model(name, "cpu").identity


@pytest.mark.parametrize("shape, resized", [
    ((128, 256), False),  # at the inference size, as the live worker sends it: the same map
    ((224, 160), False),
    ((96, 96), True),  # up to 192x192 and back: Pillow resizes where torch did
    ((300, 500), True),
])
def test_onnx_maps_equal_the_torch_estimator(estimators, shape: tuple[int, int], resized: bool) -> None:
    runner, torch_estimator = estimators
    image = picture(*shape)
    a, b = runner.estimate(image), torch_estimator.estimate(image)
    assert a.shape == b.shape == shape and a.dtype == np.float32
    assert np.abs(a - b).max() <= (0.03 if resized else 2e-3)  # float16 steps; the model agrees to ~1e-5
    assert np.abs(a - b).mean() <= (3e-3 if resized else 1e-5)
    assert np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.999


def test_binomial_smooth_is_the_estimators_torch_blur() -> None:
    import torch
    import torch.nn.functional as F

    pred = np.random.default_rng(1).random((7, 9)).astype(np.float32)
    k = torch.tensor([1.0, 2.0, 1.0])
    k = (k[:, None] * k[None]) / 16
    padded = F.pad(torch.from_numpy(pred)[None, None], (1, 1, 1, 1), mode="replicate")
    ref = F.conv2d(padded, k.view(1, 1, 3, 3))
    np.testing.assert_allclose(binomial_smooth(pred), ref[0, 0].numpy(), atol=1e-6)


def test_a_stale_or_missing_export_is_refused_with_a_reason(tmp_path: Path) -> None:
    other = tmp_path / "mine.pt"
    other.write_bytes(b"another checkpoint")
    runner, why = open_onnx(str(other))
    assert runner is None and "no ONNX export" in why
    shutil.copy(onnx_path(DEFAULT_MODEL), tmp_path / "mine.onnx")
    runner, why = open_onnx(str(other))
    assert runner is None and "another version of mine.pt" in why
    (tmp_path / "broken.pt").write_bytes(b"x")
    (tmp_path / "broken.onnx").write_bytes(b"not a graph")
    runner, why = open_onnx(str(tmp_path / "broken.pt"))
    assert runner is None and why.startswith("cannot load broken.onnx")
    assert open_onnx(str(tmp_path / "model.ts"))[0] is None


def test_export_has_dynamic_sides_fp16_weights_and_the_identity(tmp_path: Path, estimators) -> None:
    import onnx
    import onnxruntime
    import torch

    from shaderviz.depth.onnxexport import main

    runner, torch_estimator = estimators
    out = tmp_path / "d.onnx"
    assert main([DEFAULT_MODEL, "-o", str(out)]) == 0
    model = onnx.load(str(out))
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["identity"] == torch_estimator.model.identity
    assert out.stat().st_size < 0.6 * sum(p.numel() for p in torch_estimator.model.module.parameters()) * 4
    session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(2).random((1, 3, 64, 160), dtype=np.float32)  # not the traced 192x192
    got = session.run(None, {"rgb": x})[0]
    with torch.no_grad():
        want = torch_estimator.model.module(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, atol=1e-3 * np.abs(want).max())


def test_the_live_depth_worker_runs_without_importing_torch() -> None:
    code = (
        "import sys, numpy as np\n"
        "from shaderviz.app.depthworker import load_estimator\n"
        f"est, runtime = load_estimator({DEFAULT_MODEL!r}, False)\n"
        "ramp = np.zeros((64, 96, 3), np.uint8) + np.arange(96, dtype=np.uint8)[None, :, None]\n"
        "near = est.estimate(ramp)\n"
        "print(runtime, near.shape, 'torch' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["onnxruntime", "(64,", "96)", "False"]
