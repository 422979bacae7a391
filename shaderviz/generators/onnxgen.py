"""Shaderviz GAN checkpoints run by onnxruntime, without torch: what ``gan:`` sources use
when the checkpoint has a current export beside it (``gan-NAME.onnx`` next to
``gan-NAME.pt``), so a show starts without torch's 2.5 s import.

    python -m shaderviz.generators.onnxgen                 # the shipped GANs' exports
    python -m shaderviz.generators.onnxgen mine.pt         # -> mine.onnx beside it

The graph takes latents (N, Z) float32 and returns the generator's (N, 3, H, W) in -1..1,
exactly what the checkpoint's EMA generator returns; its metadata names the checkpoint by
its content hash (:mod:`shaderviz.onnxfiles`). Exporting needs torch and ``onnx``.
"""

from __future__ import annotations

import argparse
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from shaderviz.errors import UserError
from shaderviz.generators.loader import SHIPPED, shipped_path
from shaderviz.modelfiles import file_hash, is_torchscript
from shaderviz.onnxfiles import open_export

EXPORTER = "python -m shaderviz.generators.onnxgen"


@dataclass
class OnnxGenerator:
    session: Any  # onnxruntime.InferenceSession
    latent: int
    name: str
    identity: str  # content hash of the checkpoint it was exported from
    size: int | None = None
    runtime: str = "onnxruntime"
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def generate(self, z: np.ndarray) -> np.ndarray:
        """Latents (N, Z) float -> images (N, H, W, 3) uint8, as the torch generator makes them."""
        x = np.ascontiguousarray(z, dtype=np.float32)
        with self.lock:
            y = self.session.run(None, {"latent": x})[0]
        y = np.round((np.clip(y, -1.0, 1.0) + 1.0) * np.float32(127.5)).astype(np.uint8)
        return np.ascontiguousarray(y.transpose(0, 2, 3, 1))


def open_onnx(path: Path, name: str, threads: int | None = None) -> tuple[OnnxGenerator | None, str]:
    """The ONNX runner of the checkpoint ``path``, or None and why not (then torch runs it)."""
    session, meta, why = open_export(path, file_hash(path), threads or 0, EXPORTER)
    if session is None:
        return None, why
    try:
        size = int(meta["size"]) if meta.get("size") else None
        return OnnxGenerator(session, int(meta["latent"]), name, meta["identity"], size), ""
    except (KeyError, ValueError) as err:
        return None, f"{path.with_suffix('.onnx').name}: bad metadata ({err})"


def export(spec: str, out: Path | None = None) -> Path:
    """Write the ONNX export of the checkpoint ``spec`` (a shipped name or a path)."""
    import torch

    from shaderviz import onnxfiles
    from shaderviz.generators.loader import load_generator

    path = shipped_path(spec) or Path(spec).expanduser()
    if is_torchscript(path):
        raise UserError(f"{spec}: only shaderviz GAN checkpoints export to ONNX (this is TorchScript)")
    loaded = load_generator(spec, runtime="torch")
    out = Path(out) if out is not None else path.with_suffix(".onnx")
    metadata = {"identity": loaded.identity, "latent": loaded.latent, "size": loaded.size or "",
                "source": path.name}
    return onnxfiles.export(loaded.module, torch.zeros(2, loaded.latent), out, names=("latent", "images"),
                            dynamic_axes={"latent": {0: "batch"}, "images": {0: "batch"}},
                            metadata=metadata, producer="shaderviz.generators.onnxgen")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=EXPORTER, description="Export GAN checkpoints to ONNX.")
    parser.add_argument("models", nargs="*", default=list(SHIPPED),
                        help=f"checkpoints or shipped names (default: {', '.join(SHIPPED)})")
    parser.add_argument("-o", "--out", type=Path, help="output .onnx (one model only; default: beside it)")
    args = parser.parse_args(argv)
    if args.out is not None and len(args.models) != 1:
        parser.error("-o needs exactly one model")
    try:
        for spec in args.models:
            out = export(spec, args.out)
            print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")
    except UserError as err:
        print(f"onnxgen: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
