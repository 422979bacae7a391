"""``python -m shaderviz.synth KIND OUT --count N [--size S] [--seed K] [--workers W]``:
write ``KIND_SEED.png`` for seeds K .. K+N-1 (existing files are kept, so an interrupted
run continues where it stopped)."""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image

from shaderviz.synth import KINDS, renderer


def _write(job: tuple[str, int, int, str]) -> None:
    kind, seed, size, folder = job
    path = Path(folder) / f"{kind}_{seed:07d}.png"
    if path.exists():
        return
    tmp = path.with_name(f".{path.name}.tmp")  # not an image name: a reader never sees half a file
    Image.fromarray(renderer(kind)(seed, (size, size))).save(tmp, format="PNG")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m shaderviz.synth", description=__doc__)
    p.add_argument("kind", choices=sorted(KINDS))
    p.add_argument("out", type=Path)
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--size", type=int, default=128, help="side of the square images (default 128)")
    p.add_argument("--seed", type=int, default=0, help="first seed")
    p.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 1)))
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    jobs = [(args.kind, s, args.size, str(args.out)) for s in range(args.seed, args.seed + args.count)]
    started = time.perf_counter()
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            for _ in pool.map(_write, jobs, chunksize=32):
                pass
    else:
        for job in jobs:
            _write(job)
    took = time.perf_counter() - started
    each = 1000 * took / max(1, args.count)
    print(f"{args.kind}: {args.count} images in {args.out} ({took:.0f} s, {each:.1f} ms each)")
