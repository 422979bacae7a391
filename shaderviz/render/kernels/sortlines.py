"""Digital lines for pixel sort at any angle: an integer shear of the image.

The sort direction (the axis direction turned counter-clockwise on screen by ``angle``
degrees) splits into a *major* direction — right, up, left or down — and a residual
tilt ``b`` in (-45°, 45°]. Position ``u`` counts pixels along the major direction from
the start of a line; the minor coordinate ``v`` is the image row (horizontal major) or
column (vertical major), 0 at the top / left. Pixel (u, v) lies on line

    L = v - shift(u) - offset,   shift(u) = s * floor(|tan b| * u + 1/2)

where the sign ``s`` makes a positive tilt turn counter-clockwise on screen and
offset = -max(shift) numbers the lines from 0. ``shift`` is monotone and starts at 0,
so each line's image pixels are contiguous; the positions of a line that fall outside
the image are *holes*: out of band, they split intervals and never move. Every image
pixel lies on exactly one line, so sorting the lines is a permutation of the image
(integer texel fetches only: nothing is resampled).

At a tilt of 0 the lines are the rows / columns of the plain sort with the same line
numbers and positions (angle 0 itself keeps the plain code path). The numpy reference
(tests/sort_reference.py) implements the same definition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

RIGHT, UP, LEFT, DOWN = range(4)


@dataclass(frozen=True)
class SortLines:
    major: int  # RIGHT, UP, LEFT or DOWN: where positions grow
    length: int  # positions per line: the image extent along the major direction
    width: int  # the image extent across it
    shifts: tuple[int, ...]  # shift(u) for u in 0 .. length - 1

    @property
    def offset(self) -> int:
        """v = line + offset + shift(u)."""
        return -max(0, self.shifts[-1])

    @property
    def lines(self) -> int:
        return self.width + abs(self.shifts[-1])

    @property
    def vertical(self) -> int:
        """1 if lines run along columns (positions count rows), else 0."""
        return self.major & 1


def normalise_angle(angle: float) -> float:
    """The same direction in [-180, 180]."""
    return math.remainder(angle, 360.0)


def sort_lines(size: tuple[int, int], axis: int, angle: float) -> SortLines | None:
    """The digital lines of a sort along ``axis`` (0: rows, 1: columns) turned by
    ``angle`` degrees counter-clockwise; None for angle 0 (the plain rows / columns)."""
    a = normalise_angle(angle)
    if a == 0:
        return None
    theta = a - 90.0 * axis  # screen direction, counter-clockwise from "right"
    quarter = math.ceil((theta - 45.0) / 90.0)
    tilt = theta - 90.0 * quarter  # (-45, 45]
    major = quarter % 4
    width, height = size
    length, across = (width, height) if major in (RIGHT, LEFT) else (height, width)
    slope = abs(math.tan(math.radians(tilt)))
    sign = (-1 if major in (RIGHT, UP) else 1) * (1 if tilt >= 0 else -1)
    shifts = tuple(sign * math.floor(slope * u + 0.5) for u in range(length))
    return SortLines(major, length, across, shifts)
