"""Immutable, hashable values used in chart state and event data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple


class FrozenMap(dict[str, Any]):
    """A dict that cannot change after construction and is hashable (records, maps, event data).

    Its keys are kept in canonical order (see ``canonical_key``): two equal maps iterate and
    print alike, whatever order their keys were inserted in (for instance from a set).
    """

    __slots__ = ("_hash",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        dict.__init__(self, *args, **kwargs)
        self._hash: int | None = None
        if len(self) > 1:  # keys in canonical order, so iteration and printing never follow how the map was built
            keys = list(dict.keys(self))
            if all(type(k) is str for k in keys):
                order = sorted(keys)  # the canonical order of strings
            else:
                order = sorted(keys, key=canonical_key)
            if order != keys:
                items = [(k, dict.__getitem__(self, k)) for k in order]
                dict.clear(self)
                dict.update(self, items)

    def __hash__(self) -> int:  # type: ignore[override]
        h = self._hash
        if h is None:
            h = self._hash = hash(frozenset(self.items()))
        return h

    def _readonly(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("FrozenMap is immutable; build a new one with .set(key, value)")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _readonly  # type: ignore[assignment]
    __ior__ = _readonly  # type: ignore[assignment]  # dict's in-place |= would bypass update()

    def __or__(self, other: Any) -> FrozenMap:  # type: ignore[override]
        if not isinstance(other, Mapping):
            return NotImplemented
        return FrozenMap({**self, **other})

    def __ror__(self, other: Any) -> FrozenMap:  # type: ignore[override]
        if not isinstance(other, Mapping):
            return NotImplemented
        return FrozenMap({**other, **self})

    def set(self, key: Any, value: Any) -> FrozenMap:
        """A copy with key bound to value."""
        d = dict(self)
        d[key] = value
        return FrozenMap(d)

    def remove(self, key: Any) -> FrozenMap:
        """A copy without key."""
        d = dict(self)
        d.pop(key, None)
        return FrozenMap(d)

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return canonical_str(self)  # keys in canonical order: equal maps print alike

    def __reduce__(self) -> Any:
        return (FrozenMap, (dict(self),))


def freeze(value: Any) -> Any:
    """Turn lists, sets and dicts (recursively) into tuples, frozensets and FrozenMaps."""
    if isinstance(value, FrozenMap):
        return value
    if isinstance(value, Mapping):
        return FrozenMap({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(freeze(v) for v in value)
    return value


FLOAT_RULE = "the language has integers only: use an integer unit (cents, milliseconds, percent)"


def has_float(value: Any) -> bool:
    """Whether a float hides in value (the model's numbers are integers: a float would be rounded differently in TLA+)."""
    if isinstance(value, float):
        return True
    if isinstance(value, Mapping):
        return any(has_float(k) or has_float(v) for k, v in value.items())
    if isinstance(value, (tuple, list, set, frozenset)):
        return any(has_float(v) for v in value)
    return False


EMPTY = FrozenMap()


class Event(NamedTuple):
    """An event: a name, its data (a FrozenMap, or any hashable value) and who sent it."""

    name: str
    data: Any = EMPTY
    origin: str | None = None

    @staticmethod
    def of(name: str, data: Mapping[str, Any] | Iterable[Any] | None = None, origin: str | None = None) -> Event:
        """Build an event, freezing its data so it can be hashed and stored."""
        return Event(name, EMPTY if data is None else freeze(data), origin)


# --------------------------------------------------------------------------- canonical order

_RANK = {type(None): 0, bool: 1, int: 2, str: 3}


def canonical_key(value: Any) -> tuple[Any, ...]:
    """A sort key giving every model value one total order that does not depend on the hash seed.

    Values of different types order by kind (None, bool, int, str, tuple, set, map, other);
    sets and maps order by their sorted contents, so equal values always sort alike. Used
    wherever a set or map turns into an order (foreach, choose, tuple(), str(), traces).
    """
    rank = _RANK.get(type(value))
    if rank is not None:
        return (rank, value)
    if isinstance(value, tuple):
        return (4, tuple(canonical_key(v) for v in value))
    if isinstance(value, (frozenset, set)):
        return (5, tuple(sorted(canonical_key(v) for v in value)))
    if isinstance(value, Mapping):
        return (6, tuple(sorted((canonical_key(k), canonical_key(v)) for k, v in value.items())))
    if isinstance(value, int):  # int subclasses (enums)
        return (2, int(value))
    if isinstance(value, str):
        return (3, str(value))
    return (9, type(value).__qualname__, canonical_str(value))


def canonical_sorted(values: Iterable[Any]) -> list[Any]:
    """The values in canonical order (see ``canonical_key``)."""
    return sorted(values, key=canonical_key)


def canonical_items(value: Any) -> list[Any]:
    """The iteration order of a collection: sets and map keys canonically sorted, sequences as they are."""
    if isinstance(value, (frozenset, set, Mapping)):
        return canonical_sorted(value)
    return list(value)


def canonical_str(value: Any) -> str:
    """``str(value)`` with sets and maps printed in canonical order (so text never depends on the hash seed)."""
    if isinstance(value, str):
        return value
    return _canonical_repr(value)


def _canonical_repr(value: Any) -> str:
    if isinstance(value, (frozenset, set)):
        if not value:
            return "frozenset()"
        return "frozenset({" + ", ".join(_canonical_repr(v) for v in canonical_sorted(value)) + "})"
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_canonical_repr(k)}: {_canonical_repr(value[k])}" for k in canonical_sorted(value))
        return ("FrozenMap({" + inner + "})") if isinstance(value, FrozenMap) else "{" + inner + "}"
    if isinstance(value, tuple) and type(value) is tuple:
        inner = ", ".join(_canonical_repr(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, Event):
        return f"Event(name={value.name!r}, data={_canonical_repr(value.data)}, origin={value.origin!r})"
    return repr(value)


def format_value(value: Any) -> str:
    """A context value as people read it, the same whatever the hash seed: ``-`` for None, sets sorted, maps as ``{k: v}``."""
    if value is None:
        return "-"
    if isinstance(value, (frozenset, set)):
        return "{" + ", ".join(sorted(format_value(v) for v in value)) + "}"
    if isinstance(value, (FrozenMap, dict)):
        return "{" + ", ".join(f"{format_value(k)}: {format_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        inner = ", ".join(format_value(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def short_value(value: Any, limit: int = 60) -> str:
    """``format_value`` cut to ``limit`` characters (the last one an ellipsis) for tables and diagram notes."""
    text = format_value(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
