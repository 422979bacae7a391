"""Counting live GL objects: every moderngl object made through a Context, minus those
released (or dropped with their context). For leak tests and the batch benchmark."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import moderngl

MAKERS = ("buffer", "texture", "texture_array", "texture_cube", "texture3d", "depth_texture", "framebuffer",
          "simple_framebuffer", "renderbuffer", "depth_renderbuffer", "program", "vertex_array",
          "simple_vertex_array", "compute_shader", "sampler", "query", "scope")
KINDS = ("Buffer", "Texture", "TextureArray", "TextureCube", "Texture3D", "Framebuffer", "Renderbuffer",
         "Program", "VertexArray", "ComputeShader", "Sampler", "Query", "Scope")


class GLCount:
    def __init__(self) -> None:
        self.live: dict[int, str] = {}  # id(object) -> kind

    def __len__(self) -> int:
        return len(self.live)

    def by_kind(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for kind in self.live.values():
            out[kind] = out.get(kind, 0) + 1
        return out


@contextlib.contextmanager
def count_gl_objects() -> Iterator[GLCount]:
    counter = GLCount()
    saved: list[tuple[type, str, object]] = []

    def patch(cls: type, name: str, make: object) -> None:
        saved.append((cls, name, cls.__dict__[name]))
        setattr(cls, name, make)

    for name in MAKERS:
        original = moderngl.Context.__dict__.get(name)
        if original is None:
            continue

        def made(self, *args, __original=original, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            obj = __original(self, *args, **kwargs)
            counter.live[id(obj)] = type(obj).__name__
            return obj

        patch(moderngl.Context, name, made)
    for kind in KINDS:
        cls = getattr(moderngl, kind, None)
        if cls is None or "release" not in cls.__dict__:
            continue

        def released(self, __original=cls.__dict__["release"]):  # noqa: ANN001, ANN202
            counter.live.pop(id(self), None)
            return __original(self)

        patch(cls, "release", released)
    try:
        yield counter
    finally:
        for cls, name, original in reversed(saved):
            setattr(cls, name, original)
