"""ONNX exports of shaderviz's own torch checkpoints (the depth model, the GANs), so the
live paths run them on onnxruntime without importing torch.

Importing torch costs this 2-core machine about 2.5 s of CPU before the first frame;
onnxruntime loads in about 0.3 s. An export lives beside its checkpoint (``NAME.onnx``
next to ``NAME.pt``) and is used only when its metadata names that very checkpoint: a
checkpoint retrained without a new export runs on torch, never through a stale graph.

:func:`export` writes a graph (float16 weights, metadata, checked, written atomically);
it needs torch and the ``onnx`` package (``pip install -e .[dev]``). :func:`open_export`
opens one for running; it needs only onnxruntime.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

OPSET = 17


def weights_to_float16(model: Any) -> int:
    """Store the float32 initializers of ``model`` (an ``onnx.ModelProto``) that are exactly
    float16 values as float16, each behind a Cast back to float32: a checkpoint shipped in
    float16 exports at its own size. Returns how many were converted."""
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


def export(net: Any, sample: Any, out: Path, *, names: tuple[str, str],
           dynamic_axes: dict[str, dict[int, str]], metadata: dict[str, Any], producer: str) -> Path:
    """Trace the torch module ``net`` on ``sample`` into ``out`` (input and output
    ``names``), with float16 weights where exact and ``metadata`` as the model's props."""
    import onnx
    import torch

    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shapes read as Python ints
        raw = Path(tmp) / "raw.onnx"
        # no constant folding: it would fold batch norm into the convolutions, whose weights
        # would then not be exact float16 values (a float32 file, twice the size);
        # onnxruntime fuses them itself when it loads the file
        torch.onnx.export(net, (sample,), str(raw), input_names=[names[0]], output_names=[names[1]],
                          dynamic_axes=dynamic_axes, opset_version=OPSET, do_constant_folding=False,
                          dynamo=False)
        model = onnx.load(str(raw))
    weights_to_float16(model)
    onnx.helper.set_model_props(model, {k: str(v) for k, v in metadata.items()})
    model.producer_name = producer
    onnx.checker.check_model(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    onnx.save(model, str(partial))
    os.replace(partial, out)
    return out


def open_export(checkpoint: Path, identity: str, threads: int = 1,
                exporter: str = "") -> tuple[Any | None, dict[str, str], str]:
    """The onnxruntime session of ``checkpoint``'s export and its metadata, or None and why
    not: no export, no onnxruntime, a bad file, or an export of another checkpoint (its
    ``identity`` metadata is not ``identity``). ``exporter`` is the command that writes one."""
    graph = checkpoint.with_suffix(".onnx")
    if not graph.is_file():
        return None, {}, f"no ONNX export beside {checkpoint.name}" + (f" ({exporter})" if exporter else "")
    try:
        import onnxruntime
    except ImportError:
        return None, {}, "onnxruntime is not installed"
    try:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        meta = dict(session.get_modelmeta().custom_metadata_map)
    except Exception as err:  # noqa: BLE001 - a bad or foreign file: torch runs the model instead
        return None, {}, f"cannot load {graph.name}: {' '.join(str(err).split())[:200]}"
    if meta.get("identity") != identity:
        return None, {}, f"{graph.name} was exported from another version of {checkpoint.name} (re-export it)"
    return session, meta, ""
