"""Monitors for perform mode: ``shaderviz monitors`` lists them, ``play --monitor N`` puts
the window on one (``--fullscreen``: borderless over the whole monitor, the cursor hidden).
pyglet reads them from the display server (X11: RandR or Xinerama; macOS; Windows)."""

from __future__ import annotations

import os
import sys
from typing import Any

from shaderviz.errors import UserError


def screens() -> list[Any]:
    """The display's monitors (pyglet screens), default first; UserError without a display."""
    has_display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if sys.platform.startswith("linux") and not has_display:
        raise UserError("no display available (DISPLAY is not set): monitors are a display's")
    try:
        import pyglet

        return list(pyglet.display.get_display().get_screens())
    except Exception as err:  # noqa: BLE001 - no usable display
        raise UserError(f"cannot read the monitors: {' '.join(str(err).split())}") from None


def describe_monitors() -> str:
    return "\n".join(f"{n}: {s.width}x{s.height} at {s.x},{s.y}" + (" (default)" if n == 0 else "")
                     for n, s in enumerate(screens()))


def monitor(number: int) -> Any:
    """Screen ``number``; UserError listing the monitors if there is no such one."""
    found = screens()
    if not 0 <= number < len(found):
        listing = "; ".join(f"{n}: {s.width}x{s.height}" for n, s in enumerate(found))
        raise UserError(f"--monitor {number}: no such monitor ({listing})")
    return found[number]


def place(window: Any, screen: Any) -> None:
    """Centre a moderngl-window pyglet window on ``screen``."""
    native = getattr(window, "_window", None)
    if native is None:
        return
    x = screen.x + max(0, (screen.width - native.width) // 2)
    y = screen.y + max(0, (screen.height - native.height) // 2)
    native.set_location(x, y)
