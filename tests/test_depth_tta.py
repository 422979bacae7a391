"""benchmarks/depth_tta.py measures inference-side variants of the depth model against the
estimator's own path: its "shipped" row must be exactly what DepthEstimator computes, and
each variant must change only what it says (stand-in models, no weights)."""

from __future__ import annotations

import numpy as np
from test_depth import LeftIsNear, image, tiny

from benchmarks.depth_tta import VARIANTS, Variant, variant_map
from shaderviz.depth.estimator import DepthEstimator
from shaderviz.depth.loaders import LoadedModel


def left_is_near() -> LoadedModel:
    return LoadedModel(LeftIsNear(), "left", "test", "left", default_size=32, multiple=8)


def estimator(model: LoadedModel, **kw) -> DepthEstimator:  # noqa: ANN003
    return DepthEstimator(model, size=32, cache_dir=False, device="cpu", memory_items=0, **kw)


def test_the_shipped_row_is_the_estimators_map() -> None:
    assert VARIANTS[0].passes == [(192, False)] and VARIANTS[0].guided == 0 and VARIANTS[0].smooth == 3
    img = image(40, 60)
    for model in (tiny(), left_is_near()):
        np.testing.assert_array_equal(
            variant_map(model, img, Variant("x", [(32, False)])), estimator(model).estimate(img)
        )


def test_mirror_and_guided_rows_match_the_estimators_options() -> None:
    img = image(40, 60, seed=3)
    model = left_is_near()  # not mirror-symmetric: mirroring changes its map
    mirrored = variant_map(model, img, Variant("m", [(32, True)]))
    np.testing.assert_array_equal(mirrored, estimator(model, flip=True).estimate(img))
    assert np.abs(mirrored - estimator(model).estimate(img)).max() > 0.2
    refined = variant_map(tiny(), img, Variant("g", [(32, False)], guided=1.0))
    np.testing.assert_array_equal(refined, estimator(tiny(), guided=True).estimate(img))
    half = variant_map(tiny(), img, Variant("g", [(32, False)], guided=0.5))
    plain = estimator(tiny()).estimate(img)
    np.testing.assert_allclose(half, (plain + refined) / 2, atol=2e-3)  # float16 rounding of each
    assert np.abs(half - plain).max() > 0.01


def test_shift_and_scales_leave_a_shift_invariant_model_alone() -> None:
    """Brightness is pointwise, so a shifted pass or a second scale adds nothing but resampling."""
    img = np.repeat(np.linspace(0, 255, 64).astype(np.uint8)[None, :, None], 48, 0).repeat(3, 2)
    plain = variant_map(tiny(), img, Variant("p", [(32, False)]))
    shifted = variant_map(tiny(), img, Variant("s", [(32, False)], shift=True))
    np.testing.assert_allclose(shifted, plain, atol=2e-3)
    scales = variant_map(tiny(), img, Variant("2", [(32, False), (48, False)]))
    np.testing.assert_allclose(scales, plain, atol=0.03)
    # and a biased model's shifted pass is the bias moved back, not a different map
    biased = variant_map(left_is_near(), img, Variant("b", [(32, False)], shift=True))
    assert biased[:, :8].mean() > biased[:, -8:].mean()
