"""Exploring the image: the sampler's cost per frame, enhance's seconds per dream, and
`play`'s frame times while a dream runs.

Run ``python -m benchmarks.explore`` from the repository root (``--parts`` picks some of
sampler, enhance, live; the live part needs Xvfb and xdotool). Prints markdown tables and
writes JSON (default ``benchmarks/results/explore.json``) with the load average, because
figures taken on a shared machine are noisy.

- **sampler**: ms per frame of sampler cases at 1280x720 and 1920x1080, timed like
  ``benchmarks.run`` (same Bench: warm-up, N frames back to back, round-robin repetitions,
  median) and given as x the copy yardstick measured in the same run.
- **enhance**: seconds per dream with the enhance effect's default parameters (3 octaves x
  10 steps, layer 8) on a 384x384 and a 1280x720 image, torch on the CPU with 2 threads
  and with 1 (what `play`'s dream process uses), and on CUDA when there is one; no cache.
- **live**: `play` at 1280x720 under Xvfb with ``--stats``: frame time p50 / p99 for
  ``--seconds`` before pressing E, then while the dream runs (until its result arrives),
  and the dream's latency. Goal: p99 <= 1.5 x p50 while dreaming.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from benchmarks.live import _xdotool, busy_processes, make_inputs, start_xvfb, wait_for_window  # noqa: E402
from benchmarks.run import FULL, QUICK, Bench, Case, make_registry, noise_image  # noqa: E402
from shaderviz.effects.chain import parse_fx  # noqa: E402
from shaderviz.render.context import headless_context  # noqa: E402
from shaderviz.render.renderer import Renderer  # noqa: E402

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "explore.json"
SIZES = ((1280, 720), (1920, 1080))
SAMPLER_CASES = (
    ("copy (yardstick)", ["bench_copy"]),
    ("sampler zoom, nearest", ["sampler x=0.4 y=0.6 size=0.2"]),
    ("sampler zoom, linear", ["sampler x=0.4 y=0.6 size=0.2 filter=linear"]),
    ("sampler zoom, cubic", ["sampler x=0.4 y=0.6 size=0.2 filter=cubic"]),
    ("sampler zoom, turned 30 deg", ["sampler x=0.4 y=0.6 size=0.2 rotation=30"]),
    ("sampler tile", ["sampler x=0.5 y=0.5 size=0.1 mode=tile"]),
    ("sampler mirror, 6 tiles, cubic", ["sampler size=0.1 mode=mirror tiles=6 filter=cubic"]),
    ("sampler stack of 3 (one pass)", ["sampler x=0.6 y=0.4 size=0.5", "sampler size=0.5 rotation=20",
                                       "sampler size=0.5 mode=mirror tiles=3"]),
    ("sampler modulated (dive)", ["sampler x=sine(0.3,0.7) size=triangle(1,0.05)"]),
    ("sampler of a 4000x3000 native source", ["sampler x=0.4 y=0.6 size=0.05"]),
)
GOAL_P99_X_P50 = 1.5


def sampler(quick: bool) -> list[dict]:
    ctx = headless_context()
    with tempfile.TemporaryDirectory(prefix="shaderviz-bench-") as tmp:
        registry = make_registry(Path(tmp))
        bench = Bench(ctx, registry, QUICK if quick else FULL)
        rows = []
        try:
            for size in SIZES:
                plain, native = Renderer(ctx, size, registry), Renderer(ctx, size, registry)
                try:
                    plain.upload_source(noise_image(size))
                    native.upload_source(noise_image(size))
                    native.upload_native(noise_image((4000, 3000)), "fill")
                    runs = [(native if "native" in label else plain,
                             Case(label, "effect", [parse_fx(fx, registry) for fx in chain]))
                            for label, chain in SAMPLER_CASES]
                    measured = bench.measure(runs)
                    copy_ms = measured[0][0]
                    for (label, chain), (median, reps, frames) in zip(SAMPLER_CASES, measured, strict=True):
                        rows.append({"case": label, "size": f"{size[0]}x{size[1]}", "ms_per_frame": median,
                                     "x_copy": median / copy_ms, "rep_ms": reps, "frames_per_rep": frames,
                                     "chain": chain})
                        print(f"{size[0]}x{size[1]} {label:<40} {median:8.2f} ms  "
                              f"{median / copy_ms:5.2f}x copy", file=sys.stderr, flush=True)
                finally:
                    plain.release()
                    native.release()
        finally:
            bench.release()
            ctx.release()
    return rows


def enhance(quick: bool) -> list[dict]:
    import torch
    from PIL import Image

    from shaderviz.explore.dream import Dreamer, DreamParams

    rng = np.random.default_rng(3)
    rows = []
    devices = [("cpu", 2), ("cpu", 1)] + ([("cuda", 0)] if torch.cuda.is_available() else [])
    sizes = ((384, 384), (1280, 720))
    params = DreamParams(steps=3) if quick else DreamParams()
    for device, threads in devices:
        if threads:
            torch.set_num_threads(threads)
        started = time.perf_counter()
        dreamer = Dreamer(device)
        load = time.perf_counter() - started
        for width, height in sizes:
            small = Image.fromarray(rng.integers(0, 256, (9, 16, 3), dtype=np.uint8))
            image = np.asarray(small.resize((width, height), Image.BICUBIC))
            dreamer.dream(image, replace(params, steps=1))  # warm up: the same octave shapes
            started = time.perf_counter()
            dreamer.dream(image, params)
            seconds = time.perf_counter() - started
            steps = params.steps * params.octaves
            rows.append({"device": device, "threads": threads, "size": f"{width}x{height}",
                         "seconds_per_dream": round(seconds, 2),
                         "seconds_per_step": round(seconds / steps, 3),
                         "steps": steps, "load_s": round(load, 2), "params": params.key()})
            print(f"enhance {device} threads={threads} {width}x{height}: {seconds:.1f} s ({steps} steps)",
                  file=sys.stderr, flush=True)
    return rows


def live(seconds: float, wait: float) -> dict:
    server, env = start_xvfb()
    try:
        with tempfile.TemporaryDirectory(prefix="shaderviz-explore-") as tmp:
            work = Path(tmp)
            env = {**env, "XDG_CACHE_HOME": str(work / "cache")}  # nothing dreamed before
            photo = make_inputs(work)["photo"]
            stats = work / "stats.jsonl"
            command = [sys.executable, "-m", "shaderviz", "play", str(photo), "--size", "1280x720",
                       "--fx", "rgb_split amount=0.01", "--stats", str(stats), "--snapshots", str(work)]
            with open(work / "play.log", "wb") as log:
                proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
            try:
                window = wait_for_window(env, proc)
                if not window:
                    log = (work / "play.log").read_text(errors="replace")
                    raise SystemExit("no play window: " + log[-300:])
                time.sleep(5.0 + seconds)  # start-up, then the frames before the dream
                _xdotool(env, "key", "--window", window, "e")
                deadline = time.monotonic() + wait
                while time.monotonic() < deadline and b"dream_dream" not in stats.read_bytes():
                    time.sleep(1.0)
                time.sleep(1.0)
                _xdotool(env, "key", "--window", window, "Escape")
                proc.wait(30)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            rows = [json.loads(line) for line in stats.read_text().splitlines() if line.strip()]
    finally:
        server.terminate()
        server.wait(10)
    return summarise_live(rows, seconds)


def summarise_live(rows: list[dict], seconds: float) -> dict:
    events = [(r["t"], e) for r in rows for e in r.get("events", []) if e["kind"] == "dream_dream"]
    if not events:
        return {"note": "no dream arrived in time"}
    arrived, event = events[0]
    began = arrived - event["latency_ms"] / 1000.0
    before = np.array([r["ms"] for r in rows if began - seconds <= r["t"] < began])
    during = np.array([r["ms"] for r in rows if began <= r["t"] <= arrived])

    def stat(a: np.ndarray) -> dict:
        return {"frames": len(a), "p50_ms": round(float(np.median(a)), 2),
                "p99_ms": round(float(np.percentile(a, 99)), 2), "worst_ms": round(float(a.max()), 1)}

    slow = [(round(r["t"] - began, 2), r["ms"]) for r in rows
            if began <= r["t"] <= arrived + 1.0 and r["ms"] > 3 * float(np.median(during))]
    return {"before": stat(before), "during": stat(during),
            "dream_latency_s": round(event["latency_ms"] / 1000, 1), "dream_ms": event["ms"],
            "slow_frames": slow}  # (seconds after E, ms): frames over 3 x the median while dreaming


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="sampler,enhance,live")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and steps: a smoke check")
    parser.add_argument("--seconds", type=float, default=10.0, help="live: frames before the dream, seconds")
    parser.add_argument("--wait", type=float, default=900.0, help="live: the longest wait for the dream")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    report: dict = {"date": _dt.datetime.now().isoformat(timespec="seconds"),
                    "git_commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                                 text=True, cwd=ROOT).stdout.strip(),
                    "cores": os.cpu_count(), "loadavg_before": [round(x, 2) for x in os.getloadavg()],
                    "busy_processes_at_start": busy_processes()}
    if "sampler" in parts:
        report["sampler"] = sampler(args.quick)
    if "enhance" in parts:
        report["enhance"] = enhance(args.quick)
    if "live" in parts:
        report["live"] = live(args.seconds, args.wait)
    report["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print_tables(report)
    print(f"wrote {args.out}")
    return 0


def print_tables(report: dict) -> None:
    if report.get("sampler"):
        print("| case | " + " | ".join(f"{w}x{h} ms | x copy" for w, h in SIZES) + " |")
        print("|---|" + "---:|---:|" * len(SIZES))
        for label, _ in SAMPLER_CASES:
            cells = []
            for w, h in SIZES:
                row = next(r for r in report["sampler"] if r["case"] == label and r["size"] == f"{w}x{h}")
                cells.append(f"{row['ms_per_frame']:.2f} | {row['x_copy']:.2f}")
            print(f"| {label} | " + " | ".join(cells) + " |")
        print()
    if report.get("enhance"):
        print("| device | threads | image | seconds per dream | seconds per step |")
        print("|---|---:|---|---:|---:|")
        for r in report["enhance"]:
            print(f"| {r['device']} | {r['threads'] or '-'} | {r['size']} | {r['seconds_per_dream']} | "
                  f"{r['seconds_per_step']} |")
        print()
    if report.get("live"):
        live = report["live"]
        if "note" in live:
            print(f"live: {live['note']}")
        else:
            b, d = live["before"], live["during"]
            ok = d["p99_ms"] <= GOAL_P99_X_P50 * d["p50_ms"]
            print(f"slow frames (s after E, ms): {live['slow_frames']}")
            print(f"live 1280x720: before the dream p50 {b['p50_ms']} / p99 {b['p99_ms']} ms "
                  f"({b['frames']} frames); "
                  f"while dreaming p50 {d['p50_ms']} / p99 {d['p99_ms']} ms, worst {d['worst_ms']} "
                  f"({d['frames']} frames, dream {live['dream_latency_s']} s): goal p99 <= 1.5 x p50 "
                  f"{'met' if ok else 'MISSED'}")
    print(f"load average before {report['loadavg_before']}, after {report['loadavg_after']}")


if __name__ == "__main__":
    sys.exit(main())
