"""Generators run by torch: shaderviz checkpoints without a current ONNX export, and
TorchScript files (see :mod:`shaderviz.generators.loader` for what each accepts)."""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from shaderviz.generators.loader import GeneratorError
from shaderviz.modelfiles import file_hash

PROBE_LATENTS = (512, 256, 128, 120, 100, 64, 32, 16)


@dataclass
class TorchGenerator:
    module: torch.nn.Module
    latent: int
    name: str
    identity: str  # content hash of the file
    spatial_latent: bool = False  # takes (N, Z, 1, 1)
    size: int | None = None  # output side, if known before running it
    runtime: str = "torch"
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @torch.inference_mode()
    def generate(self, z: np.ndarray) -> np.ndarray:
        """Latents (N, Z) float -> images (N, H, W, 3) uint8."""
        x = torch.from_numpy(np.ascontiguousarray(z, dtype=np.float32))
        if self.spatial_latent:
            x = x[:, :, None, None]
        with self.lock:  # one module, used from a worker and the main thread alike
            y = self.module(x)
        if isinstance(y, (tuple, list)):
            y = y[0]
        if y.dim() != 4 or y.shape[1] not in (1, 3):
            raise GeneratorError(f"generator {self.name}: expected (N, 3, H, W) images, got {tuple(y.shape)}")
        y = ((y.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
        if y.shape[1] == 1:
            y = y.repeat(1, 3, 1, 1)
        return y.permute(0, 2, 3, 1).numpy()


def load_checkpoint(path: Path, name: str, threads: int | None = None) -> TorchGenerator:
    """The EMA generator of a shaderviz checkpoint (training state or exported)."""
    from shaderviz.generators import checkpoint

    if threads:
        torch.set_num_threads(threads)
    try:
        payload = checkpoint.read(path)
        module = checkpoint.generator_from(payload)
    except (ValueError, KeyError, TypeError) as err:
        raise GeneratorError(f"generator {path}: {err}") from None
    return TorchGenerator(module, module.latent, name, file_hash(path), size=module.size)


def load_torchscript(path: Path, name: str, threads: int | None = None) -> TorchGenerator:
    """A TorchScript generator; its latent size is declared or found by probing."""
    if threads:
        torch.set_num_threads(threads)
    try:
        with warnings.catch_warnings():  # torch 2.x deprecates TorchScript loudly; users have such files
            warnings.simplefilter("ignore", DeprecationWarning)
            module = torch.jit.load(str(path), map_location="cpu")
    except Exception as err:  # noqa: BLE001 - any failure is a bad file
        raise GeneratorError(f"generator {path}: cannot load TorchScript ({_short(err)})") from None
    module.eval()
    declared = next((int(getattr(module, a)) for a in ("latent_dim", "z_dim", "nz", "latent")
                     if isinstance(getattr(module, a, None), int)), None)
    candidates = (declared,) if declared else PROBE_LATENTS
    for latent in candidates:
        for spatial in (False, True):
            loaded = TorchGenerator(module, latent, name, file_hash(path), spatial_latent=spatial)
            try:
                image = loaded.generate(np.zeros((1, latent), np.float32))
            except Exception:  # noqa: BLE001,S112 - probing: the wrong shape raises
                continue
            loaded.size = image.shape[1] if image.shape[1] == image.shape[2] else None
            return loaded
    tried = str(declared) if declared else ", ".join(map(str, PROBE_LATENTS))
    raise GeneratorError(f"generator {path}: incompatible TorchScript module: it accepts no latent of size "
                         f"{tried} as (N, Z) or (N, Z, 1, 1), or does not return (N, 3, H, W) images")


def _short(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) < 160 else text[:157] + "..."
