"""Hot reload for `play`: watch the effect folders, re-read changed files, report errors.

A watchdog observer (its own thread) only puts changed ``*.glsl`` paths in a queue;
the render loop calls :meth:`HotReload.poll` each frame, so all GL work stays on the
main thread. Editors that save by writing a temporary file and renaming it over the
original are handled through moved/created events; a short settle time coalesces the
several events one save produces (truncate, write, close) into one reload.
"""

from __future__ import annotations

import queue
import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from shaderviz.effects.registry import Registry
from shaderviz.render.renderer import Renderer

SETTLE_SECONDS = 0.12  # wait this long after a file's last event before reading it
_WATCHED_EVENTS = {"modified", "created", "moved", "closed", "deleted"}
_LOCATION = re.compile(r"([^\s/\\:]+\.glsl):(\d+)")
_HEADER_LINE = re.compile(r"^(.*\.glsl): invalid effect header: line (\d+): (.*)$", re.DOTALL)


class _Handler(FileSystemEventHandler):
    def __init__(self, changed: queue.Queue[Path]) -> None:
        self.changed = changed

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type not in _WATCHED_EVENTS:
            return
        paths = [event.src_path, event.dest_path] if event.event_type == "moved" else [event.src_path]
        for path in paths:  # a move: the old name is gone, the new one is there
            path = path.decode() if isinstance(path, bytes) else path
            if path.endswith(".glsl"):
                self.changed.put(Path(path))


def error_label(message: str) -> str:
    """``blur.glsl:12`` from an error message (the first file:line in it)."""
    match = _LOCATION.search(message)
    if match:
        return f"{match.group(1)}:{match.group(2)}"
    name = re.search(r"([^\s/\\:]+\.glsl)", message)
    return name.group(1) if name else message.split(":", 1)[0]


class HotReload:
    """Watches ``registry.dirs`` (and their ``include/``); applies changes on ``poll()``."""

    def __init__(self, registry: Registry, renderer: Renderer) -> None:
        self.registry = registry
        self.renderer = renderer
        self.changed: queue.Queue[Path] = queue.Queue()
        self._pending: dict[Path, float] = {}  # path -> time of its last event
        self._header_errors: dict[Path, str] = {}
        self._shown: dict[tuple[str, str], str] = {}  # ("header", path) | ("glsl", name) -> message
        self._reloaded: list[str] = []
        self._warned = set(registry.warnings)  # the CLI printed these at start
        self._effect_dirs = {d.resolve() for d in registry.dirs if d.is_dir()}
        self._observer = Observer()
        self._observer.daemon = True
        handler = _Handler(self.changed)
        for folder in sorted(self._effect_dirs):
            self._observer.schedule(handler, str(folder), recursive=False)
            if (folder / "include").is_dir():
                self._observer.schedule(handler, str(folder / "include"), recursive=False)

    def start(self) -> None:
        self._observer.start()

    def release(self) -> None:
        """Stop watching (the observer thread ends)."""
        self._observer.stop()
        self._observer.join(timeout=2)

    # -- applying changes (main thread) -------------------------------------------------

    def poll(self, active: Iterable[str] = (), now: float | None = None) -> None:
        """Apply the changes whose files have settled; ``active``: effects to recompile at
        once after an include change (the others recompile when next used)."""
        now = time.monotonic() if now is None else now
        while True:
            try:
                self._pending[self.changed.get_nowait()] = now
            except queue.Empty:
                break
        due = [p for p, seen in self._pending.items() if now - seen >= SETTLE_SECONDS]
        for path in due:
            del self._pending[path]
            in_effects = path.resolve().parent in self._effect_dirs
            if not path.is_file():  # deleted (a save by rename has settled with the file back)
                if in_effects:
                    self._forget(path)
                continue
            if in_effects:
                self._reload_effect(path)
            else:
                self.renderer.invalidate()  # includes are not part of an effect's digest
                for name in dict.fromkeys(active):
                    self._compile_now(name)

    def _reload_effect(self, path: Path) -> None:
        spec, error = self.registry.reload(path)
        if error is not None:
            self._header_errors[path] = _header_message(error)
            return
        self._header_errors.pop(path, None)
        for warning in dict.fromkeys(self.registry.warnings):
            if warning not in self._warned:  # e.g. a new key that another effect already has
                self._warned.add(warning)
                print(f"shaderviz: warning: {warning}", file=sys.stderr, flush=True)
        if spec is None:
            return  # overridden by a file in a later folder
        self._compile_now(spec.name)  # now, so errors show even if it is not in the chain

    def _forget(self, path: Path) -> None:
        self._header_errors.pop(path, None)
        name, spec = self.registry.forget(path)
        if name is None:
            return
        if spec is None:
            self.renderer.errors.pop(name, None)
            print(f"removed {name} (its file was deleted)", file=sys.stderr, flush=True)
            return
        print(f"{name}: {path.name} was deleted; using {spec.path}", file=sys.stderr, flush=True)
        self._compile_now(name)

    def _compile_now(self, name: str) -> None:
        spec = self.registry.effects.get(name)
        if spec is not None:
            self.renderer.compiled(spec)
            self._reloaded.append(name)

    # -- reporting ------------------------------------------------------------------------

    def report(self) -> str | None:
        """Print new errors and fixes once; return the title label of the first error."""
        current: dict[tuple[str, str], str] = {("header", str(p)): m for p, m in self._header_errors.items()}
        current.update({("glsl", name): m for name, m in self.renderer.errors.items()})
        for key, message in current.items():
            if self._shown.get(key) != message:
                for line in message.splitlines():
                    print(f"shaderviz: {line}", file=sys.stderr, flush=True)
        fixed = [key[1] for key in self._shown if key not in current and key[0] == "glsl"]
        for name in dict.fromkeys(fixed + self._reloaded):
            if ("glsl", name) not in current:
                print(f"reloaded {name}", file=sys.stderr, flush=True)
        self._reloaded.clear()
        self._shown = current
        return error_label(next(iter(current.values()))) if current else None


def _header_message(error: str) -> str:
    """``path: invalid effect header: line 3: ...`` -> ``path:3: invalid effect header: ...``."""
    match = _HEADER_LINE.match(error)
    return f"{match.group(1)}:{match.group(2)}: invalid effect header: {match.group(3)}" if match else error
