"""A live interpreter: holds one ChartState value and replaces it, one macrostep per event.

A send to the chart itself is a separate delivery, as in the explorer (one semantics): an
undelayed self-send waits in ``pending``, due now, until ``deliver()`` (the oldest one),
``settle()`` (all, in order) or ``advance(ms)`` delivers it; an event sent meanwhile overtakes
it. Time is virtual: delayed self-sends (``after`` timers, SCXML ``<send delay>``) wait until
``advance(ms)`` moves the clock past them. The whole
interpreter state (chart state, clock, pending delayed events) is a hashable ``Snapshot``
that ``restore`` takes back, so a snapshot costs nothing and can be kept forever.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from .actions import SELF
from .chart import Chart
from .engine import Cancelled, ChartState, Outgoing, StepResult
from .errors import StatechartError, UnknownEventError
from .events import checked_event
from .values import Event

_tnew = tuple.__new__


class Pending(NamedTuple):
    """A delayed event waiting for the virtual clock: due time, order of sending, the event, its id."""

    due: int
    seq: int
    event: Event
    send_id: str | None


class Snapshot(NamedTuple):
    """Everything an interpreter holds, as one immutable value."""

    state: ChartState
    clock: int = 0
    pending: tuple[Pending, ...] = ()
    seq: int = 0


class _Effects:
    """What a macrostep produced for the outside world, kept aside until it succeeds."""

    __slots__ = ("logs", "outbox")

    def __init__(self) -> None:
        self.outbox: list[Outgoing] = []
        self.logs: list[tuple[str, Any]] = []


class Interpreter:
    """Runs a chart: ``send`` events, read ``configuration`` / ``context``, ``snapshot`` / ``restore``.

    ``strict=True`` rejects events that no transition could ever match (otherwise they
    are discarded, as SCXML does). Messages sent to other actors collect in ``outbox``.
    """

    def __init__(
        self,
        chart: Chart,
        *,
        context: Mapping[str, Any] | None = None,
        strict: bool = False,
        on_log: Callable[[str, Any], None] | None = None,
    ) -> None:
        self.chart = chart
        self._step = chart.engine.step
        self._plain_events: dict[str, Event] = {}
        self.strict = strict
        self.on_log = on_log
        self.outbox: list[Outgoing] = []
        self.logs: list[tuple[str, Any]] = []
        self._snap = Snapshot(ChartState(0, ()))
        first = chart.start(context)
        out = _Effects()
        self._commit(self._absorb(Snapshot(first.state), first, out), out)

    # -- reading

    @property
    def state(self) -> ChartState:
        """The current chart state (configuration bitmask, context, history): a hashable value."""
        return self._snap.state

    @property
    def configuration(self) -> tuple[str, ...]:
        """Active state ids, document order."""
        return self.chart.configuration(self._snap.state)

    @property
    def leaves(self) -> tuple[str, ...]:
        """Active atomic state ids, document order."""
        return self.chart.leaves(self._snap.state)

    @property
    def context(self) -> dict[str, Any]:
        """The context as a dict (a copy)."""
        return self.chart.context_of(self._snap.state)

    @property
    def is_final(self) -> bool:
        """Whether a top-level final state was reached."""
        return self.chart.is_final(self._snap.state)

    @property
    def clock(self) -> int:
        """The virtual time in milliseconds."""
        return self._snap.clock

    @property
    def pending(self) -> tuple[Pending, ...]:
        """Delayed events not yet due."""
        return self._snap.pending

    def is_active(self, state_id: str) -> bool:
        """Whether the state with this id is active."""
        return state_id in self.configuration

    # -- snapshots

    def snapshot(self) -> Snapshot:
        """The whole interpreter state as an immutable value."""
        return self._snap

    def restore(self, snapshot: Snapshot | ChartState) -> None:
        """Go back to a snapshot (or to a bare chart state, with no pending delayed events)."""
        if isinstance(snapshot, ChartState):
            snapshot = Snapshot(snapshot)
        if not isinstance(snapshot, Snapshot):
            raise StatechartError(f"restore() takes a Snapshot or ChartState, not {type(snapshot).__name__}")
        self._snap = snapshot

    # -- driving

    def send(self, event: str | Event, data: Mapping[str, Any] | None = None, /, **fields: Any) -> StepResult:
        """Process one external event as a macrostep; its self-sends wait in ``pending`` (see ``deliver``).

        On an error in user code the ExecutionError propagates and nothing changes: not the
        state, not the clock, not ``outbox`` or ``logs`` (``on_log`` is not called either).
        """
        if type(event) is Event:
            ev = event
        elif data is None and not fields and type(event) is str:
            ev = self._plain_events.get(event)  # type: ignore[assignment]
            if ev is None:
                ev = self._plain_events[event] = checked_event(event, None, {})
        else:
            ev = checked_event(event, data, fields)
        if self.strict and not self.chart.accepts(ev.name):
            names = ", ".join(self.chart.event_names()) or "none"
            raise UnknownEventError(f"chart {self.chart.name!r} has no transition for event {ev.name!r} (its events: {names})")
        snap = self._snap
        result = self._step(snap.state, ev)
        if not result.outputs and not result.logs:
            # nothing sent, cancelled or logged: the pending queue is as before, and a
            # committed snapshot never holds an event that is already due
            self._snap = _tnew(Snapshot, (result.state, snap.clock, snap.pending, snap.seq))
            return result
        out = _Effects()
        self._commit(self._absorb(self._snap._replace(state=result.state), result, out), out)
        return result

    def deliver(self) -> StepResult | None:
        """Deliver the oldest self-send that is due now (one macrostep); None when none is due.

        An error leaves everything as it was, the event still pending.
        """
        snap = self._snap
        due = [p for p in snap.pending if p.due <= snap.clock]
        if not due:
            return None
        first = min(due)
        result = self.chart.step(snap.state, first.event)
        out = _Effects()
        moved = snap._replace(pending=tuple(p for p in snap.pending if p is not first), state=result.state)
        self._commit(self._absorb(moved, result, out), out)
        return result

    def settle(self, limit: int = 10_000) -> int:
        """Deliver due self-sends, in the order they were sent, until none is due; returns how many.

        A chart that keeps sending to itself raises StatechartError after ``limit`` deliveries.
        """
        for n in range(limit):
            if self.deliver() is None:
                return n
        if self.deliver() is None:
            return limit
        raise StatechartError(f"chart {self.chart.name!r}: still sending to itself after {limit} deliveries (a send loop?)")

    def advance(self, ms: int) -> None:
        """Move the virtual clock forward, delivering delayed events as they fall due.

        Each delivered event is one macrostep, committed when it succeeds. If one raises,
        the error propagates and the interpreter stays at the last good state: after the
        events delivered before it, with the failing event still pending.
        """
        if ms < 0:
            raise StatechartError("advance() takes a non-negative number of milliseconds")
        target = self._snap.clock + ms
        while True:
            snap = self._snap
            due = [p for p in snap.pending if p.due <= target]
            if not due:
                break
            first = min(due)
            rest = tuple(p for p in snap.pending if p is not first)
            result = self.chart.step(snap.state, first.event)
            out = _Effects()
            moved = snap._replace(clock=max(snap.clock, first.due), pending=rest, state=result.state)
            self._commit(self._absorb(moved, result, out), out)
        self._snap = self._snap._replace(clock=target)

    def _commit(self, snap: Snapshot, out: _Effects) -> None:
        """Make a finished macrostep visible."""
        self._snap = snap
        self.outbox.extend(out.outbox)
        for label, value in out.logs:
            self.logs.append((label, value))
            if self.on_log is not None:
                self.on_log(label, value)

    def _absorb(self, snap: Snapshot, result: StepResult, out: _Effects) -> Snapshot:
        """Queue the self-sends of a macrostep, apply its cancels, collect other sends and logs in ``out``."""
        pending = list(snap.pending)
        seq = snap.seq
        for o in result.outputs:
            if isinstance(o, Cancelled):
                pending = [p for p in pending if p.send_id != o.send_id]
            elif o.target == SELF:
                seq += 1
                pending.append(Pending(snap.clock + (o.delay or 0), seq, o.event, o.send_id))
            else:
                out.outbox.append(o)
        out.logs.extend(result.logs)
        return snap._replace(pending=tuple(pending), seq=seq)

    def __repr__(self) -> str:
        return f"Interpreter({self.chart.name!r}, leaves={list(self.leaves)}, context={self.context})"

