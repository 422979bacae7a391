"""Headless OpenGL contexts (EGL): the same renderer runs here and in the window."""

from __future__ import annotations

import moderngl

from shaderviz.errors import UserError


def headless_context() -> moderngl.Context:
    """A standalone GL >= 3.3 context without a display (EGL; Mesa llvmpipe on CPUs)."""
    errors = []
    for kwargs in ({"backend": "egl"}, {}):
        try:
            return moderngl.create_standalone_context(require=330, **kwargs)
        except Exception as err:  # noqa: BLE001 - any failure means "try the next way"
            errors.append(str(err).strip().splitlines()[0] if str(err).strip() else repr(err))
    raise UserError(
        "cannot create a headless OpenGL 3.3 context (" + "; ".join(errors) + "); "
        "on Linux install Mesa's EGL (libegl1 libgl1-mesa-dri)"
    )


SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swiftshader", "software rasterizer", "basic render")


def is_software(ctx: moderngl.Context) -> bool:
    """Whether the context draws on the CPU (Mesa llvmpipe and the like): no GPU."""
    name = str(ctx.info.get("GL_RENDERER", "")).lower()
    return any(word in name for word in SOFTWARE_RENDERERS)
