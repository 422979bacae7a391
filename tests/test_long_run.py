"""Long runs: GPU objects are reused or released, so state stays flat over many frames,
source swaps and chain edits."""

import resource

import numpy as np

from shaderviz.effects.chain import parse_fx
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
                sizes.append((len(renderer._buffers), len(renderer._kernels), len(renderer._compiled)))
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
