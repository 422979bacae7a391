"""Live video out: frames of `play` (and `render --out`, for previews) to other programs.

``--out SPEC`` names a sink: ``v4l2:/dev/video10`` (a virtual camera through pyvirtualcam:
v4l2loopback on Linux; ``vcam:`` picks the platform's, e.g. OBS Virtual Camera on
Windows/macOS), ``ndi:NAME`` (NDI through cyndilib), ``syphon:NAME`` (macOS, syphon-python),
``spout:NAME`` (Windows, SpoutGL). Each library is an optional extra; a missing one is a
one-line error naming what to install. Frames reach sinks through ``feed.LiveOutputs``:
read back from the GPU through pixel buffers and sent on a worker thread, newest frame
first, so a slow receiver drops frames instead of stalling the show.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from shaderviz.errors import UserError


class Sink(Protocol):
    """One destination. ``send`` gets (H, W, channels) uint8 frames, top row first."""

    spec: str
    channels: int  # 3 (RGB) or 4 (RGBA: the receiver keeps alpha)

    def open(self, size: tuple[int, int], fps: float) -> None: ...
    def send(self, frame: np.ndarray) -> None: ...
    def close(self) -> None: ...


Factory = Callable[[str], Sink]  # the part after "scheme:" -> a sink (not yet open)
_FACTORIES: dict[str, Factory] = {}


def register_sink(scheme: str, factory: Factory) -> None:
    """Add a kind of sink (plugins, tests); a scheme registered again is replaced."""
    _FACTORIES[scheme] = factory


def _builtins() -> None:
    """The built-in sinks, then plugins: packages that declare an entry point in the group
    ``shaderviz.sinks`` (``record = mypackage.sinks:RecordSink``) add a scheme."""
    from importlib.metadata import entry_points

    from shaderviz.outputs.sinks import ndi, spout, syphon, vcam

    for scheme, factory in (("v4l2", vcam.V4l2Sink), ("vcam", vcam.VirtualCameraSink), ("ndi", ndi.NdiSink),
                            ("syphon", syphon.SyphonSink), ("spout", spout.SpoutSink)):
        _FACTORIES.setdefault(scheme, factory)
    for point in entry_points(group="shaderviz.sinks"):
        if point.name not in _FACTORIES:
            try:
                _FACTORIES[point.name] = point.load()
            except Exception as err:  # noqa: BLE001 - a broken plugin is named, not fatal
                raise UserError(f"sink plugin {point.name} ({point.value}) does not load: {err}") from None


def make_sink(spec: str) -> Sink:
    """``scheme:target`` -> its sink; UserError for an unknown scheme."""
    _builtins()
    scheme, sep, target = spec.partition(":")
    if not sep or scheme not in _FACTORIES:
        known = ", ".join(f"{s}:" for s in sorted(_FACTORIES))
        raise UserError(f"--out {spec}: expected one of {known} (e.g. v4l2:/dev/video10, ndi:shaderviz)")
    return _FACTORIES[scheme](target)


def needs(package: str, extra: str, spec: str, why: str = "") -> UserError:
    """The one-line error for a sink whose library is missing."""
    more = f" ({why})" if why else ""
    return UserError(f"--out {spec}: needs the {package} package: pip install 'shaderviz[{extra}]'{more}")
