"""The expression tree: one node class per construct."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class Node:
    """Base class of expression nodes (immutable, structurally comparable)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Const(Node):
    """A literal value (int, str, bool, None, or a frozen tuple/set/map)."""

    value: Any


@dataclass(frozen=True, slots=True)
class Ctx(Node):
    """A context field of the chart (``ctx.name``)."""

    name: str


@dataclass(frozen=True, slots=True)
class EventField(Node):
    """A field of the current event's data (``event.name_of_field``)."""

    name: str


@dataclass(frozen=True, slots=True)
class EventAttr(Node):
    """The current event's ``name``, whole ``data`` or ``origin`` (the sender)."""

    attr: str  # "name" | "data" | "origin"


@dataclass(frozen=True, slots=True)
class Var(Node):
    """A variable bound by ``choose``, ``foreach`` or a quantifier."""

    name: str


@dataclass(frozen=True, slots=True)
class Attr(Node):
    """A record field (``x.f`` where x evaluates to a map)."""

    obj: Node
    name: str


@dataclass(frozen=True, slots=True)
class Index(Node):
    """Indexing a tuple or a map (``x[k]``)."""

    obj: Node
    key: Node


@dataclass(frozen=True, slots=True)
class BinOp(Node):
    """Arithmetic (``+ - * // %``) or set operation (``| & -`` on sets)."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Compare(Node):
    """A comparison: ``== != < <= > >= in not_in``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class BoolOp(Node):
    """Short-circuit ``and`` / ``or`` over two or more operands."""

    op: str
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    """``not x`` or ``-x``."""

    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class IfElse(Node):
    """``a if cond else b``."""

    cond: Node
    then: Node
    other: Node


@dataclass(frozen=True, slots=True)
class TupleLit(Node):
    """A tuple (sequence) literal."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class SetLit(Node):
    """A set literal."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class MapLit(Node):
    """A map (record) literal; keys are expressions, usually string constants."""

    keys: tuple[Node, ...]
    values: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A call of one of the language's built-in functions (see FUNCTIONS)."""

    fn: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Quant(Node):
    """``all(body for var in domain)`` / ``any(...)``, or a set comprehension (kind "set")."""

    kind: str  # "all" | "any" | "set"
    var: str
    domain: Node
    body: Node
    cond: Node | None = None


@dataclass(frozen=True, slots=True)
class InState(Node):
    """``In("state_id")``: whether a state of the chart is active."""

    state: str


@dataclass(frozen=True, slots=True)
class PyFunc(Node):
    """An opaque Python callable ``fn(ctx, event)``: the escape hatch; it cannot be translated."""

    fn: Callable[..., Any]
    label: str
    tla: str | None = None


