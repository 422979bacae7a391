"""ISF pass sizes such as ``"$WIDTH / 2.0"`` or ``"max(floor($HEIGHT*$scale), 1)"``.

A small evaluator over Python's parse tree, never ``eval``: numbers, ``$NAME`` variables
(WIDTH, HEIGHT and the file's inputs), + - * / % and ``^`` or ``**`` (power, as in ISF's
exprtk), comparisons, ``a ? b : c`` and a few functions. Anything else is a ValueError at
load time; sizes are clamped where they are used.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

MAX_LENGTH = 300
MAX_NODES = 100

_FUNCTIONS: dict[str, Callable[..., float]] = {
    "floor": math.floor, "ceil": math.ceil, "round": round, "abs": abs, "min": min, "max": max,
    "sqrt": lambda x: math.sqrt(max(x, 0.0)), "pow": lambda a, b: _power(a, b),
    "log": lambda x: math.log(max(x, 1e-30)),
    "exp": lambda x: math.exp(min(x, 64.0)), "sin": math.sin, "cos": math.cos, "trunc": math.trunc,
    "clamp": lambda x, lo, hi: min(max(x, lo), hi),
}
_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: lambda a, b: a / b if b else 0.0, ast.FloorDiv: lambda a, b: a // b if b else 0.0,
    ast.Mod: lambda a, b: math.fmod(a, b) if b else 0.0, ast.Pow: lambda a, b: _power(a, b),
    ast.BitXor: lambda a, b: _power(a, b),  # exprtk writes x^y for a power
}
_COMPARE: dict[type, Callable[[float, float], bool]] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Eq: operator.eq, ast.NotEq: operator.ne,
}
_TERNARY = re.compile(r"^(?P<cond>[^?]+)\?(?P<yes>[^:]+):(?P<no>.+)$")


def _power(a: float, b: float) -> float:
    if abs(b) > 64 or abs(a) > 1e6:
        raise ValueError("power out of range")
    return float(a) ** float(b) if a >= 0 or float(b).is_integer() else 0.0


@dataclass(frozen=True)
class Expression:
    text: str
    tree: ast.Expression

    def __call__(self, variables: Mapping[str, float]) -> float:
        try:
            value = float(_evaluate(self.tree.body, variables))
        except (ArithmeticError, ValueError, TypeError) as err:
            raise ValueError(f"{self.text!r}: {err}") from None
        if not math.isfinite(value):
            raise ValueError(f"{self.text!r} is not a finite number")
        return value


def parse_expression(text: str | int | float, names: set[str]) -> Expression:
    """Check ``text`` once (ValueError with the reason); ``names``: the variables it may use."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise ValueError(f"expected a number or an expression, got {text!r}")
    source = str(text).strip()
    if len(source) > MAX_LENGTH:
        raise ValueError(f"expression longer than {MAX_LENGTH} characters")
    ternary = _TERNARY.match(source)
    if ternary:  # exprtk / C ternary -> Python's
        source = f"({ternary['yes']}) if ({ternary['cond']}) else ({ternary['no']})"
    source = source.replace("&&", " and ").replace("||", " or ")
    source = re.sub(r"\$([A-Za-z_][A-Za-z0-9_]*)", r"\1", source)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        raise ValueError(f"cannot read expression {text!r}") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise ValueError(f"expression {text!r} is too long")
    for node in nodes:
        _check(node, names, text)
    return Expression(str(text), tree)


_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.USub, ast.UAdd, ast.Not, ast.Constant, ast.Name,
            ast.Load, ast.Call, ast.Compare, ast.IfExp, ast.BoolOp, ast.And, ast.Or, *_BINARY, *_COMPARE)


def _check(node: ast.AST, names: set[str], text: str) -> None:
    if not isinstance(node, _ALLOWED):
        raise ValueError(f"expression {text!r}: {type(node).__name__} is not allowed")
    number = isinstance(getattr(node, "value", None), (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.Constant) and not number:
        raise ValueError(f"expression {text!r}: only numbers")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
            raise ValueError(f"expression {text!r}: unknown function")
    elif isinstance(node, ast.Name) and node.id not in names and node.id not in _FUNCTIONS:
        raise ValueError(f"expression {text!r}: unknown name {node.id!r} (known: {', '.join(sorted(names))})")


def _evaluate(node: ast.AST, variables: Mapping[str, float]) -> float:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return float(variables[node.id])
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, variables)
        if isinstance(node.op, ast.Not):
            return float(not value)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_evaluate(node.left, variables), _evaluate(node.right, variables))
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, variables)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(right_node, variables)
            if not _COMPARE[type(op)](left, right):
                return 0.0
            left = right
        return 1.0
    if isinstance(node, ast.BoolOp):
        values = [_evaluate(v, variables) for v in node.values]
        return float(all(values) if isinstance(node.op, ast.And) else any(values))
    if isinstance(node, ast.IfExp):
        return _evaluate(node.body if _evaluate(node.test, variables) else node.orelse, variables)
    if isinstance(node, ast.Call):
        return _FUNCTIONS[node.func.id](*(_evaluate(a, variables) for a in node.args))  # type: ignore[union-attr]
    raise ValueError(f"{type(node).__name__} is not allowed")
