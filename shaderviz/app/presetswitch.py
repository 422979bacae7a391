"""Presets on the number keys of `play`: 1..9 load the presets of the bank into the running
window. The new show is built on a worker thread (reading the preset, opening its source);
the loop adopts it when ready and crossfades to it."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from shaderviz.app.show import Show
from shaderviz.presets import builtin_presets

MAX_BANK = 9


def user_presets_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "shaderviz" / "presets"


def preset_bank(chosen: Sequence[str] = ()) -> list[str]:
    """The presets of keys 1..9: ``chosen`` (``play --bank``), else the built-ins and then
    the user's ``~/.config/shaderviz/presets/*.toml`` by name."""
    if chosen:
        return list(chosen)[:MAX_BANK]
    folder = user_presets_dir()
    users = sorted(str(p) for p in folder.glob("*.toml")) if folder.is_dir() else []
    return (builtin_presets() + users)[:MAX_BANK]


def bank_label(name: str) -> str:
    return Path(name).stem if name.endswith(".toml") else name


class PresetSwitcher:
    def __init__(self, bank: Sequence[str], build: Callable[[str], Show] | None,
                 notify: Callable[[str], None]) -> None:
        self.bank, self.build, self.notify = list(bank), build, notify
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shaderviz-preset")
        self._pending: tuple[str, Future] | None = None
        self._superseded: list[Future] = []  # requests a newer one replaced: closed when done

    def request(self, number: str) -> None:
        """Start loading preset ``number`` (1-based) of the bank."""
        index = int(number) - 1
        if self.build is None or not 0 <= index < len(self.bank):
            return
        name = self.bank[index]
        self.notify(f"{number}: loading preset {bank_label(name)}")
        if self._pending is not None:
            self._superseded.append(self._pending[1])  # a newer request wins
        self._pending = (name, self._pool.submit(self.build, name))

    def poll(self) -> Show | None:
        """The requested show once built (render thread); None meanwhile or on error."""
        self._close_superseded(wait=False)
        if self._pending is None or not self._pending[1].done():
            return None
        name, future = self._pending
        self._pending = None
        try:
            return future.result()
        except Exception as err:  # noqa: BLE001 - a broken preset file never ends the show
            self.notify(f"preset {bank_label(name)}: {' '.join(str(err).split())}")
            return None

    def _close_superseded(self, wait: bool) -> None:
        for future in list(self._superseded):
            if wait or future.done():
                self._superseded.remove(future)
                if not future.cancelled() and future.exception() is None:
                    future.result().source.close()

    def release(self) -> None:
        if self._pending is not None:
            self._superseded.append(self._pending[1])
            self._pending = None
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._close_superseded(wait=True)
