"""train-gan as a user runs it: a tiny folder, a few steps, resume, torchrun, bad input."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from shaderviz.synth import render

TRAIN = [sys.executable, "-m", "shaderviz", "train-gan"]
FAST = ["--size", "32", "--batch", "4", "--width", "32", "--threads", "1", "--quiet", "--sample-every", "2",
        "--save-every", "2"]


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([*TRAIN, *args], capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten small covers of odd sizes and formats, one in a subfolder, one greyscale."""
    root = tmp_path_factory.mktemp("images")
    (root / "more").mkdir()
    for i in range(10):
        img = Image.fromarray(render("covers", i, (40 + 3 * i, 48)))
        if i == 3:
            img = img.convert("L")
        where = root / "more" if i == 9 else root
        img.save(where / f"cover{i}.{'jpg' if i % 2 else 'png'}")
    (root / "notes.txt").write_text("not an image")
    return root


def log(out: Path) -> list[dict]:
    lines = (out.with_name(out.stem + "-train") / "log.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_trains_writes_checkpoint_and_grids_then_resumes(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine.pt"
    done = run(str(folder), "-o", str(out), "--steps", "10", *FAST)
    assert done.returncode == 0, done.stderr
    assert "10 images at 32px" in done.stderr
    state = torch.load(out, weights_only=True)
    assert state["format"] == "shaderviz-gan-1" and state["step"] == 10
    assert state["config"]["size"] == 32 and state["train"]["images"] == 10
    assert {"g", "d", "g_ema", "opt_g", "opt_d"} <= set(state)
    records = log(out)
    assert [r["step"] for r in records] == [10]
    assert all(np.isfinite(records[0][k]) for k in ("d", "g", "real", "fake"))
    grids = sorted(out.with_name("mine-train").glob("step_*.png"))
    assert [g.name for g in grids] == [f"step_{s:06d}.png" for s in (2, 4, 6, 8, 10)]
    with Image.open(grids[-1]) as grid:
        assert grid.size == (8 * 34 + 2, 8 * 34 + 2)  # 8x8 samples of 32 px with 2 px gaps
    before = state["g_ema"]["to_rgb.weight"].clone()

    again = run(str(folder), "-o", str(out), "--steps", "20", *FAST)  # no --resume: refused, nothing lost
    assert again.returncode == 2 and "--resume" in again.stderr and len(again.stderr.splitlines()) == 1
    assert torch.load(out, weights_only=True)["step"] == 10

    resumed = run(str(folder), "-o", str(out), "--steps", "14", "--resume", *FAST)
    assert resumed.returncode == 0, resumed.stderr
    assert "from step 10" in resumed.stderr
    state = torch.load(out, weights_only=True)
    assert state["step"] == 14 and len(state["train"]["runs"]) == 2
    assert not torch.equal(state["g_ema"]["to_rgb.weight"], before)  # it kept learning
    assert (out.with_name("mine-train") / "step_000014.png").exists()


def test_generate_and_play_sources_read_the_training_file(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.pt"
    assert run(str(folder), "-o", str(out), "--steps", "2", *FAST).returncode == 0
    gen = subprocess.run([sys.executable, "-m", "shaderviz", "generate", str(out), "-n", "3", "-o",
                          str(tmp_path / "imgs"), "--seed", "1"], capture_output=True, text=True, timeout=120)
    assert gen.returncode == 0, gen.stderr
    images = sorted((tmp_path / "imgs").glob("*.png"))
    assert [p.name for p in images] == ["g-s1-0000.png", "g-s1-0001.png", "g-s1-0002.png"]
    with Image.open(images[0]) as img:
        assert img.size == (32, 32)
    shipped = tmp_path / "shipped.pt"  # the exported form: EMA generator only, fp16
    done = subprocess.run([sys.executable, "-m", "shaderviz.generators.checkpoint", str(out), str(shipped)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    state = torch.load(shipped, weights_only=True)
    assert set(state) == {"format", "config", "g_ema", "step", "train"}
    assert state["g_ema"]["to_rgb.weight"].dtype == torch.float16
    assert shipped.stat().st_size < out.stat().st_size / 3
    gen = subprocess.run([sys.executable, "-m", "shaderviz", "generate", str(shipped), "-n", "3", "-o",
                          str(tmp_path / "half"), "--seed", "1"], capture_output=True, text=True, timeout=120)
    assert gen.returncode == 0, gen.stderr
    for a, b in zip(images, sorted((tmp_path / "half").glob("*.png")), strict=True):
        diff = np.abs(np.asarray(Image.open(a)).astype(int) - np.asarray(Image.open(b)).astype(int))
        assert diff.mean() < 1.0  # fp16 weights: the same images up to rounding


@pytest.mark.skipif(shutil.which("torchrun", path=str(Path(sys.executable).parent)) is None,
                    reason="torchrun is not installed next to python")
def test_torchrun_two_processes_gloo(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "ddp.pt"
    torchrun = str(Path(sys.executable).parent / "torchrun")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [torchrun, "--standalone", "--nproc_per_node", "2", "-m", "shaderviz", "train-gan", str(folder),
               "-o", str(out), "--steps", "4", *FAST]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)  # its own group: a hang is killed with its workers
    try:
        stdout, stderr = proc.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    done = subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 processes on cpu" in done.stderr
    state = torch.load(out, weights_only=True)
    assert state["step"] == 4 and state["train"]["runs"][-1]["processes"] == 2
    assert state["train"]["images_seen"] == 4 * 4 * 2  # steps x batch x processes
    single = torch.load(out, weights_only=True)
    assert set(single["g_ema"]) == set(state["g_ema"])


@pytest.mark.parametrize("case, expected", [
    ("missing", "no such folder"),
    ("file", "is a file"),
    ("empty", "no images"),
    ("few", "too few images"),
    ("corrupt", "too few images to train on: 0 readable image(s) (12 unreadable)"),
])
def test_bad_folders_are_one_line_errors(tmp_path: Path, case: str, expected: str) -> None:
    data = tmp_path / "data"
    if case == "file":
        data.write_text("x")
    elif case != "missing":
        data.mkdir()
    if case == "few":
        for i in range(3):
            Image.fromarray(render("clouds", i, (16, 16))).save(data / f"{i}.png")
    if case == "corrupt":
        for i in range(12):
            (data / f"{i}.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    done = run(str(data), "-o", str(tmp_path / "x.pt"), "--steps", "1", *FAST)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert expected in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "x.pt").exists()


def test_bad_arguments_are_one_line_errors(folder: Path, tmp_path: Path) -> None:
    for args, expected in (
        (["-o", str(tmp_path / "nope" / "x.pt")], "does not exist"),
        (["-o", str(tmp_path / "x.txt")], ".pt"),
        (["-o", str(tmp_path / "x.pt"), "--resume"], "does not exist"),
        (["-o", str(tmp_path / "x.pt"), "--augment", "zoom"], "unknown augmentation"),
    ):
        done = run(str(folder), *args, "--steps", "1")
        assert done.returncode == 2 and expected in done.stderr, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1
