"""``render --replay FILE``: a performance logged by ``play --log FILE``, rendered offline.

The show is built again from the log's header (the same options), then run frame by
frame through the same live show `play` runs — the same commands, modules and chain —
with the logged clocks instead of the real ones, and with what `play`'s workers brought
(a new picture, a preset, a depth map) loaded here, synchronously, at the frame it arrived
there. The sound: an audio file is analysed again at each frame's time; a live input's
analysis is in the log.

- ``--performed``: one output frame per frame shown in `play`, at its own times: at the
  size `play` rendered (``--size`` of the log's ``render_size``) the frames equal the ones
  shown, pixel for pixel.
- otherwise at a steady ``--fps`` (default: the show's): frame i is the performance at
  i / fps seconds of wall time (pauses included), so the video lasts as long as the show.

``--size`` is the size the chain renders at; lengths in pixels (blur radius, ...) keep
their size relative to the performed output, so any size shows the same picture.
"""

from __future__ import annotations

import bisect
import sys
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from shaderviz.app.live import LiveOptions, LiveShow
from shaderviz.app.show import Show, build_show
from shaderviz.app.sourcefeed import Loaded
from shaderviz.app.stats import FrameStats
from shaderviz.audio.music import Music
from shaderviz.audio.signals import Signals
from shaderviz.audio.tempo import Tempo
from shaderviz.control.commands import Commands, command_specs
from shaderviz.control.log import read_log, spectrum_from_text
from shaderviz.errors import UserError
from shaderviz.sources import VideoSource

# Commands that change no pixel: not run in a replay.
NOT_REPLAYED = frozenset({"snapshot", "record", "fullscreen", "hud", "help", "quit", "learn"})


@dataclass
class Performed:
    """A log read into frames: times, and what happened before each frame."""

    header: dict[str, Any]
    t: list[float] = field(default_factory=list)  # show clock of frame i
    w: list[float] = field(default_factory=list)  # wall clock of frame i
    commands: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    events: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    extra: dict[int, dict[str, Any]] = field(default_factory=dict)  # "a", "s", "dw" of frame i
    _kinds: dict[str, tuple[list[int], list[Any]]] = field(default_factory=dict)  # kind -> frames, keys

    @classmethod
    def read(cls, path: Path) -> Performed:
        header, rows = read_log(path)
        done = cls(header)
        for row in rows:
            frame = int(row.get("f", -1))
            if "c" in row:
                done.commands.setdefault(frame, []).append(row)
            elif "e" in row:
                done.events.setdefault(frame, []).append(row)
            elif "t" in row:
                if frame != len(done.t):
                    raise UserError(f"--replay {path}: frame {frame} is out of order "
                                    f"(expected {len(done.t)})")
                done.t.append(float(row["t"]))
                done.w.append(float(row["w"]))
                rest = {k: v for k, v in row.items() if k in ("a", "s", "dw")}
                if rest:
                    done.extra[frame] = rest
        if not done.t:
            raise UserError(f"--replay {path}: the log has no frames")
        for frame in sorted(done.events):
            for event in done.events[frame]:
                frames, keys = done._kinds.setdefault(event["e"], ([], []))
                frames.append(frame)
                keys.append(event["k"])
        return done

    def latest(self, kind: str, frame: int) -> tuple[int, Any] | None:
        """The newest ``kind`` event at or before ``frame``: (its frame, its key)."""
        frames, keys = self._kinds.get(kind, ([], []))
        at = bisect.bisect_right(frames, frame) - 1
        return (frames[at], keys[at]) if at >= 0 else None


class _Nothing:
    """Stands in for hot reload and the preset worker in a replay."""

    def poll(self, *args: Any) -> None:
        return None

    def report(self) -> None:
        return None

    def release(self) -> None:
        pass


class _ReplayClock:
    """The show clock of a replay: the logged time of the frame being rendered."""

    paused = False

    def __init__(self) -> None:
        self.now = 0.0

    def seconds(self) -> float:
        return self.now

    def toggle(self) -> bool:
        return False


class _ReplayDepth:
    """The depth maps `play` used, made here: the same model on the same scaled-down image."""

    def __init__(self, live: LiveShow, performed: Performed) -> None:
        self.live, self.performed = live, performed
        self.worker = None
        self.lag: int | None = None
        self.uploaded: Hashable | None = None
        self.maps: dict[Hashable, np.ndarray] = {}
        self._estimator: Any = None
        self.frame = 0  # the logged frame being replayed

    @property
    def wanted(self) -> bool:
        return self.live.show.depth_mode == "auto" and self.live.show.uses_depth()

    status = "replayed"

    def has(self, key: Hashable) -> bool:
        return True

    def offer(self, key: Hashable, image: np.ndarray) -> None:
        pass

    def set_source(self, video_frames: int | None) -> None:
        self.maps.clear()
        self.uploaded = None

    def update(self, renderer: Any, shown: Hashable, now: float, dt: float) -> None:
        found = self.performed.latest("depth", self.frame)
        extra = self.performed.extra.get(self.frame, {})
        if found is not None:
            key = _key(self.live.show, found[1])
            if key != self.uploaded:
                renderer.upload_depth(self._map(key).astype(np.float32))
                self.uploaded = key
        neutral = 1.0 if self.uploaded is not None or not self.wanted else 0.0
        renderer.depth_weight = float(extra.get("dw", neutral))

    def _map(self, key: Hashable) -> np.ndarray:
        if key not in self.maps:
            import torch

            from shaderviz.app.livedepth import shrink_for_model
            from shaderviz.depth.estimator import DepthEstimator
            from shaderviz.depth.maps import inference_shape

            torch.set_num_threads(1)  # as the model process of play
            if self._estimator is None:
                self._estimator = DepthEstimator(self.live.show.depth_model)
            estimator, size = self._estimator, self.live.size
            image = self.live.show.source.load(key, size, self.live.show.fit)
            height, width = inference_shape(size[1], size[0], estimator.size, estimator.model.multiple)
            image = shrink_for_model(image, (height, width))
            self.maps[key] = estimator.estimate(image).astype(np.float16)
        return self.maps[key]

    def release(self) -> None:
        self.maps.clear()


class ReplayShow(LiveShow):
    """The live show driven by a log: pictures and presets arrive when the log says."""

    performed: Performed
    logged_frame = 0

    def _take_image(self, seconds: float, now: float) -> None:
        found = self.performed.latest("source", self.logged_frame)
        if found is None:
            return
        key = _key(self.show, found[1])
        if key == self.shown:
            return
        video = isinstance(self.show.source, VideoSource)
        self._upload(Loaded.of(key, self.show.source.load(key, self.size, self.show.fit)), change=not video,
                     now=now)


def _key(show: Show, logged: Any) -> Hashable:
    if isinstance(show.source, VideoSource):
        return int(logged)
    if isinstance(logged, list):  # a tuple key (a GAN's image and walk step) comes back from JSON as a list
        return tuple(logged)
    return Path(logged) if isinstance(logged, str) else logged


def _rebuild(header: dict[str, Any], registry: Any, preset: str | None = None,
             entry: int | None = None) -> Show:
    """The show as `play` built it: from its options, a preset of its bank, or a playlist entry."""
    a = header["show"]
    source, fx = a.get("input"), None if preset else a.get("fx")
    if entry is None and preset is None and a.get("playlist"):
        entry = header.get("playlist_entry") or 0
    if entry is not None:
        from shaderviz.app.playlist import load_playlist

        chosen = load_playlist(Path(a["playlist"])).entries[int(entry)]
        source, preset, fx = chosen.source, chosen.preset, list(chosen.fx) or None
    return build_show(registry, source, preset or a.get("preset"), fx, tuple(a["size"]), a.get("fps"),
                      a.get("seconds"), a.get("seed"), a.get("fit"), a.get("depth"), a.get("cycle"),
                      a.get("depth_model"))


def _music(header: dict[str, Any]) -> Music:
    tempo_info = header.get("tempo") or {}
    tempo = Tempo(tempo_info.get("bpm", 120.0), manual=bool(tempo_info.get("manual")))
    audio = header.get("audio") or {}
    if "file" in audio:
        from shaderviz.audio.inputs import AudioTrack

        return Music(tempo, track=AudioTrack(Path(audio["file"]), float(audio.get("gain_db", 0.0))))
    return Music(tempo)


class Replay:
    """A logged performance, ready to render frame by frame (headless GL context)."""

    def __init__(self, path: Path, ctx: Any, size: tuple[int, int] | None = None) -> None:
        from shaderviz.effects.registry import Registry

        self.performed = performed = Performed.read(path)
        header = performed.header
        args = header["show"]
        registry = Registry.load([Path(p) for p in args.get("effects_dir", [])])
        show = _rebuild(header, registry)
        show.music = self.music = _music(header)
        output = tuple(header["output_size"])
        self.size = size or output
        self.live_audio = "device" in (header.get("audio") or {})
        bank = list(args.get("bank") or [])
        options = LiveOptions(render_size=self.size, transition=args.get("transition", 0.6), bank=bank,
                              snapshots=Path("."))
        self.commands = Commands(lambda: command_specs(registry, bank))
        self.live = ReplayShow(ctx, show, options, self.commands, FrameStats(None), lambda text: None)
        live = self.live
        live.performed = performed
        live.reload = live.replace_part(live.reload, _Nothing())
        live.presets = live.replace_part(live.presets, _Nothing())
        live.depth = live.replace_part(live.depth, _ReplayDepth(live, performed))
        live.clock = self.clock = _ReplayClock()
        self.commands.bind("preset", lambda number: None, replace=True)  # presets arrive as events
        self.header, self.registry = header, registry
        for verb in ("tap", "bpm"):
            self.commands.bind(verb, getattr(self, verb))
        for verb in NOT_REPLAYED:  # (the live show's own snapshot would write into the working folder)
            self.commands.bind(verb, lambda *args: None, replace=True)
        self._done = -1  # commands and presets applied up to this logged frame
        self._seconds = 0.0

    def _entry_transition(self, index: int) -> float | None:
        from shaderviz.app.playlist import load_playlist

        playlist = load_playlist(Path(self.header["show"]["playlist"]))
        entry = playlist.entries[int(index)]
        return entry.transition if entry.transition is not None else playlist.transition

    def tap(self) -> None:
        self.music.tempo.tap(self.live.command_time())

    def bpm(self, value: Any) -> None:
        value = float(value[0] if isinstance(value, list) else value)
        self.music.tempo.set_bpm(value, self.live.command_time())

    @property
    def frames(self) -> int:
        return len(self.performed.t)

    @property
    def duration(self) -> float:
        """Wall seconds from the first frame shown to the last."""
        return self.performed.w[-1] - self.performed.w[0]

    def _catch_up(self, frame: int, seconds: float) -> None:
        """Run what happened before logged frame ``frame`` (commands, presets) in order."""
        self._seconds = self.clock.now = seconds
        while self._done < frame:
            self._done += 1
            for event in self.performed.events.get(self._done, []):
                if event["e"] in ("preset", "entry"):
                    kind, key = event["e"], event["k"]
                    new = _rebuild(self.header, self.registry, key if kind == "preset" else None,
                                   key if kind == "entry" else None)
                    transition = self._entry_transition(key) if kind == "entry" else None
                    self.live.adopt(new, self.performed.w[self._done], transition, (kind, key))
            for row in self.performed.commands.get(self._done, []):
                self.commands.run(row["c"], bool(row.get("p", True)), row.get("v"), gated=False)

    def render(self, frame: int, seconds: float | None = None, wall: float | None = None) -> Any:
        """The output of logged frame ``frame`` (at its own times, or at ``seconds`` / ``wall``
        between it and the next)."""
        performed, live = self.performed, self.live
        seconds = performed.t[frame] if seconds is None else seconds
        wall = performed.w[frame] if wall is None else wall
        self._catch_up(frame, seconds)
        live.logged_frame = live.depth.frame = frame
        extra = performed.extra.get(frame, {})
        if self.live_audio and "a" in extra:
            spectrum = spectrum_from_text(extra["s"]) if "s" in extra else None
            self.music.override = Signals.from_json(extra["a"], spectrum)
        live.index = frame
        return live.step(now=wall, seconds=seconds)

    def at_wall(self, wall: float) -> tuple[int, float]:
        """(the logged frame shown at wall time ``wall``, the show clock then)."""
        performed = self.performed
        k = max(0, bisect.bisect_right(performed.w, wall) - 1)
        if k + 1 < len(performed.w) and performed.w[k + 1] > performed.w[k]:
            part = (wall - performed.w[k]) / (performed.w[k + 1] - performed.w[k])
            return k, performed.t[k] + (performed.t[k + 1] - performed.t[k]) * min(1.0, max(0.0, part))
        return k, performed.t[k]

    def release(self) -> None:
        self.live.release()
        self.music.release()


def replay_to_file(path: Path, out: Path, size: tuple[int, int] | None, fps: float | None, performed: bool,
                   quality: float, progress: bool) -> str:
    """Render the log at ``path`` into ``out``; the summary line."""
    from tqdm import tqdm

    from shaderviz.outputs.mux import add_audio, silent_path, takes_audio
    from shaderviz.outputs.readback import Readback
    from shaderviz.outputs.writers import check_output, open_writer
    from shaderviz.render.context import headless_context

    ctx = headless_context()
    replay = writer = readback = None
    try:
        replay = Replay(path, ctx, size)
        rate = fps or float(replay.header["show"].get("fps") or 30.0)
        count = replay.frames if performed else max(1, int(replay.duration * rate) + 1)
        check_output(out, count, replay.size)
        track = replay.music.track
        video = silent_path(out) if track is not None and takes_audio(out) else out
        writer = open_writer(video, count, replay.size, rate, quality)
        readback = Readback(ctx, replay.size, 3)
        bar = tqdm(total=count, unit="frame", desc=out.name, disable=not progress, leave=False)
        start = replay.performed.w[0]
        for index in range(count):
            if performed:
                target = replay.render(index)
            else:
                wall = start + index / rate
                frame, seconds = replay.at_wall(wall)
                target = replay.render(frame, seconds, wall)
            done = readback.push(target.fbo)
            if done is not None:
                writer.write(np.ascontiguousarray(done[::-1]))
                readback.recycle(done)
            bar.update(1)
        for done in readback.drain():
            writer.write(np.ascontiguousarray(done[::-1]))
        bar.close()
        writer.finish()
        if video != out:
            add_audio(video, track.path, out, replay.performed.t[0], count / rate)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        if readback is not None:
            readback.release()
        if replay is not None:
            replay.release()
        ctx.release()
    timing = "as performed" if performed else f"at {rate:g} fps"
    print(f"shaderviz: note: replayed {path.name}: {replay.frames} frames performed", file=sys.stderr)
    return f"wrote {out} ({count} frames, {replay.size[0]}x{replay.size[1]}, {timing})"
