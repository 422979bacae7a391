"""Synthetic RGB-D scenes rendered with moderngl: the depth model's training data.

``SceneRenderer(size).render(seed)`` returns ``(rgb uint8 HxWx3, depth float32 HxW)``
where depth is the view-space z distance and 0 marks the sky (infinitely far). The same
seed gives the same scene. ``nearness(depth)`` is the training target: inverse depth,
normalised per image to 0 (far / sky) .. 1 (nearest).

Scene kinds (mixed by ``KIND_WEIGHTS``) cover what photographs contain: open terrain to
a hazy horizon with mountains, streets between buildings, rooms and corridors, close-ups
of one or two large subjects (head-and-shoulders, animal-like, objects) in front of a
wall or a landscape, tabletops seen from above, and clutter at many distances. Lighting
is a sun with shadow mapping plus sky/ground ambient, surfaces carry procedural textures
(noise, planks, tiles, bricks, facades, fur), distance haze grows exponentially, and a
third of the images get depth-of-field blur. Camera pitch, roll and field of view vary.

Run ``python -m shaderviz.depth.scenes OUT_DIR --count N`` to render a dataset in shards
(``rgb_0000.npy`` uint8, ``depth_0000.npy`` float16, numbered by shard).

Modules: ``glsl`` (shader sources), ``geometry`` (matrices, primitive meshes, ``Mesh``),
``props`` (colours, ``Scene``, terrain, trees, buildings, objects, people, animals, sun),
``far`` and ``near`` (the scene kinds' builders), ``kinds`` (``KIND_WEIGHTS``, ``BUILDERS``,
``make_scene``, dusk relighting), ``renderer`` (``SceneRenderer``, ``nearness``,
``render_dataset``) and ``cli`` (the command line).
"""

from shaderviz.depth.scenes.cli import main
from shaderviz.depth.scenes.geometry import Mesh
from shaderviz.depth.scenes.kinds import BUILDERS, KIND_WEIGHTS, make_scene, relight_dusk
from shaderviz.depth.scenes.props import Scene
from shaderviz.depth.scenes.renderer import (
    SceneRenderer,
    depth_of_field,
    nearness,
    render_dataset,
)

__all__ = [
    "BUILDERS",
    "KIND_WEIGHTS",
    "Mesh",
    "Scene",
    "SceneRenderer",
    "depth_of_field",
    "main",
    "make_scene",
    "nearness",
    "relight_dusk",
    "render_dataset",
]
