"""The commands of exploring the image in `play` (data; shaderviz.keymap says which keys):
the keyboard sampler, pan and zoom of the view, split view, and dreaming."""

from __future__ import annotations

from shaderviz.control.commands import CommandSpec

DIRECTIONS = ("LEFT", "RIGHT", "UP", "DOWN")

EXPLORE_COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("sampler_mode", "sampler mode on / off: a rectangle to zoom into or tile (arrows move it)"),
    *(CommandSpec(f"sampler_move:{d}", f"sampler mode: move the rectangle {d.lower()}", hold=True)
      for d in DIRECTIONS),
    *(CommandSpec(f"sampler_nudge:{d}", f"sampler mode: move the rectangle {d.lower()}, fine", hold=True)
      for d in DIRECTIONS),
    *(CommandSpec(f"sampler_stretch:{d}", f"sampler mode: resize freely ({what})", hold=True)
      for d, what in (("LEFT", "narrower"), ("RIGHT", "wider"), ("UP", "taller"), ("DOWN", "shorter"))),
    CommandSpec("sampler_size:GROW", "sampler mode: a larger rectangle (aspect kept)", hold=True),
    CommandSpec("sampler_size:SHRINK", "sampler mode: a smaller rectangle (aspect kept)", hold=True),
    CommandSpec("sampler_rotate:LEFT", "sampler mode: turn the rectangle counter-clockwise", hold=True),
    CommandSpec("sampler_rotate:RIGHT", "sampler mode: turn the rectangle clockwise", hold=True),
    CommandSpec("sampler_rotate:FINE_LEFT", "sampler mode: turn counter-clockwise, fine steps", hold=True),
    CommandSpec("sampler_rotate:FINE_RIGHT", "sampler mode: turn clockwise, fine steps", hold=True),
    CommandSpec("sampler_zoom", "sampler mode: zoom into the rectangle (zooms stack: a zoom into a zoom)"),
    CommandSpec("sampler_back", "sampler mode: step back out of one zoom level"),
    CommandSpec("sampler_cycle",
                "sampler mode: the last level zoom -> tile -> mirror (none yet: tile the rectangle)"),
    CommandSpec("sampler_tiles:MORE", "sampler mode: more tiles across (tile, mirror)"),
    CommandSpec("sampler_tiles:FEWER", "sampler mode: fewer tiles across (0: each at the rectangle's size)"),
    CommandSpec("sampler_filter", "sampler mode: filter nearest -> linear -> cubic"),
    CommandSpec("view_mode", "view mode on / off: arrows pan the view (what is rendered does not change)"),
    CommandSpec("view_zoom:IN", "zoom the view in (the window only; scroll zooms at the pointer)"),
    CommandSpec("view_zoom:OUT", "zoom the view out"),
    *(CommandSpec(f"view_pan:{d}", f"view mode: pan the view {d.lower()}", hold=True) for d in DIRECTIONS),
    CommandSpec("view_pixels", "view: one rendered pixel on one screen pixel (1:1)"),
    CommandSpec("view_reset", "view: the whole picture again (no pan or zoom)"),
    CommandSpec("split", "split view: off -> before | after (drag the line) -> side by side"),
    CommandSpec("dream", "dream into the picture on a worker (again: dream on the dream)"),
    CommandSpec("dream_frame", "dream into the frame as shown (effects and all)"),
    CommandSpec("undream", "back to the undreamed picture (stops a dream in progress)"),
)
