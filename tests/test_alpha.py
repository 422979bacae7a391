"""Alpha through the chain: depth_key, --background COLOR|transparent, alpha codecs."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from test_cli import ok, one_line_error, shaderviz
from test_codecs import decode

from shaderviz.effects.chain import parse_fx
from shaderviz.render.renderer import Frame, Renderer

W, H = 40, 24
RAMP = np.tile(np.linspace(0, 1, W, dtype=np.float32), (H, 1))  # far on the left, near on the right


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    return np.random.default_rng(5).integers(0, 256, (H, W, 3), dtype=np.uint8)


def render_rgba(gl_ctx, registry, image, chain, alpha, background=(0.0, 0.0, 0.0)) -> np.ndarray:
    renderer = Renderer(gl_ctx, (W, H), registry, alpha=alpha, background=background)
    try:
        renderer.upload_source(image)
        renderer.upload_depth(RAMP)
        target = renderer.render([parse_fx(c, registry) for c in chain], Frame())
        assert renderer.errors == {}
        data = target.fbo.read(components=4, alignment=1)
        return np.frombuffer(data, np.uint8).reshape(H, W, 4)[::-1].astype(float) / 255
    finally:
        renderer.release()


def key_reference(cut: float, soft: float, keep: str) -> np.ndarray:
    s = max(soft, 1e-5)
    t = np.clip((RAMP - (cut - s / 2)) / s, 0, 1)
    near = t * t * (3 - 2 * t)
    return near if keep == "near" else 1 - near


@pytest.mark.parametrize("keep, cut, soft", [("near", 0.5, 0.2), ("far", 0.3, 0.05), ("near", 0.7, 0.0)])
def test_depth_key_alpha_matches_a_numpy_reference(gl_ctx, registry, image, keep, cut, soft):
    out = render_rgba(gl_ctx, registry, image, [f"depth_key keep={keep} cut={cut} soft={soft}"], alpha=True)
    assert np.abs(out[..., 3] - key_reference(cut, soft, keep)).max() <= 1.5 / 255
    assert np.abs(out[..., :3] - image / 255).max() <= 1 / 255  # colour is untouched (straight alpha)


def test_opaque_output_lays_the_key_over_the_background(gl_ctx, registry, image):
    red = (1.0, 0.0, 0.0)
    chain = ["depth_key cut=0.5 soft=0.2", "saturate amount=0"]
    out = render_rgba(gl_ctx, registry, image, chain, alpha=False, background=red)
    a = key_reference(0.5, 0.2, "near")[..., None]
    want = image / 255 * a + np.array(red) * (1 - a)
    assert np.abs(out[..., :3] - want).max() <= 2 / 255
    assert (out[..., 3] == 1).all()


def test_effects_after_the_key_keep_its_alpha(gl_ctx, registry, image):
    chain = ["depth_key cut=0.5 soft=0", "saturate amount=1", "colorize amount=0.5", "rgb_split amount=0",
             "pixelate size=1", "blur radius=0", "sharpen amount=0"]
    out = render_rgba(gl_ctx, registry, image, chain, alpha=True)
    assert np.abs(out[..., 3] - key_reference(0.5, 0.0, "near")).max() <= 1.5 / 255


def test_without_alpha_every_output_is_opaque_as_before(gl_ctx, registry, image):
    out = render_rgba(gl_ctx, registry, image, ["saturate amount=0.5"], alpha=False)
    assert (out[..., 3] == 1).all()


@pytest.fixture(scope="module")
def files(tmp_path_factory, image):
    folder = tmp_path_factory.mktemp("alpha")
    Image.fromarray(image).save(folder / "img.png")
    Image.fromarray((RAMP * 65535).astype(np.uint16)).save(folder / "depth.png")
    return folder


@pytest.mark.parametrize("codec, suffix", [("hap_alpha", ".mov"), ("prores_4444", ".mov"), (None, ".png")])
def test_alpha_codecs_keep_the_key(files, tmp_path, codec, suffix):
    out = tmp_path / f"k{suffix}"
    args = ["render", str(files / "img.png"), "--depth", str(files / "depth.png"), "--fx",
            "depth_key cut=0.5 soft=0", "--background", "transparent", "--frames", "1", "-o", str(out),
            "--quiet"]
    ok(*args, *(["--codec", codec] if codec else []))
    alpha = decode(out)[0, ..., 3] if suffix == ".mov" else np.asarray(Image.open(out))[..., 3]
    want = key_reference(0.5, 0.0, "near") * 255
    assert np.abs(alpha.astype(float) - want).max() <= 8  # DXT5 / 4444 quantise alpha a little


def test_transparent_needs_an_output_with_alpha(files, tmp_path):
    line = one_line_error(shaderviz("render", str(files / "img.png"), "--fx", "depth_key", "--background",
                                    "transparent", "--frames", "1", "-o", str(tmp_path / "x.mp4")))
    assert "h264 has no alpha channel" in line and "hap_alpha" in line
    line = one_line_error(shaderviz("render", "--fx", "saturate", "--background", "pink", "--frames", "1",
                                    "-o", str(tmp_path / "x.png")))
    assert "--background: expected transparent or a colour" in line
    assert list(tmp_path.iterdir()) == []


def test_background_is_in_the_recipe(files, tmp_path):
    out = tmp_path / "k.png"
    ok("render", str(files / "img.png"), "--depth", str(files / "depth.png"), "--fx", "depth_key cut=0.5",
       "--background", "#00ff00", "--frames", "1", "-o", str(out), "--quiet")
    again = tmp_path / "again.png"
    ok("render", "--preset", str(out), "-o", str(again), "--quiet")
    assert np.array_equal(np.asarray(Image.open(out)), np.asarray(Image.open(again)))
    assert np.asarray(Image.open(out))[0, 0].tolist() == [0, 255, 0]
