"""What the window shows over the picture, and only there (never in snapshots or
recordings, which take the chain's output before it): the HUD (``H``: fps, frame-time
p50 / p99, the chain with its selection, sort and depth state), the keys (``?``), short
notices (a snapshot saved, a preset loading, a big source fitted) and the shader error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import moderngl

from shaderviz.render.text import TextLayer

NOTICE_SECONDS = 4.0
REFRESH_SECONDS = 0.5  # the figures change this often (the text is rasterised again)


@dataclass
class HudState:
    """What the HUD reports, gathered by the window each frame."""

    fps: float = 0.0
    p50: float = 0.0
    p99: float = 0.0
    chain: str = ""
    render_size: tuple[int, int] = (0, 0)
    output_size: tuple[int, int] = (0, 0)
    extra: list[str] = field(default_factory=list)  # sort, depth, paused, ...
    marks: list[str] = field(default_factory=list)  # always shown, bottom right: REC, MIDI learn


class Hud:
    def __init__(self, ctx: moderngl.Context, keys: Callable[[], list[tuple[str, str]]]) -> None:
        self.keys = keys  # (keys, help) pairs, asked when shown: hot reload may bring new effect keys
        self.visible = False
        self.keys_visible = False
        self.notices: list[tuple[str, float]] = []
        self._corner = TextLayer(ctx)
        self._keys = TextLayer(ctx, size=13)
        self._marks = TextLayer(ctx, size=18)
        self._figures: list[str] = []
        self._key_lines: list[str] = []
        self._refreshed = 0.0

    def notify(self, text: str, seconds: float = NOTICE_SECONDS) -> None:
        """A short message on screen (any thread: list appends are atomic)."""
        self.notices.append((text, time.monotonic() + seconds))

    def toggle(self) -> bool:
        self.visible = not self.visible
        return self.visible

    def toggle_keys(self) -> bool:
        self.keys_visible = not self.keys_visible
        self._key_lines = ["keys\t(? hides them)", *(f"{keys}\t{text}" for keys, text in self.keys())]
        return self.keys_visible

    def lines(self, state: HudState, error: str | None, now: float | None = None) -> list[str]:
        now = time.monotonic() if now is None else now
        self.notices = [(text, until) for text, until in self.notices if until > now]
        lines = [f"!shader error: {error}"] if error else []
        if self.visible:
            if now - self._refreshed >= REFRESH_SECONDS or not self._figures:
                self._refreshed = now
                size = f"{state.render_size[0]}x{state.render_size[1]}"
                if state.render_size != state.output_size:
                    size += f" (shown at {state.output_size[0]}x{state.output_size[1]})"
                figures = f"{state.fps:5.1f} fps   frame p50 {state.p50:5.1f} ms   p99 {state.p99:5.1f} ms"
                self._figures = [figures, f"render {size}"]
            lines += [*self._figures, f"chain: {state.chain}", *state.extra]
        lines += [f"*{text}" for text, _ in self.notices]
        return lines

    def draw(self, fbo: moderngl.Framebuffer, window: tuple[int, int], state: HudState,
             error: str | None) -> None:
        """Draw over what the window shows (after the picture, before the swap)."""
        self._corner.draw(self.lines(state, error), fbo, window, "top-left")
        if self.keys_visible:
            self._keys.draw(self._key_lines, fbo, window, "top-right")
        self._marks.draw(state.marks, fbo, window, "bottom-right")

    def release(self) -> None:
        self._corner.release()
        self._keys.release()
        self._marks.release()
