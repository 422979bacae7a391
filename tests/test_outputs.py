"""Writers, recipes and the render clock, in-process (the CLI end to end is in test_cli.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shaderviz.app.show import build_show
from shaderviz.errors import UserError
from shaderviz.outputs.snapshot import recipe_text, save_snapshot
from shaderviz.outputs.writers import open_writer
from shaderviz.render.renderer import Frame

SIZE = (16, 12)


def frame(value: int) -> np.ndarray:
    return np.full((SIZE[1], SIZE[0], 3), value, np.uint8)


def write_all(path: Path, count: int, text=None) -> None:  # noqa: ANN001
    writer = open_writer(path, count, SIZE, 10.0, 8.0, text)
    for i in range(count):
        writer.write(frame(20 * i))
    writer.finish()


# -- recipes and the render clock -------------------------------------------------------


def test_every_png_frame_carries_its_own_recipe(tmp_path) -> None:
    def text(number: int) -> dict[str, str]:
        return recipe_text({"frame": number})

    write_all(tmp_path / "f_%d.png", 3, text)
    write_all(tmp_path / "one.png", 1, text)
    for i in range(3):
        assert json.loads(Image.open(tmp_path / f"f_{i}.png").info["shaderviz:recipe"]) == {"frame": i}
    assert json.loads(Image.open(tmp_path / "one.png").info["shaderviz:recipe"]) == {"frame": 0}


def test_show_clock_from_a_recipe_time(registry, tmp_path) -> None:
    show = build_show(registry, "clouds", None, ["saturate"], (16, 12), 12.0, 2.0, 5)
    assert show.start_time is None and show.frame(30) == Frame(30, 30 / 12, 6 / 24, 5)
    # A recipe written by render: a whole frame, the same frames as a render from 0.
    path = save_snapshot(tmp_path / "r.png", frame(0), show.recipe(show.frame(30)))
    again = build_show(registry, None, str(path))
    assert again.start_time == 30 / 12
    assert [again.frame(i) for i in (0, 20)] == [show.frame(30), show.frame(50)]
    assert [again.loop_number(i) for i in (0, 17, 18)] == [1, 1, 2]
    # A snapshot of play: wall-clock seconds between frames, the phase as play has it.
    path = save_snapshot(tmp_path / "p.png", frame(0), show.recipe(show.frame_at(1.37, 412)))
    snap = build_show(registry, None, str(path))
    assert snap.frame(0) == show.frame_at(1.37, 0)
    assert snap.frame(3).time == pytest.approx(1.37 + 3 / 12)
    assert snap.frame(3).phase == pytest.approx((1.37 + 3 / 12) / 2)
    assert [snap.loop_number(i) for i in (0, 7, 8)] == [0, 0, 1]


def test_damaged_recipe_time_is_a_user_error(registry, tmp_path) -> None:
    show = build_show(registry, "clouds", None, ["saturate"], (16, 12))
    recipe = show.recipe(show.frame(0))
    for time in ("soon", -1, None):
        path = save_snapshot(tmp_path / "bad.png", frame(0), {**recipe, "time": time})
        with pytest.raises(UserError, match="recipe is damaged"):
            build_show(registry, None, str(path))


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(int)
