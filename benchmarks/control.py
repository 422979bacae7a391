"""Live control figures: OSC command-to-frame latency, and the live frame time while
recording and while audio analysis runs.

``python -m benchmarks.control [--seconds 15] [--size 640x360]`` (needs Xvfb and xdotool;
jackd for the live-input case) starts ``shaderviz play`` in a real window on a private
Xvfb server for each case, timed by ``--stats``:

- **baseline**: the default preset;
- **recording**: the same, with ``/shaderviz/record 1`` sent over OSC after the warm-up
  (PBO readback + H.264 encoder thread);
- **audio file**: ``--audio FILE`` (a click track analysed at the show clock, modulating
  two effects);
- **audio input**: ``--audio system`` from a JACK dummy server (``jackd -d dummy``: a real
  audio clock, silence), the analysis on its worker thread.

Frame time p50 / p99 are over the frames after ``--skip`` seconds; the goal is
p99 <= 1.5 x p50. OSC latency: during the baseline case, ``/shaderviz/fx/rgb_split/amount``
is sent ``--osc-count`` times with distinct values; the command log (``--log``) gives the
frame each one changed and when that frame started (the same monotonic clock as the
sender), so latency = start of the first frame that renders the value - the send. Prints
a markdown table, writes JSON (default ``benchmarks/results/control.json``) with the load
average: figures taken on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "control.json"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _xvfb() -> tuple[subprocess.Popen, str]:
    number = 40000 + os.getpid() % 9000
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1280x720x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)
    return server, f":{number}"


def _click_track(path: Path, seconds: float) -> None:
    import soundfile

    rate = 44100
    t = np.arange(int(rate * seconds)) / rate
    track = (0.6 * np.sin(2 * np.pi * 60 * t) * (np.mod(t, 0.5) < 0.06)).astype(np.float32)
    soundfile.write(path, track, rate)


def run_case(name: str, extra: list[str], display: str, work: Path, seconds: float, size: str,
             env: dict[str, str], during: Any = None) -> dict[str, Any]:
    stats, log = work / f"{name}.stats.jsonl", work / f"{name}.log.jsonl"
    port = _free_port()
    command = [sys.executable, "-m", "shaderviz", "play", "--size", size, "--stats", str(stats),
               "--log", str(log), "--osc", f"127.0.0.1:{port}", "--snapshots", str(work), *extra]
    proc = subprocess.Popen(command, env={**env, "DISPLAY": display}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    sent: list[tuple[float, float]] = []
    try:
        time.sleep(seconds * 0.3)
        if during is not None:
            sent = during(port) or []
        time.sleep(seconds * 0.7)
    finally:
        proc.send_signal(2)  # SIGINT: ends like Esc, recordings finished
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
    if not stats.exists():
        print(f"{name}: play failed: {proc.stderr.read().decode(errors='replace')[-500:]}", file=sys.stderr)
        return {"name": name, "stats": [], "log": log, "sent": []}
    rows = [json.loads(line) for line in stats.read_text().splitlines() if line.strip()]
    return {"name": name, "stats": rows, "log": log, "sent": sent}


def frame_figures(rows: list[dict], skip: float) -> dict[str, float]:
    ms = np.array([r["ms"] for r in rows if r["t"] >= skip and "ms" in r])
    if ms.size == 0:
        return {"frames": 0}
    p50, p99 = float(np.percentile(ms, 50)), float(np.percentile(ms, 99))
    return {"frames": int(ms.size), "p50": round(p50, 2), "p99": round(p99, 2),
            "worst": round(float(ms.max()), 2), "p99_over_p50": round(p99 / p50, 2),
            "fps": round(1000.0 / float(ms.mean()), 1)}


def osc_latency(log: Path, sent: list[tuple[float, float]]) -> dict[str, float]:
    rows = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    origin = rows[0]["clock_origin"]
    starts = {r["f"]: origin + r["w"] for r in rows[1:] if "t" in r}
    ran = {}
    for r in rows[1:]:
        if r.get("c") == "set:rgb_split/amount" and "v" in r:
            ran.setdefault(round(float(r["v"]), 6), r["f"])
    frames = [(t, ran.get(round(v, 6))) for t, v in sent]
    latencies = [(starts[f] - t) * 1000 for t, f in frames if f is not None and f in starts]
    if not latencies:
        return {"count": 0}
    lat = np.array(latencies)
    return {"count": int(lat.size), "sent": len(sent), "p50_ms": round(float(np.percentile(lat, 50)), 2),
            "p99_ms": round(float(np.percentile(lat, 99)), 2), "max_ms": round(float(lat.max()), 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--skip", type=float, default=4.0)
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--osc-count", type=int, default=100)
    parser.add_argument("--cases", default="baseline,recording,audio file,audio input",
                        help="comma-separated: baseline, recording, audio file, audio input")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    wanted = {c.strip() for c in args.cases.split(",")}
    if not (shutil.which("Xvfb") and shutil.which("xdotool")):
        print("needs Xvfb and xdotool", file=sys.stderr)
        return 1
    from pythonosc.udp_client import SimpleUDPClient

    work = Path(tempfile.mkdtemp(prefix="shaderviz-control-"))
    _click_track(work / "clicks.wav", args.seconds + 5)
    server, display = _xvfb()
    env = dict(os.environ)
    jackd = None
    results: dict[str, Any] = {}
    try:
        def send_osc(port: int) -> list[tuple[float, float]]:
            client, sent = SimpleUDPClient("127.0.0.1", port), []
            for i in range(args.osc_count):
                value = 0.001 + i * 0.0001
                sent.append((time.perf_counter(), value))
                client.send_message("/shaderviz/fx/rgb_split/amount", value)
                time.sleep(0.05)
            return sent

        def record(port: int) -> None:
            SimpleUDPClient("127.0.0.1", port).send_message("/shaderviz/record", 1)

        cases = [("baseline", [], send_osc), ("recording", [], record),
                 ("audio file", ["--audio", str(work / "clicks.wav"), "--fx", "pixelate size=beat(8,1,0.2)",
                                 "--fx", "saturate amount=audio(bass,0,1)"], None)]
        if shutil.which("jackd") and "audio input" in wanted:
            env["JACK_DEFAULT_SERVER"] = f"svbench{os.getpid()}"
            jack = ["jackd", "--no-realtime", "-n", env["JACK_DEFAULT_SERVER"], "-d", "dummy", "-r", "44100",
                    "-p", "512"]
            jackd = subprocess.Popen(jack, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(2)
            live_input = ["--audio", "system", "--fx", "saturate amount=audio(level,0,1)"]
            cases.append(("audio input (JACK dummy)", live_input, None))
        for name, extra, during in cases:
            if name.split(" (")[0] not in wanted:
                continue
            done = run_case(name, ["--preset", "default"] if not any(e == "--fx" for e in extra) else extra,
                            display, work, args.seconds, args.size, env, during)
            results[name] = frame_figures(done["stats"], args.skip)
            if done["sent"]:
                results["osc latency"] = osc_latency(done["log"], done["sent"])
    finally:
        server.terminate()
        if jackd is not None:
            jackd.terminate()
    load = os.getloadavg()
    print(f"| case ({args.size}) | frames | p50 ms | p99 ms | p99/p50 | fps |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, fig in results.items():
        if name != "osc latency" and fig.get("frames"):
            cells = [fig[k] for k in ("frames", "p50", "p99", "p99_over_p50", "fps")]
            print(f"| {name} | " + " | ".join(str(c) for c in cells) + " |")
    lat = results.get("osc latency", {})
    if lat.get("count"):
        print(f"\nOSC command to frame: p50 {lat['p50_ms']} ms, p99 {lat['p99_ms']} ms, "
              f"max {lat['max_ms']} ms ({lat['count']} of {lat['sent']} commands)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"date": _dt.datetime.now().isoformat(timespec="seconds"), "loadavg": load,
                                    "size": args.size, "results": results}, indent=1))
    print(f"wrote {args.out} (load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
