"""Printing a tree back as readable source (labels, error messages, reports)."""

from __future__ import annotations

from typing import Any

from ..limits import (
    check_shape,
)
from ..values import FrozenMap
from .tree import Attr, BinOp, BoolOp, Call, Compare, Const, Ctx, EventAttr, EventField, IfElse, Index, InState, MapLit, Node, PyFunc, Quant, SetLit, TupleLit, Unary, Var
from .walking import children

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


