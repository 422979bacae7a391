"""The depth model in a process of its own, for `play`.

Loading the model's runtime and running it hold a Python interpreter's GIL for long
stretches; in the render process that froze the window for half a second at start and
slowed every frame after. Here they hold this process's GIL instead, at a lower CPU
priority than the window, with one thread. The runtime is onnxruntime where the model has
a current ONNX export (the shipped one has): torch's import alone took ~2.5 s of CPU from
the window's first seconds.

Run as ``python -m shaderviz.app.depthworker --fd N ...`` by :class:`DepthWorker`; they
talk through a ``multiprocessing`` connection on a socket pair:

- child -> parent, once: ``("ready", {"input": (h, w), "load_ms": ..., "runtime": ...})`` — the model is
  loaded and wants images of ``input`` size (about its inference size, aspect kept) —
  or ``("error", message)`` and exit;
- parent -> child: ``(tag, image)`` (HxWx3 uint8) or ``None`` to stop;
- child -> parent: ``("depth", tag, nearness HxW float16, ms)`` or ``("failed", tag, message)``.
"""

from __future__ import annotations

import argparse
import sys
import time

from shaderviz.app import childprocess
from shaderviz.depth.maps import inference_shape

NICE = 5  # below the window, so a busy machine takes time from depth before the frame rate
THREADS = 1  # model threads: the window's GL rasteriser wants the other core


def load_estimator(model: str, cache_dir: bool | None) -> tuple[object, str]:
    """The model's ONNX export on onnxruntime where there is a current one (no torch import:
    a tenth of the start-up CPU, half the time per map), else torch's estimator; and which
    runtime with, when torch, why not onnxruntime."""
    from shaderviz.depth.onnxrun import open_onnx

    runner, why_not = open_onnx(model, THREADS, cache_dir)
    if runner is not None:
        return runner, runner.runtime
    import torch

    torch.set_num_threads(THREADS)
    from shaderviz.depth.estimator import DepthEstimator

    return DepthEstimator(model, cache_dir=cache_dir), f"torch ({why_not})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="shaderviz-depth-worker")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--size", required=True, help="WxH of the images the window renders")
    parser.add_argument("--no-cache", action="store_true", help="no disk cache (video frames)")
    args = parser.parse_args(argv)
    conn = childprocess.child_connection(args.fd, NICE)
    started = time.perf_counter()
    try:
        estimator, runtime = load_estimator(args.model, False if args.no_cache else None)
        width, height = (int(v) for v in args.size.split("x"))
        shape = inference_shape(height, width, estimator.size, estimator.multiple)
    except Exception as err:  # noqa: BLE001 - any failure: the window goes on with flat depth
        conn.send(("error", " ".join(str(err).split()) or type(err).__name__))
        return 1
    conn.send(("ready", {"input": shape, "load_ms": round((time.perf_counter() - started) * 1000, 1),
                         "runtime": runtime}))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return 0
        if request is None:
            return 0
        tag, image = request
        began = time.perf_counter()
        try:
            depth = estimator.estimate(image)
        except Exception as err:  # noqa: BLE001 - reported; the next image may work
            conn.send(("failed", tag, " ".join(str(err).split()) or type(err).__name__))
            continue
        conn.send(("depth", tag, depth.astype("float16"), round((time.perf_counter() - began) * 1000, 2)))


if __name__ == "__main__":
    sys.exit(main())
