"""Pixel-sort benchmark: instant mode on the GPU vs numpy vs the `pixelsort` library,
and one flow step vs a plain copy pass.

Run ``python -m benchmarks.pixelsort`` from the repository root (``--quick`` for a smoke
check). Same 1920x1080 image and settings for every contender: threshold intervals
0.25..0.8, rows, ascending, keys lightness and hue. The image is the built-in clouds
generator with a little noise (structure like a photo, rendered here: no files needed).

- GPU instant: upload + full sort + readback to numpy, per backend (fragment passes,
  compute shader where GL >= 4.3). Its output is checked against the numpy reference.
- numpy: a vectorised interval sort of the whole image (one lexsort over
  (row, interval start, key, x)), the fastest numpy formulation we have.
- `pixelsort` (PyPI): needs Pillow < 11, so it runs in its own venv
  (benchmarks/.venv-pixelsort, created on first use). Its intervals differ slightly (it
  sorts each border pixel with the next interval); the work is the same size.
- Flow: one odd-even step (speeds 2 and 10, frames back to back; a draw does two steps)
  vs one copy pass.
- One angled row (lightness, angle=30): GPU instant vs the same vectorised numpy sort
  on the sheared lines (no library timing: its angle resamples the image).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from benchmarks.run import COPY_EFFECT, FULL, QUICK, Bench, Case, machine, make_registry  # noqa: E402
from shaderviz.effects.chain import make_instance, parse_fx  # noqa: E402
from shaderviz.render.context import headless_context  # noqa: E402
from shaderviz.render.kernels.pixelsort import band_thresholds  # noqa: E402
from shaderviz.render.renderer import Frame, Renderer  # noqa: E402

SIZE = (1920, 1080)
LO, HI = 0.25, 0.8
KEYS = ("lightness", "hue")
ANGLED = ("lightness", 30.0)  # (key, angle) of the angled row
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "pixelsort.json"
LIB_VENV = ROOT / "benchmarks" / ".venv-pixelsort"
LIB_SCRIPT = """
import sys, time, json
from PIL import Image
from pixelsort import pixelsort
img = Image.open(sys.argv[1]).convert("RGB")
out = {}
for key in sys.argv[3].split(","):
    times = []
    for _ in range(int(sys.argv[2])):
        start = time.perf_counter()
        pixelsort(img, sorting_function=key, interval_function="threshold",
                  lower_threshold=0.25, upper_threshold=0.8, angle=0)
        times.append(time.perf_counter() - start)
    out[key] = times
print(json.dumps(out))
"""


def test_image(registry, ctx) -> np.ndarray:
    renderer = Renderer(ctx, SIZE, registry)
    try:
        clouds = make_instance(registry.get("clouds", "source"), {"scale": 6.0})
        image = renderer.read(renderer.render([], Frame(seed=3), clouds))
    finally:
        renderer.release()
    noise = np.random.default_rng(5).integers(-12, 13, image.shape)
    return np.clip(image.astype(int) + noise, 0, 255).astype(np.uint8)


def numpy_sort(rgb: np.ndarray, key: str, angle: float = 0.0) -> np.ndarray:
    """Vectorised interval sort of every row at once (same rules as the GPU); with an
    angle, of every sheared line (holes out of band), scattered back."""
    sys.path.insert(0, str(ROOT / "tests"))
    from sort_reference import line_map, sort_keys

    keys = sort_keys(rgb, np.zeros(rgb.shape[:2], np.uint8), key).astype(np.int64)
    lo, hi = band_thresholds(LO, HI)
    band = (keys >= lo) & (keys <= hi)
    if angle:
        row, col, on = line_map(*keys.shape, "x", angle)
        r, c = np.where(on, row, 0), np.where(on, col, 0)
        lines = _sort_rows(rgb[r, c], keys[r, c], on & band[r, c])
        out = np.empty_like(rgb)
        out[row[on], col[on]] = lines[on]
        return out
    return _sort_rows(rgb, keys, band)


def _sort_rows(rgb: np.ndarray, keys: np.ndarray, band: np.ndarray) -> np.ndarray:
    h, w = keys.shape
    previous = np.concatenate([np.zeros((h, 1), bool), band[:, :-1]], axis=1)
    starts = ~band | ~previous
    x = np.broadcast_to(np.arange(w), (h, w))
    start_pos = np.maximum.accumulate(np.where(starts, x, 0), axis=1)
    rows = np.broadcast_to(np.arange(h)[:, None], (h, w))
    order = np.lexsort((x.ravel(), keys.ravel(), start_pos.ravel(), rows.ravel()))
    return rgb.reshape(-1, 3)[order].reshape(rgb.shape)


def timed(fn, reps: int) -> tuple[float, list[float]]:
    fn()  # warm-up: shader compile, allocation
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def gpu_instant(
    ctx, registry, image: np.ndarray, key: str, backend: str, reps: int, angle: float = 0.0
) -> tuple[dict, np.ndarray]:
    renderer = Renderer(ctx, SIZE, registry)
    chain = [parse_fx(f"pixelsort mode=instant key={key} lo={LO} hi={HI} backend={backend} angle={angle}",
                      registry)]
    result: list[np.ndarray] = []

    def run() -> None:
        renderer.upload_source(image)
        result[:] = [renderer.read(renderer.render(chain, Frame()))]

    try:
        median, times = timed(run, reps)
    finally:
        renderer.release()
    return {"seconds": median, "reps": times}, result[0]


def library(image_path: Path, reps: int) -> dict:
    """Times from the `pixelsort` package in its own venv, or the reason it could not run."""
    python = LIB_VENV / "bin" / "python"
    if not python.exists():
        print("creating benchmarks/.venv-pixelsort (pixelsort, Pillow<11) ...", file=sys.stderr)
        venv.create(LIB_VENV, with_pip=True)
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", "pixelsort", "Pillow<11"],
                              capture_output=True, text=True)
        if done.returncode != 0:
            return {"skipped": "pip could not install pixelsort with Pillow<11: "
                    + (done.stderr.strip().splitlines() or ["?"])[-1]}
    done = subprocess.run([str(python), "-c", LIB_SCRIPT, str(image_path), str(reps), ",".join(KEYS)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        return {"skipped": "pixelsort failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]}
    return {key: {"seconds": statistics.median(t), "reps": t} for key, t in json.loads(done.stdout).items()}


def flow_vs_copy(ctx, registry, image: np.ndarray, quick: bool) -> dict:
    bench = Bench(ctx, registry, QUICK if quick else FULL)
    renderer = Renderer(ctx, SIZE, registry)
    try:
        renderer.upload_source(image)
        copy = Case("copy", "copy", [make_instance(registry.get(COPY_EFFECT), {})])
        two = Case("flow 2 steps", "flow",
                   [parse_fx(f"pixelsort mode=flow speed=2 lo={LO} hi={HI}", registry)])
        ten = Case("flow 10 steps", "flow",
                   [parse_fx(f"pixelsort mode=flow speed=10 lo={LO} hi={HI}", registry)])
        (copy_ms, _, _), (two_ms, _, _), (ten_ms, _, _) = bench.measure(
            [(renderer, copy), (renderer, two), (renderer, ten)])
    finally:
        renderer.release()
        bench.release()
    # A flow frame = its draws + the effect's output pass (about one copy). `speed` counts
    # odd-even steps, not draws: a draw does two steps, an odd speed adds one single-step
    # draw. Both speeds are even, so the difference is 4 two-step draws = 8 steps.
    per_step = (ten_ms - two_ms) / 8.0
    return {"copy_ms": copy_ms, "flow_speed2_frame_ms": two_ms, "flow_speed10_frame_ms": ten_ms,
            "flow_pass_ms": per_step, "flow_pass_x_copy": per_step / copy_ms}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--no-library", action="store_true", help="skip the pixelsort package")
    args = parser.parse_args(argv)
    reps = 2 if args.quick else 5
    with tempfile.TemporaryDirectory() as tmp:
        registry = make_registry(Path(tmp))
        ctx = headless_context()
        image = test_image(registry, ctx)
        image_path = Path(tmp) / "image.png"
        from PIL import Image

        Image.fromarray(image).save(image_path)
        rows = []
        backends = ["fragment"] + (["compute"] if ctx.version_code >= 430 else [])
        lib = {"skipped": "--no-library"} if args.no_library else library(image_path, max(1, reps // 2))
        for key, angle in [(key, 0.0) for key in KEYS] + [ANGLED]:
            np_median, np_times = timed(lambda key=key, angle=angle: numpy_sort(image, key, angle), reps)
            reference = numpy_sort(image, key, angle)
            row = {"key": key, "angle": angle, "numpy": {"seconds": np_median, "reps": np_times},
                   "pixelsort_lib": None if angle else lib.get(key)}
            for backend in backends:
                timing, out = gpu_instant(ctx, registry, image, key, backend, reps, angle)
                timing["equals_numpy"] = bool(np.array_equal(out, reference))
                row[f"gpu_{backend}"] = timing
            rows.append(row)
        flow = flow_vs_copy(ctx, registry, image, args.quick)
        report = {"date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                  "machine": machine(ctx), "size": f"{SIZE[0]}x{SIZE[1]}", "band": [LO, HI],
                  "rows": rows, "flow": flow, "library_note": lib.get("skipped")}
        ctx.release()
    print(render_table(report))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"\nwrote {args.out}", file=sys.stderr)
    return 0


def render_table(report: dict) -> str:
    lines = [f"Pixel sort, {report['size']}, threshold {report['band'][0]}..{report['band'][1]}, rows "
             f"({report['machine']['gl_renderer']})", "",
             "| key | contender | seconds | vs pixelsort lib | vs numpy | equals numpy |",
             "|---|---|---:|---:|---:|:---:|"]
    for row in report["rows"]:
        lib = row["pixelsort_lib"]
        lib_s = lib["seconds"] if isinstance(lib, dict) and "seconds" in lib else None
        np_s = row["numpy"]["seconds"]
        entries = [("pixelsort (PyPI)", lib_s, None), ("numpy (vectorised)", np_s, None)]
        entries += [(f"GPU instant, {k[4:]}", v["seconds"], v["equals_numpy"])
                    for k, v in row.items() if k.startswith("gpu_")]
        label = f"{row['key']}, angle {row['angle']:g}" if row.get("angle") else row["key"]
        for name, seconds, equal in entries:
            if seconds is None:
                lines.append(f"| {label} | {name} | skipped | | | |")
                continue
            vs_lib = f"{lib_s / seconds:.1f}x faster" if lib_s else "-"
            vs_np = f"{np_s / seconds:.2f}x" if name.startswith("GPU") else "-"
            eq = "-" if equal is None else ("yes" if equal else "NO")
            lines.append(f"| {label} | {name} | {seconds:.3f} | {vs_lib} | {vs_np} | {eq} |")
    flow = report["flow"]
    lines += ["", f"Flow: one odd-even step {flow['flow_pass_ms']:.2f} ms vs copy pass "
              f"{flow['copy_ms']:.2f} ms = {flow['flow_pass_x_copy']:.2f}x copy (target <= 1.5x)"]
    if report["library_note"]:
        lines.append(f"pixelsort library: {report['library_note']}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
