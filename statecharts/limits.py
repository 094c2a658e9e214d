"""Bounds on expressions (how big a tree may be, how big a value arithmetic may make) and build-time type checks.

An expression comes from untrusted text (SCXML, a CLI target), so neither loading nor
evaluating one may stall the tool: a tree is checked for text length, depth and node count
before anything recurses over it, and the operations that can make huge values in one C
call (``**``/``pow``, ``*``, ``range``) check their operands first. Every bound raises a
named error (a subclass of ExpressionError); at run time the engine wraps it in an
ExecutionError naming the transition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .errors import ExpressionError

if TYPE_CHECKING:
    from .expr import Node

MAX_EXPRESSION_CHARS = 20_000
"""Longest expression text accepted (a guard or an action's expression, not a whole document)."""
MAX_DEPTH = 100
"""Deepest nesting of an expression tree (parentheses, chained operators, calls)."""
MAX_NODES = 5_000
"""Most nodes in one expression tree."""
MAX_INT_BITS = 4_096
"""Largest integer arithmetic may produce, in bits (about 1,233 decimal digits)."""
MAX_LENGTH = 100_000
"""Longest sequence, string or range arithmetic may produce (``*`` of a sequence, ``range``)."""

_LIMITS_HINT = "the limits are in statecharts.limits; write the expression in smaller parts"


class ExpressionLimitError(ExpressionError):
    """An expression is too long, too deep or too large (raised when it is parsed or built)."""


class ValueLimitError(ExpressionError):
    """Arithmetic would produce a value beyond the documented bounds (raised when evaluated)."""


class ExpressionTypeError(ExpressionError):
    """A built-in function got a value of the wrong type: names the function and the type."""


# --------------------------------------------------------------------------- trees


def check_text(text: str) -> None:
    """Refuse expression text longer than MAX_EXPRESSION_CHARS before it is parsed."""
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionLimitError(
            f"expression of {len(text):,} characters ({text[:40]!r}…) is longer than the limit of {MAX_EXPRESSION_CHARS:,}",
            _LIMITS_HINT,
        )


def check_shape(root: Any, children: Callable[[Any], Iterable[Any]], what: str = "expression", slack: int = 1) -> None:
    """Refuse a tree deeper than MAX_DEPTH or larger than MAX_NODES (iterative: never recurses).

    ``slack`` scales both for a Python syntax tree, which spends more nodes per level than ours
    (``ctx.n`` is three nodes there, one here); the exact check is on the converted tree.
    """
    stack: list[tuple[Any, int]] = [(root, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH * slack:
            raise ExpressionLimitError(f"{what} nests deeper than the limit of {MAX_DEPTH} levels", _LIMITS_HINT)
        if count > MAX_NODES * slack:
            raise ExpressionLimitError(f"{what} has more than the limit of {MAX_NODES:,} parts", _LIMITS_HINT)
        stack.extend((c, depth + 1) for c in children(node))


def check_tree(node: Node) -> None:
    """Check a tree's shape, then evaluate its constant arithmetic so a bound is hit when it loads."""
    from .expr import children

    check_shape(node, children)
    _fold(node, {})


_UNKNOWN = object()


def _fold(node: Node, memo: dict[int, Any]) -> Any:
    """The value of a constant arithmetic subtree (raising on a bound), or _UNKNOWN; depth is bounded."""
    from .expr import BinOp, Call, Const, Unary, children

    key = id(node)
    if key in memo:
        return memo[key]
    values = [_fold(c, memo) for c in children(node)]
    result: Any = _UNKNOWN
    if isinstance(node, Const):
        result = node.value
    elif _UNKNOWN not in values and not any(isinstance(v, bool) for v in values):
        try:
            if isinstance(node, Call) and node.fn in ("pow", "range") and len(values) in (1, 2):
                if node.fn == "pow":
                    result = checked_pow(*values)
                else:
                    checked_range(*values)  # a range is not folded: only its bound is checked
            elif isinstance(node, BinOp) and node.op == "*":
                result = checked_mul(*values)
            elif isinstance(node, BinOp) and node.op in ("+", "-") and all(isinstance(v, int) for v in values):
                result = values[0] + values[1] if node.op == "+" else values[0] - values[1]
            elif isinstance(node, Unary) and node.op == "-" and isinstance(values[0], int):
                result = -values[0]
        except ExpressionError as e:
            raise ExpressionLimitError(e.problem, e.hint) from None
        except (TypeError, ValueError, ArithmeticError):
            result = _UNKNOWN  # a type error is reported when evaluated, with the transition's name
    memo[key] = result
    return result


# --------------------------------------------------------------------------- values


def _int_too_big(bits: int, what: str) -> ValueLimitError:
    return ValueLimitError(
        f"{what} would have about {bits:,} bits, more than the limit of {MAX_INT_BITS:,}",
        "model values should stay small; bound the counter or compute modulo a constant",
    )


def check_int(value: Any, what: str) -> Any:
    """Return value, refusing an integer beyond MAX_INT_BITS."""
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise _int_too_big(value.bit_length(), what)
    return value


def checked_pow(a: Any, b: Any) -> int:
    """``a ** b`` on integers, refusing a result beyond MAX_INT_BITS before computing it."""
    if not isinstance(a, int) or not isinstance(b, int):
        raise ExpressionTypeError(f"pow() takes two integers, got {type(a).__name__} and {type(b).__name__}")
    if b < 0:
        if a == 0:
            raise ExpressionTypeError("pow(0, negative) is undefined")
        if a == 1 or (a == -1 and b % 2 == 0):
            return 1
        return -1 if a == -1 else 0  # a ** b truncated to an integer, as before
    if abs(a) > 1 and (abs(a).bit_length() - 1) * b > MAX_INT_BITS:
        raise _int_too_big((abs(a).bit_length() - 1) * b, f"pow({a if a.bit_length() < 64 else '…'}, {b})")
    return int(a**b)


def checked_mul(a: Any, b: Any) -> Any:
    """``a * b``, refusing a too-large integer product or a too-long repeated sequence or string."""
    if isinstance(a, int) and isinstance(b, int):
        if a.bit_length() + b.bit_length() > MAX_INT_BITS + 1:
            raise _int_too_big(a.bit_length() + b.bit_length(), "a product")
        return a * b
    seq, n = (a, b) if isinstance(b, int) else (b, a)
    if isinstance(n, int) and isinstance(seq, (str, tuple)) and len(seq) * max(n, 0) > MAX_LENGTH:
        raise ValueLimitError(
            f"repeating a {type(seq).__name__} of length {len(seq):,} {n:,} times exceeds the limit of {MAX_LENGTH:,} items",
            "model values should stay small",
        )
    return a * b


def checked_range(a: Any, b: Any = None) -> tuple[int, ...]:
    """``range(a, b)`` as a tuple (range(n) is 0..n-1), refusing more than MAX_LENGTH items."""
    lo, hi = (0, a) if b is None else (a, b)
    if not isinstance(lo, int) or not isinstance(hi, int) or isinstance(lo, bool) or isinstance(hi, bool):
        raise ExpressionTypeError(f"range() takes integers, got {type(lo).__name__} and {type(hi).__name__}")
    if hi - lo > MAX_LENGTH:
        raise ValueLimitError(f"range({lo}, {hi}) would have {hi - lo:,} items, more than the limit of {MAX_LENGTH:,}", "model values should stay small")
    return tuple(range(lo, hi))


# --------------------------------------------------------------------------- built-in function types

_MAP_FNS = ("put", "keys")
_SEQ_FNS = ("append", "head", "tail")
_SET_FNS = ("add",)


def _type_name(value: Any) -> str:
    from .values import FrozenMap

    if isinstance(value, FrozenMap):
        return "map"
    if isinstance(value, frozenset):
        return "set"
    return type(value).__name__


def expect(fn: str, value: Any) -> None:
    """Refuse, naming the function and the value's type, a first argument of the wrong kind."""
    if fn in _MAP_FNS and not isinstance(value, Mapping):
        raise ExpressionTypeError(f"{fn}() takes a map as its first argument, not a {_type_name(value)} ({value!r})")
    if fn in _SEQ_FNS and not isinstance(value, (tuple, str) if fn != "append" else tuple):
        raise ExpressionTypeError(f"{fn}() takes a sequence (tuple) as its first argument, not a {_type_name(value)} ({value!r})")
    if fn in _SET_FNS and not isinstance(value, frozenset):
        raise ExpressionTypeError(f"{fn}() takes a set as its first argument, not a {_type_name(value)} ({value!r})")


def named(fn_name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a built-in so a TypeError/ValueError from Python becomes an ExpressionTypeError naming it."""

    def call(*args: Any) -> Any:
        try:
            return fn(*args)
        except ExpressionError:
            raise
        except (TypeError, ValueError, IndexError) as e:
            kinds = ", ".join(_type_name(a) for a in args)
            raise ExpressionTypeError(f"{fn_name}({kinds}): {e}") from None

    call.__name__ = fn_name
    call.__doc__ = fn.__doc__
    return call


def static_check_call(fn: str, first: Node, field_values: Mapping[str, Any]) -> None:
    """At build time, refuse a call whose first argument's type is known and wrong.

    Known means a constant, or a context field whose initial value is a tuple, set or map
    (a field that starts as a collection keeps its kind).
    """
    from .expr import Const, Ctx
    from .values import FrozenMap

    if isinstance(first, Const):
        expect(fn, first.value)
    elif isinstance(first, Ctx) and first.name in field_values:
        v = field_values[first.name]
        if isinstance(v, (tuple, frozenset, FrozenMap)):
            expect(fn, v)


# --------------------------------------------------------------------------- guards and calls at build time

_NON_BOOLEAN_CALLS = frozenset(
    {"len", "pow", "str", "append", "put", "remove", "add", "tail", "range", "keys", "set", "tuple", "sum", "abs"}
)


def not_a_truth_value(node: Node) -> str | None:
    """Why a guard can never be a truth value (a constant 5, ``ctx.n + 1``, ``len(x)``), or None."""
    from .expr import BinOp, Call, Const, MapLit, Quant, SetLit, TupleLit, Unary, to_source

    if isinstance(node, Const):
        if isinstance(node.value, bool):
            return None
        return f"the guard is the constant {to_source(node)}, not True or False"
    kind = None
    if isinstance(node, BinOp) and node.op in ("+", "-", "*", "//", "%"):
        kind = "arithmetic"
    elif isinstance(node, Unary) and node.op == "-":
        kind = "arithmetic"
    elif isinstance(node, (TupleLit, SetLit, MapLit)) or (isinstance(node, Quant) and node.kind == "set"):
        kind = "a collection"
    elif isinstance(node, Call) and node.fn in _NON_BOOLEAN_CALLS:
        kind = f"a {node.fn}() value"
    if kind is None:
        return None
    return f"the guard {to_source(node)!r} is {kind}, not a truth value"


def check_calls(node: Node, field_values: Mapping[str, Any]) -> None:
    """Refuse every call in a tree whose first argument has a known, wrong type (see static_check_call)."""
    from .expr import Call, walk

    for n in walk(node):
        if isinstance(n, Call) and n.args:
            static_check_call(n.fn, n.args[0], field_values)
