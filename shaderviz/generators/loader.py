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

A checkpoint with a current ONNX export beside it (``NAME.onnx``, written by
``python -m shaderviz.generators.onnxgen``; the shipped GANs have one) runs on onnxruntime
(:mod:`shaderviz.generators.onnxgen`) and torch is never imported; anything else runs on
torch (:mod:`shaderviz.generators.torchgen`): files read with ``torch.load(...,
weights_only=True)``, TorchScript with ``torch.jit.load``. Every failure is a
:class:`GeneratorError`: one line, exit 2. This module does not import torch.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Protocol

import numpy as np

from shaderviz.errors import UserError
from shaderviz.modelfiles import find_shipped, is_torchscript, models_dirs

SHIPPED = {"clouds": "gan-clouds.pt", "landscape": "gan-landscape.pt", "books": "gan-books.pt"}
RUNTIMES = ("auto", "onnxruntime", "torch")


class GeneratorError(UserError):
    """A generator name or file that cannot be used."""


class Generator(Protocol):
    latent: int  # latent size Z
    name: str
    identity: str  # content hash of the file
    size: int | None  # output side, if known before running it
    runtime: str  # "onnxruntime" or "torch"

    def generate(self, z: np.ndarray) -> np.ndarray:
        """Latents (N, Z) float -> images (N, H, W, 3) uint8; safe from any thread."""
        ...


def shipped_path(name: str) -> Path | None:
    return find_shipped(SHIPPED.get(name))


def load_generator(spec: str, runtime: str = "auto", threads: int | None = None) -> Generator:
    """A shipped name or a path; GeneratorError with one line on any problem. ``runtime``
    auto: onnxruntime where a current export exists, else torch. ``threads``: the runtime's
    CPU threads (None: its default)."""
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
    if runtime != "torch" and not is_torchscript(path):
        from shaderviz.generators.onnxgen import open_onnx

        loaded, why = open_onnx(path, name, threads)
        if loaded is not None:
            return loaded
        if runtime == "onnxruntime":
            raise GeneratorError(f"generator {path}: cannot run on onnxruntime: {why}")
    from shaderviz.generators import torchgen

    if is_torchscript(path):
        return torchgen.load_torchscript(path, name, threads)
    return torchgen.load_checkpoint(path, name, threads)
