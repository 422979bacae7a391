"""Depth model: the encoder choice (EfficientNet-Lite0/1/2), checkpoints that carry it through
training, export and the loader, the training schedule, and guided upsampling in the estimator."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from depth_reference import _guided as reference_guided

from shaderviz.depth import train
from shaderviz.depth.estimator import DepthEstimator
from shaderviz.depth.guided import guided_filter
from shaderviz.depth.loaders import LoadedModel, ModelError, load_model
from shaderviz.depth.model import (
    ENCODERS,
    build_model,
    imagenet_weights_path,
    load_checkpoint,
    load_imagenet_encoder,
    stride8_blocks,
)

# ----------------------------------------------------------------------------- encoders


@pytest.mark.parametrize("encoder", ["lite0", "lite1", "lite2"])
def test_each_encoder_takes_its_imagenet_weights_and_taps_five_scales(encoder: str) -> None:
    model = build_model({"encoder": encoder, "width": 16, "fine": 8})
    assert model.encoder_name == encoder
    weights = torch.load(imagenet_weights_path(encoder), map_location="cpu", weights_only=True)
    load_imagenet_encoder(model, imagenet_weights_path(encoder))
    own = model.encoder.state_dict()
    assert all(torch.equal(own[k], weights[k]) for k in own)  # every tensor, none left at init
    assert len(model.encoder._blocks) == len({k.split(".")[1] for k in weights if k.startswith("_blocks.")})
    x = torch.rand(1, 3, 96, 64)
    with torch.no_grad():
        feats = model.encoder(x)
        out = model.eval()(x)
    spec = ENCODERS[encoder]
    assert [f.shape[1] for f in feats] == list(spec.tap_channels)
    assert [f.shape[2] for f in feats] == [48, 24, 12, 6, 3]  # strides 2, 4, 8, 16, 32
    assert out.shape == (1, 1, 96, 64)
    # frozen by default: the blocks at strides 2-8, i.e. up to the stride-8 tap
    assert spec.taps[2] == stride8_blocks(encoder) - 1
    assert model.encoder._blocks[stride8_blocks(encoder)]._depthwise_conv.stride == (2, 2)  # to 16


def test_known_encoder_layouts() -> None:
    assert [ENCODERS[e].blocks for e in ("lite0", "lite1", "lite2")] == [16, 21, 21]
    assert ENCODERS["lite0"].taps == (0, 2, 4, 10, 15)  # the layout v1 / v2 were trained with
    assert ENCODERS["lite1"].taps == (0, 3, 6, 14, 20)
    assert ENCODERS["lite2"].tap_channels == (16, 24, 48, 120, 352)
    with pytest.raises(ValueError, match="unknown encoder 'lite9'"):
        build_model({"encoder": "lite9"})


def test_imagenet_weights_of_another_variant_are_refused() -> None:
    with pytest.raises(ValueError, match="lack"):
        load_imagenet_encoder(build_model({"encoder": "lite1"}), imagenet_weights_path("lite0"))
    with pytest.raises(ValueError, match="not lite0's"):
        load_imagenet_encoder(build_model({"encoder": "lite0"}), imagenet_weights_path("lite1"))


# ----------------------------------------------------------------------------- checkpoints


def _snapshot(path, model, config: dict) -> None:  # noqa: ANN001
    """What a training run writes every --snapshot-every steps."""
    torch.save({"config": config, "state_dict": model.state_dict(), "step": 7}, path)


def test_the_encoder_survives_export_and_loading(tmp_path) -> None:  # noqa: ANN001
    torch.manual_seed(0)
    config = {"encoder": "lite1", "width": 16, "fine": 8, "lr": 1e-3}
    model = build_model(config).eval()
    _snapshot(tmp_path / "step.pt", model, config)
    train.main(["--export", str(tmp_path / "step.pt"), "--to", str(tmp_path / "m.pt"),
                "--inference-size", "64"])  # fmt: skip
    loaded = load_model(tmp_path / "m.pt")
    assert loaded.module.encoder_name == "lite1" and len(loaded.module.encoder._blocks) == 21
    x = torch.rand(1, 3, 64, 96)
    with torch.no_grad():
        ref = model(x)[:, 0]
    assert torch.allclose(loaded.predict(x), ref, atol=2e-2)  # fp16 weights
    # averaging snapshots keeps it too
    _snapshot(tmp_path / "step2.pt", model, config)
    train.main(["--export", str(tmp_path / "step.pt"), str(tmp_path / "step2.pt"),
                "--to", str(tmp_path / "a.pt")])  # fmt: skip
    assert load_checkpoint(tmp_path / "a.pt")[0].encoder_name == "lite1"


def test_checkpoints_without_an_encoder_are_lite0(tmp_path) -> None:  # noqa: ANN001
    shipped = load_model("depth-lite0")  # v1 / v2 were saved before the encoder choice existed
    assert shipped.module.encoder_name == "lite0"
    # a Lite1 state dict under a config that does not say so is a clear loader error
    model = build_model({"encoder": "lite1", "width": 16, "fine": 8})
    _snapshot(tmp_path / "bad.pt", model, {"width": 16, "fine": 8})
    with pytest.raises(ModelError, match="cannot load depth model"):
        load_model(tmp_path / "bad.pt")


# ----------------------------------------------------------------------------- training


def _shards(folder, n: int = 4, size: int = 48) -> None:  # noqa: ANN001
    """A tiny dataset in the renderer's shard format (no GL needed)."""
    rng = np.random.default_rng(0)
    folder.mkdir()
    np.save(folder / "rgb_0000.npy", rng.integers(0, 256, (n, size, size, 3), dtype=np.uint8))
    depth = np.broadcast_to(np.linspace(1, 20, size, dtype=np.float32)[:, None], (n, size, size))
    np.save(folder / "depth_0000.npy", depth.astype(np.float16))


def _args(tmp_path, out: str, *extra: str) -> list[str]:  # noqa: ANN001
    return ["--data", str(tmp_path / "data"), "--out", str(tmp_path / out), "--batch", "2",
            "--width", "16", "--sizes", "64", "--no-pretrained", "--quiet", "--threads", "1",
            "--snapshot-every", "1", "--warmup", "1", *extra]  # fmt: skip


def test_a_run_resumes_with_its_own_encoder(tmp_path) -> None:  # noqa: ANN001
    _shards(tmp_path / "data")
    train.main(_args(tmp_path, "run", "--encoder", "lite1", "--steps", "1"))
    train.main(_args(tmp_path, "run", "--steps", "2"))  # no --encoder: the run's own is kept
    state = torch.load(tmp_path / "run" / "last.pt", weights_only=True)
    assert state["step"] == 2 and state["config"]["encoder"] == "lite1"
    assert any(k.startswith("encoder._blocks.20.") for k in state["state_dict"])
    # fine-tuning cannot carry weights across encoders: a clear message, not a shape dump
    with pytest.raises(SystemExit, match="its encoder is lite1, this run's is lite0"):
        init = str(tmp_path / "run" / "step_000002.pt")
        train.main(_args(tmp_path, "fine", "--init", init, "--steps", "1"))


def test_warmup_stable_decay_schedule() -> None:
    f = train.lr_factor
    assert f(0, 1000, 100, 200) == pytest.approx(0.01)
    assert f(100, 1000, 100, 200) == f(799, 1000, 100, 200) == 1.0  # stable: extend or stop anywhere
    assert f(899, 1000, 100, 200) == pytest.approx(0.51)
    assert f(999, 1000, 100, 200) == pytest.approx(0.02) and f(1200, 1000, 100, 200) == pytest.approx(0.02)
    assert f(550, 1000, 100) == pytest.approx(0.51)  # the cosine when no cool-down is given


def test_cooldown_and_steps_may_change_on_resume(tmp_path) -> None:  # noqa: ANN001
    _shards(tmp_path / "data")
    train.main(_args(tmp_path, "run", "--steps", "2", "--cooldown", "100", "--lr", "1e-3"))
    train.main(_args(tmp_path, "run", "--steps", "4", "--cooldown", "2", "--lr", "1e-3"))
    state = torch.load(tmp_path / "run" / "last.pt", weights_only=True)
    assert state["config"]["cooldown"] == 2 and state["step"] == 4
    assert state["optimizer"]["param_groups"][1]["lr"] == pytest.approx(1e-3 * 0.02)  # decayed at the end


# ----------------------------------------------------------------------------- guided upsampling


@pytest.mark.parametrize("shape, factor", [((37, 53), 3), ((40, 48), 2), ((20, 21), 1)])
def test_guided_filter_matches_the_numpy_reference(shape: tuple[int, int], factor: int) -> None:
    rng = np.random.default_rng(1)
    img, depth = rng.random((*shape, 3)), rng.random(shape)
    out = guided_filter(torch.from_numpy(img), torch.from_numpy(depth), factor).numpy()
    np.testing.assert_allclose(out, reference_guided(img, depth, factor, 4, 1e-3), atol=1e-5)


class BlurredBrightness(torch.nn.Module):
    """A model that knows where things are but draws soft edges: blurred brightness."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        grey = torch.nn.functional.pad(x.mean(1, keepdim=True), (4, 4, 4, 4), mode="replicate")
        return torch.nn.functional.conv2d(grey, torch.ones(1, 1, 9, 9) / 81)


def test_guided_upsampling_puts_the_depth_edge_on_the_image_edge(tmp_path) -> None:  # noqa: ANN001
    img = np.full((96, 128, 3), 40, np.uint8)
    img[:, 64:] = 210  # a bright (near) right half
    model = LoadedModel(BlurredBrightness(), "blur", "test", "blur", default_size=64, multiple=8)
    soft = DepthEstimator(model, cache_dir=False, device="cpu", smooth=False, guided=False).estimate(img)
    sharp = DepthEstimator(model, cache_dir=False, device="cpu", smooth=False, guided=True).estimate(img)
    step_soft, step_sharp = np.diff(soft[48]), np.diff(sharp[48])
    assert step_soft.max() < 0.1  # the model's edge: a ramp over a dozen pixels
    assert step_sharp.argmax() == 63 and step_sharp.max() > 0.5  # most of the jump between px 63 and 64
    assert (sharp[:, :64] < 0.25).all() and (sharp[:, 64:] > 0.75).all()
    rgb = img.astype(np.float32)
    keys = {DepthEstimator(model, cache_dir=False, guided=g).key(rgb) for g in (False, True)}
    assert not DepthEstimator(model, cache_dir=False).guided  # the library's default: the model's map
    assert len(keys) == 2  # refined and unrefined maps are cached apart


def test_shaderviz_depth_writes_guided_maps_unless_told_not_to(tmp_path) -> None:  # noqa: ANN001
    from PIL import Image
    from test_depth import run_cli

    img = np.full((96, 128, 3), 40, np.uint8)
    img[:, 64:] = 210
    Image.fromarray(img).save(tmp_path / "half.png")
    ts = tmp_path / "blur.ts"
    torch.jit.save(torch.jit.trace(BlurredBrightness().eval(), torch.rand(1, 3, 16, 16)), str(ts))
    steps = {}
    for flag in ("on", "off"):
        out = tmp_path / f"{flag}.png"
        args = ("depth", str(tmp_path / "half.png"), "-o", str(out), "--model", str(ts), "--size", "64")
        r = run_cli(*args, "--guided", flag, "--no-cache", "--quiet")
        assert r.returncode == 0, r.stderr
        steps[flag] = np.diff(np.asarray(Image.open(out)).astype(np.float64)[48] / 65535)
    assert steps["on"].argmax() == 63 and steps["on"].max() > 0.5  # on the image's edge (the default)
    assert steps["off"].max() < 0.1  # the model's soft ramp
    default = tmp_path / "default.png"
    assert run_cli("depth", str(tmp_path / "half.png"), "-o", str(default), "--model", str(ts),
                   "--size", "64", "--no-cache", "--quiet").returncode == 0  # fmt: skip
    assert np.array_equal(np.asarray(Image.open(default)), np.asarray(Image.open(tmp_path / "on.png")))
