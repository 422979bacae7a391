"""The keyboard sampler of `play`: a rectangle over the picture to zoom into or tile.

``M`` turns sampler mode on: the rectangle shows over the picture (the window draws it; it is
never in snapshots or recordings) and the arrows move it instead of sorting. ``Enter`` zooms
into it: a ``sampler`` instance is added to the chain. Zooms stack: the levels are the run of
consecutive ``sampler`` instances in the chain (at its start unless moved), each zooming into
what the one before shows, and the renderer traces them back to the source in one pass.
``Backspace`` removes the last level (the rectangle goes back to where that level was). ``T``
turns the last level zoom -> tile -> mirror. Because the levels are chain entries, they are
in every snapshot's recipe; the rectangle itself is too (``[play] sampler``), so ``--preset
snap.png`` renders that view and restores the rectangle in `play`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from shaderviz.app.show import Show
from shaderviz.control.commands import Commands
from shaderviz.effects.chain import EffectInstance, make_instance
from shaderviz.effects.modulation import Modulator
from shaderviz.explore.geometry import KEYS, Rect, from_corners
from shaderviz.explore.repeat import Repeater

EFFECT = "sampler"
MODES = ("zoom", "tile", "mirror")
FILTERS = ("nearest", "linear", "cubic")
MOVE, NUDGE = 0.1, 0.01  # steps, in the rectangle's own width / height
GROW = 2 ** 0.25  # a press of + or -
STRETCH = 2 ** 0.125
TURN, FINE_TURN = 5.0, 0.5  # degrees
MAX_LEVELS = 8  # the sampler effect's stack
_VECTORS = {"LEFT": (-1, 0), "RIGHT": (1, 0), "UP": (0, -1), "DOWN": (0, 1)}


class SamplerControl:
    def __init__(self, show: Show, notify: Callable[[str], None]) -> None:
        self.show, self.notify = show, notify
        self.active = False
        self.rect = Rect()
        self.filter = "nearest"
        self.drag: tuple[tuple[float, float], tuple[float, float]] | None = None  # a mouse selection
        self.held = Repeater()
        selection = show.play_extra.get("sampler")
        if isinstance(selection, dict):
            self.rect = Rect.from_values(selection).clamped(show.size)
        levels = self.levels()
        if levels and levels[-1].values.get("filter") in FILTERS:
            self.filter = levels[-1].values["filter"]
        self._remember()

    def bind(self, commands: Commands) -> None:
        commands.bind("sampler_mode", self.toggle)
        for verb in ("sampler_move", "sampler_nudge", "sampler_stretch", "sampler_size", "sampler_rotate"):
            commands.bind(verb, lambda arg, pressed, verb=verb: self.press(f"{verb}:{arg}", pressed))
        commands.bind("sampler_zoom", self.push)
        commands.bind("sampler_back", self.pop)
        commands.bind("sampler_cycle", self.cycle)
        commands.bind("sampler_tiles", lambda arg: self.tiles(arg == "MORE"))
        commands.bind("sampler_filter", self.cycle_filter)

    # -- the stack: a run of sampler instances in the chain -----------------------------------------

    def levels(self) -> list[EffectInstance]:
        """The levels of the zoom stack, outermost first."""
        chain = self.show.chain
        start = next((i for i, inst in enumerate(chain) if inst.name == EFFECT), None)
        if start is None:
            return []
        end = start
        while end < len(chain) and chain[end].name == EFFECT:
            end += 1
        return chain[start:end]

    def push(self, mode: str = "zoom") -> None:
        levels = self.levels()
        if len(levels) >= MAX_LEVELS:
            self.notify(f"the sampler stacks {MAX_LEVELS} levels at most: Backspace steps out")
            return
        spec = self.show.registry.get(EFFECT)
        instance = make_instance(spec, {**self.rect.values(), "mode": mode, "filter": self.filter})
        at = self.show.chain.index(levels[-1]) + 1 if levels else 0
        self.show.chain.insert(at, instance)
        self.notify(f"{mode} level {len(levels) + 1}: {self.describe_zoom()}")

    def pop(self) -> None:
        levels = self.levels()
        if not levels:
            self.notify("no zoom level to step out of")
            return
        last = levels[-1]
        self.show.chain.remove(last)
        self.rect = Rect.from_values(self._constants(last)).clamped(self.show.size)
        self._remember()
        self.notify(f"back to level {len(levels) - 1}" if len(levels) > 1 else "back to the whole picture")

    def cycle(self) -> None:
        levels = self.levels()
        if not levels:
            self.push("tile")
            return
        top = levels[-1]
        mode = MODES[(MODES.index(top.values.get("mode", "zoom")) + 1) % len(MODES)]
        top.values["mode"] = mode
        self.notify(f"level {len(levels)}: {mode}")

    def tiles(self, more: bool) -> None:
        levels = self.levels()
        if not levels or levels[-1].values.get("mode", "zoom") == "zoom":
            self.notify("tiles: T first (tile or mirror)")
            return
        top = levels[-1]
        current = self._constant(top.values.get("tiles", 0.0))
        count = round(current)
        count = (max(2, count + 1) if more else (0 if count <= 2 else count - 1))
        top.values["tiles"] = float(min(64, count))
        self.notify(f"tiles: {count}" if count else "tiles: each at the rectangle's size")

    def cycle_filter(self) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        for level in self.levels():
            level.values["filter"] = self.filter
        self.notify(f"sampler filter: {self.filter}")

    # -- the rectangle ---------------------------------------------------------------------------------

    def set_rect(self, rect: Rect) -> None:
        self.rect = rect.clamped(self.show.size)
        self._remember()

    def press(self, command: str, pressed: bool, now: float | None = None) -> None:
        """A hold command (move, nudge, stretch, size, rotate): a step now, repeats while held."""
        self.held.press(command, self._step_for(command), pressed, now)

    def update(self, now: float | None = None) -> None:
        """Each frame: repeat the held steps that are due."""
        self.held.update(now)

    def _step_for(self, command: str) -> Callable[[], None]:
        verb, _, arg = command.partition(":")
        if verb in ("sampler_move", "sampler_nudge"):
            dx, dy = _VECTORS[arg]
            amount = MOVE if verb == "sampler_move" else NUDGE
            return lambda: self.set_rect(self.rect.moved(dx * amount, dy * amount))
        if verb == "sampler_stretch":
            fx = {"LEFT": 1 / STRETCH, "RIGHT": STRETCH}.get(arg, 1.0)
            fy = {"DOWN": 1 / STRETCH, "UP": STRETCH}.get(arg, 1.0)
            return lambda: self.set_rect(self.rect.stretched(fx, fy))
        if verb == "sampler_size":
            factor = GROW if arg == "GROW" else 1 / GROW
            return lambda: self.set_rect(self.rect.scaled(factor))
        degrees = {"LEFT": TURN, "RIGHT": -TURN, "FINE_LEFT": FINE_TURN, "FINE_RIGHT": -FINE_TURN}[arg]
        return lambda: self.set_rect(self.rect.turned(degrees))

    # -- the mouse (frame fractions, from the window) ----------------------------------------------

    def drag_to(self, start: tuple[float, float], point: tuple[float, float]) -> None:
        self.drag = (start, point)

    def drag_end(self, start: tuple[float, float], point: tuple[float, float]) -> None:
        self.drag = None
        width, height = self.show.size
        if abs(point[0] - start[0]) * width < 4 and abs(point[1] - start[1]) * height < 4:
            self.set_rect(replace(self.rect, x=point[0], y=point[1]))  # a click: the rectangle moves there
            return
        self.set_rect(from_corners(start, point, self.show.size))

    # -- what the window shows ---------------------------------------------------------------------

    def toggle(self) -> bool:
        self.active = not self.active
        self.held.clear()
        self.drag = None
        self.notify("sampler mode: arrows move the rectangle (not the sort), Enter zooms, T tiles, "
                    "Backspace steps out, M leaves" if self.active else "sampler mode off")
        return self.active

    def describe_zoom(self) -> str:
        zoom = 1.0
        for level in self.levels():
            if level.values.get("mode", "zoom") == "zoom":
                zoom /= max(self._constant(level.values.get("size", 0.5)), 1e-9)
        return f"x{zoom:.4g}"

    def status(self) -> list[str]:
        """Lines for the HUD (only while the mode is on: it says what the arrows do)."""
        if not self.active:
            return []
        levels = self.levels()
        modes = "/".join(level.values.get("mode", "zoom") for level in levels) or "none"
        return [f"SAMPLER MODE: arrows move the rectangle, not the sort | levels {len(levels)} ({modes}) | "
                f"zoom {self.describe_zoom()} | {self.filter}"]

    def corners(self) -> list[tuple[float, float]]:
        """The rectangle (or the one being dragged), in frame fractions: what the overlay draws."""
        if self.drag is not None:
            return from_corners(*self.drag, self.show.size).corners(self.show.size)
        return self.rect.corners(self.show.size)

    # -- helpers -----------------------------------------------------------------------------------

    def _remember(self) -> None:
        """The rectangle goes into snapshot recipes (``[play] sampler``)."""
        self.show.play_extra["sampler"] = self.rect.values()

    def _constants(self, level: EffectInstance) -> dict[str, float]:
        return {k: self._constant(level.values[k]) for k in KEYS if k in level.values}

    @staticmethod
    def _constant(value: object) -> float:
        """A modulated value (a preset's level) as it is at the start of the loop."""
        return value.value(0.0) if isinstance(value, Modulator) else float(value)  # type: ignore[arg-type]
