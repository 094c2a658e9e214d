"""Partial-order reduction: explore one representative order of independent steps (stubborn sets).

A step belongs to the instance it changes (``Label.actor``). In a state, the reduction picks a
set ``A`` of instances and keeps only their enabled steps, when that is safe:

* closure: every instance outside ``A`` that could still take a step along steps outside
  ``A`` (it has an enabled step, or may be sent a message by one that can) and that may send to
  ``A`` is in ``A``; "may send" follows, per state, the events each such instance may receive
  there and the moves of its chart those events can trigger (a reply goes to the sender of a
  message it may receive); an instance whose group still has a crash budget brings its whole
  group (the budget is shared);
* faults: while a drop or duplicate budget is left, every state is fully expanded (one budget
  is shared by every message);
* visibility: every kept step leaves unchanged what the invariants, goals and constraint read
  (the acting instance's configuration and read fields, the in-flight counts they read), except
  for a property guarded by quiescence (``~(in_flight() == 0 & X)``) when ``A`` holds the
  receiver of a message its target states cannot have;
* the cycle proviso: the smallest set whose kept steps all lead to new states (``keep(old=)``).

docs/por.md gives the argument. Traces stay real: kept steps keep their position in the FULL
successor list, so replay goes through ``Model.successors`` as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from statecharts.actions import SELF
from statecharts.expr import BoolOp, Call, Compare, Const, PyFunc, Unary, walk

from .model import Model, State
from .por_sends import ChartSends, may_send, send_targets, static_sends
from .properties import FLIP, ZERO_WHEN, Invariant, Sometimes, system_node
from .system import ModelError, System

__all__ = ["Reducer", "check_options", "may_send", "predicate_reads", "static_sends", "zero_counts"]

ALL = None
"""A read set meaning "everything" (a Python predicate cannot be looked into)."""

_MISSING: Any = object()
"""Not in a cache (a cached closure may be None)."""


_Sends = tuple[tuple[tuple[int, frozenset[str]], ...], frozenset[str], frozenset[str]]
"""What an instance may still send (``Reducer._resolve``): per target the events, the events to itself, the replies."""


class _Reads:
    """What the state predicates read: per instance, the configuration and which fields; in-flight counts."""

    def __init__(self, n: int) -> None:
        self.config = [0] * n  # a mask of the states read (-1: the whole configuration)
        self.fields: list[set[str] | None] = [set() for _ in range(n)]
        self.counts: set[tuple[str | None, int | None]] = set()
        self.everything = False
        self.field_index: list[dict[str, int] | None] = []


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


Key = tuple[str | None, int | None]
"""An in-flight count ``(event name or None, receiver or None)``, as ``in_flight(event, to)`` reads it."""


def zero_counts(model: Model, node: Any, value: bool) -> frozenset[Key]:
    """The in-flight counts that are 0 in every state where the predicate ``node`` has the truth value ``value``.

    Read from the compiled predicate, not from names: ``~(in_flight() == 0 & X)`` is False only where nothing is
    in flight, so its violations are quiescent states. A count with a computed argument is never recognised.
    """
    if isinstance(node, Unary) and node.op == "not":
        return zero_counts(model, node.operand, not value)
    if isinstance(node, BoolOp) and node.op in ("and", "or"):
        parts = [zero_counts(model, item, value) for item in node.items]
        if (node.op == "and") == value:  # every item has the value: each one's zero counts hold
            return frozenset().union(*parts)
        out = parts[0]  # some item has the value: only the counts every item implies
        for part in parts[1:]:
            out &= part
        return out
    if isinstance(node, Compare):
        left, right, op = node.left, node.right, node.op
        if isinstance(left, Const) and op in FLIP:
            left, right, op = right, left, FLIP[op]
        if not (isinstance(left, Call) and left.fn == "in_flight" and isinstance(right, Const) and type(right.value) is int):
            return frozenset()
        args = left.args
        if not all(isinstance(a, Const) for a in args):
            return frozenset()
        ev = args[0].value if args else None  # type: ignore[attr-defined]
        to = args[1].value if len(args) > 1 else None  # type: ignore[attr-defined]
        if to is not None and to not in model.index_of:
            return frozenset()
        when = ZERO_WHEN.get((op, right.value))
        if when is None or when != value:
            return frozenset()
        return frozenset({(ev, model.index_of[to] if to is not None else None)})
    return frozenset()


class _Guarded:
    """A property whose target states (violations of an invariant, states reaching a goal) have the counts ``zero``
    at 0, with what it reads: a stubborn set holding the receiver of a message counted there needs no visibility."""

    def __init__(self, reads: _Reads, zero: frozenset[Key]) -> None:
        self.reads = reads
        self.zero = zero


class Reducer:
    """Chooses, per state, the successors a breadth-first search must follow (``keep``)."""

    def __init__(self, model: Model, system: System) -> None:
        self.model = model
        n = model.n
        plain: list[tuple[str, Any]] = []
        self.guarded: list[_Guarded] = []
        try:
            for p in system.properties:
                if not isinstance(p, (Invariant, Sometimes)):
                    continue
                where = f"property {p.name!r}"
                node = system_node(p.predicate, where)
                # the target states: an invariant's violations (False), a goal's witnesses (True)
                zero = zero_counts(model, node, isinstance(p, Sometimes)) if not any(isinstance(nd, PyFunc) for nd in walk(node)) else frozenset()
                if zero:
                    self.guarded.append(_Guarded(predicate_reads(model, [(where, p.predicate)]), zero))
                else:
                    plain.append((where, p.predicate))
            if system.constraint is not None:
                plain.append(("the constraint", system.constraint))  # the constraint cuts paths: always plain visibility
            self.reads = predicate_reads(model, plain)
        except Exception as e:  # compiled (and reported) by the explorer first; be safe here
            raise ModelError(f"system {system.name!r}: partial-order reduction cannot read the properties: {e}") from None
        for r in (self.reads, *(g.reads for g in self.guarded)):
            r.field_index = [{f: model.charts[i].engine.fields[f] for f in (fs or ())} if fs is not ALL else None for i, fs in enumerate(r.fields)]
        self.everything = self.reads.everything or any(g.reads.everything for g in self.guarded)
        self.crash_group: list[int | None] = [model.crash_slot.get(model.group_of[i]) for i in range(n)]
        charts: dict[int, ChartSends] = {}
        self.chart_sends = [charts.setdefault(id(ch), ChartSends(ch)) for ch in model.charts]
        self._resolved: dict[tuple[int, int, frozenset[str]], _Sends] = {}
        # closures memoized across states by what they read (``_closure_key``): many states differ only in data
        self._closures: dict[tuple[tuple[Any, ...], int], frozenset[int] | None] = {}
        self._lid_class: dict[int, int] = {}
        self._classes: dict[tuple[int, frozenset[str]], int] = {}
        self._kinds: list[int] = []
        self._kind_ids: dict[tuple[int, str, int | None], int] = {}
        self._generation = model.generation
        self.reduced_states = 0
        self.expanded_states = 0

    # ------------------------------------------------------------------ the choice

    def keep(self, state: State, succs: Sequence[tuple[Any, State]], old: Callable[[State], bool] | None = None) -> list[int] | None:
        """Positions (into ``succs``) of a stubborn set's enabled steps, or None to follow them all; with ``old``, the
        smallest set that also meets the cycle proviso."""
        return self.choose(state, succs, self.candidates(state, succs), None if old is None else lambda k: old(succs[k][1]))

    @staticmethod
    def choose(state: State, succs: Sequence[tuple[Any, State]], sets: list[list[int]], old: Callable[[int], bool] | None) -> list[int] | None:
        """The first of the candidate ``sets`` (smallest first) that meets the cycle proviso of a breadth-first search
        (``old(k)``: successor ``k`` was found at this depth or before): a kept step leads to a new state, none to an old
        one (see ``_Explorer._por_keep``); None: follow every step. Apart from ``candidates`` so that the sharded search
        (``simulate.shard_por``) can ask the owners which successors are old in between."""
        for kept in sets:
            proper = [k for k in kept if succs[k][1] != state]
            if old is None or (proper and not any(old(k) for k in proper)):
                return kept
        return None

    def candidates(self, state: State, succs: Sequence[tuple[Any, State]]) -> list[list[int]]:
        """The stubborn sets' positions (into ``succs``) that may be followed instead of every step, smallest first
        (stable: among equal sizes, in the order found); none when the state must be fully expanded."""
        budgets = state[2]
        if len(succs) < 2 or budgets[0] > 0 or budgets[1] > 0 or self.everything:
            return []
        by_actor: dict[int, list[int]] = {}
        for k, (label, _) in enumerate(succs):
            by_actor.setdefault(label[1], []).append(k)
        if len(by_actor) < 2:
            return []
        visible: dict[tuple[int, int], bool] = {}  # (instance, read set): one of its enabled steps is visible (computed once)
        read_sets = [self.reads, *(g.reads for g in self.guarded)]

        def shows(a: int, r: int = 0) -> bool:
            hit = visible.get((a, r))
            if hit is None:
                hit = visible[(a, r)] = any(self._visible(state, succs[k], read_sets[r]) for k in by_actor[a])
            return hit

        pending: dict[Key, set[int]] = {}  # per guarded count: the receivers of the messages it counts in this state
        for g in self.guarded:
            for key in g.zero:
                if key not in pending:
                    pending[key] = self._receivers(state, key)

        def hidden(group: frozenset[int]) -> bool:
            """Whether no kept step needs to be seen: invisible to the plain reads, and to each guarded property's
            reads unless the group holds a receiver of a message its target states cannot have (docs/por.md)."""
            acting = [a for a in group if a in by_actor]
            if any(shows(a) for a in acting):
                return False
            for r, g in enumerate(self.guarded, 1):
                if any(pending[key] & group for key in g.zero):
                    continue
                if any(shows(a, r) for a in acting):
                    return False
            return True

        closures = self._closures
        where: tuple[Any, ...] | None = None  # what the closures read of this state (``_closure_key``), made once
        origins: list[set[int]] | None = None
        inbox: list[set[str]] = []
        base: dict[int, tuple[frozenset[str], ChartSends, int]] = {}
        closed: dict[frozenset[int], frozenset[int] | None] = {}
        sets: list[list[int]] = []  # the stubborn sets found, each once
        for start in sorted(by_actor, key=lambda a: (len(by_actor[a]), a)):
            if shows(start):
                continue
            if where is None:
                where = self._closure_key(state, by_actor)
            hit = closures.get((where, start), _MISSING)
            if hit is _MISSING:
                if origins is None:
                    origins, inbox = self._origins(state)
                hit = self._closure(start, by_actor, budgets, state, origins, inbox, base, closed)
                if len(closures) < 200_000:
                    closures[(where, start)] = hit
            group = hit
            if group is None:
                continue
            kept = sorted(k for a in group for k in by_actor.get(a, ()))
            if len(kept) == len(succs) or kept in sets or not hidden(group):
                continue
            sets.append(kept)
        return sorted(sets, key=len)

    def _closure_key(self, state: State, by_actor: dict[int, list[int]]) -> tuple[Any, ...]:
        """Everything ``_closure`` reads of a state, so that closures are memoized across states: the instances with
        an enabled step, which budgets are left, per instance its configuration and pending timers' events, the
        (receiver, event, sender) kinds of the messages in flight, and for FIFO the non-empty channels."""
        m = self.model
        if self._generation != m.generation:  # a resumed checkpoint renumbered local states and messages
            self._generation = m.generation
            self._lid_class.clear()
            self._kinds.clear()
        lid_class, classes = self._lid_class, self._classes
        local_values = m.local_values
        per_instance = []
        for lid in state[0]:
            c = lid_class.get(lid)
            if c is None:
                _, cs, timers = local_values[lid]
                c = lid_class[lid] = classes.setdefault((cs.config, frozenset(t[1].name for t in timers)), len(classes))
            per_instance.append(c)
        kinds, kind_ids = self._kinds, self._kind_ids
        for mid in range(len(kinds), len(m.msg_values)):  # classify the messages interned since
            d, e = m.msg_values[mid]
            o = m.index_of.get(e.origin) if e.origin is not None else None
            kinds.append(kind_ids.setdefault((d, e.name, o if o != d else None), len(kind_ids)))
        net = state[1]
        busy = tuple(chan for chan, _ in net) if m.network == "fifo" else ()
        return (
            frozenset(by_actor),
            tuple(b > 0 for b in state[2]),
            tuple(per_instance),
            frozenset([kinds[mid] for mid in m.message_ids(state)]),
            busy,
        )

    def _receivers(self, state: State, key: Key) -> set[int]:
        """The receivers of the messages in flight that the count ``key`` counts."""
        m = self.model
        ev, dest = key
        out: set[int] = set()
        for mid in m.message_ids(state):
            d, e = m.msg_values[mid]
            if (ev is None or e.name == ev) and (dest is None or d == dest):
                out.add(d)
        return out

    def _origins(self, state: State) -> tuple[list[set[int]], list[set[str]]]:
        """Per instance, the instances whose messages to it are in flight (a reply goes back to one of them), and
        the names of those messages."""
        m = self.model
        out: list[set[int]] = [set() for _ in range(m.n)]
        names: list[set[str]] = [set() for _ in range(m.n)]
        for mid in m.message_ids(state):
            d, e = m.msg_values[mid]
            names[d].add(e.name)
            o = m.index_of.get(e.origin) if e.origin is not None else None
            if o is not None and o != d:
                out[d].add(o)
        return out, names

    def _base_events(self, state: State, j: int, inbox: list[set[str]]) -> set[str]:
        """The events ``j`` may receive without anyone acting: its messages in flight, its stimuli with a budget
        left, its pending timers."""
        m = self.model
        budgets = state[2]
        out = set(inbox[j])
        for _, _, i, slot, ev in m.stim_entries:
            if i == j and (slot is None or budgets[slot] > 0):
                out.add(ev.name)
        for t in m.local_values[state[0][j]][2]:
            out.add(t[1].name)
        return out

    def _resolve(self, sends: ChartSends, config: int, names: frozenset[str]) -> _Sends:
        """What an instance of a chart may still send from a configuration (-1: from anywhere, as after a crash) when
        the events ``names`` may arrive: per target of its named sends the events sent there, the events it sends
        itself, the events it replies."""
        cache_key = (id(sends), config, names)
        hit = self._resolved.get(cache_key)
        if hit is None:
            pairs: dict[int, set[str]] = {}
            own: set[str] = set()
            replies: set[str] = set()
            for snd in sends.sends_on(config, names):
                if isinstance(snd.target, str) and snd.target == SELF:
                    own.add(snd.event)
                    continue
                to, reply = send_targets(self.model, snd)
                if reply:
                    replies.add(snd.event)
                for x in to:
                    pairs.setdefault(x, set()).add(snd.event)
            hit = (tuple((x, frozenset(pairs[x])) for x in sorted(pairs)), frozenset(own), frozenset(replies))
            if len(self._resolved) < 200_000:
                self._resolved[cache_key] = hit
        return hit

    def _closure(
        self,
        start: int,
        by_actor: dict[int, list[int]],
        budgets: tuple[int, ...],
        state: State,
        origins: list[set[int]],
        inbox: list[set[str]],
        base: dict[int, tuple[frozenset[str], ChartSends, int]],
        closed: dict[frozenset[int], frozenset[int] | None],
    ) -> frozenset[int] | None:
        """The smallest instance set holding ``start`` that is closed (module docstring); None when it is everyone.
        For the closures of one state, ``base`` caches per instance its events (``_base_events``) and what its sends
        are resolved from (its chart's sends and configuration, -1 while a crash may restart it), and ``closed`` what
        each group went through closes to (the growth from a group depends on the group only)."""
        m = self.model
        fifo = m.network == "fifo"
        busy = {chan for chan, _ in state[1]} if fifo else set()
        crash_group = self.crash_group
        restartable = [a for a in range(m.n) if crash_group[a] is not None and budgets[crash_group[a]] > 0]  # type: ignore[index]
        resolved = self._resolved
        resolve = self._resolve
        nothing: frozenset[str] = frozenset()

        def about(j: int) -> tuple[frozenset[str], ChartSends, int]:
            hit = base.get(j)
            if hit is None:
                slot = crash_group[j]
                config = -1 if slot is not None and budgets[slot] > 0 else m.local_values[state[0][j]][1].config
                hit = base[j] = (frozenset(self._base_events(state, j, inbox)), self.chart_sends[j], config)
            return hit

        group = {start}
        chain: list[frozenset[int]] = []  # the groups this closure went through: each closes to the same set
        while True:
            seen = frozenset(group)
            if seen in closed:  # another start of this state went through this group: the rest is the same
                found = closed[seen]
                for g in chain:
                    closed[g] = found
                return found
            chain.append(seen)
            for a in list(group):
                slot = crash_group[a]
                if slot is not None and budgets[slot] > 0:
                    group.update(m.groups[m.group_of[a]])
            # the instances that may act along steps outside the group, the events each may receive there, and whom
            # each may send to there (a least fixed point, so the order of the work list does not matter): an
            # instance takes only the moves of its chart whose events may reach it, and a reply goes to the sender
            # of a message it may receive
            active = {a for a in by_actor if a not in group}
            active.update(a for a in restartable if a not in group)
            recv = {j: about(j)[0] for j in active}
            senders: dict[int, set[int]] = {j: set(origins[j]) for j in active}
            targets: dict[int, set[int]] = {}
            work = sorted(active, reverse=True)  # the instances whose events or senders grew
            queued = set(work)
            while work:
                j = work.pop()
                queued.discard(j)
                _, sends, config = base[j]
                names = recv[j] if config != -1 else nothing
                hit = resolved.get((id(sends), config, names))
                pairs, own, replies = hit if hit is not None else resolve(sends, config, names)
                t: set[int] = set()
                updates: Sequence[tuple[int, frozenset[str]]] = pairs
                if own or replies:  # a reply goes to each sender (no event sent: no target)
                    updates = [*pairs, (j, own), *((x, replies) for x in (tuple(senders[j]) if replies else ()))]
                for x, evs in updates:
                    if x != j:
                        t.add(x)
                    if x in group:
                        continue
                    grew = False
                    if x not in active:
                        active.add(x)
                        recv[x] = about(x)[0]
                        senders[x] = set(origins[x])
                        grew = True
                    r = recv[x]
                    if not evs <= r:
                        recv[x] = r | evs
                        grew = True
                    if x != j and j not in senders[x]:
                        senders[x].add(j)
                        grew = True
                    if grew and x not in queued:
                        queued.add(x)
                        work.append(x)
                targets[j] = t
            if fifo:
                # FIFO: appending to a non-empty channel leaves its head, hence the delivery from it, unchanged; so
                # only a sender whose channel to the group is empty could enable a new step of the group
                grow = {j for j in active if any((j, a) not in busy for a in targets[j] & group)}
            else:
                grow = {j for j in active if targets[j] & group}
            if not grow:
                found = frozenset(group) if len(group) < m.n else None
                for g in chain:
                    closed[g] = found
                return found
            group |= grow

    def _visible(self, state: State, step: tuple[Any, State], reads: _Reads) -> bool:
        """Whether a step changes what the predicates of ``reads`` read (the acting instance's part, the counts)."""
        label, s2 = step
        m = self.model
        i = label[1]
        l1, l2 = state[0][i], s2[0][i]
        if l1 != l2:
            cs1, cs2 = m.local_values[l1][1], m.local_values[l2][1]
            if (cs1.config ^ cs2.config) & reads.config[i]:
                return True
            fields = reads.field_index[i]
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


def check_options(system: System, *, mode: str, symmetry: bool) -> None:
    """Refuse the combinations partial-order reduction does not support yet, naming the options (any number of
    workers is supported: ``simulate.shard_por``)."""
    if mode != "bfs":
        raise ModelError(f"system {system.name!r}: reduce='por' needs mode='bfs' (its cycle proviso is breadth-first); drop reduce, or use mode='bfs'")
    if symmetry:
        raise ModelError(
            f"system {system.name!r}: reduce='por' together with symmetry is not supported yet: explore with symmetry=False (--no-symmetry), or drop reduce='por'"
        )
