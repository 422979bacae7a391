"""The GAN training loop behind ``shaderviz train-gan`` (arguments: ``train_gan``)."""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from shaderviz.errors import UserError
from shaderviz.generators import checkpoint, distributed
from shaderviz.generators.augment import augment
from shaderviz.generators.data import ImageFolder
from shaderviz.generators.gan import FORMAT, build, full_config, parameter_count
from shaderviz.generators.train_gan import (
    SAMPLE_GRID,
    Budget,
    fill_settings,
    install_interrupt,
    log_line,
    samples_dir,
    save_grid,
)

EMA_HALF_LIFE = 10_000  # images
EMA_RAMPUP = 0.05  # the half-life is at most this share of the images seen so far
LOG_EVERY = 10


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """(N, 3, H, W) in -1..1 -> (N, H, W, 3) uint8."""
    x = ((images.detach().float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return x.permute(0, 2, 3, 1).cpu().numpy()


class Trainer:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.out: Path = args.output
        local = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))  # processes on this machine (torchrun)
        torch.set_num_threads(args.threads or max(1, (os.cpu_count() or 1) // local))
        try:
            self.ctx = distributed.setup(args.device)
        except ValueError as err:
            raise UserError(str(err)) from None
        self.resumed: dict[str, Any] | None = None
        if args.resume:
            try:
                self.resumed = checkpoint.read(self.out)
            except ValueError as err:
                raise UserError(f"--resume {self.out}: {err}") from None
            if "d" not in self.resumed:
                raise UserError(f"--resume {self.out}: an exported generator; it holds no training state")
            config = self.resumed["config"]
            if args.size is not None and config["size"] != args.size:
                raise UserError(f"--resume: {self.out} was trained at {config['size']}px, not {args.size}px")
        else:
            config = full_config({"latent": args.latent, "size": args.size or 64, "width": args.width,
                                  "norm": args.norm})
        fill_settings(args, None if self.resumed is None else self.resumed.get("train"))
        self.config = config
        self.data = ImageFolder(args.folder, config["size"], args.crop, verbose=self.ctx.main)

    # -- state ---------------------------------------------------------------------------

    def _build(self) -> None:
        device = self.ctx.device
        torch.manual_seed(self.args.seed)
        self.g, self.d = build(self.config)
        self.g_ema = copy.deepcopy(self.g).eval().requires_grad_(False)
        betas = (float(self.args.beta1), 0.99)
        self.opt_g = torch.optim.Adam(self.g.parameters(), self.args.lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.d.parameters(), self.args.lr_d, betas=betas)
        self.step, self.images_seen, self.history = 0, 0, []
        if self.resumed is not None:
            r = self.resumed
            self.g.load_state_dict(r["g"])
            self.d.load_state_dict(r["d"])
            self.g_ema.load_state_dict(r["g_ema"])
            self.opt_g.load_state_dict(r["opt_g"])
            self.opt_d.load_state_dict(r["opt_d"])
            self.step = int(r["step"])
            train = r.get("train", {})
            self.images_seen = int(train.get("images_seen", 0))
            self.history = list(train.get("runs", []))
        for module in (self.g, self.d, self.g_ema):
            module.to(device)
        for opt in (self.opt_g, self.opt_d):
            for state in opt.state.values():
                for k, v in state.items():
                    if isinstance(v, torch.Tensor):
                        state[k] = v.to(device)
        distributed.broadcast_module(self.ctx, self.g, self.d, self.g_ema)
        self.fixed_z = torch.randn(SAMPLE_GRID * SAMPLE_GRID, self.config["latent"],
                                   generator=torch.Generator().manual_seed(1234)).to(device)

    def _train_info(self, elapsed: float) -> dict[str, Any]:
        a = self.args
        run = {"steps_to": self.step, "seconds": round(elapsed, 1), "processes": self.ctx.world,
               "device": self.ctx.device.type, "batch": a.batch, "images": len(self.data)}
        return {
            "data": str(a.folder), "images": len(self.data), "crop": a.crop, "augment": list(a.policy),
            "loss": a.loss, "lr": a.lr, "lr_d": a.lr_d, "beta1": a.beta1, "r1": a.r1, "r1_every": a.r1_every,
            "batch_per_process": a.batch,
            "ema_half_life_images": EMA_HALF_LIFE, "seed": a.seed, "images_seen": self.images_seen,
            "seconds": round(sum(r["seconds"] for r in self.history) + elapsed, 1),
            "runs": [*self.history, run],
        }

    def save(self, elapsed: float) -> None:
        if not self.ctx.main:
            return
        payload = {
            "format": FORMAT, "config": self.config, "step": self.step,
            "g": self.g.state_dict(), "d": self.d.state_dict(), "g_ema": self.g_ema.state_dict(),
            "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict(),
            "train": self._train_info(elapsed),
        }
        checkpoint.atomic_save(payload, self.out)

    def sample(self) -> None:
        if not self.ctx.main:
            return
        with torch.no_grad():
            images = to_uint8(self.g_ema(self.fixed_z))
        folder = samples_dir(self.out)
        folder.mkdir(exist_ok=True)
        save_grid(images, folder / f"step_{self.step:06d}.png")

    # -- one step ------------------------------------------------------------------------

    def train_step(self) -> dict[str, float]:
        a, device = self.args, self.ctx.device
        rng = np.random.default_rng([a.seed, self.ctx.rank, self.step])
        torch.manual_seed(int(rng.integers(1 << 62)))
        real = self.data.batch(rng, a.batch).to(device)
        latent = self.config["latent"]
        # Discriminator: real up, fake down (non-saturating logistic loss), lazy R1.
        self.d.requires_grad_(True)
        with torch.no_grad():
            fake = self.g(torch.randn(a.batch, latent, device=device))
        d_real = self.d(augment(real, a.policy))
        d_fake = self.d(augment(fake, a.policy))
        if a.loss == "hinge":
            loss_d = F.relu(1.0 - d_real).mean() + F.relu(1.0 + d_fake).mean()
        else:
            loss_d = F.softplus(d_fake).mean() + F.softplus(-d_real).mean()
        stats = {"d": float(loss_d.detach()), "real": float(d_real.detach().mean()),
                 "fake": float(d_fake.detach().mean())}
        if a.r1 > 0 and self.step % a.r1_every == 0:
            seen = augment(real, a.policy).detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(self.d(seen).sum(), seen, create_graph=True)
            penalty = grad.pow(2).sum(dim=(1, 2, 3)).mean()
            loss_d = loss_d + penalty * (a.r1 / 2) * a.r1_every
            stats["r1"] = float(penalty.detach())
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        distributed.average_gradients(self.ctx, self.d.parameters())
        self.opt_d.step()
        # Generator: make the discriminator call its images real.
        self.d.requires_grad_(False)
        out = self.d(augment(self.g(torch.randn(a.batch, latent, device=device)), a.policy))
        loss_g = -out.mean() if a.loss == "hinge" else F.softplus(-out).mean()
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        distributed.average_gradients(self.ctx, self.g.parameters())
        self.opt_g.step()
        stats["g"] = float(loss_g.detach())
        # EMA of the generator's weights.
        per_step = a.batch * self.ctx.world
        self.images_seen += per_step
        half_life = min(EMA_HALF_LIFE, self.images_seen * EMA_RAMPUP)
        beta = 0.5 ** (per_step / max(half_life, 1e-8))
        with torch.no_grad():
            for p_ema, p in zip(self.g_ema.parameters(), self.g.parameters(), strict=True):
                p_ema.lerp_(p, 1.0 - beta)
            for b_ema, b in zip(self.g_ema.buffers(), self.g.buffers(), strict=True):
                b_ema.copy_(b)  # batch-norm statistics follow the live generator
        self.step += 1
        return stats

    # -- the loop ------------------------------------------------------------------------

    def run(self) -> int:
        from tqdm import tqdm

        a = self.args
        finished = False
        try:
            self._build()
            budget = Budget(a.steps, a.minutes)
            restore = install_interrupt(budget)
            folder = samples_dir(self.out)
            if self.ctx.main:
                folder.mkdir(exist_ok=True)
                where = f"{self.ctx.world} processes" if self.ctx.active else "1 process"
                print(f"train-gan: {len(self.data)} images at {self.config['size']}px, "
                      f"G {parameter_count(self.g):,} / D {parameter_count(self.d):,} parameters, "
                      f"{where} on {self.ctx.device.type}, "
                      f"from step {self.step}, {budget.describe()}", file=sys.stderr, flush=True)
            bar = tqdm(total=a.steps, initial=self.step, unit="step", dynamic_ncols=True,
                       disable=a.quiet or not self.ctx.main, desc="train-gan")
            started = time.monotonic()
            running: dict[str, float] = {}
            try:
                while not distributed.any_true(self.ctx, budget.done(self.step)):
                    stats = self.train_step()
                    for k, v in stats.items():
                        running[k] = v if k not in running else 0.9 * running[k] + 0.1 * v
                    bar.update(1)
                    bar.set_postfix({k: f"{v:.3f}" for k, v in running.items() if k in ("d", "g", "r1")})
                    if self.step % LOG_EVERY == 0:
                        stats = distributed.mean_scalars(self.ctx, stats)
                        if self.ctx.main:
                            elapsed = time.monotonic() - started
                            log_line(folder / "log.jsonl", {"step": self.step, **{k: round(v, 5) for k, v in
                                     stats.items()}, "elapsed_s": round(elapsed, 1), "world": self.ctx.world})
                    if self.step % a.sample_every == 0:
                        self.sample()
                    if self.step % a.save_every == 0:
                        self.save(time.monotonic() - started)
                    for k, v in stats.items():
                        if not np.isfinite(v):
                            raise UserError(f"training diverged at step {self.step} ({k} loss is {v}); "
                                            f"the last good checkpoint is {self.out}; try a lower --lr")
            finally:
                bar.close()
                restore()
            self.sample()
            self.save(time.monotonic() - started)
            if self.ctx.main:
                how = "interrupted" if budget.interrupted else "done"
                print(f"train-gan: {how} at step {self.step}; wrote {self.out} and samples in {folder}/"
                      + (" (continue with --resume)" if budget.interrupted else ""), flush=True)
            finished = True
            return 130 if budget.interrupted else 0
        finally:
            distributed.shutdown(self.ctx, finished)
