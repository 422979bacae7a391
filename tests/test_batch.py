"""Batch renders: --jobs N equals --jobs 1 byte for byte, per-item errors, re-runs, crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_cli import ENV, ok, shaderviz

from shaderviz.batch.local import run_local
from shaderviz.batch.plan import Batch, ShowArgs, plan
from shaderviz.errors import UserError
from shaderviz.outputs.render import RenderOptions


@pytest.fixture()
def folder(tmp_path) -> Path:
    images = tmp_path / "imgs"
    images.mkdir()
    rng = np.random.default_rng(3)
    for name in ("a", "b", "c"):
        Image.fromarray((rng.random((24, 32, 3)) * 255).astype(np.uint8)).save(images / f"{name}.png")
    return images


FX = ["--fx", "rgb_split amount=sine(0,0.05)", "--fx", "blur radius=2", "--frames", "3", "--quiet"]


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("spelling", ["{out}", "{out}/{{name}}.webm", "{out}/{{name}}/"])
def test_jobs_2_equals_jobs_1_equals_single_renders(tmp_path, folder, spelling):
    outs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}"
        result = ok("render", str(folder), "-o", spelling.format(out=out), "--jobs", jobs, *FX)
        assert "batch: 3 written, 0 skipped, 0 failed" in result.stdout
        outs[jobs] = files(out)
    assert len(outs["1"]) >= 3 and outs["1"] == outs["2"]
    # ... and each equals the loop `render IMAGE -o OUT` makes alone.
    first = Path(next(iter(outs["1"]))).parts[0]  # a.mp4, a.webm or the folder a
    (tmp_path / "single").mkdir()
    ok("render", str(folder / "a.png"), "-o", str(tmp_path / "single" / first), *FX)
    alone = files(tmp_path / "single")
    assert alone == {k: v for k, v in outs["1"].items() if k.startswith(first)}


def test_a_broken_image_fails_alone_and_reruns_skip_finished_outputs(tmp_path, folder):
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    out = tmp_path / "loops"
    result = shaderviz("render", str(folder), "-o", str(out), "--jobs", "2", *FX)
    assert result.returncode == 2
    assert sorted(p.name for p in out.iterdir()) == ["a.mp4", "b.mp4", "c.mp4"]
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("shaderviz: error: ") and "broken.png" in errors[0]
    assert "batch: 3 written, 0 skipped, 1 failed" in result.stdout
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    (folder / "broken.png").unlink()
    again = ok("render", str(folder), "-o", str(out), "--jobs", "2", *FX)
    assert "batch: 0 written, 3 skipped, 0 failed" in again.stdout
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    forced = ok("render", str(folder), "-o", str(out), "--jobs", "2", "--overwrite", *FX)
    assert "batch: 3 written" in forced.stdout


@pytest.mark.parametrize("args, expected", [
    (["--jobs", "2", "-o", "x.mp4"], "one file per image"),
    (["--jobs", "0", "-o", "out"], "expected 1..256"),
    (["--jobs", "2", "--ray", "-o", "out"], "choose one"),
])
def test_bad_batch_options_are_one_line(tmp_path, folder, args, expected):
    result = shaderviz("render", str(folder), *args, "--frames", "2", cwd=tmp_path)
    assert result.returncode == 2 and expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["imgs"]


def test_same_names_are_refused_before_rendering(tmp_path, folder):
    Image.new("RGB", (8, 8)).save(folder / "a.jpg")
    with pytest.raises(UserError, match="a.jpg and a.png would both write a"):
        plan(folder, tmp_path / "out", None)


class CrashOn(ShowArgs):
    """A show whose build kills the worker process for one image (a driver crash, say)."""

    def build(self, input_spec: str):  # noqa: ANN201
        if Path(input_spec).stem == "b":
            os._exit(7)
        return super().build(input_spec)


def test_a_worker_that_dies_fails_its_item_only(tmp_path, folder):
    show = CrashOn(fx=("saturate",))
    batch = Batch(plan(folder, tmp_path / "out", None), show, RenderOptions(tmp_path / "out", frames=2))
    seen = []
    results = run_local(batch, 2, seen.append)
    status = {r.item.image.stem: r.status for r in results}
    assert status == {"a": "written", "b": "failed", "c": "written"}
    failed = next(r for r in results if r.status == "failed")
    assert "worker process died (exit status 7)" in failed.message
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.mp4", "c.mp4"]
    assert len(seen) == 3


def test_sigterm_stops_the_workers_and_leaves_no_partial_file(tmp_path, folder):
    out = tmp_path / "loops"
    proc = subprocess.Popen([sys.executable, "-m", "shaderviz", "render", str(folder), "-o", str(out),
                             "--jobs", "2", "--fx", "blur radius=3", "--size", "320x240", "--frames", "400",
                             "--quiet"], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and not list(out.glob(".*partial*")):
        time.sleep(0.1)
    workers = children(proc.pid)
    assert len(workers) >= 2  # the two job processes (and their ffmpeg below them)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert stderr.startswith("shaderviz: terminated; no output was written")
    assert not list(out.iterdir())
    deadline = time.time() + 10  # processes that are exiting may take a moment to be gone
    while time.time() < deadline and any(running(pid) for pid in workers):
        time.sleep(0.1)
    assert [pid for pid in workers if running(pid)] == []


def running(pid: int) -> bool:
    """Alive and not a zombie (an exited child whose reaper is PID 1)."""
    try:
        return "\tZ" not in Path(f"/proc/{pid}/status").read_text().split("State:")[1].splitlines()[0]
    except (OSError, IndexError):
        return False


def children(parent: int) -> list[int]:
    """Every descendant of ``parent`` (Linux /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
            ppid = int(next(ln.split()[1] for ln in lines if ln.startswith("PPid:")))
        except (OSError, StopIteration, ValueError):
            continue
        if ppid == parent:
            pid = int(status.parent.name)
            found += [pid, *children(pid)]
    return found
