"""Frames off the GPU without stalling it: a ring of pixel buffers and reused arrays.

``push(fbo)`` starts copying the finished frame into the next pixel buffer object (on a
real GPU the copy runs asynchronously) and hands back the frame pushed ``depth`` calls
before, as a numpy array in OpenGL row order (bottom row first). Arrays come from a
small pool: the consumer gives each back with ``recycle`` when done, so a long render
allocates nothing per frame (large fresh allocations cost page faults on every frame).
"""

from __future__ import annotations

import threading
from collections import deque

import moderngl
import numpy as np


class Readback:
    def __init__(self, ctx: moderngl.Context, size: tuple[int, int], channels: int, depth: int = 2) -> None:
        if channels not in (3, 4):
            raise ValueError("channels must be 3 or 4")
        self.size, self.channels = size, channels
        self.shape = (size[1], size[0], channels)
        nbytes = size[0] * size[1] * channels
        self._pbos = [ctx.buffer(reserve=nbytes) for _ in range(max(1, depth))]
        self._pending: deque[moderngl.Buffer] = deque()
        self._free: list[np.ndarray] = []
        self._lock = threading.Lock()
        self._next = 0

    def push(self, fbo: moderngl.Framebuffer) -> np.ndarray | None:
        """Start reading ``fbo``; the oldest frame once the ring is full, else None."""
        done = self._take() if len(self._pending) == len(self._pbos) else None
        pbo = self._pbos[self._next]
        self._next = (self._next + 1) % len(self._pbos)
        fbo.read_into(pbo, components=self.channels, alignment=1)
        self._pending.append(pbo)
        return done

    def drain(self) -> list[np.ndarray]:
        """Every frame still in flight, oldest first."""
        out = []
        while self._pending:
            out.append(self._take())
        return out

    def _take(self) -> np.ndarray:
        pbo = self._pending.popleft()
        with self._lock:
            array = self._free.pop() if self._free else np.empty(self.shape, np.uint8)
        pbo.read_into(array)
        return array

    def recycle(self, array: np.ndarray) -> None:
        """Give an array back for reuse (from any thread)."""
        # A bounded wait: a Ctrl-C in the loop can leave the lock held; then the array is
        # simply not reused.
        if array.shape == self.shape and self._lock.acquire(timeout=1.0):
            try:
                if len(self._free) < 8:
                    self._free.append(array)
            finally:
                self._lock.release()

    def release(self) -> None:
        for pbo in self._pbos:
            pbo.release()
        self._pbos.clear()
        self._pending.clear()
        self._free.clear()
