"""Investigating the image: the sampler's stack and the keyboard sampler, pan and zoom of the
view, split view, and enhance (dreaming with an ImageNet network) — on the command line,
in `render` and in `play`. Nothing here knows about pyglet."""
