"""OSC: every command of the registry at an address (python-osc's packet codec, one UDP
socket on a worker thread; commands are posted to the render loop in arrival order).

Addresses (other tools and scripts rely on these)::

    /shaderviz/fx/EFFECT/PARAM VALUE     set a parameter (its declared range; "sine(0,1)" too)
    /shaderviz/fx/EFFECT/PARAM/norm X    X in 0..1, scaled to the declared range
    /shaderviz/fx/EFFECT/on 0|1          on / off (added to the chain when turned on)
    /shaderviz/fx/EFFECT/toggle          toggle (as its key)
    /shaderviz/snapshot                  save a snapshot
    /shaderviz/source/next               next image of a folder
    /shaderviz/record 0|1                start / stop recording (no argument: toggle)
    /shaderviz/VERB[/ARG] [VALUE]        every other command: /shaderviz/preset/2, /shaderviz/bpm 128,
                                         /shaderviz/tap, /shaderviz/sort/RIGHT 1 (held) ... 0 (released)

EFFECT may be ``NAME.2`` for the second instance in the chain. A button that sends 1 on
press and 0 on release runs a command once (on the 1). Anything else — an unreadable
packet, an unknown address, a wrong type, a value out of range — is one warning line
and changes nothing. ``quit`` is not reachable over the network.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from shaderviz.app.paramcontrol import scale_unit, split_target, to_unit
from shaderviz.control.commands import Commands, CommandSpec, warn
from shaderviz.effects.registry import Registry
from shaderviz.errors import UserError

ROOT = "/shaderviz"
NOT_OVER_OSC = frozenset({"quit"})
RENAMED = {"next_source": "source/next"}
WARN_EVERY = 1.0  # seconds: the same kind of warning at most this often (a flood stays one line)


def osc_address(spec: CommandSpec) -> str | None:
    """The address of a command (None: not reachable over OSC)."""
    verb, _, arg = spec.name.partition(":")
    if verb in NOT_OVER_OSC:
        return None
    if verb == "set":
        return f"{ROOT}/fx/{arg}"
    if verb in ("on", "toggle"):
        return f"{ROOT}/fx/{arg}/{verb}"
    return f"{ROOT}/{RENAMED.get(verb, verb)}" + (f"/{arg}" if arg else "")


def parse_host_port(text: str, option: str, default_host: str | None = None) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep:
        host = default_host or ""
    if not host and default_host is None:
        raise UserError(f"{option} {text}: expected HOST:PORT")
    try:
        number = int(port)
    except ValueError:
        number = -1
    if not 1 <= number <= 65535:
        raise UserError(f"{option} {text}: the port is a number 1..65535")
    return host or "0.0.0.0", number


class OscMapper:
    """OSC messages -> (command name, pressed, value); ValueError saying what is wrong."""

    def __init__(self, commands: Commands, registry: Registry) -> None:
        self.commands, self.registry = commands, registry

    def command(self, address: str, args: list[Any]) -> tuple[str, bool, Any] | None:
        """None: nothing to do (a button's release)."""
        if not address.startswith(ROOT + "/"):
            raise ValueError("not a /shaderviz address")
        parts = address[len(ROOT) + 1 :].split("/")
        if parts[0] == "fx":
            return self._fx(parts[1:], args)
        for spec in self.commands.specs():
            if spec.verb not in ("set", "on", "toggle") and osc_address(spec) == address:
                return self._plain(spec, args)
        raise ValueError("unknown address (shaderviz keys lists them)")

    def _plain(self, spec: CommandSpec, args: list[Any]) -> tuple[str, bool, Any] | None:
        first = args[0] if args else None
        if spec.hold:
            return spec.name, first is None or _number(first) != 0, None
        if spec.value:
            if first is None and not spec.optional:
                raise ValueError(f"needs a value ({spec.value})")
            return spec.name, True, first
        if isinstance(first, (int, float)) and not isinstance(first, bool) and first == 0:
            return None  # a button released
        return spec.name, True, None

    def _fx(self, parts: list[str], args: list[Any]) -> tuple[str, bool, Any] | None:
        if len(parts) < 2 or len(parts) > 3:
            raise ValueError("expected /shaderviz/fx/EFFECT/PARAM, .../PARAM/norm, .../on or .../toggle")
        target, what = parts[0], parts[1]
        name, _ = split_target(target)
        spec = self.registry.effects.get(name)
        if spec is None:
            raise ValueError(f"no effect {name!r}")
        if len(parts) == 2 and what in ("on", "toggle") and spec.kind == "effect":
            if what == "toggle":
                return (None if args and args[0] == 0 else (f"toggle:{target}", True, None))
            if not args:
                raise ValueError("needs 0 or 1")
            return f"on:{target}", True, args[0]
        param = spec.param(what)
        if param is None:
            raise ValueError(f"{name} has no parameter {what!r}")
        if not args:
            raise ValueError(f"needs a value ({param.describe_range()})")
        if len(parts) == 3:
            if parts[2] != "norm":
                raise ValueError(f"unknown address ending {parts[2]!r} (norm?)")
            return f"set:{target}/{what}", True, scale_unit(param, args[0])
        return f"set:{target}/{what}", True, args[0] if len(args) == 1 else list(args)


def _tidy(arg: Any) -> Any:
    """OSC floats are 32-bit: 0.123 arrives as 0.12300000339746475. Seven significant
    digits give back the number the sender meant."""
    return float(f"{arg:.7g}") if isinstance(arg, float) else arg


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    raise ValueError(f"expected a number, got {value!r}")


class _Limited:
    """Warnings, at most one per kind per WARN_EVERY seconds (with a count of the rest)."""

    def __init__(self) -> None:
        self._last: dict[str, tuple[float, int]] = {}

    def __call__(self, kind: str, text: str) -> None:
        now = time.monotonic()
        at, skipped = self._last.get(kind, (-1e9, 0))
        if now - at < WARN_EVERY:
            self._last[kind] = (at, skipped + 1)
            return
        more = f" (and {skipped} more like it)" if skipped else ""
        warn(f"OSC: {text}{more}")
        self._last[kind] = (now, 0)


class OscServer:
    """A UDP socket bound at once (a busy port fails before the window opens); a worker
    reads packets and posts their commands."""

    def __init__(self, spec: str) -> None:
        host, port = parse_host_port(spec, "--osc", default_host="0.0.0.0")
        self.spec = spec
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.sock.bind((host, port))
        except OSError as err:
            self.sock.close()
            why = "the port is in use (is another shaderviz or OSC app listening?)" \
                if err.errno in (98, 48, 10048) else err.strerror or str(err)
            raise UserError(f"--osc {spec}: cannot listen on UDP {host}:{port}: {why}") from None
        self.port = self.sock.getsockname()[1]
        self.sock.settimeout(0.2)
        self.received = self.ignored = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._warn = _Limited()

    def start(self, commands: Commands, registry: Registry) -> None:
        self._mapper = OscMapper(commands, registry)
        self._post = commands.post
        self._thread = threading.Thread(target=self._run, name="shaderviz-osc", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from pythonosc.osc_packet import OscPacket, ParseError

        while not self._stop.is_set():
            try:
                data, sender = self.sock.recvfrom(65536)
            except TimeoutError:
                continue
            except OSError:
                return  # the socket was closed
            try:
                messages = [m.message for m in OscPacket(data).messages]
            except (ParseError, Exception):  # noqa: BLE001 - any garbage: one warning
                self.ignored += 1
                self._warn("packet", f"ignored an unreadable packet of {len(data)} bytes from {sender[0]}")
                continue
            for message in messages:
                self._message(message.address, [_tidy(arg) for arg in message.params])

    def _message(self, address: str, args: list[Any]) -> None:
        try:
            found = self._mapper.command(address, args)
        except ValueError as err:
            self.ignored += 1
            self._warn(address, f"{address} {' '.join(map(repr, args))}: {err}; ignored")
            return
        self.received += 1
        if found is not None:
            name, pressed, value = found
            self._post(name, pressed, value)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self.sock.close()


class OscFeedback:
    """``--osc-out HOST:PORT``: after each command that changes state, the new state, at
    the same addresses (``/norm`` too, for faders), so controllers follow the show."""

    def __init__(self, spec: str) -> None:
        from pythonosc.udp_client import SimpleUDPClient

        host, port = parse_host_port(spec, "--osc-out")
        try:
            socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
        except OSError:
            raise UserError(f"--osc-out {spec}: unknown host {host!r}") from None
        self.client = SimpleUDPClient(host, port)
        self.sent = 0

    def attach(self, commands: Commands, state: Callable[[str], tuple[bool, dict[str, Any]] | None],
               registry: Registry, extra: Callable[[str], Any] | None = None) -> None:
        self.state, self.registry, self.extra = state, registry, extra
        commands.listeners.append(self.heard)

    def send(self, address: str, value: Any) -> None:
        try:
            self.client.send_message(address, value)
            self.sent += 1
        except OSError as err:  # nobody listening yet (ECONNREFUSED), a full buffer: carry on
            warn(f"--osc-out: {err.strerror or err}")

    def heard(self, name: str, value: Any, pressed: bool) -> None:
        verb, _, arg = name.partition(":")
        if verb in ("set", "on", "toggle"):
            self.effect(arg.partition("/")[0], arg.partition("/")[2] or None)
        elif verb in ("record", "bpm", "tap") and self.extra is not None:
            key = "bpm" if verb == "tap" else verb
            current = self.extra(key)
            if current is not None:
                self.send(f"{ROOT}/{key}", current)

    def effect(self, target: str, only: str | None = None) -> None:
        """The state of ``EFFECT[.N]``: on, and each parameter (or only ``only``)."""
        found = self.state(target)
        if found is None:
            return
        enabled, values = found
        spec = self.registry.effects.get(split_target(target)[0])
        self.send(f"{ROOT}/fx/{target}/on", 1 if enabled else 0)
        for pname, stored in values.items():
            param = spec.param(pname) if spec else None
            if param is None or (only is not None and pname != only):
                continue
            if isinstance(stored, (bool, int, float, str)):
                self.send(f"{ROOT}/fx/{target}/{pname}", int(stored) if isinstance(stored, bool) else stored)
            elif param.type == "color":
                self.send(f"{ROOT}/fx/{target}/{pname}", list(stored))
            unit = to_unit(param, stored)
            if unit is not None:
                self.send(f"{ROOT}/fx/{target}/{pname}/norm", unit)
