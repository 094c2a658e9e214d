"""Replaying a system trace on the core interpreter: is each step a real behaviour of the unreduced system?

A trace the explorer returns (with or without partial-order reduction) is a list of steps with the explorer's
states. :func:`replay_in_interpreter` runs it again on :class:`statecharts.Interpreter` objects, one per actor
instance, with a network and fault budgets of its own: a delivery sends the message to the receiver's
interpreter, a stimulus sends the environment's event, a timer fires one pending delayed self-send (the
explorer's time is untimed: any pending timer may fire next), a crash starts a fresh interpreter (keeping the
durable fields), a drop or a duplicate changes the network. The interpreter takes the first alternative of a
``choose``; the others are the chart's other outcomes (``Chart.successors``), restored into the interpreter's
snapshot. After each step every instance's chart state
(configuration, context, history), its pending timers, the messages in flight and the budgets must equal the
trace's state, read through the model's tables (a lookup, no stepping); the first step that differs raises
:class:`TraceDivergence` naming it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from statecharts import Chart, Interpreter
from statecharts.actions import SELF
from statecharts.engine import Cancelled, ChartState, Outgoing, StepResult
from statecharts.errors import StatechartError
from statecharts.interpreter import Pending, Snapshot
from statecharts.values import Event

from .actor_protocol import _event_text
from .model import Model
from .result import Result, Step, Trace

__all__ = ["Replayed", "TraceDivergence", "TraceUnsupported", "replay_in_interpreter"]


class TraceDivergence(StatechartError):
    """The interpreter cannot follow a trace: the message names the first step that differs, and how."""

    def __init__(self, step: Step | None, detail: str) -> None:
        where = "the initial state" if step is None or step.kind == "init" else f"step {step.summary()}"
        super().__init__(f"the trace diverges at {where}: {detail}")
        self.step = step
        self.detail = detail


class TraceUnsupported(StatechartError):
    """The system or trace has parts the interpreter cannot replay (the message names them)."""


class _Msg(NamedTuple):
    """A message in flight: the sending instance (the FIFO channel's source), the receiver, the event (with its origin)."""

    src: int
    dest: int
    event: Event


@dataclass(frozen=True)
class _World:
    """Everything the replay holds between steps, as immutable values (a candidate step is tried on a copy)."""

    snaps: tuple[Snapshot, ...]
    net: tuple[_Msg, ...]
    budgets: tuple[int, ...]


@dataclass
class Replayed:
    """A trace the interpreter followed to its end: how many steps, and the interpreters in the final state."""

    steps: int
    interpreters: dict[str, Interpreter]
    failed: bool = False
    """Whether the trace ends in a step where user code raised (and the interpreter raised there too)."""


def replay_in_interpreter(source: Result | Model, trace: Trace | None = None) -> Replayed:
    """Replay ``trace`` (default: the result's counterexample) on one interpreter per instance, checking every state.

    ``source`` is the exploration result the trace came from (or its ``Model``): its tables read the trace's states.
    Raises :class:`TraceDivergence` at the first step the interpreter cannot take or that ends elsewhere (and at the end
    of a lasso whose cycle does not close), :class:`TraceUnsupported` for a trace without states or a model that is not
    a System's.
    """
    model = source.model if isinstance(source, Result) else source
    if not isinstance(model, Model):
        raise TraceUnsupported("replay_in_interpreter replays the traces of a System's exploration (its result has no actor model)")
    if trace is None:
        if not isinstance(source, Result) or source.counterexample is None:
            raise TraceUnsupported("no trace given, and the result has no counterexample")
        trace = source.counterexample
    return _Replay(model).run(trace)


class _Replay:
    """The interpreters, the network rules and the budgets of one system."""

    def __init__(self, model: Model) -> None:
        self.m = model
        self.interps = [Interpreter(model.charts[i], context=self._context(i)) for i in range(model.n)]
        self.slot = {entry: k for k, entry in enumerate(model.budget_layout)}

    def _context(self, i: int, durable: dict[str, Any] | None = None) -> dict[str, Any]:
        a = self.m.actor_of[i]
        ctx = dict(a.context_for(self.m.groups[a.name].index(i)) or {})
        ctx.update(durable or {})
        return ctx

    # ------------------------------------------------------------------ running

    def run(self, trace: Trace) -> Replayed:
        steps = trace.steps
        if not steps or steps[0].kind != "init":
            raise TraceUnsupported("a trace starts with its initial state")
        world = self._start(steps[0].state)
        failed = False
        for k, step in enumerate(steps[1:], start=1):
            if step.state is None:
                raise TraceUnsupported(f"step {step.summary()} has no state to compare with")
            last = k == len(steps) - 1
            if last and step.state == steps[k - 1].state and not step.changes:
                self._expect_failure(world, step)  # a trace ending where user code raised (an ``error`` verdict)
                failed = True
                break
            world = self._follow(world, step)
        if trace.loop_start is not None and not failed:  # a lasso: the last state is the one where the cycle starts
            back = steps[trace.loop_start]
            if back.state is not None and (diff := self._difference(world, back.state)) is not None:
                raise TraceDivergence(steps[-1], f"the cycle does not close at step {back.index}: {diff}")
        for i, snap in enumerate(world.snaps):
            self.interps[i].restore(snap)
        return Replayed(len(steps) - 1, dict(zip(self.m.names, self.interps)), failed)

    def _start(self, first: Any) -> _World:
        """The initial world: each instance's start (the alternatives of ``choose``: the one matching the trace)."""
        worlds = [_World((), (), self.m.initial_budgets)]
        for i in range(self.m.n):
            ctx = self._context(i)
            worlds = [_World((*w.snaps, snap), tuple(net), w.budgets) for w in worlds for net, snap in self._started(i, ctx, w.net)]
        if first is None:
            return worlds[0]
        problems = []
        for w in worlds:
            diff = self._difference(w, first)
            if diff is None:
                return w
            problems.append(diff)
        raise TraceDivergence(None, "; ".join(dict.fromkeys(problems)))

    def _follow(self, world: _World, step: Step) -> _World:
        """The world after ``step``: the candidates its text allows, the first that ends in the trace's state."""
        candidates = self._candidates(world, step)
        if not candidates:
            raise TraceDivergence(step, self._why_not(world, step))
        problems = []
        for attempt in candidates:
            try:
                outcomes = attempt()
            except StatechartError as e:
                problems.append(f"the interpreter raised {type(e).__name__}: {e}")
                continue
            for after in outcomes:
                if after is None:
                    problems.append("the event takes no transition, so it is no step")
                    continue
                diff = self._difference(after, step.state)
                if diff is None:
                    return after
                problems.append(diff)
        raise TraceDivergence(step, "; ".join(dict.fromkeys(problems)))

    def _expect_failure(self, world: _World, step: Step) -> None:
        for attempt in self._candidates(world, step):
            try:
                attempt()
            except StatechartError:
                return
        raise TraceDivergence(step, "the trace ends in a failing step, but the interpreter takes it without an error")

    # ------------------------------------------------------------------ the steps

    def _candidates(self, world: _World, step: Step) -> list[Any]:
        """Thunks, one per way the step's text can be read in ``world`` (identical messages count once)."""
        m = self.m
        if step.actor not in m.index_of:
            return []
        i = m.index_of[step.actor]
        out: list[Any] = []
        if step.kind in ("deliver", "drop", "duplicate"):
            seen: set[tuple[int, Event]] = set()
            for pos in self._heads(world.net):
                msg = world.net[pos]
                if msg.dest != i or _event_text(msg.event) != step.text or (msg.src, msg.event) in seen:
                    continue
                seen.add((msg.src, msg.event))
                if step.kind == "deliver":
                    out.append(lambda pos=pos: self._deliver(world, pos))
                elif step.kind == "drop":
                    out.append(lambda pos=pos: self._drop(world, pos))
                elif m.network != "unordered-duplicating":
                    out.append(lambda pos=pos: self._duplicate(world, pos))
        elif step.kind == "stimulus":
            for k, targets in enumerate(m.stim_targets):
                if i not in targets:
                    continue
                for ev in m.stim_events[k]:
                    if _event_text(ev) == step.text:
                        out.append(lambda k=k, ev=ev: self._stimulus(world, i, k, ev))
        elif step.kind == "timer":
            for p in sorted(world.snaps[i].pending, key=lambda p: p.seq):
                if p.event.name == step.text:
                    out.append(lambda p=p: self._timer(world, i, p))
        elif step.kind == "crash":
            out.append(lambda: self._crash(world, i))
        return out

    def _heads(self, net: tuple[_Msg, ...]) -> list[int]:
        """Positions of the messages a step may take: every one, or on FIFO the oldest of each channel."""
        if self.m.network != "fifo":
            return list(range(len(net)))
        heads: dict[tuple[int, int], int] = {}
        for pos, msg in enumerate(net):
            heads.setdefault((msg.src, msg.dest), pos)
        return sorted(heads.values())

    def _macrostep(self, world: _World, i: int, ev: Event, snap: Snapshot | None = None) -> list[tuple[list[Snapshot], list[_Msg], StepResult]]:
        """Instance ``i`` takes ``ev``: the interpreter's outcome, then (for a chart with ``choose``) the chart's other
        alternatives, each restored into the interpreter's snapshot."""
        interp = self.interps[i]
        before = world.snaps[i] if snap is None else snap
        interp.restore(before)
        result = interp.send(ev)
        interp.outbox.clear()
        outcomes = [(interp.snapshot(), result, True)]
        if self.m.charts[i].engine.has_choose:
            outcomes += [(before._replace(state=r.state), r, False) for r in self.m.charts[i].successors(before.state, ev)[1:]]
        out = []
        for after, res, queued in outcomes:
            net = list(world.net)
            snaps = list(world.snaps)
            snaps[i] = self._absorb(i, after, before.seq, res, net, queued)
            out.append((snaps, net, res))
        return out

    def _deliver(self, world: _World, pos: int) -> list[_World | None]:
        msg = world.net[pos]
        keep = self.m.network == "unordered-duplicating"
        rest = world if keep else _World(world.snaps, world.net[:pos] + world.net[pos + 1 :], world.budgets)
        out: list[_World | None] = []
        for snaps, net, result in self._macrostep(rest, msg.dest, msg.event):
            if keep and not result.taken:
                out.append(None)  # a set network keeps its messages: a delivery that takes no transition is no step
            else:
                out.append(_World(tuple(snaps), tuple(_dedupe(net) if keep else net), world.budgets))
        return out

    def _stimulus(self, world: _World, i: int, k: int, ev: Event) -> list[_World | None]:
        budgets = world.budgets
        if self.m.stimuli[k].max is not None:
            budgets = self._spend(budgets, ("stimulus", (k, i)))
        # the explorer's stimulus steps are those that take a transition
        return [_World(tuple(snaps), tuple(self._set(net)), budgets) if result.taken else None for snaps, net, result in self._macrostep(world, i, ev)]

    def _timer(self, world: _World, i: int, p: Any) -> list[_World | None]:
        snap = world.snaps[i]
        without = snap._replace(pending=tuple(q for q in snap.pending if q is not p))
        outcomes = self._macrostep(world, i, Event(p.event.name, p.event.data, self.m.names[i]), without)
        return [_World(tuple(snaps), tuple(self._set(net)), world.budgets) for snaps, net, _ in outcomes]

    def _crash(self, world: _World, i: int) -> list[_World | None]:
        a = self.m.actor_of[i]
        budgets = self._spend(world.budgets, ("crash", a.name))
        old = self.m.charts[i].context_of(world.snaps[i].state)
        ctx = self._context(i, {f: old[f] for f in a.durable})
        out: list[_World | None] = []
        for net, snap in self._started(i, ctx, world.net):
            snaps = list(world.snaps)
            snaps[i] = snap
            out.append(_World(tuple(snaps), tuple(net), budgets))
        return out

    def _started(self, i: int, ctx: dict[str, Any], net0: Sequence[_Msg]) -> list[tuple[list[_Msg], Snapshot]]:
        """A fresh interpreter for instance ``i`` (its start; with ``choose``, the chart's other starts too)."""
        interp = self.interps[i] = Interpreter(self.m.charts[i], context=ctx)
        interp.outbox.clear()
        first = self.m.charts[i].start(ctx)
        outcomes = [(interp.snapshot(), first, True)]
        if self.m.charts[i].engine.has_choose:
            outcomes += [(Snapshot(r.state), r, False) for r in self.m.charts[i].initial_states(ctx)[1:]]
        out = []
        for snap, res, queued in outcomes:
            net = list(net0)
            snap = self._absorb(i, snap, 0, res, net, queued)
            out.append((self._set(net), snap))
        return out

    def _set(self, net: list[_Msg]) -> list[_Msg]:
        return _dedupe(net) if self.m.network == "unordered-duplicating" else net

    def _drop(self, world: _World, pos: int) -> list[_World | None]:
        return [_World(world.snaps, world.net[:pos] + world.net[pos + 1 :], self._spend(world.budgets, ("drop", None)))]

    def _duplicate(self, world: _World, pos: int) -> list[_World | None]:
        # FIFO: the copy goes first in its channel (delivered next); unordered: one more of the same message
        return [_World(world.snaps, world.net[:pos] + (world.net[pos],) + world.net[pos:], self._spend(world.budgets, ("duplicate", None)))]

    def _spend(self, budgets: tuple[int, ...], entry: tuple[str, Any]) -> tuple[int, ...]:
        k = self.slot[entry]
        if budgets[k] <= 0:
            raise StatechartError(f"no {entry[0]} budget left")
        return budgets[:k] + (budgets[k] - 1,) + budgets[k + 1 :]

    def _absorb(self, i: int, snap: Snapshot, seq: int, result: StepResult, net: list[_Msg], queued: bool) -> Snapshot:
        """Route a macrostep's sends into ``net``; an undelayed self-send is a message, a delayed one a pending timer.

        ``queued``: the interpreter took the step and queued every self-send in ``pending`` (take the undelayed ones
        out); otherwise (another ``choose`` alternative) apply the cancels and queue the delayed ones here, as it does.
        """
        me = self.m.names[i]
        undelayed: set[int] = set()
        pending = list(snap.pending)
        for out in result.outputs:
            if isinstance(out, Cancelled):
                if not queued:
                    pending = [p for p in pending if p.send_id != out.send_id]
                continue
            assert isinstance(out, Outgoing)
            ev = Event(out.event.name, out.event.data, me)
            if out.target == SELF:
                seq += 1
                if out.delay is None:
                    undelayed.add(seq)
                    net.append(_Msg(i, i, ev))
                elif not queued:
                    pending.append(Pending(snap.clock + out.delay, seq, out.event, out.send_id))
                continue
            net.extend(_Msg(i, d, ev) for d in self._resolve(out.target, out.broadcast, me))
        return snap._replace(pending=tuple(p for p in pending if p.seq not in undelayed), seq=seq)

    def _resolve(self, target: str, broadcast: bool, me: str) -> list[int]:
        groups, index_of = self.m.groups, self.m.index_of
        if broadcast and target in groups:
            return list(groups[target])
        if target in index_of:
            return [index_of[target]]
        if target in groups and len(groups[target]) == 1:
            return list(groups[target])
        raise StatechartError(f"{me} sent to {target!r}, which names no single instance")

    # ------------------------------------------------------------------ comparing

    def _difference(self, world: _World, state: Any) -> str | None:
        """What differs between the replayed world and an explorer state (None: nothing)."""
        m = self.m
        for i in range(m.n):
            ours: ChartState = world.snaps[i].state
            theirs = m.chart_state(state, i)
            if ours != theirs:
                return f"{m.names[i]} is {_describe(m.charts[i], ours)} in the interpreter, {_describe(m.charts[i], theirs)} in the trace"
            timers = {(p.send_id, Event(p.event.name, p.event.data, m.names[i])) for p in world.snaps[i].pending}
            if timers != set(m.timers(state, i)):
                return f"{m.names[i]}'s pending timers are {_timer_text(timers)} in the interpreter, {_timer_text(m.timers(state, i))} in the trace"
        ours_net, theirs_net = self._net_form(world.net), self._trace_net(state)
        if ours_net != theirs_net:
            return f"in flight: {_net_text(m, ours_net)} in the interpreter, {_net_text(m, theirs_net)} in the trace"
        if world.budgets != tuple(state[2]):
            names = [f"{kind} {what}" if what is not None else kind for kind, what in m.budget_layout]
            diff = [f"{n}: {a} vs {b}" for n, a, b in zip(names, world.budgets, state[2]) if a != b]
            return f"budgets left differ ({', '.join(diff)})"
        return None

    def _net_form(self, net: Sequence[_Msg]) -> Any:
        if self.m.network == "fifo":
            chans: dict[tuple[int, int], list[Event]] = {}
            for msg in net:
                chans.setdefault((msg.src, msg.dest), []).append(msg.event)
            return {k: tuple(v) for k, v in chans.items()}
        counts = Counter((msg.dest, msg.event) for msg in net)
        return set(counts) if self.m.network == "unordered-duplicating" else counts

    def _trace_net(self, state: Any) -> Any:
        m = self.m
        if m.network == "fifo":
            return {chan: tuple(m.msg_values[x][1] for x in ids) for chan, ids in state[1] if ids}
        counts = Counter(m.messages_of(state))
        return set(counts) if m.network == "unordered-duplicating" else counts

    def _why_not(self, world: _World, step: Step) -> str:
        if step.kind in ("deliver", "drop", "duplicate"):
            return f"no message {step.text!r} to {step.actor} can be taken (in flight: {_net_text(self.m, self._net_form(world.net))})"
        if step.kind == "timer":
            return f"{step.actor} has no pending timer {step.text!r}"
        if step.kind == "stimulus":
            return f"no stimulus {step.text!r} is declared for {step.actor}"
        return f"the interpreter has no step {step.kind!r} for {step.actor!r}"


def _dedupe(net: Sequence[_Msg]) -> list[_Msg]:
    """A set network holds each message once."""
    seen: set[tuple[int, Event]] = set()
    out = []
    for msg in net:
        if (msg.dest, msg.event) not in seen:
            seen.add((msg.dest, msg.event))
            out.append(msg)
    return out


def _describe(chart: Chart, cs: ChartState) -> str:
    return f"in {'/'.join(chart.leaves(cs))} with {chart.context_of(cs)}"


def _timer_text(timers: Any) -> str:
    return "{" + ", ".join(sorted(f"{ev.name}#{sid}" for sid, ev in timers)) + "}"


def _net_text(m: Model, net: Any) -> str:
    if isinstance(net, dict) and not isinstance(net, Counter):
        items = [f"{m.names[s]}->{m.names[d]}:{ev.name}" for (s, d), evs in sorted(net.items()) for ev in evs]
    else:
        items = sorted(f"{ev.origin or '?'}->{m.names[d]}:{ev.name}" for d, ev in (net.elements() if isinstance(net, Counter) else net))
    return ", ".join(items) or "nothing"
