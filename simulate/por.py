"""Partial-order reduction: explore one representative order of independent steps (stubborn sets).

A step belongs to the instance it changes (``Label.actor``). In a state, the reduction picks a
set ``A`` of instances and keeps only their enabled steps, when that is safe:

* closure: every instance outside ``A`` that could still take a step along steps outside
  ``A`` (it has an enabled step, or may be sent a message by one that can) and that may send to
  ``A`` (a static relation read from the charts' send actions) is in ``A``; an instance whose
  group still has a crash budget brings its whole group (the budget is shared);
* faults: while a drop or duplicate budget is left, every state is fully expanded (one budget
  is shared by every message);
* visibility: every kept step leaves unchanged what the invariants, goals and constraint read
  (the acting instance's configuration and read fields, the in-flight counts they read);
* the cycle proviso (``Reducer.proviso``) is applied by the breadth-first search.

docs/por.md gives the argument. Traces stay real: kept steps keep their position in the FULL
successor list, so replay goes through ``Model.successors`` as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from statecharts.actions import SELF, SENDER
from statecharts.expr import Call, Const, PyFunc, walk

from .model import Model, State
from .properties import Invariant, Sometimes, system_node
from .system import ModelError, System, _sends

ALL = None
"""A read set meaning "everything" (a Python predicate cannot be looked into)."""


def _send_targets(model: Model, snd: Any) -> tuple[set[int], bool]:
    """The instances one send action may reach (None-free), and whether it is a reply; self-sends are left out."""
    t = snd.target
    n = model.n
    if isinstance(t, str) and t == SELF:
        return set(), False
    if isinstance(t, str) and t == SENDER:
        return set(), True
    if isinstance(t, str):
        base = t.split("[", 1)[0]
        if "[" in t and snd.index is None and t in model.index_of:
            return {model.index_of[t]}, False
        if base in model.groups:
            return set(model.groups[base]), False
    return set(range(n)), False


def _actions_sends(actions: Iterable[Any]) -> list[Any]:
    from statecharts.actions import Send, sub_actions

    out: list[Any] = []
    for a in actions:
        if isinstance(a, Send):
            out.append(a)
        out.extend(_actions_sends(sub_actions(a)))
    return out


class _ChartSends:
    """Which sends a chart can still perform from a configuration: those of the states reachable from it in the
    chart's transition graph (guards and events ignored, so an over-approximation)."""

    def __init__(self, chart: Any) -> None:
        eng = chart.engine
        nodes = list(chart.root.iter())
        self.n = len(nodes)
        self.desc = eng.desc_mask
        self.anc = [sum(1 << a for a in eng.ancestors[k]) for k in range(self.n)]
        self.state_sends: list[list[Any]] = []
        for node in nodes:
            acts = list(_actions_sends(node.entry)) + list(_actions_sends(node.exit))
            if node.initial is not None:
                acts += _actions_sends(node.initial.actions)
            default = getattr(node, "default", None)
            if default is not None and getattr(default, "actions", None):
                acts += _actions_sends(default.actions)
            self.state_sends.append(acts)
        self.moves: list[tuple[int, int, list[Any]]] = []  # (source bit, mask entered, sends)
        for t in chart.transitions:
            if t.source is None:
                continue
            entered = 0
            for tid in t.targets:
                k = eng.index[tid]
                entered |= (1 << k) | self.desc[k] | self.anc[k]
                parent = eng.parent[k]
                if nodes[k].kind == "history" and parent >= 0:
                    entered |= self.desc[parent]
            self.moves.append((1 << t.source.index, entered, _actions_sends(t.actions)))
        self.cache: dict[int, list[Any]] = {}

    def sends_from(self, config: int) -> list[Any]:
        hit = self.cache.get(config)
        if hit is None:
            reach = config
            changed = True
            while changed:
                changed = False
                for src, entered, _ in self.moves:
                    if reach & src and entered & ~reach:
                        reach |= entered
                        changed = True
            hit = [snd for src, _, sends in self.moves if reach & src for snd in sends]
            hit += [snd for k in range(self.n) if reach >> k & 1 for snd in self.state_sends[k]]
            self.cache[config] = hit
        return hit


def may_send(model: Model) -> list[frozenset[int]]:
    """For each instance, the instances it may ever send a message to (over-approximated from its chart).

    A reply (``SENDER``) goes to an instance that may send to it: the least fixed point of that rule
    contains every reply of every run. A target computed by an expression may be anyone.
    """
    n = model.n
    explicit: list[set[int]] = [set() for _ in range(n)]
    replies = [False] * n
    per_chart: dict[int, tuple[set[int], bool]] = {}
    for i in range(n):
        chart = model.charts[i]
        key = id(chart)
        if key not in per_chart:
            targets: set[int] = set()
            reply = False
            for _, snd in _sends(chart):
                t = snd.target
                if isinstance(t, str) and t == SELF:
                    continue  # filled in per instance below (self-sends and timers are the instance's own)
                if isinstance(t, str) and t == SENDER:
                    reply = True
                    continue
                if isinstance(t, str):
                    base = t.split("[", 1)[0]
                    if "[" in t and snd.index is None and t in model.index_of:
                        targets.add(model.index_of[t])
                    elif base in model.groups:
                        targets.update(model.groups[base])
                    else:
                        targets.update(range(n))
                else:
                    targets.update(range(n))
            per_chart[key] = (targets, reply)
        targets, reply = per_chart[key]
        explicit[i] = set(targets)
        explicit[i].add(i)
        replies[i] = reply
    out = [set(s) for s in explicit]
    changed = True
    while changed:
        changed = False
        for j in range(n):
            if not replies[j]:
                continue
            for x in range(n):
                if j in out[x] and x not in out[j]:
                    out[j].add(x)
                    changed = True
    return [frozenset(s) for s in out]


class _Reads:
    """What the state predicates read: per instance, the configuration and which fields; in-flight counts."""

    def __init__(self, n: int) -> None:
        self.config = [0] * n  # a mask of the states read (-1: the whole configuration)
        self.fields: list[set[str] | None] = [set() for _ in range(n)]
        self.counts: set[tuple[str | None, int | None]] = set()
        self.everything = False


def predicate_reads(model: Model, specs: Iterable[tuple[str, Any]]) -> _Reads:
    """Read sets of the given predicate specs (a Python predicate reads everything)."""
    reads = _Reads(model.n)
    for where, spec in specs:
        node = system_node(spec, where)
        for nd in walk(node):
            if isinstance(nd, PyFunc):
                reads.everything = True
                return reads
            if not isinstance(nd, Call):
                continue
            args = nd.args
            if nd.fn == "in_flight":
                ev = args[0].value if args and isinstance(args[0], Const) else None
                to = args[1].value if len(args) > 1 and isinstance(args[1], Const) else None
                if (args and not isinstance(args[0], Const)) or (len(args) > 1 and not isinstance(args[1], Const)):
                    reads.counts.add((None, None))
                    ev = to = None
                    for k in range(model.n):  # a computed event or receiver: count every message kind conservatively
                        reads.counts.add((None, k))
                reads.counts.add((ev, model.index_of.get(to) if to is not None else None))
                continue
            if nd.fn not in ("In", "is_final", "field"):
                continue
            who = [model.index_of[args[0].value]] if args and isinstance(args[0], Const) and args[0].value in model.index_of else list(range(model.n))
            for i in who:
                if nd.fn == "In":
                    name = args[1].value if len(args) > 1 and isinstance(args[1], Const) else None
                    states = model.charts[i].states
                    reads.config[i] |= model.charts[i].engine.state_mask(name) if isinstance(name, str) and name in states else (-1 if name is None else 0)
                elif nd.fn == "is_final":
                    reads.config[i] = -1
                else:
                    name = args[1].value if len(args) > 1 and isinstance(args[1], Const) else None
                    cur = reads.fields[i]
                    if name is None:
                        reads.fields[i] = ALL
                    elif cur is not None:
                        cur.add(name)
    return reads


class Reducer:
    """Chooses, per state, the successors a breadth-first search must follow (``keep``)."""

    def __init__(self, model: Model, system: System) -> None:
        self.model = model
        self.sends_to = may_send(model)
        n = model.n
        self.senders: list[set[int]] = [set() for _ in range(n)]
        for j, targets in enumerate(self.sends_to):
            for i in targets:
                if i != j:
                    self.senders[i].add(j)
        specs: list[tuple[str, Any]] = [(f"property {p.name!r}", p.predicate) for p in system.properties if isinstance(p, (Invariant, Sometimes))]
        if system.constraint is not None:
            specs.append(("the constraint", system.constraint))
        try:
            self.reads = predicate_reads(model, specs)
        except Exception as e:  # compiled (and reported) by the explorer first; be safe here
            raise ModelError(f"system {system.name!r}: partial-order reduction cannot read the properties: {e}") from None
        self.field_index = [
            {f: model.charts[i].engine.fields[f] for f in (fs or ())} if fs is not ALL else None for i, fs in enumerate(self.reads.fields)
        ]
        self.crash_group: list[int | None] = [model.crash_slot.get(model.group_of[i]) for i in range(n)]
        charts: dict[int, _ChartSends] = {}
        self.chart_sends = [charts.setdefault(id(ch), _ChartSends(ch)) for ch in model.charts]
        self._dyn: dict[tuple[int, int], frozenset[int]] = {}
        self.reduced_states = 0
        self.expanded_states = 0

    # ------------------------------------------------------------------ the choice

    def keep(self, state: State, succs: Sequence[tuple[Any, State]]) -> list[int] | None:
        """Positions (into ``succs``) of a stubborn set's enabled steps, or None to follow them all."""
        budgets = state[2]
        if len(succs) < 2 or budgets[0] > 0 or budgets[1] > 0 or self.reads.everything:
            return None
        by_actor: dict[int, list[int]] = {}
        for k, (label, _) in enumerate(succs):
            by_actor.setdefault(label[1], []).append(k)
        if len(by_actor) < 2:
            return None
        visible: dict[int, bool] = {}  # per instance: whether one of its enabled steps is visible (computed once)

        def shows(a: int) -> bool:
            hit = visible.get(a)
            if hit is None:
                hit = visible[a] = any(self._visible(state, succs[k]) for k in by_actor[a])
            return hit

        best: list[int] | None = None
        for start in sorted(by_actor, key=lambda a: (len(by_actor[a]), a)):
            if best is not None and len(by_actor[start]) >= len(best):
                break
            if shows(start):
                continue
            group = self._closure(start, by_actor, budgets, state)
            if group is None:
                continue
            kept = sorted(k for a in group for k in by_actor.get(a, ()))
            if len(kept) == len(succs) or (best is not None and len(kept) >= len(best)):
                continue
            if any(shows(a) for a in group if a in by_actor):
                continue
            best = kept
        return best

    def _still_sends_to(self, state: State, j: int) -> frozenset[int]:
        """The instances ``j`` may still send to from its current configuration (the static relation after a crash)."""
        slot = self.crash_group[j]
        if slot is not None and state[2][slot] > 0:
            return self.sends_to[j]
        lid = state[0][j]
        hit = self._dyn.get((j, lid))
        if hit is None:
            m = self.model
            targets: set[int] = set()
            reply = False
            for snd in self.chart_sends[j].sends_from(m.local_values[lid][1].config):
                t, r = _send_targets(m, snd)
                targets |= t
                reply = reply or r
            if reply:
                targets |= self.sends_to[j]
            targets.discard(j)
            hit = self._dyn[(j, lid)] = frozenset(targets)
        return hit

    def _closure(self, start: int, by_actor: dict[int, list[int]], budgets: tuple[int, ...], state: State) -> set[int] | None:
        """The smallest instance set holding ``start`` that is closed (module docstring); None when it is everyone."""
        m = self.model
        fifo = m.network == "fifo"
        busy = {chan for chan, _ in state[1]} if fifo else set()
        group = {start}
        while True:
            for a in list(group):
                slot = self.crash_group[a]
                if slot is not None and budgets[slot] > 0:
                    group.update(m.groups[m.group_of[a]])
            # the instances that may act along steps outside the group
            active = {a for a in by_actor if a not in group}
            active.update(a for a in range(m.n) if a not in group and self.crash_group[a] is not None and budgets[self.crash_group[a]] > 0)  # type: ignore[index]
            stack = list(active)
            while stack:
                j = stack.pop()
                for x in self._still_sends_to(state, j):
                    if x not in group and x not in active:
                        active.add(x)
                        stack.append(x)
            if fifo:
                # FIFO: appending to a non-empty channel leaves its head, hence the delivery from it, unchanged; so
                # only a sender whose channel to the group is empty could enable a new step of the group
                grow = {j for j in active if any((j, a) not in busy for a in self._still_sends_to(state, j) & group)}
            else:
                grow = {j for j in active if self._still_sends_to(state, j) & group}
            if not grow:
                return group if len(group) < m.n else None
            group |= grow

    def _visible(self, state: State, step: tuple[Any, State]) -> bool:
        """Whether a step changes what a state predicate reads (the acting instance's part, the counts)."""
        label, s2 = step
        m = self.model
        i = label[1]
        reads = self.reads
        l1, l2 = state[0][i], s2[0][i]
        if l1 != l2:
            cs1, cs2 = m.local_values[l1][1], m.local_values[l2][1]
            if (cs1.config ^ cs2.config) & reads.config[i]:
                return True
            fields = self.field_index[i]
            if fields is None:
                if cs1.context != cs2.context:
                    return True
            else:
                for fi in fields.values():
                    if cs1.context[fi] != cs2.context[fi]:
                        return True
        if reads.counts and state[1] != s2[1]:
            for ev, dest in reads.counts:
                if m.count_messages(state, ev, dest) != m.count_messages(s2, ev, dest):
                    return True
        return False


def check_options(system: System, *, mode: str, workers: int, symmetry: bool) -> None:
    """Refuse the combinations partial-order reduction does not support yet, naming the options."""
    if mode != "bfs":
        raise ModelError(f"system {system.name!r}: reduce='por' needs mode='bfs' (its cycle proviso is breadth-first); drop reduce, or use mode='bfs'")
    if workers > 1:
        raise ModelError(f"system {system.name!r}: reduce='por' runs on one worker for now: drop reduce='por' (--por), or use workers=1")
    if symmetry:
        raise ModelError(
            f"system {system.name!r}: reduce='por' together with symmetry is not supported yet: explore with symmetry=False (--no-symmetry), or drop reduce='por'"
        )
