"""Immutable, hashable values used in chart state and event data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple


class FrozenMap(dict[str, Any]):
    """A dict that cannot change after construction and is hashable (records, maps, event data)."""

    __slots__ = ("_hash",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        dict.__init__(self, *args, **kwargs)
        self._hash: int | None = None

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
        return "FrozenMap(" + dict.__repr__(self) + ")"

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
