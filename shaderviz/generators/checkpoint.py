"""GAN checkpoints: the training state ``train-gan`` writes and resumes, and the slim
exported form that ``models/`` ships. Both are plain dicts of tensors and JSON-able
values (``format: shaderviz-gan-1``) read with ``torch.load(..., weights_only=True)``;
both hold the generator's ``config``, so a file is usable on its own.

Training state: ``config``, ``g`` / ``d`` / ``g_ema`` state dicts, ``opt_g`` / ``opt_d``,
``step``, ``train`` (the run's settings and history). Exported: ``config``, ``g_ema``
(fp16 if asked), ``train`` (for the model card).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from shaderviz.generators.gan import FORMAT, Generator


def atomic_save(payload: dict, path: Path) -> None:
    """Write ``path`` through a temporary file, so a crash never leaves half a checkpoint."""
    tmp = path.with_name(f".{path.name}.tmp")
    torch.save(payload, tmp)
    tmp.replace(path)


def read(path: Path) -> dict[str, Any]:
    """The checkpoint dict; ValueError (one line) if it is not ours or is damaged."""
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - corrupt, truncated, or a pickle with code in it
        text = " ".join(str(err).split())
        if "Weights only load failed" in text:
            text = "it holds pickled objects, not only tensors (refused)"
        raise ValueError(f"not a readable checkpoint: {text[:160]}") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"not a shaderviz GAN checkpoint (format {FORMAT} expected)")
    if "g_ema" not in payload or "config" not in payload:
        raise ValueError("damaged GAN checkpoint (no generator weights or config)")
    return payload


def generator_from(payload: dict[str, Any]) -> Generator:
    """The EMA generator of a checkpoint, float32, eval mode."""
    model = Generator(payload["config"])
    state = {k: v.float() for k, v in payload["g_ema"].items()}
    try:
        model.load_state_dict(state)
    except RuntimeError as err:
        first = str(err).strip().splitlines()[0]
        raise ValueError(f"generator weights do not fit its config: {first[:160]}") from None
    model.eval()
    model.requires_grad_(False)
    return model


def export(src: Path, dst: Path, half: bool = True, extra: dict | None = None) -> dict[str, Any]:
    """Training state -> the shipped form (EMA generator only; fp16 by default)."""
    payload = read(src)
    state = {k: (v.half() if half and v.is_floating_point() else v).clone()
             for k, v in payload["g_ema"].items()}
    out = {"format": FORMAT, "config": payload["config"], "g_ema": state, "step": payload.get("step", 0),
           "train": {**payload.get("train", {}), **(extra or {})}}
    atomic_save(out, dst)
    return out


def main(argv: list[str] | None = None) -> None:
    """``python -m shaderviz.generators.checkpoint SRC DST [--fp32]``: export for shipping."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m shaderviz.generators.checkpoint", description=main.__doc__)
    p.add_argument("src", type=Path, help="a train-gan checkpoint")
    p.add_argument("dst", type=Path, help="the exported file (EMA generator only)")
    p.add_argument("--fp32", action="store_true", help="keep float32 weights (default: fp16)")
    args = p.parse_args(argv)
    out = export(args.src, args.dst, half=not args.fp32)
    print(f"exported step {out['step']} of {args.src} to {args.dst} ({args.dst.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
