"""The parallax camera: identity, geometry against a ramp reference, the direction of
motion, seamless loops, revealed edges, dolly zoom, rotation and stereo."""

from __future__ import annotations

import numpy as np
import pytest
from depth_reference import parallax_ramp
from reference import bilinear, make_smooth_image, pixel_centres, to_float

from shaderviz.render.renderer import Frame

MOTIONS = ("orbit", "circle", "dolly", "zoom", "horizontal", "vertical", "free")
W, H = 160, 96
SQUARE = (slice(32, 64), slice(64, 96))  # rows, columns of the near square
NEAR, FAR = 0.9, 0.1


def two_layers() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A red square (depth 0.9) over a textured green-blue plane (depth 0.1): image,
    depth, and the plane alone (what is behind the square)."""
    plane = make_smooth_image(W, H, seed=11)
    plane[..., 0] = plane[..., 0] // 4  # little red in the background
    img = plane.copy()
    img[SQUARE] = (230, 20, 20)
    depth = np.full((H, W), FAR, np.float32)
    depth[SQUARE] = NEAR
    return img, depth, plane


def red(out: np.ndarray) -> np.ndarray:
    return (out[..., 0] > 0.6) & (out[..., 1] < 0.35) & (out[..., 2] < 0.35)


def centroid(mask: np.ndarray) -> tuple[float, float]:
    rows, cols = np.nonzero(mask)
    assert len(rows) > 200, "the square is lost"
    return float(cols.mean()), float(rows.mean())


@pytest.mark.parametrize("motion", MOTIONS)
@pytest.mark.parametrize("isometric", [0.0, 1.0])
def test_amount_zero_is_the_identity(render, motion, isometric) -> None:  # noqa: ANN001
    img, depth, _ = two_layers()
    fx = f"parallax motion={motion} amount=0 isometric={isometric}"
    out = render(img, [fx], Frame(phase=0.37), depth=depth)
    assert np.abs(out - to_float(img)).max() <= 1 / 255


@pytest.mark.parametrize("quality", [1, 3, 5])
@pytest.mark.parametrize("x, height, focus", [(0.05, 1.0, 0.5), (-0.08, 0.5, 0.3), (0.12, 2.0, 0.8)])
def test_ramp_matches_the_camera_model(render, quality, x, height, focus) -> None:  # noqa: ANN001
    """Depth rising left to right: a camera offset x shows at u the input at u' with
    aspect (u' - u) = x height (u' - focus) (tests/depth_reference.py)."""
    img = make_smooth_image(W, H, seed=12)
    depth = np.tile(((np.arange(W) + 0.5) / W).astype(np.float32), (H, 1))
    fx = f"parallax motion=free x={x} height={height} focus={focus} quality={quality}"
    out = render(img, [fx], depth=depth)
    expected, inside = parallax_ramp(to_float(img), x, height, focus)
    assert inside.mean() > 0.7
    assert np.abs(out[inside] - expected[inside]).max() <= 3 / 255


@pytest.mark.parametrize(
    "fx, moves",
    [
        ("x=0.1", (-1, 0)),  # camera right: nearer things move left
        ("x=-0.1", (1, 0)),
        ("y=0.1", (0, 1)),  # camera up: nearer things move down (rows grow downward)
        ("y=-0.1", (0, -1)),
    ],
)
def test_near_moves_against_the_camera_and_the_focus_stays(render, fx, moves) -> None:  # noqa: ANN001
    img, depth, _ = two_layers()
    out = render(img, [f"parallax motion=free focus={FAR} {fx}"], depth=depth)
    (x0, y0), (x1, y1) = centroid(red(to_float(img))), centroid(red(out))
    expected = 0.1 * 1.0 * (NEAR - FAR) * H  # amount x height x depth difference, image heights
    assert abs((x1 - x0) - moves[0] * expected) < 1.0 and abs((y1 - y0) - moves[1] * expected) < 1.0
    far_away = np.s_[:, :40]  # the plane at the focus depth stays exactly where it is
    assert np.abs(out[far_away] - to_float(img)[far_away]).max() <= 1 / 255


def test_the_far_layer_moves_when_the_near_one_is_in_focus(render) -> None:  # noqa: ANN001
    img, depth, _ = two_layers()
    out = render(img, [f"parallax motion=free focus={NEAR} x=0.1"], depth=depth)
    assert abs(centroid(red(out))[0] - centroid(red(to_float(img)))[0]) < 0.5  # the square stays
    assert np.abs(out[:, :40] - to_float(img)[:, :40]).mean() > 0.01  # the plane slides


@pytest.mark.parametrize("motion", MOTIONS[:-1])
def test_every_motion_loops_seamlessly(render, motion) -> None:  # noqa: ANN001
    img, depth, _ = two_layers()
    fx = [f"parallax motion={motion} amount=0.1 cycles=2"]
    start, end, between = (render(img, fx, Frame(phase=p), depth=depth) for p in (0.0, 1.0, 0.1))
    assert np.abs(start - end).max() <= 1 / 255
    assert np.abs(start - between).mean() > 0.005  # and it moves


def test_horizontal_and_vertical_move_along_their_axis(render) -> None:  # noqa: ANN001
    img, depth, _ = two_layers()
    x0, y0 = centroid(red(to_float(img)))
    for motion, axis in (("horizontal", 0), ("vertical", 1)):
        out = render(img, [f"parallax motion={motion} amount=0.1"], Frame(phase=0.25), depth=depth)
        at = centroid(red(out))
        moved = (at[0] - x0, at[1] - y0)
        assert abs(moved[axis]) > 2.5 and abs(moved[1 - axis]) < 0.5, (motion, moved)


def test_revealed_background_comes_from_the_background(render) -> None:  # noqa: ANN001
    """Camera right: the square moves left by ~11.5 px and uncovers a strip on its right.
    stretch smears the square's edge across it (red); fill shows background there."""
    img, depth, plane = two_layers()
    strip = np.s_[34:62, 87:95]  # inside the old square, right of where it is now
    results = {}
    for edges in ("fill", "stretch"):
        out = render(img, [f"parallax motion=free focus={FAR} x=0.15 edges={edges}"], depth=depth)
        results[edges] = (red(out[strip]).mean(), np.abs(out[strip] - to_float(plane)[strip]).mean())
    assert results["stretch"][0] > 0.15 and results["stretch"][1] > 0.2, results  # the red edge, smeared
    assert results["fill"][0] == 0.0 and results["fill"][1] < 0.08, results
    # Away from the square (moved to columns 52..84, plus the strip it uncovered) the two agree.
    fill = render(img, [f"parallax motion=free focus={FAR} x=0.15"], depth=depth)
    stretch = render(img, [f"parallax motion=free focus={FAR} x=0.15 edges=stretch"], depth=depth)
    differs = np.abs(fill - stretch).max(axis=2) > 2 / 255
    differs[30:66, 50:98] = False
    assert not differs.any()


def test_the_fill_takes_the_colours_of_the_effect_before(render) -> None:  # noqa: ANN001
    img, depth, _ = two_layers()
    out = render(img, ["saturate amount=-1", f"parallax motion=free focus={FAR} x=0.15"], depth=depth)
    assert np.abs(out - out.mean(axis=2, keepdims=True)).max() < 3 / 255  # grey in, grey out


def _scaled_about_the_centre(img: np.ndarray, factor: float) -> np.ndarray:
    """Content magnified by ``factor`` about the image centre."""
    height, width = img.shape[:2]
    x, y = pixel_centres(width, height)
    return bilinear(img, width / 2 + (x - width / 2) / factor, height / 2 + (y - height / 2) / factor)


def test_dolly_magnifies_and_dolly_zoom_keeps_the_focus_plane(render) -> None:  # noqa: ANN001
    img = make_smooth_image(W, H, seed=13)
    flat = np.full((H, W), 0.5, np.float32)  # everything on the focus plane
    inner = np.s_[10:-10, 10:-10]
    dolly = render(img, ["parallax motion=dolly amount=0.4"], Frame(phase=0.5), depth=flat)
    expected = _scaled_about_the_centre(to_float(img), 1 / (1 - 0.4))  # 0.4 nearer: 1/0.6 larger
    assert np.abs(dolly[inner] - expected[inner]).max() <= 3 / 255
    zoom = render(img, ["parallax motion=zoom amount=0.4"], Frame(phase=0.5), depth=flat)
    assert np.abs(zoom - to_float(img)).max() <= 2 / 255
    # Off the focus plane, the dolly zoom changes sizes: the far plane grows in the picture
    # (the camera comes nearer, the lens widens to keep the focus plane's size).
    img2, depth2, _ = two_layers()
    zoomed = render(img2, ["parallax motion=zoom amount=0.4 focus=0.9"], Frame(phase=0.5), depth=depth2)
    assert abs(red(zoomed).sum() - red(to_float(img2)).sum()) < 40  # the square keeps its size
    assert np.abs(zoomed[:, :30] - to_float(img2)[:, :30]).mean() > 0.01


def test_rotation_turns_the_picture_counter_clockwise(render) -> None:  # noqa: ANN001
    img = make_smooth_image(64, 64, seed=14)
    out = render(img, ["parallax amount=0 rotation=90"], depth=np.full((64, 64), 0.5, np.float32))
    assert np.abs(out - np.rot90(to_float(img), 1)).max() <= 2 / 255


def test_stereo_views(render) -> None:  # noqa: ANN001
    img, depth, _ = two_layers()
    views = {x: render(img, [f"parallax motion=free x={x} focus=0.5"], depth=depth) for x in (-0.03, 0.03)}
    anaglyph = render(img, ["parallax motion=free stereo=anaglyph eye=0.06 focus=0.5"], depth=depth)
    assert np.abs(anaglyph[..., 0] - views[-0.03][..., 0]).max() <= 1 / 255  # left eye: red
    assert np.abs(anaglyph[..., 1:] - views[0.03][..., 1:]).max() <= 1 / 255  # right eye: cyan
    side = render(img, ["parallax motion=free stereo=side eye=0.2 focus=0.5"], depth=depth)
    left, right = red(side[:, : W // 2]), red(side[:, W // 2 :])
    # Nearer than the focus: crossed disparity, the left eye sees the square further right.
    assert centroid(left)[0] > centroid(right)[0] + 2
    assert abs(centroid(left)[1] - centroid(right)[1]) < 0.5
