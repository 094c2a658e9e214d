"""The language's built-in functions (integers only), and the hints its errors give."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Any

from ..limits import (
    check_int,
    checked_pow,
    checked_range,
    expect,
    named,
)
from ..values import FrozenMap, canonical_items, canonical_str


def _append(seq: tuple[Any, ...], item: Any) -> tuple[Any, ...]:
    expect("append", seq)
    return (*seq, item)


def _put(m: FrozenMap, key: Any, value: Any) -> FrozenMap:
    expect("put", m)
    return FrozenMap(m).set(key, value) if not isinstance(m, FrozenMap) else m.set(key, value)


def _remove(coll: Any, key: Any) -> Any:
    if isinstance(coll, (frozenset, set)):
        return frozenset(coll) - {key}
    if isinstance(coll, tuple):
        return tuple(x for x in coll if x != key)
    if not isinstance(coll, dict):
        raise TypeError(f"remove() takes a set, a tuple or a map, not a {type(coll).__name__} ({coll!r})")
    return FrozenMap(coll).remove(key)


def _add(s: frozenset[Any], item: Any) -> frozenset[Any]:
    expect("add", s)
    return frozenset(s) | {item}


def _head(seq: Sequence[Any]) -> Any:
    expect("head", seq)
    return seq[0]


def _tail(seq: Sequence[Any]) -> tuple[Any, ...]:
    """All but the first item; the tail of an empty sequence is empty (as in Python slicing)."""
    expect("tail", seq)
    return tuple(seq[1:])


def _keys(m: FrozenMap) -> frozenset[Any]:
    expect("keys", m)
    return frozenset(m.keys())


def _tuple(x: Any = ()) -> tuple[Any, ...]:
    """A tuple of a collection's items; a set or a map's keys in canonical order (never hash order)."""
    return tuple(canonical_items(x))


def _sum(xs: Any) -> Any:
    return check_int(sum(canonical_items(xs)), "a sum")


_RAW_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "min": min,
    "max": max,
    "abs": abs,
    "pow": checked_pow,
    "str": canonical_str,
    "append": _append,
    "put": _put,
    "remove": _remove,
    "add": _add,
    "head": _head,
    "tail": _tail,
    "range": checked_range,
    "keys": _keys,
    "set": lambda *xs: frozenset(xs[0]) if len(xs) == 1 else frozenset(),
    "tuple": _tuple,
    "sum": _sum,
}
FUNCTIONS: dict[str, Callable[..., Any]] = {name: named(name, fn) for name, fn in _RAW_FUNCTIONS.items()}
"""The functions expressions may call; anything else is rejected when parsed. Each names
itself in the error it raises for a wrong argument (limits.ExpressionTypeError)."""

_FLOAT_HINT = "the language has integers only: use an integer unit (cents, milliseconds, percent)"
_DIV_HINT = "the language has integers only: use '//' for integer division"


def _functions_hint(name: str, extra: Sequence[str] = ()) -> str:
    known = sorted(FUNCTIONS) + list(extra)
    close = difflib.get_close_matches(name, known, n=1)
    mean = f"did you mean {close[0]!r}? " if close else ""
    return f"{mean}the language has {', '.join(known)}"
