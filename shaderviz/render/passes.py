"""Full-screen GPU passes from complete GLSL files, for Python-driven GPU work (depth
preparation, kernels): compile once per file and defines, bind textures, draw.

A pass file is a whole fragment shader (``#version 330`` first) under ``shaders/FOLDER/``;
it reads ``in vec2 uv`` from the shared vertex shader and may write several outputs
(``layout(location = i) out vec4 ...``) into a framebuffer with as many attachments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import moderngl

from shaderviz.effects.registry import builtin_shader_dir
from shaderviz.render.glsl import VERTEX_SHADER, ShaderError, load_glsl, map_error


@dataclass
class FloatTarget:
    """Float textures (one or more, same size) with one framebuffer that writes them all."""

    textures: list[moderngl.Texture]
    fbo: moderngl.Framebuffer

    @classmethod
    def create(
        cls, ctx: moderngl.Context, size: tuple[int, int], components: Sequence[int] = (4,),
        dtype: str = "f2",
    ) -> FloatTarget:
        textures = []
        for count in components:
            texture = ctx.texture(size, count, dtype=dtype)
            texture.filter = (moderngl.LINEAR, moderngl.LINEAR)
            texture.repeat_x = texture.repeat_y = False
            textures.append(texture)
        return cls(textures, ctx.framebuffer(color_attachments=textures))

    @property
    def texture(self) -> moderngl.Texture:
        return self.textures[0]

    @property
    def size(self) -> tuple[int, int]:
        return self.textures[0].size

    def release(self) -> None:
        self.fbo.release()
        for texture in self.textures:
            texture.release()


class PassPrograms:
    """The pass files of one folder under ``shaders/``, compiled on first use."""

    def __init__(self, ctx: moderngl.Context, folder: str, include_dirs: list[Path]) -> None:
        self.ctx, self.folder, self.include_dirs = ctx, folder, include_dirs
        self._programs: dict[tuple, tuple[moderngl.Program, moderngl.VertexArray]] = {}

    def program(
        self, name: str, defines: tuple[tuple[str, Any], ...] = ()
    ) -> tuple[moderngl.Program, moderngl.VertexArray]:
        key = (name, defines)
        if key not in self._programs:
            text, files = load_glsl(builtin_shader_dir() / self.folder / name, self.include_dirs)
            version, _, body = text.partition("\n")
            source = "\n".join([version, *(f"#define {k} {v}" for k, v in defines), body])
            try:
                program = self.ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=source)
            except moderngl.Error as err:
                raise ShaderError(map_error(str(err), files)) from None
            self._programs[key] = (program, self.ctx.vertex_array(program, []))
        return self._programs[key]

    def draw(
        self,
        name: str,
        target: FloatTarget | moderngl.Framebuffer,
        textures: Mapping[str, moderngl.Texture],
        uniforms: Mapping[str, Any] | None = None,
        defines: tuple[tuple[str, Any], ...] = (),
    ) -> None:
        """Run pass ``name`` over the whole of ``target`` with these samplers and uniforms."""
        program, vao = self.program(name, defines)
        for unit, (sampler, texture) in enumerate(textures.items()):
            texture.use(unit)
            if sampler in program:
                program[sampler].value = unit
        for uniform, value in (uniforms or {}).items():
            if uniform in program:
                program[uniform].value = value
        fbo = target.fbo if isinstance(target, FloatTarget) else target
        fbo.use()
        vao.render(moderngl.TRIANGLES, vertices=3)

    def release(self) -> None:
        for program, vao in self._programs.values():
            vao.release()
            program.release()
        self._programs.clear()
