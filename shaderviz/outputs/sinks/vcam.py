"""Virtual cameras through pyvirtualcam: v4l2loopback on Linux (``v4l2:/dev/video10``),
OBS Virtual Camera or Unity Capture on Windows and OBS on macOS (``vcam:`` or
``vcam:BACKEND``). OBS, Zoom and browsers then see shaderviz as a webcam."""

from __future__ import annotations

import sys

import numpy as np

from shaderviz.errors import UserError
from shaderviz.outputs.sinks import needs


class VirtualCameraSink:
    channels = 3
    scheme = "vcam"

    def __init__(self, target: str) -> None:
        self.spec = f"{self.scheme}:{target}"
        self.device: str | None = None
        self.backend: str | None = target or None
        self._camera = None

    def _module(self):  # noqa: ANN202 - pyvirtualcam, imported when used
        try:
            import pyvirtualcam
        except ImportError:
            why = "and on Linux the v4l2loopback kernel module"
            raise needs("pyvirtualcam", "v4l2", self.spec, why) from None
        return pyvirtualcam

    def open(self, size: tuple[int, int], fps: float) -> None:
        pyvirtualcam = self._module()
        try:
            self._camera = pyvirtualcam.Camera(size[0], size[1], fps, fmt=pyvirtualcam.PixelFormat.RGB,
                                               device=self.device, backend=self.backend)
        except Exception as err:  # noqa: BLE001 - pyvirtualcam raises RuntimeError/ValueError per backend
            reason = " ".join(str(err).split()) or type(err).__name__
            raise UserError(f"--out {self.spec}: the virtual camera did not open ({reason})") from None

    def send(self, frame: np.ndarray) -> None:
        self._camera.send(frame)

    def close(self) -> None:
        if self._camera is not None:
            self._camera.close()
            self._camera = None


class V4l2Sink(VirtualCameraSink):
    """``v4l2:/dev/videoN``: a v4l2loopback device (``modprobe v4l2loopback``)."""

    scheme = "v4l2"

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.device = target or None
        self.backend = "v4l2loopback"

    def open(self, size: tuple[int, int], fps: float) -> None:
        if not sys.platform.startswith("linux") and self.backend == "v4l2loopback":
            raise UserError(f"--out {self.spec}: v4l2 is Linux only; use vcam: (OBS Virtual Camera)")
        super().open(size, fps)
