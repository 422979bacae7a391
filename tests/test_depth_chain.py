"""Depth in the chain: `--depth auto` runs the model on the source image when (and only
when) an effect reads depth; `render` waits for it, `play`'s feed never blocks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shaderviz.app.show import build_show
from shaderviz.depth import DEFAULT_MODEL
from shaderviz.depth.estimator import DepthEstimator
from shaderviz.depth.loaders import shipped_path
from shaderviz.effects.chain import parse_fx
from shaderviz.presets import load_preset
from shaderviz.render.depthprep import EPS, GUIDE_RADIUS, guide_factor
from tests import depth_reference as depth_ref
from tests import reference as ref

pytestmark = pytest.mark.skipif(shipped_path(DEFAULT_MODEL) is None, reason="shipped model not built")
SIZE = 96


@pytest.fixture(scope="module")
def scene(tmp_path_factory, gl_ctx) -> Path:  # noqa: ANN001
    """A rendered close-up (subject near, background far) saved as an ordinary PNG, with
    its true nearness beside it as scene.npy."""
    from shaderviz.depth.scenes import SceneRenderer, nearness

    renderer = SceneRenderer(SIZE, ctx=gl_ctx, shadow_size=256)
    rgb, depth = renderer.render(20_000_001, "closeup")
    renderer.release()
    path = tmp_path_factory.mktemp("scene") / "scene.png"
    Image.fromarray(rgb).save(path)  # uint8 RGB
    np.save(path.with_suffix(".npy"), nearness(depth))
    return path


def shaderviz(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CONFIG_HOME": "/nonexistent-shaderviz-test",
           "XDG_CACHE_HOME": str(tmp / "cache")}
    return subprocess.run([sys.executable, "-m", "shaderviz", *args], capture_output=True, text=True,
                          timeout=180, env=env)


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(np.float64) / 255.0


GREY_NEAR = "saturate amount=-1 depth_min=0.5 depth_soft=0.1"


def test_render_estimates_depth_for_a_depth_gated_effect(scene: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.png"
    result = shaderviz(tmp_path, "render", str(scene), "-o", str(out), "--frames", "1", "--fx", GREY_NEAR)
    assert result.returncode == 0, result.stderr
    image = ref.to_float(np.asarray(Image.open(scene).convert("RGB")))
    near = DepthEstimator(DEFAULT_MODEL, cache_dir=False, device="cpu").estimate(image)
    # The renderer refines the model's map onto the image's edges (render/depthprep.py).
    factor = guide_factor((SIZE, SIZE))
    near = depth_ref.guided_filter(image, near.astype(np.float64), factor, GUIDE_RADIUS, EPS)
    expected = ref.depth_gate(image, ref.saturate(image, -1.0), near, 0.5, 1.0, 0.1)
    got = pixels(out)
    assert np.abs(got - expected).max() < 4 / 255
    # and the estimate is a real one: the gated part is the near part of the scene
    gated = ref.depth_weight(near, 0.5, 1.0, 0.1) > 0.5
    truth = np.load(scene.with_suffix(".npy"))
    assert 0.05 < gated.mean() < 0.95
    assert truth[gated].mean() > truth[~gated].mean() + 0.2
    # the depth cache lands in XDG_CACHE_HOME: a second render is a cache hit, same pixels
    assert list((tmp_path / "cache" / "shaderviz" / "depth").glob("*.npy"))
    again = tmp_path / "again.png"
    assert shaderviz(tmp_path, "render", str(scene), "-o", str(again), "--frames", "1",
                     "--fx", GREY_NEAR).returncode == 0
    assert np.array_equal(pixels(again), got)


def test_flat_depth_and_file_depth(scene: Path, tmp_path: Path) -> None:
    out = tmp_path / "flat.png"
    fx = "saturate amount=-1 depth_min=0.6 depth_soft=0.05"
    assert shaderviz(tmp_path, "render", str(scene), "-o", str(out), "--frames", "1",
                     "--depth", "flat", "--fx", fx).returncode == 0
    assert np.abs(pixels(out) - pixels(scene)).max() < 2 / 255  # flat 0.5 is outside the band
    assert not (tmp_path / "cache" / "shaderviz").exists()  # no model ran
    depth = tmp_path / "depth.png"  # white (near) top half, black bottom half
    Image.fromarray(np.repeat(np.array([255, 0], np.uint8), SIZE // 2)[:, None].repeat(SIZE, 1)).save(depth)
    out = tmp_path / "file.png"
    assert shaderviz(tmp_path, "render", str(scene), "-o", str(out), "--frames", "1",
                     "--depth", str(depth), "--fx", fx).returncode == 0
    got, image = pixels(out), pixels(scene)
    assert np.abs(got[: SIZE // 2] - ref.saturate(image[: SIZE // 2], -1.0)).max() < 2 / 255
    assert np.abs(got[SIZE // 2 :] - image[SIZE // 2 :]).max() < 2 / 255


def test_the_model_loads_only_when_the_chain_reads_depth(scene: Path, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-model.pt")
    args = ("render", str(scene), "--frames", "1", "--depth-model", missing)
    plain = shaderviz(tmp_path, *args, "-o", str(tmp_path / "b.png"), "--fx", "saturate amount=-1")
    assert plain.returncode == 0, plain.stderr
    before = sorted(p.name for p in tmp_path.iterdir())
    result = shaderviz(tmp_path, *args, "-o", str(tmp_path / "a.png"), "--fx", GREY_NEAR)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no-such-model.pt" in lines[0] and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no a.png, no hidden .a.png.partial


def test_depth_auto_needs_an_image_source(tmp_path: Path) -> None:
    result = shaderviz(tmp_path, "render", "clouds", "-o", str(tmp_path / "c.png"), "--frames", "1",
                       "--depth", "auto")
    assert result.returncode == 2 and "drawn on the GPU" in result.stderr


def test_uses_depth(registry) -> None:  # noqa: ANN001
    def uses(text: str) -> bool:
        return parse_fx(text, registry).uses_depth(registry.get(text.split()[0]))

    assert not uses("blur radius=3")
    assert uses("blur depth_min=0.2")
    assert uses("blur depth_max=0.9")
    assert uses("blur depth_max=sine(0.2,0.8)")
    assert uses("blur depth_invert=true")
    assert uses("pixelsort key=depth")
    assert not uses("pixelsort key=hue")


def test_preset_depth_keywords_and_recipe(scene: Path, tmp_path: Path, registry) -> None:  # noqa: ANN001
    preset = tmp_path / "p.toml"
    preset.write_text(f'source = "{scene}"\ndepth = "auto"\n[[chain]]\neffect = "blur"\ndepth_min = 0.5\n')
    show = build_show(registry, preset_name=str(preset))
    assert show.depth_mode == "auto" and show.uses_depth()
    assert show.recipe(show.frame(0))["preset"]["depth"] == "auto"
    preset.write_text('depth = "flat"\n')
    assert load_preset(str(preset), registry).depth == "flat"
    preset.write_text('depth = "nothing.png"\n')
    with pytest.raises(Exception, match=r"p\.toml:1: depth: .*nothing\.png does not exist"):
        load_preset(str(preset), registry)


class _Uploads:
    """Stands in for the Renderer: records depth uploads and the depth weight."""

    def __init__(self) -> None:
        self.depths: list[np.ndarray] = []
        self.refined: list[bool] = []
        self.depth_weight = 1.0

    def upload_depth(self, depth: np.ndarray, refine: bool = False) -> None:
        self.depths.append(depth)
        self.refined.append(refine)


def test_play_depth_never_waits_for_the_model(scene: Path, tmp_path: Path, registry, monkeypatch) -> None:  # noqa: ANN001
    """The model runs in its own process, started on a thread: the loop never waits for the
    torch import or the model; until the map is there the gated effect is neutral."""
    from shaderviz.app.livedepth import LiveDepth
    from shaderviz.app.stats import FrameStats

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    show = build_show(registry, str(scene), fx=["blur"], size=(SIZE, SIZE))
    stats = FrameStats()
    depth, uploads = LiveDepth(show, (SIZE, SIZE), stats, video_frames=None), _Uploads()
    image = np.asarray(Image.open(scene).convert("RGB"))
    try:
        depth.start(uploads)
        assert [d.tolist() for d in uploads.depths] == [[[0.5, 0.5], [0.5, 0.5]]]  # flat (readies the GPU)
        uploads.depths.clear()
        uploads.refined.clear()
        depth.offer("scene", image)
        depth.update(uploads, "scene", 0.0, 0.02)
        time.sleep(0.3)
        depth.update(uploads, "scene", 0.3, 0.02)
        assert depth.worker is None and not uploads.depths  # blur alone reads no depth: no model
        show.chain.append(parse_fx("pixelsort key=depth", registry))
        started = time.perf_counter()
        depth.update(uploads, "scene", 0.31, 0.02)  # starts the model process on a thread ...
        assert time.perf_counter() - started < 0.05  # ... and returns at once
        assert uploads.depth_weight == 0.0  # no map yet: depth-driven effects neutral
        deadline = time.perf_counter() + 90
        while not uploads.depths and time.perf_counter() < deadline:
            depth.update(uploads, "scene", 0.32, 0.02)
            time.sleep(0.01)
        assert len(uploads.depths) == 1 and 0.0 < uploads.depth_weight < 1.0  # fading in
        assert uploads.refined == [True]  # the model's map goes to the GPU's edge-aware upsampling
        small = uploads.depths[0]
        assert small.shape == (SIZE, SIZE)  # (from a larger image: the model's size; the GPU scales it)
        truth = np.asarray(Image.fromarray(np.load(scene.with_suffix(".npy"))).resize(small.shape[::-1]))
        assert np.corrcoef(small.ravel(), truth.ravel())[0, 1] > 0.5
        for _ in range(40):
            depth.update(uploads, "scene", 0.4, 0.02)  # same image: no second estimate
        assert len(uploads.depths) == 1 and uploads.depth_weight == 1.0
        events = [e["kind"] for e in stats._events]
        assert events.count("depth_model") == 1 and events.count("depth") == 1
    finally:
        depth.release()
