"""Init and crash, and the actions of Next: deliveries, stimuli, timers, faults."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from statecharts.actions import (
    Action,
)

from .assembly import _freeze_alt
from .names import _tla_string
from .symbols import _Group, _Local, _Part, _Scope, _Sym


class _InitNext(_Part):
    """Init and crash, and the actions of Next: deliveries, stimuli, timers, faults."""

    # ------------------------------------------------------------------ init and crash

    def _init(self) -> None:
        items: list[tuple[Action, _Scope, str]] = []
        locals_: dict[str, _Local] = {}
        leaves: dict[str, tuple[_Group, str, str]] = {}
        general: list[tuple[_Group, str, int]] = []
        for g in self.groups:
            if g.general:
                acts, cfg0 = self._initial_general(g)
                leaf = ""
            else:
                acts, leaf = self._initial_items(g)
            for mv in g.mvs:
                fields = {f: g.acc(op, mv) for f, op in g.init_ops.items()}
                locals_[mv] = _Local(fields, _tla_string(leaf), "{}" if g.timers_var else None)
                leaves[mv] = (g, mv, leaf)
                where = f"actor {mv}, initial entry"
                items.extend((a, _Scope(g, mv, {}, None, (), act, {}, where), mv) for a, act in acts)
                if g.general:
                    general.append((g, mv, cfg0))

        def finish(sym: _Sym) -> str:
            parts = []
            for g in self.groups:
                per = [(mv, sym.locals[mv]) for mv in g.mvs]
                parts.append(f"{g.state_var} = " + self._fn(g, [loc.leaf for _, loc in per]))
                for f, v in g.field_vars.items():
                    parts.append(f"{v} = " + self._fn(g, [loc.fields[f] for _, loc in per]))
                if g.timers_var:
                    parts.append(f"{g.timers_var} = " + self._fn(g, [loc.timers or "{}" for _, loc in per]))
            out = " \\o ".join(sym.out) if sym.out else "<<>>"
            parts.append(f"net = NetAdd(EmptyNet, {out})")
            for v, init in self.budget_vars:
                parts.append(f"{v} = {init}")
            return "(" + " /\\ ".join(f"({x})" for x in parts) + ")"

        def chain(k: int) -> Callable[[_Sym], str]:
            if k == len(general):
                return finish
            g, mv, cfg0 = general[k]

            def done(s: _Sym, c: int) -> str:
                s2 = self._fork(s)
                s2.locals[mv].leaf = self._cfg_value(g, c)
                return chain(k + 1)(s2)

            return lambda s: self._macro(g, mv, mv, cfg0, None, None, s, done, False)

        body = self._run(items, _Sym([], locals_, []), chain(0))
        self.init_text = "Init ==\n    " + body

    def _fn(self, g: _Group, vals: list[str]) -> str:
        if not g.multi:
            return vals[0]
        return "(" + " @@ ".join(f"({mv} :> {v})" for mv, v in zip(g.mvs, vals)) + ")"

    def _crash_body(self, g: _Group) -> str:
        if g.general:
            acts, cfg0 = self._initial_general(g)
            leaf = ""
        else:
            acts, leaf = self._initial_items(g)
        durable = set(g.actor.durable)
        fields = {f: (g.acc(v, "self") if f in durable else g.acc(g.init_ops[f], "self")) for f, v in g.field_vars.items()}
        locals_ = {"self": _Local(fields, leaf, "{}" if g.timers_var else None)}
        where = f"actor {g.name!r}, restart after a crash"
        items = [(a, _Scope(g, "self", {}, None, (), act, {}, where), "self") for a, act in acts]
        if g.general:

            def done(s: _Sym, c: int) -> str:
                return self._finish_local(g, s, "self", "", leaf_text=self._cfg_value(g, c))

            return self._run(items, _Sym([], locals_, []), lambda s: self._macro(g, "self", "self", cfg0, None, None, s, done, False))
        return self._run(items, _Sym([], locals_, []), lambda s: self._finish_local(g, s, "self", leaf))

    # ------------------------------------------------------------------ actions of Next

    def _unchanged(self, keep: Iterable[str]) -> str:
        keep = set(keep)
        rest = [v.name for v in self.variables if v.name not in keep] + (["net"] if "net" not in keep else [])
        rest = [r for r in rest if r not in keep]
        return f"UNCHANGED <<{', '.join(rest)}>>" if rest else "TRUE"

    def _action(self, name: str, params: str, body: str, doc: str) -> str:
        op = self.names.new(name)
        self.defs.append(f"\\* {doc}\n{op}({params}) ==\n    " + body)
        return op

    def _quant(self, g: _Group, op: str) -> str:
        if g.multi:
            return f"\\E self \\in {g.set_op} : {op}(self)"
        return f"{op}({g.mvs[0]})"

    def _deliveries(self, g: _Group) -> None:
        tmr = g.acc(g.timers_var, "self") if g.timers_var else "{}"
        keep = [*g.all_vars(), "net"]
        for op, names, desc in g.step_ops:
            if not set(self.message_events) & set(names):
                continue
            body = f"/\\ \\E m \\in Deliverable(self) : {op}(self, m, After(m), {tmr})\n    /\\ {self._unchanged(keep)}"
            a = self._action(f"recv_{op}", "self", body, f"{g.name} receives a message and takes {desc}")
            g.deliver_ops.append(a)
            self.next_parts.append(self._quant(g, a))
            self._deliver_from(g, f"recv_{op}", body, f"{g.name} receives a message from one sender and takes {desc}")
        if self.net_kind != "unordered-duplicating":
            body = (
                f"/\\ \\E m \\in Deliverable(self) : ~{g.selected_op}(self, m) /\\ net' = After(m)\n"
                f"    /\\ {self._unchanged(['net'])}"
            )
            a = self._action(f"recv_{g.name}_ignored", "self", body, f"{g.name} receives a message no transition takes (it is consumed)")
            g.deliver_ops.append(a)
            self.next_parts.append(self._quant(g, a))
            self._deliver_from(g, f"recv_{g.name}_ignored", body, f"{g.name} receives a message from one sender that no transition takes")
        if g.timers_var:
            tv = g.acc(g.timers_var, "self")
            for op, names, desc in g.step_ops:
                if not set(self.timer_events) & set(names):
                    continue
                body = f"/\\ \\E x \\in {tv} : {op}(self, x.ev, net, {tv} \\ {{x}})\n    /\\ {self._unchanged(keep)}"
                a = self._action(f"timer_{op}", "self", body, f"a timer of {g.name} fires and it takes {desc}")
                g.timer_ops.append(a)
                self.next_parts.append(self._quant(g, a))
            rest = tv + " \\ {x}"
            body = (
                f"/\\ \\E x \\in {tv} : ~{g.selected_op}(self, x.ev) /\\ {g.upd(g.timers_var, 'self', rest)}\n"
                f"    /\\ {self._unchanged([g.timers_var])}"
            )
            a = self._action(f"timer_{g.name}_ignored", "self", body, f"a timer of {g.name} fires and no transition takes it")
            g.timer_ops.append(a)
            self.next_parts.append(self._quant(g, a))
        if g.deliver_ops and self.system.fairness == "per-channel":
            op = self.names.new(f"{g.name}_DeliverFrom")
            self.defs.append(f"{op}(self, sender) == " + " \\/ ".join(f"{o}(self, sender)" for o in g.deliver_from_ops))
            domain = f"self \\in {g.set_op}, sender \\in Instances" if g.multi else "sender \\in Instances"
            self.fair_parts.append(f"\\A {domain} : WF_vars({op}({'self' if g.multi else g.mvs[0]}, sender))")
        elif g.deliver_ops:
            self._fair(g, g.deliver_ops, f"{g.name}_Deliver")
        if g.timer_ops:
            self._fair(g, g.timer_ops, f"{g.name}_Timer")

    def _deliver_from(self, g: _Group, name: str, body: str, doc: str) -> None:
        """With per-channel fairness: a delivery action restricted to one sender (for ``Fairness`` only, not ``Next``)."""
        if self.system.fairness != "per-channel":
            return
        assert "Deliverable(self)" in body
        g.deliver_from_ops.append(self._action(f"{name}_from", "self, sender", body.replace("Deliverable(self)", "DeliverableFrom(self, sender)"), doc))

    def _fair(self, g: _Group, ops: list[str], name: str, domain: str | None = None) -> None:
        op = self.names.new(name)
        self.defs.append(f"{op}(self) == " + " \\/ ".join(f"{o}(self)" for o in ops))
        if g.multi or domain is not None:
            self.fair_parts.append(f"\\A self \\in {domain or g.set_op} : WF_vars({op}(self))")
        else:
            self.fair_parts.append(f"WF_vars({op}({g.mvs[0]}))")

    def _stimuli(self) -> None:
        for g in self.groups:
            self._deliveries(g)
        for k, st in enumerate(self.system.stimuli):
            base = self._stim_base(st.target)
            assert base is not None
            g = base
            targets = self._targets(st.target)
            mvs = [self.inst_mv[self.inst_names[i]] for i in targets]
            dom = g.set_op if len(mvs) == len(g.mvs) else "{" + ", ".join(mvs) + "}"
            alts = "{" + ", ".join(sorted({self._value(_freeze_alt(d), f"stimulus {st.event!r}") for d in st.alternatives()})) + "}"
            ev = f"[name |-> {_tla_string(st.event)}, data |-> d, from |-> {self.env_mv}, to |-> self]"
            budget = self.stim_vars.get(k)
            tmr = g.acc(g.timers_var, "self") if g.timers_var else "{}"
            ops = []
            for op, names, desc in g.step_ops:
                if st.event not in names:
                    continue
                keep = [*g.all_vars(), "net"]
                parts = []
                if budget is not None:
                    bv = budget[0]
                    acc = f"{bv}[self]" if g.multi else bv
                    parts.append(f"{acc} > 0")
                    parts.append(f"{bv}' = [{bv} EXCEPT ![self] = @ - 1]" if g.multi else f"{bv}' = {bv} - 1")
                    keep.append(bv)
                parts.append(f"\\E d \\in {alts} : {op}(self, {ev}, net, {tmr})")
                parts.append(self._unchanged(keep))
                a = self._action(f"stim_{st.event}_{op}", "self", "/\\ " + "\n    /\\ ".join(parts), f"the environment sends {st.event!r} to {st.target}; {desc}")
                ops.append(a)
                if g.multi:
                    self.next_parts.append(f"\\E self \\in {dom} : {a}(self)")
                else:
                    self.next_parts.append(f"{a}({g.mvs[0]})")
            if st.fair and ops:
                self._fair(g, ops, f"Stim_{st.event}", dom if g.multi else None)

    def _faults(self) -> None:
        kind = self.net_kind
        if self.drop_var:
            d = self.drop_var
            if kind == "unordered-duplicating":
                body = "\\E m \\in net : net' = net \\ {m}"
            elif kind == "unordered":
                body = "\\E m \\in DOMAIN net : net' = BagRemove(net, m)"
            else:
                body = "\\E c \\in DOMAIN net : net[c] # <<>> /\\ net' = [net EXCEPT ![c] = Tail(@)]"
            text = f"/\\ {d} > 0\n    /\\ {d}' = {d} - 1\n    /\\ {body}\n    /\\ {self._unchanged(['net', d])}"
            a = self._action("drop_message", "", text, "the network loses a message")
            self.next_parts.append(f"{a}")
            self.defs[-1] = self.defs[-1].replace(f"{a}() ==", f"{a} ==")
        if self.dup_var:
            d = self.dup_var
            if kind == "unordered":
                body = "\\E m \\in DOMAIN net : net' = [net EXCEPT ![m] = @ + 1]"
            else:
                body = "\\E c \\in DOMAIN net : net[c] # <<>> /\\ net' = [net EXCEPT ![c] = <<Head(@)>> \\o @]"
            text = f"/\\ {d} > 0\n    /\\ {d}' = {d} - 1\n    /\\ {body}\n    /\\ {self._unchanged(['net', d])}"
            a = self._action("duplicate_message", "", text, "the network duplicates a message")
            self.next_parts.append(f"{a}")
            self.defs[-1] = self.defs[-1].replace(f"{a}() ==", f"{a} ==")
        for g in self.groups:
            v = self.crash_vars.get(g.name)
            if v is None:
                continue
            body = f"/\\ {v} > 0\n    /\\ {v}' = {v} - 1\n    /\\ LET net0 == net IN {self._crash_body(g)}\n    /\\ {self._unchanged([*g.all_vars(), 'net', v])}"
            a = self._action(f"crash_{g.name}", "self", body, f"an instance of {g.name} crashes and restarts")
            self.next_parts.append(self._quant(g, a))

