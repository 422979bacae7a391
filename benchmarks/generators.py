"""Generator benchmarks: ``python -m benchmarks.generators [--quick] [--no-train]``.

Prints a table and writes ``benchmarks/results/generators.json``:

- **inference**: ms per image for each shipped GAN (one image, and per image in a batch
  of 16), the CPPN's torch reference at 512x512, and the training-data synthesisers at
  128x128; on the CPU with one torch thread, as ``gan:`` sources run (and CUDA when present);
- **latent walk at 1280x720**: frames/s of a GAN walk where every frame generates a new
  image, uploads it and upscales it (cubic) on the GPU, synchronously (what `render`
  does, without encoding); and with generation on a worker thread while the loop
  renders (what `play` does): loop frames/s and generated images/s;
- **CPPN shader**: ms/frame of the ``cppn`` generator at 1280x720 and 1920x1080
  (default network; ``downscale`` 1 and 2);
- **training**: train-gan steps/s at 64² and 128² (the shipped models' width 128, batch
  16), one process and two under ``torchrun`` (gloo), from the run's own log;
- **Fréchet distances**: read from ``models/gan-*.eval.json`` (written by
  ``python -m shaderviz.generators.evaluate``; see the model cards).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from shaderviz.effects.chain import make_instance  # noqa: E402
from shaderviz.effects.registry import Registry  # noqa: E402
from shaderviz.generators import cppn  # noqa: E402
from shaderviz.generators.loader import SHIPPED, load_generator  # noqa: E402
from shaderviz.generators.walk import keyframe, latent  # noqa: E402
from shaderviz.render.context import headless_context  # noqa: E402
from shaderviz.render.renderer import Frame, Renderer  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "generators.json"


def timed(fn, reps: int) -> float:  # noqa: ANN001
    """Median seconds of ``fn()`` over ``reps`` runs (after one warm-up)."""
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def inference(reps: int) -> list[dict]:
    rows = []
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for name in SHIPPED:
        gen = load_generator(name)
        for device in devices:
            gen.module.to(device)
            one = np.stack([keyframe(0, 0, gen.latent)])
            batch = np.stack([keyframe(0, i, gen.latent) for i in range(16)])

            def run(z: np.ndarray, device: str = device, gen=gen) -> None:  # noqa: ANN001
                with torch.inference_mode():
                    x = torch.from_numpy(z).to(device)
                    y = gen.module(x)
                    if device == "cuda":
                        torch.cuda.synchronize()
                    y.cpu()

            rows.append({"what": f"gan:{name}", "device": device, "size": gen.size,
                         "ms_one": 1000 * timed(lambda z=one, run=run: run(z), reps),
                         "ms_per_image_batch16": 1000 * timed(lambda z=batch, run=run: run(z), reps) / 16})
        gen.module.to("cpu")
    net = cppn.build(cppn.Settings(seed=0))
    rows.append({"what": "cppn torch reference 512x512", "device": "cpu", "size": 512,
                 "ms_one": 1000 * timed(lambda: cppn.render(net, (512, 512), position=0.0, radius=0.5,
                                                            zoom=1.5, detail=3.0), max(1, reps // 2))})
    from shaderviz.synth import KINDS, render

    for kind in KINDS:
        seeds = iter(range(10_000_000, 10_001_000))
        rows.append({"what": f"synth {kind} 128x128", "device": "cpu", "size": 128,
                     "ms_one": 1000 * timed(lambda k=kind, s=seeds: render(k, next(s), (128, 128)), reps)})
    return rows


def walk(ctx, registry: Registry, seconds: float) -> dict:  # noqa: ANN001
    """A GAN walk at 1280x720: generation + upload + GPU upscale, synchronous and on a worker."""
    size = (1280, 720)
    gen = load_generator("landscape")
    renderer = Renderer(ctx, size, registry)
    instance = make_instance(registry.get("gan", "source"), {"upscale": "cubic"})
    result: dict = {"size": "1280x720", "model": "landscape", "upscale": "cubic"}
    try:
        frames, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            z = latent(0, 0, gen.latent, frames / 120, 0.6)
            renderer.upload_generated(gen.generate(z[None])[0])
            renderer.render([], Frame(frames, frames / 30, (frames % 120) / 120, 0), instance)
            ctx.finish()
            frames += 1
        result["sync_fps"] = frames / (time.perf_counter() - start)
        made: list[np.ndarray] = []
        stop = threading.Event()

        def worker() -> None:
            k = 0
            while not stop.is_set():
                made.append(gen.generate(latent(0, 0, gen.latent, k / 120, 0.6)[None])[0])
                k += 1

        thread = threading.Thread(target=worker, daemon=True)
        frames, uploaded, start = 0, 0, time.perf_counter()
        thread.start()
        while time.perf_counter() - start < seconds:
            if len(made) > uploaded:
                renderer.upload_generated(made[-1])
                uploaded = len(made)
            renderer.render([], Frame(frames, frames / 30, (frames % 120) / 120, 0), instance)
            ctx.finish()
            frames += 1
        stop.set()
        thread.join()
        elapsed = time.perf_counter() - start
        result.update(worker_loop_fps=frames / elapsed, worker_images_per_s=len(made) / elapsed)
    finally:
        renderer.release()
    return result


def cppn_shader(ctx, registry: Registry, reps: int) -> list[dict]:  # noqa: ANN001
    rows = []
    for size in ((1280, 720), (1920, 1080)):
        for downscale in (1, 2, 4):
            renderer = Renderer(ctx, size, registry)
            instance = make_instance(registry.get("cppn", "source"), {"seed": 1, "downscale": downscale})
            counter = iter(range(10**9))

            def frame(renderer=renderer, instance=instance, counter=counter) -> None:  # noqa: ANN001
                i = next(counter)
                renderer.render([], Frame(i, i / 30, (i % 120) / 120, 0), instance)
                ctx.finish()

            ms = 1000 * timed(frame, reps)
            renderer.release()
            rows.append({"size": f"{size[0]}x{size[1]}", "downscale": downscale, "ms_per_frame": ms,
                         "fps": 1000 / ms})
    return rows


def training(steps: int) -> list[dict]:
    """train-gan steps/s from its own log (steps 10 .. steps), on synthetic clouds."""
    from PIL import Image

    from shaderviz.synth import render

    rows = []
    with tempfile.TemporaryDirectory(prefix="shaderviz-bench-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        for i in range(64):
            Image.fromarray(render("clouds", i, (144, 144))).save(data / f"{i}.png")
        torchrun = Path(sys.executable).parent / "torchrun"
        for size in (64, 128):
            for processes in (1, 2):
                out = Path(tmp) / f"r{size}-{processes}.pt"
                args = ["-m", "shaderviz", "train-gan", str(data), "-o", str(out), "--size", str(size),
                        "--width", "128", "--batch", "16", "--steps", str(steps), "--quiet", "--threads",
                        str(2 // processes), "--sample-every", "100000", "--save-every", "100000"]
                command = ([str(torchrun), "--standalone", "--nproc_per_node", "2", *args] if processes == 2
                           else [sys.executable, *args])
                env = {**os.environ, "OMP_NUM_THREADS": "1"}
                subprocess.run(command, check=True, capture_output=True, env=env)
                lines = (Path(tmp) / f"r{size}-{processes}-train" / "log.jsonl").read_text().splitlines()
                log = [json.loads(line) for line in lines]
                first, last = log[0], log[-1]
                rate = (last["step"] - first["step"]) / max(last["elapsed_s"] - first["elapsed_s"], 1e-6)
                rows.append({"size": size, "processes": processes, "steps_per_s": rate,
                             "images_per_s": rate * 16 * processes,
                             "steps_timed": last["step"] - first["step"]})
    return rows


def frechet() -> list[dict]:
    rows = []
    for name in SHIPPED:
        path = ROOT / "models" / f"gan-{name}.eval.json"
        if path.is_file():
            rows.append({"model": name, **json.loads(path.read_text())})
    return rows


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="fewer repetitions, no 128px training")
    p.add_argument("--no-train", action="store_true", help="skip the train-gan runs")
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    torch.set_num_threads(1)  # what gan: sources use (shaderviz/sources/gan.py)
    reps = 3 if args.quick else 10
    ctx = headless_context()
    registry = Registry.load()
    report = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "torch": torch.__version__,
                    "gl_renderer": ctx.info.get("GL_RENDERER"), "loadavg_start": os.getloadavg()},
        "inference": inference(reps),
        "walk_720p": walk(ctx, registry, 3.0 if args.quick else 10.0),
        "cppn_shader": cppn_shader(ctx, registry, reps),
        "training": [] if args.no_train else training(20 if args.quick else 40),
        "frechet": frechet(),
    }
    report["machine"]["loadavg_end"] = os.getloadavg()
    ctx.release()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print("| generator | device | ms / image | ms / image (batch 16) |\n|---|---|---:|---:|")
    for r in report["inference"]:
        batch = f"{r['ms_per_image_batch16']:.2f}" if "ms_per_image_batch16" in r else ""
        print(f"| {r['what']} | {r['device']} | {r['ms_one']:.2f} | {batch} |")
    w = report["walk_720p"]
    print(f"\nlatent walk 1280x720 (generate + upload + cubic upscale): {w['sync_fps']:.1f} frames/s"
          f" synchronous; with a worker: loop {w['worker_loop_fps']:.1f} frames/s,"
          f" {w['worker_images_per_s']:.1f} images/s")
    print("\n| CPPN shader | downscale | ms / frame | fps |\n|---|---:|---:|---:|")
    for r in report["cppn_shader"]:
        print(f"| {r['size']} | {r['downscale']} | {r['ms_per_frame']:.1f} | {r['fps']:.1f} |")
    if report["training"]:
        print("\n| train-gan | processes | steps/s | images/s |\n|---|---:|---:|---:|")
        for r in report["training"]:
            print(f"| {r['size']}² | {r['processes']} | {r['steps_per_s']:.2f} | {r['images_per_s']:.1f} |")
    if report["frechet"]:
        print("\n| Fréchet distance (Lite0) | model | train vs held-out | blurred noise |")
        print("|---|---:|---:|---:|")
        for r in report["frechet"]:
            figures = f"{r['fd_model']} | {r['fd_train_vs_heldout']} | {r['fd_blurred_noise']}"
            print(f"| {r['model']} | {figures} |")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
