"""Fullscreen on and off on the same window.

pyglet's own fullscreen on X11 destroys the window and makes a new one each time, so
window managers, capture tools (OBS) and scripts lose it. On X11 this asks the window
manager for the EWMH fullscreen state of the same window instead; without a window
manager (a bare X server, a kiosk) it moves and resizes the window over the screen and
back. Other platforms keep their own way (which keeps the window).
"""

from __future__ import annotations

from ctypes import POINTER, byref, c_int, c_ubyte, c_ulong, cast
from typing import Any

_REMOVE, _ADD = 0, 1  # _NET_WM_STATE actions
_XA_WINDOW = 33  # the predefined atom WINDOW (Xatom.h)


class Fullscreen:
    """Toggles a moderngl-window pyglet window between windowed and fullscreen."""

    def __init__(self, window: Any, screen: Any = None) -> None:
        self.window = window
        native = getattr(window, "_window", None)
        self.x11 = native if native is not None and hasattr(native, "_x_display") else None
        self.screen = screen  # the monitor to fill (--monitor); default: the window's own
        self.on = False
        self._windowed: tuple[int, int, int, int] | None = None  # x, y, width, height

    def toggle(self) -> bool:
        """True when the window is now fullscreen (the mouse cursor hidden while it is)."""
        native = self.x11
        if native is None:  # pyglet's own way; it may remake the window
            self.window.fullscreen = not self.window.fullscreen
            self.on = bool(self.window.fullscreen)
            # A remade window never saw F released: pyglet would hold it down forever.
            getattr(getattr(self.window, "_window", None), "pressed_keys", set()).clear()
            self._cursor()
            return self.on
        self.on = not self.on
        self._cursor()
        if _has_window_manager(native):
            _send_state(native, _ADD if self.on else _REMOVE)
        elif self.on:
            screen = self.screen or native.screen
            self._windowed = (*native.get_location(), native.width, native.height)
            native.set_location(screen.x, screen.y)
            native.set_size(screen.width, screen.height)
        elif self._windowed is not None:
            x, y, width, height = self._windowed
            native.set_size(width, height)
            native.set_location(x, y)
        from pyglet.libs.x11 import xlib

        xlib.XFlush(native._x_display)
        return self.on


    def _cursor(self) -> None:
        native = getattr(self.window, "_window", None)
        if native is not None and hasattr(native, "set_mouse_visible"):
            native.set_mouse_visible(not self.on)


def _atom(native: Any, name: str) -> int:
    from pyglet.libs.x11 import xlib

    return xlib.XInternAtom(native._x_display, name.encode(), False)


def _has_window_manager(native: Any) -> bool:
    """An EWMH window manager runs (the root window names its check window)."""
    from pyglet.libs.x11 import xlib

    actual, fmt, count, after = xlib.Atom(), c_int(), c_ulong(), c_ulong()
    data = POINTER(c_ubyte)()
    status = xlib.XGetWindowProperty(native._x_display, native._get_root(),
                                     _atom(native, "_NET_SUPPORTING_WM_CHECK"), 0, 1, False, _XA_WINDOW,
                                     byref(actual), byref(fmt), byref(count), byref(after), byref(data))
    found = status == 0 and count.value > 0
    if data:
        xlib.XFree(data)
    return found


def _send_state(native: Any, action: int) -> None:
    from pyglet.libs.x11 import xlib

    event = xlib.XEvent()
    event.xclient.type = xlib.ClientMessage
    event.xclient.message_type = _atom(native, "_NET_WM_STATE")
    event.xclient.display = cast(native._x_display, POINTER(xlib.Display))
    event.xclient.window = native._window
    event.xclient.format = 32
    event.xclient.data.l[0] = action
    event.xclient.data.l[1] = _atom(native, "_NET_WM_STATE_FULLSCREEN")
    event.xclient.data.l[2] = 0
    event.xclient.data.l[3] = 1  # a normal application
    mask = xlib.SubstructureRedirectMask | xlib.SubstructureNotifyMask
    xlib.XSendEvent(native._x_display, native._get_root(), False, mask, byref(event))
