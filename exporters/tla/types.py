"""Types, just enough to pick TLA+ operators: inferred from initial values and every assignment."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from statecharts.actions import (
    Action,
    Choose,
    If,
)
from statecharts.values import FrozenMap

ANY = "any"
Ty = Any
"""A type: a scalar name ("int", "str", "bool", "none", ANY) or a collection ``(kind, element, positions)``:
``("seq", E, (T0, T1, ...) or None)`` (a tuple's per-position types when known), ``("set", E, None)``,
``("map", V, None)`` with V the type of the values."""


def _coll(kind: str, elem: Ty = ANY, positions: tuple[Ty, ...] | None = None) -> Ty:
    return (kind, elem, positions)


def _elem(t: Ty) -> Ty:
    """The element type of a set or sequence, the value type of a map."""
    return t[1] if isinstance(t, tuple) else ANY


def _iter_elem(t: Ty) -> Ty:
    """The type of what iterating a value gives (a map iterates its keys, whose type is not tracked)."""
    return _elem(t) if _kind(t) in ("set", "seq") else ANY


def _kind(t: Ty) -> str:
    return t[0] if isinstance(t, tuple) else t  # type: ignore[no-any-return]


def _positions(t: Ty) -> tuple[Ty, ...] | None:
    return t[2] if isinstance(t, tuple) else None


def _unpositioned(t: Ty) -> Ty:
    return _coll(t[0], t[1]) if isinstance(t, tuple) else t


def _join(types: Iterable[Ty]) -> Ty:
    """The common type (ANY when the kinds differ); None is neutral: an optional value has its value's type."""
    given = list(types)
    known = [t for t in given if t not in (ANY, "none")]
    if not known:
        return "none" if "none" in given else ANY
    kinds = {_kind(t) for t in known}
    if len(kinds) != 1:
        return ANY
    k = kinds.pop()
    if k in ("set", "seq", "map"):
        pos = [_positions(t) for t in known]
        joined = None
        if k == "seq" and all(p is not None for p in pos) and len({len(p) for p in pos if p is not None}) == 1:
            joined = tuple(_join(col) for col in zip(*[p for p in pos if p is not None]))
        return _coll(k, _join(_elem(t) for t in known), joined)
    return k


def _type_of_value(v: Any) -> Ty:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, str):
        return "str"
    if v is None:
        return "none"
    if isinstance(v, tuple):
        items = tuple(_type_of_value(x) for x in v)
        return _coll("seq", _join(items), items)
    if isinstance(v, frozenset):
        return _coll("set", _join(_type_of_value(x) for x in v))
    if isinstance(v, FrozenMap):
        return _coll("map", _join(_type_of_value(x) for x in v.values()))
    return ANY


def _chooses(a: Action) -> bool:
    """Whether an action chooses somewhere inside (a choose nested in if_ branches)."""
    if isinstance(a, Choose):
        return True
    if isinstance(a, If):
        return any(_chooses(b) for _, body in a.branches for b in body) or any(_chooses(b) for b in a.otherwise)
    return False


