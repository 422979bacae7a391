"""``shaderviz train-gan FOLDER -o OUT.pt``: train a GAN on a folder of images.

One process (CPU or CUDA), or data-parallel under ``torchrun`` (see ``distributed``):

    shaderviz train-gan photos/ -o mine.pt --size 64 --minutes 60
    shaderviz train-gan photos/ -o mine.pt --resume --minutes 30         # continue
    torchrun --nproc_per_node 4 -m shaderviz train-gan photos/ -o mine.pt  # 4 processes

Writes ``OUT`` (the whole training state, every ``--save-every`` steps, at the end, on
Ctrl-C), and ``OUT_STEM-train/``: ``step_NNNNNN.png`` sample grids of the EMA generator
on fixed latents every ``--sample-every`` steps, and ``log.jsonl`` (losses, speed).
``shaderviz play gan:OUT`` and ``shaderviz generate OUT`` use the file directly.

Recipe (``gan`` has the networks; SNGAN's "standard CNN" setting plus what small data
and a small budget need): hinge loss (``--loss logistic``: non-saturating); one
discriminator step per generator step; Adam (lr 2e-4 for both, betas 0.5, 0.99); a lazy
R1 penalty on real images every ``--r1-every`` steps (weight gamma/2, scaled by the
interval); DiffAugment (colour, translation) on everything the discriminator sees; EMA
of the generator's weights with a half-life of 10k images (ramped up over the first
steps; batch-norm statistics copied). ``--batch`` is per process: N processes see N
times the images per step. Measured on book covers at 32 px, 400 steps: a pixel-norm
generator (ProGAN's) collapsed to one image under this budget; batch norm did not.
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from shaderviz.errors import UserError

SAMPLE_GRID = 8  # 8 x 8 samples per grid
# Training settings: a new run starts from these, a resumed run from its checkpoint's;
# what the command line gives explicitly wins either way.
SETTINGS = {"batch": 32, "crop": "random", "augment": "color,translation", "loss": "hinge", "lr": 2e-4,
            "lr_d": 2e-4, "beta1": 0.5, "r1": 0.1, "r1_every": 16}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", type=Path, help="folder of training images (any sizes; searched recursively)")
    p.add_argument("-o", "--output", required=True, type=Path, help="checkpoint to write (.pt)")
    p.add_argument("--size", type=int, choices=(32, 64, 128, 256),
                   help="image side (default 64; a resumed run keeps its own)")
    p.add_argument("--minutes", type=float, help="stop after this many minutes (default 60 unless --steps)")
    p.add_argument("--steps", type=int, help="stop at this total step count")
    p.add_argument("--resume", action="store_true", help="continue the run saved in OUT")
    p.add_argument("--batch", type=int, default=None, help="images per step and process (default 32)")
    p.add_argument("--crop", choices=("random", "center"), default=None,
                   help="random crops and flips (default) or the centre square")
    p.add_argument("--augment", default=None,
                   help="DiffAugment policies: color,translation,cutout or none (default color,translation)")
    p.add_argument("--latent", type=int, default=128, help="latent size (new runs; default 128)")
    p.add_argument("--norm", choices=("batch", "pixel"), default="batch",
                   help="generator normalisation (new runs): batch (DCGAN; default) or pixel (ProGAN)")
    p.add_argument("--width", type=int, default=256,
                   help="channels at 4x4, halved per doubling (default 256)")
    p.add_argument("--loss", choices=("hinge", "logistic"), default=None,
                   help="hinge (default) or non-saturating logistic")
    p.add_argument("--lr", type=float, default=None, help="generator learning rate (default 2e-4)")
    p.add_argument("--lr-d", type=float, default=None, help="discriminator learning rate (default 2e-4)")
    p.add_argument("--beta1", type=float, default=None, help="Adam beta1 (default 0.5)")
    p.add_argument("--r1", type=float, default=None, help="R1 penalty weight gamma (0: off; default 0.1)")
    p.add_argument("--r1-every", type=int, default=None, help="steps between R1 penalties (default 16)")
    p.add_argument("--sample-every", type=int, default=500, help="steps between sample grids (default 500)")
    p.add_argument("--save-every", type=int, default=250, help="steps between checkpoints (default 250)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int,
                   help="CPU threads per process (default: the cores divided among local processes)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """The command: checks arguments, then trains; exit status."""
    _check(args)
    from shaderviz.generators.trainer import Trainer

    trainer = Trainer(args)
    return trainer.run()


def _check(args: argparse.Namespace) -> None:
    """Everything that can be said before torch loads and the images are read."""
    from shaderviz.generators.augment import parse_policy

    out: Path = args.output
    if out.suffix.lower() not in (".pt", ".pth"):
        raise UserError(f"-o {out}: give the checkpoint a .pt name")
    if out.is_dir():
        raise UserError(f"-o {out}: is a folder; give a file name such as {out / 'mine.pt'}")
    if not out.parent.resolve().is_dir():
        raise UserError(f"-o {out}: the folder {out.parent} does not exist")
    if args.resume and not out.is_file():
        raise UserError(f"--resume: {out} does not exist (start a new run without --resume)")
    if not args.resume and out.exists():
        raise UserError(f"{out} exists: pass --resume to continue it, or choose another -o")
    for name in ("batch", "steps", "sample_every", "save_every", "r1_every", "threads", "latent", "width"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise UserError(f"--{name.replace('_', '-')} must be at least 1")
    if args.minutes is not None and not (math.isfinite(args.minutes) and args.minutes > 0):
        raise UserError("--minutes must be a positive number")
    if not all(math.isfinite(v) and v > 0 for v in (args.lr, args.lr_d) if v is not None):
        raise UserError("--lr and --lr-d must be positive numbers")
    if args.r1 is not None and not (math.isfinite(args.r1) and args.r1 >= 0):
        raise UserError("--r1 must be at least 0")
    if args.beta1 is not None and not 0 <= args.beta1 < 1:
        raise UserError("--beta1 must be within 0..1")
    if args.augment is not None:
        try:
            parse_policy(args.augment)
        except ValueError as err:
            raise UserError(f"--augment: {err}") from None
    if args.minutes is None and args.steps is None:
        args.minutes = 60.0


def fill_settings(args: argparse.Namespace, saved: dict[str, Any] | None) -> None:
    """Settings not given on the command line: a resumed run's own, else the defaults."""
    from shaderviz.generators.augment import parse_policy

    saved = dict(saved or {})
    if "batch_per_process" in saved:
        saved["batch"] = saved["batch_per_process"]
    if isinstance(saved.get("augment"), list):
        saved["augment"] = ",".join(saved["augment"]) or "none"
    for name, default in SETTINGS.items():
        if getattr(args, name) is None:
            setattr(args, name, saved.get(name, default))
    args.policy = parse_policy(args.augment)


def samples_dir(out: Path) -> Path:
    return out.with_name(out.stem + "-train")


def save_grid(images: np.ndarray, path: Path, columns: int = SAMPLE_GRID) -> None:
    """(N, H, W, 3) uint8 -> one PNG grid with 2 px gaps, written atomically."""
    from PIL import Image

    n, h, w, _ = images.shape
    rows = math.ceil(n / columns)
    grid = np.full((rows * (h + 2) + 2, columns * (w + 2) + 2, 3), 24, np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, columns)
        grid[2 + r * (h + 2) : 2 + r * (h + 2) + h, 2 + c * (w + 2) : 2 + c * (w + 2) + w] = img
    tmp = path.with_name(f".{path.name}.tmp.png")
    Image.fromarray(grid).save(tmp)
    tmp.replace(path)


class Budget:
    """Stop at a total step count and/or after some minutes of this run."""

    def __init__(self, steps: int | None, minutes: float | None) -> None:
        self.steps, self.seconds = steps, None if minutes is None else minutes * 60.0
        self.started = time.monotonic()
        self.interrupted = False

    def done(self, step: int) -> bool:
        if self.interrupted or (self.steps is not None and step >= self.steps):
            return True
        return self.seconds is not None and time.monotonic() - self.started >= self.seconds

    def describe(self) -> str:
        parts = []
        if self.steps is not None:
            parts.append(f"until step {self.steps}")
        if self.seconds is not None:
            parts.append(f"for {self.seconds / 60:g} min")
        return " or ".join(parts)


def log_line(path: Path, record: dict[str, Any]) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


def install_interrupt(budget: Budget) -> Any:
    """Ctrl-C and SIGTERM finish the current step, save, and stop (a second Ctrl-C aborts)."""

    def handler(signum: int, frame: object) -> None:
        if budget.interrupted:
            raise KeyboardInterrupt
        budget.interrupted = True
        print("\nshaderviz: stopping after this step (saving the checkpoint)...", file=sys.stderr, flush=True)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    return lambda: [signal.signal(s, h) for s, h in previous.items()]
