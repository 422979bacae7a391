"""The ``shaderviz`` command: render, play, effects, keys, presets.

Every user-facing failure is a :class:`UserError`: one line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
from pathlib import Path
from typing import NoReturn

from shaderviz import __version__
from shaderviz.control import options as control_options
from shaderviz.errors import UserError
from shaderviz.outputs import interrupts

MODULATOR_HELP = (
    "NAME key=value ...; a numeric value may be a modulator over the loop: "
    "WAVE(min,max[,cycles[,offset]]) with WAVE sine|triangle|saw|square|noise, "
    "e.g. --fx \"rgb_split amount=sine(0,0.03) angle=saw(0,360,2)\""
)


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are one line (and still exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _size(text: str) -> tuple[int, int]:
    from shaderviz.presets import parse_size

    try:
        return parse_size(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _positive(kind: type, most: float = math.inf) -> object:
    """A finite number > 0 and <= ``most`` (the same limits as presets)."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
        if value > most:
            raise argparse.ArgumentTypeError(f"{text} is more than {most:g}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _seconds(text: str) -> float:
    """A finite number >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or not 0 <= value <= 60:
        raise argparse.ArgumentTypeError(f"must be 0..60 seconds, got {text}")
    return value


def _add_show_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", nargs="?", help="image, folder, video, or generator name (default: clouds)")
    p.add_argument("--preset", help="built-in preset name, a TOML file, or a snapshot PNG")
    p.add_argument("--fx", action="append", default=[], metavar="EFFECT", help=MODULATOR_HELP)
    p.add_argument("--size", type=_size, help="output size WxH (default: preset, image, or 1280x720)")
    p.add_argument("--fps", type=_positive(float, 240),
                   help="frames per second, up to 240 (render: default 30; play: caps the window's rate, "
                        "default as fast as the display; a video without a GPU: its own rate)")
    p.add_argument("--seconds", type=_positive(float, 3600), help="loop length in seconds (default 4)")
    p.add_argument("--seed", type=int, help="random seed for generators and noise")
    p.add_argument("--fit", choices=("fill", "fit", "stretch"), help="how images fit the size")
    p.add_argument("--depth", metavar="auto|flat|FILE",
                   help="depth map: auto (estimated by the depth model when the chain reads depth;"
                        " the default), flat, or a greyscale image (white = near)")
    p.add_argument("--depth-model", metavar="NAME|PATH",
                   help="model for --depth auto (default: the shipped depth-lite1; also shipped: the "
                        "smaller depth-lite0)")
    p.add_argument("--effects-dir", action="append", type=Path, default=[],
                   help="extra folder of effect files (later folders override)")
    p.add_argument("--out", action="append", default=[], metavar="SINK",
                   help="also send every frame to: v4l2:/dev/videoN (virtual camera), vcam: (OBS Virtual "
                        "Camera), ndi:NAME, syphon:NAME (macOS), spout:NAME (Windows); repeatable")
    p.add_argument("--background", metavar="COLOR|transparent",
                   help="what shows where an effect (depth_key) makes the picture transparent: #rrggbb "
                        "(default #000000), or transparent to keep alpha in the output (.png, .gif, .webm "
                        "vp9_alpha, .mov hap_alpha / prores_4444)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="shaderviz", description="Realtime GPU shader visualiser.")
    parser.add_argument("--version", action="version", version=f"shaderviz {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    render = sub.add_parser("render", help="render a loop to a file, headless")
    _add_show_options(render)
    render.add_argument("-o", "--output", required=True, type=Path,
                        help="OUT.mp4 | .mov | .webm | .gif | .png (a %%04d pattern or folder for frames)")
    render.add_argument("--frames", type=_positive(int, 864000),
                        help="number of frames, up to 864000 (default: one loop)")
    from shaderviz.outputs import codecs

    render.add_argument("--codec", choices=list(codecs.CODECS), metavar="CODEC",
                        help="video codec (default: h264 for .mp4/.mov, vp9 for .webm): " + codecs.describe())
    render.add_argument("--quality", type=float, default=8.0,
                        help="video quality 1..10 (default 8, visually lossless): h264 crf = 34 - 2 x "
                             "quality (8 -> crf 18, 10 -> 14, 1 -> 32); vp9 crf = 63 - 5.3 x quality; "
                             "HAP and ProRes have fixed quality")
    render.add_argument("--quiet", action="store_true", help="no progress bar")
    from shaderviz.batch.command import add_arguments as _batch_arguments

    _batch_arguments(render)
    control_options.add_music_options(render, live=False)
    control_options.add_render_options(render)

    play = sub.add_parser("play", help="play the chain live in a window")
    _add_show_options(play)
    play.add_argument("--fullscreen", action="store_true", help="start fullscreen")
    play.add_argument("--cycle", type=_positive(float), default=10.0,
                      help="seconds per image for a folder source (default 10)")
    play.add_argument("--snapshots", type=Path, default=Path("."), help="folder for S snapshots")
    play.add_argument("--vsync", choices=("on", "off"), default="on", help="wait for vertical sync")
    play.add_argument("--scale", type=_positive(float, 1.0),
                      help="render the chain at this fraction of the output size and scale it up to the "
                           "window (0.5: a quarter of the pixels; default 1, or without a GPU the preset's "
                           "[play] software_scale)")
    play.add_argument("--render-size", type=_size, metavar="WxH",
                      help="render the chain at this size instead")
    play.add_argument("--transition", type=_seconds, default=0.6, metavar="SECONDS",
                      help="crossfade between images and presets (default 0.6; 0: cut)")
    play.add_argument("--bank", metavar="P1,P2,...",
                      help="presets for the keys 1-9 (default: the built-ins, then "
                           "~/.config/shaderviz/presets)")
    play.add_argument("--stats", type=Path, metavar="FILE",
                      help="write one JSON line per shown frame (t, ms, worker events, depth lag)")
    control_options.add_music_options(play, live=True)
    control_options.add_play_options(play)

    effects = sub.add_parser("effects", help="list effects and their parameters")
    effects.add_argument("--json", action="store_true", help="machine-readable output")
    effects.add_argument("--effects-dir", action="append", type=Path, default=[])

    keys = sub.add_parser("keys", help="list the commands of play: keys, OSC addresses, MIDI bindings")
    keys.add_argument("--effects-dir", action="append", type=Path, default=[])
    keys.add_argument("--midi-map", type=Path, metavar="FILE.toml", help="MIDI bindings to show")
    control_options.add_listing_commands(sub)

    sub.add_parser("presets", help="list the built-in presets")

    depth = sub.add_parser("depth", help="estimate depth maps (16-bit PNG, white = near)")
    from shaderviz.depth.command import add_arguments as _depth_arguments

    _depth_arguments(depth)

    generate = sub.add_parser("generate", help="images from a shipped GAN, a generator file or a CPPN")
    from shaderviz.generators.command import add_arguments as _generate_arguments

    _generate_arguments(generate, _size)

    train_gan = sub.add_parser("train-gan", help="train a GAN on a folder of images (torchrun-ready)")
    from shaderviz.generators.train_gan import add_arguments as _train_gan_arguments

    _train_gan_arguments(train_gan)
    enhance = sub.add_parser("enhance", help="dream patterns into images (DeepDream; see effect enhance)")
    from shaderviz.explore.command import add_arguments as _enhance_arguments

    _enhance_arguments(enhance)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command == "enhance" and not any(e.startswith("-") for e in extra):
        args.items += extra  # `enhance IMAGE -o OUT name=value ...`: positionals after an option
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    on_signals = args.command == "render" and threading.current_thread() is threading.main_thread()
    undo_signals = interrupts.install() if on_signals else None
    try:
        return _dispatch(args)
    except UserError as err:
        print(f"shaderviz: error: {' '.join(str(err).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        written = "; no output was written" if args.command in ("render", "depth") else ""
        print(f"shaderviz: interrupted{written}", file=sys.stderr)
        return 130
    except interrupts.Terminated:
        # Exit 143 = 128 + SIGTERM, the status a shell reports for a process killed by TERM,
        # so callers (timeout, systemd, CI) still see "terminated"; the output is cleaned up.
        print("shaderviz: terminated; no output was written", file=sys.stderr)
        return 143
    finally:
        if undo_signals is not None:
            undo_signals()


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "depth":
        from shaderviz.depth.command import run as run_depth

        return run_depth(args)
    if args.command == "generate":
        from shaderviz.generators.command import run as run_generate

        return run_generate(args)
    if args.command == "train-gan":
        from shaderviz.generators.train_gan import run as run_train_gan

        return run_train_gan(args)
    if args.command == "enhance":
        from shaderviz.explore.command import run as run_enhance

        return run_enhance(args)
    if args.command in control_options.LISTINGS:
        return control_options.list_devices(args.command)
    from shaderviz.effects.registry import Registry

    if args.command == "presets":
        from shaderviz.presets import builtin_presets, preset_description

        for name in builtin_presets():
            print(f"{name:<10} {preset_description(name)}")
        return 0
    registry = Registry.load(args.effects_dir)
    for warning in registry.warnings:
        print(f"shaderviz: warning: {warning}", file=sys.stderr)
    if args.command == "effects":
        _print_effects(registry, args.json)
        return 0
    if args.command == "keys":
        from shaderviz.app.presetswitch import preset_bank
        from shaderviz.control.listing import describe_commands

        print(describe_commands(registry, preset_bank(), args.midi_map))
        return 0

    if args.command == "render":
        from shaderviz.batch import command as batch

        if batch.wants_batch(args):
            return batch.run(args)
    from shaderviz.app.show import build_show

    if getattr(args, "replay", None) is not None:
        print(control_options.replay(args))
        return 0
    music = control_options.music_for(args, live=args.command == "play")
    seconds = control_options.loop_seconds(args, music) or args.seconds
    runner = None
    if getattr(args, "playlist", None) is not None:
        show, runner = control_options.playlist_show(args, registry, seconds)
    else:
        show = build_show(
            registry, args.input, args.preset, args.fx, args.size, args.fps, seconds,
            args.seed, args.fit, args.depth, getattr(args, "cycle", None), args.depth_model,
            args.background,
        )
    show.music = music
    for note in show.notes:
        print(f"shaderviz: note: {note}", file=sys.stderr)
    if args.command == "render":
        return _render(show, args)
    return _play(show, args, runner)


def _play(show, args: argparse.Namespace, runner=None) -> int:  # noqa: ANN001 - Show, imported lazily
    from shaderviz.app.presetswitch import preset_bank
    from shaderviz.app.show import build_show, fit_for_play
    from shaderviz.outputs.window import PlayOptions, play

    notices = []
    if args.size is None:
        show.size, note = fit_for_play(show)
        if note:
            notices.append(note)
            print(f"shaderviz: note: {note}", file=sys.stderr)
    bank = preset_bank([b.strip() for b in (args.bank or "").split(",") if b.strip()])
    if args.bank:
        from shaderviz.presets import load_preset

        for name in bank:  # a typo fails now, not when its key is pressed mid-show
            try:
                load_preset(name, show.registry)
            except UserError as err:
                raise UserError(f"--bank: {err}") from None

    def rebuild(name: str):  # noqa: ANN202 - a preset of the bank with this command line's options
        return build_show(show.registry, args.input, name, None, show.size, args.fps, args.seconds, args.seed,
                          args.fit, args.depth, args.cycle, args.depth_model, args.background)

    options = PlayOptions(render_size=args.render_size, scale=args.scale, fullscreen=args.fullscreen,
                          snapshots=args.snapshots, vsync=args.vsync == "on", fps=args.fps, stats=args.stats,
                          transition=args.transition, bank=bank, rebuild=rebuild, notices=notices,
                          outputs=tuple(args.out),
                          controls=control_options.live_controls(args, show, bank, runner),
                          monitor=args.monitor)
    return play(show, options)


def _render(show, args: argparse.Namespace) -> int:  # noqa: ANN001 - Show, imported lazily
    from shaderviz.outputs.render import RenderOptions, render_show

    control_options.audio_note(args, show.music)
    frames = args.frames or control_options.audio_frames(args, show.music, show.fps)
    options = RenderOptions(args.output, frames, args.quality, args.codec, args.size is not None,
                            progress=not args.quiet, sinks=tuple(args.out))
    print(render_show(show, options))
    return 0


def _print_effects(registry, as_json: bool) -> None:  # noqa: ANN001
    if as_json:
        specs = sorted(registry.effects.values(), key=lambda s: s.name)
        print(json.dumps([s.to_json() for s in specs], indent=2))
        return
    for kind, title in (("effect", "Effects"), ("source", "Generators (use as INPUT)")):
        print(f"{title}:")
        for spec in registry.of_kind(kind):
            key = next((k for k, name in registry.keys.items() if name == spec.name), "-")
            print(f"\n  {spec.name}  [key {key}]  {spec.description}")
            for param in spec.params:
                print(f"      {param.name:<12} {param.type:<6} default {param.format(param.default):<10}"
                      f" {param.describe_range():<22} {param.doc}")
        print()
    print("Every effect also takes depth gating: depth_min, depth_max (band on the depth map,"
          " 1 = near), depth_soft, depth_invert.")
    print(f"Modulated values: {MODULATOR_HELP.split('; ', 1)[1]}")
