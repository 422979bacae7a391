"""Syphon (macOS) through syphon-python: ``syphon:NAME`` is a Metal server other apps
(Resolume, MadMapper, VDMX, OBS with the Syphon plugin) list by that name."""

from __future__ import annotations

import sys

import numpy as np

from shaderviz.errors import UserError
from shaderviz.outputs.sinks import needs


class SyphonSink:
    channels = 4

    def __init__(self, target: str) -> None:
        self.spec = f"syphon:{target}"
        self.name = target or "shaderviz"
        self._server = self._texture = self._copy = None

    def open(self, size: tuple[int, int], fps: float) -> None:
        if sys.platform != "darwin":
            raise UserError(f"--out {self.spec}: Syphon is macOS only (Windows: spout:, anywhere: ndi:)")
        try:
            import syphon
            from syphon.utils.numpy import copy_image_to_mtl_texture
            from syphon.utils.raw import create_mtl_texture
        except ImportError:
            raise needs("syphon-python", "syphon", self.spec) from None
        self._server = syphon.SyphonMetalServer(self.name)
        self._texture = create_mtl_texture(self._server.device, size[0], size[1])
        self._copy = copy_image_to_mtl_texture

    def send(self, frame: np.ndarray) -> None:
        self._copy(frame, self._texture)
        self._server.publish_frame_texture(self._texture)

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
