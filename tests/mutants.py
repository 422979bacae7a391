"""Mutation check: do the tests fail when behaviour breaks?

Applies representative bugs, one at a time, to a temporary copy of the project and runs
the tests against each; prints which tests caught it, or that none did.

    make mutants                              # every mutant below (about ten minutes)
    .venv/bin/python tests/mutants.py --list
    .venv/bin/python tests/mutants.py noise-seam lru-evicts-newest

A mutant is a text that must occur exactly once in one file, and what replaces it (a
stale mutant, whose text the code no longer has, is an error, not a pass). It runs first
against the tests named beside it (``pytest -x``); only if they all pass does the whole
suite run, so "missed" means the whole suite passed with the bug in. Before the mutants,
the named tests must pass on the unchanged copy. Exit status: 0 if every mutant was
caught, 1 if one was missed, 2 on a stale mutant or a failing baseline.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 1800  # seconds for one pytest run


@dataclass(frozen=True)
class Mutant:
    name: str
    bug: str  # what the change does, in words
    path: str  # file, relative to the project root
    old: str
    new: str
    tests: tuple[str, ...]  # pytest arguments: the tests expected to catch it


MUTANTS = (
    # -- the five bugs issue 18 found the suite blind to --------------------------------
    Mutant("lru-evicts-newest", "the disk cache evicts the newest entry, not the least recently used",
           "shaderviz/diskcache.py", "sorted(files, key=lambda t: t[0])",
           "sorted(files, key=lambda t: t[0], reverse=True)",
           ("tests/test_depth.py", "-k", "least_recently_used")),
    Mutant("depth-png-inverted", "`shaderviz depth` writes 1 - nearness (black = near)",
           "shaderviz/depth/command.py", "np.rint(near * 65535)", "np.rint((1 - near) * 65535)",
           ("tests/test_depth.py", "-k", "white_where_near")),
    Mutant("flow-keeps-old-image", "the flow sort does not restart when the source image changes",
           "shaderviz/outputs/recorder.py", "                    renderer.reset_state()\n", "",
           ("tests/test_cli.py", "-k", "flow_sort_restarts")),
    Mutant("texture-leak-per-frame", "one texture (about 33 kB) leaked per rendered frame",
           "shaderviz/render/renderer.py",
           "        is dropped.\"\"\"\n",
           "        is dropped.\"\"\"\n        self.ctx.texture((96, 88), 4)\n",
           ("tests/test_long_run.py",)),
    Mutant("noise-seam", "the noise wave does not wrap its knots: it jumps at the loop point",
           "shaderviz/effects/modulation.py", "knots[(i + 1) % count]", "knots[min(i + 1, count - 1)]",
           ("tests/test_seams.py",)),
    # -- the three kinds the suite always caught -------------------------------------------
    Mutant("shader-saturate-sign", "a shader bug: saturate desaturates where it should saturate",
           "shaders/saturate.glsl", "c, 1.0 + amount)", "c, 1.0 - amount)",
           ("tests/test_effects.py", "-k", "saturate")),
    Mutant("depth-gate-flipped", "the depth gate reads far as near",
           "shaderviz/render/glsl.py", "    float d = texture(depthMap, uv).r;\n    float s = max(_gate_soft",
           "    float d = 1.0 - texture(depthMap, uv).r;\n    float s = max(_gate_soft",
           ("tests/test_effects.py", "-k", "gating")),
    Mutant("sort-comparator", "the bitonic sort's comparator is reversed (fragment path)",
           "shaders/pixelsort/bitonic.glsl", "bool less = me.x < other.x", "bool less = me.x > other.x",
           ("tests/test_pixelsort.py", "-k", "fragment")),
    # -- what the tests of issue 18 guard -------------------------------------------------
    Mutant("loop-stall", "the clock repeats a frame at the loop point (phase i / (N - 1))",
           "shaderviz/app/show.py", "(number % self.loop_frames) / self.loop_frames",
           "(number % self.loop_frames) / max(1, self.loop_frames - 1)",
           ("tests/test_seams.py",)),
    Mutant("hf-metric-as-nearness", "a metric Hugging Face model's metres are taken as nearness",
           "shaderviz/depth/loaders.py", "        if self.metric:", "        if False:",
           ("tests/test_depth.py", "-k", "right_way_round")),
    Mutant("default-depth-model-v2", "the default depth model is depth-lite0 v2 again (rho 0.789)",
           "shaderviz/depth/__init__.py", 'DEFAULT_MODEL = "depth-lite1"', 'DEFAULT_MODEL = "depth-lite0"',
           ("tests/test_depth.py", "-k", "depth_goals")),
    Mutant("cache-ignores-size", "the depth cache key leaves out the inference size",
           "shaderviz/depth/maps.py", "-{size}{tags}", "{tags}",
           ("tests/test_depth.py", "-k", "inference_size")),
    Mutant("cache-never-read", "the disk cache is written but never read",
           "shaderviz/diskcache.py", "        if path is not None and path.is_file():",
           "        if False:",
           ("tests/test_depth_render.py", "-k", "second_render")),
    Mutant("no-cache-ignored", "`depth --no-cache` still reads and writes the cache",
           "shaderviz/depth/command.py", "cache_dir=False if args.no_cache else None", "cache_dir=None",
           ("tests/test_depth.py", "-k", "no_cache")),
    Mutant("reads-depth-ignored", 'an effect header\'s "reads_depth": true does not start the model',
           "shaderviz/effects/chain.py", "        if spec.reads_depth:\n            return True\n", "",
           ("tests/test_depth_render.py", "-k", "reads_depth")),
    Mutant("partial-png-left", "a failed PNG render leaves its hidden temporary behind",
           "shaderviz/outputs/writers.py",
           "    def abort(self) -> None:\n        with suppress(OSError):\n"
           "            if self.staging is None:",
           "    def abort(self) -> None:\n        return\n        with suppress(OSError):\n"
           "            if self.staging is None:",
           ("tests/test_cli.py", "-k", "bad_input")),
    Mutant("swallowed-signal", "a Ctrl-C that Python swallows is forgotten: the render runs on",
           "shaderviz/outputs/interrupts.py", "    if _kept:\n        raise _kept[0]\n", "    return\n",
           ("tests/test_batch.py", "-k", "sigterm_stops_the_workers")),
    Mutant("quality-ignored", "--quality does nothing", "shaderviz/outputs/writers.py",
           "VideoWriter(path, size, fps, chosen, quality, live)",
           "VideoWriter(path, size, fps, chosen, 8.0, live)",
           ("tests/test_cli.py", "-k", "quality")),
    Mutant("stretch-is-fit", "--fit stretch letterboxes like fit", "shaderviz/sources/images.py",
           '    if fit == "stretch":', '    if fit == "stretched":',
           ("tests/test_cli.py", "-k", "fit_stretch")),
    Mutant("16-bit-saturates", "16-bit images are read as 8-bit (white everywhere)",
           "shaderviz/sources/images.py",
           'peak = 65535.0 if img.mode != "I" or arr.max() > 255 else 255.0', "peak = 255.0",
           ("tests/test_cli.py", "-k", "16_bit")),
    Mutant("rgba-alpha-dropped", "RGBA images lose their alpha instead of going over black",
           "shaderviz/sources/images.py",
           '    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):',
           "    if False:", ("tests/test_cli.py", "-k", "16_bit")),
    Mutant("preset-chain-dropped", "a preset's chain is not used", "shaderviz/app/show.py",
           "    chain = list(preset.chain)", "    chain = []",
           ("tests/test_cli.py", "-k", "built_in_presets")),
    Mutant("palette-stop-typo", "one colour stop of the fire palette mistyped",
           "shaderviz/effects/palettes.py", '"#d0300c"', '"#d0400c"',
           ("tests/test_effects.py", "-k", "colorize")),
    Mutant("fullscreen-remakes-window", "F makes a new X window (pyglet's own fullscreen) on every toggle",
           "shaderviz/outputs/fullscreen.py",
           'self.x11 = native if native is not None and hasattr(native, "_x_display") else None',
           "self.x11 = None", ("tests/test_play_live.py", "-k", "fullscreen")),
    Mutant("space-ignored", "Space does not pause", "shaderviz/app/live.py",
           '        self.notify("paused" if self.clock.toggle() else "playing")\n',
           '        self.notify("paused")\n',
           ("tests/test_window.py", "-k", "space")),
    Mutant("cycle-ignored", "play's --cycle is ignored (10 s per image)", "shaderviz/cli.py",
           'getattr(args, "cycle", None)', '10.0 if args.command == "play" else None',
           ("tests/test_window.py", "-k", "cycle")),
    Mutant("n-ignored", "N does not move to the next image", "shaderviz/sources/__init__.py",
           "        self.first, self.since = current + 1, seconds\n", "",
           ("tests/test_window.py", "-k", "worker")),
    Mutant("load-on-the-loop", "the window loads images on its own thread (it stalls)",
           "shaderviz/app/sourcefeed.py", "            return self._done.get(key)\n",
           "            return self._done.get(key) or Loaded.of(key, self.source.load(key, self.size,"
           " self.fit))\n",
           ("tests/test_window.py", "-k", "worker")),
    Mutant("help-silent", "? prints nothing", "shaderviz/outputs/window.py",
           "            print(describe(self.show.registry, self.options.bank), flush=True)\n",
           "            pass\n",
           ("tests/test_window.py", "-k", "question")),
    Mutant("z-ignored", "Z does not change the sort key", "shaderviz/app/sortcontrol.py",
           'instance.values["key"] = param.values[(param.values.index(current) + 1) % len(param.values)]',
           "pass", ("tests/test_window.py", "-k", "sort_key")),
    Mutant("vsync-ignored", "--vsync off still paces frames", "shaderviz/cli.py",
           'vsync=args.vsync == "on"', "vsync=True", ("tests/test_window.py", "-k", "vsync")),
    # -- issue 15: the live show ------------------------------------------------------------
    Mutant("depth-not-neutral", "a depth-gated effect acts on the whole picture until depth is ready",
           "shaderviz/render/glsl.py", "color = mix(texture(inputImage, uv), color, w * DEPTHWEIGHT);",
           "color = mix(texture(inputImage, uv), color, w);", ("tests/test_live.py", "-k", "neutral")),
    Mutant("carry-dropped", "a flow sort with carry restarts on every new image (video)",
           "shaderviz/render/renderer.py",
           'if getattr(kernel, "carry", False)})', "if False})",
           ("tests/test_live.py", "-k", "carry")),
    Mutant("override-kept", "deleting a user effect that overrides a built-in keeps the deleted one",
           "shaderviz/app/hotreload.py", "                    self._forget(path)\n",
           "                    pass\n",
           ("tests/test_live.py", "-k", "override")),
    Mutant("scale-ignored", "play --scale renders at full size", "shaderviz/app/live.py",
           "        scale = options.scale\n", "        scale = None\n",
           ("tests/test_play_live.py", "-k", "scale_shows")),
    Mutant("stats-frames-lost", "--stats writes a line every other frame", "shaderviz/app/stats.py",
           "        if self._file is None:\n            return\n",
           "        if self._file is None or self.count % 2:\n            return\n",
           ("tests/test_play_live.py", "-k", "stats_file")),
    Mutant("slow-hot-reload", "a saved shader takes over a second to reload", "shaderviz/app/hotreload.py",
           "SETTLE_SECONDS = 0.12", "SETTLE_SECONDS = 1.2",
           ("tests/test_window.py", "-k", "within_a_second")),
    Mutant("crossfade-not-warmed", "a generator's fade variant is first drawn at the first crossfade",
           "shaderviz/render/renderer.py",
           "        if spec.crossfades and (spec.name, variant[:-1]) not in self._warmed:\n",
           "        if False:\n", ("tests/test_gan_sources.py", "-k", "drawn_with_the_first")),
    Mutant("video-depth-every-frame", "with software GL every video frame goes to the depth model",
           "shaderviz/app/live.py", "SOFTWARE_VIDEO_DEPTH_EVERY = 3", "SOFTWARE_VIDEO_DEPTH_EVERY = 1",
           ("tests/test_live.py", "-k", "every_third")),
    # -- exploring the image (issue 13) ------------------------------------------------------
    Mutant("sampler-turns-backwards", "the sampler turns its rectangle clockwise", "shaders/sampler.glsl",
           "d = vec2(cos(a) * d.x - sin(a) * d.y, sin(a) * d.x + cos(a) * d.y);",
           "d = vec2(cos(a) * d.x + sin(a) * d.y, -sin(a) * d.x + cos(a) * d.y);",
           ("tests/test_sampler.py", "-k", "nearest")),
    Mutant("stack-traced-forwards", "a zoom into a zoom applies the levels in the wrong order",
           "shaders/sampler.glsl", "for (int i = STACKCOUNT - 1; i >= 0; --i) {",
           "for (int i = 0; i < STACKCOUNT; ++i) {", ("tests/test_sampler.py", "-k", "stack")),
    Mutant("native-never-read", "render zooms into the resized copy, not the file's own pixels",
           "shaderviz/outputs/recorder.py", "if renderer.reads_native(show.chain):", "if False:",
           ("tests/test_sampler.py", "-k", "own_pixels")),
    Mutant("arrows-sort-in-sampler-mode", "in sampler mode the arrows still sort (no modes in the keymap)",
           "shaderviz/outputs/window.py", "self.viewer.modes(), held)", "[], held)",
           ("tests/test_explore_window.py", "-k", "keyboard_sampler")),
    Mutant("dream-cache-ignores-parameters", "the dream cache key leaves out the parameters",
           "shaderviz/explore/enhancer.py",
           "    digest.update(json.dumps(params.key(), sort_keys=True).encode())\n", "",
           ("tests/test_enhance.py", "-k", "cached")),
    Mutant("dream-waits-on-the-loop", "play waits for the dream (the show stalls)",
           "shaderviz/explore/livedream.py",
           "        self._worker().submit(tag, image, params)\n        self.notify(",
           "        self._worker().submit(tag, image, params)\n"
           "        while self._worker().busy(lambda t: True):\n"
           "            time.sleep(0.01)\n        self.notify(",
           ("tests/test_explore_window.py", "-k", "dreams")),
    # -- issue 16: live control -------------------------------------------------------------
    Mutant("osc-norm-unscaled", "/norm sets the raw 0..1 instead of scaling it to the declared range",
           "shaderviz/control/osc.py", "scale_unit(param, args[0])", "args[0]",
           ("tests/test_osc_window.py", "-k", "sets_toggles")),
    Mutant("second-instance-is-first", "EFFECT.2 addresses the first instance of the effect",
           "shaderviz/app/paramcontrol.py", "return found[number - 1] if len(found) >= number else None",
           "return found[0] if found else None", ("tests/test_osc_window.py", "-k", "sets_toggles")),
    Mutant("log-frame-late", "the log puts commands one frame late", "shaderviz/control/log.py",
           "self.frame = index + 1", "self.frame = index + 2", ("tests/test_replay.py", "-k", "same_size")),
    Mutant("beat-decay-ignored", "beat() falls back over one second whatever its decay",
           "shaderviz/effects/modulation.py", "math.exp(-3.0 * age / self.decay)", "math.exp(-3.0 * age)",
           ("tests/test_audio.py", "-k", "beat_modulators")),
    Mutant("bass-band-wrong", "the bass band reads 250-4000 Hz", "shaderviz/audio/analysis.py",
           '"bass": (20.0, 250.0)', '"bass": (250.0, 4000.0)', ("tests/test_audio.py", "-k", "own_band")),
    Mutant("midi-cc-unscaled", "a CC's 0..127 is not scaled to the parameter's range",
           "shaderviz/control/midi.py", "scale_unit(param, message.value / 127.0)", "message.value",
           ("tests/test_midi.py", "-k", "declared_range")),
    Mutant("playlist-stops-at-broken", "a broken playlist entry stops the playlist",
           "shaderviz/app/playlist.py",
           "            self._failed(index, now)\n            return\n        self.failures = 0",
           "            return\n        self.failures = 0", ("tests/test_playlist.py", "-k", "skips_broken")),
    Mutant("sigterm-kills", "SIGTERM ends play at once (recording lost)", "shaderviz/app/controls.py",
           '        self.stopped_by = number\n        self.commands.post("quit")',
           "        raise SystemExit(143)", ("tests/test_record_window.py", "-k", "sigterm")),
    Mutant("quantize-off", "--quantize lets toggles through at once", "shaderviz/control/quantize.py",
           "        self.held.append((name, value, pressed, self._slot()))\n        return True",
           "        return False", ("tests/test_audio.py", "-k", "quantize")),
)


def copy_project(dest: Path) -> None:
    """Tracked and untracked (not ignored) files, as `make test` would see them."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def pytest(copy: Path, args: tuple[str, ...], env: dict[str, str]) -> tuple[bool, str, float]:
    """Run pytest in the copy: (passed, the first failing test or the last lines, seconds)."""
    started = time.monotonic()
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *args]
    try:
        done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return False, f"timed out after {TIMEOUT} s", time.monotonic() - started
    seconds = time.monotonic() - started
    if done.returncode == 5:  # no test selected: a renamed test, not a caught mutant
        raise SystemExit(f"pytest {' '.join(args)} selects no test; update tests/mutants.py")
    failed = [line[len("FAILED "):].split(" - ")[0] for line in done.stdout.splitlines()
              if line.startswith(("FAILED ", "ERROR "))]
    if done.returncode == 0:
        return True, "", seconds
    tail = done.stdout.strip().splitlines()[-1:] or done.stderr.strip().splitlines()[-1:]
    return False, failed[0] if failed else " ".join(tail), seconds


def check_applies(copy: Path, mutant: Mutant) -> str:
    text = (copy / mutant.path).read_text()
    if text.count(mutant.old) != 1:
        raise SystemExit(f"stale mutant {mutant.name}: its text occurs {text.count(mutant.old)} times in "
                         f"{mutant.path}; update tests/mutants.py")
    return text


def apply(copy: Path, mutant: Mutant) -> str:
    """Put the bug in; the file's text before it."""
    text = check_applies(copy, mutant)
    (copy / mutant.path).write_text(text.replace(mutant.old, mutant.new))
    return text


def baseline(chosen: list[Mutant]) -> list[tuple[str, ...]]:
    """Every named test, in at most two runs: whole files, and the others by keyword."""
    whole = sorted({m.tests[0] for m in chosen if len(m.tests) == 1})
    keyed = sorted({m.tests[0] for m in chosen if len(m.tests) == 3} - set(whole))
    words = " or ".join(sorted({m.tests[2] for m in chosen if len(m.tests) == 3 and m.tests[0] in keyed}))
    return [tuple(whole)] * bool(whole) + [(*keyed, "-k", words)] * bool(keyed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="mutants to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutants")
    args = parser.parse_args(argv)
    by_name = {m.name: m for m in MUTANTS}
    if args.list:
        for m in MUTANTS:
            print(f"{m.name:24} {m.path:34} {m.bug}")
        return 0
    unknown = [n for n in args.names if n not in by_name]
    if unknown:
        parser.error(f"unknown mutant(s): {', '.join(unknown)}")
    chosen = [by_name[n] for n in args.names] or list(MUTANTS)

    with tempfile.TemporaryDirectory(prefix="shaderviz-mutants-") as tmp:
        copy = Path(tmp)
        copy_project(copy)
        env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
        where = subprocess.run([sys.executable, "-c", "import shaderviz; print(shaderviz.__file__)"],
                               cwd=copy, env=env, capture_output=True, text=True).stdout.strip()
        if not where.startswith(str(copy)):
            print(f"the copy's package is not the one imported ({where})", file=sys.stderr)
            return 2
        for m in chosen:  # every mutant's text is there before anything runs
            check_applies(copy, m)
        for selection in baseline(chosen):
            print(f"baseline, unchanged copy: pytest {' '.join(selection)}", flush=True)
            ok, first, _ = pytest(copy, selection, env)
            if not ok:
                print(f"the baseline fails: {first}", file=sys.stderr)
                return 2
        print(f"\n{'mutant':24} {'s':>5}  caught by")
        missed = []
        for m in chosen:
            original = apply(copy, m)
            try:
                ok, first, seconds = pytest(copy, m.tests, env)
                if ok:  # the named tests missed it: does anything in the suite catch it?
                    ok, first, more = pytest(copy, (), env)
                    seconds += more
            finally:
                (copy / m.path).write_text(original)
            verdict = "MISSED: the whole suite passed" if ok else first
            print(f"{m.name:24} {seconds:5.0f}  {verdict}", flush=True)
            if ok:
                missed.append(m.name)
    caught = len(chosen) - len(missed)
    print(f"\ncaught {caught} of {len(chosen)} mutants" + (f"; missed: {', '.join(missed)}" * bool(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
