"""Presets: TOML files that name a source, output settings and an effects chain.

::

    source = "clouds"          # image, folder or video (relative to this file), or a generator
    size = "1280x720"
    fps = 30
    seconds = 4                # one loop
    seed = 7
    fit = "fill"               # fill | fit | stretch
    depth = "auto"             # auto (the depth model), flat, or a depth image (white = near)
    depth_model = "depth-lite1"  # the model for depth = "auto": a shipped name or a file

    [generator]                # parameters of a generator source
    scale = 2.5

    [[chain]]                  # effects, in order
    effect = "rgb_split"
    amount = "sine(0.004, 0.02)"

Errors name the file, the line and the key. A PNG saved by `play` (``S``) or written by
`render` carries its recipe and loads as a preset too, with the time of that frame.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shaderviz.effects.chain import EffectInstance, make_instance
from shaderviz.effects.params import parse_color
from shaderviz.effects.registry import Registry
from shaderviz.errors import UserError
from shaderviz.sources import DEFAULT_GENERATOR, PREFIXES, generator_spec
from shaderviz.sources.images import FITS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"
RECIPE_KEY = "shaderviz:recipe"
TOP_KEYS = {"description", "source", "source_frame", "size", "fps", "seconds", "seed", "fit", "depth",
            "depth_model", "generator", "chain", "play", "background"}
PLAY_KEYS = {"software_scale", "sampler"}
SAMPLER_KEYS = ("x", "y", "size", "aspect", "rotation")  # [play] sampler: the rectangle of play's sampler
DEPTH_MODES = ("auto", "flat")
MAX_SIZE = 8192


@dataclass
class Preset:
    name: str
    path: Path | None = None
    source: str | None = None
    size: tuple[int, int] | None = None
    fps: float | None = None
    seconds: float | None = None
    seed: int | None = None
    fit: str | None = None
    depth: str | None = None  # "auto", "flat" or a file
    depth_model: str | None = None
    background: str | None = None  # "transparent" or "#rrggbb"
    generator: dict[str, Any] = field(default_factory=dict)
    chain: list[EffectInstance] = field(default_factory=list)
    time: float | None = None  # a PNG recipe's time: the moment of that frame (render starts there)
    source_frame: int | None = None  # a video source: the frame shown at ``time`` (a play snapshot)
    description: str = ""
    notes: list[str] = field(default_factory=list)  # a recipe's warnings (what it does not replay)
    software_scale: float | None = None  # [play]: the render scale in a window without a GPU
    play_extra: dict[str, Any] = field(default_factory=dict)  # [play] state of the window: sampler


def builtin_presets() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def preset_description(name: str) -> str:
    """A built-in preset's ``description`` (without parsing its chain)."""
    try:
        data = tomllib.loads((BUILTIN_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return ""
    return str(data.get("description", ""))


def load_preset(name_or_path: str, registry: Registry) -> Preset:
    """A built-in preset by name, a TOML file, or a PNG snapshot with a recipe."""
    path = Path(name_or_path).expanduser()
    if not path.exists() and (BUILTIN_DIR / f"{name_or_path}.toml").is_file():
        path = BUILTIN_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        names = ", ".join(builtin_presets())
        raise UserError(f"preset {name_or_path!r}: no such file or built-in preset ({names})")
    if path.suffix.lower() == ".png":
        return _from_png(path, registry)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        # tomllib says "Invalid value (at line 2, column 12)": report it as file:line like the rest.
        where = re.search(r"\s*\(at line (\d+), column (\d+)\)$", str(err))
        if where is None:
            raise UserError(f"{path}: {err}") from None
        message = str(err)[: where.start()]
        raise UserError(f"{path}:{where.group(1)}: {message} (column {where.group(2)})") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: cannot read preset ({err})") from None
    return parse_preset(data, registry, path, text)


def _from_png(path: Path, registry: Registry) -> Preset:
    from PIL import Image

    try:
        with Image.open(path) as img:
            raw = img.info.get(RECIPE_KEY)
    except OSError as err:
        raise UserError(f"{path}: cannot read ({err})") from None
    if raw is None:
        raise UserError(f"{path}: this PNG carries no shaderviz recipe")
    try:
        recipe = json.loads(raw)
        data, time = recipe["preset"], recipe.get("time", 0.0)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise UserError(f"{path}: the shaderviz recipe is damaged") from None
    is_number = isinstance(time, (int, float)) and not isinstance(time, bool)
    if not is_number or not math.isfinite(time) or time < 0:
        raise UserError(f"{path}: the shaderviz recipe is damaged (time {time!r})")
    preset = parse_preset(data, registry, path, "")
    preset.time = float(time)
    notes = recipe.get("not_replayed") if isinstance(recipe, dict) else None
    preset.notes = [str(n) for n in notes] if isinstance(notes, list) else []
    return preset


class _Locator:
    """Finds the line of a key in the TOML text, for error messages."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.lines = path, text.splitlines()

    def error(self, message: str, key: str | None = None, chain_index: int | None = None) -> UserError:
        line = self._line(key, chain_index)
        where = f"{self.path}:{line}" if line else str(self.path)
        return UserError(f"{where}: {message}")

    def _line(self, key: str | None, chain_index: int | None) -> int | None:
        start, end = 0, len(self.lines)
        if chain_index is not None:
            headers = [i for i, ln in enumerate(self.lines) if re.match(r"\s*\[\[\s*chain\s*\]\]", ln)]
            if chain_index >= len(headers):
                return None
            start = headers[chain_index]
            end = next((i for i in range(start + 1, end) if self.lines[i].lstrip().startswith("[")), end)
            if key is None:
                return start + 1
        pattern = re.compile(rf"^\s*\"?{re.escape(key or '')}\"?\s*=")
        for i in range(start, end):
            if key and pattern.match(self.lines[i]):
                return i + 1
        return None


def parse_preset(data: dict[str, Any], registry: Registry, path: Path, text: str = "") -> Preset:
    where = _Locator(path, text)
    preset = Preset(name=path.stem, path=path)
    for key in data:
        if key not in TOP_KEYS:
            raise where.error(f"unknown key {key!r}; expected {', '.join(sorted(TOP_KEYS))}", key)
    if "description" in data:
        if not isinstance(data["description"], str):
            raise where.error("description: expected a string", "description")
        preset.description = data["description"]
    if "source" in data:
        preset.source = _source(data["source"], path, registry, where)
    if "source_frame" in data:
        value = data["source_frame"]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise where.error("source_frame: expected a video frame number (0 or more)", "source_frame")
        preset.source_frame = value
    if "depth" in data:
        value = data["depth"]
        preset.depth = value if value in DEPTH_MODES else str(_relative_file(value, path, where, "depth"))
    if "depth_model" in data:
        value = data["depth_model"]
        if not isinstance(value, str) or not value:
            raise where.error("depth_model: expected a model name or path", "depth_model")
        candidate = (path.parent / Path(value).expanduser()).resolve()
        preset.depth_model = str(candidate) if candidate.exists() else value
    if "size" in data:
        try:
            preset.size = parse_size(data["size"])
        except ValueError as err:
            raise where.error(f"size: {err}", "size") from None
    numbers = (("fps", float, 1, 240), ("seconds", float, 0.05, 3600), ("seed", int, 0, 2**31 - 1))
    for key, kind, lo, hi in numbers:
        if key in data:
            value = data[key]
            is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not is_number or (kind is int and value != int(value)):
                raise where.error(f"{key}: expected a {'whole ' if kind is int else ''}number", key)
            if not lo <= value <= hi:
                raise where.error(f"{key}={value} is out of range {lo}..{hi}", key)
            setattr(preset, key, kind(value))
    if "background" in data:
        try:
            parse_background(data["background"])
        except ValueError as err:
            raise where.error(f"background: {err}", "background") from None
        preset.background = data["background"]
    if "fit" in data:
        if data["fit"] not in FITS:
            raise where.error(f"fit: expected one of {', '.join(FITS)}", "fit")
        preset.fit = data["fit"]
    if "play" in data:
        preset.software_scale = _play_table(data["play"], where)
        if "sampler" in data["play"]:
            preset.play_extra["sampler"] = _sampler_table(data["play"]["sampler"], where)
    if "generator" in data:
        if not isinstance(data["generator"], dict):
            raise where.error("generator must be a table of parameters", "generator")
        preset.generator = dict(data["generator"])
    chain = data.get("chain", [])
    if not isinstance(chain, list) or not all(isinstance(e, dict) for e in chain):
        raise where.error("chain must be a list of [[chain]] tables", "chain")
    for index, entry in enumerate(chain):
        preset.chain.append(_chain_entry(entry, index, registry, where))
    if preset.generator:
        name = preset.source if preset.source in registry.effects else DEFAULT_GENERATOR
        if preset.source and preset.source.startswith(PREFIXES):
            name = preset.source.partition(":")[0]
        for key, value in preset.generator.items():
            try:
                make_instance(registry.get(name, "source"), {key: value})
            except (ValueError, UserError) as err:
                raise where.error(f"[generator] {err}", key) from None
    return preset


def _play_table(table: Any, where: _Locator) -> float | None:
    """``[play]``: settings for the live window only (``render`` ignores them)."""
    if not isinstance(table, dict):
        raise where.error("play must be a table: [play]", "play")
    for key in table:
        if key not in PLAY_KEYS:
            raise where.error(f"[play] unknown key {key!r}; expected {', '.join(sorted(PLAY_KEYS))}", key)
    scale = table.get("software_scale")
    if scale is None:
        return None
    if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not 0.1 <= scale <= 1:
        raise where.error("[play] software_scale: expected a number 0.1..1", "software_scale")
    return float(scale)


def _sampler_table(table: Any, where: _Locator) -> dict[str, float]:
    """``[play] sampler = {x = 0.5, y = 0.5, size = 0.25, aspect = 1, rotation = 0}``."""
    if not isinstance(table, dict) or set(table) - set(SAMPLER_KEYS):
        raise where.error(f"[play] sampler: expected a table of {', '.join(SAMPLER_KEYS)}", "sampler")
    for key, value in table.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise where.error(f"[play] sampler {key}: expected a number", "sampler")
    return {k: float(v) for k, v in table.items()}


def _chain_entry(entry: dict[str, Any], index: int, registry: Registry, where: _Locator) -> EffectInstance:
    name = entry.get("effect")
    if not isinstance(name, str):
        raise where.error("each [[chain]] entry needs effect = \"NAME\"", None, index)
    try:
        spec = registry.get(name)
    except UserError as err:
        raise where.error(str(err), "effect", index) from None
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise where.error("enabled: expected true or false", "enabled", index)
    raw = {k: v for k, v in entry.items() if k not in ("effect", "enabled")}
    for key, value in raw.items():
        try:
            make_instance(spec, {key: value})
        except ValueError as err:
            raise where.error(str(err), key, index) from None
    return make_instance(spec, raw, enabled)


def _source(value: Any, path: Path, registry: Registry, where: _Locator) -> str:
    if not isinstance(value, str) or not value:
        raise where.error("source: expected a path or a generator name", "source")
    if value.startswith(PREFIXES) and not (path.parent / value).exists():
        try:
            effect, _, models = generator_spec(value, base=path.parent)  # paths: relative to the preset
        except ValueError as err:
            raise where.error(f"source: {err}", "source") from None
        return f"gan:{','.join(models)}" if effect == "gan" else value
    spec = registry.effects.get(value)
    if spec is not None and spec.kind == "source" and not (path.parent / value).exists():
        return value
    return str(_relative_file(value, path, where, "source", allow_dir=True))


def _relative_file(value: Any, path: Path, where: _Locator, key: str, allow_dir: bool = False) -> Path:
    """Resolve a path from a preset against the preset's folder and check it exists."""
    if not isinstance(value, str) or not value:
        raise where.error(f"{key}: expected a path", key)
    resolved = (path.parent / Path(value).expanduser()).resolve()
    if not resolved.exists():
        raise where.error(f"{key}: {resolved} does not exist", key)
    if not (resolved.is_file() or (allow_dir and resolved.is_dir())):
        raise where.error(f"{key}: {resolved} is not a file", key)
    return resolved


def parse_background(value: Any) -> tuple[float, float, float] | None:
    """``"transparent"`` -> None (the output keeps alpha); ``"#rrggbb"`` -> (r, g, b) in 0..1."""
    if isinstance(value, str) and value.strip().lower() == "transparent":
        return None
    try:
        return parse_color(value, "background")
    except ValueError:
        raise ValueError(f"expected transparent or a colour like #101010, got {value!r}") from None


def parse_size(value: Any) -> tuple[int, int]:
    """``"1280x720"`` or ``[1280, 720]`` -> (1280, 720); ValueError if absurd."""
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", value)
        if not match:
            raise ValueError(f"expected WIDTHxHEIGHT, got {value!r}")
        width, height = int(match.group(1)), int(match.group(2))
    elif isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        width, height = value
    else:
        raise ValueError(f"expected WIDTHxHEIGHT, got {value!r}")
    if not (1 <= width <= MAX_SIZE and 1 <= height <= MAX_SIZE):
        raise ValueError(f"{width}x{height} is out of range 1..{MAX_SIZE} per side")
    return width, height
