"""``shaderviz generate clouds|landscape|books|cppn|FILE -n N -o OUT --seed S``.

Image ``i`` of ``--seed S`` is the one ``play gan:NAME --seed S`` shows after ``i``
presses of G (the keyframe latent of ``walk.keyframe(S, i)``), or for ``cppn`` the
network ``(S, i)`` that ``play cppn:S`` shows after ``i`` presses, evaluated by the
torch reference with the defaults of ``shaders/cppn.glsl``. ``OUT`` is a folder (one
PNG each, ``NAME-sS-NNNN.png``) or a ``.png`` file (one grid of all of them).
GAN images keep the model's size unless ``--size`` asks for another (``--upscale``
nearest | linear | cubic, centre-cropped to the aspect); CPPNs are drawn at that size
(default 512x512).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin

from shaderviz.errors import UserError

KINDS = ("clouds", "landscape", "books", "cppn")
FILTERS = {"nearest": Image.NEAREST, "linear": Image.BILINEAR, "cubic": Image.BICUBIC}
CPPN_SIZE = (512, 512)
MAX_COUNT = 10_000


def add_arguments(p: argparse.ArgumentParser, size_type: object) -> None:
    p.add_argument("kind", metavar="KIND",
                   help="clouds | landscape | books | cppn, or a generator file (.pt)")
    p.add_argument("-n", "--count", type=int, default=16, help="how many images (default 16)")
    p.add_argument("-o", "--output", type=Path, required=True,
                   help="a folder (one PNG per image) or a .png file (one grid)")
    p.add_argument("--seed", type=int, default=0, help="first image of this seed's sequence (default 0)")
    p.add_argument("--size", type=size_type, help="WxH (default: the model's size; cppn 512x512)")
    p.add_argument("--upscale", choices=tuple(FILTERS), default="cubic",
                   help="how GAN images are resized to --size (default cubic; nearest keeps the blocks)")


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.count <= MAX_COUNT:
        raise UserError(f"-n {args.count}: give 1..{MAX_COUNT} images")
    if args.seed < 0:
        raise UserError(f"--seed {args.seed}: seeds are 0 or more")
    grid = args.output.suffix.lower() == ".png"
    if grid and args.output.is_dir():
        grid = False
    if not grid and args.output.suffix and not args.output.is_dir():
        raise UserError(f"-o {args.output}: give a folder, or a .png file for one grid image")
    parent = args.output.parent if grid else args.output
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"-o {args.output}: cannot create {parent} ({err.strerror})") from None
    name, images = _generate(args)
    if grid:
        _save(_grid(images), args.output, {"kind": name, "seed": args.seed, "count": args.count})
        print(f"wrote {args.output} ({args.count} images of {name}, seed {args.seed}, in a grid)")
        return 0
    for i, image in enumerate(images):
        info = {"kind": name, "seed": args.seed, "image": i}
        _save(image, args.output / f"{name}-s{args.seed}-{i:04d}.png", info)
    height, width = images[0].shape[:2]
    print(f"wrote {args.count} images of {name} (seed {args.seed}, {width}x{height}) to {args.output}/")
    return 0


def _generate(args: argparse.Namespace) -> tuple[str, list[np.ndarray]]:
    if args.kind in ("cppn", "cppn:"):
        return "cppn", _cppn(args.seed, args.count, args.size or CPPN_SIZE)
    from shaderviz.generators.loader import SHIPPED, load_generator
    from shaderviz.generators.walk import keyframe

    spec = args.kind.removeprefix("gan:")
    if spec not in SHIPPED and not Path(spec).expanduser().exists():
        raise UserError(f"generate {args.kind}: not one of {', '.join(KINDS)}, and no such generator file")
    generator = load_generator(spec)
    images = []
    for start in range(0, args.count, 64):
        stop = min(args.count, start + 64)
        z = np.stack([keyframe(args.seed, i, generator.latent) for i in range(start, stop)])
        images.extend(generator.generate(z))
    if args.size is not None:
        images = [_resize(img, args.size, FILTERS[args.upscale]) for img in images]
    name = spec if spec in SHIPPED else Path(spec).stem
    return name, images


def _cppn(seed: int, count: int, size: tuple[int, int]) -> list[np.ndarray]:
    """CPPN images with the shader header's parameter defaults (one source of truth)."""
    from shaderviz.effects.registry import Registry
    from shaderviz.generators import cppn

    spec = Registry.load().get("cppn", "source")
    value = {p.name: p.default for p in spec.params}
    images = []
    for i in range(count):
        net = cppn.build(cppn.Settings(seed=seed, image=i, width=value["width"], layers=value["layers"],
                                       latents=value["latents"], activation=value["activation"]))
        rgb = cppn.render(net, size, position=0.0, radius=value["radius"], zoom=value["zoom"],
                          detail=value["detail"])
        images.append(cppn.to_uint8(rgb))
    return images


def _resize(image: np.ndarray, size: tuple[int, int], resample: int) -> np.ndarray:
    from shaderviz.sources.images import fit_image

    return np.asarray(fit_image(Image.fromarray(image), size, "fill", resample))


def _grid(images: list[np.ndarray]) -> np.ndarray:
    columns = math.ceil(math.sqrt(len(images)))
    rows = math.ceil(len(images) / columns)
    h, w = images[0].shape[:2]
    out = np.zeros((rows * h, columns * w, 3), np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, columns)
        out[r * h : (r + 1) * h, c * w : (c + 1) * w] = img
    return out


def _save(image: np.ndarray, path: Path, info: dict) -> None:
    import json

    meta = PngImagePlugin.PngInfo()
    meta.add_text("shaderviz:generate", json.dumps(info))
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        Image.fromarray(image).save(tmp, format="PNG", pnginfo=meta)
        tmp.replace(path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise UserError(f"cannot write {path} ({err.strerror})") from None
