"""Stand-ins whose answer is known, for tests of depth direction, caches and the chain."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch


class Brightness(torch.nn.Module):
    """A depth model whose answer is known: the brighter, the nearer."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(1, keepdim=True)


def brightness_model(folder: Path) -> Path:
    path = folder / "brightness.ts"
    torch.jit.save(torch.jit.trace(Brightness().eval(), torch.rand(1, 3, 16, 16)), str(path))
    return path


def ramp(h: int = 24, w: int = 64) -> np.ndarray:
    """Grey, dark on the left, bright on the right."""
    return np.repeat(np.linspace(0, 255, w).astype(np.uint8)[None, :, None], h, 0).repeat(3, 2)
