"""Depth-model benchmark: inference ms per image, model size, quality, training it/s.

Run ``python -m benchmarks.depth`` (or ``python benchmarks/depth.py``) from the repository
root; ``--quick`` for fewer repetitions. Prints markdown tables, writes JSON
(default ``benchmarks/results/depth.json``). Nothing is asserted; the targets (<= 50 ms per
image at the chosen size on 2 CPU cores; motorcycle Spearman >= 0.80; >= 29 of the 31
real-photo pairs) are printed as PASS/MISS.

Old vs new: ``--model`` takes several models (names or checkpoint paths), e.g. the
previous shipped model taken out of git history beside the current one::

    git show 60560f9:models/depth-lite0.pt > /tmp/depth-lite0-v1.pt
    python -m benchmarks.depth --model /tmp/depth-lite0-v1.pt depth-lite0

Quality, per model at its shipped settings (inference size, test-time mirroring), from
``shaderviz.depth.evaluate``: the 31 annotated near/far pairs on scikit-image's photos,
the motorcycle's Spearman rho against its true stereo disparity, and on ``--scenes``
held-out rendered scenes (seeds from 10,000,000) the Spearman rho and the edge accuracy /
completeness in pixels (lower is better); each for the model's map as it is and for the
map refined by guided upsampling (what ``shaderviz depth`` writes and what render / play
refine on the GPU). Needs the ``train`` extra (scikit-image); ``--scenes 0 --no-photos``
skips quality.

Method: the model alone (``LoadedModel.predict`` on a float tensor already at the
inference size, no resize, no cache), batch 1, ``torch.inference_mode``; warm-up runs,
then repetitions of N runs timed on the wall clock; the median ms per image is reported.
Square inputs 256² and 384², and the chosen size (the shipped model's default) both
square and at a 3:2 photo shape with the same pixel count. Threads: torch's default
(all cores) unless ``--threads``. The estimator row adds the full ``DepthEstimator``
path for a 1280x720 photo (resize, inference, smoothing, upsampling, normalisation;
cache off), and the same with guided upsampling (``shaderviz depth``'s map). Training it/s:
optimiser steps of the training recipe (batch 16, ImageNet encoder with its blocks at
strides 2-8 frozen, the loss) on random tensors at 160² and 192², one thread as in the
long training runs, for each encoder among the models.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: make `shaderviz` importable from a checkout
    sys.path.insert(0, str(ROOT))

from shaderviz.depth import DEFAULT_MODEL  # noqa: E402
from shaderviz.depth.estimator import DepthEstimator  # noqa: E402
from shaderviz.depth.loaders import load_model, shipped_path  # noqa: E402
from shaderviz.depth.maps import inference_shape  # noqa: E402

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "depth.json"
TARGET_MS = 50.0


def time_fn(fn, reps: int, min_seconds: float) -> tuple[float, list[float]]:  # noqa: ANN001
    for _ in range(2):
        fn()
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-4)
    n = max(3, int(min_seconds / one))
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t0) / n * 1000)
    return statistics.median(samples), samples


def train_its(size: int, reps: int, encoder: str = "lite0") -> float:
    from shaderviz.depth import train

    torch.set_num_threads(1)
    config = {"encoder": encoder, "width": 96, "fine": 32, "lr": 1e-3, "encoder_lr_mult": 0.1}
    try:
        model, opt = train.build(config, pretrained=True)
    except (RuntimeError, ImportError):
        model, opt = train.build(config, pretrained=False)
    model.train()
    x, y = torch.rand(16, 3, size, size), torch.rand(16, 1, size, size)

    def step() -> None:
        loss, _ = train.total_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    step()
    t0 = time.perf_counter()
    for _ in range(reps):
        step()
    return reps / (time.perf_counter() - t0)


def speed_rows(model, reps: int, min_s: float, threads: int) -> list[dict]:  # noqa: ANN001
    """ms per image: square 256 / 384, the chosen size square and 3:2, 1 thread, the estimator path."""
    chosen = model.default_size
    cases = [
        ("256x256", (256, 256)),
        ("384x384", (384, 384)),
        (f"{chosen}x{chosen} (chosen)", (chosen, chosen)),
    ]
    ph, pw = inference_shape(2, 3, chosen, model.multiple)
    cases.append((f"{pw}x{ph} (chosen, 3:2 photo)", (ph, pw)))
    rows = []

    def add(label: str, fn, size: tuple[int, int]) -> None:  # noqa: ANN001
        ms, samples = time_fn(fn, reps, min_s)
        rep_ms = [round(v, 2) for v in samples]
        rows.append({"label": label, "input": list(size), "ms": round(ms, 2), "rep_ms": rep_ms})

    for label, (h, w) in cases:
        x = torch.rand(1, 3, h, w)
        add(label, lambda x=x: model.predict(x), (w, h))
    if threads > 1:  # the same at one thread: what the worker gets when the rest of the app is busy
        torch.set_num_threads(1)
        for label, (h, w) in cases[2:3]:
            x = torch.rand(1, 3, h, w)
            add(f"{label}, 1 thread", lambda x=x: model.predict(x), (w, h))
        torch.set_num_threads(threads)
    est = DepthEstimator(model, cache_dir=False, device="cpu", memory_items=0)
    flip = " + mirror" if est.flip else ""
    x = torch.rand(1, 3, chosen, chosen)
    add(f"{chosen}x{chosen}, shipped settings{flip}", lambda: est.infer(x), (chosen, chosen))
    photo = np.random.default_rng(0).integers(0, 256, (720, 1280, 3), dtype=np.uint8)
    add(
        f"estimator, 1280x720 photo -> map (cache off{flip})",
        lambda: est._compute(photo.astype(np.float32) / 255),
        (1280, 720),
    )
    refined = DepthEstimator(model, cache_dir=False, device="cpu", memory_items=0, guided=True)
    add(
        f"estimator, 1280x720 photo -> refined map (shaderviz depth, cache off{flip})",
        lambda: refined._compute(photo.astype(np.float32) / 255),
        (1280, 720),
    )
    return rows


def quality(model, scenes: int, photos: bool, guided: bool) -> dict:  # noqa: ANN001
    """The evaluation figures at the model's shipped settings (see shaderviz.depth.evaluate),
    of its map as it is or refined by guided upsampling."""
    from shaderviz.depth import evaluate

    est = DepthEstimator(model, cache_dir=False, device="cpu", memory_items=0, guided=guided)
    out: dict = {"size": est.size, "flip": est.flip, "guided": guided}
    if photos:
        real = evaluate.real_photo_report(est, evaluate.load_annotations())
        out["pairs_right"] = round(real["model_acc"] * real["pairs"])
        out["pairs"] = real["pairs"]
        out["motorcycle_spearman"] = real.get("motorcycle_spearman")
        out["per_image"] = real["per_image"]
    if scenes:
        out["synthetic"] = evaluate.synthetic_report(est, scenes)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Depth model inference/quality/training benchmark.")
    p.add_argument("--model", nargs="+", default=[DEFAULT_MODEL], help="one or more (old new)")
    p.add_argument("--scenes", type=int, default=32, help="held-out rendered scenes for quality (0 = skip)")
    p.add_argument("--no-photos", action="store_true", help="skip the real-photo quality check")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--threads", type=int, default=0, help="torch threads for inference (0 = default)")
    p.add_argument("--no-train", action="store_true", help="skip the training it/s rows")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = p.parse_args(argv)
    started = time.perf_counter()
    load_before = [round(x, 2) for x in os.getloadavg()]
    if args.threads:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    reps, min_s = (3, 0.3) if args.quick else (5, 1.0)
    models = []
    for spec in args.model:
        model = load_model(spec, "cpu")
        path = shipped_path(spec) or Path(spec)
        entry = {
            "name": spec,
            "kind": model.kind,
            "file": str(path),
            "file_mb": path.stat().st_size / 1e6 if path.is_file() else None,
            "parameters": sum(p.numel() for p in model.module.parameters()),
            "chosen_size": model.default_size,
            "flip": model.flip,
            "inference": speed_rows(model, reps, min_s, threads),
        }
        if model.kind == "shaderviz":
            entry["encoder"] = model.module.encoder_name
        if args.scenes or not args.no_photos:
            entry["quality"] = quality(model, args.scenes, not args.no_photos, guided=False)
            entry["quality_refined"] = quality(model, args.scenes, not args.no_photos, guided=True)
        models.append(entry)
    training = {}
    if not args.no_train:
        for enc in dict.fromkeys(m.get("encoder", "lite0") for m in models):
            for s in (160, 192):
                training[f"{enc} {s}x{s}"] = round(train_its(s, 2 if args.quick else 5, enc), 3)

    print(f"\ntorch {torch.__version__}, {threads} inference threads, loadavg {load_before}")
    for m in models:
        mb = f", file {m['file_mb']:.2f} MB" if m["file_mb"] else ""
        enc = f", {m['encoder']}" if m.get("encoder") else ""
        print(f"\nDepth model {m['name']} ({m['kind']}{enc}), {m['parameters'] / 1e6:.2f} M parameters{mb}\n")
        print("| input | ms / image | images/s |")
        print("|---|---:|---:|")
        for r in m["inference"]:
            print(f"| {r['label']} | {r['ms']:.1f} | {1000 / r['ms']:.1f} |")
    print("\n" + comparison_table(models))
    if training:
        print(
            "\nTraining (batch 16, 1 thread): " + ", ".join(f"{k}: {v:.2f} it/s" for k, v in training.items())
        )
    targets = target_lines(models[-1])
    print(f"\nTargets for {models[-1]['name']} (reported, not asserted):")
    for t in targets:
        print(f"  {t['status']:<4} {t['name']}: {t['value']}")
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    report = {
        "benchmark": "shaderviz depth model",
        "date": _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "machine": {
            "cpu": cpu,
            "cores": os.cpu_count(),
            "torch": torch.__version__,
            "threads": threads,
            "cuda": torch.cuda.is_available(),
            "python": platform.python_version(),
            "loadavg_before": load_before,
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        },
        "models": models,
        "training_it_s_batch16_1thread": training,
        "targets": targets,
        "elapsed_seconds": round(time.perf_counter() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


def _chosen_ms(m: dict) -> float:
    return next(r["ms"] for r in m["inference"] if "shipped settings" in r["label"])


def _map_ms(m: dict, refined: bool) -> float:
    rows = [r for r in m["inference"] if r["label"].startswith("estimator")]
    return next(r["ms"] for r in rows if ("refined" in r["label"]) == refined)


def comparison_table(models: list[dict]) -> str:
    """Two rows per model (its map, and refined by guided upsampling): size, settings, speed
    and every quality figure (old vs new)."""
    lines = [
        "| model | map | MB | size | mirror | ms/image | 720p map ms | pairs | moto rho | synth rho "
        "| edge acc px | edge comp px |",
        "|---|---|---:|---:|:-:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in models:
        for key, refined in (("quality", False), ("quality_refined", True)):
            q = m.get(key, {})
            syn = q.get("synthetic", {})

            def f(v, fmt: str) -> str:  # noqa: ANN001
                return "—" if v is None else format(v, fmt)

            pairs = f"{q['pairs_right']}/{q['pairs']}" if "pairs" in q else "—"
            lines.append(
                f"| {Path(str(m['name'])).name} | {'refined' if refined else 'model'} "
                f"| {f(m['file_mb'], '.2f')} | {m['chosen_size']} | {'yes' if m['flip'] else 'no'} "
                f"| {_chosen_ms(m):.1f} "
                f"| {_map_ms(m, refined):.1f} | {pairs} | {f(q.get('motorcycle_spearman'), '.3f')} "
                f"| {f(syn.get('spearman'), '.3f')} | {f(syn.get('edge_accuracy_px'), '.2f')} "
                f"| {f(syn.get('edge_completeness_px'), '.2f')} |"
            )
    return "\n".join(lines)


def target_lines(m: dict) -> list[dict]:
    q = m.get("quality_refined", {})
    ms = _chosen_ms(m)
    out = [{"name": f"<= {TARGET_MS:g} ms per image at the shipped settings", "value": round(ms, 1)}]
    out[0]["status"] = "PASS" if ms <= TARGET_MS else "MISS"
    if "motorcycle_spearman" in q and q["motorcycle_spearman"] is not None:
        rho = q["motorcycle_spearman"]
        out.append({"name": ">= 0.80 motorcycle Spearman rho", "value": round(rho, 3)})
        out[-1]["status"] = "PASS" if rho >= 0.80 else "MISS"
    if "pairs" in q:
        out.append({"name": ">= 29 of 31 real-photo pairs", "value": q["pairs_right"]})
        out[-1]["status"] = "PASS" if q["pairs_right"] >= 29 else "MISS"
    return out


if __name__ == "__main__":
    sys.exit(main())
