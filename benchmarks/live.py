"""Live frame pacing: `shaderviz play` in a real window under Xvfb, measured with `--stats`.

Run ``python -m benchmarks.live`` from the repository root (needs Xvfb and xdotool). Each
case starts ``shaderviz play --size 1280x720 --stats FILE ...`` in a 1280x720 window on a
private Xvfb server, lets it play for ``--seconds``, presses Escape and reads the stats
file: one JSON line per shown frame (``t``, ``ms``, worker events, depth lag).

Per case it reports the frame time p50 / p99 / worst (ms between shown frames) over the
frames after ``--skip`` seconds (start-up: shader compiles, the first image, the depth
model loading), the worst frame after the first three (start-up stalls count there),
fps, depth estimates (count, ms p50) and, on video, the depth lag in video frames. The
same cases run again with ``--scale 0.5`` where `play` has it. Prints a markdown table
and writes JSON (default ``benchmarks/results/live.json``), with the load average and
the busiest other processes, because figures taken on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "live.json"
SIZE = "1280x720"
GOAL_P50_MS = 33.4  # 30 fps
GOAL_P99_X_P50 = 1.5
GOAL_LAG_FRAMES = 3


@dataclass
class LiveCase:
    name: str
    args: list[str]
    needs: str = ""  # "photo" | "video": an input made by the script


CASES = (
    LiveCase("default", []),
    LiveCase("glitch", ["--preset", "glitch"]),
    LiveCase("melt", ["--preset", "melt"]),
    LiveCase("photo+depth", ["{photo}", "--fx", "rgb_split amount=0.02 depth_min=0.5"], "photo"),
    LiveCase("video+depth", ["{video}", "--fx", "saturate amount=-1 depth_max=0.5"], "video"),
)


@dataclass
class LiveResult:
    case: str
    scale: float
    frames: int
    seconds: float
    fps: float
    p50_ms: float
    p99_ms: float
    worst_ms: float
    worst_after_start_ms: float  # the worst frame after the first three (start-up stalls)
    depth_estimates: int = 0
    depth_ms_p50: float | None = None
    depth_lag_p50: float | None = None
    depth_lag_max: float | None = None
    depth_first_s: float | None = None  # when the first depth map reached the GPU
    code: str = "current"  # or "baseline": the checkout given by --baseline
    cpu_ms_per_frame: float | None = None  # CPU time of `play` (all its threads) per shown frame
    xvfb_cpu_ms_per_frame: float | None = None  # ... and of the X server, which shows the frames
    note: str = ""
    args: list[str] = field(default_factory=list)


def make_inputs(folder: Path) -> dict[str, Path]:
    """A 1280x720 photo-like image (smooth coloured noise, darker below) and a 4 s video
    panning over a larger one, both seeded."""
    from PIL import Image

    rng = np.random.default_rng(6)
    layers = []
    for cells in (12, 24, 48):  # smooth noise at three scales
        small = Image.fromarray((rng.random((cells * 9 // 16 + 2, cells + 2)) * 255).astype(np.uint8))
        layers.append(np.asarray(small.resize((1600, 900), Image.BICUBIC), np.float32))
    big = np.stack(layers, -1)
    big[450:] *= 0.6
    big_img = Image.fromarray(np.clip(big, 0, 255).astype(np.uint8))
    photo = folder / "photo.png"
    big_img.resize((1280, 720), Image.BICUBIC).save(photo)
    video = folder / "pan.mp4"
    import imageio.v2 as iio

    with iio.get_writer(str(video), fps=30, codec="libx264", quality=7, macro_block_size=8) as writer:
        for i in range(120):
            x = int(round(i * 320 / 119))
            writer.append_data(np.asarray(big_img.crop((x, 90, x + 1280, 810))))
    return {"photo": photo, "video": video}


# -- Xvfb ------------------------------------------------------------------------------------


def _xdotool(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True, timeout=20)
    return done.stdout.strip()


def wait_for_window(env: dict[str, str], proc: subprocess.Popen, seconds: float = 60) -> str:
    """The id of play's visible window once it is up ("" if it never came or play ended)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        found = _xdotool(env, "search", "--onlyvisible", "--name", "shaderviz").split()
        if found:
            return found[0]
        time.sleep(0.2)
    return ""


def start_xvfb() -> tuple[subprocess.Popen, dict[str, str]]:
    for _ in range(5):
        number = random.randint(300, 30000)
        if Path(f"/tmp/.X{number}-lock").exists():
            continue
        server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        env = {**os.environ, "DISPLAY": f":{number}"}
        env.pop("WAYLAND_DISPLAY", None)
        deadline = time.monotonic() + 15
        while server.poll() is None and time.monotonic() < deadline:
            if _xdotool(env, "getmouselocation"):
                return server, env
            time.sleep(0.1)
        server.kill()
        server.wait()
    raise SystemExit("could not start Xvfb")


# -- one case --------------------------------------------------------------------------------


def run_case(case: LiveCase, inputs: dict[str, Path], scale: float, seconds: float, skip: float,
             env: dict[str, str], work: Path, xvfb_pid: int, root: Path = ROOT) -> LiveResult:
    stats = work / f"{case.name}-{scale:g}-{root.name}.jsonl"
    args = [a.format(**{k: str(v) for k, v in inputs.items()}) for a in case.args]
    extra = ["--scale", f"{scale:g}"] if scale != 1.0 else []
    command = [sys.executable, "-m", "shaderviz", "play", *args, "--size", SIZE, "--stats", str(stats),
               "--snapshots", str(work), *extra]
    log = work / f"{case.name}-{scale:g}-{root.name}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=root)
    try:
        window = wait_for_window(env, proc)
        if not window:
            raise RuntimeError(f"{case.name}: no window ({log.read_text(errors='replace')[-300:]})")
        cpu_start = (cpu_seconds(proc.pid), cpu_seconds(xvfb_pid), _line_count(stats))
        time.sleep(seconds)
        cpu_end = (cpu_seconds(proc.pid), cpu_seconds(xvfb_pid), _line_count(stats))
        _xdotool(env, "key", "--window", window, "Escape")
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    rows = [json.loads(line) for line in stats.read_text().splitlines() if line.strip()]
    result = summarise(case, scale, rows, skip, command)
    frames = max(1, cpu_end[2] - cpu_start[2])
    result.cpu_ms_per_frame = round((cpu_end[0] - cpu_start[0]) * 1000 / frames, 1)
    result.xvfb_cpu_ms_per_frame = round((cpu_end[1] - cpu_start[1]) * 1000 / frames, 1)
    return result


def mesa_cache_dir() -> str:
    """Where Mesa keeps compiled shaders for this user (its own default)."""
    if os.environ.get("MESA_SHADER_CACHE_DIR"):
        return os.environ["MESA_SHADER_CACHE_DIR"]
    return str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mesa_shader_cache")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process, all its threads (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _line_count(path: Path) -> int:
    """Lines written so far (the stats file is flushed twice a second)."""
    try:
        return path.read_bytes().count(b"\n")
    except OSError:
        return 0


def summarise(case: LiveCase, scale: float, rows: list[dict], skip: float, command: list[str]) -> LiveResult:
    t = np.array([r["t"] for r in rows], float)
    ms = np.array([r["ms"] for r in rows], float)
    steady = ms[t >= skip] if (t >= skip).sum() > 10 else ms[3:]
    after_start = ms[3:] if len(ms) > 3 else ms
    events = [e for r in rows for e in r.get("events", []) if e.get("kind") == "depth"]
    depth_ms = [e["ms"] for e in events if "ms" in e]
    lags = np.array([r["depth_lag"] for r in rows
                     if r.get("depth_lag") is not None and r["t"] >= skip], float)
    first = next((r["t"] for r in rows for e in r.get("events", []) if e.get("kind") == "depth"), None)
    span = t[-1] - t[t >= skip][0] if (t >= skip).any() else t[-1]
    return LiveResult(
        case=case.name,
        scale=scale,
        frames=len(rows),
        seconds=round(float(t[-1]), 2),
        fps=round(len(steady) / span, 1) if span > 0 else 0.0,
        p50_ms=round(float(np.median(steady)), 2),
        p99_ms=round(float(np.percentile(steady, 99)), 2),
        worst_ms=round(float(steady.max()), 1),
        worst_after_start_ms=round(float(after_start.max()), 1),
        depth_estimates=len(depth_ms),
        depth_ms_p50=round(float(np.median(depth_ms)), 1) if depth_ms else None,
        depth_lag_p50=float(np.median(lags)) if len(lags) else None,
        depth_lag_max=float(lags.max()) if len(lags) else None,
        depth_first_s=first,
        args=command[3:],
    )


# -- report ----------------------------------------------------------------------------------


def busy_processes(limit: int = 8) -> list[str]:
    """The busiest processes right now (what else is sharing the machine)."""
    done = subprocess.run(["ps", "-eo", "pcpu,comm,args", "--sort=-pcpu"], capture_output=True, text=True)
    lines = done.stdout.splitlines()[1 : limit + 1]
    return [" ".join(line.split()[:2]) + " " + " ".join(line.split()[2:])[:100] for line in lines]


def table(results: list[LiveResult]) -> str:
    lines = ["| case | code | scale | fps | p50 ms | p99 ms | p99/p50 | worst ms | worst after 3 frames | "
             "depth ms p50 (count) | depth lag (frames) p50 / max | CPU ms/frame play + X |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for r in results:
        if r.note:
            lines.append(f"| {r.case} | {r.code} | {r.scale:g} | {r.note} |  |  |  |  |  |  |  |  |")
            continue
        cpu = "-"
        if r.cpu_ms_per_frame is not None:
            cpu = f"{r.cpu_ms_per_frame:.0f} + {r.xvfb_cpu_ms_per_frame:.0f}"
        lag = f"{r.depth_lag_p50:g} / {r.depth_lag_max:g}" if r.depth_lag_p50 is not None else "-"
        depth = f"{r.depth_ms_p50:.0f} ({r.depth_estimates})" if r.depth_ms_p50 is not None else "-"
        lines.append(f"| {r.case} | {r.code} | {r.scale:g} | {r.fps:.1f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
                     f"{r.p99_ms / r.p50_ms:.2f} | {r.worst_ms:.0f} | {r.worst_after_start_ms:.0f} | "
                     f"{depth} | {lag} | {cpu} |")
    return "\n".join(lines)


def goals(results: list[LiveResult]) -> list[str]:
    out = []
    for r in results:
        if r.note:
            continue
        ok = r.p50_ms <= GOAL_P50_MS and r.p99_ms <= GOAL_P99_X_P50 * r.p50_ms
        if r.depth_lag_max is not None:
            ok = ok and r.depth_lag_max <= GOAL_LAG_FRAMES
        out.append(f"{r.case} ({r.code}) scale {r.scale:g}: {'met' if ok else 'MISSED'}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="play time per case (default 20)")
    parser.add_argument("--skip", type=float, default=5.0, help="start-up seconds left out of p50/p99")
    parser.add_argument("--cases", default=",".join(c.name for c in CASES), help="comma-separated case names")
    parser.add_argument("--scales", default="1,0.5", help="render scales to run (default 1,0.5)")
    parser.add_argument("--label", default="", help="a label stored in the JSON (e.g. before / after)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="another checkout (e.g. `git archive` of an older commit) to run each case from "
                             "too, alternating with this one, so both see the same machine load")
    args = parser.parse_args(argv)
    if not (shutil.which("Xvfb") and shutil.which("xdotool")):
        raise SystemExit("needs Xvfb and xdotool (apt-get install xvfb xauth xdotool)")
    roots = [(ROOT, "current")] + ([(args.baseline.resolve(), "baseline")] if args.baseline else [])
    has_scale = {root: "--scale" in subprocess.run([sys.executable, "-m", "shaderviz", "play", "--help"],
                                                   capture_output=True, text=True, cwd=root).stdout
                 for root, _ in roots}
    wanted = set(args.cases.split(","))
    scales = [float(s) for s in args.scales.split(",")]
    load_before = os.getloadavg()
    busy = busy_processes()
    results: list[LiveResult] = []
    server, env = start_xvfb()
    try:
        with tempfile.TemporaryDirectory(prefix="shaderviz-live-") as tmp:
            work = Path(tmp)
            # No depth maps cached from earlier runs, but Mesa's shader cache where it always is:
            # with it empty, llvmpipe compiled each shader variant at its first draw (the default
            # show's first crossfade: a 170-240 ms frame), and only the code run first paid that
            env = {**env, "XDG_CACHE_HOME": str(work / "cache"), "MESA_SHADER_CACHE_DIR": mesa_cache_dir()}
            inputs = make_inputs(work)
            for scale in scales:
                for case in (c for c in CASES if c.name in wanted):
                    for root, code in roots:
                        if scale != 1.0 and not has_scale[root]:
                            results.append(LiveResult(case.name, scale, 0, 0, 0, 0, 0, 0, 0,
                                                      note="no --scale", code=code))
                            continue
                        print(f"{case.name} ({code}, scale {scale:g}) ...", file=sys.stderr, flush=True)
                        result = run_case(case, inputs, scale, args.seconds, args.skip, env, work,
                                          server.pid, root)
                        result.code = code
                        results.append(result)
    finally:
        server.terminate()
        server.wait(10)
    report = {
        "label": args.label,
        "date": _dt.datetime.now().isoformat(timespec="seconds"),
        "git_commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                     cwd=ROOT).stdout.strip(),
        "window": SIZE,
        "seconds_per_case": args.seconds,
        "skip_seconds": args.skip,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "busy_processes_at_start": busy,
        "cores": os.cpu_count(),
        "goals": {"p50_ms": GOAL_P50_MS, "p99_over_p50": GOAL_P99_X_P50, "depth_lag_frames": GOAL_LAG_FRAMES},
        "results": [asdict(r) for r in results],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(table(results))
    print()
    print("goals (p50 <= 33.4 ms, p99 <= 1.5 x p50, video depth lag <= 3 frames): "
          + "; ".join(goals(results)))
    print(f"load average before {report['loadavg_before']}, after {report['loadavg_after']}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
