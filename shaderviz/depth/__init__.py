"""Depth estimation: the shipped model, its estimator (worker thread + caches), loaders,
the ``shaderviz depth`` command, and the scripts that render training scenes, train and
evaluate it. Importing this package is light; torch loads with the submodules."""

DEFAULT_MODEL = "depth-lite1"
# name -> file in the package's _models / the repo's models/. depth-lite0 (v2) was the default
# until depth-lite1; it stays for its maps and as the smaller model.
SHIPPED = {"depth-lite1": "depth-lite1.pt", "depth-lite0": "depth-lite0.pt"}
