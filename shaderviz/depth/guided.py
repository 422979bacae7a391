"""Guided upsampling of a depth map on the CPU: the estimator's counterpart of the GPU
refinement in ``shaderviz/render/depthprep.py``.

The model sees an image at about 192² pixels, so its map, upsampled to the image's size,
has soft edges several pixels wide. The **fast guided filter** (He & Sun, 2015) moves
them onto the image's edges: at a reduced size (blocks of ``factor`` × ``factor``
pixels, about two model pixels each), in every window of ``2 radius + 1`` blocks, depth
is fitted as a linear function of colour by ridge regression (``eps``), the coefficients
are averaged over the windows, upsampled bilinearly and applied to the full-size image.
Inside a window of one colour the map stays as it was; where a window straddles an
object's outline the depth step snaps to the colour step.

The constants and the arithmetic are the renderer's (same block grid, same edge rules,
same clamp to 0..1), so ``shaderviz depth`` writes the map that ``render`` / ``play``
show; there the GPU does it, so the app asks the estimator for unrefined maps.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

MODEL_SIDE = 192  # the side the blocks are sized against: two model pixels a block
RADIUS = 4  # window radius, in blocks (render/depthprep.py GUIDE_RADIUS)
EPS = 1e-3  # ridge regularisation, in colour variance (render/depthprep.py EPS)


def guide_factor(h: int, w: int, model_side: int = MODEL_SIDE) -> int:
    """Pixels per block side: about two model pixels (the model saw about ``model_side``² pixels)."""
    return max(1, round(2 * math.sqrt(h * w) / model_side))


def _box(x: torch.Tensor, radius: int) -> torch.Tensor:
    """Mean over a (2 radius + 1)² window, edge values repeated past the border."""
    if radius <= 0:
        return x
    k = 2 * radius + 1
    x = F.avg_pool2d(F.pad(x, (radius, radius, 0, 0), mode="replicate"), (1, k), stride=1)
    return F.avg_pool2d(F.pad(x, (0, 0, radius, radius), mode="replicate"), (k, 1), stride=1)


def _block_mean(x: torch.Tensor, factor: int) -> torch.Tensor:
    """Means over factor × factor blocks from the top-left; partial blocks repeat their last row/column."""
    h, w = x.shape[-2:]
    ph, pw = -h % factor, -w % factor
    if ph or pw:
        x = F.pad(x, (0, pw, 0, ph), mode="replicate")
    return F.avg_pool2d(x, factor) if factor > 1 else x


def _upsample(x: torch.Tensor, factor: int, size: tuple[int, int]) -> torch.Tensor:
    """Bilinear from the block grid (block i covers pixels [i factor, (i + 1) factor)) to full size,
    clamped at the borders like GL_LINEAR with CLAMP_TO_EDGE."""
    if factor == 1:
        return x[..., : size[0], : size[1]]
    up = F.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False)
    return up[..., : size[0], : size[1]]


def guided_filter(
    guide: torch.Tensor,
    depth: torch.Tensor,
    factor: int | None = None,
    radius: int = RADIUS,
    eps: float = EPS,
) -> torch.Tensor:
    """``depth`` (H, W), nearness 0..1, refined against ``guide`` (H, W, 3), RGB 0..1: (H, W), 0..1."""
    h, w = depth.shape
    if guide.shape[:2] != (h, w) or guide.dim() != 3 or guide.shape[2] != 3:
        raise ValueError(f"guide must be {h}x{w}x3, got {tuple(guide.shape)}")
    factor = factor or guide_factor(h, w)
    img = guide.permute(2, 0, 1).to(torch.float32)  # 3,H,W (float32, like the GPU)
    p = depth.to(torch.float32)[None]
    r, g, b = img
    stats = torch.cat([img, p, torch.stack([r * r, r * g, r * b, g * g, g * b, b * b]), img * p])[None]
    low = _box(_block_mean(stats, factor), radius)[0]  # 13, h', w'
    mean_i, mean_p = low[:3], low[3]
    rr, rg, rb, gg, gb, bb = (low[4 + k] for k in range(6))
    mr, mg, mb = mean_i
    cov = torch.stack(
        [
            torch.stack([rr - mr * mr + eps, rg - mr * mg, rb - mr * mb], -1),
            torch.stack([rg - mr * mg, gg - mg * mg + eps, gb - mg * mb], -1),
            torch.stack([rb - mr * mb, gb - mg * mb, bb - mb * mb + eps], -1),
        ],
        -2,
    )  # h', w', 3, 3
    cov_ip = (low[10:13] - mean_i * mean_p).permute(1, 2, 0)  # h', w', 3
    a = torch.linalg.solve(cov, cov_ip[..., None])[..., 0].permute(2, 0, 1)  # 3, h', w'
    bias = mean_p - (a * mean_i).sum(0)
    coeffs = _box(torch.cat([a, bias[None]])[None], radius)
    up = _upsample(coeffs, factor, (h, w))[0]
    out = torch.addcmul(up[3], up[0], img[0]).addcmul_(up[1], img[1]).addcmul_(up[2], img[2])
    return out.clamp(0, 1).to(depth.dtype)
