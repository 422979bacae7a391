"""Time in `play`: a pausable show clock, and a pacer that caps the frame rate."""

from __future__ import annotations

import time


class Clock:
    """Wall-clock seconds since start that can be paused."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.paused_at: float | None = None

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def seconds(self) -> float:
        now = self.paused_at if self.paused_at is not None else time.perf_counter()
        return now - self.start

    def toggle(self) -> bool:
        """Pause or resume; True when now paused."""
        if self.paused_at is None:
            self.paused_at = time.perf_counter()
            return True
        self.start += time.perf_counter() - self.paused_at
        self.paused_at = None
        return False


class Pacer:
    """At most ``fps`` frames a second (None: as fast as the display takes them).

    Deadlines are absolute (one period after the last), so the average rate is exact and
    a late frame does not make the next one late too; after a long stall the schedule
    starts again rather than rushing to catch up.
    """

    def __init__(self, fps: float | None) -> None:
        self.period = 1.0 / fps if fps else 0.0
        self.deadline: float | None = None

    def set_rate(self, fps: float | None) -> None:
        """Change the cap (a new source brought its own rate); the schedule starts again."""
        period = 1.0 / fps if fps else 0.0
        if period != self.period:
            self.period, self.deadline = period, None

    def early(self) -> bool:
        """Whether ``wait`` would sleep now: the frame is ready before its time."""
        return bool(self.period) and self.deadline is not None and \
            time.perf_counter() < self.deadline + self.period

    def wait(self) -> None:
        if not self.period:
            return
        now = time.perf_counter()
        if self.deadline is None or now > self.deadline + self.period:
            self.deadline = now  # the first frame, or more than a frame behind: no wait
            return
        self.deadline += self.period
        if self.deadline > now:
            time.sleep(self.deadline - now)
