"""Building expressions in Python: ``ctx``, ``event``, the :class:`Expr` wrapper and the helper functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ExpressionError
from ..values import freeze
from .functions import _DIV_HINT, _FLOAT_HINT, FUNCTIONS, _functions_hint
from .printing import to_source
from .tree import Attr, BinOp, BoolOp, Call, Compare, Const, Ctx, EventAttr, EventField, IfElse, Index, InState, MapLit, Node, PyFunc, Quant, SetLit, TupleLit, Unary, Var


def node_of(value: Any) -> Node:
    """The node for a builder expression, a node, or a plain Python value (a constant)."""
    if isinstance(value, Expr):
        return value.node
    if isinstance(value, Node):
        return value
    if isinstance(value, (list, tuple)):
        items = tuple(node_of(v) for v in value)
        if all(isinstance(i, Const) for i in items):
            return Const(freeze(value))
        return TupleLit(items)
    if isinstance(value, (set, frozenset)):
        items = tuple(node_of(v) for v in value)
        if all(isinstance(i, Const) for i in items):
            return Const(freeze(value))
        return SetLit(items)
    if isinstance(value, dict):
        keys = tuple(node_of(k) for k in value)
        vals = tuple(node_of(v) for v in value.values())
        if all(isinstance(i, Const) for i in keys + vals):
            return Const(freeze(value))
        return MapLit(keys, vals)
    if isinstance(value, float):
        raise ExpressionError(f"floating-point constant {value!r}", _FLOAT_HINT)
    return Const(value)


class Expr:
    """A builder wrapper: Python operators on it build expression trees.

    Python cannot overload ``and``/``or``/``not``, so use ``&``, ``|`` and ``~`` (or
    ``and_``/``or_``/``not_``); use ``.union``/``.intersection``/``.difference`` for sets.
    """

    __slots__ = ("node",)
    node: Node

    def __init__(self, node: Node) -> None:
        object.__setattr__(self, "node", node)

    # arithmetic
    def __add__(self, o: Any) -> Expr:
        return Expr(BinOp("+", self.node, node_of(o)))

    def __radd__(self, o: Any) -> Expr:
        return Expr(BinOp("+", node_of(o), self.node))

    def __sub__(self, o: Any) -> Expr:
        return Expr(BinOp("-", self.node, node_of(o)))

    def __rsub__(self, o: Any) -> Expr:
        return Expr(BinOp("-", node_of(o), self.node))

    def __mul__(self, o: Any) -> Expr:
        return Expr(BinOp("*", self.node, node_of(o)))

    def __rmul__(self, o: Any) -> Expr:
        return Expr(BinOp("*", node_of(o), self.node))

    def __floordiv__(self, o: Any) -> Expr:
        return Expr(BinOp("//", self.node, node_of(o)))

    def __rfloordiv__(self, o: Any) -> Expr:
        return Expr(BinOp("//", node_of(o), self.node))

    def __mod__(self, o: Any) -> Expr:
        return Expr(BinOp("%", self.node, node_of(o)))

    def __rmod__(self, o: Any) -> Expr:
        return Expr(BinOp("%", node_of(o), self.node))

    def __truediv__(self, o: Any) -> Expr:
        raise ExpressionError("'/' is not in the language", _DIV_HINT)

    __rtruediv__ = __truediv__

    def __neg__(self) -> Expr:
        return Expr(Unary("-", self.node))

    # comparisons
    def __eq__(self, o: Any) -> Expr:  # type: ignore[override]
        return Expr(Compare("==", self.node, node_of(o)))

    def __ne__(self, o: Any) -> Expr:  # type: ignore[override]
        return Expr(Compare("!=", self.node, node_of(o)))

    def __lt__(self, o: Any) -> Expr:
        return Expr(Compare("<", self.node, node_of(o)))

    def __le__(self, o: Any) -> Expr:
        return Expr(Compare("<=", self.node, node_of(o)))

    def __gt__(self, o: Any) -> Expr:
        return Expr(Compare(">", self.node, node_of(o)))

    def __ge__(self, o: Any) -> Expr:
        return Expr(Compare(">=", self.node, node_of(o)))

    __hash__ = None  # type: ignore[assignment]

    def __bool__(self) -> bool:
        raise ExpressionError(
            "an expression has no truth value while it is being built: use & | ~ instead of "
            "and/or/not, and write chained comparisons as (a < b) & (b < c)"
        )

    # logic
    def __and__(self, o: Any) -> Expr:
        return Expr(BoolOp("and", (self.node, node_of(o))))

    def __rand__(self, o: Any) -> Expr:
        return Expr(BoolOp("and", (node_of(o), self.node)))

    def __or__(self, o: Any) -> Expr:
        return Expr(BoolOp("or", (self.node, node_of(o))))

    def __ror__(self, o: Any) -> Expr:
        return Expr(BoolOp("or", (node_of(o), self.node)))

    def __invert__(self) -> Expr:
        return Expr(Unary("not", self.node))

    # membership and sets
    def is_in(self, collection: Any) -> Expr:
        """``self in collection``."""
        return Expr(Compare("in", self.node, node_of(collection)))

    def not_in(self, collection: Any) -> Expr:
        """``self not in collection``."""
        return Expr(Compare("not in", self.node, node_of(collection)))

    def contains(self, item: Any) -> Expr:
        """``item in self``."""
        return Expr(Compare("in", node_of(item), self.node))

    def union(self, o: Any) -> Expr:
        """Set union."""
        return Expr(BinOp("|", self.node, node_of(o)))

    def intersection(self, o: Any) -> Expr:
        """Set intersection."""
        return Expr(BinOp("&", self.node, node_of(o)))

    def difference(self, o: Any) -> Expr:
        """Set difference."""
        return Expr(BinOp("-", self.node, node_of(o)))

    def __getitem__(self, key: Any) -> Expr:
        return Expr(Index(self.node, node_of(key)))

    def __getattr__(self, name: str) -> Expr:
        if name.startswith("__"):
            raise AttributeError(name)
        return Expr(Attr(self.node, name))

    def __repr__(self) -> str:
        return f"Expr({to_source(self.node)})"


class _CtxBuilder:
    """``ctx.field`` builds a reference to a context field."""

    def __getattr__(self, name: str) -> Expr:
        if name.startswith("__"):
            raise AttributeError(name)
        return Expr(Ctx(name))

    def __getitem__(self, name: str) -> Expr:
        return Expr(Ctx(name))

    def __repr__(self) -> str:
        return "ctx"


class _EventBuilder:
    """``event.field`` is a field of the event's data; ``event.name/.data/.origin`` are reserved."""

    def __getattr__(self, name: str) -> Expr:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in ("name", "data", "origin"):
            return Expr(EventAttr(name))
        return Expr(EventField(name))

    def __getitem__(self, name: str) -> Expr:
        return Expr(EventField(name))

    def __repr__(self) -> str:
        return "event"


ctx: Any = _CtxBuilder()
"""Builder for context fields: ``ctx.retries < 3``."""
event: Any = _EventBuilder()
"""Builder for the current event: ``event.amount``, ``event.name``, ``event.origin``."""


def var(name: str) -> Expr:
    """A variable bound by ``choose``/``foreach``/quantifiers, for use in their bodies."""
    return Expr(Var(name))


def const(value: Any) -> Expr:
    """A constant as an expression (useful to start a builder chain: ``const(1) + ctx.x``)."""
    return Expr(node_of(value))


def and_(*items: Any) -> Expr:
    """Logical conjunction of the items."""
    return Expr(BoolOp("and", tuple(node_of(i) for i in items)))


def or_(*items: Any) -> Expr:
    """Logical disjunction of the items."""
    return Expr(BoolOp("or", tuple(node_of(i) for i in items)))


def not_(item: Any) -> Expr:
    """Logical negation."""
    return Expr(Unary("not", node_of(item)))


def if_else(cond: Any, then: Any, other: Any) -> Expr:
    """``then if cond else other``."""
    return Expr(IfElse(node_of(cond), node_of(then), node_of(other)))


def In(state_id: str) -> Expr:
    """Whether the state with this id is active (SCXML's In predicate)."""
    return Expr(InState(state_id))


def call(fn: str, *args: Any) -> Expr:
    """A call of a built-in function of the language by name (see ``FUNCTIONS``)."""
    if fn not in FUNCTIONS:
        raise ExpressionError(f"unknown function {fn!r}", _functions_hint(fn))
    return Expr(Call(fn, tuple(node_of(a) for a in args)))


def all_of(name: str, domain: Any, body: Callable[[Expr], Any]) -> Expr:
    """``all(body(x) for x in domain)``: universal quantification over a finite domain."""
    return Expr(Quant("all", name, node_of(domain), node_of(body(var(name)))))


def any_of(name: str, domain: Any, body: Callable[[Expr], Any]) -> Expr:
    """``any(body(x) for x in domain)``: existential quantification over a finite domain."""
    return Expr(Quant("any", name, node_of(domain), node_of(body(var(name)))))


def py(fn: Callable[..., Any], label: str | None = None, tla: str | None = None) -> Expr:
    """Wrap a Python callable ``fn(ctx, event)`` as an opaque expression (the escape hatch)."""
    return Expr(PyFunc(fn, label or str(getattr(fn, "__name__", "python")), tla))


