"""What a ``transitions`` definition may hold (machine, state and transition keys) and the intermediate form it is read into."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SEPARATOR = "_"
"""The separator ``transitions`` puts between the names of nested states (``NestedState.separator``)."""

_MACHINE_KEYS = frozenset(
    {
        "states",
        "transitions",
        "initial",
        "name",
        "auto_transitions",
        "ordered_transitions",
        "send_event",
        "ignore_invalid_triggers",
        "before_state_change",
        "after_state_change",
        "prepare_event",
        "finalize_event",
        "on_exception",
        "on_final",
        "queued",
        "model",
        "models",
        "model_attribute",
        "model_override",
        "auto_transitions_markup",
    }
)
_STATE_KEYS = frozenset(
    {
        "name",
        "children",
        "states",
        "parallel",
        "initial",
        "on_enter",
        "on_exit",
        "final",
        "transitions",
        "ignore_invalid_triggers",
        "timeout",
        "on_timeout",
        "on_final",
        "tags",
        "label",
    }
)
_TRANSITION_KEYS = frozenset(
    {"trigger", "source", "dest", "conditions", "unless", "before", "after", "prepare", "internal", "label"}
)
_TRANSITION_ARGS = ("trigger", "source", "dest", "conditions", "unless", "before", "after", "prepare")
_UNSUPPORTED_MACHINE = {
    "prepare_event": "it runs on every trigger, even one no transition handles; put it in each transition's 'prepare'",
    "finalize_event": "it runs after every trigger, even a failed one; SCXML has no such hook",
    "on_exception": "exceptions in callbacks stop the macrostep with ExecutionError (or use Chart(on_error='event'))",
}




@dataclass
class _StateDef:
    """One state of the definition, with its path id and its raw callback references."""

    id: str
    path: str
    parent: _StateDef | None
    children: list[_StateDef] = field(default_factory=list)
    initial: Any = None
    parallel: bool = False
    final: bool = False
    on_enter: list[Any] = field(default_factory=list)
    on_exit: list[Any] = field(default_factory=list)
    on_final: list[Any] = field(default_factory=list)
    on_timeout: list[Any] = field(default_factory=list)
    timeout_ms: int = 0
    depth: int = 0
    scoped: list[Any] = field(default_factory=list)
    transitions: list[_TransDef] = field(default_factory=list)

    def ancestors(self) -> Iterable[_StateDef]:
        """Proper ancestors, nearest first."""
        p = self.parent
        while p is not None:
            yield p
            p = p.parent

    def descendants(self) -> Iterable[_StateDef]:
        """Proper descendants in document order."""
        for c in self.children:
            yield c
            yield from c.descendants()


@dataclass
class _TransDef:
    """One expanded transition (single source) and where it was declared, for ordering and errors."""

    trigger: str
    source: _StateDef
    dest: _StateDef | None
    conditions: list[Any]
    unless: list[Any]
    actions: list[Any]
    internal: bool
    where: str
    rank: tuple[int, int]


_TIMEOUT_HINT = "give the timeout in seconds, to the millisecond at most (e.g. 1.5 or 0.25)"


def _refs(value: Any) -> list[Any]:
    """Normalise a callback reference (None, a name, a callable, or a list of them) to a list."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _name_of(value: Any) -> Any:
    """The name of a state given as a string, an enum member or an object with ``name``."""
    if isinstance(value, str):
        return value
    if isinstance(value, enum.Enum):
        return value.name
    name = getattr(value, "name", None)
    if isinstance(name, (str, enum.Enum)):
        return _name_of(name)
    return value


def _ref_name(ref: Any) -> str | None:
    """The name a callback reference is looked up by (a string, or a callable's ``__name__``)."""
    if isinstance(ref, str):
        return ref
    name = getattr(ref, "__name__", None)
    if callable(ref) and isinstance(name, str) and name != "<lambda>":
        return name
    return None


