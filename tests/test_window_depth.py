"""`D` and mouse steering of the parallax camera in the real window under Xvfb, and the
steering's easing headless."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_window import Player, display, pixels, play, wait_for  # noqa: F401  (fixtures)

from shaderviz.app.camerasteer import CameraSteer
from shaderviz.effects.chain import parse_fx
from shaderviz.effects.modulation import Modulator


@pytest.fixture
def layered(tmp_path: Path) -> tuple[Path, Path]:
    """A red square (near) over horizontal grey stripes (far), and its depth file."""
    rgb = np.zeros((120, 160, 3), np.uint8)
    rgb[::8] = 200
    rgb[1::8] = 200
    rgb[40:80, 60:100] = (230, 20, 20)
    depth = np.full((120, 160), 40, np.uint8)
    depth[40:80, 60:100] = 230
    image, depth_path = tmp_path / "layered.png", tmp_path / "layered-depth.png"
    Image.fromarray(rgb).save(image)
    Image.fromarray(depth).save(depth_path)
    return image, depth_path


def test_d_shows_the_depth_map_over_the_chain(play: Callable[..., Player], layered) -> None:  # noqa: ANN001, F811
    image, depth = layered
    player = play(str(image), "--depth", str(depth), "--size", "160x120", "--fx", "colorize palette=acid")
    player.snapshot_where(lambda a: a.std() > 20, "the colorized image")
    player.key("d")
    is_grey = lambda a: np.abs(a[..., 0] - a[..., 2]).max() <= 2  # noqa: E731
    grey = pixels(player.snapshot_where(is_grey, "the grey depth map"))
    assert abs(grey[60, 80, 0] - 230) <= 3 and abs(grey[10, 10, 0] - 40) <= 3  # the map itself, over colorize
    assert "depth view on" in player.out_path.read_text()
    player.key("d")
    player.snapshot_where(lambda a: np.abs(a[..., 0] - a[..., 2]).max() > 50, "the chain again")


def test_the_mouse_steers_the_parallax_camera(play: Callable[..., Player], layered) -> None:  # noqa: ANN001, F811
    image, depth = layered
    player = play(str(image), "--depth", str(depth), "--size", "160x120",
                  "--fx", "parallax motion=free focus=0.15")

    def square_x(a: np.ndarray) -> float:
        red = (a[..., 0] > 150) & (a[..., 1] < 90)
        return float(np.nonzero(red)[1].mean()) if red.sum() > 200 else float("nan")

    geometry = player.xdotool("getwindowgeometry", "--shell", player.window)
    size = dict(line.split("=") for line in geometry.splitlines())
    width, height = int(size["WIDTH"]), int(size["HEIGHT"])
    player.xdotool("mousemove", "--window", player.window, str(width // 2), str(height // 2))
    centred = player.snapshot_where(lambda a: abs(square_x(a) - 79.5) < 1.5, "the square centred")
    centre = square_x(pixels(centred))
    player.xdotool("mousemove", "--window", player.window, str(width - 2), str(height // 2))
    # Pointer at the right edge: the camera eases right, the near square moves left.
    moved = pixels(player.snapshot_where(lambda a: square_x(a) < centre - 4, "the square moved left"))
    assert square_x(moved) > centre - 0.1 * 0.8 * 120 - 2  # never past the steering's reach
    player.xdotool("mousemove", "--window", player.window, "2", str(height // 2))
    player.snapshot_where(lambda a: square_x(a) > centre + 4, "the square moved right")
    assert "Traceback" not in player.stderr


def test_steering_eases_and_keeps_the_effects_own_offset(registry) -> None:  # noqa: ANN001
    chain = [parse_fx("parallax x=0.02 y=sine(-0.01,0.01)", registry), parse_fx("blur", registry)]
    steer = CameraSteer(reach=0.1, ease=0.25)
    steer.apply(chain, registry, 0.0)
    assert chain[0].values["x"] == pytest.approx(0.02)
    steer.point(1.0, 0.0)  # top-right corner: camera right and up
    xs = []
    for step in range(1, 41):
        steer.apply(chain, registry, step * 0.025)  # 40 frames of 25 ms
        xs.append(chain[0].values["x"])
    assert all(b > a for a, b in zip(xs, xs[1:], strict=False))  # eases monotonically, no jump
    assert xs[0] - 0.02 < 0.02  # the first frame moves only part of the way
    assert xs[-1] == pytest.approx(0.12, abs=0.002)
    y = chain[0].values["y"]
    assert isinstance(y, Modulator) and y.lo == pytest.approx(0.09, abs=0.002)  # shifted as a whole
    assert "x" not in chain[1].values


def test_depth_view_stays_last_and_leaves_no_trace(registry) -> None:  # noqa: ANN001
    from shaderviz.app.depthview import DepthView

    chain = [parse_fx("blur", registry)]
    view = DepthView()
    view.toggle()
    view.apply(chain, registry)
    chain.append(parse_fx("saturate", registry))
    view.apply(chain, registry)
    assert [i.name for i in chain] == ["blur", "saturate", "depthmap"]
    view.toggle()
    view.apply(chain, registry)
    assert [i.name for i in chain] == ["blur", "saturate"]
