"""A show: everything needed to render frames — source, chain, size, clock, seed.

Built once from the CLI options and an optional preset; `render` and `play` both use it.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from shaderviz import __version__
from shaderviz.audio.music import Music
from shaderviz.audio.signals import Signals
from shaderviz.depth import DEFAULT_MODEL as DEFAULT_DEPTH_MODEL  # light: torch loads with submodules
from shaderviz.effects.chain import EffectInstance, make_instance, parse_fx
from shaderviz.effects.registry import Registry
from shaderviz.errors import UserError
from shaderviz.presets import Preset, load_preset, parse_background
from shaderviz.render.renderer import Frame
from shaderviz.sources import Source, VideoSource, open_source
from shaderviz.sources.images import load_depth

DEFAULT_SIZE = (1280, 720)
PLAY_LIMIT = (1920, 1080)  # `play` fits bigger sources inside this, unless --size says otherwise


@dataclass
class Show:
    registry: Registry
    source: Source
    chain: list[EffectInstance]
    size: tuple[int, int]
    fps: float = 30.0
    seconds: float = 4.0  # one loop
    seed: int = 0
    fit: str = "fill"
    generator: EffectInstance | None = None
    depth_mode: str = "flat"  # "auto": the depth model on each source image; "file"; "flat"
    depth_path: Path | None = None
    depth_model: str = DEFAULT_DEPTH_MODEL
    preset_name: str | None = None
    start_time: float | None = None  # from a PNG recipe: render starts at that frame's time
    notes: tuple[str, ...] = ()  # from a PNG recipe: what it does not replay
    software_scale: float | None = None  # the preset's [play] render scale without a GPU
    background: tuple[float, float, float] | None = (0.0, 0.0, 0.0)  # None: transparent (keeps alpha)
    play_extra: dict[str, Any] = field(default_factory=dict)  # [play] window state (the sampler's rectangle)
    music: Music | None = None  # tempo and sound: the signals each frame carries (audio, beats)

    @property
    def loop_frames(self) -> int:
        return max(1, round(self.seconds * self.fps))

    def _start_frame(self) -> int | None:
        """The start as a whole frame number (always so for a recipe written by `render`);
        None for a time between frames (a `play` snapshot: wall-clock seconds)."""
        start = self.start_time or 0.0
        number = round(start * self.fps)
        return number if number / self.fps == start else None

    def frame(self, index: int) -> Frame:
        """Fixed-step clock: frame i is at t = start + i / fps. From a whole start frame s
        (0 by default), frame s + i exactly as a render from 0 has it: phase (s + i) /
        loop_frames, wrapped; from any other start time, the phase of `play` at that time."""
        start = self._start_frame()
        if start is None:
            return self.frame_at((self.start_time or 0.0) + index / self.fps, index)
        number = start + index
        return Frame(number, number / self.fps, (number % self.loop_frames) / self.loop_frames, self.seed,
                     self.signals(number / self.fps))

    def loop_number(self, index: int) -> int:
        """Which loop frame ``index`` of a render falls in (a folder source shows one image per loop)."""
        start = self._start_frame()
        if start is None:
            return int(((self.start_time or 0.0) + index / self.fps) // self.seconds)
        return (start + index) // self.loop_frames

    def frame_at(self, seconds: float, index: int) -> Frame:
        """Wall-clock time (for `play`): the phase follows the same loop length."""
        return Frame(index, seconds, (seconds / self.seconds) % 1.0, self.seed, self.signals(seconds))

    def signals(self, seconds: float) -> Signals | None:
        """The tempo and sound at ``seconds`` (None without music: silence, waves per beat hold)."""
        return None if self.music is None else self.music.signals(seconds)

    def depth_file(self) -> np.ndarray | None:
        """The depth image of ``--depth FILE`` at the output size; None in other modes."""
        return None if self.depth_path is None else load_depth(self.depth_path, self.size, self.fit)

    def uses_depth(self) -> bool:
        """Whether any effect in the chain (on or off) reads the depth map."""
        specs = self.registry.effects
        return any(i.uses_depth(specs[i.name]) for i in self.chain if i.name in specs)

    def recipe(self, frame: Frame, source_key: Hashable = None) -> dict[str, Any]:
        """What re-creates this frame: a preset (loadable with --preset) and the time.
        ``source_key`` (play): the image on screen, named exactly (a folder's file, a
        video's frame), since the show's clock may be ahead of the picture."""
        preset: dict[str, Any] = {
            "source": self.source.description,
            "size": f"{self.size[0]}x{self.size[1]}",
            "fps": self.fps,
            "seconds": self.seconds,
            "seed": self.seed,
            "fit": self.fit,
            "chain": [i.recipe(self.registry.effects[i.name]) for i in self.chain
                      if i.name in self.registry.effects],
        }
        if self.generator is not None:
            spec = self.registry.effects[self.generator.name]
            preset["generator"] = {k: v for k, v in self.generator.recipe(spec).items() if k != "effect"}
        if self.depth_path is not None:
            preset["depth"] = str(self.depth_path)
        elif self.generator is None:
            preset["depth"] = self.depth_mode
        if self.depth_mode == "auto" and self.depth_model != DEFAULT_DEPTH_MODEL:
            preset["depth_model"] = self.depth_model
        if source_key is not None:
            preset.update(self.source.recipe(source_key))
        if self.background != (0.0, 0.0, 0.0):
            preset["background"] = "transparent" if self.background is None else \
                "#" + "".join(f"{round(c * 255):02x}" for c in self.background)
        if self.play_extra:
            preset["play"] = {k: dict(v) if isinstance(v, dict) else v for k, v in self.play_extra.items()}
        recipe = {
            "shaderviz": __version__,
            "preset_name": self.preset_name,
            "time": frame.time,
            "phase": frame.phase,
            "frame": frame.index,
            "preset": preset,
        }
        if any(i.enabled and i.name == "pixelsort" and i.values.get("mode") == "flow" for i in self.chain):
            recipe["not_replayed"] = ["the flow sort's state builds up over frames and is not in the recipe: "
                                      "a render of this recipe starts unsorted"]
        return recipe


def build_show(
    registry: Registry,
    input_spec: str | None = None,
    preset_name: str | None = None,
    fx: list[str] | None = None,
    size: tuple[int, int] | None = None,
    fps: float | None = None,
    seconds: float | None = None,
    seed: int | None = None,
    fit: str | None = None,
    depth: str | None = None,
    cycle_seconds: float | None = None,
    depth_model: str | None = None,
    background: str | None = None,
) -> Show:
    """Command-line values override the preset; with neither --preset nor --fx the
    built-in ``default`` preset is used."""
    if preset_name is None and not fx:
        preset_name = "default"
    preset = load_preset(preset_name, registry) if preset_name else Preset(name="")
    chain = list(preset.chain)
    for text in fx or []:
        try:
            chain.append(parse_fx(text, registry))
        except ValueError as err:
            raise UserError(f"--fx {text!r}: {err}") from None
    source = open_source(input_spec or preset.source, registry, cycle_seconds)
    generator = None
    if source.generator is not None:
        params = preset.generator if (input_spec is None or input_spec == preset.source) else {}
        try:
            generator = make_instance(registry.get(source.generator, "source"), {**params, **source.params})
        except ValueError as err:
            raise UserError(f"generator {source.generator}: {err}") from None
    out_size = size or preset.size or source.native_size() or DEFAULT_SIZE
    if max(out_size) > 8192:
        raise UserError(f"{out_size[0]}x{out_size[1]} is larger than 8192 per side; pass --size")
    depth_mode, depth_path = _depth_choice(depth or preset.depth, source)
    seconds = seconds or preset.seconds or 4.0
    seed = seed if seed is not None else (preset.seed or 0)
    if generator is not None:
        source.bind(generator, registry.effects[generator.name], seconds, seed)
    if preset.source_frame is not None and isinstance(source, VideoSource):
        source.start_at(preset.time or 0.0, preset.source_frame)
    try:
        backdrop = parse_background(background or preset.background or "#000000")
    except ValueError as err:
        raise UserError(f"--background: {err}") from None
    return Show(  # --fps and a preset's fps are checked where they are read
        registry=registry,
        source=source,
        chain=chain,
        size=out_size,
        fps=fps or preset.fps or 30.0,
        seconds=seconds,
        seed=seed,
        fit=fit or preset.fit or "fill",
        generator=generator,
        depth_mode=depth_mode,
        depth_path=depth_path,
        depth_model=depth_model or preset.depth_model or DEFAULT_DEPTH_MODEL,
        preset_name=preset_name,
        start_time=preset.time,
        notes=tuple(preset.notes),
        software_scale=preset.software_scale,
        background=backdrop,
        play_extra=dict(preset.play_extra),
    )


def _depth_choice(spec: str | None, source: Source) -> tuple[str, Path | None]:
    """``auto`` (the default) estimates depth from the source images; a generator drawn on
    the GPU has none to give the model, so there the default is flat."""
    if spec in (None, "auto", "flat"):
        if spec == "auto" and source.generator is not None:
            raise UserError(f"--depth auto needs an image, folder or video; {source.generator} is drawn "
                            "on the GPU (pass --depth FILE or flat)")
        return ("flat" if spec == "flat" or source.generator is not None else "auto"), None
    path = Path(spec).expanduser()
    if not path.is_file():
        what = "is a folder; give one depth image" if path.is_dir() else "no such file"
        raise UserError(f"--depth {path}: {what} (or use auto / flat)")
    return "file", path


def fit_for_play(show: Show, limit: tuple[int, int] = PLAY_LIMIT) -> tuple[tuple[int, int], str | None]:
    """`play` without --size: a source bigger than ``limit`` is shown fitted inside it (a 12 MP
    photo at full size plays at a few frames a second), with a note to say so."""
    width, height = show.size
    scale = min(1.0, limit[0] / width, limit[1] / height)
    if scale >= 1.0:
        return show.size, None
    fitted = (max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2))
    return fitted, (f"{width}x{height} source shown at {fitted[0]}x{fitted[1]} "
                    f"(--size {width}x{height} for full size)")
