"""``shaderviz play``: the live show in a window. This module only runs the loop:

1. run the commands posted since the last frame (``Commands.pump``): keys, other threads;
2. ``LiveShow.step()``: the frame at the render size (workers' results adopted, chain run);
3. draw it scaled to the window, then the HUD, notices and keys over it (window only);
4. with a frame-rate cap (``--fps``; a video's own rate on software GL), finish drawing
   and wait for the pacer, so the frame is shown on time;
5. swap buffers, which also dispatches window events: keys become commands (keymap);
6. record the frame in the stats.

Hooks for more inputs and outputs: post commands (``commands.post``) from any thread;
``frame_listeners`` get each frame's output target and ``Frame`` before the overlays.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shaderviz.app.clock import Pacer
from shaderviz.app.controls import LiveControls
from shaderviz.app.live import LiveOptions, LiveShow
from shaderviz.app.livedepth import DepthWorker, start_early
from shaderviz.app.show import Show
from shaderviz.app.stats import FrameStats
from shaderviz.control.commands import Commands, command_specs
from shaderviz.errors import UserError
from shaderviz.explore.viewer import Viewer
from shaderviz.keymap import command_for, describe, key_lines
from shaderviz.outputs import monitors
from shaderviz.outputs.fullscreen import Fullscreen
from shaderviz.outputs.hud import Hud, HudState
from shaderviz.outputs.sinks.feed import LiveOutputs
from shaderviz.render.context import is_software
from shaderviz.render.renderer import Frame, Target
from shaderviz.sources import VideoSource

TITLE_SECONDS = 0.5  # how often the title is refreshed
MAX_FPS_WITH_VSYNC = 120.0  # a cap for when "vsync" does nothing (Xvfb, VNC, some drivers)
_NO_DISPLAY = "no display available ({reason}); render headless instead: shaderviz render -o out.mp4 ..."

FrameListener = Callable[[Target, Frame], None]


@dataclass
class PlayOptions:
    render_size: tuple[int, int] | None = None  # --render-size
    scale: float | None = None  # --scale
    fullscreen: bool = False
    snapshots: Path = Path(".")
    vsync: bool = True
    fps: float | None = None  # --fps: cap the window's rate
    stats: Path | None = None
    transition: float = 0.6
    bank: list[str] = field(default_factory=list)
    rebuild: Callable[[str], Show] | None = None
    notices: list[str] = field(default_factory=list)  # said on screen at start
    outputs: tuple[str, ...] = ()  # --out sinks (outputs/sinks) that get every shown frame
    controls: LiveControls | None = None  # OSC, MIDI, tempo, recording, log, playlist (app/controls)
    monitor: int | None = None  # --monitor N (perform mode)


def play(show: Show, options: PlayOptions) -> int:
    """Open a window and play ``show`` until Esc or the window is closed; exit status."""
    stats = FrameStats(options.stats)  # before the window: a bad path fails first
    window = None
    options.controls = options.controls or LiveControls()
    early = start_early(show)  # the depth model loads while the window opens
    try:
        screen = monitors.monitor(options.monitor) if options.monitor is not None else None
        window = open_window(show.size, options.vsync)
        if screen is not None:
            monitors.place(window, screen)
        fullscreen = Fullscreen(window, screen)
        if options.fullscreen:
            fullscreen.toggle()
        stats.restart()
        _Loop(window, show, options, stats, fullscreen, early).run()
    finally:
        if early is not None:
            early.close()  # never adopted (or already closed by the show: closing twice is harmless)
        options.controls.release()
        stats.close()
        if window is not None:
            window.close()
    return options.controls.exit_status()


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
        raise UserError(_NO_DISPLAY.format(reason=_display_problem(err))) from None
    moderngl_window.activate_context(window=window)
    window.exit_key = None  # the keymap owns every key, Esc and F included
    window.fullscreen_key = None
    return window


def _display_problem(err: Exception) -> str:
    """Why no window opened, naming the display (pyglet says 'Cannot connect to "None"')."""
    where = "DISPLAY" if os.environ.get("DISPLAY") else "WAYLAND_DISPLAY"
    name = os.environ.get(where, "")
    text = " ".join(str(err).split())
    if "Cannot connect to" in text or "NoSuchDisplay" in type(err).__name__:
        return f"cannot connect to the display {name} ({where}={name}): is an X server running there?"
    return f"cannot open a window on {where}={name}: {text or type(err).__name__}"


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


class _Loop:
    def __init__(self, window: Any, show: Show, options: PlayOptions, stats: FrameStats,
                 fullscreen: Fullscreen, early_depth: DepthWorker | None = None) -> None:
        self.window, self.show, self.options, self.stats = window, show, options, stats
        registry, bank = show.registry, options.bank
        self.commands = Commands(lambda: command_specs(registry, bank))
        self.hud = Hud(window.ctx, lambda: key_lines(registry, bank, short=True))
        self.pacer = Pacer(None)
        self.software = is_software(window.ctx)
        self.frame_listeners: list[FrameListener] = []  # e.g. recorders and video sinks
        self.error: str | None = None
        self.title_at = 0.0
        self.held: dict[int, str] = {}  # key code -> the command its press ran (its release goes there)
        try:
            live_options = LiveOptions(options.render_size, options.scale, self.software,
                                       options.transition, options.snapshots, bank, options.rebuild,
                                       early_depth)
            self.live = LiveShow(window.ctx, show, live_options, self.commands, stats, self.hud.notify)
        except BaseException:
            self.hud.release()
            raise
        self.outputs: LiveOutputs | None = None
        try:
            self.outputs = LiveOutputs.for_show(self.live.renderer, show, options.outputs, self.live.size)
            self.viewer = Viewer(window.ctx, self.live, self.commands, self.hud.notify)  # view, split
        except BaseException:
            if self.outputs is not None:
                self.outputs.release()
            self.live.release()
            self.hud.release()
            raise
        self.viewer.scale = window.buffer_size[0] / max(1, window.size[0])
        window.mouse_press_event_func = lambda x, y, button: self.viewer.press(x, y)
        window.mouse_release_event_func = lambda x, y, button: self.viewer.release(x, y)
        window.mouse_scroll_event_func = lambda dx, dy: self.viewer.scroll(dy)
        for notice in options.notices:
            self.hud.notify(notice, seconds=8.0)
        self.commands.bind("quit", self.quit)
        self.commands.bind("fullscreen", fullscreen.toggle)
        self.commands.bind("hud", self.hud.toggle)
        self.commands.bind("help", self.help)
        self.controls = options.controls or LiveControls()
        self.controls.attach(self.commands, self.live, self.hud.notify, self.frame_listeners)
        window.key_event_func = self.on_key
        window.mouse_position_event_func, window.mouse_drag_event_func = self.on_move, self.on_drag

    def run(self) -> None:
        window = self.window
        transparent = self.show.background is None
        outputs = self.outputs
        assert outputs is not None
        self.frame_listeners.append(lambda output, frame: outputs.push(output))  # --out sinks
        # What start-up made lives as long as the show: frozen, a full collection no longer
        # walks it (one took 36 ms mid-show on 2 cores: a dropped frame)
        gc.collect()
        gc.freeze()
        try:
            while not window.is_closing:
                started = time.perf_counter()
                self.pacer.set_rate(self._rate())
                self.commands.pump()
                self.controls.before_frame()
                output = self.live.step()
                for listener in self.frame_listeners:
                    listener(output, self.live.frame)
                self.error = self.live.error_label()
                self.viewer.draw(output, window.fbo, window.buffer_size, self.error is not None, transparent)
                self.hud.draw(window.fbo, window.buffer_size, self._hud_state(), self.error)
                self._update_title(started)
                if self.pacer.early():
                    # Ahead of a capped rate: finish drawing, then wait, so the frame is *shown*
                    # on time (software GL draws inside the swap, for a time that varies frame
                    # to frame). A frame that is late anyway is not held up.
                    window.ctx.finish()
                work_ms = (time.perf_counter() - started) * 1000.0
                self.pacer.wait()
                window.swap_buffers()  # also dispatches events: on_key may run here
                self.stats.frame(work_ms, **self.live.stats_fields())
        finally:
            outputs.release()
            self.viewer.release_gl()
            self.live.release()
            self.hud.release()

    def _rate(self) -> float | None:
        """The window's frame-rate cap: --fps; else, with software GL, a video's own rate (the
        frames between its frames repeat the picture, and the CPU they take is what decoding
        and the depth model need: capped, every frame is shown on time); else vsync's cap."""
        if self.options.fps:
            return self.options.fps
        source = self.show.source
        video = source.video if isinstance(source, VideoSource) else None
        if self.software and video is not None:
            return video.fps
        return MAX_FPS_WITH_VSYNC if self.options.vsync else None

    # -- what the window shows besides the picture ------------------------------------------

    def _status(self) -> list[str]:
        live = self.live
        extra = ["paused"] if live.clock.paused else []
        sort = live.sort.describe(self.show.chain)
        if sort:
            extra.append(sort)
        if live.depth.wanted:
            lag = f", lag {live.depth.lag} frames" if live.depth.lag is not None else ""
            extra.append(f"depth {live.depth.status}{lag}")
        return extra + live.sampler.status() + self.viewer.status() + live.dream.status()

    def _hud_state(self) -> HudState:
        if not self.hud.visible:  # only the marks show: the figures cost ~0.7 ms a frame on 2 cores
            return HudState(marks=self.controls.marks())
        summary = self.stats.summary()
        return HudState(summary["fps"], summary["p50"], summary["p99"], self.live.editor.describe(),
                        self.live.size, self.show.size, self._status() + self.controls.status(),
                        self.controls.marks())

    def _update_title(self, now: float) -> None:
        if now - self.title_at < TITLE_SECONDS:
            return
        self.title_at = now
        fps = self.stats.summary()["fps"]
        parts = [f"{fps:.0f} fps", *self._status(), self.live.editor.describe()]
        prefix = f"[shader error] {self.error} | " if self.error else ""
        self.window.title = f"{prefix}shaderviz | " + " | ".join(parts)

    # -- keys and window commands ---------------------------------------------------------

    def on_key(self, symbol: Any, action: Any, modifiers: Any) -> None:
        keys = self.window.keys
        if action not in (keys.ACTION_PRESS, keys.ACTION_RELEASE):
            return
        if action == keys.ACTION_RELEASE:  # to the command the press ran, even if a mode changed since
            command = self.held.pop(symbol, None)
        else:
            held = [m for m in ("CTRL", "ALT", "SHIFT") if getattr(modifiers, m.lower(), False)]
            command = command_for(key_name(symbol), self.show.registry, self.options.bank,
                                  self.viewer.modes(), held)
            if command is not None:
                self.held[symbol] = command
        if command is not None:  # run at the top of the next frame, not while pyglet dispatches events
            self.commands.post(command, pressed=action == keys.ACTION_PRESS)
            self.title_at = 0.0  # show the change at once

    def on_mouse(self, x: int, y: int, dx: int, dy: int, *buttons: Any) -> None:
        """The pointer steers the parallax camera (fractions of the window from its top-left)."""
        width, height = self.window.size
        self.commands.run("steer", True, (x / max(width, 1), y / max(height, 1)))  # logged, replayable

    def on_move(self, x: int, y: int, dx: int, dy: int) -> None:
        self.viewer.move(x, y)
        self.on_mouse(x, y, dx, dy)

    def on_drag(self, x: int, y: int, dx: int, dy: int) -> None:
        """A drag the viewer took (splitter, sampler selection, pan) or, if not, steering."""
        if not self.viewer.drag(x, y):
            self.on_mouse(x, y, dx, dy)

    def quit(self) -> None:
        self.window.is_closing = True

    def help(self) -> None:
        if self.hud.toggle_keys():
            print(describe(self.show.registry, self.options.bank), flush=True)

