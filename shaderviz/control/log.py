"""``play --log FILE``: the performance as JSON lines, for ``render --replay FILE``.

The first line says how the show was made (the command line's options, the sizes, the
tempo, the sound). Then, for every frame shown::

    {"f": 12, "t": 0.4013, "w": 0.4131}               frame 12: show clock t, wall clock w (s)
    {"f": 12, "c": "set:blur/radius", "v": 7}         a command that ran before frame 12
    {"f": 12, "c": "sort:LEFT", "p": false}           (a key released: held commands only)
    {"f": 30, "e": "source", "k": "/photos/b.jpg"}    a worker's result reached the show then
    {"f": 12, "a": {"level": 0.61, ...}}              live audio: the analysis that frame used
    {"f": 12, "dw": 0.4}                              depth gating's strength (while it fades in)

Commands are logged when they ran (after tempo quantising), with the frame they changed,
so a replay runs each before the same frame; pictures, presets and depth maps that
arrived from workers are logged at the frame they arrived. Lines are flushed about once a
second, so a crash loses at most the last second.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Hashable
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

import numpy as np

from shaderviz import __version__
from shaderviz.errors import UserError

FORMAT = 1
FLUSH_SECONDS = 1.0


def key_to_json(key: Hashable) -> Any:
    """A source key (a path, a video frame number) as JSON."""
    if isinstance(key, Path):
        return str(key)
    if isinstance(key, (int, str)) or key is None:
        return key
    return str(key)


def jsonable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def spectrum_text(spectrum: np.ndarray) -> str:
    return base64.b64encode(np.asarray(spectrum, "<f4").tobytes()).decode("ascii")


def spectrum_from_text(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), "<f4").copy()


class CommandLog:
    def __init__(self, path: Path) -> None:
        """Opened now (before the window), so an unwritable path fails first."""
        self.path = path
        try:
            self._file: IO[str] | None = path.open("w", encoding="utf-8")
        except OSError as err:
            raise UserError(f"--log {path}: cannot write ({err.strerror or err})") from None
        self._flushed = time.monotonic()
        self.frame = 0  # the frame the next commands change
        self.lines = 0

    def header(self, **fields: Any) -> None:
        self._write({"shaderviz_log": FORMAT, "version": __version__,
                     "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), **fields})

    def command(self, name: str, value: Any, pressed: bool) -> None:
        """A Commands listener: every command that ran."""
        line: dict[str, Any] = {"f": self.frame, "c": name}
        if value is not None:
            line["v"] = jsonable(value)
        if not pressed:
            line["p"] = False
        self._write(line)

    def event(self, kind: str, what: Any) -> None:
        """A LiveShow event: a picture, preset or depth map that arrived (this frame)."""
        self._write({"f": self.frame, "e": kind, "k": key_to_json(what)})

    def shown(self, index: int, seconds: float, wall: float, extra: dict[str, Any] | None = None) -> None:
        """Frame ``index`` was rendered at show time ``seconds`` and wall time ``wall``."""
        # full precision (JSON floats round-trip): a replay must compute the very same values
        self._write({"f": index, "t": seconds, "w": wall, **(extra or {})})
        self.frame = index + 1
        now = time.monotonic()
        if now - self._flushed >= FLUSH_SECONDS and self._file is not None:
            self._file.flush()
            self._flushed = now

    def _write(self, line: dict[str, Any]) -> None:
        if self._file is None:
            return
        self._file.write(json.dumps(line, separators=(",", ":")) + "\n")
        self.lines += 1

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def read_log(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(header, lines) of a command log; UserError naming the line if it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"--replay {path}: cannot read ({getattr(err, 'strerror', None) or err})") from None
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            if number == len(text.splitlines()):
                break  # the last line cut short (the show was killed mid-write): the rest stands
            raise UserError(f"--replay {path}:{number}: not a JSON line ({err.msg})") from None
        if not isinstance(row, dict):
            raise UserError(f"--replay {path}:{number}: not a JSON object")
        rows.append(row)
    if not rows or rows[0].get("shaderviz_log") != FORMAT:
        raise UserError(f"--replay {path}: not a shaderviz command log (play --log FILE writes one)")
    return rows[0], rows[1:]
