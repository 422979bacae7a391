"""What `play`'s window shows of the frame: the view (pan, zoom), split view, and the
sampler's rectangle over it; and the mouse over the picture. Drawn into the window only,
after the frame is rendered: snapshots and recordings never see any of it.

Keys (commands) for the view: zoom in / out, view mode (arrows pan), 1:1 pixels, reset,
split. The mouse: the scroll wheel zooms at the pointer; a drag moves the splitter line
when it starts on it, selects the sampler's rectangle in sampler mode, and pans the view
when zoomed in or in view mode. Any other drag is left to whoever else listens (the window
passes it on when :meth:`Viewer.press` says False).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import moderngl
import numpy as np

from shaderviz.control.commands import Commands
from shaderviz.explore.repeat import Repeater
from shaderviz.explore.view import Box, View
from shaderviz.render.glsl import VERTEX_SHADER
from shaderviz.render.present import Presenter, error_frame
from shaderviz.render.targets import Target

if TYPE_CHECKING:
    from shaderviz.app.live import LiveShow

VIEW_SHADER = """#version 330
in vec2 uv;
out vec4 fragColor;
uniform sampler2D image;
uniform vec4 region;  // the box's bottom-left corner in the image's uv (xy) and its extent (zw)
uniform bool nearest;
void main() {
    vec2 p = region.xy + uv * region.zw;
    if (any(lessThan(p, vec2(0.0))) || any(greaterThan(p, vec2(1.0)))) {
        fragColor = vec4(0.06, 0.06, 0.06, 1.0);
        return;
    }
    ivec2 size = textureSize(image, 0);
    vec3 c = nearest ? texelFetch(image, min(ivec2(floor(p * vec2(size))), size - 1), 0).rgb
                     : texture(image, p).rgb;
    fragColor = vec4(c, 1.0);
}
"""
LINE_SHADER = """#version 330
in vec2 pos;
uniform vec2 window;
void main() {
    gl_Position = vec4(pos.x / window.x * 2.0 - 1.0, 1.0 - pos.y / window.y * 2.0, 0.0, 1.0);
}
"""
LINE_FRAGMENT = """#version 330
uniform vec4 colour;
out vec4 fragColor;
void main() {
    fragColor = colour;
}
"""
ZOOM_STEP = 2**0.5
PAN_STEP = 0.1  # of what is in view
SPLITTER_GRAB = 8  # pixels either side of the line
Point = tuple[float, float]


class Lines:
    """Thick line segments in window pixels (top-left origin), as triangles."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.program = ctx.program(vertex_shader=LINE_SHADER, fragment_shader=LINE_FRAGMENT)
        self.buffer = ctx.buffer(reserve=64 * 6 * 2 * 4)
        self.vao = ctx.vertex_array(self.program, [(self.buffer, "2f", "pos")])

    def draw(self, segments: list[tuple[Point, Point]], width: float, colour: tuple[float, ...],
             fbo: moderngl.Framebuffer, window: tuple[int, int]) -> None:
        quads = []
        for (x0, y0), (x1, y1) in segments[:64]:
            dx, dy = x1 - x0, y1 - y0
            length = max(1e-6, (dx * dx + dy * dy) ** 0.5)
            nx, ny = -dy / length * width / 2, dx / length * width / 2
            ex, ey = dx / length * width / 2, dy / length * width / 2  # square ends: corners meet
            a, b = (x0 - ex + nx, y0 - ey + ny), (x0 - ex - nx, y0 - ey - ny)
            c, d = (x1 + ex + nx, y1 + ey + ny), (x1 + ex - nx, y1 + ey - ny)
            quads += [a, b, c, b, d, c]
        if not quads:
            return
        self.buffer.write(np.asarray(quads, np.float32).tobytes())
        fbo.use()
        fbo.viewport = (0, 0, window[0], window[1])
        self.program["window"].value = window
        self.program["colour"].value = colour
        self.vao.render(moderngl.TRIANGLES, vertices=len(quads))

    def release(self) -> None:
        for obj in (self.vao, self.buffer, self.program):
            obj.release()


class Viewer:
    def __init__(self, ctx: moderngl.Context, live: LiveShow, commands: Commands,
                 notify: Callable[[str], None]) -> None:
        self.ctx, self.live, self.notify = ctx, live, notify
        self.view = View()
        self.mode = False  # view mode: arrows pan
        self.held = Repeater()
        self.presenter = Presenter(ctx)
        self.program = ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=VIEW_SHADER)
        self.vao = ctx.vertex_array(self.program, [])
        self.lines = Lines(ctx)
        self.window = (1, 1)  # the last window (framebuffer) size drawn into
        self.pointer: Point = (0.0, 0.0)  # window pixels, top-left origin
        self.scale = 1.0  # framebuffer pixels per window point (HiDPI)
        self._drag: tuple[str, Point, Box] | None = None  # (what, where it started: frame point, box)
        self._bind(commands)

    # -- commands ------------------------------------------------------------------------------

    def _bind(self, commands: Commands) -> None:
        commands.bind("view_mode", self.toggle_mode)
        commands.bind("view_zoom", lambda arg: self.zoom(ZOOM_STEP if arg == "IN" else 1 / ZOOM_STEP))
        commands.bind("view_pan", self.pan)
        commands.bind("view_pixels", self.one_to_one)
        commands.bind("view_reset", self.reset)
        commands.bind("split", self.split)

    def modes(self) -> list[str]:
        """The keymap modes on now (sampler mode's keys win over view mode's)."""
        return [m for m, on in (("sampler", self.live.sampler.active), ("view", self.mode)) if on]

    def toggle_mode(self) -> None:
        self.mode = not self.mode
        self.held.clear()
        self.notify("view mode: arrows pan, + / - zoom, 1 shows pixels 1:1, 0 resets, L leaves" if self.mode
                    else "view mode off")

    def zoom(self, factor: float) -> None:
        self.view.zoom_by(factor)
        self.notify(f"view x{self.view.zoom:.3g}")

    def pan(self, arrow: str, pressed: bool) -> None:
        dx, dy = {"LEFT": (-PAN_STEP, 0), "RIGHT": (PAN_STEP, 0), "UP": (0, -PAN_STEP),
                  "DOWN": (0, PAN_STEP)}[arrow]
        self.held.press(arrow, lambda: self.view.pan(dx, dy), pressed)

    def one_to_one(self) -> None:
        box = self.view.boxes(self.live.size, self.window)[-1]
        self.view.zoom_to(self.live.size[0] / box[2])
        self.notify(f"view 1:1 (x{self.view.zoom:.3g})")

    def reset(self) -> None:
        self.view.reset()
        self.notify("view reset")

    def split(self) -> None:
        split = self.view.next_split()
        self.live.before.wanted = split != "off"
        self.notify({"off": "split view off", "wipe": "split: before | after (drag the line)",
                     "side": "split: before and after side by side"}[split])

    def status(self) -> list[str]:
        text = self.view.describe()
        lines = [text] if text else []
        if self.mode:
            lines.append("VIEW MODE: arrows pan the view, not the sort")
        return lines

    # -- drawing -------------------------------------------------------------------------------

    def draw(self, output: Target, fbo: moderngl.Framebuffer, window: tuple[int, int], error: bool,
             transparent: bool = False) -> None:
        """The frame as the view shows it, then the sampler's rectangle over it; a
        ``transparent`` show unzoomed shows its alpha over a checkerboard."""
        self.window = window
        self.held.update()
        view = self.view
        if view.identity:
            self.presenter.draw(output, fbo, window, error, transparent)
        else:
            fbo.use()
            fbo.viewport = (0, 0, window[0], window[1])
            fbo.clear(0.0, 0.0, 0.0, 1.0)
            before = self.live.before_target or self.live.renderer.source
            boxes = view.boxes(self.live.size, window)
            if view.split == "side":
                self._image(before, boxes[0], fbo, window)
                self._image(output, boxes[1], fbo, window)
            else:
                self._image(output, boxes[0], fbo, window)
                if view.split == "wipe":
                    x, y, w, h = boxes[0]
                    line = x + view.wipe * w
                    self._image(before, boxes[0], fbo, window, scissor=(x, y, line - x, h))
                    self.lines.draw([((line, y), (line, y + h))], 3.0, (0, 0, 0, 1), fbo, window)
                    self.lines.draw([((line, y), (line, y + h))], 1.0, (1, 1, 1, 1), fbo, window)
            if error:
                for x, y, w, h in boxes:
                    error_frame(fbo, (round(x), round(window[1] - y - h), round(w), round(h)))
        self._overlay(fbo, window)
        fbo.viewport = (0, 0, window[0], window[1])

    def _image(self, image: Target, box: Box, fbo: moderngl.Framebuffer, window: tuple[int, int],
               scissor: Box | None = None) -> None:
        u0, v0, u1, v1 = self.view.region()
        x, y, w, h = box
        fbo.viewport = (round(x), round(window[1] - y - h), round(w), round(h))
        if scissor is not None:
            sx, sy, sw, sh = scissor
            fbo.scissor = (round(sx), round(window[1] - sy - sh), max(0, round(sw)), round(sh))
        image.texture.use(0)
        self.program["image"].value = 0
        self.program["region"].value = (u0, 1.0 - v1, u1 - u0, v1 - v0)
        self.program["nearest"].value = self.view.zoom > 1.0
        self.vao.render(moderngl.TRIANGLES, vertices=3)
        fbo.scissor = None

    def _overlay(self, fbo: moderngl.Framebuffer, window: tuple[int, int]) -> None:
        sampler = self.live.sampler
        if not sampler.active:
            return
        boxes = self.view.boxes(self.live.size, window)
        corners = sampler.corners()
        for box in boxes[-1:]:  # over the processed picture
            points = [self.view.to_window(c, box) for c in corners]
            segments = [(points[i], points[(i + 1) % 4]) for i in range(4)]
            self.lines.draw(segments, 3.0, (0.0, 0.0, 0.0, 1.0), fbo, window)
            self.lines.draw(segments, 1.0, (1.0, 0.9, 0.2, 1.0), fbo, window)

    # -- the mouse (window points, top-left origin; from the window's events) ------------------

    def move(self, x: float, y: float) -> None:
        self.pointer = (x * self.scale, y * self.scale)

    def press(self, x: float, y: float) -> bool:
        """A button went down over the picture: True if the viewer takes the drag."""
        self.move(x, y)
        boxes = self.view.boxes(self.live.size, self.window)
        box = self.view.box_at(self.pointer, boxes)
        line = box[0] + self.view.wipe * box[2]
        if self.view.split == "wipe" and abs(self.pointer[0] - line) <= SPLITTER_GRAB:
            self._drag = ("splitter", self.pointer, box)
        elif self.live.sampler.active:
            box = boxes[-1]
            self._drag = ("select", self.view.to_frame(self.pointer, box), box)
        elif self.view.zoom > 1.0 or self.mode:
            self._drag = ("pan", self.pointer, box)
        else:
            return False
        return True

    def drag(self, x: float, y: float) -> bool:
        if self._drag is None:
            return False
        what, start, box = self._drag
        before = self.pointer
        self.move(x, y)
        if what == "splitter":
            self.view.wipe = min(1.0, max(0.0, (self.pointer[0] - box[0]) / box[2]))
        elif what == "select":
            self.live.sampler.drag_to(start, self.view.to_frame(self.pointer, box))
        else:
            self.view.drag(self.pointer[0] - before[0], self.pointer[1] - before[1], box)
        return True

    def release(self, x: float, y: float) -> bool:
        if self._drag is None:
            return False
        self.drag(x, y)
        what, start, box = self._drag
        self._drag = None
        if what == "select":
            self.live.sampler.drag_end(start, self.view.to_frame(self.pointer, box))
        return True

    def scroll(self, amount: float) -> None:
        """The wheel: zoom the view at the pointer."""
        if not amount:
            return
        box = self.view.box_at(self.pointer, self.view.boxes(self.live.size, self.window))
        anchor = self.view.to_frame(self.pointer, box)
        self.view.zoom_by(ZOOM_STEP ** (1 if amount > 0 else -1), anchor)

    def release_gl(self) -> None:
        for obj in (self.vao, self.program):
            obj.release()
        self.lines.release()
        self.presenter.release()
