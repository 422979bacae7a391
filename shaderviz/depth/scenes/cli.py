"""Command line of ``python -m shaderviz.depth.scenes``: render a dataset into shards, or preview
PNGs (rgb | nearness)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from shaderviz.depth.scenes.kinds import make_scene, parse_weights
from shaderviz.depth.scenes.renderer import SceneRenderer, nearness, render_dataset


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Render synthetic RGB-D scenes into .npy shards.")
    p.add_argument("out", type=Path)
    p.add_argument("--count", type=int, default=12000)
    p.add_argument("--size", type=int, default=192)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--shard", type=int, default=500)
    p.add_argument("--start", type=int, default=0, help="first shard index (for parallel workers)")
    p.add_argument("--stop", type=int, default=None, help="shard index to stop before")
    p.add_argument("--preview", type=int, default=0, help="write N preview PNGs (rgb | nearness) instead")
    p.add_argument("--dusk", type=float, default=0.0, help="share of scenes relit at dusk / night")
    p.add_argument(
        "--kinds",
        default="",
        help="kind mix, e.g. floor=0.4,room=0.2,closeup=0.2,clutter=0.2 (default: the original mix)",
    )
    args = p.parse_args(argv)
    try:
        weights = parse_weights(args.kinds) if args.kinds else None
    except ValueError as err:
        p.error(str(err))
    if args.preview:
        from PIL import Image

        args.out.mkdir(parents=True, exist_ok=True)
        r = SceneRenderer(args.size)
        for i in range(args.preview):
            t0 = time.time()
            scene_seed = args.seed + i
            _, kind = make_scene(scene_seed, dusk=args.dusk, weights=weights)
            rgb, depth = r.render(scene_seed, dusk=args.dusk, weights=weights)
            near = (nearness(depth) * 255).astype(np.uint8)
            both = np.concatenate([rgb, np.repeat(near[..., None], 3, -1)], 1)
            Image.fromarray(both).save(args.out / f"scene_{scene_seed:05d}_{kind}.png")
            print(scene_seed, kind, f"{time.time() - t0:.3f}s")
        return
    render_dataset(
        args.out,
        args.count,
        args.size,
        args.seed,
        args.shard,
        args.start,
        args.stop,
        dusk=args.dusk,
        weights=weights,
    )
