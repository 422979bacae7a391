"""Generators in the real window (Xvfb, keys by xdotool): generation runs on a worker and
never holds frames back; G makes a new image / network, W stops and starts the walk."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from test_window import Player, display, pixels, play, wait_for  # noqa: F401 - fixtures

from shaderviz.generators import checkpoint
from shaderviz.generators.gan import FORMAT, Generator
from shaderviz.generators.loader import load_generator


class Slow(torch.nn.Module):
    """A generator that takes a long time per image (a chain of matrix products)."""

    def __init__(self, rounds: int) -> None:
        super().__init__()
        self.latent_dim = 8
        self.rounds = rounds
        self.w = torch.nn.Parameter(torch.randn(256, 256) / 16)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = torch.zeros(128, 256) + z.sum()
        for _ in range(self.rounds):
            x = torch.tanh(x @ self.w)
        ramp = torch.linspace(-3.0, 3.0, 16)
        img = torch.sin(z[:, :3, None, None] * 2.0 + ramp[None, None, :, None] + ramp[None, None, None, :])
        return img + 0.0 * x.mean()


def recipe(path: Path) -> dict:
    with Image.open(path) as img:
        return json.loads(img.text["shaderviz:recipe"])


def fps(player: Player) -> float:
    match = re.search(r"\| (\d+) fps", player.title)
    return float(match.group(1)) if match else 0.0


def test_slow_generation_never_blocks_frames(play: Callable[..., Player], tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "slow.pt"
    torch.jit.script(Slow(rounds=300)).save(str(path))
    slow = load_generator(str(path))
    started = time.perf_counter()
    slow.generate(np.zeros((1, 8), np.float32))
    seconds = time.perf_counter() - started
    assert seconds > 0.08, "the slow generator is not slow enough to tell"

    player = play(f"gan:{path}", "--size", "64x48", "--fx", "saturate amount=0", "--seconds", "2")
    first = pixels(player.snapshot())
    wait_for(lambda: np.abs(pixels(player.snapshot()) - first).mean() > 2, 30, "the walk to move on")
    wait_for(lambda: fps(player) > 0, 10, "an fps figure in the title")
    rates = []
    for _ in range(4):  # while the worker keeps generating walk frames
        time.sleep(0.6)
        rates.append(fps(player))
    assert min(rates) > max(8.0, 2.0 / seconds), (rates, seconds)
    assert "Traceback" not in player.stderr


def test_g_makes_a_new_image_and_w_stops_the_walk(play: Callable[..., Player], tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "tiny.pt"
    torch.manual_seed(3)
    model = Generator({"size": 32, "latent": 16, "width": 32})
    checkpoint.atomic_save({"format": FORMAT, "config": model.config, "g_ema": model.state_dict()}, path)
    player = play(f"gan:{path}", "--size", "64x64", "--fx", "saturate amount=0", "--cycle", "3600")
    player.snapshot_where(lambda a: a.std() > 2, "a generated image")
    player.key("w")
    wait_for(lambda: "latent walk off" in (tmp_path / "play.out").read_text(), 10, "the walk to stop")
    time.sleep(0.5)  # a frame of the walk may still be on its way
    still = player.snapshot()
    assert np.array_equal(pixels(still), pixels(player.snapshot()))
    assert recipe(still)["preset"]["generator"]["walk"] is False
    player.key("g")
    changed = player.snapshot_where(lambda a: np.abs(a - pixels(still)).mean() > 2, "a new image after G")
    assert recipe(changed)["preset"]["generator"]["image"] == 1
    assert "Traceback" not in player.stderr


def test_cppn_network_in_the_window(play: Callable[..., Player], tmp_path: Path) -> None:  # noqa: F811
    player = play("cppn:5", "--size", "64x48", "--fx", "saturate amount=0")
    first = player.snapshot_where(lambda a: a.std() > 8, "the network's picture")
    player.key("g")
    changed = player.snapshot_where(lambda a: np.abs(a - pixels(first)).mean() > 8, "another network")
    assert recipe(changed)["preset"]["generator"]["image"] == 1
    assert recipe(changed)["preset"]["source"] == "cppn:5"


@pytest.fixture(autouse=True)
def _quiet_torch() -> None:
    torch.set_num_threads(1)
