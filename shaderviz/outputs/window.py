"""``shaderviz play``: the chain live in a window, driven by the keymap.

One loop on the main thread, once per displayed frame:

1. apply settled effect-file changes (hot reload; GL work stays on this thread);
2. upload the source image if its worker-thread load has finished (never wait on it);
3. render the chain at the show's output size with the one ``Renderer``;
4. print new shader errors / fixes, draw the output letterboxed (red frame on error);
5. swap buffers, which dispatches window events: keys run actions from the keymap table.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from shaderviz.app.camerasteer import CameraSteer
from shaderviz.app.depthfeed import DepthFeed
from shaderviz.app.depthview import DepthView
from shaderviz.app.hotreload import HotReload
from shaderviz.app.show import Show
from shaderviz.app.sortcontrol import SortControl
from shaderviz.effects.chain import make_instance
from shaderviz.errors import UserError
from shaderviz.keymap import bindings, describe
from shaderviz.outputs.sinks.feed import LiveOutputs
from shaderviz.outputs.snapshot import next_snapshot_path, save_snapshot
from shaderviz.render.present import Presenter
from shaderviz.render.renderer import Frame, Renderer, Target

TITLE_SECONDS = 0.5  # how often the title's fps is refreshed
MAX_FPS_WITH_VSYNC = 120.0  # a cap for when "vsync" does nothing (Xvfb, VNC, some drivers)
_NO_DISPLAY = "no display available ({reason}); render headless instead: shaderviz render -o out.mp4 ..."


def play(show: Show, fullscreen: bool, snapshots: Path, vsync: bool, outputs: tuple[str, ...] = ()) -> int:
    """Open a window and play ``show`` until Esc or the window is closed; exit status.
    ``outputs``: ``--out`` sinks (outputs/sinks) that get every shown frame."""
    player = window = None
    try:
        window = open_window(show.size, vsync)
        if fullscreen:  # after creation: moderngl-window's fullscreen=True start path needs pyglet < 2.1
            window.fullscreen = True
        player = _Player(window, show, snapshots, vsync, outputs)
        player.run()
    finally:
        if player is not None:
            player.release()
        show.source.close()
        if window is not None:
            window.close()
    return 0


def open_window(size: tuple[int, int], vsync: bool) -> Any:
    """A resizable moderngl-window pyglet window with a GL 3.3 core context, or UserError."""
    has_display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if sys.platform.startswith("linux") and not has_display:
        raise UserError(_NO_DISPLAY.format(reason="DISPLAY is not set"))
    try:
        import moderngl_window

        window_cls = moderngl_window.get_local_window_cls("pyglet")
        window = window_cls(title="shaderviz", gl_version=(3, 3), size=initial_window_size(size),
                            resizable=True, vsync=vsync, fullscreen=False, cursor=True)
    except Exception as err:  # noqa: BLE001 - whatever pyglet raises, there is no usable display
        lines = str(err).strip().splitlines()
        where = "DISPLAY" if os.environ.get("DISPLAY") else "WAYLAND_DISPLAY"
        reason = (f"cannot open a window on {where}={os.environ.get(where, '')}: "
                  f"{lines[0] if lines else type(err).__name__}")
        raise UserError(_NO_DISPLAY.format(reason=reason)) from None
    moderngl_window.activate_context(window=window)
    window.exit_key = None  # the keymap owns every key, Esc and F included
    window.fullscreen_key = None
    return window


def initial_window_size(size: tuple[int, int]) -> tuple[int, int]:
    """The output size, shrunk to fit 1280x800, or scaled up by a whole factor if tiny."""
    w, h = size
    scale = min(1.0, 1280 / w, 800 / h)
    if scale == 1.0:
        scale = float(max(1, min(480 // w, 360 // h)))
    return max(1, round(w * scale)), max(1, round(h * scale))


def key_name(symbol: int) -> str:
    """A pyglet key code as the keymap spells it: "S", "SPACE", "QUESTION", "1"."""
    from pyglet.window import key

    name = key.symbol_string(symbol)
    return name[1:] if name.startswith("_") and name[1:].isdigit() else name


class _Clock:
    """Wall-clock seconds since start that can be paused."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.paused_at: float | None = None

    def seconds(self) -> float:
        now = self.paused_at if self.paused_at is not None else time.perf_counter()
        return now - self.start

    def toggle(self) -> bool:
        if self.paused_at is None:
            self.paused_at = time.perf_counter()
            return True
        self.start += time.perf_counter() - self.paused_at
        self.paused_at = None
        return False


class _SourceFeed:
    """Loads source images on one worker thread; the loop uploads them once ready."""

    def __init__(self, show: Show) -> None:
        self.show = show
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shaderviz-load")
        self.current: Hashable = object()  # the key uploaded last (nothing yet)
        self.pending: tuple[Hashable, Future] | None = None

    def update(self, renderer: Renderer, key: Hashable) -> np.ndarray | None:
        """Upload a finished load; start loading ``key`` if it is new. The new image, if any."""
        image = None
        if self.pending is not None and self.pending[1].done():
            loaded, future = self.pending
            self.pending = None
            self.current = loaded  # on failure too: do not retry a broken file every frame
            try:
                image = future.result()
            except Exception as err:  # noqa: BLE001 - shown, and the show goes on
                print(f"shaderviz: warning: {' '.join(str(err).split())}", file=sys.stderr, flush=True)
            else:
                if image is not None:
                    renderer.upload_source(image)
                renderer.reset_state()
        if self.pending is None and key != self.current:
            self.pending = (key, self.pool.submit(self.show.source.load, key, self.show.size, self.show.fit))
        return image

    def load_first(self, renderer: Renderer, key: Hashable) -> np.ndarray | None:
        """At start only: wait for the first image, so a broken file fails before the show."""
        image = self.show.source.load(key, self.show.size, self.show.fit)
        if image is not None:
            renderer.upload_source(image)
        self.current = key
        return image

    def release(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Player:
    def __init__(
        self, window: Any, show: Show, snapshots: Path, vsync: bool, outputs: tuple[str, ...] = ()
    ) -> None:
        self.window, self.show, self.snapshots = window, show, snapshots
        self.min_frame = 1.0 / MAX_FPS_WITH_VSYNC if vsync else 0.0
        self.clock = _Clock()
        self.sort = SortControl()
        self.steer, self.depth_view = CameraSteer(), DepthView()
        self.saver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shaderviz-save")
        self.index = 0
        self.last: tuple[Target, Frame] | None = None
        self.toggle_fullscreen = False  # F: done in the loop, not while pyglet dispatches keys
        self.error_label: str | None = None
        self.fps, self.title_at, self.title_frames, self.title_dirty = 0.0, time.perf_counter(), 0, True
        self._owned: list[Any] = []  # released in reverse order
        try:
            self.renderer = self._own(Renderer(window.ctx, show.size, show.registry))
            self.presenter = self._own(Presenter(window.ctx))
            self.outputs = self._own(LiveOutputs.for_show(self.renderer, show, outputs))
            self.feed = self._own(_SourceFeed(show))
            self.depth = self._own(DepthFeed(show, wait=False))
            self.depth.start(self.renderer)
            self.depth.new_image(self.feed.load_first(self.renderer, self._source_key(0.0)))
            self.reload = HotReload(show.registry, self.renderer)
            self.reload.start()
            self._own(self.reload)
        except BaseException:
            self.release()
            raise
        window.key_event_func = self.on_key
        window.mouse_position_event_func = window.mouse_drag_event_func = self.on_mouse

    def _own(self, thing: Any) -> Any:
        self._owned.append(thing)
        return thing

    def release(self) -> None:
        """Stop the watcher and the loader; free every GL object while the context lives."""
        self.saver.shutdown(wait=True)  # snapshots being written are finished
        while self._owned:
            self._owned.pop().release()

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> None:
        window, show = self.window, self.show
        while not window.is_closing:
            started = time.perf_counter()
            if self.toggle_fullscreen:
                self._toggle_fullscreen()
            seconds = self.clock.seconds()
            active = [i.name for i in show.chain if i.enabled]
            self.reload.poll(active + ([show.generator.name] if show.generator else []))
            self.depth.new_image(self.feed.update(self.renderer, self._source_key(seconds)))
            self.depth.update(self.renderer)
            self.sort.apply(show.chain, show.registry)
            self.steer.apply(show.chain, show.registry, time.perf_counter())
            self.depth_view.apply(show.chain, show.registry)
            frame = show.frame_at(seconds, self.index)
            target = self.renderer.render(show.chain, frame, show.generator)
            self.outputs.push(target)  # --out sinks: read back and sent off the loop
            self.last = (target, frame)
            label = self.reload.report()
            self.presenter.draw(target.texture, window.fbo, window.buffer_size, error=label is not None)
            self._update_title(label, started)
            window.swap_buffers()  # also dispatches events: on_key may run here
            self.index += 1
            spare = self.min_frame - (time.perf_counter() - started)
            if spare > 0:
                time.sleep(spare)

    def _source_key(self, seconds: float) -> Hashable:
        return self.show.source.key_at(seconds, int(seconds // self.show.seconds))

    def _update_title(self, label: str | None, now: float) -> None:
        self.title_frames += 1
        elapsed = now - self.title_at
        if elapsed < TITLE_SECONDS and label == self.error_label and not self.title_dirty:
            return
        if elapsed >= TITLE_SECONDS:
            self.fps, self.title_at, self.title_frames = self.title_frames / elapsed, now, 0
        self.error_label, self.title_dirty = label, False
        names = [i.name for i in self.show.chain if i.enabled]
        chain = " > ".join(names) if names else "(no effects)"
        paused = " | paused" if self.clock.paused_at is not None else ""
        prefix = f"[shader error] {label} | " if label else ""
        self.window.title = f"{prefix}shaderviz | {self.fps:.0f} fps{paused} | {chain}"

    # -- keys -------------------------------------------------------------------------------

    def on_key(self, symbol: Any, action: Any, modifiers: Any) -> None:
        table = {b.key: b.action for b in bindings(self.show.registry)}
        action_name = table.get(key_name(symbol))
        if action_name is None:
            return
        verb, _, arg = action_name.partition(":")
        if verb == "sort":  # held keys: sort while down
            if action == self.window.keys.ACTION_PRESS:
                self.sort.press(arg)
            elif action == self.window.keys.ACTION_RELEASE:
                self.sort.release(arg)
            self.title_dirty = True
            return
        if action != self.window.keys.ACTION_PRESS:
            return
        handler = getattr(self, f"do_{verb}", None)
        if handler is not None and arg:
            handler(arg)
        elif handler is not None:
            handler()

    def on_mouse(self, x: int, y: int, dx: int, dy: int) -> None:
        width, height = self.window.size
        self.steer.point(x / max(width, 1), y / max(height, 1))

    def do_depth_view(self) -> None:
        print(f"depth view {'on' if self.depth_view.toggle() else 'off'}", flush=True)
        self.title_dirty = True

    def do_quit(self) -> None:
        self.window.is_closing = True

    def do_pause(self) -> None:
        self.clock.toggle()
        self.title_dirty = True

    def do_fullscreen(self) -> None:
        self.toggle_fullscreen = True

    def _toggle_fullscreen(self) -> None:
        """pyglet makes a new X window: the release of F went to the old one, so pyglet
        still holds F down and would take the next press of F for auto-repeat."""
        self.toggle_fullscreen = False
        self.window.fullscreen = not self.window.fullscreen
        getattr(getattr(self.window, "_window", None), "pressed_keys", set()).clear()

    def do_help(self) -> None:
        print(describe(self.show.registry), flush=True)

    def do_next_source(self) -> None:
        if not self.show.source.skip():
            print("shaderviz: N: the source is not a folder of images", file=sys.stderr, flush=True)

    def do_autosort(self) -> None:
        print(f"auto sort {'on' if self.sort.toggle_auto() else 'off'}", flush=True)
        self.title_dirty = True

    def do_sort_key(self) -> None:
        print(f"sort key: {self.sort.cycle_key(self.show.chain, self.show.registry)}", flush=True)

    def do_sort_reset(self) -> None:
        self.sort.reset(self.show.chain, self.show.registry)

    def do_toggle(self, name: str) -> None:
        instance = next((i for i in self.show.chain if i.name == name), None)
        if instance is not None:
            instance.enabled = not instance.enabled
        else:
            self.show.chain.append(make_instance(self.show.registry.effects[name], {}))
        self.title_dirty = True

    def do_snapshot(self) -> None:
        """Read the frame back here (GL thread); encode and write the PNG on a worker."""
        if self.last is None:
            return
        target, frame = self.last
        pixels, recipe = self.renderer.read(target), self.show.recipe(frame)
        self.saver.submit(_save, self.snapshots, pixels, recipe)


def _save(folder: Path, pixels: Any, recipe: dict) -> None:
    try:
        path = save_snapshot(next_snapshot_path(folder), pixels, recipe)
    except OSError as err:
        print(f"shaderviz: cannot save snapshot in {folder}: {err}", file=sys.stderr, flush=True)
        return
    print(f"saved {path}", flush=True)
