"""``render FOLDER -o DIR --jobs N | --ray [ADDRESS|auto]``: the batch from the command line."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shaderviz.batch.plan import Result


def add_arguments(render: argparse.ArgumentParser) -> None:
    render.add_argument("--jobs", type=int, metavar="N",
                        help="render a folder as one loop per image, N at a time in separate processes; "
                             "OUT is a folder (-o loops/) or a name with {name} (-o \"loops/{name}.mov\")")
    render.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS|auto",
                        help="the same batch as tasks on a Ray cluster: an address (ray://host:10001), auto "
                             "(the running cluster), or nothing for a local Ray; needs shaderviz[ray]")
    render.add_argument("--overwrite", action="store_true",
                        help="batch: render again outputs that exist (by default they are skipped)")


def wants_batch(args: argparse.Namespace) -> bool:
    return getattr(args, "jobs", None) is not None or getattr(args, "ray", None) is not None


def run(args: argparse.Namespace) -> int:
    from shaderviz.batch.plan import Batch, ShowArgs, plan
    from shaderviz.errors import UserError
    from shaderviz.outputs.render import RenderOptions

    if args.jobs is not None and args.ray is not None:
        raise UserError("--jobs and --ray: choose one")
    if args.jobs is not None and not 1 <= args.jobs <= 256:
        raise UserError(f"--jobs {args.jobs}: expected 1..256")
    if args.input is None:
        raise UserError("--jobs and --ray render a folder of images: give the folder as INPUT")
    from pathlib import Path

    show = ShowArgs(tuple(args.effects_dir), args.preset, tuple(args.fx), args.size, args.fps, args.seconds,
                    args.seed, args.fit, args.depth, args.depth_model, args.background)
    options = RenderOptions(args.output, args.frames, args.quality, args.codec, args.size is not None, False)
    options.check()
    batch = Batch(plan(Path(args.input).expanduser(), args.output, args.codec), show, options, args.overwrite)
    started = time.perf_counter()
    if args.ray is not None:
        from shaderviz.batch.ray_runner import run_ray

        where = run_ray(batch, args.ray, _report)
    else:
        from shaderviz.batch.local import run_local

        run_local(batch, args.jobs, _report)
        where = f"{args.jobs} job{'s' if args.jobs != 1 else ''}"
    counts = {s: sum(r.status == s for r in batch.results) for s in ("written", "skipped", "failed")}
    print(f"batch: {counts['written']} written, {counts['skipped']} skipped, {counts['failed']} failed "
          f"({where}, {time.perf_counter() - started:.1f} s)", flush=True)
    return 2 if counts["failed"] else 0


def _report(result: Result) -> None:
    if result.status == "failed":
        print(f"shaderviz: error: {result.message}", file=sys.stderr, flush=True)
    else:
        print(result.message, flush=True)
