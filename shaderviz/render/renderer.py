"""The renderer: one object that runs the effects chain on the GPU.

Used by the window (`play`) and headless rendering (`render`) alike. Textures and
framebuffers are made once and reused; a resize reallocates once; ``release()`` frees
everything explicitly. Shaders that fail to compile keep the last good program.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import moderngl
import numpy as np

from shaderviz.effects.chain import EffectInstance
from shaderviz.effects.palettes import palette_texture_rgba
from shaderviz.effects.registry import Registry
from shaderviz.effects.spec import EffectSpec, PassSpec
from shaderviz.render.depthprep import DepthPrep
from shaderviz.render.glsl import (
    VERTEX_SHADER,
    ShaderError,
    build_fused_source,
    build_sources,
    map_error,
)
from shaderviz.render.kernels import Kernel, create_kernel
from shaderviz.render.scaling import DepthScaler
from shaderviz.render.targets import CompiledEffect, Frame, PassBuffer, Target

# Texture units shared by every program.
UNIT_INPUT, UNIT_SOURCE, UNIT_DEPTH, UNIT_PALETTE, UNIT_TARGETS = 0, 1, 2, 3, 4


def fusion_groups(
    active: list[tuple[EffectSpec, EffectInstance]],
) -> list[list[tuple[EffectSpec, EffectInstance]]]:
    """Consecutive effects that can share one pass: a one-pass effect followed by any
    number of pointwise ones (saturate, colorize, ...). Fewer passes, less bandwidth."""
    groups: list[list[tuple[EffectSpec, EffectInstance]]] = []
    for spec, instance in active:
        if groups and spec.pointwise and groups[-1][0][0].fusible:
            groups[-1].append((spec, instance))
        else:
            groups.append([(spec, instance)])
    return groups


@dataclass(frozen=True)
class GLImage:
    """An image as the source texture holds it: RGBA, bottom row first, contiguous."""

    data: np.ndarray

    @classmethod
    def from_rgb(cls, rgb: np.ndarray) -> GLImage:
        """From (H, W, 3|4) uint8, top row first: the slow part of an upload, safe on any thread."""
        data = np.empty(rgb.shape[:2] + (4,), np.uint8)
        data[..., : rgb.shape[2]] = rgb[::-1]
        if rgb.shape[2] == 3:
            data[..., 3] = 255
        return cls(data)


@dataclass
class Renderer:
    ctx: moderngl.Context
    size: tuple[int, int]
    registry: Registry
    errors: dict[str, str] = field(default_factory=dict)  # effect name -> shader error
    fuse: bool = True  # run pointwise effects inside the pass before them (see render/fusion)
    pixel_scale: float = 1.0  # render pixels per output pixel: "px" parameters are scaled by it
    depth_weight: float = 1.0  # how strongly depth gating acts (0: neutral, e.g. until depth arrives)

    def __post_init__(self) -> None:
        self._compiled: dict[str, CompiledEffect] = {}
        self._failed: dict[str, str] = {}  # effect name -> digest that failed to compile
        self._kernels: dict[int, Kernel] = {}  # instance uid -> its kernel (and state)
        self._fused: dict[tuple, CompiledEffect | None] = {}  # members' (name, digest) -> program
        self._buffers: dict[tuple[int, str, int], PassBuffer] = {}
        self._depth_scaler: DepthScaler | None = None
        palette = palette_texture_rgba()
        self._palette = self.ctx.texture((palette.shape[1], palette.shape[0]), 4, palette.tobytes())
        self._palette.repeat_x = self._palette.repeat_y = False
        self._palette_count = palette.shape[0]
        self._allocate()

    # -- resources ---------------------------------------------------------------------

    def _allocate(self) -> None:
        self.source = Target.create(self.ctx, self.size)
        self._ping = [Target.create(self.ctx, self.size), Target.create(self.ctx, self.size)]
        self._source_version = 0  # bumps whenever the source image changes (the depth guide)
        self.depth_prep = DepthPrep(self.ctx, self.size, self.registry.include_dirs())
        self.upload_depth(np.full((self.size[1], self.size[0]), 0.5, np.float32))

    @property
    def depth(self) -> moderngl.Texture:
        """The depth map every effect reads (``depthMap``), prepared (see render/depthprep)."""
        return self.depth_prep.texture

    def _free_frame_resources(self) -> None:
        for target in (self.source, *self._ping):
            target.release()
        self.depth_prep.release()
        self._drop_buffers(set())

    def resize(self, size: tuple[int, int]) -> None:
        """Reallocate every size-dependent texture (once; not per frame)."""
        if size == self.size:
            return
        self._free_frame_resources()
        self.size = size
        self._allocate()

    def release(self) -> None:
        self._free_frame_resources()
        if self._depth_scaler is not None:
            self._depth_scaler.release()
            self._depth_scaler = None
        for compiled in self._compiled.values():
            compiled.release()
        self._compiled.clear()
        self._forget_fused()
        self._palette.release()

    def _forget_fused(self) -> None:
        for compiled in self._fused.values():
            if compiled is not None:
                compiled.release()
        self._fused.clear()

    # -- uploads -----------------------------------------------------------------------

    def upload_source(self, image: np.ndarray | GLImage) -> None:
        """An (H, W, 3|4) uint8 image, top row first, exactly the render size (or a
        :class:`GLImage` made from one on a worker: then the upload is a plain copy)."""
        data = image.data if isinstance(image, GLImage) else GLImage.from_rgb(image).data
        self._check_shape(data.shape[:2])
        self.source.texture.write(data)
        self._source_version += 1

    def upload_depth(self, depth: np.ndarray, refine: bool = False) -> None:
        """An (H, W) float nearness map (1 = near, 0 = far), top row first. ``refine``: a
        depth model's map, to be resampled onto the source image's edges on the GPU. A map
        of another size (the live depth model's own) is scaled to the render size on the
        GPU first (bilinear)."""
        if (depth.shape[1], depth.shape[0]) == self.size:
            self.depth_prep.upload(depth, refine)
            return
        if self._depth_scaler is None:
            self._depth_scaler = DepthScaler(self.ctx)
        self._depth_scaler.scale(np.ascontiguousarray(depth[::-1], dtype=np.float32), self.depth_prep.raw.fbo)
        self.depth_prep.uploaded(refine)

    def _check_shape(self, shape: tuple[int, ...]) -> None:
        if (shape[1], shape[0]) != self.size:
            raise ValueError(f"image is {shape[1]}x{shape[0]}, renderer is {self.size[0]}x{self.size[1]}")

    # -- programs ----------------------------------------------------------------------

    def compiled(self, spec: EffectSpec) -> CompiledEffect | None:
        """The effect's programs; on a compile error, the last good ones (or None)."""
        current = self._compiled.get(spec.name)
        if current is not None and current.digest == spec.digest:
            # The text is back to the last good version (an undo): nothing is broken.
            self.errors.pop(spec.name, None)
            self._failed.pop(spec.name, None)
            return current
        if self._failed.get(spec.name) == spec.digest:
            return current  # already failed on this exact text: don't recompile every frame
        try:
            fresh = self._compile(spec)
        except ShaderError as err:
            self.errors[spec.name] = str(err)
            self._failed[spec.name] = spec.digest
            return current
        self.errors.pop(spec.name, None)
        self._failed.pop(spec.name, None)
        if current is not None:
            current.release()
        self._compiled[spec.name] = fresh
        return fresh

    def invalidate(self) -> None:
        """Recompile every effect on next use (an include file changed); the current
        programs keep running if the new ones fail."""
        for compiled in self._compiled.values():
            compiled.digest = ""
        self._failed.clear()
        self._forget_fused()

    def _compile(self, spec: EffectSpec) -> CompiledEffect:
        programs: list[moderngl.Program] = []
        try:
            for source in build_sources(spec, self.registry.include_dirs()):
                try:
                    programs.append(
                        self.ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=source.fragment)
                    )
                except moderngl.Error as err:
                    raise ShaderError(map_error(str(err), source.files)) from None
        except ShaderError:
            for program in programs:
                program.release()
            raise
        vaos = [self.ctx.vertex_array(p, []) for p in programs]
        return CompiledEffect(spec.digest, programs, vaos)

    # -- rendering ---------------------------------------------------------------------

    def render(
        self, chain: list[EffectInstance], frame: Frame, generator: EffectInstance | None = None
    ) -> Target:
        """Run the generator (if any) into the source, then the chain; return the output."""
        if generator is not None:
            spec = self.registry.effects.get(generator.name)
            if spec is not None:
                self._run_effect(spec, generator, frame, self.source, self.source)
                self._source_version += 1
        self.depth_prep.prepare(self.source.texture, self._source_version)
        current = self.source
        alive: set[int] = set()
        active = [(self.registry.effects.get(i.name), i) for i in chain if i.enabled]
        active = [(spec, i) for spec, i in active if spec is not None and spec.kind == "effect"]
        for group in fusion_groups(active) if self.fuse else [[member] for member in active]:
            alive.update(instance.uid for _, instance in group)
            output = self._ping[0] if current is not self._ping[0] else self._ping[1]
            if len(group) > 1 and self._run_fused(group, frame, current, output):
                current = output
                continue
            for spec, instance in group:
                output = self._ping[0] if current is not self._ping[0] else self._ping[1]
                if self._run_effect(spec, instance, frame, current, output):
                    current = output
        self._drop_buffers(alive | ({generator.uid} if generator else set()))
        return current

    def _run_effect(
        self, spec: EffectSpec, instance: EffectInstance, frame: Frame, source: Target, output: Target
    ) -> bool:
        compiled = self.compiled(spec)
        if compiled is None:
            return False
        values = self._values(spec, instance, frame)
        bound: dict[str, int] = {}
        extra = self._run_kernel(spec, instance, values, frame, source) if spec.kernel else {}
        if extra is None:
            return False
        self._bind_common(source)
        for name, texture in extra.items():
            self._bind_target(bound, name, texture)
        last = len(spec.passes) - 1
        for index, (pass_spec, program, vao) in enumerate(
            zip(spec.passes, compiled.programs, compiled.vaos, strict=True)
        ):
            factor = pass_spec.factor(values)
            if factor == 1 and pass_spec.skip_at_full_size:
                self._bind_target(bound, pass_spec.target, source.texture)  # nothing to do
                continue
            buffer = None if index == last else self._buffer(instance.uid, pass_spec, factor)
            if buffer is not None and buffer.previous is not None:
                buffer.current, buffer.previous = buffer.previous, buffer.current
                self._bind_target(bound, pass_spec.target, buffer.previous.texture)
            target = output if buffer is None else buffer.current
            self._set_uniforms(program, values, frame, bound, target, factor)
            self._set_gate(program, values)
            target.fbo.use()
            vao.render(moderngl.TRIANGLES, vertices=3)
            if buffer is not None:
                self._bind_target(bound, pass_spec.target, buffer.current.texture)
        return True

    def _run_fused(
        self, group: list[tuple[EffectSpec, EffectInstance]], frame: Frame, source: Target, output: Target
    ) -> bool:
        """Run a group in one pass; False (run it effect by effect) if it cannot compile."""
        key = tuple((spec.name, spec.digest) for spec, _ in group)
        if key not in self._fused:
            if any(self.compiled(spec) is None or spec.name in self.errors for spec, _ in group):
                return False  # each member alone: its own error and last good program show
            if len(self._fused) > 32:
                self._forget_fused()  # stale groups from edits and hot reloads
            self._fused[key] = None
            try:
                source_code = build_fused_source([spec for spec, _ in group], self.registry.include_dirs())
                program = self.ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=source_code.fragment)
            except (ShaderError, moderngl.Error):
                return False  # e.g. two effects define the same helper function
            self._fused[key] = CompiledEffect("", [program], [self.ctx.vertex_array(program, [])])
        compiled = self._fused[key]
        if compiled is None:
            return False
        program = compiled.programs[0]
        values: dict = {}
        for k, (spec, instance) in enumerate(group):
            own = self._values(spec, instance, frame)
            values.update({f"_f{k}_{name}": value for name, value in own.items()})
            self._set_gate(program, own, suffix=f"_{k}")
        self._bind_common(source)
        self._set_uniforms(program, values, frame, {}, output, 1)
        output.fbo.use()
        compiled.vaos[0].render(moderngl.TRIANGLES, vertices=3)
        return True

    def _values(self, spec: EffectSpec, instance: EffectInstance, frame: Frame) -> dict:
        """Uniform values at this frame; "px" parameters in render pixels."""
        values = {}
        for p in spec.all_params:
            value = p.uniform_value(instance.value(spec, p.name), frame.phase, frame.seed)
            if p.unit == "px" and self.pixel_scale != 1.0 and value > 0:
                scaled = value * self.pixel_scale
                value = max(1, round(scaled)) if p.type == "int" else scaled
            values[p.name] = value
        return values

    def _run_kernel(
        self, spec: EffectSpec, instance: EffectInstance, values: dict, frame: Frame, source: Target
    ) -> dict[str, moderngl.Texture] | None:
        kernel = self._kernels.get(instance.uid)
        if kernel is None:
            kernel = create_kernel(spec.kernel or "", self.ctx, self.size, self.registry.include_dirs(),
                                   self.depth_prep)
            self._kernels[instance.uid] = kernel
        try:
            values = {**values, "depth_weight": self.depth_weight}
            return kernel.run(source.texture, self.depth, values, frame)
        except ShaderError as err:
            self.errors[spec.name] = str(err)
            return None

    def _bind_common(self, source: Target) -> None:
        source.texture.use(UNIT_INPUT)
        self.source.texture.use(UNIT_SOURCE)
        self.depth.use(UNIT_DEPTH)
        self._palette.use(UNIT_PALETTE)

    def _bind_target(self, bound: dict[str, int], name: str | None, texture: moderngl.Texture) -> None:
        unit = bound.setdefault(name or "", UNIT_TARGETS + len(bound))
        texture.use(unit)

    def _buffer(self, uid: int, pass_spec: PassSpec, factor: int) -> PassBuffer:
        key = (uid, pass_spec.target or "", factor)
        buffer = self._buffers.get(key)
        if buffer is None:
            size = (math.ceil(self.size[0] / factor), math.ceil(self.size[1] / factor))
            previous = Target.create(self.ctx, size) if pass_spec.persistent else None
            buffer = PassBuffer(Target.create(self.ctx, size), previous)
            for target in (buffer.current, buffer.previous):
                if target is not None:
                    target.fbo.clear()
            self._buffers[key] = buffer
        return buffer

    def reset_state(self) -> None:
        """Forget persistent buffers and kernel state (when the source image changes); a
        kernel that carries its state across images (a flow sort with ``carry``) keeps it."""
        self._drop_buffers({uid for uid, kernel in self._kernels.items() if getattr(kernel, "carry", False)})

    def _drop_buffers(self, alive: set[int]) -> None:
        """Free the buffers and kernels of instances not in ``alive``."""
        for key in [k for k in self._buffers if k[0] not in alive]:
            self._buffers.pop(key).release()
        for uid in [u for u in self._kernels if u not in alive]:
            self._kernels.pop(uid).release()

    def _set_uniforms(
        self,
        program: moderngl.Program,
        values: dict,
        frame: Frame,
        bound: dict[str, int],
        target: Target,
        factor: int,
    ) -> None:
        common = {
            "inputImage": UNIT_INPUT,
            "sourceImage": UNIT_SOURCE,
            "depthMap": UNIT_DEPTH,
            "paletteTex": UNIT_PALETTE,
            "PALETTECOUNT": self._palette_count,
            "TIME": frame.time,
            "PHASE": frame.phase,
            "RENDERSIZE": self.size,
            "PASSSIZE": target.texture.size,
            "PASSSCALE": float(factor),
            "FRAMEINDEX": frame.index,
            "SEED": frame.seed,
            "DEPTHWEIGHT": self.depth_weight,
        }
        for name, value in (*common.items(), *values.items(), *bound.items()):
            if name in program:
                program[name].value = value

    def _set_gate(self, program: moderngl.Program, values: dict, suffix: str = "") -> None:
        if f"_gate_enabled{suffix}" not in program:
            return
        lo, hi = values.get("depth_min", 0.0), values.get("depth_max", 1.0)
        invert = bool(values.get("depth_invert", False))
        program[f"_gate_enabled{suffix}"].value = lo > 0.0 or hi < 1.0 or invert
        for name, value in (("_gate_lo", lo), ("_gate_hi", hi), ("_gate_invert", invert),
                            ("_gate_soft", values.get("depth_soft", 0.05))):
            if name + suffix in program:
                program[name + suffix].value = value

    # -- output ------------------------------------------------------------------------

    def read(self, target: Target) -> np.ndarray:
        """Read a target back as an (H, W, 3) uint8 image, top row first."""
        data = target.fbo.read(components=3, alignment=1)
        width, height = target.texture.size
        return np.frombuffer(data, np.uint8).reshape(height, width, 3)[::-1].copy()
