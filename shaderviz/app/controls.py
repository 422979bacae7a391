"""Everything that drives `play` besides the keyboard, put together for the window:
OSC in and out, MIDI, the tempo (tap, --bpm) and quantising, sound, recording, the
command log and the playlist. Each is a module of its own that plugs into the command
registry; this only opens them (before the window, so a busy port or a missing device
fails first), attaches them to the live show and calls them once per frame.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shaderviz.control.commands import Commands
from shaderviz.control.quantize import Quantizer

if TYPE_CHECKING:
    from shaderviz.app.live import LiveShow
    from shaderviz.render.renderer import Frame, Target

Notify = Callable[[str], None]


@dataclass
class ControlOptions:
    osc: str | None = None  # --osc [HOST:]PORT
    osc_out: str | None = None  # --osc-out HOST:PORT
    midi: str | None = None
    midi_map: Path | None = None
    quantize: float = 0.0  # beats: 1 a beat, 4 a bar, 0 off
    log: Path | None = None
    playlist: Path | None = None
    recordings: Path = Path(".")  # where Ctrl+R puts its videos
    log_args: dict[str, Any] = field(default_factory=dict)  # what rebuilds the show (render --replay)
    runner: Any = None  # a PlaylistRunner (--playlist)


class LiveControls:
    def __init__(self, options: ControlOptions | None = None) -> None:
        """Open what can fail (sockets, ports, files) now, before the window."""
        self.options = options or ControlOptions()
        self._owned: list[Any] = []
        self.live: LiveShow | None = None
        self.quantizer: Quantizer | None = None
        self.recorder: Any = None
        self.osc = self.feedback = self.log = self.midi = None
        self.runner = self._own(self.options.runner)
        self.stopped_by: int | None = None  # the signal that ended the show
        self._old_handlers: dict[int, Any] = {}
        try:
            self.osc = self._own(self._open_osc())
            self.feedback = self._own_feedback()
            self.log = self._own(self._open_log())
            self.midi = self._own(self._open_midi())
        except BaseException:
            self.release()
            raise

    def _own(self, thing: Any) -> Any:
        if thing is not None:
            self._owned.append(thing)
        return thing

    def _open_osc(self) -> Any:
        if self.options.osc is None:
            return None
        from shaderviz.control.osc import OscServer

        return OscServer(self.options.osc)

    def _open_midi(self) -> Any:
        if self.options.midi is None:
            return None
        from shaderviz.control.midi import MidiControl, default_map, load_bindings, open_input

        path = self.options.midi_map or default_map()
        if self.options.midi_map is not None:
            load_bindings(path)  # a broken file fails now, before the port opens
        return MidiControl(open_input(self.options.midi), path)

    def _open_log(self) -> Any:
        if self.options.log is None:
            return None
        from shaderviz.control.log import CommandLog

        return CommandLog(self.options.log)

    def _own_feedback(self) -> Any:
        if self.options.osc_out is None:
            return None
        from shaderviz.control.osc import OscFeedback

        return OscFeedback(self.options.osc_out)

    # -- attached to the show ---------------------------------------------------------------

    def attach(self, commands: Commands, live: LiveShow, notify: Notify,
               frame_listeners: list[Callable[[Target, Frame], None]]) -> None:
        self.commands, self.live, self.notify = commands, live, notify
        self._catch_signals()
        music = live.show.music
        if music is not None:
            self._own(music)
            commands.bind("tap", self.tap)
            commands.bind("bpm", self.set_bpm)
            if self.options.quantize:
                beats = lambda: music.signals(live.clock.seconds()).beats  # noqa: E731
                self.quantizer = Quantizer(self.options.quantize, beats)
                commands.gates.append(self.quantizer.gate)
        from shaderviz.outputs.liverecord import LiveRecorder

        ctx, show = live.renderer.ctx, live.show
        self.recorder = self._own(LiveRecorder(ctx, self.options.recordings, show.fps, notify))
        commands.bind("record", self.recorder.command)
        frame_listeners.append(lambda output, frame: self.recorder.frame(output))
        if self.midi is not None:
            def selected() -> str | None:
                found = live.params.selected()
                return found[0] if found else None

            self.midi.attach(commands, live.show.registry, selected, live.params.state, notify)
        else:
            commands.bind("learn", lambda: notify("MIDI learn needs a controller: play --midi PORT"))
        if self.runner is not None:
            self.runner.notify = notify
            self.runner.attach(commands, live, self.runner.index)
        if self.osc is not None:
            self.osc.start(commands, live.show.registry)
            notify(f"OSC on UDP port {self.osc.port}")
        if self.feedback is not None:
            self.feedback.attach(commands, live.params.state, live.show.registry, self.value_of)
            for index, _ in enumerate(live.show.chain):
                from shaderviz.app.paramcontrol import instance_label

                self.feedback.effect(instance_label(live.show.chain, index))
        if self.log is not None:
            self._start_log(live, commands, frame_listeners)

    def _start_log(self, live: LiveShow, commands: Commands,
                   frame_listeners: list[Callable[[Target, Frame], None]]) -> None:
        log, music = self.log, live.show.music
        audio = None
        if music is not None and music.track is not None:
            audio = {"file": str(Path(music.track.path).resolve()), "gain_db": music.track.gain_db}
        elif music is not None and music.live is not None:
            audio = {"device": music.live.name}
        tempo = {"bpm": music.tempo.bpm, "manual": music.tempo.manual} if music is not None else None
        log.header(show=self.options.log_args, render_size=list(live.size), output_size=list(live.show.size),
                   audio=audio, tempo=tempo, quantize=self.options.quantize,
                   playlist_entry=self.runner.index if self.runner is not None else None,
                   clock_origin=live.now)  # w = perf_counter() - clock_origin (a monotonic clock)
        commands.listeners.append(log.command)
        live.events.append(log.event)
        origin = live.now

        def shown(output: Target, frame: Frame) -> None:
            extra: dict[str, Any] = {}
            if music is not None and music.live is not None and frame.signals is not None:
                from shaderviz.control.log import spectrum_text

                extra["a"] = frame.signals.to_json()
                if frame.signals.spectrum is not None and live.reads_audio_fft():
                    extra["s"] = spectrum_text(frame.signals.spectrum)
            if live.depth.wanted:
                extra["dw"] = live.renderer.depth_weight
            log.shown(frame.index, frame.time, live.now - origin, extra)

        frame_listeners.append(shown)

    def _catch_signals(self) -> None:
        """SIGTERM (systemd, kill) and SIGINT (Ctrl-C) end the show like Esc: at the end of
        a frame, recordings and the log finished. A second one ends it at once."""
        if threading.current_thread() is not threading.main_thread():
            return
        for number in (signal.SIGTERM, signal.SIGINT):
            self._old_handlers[number] = signal.signal(number, self._on_signal)

    def _on_signal(self, number: int, frame: Any) -> None:
        if self.stopped_by is not None:
            signal.signal(number, signal.SIG_DFL)
            signal.raise_signal(number)
            return
        self.stopped_by = number
        self.commands.post("quit")

    def exit_status(self) -> int:
        """0 after Esc; 130 / 143 after SIGINT / SIGTERM (as a shell reports them)."""
        if self.stopped_by is None:
            return 0
        print(f"shaderviz: stopped by {signal.Signals(self.stopped_by).name}", file=sys.stderr, flush=True)
        return 128 + self.stopped_by

    def value_of(self, key: str) -> Any:
        """State for OSC feedback: ``bpm``, ``record``."""
        music = self.live.show.music if self.live is not None else None
        if key == "bpm" and music is not None:
            return round(music.tempo.bpm, 3)
        if key == "record" and self.recorder is not None:
            return 1 if self.recorder.recording else 0
        return None

    def tap(self) -> None:
        assert self.live is not None and self.live.show.music is not None
        bpm = self.live.show.music.tempo.tap(self.live.command_time())
        self.notify(f"tap: {bpm:.1f} BPM" if bpm is not None else "tap ...")

    def set_bpm(self, value: Any) -> None:
        assert self.live is not None and self.live.show.music is not None
        if isinstance(value, (list, tuple)) and len(value) == 1:
            value = value[0]
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise ValueError(f"a tempo is a number, got {value!r}") from None
        self.live.show.music.tempo.set_bpm(value, self.live.command_time())
        self.notify(f"{self.live.show.music.tempo.bpm:.1f} BPM")

    # -- each frame ------------------------------------------------------------------------------

    def before_frame(self) -> None:
        if self.midi is not None:
            self.midi.poll()
        if self.quantizer is not None:
            self.quantizer.release_due(self.commands)
        if self.runner is not None:
            self.runner.tick(time.perf_counter())

    def status(self) -> list[str]:
        """HUD lines: tempo and sound, inputs."""
        if self.live is None:
            return []
        lines = []
        music = self.live.show.music
        if music is not None and (music.tempo.manual or music.has_sound or self.quantizer is not None):
            signals = self.live.frame.signals if self.live.frame is not None else None
            source = "tap/--bpm" if music.tempo.manual else ("the sound" if music.has_sound else "default")
            beat = f", beat {int(signals.beats) % 4 + 1}/4" if signals is not None else ""
            lines.append(f"tempo {music.tempo.bpm:.1f} BPM ({source}){beat}")
            if music.has_sound and signals is not None:
                lines.append(f"audio level {signals.level:.2f}  bass {signals.bass:.2f}  "
                             f"mid {signals.mid:.2f}  high {signals.high:.2f}")
        if self.runner is not None:
            lines.append(self.runner.describe())
        if self.osc is not None:
            lines.append(f"OSC :{self.osc.port} ({self.osc.received} in, {self.osc.ignored} ignored)")
        selected = self.live.params.describe()
        if selected:
            lines.append(f"param {selected}")
        return lines

    def marks(self) -> list[str]:
        """Always on screen (never in recordings): REC while recording, MIDI learn."""
        marks = []
        rec = self.recorder.mark() if self.recorder is not None else None
        if rec:
            marks.append(f"!{rec}")
        learn = self.midi.mark() if self.midi is not None else None
        if learn:
            marks.append(learn)
        return marks

    def release(self) -> None:
        for number, handler in self._old_handlers.items():
            signal.signal(number, handler)
        self._old_handlers.clear()
        while self._owned:
            thing = self._owned.pop()
            try:
                thing.release()
            except Exception as err:  # noqa: BLE001 - closing one input must not stop the others
                print(f"shaderviz: warning: {type(thing).__name__}: {err}", flush=True)
