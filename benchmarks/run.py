"""Effects-chain benchmark: GPU cost of each effect, the default preset, and record().

Run ``python -m benchmarks.run`` (or ``python benchmarks/run.py``) from the repository
root; ``--quick`` for a smoke check. Prints a markdown table, writes JSON. See
benchmarks/README.md for what each number means.

Method, in short: one headless context, one fixed noise image uploaded once per size.
Each case renders warm-up frames (shader compile, buffer allocation), then N frames
back to back, then ``ctx.finish()`` plus a 1-pixel read, timed on the wall clock;
repeated a few times, median taken. After every frame a 1x1 scratch framebuffer is
cleared: that hands the frame's draws to the GPU (Mesa llvmpipe bins draws per
framebuffer and drops an opaque full-screen draw that a later one into the same
framebuffer overwrites, so without it single-pass effects look 4-5x cheaper than they
are) without waiting for them, so frames still overlap as in ``play`` and ``render``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import moderngl
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: make `shaderviz` importable from a checkout
    sys.path.insert(0, str(ROOT))

from shaderviz.effects.chain import EffectInstance, make_instance, parse_fx  # noqa: E402
from shaderviz.effects.registry import Registry  # noqa: E402
from shaderviz.effects.spec import scale_factor  # noqa: E402
from shaderviz.presets import load_preset  # noqa: E402
from shaderviz.render.context import headless_context  # noqa: E402
from shaderviz.render.renderer import Frame, Renderer, Target  # noqa: E402

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "chain.json"
COPY_EFFECT = "bench_copy"
# The yardstick: a real effect file, compiled through the same prelude and depth-gate
# epilogue as every built-in, so its pass is exactly the kind a one-pass effect runs.
COPY_SOURCE = """/*{
  "description": "Benchmark yardstick: copy the input, one full-screen pass."
}*/
vec4 effect(vec2 uv) {
    return texture(inputImage, uv);
}
"""
NOISE_SEED = 20240601
BLUR16 = "blur radius=16"
SWEEP_RADII = (2, 4, 6, 8, 12, 16, 32, 64)
TARGET_PRESET_FPS = 30.0
TARGET_BLUR_X_COPY = 3.0


@dataclass(frozen=True)
class Settings:
    reps: int  # timed repetitions per case (median reported)
    rep_seconds: float  # aim for about this long per repetition ...
    min_frames: int  # ... but never fewer frames than this
    max_frames: int
    warmup_frames: int
    estimate_frames: int  # frames timed once to choose N
    sweep: bool  # blur radius sweep at the largest size


QUICK = Settings(reps=3, rep_seconds=0.2, min_frames=2, max_frames=200, warmup_frames=1, estimate_frames=1,
                 sweep=False)
FULL = Settings(reps=5, rep_seconds=1.0, min_frames=5, max_frames=1000, warmup_frames=3, estimate_frames=2,
                sweep=True)


@dataclass
class Case:
    label: str  # row name in the table
    kind: str  # copy | effect | generator | preset | sweep
    chain: list[EffectInstance]
    generator: EffectInstance | None = None
    params: dict = field(default_factory=dict)  # effective parameter values, for the JSON
    seed: int = 0
    loop_frames: int = 120
    fps: float = 30.0


@dataclass
class Result:
    label: str
    kind: str
    size: str
    ms_per_frame: float  # median over repetitions
    fps: float
    x_copy: float | None
    rep_ms: list[float]
    frames_per_rep: int
    params: dict


# -- measuring ---------------------------------------------------------------------------


class Bench:
    def __init__(self, ctx: moderngl.Context, registry: Registry, settings: Settings) -> None:
        self.ctx, self.registry, self.settings = ctx, registry, settings
        self.scratch = ctx.framebuffer(color_attachments=[ctx.renderbuffer((1, 1))])
        self._frame_counter = 0

    def release(self) -> None:
        for attachment in self.scratch.color_attachments:
            attachment.release()
        self.scratch.release()

    def _frame(self, case: Case) -> Frame:
        # Walk the loop with a stride coprime to it, so a few frames still visit the
        # whole range of every modulated parameter (e.g. the preset's pixel size).
        i = self._frame_counter
        self._frame_counter += 1
        index = (i * 37) % case.loop_frames
        return Frame(index, index / case.fps, index / case.loop_frames, case.seed)

    def _run(self, renderer: Renderer, case: Case, frames: int) -> float:
        """Render ``frames`` frames back to back; seconds until the GPU is done."""
        ctx = self.ctx
        ctx.finish()
        target: Target | None = None
        start = time.perf_counter()
        for _ in range(frames):
            target = renderer.render(case.chain, self._frame(case), case.generator)
            self.scratch.clear()  # submit this frame's draws (no wait); see module docstring
        ctx.finish()
        if target is not None:
            target.fbo.read(viewport=(0, 0, 1, 1), components=3)
        return time.perf_counter() - start

    def measure(self, runs: list[tuple[Renderer, Case]], reps: int | None = None,
                rep_seconds: float | None = None) -> list[tuple[float, list[float], int]]:
        """Per case: (median ms/frame, per-repetition ms/frame, frames per repetition).

        Repetitions go round-robin over the cases (copy, blur, ..., copy, blur, ...), so
        a change in machine load during the run hits every case alike, not just one.
        """
        s = self.settings
        reps = reps or s.reps
        rep_seconds = rep_seconds or s.rep_seconds
        frames = []
        for renderer, case in runs:
            self._run(renderer, case, s.warmup_frames)  # compile, allocate, fault in
            estimate = self._run(renderer, case, s.estimate_frames) / s.estimate_frames
            wanted = math.ceil(rep_seconds / max(estimate, 1e-6))
            frames.append(int(min(s.max_frames, max(s.min_frames, wanted))))
        rep_ms: list[list[float]] = [[] for _ in runs]
        for _ in range(reps):
            for (renderer, case), n, sink in zip(runs, frames, rep_ms, strict=True):
                self._run(renderer, case, 1)  # re-allocate the buffers the last case dropped
                sink.append(1000.0 * self._run(renderer, case, n) / n)
        return [(statistics.median(ms), ms, n) for ms, n in zip(rep_ms, frames, strict=True)]


class _TimedPass:
    """Stands in for one pass's vertex array: waits for the GPU before and after it."""

    def __init__(self, ctx: moderngl.Context, vao: moderngl.VertexArray, sink: list[float]) -> None:
        self.ctx, self.vao, self.sink = ctx, vao, sink

    def render(self, *args, **kwargs) -> None:
        self.ctx.finish()
        start = time.perf_counter()
        self.vao.render(*args, **kwargs)
        self.ctx.finish()
        self.sink.append(time.perf_counter() - start)


def blur_passes(bench: Bench, renderer: Renderer, instance: EffectInstance, frames: int) -> list[dict]:
    """Time each pass of one multi-pass effect separately (synchronised per pass).

    Reaches into the renderer's compiled programs (``Renderer.compiled``) and swaps
    the vertex arrays for timed stand-ins, restored afterwards.
    """
    spec = bench.registry.get(instance.name)
    case = Case(instance.describe(spec), "effect", [instance])
    bench._run(renderer, case, bench.settings.warmup_frames)
    compiled = renderer.compiled(spec)
    if compiled is None:
        return []
    originals = list(compiled.vaos)
    sinks: list[list[float]] = [[] for _ in originals]
    compiled.vaos[:] = [_TimedPass(bench.ctx, vao, sink) for vao, sink in zip(originals, sinks, strict=True)]
    try:
        bench._run(renderer, case, frames)
    finally:
        compiled.vaos[:] = originals
    width, height = renderer.size
    rows = []
    last = len(spec.passes) - 1
    for index, (pass_spec, sink) in enumerate(zip(spec.passes, sinks, strict=True)):
        value = instance.value(spec, pass_spec.scale_by) if pass_spec.scale_by else None
        factor = scale_factor(float(value)) if value is not None else 1
        out = (width, height) if index == last else (math.ceil(width / factor), math.ceil(height / factor))
        rows.append({
            "pass": index,
            "target": pass_spec.target or "(output)",
            "output_size": f"{out[0]}x{out[1]}",
            "ms": 1000.0 * statistics.median(sink) if sink else float("nan"),
        })
    total = sum(r["ms"] for r in rows)
    for r in rows:
        r["share"] = r["ms"] / total if total else float("nan")
    return rows


# -- cases -------------------------------------------------------------------------------


def make_registry(tmp: Path) -> Registry:
    """Built-in effects plus the copy yardstick; the user's effect folder is ignored so
    the numbers are for the shipped shaders."""
    effects = tmp / "effects"
    effects.mkdir()
    (effects / f"{COPY_EFFECT}.glsl").write_text(COPY_SOURCE, encoding="utf-8")
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")  # this process only
    return Registry.load([effects])


def effect_params(registry: Registry, instance: EffectInstance, kind: str = "effect") -> dict:
    spec = registry.get(instance.name, kind)
    return {p.name: _jsonable(instance.value(spec, p.name)) for p in spec.params}


def _jsonable(value: object) -> object:
    return value if isinstance(value, (int, float, str, bool)) or value is None else str(value)


def build_cases(registry: Registry) -> list[Case]:
    cases = [Case("copy (yardstick)", "copy", [parse_fx(COPY_EFFECT, registry)])]
    for spec in registry.of_kind("effect"):
        if spec.name == COPY_EFFECT:
            continue
        instance = make_instance(spec, {})
        cases.append(Case(spec.name, "effect", [instance], params=effect_params(registry, instance)))
    blur = parse_fx(BLUR16, registry)
    cases.append(Case(BLUR16, "effect", [blur], params=effect_params(registry, blur)))
    clouds = make_instance(registry.get("clouds", "source"), {})
    cases.append(Case("clouds (generator, no effects)", "generator", [], clouds,
                      params=effect_params(registry, clouds, "source")))
    preset = load_preset("default", registry)
    source = (preset.source or "clouds").partition(":")[0]  # gan:clouds,landscape,books -> the gan effect
    generator = make_instance(registry.get(source, "source"), preset.generator)
    chain_names = " > ".join(i.name for i in preset.chain)
    cases.append(Case(
        f"preset default ({source} > " + chain_names + ")", "preset", preset.chain, generator,
        params={"generator": source, **{k: _jsonable(v) for k, v in preset.generator.items()},
                "chain": [i.recipe(registry.get(i.name)) for i in preset.chain]},
        seed=preset.seed or 0,
        loop_frames=max(1, round((preset.seconds or 4.0) * (preset.fps or 30.0))),
        fps=preset.fps or 30.0,
    ))
    return cases


def noise_image(size: tuple[int, int]) -> np.ndarray:
    return np.random.default_rng(NOISE_SEED).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)


def run_size(bench: Bench, size: tuple[int, int], cases: list[Case], sweep: bool) -> dict:
    label = f"{size[0]}x{size[1]}"
    # Effects read a noise image uploaded once; the preset draws its own source with its
    # generator (into its renderer's source texture), so it gets a renderer of its own.
    images = Renderer(bench.ctx, size, bench.registry)
    generated = Renderer(bench.ctx, size, bench.registry)
    results: list[Result] = []
    out: dict = {"results": results}
    try:
        images.upload_source(noise_image(size))
        # A GAN source's image (64x64, what the shipped GANs make) for its upscaling effect;
        # in `play` a worker makes it, here it is uploaded once (benchmarks/generators.py
        # measures the walk with generation and uploads included).
        generated.upload_generated(noise_image((64, 64)))
        runs = [(generated if case.generator is not None else images, case) for case in cases]
        measured = bench.measure(runs)
        copy_ms = next(m[0] for m, case in zip(measured, cases, strict=True) if case.kind == "copy")
        for case, (median, rep_ms, frames) in zip(cases, measured, strict=True):
            results.append(Result(case.label, case.kind, label, median, 1000.0 / median, median / copy_ms,
                                  rep_ms, frames, case.params))
            _progress(f"{label:>9}  {case.label:<40} {median:8.2f} ms/frame  {median / copy_ms:6.2f}x copy"
                      f"  ({frames} frames x {len(rep_ms)})")
        blur = next(case for case in cases if case.label == BLUR16)
        passes = blur_passes(bench, images, blur.chain[0], max(3, bench.settings.min_frames))
        out["blur16_passes"] = passes
        _progress(f"{label:>9}  {BLUR16} per pass (synchronised): "
                  + ", ".join(f"#{p['pass']} {p['target']} {p['ms']:.2f} ms" for p in passes))
        if sweep:
            out["blur_sweep"] = blur_sweep(bench, images, cases[0])
    finally:
        images.release()
        generated.release()
    return out


def blur_sweep(bench: Bench, renderer: Renderer, copy: Case) -> list[dict]:
    """Blur at several radii (across the 1/2 and 1/4 downsampling steps), with its own copy."""
    cases = [copy] + [Case(f"blur radius={r}", "sweep", [parse_fx(f"blur radius={r}", bench.registry)])
                      for r in SWEEP_RADII]
    measured = bench.measure([(renderer, case) for case in cases], reps=3, rep_seconds=0.4)
    copy_ms = measured[0][0]
    rows = []
    for radius, (median, rep_ms, frames) in zip(SWEEP_RADII, measured[1:], strict=True):
        rows.append({"radius": radius, "scale_factor": scale_factor(radius), "ms_per_frame": median,
                     "x_copy": median / copy_ms, "copy_ms": copy_ms, "rep_ms": rep_ms,
                     "frames_per_rep": frames})
        _progress(f"{'':>9}  sweep blur radius={radius:<3} {median:8.2f} ms/frame"
                  f"  {median / copy_ms:5.2f}x copy")
    return rows


def measure_record(registry: Registry, size: tuple[int, int]) -> dict:
    """record() the default preset's 4 s loop to a temporary .mp4; wall clock, all in."""
    from shaderviz.app.show import build_show
    from shaderviz.outputs.recorder import record

    show = build_show(registry, preset_name="default", size=size)
    frames = show.loop_frames
    with tempfile.TemporaryDirectory(prefix="shaderviz-bench-") as tmp:
        out = Path(tmp) / "default.mp4"
        start = time.perf_counter()
        record(show, out, frames, progress=False)
        seconds = time.perf_counter() - start
        size_bytes = out.stat().st_size
    fps = frames / seconds
    return {
        "preset": "default", "size": f"{size[0]}x{size[1]}", "frames": frames, "loop_seconds": show.seconds,
        "video_fps": show.fps, "format": "mp4 (libx264, quality 8)", "wall_seconds": seconds,
        "frames_per_second": fps, "x_realtime": fps / show.fps, "bytes": size_bytes,
    }


# -- machine -----------------------------------------------------------------------------


def machine(ctx: moderngl.Context) -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "gl_renderer": ctx.info.get("GL_RENDERER"),
        "gl_version": ctx.info.get("GL_VERSION"),
        "gl_vendor": ctx.info.get("GL_VENDOR"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "lp_num_threads": os.environ.get("LP_NUM_THREADS"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "moderngl": moderngl.__version__,
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# -- report ------------------------------------------------------------------------------


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def table(results: list[Result]) -> str:
    lines = ["| effect | size | ms/frame | fps | × copy |", "|---|---|---:|---:|---:|"]
    for r in results:
        x = f"{r.x_copy:.2f}" if r.x_copy is not None else "-"
        lines.append(f"| {r.label} | {r.size} | {r.ms_per_frame:.2f} | {r.fps:.1f} | {x} |")
    return "\n".join(lines)


def targets(results: list[Result]) -> list[dict]:
    def find(kind: str, size: str, label: str | None = None) -> Result | None:
        return next((r for r in results if r.kind == kind and r.size == size
                     and (label is None or r.label == label)), None)

    def status(result: Result | None, ok: bool) -> str:
        return "NOT MEASURED" if result is None else ("PASS" if ok else "MISS")

    out = []
    preset = find("preset", "1280x720")
    out.append({
        "name": f"default preset >= {TARGET_PRESET_FPS:g} frames/s render-only at 1280x720",
        "value": None if preset is None else round(preset.fps, 2), "unit": "frames/s",
        "status": status(preset, preset is not None and preset.fps >= TARGET_PRESET_FPS),
    })
    blur = find("effect", "1920x1080", BLUR16)
    out.append({
        "name": f"{BLUR16} at 1920x1080 <= {TARGET_BLUR_X_COPY:g}x a copy pass",
        "value": None if blur is None else round(blur.x_copy, 2), "unit": "x copy",
        "status": status(blur, blur is not None and (blur.x_copy or math.inf) <= TARGET_BLUR_X_COPY),
    })
    return out


def parse_sizes(text: str) -> list[tuple[int, int]]:
    from shaderviz.presets import parse_size

    try:
        return [parse_size(item) for item in text.split(",") if item.strip()]
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repetitions; no blur sweep")
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes("1280x720,1920x1080"),
                        help="comma-separated WIDTHxHEIGHT list (default 1280x720,1920x1080)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    parser.add_argument("--no-record", action="store_true", help="skip the record() throughput run")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    started = time.perf_counter()
    load_before = _loadavg()

    with tempfile.TemporaryDirectory(prefix="shaderviz-bench-") as tmp:
        registry = make_registry(Path(tmp))
        ctx = headless_context()
        info = machine(ctx)
        _progress(f"{info['gl_renderer']} | {info['cpu']} x{info['cores']} | load {load_before}")
        bench = Bench(ctx, registry, settings)
        cases = build_cases(registry)
        results: list[Result] = []
        passes: dict[str, list[dict]] = {}
        sweep: dict[str, list[dict]] = {}
        largest = max(args.sizes, key=lambda s: s[0] * s[1])
        try:
            for size in args.sizes:
                label = f"{size[0]}x{size[1]}"
                out = run_size(bench, size, cases, settings.sweep and size == largest)
                results += out["results"]
                passes[label] = out.get("blur16_passes", [])
                if "blur_sweep" in out:
                    sweep[label] = out["blur_sweep"]
        finally:
            bench.release()
            ctx.release()
        recorded = None if args.no_record else measure_record(registry, (1280, 720))

    checks = targets(results)
    print()
    print(table(results))
    print()
    for size, rows in passes.items():
        if rows:
            print(f"{BLUR16} at {size}, per pass (each synchronised): "
                  + "; ".join(f"#{p['pass']} {p['target']} {p['output_size']} {p['ms']:.2f} ms "
                              f"({100 * p['share']:.0f}%)" for p in rows))
    for size, rows in sweep.items():
        print(f"blur sweep at {size} (radius: × copy): "
              + ", ".join(f"{r['radius']}: {r['x_copy']:.1f}" for r in rows))
    if recorded:
        print(f"\nRender + encode: record() default preset {recorded['size']}, {recorded['frames']} frames "
              f"({recorded['loop_seconds']:g} s at {recorded['video_fps']:g} fps) to mp4: "
              f"{recorded['frames_per_second']:.1f} frames/s = {recorded['x_realtime']:.2f}× realtime "
              f"({recorded['wall_seconds']:.1f} s wall)")
    print("\nTargets (reported, not asserted):")
    for check in checks:
        value = "-" if check["value"] is None else f"{check['value']:g} {check['unit']}"
        print(f"  {check['status']:<5} {check['name']}: {value}")

    load_after = _loadavg()
    report = {
        "benchmark": "shaderviz effects chain",
        "date": _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "machine": {**info, "loadavg_before": load_before, "loadavg_after": load_after},
        "settings": {**asdict(settings), "sizes": [f"{w}x{h}" for w, h in args.sizes],
                     "test_image": f"uniform RGB noise, numpy default_rng({NOISE_SEED}), "
                                   "uploaded once per size",
                     "yardstick": "copy effect file (texture(inputImage, uv)) in a temp effects dir, "
                                  "same prelude/epilogue as the built-ins",
                     "sync": "scratch 1x1 clear after each frame (submit, no wait); ctx.finish() + "
                             "1-pixel read after each repetition"},
        "results": [asdict(r) for r in results],
        "blur16_passes": passes,
        "blur_sweep": sweep,
        "record": recorded,
        "targets": checks,
        "elapsed_seconds": time.perf_counter() - started,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out} ({report['elapsed_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
