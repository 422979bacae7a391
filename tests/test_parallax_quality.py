"""Parallax against ground truth (tests/viewsynth.py): scenes rendered from two cameras;
the parallax moves view A's camera to B. With the true depth the visible part must match
B closely, and the default edges must beat stretch where B shows what A could not see.
The same measurement, larger, is `python -m benchmarks.parallax --quality` (README)."""

from __future__ import annotations

import numpy as np
import pytest
from viewsynth import MARGIN, psnr, ssim, view_pair

from shaderviz.effects.chain import parse_fx
from shaderviz.render.renderer import Frame, Renderer

W, H = 320, 180
KINDS = ("closeup", "clutter", "street", "room", "tabletop", "landscape")


@pytest.fixture(scope="module")
def pairs(gl_ctx):  # noqa: ANN001, ANN201
    from shaderviz.depth.scenes import SceneRenderer

    renderer = SceneRenderer((W + 2 * MARGIN, H), ctx=gl_ctx, shadow_size=1024)
    try:
        return [view_pair(renderer, 1000 + i, KINDS[i % len(KINDS)], W, H, shift=0.08) for i in range(12)]
    finally:
        renderer.release()


def synthesize(gl_ctx, registry, pair, depth: np.ndarray, edges: str, refine: bool = False) -> np.ndarray:  # noqa: ANN001
    renderer = Renderer(gl_ctx, (W, H), registry)
    try:
        renderer.upload_source(pair.a)
        renderer.upload_depth(depth, refine=refine)
        fx = f"parallax motion=free x={pair.x:.6f} focus={pair.focus:.6f} height=1 edges={edges}"
        out = renderer.read(renderer.render([parse_fx(fx, registry)], Frame()))
        assert not renderer.errors
        return out
    finally:
        renderer.release()


def pooled(outputs: list[np.ndarray], pairs, mask: str) -> float:  # noqa: ANN001
    """PSNR over the chosen pixels of every pair together."""
    errors = [((o.astype(float) - p.b.astype(float)) ** 2)[getattr(p, mask)]
              for o, p in zip(outputs, pairs, strict=True)]
    mse = np.concatenate(errors).mean()
    return float(10 * np.log10(255**2 / mse))


def test_with_true_depth_the_visible_part_is_view_b(gl_ctx, registry, pairs) -> None:  # noqa: ANN001
    outputs = [synthesize(gl_ctx, registry, p, p.near_a, "fill") for p in pairs]
    assert pooled(outputs, pairs, "visible") > 33.0
    assert np.mean([ssim(o, p.b, p.visible) for o, p in zip(outputs, pairs, strict=True)]) > 0.95
    # The test is not trivial: doing nothing (view A as it is) is far off.
    assert pooled([p.a for p in pairs], pairs, "visible") < 27.0


def test_default_edges_beat_stretch_where_background_is_revealed(gl_ctx, registry, pairs) -> None:  # noqa: ANN001
    revealed = sum(int(p.revealed.sum()) for p in pairs)
    assert revealed > 2000  # enough disoccluded pixels to measure
    fill = [synthesize(gl_ctx, registry, p, p.near_a, "fill") for p in pairs]
    stretch = [synthesize(gl_ctx, registry, p, p.near_a, "stretch") for p in pairs]
    assert pooled(fill, pairs, "revealed") > pooled(stretch, pairs, "revealed") + 3.0
    def mean_ssim(outputs: list[np.ndarray]) -> float:
        return float(np.mean([ssim(o, p.b, p.revealed) for o, p in zip(outputs, pairs, strict=True)
                              if p.revealed.any()]))

    assert mean_ssim(fill) > mean_ssim(stretch)
    # ... and nothing is lost where A saw B's content.
    assert pooled(fill, pairs, "visible") > pooled(stretch, pairs, "visible") - 1.0
    assert all(psnr(o, p.b, p.visible) > 25 for o, p in zip(fill, pairs, strict=True))
