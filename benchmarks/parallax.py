"""Depth effects: frame cost, parallax quality against ground truth, DepthFlow, batch memory.

    python -m benchmarks.parallax                   # everything (about 25-40 min on 2 busy cores)
    python -m benchmarks.parallax --effects         # ms/frame of each depth effect at 720p / 1080p, x copy,
                                                    # and the parallax at each quality
    python -m benchmarks.parallax --quality         # PSNR / SSIM against true views (tests/viewsynth.py)
    python -m benchmarks.parallax --depthflow       # 720p 4 s 30 fps orbit loop: shaderviz vs DepthFlow 1.0.1
    python -m benchmarks.parallax --batch           # 50 parallax loops of a folder in one process:
                                                    # RSS, GL objects

Each prints a table and writes JSON to benchmarks/results/parallax.json (sections merge
into it). The machine is in the JSON; figures from a machine others are using are noisy.

DepthFlow runs from its own virtual environment (it pins other versions of torch and
numpy): ``python -m benchmarks.parallax --setup-depthflow`` makes
``benchmarks/.venv-depthflow`` (torch 2.13.0 first, then ``depthflow==1.0.1``). It is
given the same image and the same depth map file, so it downloads no model; it needs an
``ffmpeg`` on PATH (the one bundled with imageio-ffmpeg is linked in for it) and renders
headless through EGL (``WINDOW_BACKEND=headless``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from benchmarks.run import COPY_EFFECT, FULL, QUICK, Bench, Case, machine, make_registry  # noqa: E402
from shaderviz.effects.chain import parse_fx  # noqa: E402
from shaderviz.render.context import headless_context  # noqa: E402
from shaderviz.render.renderer import Frame, Renderer  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "parallax.json"
DEPTHFLOW_VENV = ROOT / "benchmarks" / ".venv-depthflow"
SIZES = ((1280, 720), (1920, 1080))
DEPTH_EFFECTS = ("parallax", "depth_color", "depth_color bands=8 lines=2 speed=1", "depth_wave", "dof",
                 "dof blur=48", "depthmap")


def scene_image(
    size: tuple[int, int], seed: int = 20_000_001, kind: str = "closeup"
) -> tuple[np.ndarray, np.ndarray]:
    """A rendered scene (closeup: animals on a floor before a wall) and its true nearness."""
    from shaderviz.depth.scenes import SceneRenderer, nearness

    renderer = SceneRenderer(size, shadow_size=1024)
    try:
        rgb, depth = renderer.render(seed, kind)
    finally:
        renderer.release()
    return rgb, nearness(depth)


# -- frame cost ---------------------------------------------------------------------------


def effects(quick: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="shaderviz-bench-") as tmp:
        registry = make_registry(Path(tmp))
        ctx = headless_context()
        bench = Bench(ctx, registry, QUICK if quick else FULL)
        rows = []
        try:
            labels = [COPY_EFFECT, *DEPTH_EFFECTS, *(f"parallax quality={q}" for q in range(1, 6)),
                      "parallax edges=stretch", "parallax edges=streak", "parallax stereo=anaglyph"]
            cases = [Case(label if label != COPY_EFFECT else "copy (yardstick)", "effect",
                          [parse_fx(label, registry)]) for label in labels]
            for size in SIZES:
                rgb, near = scene_image(size)
                renderer = Renderer(ctx, size, registry)
                try:
                    renderer.upload_source(rgb)
                    renderer.upload_depth(near)
                    measured = bench.measure([(renderer, case) for case in cases])
                finally:
                    renderer.release()
                copy = measured[0][0]
                for case, (ms, reps, frames) in zip(cases, measured, strict=True):
                    rows.append({"size": f"{size[0]}x{size[1]}", "effect": case.label, "ms": ms,
                                 "x_copy": ms / copy, "rep_ms": reps, "frames_per_rep": frames})
                    print(f"{size[0]}x{size[1]:<5} {case.label:<40} {ms:9.2f} ms  {ms / copy:6.2f}x copy",
                          flush=True)
        finally:
            bench.release()
            ctx.release()
    return {"rows": rows, "image": "rendered closeup scene, true depth",
            "note": "the parallax's default motion (orbit, amount 0.05) over the whole loop"}


# -- quality against ground truth ---------------------------------------------------------------


def quality(count: int, size: tuple[int, int]) -> dict:
    from viewsynth import MARGIN, psnr, ssim, view_pair

    from shaderviz.depth.estimator import DepthEstimator
    from shaderviz.depth.scenes import SceneRenderer

    kinds = ("closeup", "clutter", "street", "room", "tabletop", "landscape")
    with tempfile.TemporaryDirectory(prefix="shaderviz-bench-") as tmp:
        registry = make_registry(Path(tmp))
        ctx = headless_context()
        scenes = SceneRenderer((size[0] + 2 * MARGIN, size[1]), ctx=ctx, shadow_size=1024)
        estimator = DepthEstimator(cache_dir=False)
        totals: dict[tuple[str, str], dict] = {}
        try:
            for i in range(count):
                pair = view_pair(scenes, 5000 + i, kinds[i % len(kinds)], *size, shift=0.08)
                model = estimator.estimate(pair.a)
                for source, depth, refine in (("true", pair.near_a, False), ("model", model, True)):
                    for edges in ("fill", "streak", "stretch"):
                        renderer = Renderer(ctx, size, registry)
                        try:
                            renderer.upload_source(pair.a)
                            renderer.upload_depth(depth, refine=refine)
                            fx = f"parallax motion=free x={pair.x:.6f} focus={pair.focus:.6f} edges={edges}"
                            out = renderer.read(renderer.render([parse_fx(fx, registry)], Frame()))
                        finally:
                            renderer.release()
                        t = totals.setdefault((source, edges), {"sse_vis": 0.0, "n_vis": 0, "sse_rev": 0.0,
                                                                "n_rev": 0, "ssim_vis": [], "ssim_rev": [],
                                                                "psnr_vis": [], "psnr_rev": []})
                        err = ((out.astype(float) - pair.b.astype(float)) ** 2)
                        t["sse_vis"] += float(err[pair.visible].sum())
                        t["n_vis"] += int(pair.visible.sum()) * 3
                        t["sse_rev"] += float(err[pair.revealed].sum())
                        t["n_rev"] += int(pair.revealed.sum()) * 3
                        t["ssim_vis"].append(ssim(out, pair.b, pair.visible))
                        t["psnr_vis"].append(psnr(out, pair.b, pair.visible))
                        if pair.revealed.sum() >= 20:
                            t["ssim_rev"].append(ssim(out, pair.b, pair.revealed))
                            t["psnr_rev"].append(psnr(out, pair.b, pair.revealed))
                print(f"scene {i + 1}/{count} ({kinds[i % len(kinds)]}): revealed {pair.revealed.mean():.2%}",
                      flush=True)
        finally:
            estimator.close()
            scenes.release()
            ctx.release()
    rows = []
    for (source, edges), t in totals.items():
        row = {"depth": source, "edges": edges,
               "psnr_visible": 10 * np.log10(255**2 / (t["sse_vis"] / t["n_vis"])),
               "psnr_revealed": 10 * np.log10(255**2 / (t["sse_rev"] / t["n_rev"])),
               "ssim_visible": float(np.mean(t["ssim_vis"])), "ssim_revealed": float(np.mean(t["ssim_rev"])),
               "revealed_pixels": t["n_rev"] // 3, "scenes": count}
        rows.append(row)
        print(f"{source:<6} {edges:<8} visible {row['psnr_visible']:6.2f} dB / SSIM {row['ssim_visible']:.3f}"
              f"   revealed {row['psnr_revealed']:6.2f} dB / SSIM {row['ssim_revealed']:.3f}", flush=True)
    return {"rows": rows, "size": f"{size[0]}x{size[1]}", "shift": 0.08,
            "note": "PSNR pooled over all scenes' pixels of each region; SSIM: mean over scenes of the "
                    "region's mean SSIM (7x7 windows)"}


# -- DepthFlow ------------------------------------------------------------------------------


DEPTHFLOW_SCRIPT = """
import sys, time
from depthflow.examples.presets import Orbital
image, depth, out, width, height, fps, seconds = sys.argv[1:8]
start = time.perf_counter()
scene = Orbital()
scene.input(image=image, depth=depth)
scene.main(output=out, width=int(width), height=int(height), fps=float(fps), time=float(seconds))
print("SECONDS", time.perf_counter() - start)
"""


def setup_depthflow() -> None:
    import venv

    if not (DEPTHFLOW_VENV / "bin" / "python").exists():
        venv.create(DEPTHFLOW_VENV, with_pip=True)
    pip = [str(DEPTHFLOW_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "torch==2.13.0"], check=True)  # the CPU wheel, before depthflow pulls CUDA
    subprocess.run([*pip, "depthflow==1.0.1"], check=True)


def _ffmpeg_dir(tmp: Path) -> Path:
    """A folder with `ffmpeg` in it (imageio-ffmpeg's bundled binary) for DepthFlow."""
    import imageio_ffmpeg

    folder = tmp / "bin"
    folder.mkdir(exist_ok=True)
    link = folder / "ffmpeg"
    if not link.exists():
        link.symlink_to(imageio_ffmpeg.get_ffmpeg_exe())
    return folder


def depthflow(rounds: int) -> dict:
    python = DEPTHFLOW_VENV / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"no {python}: run python -m benchmarks.parallax --setup-depthflow first")
    width, height, fps, seconds = 1280, 720, 30, 4
    rows = []
    with tempfile.TemporaryDirectory(prefix="shaderviz-bench-") as tmp_name:
        tmp = Path(tmp_name)
        rgb, near = scene_image((width, height))
        from PIL import Image

        Image.fromarray(rgb).save(tmp / "image.png")
        Image.fromarray((near * 65535).astype(np.uint16)).save(tmp / "depth.png")
        (tmp / "depthflow_orbit.py").write_text(DEPTHFLOW_SCRIPT)
        env = {**os.environ, "WINDOW_BACKEND": "headless",
               "PATH": f"{_ffmpeg_dir(tmp)}{os.pathsep}{os.environ.get('PATH', '')}"}
        shaderviz = [sys.executable, "-m", "shaderviz", "render", str(tmp / "image.png"), "--depth",
                     str(tmp / "depth.png"), "--size", f"{width}x{height}", "--fps", str(fps), "--seconds",
                     str(seconds), "--fx", "parallax motion=orbit", "--quiet", "-o"]
        for r in range(rounds):  # alternate, so a change of load hits both
            for tool in ("shaderviz", "depthflow"):
                out = tmp / f"{tool}-{r}.mp4"
                if tool == "shaderviz":
                    command = [*shaderviz, str(out)]
                else:
                    command = [str(python), str(tmp / "depthflow_orbit.py"), str(tmp / "image.png"),
                               str(tmp / "depth.png"), str(out), *map(str, (width, height, fps, seconds))]
                before = os.times()
                start = time.perf_counter()
                done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
                wall = time.perf_counter() - start
                after = os.times()
                cpu = (after.children_user - before.children_user
                       + after.children_system - before.children_system)
                if done.returncode != 0:
                    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
                    raise SystemExit(f"{tool} failed ({done.returncode}): {' | '.join(tail)}")
                frames = _count_frames(out)
                rows.append({"tool": tool, "round": r, "wall_seconds": wall, "cpu_seconds": cpu,
                             "frames": frames, "bytes": out.stat().st_size, "load": os.getloadavg()})
                print(f"round {r}: {tool:<9} {wall:8.1f} s wall  {cpu:8.1f} s CPU  {frames} frames",
                      flush=True)
    tools = ("shaderviz", "depthflow")
    wall = {t: statistics.median(r["wall_seconds"] for r in rows if r["tool"] == t) for t in tools}
    cpu = {t: statistics.median(r["cpu_seconds"] for r in rows if r["tool"] == t) for t in tools}
    summary = {"wall_speedup": wall["depthflow"] / wall["shaderviz"],
               "cpu_speedup": cpu["depthflow"] / cpu["shaderviz"], "wall_seconds": wall, "cpu_seconds": cpu}
    print(f"shaderviz is {summary['wall_speedup']:.2f}x faster (wall), "
          f"{summary['cpu_speedup']:.2f}x (CPU time)")
    return {"rows": rows, "summary": summary, "loop": f"{width}x{height}, {seconds} s at {fps} fps, orbit",
            "depthflow": "1.0.1, examples.presets.Orbital, default quality (50) and encoder "
                         "(libx264 slow crf 20)",
            "shaderviz": "render --fx 'parallax motion=orbit' (quality 3, edges fill), mp4 quality 8"}


def _count_frames(path: Path) -> int:
    import imageio

    with imageio.get_reader(path, "ffmpeg") as reader:
        return sum(1 for _ in reader)


# -- batch ---------------------------------------------------------------------------------


def batch(loops: int, size: tuple[int, int]) -> dict:
    """One process renders a folder of `loops` images, one parallax loop each, with the
    depth model on every image: RSS and live GL objects at the start of every loop."""
    from glcount import count_gl_objects

    from shaderviz.app.show import build_show
    from shaderviz.outputs.recorder import record

    samples = []
    with tempfile.TemporaryDirectory(prefix="shaderviz-bench-") as tmp_name:
        tmp = Path(tmp_name)
        registry = make_registry(tmp)
        os.environ["XDG_CACHE_HOME"] = str(tmp / "cache")
        folder = tmp / "images"
        folder.mkdir()
        from PIL import Image

        from shaderviz.depth.scenes import SceneRenderer

        scenes = SceneRenderer(size, shadow_size=512)
        kinds = ("closeup", "clutter", "street", "room", "tabletop", "landscape")
        try:
            for i in range(loops):
                rgb, _ = scenes.render(7000 + i, kinds[i % len(kinds)])
                Image.fromarray(rgb).save(folder / f"{i:03d}.png")
        finally:
            scenes.release()
        show = build_show(registry, str(folder), fx=["parallax motion=orbit"], size=size, fps=10, seconds=1)
        start = time.perf_counter()
        with count_gl_objects() as live:
            load = show.source.load

            def sampled(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
                samples.append({"loop": len(samples), "rss_mb": _rss_mb(), "gl_objects": len(live),
                                "seconds": time.perf_counter() - start})
                return load(*args, **kwargs)

            show.source.load = sampled  # type: ignore[method-assign]
            record(show, tmp / "batch.mp4", frames=loops * show.loop_frames, progress=False)
            left = len(live)
    rss = [s["rss_mb"] for s in samples]
    summary = {"rss_first": rss[0], "rss_loop5": rss[min(5, len(rss) - 1)], "rss_last": rss[-1],
               "rss_growth_after_loop5": rss[-1] - rss[min(5, len(rss) - 1)],
               "gl_objects": sorted({s["gl_objects"] for s in samples[5:]}), "gl_objects_after": left}
    print(f"RSS {summary['rss_first']:.0f} MB at loop 1, {summary['rss_loop5']:.0f} at loop 6, "
          f"{summary['rss_last']:.0f} at loop {loops}; GL objects from loop 6 on: {summary['gl_objects']}, "
          f"after the render: {left}", flush=True)
    return {"samples": samples, "summary": summary, "loops": loops, "size": f"{size[0]}x{size[1]}",
            "loop": "1 s at 10 fps, parallax orbit, depth model on each image"}


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--effects", action="store_true")
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--depthflow", action="store_true")
    parser.add_argument("--batch", action="store_true")
    parser.add_argument("--setup-depthflow", action="store_true", help="make benchmarks/.venv-depthflow")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, scenes, rounds and loops")
    parser.add_argument("--rounds", type=int, default=0,
                        help="DepthFlow comparison rounds (default 2, quick 1)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.setup_depthflow:
        setup_depthflow()
        return 0
    everything = not (args.effects or args.quality or args.depthflow or args.batch)
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    ctx = headless_context()
    results["machine"] = machine(ctx)
    ctx.release()
    results["machine"]["loadavg_start"] = os.getloadavg()
    if everything or args.effects:
        results["effects"] = effects(args.quick)
    if everything or args.quality:
        results["quality"] = quality(6 if args.quick else 24, (320, 180) if args.quick else (640, 360))
    if everything or args.depthflow:
        results["depthflow"] = depthflow(args.rounds or (1 if args.quick else 2))
    if everything or args.batch:
        results["batch"] = batch(10 if args.quick else 50, (640, 360))
    results["machine"]["loadavg_end"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, default=float))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
