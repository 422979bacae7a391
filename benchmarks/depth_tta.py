"""Inference-side variants of the depth model, measured: test-time mirroring, the inference
size, multi-scale averaging, blending with the guided refinement.

Run ``python -m benchmarks.depth_tta`` from the repository root (needs the ``train`` extra:
scikit-image's photos). Prints a markdown table, writes JSON (default
``benchmarks/results/depth_tta.json``). Nothing is asserted.

Every variant is the estimator's path (``DepthEstimator._compute``) with one thing changed:

- ``passes``: one or more (size, mirror) passes. A pass resizes the image to about size²
  pixels (aspect kept, sides multiples of 32), runs the model (with its mirror as a batch
  of two when mirrored, the two predictions averaged), smooths 3x3 at inference resolution
  and upsamples to the image's size. Several passes at different sizes are standardised
  (zero mean, unit deviation) before they are averaged, since a relative model's output
  range moves with the input size;
- ``guided``: the weight of the guided refinement (``shaderviz.depth.guided``) in the
  result: 0 = the model's map, 1 = the refined map (what ``shaderviz depth`` writes),
  0.5 = their mean;
- ``smooth``: the binomial kernel at inference resolution (3 is the estimator's, 5, or off);
- ``shift``: each pass also run on the image moved by 16 px (half the network's stride of
  32; reflected border), the prediction moved back and averaged in;
- ``exact_aspect``: the image resized to its exact aspect ratio (about size² pixels) and
  reflect-padded on the right and bottom to the network's multiple, the padding cropped off
  the prediction, instead of sides rounded to the multiple (which squashes it a little).

Figures per variant: the 31 hand-annotated near/far pairs on scikit-image's photos, the
motorcycle's Spearman rho against its true stereo disparity, and on ``--scenes`` held-out
rendered scenes (seeds from 10,000,000) the Spearman rho and the edge accuracy /
completeness (``shaderviz.depth.evaluate``). Speed: the model passes (with the resize to
each pass's size and the smoothing) on a 192x192 input, and the whole path from a 1280x720
photo to its map, at ``--threads`` (default 1: the 2-core machine is shared, two threads
wait for each other there); all variants are timed in interleaved rounds, the table gives
the median over the rounds, the JSON also the minimum and every round.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from shaderviz.depth import DEFAULT_MODEL  # noqa: E402
from shaderviz.depth.guided import guide_factor, guided_filter  # noqa: E402
from shaderviz.depth.loaders import load_model  # noqa: E402
from shaderviz.depth.maps import inference_shape, normalise, to_rgb_float  # noqa: E402

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "depth_tta.json"


@dataclass
class Variant:
    name: str
    passes: list[tuple[int, bool]] = field(default_factory=lambda: [(192, False)])
    guided: float = 0.0
    smooth: int = 3  # binomial smoothing kernel at inference resolution: 3 (shipped), 5, 0 = off
    shift: bool = False  # each pass also run on the image moved by half the network's stride
    exact_aspect: bool = False  # resize to the image's exact aspect, reflect-pad to the multiple


VARIANTS = [
    Variant("shipped: 192 px, one pass"),
    Variant("192 + mirror", [(192, True)]),
    Variant("160 px", [(160, False)]),
    Variant("224 px", [(224, False)]),
    Variant("256 px", [(256, False)]),
    Variant("224 + mirror", [(224, True)]),
    Variant("160 + 192", [(160, False), (192, False)]),
    Variant("192 + 224", [(192, False), (224, False)]),
    Variant("192 + 256", [(192, False), (256, False)]),
    Variant("192 + 224, mirrored", [(192, True), (224, True)]),
    Variant("192, refined (guided 1)", guided=1.0),
    Variant("192, mean with refined (guided 0.5)", guided=0.5),
    Variant("192 + mirror, mean with refined", [(192, True)], guided=0.5),
    Variant("192 + mirror, refined", [(192, True)], guided=1.0),
    Variant("192 + 224, mean with refined", [(192, False), (224, False)], guided=0.5),
    Variant("192, smoothing off", smooth=0),
    Variant("192, 5x5 smoothing", smooth=5),
    Variant("192 + mirror, 5x5 smoothing", [(192, True)], smooth=5),
    Variant("192 + half-stride shift", shift=True),
    Variant("192 + mirror + shift", [(192, True)], shift=True),
    Variant("160 + 192 + 224", [(160, False), (192, False), (224, False)]),
    Variant("192 + 256, mirrored", [(192, True), (256, True)]),
    Variant("192 + 256, mean with refined", [(192, False), (256, False)], guided=0.5),
    Variant("192, exact aspect (reflect-padded)", exact_aspect=True),
    Variant("192 + mirror, exact aspect", [(192, True)], exact_aspect=True),
]


def _smooth(pred: torch.Tensor, size: int) -> torch.Tensor:
    k = torch.tensor([1.0, 2.0, 1.0] if size == 3 else [1.0, 4.0, 6.0, 4.0, 1.0], device=pred.device)
    k = k[:, None] * k[None]
    r = size // 2
    return F.conv2d(F.pad(pred, (r, r, r, r), mode="replicate"), (k / k.sum()).view(1, 1, size, size))


def _predict(model, x: torch.Tensor, mirror: bool) -> torch.Tensor:  # noqa: ANN001
    if mirror:
        both = model.predict(torch.cat([x, x.flip(-1)]))
        return ((both[0] + both[1].flip(-1)) / 2)[None, None]
    return model.predict(x)[None]


def _shifted(model, x: torch.Tensor, mirror: bool, by: int = 16) -> torch.Tensor:  # noqa: ANN001
    """The prediction for ``x`` moved right and down by ``by`` pixels (reflected border), moved back."""
    pad = F.pad(x, (by, 32 - by, by, 32 - by), mode="reflect")
    return _predict(model, pad, mirror)[..., by : by + x.shape[-2], by : by + x.shape[-1]]


def passes_map(model, rgb: np.ndarray, variant: Variant) -> torch.Tensor:  # noqa: ANN001
    """The variant's unnormalised prediction at the image's size, (H, W)."""
    h, w = rgb.shape[:2]
    x0 = torch.from_numpy(rgb).permute(2, 0, 1)[None]
    acc = None
    for size, mirror in variant.passes:
        ih, iw = inference_shape(h, w, size, model.multiple)
        if variant.exact_aspect:
            scale = size / np.sqrt(h * w)
            ih, iw = max(1, round(h * scale)), max(1, round(w * scale))
        x = F.interpolate(x0, size=(ih, iw), mode="bilinear", align_corners=False, antialias=True).clamp(0, 1)
        if variant.exact_aspect:
            ph, pw = -ih % model.multiple, -iw % model.multiple
            pred = _predict(model, F.pad(x, (0, pw, 0, ph), mode="reflect"), mirror)[..., :ih, :iw]
        else:
            pred = _predict(model, x, mirror)
        if variant.shift:
            pred = (pred + _shifted(model, x, mirror)) / 2
        if variant.smooth:
            pred = _smooth(pred, variant.smooth)
        up = F.interpolate(pred, size=(h, w), mode="bilinear", align_corners=False)[0, 0]
        if len(variant.passes) > 1:
            up = (up - up.mean()) / up.std().clamp_min(1e-8)
        acc = up if acc is None else acc + up
    return acc


def variant_map(model, image, variant: Variant) -> np.ndarray:  # noqa: ANN001
    rgb = to_rgb_float(image)
    h, w = rgb.shape[:2]
    near = normalise(passes_map(model, rgb, variant).float().numpy())
    if variant.guided:
        factor = guide_factor(h, w, variant.passes[0][0])
        refined = guided_filter(torch.from_numpy(rgb), torch.from_numpy(near), factor).numpy()
        near = (1 - variant.guided) * near + variant.guided * refined
    return near.astype(np.float16).astype(np.float32)


class _Estimator:
    """What ``shaderviz.depth.evaluate``'s reports call: ``estimate(image)``."""

    def __init__(self, model, variant: Variant) -> None:  # noqa: ANN001
        self.model, self.variant = model, variant

    def estimate(self, image) -> np.ndarray:  # noqa: ANN001
        return variant_map(self.model, image, self.variant)


def synthetic_scores(est: _Estimator, scenes: list[tuple[np.ndarray, np.ndarray, str]]) -> dict:
    from shaderviz.depth import evaluate

    rho, acc, comp, ssi = [], [], [], []
    for rgb, target, _ in scenes:
        pred = est.estimate(rgb)
        rho.append(evaluate.spearman(pred, target))
        ssi.append(evaluate.ssi_error(pred, target))
        a, c = evaluate.edge_errors(pred, target)
        acc.append(a)
        comp.append(c)
    return {
        "scenes": len(scenes),
        "spearman": float(np.mean(rho)),
        "ssi_error": float(np.mean(ssi)),
        "edge_accuracy_px": float(np.mean(acc)),
        "edge_completeness_px": float(np.mean(comp)),
    }


def render_scenes(count: int) -> list[tuple[np.ndarray, np.ndarray, str]]:
    from shaderviz.depth.evaluate import HELD_OUT_SEED
    from shaderviz.depth.scenes import SceneRenderer, make_scene, nearness

    renderer = SceneRenderer(192)
    out = []
    try:
        for i in range(count):
            rgb, depth = renderer.render(HELD_OUT_SEED + i)
            out.append((rgb, nearness(depth), make_scene(HELD_OUT_SEED + i)[1]))
    finally:
        renderer.release()
    return out


def speed(model, variants: list[Variant], rounds: int, min_s: float) -> list[dict]:  # noqa: ANN001
    """ms per image of each variant, timed in interleaved rounds (every variant once a round,
    so a burst of load on the shared machine hits all of them alike): the passes on a 192x192
    input and the whole path from a 1280x720 photo. Median and minimum over the rounds."""
    square = np.random.default_rng(0).random((192, 192, 3), dtype=np.float32)
    photo = np.random.default_rng(1).random((720, 1280, 3), dtype=np.float32)
    cases = {
        "passes_192": lambda v: passes_map(model, square, v),
        "photo_720p": lambda v: variant_map(model, photo, v),
    }
    samples = [{k: [] for k in cases} for _ in variants]
    counts = [{} for _ in variants]
    for v, c in zip(variants, counts, strict=True):  # warm up; calls per sample for about min_s seconds
        for k, fn in cases.items():
            fn(v)
            t0 = time.perf_counter()
            fn(v)
            c[k] = max(1, int(min_s / max(time.perf_counter() - t0, 1e-4)))
    for _ in range(rounds):
        for v, c, out in zip(variants, counts, samples, strict=True):
            for k, fn in cases.items():
                t0 = time.perf_counter()
                for _ in range(c[k]):
                    fn(v)
                out[k].append((time.perf_counter() - t0) / c[k] * 1000)
    return [
        {f"{k}_ms": round(statistics.median(ms), 1) for k, ms in out.items()}
        | {f"{k}_ms_min": round(min(ms), 1) for k, ms in out.items()}
        | {f"{k}_ms_rounds": [round(x, 1) for x in ms] for k, ms in out.items()}
        for out in samples
    ]


def _cell(d: dict, key: str, fmt: str) -> str:
    return fmt.format(d[key]) if key in d else "–"


def main(argv: list[str] | None = None) -> int:
    from shaderviz.depth import evaluate

    p = argparse.ArgumentParser(description="Depth-model inference variants: quality and speed.")
    p.add_argument("--model", default=DEFAULT_MODEL)
    p.add_argument("--scenes", type=int, default=64, help="held-out rendered scenes (0 = skip)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--only", default="", help="comma-separated variant numbers (0 = shipped)")
    p.add_argument("--no-speed", action="store_true")
    p.add_argument("--rounds", type=int, default=7, help="interleaved speed rounds")
    p.add_argument("--min-seconds", type=float, default=0.5, help="per variant and round")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    load_before = [round(x, 2) for x in os.getloadavg()]
    model = load_model(args.model, "cpu")
    chosen = [VARIANTS[int(i)] for i in args.only.split(",") if i.strip()] or VARIANTS
    annotations = evaluate.load_annotations()
    scenes = render_scenes(args.scenes) if args.scenes else []
    rows = []
    for v in chosen:
        est = _Estimator(model, v)
        real = evaluate.real_photo_report(est, annotations)
        row = {
            "variant": v.name,
            "passes": v.passes,
            "guided": v.guided,
            "pairs_right": round(real["model_acc"] * real["pairs"]),
            "pairs": real["pairs"],
            "motorcycle_spearman": real.get("motorcycle_spearman"),
            "per_image": real["per_image"],
        }
        if scenes:
            row["synthetic"] = synthetic_scores(est, scenes)
        rows.append(row)
        print(
            f"{v.name}: {row['pairs_right']}/{row['pairs']} pairs, moto rho {row['motorcycle_spearman']:.3f}",
            flush=True,
        )
    if not args.no_speed:
        for row, ms in zip(rows, speed(model, chosen, args.rounds, args.min_seconds), strict=True):
            row.update(ms)
    print("| variant | pairs | moto ρ | synth ρ | edge acc px | edge comp px | ms 192² | ms 720p |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for v, row in zip(chosen, rows, strict=True):
        s = row.get("synthetic", {})
        cells = [
            _cell(s, "spearman", "{:.3f}"),
            _cell(s, "edge_accuracy_px", "{:.2f}"),
            _cell(s, "edge_completeness_px", "{:.2f}"),
            _cell(row, "passes_192_ms", "{:.1f}"),
            _cell(row, "photo_720p_ms", "{:.0f}"),
        ]
        head = f"| {v.name} | {row['pairs_right']}/{row['pairs']} | {row['motorcycle_spearman']:.3f} | "
        print(head + " | ".join(cells) + " |", flush=True)
    result = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "model": args.model,
        "threads": args.threads,
        "load_before": load_before,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"load average {load_before} -> {result['load_after']}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
