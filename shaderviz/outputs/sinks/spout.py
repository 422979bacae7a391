"""Spout (Windows) through SpoutGL: ``spout:NAME`` is a sender that Resolume,
TouchDesigner and OBS (Spout2 plugin) list by that name."""

from __future__ import annotations

import sys

import numpy as np

from shaderviz.errors import UserError
from shaderviz.outputs.sinks import needs

GL_RGBA = 0x1908  # the OpenGL enum, so PyOpenGL is not needed for one constant


class SpoutSink:
    channels = 4

    def __init__(self, target: str) -> None:
        self.spec = f"spout:{target}"
        self.name = target or "shaderviz"
        self._sender = None
        self.size = (0, 0)

    def open(self, size: tuple[int, int], fps: float) -> None:
        if sys.platform != "win32":
            raise UserError(f"--out {self.spec}: Spout is Windows only (macOS: syphon:, anywhere: ndi:)")
        try:
            import SpoutGL
        except ImportError:
            raise needs("SpoutGL", "spout", self.spec) from None
        self._sender = SpoutGL.SpoutSender()
        self._sender.setSenderName(self.name)
        self.size = size

    def send(self, frame: np.ndarray) -> None:
        self._sender.sendImage(frame.tobytes(), self.size[0], self.size[1], GL_RGBA, False, 0)
        self._sender.setFrameSync(self.name)

    def close(self) -> None:
        if self._sender is not None:
            self._sender.releaseSender()
            self._sender = None
