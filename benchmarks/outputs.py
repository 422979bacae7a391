"""Outputs benchmark: render + encode against the encode-only floor per codec, file sizes,
batch throughput (1 and 2 jobs, local Ray) and a soak of 100 renders in one process.

Run ``python -m benchmarks.outputs`` from the repository root (``--quick``: smaller and
shorter; ``--only codecs,batch,soak``). Prints tables, writes
``benchmarks/results/outputs.json``. Not a test: nothing is asserted.

Render + encode vs floor, per codec and size: the default preset's loop (4 s at 30 fps;
``--quick``: 1 s) is rendered by ``shaderviz render --codec C`` as a subprocess, wall
clock and CPU (the process and its ffmpeg) all in, start-up included, like the
acceptance check. The floor is the bundled ffmpeg encoding the very same frames (rendered
once beforehand into a raw file, top row first) with the very same encoder arguments
(outputs/codecs.py) from that raw file. Ratio = render / floor; the goal is <= 1.3.
CPU seconds are shown too: on a shared machine they move less than wall clock.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from shaderviz.outputs import codecs  # noqa: E402
from shaderviz.outputs.ffmpeg import rate  # noqa: E402

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "outputs.json"
CODECS = ("h264", "hevc", "vp9", "hap", "hap_q", "prores", "prores_4444")
EXTRA_FORMATS = (".gif",)
SIZES = ((1280, 720), (1920, 1080))


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of a command (and its children)."""
    cpu0, wall0 = _cpu_children(), time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    return time.perf_counter() - wall0, _cpu_children() - cpu0


def _raw_frames(size: tuple[int, int], frames: int, channels: int, path: Path) -> None:
    """The default preset's frames, rendered in process, top row first, as raw RGB(A)."""
    from shaderviz.app.show import build_show
    from shaderviz.effects.registry import Registry
    from shaderviz.outputs.recorder import upload_picture
    from shaderviz.render.context import headless_context
    from shaderviz.render.renderer import Renderer

    registry = Registry.load()
    show = build_show(registry, None, "default", [], size)
    ctx = headless_context()
    renderer = Renderer(ctx, size, registry)
    current: object = object()
    try:
        with open(path, "wb") as out:
            for index in range(frames):
                frame = show.frame(index)
                key = show.source.key_at(frame.time, show.loop_number(index))
                if key != current:  # the source's picture (the default's GAN walks: one per frame)
                    upload_picture(show, renderer, key)
                    current = key
                target = renderer.render(show.chain, frame, show.generator)
                data = target.fbo.read(components=channels, alignment=1)
                out.write(np.frombuffer(data, np.uint8).reshape(size[1], size[0], channels)[::-1].tobytes())
    finally:
        renderer.release()
        show.source.close()
        ctx.release()


def bench_codecs(quick: bool, sizes: tuple[tuple[int, int], ...], names: tuple[str, ...]) -> list[dict]:
    seconds = 1 if quick else 4
    frames = 30 * seconds
    rows = []
    sv = [sys.executable, "-m", "shaderviz", "render", "--quiet", "--fps", "30", "--seconds", str(seconds)]
    with tempfile.TemporaryDirectory(prefix="sv-bench-") as tmp:
        scratch = Path(tmp)
        for size in sizes:
            raws = {}
            for name in (*names, *EXTRA_FORMATS):
                codec = codecs.CODECS.get(name)
                channels = 4 if codec is not None and (codec.alpha or codec.pix_fmt == "rgba") else 3
                if channels not in raws:
                    raws[channels] = scratch / f"frames{channels}.raw"
                    _raw_frames(size, frames, channels, raws[channels])
                suffix = codec.containers[0] if codec else name
                out = scratch / f"sv_{name.strip('.')}{suffix}"
                args = ["--codec", name] if codec else []
                wall, cpu = _timed([*sv, "--size", f"{size[0]}x{size[1]}", *args, "-o", str(out)])
                floor_out = scratch / f"floor_{name.strip('.')}{suffix}"
                source = ["-f", "rawvideo", "-pix_fmt", {3: "rgb24", 4: "rgba"}[channels], "-s",
                          f"{size[0]}x{size[1]}", "-r", rate(30), "-i", str(raws[channels])]
                if codec is not None:
                    floor_cmd = [codecs.ffmpeg_exe(), "-v", "error", "-y", *source, *codec.args(8.0),
                                 str(floor_out)]
                    floor_wall, floor_cpu = _timed(floor_cmd)
                else:  # GIF: GifWriter itself, fed the same frames (its palette pass and Pillow's part)
                    floor_wall, floor_cpu = _gif_floor(raws[channels], size, frames, floor_out)
                row = {"codec": name, "size": f"{size[0]}x{size[1]}", "frames": frames,
                       "render_wall_s": round(wall, 2), "render_cpu_s": round(cpu, 2),
                       "floor_wall_s": round(floor_wall, 2), "floor_cpu_s": round(floor_cpu, 2),
                       "x_floor_wall": round(wall / floor_wall, 2), "x_floor_cpu": round(cpu / floor_cpu, 2),
                       "bytes": out.stat().st_size, "kb_per_s": round(out.stat().st_size / 1024 / seconds)}
                rows.append(row)
                print(f"  {row['codec']:<12} {row['size']:>9}  render {wall:6.1f} s ({cpu:5.1f} cpu)  floor "
                      f"{floor_wall:6.1f} s ({floor_cpu:5.1f} cpu)  = {row['x_floor_wall']:.2f}x wall, "
                      f"{row['x_floor_cpu']:.2f}x cpu   {row['kb_per_s']:>7} KB/s", flush=True)
                out.unlink()
                floor_out.unlink()
    return rows


def _gif_floor(raw: Path, size: tuple[int, int], frames: int, out: Path) -> tuple[float, float]:
    """GifWriter's own encoding of raw frames (top row first: written flipped, as GL reads)."""
    from shaderviz.outputs.gif import GifWriter

    data = np.fromfile(raw, np.uint8).reshape(frames, size[1], size[0], 3)
    start_wall, start_cpu = time.perf_counter(), _cpu_self() + _cpu_children()
    writer = GifWriter(out, size, 30.0)
    for frame in data:
        writer.write(frame[::-1])
    writer.finish(lambda src, dst: os.replace(src, dst))
    return time.perf_counter() - start_wall, _cpu_self() + _cpu_children() - start_cpu


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _images(folder: Path, count: int) -> None:
    from PIL import Image

    folder.mkdir()
    rng = np.random.default_rng(4)
    for i in range(count):
        Image.fromarray((rng.random((360, 640, 3)) * 255).astype(np.uint8)).save(folder / f"img{i:02d}.png")


def bench_batch(quick: bool) -> list[dict]:
    """Loops per minute for a folder: --jobs 1, --jobs 2, --ray (local, own network namespace)."""
    count = 4 if quick else 8
    rows = []
    with tempfile.TemporaryDirectory(prefix="sv-batch-") as tmp:
        folder = Path(tmp) / "imgs"
        _images(folder, count)
        common = ["render", str(folder), "--fx", "rgb_split amount=sine(0,0.02)", "--size", "640x360",
                  "--seconds", "2", "--quiet"]
        runs = [("--jobs 1", ["--jobs", "1"]), ("--jobs 2", ["--jobs", "2"]), ("--ray (local)", ["--ray"])]
        for label, extra in runs:
            out = Path(tmp) / label.replace(" ", "").replace("-", "").replace("(", "").replace(")", "")
            cmd = [sys.executable, "-m", "shaderviz", *common, *extra, "-o", str(out)]
            if extra == ["--ray"]:
                if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"]).returncode:
                    print("  --ray: skipped (needs unshare -n to keep Ray off the network)")
                    continue
                quoted = " ".join(f"'{c}'" for c in cmd)
                cmd = ["unshare", "-n", "sh", "-c", f"ip link set lo up && {quoted}"]
            wall, cpu = _timed(cmd, env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"})
            rows.append({"run": label, "loops": count, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
                         "loops_per_minute": round(count / wall * 60, 1)})
            print(f"  {label:<14} {count} loops of 2 s at 640x360: {wall:6.1f} s = "
                  f"{count / wall * 60:5.1f} loops/min ({cpu:.1f} cpu s)", flush=True)
    return rows


def _rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def bench_soak(quick: bool) -> dict:
    """100 renders in a row in this process: RSS after each (DepthFlow users crash at ~20)."""
    from PIL import Image

    from shaderviz.app.show import build_show
    from shaderviz.effects.registry import Registry
    from shaderviz.outputs.recorder import record

    count = 20 if quick else 100
    registry = Registry.load()
    rss = []
    with tempfile.TemporaryDirectory(prefix="sv-soak-") as tmp:
        picture = Path(tmp) / "p.png"
        Image.fromarray((np.random.default_rng(5).random((180, 320, 3)) * 255).astype(np.uint8)).save(picture)
        for i in range(count):
            show = build_show(registry, str(picture), None, ["rgb_split amount=sine(0,0.03)", "blur radius=6",
                                                            "pixelsort lo=0.3 hi=0.8"], (320, 180), 30.0)
            out = Path(tmp) / ("loop.mp4" if i % 2 else "loop.gif")
            record(show, out, 15, progress=False)
            rss.append(_rss_kib())
    first, tenth, last = rss[0], rss[min(9, count - 1)], rss[-1]
    print(f"  {count} renders (15 frames each, 320x180, mp4 and gif in turn): RSS after the first "
          f"{first / 1024:.0f} MiB, after the 10th {tenth / 1024:.0f} MiB, after the last "
          f"{last / 1024:.0f} MiB "
          f"({(last - tenth) / 1024:+.1f} MiB from the 10th on)", flush=True)
    return {"renders": count, "rss_mib": [round(r / 1024, 1) for r in rss],
            "growth_after_10th_mib": round((last - tenth) / 1024, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 s loops, 720p only, fewer codecs and renders")
    parser.add_argument("--only", default="codecs,batch,soak", help="parts to run (codecs,batch,soak)")
    parser.add_argument("--codecs", default=",".join(CODECS), help="codecs to time")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))
    load_before = [round(x, 2) for x in os.getloadavg()]
    cpu = platform.processor() or platform.machine()
    print(f"machine: {cpu}, {os.cpu_count()} CPUs, loadavg {load_before}")
    results: dict = {"date": _dt.datetime.now().isoformat(timespec="seconds"), "quick": args.quick}
    if "codecs" in parts:
        print("\nRender + encode vs encode-only floor (default preset):")
        names = ("h264", "hap") if args.quick else tuple(args.codecs.split(","))
        results["codecs"] = bench_codecs(args.quick, SIZES[:1] if args.quick else SIZES, names)
    if "batch" in parts:
        print("\nBatch throughput:")
        results["batch"] = bench_batch(args.quick)
    if "soak" in parts:
        print("\nSoak:")
        results["soak"] = bench_soak(args.quick)
    results["machine"] = {"cpus": os.cpu_count(), "loadavg_before": load_before,
                          "loadavg_after": [round(x, 2) for x in os.getloadavg()]}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    results["commit"] = commit.stdout.strip()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {args.out} (loadavg after: {results['machine']['loadavg_after']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
