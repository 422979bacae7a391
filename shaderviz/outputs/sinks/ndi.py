"""NDI through cyndilib (which bundles the NDI runtime): ``ndi:NAME`` appears as
"HOST (NAME)" in Resolume, OBS (obs-ndi), TouchDesigner, vMix and NDI Studio Monitor.
Frames go as RGBA, so ``--background transparent`` reaches the receiver."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from shaderviz.errors import UserError
from shaderviz.outputs.sinks import needs


class NdiSink:
    channels = 4

    def __init__(self, target: str) -> None:
        self.spec = f"ndi:{target}"
        self.name = target or "shaderviz"
        self._sender = None

    def open(self, size: tuple[int, int], fps: float) -> None:
        try:
            from cyndilib.sender import Sender
            from cyndilib.video_frame import VideoSendFrame
            from cyndilib.wrapper.ndi_structs import FourCC
        except ImportError:
            raise needs("cyndilib", "ndi", self.spec) from None
        try:
            frame = VideoSendFrame()
            frame.set_resolution(*size)
            frame.set_frame_rate(Fraction(fps).limit_denominator(1001))
            frame.set_fourcc(FourCC.RGBA)
            sender = Sender(self.name)
            sender.set_video_frame(frame)
            sender.open()
        except Exception as err:  # noqa: BLE001 - the NDI runtime's failures
            raise UserError(f"--out {self.spec}: NDI did not start ({' '.join(str(err).split())})") from None
        self._sender = sender

    def send(self, frame: np.ndarray) -> None:
        self._sender.write_video(frame.reshape(-1))

    def close(self) -> None:
        if self._sender is not None:
            self._sender.close()
            self._sender = None
