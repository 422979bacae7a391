"""Load a depth model from a name or a path, for the estimator.

``load_model(spec)`` accepts:

- a shipped model's name (``depth-lite1``, ``depth-lite0``): the checkpoint in the package's ``_models``
  folder (wheel installs) or the repository's ``models/`` folder (editable installs);
- a ``.pt`` checkpoint written by ``shaderviz.depth.train`` / ``model.save_checkpoint``
  (read with ``torch.load(..., weights_only=True)``; never unpickles code);
- a TorchScript file (``torch.jit.save``): takes (N,3,H,W) RGB in 0..1, returns nearness
  (N,1,H,W) or (N,H,W), larger = nearer;
- a local Hugging Face folder of a Depth Anything / DPT model (needs ``shaderviz[hf]``):
  loaded with ``local_files_only=True`` and ``HF_HUB_OFFLINE=1``; nothing is downloaded.

Every failure raises :class:`ModelError` (a :class:`UserError`: one line, exit 2).
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import torch

from shaderviz.depth import DEFAULT_MODEL, SHIPPED
from shaderviz.depth.shipped import shipped_path
from shaderviz.errors import UserError
from shaderviz.modelfiles import file_hash, is_torchscript, models_dirs

__all__ = ["DEFAULT_MODEL", "SHIPPED", "LoadedModel", "ModelError", "load_model", "shipped_path"]


class ModelError(UserError):
    """A model name or file that cannot be used."""


@dataclass
class LoadedModel:
    """A callable depth network plus what the estimator needs to feed it."""

    module: torch.nn.Module
    identity: str  # content hash: part of every cache key
    kind: str  # "shaderviz" | "torchscript" | "hf"
    name: str
    default_size: int = 224  # inference size (pixels of the side of an equal-area square)
    multiple: int = 32  # input sides are rounded to this
    mean: tuple[float, float, float] | None = None  # normalisation applied before the module, if any
    std: tuple[float, float, float] | None = None
    square: bool = False  # the network only takes square inputs (plain-ViT DPT)
    flip: bool = False  # the estimator's default for test-time mirroring
    smooth: bool = True  # the estimator's default for its 3x3 smoothing at inference resolution
    metric: bool = False  # the network predicts depth (larger = farther), not nearness

    def to(self, device: torch.device | str) -> LoadedModel:
        self.module.to(device)
        return self

    @torch.inference_mode()
    def predict(self, x: torch.Tensor) -> torch.Tensor:
        """(N,3,H,W) RGB 0..1 -> (N,H,W) float nearness, unnormalised (larger = nearer)."""
        if self.mean is not None:
            mean = torch.tensor(self.mean, device=x.device, dtype=x.dtype).view(1, 3, 1, 1)
            std = torch.tensor(self.std, device=x.device, dtype=x.dtype).view(1, 3, 1, 1)
            x = (x - mean) / std
        if self.kind == "hf":
            y = self.module(pixel_values=x).predicted_depth
        else:
            y = self.module(x)
        if isinstance(y, (tuple, list)):
            y = y[0]
        if y.dim() == 4:
            y = y[:, 0]
        if self.metric:  # metres -> inverse depth, the nearness a relative model gives
            y = 1.0 / y.float().clamp_min(1e-6)
        return y.float()


def load_model(spec: str | os.PathLike, device: str | torch.device = "cpu") -> LoadedModel:
    """A name of a shipped model, a checkpoint / TorchScript file, or a local HF folder."""
    text = str(spec)
    path = shipped_path(text)
    if path is None and text in SHIPPED:
        raise ModelError(
            f"the shipped depth model {text!r} is missing (looked in "
            + ", ".join(str(d) for d in models_dirs())
            + ")"
        )
    name = text if path is not None else Path(text).name
    path = path or Path(text).expanduser()
    if not path.exists():
        known = ", ".join(SHIPPED)
        raise ModelError(f"depth model {text!r} not found: not a file, folder, or shipped model ({known})")
    if path.is_dir():
        return _load_hf(path, device).to(device)
    if is_torchscript(path):
        try:
            module = torch.jit.load(str(path), map_location=device)
        except Exception as err:  # noqa: BLE001 - any failure is a bad model file
            raise ModelError(f"cannot load TorchScript model {path}: {_short(err)}") from None
        module.eval()
        return LoadedModel(module, "ts-" + file_hash(path), "torchscript", name)
    from shaderviz.depth.model import load_checkpoint

    if not zipfile.is_zipfile(path):
        raise ModelError(f"cannot load depth model {path}: not a PyTorch checkpoint (corrupt or truncated?)")
    try:
        module, payload = load_checkpoint(path, map_location="cpu")
    except Exception as err:  # noqa: BLE001 - corrupt, truncated, foreign pickle, wrong shapes
        text = str(err)
        if "Weights only load failed" in text:
            text = "it holds pickled objects, not only tensors (refused; save a state dict)"
        raise ModelError(f"cannot load depth model {path}: {_short(text)}") from None
    size = int(payload.get("inference_size", 224))
    flip = bool(payload.get("flip_tta", False))
    smooth = bool(payload.get("smooth", True))
    loaded = LoadedModel(
        module, "sv-" + file_hash(path), "shaderviz", name, default_size=size, flip=flip, smooth=smooth
    )
    return loaded.to(device)


def _short(err: BaseException | str) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) < 160 else text[:157] + "..."


def predicts_metric_depth(config: dict) -> bool:
    """Whether a Hugging Face depth model predicts depth in metres (larger = farther):
    Depth Anything's metric variants, ZoeDepth, GLPN. DPT and relative Depth Anything
    predict relative inverse depth (larger = nearer)."""
    return config.get("depth_estimation_type") == "metric" or config.get("model_type") in ("zoedepth", "glpn")


def _load_hf(folder: Path, device: str | torch.device) -> LoadedModel:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    config_file = folder / "config.json"
    if not config_file.is_file():
        raise ModelError(f"{folder} is not a model folder (no config.json)")
    try:
        from transformers import AutoModelForDepthEstimation
    except ImportError:
        raise ModelError(
            "loading a Hugging Face depth model needs the hf extra: pip install 'shaderviz[hf]'"
        ) from None
    try:
        module = AutoModelForDepthEstimation.from_pretrained(str(folder), local_files_only=True)
    except Exception as err:  # noqa: BLE001
        raise ModelError(f"cannot load Hugging Face depth model {folder}: {_short(err)}") from None
    module.eval()
    cfg = json.loads(config_file.read_text(encoding="utf-8"))
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    size = 518 if "depth_anything" in cfg.get("model_type", "") else 384
    pre = folder / "preprocessor_config.json"
    if pre.is_file():
        p = json.loads(pre.read_text(encoding="utf-8"))
        mean = tuple(p.get("image_mean", mean))
        std = tuple(p.get("image_std", std))
        s = p.get("size", {})
        if isinstance(s, dict) and s.get("height"):
            size = int(s["height"])
    multiple = 14 if "depth_anything" in cfg.get("model_type", "") else 32
    backbone = cfg.get("backbone_config") or {}
    multiple = int(backbone.get("patch_size", cfg.get("patch_size", multiple)))
    weights = sorted(p for p in folder.iterdir() if p.suffix in (".safetensors", ".bin"))
    h = hashlib.sha256(config_file.read_bytes())
    for w in weights:
        h.update(file_hash(w).encode())
    # plain-ViT DPT reshapes its tokens into a square grid; DPT with a backbone and Depth Anything do not
    square = cfg.get("model_type") == "dpt" and not cfg.get("backbone_config") and not cfg.get("is_hybrid")
    return LoadedModel(
        module,
        "hf-" + h.hexdigest()[:16],
        "hf",
        folder.name,
        default_size=size,
        multiple=multiple,
        mean=mean,
        std=std,
        square=square,
        metric=predicts_metric_depth(cfg),
    )
