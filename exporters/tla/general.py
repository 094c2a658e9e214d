"""General charts (parallel states, eventless transitions): the engine's own selection and plans, per configuration and event."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from statecharts.actions import (
    Action,
)
from statecharts.chart import Transition
from statecharts.engine import Microstep

from .names import _tla_string
from .spec import TlaUnsupported
from .symbols import _Group, _Local, _Part, _Scope, _Sym


class _GeneralCharts(_Part):
    """General charts (parallel states, eventless transitions): the engine's own selection and plans, per configuration and event."""

    # ------------------------------------------------------------------ general macrosteps (parallel states, eventless transitions)

    def _cfg_ids(self, g: _Group, cfg: int) -> frozenset[str]:
        return frozenset(g.view.states(cfg))

    def _cfg_value(self, g: _Group, cfg: int) -> str:
        leaves = g.view.leaves(cfg)
        if g.par:
            return self._str_set(leaves)
        assert len(leaves) == 1
        return _tla_string(leaves[0])

    def _plan_items(self, g: _Group, cfg: int, selected: tuple[Transition, ...]) -> tuple[list[tuple[Action, frozenset[str]]], int, bool]:
        """The engine's microstep taking ``selected`` in ``cfg``: its actions in order (exits, transitions, entries), the new configuration, whether it stops."""
        return self._items_of(g, g.view.microstep(cfg, selected))

    @staticmethod
    def _items_of(g: _Group, step: Microstep) -> tuple[list[tuple[Action, frozenset[str]]], int, bool]:
        if step.history_saved:
            raise TlaUnsupported(f"actor {g.name!r}: history is not translated")
        return step.actions(), step.after, step.stops

    def _select_combos(self, g: _Group, cfg: int, name: str | None) -> list[tuple[Transition, ...]]:
        """The engine's candidates, one tuple per active atomic state (document order), each in its priority order."""
        return list(g.view.candidates(cfg, name))

    def _resolve(self, g: _Group, cfg: int, enabled: list[Transition]) -> tuple[Transition, ...]:
        return g.view.resolve(cfg, enabled)

    def _static_succ(self, g: _Group, cfg: int, name: str | None, path: tuple[int, ...]) -> set[int]:
        """Configurations a macrostep may end in, guards ignored; rejects eventless chains that can repeat."""
        out: set[int] = set()
        lists = self._select_combos(g, cfg, name)
        if not lists:
            return {cfg} if name is None else out
        for combo in itertools.product(*[[*lst, None] for lst in lists]):
            enabled: list[Transition] = []
            for t in combo:
                if t is not None and t not in enabled:
                    enabled.append(t)
            if not enabled:
                if name is None:
                    out.add(cfg)
                continue
            sel = self._resolve(g, cfg, enabled)
            _, new, stop = self._plan_items(g, cfg, sel)
            if name is None and new in path:
                descs = ", ".join(t.describe() for t in sel)
                raise TlaUnsupported(
                    f"actor {g.name!r} (chart {g.chart.name!r}): eventless transitions may chain forever ({descs} returns to an earlier "
                    "configuration of the same macrostep); only acyclic eventless transitions are translated"
                )
            out |= {new} if stop else self._static_succ(g, new, None, (*path, new))
        return out

    def _fork(self, sym: _Sym) -> _Sym:
        return _Sym([], {k: _Local(dict(v.fields), v.leaf, v.timers) for k, v in sym.locals.items()}, list(sym.out))

    def _macro(
        self,
        g: _Group,
        key: str,
        self_expr: str,
        cfg: int,
        name: str | None,
        ev: str | None,
        sym: _Sym,
        done: Callable[[_Sym, int], str],
        first: bool,
    ) -> str:
        """One macrostep from configuration ``cfg``: the selected transitions' microstep, then eventless microsteps until stable."""
        where = f"actor {g.name!r}, macrostep" + (f" on {name!r}" if name else "")
        lists = self._select_combos(g, cfg, name if first else None)
        loc = sym.locals[key]
        ev_names = (name,) if name else ()
        sc = _Scope(g, self_expr, dict(loc.fields), ev, ev_names, self._cfg_ids(g, cfg), {}, where)
        opts_per_list = []
        for lst in lists:
            opts: list[tuple[list[str], Transition | None]] = []
            negs: list[str] = []
            for t in lst:
                gt = self._e(t.guard, sc) if t.guard is not None else "TRUE"
                if gt == "TRUE":
                    opts.append((list(negs), t))
                    break
                opts.append(([*negs, gt], t))
                negs = [*negs, f"~{gt}"]
            else:
                opts.append((negs, None))
            opts_per_list.append(opts)
        branches = []
        for combo in itertools.product(*opts_per_list):
            conds = [c for cs, _ in combo for c in cs]
            enabled: list[Transition] = []
            for _, u in combo:
                if u is not None and u not in enabled:
                    enabled.append(u)
            if not enabled:
                if first:
                    continue
                body = done(sym, cfg)
            else:
                sel = self._resolve(g, cfg, enabled)
                items, new, stop = self._plan_items(g, cfg, sel)
                sub = self._fork(sym)
                run_items = [(a, _Scope(g, self_expr, {}, ev, ev_names, act, {}, where), key) for a, act in items]

                def cont(s: _Sym, c: int = new, stop: bool = stop) -> str:
                    if stop:
                        return done(s, c)
                    return self._macro(g, key, self_expr, c, name, ev, s, done, False)

                body = self._run(run_items, sub, cont)
            branches.append("(" + " /\\ ".join([*conds, body]) + ")" if conds else body)
        if not branches:
            return "FALSE"
        return branches[0] if len(branches) == 1 else "(" + " \\/ ".join(branches) + ")"

    def _initial_general(self, g: _Group) -> tuple[list[tuple[Action, frozenset[str]]], int]:
        """The engine's start: the chart's initial actions, then the initial configuration's entries (the eventless steps follow in ``_macro``)."""
        items, cfg, _ = self._items_of(g, g.view.start())
        return items, cfg

    def _general_operators(self, g: _Group) -> None:
        ch = g.chart
        _, cfg0 = self._initial_general(g)
        reacting = [e for e in self.universe if any(e in g.names[t.index] for t in ch.transitions)]
        seen = set(self._static_succ(g, cfg0, None, (cfg0,)))
        queue = sorted(seen)
        while queue:
            cfg = queue.pop(0)
            for n in reacting:
                for c in sorted(self._static_succ(g, cfg, n, ())):
                    if c not in seen:
                        seen.add(c)
                        queue.append(c)
        state = g.acc(g.state_var, "self")
        arms = []
        for cfg in sorted(seen, key=g.view.leaves):
            per_name = []
            for n in reacting:
                locals_ = {"self": _Local({f: g.acc(v, "self") for f, v in g.field_vars.items()}, "", "tmr0" if g.timers_var else None)}
                text = self._macro(
                    g, "self", "self", cfg, n, "ev", _Sym([], locals_, []),
                    lambda s, c: self._finish_local(g, s, "self", "", leaf_text=self._cfg_value(g, c)), True,
                )
                if text != "FALSE":
                    per_name.append(f"(ev.name = {_tla_string(n)} /\\ {text})")
            if per_name:
                arms.append(f"/\\ {state} = {self._cfg_value(g, cfg)}\n       /\\ " + ("\n          \\/ ".join(per_name)))
        op = self.names.new(f"{g.name}_Step")
        self.defs.append(
            f"\\* {g.name}: one macrostep per (configuration, event): the optimal enabled transition set, then eventless microsteps\n"
            f"{op}(self, ev, net0, tmr0) ==\n    " + ("\\/ " + "\n    \\/ ".join(arms) if arms else "FALSE")
        )
        g.step_ops = [(op, reacting, "a macrostep")]

    def _finish_local(self, g: _Group, sym: _Sym, key: str, new_leaf: str, prime: str = "'", leaf_text: str | None = None) -> str:
        loc = sym.locals[key]
        parts = [g.upd(g.state_var, "self", leaf_text if leaf_text is not None else _tla_string(new_leaf))]
        for f, v in g.field_vars.items():
            parts.append(g.upd(v, "self", loc.fields[f]))
        if g.timers_var:
            parts.append(g.upd(g.timers_var, "self", loc.timers or "{}"))
        out = " \\o ".join(sym.out) if sym.out else "<<>>"
        parts.append(f"net' = NetAdd(net0, {out})" if sym.out else "net' = net0")
        return "(" + " /\\ ".join(parts) + ")"

