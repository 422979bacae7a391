"""Export a shaderviz depth checkpoint to ONNX, for the torch-free live depth worker.

    python -m shaderviz.depth.onnxexport                 # models/depth-lite1.pt -> models/depth-lite1.onnx
    python -m shaderviz.depth.onnxexport depth-lite0     # the smaller shipped model
    python -m shaderviz.depth.onnxexport mine.pt         # -> mine.onnx beside it

The graph takes (1, 3, H, W) RGB in 0..1 with H and W multiples of 32 (any such size: the
axes are dynamic) and returns the raw nearness (1, 1, H, W), exactly what the checkpoint's
network returns. The weights are stored as float16 (the checkpoint's own precision, so
nothing is lost; onnxruntime casts them to float32 once when it loads the file), and the
file's metadata holds the checkpoint's identity (a hash of the ``.pt`` file) and its
inference settings, which :mod:`shaderviz.depth.onnxrun` reads instead of the checkpoint.
Needs the ``onnx`` package (``pip install -e .[dev]``); running the result needs only
onnxruntime.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shaderviz.depth import DEFAULT_MODEL
from shaderviz.errors import UserError


def export(spec: str, out: Path | None = None) -> Path:
    """Write ``spec``'s ONNX export (default: beside the checkpoint, suffix ``.onnx``)."""
    import torch

    from shaderviz import onnxfiles
    from shaderviz.depth.loaders import load_model
    from shaderviz.depth.shipped import model_path

    loaded = load_model(spec)
    if loaded.kind != "shaderviz":
        raise UserError(f"{spec}: only shaderviz depth checkpoints export to ONNX "
                        f"(this is a {loaded.kind} model)")
    source = model_path(str(spec))
    out = Path(out) if out is not None else source.with_suffix(".onnx")
    net = loaded.module.eval().float()
    side = max(loaded.multiple, loaded.default_size // loaded.multiple * loaded.multiple)
    settings = {"identity": loaded.identity, "inference_size": loaded.default_size,
                "multiple": loaded.multiple, "smooth": int(loaded.smooth), "flip": int(loaded.flip)}
    return onnxfiles.export(net, torch.rand(1, 3, side, side), out, names=("rgb", "nearness"),
                            dynamic_axes={name: {2: "height", 3: "width"} for name in ("rgb", "nearness")},
                            metadata=settings | {"source": source.name},
                            producer="shaderviz.depth.onnxexport")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shaderviz.depth.onnxexport",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("model", nargs="?", default=DEFAULT_MODEL,
                        help=f"checkpoint or shipped name (default {DEFAULT_MODEL})")
    parser.add_argument("-o", "--out", type=Path, help="output .onnx (default: beside the checkpoint)")
    args = parser.parse_args(argv)
    try:
        out = export(args.model, args.out)
    except UserError as err:
        print(f"onnxexport: {err}", file=sys.stderr)
        return 2
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
