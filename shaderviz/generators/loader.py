"""Load an image generator from a shipped name or a file, for ``gan:`` sources and
``shaderviz generate``.

``load_generator(spec)`` accepts:

- a shipped model's name: ``clouds``, ``landscape``, ``books`` (``models/gan-NAME.pt``);
- a checkpoint written by ``shaderviz train-gan`` (the training state; its EMA
  generator is used) or an exported one (``checkpoint.export``): the config inside
  says the latent and image size;
- a TorchScript file (``torch.jit.save``) taking latents ``(N, Z)`` — or ``(N, Z, 1, 1)``,
  as DCGANs do — and returning ``(N, 3, H, W)`` in -1..1. The latent size ``Z`` comes
  from the file: an attribute ``latent_dim`` / ``z_dim`` / ``nz`` / ``latent`` if it has one,
  else the first latent size among the usual ones that the module accepts.

Files are read with ``torch.load(..., weights_only=True)``; TorchScript with
``torch.jit.load``. Every failure is a :class:`GeneratorError`: one line, exit 2.
"""

from __future__ import annotations

import threading
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from shaderviz.errors import UserError
from shaderviz.modelfiles import file_hash, find_shipped, models_dirs

SHIPPED = {"clouds": "gan-clouds.pt", "landscape": "gan-landscape.pt", "books": "gan-books.pt"}
PROBE_LATENTS = (512, 256, 128, 120, 100, 64, 32, 16)


class GeneratorError(UserError):
    """A generator name or file that cannot be used."""


@dataclass
class LoadedGenerator:
    module: torch.nn.Module
    latent: int
    name: str
    identity: str  # content hash of the file
    spatial_latent: bool = False  # takes (N, Z, 1, 1)
    size: int | None = None  # output side, if known before running it
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


def shipped_path(name: str) -> Path | None:
    return find_shipped(SHIPPED.get(name))


def _is_torchscript(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    return any(n.split("/", 1)[-1].startswith("code/") for n in names)


def load_generator(spec: str) -> LoadedGenerator:
    """A shipped name or a path; GeneratorError with one line on any problem."""
    path = shipped_path(spec)
    if path is None and spec in SHIPPED:
        raise GeneratorError(f"the shipped generator {spec!r} is missing (looked in "
                             + ", ".join(str(d) for d in models_dirs()) + ")")
    path = path or Path(spec).expanduser()
    if not path.exists():
        raise GeneratorError(f"generator {spec!r}: no such file or shipped generator ({', '.join(SHIPPED)})")
    if path.is_dir():
        raise GeneratorError(f"generator {path}: is a folder; give a .pt checkpoint or TorchScript file")
    if not zipfile.is_zipfile(path):
        raise GeneratorError(f"generator {path}: not a PyTorch file (corrupt or truncated?)")
    name = spec if spec in SHIPPED else path.name
    if _is_torchscript(path):
        return _load_torchscript(path, name)
    from shaderviz.generators import checkpoint

    try:
        payload = checkpoint.read(path)
        module = checkpoint.generator_from(payload)
    except (ValueError, KeyError, TypeError) as err:
        raise GeneratorError(f"generator {path}: {err}") from None
    return LoadedGenerator(module, module.latent, name, file_hash(path), size=module.size)


def _load_torchscript(path: Path, name: str) -> LoadedGenerator:
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
            loaded = LoadedGenerator(module, latent, name, file_hash(path), spatial_latent=spatial)
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
