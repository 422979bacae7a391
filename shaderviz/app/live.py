"""The live show: each frame of `play`, without the window.

:class:`LiveShow` puts the small modules together — the source feed, the depth model,
hot reload, the keyboard's sort and chain edits, transitions, preset switching, snapshots —
and renders one frame per :meth:`step` at the render size (``--scale``, ``--render-size``).
It binds the commands it owns; it knows nothing about pyglet, so it runs headless too.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import moderngl
import numpy as np

from shaderviz.app import generatorcontrol
from shaderviz.app.camerasteer import CameraSteer
from shaderviz.app.chainedit import ChainEditor
from shaderviz.app.clock import Clock
from shaderviz.app.depthview import DepthView
from shaderviz.app.hotreload import HotReload
from shaderviz.app.livedepth import DepthWorker, LiveDepth
from shaderviz.app.paramcontrol import ParamControl
from shaderviz.app.presetswitch import PresetSwitcher
from shaderviz.app.show import Show
from shaderviz.app.sortcontrol import SortControl
from shaderviz.app.sourcefeed import Loaded, SourceFeed
from shaderviz.app.stats import FrameStats
from shaderviz.app.transitions import Crossfade
from shaderviz.control.commands import Commands
from shaderviz.explore.before import BeforeImage
from shaderviz.explore.livedream import LiveDream
from shaderviz.explore.native import NativeFeed
from shaderviz.explore.sampler import SamplerControl
from shaderviz.outputs.snapshot import SnapshotSaver
from shaderviz.render.renderer import Frame, Renderer, Target
from shaderviz.sources import VideoSource

HOLD_SECONDS = 1.0  # a new still waits this long at most for its depth map
SOFTWARE_VIDEO_DEPTH_EVERY = 3  # with software GL, a video's depth: every third frame


@dataclass
class LiveOptions:
    render_size: tuple[int, int] | None = None  # --render-size
    scale: float | None = None  # --scale
    software: bool = False  # the GL context draws on the CPU: presets may ask for a smaller render
    transition: float = 0.6  # crossfade seconds (0: cut)
    snapshots: Path = Path(".")
    bank: list[str] = field(default_factory=list)
    rebuild: Callable[[str], Show] | None = None  # a show for a preset of the bank (worker thread)
    depth_worker: DepthWorker | None = None  # the model process, started before the window (livedepth)


class LiveShow:
    def __init__(self, ctx: moderngl.Context, show: Show, options: LiveOptions, commands: Commands,
                 stats: FrameStats, notify: Callable[[str], None]) -> None:
        self.show, self.options, self.stats, self.notify = show, options, stats, notify
        self.size = self._render_size(show)
        self.clock = Clock()
        self.index = 0
        self.output: Target | None = None  # what the last frame showed
        self.frame: Frame | None = None
        self.shown: Hashable = object()  # the source key on the GPU
        self._waiting: tuple[Hashable, float] | None = None  # a still held for its depth map
        self._last = time.perf_counter()
        self._owned: list[Any] = []
        self.events: list[Callable[[str, Any], None]] = []  # told (kind, what) of changes workers bring:
        # "source" (the key of a new picture uploaded), "preset" (a preset adopted), "depth" (a map)
        try:
            pixel_scale = self.size[0] / show.size[0]
            self.renderer = self._own(Renderer(ctx, self.size, show.registry, pixel_scale=pixel_scale))
            self.depth = self._own(LiveDepth(show, self.size, stats, _video_frames(show),
                                              options.depth_worker))
            self._depth_detail()
            self.feed = self._own(SourceFeed(show.source, self.size, show.fit, on_loaded=self.depth.offer))
            self.fade = self._own(Crossfade(ctx, self.size, options.transition))
            self.fade.seconds = self._fade_seconds()
            self.presets = self._own(PresetSwitcher(options.bank, options.rebuild, notify))
            self.snapshots = self._own(SnapshotSaver(options.snapshots, notify))
            self.sort = SortControl(carry=isinstance(show.source, VideoSource))
            self.editor = ChainEditor(show, notify)
            self.params = ParamControl(show, lambda: self.editor.selected, notify)
            self.steer, self.depth_view = CameraSteer(), DepthView()  # the pointer; D
            self.sampler = SamplerControl(show, notify)
            self.native = self._own(NativeFeed(show.source, show.fit))
            self.before = self._own(BeforeImage(ctx))  # split view's before, while the window asks
            self.before_target: Target | None = None
            self.dream = self._own(LiveDream(self, notify, stats))  # E: dreams in a process of its own
            self._show_first()
            self.depth.start(self.renderer)
            self.feed.start()
            self.reload = self._own(HotReload(show.registry, self.renderer))
            self.reload.start()
        except BaseException:
            self.release()
            raise
        self._bind(commands)

    def _render_size(self, show: Show) -> tuple[int, int]:
        """--render-size, else --scale, else (no GPU) the preset's [play] software_scale, else 1."""
        options = self.options
        if options.render_size is not None:
            return options.render_size
        scale = options.scale
        if scale is None and options.software and show.software_scale:
            scale = show.software_scale
        size = (max(1, round(show.size[0] * (scale or 1.0))), max(1, round(show.size[1] * (scale or 1.0))))
        if scale is not None and scale != 1.0 and options.scale is None:
            self.notify(f"no GPU: {show.preset_name or 'this show'} renders at {size[0]}x{size[1]}, shown at "
                        f"{show.size[0]}x{show.size[1]} (--scale 1 for full size)")
        return size

    def _depth_detail(self) -> None:
        """A moving source (video, capture): each new frame re-applies the last depth fit to
        its edges (``DepthPrep.follow``); the whole fit is made when a map arrives. With
        software GL the map is also refined at half the render size: at full size a new
        frame's refinement cost 11-22 ms of CPU at 1280x720 and made those frames the slow
        ones. A still's map is refined once, at full size. A video's frames are estimated
        every third frame with software GL: the model's CPU is what the rasteriser lacks
        (on 2 cores the model ran about every second frame; p99 and the depth lag's maximum
        measured in the README)."""
        moving = isinstance(self.show.source, VideoSource)
        video_on_cpu = self.options.software and moving
        self.renderer.depth_prep.follow = moving
        self.renderer.depth_prep.set_reduce(2 if video_on_cpu else 1)
        self.depth.every = SOFTWARE_VIDEO_DEPTH_EVERY if video_on_cpu else 1

    def _fade_seconds(self) -> float:
        """--transition, but at most a third of a folder's --cycle: each image is seen whole."""
        cycle = getattr(self.show.source, "cycle_seconds", None)
        return min(self.options.transition, cycle / 3) if cycle else self.options.transition

    def _own(self, thing: Any) -> Any:
        self._owned.append(thing)
        return thing

    def release(self) -> None:
        """Workers stop, snapshots being written finish, GL objects are freed (reverse order)."""
        while self._owned:
            self._owned.pop().release()
        self.show.source.close()

    # -- commands ---------------------------------------------------------------------------

    def _bind(self, commands: Commands) -> None:
        registry, chain = self.show.registry, lambda: self.show.chain
        commands.bind("pause", self.pause)
        commands.bind("next_source", self.next_source)
        commands.bind("snapshot", self.snapshot)
        commands.bind("sort", self.sort_arrow)
        commands.bind("autosort", self.autosort)
        commands.bind("sort_key", lambda: self.say(f"sort key: {self.sort.cycle_key(chain(), registry)}"))
        commands.bind("sort_reset", lambda: self.notify(
            "sort removed" if self.sort.reset(chain(), registry) else "no pixel sort to remove"))
        commands.bind("toggle", self.editor.toggle)
        commands.bind("select_next", lambda: self.editor.select(1))
        commands.bind("select_previous", lambda: self.editor.select(-1))
        commands.bind("remove", self.editor.remove)
        commands.bind("move_earlier", lambda: self.editor.move(-1))
        commands.bind("move_later", lambda: self.editor.move(1))
        commands.bind("preset", self.presets.request)
        commands.bind("set", self.params.set)
        commands.bind("on", self.params.on)
        commands.bind("param_next", lambda: self.params.select(1))
        commands.bind("param_previous", lambda: self.params.select(-1))
        commands.bind("param_up", lambda: self.params.nudge(1))
        commands.bind("param_down", lambda: self.params.nudge(-1))
        commands.bind("depth_view", self.toggle_depth_view)
        commands.bind("generate", lambda: self.say(generatorcontrol.next_image(self.show)))
        commands.bind("walk", lambda: self.say(generatorcontrol.toggle_walk(self.show)))
        self.sampler.bind(commands)
        self.dream.bind(commands)
        commands.bind("steer", self.steer_to)

    def steer_to(self, value: Any) -> None:
        """``steer X Y`` (the pointer, OSC): where the parallax camera should go."""
        try:
            x, y = (float(v) for v in value)
        except (TypeError, ValueError):
            raise ValueError(f"steer takes X Y (two numbers 0..1), got {value!r}") from None
        self.steer.point(x, y)

    def sort_arrow(self, arrow: str, down: bool) -> None:
        if down:
            self.sort.press(arrow)
        else:
            self.sort.release(arrow)

    def say(self, text: str) -> None:
        """On screen and on stdout (a terminal beside the window, a log)."""
        self.notify(text)
        print(text, flush=True)

    def toggle_depth_view(self) -> None:
        self.say("depth view " + ("on" if self.depth_view.toggle() else "off"))

    def autosort(self) -> None:
        self.say("auto sort " + ("on" if self.sort.toggle_auto() else "off"))

    def pause(self) -> None:
        self.notify("paused" if self.clock.toggle() else "playing")

    def command_time(self) -> float:
        """The show time commands act at: the last frame's (logged, so a replay has it too)."""
        return self.frame.time if self.frame is not None else self.clock.seconds()

    def next_source(self) -> None:
        if not self.show.source.skip(self.command_time()):
            self.notify("N: the source is not a folder of images or several GANs (gan:A,B)")

    def snapshot(self) -> None:
        """Read the frame back here (GL thread); encode and write the PNG on a worker."""
        if self.output is None or self.frame is None:
            return
        recipe = self.show.recipe(self.frame, self.shown)
        notes = self.dream.notes()
        if notes:
            recipe["not_replayed"] = [*recipe.get("not_replayed", []), *notes]
        width, height = self.output.texture.size
        raw = self.output.fbo.read(components=3, alignment=1)  # the one GL call; flipping is the worker's
        self.snapshots.save(np.frombuffer(raw, np.uint8).reshape(height, width, 3)[::-1], recipe)

    # -- each frame -------------------------------------------------------------------------

    def step(self, now: float | None = None, seconds: float | None = None) -> Target:
        """One frame: adopt what workers finished, render, crossfade. The output to show.
        ``now`` (wall seconds) and ``seconds`` (the show clock) default to the clocks; a
        replay passes the logged ones."""
        now = time.perf_counter() if now is None else now
        dt, self._last = now - self._last, now
        show = self.show
        seconds = self.clock.seconds() if seconds is None else seconds
        active = [i.name for i in show.chain if i.enabled] + ([show.generator.name] if show.generator else [])
        self.reload.poll(active)
        adopted = self.presets.poll()
        if adopted is not None:
            self._adopt(adopted, now)
        self._take_image(seconds, now)
        depth_before = self.depth.uploaded
        self.depth.update(self.renderer, self.shown, now, dt)
        self.sampler.update(now)
        self.dream.update(now, dt)
        if not self.dream.holding:
            self.native.update(self.renderer, self.shown, show.chain)
        if self.depth.uploaded is not None and self.depth.uploaded != depth_before:
            self._tell("depth", self.depth.uploaded)
        self.sort.apply(show.chain, show.registry)
        self.steer.apply(show.chain, show.registry, now)
        self.depth_view.apply(show.chain, show.registry)
        self.frame = show.frame_at(seconds, self.index)
        if self.before.wanted:
            self.before_target = self.before.render(self.renderer, self.sampler.levels(), self.frame)
        generator = None if self.dream.holding else show.generator  # a dream holds the source still
        target = self.renderer.render(show.chain, self.frame, generator)
        self.output = self.fade.apply(target, now)
        self.index += 1
        return self.output

    @property
    def now(self) -> float:
        """The wall time (perf_counter seconds) of the last frame."""
        return self._last

    def stats_fields(self) -> dict[str, Any]:
        """Per-frame fields for ``--stats`` (None values are left out)."""
        weight = round(self.renderer.depth_weight, 3) if self.depth.wanted else None
        return {"depth_lag": self.depth.lag, "depth_weight": weight}

    def reads_audio_fft(self) -> bool:
        """Whether an effect on screen samples the audioFFT spectrum texture."""
        effects = self.show.registry.effects
        return any(inst.enabled and inst.name in effects and "audioFFT" in effects[inst.name].source
                   for inst in [*self.show.chain, *([self.show.generator] if self.show.generator else [])])

    def error_label(self) -> str | None:
        """The first shader error (file:line), printed once; None when all compile."""
        return self.reload.report()

    def _show_first(self) -> None:
        key = self._key(self.clock.seconds())
        self._upload(self.feed.load_now(key), change=False)

    def _key(self, seconds: float) -> Hashable:
        return self.show.source.key_at(seconds, int(seconds // self.show.seconds))

    def _take_image(self, seconds: float, now: float) -> None:
        if self.dream.holding:
            return  # the source holds still on a dream (Ctrl+E lets go)
        key = self._key(seconds)
        loaded = self.feed.poll(key)
        if loaded is None:
            newest = self.feed.newest()
            if newest is not None and self.show.source.stands_in(newest.key, key, self.shown):
                loaded = newest
        if loaded is None or loaded.key == self.shown:
            return
        key = loaded.key
        video = isinstance(self.show.source, VideoSource)
        if not video and loaded.image is not None and self._hold(key, now):
            return
        self._upload(loaded, change=not video, now=now)

    def _hold(self, key: Hashable, now: float) -> bool:
        """A new still waits (briefly) for its depth map, so they arrive together."""
        worker = self.depth.worker
        if not self.depth.wanted or worker is None or worker.ready_ms is None or self.depth.has(key):
            return False
        if self._waiting is None or self._waiting[0] != key:
            self._waiting = (key, now)
        return now - self._waiting[1] < HOLD_SECONDS

    def _upload(self, loaded: Loaded, change: bool, now: float | None = None) -> None:
        if loaded.gl is not None:
            source = self.show.source
            if change and source.generator is None:  # a generator's effect crossfades its own images
                self.fade.start(self.output, now)
            source.upload(self.renderer, loaded.gl, self.show.fit)
            self.renderer.reset_state()
        self.shown = loaded.key
        self.dream.offer(loaded.key, loaded.image)
        if now is not None:  # (not the first picture, shown before the loop starts)
            self.stats.event("source", ms=loaded.ms)  # --stats: each picture shown, its load time
            self._tell("source", loaded.key)

    def _tell(self, kind: str, what: Any) -> None:
        for listener in self.events:
            listener(kind, what)

    def replace_part(self, old: Any, new: Any) -> Any:
        """Put ``new`` in the place of a worker part (a replay's synchronous source feed,
        depth and presets); ``old`` is released."""
        self._owned[self._owned.index(old)] = new
        old.release()
        return new

    def adopt(self, new: Show, now: float, transition: float | None = None,
              event: tuple[str, Any] | None = None) -> None:
        """Replace the running show by ``new`` (a playlist entry), crossfading over
        ``transition`` seconds (None: --transition; 0: a cut); listeners hear ``event``."""
        if transition is not None:
            self.fade.duration = transition
        try:
            self._adopt(new, now, event)
        finally:
            self.fade.duration = None

    def _adopt(self, new: Show, now: float | None = None, event: tuple[str, Any] | None = None) -> None:
        """A preset of the bank, built on the worker: it replaces the running show."""
        old_source = self.show.source
        for name in ("source", "chain", "generator", "seconds", "seed", "fit", "depth_mode", "depth_path",
                     "depth_model", "preset_name", "software_scale"):
            setattr(self.show, name, getattr(new, name))
        size = self._render_size(self.show)
        self.fade.seconds = self._fade_seconds()
        self.fade.start(self.output, now, size=size)  # (scaled to the new size if it changes)
        if size != self.size:
            self.renderer.resize(size)
            self.renderer.pixel_scale = size[0] / self.show.size[0]
            self.depth.uploaded = None  # a new depth texture: the map goes up again
        if new.source is not old_source or size != self.size:
            self.feed.set_source(new.source, size)
            self.native.set_source(new.source, self.show.fit)
            self.renderer.upload_native(None)
            self.depth.set_source(_video_frames(self.show))
            self.shown = object()
        self.size = size
        self._depth_detail()
        self.sort = SortControl(carry=isinstance(self.show.source, VideoSource))
        self.editor.forget()
        self.dream.forget()
        self.renderer.reset_state()
        depth = self.show.depth_file()
        if depth is not None:
            self.renderer.upload_depth(depth)
        print(f"preset {new.preset_name}", file=sys.stderr, flush=True) if event is None else None
        self._tell(*(event or ("preset", new.preset_name)))


def _video_frames(show: Show) -> int | None:
    source = show.source
    return source.video.frame_count if isinstance(source, VideoSource) and source.video else None
