"""--ray: the batch as Ray tasks. Ray runs locally inside a network namespace of its own
(``unshare -n`` with only loopback), so its processes never reach a network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_batch import files
from test_cli import ENV, ok

from shaderviz.batch.plan import Item, ShowArgs
from shaderviz.batch.ray_runner import _file, _payload, run_task
from shaderviz.outputs.render import RenderOptions

pytest.importorskip("ray")

FX = ["--fx", "rgb_split amount=sine(0,0.05)", "--frames", "3", "--size", "32x24", "--quiet"]


@pytest.fixture()
def folder(tmp_path) -> Path:
    images = tmp_path / "imgs"
    images.mkdir()
    rng = np.random.default_rng(11)
    for name in ("a", "b", "c"):
        Image.fromarray((rng.random((24, 32, 3)) * 255).astype(np.uint8)).save(images / f"{name}.png")
    return images


def isolated(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """``shaderviz ARGS`` in a new network namespace with only loopback up."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"]).returncode != 0:
        pytest.skip("needs unshare -n (root) to keep Ray off the network")
    command = " ".join(f"'{a}'" for a in (sys.executable, "-m", "shaderviz", *args))
    env = {**ENV, "RAY_USAGE_STATS_ENABLED": "0"}
    return subprocess.run(["unshare", "-n", "sh", "-c", f"ip link set lo up && {command}"],
                          capture_output=True, text=True, timeout=timeout, env=env)


def test_local_ray_equals_jobs_1_and_reports_failures(tmp_path, folder):
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    result = isolated("render", str(folder), "-o", str(tmp_path / "ray"), "--ray", *FX)
    assert result.returncode == 2, result.stderr
    assert "batch: 3 written, 0 skipped, 1 failed (Ray, 1 node" in result.stdout, result.stdout
    assert any("broken.png" in line and line.startswith("shaderviz: error: ")
               for line in result.stderr.splitlines())
    (folder / "broken.png").unlink()
    ok("render", str(folder), "-o", str(tmp_path / "local"), "--jobs", "1", *FX)
    assert files(tmp_path / "ray") == files(tmp_path / "local") and len(files(tmp_path / "local")) == 3
    again = isolated("render", str(folder), "-o", str(tmp_path / "ray"), "--ray", *FX)
    assert "batch: 0 written, 3 skipped" in again.stdout  # nothing to do: Ray is not even started


def test_a_task_on_a_node_without_the_files_renders_from_their_bytes(tmp_path, folder):
    """What a node of a real cluster does: the paths are not there, the bytes come along."""
    effects = tmp_path / "fx"
    effects.mkdir()
    body = "vec4 effect(vec2 uv) { return INPUT(uv) * vec4(1.0, 0.5, 0.5, 1.0); }\n"
    (effects / "tint.glsl").write_text('/*{"description": "t", "pointwise": true}*/\n' + body)
    show = ShowArgs(effects_dirs=(effects,), fx=("tint",), size=(32, 24))
    options = RenderOptions(tmp_path / "unused.png", frames=1)
    item = Item(folder / "a.png", tmp_path / "out" / "a.png")
    image, payload = _file(item.image), _payload(_batch(show, options, item))
    here, data_here = run_task(show, options, item, image, payload)
    # Move everything away: the task must rebuild image and effect folder from the bytes.
    moved = tmp_path / "elsewhere"
    shutil.move(str(folder), moved)
    shutil.move(str(effects), tmp_path / "fx-moved")
    there, data_there = run_task(show, options, item, image, payload)
    assert here.status == there.status == "written" and str(item.output) in there.message
    pixels = [np.asarray(Image.open(__import__("io").BytesIO(d))) for d in (data_here, data_there)]
    assert np.array_equal(pixels[0], pixels[1])
    assert os.path.exists(moved / "a.png")


def _batch(show, options, item):  # noqa: ANN001, ANN202
    from shaderviz.batch.plan import Batch

    return Batch([item], show, options)
