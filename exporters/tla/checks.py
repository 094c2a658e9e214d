"""What the exporter refuses (naming the element), the event names and their data types, the declarations."""

from __future__ import annotations

from collections.abc import Sequence

from simulate.system import Actor
from statecharts import Chart
from statecharts.actions import (
    SELF,
    Action,
    Assign,
    Choose,
    Foreach,
    If,
    Log,
    PyAction,
    Raise,
    Send,
    describe,
)
from statecharts.chart import match_descriptor
from statecharts.expr import (
    EventAttr,
    EventField,
    Node,
    PyFunc,
    walk,
)

from .spec import TlaUnsupported, VarInfo
from .symbols import _Group, _Part
from .types import ANY, _join, _type_of_value


class _Checks(_Part):
    """What the exporter refuses (naming the element), the event names and their data types, the declarations."""

    # ------------------------------------------------------------------ checks

    def _check_chart(self, a: Actor) -> None:
        ch = a.chart
        where = f"actor {a.name!r} (chart {ch.name!r})"
        if ch.on_error != "raise":
            raise TlaUnsupported(f"{where}: on_error={ch.on_error!r} (error.execution events) is not translated; use on_error='raise'")
        for s in ch.states.values():
            if s.kind == "history":
                raise TlaUnsupported(f"{where}: history state {s.id!r} is not translated")
            for t in s.transitions:
                if t.eventless and t.guard is not None and any(isinstance(n, (EventField, EventAttr)) for n in walk(t.guard)):
                    raise TlaUnsupported(f"{where}: eventless transition {t.describe()} has a guard reading the event, which is not translated")
            for label, acts in (("entry", s.entry), ("exit", s.exit)):
                self._check_actions(acts, f"{where}, {label} of state {s.id!r}")
            if s.initial is not None:
                self._check_actions(s.initial.actions, f"{where}, initial transition of {s.id!r}")
        if ch.root.initial is not None:
            self._check_actions(ch.root.initial.actions, f"{where}, initial transition")
        for t in ch.transitions:
            self._check_actions(t.actions, f"{where}, transition {t.describe()}")
            if t.guard is not None:
                self._check_node(t.guard, f"{where}, guard of transition {t.describe()}")
        # internal done.state events must not trigger anything
        done = {f"done.state.{s.parent.id}" for s in ch.states.values() if s.kind == "final" and s.parent is not None and s.parent.kind != "root"}
        done |= {f"done.state.{s.id}" for s in ch.states.values() if s.kind == "parallel"}
        for t in ch.transitions:
            for d in t.events:
                for e in done:
                    if match_descriptor(d, e):
                        raise TlaUnsupported(f"{where}: transition {t.describe()} reacts to the internal event {e!r}, which is not translated")

    def _check_node(self, node: Node, where: str) -> None:
        for n in walk(node):
            if isinstance(n, PyFunc) and n.tla is None:
                raise TlaUnsupported(f"{where}: Python callable {n.label!r} has no tla= rendering and cannot be translated")

    def _check_actions(self, acts: Sequence[Action], where: str) -> None:
        for a in acts:
            w = f"{where}: action {describe(a)!r}"
            if isinstance(a, Raise):
                raise TlaUnsupported(f"{w}: raise_ (internal events) is not translated")
            if isinstance(a, Foreach):
                bad = [b for b in a.body if not isinstance(b, (Send, Log)) or (isinstance(b, Send) and b.target == SELF and b.delay is not None)]
                if bad:
                    raise TlaUnsupported(f"{w}: foreach is translated only when its body just sends messages (found {describe(bad[0])!r})")
                for b in a.body:
                    if isinstance(b, Send):
                        for _, n in b.data:
                            self._check_node(n, w)
            if isinstance(a, PyAction) and a.tla is None:
                raise TlaUnsupported(f"{w}: Python action {a.label!r} has no tla= rendering and cannot be translated")
            if isinstance(a, Assign):
                for _, n in a.updates:
                    self._check_node(n, w)
            if isinstance(a, Send):
                for _, n in a.data:
                    self._check_node(n, w)
            if isinstance(a, If):
                for c, body in a.branches:
                    self._check_node(c, w)
                    self._check_actions(body, where)
                self._check_actions(a.otherwise, where)
            if isinstance(a, Choose):
                self._check_node(a.domain, w)
                self._check_actions(a.body, where)

    # ------------------------------------------------------------------ event names and their data types

    def _all_actions(self, ch: Chart) -> list[Action]:
        out: list[Action] = []

        def visit(acts: Sequence[Action]) -> None:
            for a in acts:
                out.append(a)
                if isinstance(a, If):
                    for _, body in a.branches:
                        visit(body)
                    visit(a.otherwise)
                elif isinstance(a, (Choose, Foreach)):
                    visit(a.body)

        for s in ch.states.values():
            visit(s.entry)
            visit(s.exit)
            if s.initial is not None:
                visit(s.initial.actions)
        if ch.root.initial is not None:
            visit(ch.root.initial.actions)
        for t in ch.transitions:
            visit(t.actions)
        return out

    def _event_universe(self) -> list[str]:
        names: dict[str, None] = {}
        timers: dict[str, None] = {}
        msgs: dict[str, None] = {}
        for a in self.system.actors:
            for act in self._all_actions(a.chart):
                if isinstance(act, Send):
                    names[act.event] = None
                    if act.target == SELF and act.delay is not None:
                        timers[act.event] = None
                    else:
                        msgs[act.event] = None
        for st in self.system.stimuli:
            names[st.event] = None
        self.timer_events = list(timers)
        self.message_events = list(msgs)
        return list(names)

    def _infer_field_types(self) -> None:
        """Context field types from initial values and every assignment (a few rounds to a fixed point)."""
        for g in self.groups:
            for f, v in g.chart.context.items():
                t = _type_of_value(v)
                self.field_types[(g.name, f)] = ANY if t == "none" else t
        for _ in range(3):
            for g in self.groups:
                sc = self._scope(g, "self", {f: "" for f in g.chart.context}, "ev", tuple(self.universe), None, "type inference")
                for act in self._all_actions(g.chart):
                    if isinstance(act, Assign):
                        for f, n in act.updates:
                            try:
                                t = self._ty(n, sc)
                            except TlaUnsupported:
                                continue
                            self.field_types[(g.name, f)] = _join([self.field_types[(g.name, f)], t])

    def _infer_event_types(self) -> None:
        table: dict[tuple[str, str], list[str]] = {}
        for st in self.system.stimuli:
            for alt in st.alternatives():
                for k, v in alt.items():
                    table.setdefault((st.event, k), []).append(_type_of_value(v))
        for _ in range(2):
            for g in self.groups:
                for act in self._all_actions(g.chart):
                    if isinstance(act, Send):
                        sc = self._scope(g, "self", {f: "" for f in g.chart.context}, "ev", tuple(self.universe), None, "type inference")
                        for k, n in act.data:
                            try:
                                table.setdefault((act.event, k), []).append(self._ty(n, sc))
                            except TlaUnsupported:
                                pass
            self.event_types = {k: _join(v) for k, v in table.items()}

    # ------------------------------------------------------------------ declarations

    def _declare_group(self, g: _Group) -> None:
        a = g.actor
        g.set_op = self.names.new(f"{g.name}_Instances")
        g.list_op = self.names.new(f"{g.name}_List")
        g.state_var = self.names.new(f"{g.name}_state")
        self.variables.append(VarInfo(g.state_var, "state", g.name, leaf_set=g.par))
        for f in g.chart.context:
            v = self.names.new(f"{g.name}_{f}")
            g.field_vars[f] = v
            self.variables.append(VarInfo(v, "field", g.name, f))
        if any(isinstance(x, Send) and x.target == SELF and x.delay is not None for x in self._all_actions(g.chart)):
            g.timers_var = self.names.new(f"{g.name}_timers")
            self.variables.append(VarInfo(g.timers_var, "timers", g.name))
        # leaves under each state, bottom-up in one pass (a walk per state is cubic in nesting depth)
        for s in reversed(list(g.chart.states.values())):
            if s.kind in ("atomic", "final"):
                g.leaves[s.id] = [s.id]
            else:
                g.leaves[s.id] = [leaf for c in s.children for leaf in g.leaves.get(c.id, ())]
        # initial contexts (constants per instance)
        for f in g.chart.context:
            vals = []
            for k in range(len(g.instances)):
                ctx = dict(g.chart.context)
                ctx.update(a.context_for(k) or {})
                vals.append(self._value(ctx[f], f"actor {g.name!r}, initial context field {f!r}"))
            op = self.names.new(f"{g.name}_init_{f}")
            g.init_ops[f] = op
            if g.multi:
                body = " @@ ".join(f"({mv} :> {v})" for mv, v in zip(g.mvs, vals))
            else:
                body = vals[0]
            self.defs.append(f"{op} == {body}")

    def _declare_budgets(self) -> None:
        s = self.system
        self.budget_vars: list[tuple[str, str]] = []  # (name, initial)
        self.drop_var = self.dup_var = None
        if s.faults.drop > 0:
            self.drop_var = self.names.new("drop_budget")
            self.budget_vars.append((self.drop_var, str(s.faults.drop)))
            self.variables.append(VarInfo(self.drop_var, "budget", slots=(0,)))
        if s.faults.duplicate > 0 and self.net_kind != "unordered-duplicating":
            self.dup_var = self.names.new("duplicate_budget")
            self.budget_vars.append((self.dup_var, str(s.faults.duplicate)))
            self.variables.append(VarInfo(self.dup_var, "budget", slots=(1,)))
        # slots as laid out by simulate.model.Model
        slot = 2
        self.crash_vars: dict[str, str] = {}
        for a in s.actors:
            budget = s.faults.crash.get(a.name, 0) + a.crash
            if budget:
                v = self.names.new(f"crash_budget_{a.name}")
                self.crash_vars[a.name] = v
                self.budget_vars.append((v, str(budget)))
                self.variables.append(VarInfo(v, "budget", a.name, slots=(slot,)))
                slot += 1
        self.stim_vars: dict[int, tuple[str, list[int]]] = {}
        for k, st in enumerate(s.stimuli):
            targets = self._targets(st.target)
            if st.max is None:
                continue
            v = self.names.new(f"stim_{st.event}_left")
            slots = tuple(range(slot, slot + len(targets)))
            slot += len(targets)
            self.stim_vars[k] = (v, targets)
            base = self._stim_base(st.target)
            if base is not None and base.multi:
                init = " @@ ".join(f"({self.inst_mv[self.inst_names[i]]} :> {st.max})" for i in targets)
            else:
                init = str(st.max)
            self.budget_vars.append((v, init))
            self.variables.append(VarInfo(v, "budget", base.name if base else None, slots=slots, instances=tuple(targets)))

    def _stim_base(self, target: str) -> _Group | None:
        return self.group_by_name.get(target.split("[", 1)[0])

    def _targets(self, target: str) -> list[int]:
        if target in self.group_by_name:
            return list(self.group_by_name[target].instances)
        return [self.inst_names.index(target)]

