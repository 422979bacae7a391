"""Export a shaderviz depth checkpoint to ONNX, for the torch-free live depth worker.

    python -m shaderviz.depth.onnxexport                 # models/depth-lite0.pt -> models/depth-lite0.onnx
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
import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

from shaderviz.depth import DEFAULT_MODEL
from shaderviz.errors import UserError

OPSET = 17
METADATA_KEYS = ("identity", "inference_size", "multiple", "smooth", "flip")


def _weights_to_float16(model) -> int:  # noqa: ANN001 - onnx.ModelProto
    """Store float32 initializers that are exactly float16 values as float16, each behind
    a Cast back to float32; returns how many were converted."""
    from onnx import TensorProto, helper, numpy_helper

    converted = []
    for init in model.graph.initializer:
        if init.data_type != TensorProto.FLOAT:
            continue
        values = numpy_helper.to_array(init)
        if values.size < 16 or not np.array_equal(values.astype(np.float16).astype(np.float32), values):
            continue  # small or not exact in float16: keep as it is
        converted.append((init, values))
    casts = []
    for init, values in converted:
        name = init.name
        init.CopyFrom(numpy_helper.from_array(values.astype(np.float16), name + "_fp16"))
        casts.append(helper.make_node("Cast", [name + "_fp16"], [name], to=TensorProto.FLOAT))
    nodes = list(model.graph.node)
    del model.graph.node[:]
    model.graph.node.extend(casts + nodes)
    return len(converted)


def export(spec: str, out: Path | None = None) -> Path:
    """Write ``spec``'s ONNX export (default: beside the checkpoint, suffix ``.onnx``)."""
    import onnx
    import torch

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
    sample = torch.rand(1, 3, side, side)
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shapes read as Python ints
        raw = Path(tmp) / "raw.onnx"
        # no constant folding: it would fold batch norm into the convolutions, whose weights
        # would then not be exact float16 values (a float32 file, twice the size);
        # onnxruntime fuses them itself when it loads the file
        torch.onnx.export(net, (sample,), str(raw), input_names=["rgb"], output_names=["nearness"],
                          dynamic_axes={name: {2: "height", 3: "width"} for name in ("rgb", "nearness")},
                          opset_version=OPSET, do_constant_folding=False, dynamo=False)
        model = onnx.load(str(raw))
    _weights_to_float16(model)
    settings = {"identity": loaded.identity, "inference_size": loaded.default_size,
                "multiple": loaded.multiple, "smooth": int(loaded.smooth), "flip": int(loaded.flip)}
    onnx.helper.set_model_props(model, {k: str(v) for k, v in settings.items()} | {"source": source.name})
    model.producer_name = "shaderviz.depth.onnxexport"
    onnx.checker.check_model(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    onnx.save(model, str(partial))
    os.replace(partial, out)
    return out


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
