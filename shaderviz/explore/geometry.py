"""The sampler's rectangle as the keyboard and the mouse move it, in the units of the
``sampler`` effect: centre (x, y) as fractions of the frame from the top-left corner, width
``size`` as a fraction of the frame's width, ``aspect`` relative to the frame's (1: the
frame's own shape), ``rotation`` in degrees counter-clockwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

MIN_SIZE = 1.0 / 1024  # a level zooms at most 1024x
KEYS = ("x", "y", "size", "aspect", "rotation")


@dataclass(frozen=True)
class Rect:
    x: float = 0.5
    y: float = 0.5
    size: float = 0.5
    aspect: float = 1.0
    rotation: float = 0.0

    @property
    def width(self) -> float:
        """Fraction of the frame's width."""
        return self.size

    @property
    def height(self) -> float:
        """Fraction of the frame's height."""
        return self.size / self.aspect

    def values(self) -> dict[str, float]:
        return {k: round(getattr(self, k), 6) for k in KEYS}

    @classmethod
    def from_values(cls, values: dict) -> Rect:
        """From a sampler instance's (or a recipe's) values; missing keys take the defaults."""
        return cls(**{k: float(values[k]) for k in KEYS if k in values}).clamped()

    def corners(self, frame: tuple[int, int]) -> list[tuple[float, float]]:
        """The four corners in frame fractions (top-left origin), turned about the centre."""
        w, h = frame
        a = math.radians(self.rotation)
        half_w, half_h = 0.5 * self.width * w, 0.5 * self.height * h
        points = []
        for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            dx, dy = sx * half_w, sy * half_h
            # counter-clockwise on screen, with y pointing down
            rx, ry = math.cos(a) * dx + math.sin(a) * dy, -math.sin(a) * dx + math.cos(a) * dy
            points.append(((self.x * w + rx) / w, (self.y * h + ry) / h))
        return points

    def moved(self, dx: float, dy: float) -> Rect:
        """Moved by fractions of its own width and height."""
        return replace(self, x=self.x + dx * self.width, y=self.y + dy * self.height)

    def scaled(self, factor: float) -> Rect:
        return replace(self, size=self.size * factor)

    def stretched(self, fx: float, fy: float) -> Rect:
        """Width times ``fx`` and height times ``fy`` (the aspect changes)."""
        return replace(self, size=self.size * fx, aspect=self.aspect * fx / fy)

    def turned(self, degrees: float) -> Rect:
        turned = (self.rotation + degrees + 180.0) % 360.0 - 180.0
        return replace(self, rotation=0.0 if abs(turned) < 1e-9 else turned)

    def clamped(self, frame: tuple[int, int] = (1, 1)) -> Rect:
        """Within the sampler's ranges, and inside the frame where it fits."""
        aspect = min(20.0, max(0.05, self.aspect))
        size = min(1.0, max(MIN_SIZE, self.size), aspect)  # the height stays within the frame too
        rect = replace(self, size=size, aspect=aspect)
        xs, ys = zip(*rect.corners(frame), strict=True)
        half_x, half_y = (max(xs) - min(xs)) / 2, (max(ys) - min(ys)) / 2
        x = 0.5 if half_x >= 0.5 else min(1 - half_x, max(half_x, self.x))
        y = 0.5 if half_y >= 0.5 else min(1 - half_y, max(half_y, self.y))
        return replace(rect, x=x, y=y)


def from_corners(a: tuple[float, float], b: tuple[float, float], frame: tuple[int, int]) -> Rect:
    """The upright rectangle between two points (frame fractions): a mouse drag."""
    (x0, y0), (x1, y1) = a, b
    width = max(abs(x1 - x0), MIN_SIZE)
    height = max(abs(y1 - y0), MIN_SIZE)
    return Rect(x=(x0 + x1) / 2, y=(y0 + y1) / 2, size=width, aspect=width / height)
