"""Evaluate depth models: real-photo ordinal accuracy and held-out synthetic scores.

    python -m shaderviz.depth.evaluate                         # the shipped model
    python -m shaderviz.depth.evaluate --model a.pt b.pt --sizes 160,192,224,256 --synthetic 64

Real photographs: ``models/annotations/real_photos.json`` holds hand-annotated near/far
point pairs on photos bundled offline with scikit-image. Ordinal accuracy = the share of
pairs where the model's nearness at the near point exceeds the far point's (each point is
the median of a small patch). The baseline is the vertical gradient "bottom of the image
is near". For ``motorcycle_left.png`` the real stereo disparity map (inverse depth) also
gives a Spearman correlation over all valid pixels.

Synthetic: scenes from ``shaderviz.depth.scenes`` with seeds never used for training
(from 10,000,000 up): scale-and-shift-invariant absolute error (prediction least-squares
aligned to the target nearness, both 0..1) and Spearman rank correlation, per image,
averaged. Edge alignment, like the depth-boundary errors of the iBims-1 benchmark: Canny
edges (sigma sqrt 2, hysteresis 0.03 / 0.06) of the true nearness and of the aligned
prediction; *accuracy* = mean distance (px at 192 px, capped at 10) from a predicted
depth edge to the nearest true one, *completeness* = from a true edge to the nearest
predicted one. Lower is better for both; in rendered scenes every true depth edge is
also an image edge (an object's outline).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

import numpy as np

_HERE = Path(__file__).resolve().parent
ANNOTATIONS = next(
    (
        p
        for p in (
            _HERE.parents[1] / "models" / "annotations" / "real_photos.json",
            _HERE.parent / "_models" / "annotations" / "real_photos.json",
        )
        if p.is_file()
    ),
    _HERE.parents[1] / "models" / "annotations" / "real_photos.json",
)
HELD_OUT_SEED = 10_000_000


def skimage_data_dir() -> Path | None:
    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "data"
    return folder if folder.is_dir() else None


def load_annotations(path: Path = ANNOTATIONS) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    folder = skimage_data_dir()
    if folder is None:
        raise SystemExit("the real-photo check needs scikit-image's bundled images: pip install scikit-image")
    out = []
    for item in data["images"]:
        item = dict(item)
        item["path"] = folder / item["file"]
        out.append(item)
    return out


def patch_value(near: np.ndarray, xy: list[float], radius: int = 2) -> float:
    h, w = near.shape
    x = int(round(xy[0] * (w - 1)))
    y = int(round(xy[1] * (h - 1)))
    return float(np.median(near[max(0, y - radius) : y + radius + 1, max(0, x - radius) : x + radius + 1]))


def ordinal(near: np.ndarray, pairs: list[dict]) -> list[bool]:
    return [patch_value(near, p["near"]) > patch_value(near, p["far"]) for p in pairs]


def baseline_ordinal(pairs: list[dict]) -> list[float]:
    """'Bottom of the image is near': right when the near point is lower; ties count half."""
    return [1.0 if p["near"][1] > p["far"][1] else 0.5 if p["near"][1] == p["far"][1] else 0.0 for p in pairs]


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra = np.argsort(np.argsort(a.ravel(), kind="stable"), kind="stable").astype(np.float64)
    rb = np.argsort(np.argsort(b.ravel(), kind="stable"), kind="stable").astype(np.float64)
    ra -= ra.mean()
    rb -= rb.mean()
    den = np.sqrt((ra**2).sum() * (rb**2).sum())
    return float((ra * rb).sum() / den) if den > 0 else 0.0


def ssi_error(pred: np.ndarray, target: np.ndarray) -> float:
    p, t = pred.ravel().astype(np.float64), target.ravel().astype(np.float64)
    A = np.stack([p, np.ones_like(p)], 1)
    (s, b), *_ = np.linalg.lstsq(A, t, rcond=None)
    return float(np.abs(s * p + b - t).mean())


EDGE_CAP_PX = 10.0


def align_to(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``pred`` least-squares scaled and shifted onto ``target``."""
    p, t = pred.ravel().astype(np.float64), target.ravel().astype(np.float64)
    A = np.stack([p, np.ones_like(p)], 1)
    (s, b), *_ = np.linalg.lstsq(A, t, rcond=None)
    return (s * pred + b).astype(np.float64)


def depth_edges(near: np.ndarray) -> np.ndarray:
    """Boolean Canny edge map of a nearness map in 0..1 units."""
    from skimage.feature import canny

    return canny(near.astype(np.float64), sigma=np.sqrt(2), low_threshold=0.03, high_threshold=0.06)


def edge_errors(pred: np.ndarray, target: np.ndarray, cap: float = EDGE_CAP_PX) -> tuple[float, float]:
    """(accuracy, completeness) in pixels: predicted depth edges -> true ones, and back.

    ``pred`` is aligned to ``target`` (true nearness, 0..1) first so that the same Canny
    thresholds mean the same depth step in both. With no edge on one side the distance is
    the cap (nothing found is as bad as all edges far off)."""
    from scipy.ndimage import distance_transform_edt

    true_e = depth_edges(target)
    pred_e = depth_edges(np.clip(align_to(pred, target), -0.5, 1.5))
    if not true_e.any() or not pred_e.any():
        return cap, cap
    to_true = np.minimum(distance_transform_edt(~true_e), cap)
    to_pred = np.minimum(distance_transform_edt(~pred_e), cap)
    return float(to_true[pred_e].mean()), float(to_pred[true_e].mean())


def real_photo_report(estimator, annotations: list[dict]) -> dict:  # noqa: ANN001
    per_image = {}
    correct, base, total = 0, 0.0, 0
    maps = {}
    for item in annotations:
        near = estimator.estimate(item["path"])
        maps[item["file"]] = near
        ok = ordinal(near, item["pairs"])
        b = baseline_ordinal(item["pairs"])
        per_image[item["file"]] = {"pairs": len(ok), "model": sum(ok), "baseline": sum(b)}
        correct += sum(ok)
        base += sum(b)
        total += len(ok)
    out = {"pairs": total, "model_acc": correct / total, "baseline_acc": base / total, "per_image": per_image}
    disp_file = skimage_data_dir() / "motorcycle_disp.npz"
    if "motorcycle_left.png" in maps and disp_file.is_file():
        disp = np.load(disp_file)["arr_0"]
        valid = np.isfinite(disp) & (disp > 0)
        near = maps["motorcycle_left.png"]
        out["motorcycle_spearman"] = spearman(near[valid], disp[valid])
        h = near.shape[0]
        rows = np.broadcast_to(np.arange(h, dtype=np.float64)[:, None], near.shape)
        out["motorcycle_spearman_baseline"] = spearman(rows[valid], disp[valid])
    return out


def synthetic_report(estimator, count: int, size: int = 192, seed: int = HELD_OUT_SEED) -> dict:  # noqa: ANN001
    from shaderviz.depth.scenes import SceneRenderer, make_scene, nearness

    renderer = SceneRenderer(size)
    ssi, rho, kinds, acc, comp = [], [], {}, [], []
    try:
        for i in range(count):
            rgb, depth = renderer.render(seed + i)
            _, kind = make_scene(seed + i)
            target = nearness(depth)
            pred = estimator.estimate(rgb)
            e, r = ssi_error(pred, target), spearman(pred, target)
            ssi.append(e)
            rho.append(r)
            a, c = edge_errors(pred, target)
            acc.append(a)
            comp.append(c)
            kinds.setdefault(kind, []).append(r)
    finally:
        renderer.release()
    return {
        "scenes": count,
        "ssi_error": float(np.mean(ssi)),
        "spearman": float(np.mean(rho)),
        "edge_accuracy_px": float(np.mean(acc)),
        "edge_completeness_px": float(np.mean(comp)),
        "spearman_by_kind": {k: round(float(np.mean(v)), 4) for k, v in sorted(kinds.items())},
    }


def main(argv: list[str] | None = None) -> int:
    from shaderviz.depth import DEFAULT_MODEL
    from shaderviz.depth.estimator import DepthEstimator
    from shaderviz.depth.loaders import load_model

    p = argparse.ArgumentParser(description="Real-photo ordinal accuracy and synthetic SSI/Spearman.")
    p.add_argument("--model", nargs="+", default=[DEFAULT_MODEL], help="names or paths (several to compare)")
    p.add_argument("--sizes", default="", help="comma-separated inference sizes (default: the model's)")
    p.add_argument("--synthetic", type=int, default=0, help="held-out synthetic scenes to score (0 = skip)")
    p.add_argument("--annotations", type=Path, default=ANNOTATIONS)
    p.add_argument("--maps", type=Path, help="write the real-photo nearness maps as PNGs into this folder")
    p.add_argument("--json", type=Path, help="write all results as JSON here")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch default)")
    p.add_argument(
        "--flip",
        choices=("model", "on", "off", "both"),
        default="model",
        help="test-time mirroring (default: the model's setting)",
    )
    p.add_argument(
        "--smooth",
        choices=("model", "on", "off", "both"),
        default="model",
        help="the estimator's 3x3 smoothing (default: the model's setting)",
    )
    p.add_argument(
        "--guided",
        choices=("on", "off", "both"),
        default="on",
        help="guided upsampling onto the image's edges, as `shaderviz depth` and the renderer do "
        "(default on; off: the model's map as it is)",
    )
    args = p.parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    annotations = load_annotations(args.annotations)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()] or [None]
    results = []
    for spec in args.model:
        model = load_model(spec, "cpu")
        flips = {"model": [None], "on": [True], "off": [False], "both": [False, True]}[args.flip]
        smooths = {"model": [None], "on": [True], "off": [False], "both": [True, False]}[args.smooth]
        guides = {"on": [True], "off": [False], "both": [False, True]}[args.guided]
        settings = [(s, f, m, g) for s in sizes for f in flips for m in smooths for g in guides]
        for size, flip, smooth, guided in settings:
            est = DepthEstimator(
                model,
                size=size,
                device="cpu",
                cache_dir=False,
                memory_items=0,
                flip=flip,
                smooth=smooth,
                guided=guided,
            )
            t0 = time.time()
            row = {
                "model": str(spec),
                "size": est.size,
                "flip": est.flip,
                "smooth": est.smooth,
                "guided": est.guided,
                "real": real_photo_report(est, annotations),
            }
            if args.synthetic:
                row["synthetic"] = synthetic_report(est, args.synthetic)
            row["seconds"] = round(time.time() - t0, 1)
            results.append(row)
            r = row["real"]
            line = (
                f"{Path(str(spec)).name:<28} {est.size:>4}px{'+flip' if est.flip else '     '}"
                f"{'         ' if est.smooth else ' unsmooth'}{'+guided' if est.guided else '       '} "
                f"ordinal {r['model_acc']:.3f} "
                f"(baseline {r['baseline_acc']:.3f}, {r['pairs']} pairs)"
            )
            if "motorcycle_spearman" in r:
                rho, rows = r["motorcycle_spearman"], r["motorcycle_spearman_baseline"]
                line += f"  moto rho {rho:+.3f} (rows {rows:+.3f})"
            if "synthetic" in row:
                s = row["synthetic"]
                line += (
                    f"  synth SSI {s['ssi_error']:.4f} rho {s['spearman']:.3f}"
                    f" edges acc {s['edge_accuracy_px']:.2f} comp {s['edge_completeness_px']:.2f} px"
                )
            print(line, flush=True)
            if args.maps:
                from PIL import Image

                args.maps.mkdir(parents=True, exist_ok=True)
                for item in annotations:
                    near = est.estimate(item["path"])
                    tags = (("f", est.flip), ("s", not est.smooth), ("g", est.guided))
                    tag = "".join(t for t, on in tags if on)
                    name = f"{Path(str(spec)).stem}_{est.size}{tag}_{Path(item['file']).stem}.png"
                    Image.fromarray((near * 255).astype(np.uint8)).save(args.maps / name)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
