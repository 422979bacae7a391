"""Depth in `render` with a stand-in model whose answer is known (the brighter, the
nearer): which effects start the model, and that a second render reads the cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from stand_ins import brightness_model, ramp

from shaderviz.app.show import build_show
from shaderviz.depth.loaders import LoadedModel
from shaderviz.outputs.recorder import record

SHOW_DEPTH = """/*{
  "description": "the depth map as grey",
  READS
  "params": {}
}*/
vec4 effect(vec2 uv) {
    return vec4(vec3(texture(depthMap, uv).r), 1.0);
}
"""


@pytest.fixture
def stand_in(tmp_path: Path) -> Path:
    return brightness_model(tmp_path)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """Brighter to the right, and coloured: red and green rise, blue stays."""
    rgb = ramp(24, 64).astype(np.float64)
    rgb[..., 1] *= 0.5
    rgb[..., 2] = 60
    path = tmp_path / "ramp.png"
    Image.fromarray(rgb.astype(np.uint8)).save(path)
    return path


def grey(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L")).astype(np.float64) / 255


@pytest.mark.parametrize("reads", [True, False])
def test_reads_depth_in_a_header_starts_the_depth_model(tmp_path, stand_in, photo, reads):
    """An effect whose header says "reads_depth": true gets the model's map; the same
    shader without it gets flat depth (the model never runs for it)."""
    effects = tmp_path / "fx"
    effects.mkdir()
    header = f'"reads_depth": {str(reads).lower()},'
    (effects / "showdepth.glsl").write_text(SHOW_DEPTH.replace("READS", header))
    out, cache = tmp_path / "out.png", tmp_path / "cache"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_CACHE_HOME": str(cache)}
    result = subprocess.run(
        [sys.executable, "-m", "shaderviz", "render", str(photo), "--effects-dir", str(effects), "--fx",
         "showdepth", "--depth-model", str(stand_in), "--frames", "1", "-o", str(out), "--quiet"],
        capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stderr
    shown = grey(out)
    if reads:
        profile = shown.mean(0)  # dark (far) on the left, bright (near) on the right
        assert profile[-1] > 0.9 and profile[0] < 0.1
        assert list((cache / "shaderviz" / "depth").glob("*.npy"))
    else:
        assert np.abs(shown - 0.5).max() < 2 / 255  # flat
        assert not (cache / "shaderviz").exists()


def test_a_second_render_reads_the_cache_and_does_not_estimate(
    registry, tmp_path, stand_in, photo, monkeypatch
):
    """The same render twice (two processes' worth: every render makes its own estimator):
    the second runs the model not once and gives the same pixels."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    calls = []
    predict = LoadedModel.predict

    def counting(self, x):  # noqa: ANN001, ANN202
        calls.append(x.shape)
        return predict(self, x)

    monkeypatch.setattr(LoadedModel, "predict", counting)

    def render(name: str) -> np.ndarray:
        show = build_show(registry, str(photo), fx=["saturate amount=-1 depth_min=0.5 depth_soft=0"],
                          depth_model=str(stand_in))
        out = tmp_path / name
        record(show, out, 1, progress=False)
        return np.asarray(Image.open(out).convert("RGB"))

    first = render("a.png")
    assert len(calls) >= 1
    estimated = len(calls)
    again = render("b.png")
    assert len(calls) == estimated  # a cache hit: no second estimate
    assert np.array_equal(first, again)
    # and the map was the model's: grey on the near (bright) side only
    chroma = np.ptp(first.astype(int), axis=2)
    assert chroma[:, -8:].max() <= 1 and chroma[:, 8:16].min() > 20
