"""Checking the event a caller hands in (``Interpreter.send``, ``Chart.step``): a name, and data of model values.

A wrong argument is a StatechartError that says which argument and how to fix it, not a
TypeError from deep inside the engine, and no float or unhashable value reaches a state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import StatechartError
from .values import Event, freeze, has_float


def checked_event(event: Any, data: Any, fields: Mapping[str, Any]) -> Event:
    """The event ``send`` was given, or a StatechartError saying which argument is wrong and how."""
    if isinstance(event, Event):
        event, data, fields = event.name, event.data, {}
        if not isinstance(data, Mapping):
            return Event(_checked_name(event), _checked_value("data", data))
    name = _checked_name(event)
    if data is not None and not isinstance(data, Mapping):
        raise StatechartError(
            f"send({name!r}, ...): event data must be a mapping of field names to values, not {type(data).__name__}",
        )
    payload = {**(data or {}), **fields}
    for key, value in payload.items():
        if not isinstance(key, str):
            raise StatechartError(f"send({name!r}, ...): event data field {key!r} is not a string (name data fields like x or count)")
        payload[key] = _checked_value(key, value, name)
    return Event.of(name, payload or None)


def _checked_name(event: Any) -> str:
    if not isinstance(event, str) or not event.strip():
        raise StatechartError(f"send(): event name {event!r} is not a non-empty string (send events by name: send('go'))")
    return event


def _checked_value(key: str, value: Any, name: str = "") -> Any:
    frozen = freeze(value)
    try:
        hash(frozen)
    except TypeError:
        raise StatechartError(
            f"send({name!r}, ...): event data field {key!r} holds an unhashable {type(value).__name__} "
            "(use numbers, strings, tuples, lists, sets and dicts of them)"
        ) from None
    if has_float(frozen):
        raise StatechartError(
            f"send({name!r}, ...): event data field {key!r} holds a floating-point number {value!r} "
            "(the language has integers only: use an integer unit such as cents or milliseconds)"
        )
    return frozen
