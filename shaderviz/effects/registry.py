"""The registry: every effect file found in the built-in and user folders, by name.

Later folders override earlier ones, so a user's ``blur.glsl`` replaces the built-in
blur. The registry is the single source of truth for the CLI help, ``effects``,
``--fx`` validation, key bindings and presets.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from shaderviz.effects.spec import EffectSpec, read_effect_file
from shaderviz.errors import UserError
from shaderviz.keymap import RESERVED_KEYS


def builtin_shader_dir() -> Path:
    """``shaders/`` from the repository, or its copy inside an installed wheel."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_shaders"
    return installed if installed.is_dir() else package.parent / "shaders"


def user_effects_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "shaderviz" / "effects"


def effect_dirs(extra: list[Path] | None = None) -> list[Path]:
    """Search order: built-in, the user config folder, then each ``--effects-dir``."""
    dirs = [builtin_shader_dir(), user_effects_dir()]
    for d in extra or []:
        if not d.is_dir():
            what = "not a folder" if d.exists() else "no such folder"
            raise UserError(f"--effects-dir {d}: {what}")
        dirs.append(d)
    return dirs


@dataclass
class Registry:
    dirs: list[Path]
    effects: dict[str, EffectSpec] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # KEY -> effect name, after conflicts

    @classmethod
    def load(cls, extra_dirs: list[Path] | None = None) -> Registry:
        registry = cls(effect_dirs(extra_dirs))
        for directory in registry.dirs:
            for path in sorted(directory.glob("*.glsl")) if directory.is_dir() else []:
                spec = read_effect_file(path)
                registry.effects[spec.name] = spec
        registry._check_keys()
        return registry

    def _check_keys(self) -> None:
        self.keys.clear()
        for spec in self.effects.values():
            if spec.key is None:
                continue
            key = spec.key.upper()
            if key in RESERVED_KEYS or key in self.keys:
                other = self.keys.get(key, "the application")
                self.warnings.append(
                    f"{spec.path}: key {spec.key!r} is taken by {other}; {spec.name} has no key"
                )
                continue
            self.keys[key] = spec.name

    def include_dirs(self) -> list[Path]:
        return [d / "include" for d in reversed(self.dirs)]

    def get(self, name: str, kind: str = "effect") -> EffectSpec:
        spec = self.effects.get(name)
        if spec is not None and spec.kind == "source" and kind == "effect":
            raise UserError(f"{name!r} is a generator, not an effect: give it as the input "
                            f"(shaderviz render {name} ...)")
        if spec is None or spec.kind != kind:
            names = ", ".join(sorted(n for n, s in self.effects.items() if s.kind == kind))
            what = "effect" if kind == "effect" else "generator"
            raise UserError(f"unknown {what} {name!r}; available: {names}")
        return spec

    def of_kind(self, kind: str) -> list[EffectSpec]:
        return sorted((s for s in self.effects.values() if s.kind == kind), key=lambda s: s.name)

    def reload(self, path: Path) -> tuple[EffectSpec | None, str | None]:
        """Re-read one changed file; on error keep the old spec and return the message."""
        try:
            spec = read_effect_file(path)
        except UserError as err:
            return None, str(err)
        current = self.effects.get(spec.name)
        if current is not None and self.dirs.index(_dir_of(current.path, self.dirs)) > self.dirs.index(
            _dir_of(path, self.dirs)
        ):
            return None, None  # a later folder overrides this file: nothing changes
        self.effects[spec.name] = spec
        self._check_keys()
        return spec, None

    def forget(self, path: Path) -> tuple[str | None, EffectSpec | None]:
        """A file was deleted: its effect falls back to the file of that name in an earlier
        folder (a user override removed: the built-in is back), or is gone. Returns the
        effect's name (None if the file was not in use) and what now stands for it."""
        name = path.stem
        current = self.effects.get(name)
        if current is None or current.path.resolve() != path.resolve():
            return None, None
        del self.effects[name]
        for directory in reversed(self.dirs):
            candidate = directory / f"{name}.glsl"
            if candidate.resolve() != path.resolve() and candidate.is_file():
                try:
                    self.effects[name] = read_effect_file(candidate)
                except UserError:
                    continue
                break
        self._check_keys()
        return name, self.effects.get(name)


def _dir_of(path: Path, dirs: list[Path]) -> Path:
    for d in dirs:
        if path.resolve().parent == d.resolve():
            return d
    return dirs[0]

