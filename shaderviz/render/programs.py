"""The chain's GPU programs, compiled on first use and kept: one set per effect (and per
value of its header's ``variants``), the last pass again where an instance is depth-gated
or writes alpha, and one program per fused group. A shader that fails to compile keeps the
last good program and puts its error in ``errors`` (the window shows it); the same failing
text is not recompiled every frame."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import moderngl

from shaderviz.effects.isf.glsl import isf_sources, isf_vertex
from shaderviz.effects.registry import Registry
from shaderviz.effects.spec import EffectSpec
from shaderviz.render.glsl import (
    KEEP_ALPHA,
    OPAQUE,
    OVER_BACKGROUND,
    VERTEX_SHADER,
    ProgramSource,
    ShaderError,
    build_fused_source,
    build_sources,
    map_error,
    samples_input,
)
from shaderviz.render.isf import load_imported
from shaderviz.render.targets import CompiledEffect

Variant = tuple[int, ...]
MAX_FUSED = 32  # fused groups kept; more are stale ones from edits and hot reloads


@dataclass
class Programs:
    ctx: moderngl.Context
    registry: Registry
    errors: dict[str, str] = field(default_factory=dict)  # effect name -> shader error (shared)
    keeps_alpha: Callable[[], bool] = lambda: False  # the renderer's outputs keep alpha (transparent)

    def __post_init__(self) -> None:
        self.effects: dict[str | tuple, CompiledEffect] = {}  # name, or (name, variant)
        self._failed: dict[str | tuple, str] = {}  # name (or (name, variant)) -> digest that failed
        self.fused: dict[tuple, CompiledEffect | None] = {}  # members' (name, digest, ...) -> program

    def compiled(self, spec: EffectSpec, variant: Variant = ()) -> CompiledEffect | None:
        """The effect's programs (for ``variant``: the values of its header's ``variants``,
        compiled in); on a compile error, the last good ones (or None)."""
        key: str | tuple = (spec.name, variant) if variant else spec.name
        current = self.effects.get(key)
        if current is not None and current.digest == spec.digest:
            # The text is back to the last good version (an undo): nothing is broken.
            self.errors.pop(spec.name, None)
            self._failed.pop(key, None)
            return current
        if self._failed.get(key) == spec.digest:
            return current  # already failed on this exact text: don't recompile every frame
        try:
            fresh = self._compile(spec, variant)
        except ShaderError as err:
            self.errors[spec.name] = str(err)
            self._failed[key] = spec.digest
            return current
        self.errors.pop(spec.name, None)
        self._failed.pop(key, None)
        if current is not None:
            current.release()
        self.effects[key] = fresh
        return fresh

    def invalidate(self) -> None:
        """Recompile every effect on next use (an include file changed); the current
        programs keep running if the new ones fail."""
        for compiled in self.effects.values():
            compiled.digest = ""
        self._failed.clear()
        self.forget_fused()

    def output(self, spec: EffectSpec) -> int:
        """How an effect's last pass writes alpha (see render/glsl.py)."""
        if self.keeps_alpha():
            return KEEP_ALPHA
        return OVER_BACKGROUND if spec.alpha else OPAQUE

    def final(
        self, spec: EffectSpec, compiled: CompiledEffect, gated: bool, variant: Variant = ()
    ) -> tuple[moderngl.Program, moderngl.VertexArray] | None:
        """The last pass with depth gating and/or alpha, compiled on first use."""
        key = (gated, self.output(spec))
        if key == (False, OPAQUE):
            return compiled.programs[-1], compiled.vaos[-1]
        if key not in compiled.finals:
            sources, vertex = self._sources(spec, gated, key[1], variant)
            try:
                program = self._program(vertex, sources[-1])
            except ShaderError as err:
                self.errors[spec.name] = str(err)
                return None
            compiled.finals[key] = (program, self.ctx.vertex_array(program, []))
        return compiled.finals[key]

    def fused_program(
        self, specs: list[EffectSpec], gates: tuple[bool, ...], variants: list[Variant]
    ) -> CompiledEffect | None:
        """One program for a fused group; None (run it effect by effect) if a member has
        an error or the group cannot compile together."""
        outputs = tuple(self.output(spec) for spec in specs)
        key = tuple((spec.name, spec.digest, *member)
                    for spec, *member in zip(specs, gates, outputs, variants, strict=True))
        if key not in self.fused:
            if any(self.compiled(spec, v) is None or spec.name in self.errors
                   for spec, v in zip(specs, variants, strict=True)):
                return None  # each member alone: its own error and last good program show
            if len(self.fused) > MAX_FUSED:
                self.forget_fused()
            self.fused[key] = None
            try:
                source = build_fused_source(specs, self.registry.include_dirs(), gates, outputs, variants)
                program = self.ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=source.fragment)
            except (ShaderError, moderngl.Error):
                return None  # e.g. two effects define the same helper function
            self.fused[key] = CompiledEffect("", [program], [self.ctx.vertex_array(program, [])],
                                             samples_input=samples_input(source.fragment))
        return self.fused[key]

    def forget_fused(self) -> None:
        for compiled in self.fused.values():
            if compiled is not None:
                compiled.release()
        self.fused.clear()

    def release(self) -> None:
        for compiled in self.effects.values():
            compiled.release()
        self.effects.clear()
        self.forget_fused()

    def _sources(
        self, spec: EffectSpec, gate: bool = False, output: int = OPAQUE, variant: Variant = ()
    ) -> tuple[list, str]:
        """Fragment sources per pass and the vertex shader (an ISF file may bring its own)."""
        if spec.isf is not None:
            return isf_sources(spec, gate, output), isf_vertex(spec) or VERTEX_SHADER
        return build_sources(spec, self.registry.include_dirs(), gate, output, variant), VERTEX_SHADER

    def _program(self, vertex: str, source: ProgramSource) -> moderngl.Program:
        try:
            return self.ctx.program(vertex_shader=vertex, fragment_shader=source.fragment)
        except moderngl.Error as err:
            raise ShaderError(map_error(str(err), source.files)) from None

    def _compile(self, spec: EffectSpec, variant: Variant = ()) -> CompiledEffect:
        programs: list[moderngl.Program] = []
        try:
            sources, vertex = self._sources(spec, variant=variant)
            for source in sources:
                programs.append(self._program(vertex, source))
            textures = load_imported(self.ctx, spec) if spec.isf is not None else {}
        except ShaderError:
            for program in programs:
                program.release()
            raise
        vaos = [self.ctx.vertex_array(p, []) for p in programs]
        by_coordinates = spec.isf is None and all(samples_input(source.fragment) for source in sources)
        return CompiledEffect(spec.digest, programs, vaos, textures=textures, samples_input=by_coordinates)
