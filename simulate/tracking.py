"""Following a real run through the model: the set of model states consistent with what was observed.

Generated tests and trace validation share this one mechanism. An :class:`Entry` says what
an actor did (handled a message, a stimulus or a timer) and, optionally, what was seen
afterwards (its state, context fields, the messages it sent). A :class:`Tracker` keeps every
model state consistent with the entries so far, with a parent link to explain how it got
there, and advances on each entry over the explorer's own step function
(``Model.successors``), allowing a bounded number of unobserved steps in between.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from statecharts.errors import StatechartError
from statecharts.values import EMPTY, freeze

from .model import ENV, Label, Model, State
from .result import Step, Trace
from .steps import changes_between, in_flight_text, new_messages, sent_between
from .system import ModelError, System

ENTRY_KINDS = ("deliver", "stimulus", "timer", "crash", "drop", "duplicate")


class Message(NamedTuple):
    """A message an actor sent: receiver instance, event name and data."""

    to: str
    event: str
    data: Any = EMPTY

    def text(self) -> str:
        return f"{_event_text_of(self.event, self.data)} to {self.to}"


class EntryError(StatechartError):
    """An entry names an unknown actor, kind, state, field or receiver: says which, and what exists."""


class TrackingLimit(StatechartError):
    """The set of model states consistent with the observations grew past the bound: the check is incomplete."""


@dataclass
class Entry:
    """One observed step: ``actor`` handled ``event`` (from ``sender``), and optionally what was seen afterwards.

    ``kind`` is ``deliver``, ``stimulus``, ``timer`` or ``crash`` (None: any of the first
    three, told apart by ``sender``: ``env`` means a stimulus). ``data`` None means not
    recorded; otherwise it must include the model's event data (extra keys are ignored).
    ``state`` names states that must be active afterwards, ``context`` field values, and
    ``sent`` the messages the step sent (None: not recorded).
    """

    actor: str
    event: str | None
    data: Mapping[str, Any] | None = None
    sender: str | None = None
    kind: str | None = None
    state: tuple[str, ...] | None = None
    context: Mapping[str, Any] | None = None
    sent: list[Message] | None = None
    where: str = ""
    """Where the entry came from (``line 7`` of a log, ``step 3`` of a test case): for messages."""

    def describe(self) -> str:
        """``lock: deliver request from client[0]`` with what was observed."""
        kind = self.kind or ("stimulus" if self.sender == ENV else "deliver" if self.sender else "handled")
        text = f"{self.actor}: {kind} {_event_text_of(self.event or '(any)', self.data)}"
        if self.sender and self.sender != ENV:
            text += f" from {self.sender}"
        seen = []
        if self.state is not None:
            seen.append(f"state {'/'.join(self.state) or '-'}")
        if self.context:
            seen.append(", ".join(f"{k}={v!r}" for k, v in self.context.items()))
        if self.sent is not None:
            seen.append("sent " + (", ".join(m.text() for m in self.sent) or "nothing"))
        return text + (f" ({'; '.join(seen)})" if seen else "")


@dataclass(frozen=True)
class Move:
    """One model step as seen from outside: who did what and what it observably produced."""

    kind: str
    actor: str
    event: str
    data: Any
    sender: str | None
    leaves: tuple[str, ...]
    sent: tuple[Message, ...]
    label: tuple[Any, ...]
    state: State = field(repr=False)

    def action(self) -> tuple[str, str, str, Any, str | None]:
        """What a driver performs to take this step: (kind, actor, event, data, sender)."""
        return (self.kind, self.actor, self.event, self.data, self.sender)

    def describe(self) -> str:
        """``lock: deliver request from client[0] -> held, sends grant(token=1) to client[0]``."""
        what = _event_text_of(self.event, self.data) if self.kind != "crash" else "crash and restart"
        src = f" from {self.sender}" if self.sender and self.kind in ("deliver", "drop", "duplicate") else ""
        sent = ", ".join(m.text() for m in self.sent) or "nothing"
        return f"{self.actor}: {self.kind} {what}{src} -> {'/'.join(self.leaves) or '-'}, sends {sent}"


@dataclass
class Node:
    """A model state consistent with the observations, and how it was reached (for the witness trace)."""

    state: State
    parent: Node | None = None
    move: Move | None = None
    logged: bool = True
    entry: int = -1


def _event_text_of(event: str, data: Any) -> str:
    args = ""
    if isinstance(data, Mapping) and data:
        args = "(" + ", ".join(f"{k}={v!r}" for k, v in data.items()) + ")"
    elif data not in (None, EMPTY) and not isinstance(data, Mapping):
        args = f"({data!r})"
    return f"{event}{args}"


def includes(model_data: Any, observed: Any) -> bool:
    """Whether observed data includes the model's: every key of the model's data, equal (extra keys are ignored)."""
    if observed is None:
        return True
    if isinstance(model_data, Mapping):
        if not isinstance(observed, Mapping):
            return False
        return all(k in observed and same(v, observed[k]) for k, v in model_data.items())
    return same(model_data, observed)


def same(model_value: Any, observed: Any) -> bool:
    """Whether an observed (JSON-like) value equals a model value: lists read as tuples, or as sets where the model has a set."""
    if isinstance(model_value, frozenset) and isinstance(observed, (list, tuple, set, frozenset)):
        return model_value == frozenset(freeze(x) for x in observed) or model_value == freeze(observed)
    if isinstance(model_value, tuple) and isinstance(observed, (list, tuple)):
        return len(model_value) == len(observed) and all(same(a, b) for a, b in zip(model_value, observed))
    if isinstance(model_value, Mapping) and isinstance(observed, Mapping):
        return set(model_value) == set(observed) and all(same(v, observed[k]) for k, v in model_value.items())
    return bool(freeze(observed) == model_value)


def sent_matches(model_sent: Sequence[Message], observed: Sequence[Message]) -> bool:
    """Per receiver, the same messages in the same order (data compared with :func:`includes`)."""
    by: dict[str, list[Message]] = {}
    for m in model_sent:
        by.setdefault(m.to, []).append(m)
    seen: dict[str, list[Message]] = {}
    for m in observed:
        seen.setdefault(m.to, []).append(m)
    if set(by) != set(seen):
        return False
    for to, ms in by.items():
        os_ = seen[to]
        if len(ms) != len(os_) or any(a.event != b.event or not includes(a.data, b.data) for a, b in zip(ms, os_)):
            return False
    return True


class Tracker:
    """The model states consistent with a run so far; :meth:`advance` takes one observed entry."""

    def __init__(self, system: System, *, max_states: int = 200_000) -> None:
        saved = system.symmetry
        system.symmetry = False  # names are what the real system reports: never rename instances
        try:
            self.model = Model(system)
        finally:
            system.symmetry = saved
        self.system = system
        self.max_states = max_states
        try:
            initial = self.model.initial_states()
        except StatechartError as e:
            raise ModelError(f"system {system.name!r}: cannot start: {e}") from None
        self.frontier: dict[State, Node] = {}
        for s in initial:
            self.frontier.setdefault(s, Node(s))
        self.matched = 0
        self._moves: dict[State, list[Move]] = {}
        self.closure: dict[State, Node] = dict(self.frontier)
        """After a failed :meth:`advance`: every state the entry could have been taken from."""

    # ------------------------------------------------------------------ checking names

    def check_entry(self, entry: Entry) -> None:
        """Reject an entry naming an unknown actor, kind, state or context field (an EntryError naming it)."""
        m = self.model
        where = f"{entry.where}: " if entry.where else ""
        if entry.actor not in m.index_of:
            raise EntryError(f"{where}unknown actor {entry.actor!r} (instances: {', '.join(m.names)})")
        if entry.kind is not None and entry.kind not in ENTRY_KINDS:
            raise EntryError(f"{where}kind {entry.kind!r}: use one of deliver, stimulus, timer, crash")
        if entry.sender is not None and entry.sender != ENV and entry.sender not in m.index_of:
            raise EntryError(f"{where}unknown sender {entry.sender!r} (instances: env, {', '.join(m.names)})")
        chart = m.charts[m.index_of[entry.actor]]
        for s in entry.state or ():
            if s not in chart.states:
                raise EntryError(f"{where}state {s!r} is not a state of {entry.actor}'s chart {chart.name!r} (its states: {', '.join(chart.states)})")
        for f in entry.context or {}:
            if f not in chart.context:
                raise EntryError(f"{where}context field {f!r} is not a field of chart {chart.name!r} (its fields: {', '.join(chart.context) or 'none'})")
        for msg in entry.sent or ():
            if msg.to not in m.index_of:
                raise EntryError(f"{where}message {msg.event!r} sent to unknown actor {msg.to!r} (instances: {', '.join(m.names)})")

    # ------------------------------------------------------------------ the model's steps, seen from outside

    def moves(self, state: State) -> list[Move]:
        """Every step from a state, described by what can be observed of it (in the model's fixed order)."""
        hit = self._moves.get(state)
        if hit is None:
            m = self.model
            hit = [self._move(state, Label(*label), s2) for label, s2 in m.successors(state)]
            if len(self._moves) > self.max_states:
                self._moves.clear()
            self._moves[state] = hit
        return hit

    def _move(self, prev: State, label: Label, s2: State) -> Move:
        m = self.model
        i = label.actor
        who = m.names[i]
        sent: tuple[Message, ...] = ()
        if label.kind in ("deliver", "drop", "duplicate"):
            _, ev = m.msg_values[label.detail]
            sender = ev.origin
        elif label.kind == "stimulus":
            k, d = label.detail
            ev = m.stim_events[k][d]
            sender = ENV
        elif label.kind == "timer":
            ev = label.detail[1]
            sender = None
        else:  # crash: what the restarted actor sends is what is new in the network
            ev, sender = None, None
            sent = tuple(Message(m.names[d], e.name, e.data) for d, e in new_messages(m, prev, s2))
        if label.kind in ("deliver", "stimulus", "timer"):
            lid = prev[0][i]
            if label.kind == "timer":
                _, cs, timers = m.local_values[lid]
                lid = m.intern_local(i, cs, timers - {label.detail})
            outcome = m.macrostep(i, lid, ev)[label.alt]
            sent = tuple(Message(m.names[d], e.name, e.data) for d, e in (m.msg_values[mid] for _, mid in outcome.sends))
        leaves = m.charts[i].leaves(m.chart_state(s2, i))
        return Move(label.kind, who, ev.name if ev is not None else "", ev.data if ev is not None else EMPTY, sender, leaves, sent, tuple(label), s2)

    # ------------------------------------------------------------------ matching

    def mismatch(self, entry: Entry, move: Move) -> str | None:
        """Why a model step does not fit an entry (None when it does)."""
        if move.actor != entry.actor:
            return "another actor"
        if entry.kind is not None:
            if move.kind != entry.kind:
                return f"the model's step is a {move.kind}, not a {entry.kind}"
        elif move.kind not in ("deliver", "stimulus", "timer"):
            return f"a {move.kind} is never logged"
        if entry.sender is not None and move.sender != entry.sender and not (move.kind == "timer" and entry.sender == entry.actor):
            return f"the model's message is from {move.sender}, not from {entry.sender}"
        if entry.event is not None and move.event != entry.event:
            return f"the model handles {move.event!r}, not {entry.event!r}"
        if not includes(move.data, entry.data):
            return f"the model's data is {_event_text_of('', move.data) or 'empty'}, observed {_event_text_of('', freeze(dict(entry.data or {}))) or 'empty'}"
        m = self.model
        i = m.index_of[move.actor]
        for s in entry.state or ():
            if not m.in_state(move.state, i, s):
                return f"afterwards the model is in {'/'.join(move.leaves) or '-'}, observed {'/'.join(entry.state or ())}"
        if entry.sent is not None and not sent_matches(move.sent, entry.sent):
            return f"the model sends {', '.join(x.text() for x in move.sent) or 'nothing'}; observed {', '.join(x.text() for x in entry.sent) or 'nothing'}"
        for f, v in (entry.context or {}).items():
            mv = m.field(move.state, i, f)
            if not same(mv, v):
                return f"afterwards the model has {f}={mv!r}, observed {f}={v!r}"
        return None

    def advance(self, entry: Entry, max_gap: int = 0, index: int = -1) -> bool:
        """Keep the states reached by a step matching ``entry`` after at most ``max_gap`` unobserved steps.

        Returns False (and leaves the frontier alone, with :attr:`closure` set to the states
        the entry was looked for from) when no model step fits.
        """
        layer = dict(self.frontier)
        closure = dict(layer)
        matched: dict[State, Node] = {}
        for gap in range(max_gap + 1):
            for node in layer.values():
                for mv in self.moves(node.state):
                    if mv.state not in matched and self.mismatch(entry, mv) is None:
                        matched[mv.state] = Node(mv.state, node, mv, True, index)
            if matched or gap == max_gap:
                break
            nxt: dict[State, Node] = {}
            for node in layer.values():
                for mv in self.moves(node.state):
                    if mv.state not in closure:
                        closure[mv.state] = nxt[mv.state] = Node(mv.state, node, mv, False, index)
            if len(closure) > self.max_states:
                raise TrackingLimit(
                    f"more than {self.max_states:,} model states are consistent with the run at {entry.where or 'this entry'}: "
                    "lower max_gap, log more (states, sent messages), or raise max_states"
                )
            layer = nxt
        self.closure = closure
        if len(matched) > self.max_states:
            where = entry.where or "this entry"
            raise TrackingLimit(f"more than {self.max_states:,} model states are consistent with the run after {where}: log more, or raise max_states")
        if not matched:
            return False
        self.frontier = matched
        self.matched += 1
        return True

    def keep(self, predicate: Any) -> bool:
        """Keep only the current states satisfying ``predicate(tracker, state)``; False (unchanged) when none does."""
        kept = {s: n for s, n in self.frontier.items() if predicate(self, s)}
        if not kept:
            return False
        self.frontier = kept
        return True

    def options(self) -> list[Move]:
        """The distinct steps possible from the current states, by what a driver performs (first state's order)."""
        seen: dict[Any, Move] = {}
        for node in self.frontier.values():
            for mv in self.moves(node.state):
                seen.setdefault(mv.action(), mv)
        return list(seen.values())

    def allowed(self) -> list[Move]:
        """The distinct steps the model allows next from the current states (with their outcomes)."""
        out: dict[Any, Move] = {}
        for node in self.frontier.values():
            for mv in self.moves(node.state):
                out.setdefault((mv.action(), mv.leaves, mv.sent), mv)
        return list(out.values())

    def candidates(self, entry: Entry) -> list[tuple[Move, str]]:
        """Where ``entry`` failed: the steps of its actor from the states it was looked for from, and why each does not fit."""
        out: dict[Any, tuple[Move, str]] = {}
        for node in self.closure.values():
            for mv in self.moves(node.state):
                if mv.actor != entry.actor:
                    continue
                key = (mv.action(), mv.leaves, mv.sent)
                if key not in out:
                    out[key] = (mv, self.mismatch(entry, mv) or "")
        return list(out.values())

    # ------------------------------------------------------------------ witnesses

    def witness(self, node: Node | None = None) -> Trace:
        """A model trace through the current (first) state: steps not in the run are marked ``[unlogged]``."""
        if node is None:
            node = next(iter(self.frontier.values()))
        chain: list[Node] = []
        cur: Node | None = node
        while cur is not None:
            chain.append(cur)
            cur = cur.parent
        chain.reverse()
        return Trace(build_steps(self.model, [n.state for n in chain], [n.move for n in chain], [n.logged for n in chain]))

    def state_of(self, state: State, actor: str) -> tuple[str, ...]:
        m = self.model
        i = m.index_of[actor]
        return m.charts[i].leaves(m.chart_state(state, i))

    def initial_sent(self, state: State, actor: str) -> list[Message]:
        """The messages in flight in an initial state that ``actor`` sent (its start-up sends)."""
        m = self.model
        return [Message(m.names[d], e.name, e.data) for d, e in m.messages_of(state) if e.origin == actor]


def build_steps(model: Model, states: Sequence[State], moves: Sequence[Move | None], logged: Sequence[bool] | None = None) -> list[Step]:
    """Trace steps (what changed, what was sent, what is in flight) for a path through the model."""
    m = model
    steps: list[Step] = []
    prev: State | None = None
    for k, (s, mv) in enumerate(zip(states, moves)):
        changes = changes_between(m, prev, s)
        in_flight = in_flight_text(m, s)
        sent = sent_between(m, prev, s)
        if mv is None:
            steps.append(Step(k, "init", "", "", "initial state", None, changes, sent, in_flight, s))
        else:
            _, _, what = m.describe_label(mv.label)
            if logged is not None and not logged[k]:
                what += " [unlogged]"
            taken = _taken(m, prev, mv) if prev is not None else []
            steps.append(Step(k, mv.kind, mv.actor, mv.event, what, mv.sender, changes, sent, in_flight, s, taken))
        prev = s
    return steps


def failing_step(trace: Trace, kind: str, actor: str, event: str, text: str, sender: str | None) -> Step:
    """The step that could not be matched, to append to a witness trace (drawn as an error); its message is no longer in flight."""
    in_flight = list(trace.steps[-1].in_flight) if trace.steps else []
    key = f"{sender}->{actor}:{event}"
    if kind == "deliver" and key in in_flight:
        in_flight.remove(key)
    return Step(len(trace.steps), kind, actor, event, text, sender, [], [], in_flight, None)


def _taken(m: Model, prev: State, mv: Move) -> list[str]:
    """Labels of the chart transitions a step took."""
    label = Label(*mv.label)
    if label.kind not in ("deliver", "stimulus", "timer"):
        return []
    return [m.charts[label.actor].engine.transitions[t].label for t in taken_indices(m, prev, label)]


def taken_indices(m: Model, prev: State, label: Label) -> tuple[int, ...]:
    """Indices (in the actor's chart) of the transitions a deliver, stimulus or timer step took."""
    i = label.actor
    lid = prev[0][i]
    if label.kind == "deliver":
        ev = m.msg_values[label.detail][1]
    elif label.kind == "stimulus":
        k, d = label.detail
        ev = m.stim_events[k][d]
    elif label.kind == "timer":
        _, cs, timers = m.local_values[lid]
        lid = m.intern_local(i, cs, timers - {label.detail})
        ev = label.detail[1]
    else:
        return ()
    try:
        return m.macrostep(i, lid, ev)[label.alt].taken
    except (StatechartError, IndexError):
        return ()


__all__ = ["Entry", "EntryError", "Message", "Move", "Node", "Tracker", "TrackingLimit", "build_steps", "failing_step", "includes", "sent_matches", "taken_indices"]
