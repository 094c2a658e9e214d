"""Values and expressions: the expression language rendered as TLA+ over a symbolic state."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from simulate.properties import SYSTEM_FUNCTIONS
from statecharts.expr import (
    Attr,
    BinOp,
    BoolOp,
    Call,
    Compare,
    Const,
    Ctx,
    EventAttr,
    EventField,
    IfElse,
    Index,
    InState,
    MapLit,
    Node,
    PyFunc,
    Quant,
    SetLit,
    TupleLit,
    Unary,
    Var,
    to_source,
)
from statecharts.values import FrozenMap

from .names import _is_ident, _tla_string
from .spec import ENV, TlaUnsupported
from .symbols import _Group, _Part, _Scope
from .types import ANY, Ty, _coll, _elem, _iter_elem, _join, _kind, _positions, _type_of_value, _unpositioned


class _Expressions(_Part):
    """Values and expressions: the expression language rendered as TLA+ over a symbolic state."""

    # ------------------------------------------------------------------ values

    def _value(self, v: Any, where: str) -> str:
        if isinstance(v, bool):
            return "TRUE" if v else "FALSE"
        if isinstance(v, int):
            return str(v) if v >= 0 else f"({v})"
        if isinstance(v, str):
            if v in self.inst_mv:
                return self.inst_mv[v]
            return _tla_string(v)
        if v is None:
            return self.none_mv
        if isinstance(v, tuple):
            return "<<" + ", ".join(self._value(x, where) for x in v) + ">>"
        if isinstance(v, frozenset):
            return "{" + ", ".join(sorted(self._value(x, where) for x in v)) + "}"
        if isinstance(v, FrozenMap):
            if not v:
                return "<<>>"
            if all(_is_ident(k) for k in v):
                return "[" + ", ".join(f"{k} |-> {self._value(x, where)}" for k, x in v.items()) + "]"
            return "(" + " @@ ".join(f"({self._value(k, where)} :> {self._value(x, where)})" for k, x in v.items()) + ")"
        raise TlaUnsupported(f"{where}: value {v!r} of type {type(v).__name__} has no TLA+ rendering")

    # ------------------------------------------------------------------ expressions

    def _scope(
        self, g: _Group | None, self_expr: str, fields: dict[str, str], ev: str | None, ev_names: tuple[str, ...], active: frozenset[str] | None, where: str
    ) -> _Scope:
        return _Scope(g, self_expr, fields, ev, ev_names, active, {}, where)

    def _fail(self, sc: _Scope, node: Node, why: str) -> TlaUnsupported:
        return TlaUnsupported(f"{sc.where}: expression {to_source(node)!r}: {why}")

    def _ty(self, n: Node, sc: _Scope) -> Ty:
        if isinstance(n, Const):
            return _type_of_value(n.value)
        if isinstance(n, Ctx):
            if sc.group is None:
                return ANY
            return self.field_types.get((sc.group.name, n.name), ANY)
        if isinstance(n, EventField):
            return _join(self.event_types.get((e, n.name), ANY) for e in sc.ev_names) if sc.ev_names else ANY
        if isinstance(n, EventAttr):
            return "str" if n.attr in ("name", "origin") else ANY
        if isinstance(n, Var):
            return sc.bound[n.name][1] if n.name in sc.bound else ANY
        if isinstance(n, Index):
            t = self._ty(n.obj, sc)
            pos = _positions(t)
            key = n.key.value if isinstance(n.key, Const) else None
            if pos is not None and type(key) is int and -len(pos) <= key < len(pos):
                return pos[key]
            return _elem(t) if _kind(t) in ("seq", "map") else ANY
        if isinstance(n, BinOp):
            lt, rt = self._ty(n.left, sc), self._ty(n.right, sc)
            kinds = {_kind(lt), _kind(rt)}
            if n.op in ("|", "&"):
                return _join([lt, rt]) if "set" in kinds else ANY
            if n.op == "-":
                return _join([lt, rt]) if "set" in kinds else "int" if "int" in kinds else ANY
            if n.op == "+":
                for k in ("int", "seq", "str"):
                    if k in kinds:
                        return _join([lt, rt]) if k == "seq" else k
                return ANY
            return "int"
        if isinstance(n, (Compare, BoolOp, InState)):
            return "bool"
        if isinstance(n, Unary):
            return "bool" if n.op == "not" else "int"
        if isinstance(n, IfElse):
            return _join([self._ty(n.then, sc), self._ty(n.other, sc)])
        if isinstance(n, TupleLit):
            items = tuple(self._ty(x, sc) for x in n.items)
            return _coll("seq", _join(items), items)
        if isinstance(n, SetLit):
            return _coll("set", _join(self._ty(x, sc) for x in n.items))
        if isinstance(n, MapLit):
            return _coll("map", _join(self._ty(x, sc) for x in n.values))
        if isinstance(n, Call):
            return self._call_ty(n, sc)
        if isinstance(n, Quant):
            if n.kind == "set":
                dom = self._ty(n.domain, sc)
                inner = sc.bind(n.var, "x", _elem(dom) if _kind(dom) in ("set", "seq") else ANY)
                return _coll("set", self._ty(n.body, inner))
            return "bool"
        return ANY

    def _call_ty(self, n: Call, sc: _Scope) -> Ty:
        fn = n.fn
        args = [self._ty(a, sc) for a in n.args]
        if fn in ("len", "abs", "pow", "sum", "in_flight"):
            return "int"
        if fn in ("In", "is_final"):
            return "bool"
        if fn == "str":
            return "str"
        if fn in ("min", "max"):
            if len(args) == 1:
                return _iter_elem(args[0])
            return _join(args)
        if fn == "append":
            return _coll("seq", _join([_elem(args[0]), args[1]]))
        if fn == "put":
            return _coll("map", _join([_elem(args[0]), args[2]]) if len(args) == 3 else ANY)
        if fn in ("remove", "tail"):
            return _unpositioned(args[0])
        if fn == "add":
            return _coll("set", _join([_elem(args[0]), args[1]]))
        if fn == "head":
            return (_positions(args[0]) or (_elem(args[0]),))[0]
        if fn == "range":
            return _coll("seq", "int")
        if fn == "keys":
            return _coll("set")
        if fn == "set":
            return _coll("set", _iter_elem(args[0]) if args else ANY)
        if fn == "tuple":
            return _coll("seq", _iter_elem(args[0]) if args else ANY)
        if fn == "instances":
            return _coll("set", "str")
        if fn == "field" and sc.system and len(n.args) == 2 and isinstance(n.args[1], Const):
            f = n.args[1].value
            try:
                gs = self._actor_groups(n.args[0], sc)
            except TlaUnsupported:
                return ANY
            return _join(self.field_types.get((g.name, f), ANY) for g, _ in gs if f in g.chart.context)
        return ANY

    def _coll_kind(self, n: Node, sc: _Scope, allowed: Sequence[str] = ("set", "seq", "map")) -> str:
        k = _kind(self._ty(n, sc))
        if k not in allowed:
            raise self._fail(
                sc, n, f"cannot tell whether it is a {' or a '.join(allowed)} (its type is {k}); give the field a non-empty initial value of that type"
            )
        return k

    def _domain(self, n: Node, sc: _Scope) -> tuple[str, str]:
        """A quantifier/choose domain as a TLA+ set, and its element type."""
        if isinstance(n, Call) and n.fn == "range":
            args = [self._e(a, sc) for a in n.args]
            if len(args) == 1:
                return f"(0..({args[0]} - 1))", "int"
            return f"(({args[0]})..({args[1]} - 1))", "int"
        t = self._ty(n, sc)
        k = self._coll_kind(n, sc)
        text = self._e(n, sc)
        if k == "set":
            return text, _elem(t)
        if k == "seq":
            return f"Range({text})", _elem(t)
        return f"DOMAIN {text}", ANY

    def _e(self, n: Node, sc: _Scope) -> str:
        """Translate an expression node to TLA+ text (always safe to embed: parenthesized when compound)."""
        if isinstance(n, Const):
            return self._value(n.value, sc.where)
        if isinstance(n, Ctx):
            if sc.system or n.name not in sc.fields:
                raise self._fail(sc, n, "unknown context field")
            return sc.fields[n.name]
        if isinstance(n, EventField):
            if sc.ev is None:
                raise self._fail(sc, n, "no event here")
            return f"{sc.ev}.data.{n.name}" if _is_ident(n.name) else f'{sc.ev}.data["{n.name}"]'
        if isinstance(n, EventAttr):
            if sc.ev is None:
                raise self._fail(sc, n, "no event here")
            return {"name": f"{sc.ev}.name", "data": f"{sc.ev}.data", "origin": f"{sc.ev}.from"}[n.attr]
        if isinstance(n, Var):
            if n.name not in sc.bound:
                raise self._fail(sc, n, "unbound variable")
            return sc.bound[n.name][0]
        if isinstance(n, Attr):
            obj = self._e(n.obj, sc)
            return f"{obj}.{n.name}" if _is_ident(n.name) else f"{obj}[{_tla_string(n.name)}]"
        if isinstance(n, Index):
            k = self._coll_kind(n.obj, sc, ("seq", "map"))
            obj, key = self._e(n.obj, sc), self._e(n.key, sc)
            if k == "seq":
                if isinstance(n.key, Const) and isinstance(n.key.value, int) and n.key.value < 0:
                    return f"{obj}[Len({obj}) + 1 - {-n.key.value}]"
                return f"{obj}[({key}) + 1]"
            return f"{obj}[{key}]"
        if isinstance(n, BinOp):
            return self._binop(n, sc)
        if isinstance(n, Compare):
            return self._compare(n, sc)
        if isinstance(n, BoolOp):
            op = " /\\ " if n.op == "and" else " \\/ "
            return "(" + op.join(self._e(i, sc) for i in n.items) + ")"
        if isinstance(n, Unary):
            if n.op == "not":
                return f"(~{self._e(n.operand, sc)})"
            return f"(-{self._e(n.operand, sc)})"
        if isinstance(n, IfElse):
            return f"(IF {self._e(n.cond, sc)} THEN {self._e(n.then, sc)} ELSE {self._e(n.other, sc)})"
        if isinstance(n, TupleLit):
            return "<<" + ", ".join(self._e(i, sc) for i in n.items) + ">>"
        if isinstance(n, SetLit):
            return "{" + ", ".join(self._e(i, sc) for i in n.items) + "}"
        if isinstance(n, MapLit):
            if not n.keys:
                return "<<>>"
            if all(isinstance(k, Const) and _is_ident(k.value) for k in n.keys):
                return "[" + ", ".join(f"{k.value} |-> {self._e(v, sc)}" for k, v in zip(n.keys, n.values)) + "]"  # type: ignore[attr-defined]
            return "(" + " @@ ".join(f"({self._e(k, sc)} :> {self._e(v, sc)})" for k, v in zip(n.keys, n.values)) + ")"
        if isinstance(n, Call):
            return self._call(n, sc)
        if isinstance(n, Quant):
            v = self.names.new(f"q_{n.var}")
            dom, et = self._domain(n.domain, sc)
            inner = sc.bind(n.var, v, et)
            body = self._e(n.body, inner)
            if n.kind == "all":
                return f"(\\A {v} \\in {dom} : {body})"
            if n.kind == "any":
                return f"(\\E {v} \\in {dom} : {body})"
            if n.cond is not None:
                dom = f"{{{v} \\in {dom} : {self._e(n.cond, inner)}}}"
            return f"{{{body} : {v} \\in {dom}}}"
        if isinstance(n, InState):
            if sc.system or sc.group is None:
                raise self._fail(sc, n, "In() with one argument only works inside a chart")
            if sc.active is not None:
                return "TRUE" if n.state in sc.active else "FALSE"
            leaf = sc.group.acc(sc.group.state_var, sc.self_expr)
            return f"({self._in_leaves(sc.group, leaf, sc.group.leaves[n.state])})"
        if isinstance(n, PyFunc):
            if n.tla is None:
                raise self._fail(sc, n, f"Python callable {n.label!r} has no tla= rendering")
            return self._pytla(n.tla, sc)
        raise self._fail(sc, n, "not translatable")

    def _pytla(self, text: str, sc: _Scope) -> str:
        binds = [f"{f} == {v}" for f, v in sc.fields.items() if re.search(rf"\b{re.escape(f)}\b", text)]
        if not binds:
            return f"({text})"
        return f"(LET {' '.join(binds)} IN {text})"

    def _in_leaves(self, g: _Group, acc: str, leaves: Sequence[str]) -> str:
        """The state variable (read as ``acc``) has an active leaf among ``leaves``."""
        if g.par:
            return f"{acc} \\cap {self._str_set(leaves)} # {{}}"
        return f"{acc} \\in {self._str_set(leaves)}"

    def _str_set(self, items: Iterable[str]) -> str:
        return "{" + ", ".join(_tla_string(x) for x in items) + "}"

    def _binop(self, n: BinOp, sc: _Scope) -> str:
        lt, rt = _kind(self._ty(n.left, sc)), _kind(self._ty(n.right, sc))
        kinds = {lt, rt}
        a, b = self._e(n.left, sc), self._e(n.right, sc)
        if n.op in ("|", "&"):
            if "set" not in kinds:
                raise self._fail(sc, n, f"'{n.op}' is translated only on sets")
            op = "\\cup" if n.op == "|" else "\\cap"
            return f"({a} {op} {b})"
        if n.op == "-":
            if "set" in kinds:
                return f"({a} \\ {b})"
            if kinds <= {"int", ANY}:
                return f"({a} - {b})"  # unknown types: TLC fails loudly if they are not integers
            raise self._fail(sc, n, "cannot tell whether '-' is on numbers or sets")
        if n.op == "+":
            if "int" in kinds:
                if kinds & {"str", "seq"}:
                    raise self._fail(sc, n, "'+' of a number and a string/sequence is not translated")
                return f"({a} + {b})"
            if "seq" in kinds:
                return f"({a} \\o {b})"
            if kinds == {"str"}:
                return f"({a} \\o {b})"
            if kinds == {ANY}:
                return f"({a} + {b})"  # unknown types: TLC fails loudly if they are not integers
            raise self._fail(sc, n, "cannot tell whether '+' is on numbers, strings or sequences")
        if n.op == "*":
            return f"({a} * {b})"
        if n.op == "//":
            return f"({a} \\div {b})"
        if n.op == "%":
            return f"({a} % {b})"
        raise self._fail(sc, n, f"operator {n.op!r}")

    def _compare(self, n: Compare, sc: _Scope) -> str:
        a, b = self._e(n.left, sc), self._e(n.right, sc)
        if n.op == "==":
            return f"({a} = {b})"
        if n.op == "!=":
            return f"({a} # {b})"
        if n.op in ("<", "<=", ">", ">="):
            lt, rt = _kind(self._ty(n.left, sc)), _kind(self._ty(n.right, sc))
            if {lt, rt} - {"int", ANY}:
                raise self._fail(sc, n, f"'{n.op}' is translated only on integers")  # unknown types: TLC fails loudly on non-integers
            op = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}[n.op]
            return f"({a} {op} {b})"
        k = self._coll_kind(n.right, sc, ("set", "seq", "map"))
        if k == "set":
            test = f"({a} \\in {b})"
        elif k == "seq":
            test = f"({a} \\in Range({b}))"
        else:
            test = f"({a} \\in DOMAIN {b})"
        return test if n.op == "in" else f"(~{test})"

    def _call(self, n: Call, sc: _Scope) -> str:
        fn, args = n.fn, n.args
        if sc.system and fn in SYSTEM_FUNCTIONS:
            return self._sys_call(n, sc)
        e = [self._e(a, sc) for a in args]
        if fn == "len":
            k = self._coll_kind(args[0], sc, ("set", "seq", "map", "str"))
            return {"set": f"Cardinality({e[0]})", "seq": f"Len({e[0]})", "map": f"Cardinality(DOMAIN {e[0]})", "str": f"Len({e[0]})"}[k]
        if fn in ("min", "max"):
            if len(e) == 2:
                op = "<=" if fn == "min" else ">="
                return f"(IF {e[0]} {op} {e[1]} THEN {e[0]} ELSE {e[1]})"
            if len(e) == 1:
                dom, _ = self._domain(args[0], sc)
                return f"{'MinOf' if fn == 'min' else 'MaxOf'}({dom})"
        if fn == "abs":
            return f"(IF {e[0]} < 0 THEN -{e[0]} ELSE {e[0]})"
        if fn == "pow":
            return f"({e[0]} ^ {e[1]})"
        if fn == "append":
            return f"Append({e[0]}, {e[1]})"
        if fn == "put":
            return f"(({e[1]} :> {e[2]}) @@ {e[0]})"
        if fn == "remove":
            k = self._coll_kind(args[0], sc)
            if k == "set":
                return f"({e[0]} \\ {{{e[1]}}})"
            if k == "seq":
                return f"Remove({e[0]}, {e[1]})"
            v = self.names.new("k")
            return f"[{v} \\in DOMAIN {e[0]} \\ {{{e[1]}}} |-> {e[0]}[{v}]]"
        if fn == "add":
            return f"({e[0]} \\cup {{{e[1]}}})"
        if fn == "head":
            return f"Head({e[0]})"
        if fn == "tail":  # total, as in Python (the tail of an empty sequence is empty); TLA+'s Tail is not
            v = self.names.new("s")
            return f"(LET {v} == {e[0]} IN SubSeq({v}, 2, Len({v})))"
        if fn == "range":
            lo, hi = ("0", e[0]) if len(e) == 1 else (e[0], e[1])
            v = self.names.new("k")
            return f"[{v} \\in 1..({hi} - {lo}) |-> {lo} + {v} - 1]"
        if fn == "keys":
            return f"DOMAIN {e[0]}"
        if fn == "set":
            if not e:
                return "{}"
            dom, _ = self._domain(args[0], sc)
            return dom
        if fn == "tuple":
            if not e:
                return "<<>>"
            if self._coll_kind(args[0], sc, ("seq", "set")) == "seq":
                return e[0]
            raise self._fail(sc, n, "tuple() of a set lists it in the canonical value order, which the translation does not follow; keep a sequence instead")
        if fn == "sum":
            k = self._coll_kind(args[0], sc, ("seq", "set"))
            return f"SumSeq({e[0]})" if k == "seq" else f"SumOver([q \\in {e[0]} |-> q], {e[0]})"
        raise self._fail(sc, n, f"function {fn!r} is not translated")

    # -- system predicates

    def _actor_groups(self, node: Node, sc: _Scope) -> list[tuple[_Group, str | None]]:
        """The groups an actor argument may belong to, with the fixed instance model value when constant."""
        if isinstance(node, Const) and isinstance(node.value, str):
            nm = node.value
            if nm not in self.inst_mv or nm == ENV:
                raise self._fail(sc, node, f"unknown actor {nm!r}")
            i = self.inst_names.index(nm)
            g = next(g for g in self.groups if i in g.instances)
            return [(g, self.inst_mv[nm])]
        return [(g, None) for g in self.groups]

    def _sys_call(self, n: Call, sc: _Scope) -> str:
        fn, args = n.fn, n.args
        if fn == "instances":
            if not args or not isinstance(args[0], Const) or args[0].value not in self.group_by_name:
                raise self._fail(sc, n, "instances() takes a group name")
            return self.group_by_name[args[0].value].set_op
        if fn == "in_flight":
            ev_name = args[0].value if args and isinstance(args[0], Const) else None
            to = args[1].value if len(args) > 1 and isinstance(args[1], Const) else None
            conds = []
            if ev_name is not None:
                conds.append(f"m.name = {_tla_string(ev_name)}")
            if to is not None:
                conds.append(f"m.to = {self.inst_mv[to]}")
            return self._count(" /\\ ".join(conds) or "TRUE")
        who = args[0]
        gs = self._actor_groups(who, sc)
        a = self._e(who, sc)
        parts = []
        if fn == "is_final":
            for g, mv in gs:
                finals = [s.id for s in g.chart.root.children if s.kind == "final"]
                test = self._in_leaves(g, g.acc(g.state_var, a), finals)
                parts.append(test if mv else f"({a} \\in {g.set_op} /\\ {test})")
            return "(" + " \\/ ".join(parts or ["FALSE"]) + ")"
        if len(args) != 2 or not isinstance(args[1], Const) or not isinstance(args[1].value, str):
            raise self._fail(sc, n, f"{fn}() takes an actor and a name")
        what = args[1].value
        if fn == "In":
            for g, mv in gs:
                if what not in g.leaves:
                    continue
                test = self._in_leaves(g, g.acc(g.state_var, a), g.leaves[what])
                parts.append(f"({test})" if mv else f"({a} \\in {g.set_op} /\\ {test})")
            return "(" + " \\/ ".join(parts or ["FALSE"]) + ")"
        # field
        cands = [(g, mv) for g, mv in gs if what in g.field_vars]
        if not cands:
            raise self._fail(sc, n, f"no actor has a field {what!r}")
        if len(cands) == 1 and cands[0][1] is not None:
            g = cands[0][0]
            return g.acc(g.field_vars[what], a)
        arms = [f"{a} \\in {g.set_op} -> {g.acc(g.field_vars[what], a)}" for g, _ in cands]
        return "(CASE " + " [] ".join(arms) + ")"

    def _count(self, cond: str) -> str:
        """Number of in-flight messages ``m`` satisfying cond."""
        if self.net_kind == "unordered-duplicating":
            return f"Cardinality({{m \\in net : {cond}}})"
        if self.net_kind == "unordered":
            return f"SumOver(net, {{m \\in DOMAIN net : {cond}}})"
        return f"Cardinality({{p \\in UNION {{{{<<c, k>> : k \\in 1..Len(net[c])}} : c \\in DOMAIN net}} : LET m == net[p[1]][p[2]] IN {cond}}})"

