"""Command-line options of live control and music, kept out of cli.py: ``--audio``,
``--bpm``, ``--beats`` (render and play); ``--osc``, ``--midi``, ``--log``, ``--monitor``,
``--playlist`` ... (play); ``--replay`` (render). Each turns into the object that does
the work here, so the CLI only asks for it."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from shaderviz.audio.music import Music
from shaderviz.audio.tempo import MAX_BPM, MIN_BPM, Tempo
from shaderviz.errors import UserError

QUANTIZE = {"off": 0.0, "beat": 1.0, "bar": 4.0}
LISTINGS = {"monitors": "list the monitors (for play --monitor N)",
            "midi-ports": "list the MIDI input ports (for play --midi PORT)",
            "audio-devices": "list the audio input devices (for play --audio DEVICE)"}


def _bpm(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or not MIN_BPM <= value <= MAX_BPM:
        raise argparse.ArgumentTypeError(f"a tempo is {MIN_BPM:g}..{MAX_BPM:g} BPM, got {text}")
    return value


def _beats(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or not 0 < value <= 4096:
        raise argparse.ArgumentTypeError(f"a loop is 0..4096 beats, got {text}")
    return value


def _gain(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected decibels, got {text!r}") from None
    if not math.isfinite(value) or not -60 <= value <= 60:
        raise argparse.ArgumentTypeError(f"a gain is -60..60 dB, got {text}")
    return value


def add_music_options(p: argparse.ArgumentParser, live: bool) -> None:
    what = ("an input device (a number or part of its name; default: the default input) or an audio "
            "file played along with the show clock" if live else
            "an audio file: analysed at each frame's time and put into the video "
            "(default length: the file's)")
    p.add_argument("--audio", metavar="DEVICE|default|FILE" if live else "FILE",
                   help=f"sound for audio(...) / beat(...) modulators and the audioFFT texture: {what}")
    p.add_argument("--audio-gain", type=_gain, default=0.0, metavar="DB",
                   help="added to the sound's level before the bands are read (default 0)")
    p.add_argument("--bpm", type=_bpm, help="tempo in beats per minute (default: the sound's, else 120)")
    p.add_argument("--beats", type=_beats, metavar="N",
                   help="loop length in beats (at --bpm, or the audio file's tempo) instead of --seconds")


def add_play_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--osc", metavar="[HOST:]PORT",
                   help="take OSC commands on this UDP port (/shaderviz/fx/EFFECT/PARAM VALUE, ...; "
                        "see shaderviz keys)")
    p.add_argument("--osc-out", metavar="HOST:PORT", help="send state changes there (controller feedback)")
    p.add_argument("--midi", metavar="PORT|auto",
                   help="take MIDI from this input port (shaderviz midi-ports)")
    p.add_argument("--midi-map", type=Path, metavar="FILE.toml",
                   help="MIDI bindings to load, and where learn (L) saves them "
                        "(default ~/.config/shaderviz/midi.toml)")
    p.add_argument("--quantize", choices=tuple(QUANTIZE), default="off",
                   help="hold source changes, presets and toggles until the next beat or bar")
    p.add_argument("--log", type=Path, metavar="FILE.jsonl",
                   help="write every command with its time, for render --replay FILE")
    p.add_argument("--monitor", type=int, metavar="N",
                   help="open on monitor N (shaderviz monitors); with --fullscreen: borderless, "
                        "cursor hidden")
    p.add_argument("--playlist", type=Path, metavar="FILE.toml",
                   help="run the entries of this playlist in a loop, unattended")


def add_render_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--replay", type=Path, metavar="FILE.jsonl",
                   help="render a performance logged by play --log: at --size (the chain's size; default "
                        "the output size) and --fps (default the show's), as long as the show was")
    p.add_argument("--performed", action="store_true",
                   help="with --replay: one frame per frame shown in play, at its own times (at play's "
                        "render size these equal what was shown)")


def replay(args: argparse.Namespace) -> str:
    """`render --replay FILE`: the summary line of what was written."""
    given = [name for name in ("input", "preset", "seconds", "frames", "seed", "fit", "depth", "audio", "bpm",
                               "beats") if getattr(args, name, None)]
    if args.fx:
        given.append("fx")
    if given:
        raise UserError(f"--replay takes the show from the log; drop --{given[0].replace('_', '-')}")
    if not 1 <= args.quality <= 10:
        raise UserError(f"--quality {args.quality:g} is out of range 1..10")
    from shaderviz.control.replay import replay_to_file

    return replay_to_file(args.replay, args.output, args.size, args.fps, args.performed, args.quality,
                          not args.quiet)


def music_for(args: argparse.Namespace, live: bool) -> Music | None:
    """The tempo clock and the sound the options ask for (None: neither)."""
    spec, bpm = getattr(args, "audio", None), getattr(args, "bpm", None)
    if spec is None and bpm is None and not live:
        return None
    tempo = Tempo(bpm or 120.0, manual=bpm is not None)
    if spec is None:
        return Music(tempo)
    from shaderviz.audio.inputs import AudioTrack, LiveAudio

    path = Path(spec).expanduser()
    if path.is_file() or not live:
        return Music(tempo, track=AudioTrack(path, args.audio_gain))
    return Music(tempo, live=LiveAudio(spec, args.audio_gain))


def loop_seconds(args: argparse.Namespace, music: Music | None) -> float | None:
    """``--beats N`` as seconds at the tempo (``--bpm``, else an audio file's own)."""
    beats = getattr(args, "beats", None)
    if beats is None:
        return None
    if args.seconds is not None:
        raise UserError("--beats and --seconds both give the loop length: pass one")
    bpm = args.bpm
    track = getattr(music, "track", None)
    if bpm is None and track is not None:
        bpm = track.tempo()
        if bpm is None:
            raise UserError(f"--beats: no tempo found in {track.path}; pass --bpm")
        music.tempo.bpm = bpm  # type: ignore[union-attr]
    if bpm is None:
        raise UserError("--beats needs a tempo: --bpm N (or an --audio file to take it from)")
    return beats * 60.0 / bpm


def audio_note(args: argparse.Namespace, music: Music | None) -> None:
    """`render --audio` into a format without sound: say the sound only drives the show."""
    from shaderviz.outputs.mux import takes_audio

    if getattr(music, "track", None) is not None and not takes_audio(args.output):
        print(f"shaderviz: note: {args.output.suffix or 'frames'} has no sound track: the audio drives the "
              "modulators only (write .mp4 / .webm / .mov / .mkv to keep it)", file=sys.stderr)


def audio_frames(args: argparse.Namespace, music: Music | None, fps: float) -> int | None:
    """`render --audio FILE` without a length: as many frames as the sound lasts."""
    track = getattr(music, "track", None)
    if track is None or args.frames or args.seconds or getattr(args, "beats", None):
        return None
    return max(1, math.ceil(track.duration * fps - 1e-9))


def live_controls(args: argparse.Namespace, show: Any, bank: list[str], runner: Any = None) -> object:
    """`play`'s LiveControls for these options (ports and files opened now)."""
    from shaderviz.app.controls import ControlOptions, LiveControls

    options = ControlOptions(osc=args.osc, osc_out=args.osc_out, midi=args.midi, midi_map=args.midi_map,
                             quantize=QUANTIZE[args.quantize], log=args.log, playlist=args.playlist,
                             recordings=args.snapshots, log_args=show_args(args, show, bank), runner=runner)
    return LiveControls(options)


def entry_builder(args: argparse.Namespace, registry: Any, seconds: float | None,
                  size: tuple[int, int] | None) -> Any:
    """A playlist entry -> a Show, with this command line's other options."""
    from shaderviz.app.show import build_show

    def build(entry: Any) -> Any:
        return build_show(registry, entry.source, entry.preset, list(entry.fx) or None, size or args.size,
                          args.fps, seconds, args.seed, args.fit, args.depth, args.cycle, args.depth_model)

    return build


def playlist_show(args: argparse.Namespace, registry: Any, seconds: float | None) -> tuple[Any, Any]:
    """``play --playlist``: (the show of its first entry that builds, the runner for the rest)."""
    if args.input or args.preset or args.fx:
        raise UserError("--playlist gives the sources and effects; drop INPUT, --preset and --fx")
    from shaderviz.app.playlist import PlaylistRunner, first_show, load_playlist

    playlist = load_playlist(args.playlist)
    index, show = first_show(playlist, entry_builder(args, registry, seconds, args.size))
    runner = PlaylistRunner(playlist, entry_builder(args, registry, seconds, args.size or show.size),
                            lambda text: None)
    runner.index = index
    return show, runner


def show_args(args: argparse.Namespace, show: Any, bank: list[str]) -> dict[str, Any]:
    """What rebuilds ``show`` as `play` built it (a command log's header): paths made absolute."""
    def absolute(text: str | None) -> str | None:
        return str(Path(text).expanduser().resolve()) if text and Path(text).expanduser().exists() else text

    return {"input": absolute(args.input), "preset": absolute(args.preset), "fx": list(args.fx),
            "playlist": absolute(str(args.playlist)) if getattr(args, "playlist", None) else None,
            "size": list(show.size), "fps": show.fps, "seconds": show.seconds, "seed": show.seed,
            "fit": show.fit, "depth": absolute(args.depth), "cycle": args.cycle,
            "depth_model": absolute(args.depth_model),
            "effects_dir": [str(p.resolve()) for p in args.effects_dir], "bank": [absolute(b) for b in bank],
            "transition": args.transition, "scale": args.scale,
            "render_size": list(args.render_size) if args.render_size else None}


def add_listing_commands(sub: Any) -> None:
    for name, text in LISTINGS.items():
        sub.add_parser(name, help=text)


def list_devices(command: str) -> int:
    """``shaderviz monitors | midi-ports | audio-devices``: one line each."""
    if command == "midi-ports":
        from shaderviz.control.midi import port_names

        names = port_names()
        print("\n".join(names) if names else "no MIDI input ports found")
    elif command == "audio-devices":
        from shaderviz.audio.inputs import input_devices

        names = input_devices()
        print("\n".join(names) if names else "no audio input devices found")
    else:
        from shaderviz.outputs.monitors import describe_monitors

        print(describe_monitors())
    return 0
