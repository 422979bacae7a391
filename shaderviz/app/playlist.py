"""``play --playlist FILE.toml``: installations. Entries (a preset, or a source with
effects) shown for their duration each, crossfading from one to the next, in a loop::

    loop = true              # start again after the last (default); false: stay on the last
    transition = 2.0         # crossfade seconds between entries (default: play's --transition)

    [[entry]]
    preset = "glitch"        # a built-in preset, a TOML preset file or a snapshot PNG
    duration = 30            # seconds

    [[entry]]
    source = "photos/"       # an image, folder, video or generator
    fx = ["rgb_split amount=0.02", "blur radius=3"]
    duration = 20
    transition = 4

Paths are relative to the playlist file. The next entry is built on a worker while the
current one plays; an entry that fails (a missing file, a broken preset) is logged and
skipped, never the end of the show; one whose build hangs longer than ``BUILD_TIMEOUT`` is
abandoned by the watchdog, which starts a fresh worker. When every entry fails in a row,
the show stays on what it shows and tries again after ``RETRY_SECONDS``.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shaderviz.app.show import Show
from shaderviz.errors import UserError

if TYPE_CHECKING:
    from shaderviz.app.live import LiveShow
    from shaderviz.control.commands import Commands

BUILD_TIMEOUT = 60.0  # seconds a worker may take to build an entry before it counts as stuck
RETRY_SECONDS = 10.0
ENTRY_FIELDS = {"preset", "source", "fx", "duration", "transition"}


@dataclass(frozen=True)
class Entry:
    duration: float
    preset: str | None = None
    source: str | None = None
    fx: tuple[str, ...] = ()
    transition: float | None = None

    @property
    def label(self) -> str:
        return " ".join(filter(None, [Path(self.preset).name if self.preset else None,
                                      Path(self.source).name if self.source else None, *self.fx]))


@dataclass(frozen=True)
class Playlist:
    path: Path
    entries: tuple[Entry, ...]
    loop: bool = True
    transition: float | None = None


def load_playlist(path: Path) -> Playlist:
    """Read and check a playlist; UserError naming the file (and entry) on any problem."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"--playlist {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"--playlist {path}: cannot read ({getattr(err, 'strerror', None) or err})") from None
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"--playlist {path}: {err}") from None
    unknown = set(data) - {"entry", "loop", "transition"}
    if unknown:
        raise UserError(f"--playlist {path}: unknown field(s) {', '.join(sorted(unknown))}")
    raw = data.get("entry")
    if not isinstance(raw, list) or not raw:
        raise UserError(f"--playlist {path}: no [[entry]] tables")
    base = path.resolve().parent
    entries = [_entry(path, base, i, item) for i, item in enumerate(raw, 1)]
    loop = data.get("loop", True)
    if not isinstance(loop, bool):
        raise UserError(f"--playlist {path}: loop is true or false")
    return Playlist(path, tuple(entries), loop, _seconds(path, "transition", data.get("transition"), 0, 60))


def _seconds(path: Path, name: str, value: Any, lo: float, hi: float, where: str = "") -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not lo <= value <= hi:
        raise UserError(f"--playlist {path}:{where} {name} is a number of seconds {lo:g}..{hi:g}, "
                        f"got {value!r}")
    return float(value)


def _entry(path: Path, base: Path, index: int, item: Any) -> Entry:
    where = f" entry {index}:"
    if not isinstance(item, dict):
        raise UserError(f"--playlist {path}:{where} not a table")
    unknown = set(item) - ENTRY_FIELDS
    if unknown:
        raise UserError(f"--playlist {path}:{where} unknown field(s) {', '.join(sorted(unknown))}")
    duration = _seconds(path, "duration", item.get("duration"), 0.1, 7 * 24 * 3600, where)
    if duration is None:
        raise UserError(f"--playlist {path}:{where} needs a duration (seconds)")
    fx = item.get("fx", [])
    if isinstance(fx, str):
        fx = [fx]
    if not isinstance(fx, list) or not all(isinstance(f, str) for f in fx):
        raise UserError(f"--playlist {path}:{where} fx is a list of \"NAME key=value\" strings")
    preset, source = item.get("preset"), item.get("source")
    for name, value in (("preset", preset), ("source", source)):
        if value is not None and not isinstance(value, str):
            raise UserError(f"--playlist {path}:{where} {name} is a string")
    if preset is None and source is None and not fx:
        raise UserError(f"--playlist {path}:{where} needs a preset, a source or fx")

    def resolve(text: str | None) -> str | None:  # relative to the playlist; names stay names
        if text is None:
            return None
        candidate = (base / Path(text).expanduser())
        looks_like_path = "/" in text or Path(text).suffix != "" or candidate.exists()
        return str(candidate) if looks_like_path else text

    return Entry(duration, resolve(preset), resolve(source), tuple(fx),
                 _seconds(path, "transition", item.get("transition"), 0, 60, where))


class PlaylistRunner:
    """Shows the entries in turn on a live show (render thread calls :meth:`tick`)."""

    def __init__(self, playlist: Playlist, build: Callable[[Entry], Show], notify: Callable[[str], None],
                 build_timeout: float = BUILD_TIMEOUT) -> None:
        self.playlist, self.build, self.notify = playlist, build, notify
        self.build_timeout = build_timeout
        self.index = 0  # the entry on screen
        self.started: float | None = None  # wall time it came on screen
        self.failures = 0  # entries failed in a row
        self.skipped = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shaderviz-playlist")
        self._pending: tuple[int, Future, float] | None = None  # entry, build, when asked
        self._abandoned: list[ThreadPoolExecutor] = []
        self._wait_until = 0.0
        self.live: LiveShow | None = None

    def attach(self, commands: Commands, live: LiveShow, first: int = 0) -> None:
        self.live, self.index = live, first
        commands.bind("playlist_next", self.skip)

    def skip(self) -> None:
        """``playlist_next``: on to the next entry now."""
        self.started = -math.inf

    def _next(self, after: int) -> int | None:
        following = after + 1
        if following >= len(self.playlist.entries):
            return 0 if self.playlist.loop else None
        return following

    def tick(self, now: float) -> None:
        live = self.live
        assert live is not None
        if self.started is None:
            self.started = now
        if self._pending is not None:
            self._collect(now)
            return
        entry = self.playlist.entries[self.index]
        if now - self.started < entry.duration or now < self._wait_until:
            return
        following = self._next(self.index)
        if following is not None:
            self._ask(following, now)

    def _ask(self, index: int, now: float) -> None:
        self._pending = (index, self._pool.submit(self.build, self.playlist.entries[index]), now)

    def _collect(self, now: float) -> None:
        index, future, asked = self._pending  # type: ignore[misc]
        entry = self.playlist.entries[index]
        if not future.done():
            if now - asked > self.build_timeout:  # the watchdog: a stuck worker is replaced
                self._warn(f"playlist entry {index + 1} ({entry.label}): no result after "
                           f"{self.build_timeout:g} s; its worker was replaced and the entry skipped")
                self._abandoned.append(self._pool)
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shaderviz-playlist")
                self._failed(index, now)
            return
        self._pending = None
        try:
            show = future.result()
        except Exception as err:  # noqa: BLE001 - a broken entry never ends the show
            self._warn(f"playlist entry {index + 1} ({entry.label}) skipped: {' '.join(str(err).split())}")
            self._failed(index, now)
            return
        self.failures = 0
        self.index, self.started = index, now
        transition = entry.transition if entry.transition is not None else self.playlist.transition
        assert self.live is not None
        self.live.adopt(show, now, transition, ("entry", index))
        self.notify(f"playlist {index + 1}/{len(self.playlist.entries)}: {entry.label}")

    def _failed(self, index: int, now: float) -> None:
        self.skipped += 1
        self.failures += 1
        if self.failures >= len(self.playlist.entries):
            self.failures = 0
            self._wait_until = now + RETRY_SECONDS  # every entry failed: stay, try again later
            self.index, self.started = index, now
            return
        following = self._next(index)
        if following is not None:
            self._ask(following, now)

    def _warn(self, text: str) -> None:
        print(f"shaderviz: warning: {text}", file=sys.stderr, flush=True)
        self.notify(text)

    def describe(self) -> str:
        entry = self.playlist.entries[self.index]
        left = max(0.0, entry.duration - (time.perf_counter() - (self.started or time.perf_counter())))
        return f"playlist {self.index + 1}/{len(self.playlist.entries)} {entry.label} ({left:.0f} s left)"

    def release(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._pending is not None and self._pending[1].done() and self._pending[1].exception() is None:
            self._pending[1].result().source.close()
        for pool in self._abandoned:
            pool.shutdown(wait=False, cancel_futures=True)


def first_show(playlist: Playlist, build: Callable[[Entry], Show]) -> tuple[int, Show]:
    """The first entry that builds (at start, so the show opens on it); UserError if none does."""
    reasons = []
    for index, entry in enumerate(playlist.entries):
        try:
            return index, build(entry)
        except UserError as err:
            print(f"shaderviz: warning: playlist entry {index + 1} ({entry.label}) skipped: {err}",
                  file=sys.stderr, flush=True)
            reasons.append(str(err))
    raise UserError(f"--playlist {playlist.path}: no entry can be shown ({reasons[0]})")
