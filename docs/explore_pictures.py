"""Make the README's pictures of the sampler and enhance with the shaderviz command line.

    .venv/bin/python docs/explore_pictures.py        # writes docs/sampler-*.png, -dive.gif, enhance.png

Sources: scikit-image's sample photos (``astronaut``: NASA, public domain; ``coffee``:
Rachel Michetti, CC0), written to a temporary folder. Each panel is one
``shaderviz render`` / ``shaderviz enhance`` run; panels are put side by side with a
2-pixel gap, nothing else is done to them.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

DOCS = Path(__file__).resolve().parent


def shaderviz(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "shaderviz", *args], check=True)


def strip(paths: list[Path], out: Path) -> None:
    images = [Image.open(p).convert("RGB") for p in paths]
    height = max(i.height for i in images)
    width = sum(i.width for i in images) + 2 * (len(images) - 1)
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    x = 0
    for image in images:
        canvas.paste(image, (x, 0))
        x += image.width + 2
    canvas.save(out, optimize=True)
    print(f"wrote {out}")


def main() -> None:
    from skimage import data

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        Image.fromarray(data.astronaut()).save(work / "astronaut.png")
        coffee = Image.fromarray(data.coffee())
        coffee.resize((360, 240), Image.LANCZOS).save(work / "coffee.png")
        # a "generated" image: as small as a GAN's
        coffee.resize((60, 40), Image.LANCZOS).save(work / "small.png")

        small = ["render", str(work / "small.png"), "--size", "360x240", "--frames", "1", "--quiet"]
        shaderviz(*small, "-o", str(work / "s0.png"), "--fx", "saturate amount=0")
        shaderviz(*small, "-o", str(work / "s1.png"), "--fx", "sampler x=0.42 y=0.4 size=0.3")
        shaderviz(*small, "-o", str(work / "s2.png"), "--fx", "sampler x=0.42 y=0.4 size=0.3 filter=cubic")
        strip([work / f"s{i}.png" for i in range(3)], DOCS / "sampler-pixels.png")

        photo = ["render", str(work / "astronaut.png"), "--size", "240x240", "--frames", "1", "--quiet"]
        shaderviz(*photo, "-o", str(work / "t0.png"), "--fx", "sampler x=0.47 y=0.3 size=0.25 mode=tile")
        shaderviz(*photo, "-o", str(work / "t1.png"), "--fx",
                  "sampler x=0.47 y=0.3 size=0.2 mode=mirror tiles=5 filter=cubic")
        shaderviz(*photo, "-o", str(work / "t2.png"), "--fx", "sampler x=0.6 y=0.55 size=0.5 filter=cubic",
                  "--fx", "sampler x=0.3 y=0.4 size=0.4 rotation=30 filter=cubic")
        strip([work / f"t{i}.png" for i in range(3)], DOCS / "sampler-tiles.png")

        shaderviz("render", str(work / "astronaut.png"), "--size", "200x200", "--fps", "12", "--seconds", "3",
                  "--quiet", "-o", str(DOCS / "sampler-dive.gif"),
                  "--fx", "sampler x=0.45 y=0.28 size=triangle(1,0.06) rotation=sine(0,25) filter=cubic")
        print(f"wrote {DOCS / 'sampler-dive.gif'}")

        shaderviz("enhance", str(work / "coffee.png"), "-o", str(work / "e4.png"), "layer=4", "strength=1.5")
        shaderviz("enhance", str(work / "coffee.png"), "-o", str(work / "e9.png"), "layer=9", "strength=1.5",
                  "octaves=4")
        strip([work / "coffee.png", work / "e4.png", work / "e9.png"], DOCS / "enhance.png")


if __name__ == "__main__":
    main()
