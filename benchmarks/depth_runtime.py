"""The live depth worker's two runtimes side by side: torch vs onnxruntime.

Run ``python -m benchmarks.depth_runtime`` from the repository root. Prints a markdown
table, writes JSON (default ``benchmarks/results/depth_runtime.json``). Nothing asserted.

- start-up: a fresh Python process that does what the depth worker does before it is
  ready (``depthworker.load_estimator`` for each runtime, cache off); wall and CPU
  seconds (user + system, from ``resource``), median of ``--starts`` processes;
- ms per map: ``estimate`` on a picture already at the inference size (what the window
  sends; resize, model, smoothing, normalisation; cache off), at 1 thread as the worker
  runs and at 2; median of repetitions of N runs after warm-up. Sizes: the input of a
  1280x720 window (128x256) and the model's own 192x192.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from shaderviz.depth import DEFAULT_MODEL  # noqa: E402

START = """
import resource, sys, time
t = time.perf_counter()
import shaderviz.depth.onnxrun as onnxrun
from shaderviz.app.depthworker import load_estimator
if sys.argv[1] == "torch":  # as for a model without an ONNX export
    onnxrun.open_onnx = lambda *a, **k: (None, "benchmark")
est, runtime = load_estimator(sys.argv[2], False)
u = resource.getrusage(resource.RUSAGE_SELF)
print(time.perf_counter() - t, u.ru_utime + u.ru_stime, runtime.split()[0])
"""


def start_up(runtime: str, model: str, count: int) -> dict:
    wall, cpu = [], []
    for _ in range(count):
        out = subprocess.run([sys.executable, "-c", START, runtime, model], capture_output=True, text=True,
                             cwd=ROOT, check=True).stdout.split()
        wall.append(float(out[0]))
        cpu.append(float(out[1]))
        assert out[2] == runtime, out
    return {"wall_s": round(statistics.median(wall), 3), "cpu_s": round(statistics.median(cpu), 3)}


def ms_per_map(estimator, shape: tuple[int, int], reps: int, runs: int) -> float:  # noqa: ANN001
    image = np.random.default_rng(0).integers(0, 256, (*shape, 3), dtype=np.uint8)
    for _ in range(3):
        estimator.estimate(image)
    times = []
    for _ in range(reps):
        began = time.perf_counter()
        for _ in range(runs):
            estimator.estimate(image)
        times.append((time.perf_counter() - began) / runs * 1000)
    return round(statistics.median(times), 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--starts", type=int, default=3, help="fresh processes per runtime (default 3)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "depth_runtime.json")
    args = parser.parse_args(argv)

    import torch

    from shaderviz.depth.estimator import DepthEstimator
    from shaderviz.depth.onnxrun import open_onnx

    rows = []
    for runtime in ("torch", "onnxruntime"):
        row = {"runtime": runtime, "start": start_up(runtime, args.model, args.starts)}
        for threads in (1, 2):
            if runtime == "torch":
                torch.set_num_threads(threads)
                estimator = DepthEstimator(args.model, device="cpu", cache_dir=False, memory_items=0)
            else:
                estimator, why = open_onnx(args.model, threads, cache_dir=False)
                if estimator is None:
                    print(f"no onnxruntime row: {why}", file=sys.stderr)
                    return 1
            for h, w in ((128, 256), (192, 192)):
                row[f"ms_{h}x{w}_{threads}t"] = ms_per_map(estimator, (h, w), args.reps, args.runs)
        rows.append(row)
        print(f"{runtime} done", file=sys.stderr, flush=True)
    report = {"date": _dt.datetime.now().isoformat(timespec="seconds"), "machine": platform.processor()
              or platform.machine(), "cores": os.cpu_count(), "loadavg": os.getloadavg(), "model": args.model,
              "rows": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print("| runtime | start-up wall / CPU s | 128×256, 1 thread | 192×192, 1 thread | 128×256, 2 threads "
          "| 192×192, 2 threads |")
    print("|---|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['runtime']} | {r['start']['wall_s']:.2f} / {r['start']['cpu_s']:.2f} | "
              f"{r['ms_128x256_1t']} | {r['ms_192x192_1t']} | {r['ms_128x256_2t']} | {r['ms_192x192_2t']} |")
    print(f"(ms per map; load average {report['loadavg'][0]:.2f}; wrote {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
