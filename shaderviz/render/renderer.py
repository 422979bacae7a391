"""The renderer: one object that runs the effects chain on the GPU.

Used by the window (`play`) and headless rendering (`render`) alike. Textures and
framebuffers are made once and reused; a resize reallocates once; ``release()`` frees
everything explicitly. Shaders that fail to compile keep the last good program.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import moderngl
import numpy as np

from shaderviz.effects.chain import EffectInstance
from shaderviz.effects.palettes import palette_texture_rgba
from shaderviz.effects.registry import Registry
from shaderviz.effects.spec import EffectSpec
from shaderviz.errors import UserError
from shaderviz.render.audiotexture import AudioTexture
from shaderviz.render.depthprep import DepthPrep
from shaderviz.render.glsl import ShaderError, variant_index
from shaderviz.render.grouping import Stack, fusion_groups, gated, stack_runs
from shaderviz.render.images import IDENTITY_MAP, EffectImages, GeneratedImages, GLImage, NativeImage
from shaderviz.render.isf import IsfTextures, isf_date
from shaderviz.render.kernels import Kernel, create_kernel
from shaderviz.render.programs import Programs
from shaderviz.render.targets import CompiledEffect, DeferredResample, Frame, PassBuffers, Target
from shaderviz.render.uniforms import effect_values, set_gate, set_values

# Texture units shared by every program.
UNIT_INPUT, UNIT_SOURCE, UNIT_DEPTH, UNIT_PALETTE, UNIT_TARGETS = 0, 1, 2, 3, 4
UNIT_GENERATED, UNIT_PREVIOUS = 14, 15  # a generator's small image and the one before it
UNIT_AUDIO = 12  # audioFFT (units 12-15 are fixed; pass targets take 4-11)
UNIT_NATIVE = 13  # the source at its own size, for effects that read ``nativeImage``


@dataclass
class Renderer:
    ctx: moderngl.Context
    size: tuple[int, int]
    registry: Registry
    errors: dict[str, str] = field(default_factory=dict)  # effect name -> shader error
    fuse: bool = True  # run pointwise effects inside the pass before them (see render/fusion)
    pixel_scale: float = 1.0  # render pixels per output pixel: "px" parameters are scaled by it
    depth_weight: float = 1.0  # how strongly depth gating acts (0: neutral, e.g. until depth arrives)
    alpha: bool = False  # keep the chain's alpha (transparent outputs); else the output is opaque
    background: tuple[float, float, float] = (0.0, 0.0, 0.0)  # under effects that make alpha, if opaque

    def __post_init__(self) -> None:
        self.programs = Programs(self.ctx, self.registry, self.errors, lambda: self.alpha)
        self._kernels: dict[int, Kernel] = {}  # instance uid -> its kernel (and state)
        self._buffers = PassBuffers(self.ctx)
        self._isf = IsfTextures(self.ctx)
        self._last_time: float | None = None  # ISF TIMEDELTA
        self._delta, self._date = 0.0, isf_date()
        self._native = NativeImage(self.ctx)
        self._native_now = (IDENTITY_MAP, 1.0)  # what the effect being run reads as nativeImage
        self._images = EffectImages(self.ctx)
        palette = palette_texture_rgba()
        self._palette = self.ctx.texture((palette.shape[1], palette.shape[0]), 4, palette.tobytes())
        self._palette.repeat_x = self._palette.repeat_y = False
        self._palette_count = palette.shape[0]
        self._generated = GeneratedImages(self.ctx)
        self._warmed: set[tuple] = set()  # (generator, variant) whose crossfade variant was drawn
        self._audio = AudioTexture(self.ctx)
        self._allocate()

    # -- resources ---------------------------------------------------------------------

    def _allocate(self) -> None:
        limit = int(self.ctx.info.get("GL_MAX_TEXTURE_SIZE", 0) or 0)
        if limit and max(self.size) > limit:
            raise UserError(f"{self.size[0]}x{self.size[1]} is larger than this GPU's textures "
                            f"({limit} per side); pass a smaller --size")
        self._source = Target.create(self.ctx, self.size)
        self._deferred: DeferredResample | None = None  # a generator's last pass, not run yet
        self._ping = [Target.create(self.ctx, self.size), Target.create(self.ctx, self.size)]
        self._source_version = 0  # bumps whenever the source image changes (the depth guide)
        self.depth_prep = DepthPrep(self.ctx, self.size, self.registry.include_dirs())
        self.upload_depth(np.full((self.size[1], self.size[0]), 0.5, np.float32))

    @property
    def source(self) -> Target:
        """The source image at the render size. A generator whose last pass only resamples
        a smaller buffer (``PassSpec.resamples``) skips that pass when the first effect can
        sample the buffer itself; whatever reads the source (here) has the pass run first."""
        if self._deferred is not None:
            deferred, self._deferred = self._deferred, None
            deferred.run()
        return self._source

    @property
    def depth(self) -> moderngl.Texture:
        """The depth map every effect reads (``depthMap``), prepared (see render/depthprep)."""
        return self.depth_prep.texture

    def _free_frame_resources(self) -> None:
        self._deferred = None
        for target in (self._source, *self._ping):
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
        self.programs.release()
        self._palette.release()
        self._generated.release()
        self._isf.release()
        self._native.release()
        self._images.release()
        self._audio.release()

    # -- uploads -----------------------------------------------------------------------

    def upload_source(self, image: np.ndarray | GLImage) -> None:
        """An (H, W, 3|4) uint8 image, top row first, exactly the render size (or a
        :class:`GLImage` made from one on a worker: then the upload is a plain copy)."""
        data = _pixels(image)
        self._check_shape(data.shape[:2])
        self._deferred = None  # replaced, not resampled
        if self._source.texture.components != data.shape[2]:  # RGB images go in an RGB texture
            self._source.release()
            self._source = Target.create(self.ctx, self.size, channels=data.shape[2])
        self._source.texture.write(data)
        self._source_version += 1

    def upload_native(self, image: np.ndarray | GLImage | None, fit: str = "fill") -> None:
        """The source image at its own size (H, W, 3|4 uint8, top row first), as the image
        uploaded with :meth:`upload_source` was fitted from it (``fit``): effects that read
        ``nativeImage`` (the sampler) sample it when they come first in the chain, so a zoom
        into a small image shows its real pixels. None: they read the render-size source."""
        self._native.upload(_pixels(image), self.size, fit)

    def upload_effect_image(self, uid: int, name: str, rgb: np.ndarray | GLImage | None,
                            weight: float = 1.0) -> None:
        """An image an effect instance reads as ``name`` (declared in its header's ``images``):
        (H, W, 3) uint8, top row first, any size (or a GLImage of one). None removes it (the
        effect then reads the source, with weight 0)."""
        self._images.upload(uid, name, _pixels(rgb), weight)

    def set_effect_image_weight(self, uid: int, name: str, weight: float) -> None:
        """How strongly an uploaded effect image acts (0..1: a dream fading in)."""
        self._images.set_weight(uid, name, weight)

    def has_effect_image(self, uid: int, name: str) -> bool:
        return self._images.has(uid, name)

    def reads_native(self, chain: list[EffectInstance]) -> bool:
        """Whether an enabled effect of ``chain`` reads ``nativeImage`` (worth uploading one)."""
        specs = self.registry.effects
        return any(i.enabled and i.name in specs and specs[i.name].native_input for i in chain)

    def upload_depth(self, depth: np.ndarray, refine: bool = False) -> None:
        """An (H, W) float nearness map (1 = near, 0 = far), top row first. ``refine``: a
        depth model's map, to be resampled onto the source image's edges on the GPU. A map
        of another size (the live depth model's own) is scaled to the render size on the
        GPU (bilinear): by the refinement itself, or first by a pass of its own."""
        if (depth.shape[1], depth.shape[0]) == self.size:
            self.depth_prep.upload(depth, refine)
        else:
            self.depth_prep.upload_small(depth, refine)

    def upload_generated(self, image: np.ndarray | GLImage, crossfade: bool = False,
                         fit: str = "fill") -> None:
        """A generated (H, W, 3) uint8 image (or a GLImage of one) at its own, usually
        small, size: a generator effect reads it as ``generatedImage`` and upscales it on
        the GPU. With ``crossfade``
        the image shown so far becomes ``previousImage`` and ``GENTIME`` counts the seconds
        since this swap (from the next rendered frame's time: deterministic). Without it the
        image only replaces the current one (the next step of a walk): a running crossfade
        goes on. The first image (or one of a new size) starts with nothing to fade from."""
        self._generated.upload(_pixels(image), crossfade, fit)

    def _check_shape(self, shape: tuple[int, ...]) -> None:
        if (shape[1], shape[0]) != self.size:
            raise ValueError(f"image is {shape[1]}x{shape[0]}, renderer is {self.size[0]}x{self.size[1]}")

    # -- programs ----------------------------------------------------------------------

    def compiled(self, spec: EffectSpec, variant: tuple[int, ...] = ()) -> CompiledEffect | None:
        """The effect's programs (see render/programs.py); on a compile error, the last good ones."""
        return self.programs.compiled(spec, variant)

    def _variant(self, spec: EffectSpec, instance: EffectInstance | Stack, source: Target) -> tuple[int, ...]:
        """The values of the header's ``variants`` (a stack's: its last member's), as indices;
        for an effect that reads ``nativeImage``, then 1 if there is a native image under its
        input (``NATIVE`` in the shader: without one, the native path is not compiled); for a
        generator that crossfades, 1 while it does (``FADING``)."""
        last = instance.members[-1] if isinstance(instance, Stack) else instance
        values = [variant_index(p, last.value(spec, p.name)) for p in spec.params if p.name in spec.variants]
        if spec.native_input:
            values.append(int(source is self._source and self._native.texture is not None))
        if spec.crossfades:
            fade = last.value(spec, "fade")
            values.append(int(not isinstance(fade, (int, float)) or self._generated.since < fade))
        return tuple(values)

    def invalidate(self) -> None:
        """Recompile every effect on next use (an include file changed); the current
        programs keep running if the new ones fail."""
        self.programs.invalidate()

    # -- rendering ---------------------------------------------------------------------

    def render(
        self, chain: list[EffectInstance], frame: Frame, generator: EffectInstance | None = None,
        part: bool = False,
    ) -> Target:
        """Run the generator (if any) into the source, then the chain; return the output.
        ``part``: ``chain`` is part of the chain (split view's before): nothing else's state
        is dropped."""
        self._generated.tick(frame.time)
        self._delta = max(0.0, frame.time - self._last_time) if self._last_time is not None else 0.0
        self._last_time = frame.time
        self._date = isf_date()
        self._audio.update(frame.signals)
        if generator is not None:
            spec = self.registry.effects.get(generator.name)
            if spec is not None:
                self._deferred = None
                self._run_effect(spec, generator, frame, self._source, self._source, defer=bool(chain))
                self._source_version += 1
        stale = self.depth_prep.stale(self._source_version)
        self.depth_prep.prepare(self.source.texture if stale else self._source.texture, self._source_version)
        current = self._source
        alive: set[int] = set()
        active = [(self.registry.effects.get(i.name), i) for i in chain if i.enabled]
        active = [(spec, i) for spec, i in active if spec is not None and spec.kind == "effect"]
        runs = stack_runs(active)
        for group in fusion_groups(runs) if self.fuse else [[member] for member in runs]:
            alive.update(instance.uid for _, instance in group)
            output = self._ping[0] if current is not self._ping[0] else self._ping[1]
            if len(group) > 1 and self._run_fused(group, frame, current, output):
                current = output
                continue
            for spec, instance in group:
                output = self._ping[0] if current is not self._ping[0] else self._ping[1]
                if self._run_effect(spec, instance, frame, current, output):
                    current = output
        if not part:
            self._drop_buffers(alive | ({generator.uid} if generator else set()))
        return self.source if current is self._source else current

    def _run_effect(
        self, spec: EffectSpec, instance: EffectInstance | Stack, frame: Frame, source: Target,
        output: Target, defer: bool = False, variant: tuple[int, ...] | None = None,
    ) -> bool:
        """Run one effect (or generator) from ``source`` into ``output``. ``defer``: a
        generator's resampling last pass may be left for ``source`` (see there); ``variant``:
        this one instead of the instance's own."""
        variant = self._variant(spec, instance, source) if variant is None else variant
        compiled = self.compiled(spec, variant)
        if compiled is None:
            return False
        if spec.crossfades and (spec.name, variant[:-1]) not in self._warmed:
            self._warm_crossfade(spec, instance, frame, output, variant)
        values = effect_values(spec, instance, frame, self.pixel_scale)
        final = None  # an effect's last pass as this instance runs it (gated, alpha)
        if spec.kind == "effect":
            final = self.programs.final(spec, compiled, gated(values), variant)
            if final is None:
                return False
            source = self._input(source, compiled, [*compiled.programs, final[0]], spec.kernel is None)
        bound: dict[str, int] = {}
        extra = self._run_kernel(spec, instance, values, frame, source) if spec.kernel else {}
        if extra is None:
            return False
        if spec.isf is not None:
            choices = {name: instance.value(spec, name) for name in spec.isf.images}
            extra.update(self._isf.bindings(spec, values, compiled.textures, choices, source.texture,
                                            self.source.texture, self.depth))
        self._bind_common(source)
        for name, texture in extra.items():
            self._bind_target(bound, name, texture)
        for name in spec.images:
            texture, weight = self._images.get(instance.uid, name) or (self.source.texture, 0.0)
            self._bind_target(bound, name, texture)
            values = {**values, f"{name}Weight": weight}
        last = len(spec.passes) - 1
        written: dict[str, Target] = {}  # target name -> the buffer this frame's pass drew
        for index, (pass_spec, program, vao) in enumerate(
            zip(spec.passes, compiled.programs, compiled.vaos, strict=True)
        ):
            if index == last and final is not None:
                program, vao = final
            factor = pass_spec.factor(values)
            if factor == 1 and pass_spec.skip_at_full_size:
                self._bind_target(bound, pass_spec.target, source.texture)  # nothing to do
                continue
            buffer = None if index == last else self._buffers.get(
                instance.uid, pass_spec, factor, pass_spec.size(values, self.size, factor))
            if buffer is not None and buffer.previous is not None:
                buffer.current, buffer.previous = buffer.previous, buffer.current
                self._bind_target(bound, pass_spec.target, buffer.previous.texture)
            target = output if buffer is None else buffer.current
            small = written.get(pass_spec.resamples or "")
            if index == last and defer and small and pass_spec.resamples_now(partial(instance.value, spec)):
                draw = partial(self._draw_later, program, vao, values, frame, dict(bound),
                               (small, bound[pass_spec.resamples or ""]), target, factor)
                self._deferred = DeferredResample(small, draw)
                return True
            self._set_uniforms(program, values, frame, bound, target, factor)
            set_gate(program, values)
            target.fbo.use()
            vao.render(moderngl.TRIANGLES, vertices=3)
            if buffer is not None:
                written[pass_spec.target or ""] = buffer.current
                self._bind_target(bound, pass_spec.target, buffer.current.texture)
        return True

    def _warm_crossfade(self, spec: EffectSpec, instance: EffectInstance | Stack, frame: Frame,
                        output: Target, variant: tuple[int, ...]) -> None:
        """Draw a crossfading generator's other ``FADING`` variant once, into ``output``, which
        the draw that follows overwrites: software GL compiles a shader at its first draw
        (with Mesa's shader cache empty the first crossfade, 10 s into the default show, took
        a 170-240 ms frame). Not for passes that keep state from frame to frame."""
        self._warmed.add((spec.name, variant[:-1]))
        if not any(pass_spec.persistent for pass_spec in spec.passes):
            self._run_effect(spec, instance, frame, output, output, variant=(*variant[:-1], 1 - variant[-1]))

    def _run_fused(
        self, group: list[tuple[EffectSpec, EffectInstance | Stack]], frame: Frame, source: Target,
        output: Target,
    ) -> bool:
        """Run a group in one pass; False (run it effect by effect) if it cannot compile."""
        values_of = [effect_values(spec, instance, frame, self.pixel_scale) for spec, instance in group]
        gates = tuple(gated(values) for values in values_of)
        variants = [self._variant(spec, instance, source) for spec, instance in group]
        compiled = self.programs.fused_program([spec for spec, _ in group], gates, variants)
        if compiled is None:
            return False
        program = compiled.programs[0]
        source = self._input(source, compiled, [program], True)
        values: dict = {}
        for k, own in enumerate(values_of):
            values.update({f"_f{k}_{name}": value for name, value in own.items()})
            set_gate(program, own, suffix=f"_{k}")
        self._bind_common(source)
        self._set_uniforms(program, values, frame, {}, output, 1)
        output.fbo.use()
        compiled.vaos[0].render(moderngl.TRIANGLES, vertices=3)
        return True

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

    def _input(self, source: Target, compiled: CompiledEffect, programs: list[moderngl.Program],
               plain: bool) -> Target:
        """What an effect reads as ``inputImage``: ``source``, or, while a generator's last
        pass waits (see ``source``), the buffer that pass would resample, if the effect
        only samples its input (``plain``: no kernel) and reads neither the source nor the
        native image. Otherwise a waiting pass runs now, when the effect needs its output."""
        if self._deferred is None:
            return source
        reads_source = any(name in program for program in programs for name in ("sourceImage", "nativeImage"))
        if source is self._source and plain and compiled.samples_input and not reads_source:
            return self._deferred.buffer
        if source is self._source or reads_source:
            self.source  # noqa: B018 - runs the waiting pass
        return source

    def _draw_later(self, program: moderngl.Program, vao: moderngl.VertexArray, values: dict, frame: Frame,
                    bound: dict[str, int], small: tuple[Target, int], target: Target, factor: int) -> None:
        """A generator's resampling pass, drawn after all (see ``source``); by its declaration
        it reads nothing but the buffer ``small`` (and its unit)."""
        self._bind_common(self._source)
        small[0].texture.use(small[1])
        self._set_uniforms(program, values, frame, bound, target, factor)
        target.fbo.use()
        vao.render(moderngl.TRIANGLES, vertices=3)

    def _bind_common(self, source: Target) -> None:
        source.texture.use(UNIT_INPUT)
        self._source.texture.use(UNIT_SOURCE)
        self.depth.use(UNIT_DEPTH)
        self._palette.use(UNIT_PALETTE)
        self._generated.use(UNIT_GENERATED, UNIT_PREVIOUS)
        if source is self._source and self._native.texture is not None:
            self._native.texture.use(UNIT_NATIVE)
            self._native_now = (self._native.map, self._native.scale)
        else:
            source.texture.use(UNIT_NATIVE)
            self._native_now = (IDENTITY_MAP, 1.0)
        self._audio.texture.use(UNIT_AUDIO)

    def _bind_target(self, bound: dict[str, int], name: str | None, texture: moderngl.Texture) -> None:
        unit = bound.setdefault(name or "", UNIT_TARGETS + len(bound))
        texture.use(unit)

    def reset_state(self) -> None:
        """Forget persistent buffers and kernel state (when the source image changes); a
        kernel that carries its state across images (a flow sort with ``carry``) keeps it."""
        self._drop_buffers({uid for uid, kernel in self._kernels.items() if getattr(kernel, "carry", False)})

    def _drop_buffers(self, alive: set[int]) -> None:
        """Free the buffers and kernels of instances not in ``alive``."""
        if self._deferred is not None and self._buffers.holds(self._deferred.buffer, alive):
            self.source  # noqa: B018 - the waiting pass reads that buffer: draw it now
        self._buffers.keep_only(alive)
        for uid in [u for u in self._kernels if u not in alive]:
            self._kernels.pop(uid).release()
        self._images.keep_only(alive)

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
            "generatedImage": UNIT_GENERATED,
            "previousImage": UNIT_PREVIOUS,
            "GENTIME": self._generated.since,
            "GENFIT": self._generated.fit,
            "DEPTHWEIGHT": self.depth_weight,
            "_sv_background": self.background,
            "TIMEDELTA": self._delta,
            "DATE": self._date,
            "nativeImage": UNIT_NATIVE,
            "NATIVEMAP": self._native_now[0],
            "NATIVESCALE": self._native_now[1],
            "audioFFT": UNIT_AUDIO,
            **self._audio.uniforms(frame.signals),
        }
        set_values(program, common, values, bound)

    # -- output ------------------------------------------------------------------------

    def read(self, target: Target) -> np.ndarray:
        """Read a target back as an (H, W, 3) uint8 image, top row first."""
        data = target.fbo.read(components=3, alignment=1)
        width, height = target.texture.size
        return np.frombuffer(data, np.uint8).reshape(height, width, 3)[::-1].copy()


def _pixels(image: np.ndarray | GLImage | None) -> np.ndarray | None:
    """A GLImage's array (made here from an (H, W, 3|4) uint8 array, top row first)."""
    if image is None:
        return None
    return (image if isinstance(image, GLImage) else GLImage.from_rgb(image)).data
