"""What a batch renders: one item per image of the folder, each with its output path.

``render photos/ -o loops/`` writes ``loops/<image name>.mp4`` (the codec's container
with ``--codec``); ``-o "loops/{name}.gif"`` picks the file type, ``-o "loops/{name}/"``
a folder of PNG frames per image. An output that exists is finished (outputs appear
only when complete), so a re-run skips it unless ``--overwrite``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from shaderviz.errors import UserError
from shaderviz.outputs import codecs
from shaderviz.outputs.render import RenderOptions
from shaderviz.sources.images import IMAGE_SUFFIXES

NAME = "{name}"


@dataclass(frozen=True)
class ShowArgs:
    """The options that make a show, minus its input: plain data for other processes."""

    effects_dirs: tuple[Path, ...] = ()
    preset: str | None = None
    fx: tuple[str, ...] = ()
    size: tuple[int, int] | None = None
    fps: float | None = None
    seconds: float | None = None
    seed: int | None = None
    fit: str | None = None
    depth: str | None = None
    depth_model: str | None = None
    background: str | None = None

    def build(self, input_spec: str):  # noqa: ANN201 - a Show (imports stay lazy for workers)
        from shaderviz.app.show import build_show
        from shaderviz.effects.registry import Registry

        registry = Registry.load(list(self.effects_dirs))
        return build_show(registry, input_spec, self.preset, list(self.fx), self.size, self.fps,
                          self.seconds, self.seed, self.fit, self.depth, None, self.depth_model,
                          self.background)


@dataclass(frozen=True)
class Item:
    image: Path
    output: Path


@dataclass
class Result:
    item: Item
    status: str  # "written" | "skipped" | "failed"
    message: str
    seconds: float = 0.0


@dataclass
class Batch:
    items: list[Item]
    show: ShowArgs
    options: RenderOptions
    overwrite: bool = False
    results: list[Result] = field(default_factory=list)

    def pending(self) -> list[Item]:
        """Items still to render; finished outputs are recorded as skipped."""
        todo = []
        for item in self.items:
            if item.output.exists() and not self.overwrite:
                self.results.append(Result(item, "skipped", f"skipped {item.output} (it exists; --overwrite "
                                                            "renders it again)"))
            else:
                todo.append(item)
        return todo


def plan(folder: Path, output: Path, codec: str | None) -> list[Item]:
    """One item per image of ``folder`` (name order), its output from the ``-o`` spelling."""
    if not folder.is_dir():
        raise UserError(f"{folder}: --jobs and --ray render a folder of images (one loop per image)")
    images = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not images:
        raise UserError(f"{folder}: the folder holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    text = str(output)
    if NAME not in text:
        suffix = codecs.CODECS[codec].containers[0] if codec else ".mp4"
        if output.suffix:
            raise UserError(f"{output}: a batch writes one file per image: give a folder (-o loops/) or a "
                            f"name with {NAME} (-o \"loops/{NAME}{output.suffix}\")")
        text = str(output / f"{NAME}{suffix}")
    items, seen = [], {}
    for image in images:
        name = image.stem
        if name in seen:
            raise UserError(f"{folder}: {seen[name].name} and {image.name} would both write {name}: "
                            "rename one")
        seen[name] = image
        items.append(Item(image, Path(text.replace(NAME, name))))
    parent = items[0].output.parent
    if not parent.exists():
        if parent.parent.is_dir():
            parent.mkdir()
        else:
            raise UserError(f"{parent.parent}: output folder does not exist")
    return items


def render_item(show: ShowArgs, options: RenderOptions, item: Item) -> Result:
    """Render one item in this process; a UserError becomes a failed result."""
    from shaderviz.outputs.render import render_show

    started = time.perf_counter()
    notes: list[str] = []
    try:
        built = show.build(str(item.image))
        line = render_show(built, replace(options, output=item.output, progress=False), note=notes.append)
    except UserError as err:
        return _failed(item, " ".join(str(err).split()), started)
    except Exception as err:  # noqa: BLE001 - one broken item must not stop the batch
        return _failed(item, f"internal error ({type(err).__name__}: {' '.join(str(err).split())})", started)
    note = f" (note: {'; '.join(notes)})" if notes else ""
    return Result(item, "written", line + note, time.perf_counter() - started)


def _failed(item: Item, message: str, started: float) -> Result:
    named = message if item.image.name in message else f"{item.image.name}: {message}"
    return Result(item, "failed", named, time.perf_counter() - started)
