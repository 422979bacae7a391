"""A source's last pass declared ``"resamples"`` (the GAN's 2x upscale of its half-size
picture) is skipped when the first effect only samples its input: that effect reads the
half-size buffer itself. Anything that needs the full-size source gets it resampled."""

from __future__ import annotations

from pathlib import Path

import moderngl
import numpy as np
import pytest
import reference

from shaderviz.effects.chain import make_instance
from shaderviz.effects.registry import Registry
from shaderviz.effects.spec import parse_effect
from shaderviz.render.glsl import samples_input
from shaderviz.render.renderer import Frame, Renderer

SIZE = (64, 48)
TEXELS = """/*{"description": "the input's texels, one to one"}*/
vec4 effect(vec2 uv) { return texelFetch(inputImage, ivec2(gl_FragCoord.xy), 0); }
"""
ORIGINAL = """/*{"description": "the source image (the input sampled, times 0)"}*/
vec4 effect(vec2 uv) { return texture(inputImage, uv) * 0.0 + texture(sourceImage, uv); }
"""


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    return np.random.default_rng(3).integers(0, 256, (8, 8, 3), dtype=np.uint8)


@pytest.fixture
def draws(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts full-screen draws (every pass is one)."""
    count = [0]
    original = moderngl.VertexArray.render

    def render(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        count[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(moderngl.VertexArray, "render", render)
    return count


def run(ctx: moderngl.Context, registry: Registry, image: np.ndarray, chain: list[str],
        upscale: str = "cubic", enabled: bool = True, draws: list[int] | None = None,
        ) -> tuple[np.ndarray, Renderer]:
    """(the chain's output, the renderer) for the second frame; ``draws`` counts that
    frame's draws only (the first also draws the generator's crossfade variant, once)."""
    renderer = Renderer(ctx, SIZE, registry)
    effects = []
    for text in chain:
        name, *args = text.split()
        effects.append(make_instance(registry.get(name), dict(a.split("=") for a in args)))
        effects[-1].enabled = enabled
    renderer.upload_generated(image, fit="stretch")
    generator = make_instance(registry.get("gan", "source"), {"upscale": upscale, "walk": "false"})
    renderer.render(effects, Frame(0, 0.0, 0.0, 0), generator)
    if draws is not None:
        draws[0] = 0
    target = renderer.render(effects, Frame(1, 0.0, 0.0, 0), generator)
    assert renderer.errors == {}
    return renderer.read(target).astype(float), renderer


def gan_alone(ctx: moderngl.Context, registry: Registry, image: np.ndarray,
              upscale: str = "cubic") -> np.ndarray:
    output, renderer = run(ctx, registry, image, [], upscale)
    renderer.release()
    return output


def test_the_first_effect_samples_the_half_size_buffer(gl_ctx, registry, image, draws) -> None:  # noqa: ANN001
    source = gan_alone(gl_ctx, registry, image)
    output, renderer = run(gl_ctx, registry, image, ["rgb_split amount=0.05"], draws=draws)
    assert draws[0] == 2  # the GAN's half-size pass and the split: no 2x upscale pass
    # The split of the upscaled picture, read from the half-size one: equal but for the
    # second bilinear step the full-size picture would have added.
    expected = reference.rgb_split(source, 0.05)
    assert np.abs(output - expected).mean() < 0.6 and np.abs(output - expected).max() <= 6
    assert np.array_equal(renderer.read(renderer.source), source)  # reading it runs the upscale pass
    assert draws[0] == 3
    assert draws[0] == 3
    renderer.release()


def test_dropping_the_buffer_draws_the_waiting_pass_first(gl_ctx, registry, image) -> None:  # noqa: ANN001
    """A new source image drops every pass buffer (reset_state): the skipped pass is drawn
    from its buffer before that buffer goes."""
    source = gan_alone(gl_ctx, registry, image)
    _, renderer = run(gl_ctx, registry, image, ["rgb_split amount=0.05"])
    renderer.reset_state()
    assert np.array_equal(renderer.read(renderer.source), source)
    renderer.release()


def test_effects_that_need_the_full_size_source_get_it(gl_ctx, image, draws, tmp_path: Path) -> None:  # noqa: ANN001
    (tmp_path / "texels.glsl").write_text(TEXELS)
    (tmp_path / "original.glsl").write_text(ORIGINAL)
    registry = Registry.load([tmp_path])
    source = gan_alone(gl_ctx, registry, image)
    for chain, passes in ((["texels"], 3), (["original"], 3), (["rgb_split amount=0.05", "original"], 4)):
        output, renderer = run(gl_ctx, registry, image, chain, draws=draws)
        assert draws[0] == passes, chain
        assert np.array_equal(output, source), chain  # texels one to one; the source itself
        renderer.release()


def test_a_chain_that_runs_nothing_shows_the_upscaled_source(gl_ctx, registry, image) -> None:  # noqa: ANN001
    output, renderer = run(gl_ctx, registry, image, ["rgb_split amount=0.05"], enabled=False)
    assert np.array_equal(output, gan_alone(gl_ctx, registry, image))
    renderer.release()


def test_nearest_upscaling_keeps_its_pass(gl_ctx, registry, image, draws) -> None:  # noqa: ANN001
    source = gan_alone(gl_ctx, registry, image, "nearest")
    output, renderer = run(gl_ctx, registry, image, ["rgb_split amount=0"], "nearest", draws=draws)
    assert draws[0] == 3 and np.array_equal(output, source)  # the blocks stay sharp
    renderer.release()


@pytest.mark.parametrize(("code", "plain"), [
    ("vec4 effect(vec2 uv) { return texture(inputImage, uv) + textureLod( inputImage, uv, 0.0); }", True),
    ("vec4 effect(vec2 uv) { return INPUT(uv); }  // texelFetch(inputImage, p, 0) in a comment", True),
    ("vec4 effect(vec2 uv) { return texelFetch(inputImage, ivec2(0), 0); }", False),
    ("vec4 effect(vec2 uv) { return texture(inputImage, uv / vec2(textureSize(inputImage, 0))); }", False),
    ("vec4 blur(sampler2D t, vec2 p); vec4 effect(vec2 uv) { return blur(inputImage, uv); }", False),
])
def test_which_shaders_only_sample_their_input(code: str, plain: bool) -> None:
    text = "uniform sampler2D inputImage;\n#define INPUT(p) texture(inputImage, p)\n" + code
    assert samples_input(text) is plain


@pytest.mark.parametrize(("passes", "kind", "why"), [
    ('[{"target": "small"}, {"resamples": "big"}]', "source", "names an earlier pass's target"),
    ('[{"target": "small", "resamples": "small"}, {}]', "source", "for the last pass"),
    ('[{"target": "small"}, {"resamples": "small"}]', "effect", "a source's last pass"),
    ('[{"target": "small"}, {"resamples": "small", "unless": {"mode": "c"}}]', "source", "one of their"),
    ('[{"target": "small"}, {"unless": {"mode": "a"}}]', "source", "goes with resamples"),
])
def test_bad_resample_declarations_are_refused(passes: str, kind: str, why: str) -> None:
    header = (f'/*{{"description": "d", "kind": "{kind}", "passes": {passes},'
              '"params": {"mode": {"type": "choice", "default": "a", "values": ["a", "b"]}}}*/\n')
    with pytest.raises(ValueError, match=why):
        parse_effect(Path("thing.glsl"), header + "vec4 effect(vec2 uv) { return vec4(0.0); }\n")
