"""Depth: `shaderviz depth`, the estimator (worker + caches), loaders, training, the shipped model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from stand_ins import brightness_model, ramp

from shaderviz.depth import DEFAULT_MODEL
from shaderviz.depth.estimator import DepthEstimator
from shaderviz.depth.loaders import LoadedModel, ModelError, load_model, shipped_path
from shaderviz.depth.maps import inference_shape, to_rgb_float
from shaderviz.errors import UserError

ROOT = Path(__file__).resolve().parent.parent


# ----------------------------------------------------------------------------- helpers


class CountingNet(torch.nn.Module):
    """Tiny stand-in model: nearness = brightness, counting how often it runs."""

    def __init__(self, gain: float = 1.0) -> None:
        super().__init__()
        self.gain = gain
        self.calls = 0
        self.lock = threading.Lock()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with self.lock:
            self.calls += 1
        return x.mean(1, keepdim=True) * self.gain


def tiny(identity: str = "tiny-a", gain: float = 1.0) -> LoadedModel:
    return LoadedModel(CountingNet(gain), identity, "test", identity, default_size=32, multiple=8)


def image(h: int = 23, w: int = 37, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def run_cli(
    *args: str, env_extra: dict | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "shaderviz", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd or ROOT,
        timeout=300,
    )


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


# ----------------------------------------------------------------------------- estimator


def test_nearness_map_has_the_image_size_and_range() -> None:
    est = DepthEstimator(tiny(), cache_dir=False, device="cpu")
    for img in (
        image(23, 37),
        image(37, 23)[..., 0],
        np.dstack([image(5, 64), np.full((5, 64, 1), 255, np.uint8)]),
        (image(17, 9).astype(np.uint16) * 257),
    ):
        out = est.estimate(img)
        assert out.dtype == np.float32
        assert out.shape == img.shape[:2]
        assert 0.0 <= out.min() and out.max() <= 1.0
        assert out.max() - out.min() > 0.5  # normalised per image


def test_bright_is_near_with_the_brightness_model() -> None:
    img = np.zeros((40, 60), np.uint8)
    img[:, 30:] = 255
    out = DepthEstimator(tiny(), cache_dir=False, device="cpu").estimate(img)
    assert out[:, 45:].mean() > 0.9 and out[:, :15].mean() < 0.1


class LeftIsNear(torch.nn.Module):
    """Ignores the image: nearness falls from the left edge to the right (a biased model)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        ramp = torch.linspace(1, 0, x.shape[-1]).expand(x.shape[0], 1, x.shape[-2], -1)
        return ramp + 0.01 * x.mean(1, keepdim=True)


def test_test_time_mirroring_averages_with_the_mirrored_prediction() -> None:
    img = np.zeros((40, 60), np.uint8)
    img[:, 30:] = 255
    biased = LoadedModel(LeftIsNear(), "left", "test", "left", default_size=32, multiple=8)
    plain = DepthEstimator(biased, cache_dir=False, device="cpu", flip=False).estimate(img)
    assert plain[:, :10].mean() > 0.8 and plain[:, -10:].mean() < 0.2  # the bias wins
    mirrored = DepthEstimator(biased, cache_dir=False, device="cpu", flip=True).estimate(img)
    # the left/right bias cancels; what is left is the image's own (bright) half
    assert mirrored[:, 40:].mean() > 0.8 and mirrored[:, :20].mean() < 0.2
    est = DepthEstimator(tiny(), cache_dir=False, device="cpu", flip=True)  # brightness: mirror-symmetric
    np.testing.assert_allclose(
        est.estimate(img),
        DepthEstimator(tiny(), cache_dir=False, device="cpu", flip=False).estimate(img),
        atol=2e-3,
    )
    assert est.model.module.calls == 1  # the image and its mirror in one batch
    assert est.key(image()) != DepthEstimator(tiny(), cache_dir=False, device="cpu").key(image())
    unsmoothed = DepthEstimator(tiny(), cache_dir=False, device="cpu", smooth=False)
    assert unsmoothed.key(image()) != DepthEstimator(tiny(), cache_dir=False, device="cpu").key(image())


def test_inference_shape_keeps_aspect() -> None:
    assert inference_shape(1080, 1920, 224, 32) == (160, 288)
    assert inference_shape(1920, 1080, 224, 32) == (288, 160)
    assert inference_shape(10, 10, 224, 32) == (224, 224)
    h, w = inference_shape(500, 741, 224, 14)
    assert h % 14 == 0 and w % 14 == 0 and abs(w / h - 741 / 500) < 0.15


def test_to_rgb_float_formats() -> None:
    assert to_rgb_float(np.full((3, 4), 65535, np.uint16)).max() == pytest.approx(1.0)
    assert to_rgb_float(np.zeros((3, 4, 4), np.uint8)).shape == (3, 4, 3)
    assert to_rgb_float(Image.new("LA", (4, 3))).shape == (3, 4, 3)
    assert to_rgb_float(Image.new("P", (4, 3))).shape == (3, 4, 3)
    with pytest.raises(UserError):
        to_rgb_float(np.zeros((0, 3, 3)))


def test_memory_cache_hits_and_another_model_misses(tmp_path: Path) -> None:
    a = tiny("model-a")
    est = DepthEstimator(a, cache_dir=tmp_path / "c", device="cpu")
    img = image()
    first = est.estimate(img)
    assert a.module.calls == 1
    second = est.estimate(img.copy())
    assert a.module.calls == 1 and est.hits["memory"] == 1
    np.testing.assert_array_equal(first, second)
    b = tiny("model-b", gain=-1.0)
    other = DepthEstimator(b, cache_dir=tmp_path / "c", device="cpu")
    inverted = other.estimate(img)
    assert b.module.calls == 1 and other.hits == {"memory": 0, "disk": 0}
    assert np.corrcoef(first.ravel(), inverted.ravel())[0, 1] < -0.9
    est.estimate(image(seed=1))  # different pixels: a miss
    assert a.module.calls == 2


def test_disk_cache_survives_a_restart_and_respects_its_bound(tmp_path: Path) -> None:
    cache = tmp_path / "c"
    a = tiny()
    first = DepthEstimator(a, cache_dir=cache, device="cpu").estimate(image(64, 48))
    assert len(list(cache.glob("*.npy"))) == 1
    b = tiny()  # same identity, a fresh process's worth of state
    est2 = DepthEstimator(b, cache_dir=cache, device="cpu")
    again = est2.estimate(image(64, 48))
    assert b.module.calls == 0 and est2.hits["disk"] == 1
    np.testing.assert_array_equal(first, again)
    one_file = next(cache.glob("*.npy")).stat().st_size
    bounded = DepthEstimator(tiny(), cache_dir=cache, device="cpu", disk_bytes=int(one_file * 3.5))
    for seed in range(8):
        bounded.estimate(image(64, 48, seed=10 + seed))
    files = list(cache.glob("*.npy"))
    assert len(files) == 3
    assert sum(f.stat().st_size for f in files) <= one_file * 3.5


def test_disk_cache_evicts_the_least_recently_used(tmp_path: Path) -> None:
    """Use an old entry, add a new one over the bound: the one not used longest goes."""
    cache = tmp_path / "c"
    images = [image(32, 32, seed=40 + i) for i in range(4)]
    files = []
    writer = DepthEstimator(tiny(), cache_dir=cache, device="cpu")
    for img in images[:3]:
        before = set(cache.glob("*.npy"))
        writer.estimate(img)
        (new,) = set(cache.glob("*.npy")) - before
        files.append(new)
    now = time.time()
    for age, path in zip((300, 200, 100), files, strict=True):  # written in that order, long ago
        os.utime(path, (now - age, now - age))
    one_file = files[0].stat().st_size
    model = tiny()  # a new process: nothing in memory
    est = DepthEstimator(model, cache_dir=cache, device="cpu", disk_bytes=int(one_file * 3.5))
    est.estimate(images[0])  # the oldest entry, used again
    assert model.module.calls == 0 and est.hits["disk"] == 1
    est.estimate(images[3])  # a fourth entry: one has to go
    survivors = set(cache.glob("*.npy"))
    assert len(survivors) == 3
    assert files[1] not in survivors  # the least recently used
    assert {files[0], files[2]} <= survivors


def test_disk_cache_is_keyed_by_inference_size(tmp_path: Path) -> None:
    cache, img = tmp_path / "c", image(40, 40)
    model = tiny()
    small = DepthEstimator(model, size=32, cache_dir=cache, device="cpu").estimate(img)
    large = DepthEstimator(model, size=64, cache_dir=cache, device="cpu").estimate(img)
    assert model.module.calls == 2  # another size is another estimate, not a hit
    assert len(list(cache.glob("*.npy"))) == 2
    assert not np.array_equal(small, large)
    again = DepthEstimator(model, size=32, cache_dir=cache, device="cpu")
    np.testing.assert_array_equal(again.estimate(img), small)
    assert model.module.calls == 2 and again.hits["disk"] == 1


def test_default_cache_dir_follows_xdg_cache_home(cache_home: Path) -> None:
    est = DepthEstimator(tiny(), device="cpu")
    est.estimate(image())
    assert list((cache_home / "shaderviz" / "depth").glob("*.npy"))


def test_submit_runs_on_a_worker_and_dedupes(tmp_path: Path) -> None:
    m = tiny()
    gate = threading.Event()
    seen_threads = []
    orig = m.module.forward

    def slow(x: torch.Tensor) -> torch.Tensor:
        seen_threads.append(threading.current_thread().name)
        gate.wait(5)
        return orig(x)

    m.module.forward = slow
    src = tmp_path / "a.png"
    Image.fromarray(image()).save(src)
    with DepthEstimator(m, cache_dir=False, device="cpu") as est:
        img = image()
        f1 = est.submit(img)
        f2 = est.submit(img.copy())
        f3 = est.submit(src)  # same pixels, read from a file on the worker
        assert not f1.done()  # the caller is not blocked while the model runs
        gate.set()
        r1, r2, r3 = f1.result(10), f2.result(10), f3.result(10)
        np.testing.assert_array_equal(r1, r2)
        np.testing.assert_array_equal(r1, r3)
        assert m.module.calls == 1 and est.hits["memory"] == 2
        assert seen_threads and seen_threads[0] != threading.current_thread().name
        bad = est.submit(tmp_path / "missing.png")
        with pytest.raises(UserError, match="not found"):
            bad.result(10)


# ----------------------------------------------------------------------------- loaders


def test_torchscript_loader_and_cli(tmp_path: Path, cache_home: Path) -> None:
    net = torch.nn.Conv2d(3, 1, 3, padding=1)
    path = tmp_path / "tiny.ts"
    torch.jit.save(torch.jit.trace(net.eval(), torch.rand(1, 3, 16, 16)), str(path))
    model = load_model(path)
    assert model.kind == "torchscript"
    out = DepthEstimator(model, size=32, cache_dir=False, device="cpu").estimate(image(20, 30))
    assert out.shape == (20, 30)
    src = tmp_path / "in.png"
    Image.fromarray(image(20, 30)).save(src)
    r = run_cli("depth", str(src), "-o", str(tmp_path / "out.png"), "--model", str(path), "--quiet")
    assert r.returncode == 0, r.stderr
    assert Image.open(tmp_path / "out.png").size == (30, 20)


def test_cli_png_is_white_where_near(tmp_path: Path, cache_home: Path) -> None:
    """`shaderviz depth` with a model whose answer is known: bright = near = white."""
    src = tmp_path / "ramp.png"
    Image.fromarray(ramp()).save(src)
    out = tmp_path / "depth.png"
    r = run_cli("depth", str(src), "-o", str(out), "--model", str(brightness_model(tmp_path)), "--quiet")
    assert r.returncode == 0, r.stderr
    near = np.asarray(Image.open(out)).astype(np.float64) / 65535
    assert near.shape == (24, 64)
    assert near[:, -8:].mean() > 0.9 and near[:, :8].mean() < 0.1  # the bright side is white
    assert np.corrcoef(near.mean(0), np.arange(64))[0, 1] > 0.95


def test_cli_second_run_reads_the_cache_and_no_cache_skips_it(tmp_path: Path) -> None:
    """A second run is a cache hit: it returns what the cache holds (here a doctored
    entry) instead of computing again. ``--no-cache`` neither reads nor writes it."""
    src = tmp_path / "ramp.png"
    Image.fromarray(ramp()).save(src)
    model = str(brightness_model(tmp_path))
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}

    def depth(*extra: str) -> np.ndarray:
        out = tmp_path / "out.png"
        r = run_cli("depth", str(src), "-o", str(out), "--model", model, "--quiet", *extra, env_extra=env)
        assert r.returncode == 0, r.stderr
        return np.asarray(Image.open(out)).astype(np.float64) / 65535

    first = depth()
    (entry,) = (tmp_path / "cache" / "shaderviz" / "depth").glob("*.npy")
    np.save(entry, (1.0 - np.load(entry)).astype(np.float16))  # the cache now says the opposite
    assert np.corrcoef(depth().ravel(), first.ravel())[0, 1] < -0.99  # read from the cache
    doctored = entry.read_bytes()
    assert np.corrcoef(depth("--no-cache").ravel(), first.ravel())[0, 1] > 0.99  # computed ...
    assert list(entry.parent.iterdir()) == [entry] and entry.read_bytes() == doctored  # ... and not stored


def test_state_dict_checkpoint_roundtrip(tmp_path: Path) -> None:
    from shaderviz.depth.model import build_model, save_checkpoint

    torch.manual_seed(0)
    m = build_model({"width": 16, "fine": 8})
    save_checkpoint(tmp_path / "m.pt", m, {"width": 16, "fine": 8}, {"inference_size": 64}, half=True)
    loaded = load_model(tmp_path / "m.pt")
    assert loaded.kind == "shaderviz" and loaded.default_size == 64
    x = torch.rand(1, 3, 64, 96)
    with torch.no_grad():
        ref = m.eval()(x)[:, 0]
    assert torch.allclose(loaded.predict(x), ref, atol=2e-2)


def _tiny_hf_models(folder: Path) -> list[Path]:
    transformers = pytest.importorskip("transformers")
    torch.manual_seed(0)
    out = []
    dpt = transformers.DPTConfig(
        hidden_size=32,
        num_hidden_layers=4,
        num_attention_heads=2,
        intermediate_size=37,
        image_size=64,
        patch_size=16,
        backbone_out_indices=[0, 1, 2, 3],
        neck_hidden_sizes=[8, 16, 32, 32],
        fusion_hidden_size=16,
        head_in_index=-1,
        reassemble_factors=[4, 2, 1, 0.5],
    )
    model = transformers.DPTForDepthEstimation(dpt).eval()
    model.save_pretrained(folder / "tiny-dpt")
    out.append(folder / "tiny-dpt")
    backbone = transformers.Dinov2Config(
        hidden_size=32,
        num_hidden_layers=4,
        num_attention_heads=2,
        intermediate_size=37,
        image_size=56,
        patch_size=14,
        out_features=["stage1", "stage2", "stage3", "stage4"],
        reshape_hidden_states=False,
    )
    da = transformers.DepthAnythingConfig(
        backbone_config=backbone,
        reassemble_hidden_size=32,
        patch_size=14,
        neck_hidden_sizes=[8, 16, 32, 32],
        fusion_hidden_size=16,
        head_hidden_size=8,
    )
    model = transformers.DepthAnythingForDepthEstimation(da).eval()
    model.save_pretrained(folder / "tiny-depth-anything")
    (folder / "tiny-depth-anything" / "preprocessor_config.json").write_text(
        json.dumps(
            {"image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225], "size": {"height": 56}}
        )
    )
    out.append(folder / "tiny-depth-anything")
    return out


def test_transformers_folders_load_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))  # nothing cached to fall back on
    for folder in _tiny_hf_models(tmp_path):
        model = load_model(folder)
        assert model.kind == "hf"
        assert os.environ["HF_HUB_OFFLINE"] == "1"
        est = DepthEstimator(model, size=model.default_size, cache_dir=False, device="cpu")
        out = est.estimate(image(30, 45))
        assert out.shape == (30, 45) and np.isfinite(out).all()
    assert load_model(tmp_path / "tiny-depth-anything").multiple == 14


def answer_brightness(model: LoadedModel, metric: bool) -> None:
    """Give a loaded Hugging Face model an answer that is known: the brighter, the nearer;
    as relative inverse depth (DPT, Depth Anything: larger = nearer) or, for a metric
    model, as depth in metres (1 m for the brightest, 10 m for the darkest)."""
    from transformers.modeling_outputs import DepthEstimatorOutput

    def forward(pixel_values: torch.Tensor, **kwargs: object) -> DepthEstimatorOutput:
        bright = pixel_values.mean(1)  # normalised per channel, still rising with brightness
        bright = (bright - bright.min()) / (bright.max() - bright.min())
        return DepthEstimatorOutput(predicted_depth=10.0 - 9.0 * bright if metric else bright)

    model.module.forward = forward


def test_transformers_models_are_read_the_right_way_round(tmp_path: Path, monkeypatch) -> None:
    """Relative models give inverse depth, metric ones metres: either way white = near."""
    import shutil

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    dpt, anything = _tiny_hf_models(tmp_path)
    metric = tmp_path / "tiny-depth-anything-metric"
    shutil.copytree(anything, metric)
    config = json.loads((metric / "config.json").read_text())
    config.update(depth_estimation_type="metric", max_depth=20)
    (metric / "config.json").write_text(json.dumps(config))
    for folder, is_metric in ((dpt, False), (anything, False), (metric, True)):
        model = load_model(folder)
        assert model.metric == is_metric, folder.name
        answer_brightness(model, is_metric)
        est = DepthEstimator(model, size=model.default_size, cache_dir=False, device="cpu")
        near = est.estimate(ramp(32, 64))
        profile = near.mean(0)  # left (dark, far) to right (bright, near)
        assert profile[-1] > 0.9 and profile[0] < 0.1, folder.name
        assert np.all(np.diff(profile) > -0.01), folder.name


def test_which_transformers_models_predict_metres() -> None:
    from shaderviz.depth.loaders import predicts_metric_depth

    assert predicts_metric_depth({"model_type": "depth_anything", "depth_estimation_type": "metric"})
    assert predicts_metric_depth({"model_type": "zoedepth"}) and predicts_metric_depth({"model_type": "glpn"})
    assert not predicts_metric_depth({"model_type": "depth_anything", "depth_estimation_type": "relative"})
    assert not predicts_metric_depth({"model_type": "depth_anything"})
    assert not predicts_metric_depth({"model_type": "dpt"})


def test_missing_and_corrupt_models(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "nope.pt")
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"\x00garbage" * 100)
    with pytest.raises(ModelError, match="not a PyTorch checkpoint"):
        load_model(junk)
    evil = tmp_path / "evil.pt"
    torch.save({"state_dict": {"x": torch.zeros(1)}, "obj": threading.Lock}, evil)
    with pytest.raises(ModelError):
        load_model(evil)
    wrong = tmp_path / "wrong.pt"
    torch.save({"state_dict": {"encoder.nope": torch.zeros(3)}}, wrong)
    with pytest.raises(ModelError, match="cannot load"):
        load_model(wrong)
    empty = tmp_path / "folder"
    empty.mkdir()
    with pytest.raises(ModelError, match="config.json"):
        load_model(empty)


# ----------------------------------------------------------------------------- the command


def _corrupt_png(folder: Path) -> Path:
    path = folder / "corrupt.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"broken" * 20)
    return path


def _truncated(folder: Path) -> Path:
    path = folder / "trunc.pt"
    torch.save({"state_dict": {"a": torch.zeros(1000)}}, path)
    path.write_bytes(path.read_bytes()[:300])
    return path


def _junk(folder: Path) -> Path:
    path = folder / "bad.pt"
    path.write_bytes(b"not a model")
    return path


BAD_INPUTS = {  # name: (arguments, run in a folder t holding in/ok.png and empty/; message)
    "missing image": (lambda t: ["missing.png", "-o", "o.png"], "not found"),
    "corrupt image": (lambda t: [_corrupt_png(t).name, "-o", "o.png"], "corrupt.png"),
    "missing model": (lambda t: ["in/ok.png", "-o", "o.png", "--model", "no.pt"], "no.pt"),
    "junk model": (lambda t: ["in/ok.png", "-o", "o.png", "--model", _junk(t).name], "bad.pt"),
    "truncated model": (lambda t: ["in/ok.png", "-o", "o.png", "--model", _truncated(t).name], "trunc.pt"),
    "jpeg output": (lambda t: ["in/ok.png", "-o", "o.jpg"], "16-bit PNG"),  # not a folder named o.jpg
    "folder is a file": (lambda t: ["in/ok.png", "-o", "in/ok.png/o.png"], "cannot write"),
    "two images, one file": (lambda t: ["in/ok.png", "in/ok.png", "-o", "two.png"], "need a folder"),
    "empty folder": (lambda t: ["empty", "-o", "maps"], "no images in folder"),
    "absurd size": (lambda t: ["in/ok.png", "-o", "o.png", "--size", "8"], "out of range"),
}


@pytest.fixture(scope="module")
def bad_input_runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every bad-input case as a real process (two at a time: most import torch), each in
    its own folder: (result, the folder's files before, after)."""
    from concurrent.futures import ThreadPoolExecutor

    def run(name: str) -> tuple:
        t = tmp_path_factory.mktemp("bad")
        (t / "in").mkdir()
        (t / "empty").mkdir()
        Image.fromarray(image()).save(t / "in" / "ok.png")
        args = BAD_INPUTS[name][0](t)
        before = sorted(str(p.relative_to(t)) for p in t.rglob("*"))
        cache = {"XDG_CACHE_HOME": str(t.parent / f"{t.name}-cache")}
        r = run_cli("depth", *args, "--quiet", env_extra=cache, cwd=t)
        return r, before, sorted(str(p.relative_to(t)) for p in t.rglob("*"))

    with ThreadPoolExecutor(2) as pool:
        return dict(zip(BAD_INPUTS, pool.map(run, BAD_INPUTS), strict=True))


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_cli_bad_input_is_one_line_exit_2(bad_input_runs: dict, case: str) -> None:
    """As a real process, so anything written straight to the stderr descriptor (a
    library's warning, a traceback) shows; and nothing is left behind, hidden or not."""
    r, before, after = bad_input_runs[case]
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("shaderviz: error:"), r.stderr
    assert BAD_INPUTS[case][1] in lines[0], lines[0]
    assert r.stdout == ""
    assert after == before  # no map, no hidden temporary


needs_shipped = pytest.mark.skipif(shipped_path(DEFAULT_MODEL) is None, reason="shipped model not built yet")


@needs_shipped
def test_cli_end_to_end_with_the_shipped_model(tmp_path: Path) -> None:
    rgb = tmp_path / "photo.jpg"
    Image.fromarray(image(48, 64)).save(rgb)
    grey = tmp_path / "grey.png"
    Image.fromarray(image(40, 30)[..., 0]).save(grey)
    rgba = tmp_path / "rgba.png"
    Image.fromarray(np.dstack([image(33, 21), np.full((33, 21), 128, np.uint8)])).save(rgba)
    deep = tmp_path / "deep.png"
    Image.fromarray(image(29, 31)[..., 0].astype(np.uint16) * 257).save(deep)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    r = run_cli("depth", str(rgb), "-o", str(tmp_path / "single.png"), env_extra=env)
    assert r.returncode == 0, r.stderr
    single = Image.open(tmp_path / "single.png")
    assert single.size == (64, 48) and single.mode in ("I;16", "I;16B", "I")
    r = run_cli(
        "depth", str(rgb), str(grey), str(rgba), str(deep), "-o", str(tmp_path / "maps"), env_extra=env
    )
    assert r.returncode == 0, r.stderr
    assert "depth" in r.stderr  # the progress bar
    for name, size in (("photo", (64, 48)), ("grey", (30, 40)), ("rgba", (21, 33)), ("deep", (31, 29))):
        im = Image.open(tmp_path / "maps" / f"{name}.png")
        assert im.size == size and im.mode in ("I;16", "I;16B", "I"), name
        a = np.asarray(im)
        assert a.max() > 255  # really 16-bit
    assert list((tmp_path / "cache" / "shaderviz" / "depth").glob("*.npy"))


@needs_shipped
def test_shipped_model_orders_synthetic_scenes(gl_ctx) -> None:  # noqa: ANN001
    from shaderviz.depth.evaluate import spearman
    from shaderviz.depth.scenes import SceneRenderer, nearness

    renderer = SceneRenderer(128, ctx=gl_ctx, shadow_size=512)
    est = DepthEstimator(DEFAULT_MODEL, size=160, cache_dir=False, device="cpu")
    rhos, pairs = [], []
    rng = np.random.default_rng(0)
    for i, kind in enumerate(["landscape", "closeup", "room", "tabletop", "street", "clutter"]):
        rgb, depth = renderer.render(20_000_000 + i, kind)
        target = nearness(depth)
        pred = est.estimate(rgb)
        rhos.append(spearman(pred, target))
        for _ in range(50):  # random point pairs with a clear depth difference
            a, b = rng.integers(0, 128, (2, 2))
            if abs(target[a[0], a[1]] - target[b[0], b[1]]) > 0.2:
                pairs.append(
                    (pred[a[0], a[1]] > pred[b[0], b[1]]) == (target[a[0], a[1]] > target[b[0], b[1]])
                )
    renderer.release()
    assert np.mean(rhos) > 0.6, rhos
    assert np.mean(pairs) > 0.8


@pytest.fixture(scope="module")
def default_photo_report() -> dict:
    """The shipped default's real-photo report (pairs, motorcycle rho), made once."""
    from shaderviz.depth import evaluate

    if shipped_path(DEFAULT_MODEL) is None:
        pytest.skip("shipped model not built yet")
    if evaluate.skimage_data_dir() is None:
        pytest.skip("scikit-image's sample photos are not installed")
    est = DepthEstimator(DEFAULT_MODEL, cache_dir=False, device="cpu")
    return evaluate.real_photo_report(est, evaluate.load_annotations())


def test_the_default_model_meets_the_depth_goals_on_real_photos(default_photo_report: dict) -> None:
    """Issue 12's goals for the shipped default at its shipped settings: >= 29 of the 31
    annotated pairs, Spearman rho >= 0.80 against the motorcycle's true disparity (a model
    that misses them must not become the default: depth-lite0 v2, 0.789, fails here)."""
    report = default_photo_report
    assert round(report["model_acc"] * report["pairs"]) >= 29, report["per_image"]
    assert report["motorcycle_spearman"] >= 0.80, report["motorcycle_spearman"]


def test_shipped_model_beats_bottom_is_near_on_real_photos(default_photo_report: dict) -> None:
    report = default_photo_report
    assert report["pairs"] >= 30
    assert report["model_acc"] >= report["baseline_acc"] + 0.15, report


def test_ordinal_helpers() -> None:
    from shaderviz.depth.evaluate import baseline_ordinal, ordinal, spearman, ssi_error

    near = np.tile(np.linspace(0, 1, 10, dtype=np.float32)[:, None], (1, 10))  # bottom near
    pairs = [{"near": [0.5, 0.9], "far": [0.5, 0.1]}, {"near": [0.5, 0.1], "far": [0.5, 0.9]}]
    assert ordinal(near, pairs) == [True, False]
    assert baseline_ordinal(pairs) == [1.0, 0.0]
    assert spearman(near, near * 3 + 1) == pytest.approx(1.0)
    assert ssi_error(near * 2 + 5, near) == pytest.approx(0.0, abs=1e-6)
    annotations = json.loads((ROOT / "models" / "annotations" / "real_photos.json").read_text())
    assert len(annotations["images"]) >= 6
    wrong_for_baseline = sum(p["near"][1] < p["far"][1] for im in annotations["images"] for p in im["pairs"])
    assert wrong_for_baseline >= 10


# ----------------------------------------------------------------------------- scenes + training


def test_scenes_are_reproducible_and_sky_is_far(gl_ctx) -> None:  # noqa: ANN001
    from shaderviz.depth.scenes import SceneRenderer, nearness

    r = SceneRenderer(64, ctx=gl_ctx, shadow_size=256)
    a_rgb, a_depth = r.render(5, "landscape")
    b_rgb, b_depth = r.render(5, "landscape")
    np.testing.assert_array_equal(a_rgb, b_rgb)
    np.testing.assert_array_equal(a_depth, b_depth)
    c_rgb, _ = r.render(6, "landscape")
    assert np.abs(a_rgb.astype(int) - c_rgb).mean() > 2
    kinds_seen = 0
    for seed, kind in enumerate(["street", "room", "closeup", "tabletop", "clutter", "floor"]):
        rgb, depth = r.render(100 + seed, kind)
        assert rgb.shape == (64, 64, 3) and depth.shape == (64, 64)
        assert rgb.std() > 5 and (depth > 0).any()
        kinds_seen += 1
    near = nearness(a_depth)
    assert near.min() == 0.0 and near.max() == 1.0
    if (a_depth == 0).any():
        assert near[a_depth == 0].max() == 0.0  # sky is the farthest
    r.release()


def test_default_kind_mix_keeps_every_seeds_kind_and_mixes_parse() -> None:
    from shaderviz.depth.scenes import BUILDERS, make_scene
    from shaderviz.depth.scenes.kinds import parse_weights

    # the kinds seeds 0.. and 8000.. had when the first dataset was rendered (before `floor`)
    assert [make_scene(s)[1] for s in range(12)] == [
        "closeup", "closeup", "street", "landscape", "clutter", "tabletop",
        "closeup", "closeup", "street", "clutter", "clutter", "landscape",
    ]  # fmt: skip
    assert [make_scene(s, dusk=0.6)[1] for s in range(8000, 8006)] == [
        "street", "closeup", "landscape", "closeup", "street", "clutter",
    ]  # fmt: skip
    assert "floor" in BUILDERS
    mix = parse_weights("floor=3, room=1,closeup")
    assert mix == {"floor": 3.0, "room": 1.0, "closeup": 1.0}
    kinds = [make_scene(s, weights=mix)[1] for s in range(40)]
    assert set(kinds) == {"floor", "room", "closeup"} and kinds.count("floor") > kinds.count("room")
    assert {make_scene(s, weights={"floor": 1})[1] for s in range(5)} == {"floor"}
    for bad in ("garage=1", "floor=-1", "floor=x", "", "room=0"):
        with pytest.raises(ValueError):
            parse_weights(bad)


def test_scenes_cli_rejects_an_unknown_kind(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "shaderviz.depth.scenes", str(tmp_path), "--count", "1", "--kinds", "car=1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "unknown scene kind 'car'" in done.stderr
    assert not list(tmp_path.glob("*.npy"))


def test_edge_errors_measure_where_depth_edges_are() -> None:
    from shaderviz.depth.evaluate import EDGE_CAP_PX, edge_errors

    target = np.zeros((64, 64))
    target[16:48, 20:44] = 1.0  # a near square on a far background
    acc, comp = edge_errors(target * 3 + 2, target)  # scale and shift do not matter
    assert acc < 0.2 and comp < 0.6
    shifted = np.roll(target, 4, axis=1)
    acc, comp = edge_errors(shifted, target)
    assert 2.0 < acc < 5.0 and 1.0 < comp < 5.0
    assert edge_errors(np.zeros((64, 64)), target) == (EDGE_CAP_PX, EDGE_CAP_PX)  # no edge found
    flat_truth = np.zeros((64, 64))
    assert edge_errors(target, flat_truth) == (EDGE_CAP_PX, EDGE_CAP_PX)


def test_training_smoke_loss_drops_and_resumes(tmp_path: Path) -> None:
    from shaderviz.depth import train
    from shaderviz.depth.model import load_checkpoint
    from shaderviz.depth.scenes import render_dataset

    data = tmp_path / "data"
    render_dataset(data, count=6, size=64, seed=3, shard=3, progress=False)
    assert len(list(data.glob("rgb_*.npy"))) == 2
    common = [
        "--data",
        str(data),
        "--out",
        str(tmp_path / "run"),
        "--batch",
        "3",
        "--width",
        "16",
        "--sizes",
        "64",
        "--no-pretrained",
        "--quiet",
        "--threads",
        "1",
        "--snapshot-every",
        "10",
        "--lr",
        "3e-3",
        "--encoder-lr-mult",
        "1",
        "--freeze-blocks",
        "0",
    ]
    shards = train.ShardData(data)
    rng = np.random.default_rng(1)
    x, y = train.make_batch(shards, rng, 6, size=(64, 64), augment=False)

    def fixed_loss() -> float:
        model, _ = load_checkpoint(tmp_path / "run" / "last.pt")
        with torch.no_grad():
            return float(train.total_loss(model(x), y)[0])

    train.main([*common, "--steps", "2"])
    before = fixed_loss()
    train.main([*common, "--steps", "40"])
    after = fixed_loss()
    assert after < before * 0.9, (before, after)
    log = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert log[-1]["step"] == 40
    state = torch.load(tmp_path / "run" / "last.pt", weights_only=True)
    assert state["step"] == 40
    assert (tmp_path / "run" / "step_000010.pt").exists()

    # --export averages several snapshots into one shipped fp16 checkpoint
    run = tmp_path / "run"
    train.main(["--export", str(run / "step_000010.pt"), str(run / "step_000040.pt"),
                "--to", str(tmp_path / "avg.pt"), "--inference-size", "96", "--smooth", "off"])  # fmt: skip
    a, _ = load_checkpoint(run / "step_000010.pt")
    b, _ = load_checkpoint(run / "step_000040.pt")
    avg, meta = load_checkpoint(tmp_path / "avg.pt")
    assert meta["averaged"] == ["step_000010.pt", "step_000040.pt"] and meta["inference_size"] == 96
    name = "head.weight"
    mean = (a.state_dict()[name] + b.state_dict()[name]) / 2
    assert not torch.allclose(a.state_dict()[name], b.state_dict()[name], atol=1e-3)
    assert torch.allclose(avg.state_dict()[name], mean, atol=2e-3)
    shipped_form = load_model(tmp_path / "avg.pt")
    assert shipped_form.default_size == 96 and not shipped_form.smooth
    assert not DepthEstimator(shipped_form, cache_dir=False, device="cpu").smooth  # the model's setting
    assert DepthEstimator(shipped_form, cache_dir=False, device="cpu", smooth=True).smooth

    # --init fine-tunes from a checkpoint's weights (a new run; lr 0 keeps them as they are)
    from shaderviz.depth.model import save_checkpoint

    source, _ = load_checkpoint(tmp_path / "run" / "last.pt")
    save_checkpoint(tmp_path / "init.pt", source, {"width": 16, "fine": 32}, half=True)
    fine = [*common[:2], "--out", str(tmp_path / "fine"), *common[4:], "--init", str(tmp_path / "init.pt")]
    fine[fine.index("--lr") + 1] = "0"
    train.main([*fine, "--steps", "1"])
    tuned, _ = load_checkpoint(tmp_path / "fine" / "last.pt")
    for (name, a), b in zip(source.state_dict().items(), tuned.state_dict().values(), strict=True):
        if a.is_floating_point():
            assert torch.allclose(a.half().float(), b, atol=1e-3), name
    assert torch.load(tmp_path / "fine" / "last.pt", weights_only=True)["config"]["init"] == str(
        tmp_path / "init.pt"
    )
