"""Batch renders of parallax loops stay flat: one process renders a folder of 50 images,
one parallax loop each, a new depth map per image (refined on the GPU, new layers), and
the live GL objects and the resident memory stop growing after the first few loops.
DepthFlow's users report crashes and leaks after a few dozen such renders. The depth
model itself is replaced by a cheap stand-in here (its cost is not the point; the
benchmark `python -m benchmarks.parallax --batch` runs the real one at 720p)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from glcount import count_gl_objects
from PIL import Image

from shaderviz.app.depthfeed import DepthFeed
from shaderviz.app.show import build_show
from shaderviz.outputs.recorder import record

LOOPS = 50
RSS_BOUND_MB = 24.0  # growth allowed from loop 10 to loop 50 (allocator noise, caches warming)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc for the memory")
def test_fifty_parallax_loops_in_one_process(tmp_path: Path, registry, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "images"
    folder.mkdir()
    rng = np.random.default_rng(3)
    for i in range(LOOPS):
        img = (rng.random((48, 64, 3)) * 255).astype(np.uint8)
        img[12:36, 20 + i % 20 : 40 + i % 20] = (230, 30, 30)
        Image.fromarray(img).save(folder / f"{i:03d}.png")
    show = build_show(registry, str(folder), fx=["parallax motion=orbit amount=0.08"], size=(64, 48),
                      fps=4, seconds=0.5)
    assert show.depth_mode == "auto"
    # A stand-in for the model: brighter is nearer, a new map for every image.
    def stand_in(self: DepthFeed, image: np.ndarray) -> np.ndarray:
        return (image.mean(axis=2) / 255).astype(np.float32)

    monkeypatch.setattr(DepthFeed, "_estimate", stand_in)
    samples: list[tuple[float, int]] = []
    with count_gl_objects() as live:
        load = show.source.load

        def load_and_sample(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            samples.append((rss_mb(), len(live)))  # at the start of every loop
            return load(*args, **kwargs)

        monkeypatch.setattr(show.source, "load", load_and_sample)
        record(show, tmp_path / "batch.mp4", frames=LOOPS * show.loop_frames, progress=False)
        assert len(live) == 0, live.by_kind()  # everything released at the end
    assert len(samples) == LOOPS
    counts = [count for _, count in samples]
    assert max(counts[5:]) == min(counts[5:]), counts  # no GL object accumulates per loop
    growth = samples[-1][0] - samples[10][0]
    assert growth < RSS_BOUND_MB, [round(r) for r, _ in samples]
    assert (tmp_path / "batch.mp4").stat().st_size > 0


def test_repeated_renders_release_everything(tmp_path: Path, registry) -> None:  # noqa: ANN001
    """Many render() calls in one process (a script's batch): each leaves nothing behind."""
    image = tmp_path / "one.png"
    Image.fromarray((np.random.default_rng(4).random((36, 48, 3)) * 255).astype(np.uint8)).save(image)
    depth = tmp_path / "one-depth.png"
    Image.fromarray(np.tile(np.linspace(0, 255, 48).astype(np.uint8), (36, 1))).save(depth)
    rss = []
    with count_gl_objects() as live:
        for i in range(12):
            show = build_show(registry, str(image), fx=["parallax", "dof", "depth_color"], size=(48, 36),
                              fps=4, seconds=0.5, depth=str(depth))
            record(show, tmp_path / f"r{i}.png", frames=1, progress=False)
            assert len(live) == 0, live.by_kind()
            rss.append(rss_mb())
    assert rss[-1] - rss[3] < RSS_BOUND_MB / 2, [round(r) for r in rss]
