"""Pan and zoom of the window's view, and split view: what the window shows of the frame,
never what is rendered, snapshot or recorded.

The frame is shown letterboxed in the window (the *box*); the view shows the part of the
frame around ``(cx, cy)`` (frame fractions, top-left origin) ``zoom`` times larger. Split
view shows the source next to the processed frame: ``wipe`` puts a line across one picture
(before on its left, after on its right; the mouse drags it), ``side`` shows the two side
by side. Everything here is arithmetic on window pixels (top-left origin) and frame
fractions; :mod:`shaderviz.explore.viewer` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

from shaderviz.render.present import letterbox

MAX_ZOOM = 256.0
SPLITS = ("off", "wipe", "side")
Box = tuple[float, float, float, float]  # x, y (top-left), width, height in window pixels


@dataclass
class View:
    zoom: float = 1.0  # 1: the whole frame in the box
    cx: float = 0.5
    cy: float = 0.5
    split: str = "off"
    wipe: float = 0.5  # the splitter line, a fraction of the box's width

    @property
    def identity(self) -> bool:
        return self.zoom == 1.0 and self.split == "off"

    def region(self) -> tuple[float, float, float, float]:
        """The part of the frame in view: (u0, v0, u1, v1), frame fractions, top-left origin."""
        half = 0.5 / self.zoom
        return self.cx - half, self.cy - half, self.cx + half, self.cy + half

    def boxes(self, frame: tuple[int, int], window: tuple[int, int]) -> list[Box]:
        """Where the frame is drawn (top-left origin): one box, or two for ``side`` (before, after)."""
        if self.split != "side":
            x, y, w, h = letterbox(frame, window)
            return [(x, window[1] - y - h, w, h)]
        half = (max(1, window[0] // 2), window[1])
        x, y, w, h = letterbox(frame, half)
        top = window[1] - y - h
        return [(x, top, w, h), (half[0] + x, top, w, h)]

    def to_frame(self, point: tuple[float, float], box: Box) -> tuple[float, float]:
        """A window pixel -> frame fractions, through the view."""
        u0, v0, u1, v1 = self.region()
        x, y, w, h = box
        return u0 + (point[0] - x) / w * (u1 - u0), v0 + (point[1] - y) / h * (v1 - v0)

    def to_window(self, point: tuple[float, float], box: Box) -> tuple[float, float]:
        u0, v0, u1, v1 = self.region()
        x, y, w, h = box
        return x + (point[0] - u0) / (u1 - u0) * w, y + (point[1] - v0) / (v1 - v0) * h

    def box_at(self, point: tuple[float, float], boxes: list[Box]) -> Box:
        """The box the pointer is over (the nearest one)."""
        return min(boxes, key=lambda b: max(0.0, b[0] - point[0], point[0] - b[0] - b[2]))

    # -- changes ------------------------------------------------------------------------------

    def zoom_by(self, factor: float, anchor: tuple[float, float] | None = None) -> None:
        """Zoom keeping ``anchor`` (frame fractions; default the centre) where it is on screen."""
        zoom = min(MAX_ZOOM, max(1.0, self.zoom * factor))
        ax, ay = anchor if anchor is not None else (self.cx, self.cy)
        scale = self.zoom / zoom
        self.cx, self.cy = ax + (self.cx - ax) * scale, ay + (self.cy - ay) * scale
        self.zoom = zoom
        self._clamp()

    def zoom_to(self, zoom: float) -> None:
        self.zoom_by(zoom / self.zoom)

    def pan(self, dx: float, dy: float) -> None:
        """Move the view by fractions of what is in view (positive: content moves left / up)."""
        self.cx += dx / self.zoom
        self.cy += dy / self.zoom
        self._clamp()

    def drag(self, dx: float, dy: float, box: Box) -> None:
        """The pointer moved (dx, dy) window pixels while dragging the picture."""
        self.pan(-dx / box[2], -dy / box[3])

    def reset(self) -> None:
        self.zoom, self.cx, self.cy = 1.0, 0.5, 0.5

    def next_split(self) -> str:
        self.split = SPLITS[(SPLITS.index(self.split) + 1) % len(SPLITS)]
        return self.split

    def _clamp(self) -> None:
        half = 0.5 / self.zoom
        self.cx = min(1 - half, max(half, self.cx))
        self.cy = min(1 - half, max(half, self.cy))

    def describe(self) -> str:
        parts = []
        if self.zoom != 1.0:
            parts.append(f"view x{self.zoom:.3g} (0 resets)")
        if self.split != "off":
            parts.append("split: before | after" if self.split == "wipe" else "split: side by side")
        return ", ".join(parts)
