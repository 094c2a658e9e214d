"""Properties and assembly: invariants, sometimes, liveness and fairness, the module text and its cfg."""

from __future__ import annotations

from typing import Any

from simulate.properties import Eventually, Invariant, LeadsTo, Sometimes, system_node
from statecharts.errors import ExpressionError
from statecharts.expr import (
    PyFunc,
)
from statecharts.values import FrozenMap

from .spec import TlaSpec, TlaUnsupported, VarInfo, _cfg_text
from .symbols import _Part, _Scope


class _Assembly(_Part):
    """Properties and assembly: invariants, sometimes, liveness and fairness, the module text and its cfg."""

    # ------------------------------------------------------------------ properties and assembly

    def _sys(self, spec: Any, where: str) -> str:
        try:
            node = system_node(spec, where)
        except ExpressionError as e:
            raise TlaUnsupported(str(e)) from None
        sc = _Scope(None, "", {}, None, (), None, {}, where, True)
        if isinstance(node, PyFunc):
            if node.tla is None:
                raise TlaUnsupported(f"{where}: Python predicate {node.label!r} has no tla= rendering and cannot be translated")
            return f"({node.tla})"
        self._check_node(node, where)
        return self._e(node, sc)

    def _properties(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {"inv": {}, "some": {}, "live": {}}
        for p in self.system.properties:
            if isinstance(p, Invariant):
                op = self.names.new(f"Inv_{p.name}")
                self.defs.append(f"\\* invariant {p.name!r}\n{op} == {self._sys(p.predicate, f'invariant {p.name!r}')}")
                out["inv"][p.name] = op
            elif isinstance(p, Sometimes):
                goal = self.names.new(f"Goal_{p.name}")
                never = self.names.new(f"Never_{p.name}")
                text = self._sys(p.predicate, f"sometimes {p.name!r}")
                self.defs.append(f"\\* sometimes {p.name!r}: check {never} as an invariant; a violation is a witness\n{goal} == {text}")
                self.defs.append(f"{never} == ~{goal}")
                out["some"][p.name] = never
            elif isinstance(p, Eventually):
                op = self.names.new(f"Live_{p.name}")
                self.defs.append(f"\\* eventually {p.name!r}\n{op} == <>({self._sys(p.predicate, f'eventually {p.name!r}')})")
                out["live"][p.name] = op
            elif isinstance(p, LeadsTo):
                op = self.names.new(f"Live_{p.name}")
                pp = self._sys(p.p, f"leads_to {p.name!r} (p)")
                qq = self._sys(p.q, f"leads_to {p.name!r} (q)")
                self.defs.append(f"\\* leads_to {p.name!r}\n{op} == ({pp}) ~> ({qq})")
                out["live"][p.name] = op
        return out

    def _network_defs(self) -> list[str]:
        inst = self.all_inst_op
        common = [
            "Range(s) == {s[k] : k \\in DOMAIN s}",
            "InSeq(x, s) == \\E k \\in DOMAIN s : s[k] = x",
            "RECURSIVE RemoveAll(_, _)\nRemoveAll(s, x) == IF s = <<>> THEN s ELSE (IF Head(s) = x THEN <<>> ELSE <<Head(s)>>) \\o RemoveAll(Tail(s), x)",
            "Remove(s, x) == RemoveAll(s, x)",
            "MinOf(S) == CHOOSE x \\in S : \\A y \\in S : x <= y",
            "MaxOf(S) == CHOOSE x \\in S : \\A y \\in S : x >= y",
            "RECURSIVE SumOver(_, _)\nSumOver(f, S) == IF S = {} THEN 0 ELSE LET x == CHOOSE x \\in S : TRUE IN f[x] + SumOver(f, S \\ {x})",
            "RECURSIVE SumSeq(_)\nSumSeq(s) == IF s = <<>> THEN 0 ELSE Head(s) + SumSeq(Tail(s))",
            "RECURSIVE FlattenSeq(_)\nFlattenSeq(s) == IF s = <<>> THEN <<>> ELSE Head(s) \\o FlattenSeq(Tail(s))",
            "RECURSIVE SetToSeq(_)\nSetToSeq(S) == IF S = {} THEN <<>> ELSE LET x == CHOOSE x \\in S : TRUE IN <<x>> \\o SetToSeq(S \\ {x})",
        ]
        kind = self.net_kind
        if kind == "unordered-duplicating":
            common += [
                "EmptyNet == {}",
                "NetAdd(n, s) == n \\cup Range(s)",
                "Deliverable(self) == {m \\in net : m.to = self}",
                "After(m) == net",
            ]
        elif kind == "unordered":
            common += [
                "EmptyNet == <<>>",
                "BagAdd(b, m) == IF m \\in DOMAIN b THEN [b EXCEPT ![m] = @ + 1] ELSE (m :> 1) @@ b",
                "BagRemove(b, m) == IF b[m] = 1 THEN [x \\in DOMAIN b \\ {m} |-> b[x]] ELSE [b EXCEPT ![m] = @ - 1]",
                "RECURSIVE NetAdd(_, _)\nNetAdd(n, s) == IF s = <<>> THEN n ELSE NetAdd(BagAdd(n, Head(s)), Tail(s))",
                "Deliverable(self) == {m \\in DOMAIN net : m.to = self}",
                "After(m) == BagRemove(net, m)",
            ]
        else:
            common += [
                f"EmptyNet == [c \\in {inst} \\X {inst} |-> <<>>]",
                "RECURSIVE NetAdd(_, _)\nNetAdd(n, s) == IF s = <<>> THEN n ELSE NetAdd([n EXCEPT ![<<Head(s).from, Head(s).to>>] = Append(@, Head(s))], Tail(s))",
                "Deliverable(self) == {Head(net[c]) : c \\in {c \\in DOMAIN net : c[2] = self /\\ net[c] # <<>>}}",
                "After(m) == [net EXCEPT ![<<m.from, m.to>>] = Tail(@)]",
            ]
        if self.system.fairness == "per-channel":
            common.append("DeliverableFrom(self, sender) == {m \\in Deliverable(self) : m.from = sender}")
        return common

    def _assemble(self, props: dict[str, dict[str, str]]) -> TlaSpec:
        s = self.system
        mvs = [self.inst_mv[n] for n in self.inst_names] + [self.env_mv, self.none_mv]
        var_names = [v.name for v in self.variables] + ["net"]
        self.variables.append(VarInfo("net", "net"))
        head = [
            f"---- MODULE {self.module_name} ----",
            f"\\* Generated by exporters.tla from system {s.name!r}: one macrostep of one actor is one step.",
            "EXTENDS Integers, Sequences, FiniteSets, TLC",
            "",
            "CONSTANTS " + ", ".join(mvs),
            "",
            "VARIABLES " + ", ".join(var_names),
            "vars == <<" + ", ".join(var_names) + ">>",
            "",
        ]
        groups_defs = []
        for g in self.groups:
            groups_defs.append(f"{g.set_op} == {{{', '.join(g.mvs)}}}")
            groups_defs.append(f"{g.list_op} == <<{', '.join(g.mvs)}>>")
        groups_defs.append(f"{self.all_inst_op} == " + " \\cup ".join(g.set_op for g in self.groups))
        # at rest
        rest = []
        for g in self.groups:
            ids = [x.id for x in g.chart.root.children if x.kind == "final"]
            leaves: list[str] = []
            for sid in ids + list(g.actor.end_states):
                leaves.extend(lf for lf in g.leaves[sid] if lf not in leaves)
            cond = self._in_leaves(g, g.acc(g.state_var, "i"), leaves)
            rest.append(f"(\\A i \\in {g.set_op} : {cond})" if g.multi else f"({self._in_leaves(g, g.acc(g.state_var, ''), leaves)})")
        at_rest = "AtRest == " + (" /\\ ".join(rest) if rest else "TRUE")
        next_parts = list(self.next_parts)
        if s.check_deadlock:
            next_parts.append("Terminated")
        body = [
            *groups_defs,
            *self._network_defs(),
            *self.defs,
            at_rest,
            "\\* at rest: every actor is final or in one of its end states; not a deadlock",
            "Terminated == AtRest /\\ UNCHANGED vars",
            "",
            self.init_text,
            "",
            "Next ==\n    \\/ " + ("\n    \\/ ".join(next_parts) if next_parts else "FALSE"),
            "",
            "Fairness ==\n    " + ("\n    ".join(f"/\\ {x}" for x in self.fair_parts) if self.fair_parts else "TRUE"),
            "Spec == Init /\\ [][Next]_vars /\\ Fairness",
        ]
        symmetry = None
        sym_groups = [g for g in self.groups if g.multi and len(g.mvs) > 1] if s.symmetry else []
        if sym_groups:
            symmetry = "Symmetry"
            if len(sym_groups) == 1:
                body.append(f"Symmetry == Permutations({sym_groups[0].set_op})")
            else:
                ps = [f"p{k}" for k in range(len(sym_groups))]
                body.append(
                    "Symmetry == {"
                    + " @@ ".join(ps)
                    + " : "
                    + ", ".join(f"{p} \\in Permutations({g.set_op})" for p, g in zip(ps, sym_groups))
                    + "}"
                )
        constraint = None
        if s.constraint is not None:
            constraint = "Constraint"
            body.append(f"Constraint == {self._sys(s.constraint, 'constraint')}")
        module = "\n".join(head) + "\n".join(x + ("\n" if "\n" in x else "") for x in body) + "\n====\n"
        cfg = _cfg_text(mvs, list(props["inv"].values()), list(props["live"].values()), s.check_deadlock, symmetry, constraint)
        return TlaSpec(
            module_name=self.module_name,
            module=module,
            cfg=cfg,
            variables=self.variables,
            invariants=props["inv"],
            sometimes=props["some"],
            liveness=props["live"],
            constants=mvs,
            check_deadlock=s.check_deadlock,
            symmetry=symmetry,
            constraint=constraint,
            instance_values=dict(self.inst_mv),
            network=self.net_kind,
            none_value=self.none_mv,
        )


def _freeze_alt(d: Any) -> Any:
    from statecharts.values import freeze

    return freeze(dict(d)) if d else FrozenMap()


