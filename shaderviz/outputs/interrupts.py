"""Ctrl-C and TERM while `render` runs: the render unwinds and removes its partial output.

A signal's exception (KeyboardInterrupt, :class:`Terminated`) is kept, and raised at once
unless the code runs :func:`held`: there it is raised by :func:`check` (between frames)
or when the block ends. An exception raised at an arbitrary point is not safe: Python only
prints one raised inside an at-fork callback (imageio-ffmpeg's ``Popen`` runs them) or a
``__del__``, so the render ran on; a ``Popen`` cut short leaves ffmpeg running, which
writes the output file after the clean-up; and one raised while moderngl builds a program
crashes the process.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_kept: list[type[BaseException]] = []
_holding: list[bool] = []


class Terminated(BaseException):
    """SIGTERM during `render`: unwinds like Ctrl-C, so the partial output is removed."""


def _on_signal(signum: int, frame: object) -> None:
    if signum == signal.SIGTERM:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second TERM must not cut the clean-up short
    error = Terminated if signum == signal.SIGTERM else KeyboardInterrupt
    _kept.append(error)
    if not _holding and len(_kept) == 1:  # a second Ctrl-C must not cut the clean-up short either
        raise error


def install() -> Callable[[], None]:
    """Handle SIGINT (unless ignored, as in a background job) and SIGTERM; returns the undo.
    Call from the main thread."""
    _kept.clear()
    previous: dict[Any, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        if not (sig == signal.SIGINT and signal.getsignal(sig) is signal.SIG_IGN):
            previous[sig] = signal.signal(sig, _on_signal)
    unraisable = sys.unraisablehook

    def quiet(info: Any) -> None:  # a kept signal is raised again by check(): print nothing
        if not isinstance(info.exc_value, (KeyboardInterrupt, Terminated)):
            unraisable(info)

    sys.unraisablehook = quiet

    def undo() -> None:
        _kept.clear()  # a signal of this render must not stop the next one in this process
        sys.unraisablehook = unraisable
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)

    return undo


def check() -> None:
    """Raise the exception of a signal that arrived (and may have been swallowed)."""
    if _kept:
        raise _kept[0]


@contextmanager
def held() -> Iterator[None]:
    """Signals inside are only kept, and raised when the block is done."""
    _holding.append(True)
    try:
        yield
    finally:
        _holding.pop()
    check()
