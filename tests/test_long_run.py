"""Long runs: GPU objects are reused or released, so state stays flat over many frames,
source swaps and chain edits."""

import resource
from collections.abc import Iterator

import moderngl
import numpy as np
import pytest
from PIL import Image

from shaderviz.effects.chain import parse_fx
from shaderviz.render.context import headless_context
from shaderviz.render.renderer import Frame, Renderer


def test_state_stays_flat_over_frames_swaps_and_chain_edits(gl_ctx, registry):
    renderer = Renderer(gl_ctx, (64, 48), registry)
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (48, 64, 3), dtype=np.uint8) for _ in range(4)]
    fixed = [parse_fx("blur radius=sine(1,20)", registry), parse_fx("pixelsort mode=flow speed=2", registry)]
    sizes = []
    try:
        for frame in range(400):
            if frame % 8 == 0:  # a source swap: upload, and sort state starts again
                renderer.upload_source(images[frame // 8 % 4])
                renderer.reset_state()
            # A chain edit every few frames: instances come and go with their buffers.
            extra = [parse_fx("sharpen radius=10", registry)] if frame % 10 < 5 else []
            renderer.render(fixed + extra, Frame(frame, frame / 30, (frame % 30) / 30))
            if frame % 50 == 49:
                renderer.ctx.finish()
                sizes.append((len(renderer._buffers), len(renderer._kernels), len(renderer.programs.effects)))
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert renderer.errors == {}
        # Blur's pass buffers (one per scale it visited), the sort kernel; nothing piles up.
        assert max(s[0] for s in sizes) <= 9 and max(s[1] for s in sizes) == 1
        assert len({s[2] for s in sizes}) == 1
        before = rss
        for frame in range(400, 600):
            renderer.render(fixed, Frame(frame, frame / 30, (frame % 30) / 30))
        renderer.ctx.finish()
        assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # kB
    finally:
        renderer.release()


# -- GL objects: every one made is released, none piles up per frame or per swap ------

FACTORIES = ("texture", "texture_array", "texture3d", "texture_cube", "depth_texture", "buffer",
             "framebuffer", "simple_framebuffer", "renderbuffer", "depth_renderbuffer", "program",
             "vertex_array", "simple_vertex_array", "compute_shader", "sampler")


class GLObjects:
    """Counts the GL objects made through ``ctx`` that are not released yet (moderngl marks
    a released object by replacing its ``mglo`` with an InvalidObject)."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.made: dict[int, object] = {}
        for name in FACTORIES:
            make = getattr(ctx, name, None)
            if make is not None:
                setattr(ctx, name, self._counting(make))

    def _counting(self, make):  # noqa: ANN001, ANN202
        def made(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            obj = make(*args, **kwargs)
            self.made[id(obj)] = obj  # kept: a dropped, unreleased object is still counted
            return obj

        return made

    def alive(self) -> int:
        return sum(not isinstance(o.mglo, moderngl.mgl.InvalidObject) for o in self.made.values())


@pytest.fixture
def counted_ctx() -> Iterator[tuple[moderngl.Context, GLObjects]]:
    ctx = headless_context()
    try:
        yield ctx, GLObjects(ctx)
    finally:
        ctx.release()


def test_gl_objects_stay_flat_over_frames_swaps_and_edits(counted_ctx, registry):
    """Cycles of 40 frames, a source swap every other frame, chain edits, a turning sort
    angle: after the first cycle every cycle ends with exactly as many live GL objects as
    the one before (one leaked texture per frame would add 40), and release() frees all."""
    ctx, objects = counted_ctx
    renderer = Renderer(ctx, (48, 32), registry)
    rng = np.random.default_rng(1)
    images = [rng.integers(0, 256, (32, 48, 3), dtype=np.uint8) for _ in range(3)]
    fixed = [parse_fx("blur radius=sine(1,20)", registry), parse_fx("saturate amount=0.5", registry),
             parse_fx("pixelsort mode=flow speed=2 angle=saw(-60,60)", registry)]
    instant = parse_fx("pixelsort key=hue axis=y", registry)
    at_cycle_end = []
    try:
        for cycle in range(5):
            for step in range(40):
                frame = cycle * 40 + step
                if step % 2 == 0:  # a new source image: uploaded, sort state starts again
                    renderer.upload_source(images[frame // 2 % 3])
                    renderer.reset_state()
                extra = [parse_fx("sharpen radius=10", registry), instant] if step % 10 < 5 else []
                renderer.render(fixed + extra, Frame(frame, frame / 30, step / 40))
            ctx.finish()
            at_cycle_end.append(objects.alive())
        assert renderer.errors == {}
        assert len(set(at_cycle_end[1:])) == 1, at_cycle_end
    finally:
        renderer.release()
    assert objects.alive() == 0, "GL objects the renderer made and never released"


def test_a_render_releases_every_gl_object_it_makes(registry, tmp_path, monkeypatch):
    """`render` end to end (folder source: a swap per loop): whatever it made is released
    before the context goes, however many frames it rendered."""
    from shaderviz.app.show import build_show
    from shaderviz.outputs import recorder

    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(3):
        Image.fromarray(np.random.default_rng(i).integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(
            folder / f"{i}.png")
    left: list[int] = []

    def counted_context() -> moderngl.Context:
        ctx = headless_context()
        objects = GLObjects(ctx)
        release = ctx.release

        def release_and_count() -> None:
            left.append(objects.alive())
            release()

        ctx.release = release_and_count
        return ctx

    monkeypatch.setattr(recorder, "headless_context", counted_context)
    for frames in (3, 36):
        show = build_show(registry, str(folder), fx=["blur radius=6", "pixelsort mode=flow speed=3"], fps=12,
                          seconds=0.5)
        recorder.record(show, tmp_path / f"out{frames}", frames, progress=False)
    assert left == [0, 0]
