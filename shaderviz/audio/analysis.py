"""Audio analysis in numpy: level, bands, onsets, beats and tempo, hop by hop.

The same :class:`Analyzer` runs on a live input (a worker feeds it blocks as they come)
and on a file (`render` feeds it up to each video frame's time), so a render is
deterministic and the two agree. Every ``hop`` samples (about 11.6 ms) it looks at the
last ``n_fft`` samples (Hann window, rfft) and updates:

- **level** and **bands** (bass 20-250 Hz, mid 250-4000 Hz, high 4-16 kHz): RMS in dB
  relative to a full-scale sine, mapped from ``-60 dB .. 0 dB`` (plus ``gain_db``) to 0..1,
  smoothed with ``attack`` / ``release`` time constants;
- **onsets**: spectral flux (the summed rise of the log-magnitude spectrum) against an
  adaptive threshold (mean of the last second, times ``sensitivity``, plus a floor);
  a peak is confirmed one hop later, at most one onset per 60 ms;
- **tempo**: every half second, the autocorrelation of the last 8 s of flux, weighted
  towards 120 BPM (a log-normal prior, one octave wide), peak refined by a parabola;
- **beats**: the phase that best lines a comb of that period up with the flux gives the
  next beat; beats are then predicted (no latency on steady music) and re-aligned each
  half second. Until a tempo is known, each onset is a beat.

A spectral-flux detector like this found every click of a synthetic click track and its
tempo within 1 BPM (tests/test_audio.py); librosa would add ~430 MB and a slow start.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from shaderviz.audio.signals import SPECTRUM_BINS, Signals

BANDS_HZ = {"bass": (20.0, 250.0), "mid": (250.0, 4000.0), "high": (4000.0, 16000.0)}
FLOOR_DB = -60.0  # bands: this many dB below a full-scale sine is 0
SPECTRUM_FLOOR_DB = -80.0
MIN_BPM, MAX_BPM, PRIOR_BPM = 50.0, 220.0, 120.0
TEMPO_SECONDS = 8.0  # flux history the tempo is estimated from
TEMPO_EVERY = 0.5  # seconds between tempo / phase estimates
TEMPO_AFTER = 2.5  # seconds of audio before the first estimate
ONSET_GAP = 0.06  # seconds: at most one onset this often
ENVELOPE_RELEASE = 0.15  # seconds: onset and beat envelopes fall by e^-1 in this time


@dataclass(frozen=True)
class AudioState:
    """The analysis after the last hop; ``at`` is that hop's end (seconds of audio)."""

    at: float
    level: float
    bass: float
    mid: float
    high: float
    last_onset: float
    last_beat: float
    beat_count: int
    period: float | None  # seconds per beat, once known
    spectrum: np.ndarray

    def signals(self, t: float | None = None) -> Signals:
        """Signals at time ``t`` (default: the last hop), beat and onset envelopes included."""
        t = self.at if t is None else t
        since_beat = t - self.last_beat if self.beat_count else math.inf
        since_onset = t - self.last_onset
        period = self.period or 60.0 / PRIOR_BPM
        beats = (self.beat_count - 1 + min(1.0, since_beat / period)) if self.beat_count else 0.0
        return Signals(level=self.level, bass=self.bass, mid=self.mid, high=self.high,
                       onset=math.exp(-since_onset / ENVELOPE_RELEASE) if since_onset >= 0 else 0.0,
                       beat=math.exp(-since_beat / ENVELOPE_RELEASE) if since_beat >= 0 else 0.0,
                       since_beat=since_beat, beats=beats, bpm=60.0 / period, spectrum=self.spectrum)


class Analyzer:
    def __init__(self, sample_rate: int, attack: float = 0.01, release: float = 0.15, gain_db: float = 0.0,
                 sensitivity: float = 1.5) -> None:
        if sample_rate < 8000:
            raise ValueError(f"sample rate {sample_rate} Hz is too low (8000 at least)")
        self.rate = int(sample_rate)
        self.n_fft = 1 << max(8, round(math.log2(self.rate * 0.023)))  # about 23 ms: 1024 at 44.1 kHz
        self.hop = self.n_fft // 2
        self.hop_seconds = self.hop / self.rate
        self.gain_db, self.sensitivity = gain_db, sensitivity
        self.coef_attack = 1.0 - math.exp(-self.hop_seconds / attack)
        self.coef_release = 1.0 - math.exp(-self.hop_seconds / release)
        self._window = np.hanning(self.n_fft).astype(np.float32)
        self._sine_peak = float(self._window.sum()) / 2.0  # |X| of a full-scale sine's bin
        freqs = np.fft.rfftfreq(self.n_fft, 1.0 / self.rate)
        nyquist = self.rate / 2
        self._bands = {name: (freqs >= lo) & (freqs < min(hi, nyquist))
                       for name, (lo, hi) in BANDS_HZ.items()}
        self._flux_bins = (freqs >= 30.0) & (freqs <= 16000.0)
        self._spectrum_map = _log_bins(freqs, SPECTRUM_BINS, 20.0, min(20000.0, self.rate / 2))
        self._ms_scale = 2.0 / (self.n_fft ** 2 * float(np.mean(self._window ** 2)))
        self._buffer = np.zeros(self.n_fft, np.float32)
        self._pending = np.zeros(0, np.float32)
        self._prev_log: np.ndarray | None = None
        self.samples = 0  # samples analysed (hops * hop)
        self.fed = 0  # samples fed (analysed, or waiting for a whole hop)
        self._smooth = {"level": 0.0, "bass": 0.0, "mid": 0.0, "high": 0.0}
        self._spectrum = np.zeros(SPECTRUM_BINS, np.float32)
        history = round(TEMPO_SECONDS / self.hop_seconds)
        self._flux: deque[float] = deque(maxlen=history)
        self._recent: deque[float] = deque(maxlen=max(3, round(1.0 / self.hop_seconds)))
        self.onsets: list[float] = []  # times of every onset found (seconds of audio)
        self.beats: list[float] = []  # times of every beat
        self.period: float | None = None  # seconds per beat
        self._next_beat: float | None = None
        self._since_estimate = 0.0
        self._state = self._make_state()

    # -- feeding ----------------------------------------------------------------------------

    @property
    def time(self) -> float:
        """Seconds of audio analysed (the end of the last hop)."""
        return self.samples / self.rate

    def feed(self, samples: np.ndarray) -> None:
        """Mono float samples (any count); every whole hop is analysed now."""
        data = np.asarray(samples, np.float32).reshape(-1)
        self.fed += data.size
        if self._pending.size:
            data = np.concatenate([self._pending, data])
        hops = data.size // self.hop
        for i in range(hops):
            self._hop(data[i * self.hop : (i + 1) * self.hop])
        self._pending = data[hops * self.hop :].copy()
        if hops:
            self._state = self._make_state()

    def state(self) -> AudioState:
        return self._state

    # -- one hop ----------------------------------------------------------------------------

    def _hop(self, block: np.ndarray) -> None:
        buf = self._buffer
        buf[: -self.hop] = buf[self.hop :]
        buf[-self.hop :] = block
        self.samples += self.hop
        now = self.time
        mag = np.abs(np.fft.rfft(buf * self._window))
        power = mag * mag
        levels = {"level": float(power.sum())}
        for name, mask in self._bands.items():
            levels[name] = float(power[mask].sum())
        for name, energy in levels.items():
            self._smooth[name] = self._follow(self._smooth[name], self._unit(energy))
        spectrum_db = 20.0 * np.log10(np.maximum(mag / self._sine_peak, 1e-10)) + self.gain_db
        target = np.clip((self._spectrum_map(spectrum_db) - SPECTRUM_FLOOR_DB) / -SPECTRUM_FLOOR_DB, 0, 1)
        rising = target > self._spectrum
        coef = np.where(rising, self.coef_attack, self.coef_release).astype(np.float32)
        self._spectrum = self._spectrum + coef * (target.astype(np.float32) - self._spectrum)
        logmag = np.log1p(100.0 * mag[self._flux_bins] / self._sine_peak)
        flux = 0.0 if self._prev_log is None else float(np.maximum(logmag - self._prev_log, 0.0).mean())
        self._prev_log = logmag
        self._onset(flux, now)
        self._flux.append(flux)
        self._since_estimate += self.hop_seconds
        if self._since_estimate >= TEMPO_EVERY and now >= TEMPO_AFTER:
            self._since_estimate = 0.0
            self._estimate_tempo(now)
        if self._next_beat is not None and now >= self._next_beat and self.period is not None:
            self.beats.append(self._next_beat)
            self._next_beat += self.period

    def _unit(self, energy: float) -> float:
        rms_db = 10.0 * math.log10(max(energy * self._ms_scale * 2.0, 1e-20)) + self.gain_db
        return min(1.0, max(0.0, (rms_db - FLOOR_DB) / -FLOOR_DB))

    def _follow(self, current: float, target: float) -> float:
        coef = self.coef_attack if target > current else self.coef_release
        return current + coef * (target - current)

    def _onset(self, flux: float, now: float) -> None:
        """Confirm the previous hop as an onset if it was a peak above the threshold."""
        recent = self._recent
        if len(recent) >= 2:
            before, peak = recent[-2], recent[-1]
            threshold = self.sensitivity * (sum(recent) / len(recent)) + 0.02
            when = now - self.hop_seconds
            if peak > threshold and peak >= before and peak >= flux and (
                    not self.onsets or when - self.onsets[-1] >= ONSET_GAP):
                self.onsets.append(when)
                if self.period is None:  # no tempo yet: onsets are the beats
                    self.beats.append(when)
        recent.append(flux)

    def _estimate_tempo(self, now: float) -> None:
        flux = np.asarray(self._flux, np.float64)
        if flux.size < 4 or not flux.any():
            return
        x = flux - flux.mean()
        size = 1 << (2 * x.size - 1).bit_length()
        spectrum = np.fft.rfft(x, size)
        corr = np.fft.irfft(spectrum * np.conj(spectrum), size)[: x.size]
        if corr[0] <= 0:
            return
        lags = np.arange(x.size, dtype=np.float64)
        lo = max(1, int(60.0 / MAX_BPM / self.hop_seconds))
        hi = min(x.size - 2, int(math.ceil(60.0 / MIN_BPM / self.hop_seconds)))
        if hi <= lo + 1:
            return
        bpm = 60.0 / (lags[lo:hi] * self.hop_seconds)
        prior = np.exp(-0.5 * np.log2(bpm / PRIOR_BPM) ** 2)
        scores = corr[lo:hi] / corr[0] * prior
        best = int(np.argmax(scores))
        if scores[best] <= 0.05:
            return  # no periodicity worth the name
        k = lo + best
        a, b, c = corr[k - 1], corr[k], corr[k + 1]
        shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) < 0 else 0.0
        period = (k + max(-0.5, min(0.5, shift))) * self.hop_seconds
        self.period = period
        self._align(flux, period, now)

    def _align(self, flux: np.ndarray, period: float, now: float) -> None:
        """The beat phase: the offset whose comb (every ``period`` back from now) sums the
        most flux; the next beat is then one period after the latest tooth."""
        step = period / self.hop_seconds
        teeth = min(8, int((flux.size - 1) / step))
        if teeth < 2:
            return
        offsets = np.arange(0.0, step, 0.25)
        positions = flux.size - 1 - offsets[:, None] - step * np.arange(teeth)[None, :]
        scores = np.interp(positions, np.arange(flux.size), flux).sum(axis=1)
        offset = offsets[int(np.argmax(scores))]
        last = now - offset * self.hop_seconds  # the newest flux value is at `now`
        upcoming = last + period
        while upcoming <= now:
            upcoming += period
        if self._next_beat is None or abs(upcoming - self._next_beat) > 0.5 * period:
            # re-aligned: jump to the new phase unless that fires a beat twice
            if self.beats and upcoming - self.beats[-1] < 0.5 * period:
                upcoming += period
        self._next_beat = upcoming

    def _make_state(self) -> AudioState:
        s = self._smooth
        return AudioState(at=self.time, level=s["level"], bass=s["bass"], mid=s["mid"], high=s["high"],
                          last_onset=self.onsets[-1] if self.onsets else -math.inf,
                          last_beat=self.beats[-1] if self.beats else -math.inf,
                          beat_count=len(self.beats), period=self.period, spectrum=self._spectrum.copy())

    @property
    def bpm(self) -> float | None:
        return None if self.period is None else 60.0 / self.period


def _log_bins(freqs: np.ndarray, count: int, lo: float, hi: float):  # noqa: ANN202 - a closure
    """A function mapping an rfft spectrum (by ``freqs``) to ``count`` log-spaced bins
    from ``lo`` to ``hi`` Hz: the loudest FFT bin inside each, or interpolated where a
    bin is narrower than the FFT's resolution."""
    edges = np.geomspace(lo, hi, count + 1)
    centres = np.sqrt(edges[:-1] * edges[1:])
    starts = np.searchsorted(freqs, edges[:-1])
    ends = np.searchsorted(freqs, edges[1:])
    wide = ends > starts
    runs = np.empty(2 * int(wide.sum()), np.int64)
    runs[0::2], runs[1::2] = starts[wide], ends[wide]

    def apply(values: np.ndarray) -> np.ndarray:
        out = np.interp(centres, freqs, values)
        if runs.size:
            padded = np.append(values, values[-1])  # a run may end at len(values)
            out[wide] = np.maximum.reduceat(padded, runs)[0::2]
        return out

    return apply
