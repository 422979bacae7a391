"""Pointwise effects share the pass of the effect before them: same pixels, fewer passes."""

from __future__ import annotations

import numpy as np
import pytest

from shaderviz.effects.chain import parse_fx
from shaderviz.effects.registry import Registry
from shaderviz.render.grouping import fusion_groups
from shaderviz.render.renderer import Frame, Renderer

HELPER_EFFECT = """/*{{ "description": "{name}", "pointwise": true,
  "params": {{"amount": {{"type": "float", "default": 0.5, "min": 0, "max": 1}}}} }}*/
vec3 helper(vec3 c) {{ return c * {scale}; }}
vec4 effect(vec2 uv) {{ return vec4(mix(INPUT(uv).rgb, helper(INPUT(uv).rgb), amount), 1.0); }}
"""


FRAME = Frame(3, 0.1, 0.3, 1)


def render_both(gl_ctx, registry, chain_text, img, depth=None, frame=FRAME):
    outputs = []
    for fuse in (True, False):
        renderer = Renderer(gl_ctx, (img.shape[1], img.shape[0]), registry, fuse=fuse)
        try:
            renderer.upload_source(img)
            if depth is not None:
                renderer.upload_depth(depth)
            chain = [parse_fx(text, registry) for text in chain_text]
            outputs.append(renderer.read(renderer.render(chain, frame)).astype(int))
            fused = [key for key, program in renderer.programs.fused.items() if program is not None]
            errors = dict(renderer.errors)
        finally:
            renderer.release()
        if fuse:
            used = fused
    return outputs[0], outputs[1], used, errors


@pytest.fixture
def img():
    return np.random.default_rng(4).integers(0, 256, (23, 37, 3), dtype=np.uint8)


@pytest.mark.parametrize("chain", [
    ["rgb_split amount=0.05 angle=sine(20,200)", "saturate amount=2", "colorize palette=acid amount=0.6"],
    ["pixelate size=3", "colorize amount=sine(0,1) shift=0.3"],
    ["saturate amount=-0.5", "saturate amount=3"],
])
def test_fused_equals_effect_by_effect(gl_ctx, registry, img, chain):
    fused, separate, used, errors = render_both(gl_ctx, registry, chain, img)
    assert errors == {}
    assert len(used) == 1 and len(used[0]) == len(chain)  # one pass ran the whole chain
    # Between passes an 8-bit target rounds; inside a fused pass values stay float.
    assert np.abs(fused - separate).max() <= 3
    assert np.abs(fused - img.astype(int)).mean() > 5


def test_fused_depth_gating_per_member(gl_ctx, registry, img):
    depth = np.tile(np.linspace(0, 1, 37, dtype=np.float32), (23, 1))
    chain = ["rgb_split amount=0.03", "saturate amount=-1 depth_min=0.5 depth_soft=0",
             "colorize palette=ocean depth_max=0.3"]
    fused, separate, used, _ = render_both(gl_ctx, registry, chain, img, depth)
    assert used and np.abs(fused - separate).max() <= 3
    grey = fused[:, 20:]  # only the near half is desaturated, the far third colourised
    assert np.abs(grey[..., 0] - grey[..., 2]).max() <= 2


def test_groups_break_at_multi_pass_and_non_pointwise(registry):
    chain = [parse_fx(t, registry) for t in ["blur", "saturate", "rgb_split", "saturate", "colorize",
                                             "pixelate", "pixelsort"]]
    groups = fusion_groups([(registry.get(i.name), i) for i in chain])
    assert [[i.name for _, i in g] for g in groups] == [
        ["blur"], ["saturate"], ["rgb_split", "saturate", "colorize"], ["pixelate"], ["pixelsort"]]


def test_clashing_helpers_fall_back_to_separate_passes(gl_ctx, img, tmp_path):
    for name, scale in (("halve", 0.5), ("double", 2.0)):
        (tmp_path / f"{name}.glsl").write_text(HELPER_EFFECT.format(name=name, scale=scale))
    registry = Registry.load([tmp_path])
    fused, separate, used, errors = render_both(gl_ctx, registry, ["pixelate size=2", "halve", "double"], img)
    assert errors == {} and used == []  # both define helper(): no fused program
    assert np.array_equal(fused, separate)
