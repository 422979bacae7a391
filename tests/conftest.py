"""Shared fixtures: one headless GL context, the built-in registry, a render helper."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import moderngl
import numpy as np
import pytest

from shaderviz.effects.chain import EffectInstance, make_instance, parse_fx
from shaderviz.effects.registry import Registry
from shaderviz.render.context import headless_context
from shaderviz.render.renderer import Frame, Renderer

sys.path.insert(0, str(Path(__file__).resolve().parent))  # so tests can `import reference`

RenderFn = Callable[..., np.ndarray]


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point XDG_CACHE_HOME at an empty folder: a depth map or dream cached by an earlier
    run (or by the user) must not answer for the code under test."""
    yield from _environ_folder("XDG_CACHE_HOME", tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session", autouse=True)
def isolated_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point XDG_CONFIG_HOME at an empty folder: the user's own effects must not leak in."""
    yield from _environ_folder("XDG_CONFIG_HOME", tmp_path_factory.mktemp("config"))


def _environ_folder(name: str, folder: Path) -> Iterator[Path]:
    old = os.environ.get(name)
    os.environ[name] = str(folder)
    yield folder
    if old is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = old


@pytest.fixture(scope="session")
def gl_ctx() -> Iterator[moderngl.Context]:
    ctx = headless_context()
    yield ctx
    ctx.release()


@pytest.fixture(scope="session")
def registry(isolated_config: Path) -> Registry:
    return Registry.load()


@pytest.fixture
def render(gl_ctx: moderngl.Context, registry: Registry) -> RenderFn:
    """``render(img, chain, frame=Frame(), depth=None, generator=None, registry_=None)``.

    ``img`` is (H, W, 3) uint8, top row first; ``chain`` is a list of ``--fx`` strings
    or EffectInstances. Returns the output as (H, W, 3) float64 in 0..1.
    """

    def _render(
        img: np.ndarray,
        chain: Sequence[str | EffectInstance],
        frame: Frame | None = None,
        depth: np.ndarray | None = None,
        generator: str | EffectInstance | None = None,
        registry_: Registry | None = None,  # another registry (user effects)
    ) -> np.ndarray:
        reg = registry_ or registry
        height, width = img.shape[:2]
        instances = [parse_fx(c, reg) if isinstance(c, str) else c for c in chain]
        if isinstance(generator, str):
            name, *pairs = generator.split()
            generator = make_instance(reg.get(name, "source"), dict(p.split("=", 1) for p in pairs))
        renderer = Renderer(gl_ctx, (width, height), reg)
        try:
            renderer.upload_source(img)
            if depth is not None:
                renderer.upload_depth(depth)
            target = renderer.render(instances, frame or Frame(), generator)
            assert renderer.errors == {}, renderer.errors
            return renderer.read(target).astype(np.float64) / 255.0
        finally:
            renderer.release()

    return _render
