"""Parameters of the running chain by name: ``set:EFFECT[.N]/PARAM VALUE`` and
``on:EFFECT[.N] 0|1`` for every input (OSC, MIDI, the command log), and the selected
parameter of the selected effect for the keyboard (``,`` ``.`` choose it, ``-`` ``=`` nudge
it) and for MIDI learn.

Values are checked against the effect file's declaration; a bad one raises ValueError,
which the command registry turns into a warning (the show goes on, nothing changes).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from shaderviz.app.show import Show
from shaderviz.effects.chain import EffectInstance
from shaderviz.effects.modulation import is_modulated
from shaderviz.effects.params import ParamSpec
from shaderviz.effects.spec import EffectSpec

_TARGET = re.compile(r"^([a-z][a-z0-9_]*)(?:\.(\d+))?$")
NUDGE_STEPS = 20  # - and = move a parameter by 1/20 of its range


def split_target(target: str) -> tuple[str, int]:
    """``rgb_split.2`` -> ("rgb_split", 2); ``blur`` -> ("blur", 1)."""
    match = _TARGET.match(target)
    if match is None or (match.group(2) is not None and int(match.group(2)) < 1):
        raise ValueError(f"{target!r} is not an effect name (NAME or NAME.2 for a second instance)")
    return match.group(1), int(match.group(2) or 1)


def find_instance(chain: list[EffectInstance], target: str) -> int | None:
    """The chain index of ``NAME`` (its first instance) or ``NAME.N`` (its N-th); None if absent."""
    name, number = split_target(target)
    found = [i for i, inst in enumerate(chain) if inst.name == name]
    return found[number - 1] if len(found) >= number else None


def instance_label(chain: list[EffectInstance], index: int) -> str:
    """How commands name ``chain[index]``: ``blur``, or ``blur.2`` for the second blur."""
    name = chain[index].name
    number = sum(1 for inst in chain[: index + 1] if inst.name == name)
    return name if number == 1 else f"{name}.{number}"


def coerce(param: ParamSpec, value: Any) -> Any:
    """A value from any input as the parameter stores it; ValueError naming the problem.
    Numbers are forgiving the way controllers need: a float for an int parameter is
    rounded, a number for a bool is on from 0.5, a number for a choice is its index."""
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    if param.type == "int" and isinstance(value, float) and value == value:
        value = round(value)
    elif param.type == "bool" and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = value >= 0.5
    elif param.type == "choice" and isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != int(value) or not 0 <= int(value) < len(param.values):
            last = len(param.values) - 1
            raise ValueError(f"{param.name}: choice index {value!r} is out of range 0..{last}")
        value = param.values[int(value)]
    return param.parse(value)


def scale_unit(param: ParamSpec, unit: float) -> Any:
    """A 0..1 control position (OSC ``/norm``, a MIDI CC) as a value of the declared range."""
    if not isinstance(unit, (int, float)) or isinstance(unit, bool) or not 0.0 <= float(unit) <= 1.0:
        raise ValueError(f"{param.name}: a normalised value is 0..1, got {unit!r}")
    if param.numeric:
        value = param.min + (param.max - param.min) * float(unit)  # type: ignore[operator]
        return round(value) if param.type == "int" else value
    if param.type == "bool":
        return unit >= 0.5
    if param.type == "choice":
        return param.values[min(len(param.values) - 1, int(unit * len(param.values)))]
    raise ValueError(f"{param.name}: a {param.type} parameter has no 0..1 range")


def to_unit(param: ParamSpec, stored: Any) -> float | None:
    """Where a stored value sits in the declared range, 0..1 (None: modulated or a colour)."""
    if is_modulated(stored):
        return None
    if param.numeric and param.max != param.min:
        return (float(stored) - param.min) / (param.max - param.min)  # type: ignore[operator]
    if param.type == "bool":
        return 1.0 if stored else 0.0
    if param.type == "choice":
        return param.values.index(stored) / max(1, len(param.values) - 1)
    return None


class ParamControl:
    def __init__(self, show: Show, selected: Callable[[], int | None], notify: Callable[[str], None]) -> None:
        self.show, self.selected_index, self.notify = show, selected, notify
        self.param: str | None = None  # the selected parameter of the selected effect

    def _spec(self, name: str) -> EffectSpec:
        spec = self.show.registry.effects.get(name)
        if spec is None:
            raise ValueError(f"no effect {name!r}")
        return spec

    def _instance(self, target: str) -> tuple[EffectInstance, EffectSpec]:
        generator = self.show.generator
        name, number = split_target(target)
        if generator is not None and generator.name == name and number == 1:
            return generator, self._spec(name)
        index = find_instance(self.show.chain, target)
        if index is None:
            count = sum(1 for inst in self.show.chain if inst.name == name)
            what = f"only {count} in the chain" if count else "not in the chain"
            raise ValueError(f"{target}: {what}")
        return self.show.chain[index], self._spec(name)

    # -- commands ---------------------------------------------------------------------------

    def set(self, address: str, value: Any) -> None:
        """``set:EFFECT[.N]/PARAM``: a constant (or a modulator written as text)."""
        target, _, pname = address.partition("/")
        instance, spec = self._instance(target)
        param = spec.param(pname)
        if param is None:
            raise ValueError(f"{spec.name} has no parameter {pname!r}")
        instance.values[pname] = coerce(param, value)

    def on(self, target: str, value: Any) -> None:
        """``on:EFFECT[.N] 0|1``: on or off; an effect not in the chain is added when turned on."""
        state = _truth(value)
        index = find_instance(self.show.chain, target)
        name, number = split_target(target)
        if index is None:
            if not state:
                return
            self._spec(name)
            count = sum(1 for inst in self.show.chain if inst.name == name)
            if number != count + 1:
                raise ValueError(f"{target}: only {count} in the chain")
            from shaderviz.effects.chain import make_instance

            self.show.chain.append(make_instance(self._spec(name), {}))
            return
        self.show.chain[index].enabled = state

    def select(self, step: int) -> None:
        """``,`` / ``.``: the previous / next parameter of the selected effect."""
        index = self.selected_index()
        if index is None or not 0 <= index < len(self.show.chain):
            self.notify("select an effect first (Tab)")
            return
        spec = self.show.registry.effects.get(self.show.chain[index].name)
        names = [p.name for p in spec.all_params] if spec else []
        if not names:
            self.notify(f"{self.show.chain[index].name} has no parameters")
            return
        at = names.index(self.param) if self.param in names else (-1 if step > 0 else 0)
        self.param = names[(at + step) % len(names)]
        self.notify(self.describe() or "")

    def nudge(self, step: int) -> None:
        """``-`` / ``=``: the selected parameter one twentieth of its range down / up."""
        found = self.selected()
        if found is None:
            self.notify("select a parameter first (Tab, then . or ,)")
            return
        address, instance, param = found
        stored = instance.value(self.show.registry.effects[instance.name], param.name)
        if is_modulated(stored):
            self.notify(f"{address} is modulated: set it over OSC / MIDI to hold it")
            return
        unit = to_unit(param, stored)
        if unit is None:
            self.notify(f"{address}: a {param.type} has no range to nudge")
            return
        steps = NUDGE_STEPS if param.numeric else max(1, len(param.values) - 1) if param.values else 1
        self.set(address, scale_unit(param, min(1.0, max(0.0, unit + step / steps))))
        self.notify(self.describe() or "")

    # -- state ------------------------------------------------------------------------------

    def selected(self) -> tuple[str, EffectInstance, ParamSpec] | None:
        """(``EFFECT[.N]/PARAM``, instance, parameter) of the selection, if any."""
        index = self.selected_index()
        if index is None or self.param is None or not 0 <= index < len(self.show.chain):
            return None
        instance = self.show.chain[index]
        spec = self.show.registry.effects.get(instance.name)
        param = spec.param(self.param) if spec else None
        if param is None:
            return None
        return f"{instance_label(self.show.chain, index)}/{param.name}", instance, param

    def describe(self) -> str | None:
        """``rgb_split/amount = 0.012 (0..0.2)`` for the HUD; None without a selection."""
        found = self.selected()
        if found is None:
            return None
        address, instance, param = found
        stored = instance.value(self.show.registry.effects[instance.name], param.name)
        return f"{address} = {param.format(stored)} ({param.describe_range()})"

    def state(self, target: str) -> tuple[bool, dict[str, Any]] | None:
        """(on, {param: stored value}) of ``EFFECT[.N]``; None if not in the chain."""
        try:
            instance, spec = self._instance(target)
        except ValueError:
            return None
        return instance.enabled, {p.name: instance.value(spec, p.name) for p in spec.all_params}


def _truth(value: Any) -> bool:
    if value is None:
        raise ValueError("needs 0 or 1")
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("1", "true", "on", "yes"):
            return True
        if text in ("0", "false", "off", "no"):
            return False
        raise ValueError(f"expected 0 or 1, got {value!r}")
    if isinstance(value, (int, float)):
        return float(value) >= 0.5
    raise ValueError(f"expected 0 or 1, got {value!r}")
