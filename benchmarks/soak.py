"""Soak: the live show for many frames and source swaps, with the controls running.

``python -m benchmarks.soak [--frames 10000] [--swaps 500]`` runs `play`'s live show
headless (no window: the same LiveShow, commands and controls) on a folder of images
at 320x180: a source swap (``next_source``) every frames/swaps frames with its crossfade,
a parameter set and an effect toggled through the command registry every few frames (as
OSC and MIDI do), beat and audio modulators fed by an audio file, the command log on. Every
``--every`` frames it notes the process's resident memory (RSS, from /proc) and the GL
objects alive (every object made through the context, minus those released). Prints a
table and writes JSON (default ``benchmarks/results/soak.json``). The test suite runs a
short version (tests/test_soak.py).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "soak.json"
FACTORIES = ("texture", "texture_array", "texture3d", "texture_cube", "depth_texture", "buffer",
             "framebuffer", "simple_framebuffer", "renderbuffer", "depth_renderbuffer", "program",
             "vertex_array", "simple_vertex_array", "compute_shader", "sampler")


class GLObjects:
    """Counts the GL objects made through ``ctx`` and not released yet."""

    def __init__(self, ctx: Any) -> None:
        self.made: dict[int, Any] = {}
        for name in FACTORIES:
            make = getattr(ctx, name, None)
            if make is not None:
                setattr(ctx, name, self._counting(make))

    def _counting(self, make: Any) -> Any:
        def made(*args: Any, **kwargs: Any) -> Any:
            obj = make(*args, **kwargs)
            self.made[id(obj)] = obj
            return obj

        return made

    def alive(self) -> int:
        """Objects not released yet; released ones are forgotten (holding them would grow
        the very memory the soak measures)."""
        import moderngl

        self.made = {k: o for k, o in self.made.items() if not isinstance(o.mglo, moderngl.mgl.InvalidObject)}
        return len(self.made)


def rss_kb() -> int:
    """Resident memory now (not the peak)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def soak(frames: int, swaps: int, every: int, size: tuple[int, int] = (320, 180),
         workdir: Path | None = None) -> dict[str, Any]:
    from PIL import Image

    from shaderviz.app.controls import ControlOptions, LiveControls
    from shaderviz.app.live import LiveOptions, LiveShow
    from shaderviz.app.show import build_show
    from shaderviz.app.stats import FrameStats
    from shaderviz.audio.inputs import AudioTrack
    from shaderviz.audio.music import Music
    from shaderviz.audio.tempo import Tempo
    from shaderviz.control.commands import Commands, command_specs
    from shaderviz.effects.registry import Registry
    from shaderviz.render.context import headless_context

    work = Path(workdir or tempfile.mkdtemp(prefix="shaderviz-soak-"))
    images = work / "images"
    images.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(5):
        small = rng.integers(0, 256, (9, 16, 3), dtype=np.uint8)
        Image.fromarray(small).resize(size, Image.BICUBIC).save(images / f"{i}.png")
    rate = 22050
    t = np.arange(rate * 4) / rate
    clicks = (np.sin(2 * np.pi * 60 * t) * (np.mod(t, 0.5) < 0.05)).astype(np.float32)
    import soundfile

    soundfile.write(work / "beat.wav", clicks, rate)

    registry = Registry.load()
    fx = ["rgb_split amount=audio(bass,0,0.05) angle=saw(0,360,1b)", "pixelate size=beat(8,1,0.2)",
          "blur radius=sine(1,12)", "pixelsort mode=flow speed=2"]
    show = build_show(registry, str(images), None, fx, size, 30.0, 4.0, 0, None, "flat", 3600.0)
    show.music = Music(Tempo(120.0), track=AudioTrack(work / "beat.wav"))
    ctx = headless_context()
    objects = GLObjects(ctx)
    commands = Commands(lambda: command_specs(registry))
    live = LiveShow(ctx, show, LiveOptions(transition=0.2), commands, FrameStats(None), lambda text: None)
    args = {"input": str(images), "preset": None, "fx": fx, "size": list(size), "fps": 30.0, "seconds": 4.0,
            "seed": 0, "fit": None, "depth": "flat", "cycle": 3600.0, "depth_model": None, "effects_dir": [],
            "bank": [], "transition": 0.2, "scale": None, "render_size": None}
    controls = LiveControls(ControlOptions(log=work / "soak.jsonl", log_args=args))
    listeners: list = []
    controls.attach(commands, live, lambda text: None, listeners)
    swap_every = max(1, frames // max(1, swaps))
    rows, done_swaps = [], 0
    started = time.perf_counter()
    try:
        for index in range(frames):
            if index % swap_every == swap_every - 1:
                commands.post("next_source")
                done_swaps += 1
            if index % 7 == 0:
                commands.post("set:blur/radius", True, float(index % 13))
            if index % 50 == 25:
                commands.post("toggle:pixelate")
            commands.pump()
            controls.before_frame()
            output = live.step()
            for listener in listeners:
                listener(output, live.frame)
            if index % every == 0 or index == frames - 1:
                ctx.finish()
                rows.append({"frame": index, "rss_kb": rss_kb(), "gl_objects": objects.alive(),
                             "seconds": round(time.perf_counter() - started, 2)})
    finally:
        controls.release()
        live.release()
        left = objects.alive()
        ctx.release()
    return {"frames": frames, "swaps": done_swaps, "size": list(size), "rows": rows,
            "gl_objects_after_release": left, "log_lines": sum(1 for _ in open(work / "soak.jsonl"))}


def summary(result: dict[str, Any], skip: float = 0.2) -> dict[str, Any]:
    """First and last figures after the warm-up (the first ``skip`` of the run)."""
    rows = result["rows"]
    settled = [r for r in rows if r["frame"] >= result["frames"] * skip] or rows
    first, last = settled[0], settled[-1]
    return {"rss_kb_first": first["rss_kb"], "rss_kb_last": last["rss_kb"],
            "rss_kb_max": max(r["rss_kb"] for r in settled),
            "rss_growth_kb": last["rss_kb"] - first["rss_kb"],
            "gl_first": first["gl_objects"], "gl_last": last["gl_objects"],
            "gl_max": max(r["gl_objects"] for r in settled), "seconds": rows[-1]["seconds"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=10000)
    parser.add_argument("--swaps", type=int, default=500)
    parser.add_argument("--every", type=int, default=500, help="frames between measurements")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    result = soak(args.frames, args.swaps, args.every)
    figures = summary(result)
    print("| frame | RSS MB | GL objects | s |\n|---:|---:|---:|---:|")
    for row in result["rows"]:
        print(f"| {row['frame']} | {row['rss_kb'] / 1024:.1f} | {row['gl_objects']} | {row['seconds']} |")
    mb = {k: figures[k] / 1024 for k in ("rss_kb_first", "rss_kb_last", "rss_kb_max")}
    print(f"\n{result['frames']} frames, {result['swaps']} source swaps: RSS {mb['rss_kb_first']:.1f} -> "
          f"{mb['rss_kb_last']:.1f} MB after the first 20 % (max {mb['rss_kb_max']:.1f}); "
          f"GL objects {figures['gl_first']} -> {figures['gl_last']} (max {figures['gl_max']}); "
          f"{result['gl_objects_after_release']} left after release; {figures['seconds']} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    args.out.write_text(json.dumps({"date": _dt.datetime.now().isoformat(timespec="seconds"), "loadavg": load,
                                    "summary": figures, **result}, indent=1))
    print(f"wrote {args.out} (load average {load[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
