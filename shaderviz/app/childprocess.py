"""A Python module run as a child process of `play`, talking over a socket pair.

The depth model (:mod:`shaderviz.app.depthworker`) and the dream network
(:mod:`shaderviz.explore.dreamworker`) run this way: torch's import, the model load and
the inference hold *their* interpreter's GIL, not the window's. The parent's side starts
the child (:func:`spawn`) and ends it (:func:`finish`, :func:`kill`); the child's side
opens its end at a lower CPU priority (:func:`child_connection`). Messages are
``multiprocessing`` connection objects; each worker defines its own.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from multiprocessing.connection import Connection


def spawn(module: str, *args: str) -> tuple[subprocess.Popen, Connection]:
    """``python -m MODULE --fd N ARGS...``: the process and our end of its connection."""
    ours, theirs = socket.socketpair()
    command = [sys.executable, "-m", module, "--fd", str(theirs.fileno()), *args]
    try:
        proc = subprocess.Popen(command, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
    finally:
        theirs.close()
    return proc, Connection(ours.detach())


def finish(conn: Connection | None, proc: subprocess.Popen | None,
           send_lock: threading.Lock | None = None) -> None:
    """Ask the child to stop (``None``), close the connection, wait a little, then kill."""
    if conn is not None:
        with send_lock or contextlib.nullcontext(), contextlib.suppress(OSError):
            conn.send(None)
        conn.close()
    if proc is not None:
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            kill(proc)


def kill(proc: subprocess.Popen | None) -> None:
    """Stop the child at once if it still runs."""
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()


def child_connection(fd: int, nice: int) -> Connection:
    """The child's end, after lowering its CPU priority below the window's by ``nice``."""
    with contextlib.suppress(OSError):
        os.nice(nice)
    return Connection(fd)
