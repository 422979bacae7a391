"""``--jobs N``: render a batch on N local processes, each with its own headless GL context.

A small pool of its own rather than ``concurrent.futures``: it knows which item each
worker holds, so a worker that dies (a driver crash, the OOM killer) fails only that item
and is replaced; and it stops workers with SIGTERM, which they turn into the same
clean-up as a single render (outputs/interrupts.py: no partial file is left). Workers
ignore Ctrl-C: the main process stops them. ``--jobs 1`` renders in this process.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import signal
import time
from collections.abc import Callable
from typing import Any

from shaderviz.batch.plan import Batch, Item, Result, render_item
from shaderviz.outputs import interrupts

POLL_SECONDS = 0.2
Report = Callable[[Result], None]


def _worker(slot: int, batch: Batch, tasks: Any, results: Any, holding: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the main process, which stops us
    interrupts.install()  # SIGTERM: the render stops between frames and removes its partial output
    try:
        while True:
            holding[slot] = -1
            index = tasks.get()
            if index is None:
                return
            holding[slot] = index  # shared memory: the main process sees it even if we crash
            results.put((index, render_item(batch.show, batch.options, batch.items[index])))
    except interrupts.Terminated:
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


class _Pool:
    def __init__(self, batch: Batch, todo: list[Item], jobs: int, report: Report) -> None:
        self.batch, self.report, self.jobs = batch, report, jobs
        self.ctx = mp.get_context("spawn")  # never fork a process that may hold a GL context
        self.tasks = self.ctx.Queue()
        self.results = self.ctx.Queue()
        self.holding = self.ctx.Array("i", [-1] * jobs, lock=False)
        self.index = {item: i for i, item in enumerate(batch.items)}
        self.open = {self.index[item] for item in todo}
        for item in todo:
            self.tasks.put(self.index[item])
        self.workers: dict[int, Any] = {}  # slot -> process
        self.since: dict[int, tuple[int, float]] = {}  # slot -> (item, when it was first seen)

    def _spawn(self, slot: int) -> None:
        self.holding[slot] = -1
        args = (slot, self.batch, self.tasks, self.results, self.holding)
        process = self.ctx.Process(target=_worker, args=args, name=f"shaderviz-job-{slot}", daemon=True)
        process.start()
        self.workers[slot] = process

    def run(self) -> None:
        try:
            for slot in range(self.jobs):
                self._spawn(slot)
            while self.open:
                self._collect()
                self._replace_dead()
            for _ in self.workers:
                self.tasks.put(None)
            for process in self.workers.values():
                process.join(timeout=30)
        finally:
            self._stop()

    def _collect(self) -> None:
        try:
            index, result = self.results.get(timeout=POLL_SECONDS)
        except queue.Empty:
            return
        self._finish(index, result)

    def _finish(self, index: int, result: Result) -> None:
        if index in self.open:  # (a result that arrives after its worker was declared dead is dropped)
            self.open.discard(index)
            self.batch.results.append(result)
            self.report(result)

    def _replace_dead(self) -> None:
        now = time.perf_counter()
        for slot, process in list(self.workers.items()):
            index = self.holding[slot]
            if index >= 0 and self.since.get(slot, (None,))[0] != index:
                self.since[slot] = (index, now)
            if process.is_alive():
                continue
            del self.workers[slot]
            if index >= 0 and index in self.open:
                item = self.batch.items[index]
                seconds = now - self.since.get(slot, (index, now))[1]
                why = f"the worker process died (exit status {process.exitcode}) while rendering it"
                self._finish(index, Result(item, "failed", f"{item.image.name}: {why}", seconds))
            if len(self.open) > len(self.workers):
                self._spawn(slot)

    def _stop(self) -> None:
        """Workers still running (Ctrl-C, SIGTERM, an error here): stop them and their clean-up.
        (Also any just started and not yet registered when the signal came.)"""
        alive = [p for p in {*self.workers.values(), *mp.active_children()} if p.is_alive()]
        for process in alive:
            process.terminate()
        for process in alive:
            process.join(timeout=20)
            if process.is_alive():
                process.kill()
                process.join()
        for q in (self.tasks, self.results):
            q.cancel_join_thread()
            q.close()
