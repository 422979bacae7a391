"""Pixel sort on the GPU: instant (full sort every frame) and flow (animated).

Instant, fragment path (GL 3.3): pack keys and interval starts → max-scan for each
pixel's interval start (log2 L passes) → bitonic "flip" network on integer textures
(log2 L · (log2 L + 1) / 2 passes, no power-of-two padding) → unpack. Instant, compute
path (GL ≥ 4.3): one invocation merge-sorts a whole line. Flow: odd-even transposition
passes on a persistent image, ``speed`` per frame. The GLSL is in shaders/pixelsort/ and
shaders/include/sortkey.glsl; tests/sort_reference.py is the numpy reference.

``angle`` turns the lines: they become digital lines of an integer shear (sortlines.py)
that every pass walks through ``pixel_of`` / ``line_pos`` with a small table of shifts,
so the passes above run unchanged in "line space" (positions × lines, holes where a line
leaves the image) and the result stays an exact permutation. Angle 0 keeps the plain
row / column code.
"""

from __future__ import annotations

import math
from array import array
from pathlib import Path
from typing import TYPE_CHECKING, Any

import moderngl

from shaderviz.effects.registry import builtin_shader_dir
from shaderviz.render.glsl import VERTEX_SHADER, ShaderError, load_glsl, map_error
from shaderviz.render.kernels.sortlines import SortLines, sort_lines

if TYPE_CHECKING:
    from shaderviz.render.renderer import Frame

SHADER_DIR = "pixelsort"
MODES = ("instant", "flow")
BACKENDS = ("auto", "fragment", "compute")
COMPUTE_GROUP = 32  # local_size_x of line_sort.comp


def band_thresholds(lo: float, hi: float) -> tuple[int, int]:
    """The integer key band [lo, hi] (keys are 16-bit)."""
    return max(0, math.ceil(lo * 65535 - 1e-9)), min(65535, math.floor(hi * 65535 + 1e-9))


def bitonic_stages(length: int) -> list[tuple[int, int]]:
    """(flipBlock, stride) per pass of the flip bitonic network for ``length`` items."""
    stages = []
    block = 2
    while block < 2 * length:
        stages.append((block, 0))
        stride = block // 4
        while stride >= 1:
            stages.append((0, stride))
            stride //= 2
        block *= 2
    return stages


def scan_offsets(length: int) -> list[int]:
    offsets = []
    offset = 1
    while offset < length:
        offsets.append(offset)
        offset *= 2
    return offsets or [0]


class _Pair:
    """Two same-format textures with framebuffers, for ping-pong passes."""

    def __init__(self, ctx: moderngl.Context, size: tuple[int, int], components: int, dtype: str) -> None:
        self.textures = [ctx.texture(size, components, dtype=dtype) for _ in range(2)]
        for texture in self.textures:
            texture.filter = (moderngl.NEAREST, moderngl.NEAREST)
            texture.repeat_x = texture.repeat_y = False
        self.fbos = [ctx.framebuffer(color_attachments=[t]) for t in self.textures]
        self.front = 0  # index of the texture holding the latest result

    def swap(self) -> tuple[moderngl.Texture, moderngl.Framebuffer]:
        """Read the front texture, write the back one (returned), then flip."""
        source = self.textures[self.front]
        self.front ^= 1
        return source, self.fbos[self.front]

    @property
    def latest(self) -> moderngl.Texture:
        return self.textures[self.front]

    def release(self) -> None:
        for obj in (*self.fbos, *self.textures):
            obj.release()


class PixelSortKernel:
    flow_steps_per_draw = 2  # odd-even steps per flow draw: 1 or 2 (tests compare the two)

    def __init__(self, ctx: moderngl.Context, size: tuple[int, int], include_dirs: list[Path]) -> None:
        self.ctx, self.size, self.include_dirs = ctx, size, include_dirs
        self._programs: dict[tuple, tuple[Any, moderngl.VertexArray | None]] = {}
        self._sources: dict[str, tuple[str, tuple[Path, ...]]] = {}  # name -> (GLSL, files)
        self._lines: dict[int, _Pair] = {}  # line-space integer textures, per line length
        self._shift_tables: dict[int, tuple[moderngl.Texture, SortLines | None]] = {}  # per line length
        self._geometry: tuple[tuple[int, float], SortLines | None] = ((0, 0.0), None)
        self._shift_table: moderngl.Texture | None = None  # this frame's, for angled lines
        self._output: moderngl.Texture | None = None
        self._output_fbo: moderngl.Framebuffer | None = None
        self._scratch: moderngl.Buffer | None = None
        self._state: _Pair | None = None  # flow mode image (or, with carry, where each pixel came from)
        self.carry = False  # the last frame's flow kept its order across new source images
        self._step = 0
        self.has_compute = ctx.version_code >= 430

    # -- resources ---------------------------------------------------------------------

    def _program(
        self, name: str, settings: dict[str, Any], extra: tuple[tuple[str, int], ...] = ()
    ) -> tuple[moderngl.Program | moderngl.ComputeShader, moderngl.VertexArray | None]:
        """``name``, specialised for the settings' key, gating and breaks where it reads
        them and for the ``extra`` defines (compiled once per variant), with its vertex
        array (None for compute)."""
        path = builtin_shader_dir() / SHADER_DIR / name
        text, files = self._sources.get(name) or load_glsl(path, self.include_dirs)
        self._sources[name] = (text, files)
        defines: tuple[tuple[str, int], ...] = ()
        if any(f.name == "sortkey.glsl" for f in files):
            defines = (
                ("SORT_KEY", int(settings["sortKey"])),
                ("SORT_GATE", int(settings["gateEnabled"])),
                ("SORT_BREAKS", int(settings["breakEvery"] > 0)),
                ("SORT_AXIS", int(settings["sortAxis"])),
                ("SORT_DESCENDING", int(settings["sortDescending"])),
                ("SORT_ANGLED", int(settings["sortAngled"])),
                ("SORT_MAJOR", int(settings["sortMajor"])),
            )
        defines += extra
        variant = (name, defines)
        if variant not in self._programs:
            version, _, body = text.partition("\n")
            source = "\n".join([version, *(f"#define {k} {v}" for k, v in defines), body])
            try:
                if name.endswith(".comp"):
                    self._programs[variant] = (self.ctx.compute_shader(source), None)
                else:
                    program = self.ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=source)
                    self._programs[variant] = (program, self.ctx.vertex_array(program, []))
            except moderngl.Error as err:
                raise ShaderError(map_error(str(err), files)) from None
        return self._programs[variant]

    def _output_target(self) -> tuple[moderngl.Texture, moderngl.Framebuffer]:
        if self._output is None:
            self._output = self.ctx.texture(self.size, 4)
            self._output.filter = (moderngl.NEAREST, moderngl.NEAREST)
            self._output_fbo = self.ctx.framebuffer(color_attachments=[self._output])
        return self._output, self._output_fbo  # type: ignore[return-value]

    def _line_pair(self, length: int, lines: int) -> _Pair:
        """Integer textures for ``lines`` lines of ``length`` positions (drawn through the
        viewport). One pair per line length (rows, columns); it only grows, in steps of a
        quarter of the steepest tilt's extra lines, so a turning angle reallocates a few
        times at most, never every frame."""
        across = self.size[1] if length == self.size[0] else self.size[0]
        pair = self._lines.get(length)
        if pair is None or pair.textures[0].height < lines:
            step = max(1, math.ceil((length - 1) / 4))
            height = min(across + length - 1, across + math.ceil((lines - across) / step) * step)
            if pair is not None:
                pair.release()
            pair = self._lines[length] = _Pair(self.ctx, (length, height), 2, "u4")
        for fbo in pair.fbos:
            fbo.viewport = (0, 0, length, lines)
        return pair

    def _lines_for(self, values: dict[str, Any]) -> SortLines | None:
        """The angled lines of this frame (None: plain rows / columns), with their shift
        table uploaded (only when the angle changes)."""
        key = (int(values["axis"]), float(values.get("angle", 0.0)))  # a user file may lack it
        if self._geometry[0] != key:
            self._geometry = (key, sort_lines(self.size, *key))
        lines = self._geometry[1]
        self._shift_table = None
        if lines is not None:
            table, uploaded = self._shift_tables.get(lines.length, (None, None))
            if table is None:
                table = self.ctx.texture((lines.length, 1), 1, dtype="i4")
                table.filter = (moderngl.NEAREST, moderngl.NEAREST)
            if uploaded is not lines:
                table.write(array("i", lines.shifts).tobytes())
            self._shift_tables[lines.length] = (table, lines)
            self._shift_table = table
        return lines

    def release(self) -> None:
        for program, vao in self._programs.values():
            if vao is not None:
                vao.release()
            program.release()
        self._programs.clear()
        for pair in (*self._lines.values(), self._state):
            if pair is not None:
                pair.release()
        for table, _ in self._shift_tables.values():
            table.release()
        for obj in (self._output_fbo, self._output, self._scratch):
            if obj is not None:
                obj.release()
        self._lines.clear()
        self._shift_tables.clear()
        self._state = self._shift_table = None
        self._output = self._output_fbo = self._scratch = None

    # -- frame -------------------------------------------------------------------------

    def run(
        self, source: moderngl.Texture, depth: moderngl.Texture, values: dict[str, Any], frame: Frame
    ) -> dict[str, moderngl.Texture]:
        settings = self._settings(values, frame, self._lines_for(values))
        if MODES[values["mode"]] == "flow":
            carry = bool(values.get("carry", False))
            if carry != self.carry:
                self.reset()  # the state is colours, or (carry) positions
            self.carry = carry
            if carry:
                return {"sortedImage": self._flow_carry(source, depth, settings, values["speed"])}
            return {"sortedImage": self._flow(source, depth, settings, values["speed"])}
        backend = BACKENDS[values["backend"]]
        if backend == "compute" or (backend == "auto" and self.has_compute):
            if not self.has_compute:
                backend = "fragment"  # GL < 4.3: the fragment path is always there
            else:
                return {"sortedImage": self._instant_compute(source, depth, settings)}
        return {"sortedImage": self._instant_fragment(source, depth, settings)}

    def _settings(self, values: dict[str, Any], frame: Frame, lines: SortLines | None) -> dict[str, Any]:
        axis = values["axis"]
        width, height = self.size
        length, count = (width, height) if axis == 0 else (height, width)
        if lines is not None:
            length, count = lines.length, lines.lines
        band_lo, band_hi = band_thresholds(values["lo"], values["hi"])
        gate_lo, gate_hi = values["depth_min"], values["depth_max"]
        invert = bool(values["depth_invert"])
        gated = gate_lo > 0.0 or gate_hi < 1.0 or invert
        if gated and values.get("depth_weight", 1.0) < 0.5:  # depth not ready yet: nothing sorts
            gate_lo, gate_hi, invert = 2.0, 2.0, False
        return {
            "sortKey": values["key"],
            "sortAxis": axis,
            "sortAngled": lines is not None,
            "sortMajor": 0 if lines is None else lines.major,
            "lineOffset": 0 if lines is None else lines.offset,
            "lineLength": length,  # positions per line
            "lineCount": count,  # lines (more than the image's rows / columns when angled)
            "sortDescending": bool(values["descending"]),
            "bandLo": band_lo,
            "bandHi": band_hi,
            "breakEvery": values["interval"],
            "breakSeed": frame.seed & 0xFFFFFFFF,
            "imageSize": self.size,
            "gateEnabled": gated,
            "gateLo": gate_lo,
            "gateHi": gate_hi,
            "gateSoft": values["depth_soft"],
            "gateInvert": invert,
        }

    def _draw(self, name: str, fbo: moderngl.Framebuffer, uniforms: dict[str, Any],
              textures: dict[str, moderngl.Texture], settings: dict[str, Any],
              extra: tuple[tuple[str, int], ...] = ()) -> None:
        program, vao = self._program(name, settings, extra)
        if self._shift_table is not None and "shiftTable" in program:
            textures = {**textures, "shiftTable": self._shift_table}
        for unit, (sampler, texture) in enumerate(textures.items()):
            texture.use(unit)
            uniforms = {**uniforms, sampler: unit}
        for key, value in uniforms.items():
            if key in program:
                program[key].value = value
        fbo.use()
        vao.render(moderngl.TRIANGLES, vertices=3)

    def _instant_fragment(self, source: moderngl.Texture, depth: moderngl.Texture,
                          settings: dict[str, Any]) -> moderngl.Texture:
        length = settings["lineLength"]
        lines = self._line_pair(length, settings["lineCount"])
        _, fbo = lines.swap()
        self._draw("pack.glsl", fbo, settings, {"inputImage": source, "depthMap": depth}, settings)
        offsets = scan_offsets(length)
        for n, offset in enumerate(offsets):
            read, fbo = lines.swap()
            self._draw("scan.glsl", fbo, {"offset": offset, "finalize": n == len(offsets) - 1},
                       {"elements": read}, settings)
        for block, stride in bitonic_stages(length):
            read, fbo = lines.swap()
            self._draw("bitonic.glsl", fbo, {"flipBlock": block, "stride": stride, "lineLength": length},
                       {"elements": read}, settings)
        output, output_fbo = self._output_target()
        self._draw("unpack.glsl", output_fbo, settings, {"inputImage": source, "elements": lines.latest},
                   settings)
        return output

    def _instant_compute(self, source: moderngl.Texture, depth: moderngl.Texture,
                         settings: dict[str, Any]) -> moderngl.Texture:
        line_count = settings["lineCount"]
        needed = line_count * settings["lineLength"] * 2 * 8
        if self._scratch is None or self._scratch.size < needed:
            if self._scratch is not None:
                self._scratch.release()
            self._scratch = self.ctx.buffer(reserve=needed)
        output, _ = self._output_target()
        program, _ = self._program("line_sort.comp", settings)
        source.use(0)
        depth.use(1)
        if self._shift_table is not None:
            self._shift_table.use(2)
        for key, value in {**settings, "inputImage": 0, "depthMap": 1, "shiftTable": 2}.items():
            if key in program:
                program[key].value = value
        self._scratch.bind_to_storage_buffer(0)
        output.bind_to_image(0, read=False, write=True)
        program.run(group_x=math.ceil(line_count / COMPUTE_GROUP))
        self.ctx.memory_barrier()
        return output

    def _flow(self, source: moderngl.Texture, depth: moderngl.Texture, settings: dict[str, Any],
              speed: int) -> moderngl.Texture:
        if self._state is None:
            self._state = _Pair(self.ctx, self.size, 4, "f1")
            _, fbo = self._state.swap()
            self._draw("flow_init.glsl", fbo, settings, {"inputImage": source, "depthMap": depth}, settings)
            self._step = 0
        done = 0
        while done < speed:
            # Two odd-even steps per draw where two are left (each draw waits for the
            # last, which is most of its cost in software GL); the same steps in the
            # same order as single ones, so the result after N steps is the same.
            steps = min(self.flow_steps_per_draw, speed - done)
            read, fbo = self._state.swap()
            self._draw("flow.glsl", fbo, {**settings, "step": self._step}, {"state": read, "depthMap": depth},
                       settings, (("FLOW_STEPS", steps),))
            self._step += steps
            done += steps
        return self._state.latest

    def _flow_carry(self, source: moderngl.Texture, depth: moderngl.Texture, settings: dict[str, Any],
                    speed: int) -> moderngl.Texture:
        """Flow on positions: keys come from the current input, so a new input keeps the order."""
        if self._state is None:
            self._state = _Pair(self.ctx, self.size, 2, "u2")
            _, fbo = self._state.swap()
            self._draw("flow_index_init.glsl", fbo, {}, {}, settings)
            self._step = 0
        done = 0
        while done < speed:
            steps = min(self.flow_steps_per_draw, speed - done)
            read, fbo = self._state.swap()
            self._draw("flow.glsl", fbo, {**settings, "step": self._step},
                       {"state": read, "depthMap": depth, "inputImage": source}, settings,
                       (("FLOW_STEPS", steps), ("FLOW_INDEX", 1)))
            self._step += steps
            done += steps
        output, output_fbo = self._output_target()
        textures = {"state": self._state.latest, "inputImage": source}
        self._draw("flow_gather.glsl", output_fbo, {}, textures, settings)
        return output

    def reset(self) -> None:
        """Back to the unsorted input on the next frame (flow mode)."""
        if self._state is not None:
            self._state.release()
            self._state = None
