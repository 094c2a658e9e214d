"""Simple charts (no parallel states, no eventless transitions): one operator per transition, its macrostep."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from statecharts.actions import (
    SELF,
    SENDER,
    Action,
    Assign,
    Cancel,
    Choose,
    Foreach,
    If,
    Log,
    PyAction,
    Send,
    describe,
)
from statecharts.chart import Transition, match_descriptor
from statecharts.engine import CONTENT
from statecharts.expr import (
    Node,
    Var,
)

from .names import _is_ident, _tla_string
from .spec import TlaUnsupported
from .symbols import _Group, _Local, _Part, _Scope, _Sym
from .types import _chooses, _elem


class _SimpleCharts(_Part):
    """Simple charts (no parallel states, no eventless transitions): one operator per transition, its macrostep."""

    # ------------------------------------------------------------------ macrosteps

    def _effect_items(self, g: _Group, t: Transition, leaf: str) -> tuple[list[tuple[Action, frozenset[str]]], str]:
        """The engine's microstep taking t with this active leaf: its actions in order, each with the active set it sees, and the new leaf."""
        step = g.view.microstep(g.view.configuration((leaf,)), (t,))
        return step.actions(), g.view.leaves(step.after)[0]

    def _initial_items(self, g: _Group) -> tuple[list[tuple[Action, frozenset[str]]], str]:
        """The engine's start: the initial actions in order, each with the active set it sees, and the initial leaf."""
        step = g.view.start()
        return step.actions(), g.view.leaves(step.after)[0]

    def _preempting(self, g: _Group, t: Transition) -> list[tuple[Transition, list[str]]]:
        """The transitions the engine tries before t (its priority order), each with the events of t it is tried first for."""
        assert t.source is not None
        first: dict[int, set[str]] = {}
        for lf in g.leaves[t.source.id]:
            cfg = g.view.configuration((lf,))
            for e in g.names[t.index]:
                for candidates in g.view.candidates(cfg, e):
                    for u in itertools.takewhile(lambda u: u is not t, candidates):
                        first.setdefault(u.index, set()).add(e)
        return [(u, [e for e in g.names[t.index] if e in first[u.index]]) for u in g.chart.transitions if u.index in first]

    def _fresh(self, hint: str) -> str:
        return self.names.new(f"{hint}_{next(self.counter)}")

    def _run(self, items: list[tuple[Action, _Scope, str]], sym: _Sym, finish: Any) -> str:
        """Symbolically execute actions (each with its scope and instance key); choose becomes \\E."""
        for pos, (a, sc, key) in enumerate(items):
            if isinstance(a, Choose):
                v = self._fresh(a.var)
                dom, et = self._domain(a.domain, self._sc_now(sc, sym, key))
                inner = sc.bind(a.var, v, et)
                rest = [(b, inner, key) for b in a.body] + items[pos + 1 :]
                body = self._run(rest, _Sym([], sym.locals, sym.out), finish)
                return self._wrap(sym.defs, f"(\\E {v} \\in {dom} : {body})")
            if isinstance(a, If) and _chooses(a):
                # a branch that chooses: one disjunct per branch, each running the rest of the macrostep
                now = self._sc_now(sc, sym, key)
                conds = [self._e(c, now) for c, _ in a.branches]
                arms = []
                for i, branch in enumerate([*(body for _, body in a.branches), a.otherwise]):
                    taken = [f"~{c}" for c in conds[:i]] + conds[i : i + 1]
                    arm = self._run([(b, sc, key) for b in branch] + items[pos + 1 :], self._fork(sym), finish)
                    arms.append("(" + " /\\ ".join([*taken, arm]) + ")")
                return self._wrap(sym.defs, "(" + " \\/ ".join(arms) + ")")
            self._straight(a, sc, key, sym)
        return self._wrap(sym.defs, finish(sym))

    @staticmethod
    def _wrap(defs: list[tuple[str, str]], body: str) -> str:
        if not defs:
            return body
        return "(LET " + " ".join(f"{n} == {e}" for n, e in defs) + " IN " + body + ")"

    def _sc_now(self, sc: _Scope, sym: _Sym, key: str) -> _Scope:
        loc = sym.locals[key]
        return _Scope(sc.group, sc.self_expr, dict(loc.fields), sc.ev, sc.ev_names, sc.active, sc.bound, sc.where, sc.system)

    def _straight(self, a: Action, sc0: _Scope, key: str, sym: _Sym) -> None:
        loc = sym.locals[key]
        sc = self._sc_now(sc0, sym, key)
        g = sc.group
        assert g is not None
        if isinstance(a, Log):
            return
        if isinstance(a, Assign):
            vals = [(f, self._e(n, sc)) for f, n in a.updates]
            for f, text in vals:
                nm = self._fresh(f"{g.name}_{f}")
                sym.defs.append((nm, text))
                loc.fields[f] = nm
            return
        if isinstance(a, PyAction):
            assert a.tla is not None
            rec = self._fresh(f"{a.label}_result")
            sym.defs.append((rec, self._pytla(a.tla, sc)))
            for f in a.writes:
                nm = self._fresh(f"{g.name}_{f}")
                sym.defs.append((nm, f"{rec}.{f}"))
                loc.fields[f] = nm
            return
        if isinstance(a, Cancel):
            if loc.timers is None:
                return
            nm = self._fresh("timers")
            v = self.names.new("t")
            sym.defs.append((nm, f"{{{v} \\in {loc.timers} : {v}.id # {_tla_string(a.send_id)}}}"))
            loc.timers = nm
            return
        if isinstance(a, Send):
            data = self._data(a, sc)
            ev = f"[name |-> {_tla_string(a.event)}, data |-> {data}, from |-> {sc.self_expr}]"
            if a.target == SELF and a.delay is not None:
                if loc.timers is None:
                    raise TlaUnsupported(f"{sc.where}: timer {a.event!r} without timer state")
                nm = self._fresh("timers")
                sid = _tla_string(a.send_id) if a.send_id is not None else self.none_mv
                sym.defs.append((nm, f"({loc.timers} \\cup {{[id |-> {sid}, ev |-> {ev}]}})"))
                loc.timers = nm
                return
            tos = self._send_targets(a, sc)
            d = self._fresh("data")
            sym.defs.append((d, data))
            recs = [f"[to |-> {to}, from |-> {sc.self_expr}, name |-> {_tla_string(a.event)}, data |-> {d}]" for to in tos]
            sym.out.append("<<" + ", ".join(recs) + ">>")
            return
        if isinstance(a, Foreach):
            sym.out.append(self._foreach(a, sc))
            return
        if isinstance(a, If):
            conds = [self._e(c, sc) for c, _ in a.branches]
            bodies = [body for _, body in a.branches] + [a.otherwise]
            results: list[_Sym] = []
            for body in bodies:
                sub = _Sym(sym.defs, {k: _Local(dict(v.fields), v.leaf, v.timers) for k, v in sym.locals.items()}, [])
                for b in body:
                    self._straight(b, sc0, key, sub)
                results.append(sub)
            for f in g.chart.context:
                branch_vals = [r.locals[key].fields[f] for r in results]
                if all(v == loc.fields[f] for v in branch_vals):
                    continue
                nm = self._fresh(f"{g.name}_{f}")
                sym.defs.append((nm, self._ifchain(conds, branch_vals)))
                loc.fields[f] = nm
            tvals = [r.locals[key].timers for r in results]
            if loc.timers is not None and any(v != loc.timers for v in tvals):
                nm = self._fresh("timers")
                sym.defs.append((nm, self._ifchain(conds, [v or "{}" for v in tvals])))
                loc.timers = nm
            outs = [" \\o ".join(r.out) if r.out else "<<>>" for r in results]
            if any(r.out for r in results):
                nm = self._fresh("out")
                sym.defs.append((nm, self._ifchain(conds, outs)))
                sym.out.append(nm)
            return
        raise TlaUnsupported(f"{sc.where}: action {describe(a)!r} is not translated")

    def _foreach(self, a: Foreach, sc: _Scope) -> str:
        """The messages a send-only foreach puts in the outbox, as one TLA+ sequence."""
        where = f"{sc.where}: {describe(a)!r}"
        arr_t = self._ty(a.array, sc)
        kind = self._coll_kind(a.array, sc, ("seq", "set"))
        arr = self._e(a.array, sc)
        v, k, sq = self._fresh(a.item), self._fresh("k"), self._fresh("items")
        inner = sc.bind(a.item, v, _elem(arr_t))
        if a.index:
            inner = inner.bind(a.index, f"({k} - 1)", "int")
        sends = [b for b in a.body if isinstance(b, Send)]
        if kind == "set" and self.net_kind == "fifo" and not all(isinstance(b.target, Var) and b.target.name == a.item for b in sends):
            raise TlaUnsupported(
                f"{where}: over a set on a FIFO network the messages go out in the canonical value order, which the translation's SetToSeq does not follow; "
                "send to the loop variable or iterate a sequence"
            )
        recs: list[str] = []
        for b in sends:
            data = self._data(b, inner)
            for to in self._send_targets(b, inner):
                recs.append(f"[to |-> {to}, from |-> {sc.self_expr}, name |-> {_tla_string(b.event)}, data |-> {data}]")
        seq = arr if kind == "seq" else f"SetToSeq({arr})"
        return f"(LET {sq} == {seq} IN FlattenSeq([{k} \\in 1..Len({sq}) |-> LET {v} == {sq}[{k}] IN <<{', '.join(recs)}>>]))"

    @staticmethod
    def _ifchain(conds: list[str], vals: list[str]) -> str:
        text = vals[-1]
        for c, v in zip(conds[::-1], vals[-2::-1]):
            text = f"(IF {c} THEN {v} ELSE {text})"
        return text

    def _data(self, a: Send, sc: _Scope) -> str:
        if not a.data:
            return "<<>>"
        if len(a.data) == 1 and a.data[0][0] == CONTENT:
            return self._e(a.data[0][1], sc)
        if all(_is_ident(k) for k, _ in a.data):
            return "[" + ", ".join(f"{k} |-> {self._e(v, sc)}" for k, v in a.data) + "]"
        return "(" + " @@ ".join(f"({_tla_string(k)} :> {self._e(v, sc)})" for k, v in a.data) + ")"

    def _send_targets(self, a: Send, sc: _Scope) -> list[str]:
        where = f"{sc.where}: {describe(a)!r}"
        if isinstance(a.target, Node):
            return [self._e(a.target, sc)]
        if a.target == SENDER:
            assert sc.ev is not None
            return [f"{sc.ev}.from"]
        if a.target == SELF:
            return [sc.self_expr]
        if a.index is not None:
            g = self.group_by_name.get(a.target)
            if g is None:
                raise TlaUnsupported(f"{where}: send_to an unknown group")
            return [f"{g.list_op}[({self._e(a.index, sc)}) + 1]"]
        if a.broadcast and a.target in self.group_by_name:
            return list(self.group_by_name[a.target].mvs)
        if a.target in self.inst_mv:
            return [self.inst_mv[a.target]]
        g = self.group_by_name.get(a.target)
        if g is not None and len(g.mvs) == 1:
            return [g.mvs[0]]
        raise TlaUnsupported(f"{where}: send to group {a.target!r} without an index (use send_to or broadcast)")

    # ------------------------------------------------------------------ per group operators

    def _matching(self, t: Transition) -> list[str]:
        return [e for e in self.universe if any(match_descriptor(d, e) for d in t.events)]

    def _group_operators(self, g: _Group) -> None:
        ch = g.chart
        for t in ch.transitions:
            g.names[t.index] = self._matching(t)
        guards: dict[int, str] = {}
        for t in ch.transitions:
            names = tuple(g.names[t.index])
            where = f"actor {g.name!r}, guard of transition {t.describe()}"
            sc = self._scope(g, "self", {f: g.acc(v, "self") for f, v in g.field_vars.items()}, "ev", names, None, where)
            guards[t.index] = self._e(t.guard, sc) if t.guard is not None else "TRUE"
        leaf = g.acc(g.state_var, "self")

        def enabled(t: Transition, names: Sequence[str] | None = None) -> str:
            assert t.source is not None
            ns = g.names[t.index] if names is None else names
            parts = [self._in_leaves(g, leaf, g.leaves[t.source.id]), f"ev.name \\in {self._str_set(ns)}"]
            if guards[t.index] != "TRUE":
                parts.append(guards[t.index])
            return "(" + " /\\ ".join(parts) + ")"

        # Selected(self, ev): some transition is selected for ev
        g.selected_op = self.names.new(f"{g.name}_Selected")
        sel = [enabled(t) for t in ch.transitions if g.names[t.index]]
        self.defs.append(f"{g.selected_op}(self, ev) ==\n    " + ("\\/ " + "\n    \\/ ".join(sel) if sel else "FALSE"))
        if g.general:
            self._general_operators(g)
            return
        for t in ch.transitions:
            if not g.names[t.index]:
                continue
            assert t.source is not None
            src = t.source
            ev_desc = t.events[0] if t.events else "always"
            tgt = f"_to_{t.targets[0]}" if t.targets else ""
            op = self.names.new(f"{g.name}_{src.id}_{ev_desc}{tgt}")
            g.trans_ops[t.index] = op
            # preemption: transitions the engine tries before t (its priority order)
            higher = [f"~{enabled(u, common)}" for u, common in self._preempting(g, t)]
            # effects per leaf
            leaves = g.leaves[src.id]
            arms = []
            by_effect: dict[str, list[str]] = {}
            for lf in leaves:
                items, new_leaf = self._effect_items(g, t, lf)
                where = f"actor {g.name!r}, transition {t.describe()}"
                scope = self._scope(g, "self", {}, "ev", tuple(g.names[t.index]), None, where)
                locals_ = {"self": _Local({f: g.acc(v, "self") for f, v in g.field_vars.items()}, lf, "tmr0" if g.timers_var else None)}
                sym = _Sym([], locals_, [])
                run_items = [(a, _Scope(g, "self", {}, "ev", scope.ev_names, act, {}, where), "self") for a, act in items]
                body = self._run(run_items, sym, lambda s, nl=new_leaf: self._finish_local(g, s, "self", nl))
                by_effect.setdefault(body, []).append(lf)
            for body, lfs in by_effect.items():
                arms.append(f"({leaf} \\in {self._str_set(lfs)} /\\ {body})")
            parts = [f"ev.name \\in {self._str_set(g.names[t.index])}"]
            if guards[t.index] != "TRUE":
                parts.append(guards[t.index])
            parts.extend(higher)
            parts.append("(" + " \\/ ".join(arms) + ")" if len(arms) > 1 else arms[0])
            self.defs.append(
                f"\\* {g.name}: {t.describe()}\n{op}(self, ev, net0, tmr0) ==\n    /\\ " + "\n    /\\ ".join(parts)
            )
            g.step_ops.append((op, g.names[t.index], t.describe()))

