"""Depth estimation: the shipped model, its estimator (worker thread + caches), loaders,
the ``shaderviz depth`` command, and the scripts that render training scenes, train and
evaluate it. Importing this package is light; torch loads with the submodules."""

DEFAULT_MODEL = "depth-lite0"
SHIPPED = {"depth-lite0": "depth-lite0.pt"}  # name -> file in the package's _models / the repo's models/
