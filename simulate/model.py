"""A System compiled for exploration: compact states, the successor function, symmetry.

The global state is a 3-tuple of small ints and tuples of ints, cheap to hash and store:

* ``locals``: one id per actor instance; each id interns (chart, ChartState, pending timers);
* ``net``: message ids (each interns receiver + event with its sender): an int bitmask (bit m: message m is in the set) for
  an unordered-duplicating network, a sorted tuple (a multiset) for an unordered one, sorted ``((sender, receiver), (ids...))`` channels for FIFO;
* ``budgets``: remaining faults and bounded stimuli.

A step is one macrostep of one actor (``Engine.successors``, the same function the
interpreter uses), memoized per (instance, local id, event): actors revisit the same local
states in many global states, so successor generation is mostly lookups.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, NamedTuple

from statecharts import Chart
from statecharts.actions import SELF
from statecharts.engine import Cancelled, ChartState, Outgoing
from statecharts.errors import ExecutionError, StatechartError
from statecharts.values import Event, FrozenMap, canonical_key, freeze

from . import actor_protocol, network, symmetry
from .determinism import check_deterministic, python_callables
from .protocol import Checks, StepError
from .system import ModelError, System, has_timers

ENV = "env"
"""The sender name of stimuli."""

State = tuple[tuple[int, ...], Any, tuple[int, ...]]


class Label(NamedTuple):
    """What a step did: its kind, the acting instance, and details (interned ids)."""

    kind: str  # "deliver" | "stimulus" | "timer" | "drop" | "duplicate" | "crash"
    actor: int
    detail: Any = None
    alt: int = 0


class _Outcome(NamedTuple):
    local: int
    sends: tuple[tuple[int, int], ...]  # (channel sender, message id)
    taken: tuple[int, ...]
    send_mask: int  # the message ids as a bitmask, for set networks
    chans: tuple[tuple[tuple[int, int], int], ...]  # ((sender, receiver), message id) per send, for FIFO networks


_StimMove = tuple[Any, "int | None", int, tuple[tuple[int, int], ...], int, tuple[tuple[tuple[int, int], int], ...]]
"""A stimulus step of one instance in one local state: label, budget slot, new local id, sends, send mask, FIFO channels."""


class Model:
    """The compiled system: instance tables, interning, successors, canonical forms.

    It implements the explorer's protocol (``simulate.protocol.Explorable``): the stepping and interning are here,
    symmetry in ``simulate.symmetry``, the rest of the protocol (properties, deadlock, fairness, describing steps,
    coverage, checkpoint tables) in ``simulate.actor_protocol``, bound below as methods.
    """

    # symmetry (simulate.symmetry)
    canonical = symmetry.canonical
    uncanonical = symmetry.uncanonical
    apply = symmetry.apply
    inverse = symmetry.inverse
    rename_local = symmetry.rename_local
    rename_msg = symmetry.rename_msg
    rename_label = symmetry.rename_label
    _order_key = symmetry.order_key
    _invariant_under_swaps = symmetry.invariant_under_swaps
    _signature = symmetry.signature
    _anon_perm = symmetry.anon_perm
    _rename_map = symmetry.rename_map
    # the network (simulate.network)
    _add = network.add
    deliverable = network.deliverable
    count_messages = network.count_messages
    has_message = network.has_message
    _flags = network.flags
    _duplicated = network.duplicated
    _dropped = network.dropped
    # the rest of the explorer's protocol (simulate.actor_protocol)
    checks = actor_protocol.checks
    at_rest = actor_protocol.at_rest
    deadlock_text = actor_protocol.deadlock_text
    fair_key = actor_protocol.fair_key
    describe_label = actor_protocol.describe_label
    error_text = actor_protocol.error_text
    describe_trace = actor_protocol.describe_trace
    describe_failure = actor_protocol.describe_failure
    node_attributes = actor_protocol.node_attributes
    start_notes = actor_protocol.start_notes
    covered = actor_protocol.covered
    coverage = actor_protocol.coverage
    signature = actor_protocol.signature
    tables = actor_protocol.tables
    restore_tables = actor_protocol.restore_tables
    to_json = actor_protocol.to_json
    from_json = actor_protocol.from_json

    @property
    def name(self) -> str:
        """The system's name."""
        return self.system.name

    @property
    def symmetric(self) -> bool:
        """Whether symmetry reduction renames instances (some ``count=`` group is interchangeable)."""
        return bool(self.sym_groups)

    def __init__(self, system: System) -> None:
        self.system = system
        self.names: list[str] = []
        self.charts: list[Chart] = []
        self.actor_of: list[Any] = []
        self.groups: dict[str, list[int]] = {}
        self.group_of: list[str] = []
        self.index_of: dict[str, int] = {}
        for a in system.actors:
            self.groups[a.name] = []
            for k, nm in enumerate(a.instance_names()):
                i = len(self.names)
                self.names.append(nm)
                self.charts.append(a.chart)
                self.actor_of.append(a)
                self.groups[a.name].append(i)
                self.group_of.append(a.name)
                self.index_of[nm] = i
                _ = k
        self.n = len(self.names)
        self.chart_no: list[int] = []
        charts_seen: dict[int, int] = {}
        for ch in self.charts:
            self.chart_no.append(charts_seen.setdefault(id(ch), len(charts_seen)))
        self.network = system.network
        # interning tables
        self.local_ids: dict[tuple[int, ChartState, frozenset[tuple[str | None, Event]]], int] = {}
        self.local_values: list[tuple[int, ChartState, frozenset[tuple[str | None, Event]]]] = []
        self.msg_ids: dict[tuple[int, Event], int] = {}
        self.msg_values: list[tuple[int, Event]] = []
        self.generation = 0
        """How many times ``restore_interned`` replaced the interning tables (caches by id outside compare it)."""
        self._count_flags: dict[tuple[str | None, int | None], list[bool]] = {}
        self._memo: dict[tuple[int, int, Event], list[_Outcome] | BaseException] = {}
        calls = {id(c): bool(python_callables(c)) for c in self.charts}
        self._calls_python = [calls[id(c)] for c in self.charts]
        self._dmemo: dict[tuple[int, int], list[_Outcome] | BaseException] = {}
        # successor caches indexed by message id (then keyed by local id): a list index and an int key are cheaper
        # than a tuple key in the hot loop; ``intern_msg`` grows them
        self._set_moves: list[dict[int, list[tuple[Any, int, int]]]] = []
        self._queue_moves: list[dict[int, list[_Outcome]]] = []
        self._members_cache: dict[int, tuple[int, ...]] = {}
        self.dest_of: list[int] = []
        self._stim_moves: list[dict[int, list[_StimMove]]] = [{} for _ in range(self.n)]
        # budgets layout
        self.stimuli = list(system.stimuli)
        layout: list[tuple[str, Any]] = [("drop", None), ("duplicate", None)]
        initial_budgets = [system.faults.drop, system.faults.duplicate]
        self.crash_slot: dict[str, int] = {}
        for a in system.actors:
            budget = system.faults.crash.get(a.name, 0) + a.crash
            if budget:
                self.crash_slot[a.name] = len(layout)
                layout.append(("crash", a.name))
                initial_budgets.append(budget)
        self.stim_targets: list[list[int]] = []
        self.stim_slot: dict[tuple[int, int], int] = {}
        self.stim_events: list[list[Event]] = []
        for k, st in enumerate(self.stimuli):
            targets = self._targets_of(st.target)
            self.stim_targets.append(targets)
            self.stim_events.append([Event(st.event, freeze(dict(d)) if d else FrozenMap(), ENV) for d in st.alternatives()])
            if st.max is not None:
                for i in targets:
                    self.stim_slot[(k, i)] = len(layout)
                    layout.append(("stimulus", (k, i)))
                    initial_budgets.append(st.max)
        self.stim_entries: list[tuple[int, int, int, int | None, Event]] = [
            (k, d, i, self.stim_slot.get((k, i)), ev)
            for k, targets in enumerate(self.stim_targets)
            for i in targets
            for d, ev in enumerate(self.stim_events[k])
        ]
        self.stim_instances = sorted({i for _, _, i, _, _ in self.stim_entries})
        self.has_timers = any(has_timers(a.chart) for a in system.actors)
        self.budget_layout = layout
        self.initial_budgets = tuple(initial_budgets)
        # symmetry
        self.sym_groups: list[list[int]] = []
        if system.symmetry:
            self.sym_groups = [idx for g, idx in self.groups.items() if len(idx) > 1 and self._group_count(g) is not None]
        self._checks: Checks | None = None  # the compiled properties (ActorProtocol.checks)
        self._rename_local_cache: dict[tuple[int, tuple[int, ...]], int] = {}
        self._rename_msg_cache: dict[tuple[int, tuple[int, ...]], int] = {}

    def _group_count(self, group: str) -> int | None:
        for a in self.system.actors:
            if a.name == group:
                return a.count
        return None

    def _targets_of(self, target: str) -> list[int]:
        if target in self.groups:
            return list(self.groups[target])
        if target in self.index_of:
            return [self.index_of[target]]
        raise ModelError(f"unknown actor {target!r}")

    # ------------------------------------------------------------------ lookups used by predicates

    def instance_index(self, name: str) -> int:
        """The position of an instance by name (KeyError if unknown)."""
        return self.index_of[name]

    def group_indices(self, group: str) -> list[int]:
        return self.groups[group]

    def unique_charts(self) -> list[Chart]:
        seen: dict[int, Chart] = {}
        for ch in self.charts:
            seen.setdefault(id(ch), ch)
        return list(seen.values())

    def chart_state(self, state: State, i: int) -> ChartState:
        return self.local_values[state[0][i]][1]

    def timers(self, state: State, i: int) -> frozenset[tuple[str | None, Event]]:
        return self.local_values[state[0][i]][2]

    def in_state(self, state: State, i: int, state_id: str) -> bool:
        return bool(self.chart_state(state, i).config & self.charts[i].engine.state_mask(state_id))

    def field(self, state: State, i: int, name: str) -> Any:
        return self.chart_state(state, i).context[self.charts[i].engine.fields[name]]

    def is_final(self, state: State, i: int) -> bool:
        return self.charts[i].is_final(self.chart_state(state, i))

    def message_ids(self, state: State) -> list[int]:
        """Every message id in flight (with repetition for multisets and channels)."""
        net = state[1]
        if self.network == "fifo":
            return [m for _, msgs in net for m in msgs]
        if self.network == "unordered-duplicating":
            return list(self.members(net))
        return list(net)

    def members(self, mask: int) -> tuple[int, ...]:
        """The message ids in a set network's bitmask, ascending (cached)."""
        hit = self._members_cache.get(mask)
        if hit is None:
            out = []
            rest = mask
            while rest:
                low = rest & -rest
                out.append(low.bit_length() - 1)
                rest ^= low
            hit = tuple(out)
            if len(self._members_cache) < 1_000_000:
                self._members_cache[mask] = hit
        return hit

    def messages_of(self, state: State) -> list[tuple[int, Event]]:
        return [self.msg_values[m] for m in self.message_ids(state)]

    # ------------------------------------------------------------------ interning

    def intern_local(self, i: int, cs: ChartState, timers: frozenset[tuple[str | None, Event]]) -> int:
        key = (self.chart_no[i], cs, timers)
        lid = self.local_ids.get(key)
        if lid is None:
            lid = self.local_ids[key] = len(self.local_values)
            self.local_values.append(key)
        return lid

    def intern_msg(self, dest: int, ev: Event) -> int:
        key = (dest, ev)
        mid = self.msg_ids.get(key)
        if mid is None:
            mid = self.msg_ids[key] = len(self.msg_values)
            self.msg_values.append(key)
            self.dest_of.append(dest)
            self._set_moves.append({})
            self._queue_moves.append({})
        return mid

    def restore_interned(self, local_values: Sequence[Any], msg_values: Sequence[tuple[int, Event]]) -> None:
        """Replace the interning tables (a resumed checkpoint's), so that its states' numbers mean what they meant."""
        self.local_values[:] = local_values
        self.local_ids.clear()
        self.local_ids.update((v, i) for i, v in enumerate(local_values))
        self.msg_values[:] = msg_values
        self.msg_ids.clear()
        self.msg_ids.update((v, i) for i, v in enumerate(msg_values))
        self.dest_of[:] = [d for d, _ in msg_values]
        self.generation += 1
        for cache in (self._memo, self._dmemo, self._count_flags, self._rename_local_cache, self._rename_msg_cache):
            cache.clear()
        self._set_moves[:] = [{} for _ in msg_values]
        self._queue_moves[:] = [{} for _ in msg_values]
        self._stim_moves[:] = [{} for _ in range(self.n)]

    # ------------------------------------------------------------------ initial states

    def initial_states(self) -> list[State]:
        """Every initial state (more than one when entry actions ``choose``)."""
        per_instance: list[list[_Outcome]] = []
        for i in range(self.n):
            a = self.actor_of[i]
            ctx = a.context_for(self.groups[a.name].index(i))
            try:
                results = self.charts[i].initial_states(ctx)
                if self._calls_python[i]:
                    check_deterministic(self.charts[i], None, None, results, self.charts[i].initial_states(ctx))
            except ExecutionError as e:
                raise ModelError(f"starting actor {self.names[i]!r}: {e}") from e
            outs = []
            for r in results:
                outs.append(self._outcome(i, r.state, frozenset(), r.outputs, r.taken))
            per_instance.append(outs)
        states: list[State] = []
        for combo in itertools.product(*per_instance):
            locals_ = tuple(o.local for o in combo)
            net = self._empty_net()
            sends = [s for o in combo for s in o.sends]
            net = self._add(net, sends)
            states.append((locals_, net, self.initial_budgets))
        return states

    def _empty_net(self) -> Any:
        if self.network == "unordered-duplicating":
            return 0
        return ()

    # ------------------------------------------------------------------ macrosteps

    def _outcome(
        self, i: int, cs: ChartState, timers: frozenset[tuple[str | None, Event]], outputs: Sequence[Outgoing | Cancelled], taken: tuple[int, ...]
    ) -> _Outcome:
        sends: list[tuple[int, int]] = []
        me = self.names[i]
        for out in outputs:
            if isinstance(out, Cancelled):
                timers = frozenset(t for t in timers if t[0] != out.send_id)
                continue
            ev = Event(out.event.name, out.event.data, me)
            if out.target == SELF:
                if out.delay is not None:
                    timers = timers | {(out.send_id, ev)}
                else:
                    sends.append((i, self.intern_msg(i, ev)))
                continue
            for d in self._resolve(out.target, out.broadcast, me):
                sends.append((i, self.intern_msg(d, ev)))
        mask = 0
        for _, m in sends:
            mask |= 1 << m
        dest_of = self.dest_of
        chans = tuple(((s, dest_of[m]), m) for s, m in sends)
        return _Outcome(self.intern_local(i, cs, timers), tuple(sends), taken, mask, chans)

    def _resolve(self, target: str, broadcast: bool, me: str) -> list[int]:
        if broadcast:
            if target in self.groups:
                return list(self.groups[target])
        if target in self.index_of:
            return [self.index_of[target]]
        if target in self.groups and len(self.groups[target]) == 1:
            return list(self.groups[target])
        if target in self.groups:
            raise StatechartError(f"{me} sent to group {target!r} without an index: use send_to({target!r}, i, ...) or broadcast()")
        raise StatechartError(f"{me} sent to missing actor or instance {target!r} (instances: {', '.join(self.names)})")

    def macrostep(self, i: int, lid: int, ev: Event) -> list[_Outcome]:
        """Every outcome of instance ``i`` in local state ``lid`` processing ``ev`` (memoized)."""
        key = (i, lid, ev)
        hit = self._memo.get(key)
        if hit is None:
            _, cs, timers = self.local_values[lid]
            try:
                results = self.charts[i].successors(cs, ev)
                if self._calls_python[i]:  # a memo entry is made once: compute it twice to catch a random callable
                    check_deterministic(self.charts[i], cs, ev, results, self.charts[i].successors(cs, ev))
                hit = [self._outcome(i, r.state, timers, r.outputs, r.taken) for r in results]
            except StatechartError as e:
                hit = e
            self._memo[key] = hit
        if isinstance(hit, BaseException):
            raise hit
        return hit

    # ------------------------------------------------------------------ successors

    def _stimulus_moves(self, i: int, lid: int) -> list[_StimMove]:
        """The stimulus steps instance ``i`` can take in local state ``lid`` (those taking a transition): (label, budget
        slot, new local id, and the outcome's sends, send mask and FIFO channels), flat for the successor loop."""
        moves = []
        for k, d, j, slot, ev in self.stim_entries:
            if j != i:
                continue
            try:
                outcomes = self.macrostep(i, lid, ev)
            except StatechartError as e:
                raise StepError(Label("stimulus", i, (k, d)), e) from e
            for alt, o in enumerate(outcomes):
                if o.taken:
                    moves.append((("stimulus", i, (k, d), alt), slot, o.local, o.sends, o.send_mask, o.chans))
        self._stim_moves[i][lid] = moves
        return moves

    def _set_delivery_moves(self, dest: int, lid: int, m: int) -> list[tuple[Any, int, int]]:
        """For a set network: the steps delivering ``m`` in local state ``lid`` (those taking a transition)."""
        moves = [(("deliver", dest, m, alt), o.local, o.send_mask) for alt, o in enumerate(self._delivery(lid, m)) if o.taken]
        self._set_moves[m][lid] = moves
        return moves

    def _delivery(self, lid: int, m: int) -> list[_Outcome]:
        """Outcomes of delivering message ``m`` to its receiver in local state ``lid`` (memoized by ints)."""
        key = (lid, m)
        hit = self._dmemo.get(key)
        if hit is None:
            dest, ev = self.msg_values[m]
            try:
                hit = self.macrostep(dest, lid, ev)
            except StatechartError as e:
                hit = e
            self._dmemo[key] = hit
        if isinstance(hit, BaseException):
            raise hit
        return hit

    def successors(self, state: State) -> list[tuple[Any, State]]:
        """Every step from a state, in a fixed order (traces replay by position).

        Labels are plain tuples ``(kind, actor, detail, alt)`` here (``Label(*t)`` names
        them); a step that changes nothing returns ``state`` itself, so callers can skip it
        by identity.
        """
        locals_, net, budgets = state
        out: list[tuple[Any, State]] = []
        append = out.append
        kind = self.network
        set_net = kind == "unordered-duplicating"
        fifo = kind == "fifo"
        # deliveries; a changed tuple of local ids is built as a list (one copy instead of three slices)
        if set_net:
            # a set network keeps every message: only deliveries that take a transition are steps
            set_moves = self._set_moves
            dest_of = self.dest_of
            members = self._members_cache.get(net)
            for m in self.members(net) if members is None else members:
                dest = dest_of[m]
                lid = locals_[dest]
                moves = set_moves[m].get(lid)
                if moves is None:
                    try:
                        moves = self._set_delivery_moves(dest, lid, m)
                    except StatechartError as e:
                        raise StepError(Label("deliver", dest, m), e) from e
                for label, nl, send_mask in moves:
                    if nl == lid:
                        new_locals = locals_
                    else:
                        ll = list(locals_)
                        ll[dest] = nl
                        new_locals = tuple(ll)
                    net3 = net | send_mask if send_mask & ~net else net
                    if new_locals is locals_ and net3 is net:
                        append((label, state))
                    else:
                        append((label, (new_locals, net3, budgets)))
        elif fifo:
            # FIFO: the head of each channel (channels sorted, none empty)
            queue_moves = self._queue_moves
            dest_of = self.dest_of
            for k, (key, msgs) in enumerate(net):
                m = msgs[0]
                dest = dest_of[m]
                lid = locals_[dest]
                outcomes = queue_moves[m].get(lid)
                if outcomes is None:
                    try:
                        outcomes = queue_moves[m][lid] = self._delivery(lid, m)
                    except StatechartError as e:
                        raise StepError(Label("deliver", dest, m), e) from e
                nl2 = list(net)
                if len(msgs) > 1:
                    nl2[k] = (key, msgs[1:])
                else:
                    del nl2[k]
                net2 = tuple(nl2)
                for alt, o in enumerate(outcomes):
                    nl = o.local
                    if nl == lid:
                        new_locals = locals_
                    else:
                        ll = list(locals_)
                        ll[dest] = nl
                        new_locals = tuple(ll)
                    append((("deliver", dest, m, alt), (new_locals, network.append_fifo(net2, o.chans) if o.chans else net2, budgets)))
        else:
            add = self._add
            dmemo = self._dmemo
            msg_values = self.msg_values
            for m, net2, _consumed in self.deliverable(net):
                dest = msg_values[m][0]
                lid = locals_[dest]
                outcomes = dmemo.get((lid, m))
                if outcomes is None or isinstance(outcomes, BaseException):
                    try:
                        outcomes = self._delivery(lid, m)
                    except StatechartError as e:
                        raise StepError(Label("deliver", dest, m), e) from e
                for alt, o in enumerate(outcomes):
                    nl = o.local
                    new_locals = locals_ if nl == lid else locals_[:dest] + (nl,) + locals_[dest + 1 :]
                    net3 = add(net2, o.sends) if o.sends else net2
                    append((("deliver", dest, m, alt), (new_locals, net3, budgets)))
        # stimuli: the moves of each instance in its local state are memoized together
        stim_moves = self._stim_moves
        add = self._add
        for i in self.stim_instances:
            lid = locals_[i]
            smoves = stim_moves[i].get(lid)
            if smoves is None:
                smoves = self._stimulus_moves(i, lid)
            for label, slot, nl, sends, send_mask, chans in smoves:
                if slot is not None:
                    if budgets[slot] <= 0:
                        continue
                    b2 = budgets[:slot] + (budgets[slot] - 1,) + budgets[slot + 1 :]
                else:
                    b2 = budgets
                if nl == lid:
                    new_locals = locals_
                else:
                    ll = list(locals_)
                    ll[i] = nl
                    new_locals = tuple(ll)
                if not sends:
                    net3 = net
                elif set_net:
                    net3 = net | send_mask if send_mask & ~net else net
                elif fifo:
                    net3 = network.append_fifo(net, chans)
                else:
                    net3 = add(net, sends)
                if new_locals is locals_ and net3 is net and b2 is budgets:
                    append((label, state))
                else:
                    append((label, (new_locals, net3, b2)))
        # timers
        if self.has_timers:
            for i, lid in enumerate(locals_):
                timers = self.local_values[lid][2]
                if not timers:
                    continue
                for t in sorted(timers, key=canonical_key):  # never hash order (sets in event data)
                    _, cs, _ = self.local_values[lid]
                    base = self.intern_local(i, cs, timers - {t})
                    try:
                        outcomes = self.macrostep(i, base, t[1])
                    except StatechartError as e:
                        raise StepError(Label("timer", i, t), e) from e
                    for alt, o in enumerate(outcomes):
                        new_locals = locals_[:i] + (o.local,) + locals_[i + 1 :]
                        out.append((("timer", i, t, alt), (new_locals, add(net, o.sends), budgets)))
        # faults
        if budgets[0] > 0:
            for m, net2 in self._dropped(net):
                out.append((("drop", self.msg_values[m][0], m, 0), (locals_, net2, (budgets[0] - 1, *budgets[1:]))))
        if budgets[1] > 0:
            for m, net2 in self._duplicated(net):
                out.append((("duplicate", self.msg_values[m][0], m, 0), (locals_, net2, (budgets[0], budgets[1] - 1, *budgets[2:]))))
        for gname, slot in self.crash_slot.items():
            if budgets[slot] <= 0:
                continue
            for i in self.groups[gname]:
                for alt, (lid, sends) in enumerate(self._restart(i, locals_[i])):
                    new_locals = locals_[:i] + (lid,) + locals_[i + 1 :]
                    b2 = budgets[:slot] + (budgets[slot] - 1,) + budgets[slot + 1 :]
                    out.append((("crash", i, None, alt), (new_locals, add(net, sends), b2)))
        return out

    def _restart(self, i: int, lid: int) -> list[tuple[int, tuple[tuple[int, int], ...]]]:
        a = self.actor_of[i]
        ctx = dict(a.context_for(self.groups[a.name].index(i)) or {})
        if a.durable:
            cs = self.local_values[lid][1]
            fields = self.charts[i].engine.fields
            for f in a.durable:
                ctx[f] = cs.context[fields[f]]
        results = self.charts[i].initial_states(ctx)
        return [(o.local, o.sends) for o in (self._outcome(i, r.state, frozenset(), r.outputs, r.taken) for r in results)]
