"""``--jobs N``: render a batch on N local processes, each with its own headless GL context.

A small pool of its own rather than ``concurrent.futures``: each worker has a pipe of its
own and gets one item at a time, so this process knows which item each holds, and a
worker that dies (a driver crash, the OOM killer) fails only that item and is replaced
(a process that dies can leave a shared queue's lock taken; a pipe of its own only ends).
It stops workers with SIGTERM, which they turn into the same clean-up as a single render
(outputs/interrupts.py: no partial file is left). Workers ignore Ctrl-C: the main process
stops them. ``--jobs 1`` renders in this process.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from typing import Any

from shaderviz.batch.plan import Batch, Item, Result, render_item
from shaderviz.outputs import interrupts

POLL_SECONDS = 0.2
Report = Callable[[Result], None]


def _worker(batch: Batch, conn: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the main process, which stops us
    interrupts.install()  # SIGTERM: the render stops between frames and removes its partial output
    try:
        while (index := conn.recv()) is not None:
            conn.send((index, render_item(batch.show, batch.options, batch.items[index])))
    except (interrupts.Terminated, EOFError, OSError):
        pass


def run_local(batch: Batch, jobs: int, report: Report) -> list[Result]:
    """Render every pending item; report each result as it comes. Returns all results."""
    todo = batch.pending()
    for result in batch.results:
        report(result)
    if jobs <= 1 or len(todo) <= 1:
        for item in todo:
            result = render_item(batch.show, batch.options, item)
            batch.results.append(result)
            report(result)
        return batch.results
    _Pool(batch, todo, min(jobs, len(todo)), report).run()
    return batch.results


class _Worker:
    """One process and its own pipe."""

    def __init__(self, ctx: Any, batch: Batch) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(batch, child), name="shaderviz-job", daemon=True)
        self.process.start()
        child.close()
        self.index: int | None = None  # the item it renders
        self.since = time.perf_counter()

    def give(self, index: int | None) -> None:
        self.index, self.since = index, time.perf_counter()
        self.conn.send(index)


class _Pool:
    def __init__(self, batch: Batch, todo: list[Item], jobs: int, report: Report) -> None:
        self.batch, self.report, self.jobs = batch, report, jobs
        self.ctx = mp.get_context("spawn")  # never fork a process that may hold a GL context
        index = {item: i for i, item in enumerate(batch.items)}
        self.queue = [index[item] for item in todo]
        self.open = set(self.queue)
        self.workers: list[_Worker] = []

    def run(self) -> None:
        try:
            for _ in range(self.jobs):
                self._start()
            while self.open:
                self._step()
            for worker in self.workers:
                with contextlib.suppress(OSError):
                    worker.give(None)
            for worker in self.workers:
                worker.process.join(timeout=30)
        finally:
            self._stop()

    def _start(self) -> None:
        if not self.queue:
            return
        worker = _Worker(self.ctx, self.batch)
        self.workers.append(worker)
        worker.give(self.queue.pop(0))

    def _step(self) -> None:
        handles = [w.conn for w in self.workers] + [w.process.sentinel for w in self.workers]
        ready = wait(handles, POLL_SECONDS)
        for worker in list(self.workers):
            if worker.conn in ready:
                try:
                    index, result = worker.conn.recv()
                except (EOFError, OSError):
                    self._lost(worker)
                    continue
                self._finish(index, result)
                if self.queue:
                    worker.give(self.queue.pop(0))
                else:
                    worker.index = None
            elif worker.process.sentinel in ready and not worker.process.is_alive():
                self._lost(worker)

    def _lost(self, worker: _Worker) -> None:
        """A worker that died: its item fails, a new worker takes the next one."""
        self.workers.remove(worker)
        worker.process.join(timeout=5)
        if worker.index is not None and worker.index in self.open:
            item = self.batch.items[worker.index]
            why = f"the worker process died (exit status {worker.process.exitcode}) while rendering it"
            self._finish(worker.index, Result(item, "failed", f"{item.image.name}: {why}",
                                              time.perf_counter() - worker.since))
        self._start()

    def _finish(self, index: int, result: Result) -> None:
        if index in self.open:
            self.open.discard(index)
            self.batch.results.append(result)
            self.report(result)

    def _stop(self) -> None:
        """Workers still running (Ctrl-C, SIGTERM, an error here): stop them and their clean-up.
        (Also any just started and not yet registered when the signal came.)"""
        alive = [p for p in {*(w.process for w in self.workers), *mp.active_children()} if p.is_alive()]
        for process in alive:
            process.terminate()
        for process in alive:
            process.join(timeout=20)
            if process.is_alive():
                process.kill()
                process.join()
        for worker in self.workers:
            worker.conn.close()
