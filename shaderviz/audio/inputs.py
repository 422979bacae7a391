"""Where the sound comes from: a file (decoded whole, analysed up to any time asked) or a
live input device (sounddevice; analysed on a worker as blocks arrive).

Files are read by soundfile (WAV, FLAC, OGG, MP3, ...); anything else ffmpeg decodes
(the imageio-ffmpeg binary): AAC, M4A, the sound of a video file. Devices need the
PortAudio library (Debian: libportaudio2).
"""

from __future__ import annotations

import math
import queue
import subprocess
import sys
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from shaderviz.audio.analysis import Analyzer, AudioState
from shaderviz.control.quiet import quiet_stderr
from shaderviz.errors import UserError

DECODE_RATE = 44100  # what ffmpeg decodes to when soundfile cannot read a file


def read_audio(path: Path) -> tuple[np.ndarray, int]:
    """(mono float32 samples, sample rate) of an audio file; UserError if it cannot be read."""
    if not path.is_file():
        raise UserError(f"--audio {path}: no such file")
    try:
        import soundfile

        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
        return np.ascontiguousarray(data.mean(axis=1)), int(rate)
    except ImportError:
        pass
    except Exception:  # noqa: BLE001, S110 - soundfile cannot read it: ffmpeg may
        pass
    return _ffmpeg_decode(path), DECODE_RATE


def _ffmpeg_decode(path: Path) -> np.ndarray:
    import imageio_ffmpeg

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-i",
               str(path), "-vn", "-ac", "1", "-ar", str(DECODE_RATE), "-f", "f32le", "-"]
    done = subprocess.run(command, capture_output=True, check=False)
    samples = np.frombuffer(done.stdout, np.float32)
    if done.returncode != 0 or samples.size == 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        why = lines[-1] if lines else "no audio stream"
        raise UserError(f"--audio {path}: cannot read audio ({why})")
    return samples.copy()


class AudioTrack:
    """A file analysed in step with a clock: ``state_at(t)`` feeds the analyser up to ``t``,
    so frame times give the same values however they are reached. The states of recent
    hops are kept (a writer thread asks for a frame's a little after the render loop);
    going further back starts the analysis again. Safe to call from any thread."""

    KEEP = 1024  # hop states kept (about 12 s)

    def __init__(self, path: Path, gain_db: float = 0.0) -> None:
        self.path = path
        self.samples, self.rate = read_audio(path)
        self.gain_db = gain_db
        self.duration = self.samples.size / self.rate
        self._analyzer = Analyzer(self.rate, gain_db=gain_db)
        self._states: OrderedDict[int, AudioState] = OrderedDict()
        self._lock = threading.Lock()

    def state_at(self, t: float) -> AudioState:
        want = max(0, min(self.samples.size, int(math.floor(t * self.rate))))
        with self._lock:
            analyzer = self._analyzer
            hops = want // analyzer.hop
            if hops in self._states:
                return self._states[hops]
            if want < analyzer.samples:
                analyzer = self._analyzer = Analyzer(self.rate, gain_db=self.gain_db)
            if want > analyzer.fed:
                analyzer.feed(self.samples[analyzer.fed : want])
            state = analyzer.state()
            self._states[hops] = state
            while len(self._states) > self.KEEP:
                self._states.popitem(last=False)
            return state

    def tempo(self) -> float | None:
        """The file's tempo: the analysis of the whole file (for a loop length in beats)."""
        whole = Analyzer(self.rate, gain_db=self.gain_db)
        whole.feed(self.samples)
        return whole.bpm


class LiveAudio:
    """An input device: PortAudio calls back with blocks; a worker analyses them, so the
    render loop only reads the newest state."""

    def __init__(self, device: str | None, gain_db: float = 0.0) -> None:
        try:
            with quiet_stderr():
                import sounddevice
        except (ImportError, OSError) as err:
            raise UserError(f"--audio: no audio input support here ({err}); install libportaudio2") from None
        with quiet_stderr():
            choice = _device(sounddevice, device)
        info = sounddevice.query_devices(choice, "input")
        self.name = str(info["name"])
        self.rate = int(info["default_samplerate"])
        channels = max(1, min(2, int(info["max_input_channels"])))
        self.analyzer = Analyzer(self.rate, gain_db=gain_db)
        self._blocks: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=256)
        self._lock = threading.Lock()
        self._state = self.analyzer.state()
        self.overflows = 0
        self._thread = threading.Thread(target=self._run, name="shaderviz-audio", daemon=True)
        try:
            self._stream = sounddevice.InputStream(device=choice, channels=channels, samplerate=self.rate,
                                                   blocksize=self.analyzer.hop, dtype="float32",
                                                   callback=self._callback)
            self._thread.start()
            self._stream.start()
        except Exception as err:  # noqa: BLE001 - PortAudio's errors are many
            self.release()
            raise UserError(f"--audio {device or 'default'}: cannot open {self.name} "
                            f"({' '.join(str(err).split())})") from None

    def _callback(self, indata: np.ndarray, frames: int, when: object, status: object) -> None:
        if status:
            self.overflows += 1
        try:
            self._blocks.put_nowait(indata.mean(axis=1).astype(np.float32))
        except queue.Full:
            self.overflows += 1

    def _run(self) -> None:
        while (block := self._blocks.get()) is not None:
            self.analyzer.feed(block)
            state = self.analyzer.state()
            with self._lock:
                self._state = state

    def state(self) -> AudioState:
        with self._lock:
            return self._state

    def release(self) -> None:
        stream = getattr(self, "_stream", None)
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:  # noqa: BLE001, S110 - closing a failed device must not raise
                pass
            self._stream = None
        if self._thread.is_alive():
            self._blocks.put(None)
            self._thread.join(timeout=5)


def _device(sounddevice: object, spec: str | None) -> int | str | None:
    """``default``, a device number, or (part of) a device name -> what PortAudio opens."""
    if spec in (None, "", "default"):
        try:
            sounddevice.query_devices(None, "input")  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001
            raise UserError("--audio default: no default input device " + _listing(sounddevice)) from None
        return None
    if spec.isdigit():
        return int(spec)
    names = [(i, d["name"]) for i, d in enumerate(sounddevice.query_devices())  # type: ignore[attr-defined]
             if d["max_input_channels"] > 0]
    found = [i for i, name in names if spec.lower() in name.lower()]
    if not found:
        raise UserError(f"--audio {spec}: no such input device, and no such file " + _listing(sounddevice))
    return found[0]


def _listing(sounddevice: object) -> str:
    try:
        names = [f"{i}: {d['name']}" for i, d in enumerate(sounddevice.query_devices())  # type: ignore[attr-defined]
                 if d["max_input_channels"] > 0]
    except Exception:  # noqa: BLE001
        names = []
    return f"(inputs: {'; '.join(names)})" if names else "(no input devices found)"


def input_devices() -> list[str]:
    """``N: name`` of each input device, for ``shaderviz audio-devices``."""
    try:
        with quiet_stderr():
            import sounddevice

            devices = list(enumerate(sounddevice.query_devices()))
    except (ImportError, OSError) as err:
        print(f"shaderviz: note: no audio input support ({err})", file=sys.stderr)
        return []
    return [f"{i}: {d['name']} ({d['max_input_channels']} ch, {d['default_samplerate']:g} Hz)"
            for i, d in devices if d["max_input_channels"] > 0]
