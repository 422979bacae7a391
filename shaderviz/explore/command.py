"""``shaderviz enhance IMAGE... -o OUT [name=value ...]``: dream into still images.

The parameters are the ``enhance`` effect's (``shaderviz effects`` lists them), written as
in ``--fx``: ``strength=1.5 layer=6 octaves=4``. One input and OUT with an image suffix:
that file; otherwise OUT is a folder and each dream is named after its image. A progress
bar counts the gradient steps. Dreams are cached (``--no-cache`` skips the cache).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from shaderviz.errors import UserError

WRITABLE = {".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("items", nargs="+", metavar="IMAGE|NAME=VALUE",
                   help="image files or folders of images, and enhance parameters, e.g. strength=1.5 layer=6 "
                        "octaves=3 seed=7 (shaderviz effects lists them)")
    p.add_argument("-o", "--output", required=True, type=Path,
                   help="OUT.png (or .jpg, .webp, ...) for one image, else a folder (created)")
    p.add_argument("--device", help="torch device (default: cuda if available, else cpu)")
    p.add_argument("--threads", type=int, help="torch CPU threads (default: torch's; on a busy machine 1 "
                                                 "can be several times faster)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the dream cache")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--effects-dir", action="append", type=Path, default=[], help=argparse.SUPPRESS)


def split_arguments(items: list[str]) -> tuple[list[str], list[str]]:
    """Images and NAME=VALUE parameters, in any order (argparse cannot tell them apart)."""
    params = [i for i in items if "=" in i and not Path(i).exists()]
    return [i for i in items if i not in params], params


def output_paths(inputs: list[Path], out: Path) -> list[Path]:
    suffix = out.suffix.lower()
    if len(inputs) == 1 and suffix in WRITABLE:
        return [out]
    if suffix in WRITABLE and not out.is_dir():
        raise UserError(f"{len(inputs)} images need a folder for -o, not {out}")
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a folder")
    if suffix and not out.exists() and len(inputs) == 1:
        raise UserError(f"-o {out}: cannot write {suffix} images ({', '.join(sorted(WRITABLE))})")
    names: dict[str, int] = {}
    paths = []
    for p in inputs:
        n = names.get(p.stem, 0)
        names[p.stem] = n + 1
        paths.append(out / (f"{p.stem}.png" if n == 0 else f"{p.stem}_{n}.png"))
    return paths


def write_image(path: Path, rgb) -> None:  # noqa: ANN001 - (H, W, 3) uint8
    from PIL import Image

    from shaderviz.outputs.writers import save_image_file

    save_image_file(path, Image.fromarray(rgb))


def run(args: argparse.Namespace) -> int:
    from shaderviz.depth.command import expand_inputs
    from shaderviz.effects.chain import parse_fx
    from shaderviz.effects.registry import Registry
    from shaderviz.explore.enhance import EFFECT, dream_params

    if args.threads is not None and not 1 <= args.threads <= 256:
        raise UserError(f"--threads {args.threads} is out of range 1..256")
    images, params = split_arguments(args.items)
    if not images:
        raise UserError("enhance: name an image to dream into")
    registry = Registry.load(args.effects_dir)
    try:
        instance = parse_fx(" ".join([EFFECT, *params]), registry)
    except ValueError as err:
        raise UserError(str(err)) from None
    dream = dream_params(registry.get(EFFECT), instance)
    inputs = expand_inputs(images)
    outputs = output_paths(inputs, args.output)

    from tqdm import tqdm

    from shaderviz.explore.enhancer import Enhancer
    from shaderviz.sources.images import open_image, to_rgb

    first = to_rgb(open_image(inputs[0]))  # a bad image fails before the network loads
    if args.threads is not None:
        import torch

        torch.set_num_threads(args.threads)
    enhancer = Enhancer(cache_dir=False if args.no_cache else None, device=args.device)
    for index, (src, dst) in enumerate(zip(inputs, outputs, strict=True)):
        rgb = first if index == 0 else to_rgb(open_image(src))
        label = src.name if len(inputs) == 1 else f"{index + 1}/{len(inputs)} {src.name}"
        with tqdm(desc=label, unit="step", disable=args.quiet, leave=False) as bar:
            def progress(done: int, total: int, bar: tqdm = bar) -> None:
                bar.total = total
                bar.update(done - bar.n)

            write_image(dst, enhancer.enhance(rgb, dream, progress))
    where = outputs[0] if len(outputs) == 1 else args.output
    cached = f", {enhancer.hits} from the cache" if enhancer.hits else ""
    print(f"wrote {len(outputs)} dream{'s' if len(outputs) != 1 else ''} to {where}{cached}")
    return 0
