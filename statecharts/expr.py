"""The expression language of guards and actions: a small tree that evaluates, prints and translates.

Expressions are written either in Python with the ``ctx`` / ``event`` builders
(``ctx.retries < 3``) or as strings in the same language (``"ctx.retries < 3"``). Strings
are parsed with :mod:`ast` into this tree under a whitelist and are never ``eval``'d, so a
document from an untrusted source cannot run code. The tree compiles to closures for speed,
prints as a readable label and is translated to TLA+ by ``exporters.tla``.
"""

from __future__ import annotations

import ast
import difflib
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import ExpressionError
from .limits import (
    ExpressionLimitError,
    check_int,
    check_shape,
    check_text,
    check_tree,
    checked_mul,
    checked_pow,
    checked_range,
    expect,
    named,
)
from .values import FrozenMap, canonical_items, canonical_str, freeze

# --------------------------------------------------------------------------- the tree


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


# --------------------------------------------------------------------------- built-in functions


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

_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": checked_mul,
    "//": operator.floordiv,
    "%": operator.mod,
    "|": operator.or_,
    "&": operator.and_,
}
_COMPARES: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
}

# --------------------------------------------------------------------------- builders


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


# --------------------------------------------------------------------------- parsing strings

_AST_BINOPS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.BitOr: "|",
    ast.BitAnd: "&",
}
_AST_COMPARES = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}


def parse(text: str, fields: Iterable[str] = (), bound: Iterable[str] = (), functions: Iterable[str] = ()) -> Node:
    """Parse an expression string into a tree, never evaluating it.

    ``ctx.x`` and ``event.x`` always work; a bare name resolves to a context field when
    ``fields`` lists it (so SCXML's ``x + 1`` reads naturally), or to a bound variable.
    ``functions`` adds names callable besides the built-ins (system predicates use it).
    """
    check_text(text)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise ExpressionError(
            f"cannot parse expression {text!r}: {e.msg}",
            "expressions use Python syntax over ctx.<field>, event.<field> and integers, e.g. 'ctx.retries < 3'",
        ) from None
    except (RecursionError, MemoryError):
        raise ExpressionLimitError(f"expression {text[:40]!r}… nests too deeply to parse", "write it in smaller parts") from None
    check_shape(tree.body, ast.iter_child_nodes, f"expression {text[:40]!r}", slack=3)
    node = _Converter(text, frozenset(fields), frozenset(bound), frozenset(functions)).convert(tree.body)
    check_tree(node)
    return node


class _Converter:
    def __init__(self, text: str, fields: frozenset[str], bound: frozenset[str], functions: frozenset[str] = frozenset()) -> None:
        self.text = text
        self.fields = fields
        self.bound = bound
        self.functions = functions

    def fail(self, what: str, hint: str | None = None) -> ExpressionError:
        return ExpressionError(f"in expression {self.text!r}: {what}", hint)

    def convert(self, n: ast.AST) -> Node:
        method = getattr(self, "_" + type(n).__name__, None)
        if method is None:
            raise self.fail(
                f"{type(n).__name__} is not part of the expression language",
                "use arithmetic, comparisons, and/or/not, x if c else y, literals, the built-in functions, "
                "In(), all()/any() and set comprehensions",
            )
        return method(n)  # type: ignore[no-any-return]

    def _Constant(self, n: ast.Constant) -> Node:
        if isinstance(n.value, float):
            raise self.fail(f"floating-point constant {n.value!r}", _FLOAT_HINT)
        if not isinstance(n.value, (int, str, bool, type(None))):
            raise self.fail(f"constant {n.value!r} is not supported")
        return Const(n.value)

    def _Name(self, n: ast.Name) -> Node:
        if n.id in self.bound:
            return Var(n.id)
        if n.id in self.fields:
            return Ctx(n.id)
        if n.id in ("ctx", "event", "_event"):
            raise self.fail(f"{n.id!r} needs a field: write {n.id}.something")
        known = sorted(self.fields | self.bound)
        hint = f"write ctx.{n.id} for a context field" + (f"; known names: {', '.join(known)}" if known else "")
        raise self.fail(f"unknown name {n.id!r}", hint)

    def _Attribute(self, n: ast.Attribute) -> Node:
        base = n.value
        if isinstance(base, ast.Name) and base.id not in self.bound and base.id not in self.fields:
            if base.id == "ctx":
                return Ctx(n.attr)
            if base.id == "event":
                if n.attr in ("name", "data", "origin"):
                    return EventAttr(n.attr)
                return EventField(n.attr)
            if base.id == "_event":
                if n.attr in ("name", "data", "origin"):
                    return EventAttr(n.attr)
                raise self.fail(f"_event.{n.attr} is not supported (use _event.name or _event.data)")
        if (
            isinstance(base, ast.Attribute)
            and isinstance(base.value, ast.Name)
            and base.value.id == "_event"
            and base.attr == "data"
        ):
            return EventField(n.attr)
        if n.attr.startswith("_"):
            raise self.fail(f"attribute {n.attr!r}: private attributes are not accessible")
        return Attr(self.convert(base), n.attr)

    def _Subscript(self, n: ast.Subscript) -> Node:
        if isinstance(n.slice, ast.Slice):
            raise self.fail("slices are not supported (use head/tail)")
        return Index(self.convert(n.value), self.convert(n.slice))

    def _BinOp(self, n: ast.BinOp) -> Node:
        if isinstance(n.op, ast.Div):
            raise self.fail("'/' is not in the language", _DIV_HINT)
        if isinstance(n.op, ast.Pow):
            return Call("pow", (self.convert(n.left), self.convert(n.right)))
        op = _AST_BINOPS.get(type(n.op))
        if op is None:
            raise self.fail(f"operator {type(n.op).__name__} is not supported")
        return BinOp(op, self.convert(n.left), self.convert(n.right))

    def _BoolOp(self, n: ast.BoolOp) -> Node:
        return BoolOp("and" if isinstance(n.op, ast.And) else "or", tuple(self.convert(v) for v in n.values))

    def _UnaryOp(self, n: ast.UnaryOp) -> Node:
        if isinstance(n.op, ast.Not):
            return Unary("not", self.convert(n.operand))
        if isinstance(n.op, ast.USub):
            inner = self.convert(n.operand)
            if isinstance(inner, Const) and isinstance(inner.value, int):
                return Const(-inner.value)
            return Unary("-", inner)
        if isinstance(n.op, ast.UAdd):
            return self.convert(n.operand)
        raise self.fail(f"operator {type(n.op).__name__} is not supported")

    def _Compare(self, n: ast.Compare) -> Node:
        parts: list[Node] = []
        left = self.convert(n.left)
        for op, right_ast in zip(n.ops, n.comparators):
            name = _AST_COMPARES.get(type(op))
            if name is None:
                raise self.fail(f"comparison {type(op).__name__} is not supported (use == and !=)")
            right = self.convert(right_ast)
            parts.append(Compare(name, left, right))
            left = right
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def _IfExp(self, n: ast.IfExp) -> Node:
        return IfElse(self.convert(n.test), self.convert(n.body), self.convert(n.orelse))

    def _Tuple(self, n: ast.Tuple) -> Node:
        return self._literal(TupleLit(tuple(self.convert(e) for e in n.elts)))

    _List = _Tuple

    def _Set(self, n: ast.Set) -> Node:
        return self._literal(SetLit(tuple(self.convert(e) for e in n.elts)))

    def _Dict(self, n: ast.Dict) -> Node:
        if any(k is None for k in n.keys):
            raise self.fail("'**' in a map literal is not supported")
        keys = tuple(self.convert(k) for k in n.keys if k is not None)
        return self._literal(MapLit(keys, tuple(self.convert(v) for v in n.values)))

    @staticmethod
    def _literal(node: Node) -> Node:
        """Fold a literal of constants into one constant."""
        if isinstance(node, (TupleLit, SetLit)) and all(isinstance(i, Const) for i in node.items):
            vals = [i.value for i in node.items]  # type: ignore[attr-defined]
            return Const(tuple(vals) if isinstance(node, TupleLit) else frozenset(vals))
        if isinstance(node, MapLit) and all(isinstance(i, Const) for i in node.keys + node.values):
            return Const(FrozenMap({k.value: v.value for k, v in zip(node.keys, node.values)}))  # type: ignore[attr-defined]
        return node

    def _Call(self, n: ast.Call) -> Node:
        if n.keywords:
            raise self.fail("keyword arguments are not supported in calls")
        if not isinstance(n.func, ast.Name):
            raise self.fail("only the language's built-in functions can be called")
        name = n.func.id
        if name in ("all", "any") and len(n.args) == 1 and isinstance(n.args[0], ast.GeneratorExp):
            return self._quant(name, n.args[0])
        if name in self.functions:
            return Call(name, tuple(self.convert(a) for a in n.args))
        if name == "In":
            if len(n.args) != 1 or not isinstance(n.args[0], ast.Constant) or not isinstance(n.args[0].value, str):
                raise self.fail("In() takes one state id as a string literal")
            return InState(n.args[0].value)
        if name not in FUNCTIONS:
            raise self.fail(f"unknown function {name!r}", _functions_hint(name, ("In", "all", "any")))
        return Call(name, tuple(self.convert(a) for a in n.args))

    def _quant(self, kind: str, gen: ast.GeneratorExp | ast.SetComp) -> Node:
        if len(gen.generators) != 1 or not isinstance(gen.generators[0].target, ast.Name):
            raise self.fail("a quantifier takes one 'for name in domain' clause")
        comp = gen.generators[0]
        assert isinstance(comp.target, ast.Name)
        name = comp.target.id
        domain = self.convert(comp.iter)
        inner = _Converter(self.text, self.fields, self.bound | {name}, self.functions)
        body = inner.convert(gen.elt)
        cond: Node | None = None
        if comp.ifs:
            conds = tuple(inner.convert(c) for c in comp.ifs)
            cond = conds[0] if len(conds) == 1 else BoolOp("and", conds)
        if cond is not None and kind != "set":
            body = BoolOp("or", (Unary("not", cond), body)) if kind == "all" else BoolOp("and", (cond, body))
            cond = None
        return Quant(kind, name, domain, body, cond)

    def _SetComp(self, n: ast.SetComp) -> Node:
        return self._quant("set", n)


# --------------------------------------------------------------------------- walking


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of a node."""
    if isinstance(node, (Attr,)):
        return (node.obj,)
    if isinstance(node, Index):
        return (node.obj, node.key)
    if isinstance(node, (BinOp, Compare)):
        return (node.left, node.right)
    if isinstance(node, (BoolOp, TupleLit, SetLit)):
        return node.items
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, IfElse):
        return (node.cond, node.then, node.other)
    if isinstance(node, MapLit):
        return node.keys + node.values
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Quant):
        return (node.domain, node.body) + ((node.cond,) if node.cond is not None else ())
    return ()


def walk(node: Node) -> Iterable[Node]:
    """Every node of the tree, parents first."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(children(n)))


def context_fields(node: Node) -> set[str]:
    """The context fields an expression reads."""
    return {n.name for n in walk(node) if isinstance(n, Ctx)}


# --------------------------------------------------------------------------- printing

_PREC = {"or": 1, "and": 2, "not": 3, "cmp": 4, "|": 5, "&": 6, "+": 7, "-": 7, "*": 8, "//": 8, "%": 8, "neg": 9}


def to_source(node: Node, short: bool = False) -> str:
    """Print a tree in the string form of the language (parseable again by ``parse``).

    With ``short``, context fields print without the ``ctx.`` prefix (for diagram labels).
    """
    check_shape(node, children)
    return _Printer(short).p(node, 0)


class _Printer:
    def __init__(self, short: bool) -> None:
        self.short = short

    def p(self, n: Node, outer: int) -> str:
        text, prec = self.q(n)
        return f"({text})" if prec < outer else text

    def q(self, n: Node) -> tuple[str, int]:
        if isinstance(n, Const):
            v = n.value
            if isinstance(v, int) and not isinstance(v, bool) and v < 0:
                return repr(v), _PREC["neg"]  # -3 binds like a unary minus: (-3).x, 2 - -3
            return _const_source(v), 99
        if isinstance(n, Ctx):
            return (n.name if self.short else f"ctx.{n.name}"), 99
        if isinstance(n, EventField):
            return f"event.{n.name}", 99
        if isinstance(n, EventAttr):
            return f"event.{n.attr}", 99
        if isinstance(n, Var):
            return n.name, 99
        if isinstance(n, Attr):
            base = self.p(n.obj, 99)
            if isinstance(n.obj, Const) and isinstance(n.obj.value, int):
                base = f"({base})"  # "3.x" would read as a float literal
            return f"{base}.{n.name}", 99
        if isinstance(n, Index):
            return f"{self.p(n.obj, 99)}[{self.p(n.key, 0)}]", 99
        if isinstance(n, BinOp):
            pr = _PREC[n.op]
            return f"{self.p(n.left, pr)} {n.op} {self.p(n.right, pr + 1)}", pr
        if isinstance(n, Compare):
            pr = _PREC["cmp"]
            return f"{self.p(n.left, pr + 1)} {n.op} {self.p(n.right, pr + 1)}", pr
        if isinstance(n, BoolOp):
            pr = _PREC[n.op]
            return f" {n.op} ".join(self.p(i, pr + 1) for i in n.items), pr
        if isinstance(n, Unary):
            if n.op == "not":
                return f"not {self.p(n.operand, _PREC['not'])}", _PREC["not"]
            return f"-{self.p(n.operand, _PREC['neg'])}", _PREC["neg"]
        if isinstance(n, IfElse):
            return f"{self.p(n.then, 1)} if {self.p(n.cond, 1)} else {self.p(n.other, 0)}", 0
        if isinstance(n, TupleLit):
            inner = ", ".join(self.p(i, 0) for i in n.items)
            return f"({inner},)" if len(n.items) == 1 else f"({inner})", 99
        if isinstance(n, SetLit):
            return "{" + ", ".join(self.p(i, 0) for i in n.items) + "}", 99
        if isinstance(n, MapLit):
            return "{" + ", ".join(f"{self.p(k, 0)}: {self.p(v, 0)}" for k, v in zip(n.keys, n.values)) + "}", 99
        if isinstance(n, Call):
            return f"{n.fn}({', '.join(self.p(a, 0) for a in n.args)})", 99
        if isinstance(n, Quant):
            tail = f" for {n.var} in {self.p(n.domain, 1)}"  # a comprehension's iterable is an or_test
            if n.kind == "set":
                cond = f" if {self.p(n.cond, 1)}" if n.cond is not None else ""
                return "{" + self.p(n.body, 0) + tail + cond + "}", 99
            return f"{n.kind}({self.p(n.body, 0)}{tail})", 99
        if isinstance(n, InState):
            return f"In({n.state!r})", 99
        if isinstance(n, PyFunc):
            return f"{n.label}(…)", 99
        raise TypeError(f"not an expression node: {n!r}")


def _const_source(v: Any) -> str:
    if isinstance(v, frozenset):
        if not v:
            return "set(())"
        return "{" + ", ".join(sorted(_const_source(x) for x in v)) + "}"
    if isinstance(v, tuple):
        inner = ", ".join(_const_source(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if isinstance(v, FrozenMap):
        return "{" + ", ".join(f"{_const_source(k)}: {_const_source(x)}" for k, x in v.items()) + "}"
    return repr(v)


# --------------------------------------------------------------------------- compiling

Evaluator = Callable[[Any, Any, int, dict[str, Any]], Any]
"""A compiled expression: ``f(context, event, configuration_mask, bound_variables)``."""


class ContextView:
    """Read-only attribute view of a context, handed to Python callables (``ctx.n``, ``ctx["n"]``, ``as_dict()``)."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[self._index[name]]
        except KeyError:
            raise AttributeError(f"context has no field {name!r}") from None

    def __getitem__(self, name: str) -> Any:
        return self._values[self._index[name]]

    def as_dict(self) -> dict[str, Any]:
        return {k: self._values[i] for k, i in self._index.items()}

    def __repr__(self) -> str:
        return f"ctx({self.as_dict()!r})"


def compile_expr(
    node: Node,
    field_index: dict[str, int],
    state_mask: Callable[[str], int] | None = None,
) -> Evaluator:
    """Compile a tree to a function; ``field_index`` maps context fields to positions.

    Raises ExpressionError for an unknown context field or state id. The tree is turned
    into the source of one Python lambda and compiled, which runs several times faster
    than nested closures. That source is generated by us from the whitelisted tree: it
    holds only operators, context indices and names bound in a private namespace
    (constants, event field names and functions are passed there, never spelled out), so
    no text from a chart or a document ever reaches the compiler.
    """
    check_shape(node, children)
    gen = _Codegen(field_index, state_mask)
    body = gen.src(node)
    code = compile(f"lambda c, e, g, b: {body}", "<statecharts expression>", "eval")
    return eval(code, gen.namespace)  # type: ignore[no-any-return]


class _Codegen:
    """Generates the Python source of an expression (see ``compile_expr``)."""

    _OPS = {"-": "-", "//": "//", "%": "%", "|": "|", "&": "&"}
    _CMP = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "in": "in", "not in": "not in"}

    def __init__(self, field_index: dict[str, int], state_mask: Callable[[str], int] | None) -> None:
        self.fields = field_index
        self.state_mask = state_mask
        self.namespace: dict[str, Any] = {
            "__builtins__": {"bool": bool, "frozenset": frozenset},
            "_plus": _plus,
            "_mul": checked_mul,
            "_ef": _event_field,
            "_ga": _get_attr,
            "_FM": FrozenMap,
        }
        self.closures = Compiler(field_index, state_mask)

    def bind(self, value: Any) -> str:
        name = f"k{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def src(self, n: Node) -> str:
        if isinstance(n, Const):
            return self.bind(n.value)
        if isinstance(n, Ctx):
            if n.name not in self.fields:
                known = ", ".join(self.fields) or "none declared"
                raise ExpressionError(f"unknown context field {n.name!r} (fields: {known})")
            return f"c[{int(self.fields[n.name])}]"
        if isinstance(n, EventField):
            return f"_ef(e, {self.bind(n.name)})"
        if isinstance(n, EventAttr):
            return {"name": "e.name", "data": "e.data", "origin": "e.origin"}[n.attr]
        if isinstance(n, Var):
            return f"b[{self.bind(n.name)}]"
        if isinstance(n, Attr):
            return f"_ga({self.src(n.obj)}, {self.bind(n.name)})"
        if isinstance(n, Index):
            return f"({self.src(n.obj)})[{self.src(n.key)}]"
        if isinstance(n, BinOp):
            if n.op == "+":
                return f"_plus({self.src(n.left)}, {self.src(n.right)})"
            if n.op == "*":
                return f"_mul({self.src(n.left)}, {self.src(n.right)})"
            return f"({self.src(n.left)} {self._OPS[n.op]} {self.src(n.right)})"
        if isinstance(n, Compare):
            return f"({self.src(n.left)} {self._CMP[n.op]} {self.src(n.right)})"
        if isinstance(n, BoolOp):
            joiner = " and " if n.op == "and" else " or "
            return "(" + joiner.join(f"bool({self.src(i)})" for i in n.items) + ")"
        if isinstance(n, Unary):
            return f"(not {self.src(n.operand)})" if n.op == "not" else f"(-{self.src(n.operand)})"
        if isinstance(n, IfElse):
            return f"({self.src(n.then)} if {self.src(n.cond)} else {self.src(n.other)})"
        if isinstance(n, TupleLit):
            return "(" + "".join(f"{self.src(i)}, " for i in n.items) + ")"
        if isinstance(n, SetLit):
            return "frozenset((" + "".join(f"{self.src(i)}, " for i in n.items) + "))"
        if isinstance(n, MapLit):
            return "_FM({" + ", ".join(f"{self.src(k)}: {self.src(v)}" for k, v in zip(n.keys, n.values)) + "})"
        if isinstance(n, Call):
            if n.fn not in FUNCTIONS:
                raise ExpressionError(f"function {n.fn!r} is not available here")
            fn = self.bind(FUNCTIONS[n.fn])
            return f"{fn}(" + ", ".join(self.src(a) for a in n.args) + ")"
        if isinstance(n, InState):
            if self.state_mask is None:
                raise ExpressionError(f"In({n.state!r}) can only be used inside a chart")
            return f"bool(g & {self.bind(self.state_mask(n.state))})"
        # quantifiers and Python callables: the closure compiler, called from the generated code
        return f"{self.bind(self.closures.c(n))}(c, e, g, b)"


class Compiler:
    """Compiles an expression tree to a closure ``(context, event, globals, bindings) -> value``.

    The public hook for functions a layer above adds: subclass it and override :meth:`c`,
    handling your calls and deferring the rest to ``super().c(n)``; that is how
    ``simulate.properties`` adds the system functions (``in_state``, ``field``, ``in_flight``...).
    """

    def __init__(self, field_index: dict[str, int], state_mask: Callable[[str], int] | None) -> None:
        self.fields = field_index
        self.state_mask = state_mask

    def c(self, n: Node) -> Evaluator:
        """The closure computing ``n`` (raises ExpressionError naming what is unknown)."""
        if isinstance(n, Const):
            v = n.value
            return lambda c, e, g, b: v
        if isinstance(n, Ctx):
            if n.name not in self.fields:
                known = ", ".join(self.fields) or "none declared"
                raise ExpressionError(f"unknown context field {n.name!r} (fields: {known})")
            i = self.fields[n.name]
            return lambda c, e, g, b: c[i]
        if isinstance(n, EventField):
            name = n.name
            return lambda c, e, g, b: _event_field(e, name)
        if isinstance(n, EventAttr):
            if n.attr == "name":
                return lambda c, e, g, b: e.name
            if n.attr == "data":
                return lambda c, e, g, b: e.data
            return lambda c, e, g, b: e.origin
        if isinstance(n, Var):
            name = n.name
            return lambda c, e, g, b: b[name]
        if isinstance(n, Attr):
            f, name = self.c(n.obj), n.name
            return lambda c, e, g, b: _get_attr(f(c, e, g, b), name)
        if isinstance(n, Index):
            f, k = self.c(n.obj), self.c(n.key)
            return lambda c, e, g, b: f(c, e, g, b)[k(c, e, g, b)]
        if isinstance(n, BinOp):
            op = _BINOPS[n.op]
            lf, rf = self.c(n.left), self.c(n.right)
            if n.op == "+":
                return lambda c, e, g, b: _plus(lf(c, e, g, b), rf(c, e, g, b))
            return lambda c, e, g, b: op(lf(c, e, g, b), rf(c, e, g, b))
        if isinstance(n, Compare):
            op = _COMPARES[n.op]
            lf, rf = self.c(n.left), self.c(n.right)
            if n.op == "==":
                return lambda c, e, g, b: lf(c, e, g, b) == rf(c, e, g, b)
            if n.op == "<":
                return lambda c, e, g, b: lf(c, e, g, b) < rf(c, e, g, b)
            return lambda c, e, g, b: op(lf(c, e, g, b), rf(c, e, g, b))
        if isinstance(n, BoolOp):
            fs = tuple(self.c(i) for i in n.items)
            if n.op == "and":
                if len(fs) == 2:
                    f1, f2 = fs
                    return lambda c, e, g, b: bool(f1(c, e, g, b)) and bool(f2(c, e, g, b))
                return lambda c, e, g, b: all(f(c, e, g, b) for f in fs)
            if len(fs) == 2:
                f1, f2 = fs
                return lambda c, e, g, b: bool(f1(c, e, g, b)) or bool(f2(c, e, g, b))
            return lambda c, e, g, b: any(f(c, e, g, b) for f in fs)
        if isinstance(n, Unary):
            f = self.c(n.operand)
            if n.op == "not":
                return lambda c, e, g, b: not f(c, e, g, b)
            return lambda c, e, g, b: -f(c, e, g, b)
        if isinstance(n, IfElse):
            cf, tf, of = self.c(n.cond), self.c(n.then), self.c(n.other)
            return lambda c, e, g, b: tf(c, e, g, b) if cf(c, e, g, b) else of(c, e, g, b)
        if isinstance(n, TupleLit):
            fs = tuple(self.c(i) for i in n.items)
            return lambda c, e, g, b: tuple(f(c, e, g, b) for f in fs)
        if isinstance(n, SetLit):
            fs = tuple(self.c(i) for i in n.items)
            return lambda c, e, g, b: frozenset(f(c, e, g, b) for f in fs)
        if isinstance(n, MapLit):
            pairs = tuple((self.c(k), self.c(v)) for k, v in zip(n.keys, n.values))
            return lambda c, e, g, b: FrozenMap({k(c, e, g, b): v(c, e, g, b) for k, v in pairs})
        if isinstance(n, Call):
            if n.fn not in FUNCTIONS:
                raise ExpressionError(f"function {n.fn!r} is not available here")
            fn = FUNCTIONS[n.fn]
            fs = tuple(self.c(a) for a in n.args)
            if len(fs) == 1:
                (a1,) = fs
                return lambda c, e, g, b: fn(a1(c, e, g, b))
            return lambda c, e, g, b: fn(*(f(c, e, g, b) for f in fs))
        if isinstance(n, Quant):
            return self._quant(n)
        if isinstance(n, InState):
            if self.state_mask is None:
                raise ExpressionError(f"In({n.state!r}) can only be used inside a chart")
            m = self.state_mask(n.state)
            return lambda c, e, g, b: bool(g & m)
        if isinstance(n, PyFunc):
            fn = n.fn
            index = self.fields
            return lambda c, e, g, b: fn(ContextView(c, index), e)
        raise ExpressionError(f"not an expression: {n!r}")

    def _quant(self, n: Quant) -> Evaluator:
        dom, body = self.c(n.domain), self.c(n.body)
        cond = self.c(n.cond) if n.cond is not None else None
        name = n.var

        def items(c: Any, e: Any, g: int, b: dict[str, Any]) -> Iterable[Any]:
            b2 = dict(b)  # one scope per evaluation, rebound per item (the body runs before the next item)
            for x in _domain_values(dom(c, e, g, b)):
                b2[name] = x
                if cond is None or cond(c, e, g, b2):
                    yield body(c, e, g, b2)

        if n.kind == "all":
            return lambda c, e, g, b: all(items(c, e, g, b))
        if n.kind == "any":
            return lambda c, e, g, b: any(items(c, e, g, b))
        return lambda c, e, g, b: frozenset(items(c, e, g, b))


def _domain_values(d: Any) -> Iterable[Any]:
    """Iterate a domain; sets in canonical order (quantifiers over sets are order-free, callables may not be)."""
    if isinstance(d, frozenset):
        return canonical_items(d)
    return d  # type: ignore[no-any-return]


def _event_field(e: Any, name: str) -> Any:
    data = e.data
    try:
        return data[name]
    except (KeyError, TypeError):
        raise KeyError(f"event {e.name!r} has no data field {name!r}") from None


def _get_attr(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj[name]
    raise TypeError(f"cannot read field {name!r} of {type(obj).__name__} value {obj!r}")


def _plus(a: Any, b: Any) -> Any:
    if isinstance(a, str) and not isinstance(b, str):
        return a + canonical_str(b)
    if isinstance(b, str) and not isinstance(a, str):
        return canonical_str(a) + b
    return check_int(a + b, "a sum")


def to_node(value: Any, fields: Iterable[str] = (), bound: Iterable[str] = (), functions: Iterable[str] = ()) -> Node:
    """Any accepted guard/expression form as a node: builder, node, string, callable or constant."""
    if isinstance(value, str):
        return parse(value, fields, bound, functions)
    if callable(value) and not isinstance(value, (Expr, Node)):
        return PyFunc(value, getattr(value, "__name__", "python"))
    try:
        node = node_of(value)
    except RecursionError:
        raise ExpressionLimitError("a constant nests too deeply", "write it in smaller parts") from None
    check_tree(node)
    return node
