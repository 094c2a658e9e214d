"""Parsing expression strings with :mod:`ast` under a whitelist, never ``eval``: bounded by :mod:`statecharts.limits`."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

from ..errors import ExpressionError
from ..limits import (
    ExpressionLimitError,
    check_shape,
    check_text,
    check_tree,
)
from ..values import FrozenMap
from .builders import Expr, node_of
from .functions import _DIV_HINT, _FLOAT_HINT, FUNCTIONS, _functions_hint
from .tree import Attr, BinOp, BoolOp, Call, Compare, Const, Ctx, EventAttr, EventField, IfElse, Index, InState, MapLit, Node, PyFunc, Quant, SetLit, TupleLit, Unary, Var

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
