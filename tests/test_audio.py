"""Audio reactivity: the analysis on generated WAVs (clicks -> tempo and onsets, a bass sine
-> bass), the modulators audio() / beat() / waves per beat, the tempo clock, and
`render --audio` as a process: deterministic frames and a video with a sound track."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
import soundfile

from shaderviz.audio.analysis import Analyzer
from shaderviz.audio.inputs import AudioTrack
from shaderviz.audio.music import Music
from shaderviz.audio.signals import Signals
from shaderviz.audio.tempo import Tempo
from shaderviz.effects.modulation import AudioModulator, BeatModulator, parse_modulator
from shaderviz.render.renderer import Frame

RATE = 44100


def click_track(bpm: float, seconds: float, start: float = 0.5, rate: int = RATE
                ) -> tuple[np.ndarray, np.ndarray]:
    """Short noise bursts on every beat (a metronome); the samples and the click times."""
    samples = np.zeros(int(seconds * rate), np.float32)
    times = np.arange(start, seconds - 0.05, 60.0 / bpm)
    burst = np.random.default_rng(1).standard_normal(int(0.01 * rate))
    burst *= np.exp(-np.arange(burst.size) / (0.002 * rate)) * 0.8
    for t in times:
        i = int(round(t * rate))
        samples[i : i + burst.size] += burst.astype(np.float32)
    return samples, times


def sine(freq: float, seconds: float, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def analyse(samples: np.ndarray, chunk: int = 1000) -> Analyzer:
    analyzer = Analyzer(RATE)
    for i in range(0, samples.size, chunk):
        analyzer.feed(samples[i : i + chunk])
    return analyzer


@pytest.mark.parametrize("bpm", [120.0, 97.0])
def test_click_track_gives_its_tempo_and_an_onset_on_every_click(bpm: float, tmp_path: Path) -> None:
    samples, clicks = click_track(bpm, 16.0)
    path = tmp_path / "clicks.wav"
    soundfile.write(path, samples, RATE)  # through a real WAV file, as a user's track
    track = AudioTrack(path)
    assert track.rate == RATE and abs(track.duration - 16.0) < 1e-3
    analyzer = analyse(track.samples)
    assert analyzer.bpm is not None and abs(analyzer.bpm - bpm) <= 2.0
    onsets = np.array(analyzer.onsets)
    assert len(onsets) == len(clicks)  # one onset per click, no others
    nearest = np.abs(onsets[:, None] - clicks[None, :]).min(axis=0)
    assert nearest.max() < 0.03  # each click found within 30 ms (one hop is 11.6 ms)
    # once the tempo is known the beats are predicted: on the clicks (and on after the last one)
    beats = np.array([b for b in analyzer.beats if 6.0 < b < clicks[-1] + 0.1])
    assert len(beats) >= 10
    assert np.abs(beats[:, None] - clicks[None, :]).min(axis=1).max() < 0.04


def test_silence_and_steady_tone_have_no_onsets_and_no_tempo() -> None:
    for samples in (np.zeros(RATE * 5, np.float32), sine(440, 5.0)):
        analyzer = analyse(samples)
        assert analyzer.onsets[1:] == [] and analyzer.bpm is None  # (the tone's start may be one)


@pytest.mark.parametrize(("freq", "band"), [(60.0, "bass"), (1000.0, "mid"), (8000.0, "high")])
def test_a_sine_drives_its_own_band(freq: float, band: str) -> None:
    state = analyse(sine(freq, 2.0)).state()
    values = {name: getattr(state, name) for name in ("bass", "mid", "high")}
    assert values[band] > 0.8  # -6 dB: 0.9 on the 60 dB scale
    assert all(v < 0.2 for name, v in values.items() if name != band)
    assert 0.8 < state.level < 0.95


def test_bands_attack_fast_and_release_slowly() -> None:
    samples = np.concatenate([sine(60.0, 1.0), np.zeros(RATE, np.float32)])
    analyzer = Analyzer(RATE)
    hop = analyzer.hop
    trace = []
    for i in range(0, samples.size, hop):
        analyzer.feed(samples[i : i + hop])
        trace.append(analyzer.state().bass)
    trace = np.array(trace)
    per_second = RATE / hop
    assert trace[int(0.1 * per_second)] > 0.8  # 100 ms after the start: almost there
    after = trace[int(1.05 * per_second)]
    assert 0.3 < after < 0.85  # 50 ms after the stop: still falling
    assert trace[-1] < 0.05


def test_the_spectrum_shows_a_tone_where_it_is() -> None:
    spectrum = analyse(sine(1000.0, 1.0)).state().spectrum
    assert spectrum.shape == (256,)
    peak = int(np.argmax(spectrum))
    centre = 20.0 * (1000.0 ** (1 / 256)) ** (peak + 0.5)  # log-spaced 20 Hz .. 20 kHz
    assert 900 < centre < 1100 and spectrum[peak] > 0.8 and np.median(spectrum) < 0.3


def test_file_analysis_is_the_same_however_the_frames_are_reached(tmp_path: Path) -> None:
    samples, _ = click_track(128.0, 6.0)
    path = tmp_path / "clicks.wav"
    soundfile.write(path, samples, RATE)
    forward = AudioTrack(path)
    times = [i / 30 for i in range(0, 180, 7)]
    first = [forward.state_at(t) for t in times]
    again = AudioTrack(path)
    second = [again.state_at(t) for t in reversed(times)][::-1]  # backwards: starts over each time
    for a, b in zip(first, second, strict=True):
        assert a.signals(0.0) == b.signals(0.0) and np.array_equal(a.spectrum, b.spectrum)


# -- modulators, tempo ---------------------------------------------------------------------------


def test_audio_and_beat_modulators() -> None:
    loud = Signals(bass=0.5, since_beat=0.0)
    later = Signals(bass=1.0, since_beat=0.3)
    audio = parse_modulator("audio(bass,0,0.05)")
    assert isinstance(audio, AudioModulator) and audio.format() == "audio(bass,0,0.05)"
    assert audio.value(0.0, 0, loud) == pytest.approx(0.025)
    assert audio.value(0.0, 0, later) == pytest.approx(0.05)
    assert audio.value(0.7, 0, None) == 0.0  # no sound: the minimum
    beat = parse_modulator("beat(24,1,0.3)")
    assert isinstance(beat, BeatModulator) and beat.format() == "beat(24,1,0.3)"
    assert beat.value(0, 0, loud) == pytest.approx(1.0)  # on the beat: max
    assert beat.value(0, 0, later) == pytest.approx(24 - 23 * math.exp(-3))  # after `decay`: 95 % back
    assert beat.value(0, 0, None) == 24.0
    bad_ones = ("audio(treble,0,1)", "audio(bass,0)", "beat(0,1,0)", "beat(0)", "sine(0,1,0b)", "sine(0,1,x)")
    for bad in bad_ones:
        with pytest.raises(ValueError):
            parse_modulator(bad)


def test_waves_per_beat_follow_the_tempo_clock() -> None:
    wave = parse_modulator("saw(0,1,1b)")
    bar = parse_modulator("saw(0,1,0.25b)")
    assert wave.format() == "saw(0,1,1b)" and parse_modulator(wave.format()) == wave
    tempo = Tempo(150.0, manual=True)  # 0.4 s a beat
    for t in (0.1, 0.5, 1.3):
        signals = Music(tempo).signals(t)
        assert wave.value(0.123, 0, signals) == pytest.approx((t / 0.4) % 1.0)
        assert bar.value(0.9, 0, signals) == pytest.approx((t / 1.6) % 1.0)


def test_tap_tempo_and_bpm_changes_keep_the_beat() -> None:
    tempo = Tempo()
    assert tempo.tap(10.0) is None and tempo.tap(10.5) is None and tempo.tap(11.0) is None
    assert tempo.tap(11.5) == pytest.approx(120.0) and tempo.beats_at(11.5) == pytest.approx(0.0)
    assert tempo.tap(20.0) is None and tempo.bpm == pytest.approx(120.0)  # a pause: a new series
    before = tempo.beats_at(30.0)
    tempo.set_bpm(90.0, 30.0)
    assert tempo.beats_at(30.0) == pytest.approx(before) and tempo.manual
    assert tempo.next_boundary(30.0, 4.0) > 30.0
    assert tempo.beats_at(tempo.next_boundary(30.0, 4.0)) == pytest.approx(math.ceil(before / 4) * 4)
    with pytest.raises(ValueError):
        tempo.set_bpm(1000.0, 0.0)


def test_beat_modulator_moves_a_render(render, registry) -> None:  # noqa: ANN001 - fixtures
    image = np.zeros((18, 32, 3), np.uint8)
    image[:, ::2] = 255
    on_beat = Frame(signals=Signals(since_beat=0.0))
    off_beat = Frame(signals=Signals(since_beat=5.0))
    sharp = render(image, ["pixelate size=beat(8,1,0.3)"], frame=on_beat)
    blocky = render(image, ["pixelate size=beat(8,1,0.3)"], frame=off_beat)
    assert np.allclose(sharp, image / 255.0, atol=0.02)  # size 1 on the beat
    assert not np.allclose(blocky, image / 255.0, atol=0.2)


# -- render --audio ---------------------------------------------------------------------------------


def _streams(path: Path) -> str:
    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                          capture_output=True, text=True)
    return done.stderr


def shaderviz(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "shaderviz", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def test_render_audio_is_deterministic_and_has_a_sound_track(tmp_path: Path) -> None:
    from PIL import Image

    samples, _ = click_track(120.0, 2.0, start=0.25)
    wav = tmp_path / "track.wav"
    soundfile.write(wav, samples, RATE)
    stripes = np.zeros((18, 32, 3), np.uint8)
    stripes[:, ::2] = 255
    Image.fromarray(stripes).save(tmp_path / "stripes.png")
    fx = ["--fx", "pixelate size=beat(1,8,0.2)", "--fx", "colorize amount=audio(level,0,1)"]
    runs = []
    for name in ("a", "b"):
        done = shaderviz("render", str(tmp_path / "stripes.png"), "--fps", "20", "--audio", str(wav),
                         "-o", str(tmp_path / name), "--quiet", *fx)
        assert done.returncode == 0, done.stderr
        runs.append([np.asarray(Image.open(p)) for p in sorted((tmp_path / name).glob("*.png"))])
    assert len(runs[0]) == 40  # the sound's length: 2 s at 20 fps
    assert all(np.array_equal(a, b) for a, b in zip(*runs, strict=True))
    first = runs[0]
    assert np.array_equal(first[0], stripes)  # silence before the first click: nothing moves
    # clicks at 0.25 s, 0.75 s, ...: frame 6 (0.30 s) is just after one: pixelated and colourised;
    # frame 14 (0.70 s) is long after it (size back to 1), with the level fallen
    assert np.abs(first[6].astype(int) - stripes).mean() > 40
    assert np.abs(first[14].astype(int) - stripes).mean() < np.abs(first[6].astype(int) - stripes).mean() / 2
    video = tmp_path / "clip.mp4"
    done = shaderviz("render", "clouds", "--size", "32x18", "--fps", "20", "--audio", str(wav),
                     "-o", str(video), "--quiet")
    assert done.returncode == 0, done.stderr
    info = _streams(video)
    assert "Audio: aac" in info and "Video: h264" in info and "Duration: 00:00:02.0" in info
    assert not list(tmp_path.glob(".clip*"))  # no temporary left beside it


def test_render_beats_sets_the_loop_length(tmp_path: Path) -> None:
    out = tmp_path / "loop.gif"
    done = shaderviz("render", "clouds", "--size", "16x16", "--fps", "10", "--bpm", "150", "--beats", "4",
                     "-o", str(out), "--quiet", "--fx", "saturate amount=saw(0,1,1b)")
    assert done.returncode == 0, done.stderr
    assert "16 frames" in done.stdout  # 4 beats at 150 BPM = 1.6 s
    bad = shaderviz("render", "-o", str(out), "--beats", "4")
    assert bad.returncode == 2 and "--beats needs a tempo" in bad.stderr and "Traceback" not in bad.stderr


def test_quantize_holds_toggles_until_the_next_beat(registry) -> None:  # noqa: ANN001 - fixture
    from shaderviz.control.commands import Commands, command_specs
    from shaderviz.control.quantize import Quantizer

    beats = [0.2]
    commands = Commands(lambda: command_specs(registry))
    ran: list[str] = []
    commands.bind("toggle", lambda name: ran.append(f"toggle:{name}"))
    commands.bind("snapshot", lambda: ran.append("snapshot"))
    quantizer = Quantizer(1.0, lambda: beats[0])
    commands.gates.append(quantizer.gate)
    commands.run("toggle:blur")
    commands.run("snapshot")  # not quantised: at once
    assert ran == ["snapshot"]
    beats[0] = 0.95
    quantizer.release_due(commands)
    assert ran == ["snapshot"]
    beats[0] = 1.01  # the next beat
    quantizer.release_due(commands)
    assert ran == ["snapshot", "toggle:blur"]
    bar = Quantizer(4.0, lambda: beats[0])
    commands.gates[:] = [bar.gate]
    commands.run("toggle:rgb_split")
    beats[0] = 3.99
    bar.release_due(commands)
    assert ran[-1] == "toggle:blur"
    beats[0] = 4.0
    bar.release_due(commands)
    assert ran[-1] == "toggle:rgb_split"
