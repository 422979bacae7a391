"""Plain GPU resources and the frame clock value the renderer passes around."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import moderngl

if TYPE_CHECKING:
    from shaderviz.audio.signals import Signals
    from shaderviz.effects.spec import PassSpec


@dataclass(frozen=True)
class Frame:
    """Where a frame sits in time: seconds, loop phase (0..1), index, seed; and the tempo
    and audio analysis at that moment (``signals``; None: silence, 120 BPM)."""

    index: int = 0
    time: float = 0.0
    phase: float = 0.0
    seed: int = 0
    signals: Signals | None = None


@dataclass
class Target:
    """A colour texture with its framebuffer."""

    texture: moderngl.Texture
    fbo: moderngl.Framebuffer

    @classmethod
    def create(
        cls, ctx: moderngl.Context, size: tuple[int, int], dtype: str = "f1", channels: int = 4
    ) -> Target:
        texture = ctx.texture(size, channels, dtype=dtype)
        texture.repeat_x = texture.repeat_y = False
        texture.filter = (moderngl.LINEAR, moderngl.LINEAR)
        return cls(texture, ctx.framebuffer(color_attachments=[texture]))

    def release(self) -> None:
        self.fbo.release()
        self.texture.release()


@dataclass
class CompiledEffect:
    """An effect's programs (one per pass) with their vertex arrays. The last pass has
    variants, compiled when first needed: ``finals[(gated, alpha output)]`` (``(False,
    OPAQUE)`` is ``programs[-1]``)."""

    digest: str
    programs: list[moderngl.Program]
    vaos: list[moderngl.VertexArray]
    finals: dict[tuple[bool, int], tuple[moderngl.Program, moderngl.VertexArray]] = field(
        default_factory=dict
    )
    textures: dict[str, moderngl.Texture] = field(default_factory=dict)  # an ISF file's IMPORTED images
    samples_input: bool = False  # every pass reads inputImage only by texture() (glsl.samples_input)

    def release(self) -> None:
        for vao in self.vaos:
            vao.release()
        for program in self.programs:
            program.release()
        for program, vao in self.finals.values():
            vao.release()
            program.release()
        self.finals.clear()
        for texture in self.textures.values():
            texture.release()
        self.textures.clear()


@dataclass
class DeferredResample:
    """A generator's last pass, not drawn yet: it would resample ``buffer`` into the
    source; ``run`` draws it (see ``Renderer.source``)."""

    buffer: Target
    run: Callable[[], None]


@dataclass
class PassBuffer:
    """A pass target; persistent ones keep last frame's content in ``previous``."""

    current: Target
    previous: Target | None = None

    def release(self) -> None:
        self.current.release()
        if self.previous is not None:
            self.previous.release()


class PassBuffers:
    """Every effect instance's pass targets, by (instance uid, target name, size factor)."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self._buffers: dict[tuple[int, str, int], PassBuffer] = {}

    def __len__(self) -> int:
        return len(self._buffers)

    def get(self, uid: int, pass_spec: PassSpec, factor: int, size: tuple[int, int]) -> PassBuffer:
        """The instance's buffer for this pass at ``size`` (made, cleared, on first use; made
        again when an ISF size expression changes it)."""
        key = (uid, pass_spec.target or "", factor)
        buffer = self._buffers.get(key)
        if buffer is not None and buffer.current.texture.size != size:
            self._buffers.pop(key).release()
            buffer = None
        if buffer is None:
            dtype = "f4" if pass_spec.float else "f1"
            previous = Target.create(self.ctx, size, dtype) if pass_spec.persistent else None
            buffer = PassBuffer(Target.create(self.ctx, size, dtype), previous)
            for target in (buffer.current, buffer.previous):
                if target is not None:
                    target.fbo.clear()
            self._buffers[key] = buffer
        return buffer

    def holds(self, target: Target, alive: set[int]) -> bool:
        """Whether ``target`` is the current buffer of an instance not in ``alive``."""
        return any(b.current is target for k, b in self._buffers.items() if k[0] not in alive)

    def keep_only(self, alive: set[int]) -> None:
        """Free the buffers of instances not in ``alive``."""
        for key in [k for k in self._buffers if k[0] not in alive]:
            self._buffers.pop(key).release()
