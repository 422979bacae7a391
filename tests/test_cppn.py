"""The CPPN: the GLSL source equals the torch reference; networks are seeded."""

from __future__ import annotations

import numpy as np
import pytest

from shaderviz.effects.chain import make_instance
from shaderviz.effects.registry import Registry
from shaderviz.generators import cppn
from shaderviz.render.renderer import Frame, Renderer


def shader_image(gl_ctx, registry: Registry, size: tuple[int, int], params: dict, frame: Frame) -> np.ndarray:  # noqa: ANN001
    renderer = Renderer(gl_ctx, size, registry)
    try:
        generator = make_instance(registry.get("cppn", "source"), params)
        target = renderer.render([], frame, generator)
        assert renderer.errors == {}, renderer.errors
        return renderer.read(target).astype(np.float64) / 255.0
    finally:
        renderer.release()


def reference(registry: Registry, size: tuple[int, int], params: dict, phase: float, seed: int) -> np.ndarray:
    spec = registry.get("cppn", "source")
    value = {p.name: params.get(p.name, p.default) for p in spec.params}
    net = cppn.build(cppn.Settings(seed=value["seed"] if value["seed"] >= 0 else seed, image=value["image"],
                                   width=value["width"], layers=value["layers"], latents=value["latents"],
                                   activation=value["activation"]))
    position = value["speed"] * phase if value["walk"] else 0.0
    return cppn.render(net, size, position=position, radius=value["radius"], zoom=value["zoom"],
                       detail=value["detail"])


@pytest.mark.parametrize("params", [
    {"seed": 7},
    {"seed": 3, "activation": "sin", "width": 8, "layers": 2, "latents": 1},
    {"seed": 11, "activation": "gauss", "width": 32, "layers": 6, "latents": 8, "detail": 5.0, "zoom": 3.0},
    {"seed": 2, "activation": "softplus", "width": 5, "layers": 3, "image": 4},
    {"seed": 9, "activation": "tanh", "walk": False, "radius": 2.0},
])
def test_shader_equals_torch_reference(gl_ctx, registry: Registry, params: dict) -> None:  # noqa: ANN001
    size = (40, 24)
    for phase in (0.0, 0.3):
        got = shader_image(gl_ctx, registry, size, params, Frame(0, phase * 4, phase, 0))
        want = reference(registry, size, params, phase, 0)
        assert got.std() > 0.02  # not a flat image
        error = np.abs(got - want)
        assert error.mean() < 1.5 / 255 and error.max() < 8 / 255, (error.mean(), error.max())


def test_reference_is_wrong_for_another_network(gl_ctx, registry: Registry) -> None:  # noqa: ANN001
    """The comparison above can fail: a different image index is a different network."""
    got = shader_image(gl_ctx, registry, (40, 24), {"seed": 7}, Frame())
    other = reference(registry, (40, 24), {"seed": 7, "image": 1}, 0.0, 0)
    assert np.abs(got - other).mean() > 10 / 255


def test_show_seed_is_used_when_seed_is_minus_one(gl_ctx, registry: Registry) -> None:  # noqa: ANN001
    a = shader_image(gl_ctx, registry, (32, 32), {}, Frame(0, 0.0, 0.0, 5))
    b = shader_image(gl_ctx, registry, (32, 32), {"seed": 5}, Frame(0, 0.0, 0.0, 99))
    assert np.array_equal(a, b)


def test_walk_is_a_closed_loop(gl_ctx, registry: Registry) -> None:  # noqa: ANN001
    start = shader_image(gl_ctx, registry, (32, 32), {"seed": 4, "speed": 2}, Frame(0, 0.0, 0.0, 0))
    end = shader_image(gl_ctx, registry, (32, 32), {"seed": 4, "speed": 2}, Frame(0, 4.0, 0.999999, 0))
    middle = shader_image(gl_ctx, registry, (32, 32), {"seed": 4, "speed": 2}, Frame(0, 1.0, 0.25, 0))
    assert np.abs(start - end).max() < 2 / 255
    assert np.abs(start - middle).mean() > 4 / 255


def test_downscale_renders_a_smaller_network_pass(gl_ctx, registry: Registry) -> None:  # noqa: ANN001
    full = shader_image(gl_ctx, registry, (64, 64), {"seed": 1}, Frame())
    quarter = shader_image(gl_ctx, registry, (64, 64), {"seed": 1, "downscale": 4}, Frame())
    assert np.abs(full - quarter).mean() < 0.05  # the same picture, smoother
    assert not np.array_equal(full, quarter)


def test_network_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        cppn.build(cppn.Settings(width=33))
    a, b = cppn.build(cppn.Settings(seed=1)), cppn.build(cppn.Settings(seed=1))
    assert all(np.array_equal(x, y) for x, y in zip(a.weights, b.weights, strict=True))
