"""Dreams in a process of their own, for `play` (see shaderviz.app.depthworker, its model).

Importing torch and running gradient ascent hold a Python interpreter for seconds to
minutes; here they hold this process's, at a lower CPU priority than the window, with one
torch thread by default, so the show never stalls. Run as ``python -m
shaderviz.explore.dreamworker --fd N`` by :class:`shaderviz.explore.livedream.DreamWorker`;
they talk through a ``multiprocessing`` connection:

- child -> parent, once: ``("ready", {"load_ms": ...})`` or ``("error", message)`` and exit;
- parent -> child: ``("dream", tag, image HxWx3 uint8, params dict)``, ``("cancel", tag)``
  (also read between the steps of a dream), or ``None`` to stop;
- child -> parent: ``("progress", tag, done, total)`` now and then,
  ``("dream", tag, image, ms)``, ``("cancelled", tag)`` or ``("failed", tag, message)``.
"""

from __future__ import annotations

import argparse
import sys
import time

from shaderviz.app import childprocess

NICE = 5  # below the window: a busy machine takes time from dreaming before the frame rate
PROGRESS_EVERY = 0.25  # seconds between progress messages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="shaderviz-dream-worker")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    conn = childprocess.child_connection(args.fd, NICE)
    started = time.perf_counter()
    try:
        import torch

        torch.set_num_threads(max(1, args.threads))
        from shaderviz.explore.dream import DreamParams
        from shaderviz.explore.enhancer import Enhancer

        enhancer = Enhancer()
        enhancer.dreamer  # noqa: B018 - load the network now, not on the first key press
    except Exception as err:  # noqa: BLE001 - any failure: the window says so and goes on
        conn.send(("error", " ".join(str(err).split()) or type(err).__name__))
        return 1
    conn.send(("ready", {"load_ms": round((time.perf_counter() - started) * 1000, 1)}))
    waiting: list = []  # requests read while dreaming (a cancel of another tag, the next dream)
    while True:
        try:
            request = waiting.pop(0) if waiting else conn.recv()
        except (EOFError, OSError):
            return 0
        if request is None:
            return 0
        if request[0] != "dream":
            continue  # a cancel for a dream already finished
        _, tag, image, values = request
        began, sent = time.perf_counter(), 0.0
        stop = {"now": False}

        def cancelled(tag: object = tag, stop: dict = stop) -> bool:
            while not stop["now"] and conn.poll():
                message = conn.recv()
                if message is None or (message[0] == "cancel" and message[1] == tag):
                    stop["now"] = True
                    if message is None:
                        waiting.append(None)
                else:
                    waiting.append(message)
            return stop["now"]

        def progress(done: int, total: int, tag: object = tag) -> None:
            nonlocal sent
            now = time.perf_counter()
            if now - sent >= PROGRESS_EVERY or done == total:
                sent = now
                conn.send(("progress", tag, done, total))

        try:
            dream = enhancer.enhance(image, DreamParams(**values), progress, cancelled)
        except Exception as err:  # noqa: BLE001 - reported; the next dream may work
            conn.send(("failed", tag, " ".join(str(err).split()) or type(err).__name__))
            continue
        if stop["now"]:
            conn.send(("cancelled", tag))
        else:
            conn.send(("dream", tag, dream, round((time.perf_counter() - began) * 1000, 1)))


if __name__ == "__main__":
    sys.exit(main())
