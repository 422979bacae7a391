"""``shaderviz depth IMAGE... -o OUT [--model NAME|PATH] [--size N] [--guided on|off]``.

Writes 16-bit greyscale PNG depth maps, white = near, at each image's own size, their
edges moved onto the image's edges by guided upsampling (``--guided off``: the model's
map as it is). One input
and OUT ending in ``.png``: that file. Otherwise OUT is a folder and each map is named
after its image (``photo.jpg`` -> ``OUT/photo.png``). A folder among the inputs stands for
the images in it (name order). Every problem is a :class:`UserError` (one line, exit 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from shaderviz.errors import UserError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".tga", ".ppm", ".pgm"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    from shaderviz.depth import DEFAULT_MODEL, SHIPPED

    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files or folders of images")
    p.add_argument(
        "-o", "--output", required=True, type=Path, help="OUT.png for one image, else a folder (created)"
    )
    p.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"shipped model ({', '.join(SHIPPED)}), a .pt checkpoint, a TorchScript file, "
        f"or a local Depth Anything/DPT folder (needs shaderviz[hf]); default {DEFAULT_MODEL}",
    )
    p.add_argument("--size", type=int, help="inference size in pixels (default: the model's)")
    p.add_argument(
        "--guided",
        choices=("on", "off"),
        default="on",
        help="guided upsampling: depth edges onto the image's edges, as render/play do (default on)",
    )
    p.add_argument("--device", help="torch device (default: cuda if available, else cpu)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the depth cache")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def expand_inputs(items: list[str]) -> list[Path]:
    paths: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.suffix.lower() in IMAGE_SUFFIXES and q.is_file())
            if not found:
                raise UserError(f"no images in folder {p}")
            paths += found
        elif not p.exists():
            raise UserError(f"image not found: {p}")
        else:
            paths.append(p)
    return paths


def output_paths(inputs: list[Path], out: Path) -> list[Path]:
    if len(inputs) == 1 and out.suffix.lower() == ".png":
        return [out]
    if out.suffix.lower() in IMAGE_SUFFIXES - {".png"}:
        raise UserError(f"-o {out}: depth maps are 16-bit PNG; name the file .png, or give a folder")
    if out.suffix.lower() == ".png" and not out.is_dir():
        raise UserError(f"{len(inputs)} images need a folder for -o, not {out}")
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a folder")
    names: dict[str, int] = {}
    result = []
    for p in inputs:
        stem = p.stem
        n = names.get(stem, 0)
        names[stem] = n + 1
        result.append(out / (f"{stem}.png" if n == 0 else f"{stem}_{n}.png"))
    return result


def write_png16(path: Path, near) -> None:  # noqa: ANN001 - float array 0..1
    import numpy as np
    from PIL import Image

    from shaderviz.outputs.writers import save_image_file

    save_image_file(path, Image.fromarray(np.clip(np.rint(near * 65535), 0, 65535).astype(np.uint16)))


def run(args: argparse.Namespace) -> int:
    if args.size is not None and not 32 <= args.size <= 2048:
        raise UserError(f"--size {args.size} is out of range 32..2048")
    inputs = expand_inputs(args.images)
    outputs = output_paths(inputs, args.output)

    # Only now torch (a second or two): bad arguments above are reported at once.
    from tqdm import tqdm

    from shaderviz.depth.estimator import DepthEstimator
    from shaderviz.depth.maps import read_image

    images = {p: None for p in inputs}
    for p in inputs[:1]:  # fail fast on the first image before loading the model
        images[p] = read_image(p)
    est = DepthEstimator(
        args.model,
        size=args.size,
        device=args.device,
        cache_dir=False if args.no_cache else None,
        guided=args.guided == "on",
    )
    with tqdm(total=len(inputs), desc="depth", unit="img", disable=args.quiet or len(inputs) < 1) as bar:
        for src, dst in zip(inputs, outputs, strict=False):
            image = images[src] if images[src] is not None else read_image(src)
            write_png16(dst, est.estimate(image))
            bar.update(1)
    where = outputs[0] if len(outputs) == 1 else args.output
    print(
        f"wrote {len(outputs)} depth map{'s' if len(outputs) != 1 else ''} to {where} "
        f"(model {est.model.name}, {est.size}px)"
    )
    return 0
