"""Tests generated from a system, run against the real implementation through an adapter.

:func:`generate` explores the model (the explorer's step function, ``Model.successors``)
and returns a :class:`Suite` of :class:`Case` objects: shortest paths that together take
every transition of every chart (``cover="transitions"``), reach every state up to a depth
(``"states"``), or reach each ``sometimes`` goal (``"goals"``). Each case is a sequence of
stimuli and deliveries; :meth:`Case.run` performs them on an :class:`Adapter` and checks,
after every step, the acting actor's state, context and sent messages, and that no other
actor sent anything. :func:`state_machine` makes the model the oracle of a hypothesis
``RuleBasedStateMachine``: hypothesis picks the steps, and shrinks a failing run.

A failure (:class:`ConformanceFailure`, an AssertionError) prints the steps so far, what the
model expected, what the implementation did, and a sequence chart (text, and an SVG).
"""

from __future__ import annotations

import re
import sys
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statecharts.errors import StatechartError
from statecharts.expr import to_source

from .model import Label, State
from .properties import Sometimes, compile_predicate
from .result import Trace, Verdict
from .system import ModelError, System
from .textchart import text_chart
from .tracking import Entry, EntryError, Message, Move, Tracker, _event_text_of, failing_step, same, sent_matches, taken_indices

COVER = ("transitions", "states", "goals")
DEFAULT_CHARTS = "statecharts-out/tests"


class AdapterError(StatechartError):
    """The adapter cannot do what a case needs, or returned something malformed: names the method and how to fix it."""


class ConformanceFailure(StatechartError, AssertionError):
    """The implementation did not do what the model says: the message has the steps, both outcomes and a sequence chart."""

    def __init__(self, message: str, trace: Trace | None = None, svg: Path | None = None) -> None:
        super().__init__(message)
        self.trace = trace
        self.svg = svg


class Adapter:
    """How tests reach the implementation. Subclass it and override what your implementation supports.

    Actor names are the model's instance names (``lock``, ``client[0]``). ``reset`` starts
    a fresh implementation (called before every case); ``stimulus`` and ``deliver`` make an
    actor handle an event and return once it has; ``state``, ``context`` and ``outbox``
    observe it (return None for what you cannot observe). ``outbox`` returns the messages
    the actor sent since the previous call, as ``(receiver, event, data)``.
    """

    def reset(self) -> None:
        """Start the implementation afresh, every actor in its initial state."""

    def close(self) -> None:
        """Stop the implementation (after the last case)."""

    def stimulus(self, actor: str, event: str, data: Mapping[str, Any]) -> None:
        """The environment makes ``actor`` handle ``event`` (e.g. call its API)."""
        raise NotImplementedError

    def deliver(self, actor: str, event: str, data: Mapping[str, Any], sender: str) -> None:
        """Deliver the message ``event`` from ``sender`` to ``actor`` (the test is the network)."""
        raise NotImplementedError

    def timer(self, actor: str, event: str) -> None:
        """Fire ``actor``'s pending timer ``event`` (e.g. ``after.100.held``) now."""
        raise NotImplementedError

    def crash(self, actor: str) -> None:
        """Crash ``actor`` and restart it."""
        raise NotImplementedError

    def state(self, actor: str) -> str | Iterable[str] | None:
        """The state id(s) the actor is in (each must be active in the model), or None if not observable."""
        return None

    def context(self, actor: str) -> Mapping[str, Any] | None:
        """Values of the chart's context fields the implementation has (compared with the model's), or None."""
        return None

    def outbox(self, actor: str) -> Iterable[tuple[str, str, Mapping[str, Any] | None]] | None:
        """Messages sent since the last call, as (receiver, event, data); None if not observable."""
        return None

    def __enter__(self) -> Adapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------- driving an implementation


class Driver:
    """Drives an implementation through an adapter while following the model; checks every observation."""

    def __init__(self, system: System, adapter: Adapter, name: str, charts: str | Path | None = DEFAULT_CHARTS, total: int | None = None) -> None:
        self.system = system
        self.adapter = adapter
        self.name = name
        self.charts = charts
        self.total = total
        self.tracker = Tracker(system)
        self.names = list(self.tracker.model.names)
        self.done: list[str] = []

    def _call(self, method: str, *args: Any) -> Any:
        fn = getattr(self.adapter, method, None)
        if not callable(fn):
            raise AdapterError(f"{type(self.adapter).__name__} has no method {method!r}: subclass simulate.testgen.Adapter")
        try:
            return fn(*args)
        except NotImplementedError:
            raise AdapterError(f"{type(self.adapter).__name__}.{method} is not implemented, and case {self.name!r} needs it: override it") from None

    def _observe(self, actor: str) -> tuple[tuple[str, ...] | None, Mapping[str, Any] | None, list[Message] | None]:
        a = type(self.adapter).__name__
        st = self._call("state", actor)
        if st is not None:
            st = (st,) if isinstance(st, str) else tuple(st)
            if not all(isinstance(x, str) for x in st):
                raise AdapterError(f"{a}.state({actor!r}) returned {st!r}: return a state id, several, or None")
        ctx = self._call("context", actor)
        if ctx is not None and not isinstance(ctx, Mapping):
            raise AdapterError(f"{a}.context({actor!r}) returned {ctx!r}: return a mapping of field values, or None")
        out = self._call("outbox", actor)
        sent = None
        if out is not None:
            sent = []
            for msg in out:
                if not isinstance(msg, (tuple, list)) or len(msg) not in (2, 3) or not isinstance(msg[0], str) or not isinstance(msg[1], str):
                    raise AdapterError(f"{a}.outbox({actor!r}) returned {msg!r}: return (receiver, event, data) tuples")
                data = msg[2] if len(msg) == 3 else None
                sent.append(Message(msg[0], msg[1], dict(data) if data else {}))
        return st, ctx, sent

    def start(self) -> None:
        """Reset the implementation and check the initial observations of every actor."""
        self._call("reset")
        seen = {a: self._observe(a) for a in self.names}
        entries = []
        for a, (st, ctx, sent) in seen.items():
            e = Entry(a, None, None, None, None, st, ctx, sent, "the initial state")
            self._check_names(e)
            entries.append(e)

        def fits(tr: Tracker, s: State) -> bool:
            m = tr.model
            for e in entries:
                i = m.index_of[e.actor]
                if any(not m.in_state(s, i, x) for x in e.state or ()):
                    return False
                if e.sent is not None and not sent_matches(tr.initial_sent(s, e.actor), e.sent):
                    return False
                if any(not same(m.field(s, i, f), v) for f, v in (e.context or {}).items()):
                    return False
            return True

        if not self.tracker.keep(fits):
            s0 = next(iter(self.tracker.frontier))
            expected = "\n".join(f"  {a}: {'/'.join(self.tracker.state_of(s0, a))}, sent {_texts(self.tracker.initial_sent(s0, a))}" for a in self.names)
            observed = "\n".join(f"  {a}: {_obs_text(*seen[a])}" for a in self.names)
            self.fail("the initial state", f"the model expected:\n{expected}\nthe implementation:\n{observed}", None)

    def _check_names(self, e: Entry) -> None:
        try:
            self.tracker.check_entry(e)
        except EntryError as err:
            raise AdapterError(f"{type(self.adapter).__name__} observed something the model cannot name: {err}") from None

    def options(self) -> list[Move]:
        return self.tracker.options()

    def step(self, mv: Move) -> None:
        """Perform a model step's action on the implementation and check what it did."""
        k = len(self.done) + 1
        where = f"step {k}" + (f" of {self.total}" if self.total else "")
        data = dict(mv.data) if isinstance(mv.data, Mapping) else {}
        if mv.kind == "stimulus":
            self._call("stimulus", mv.actor, mv.event, data)
        elif mv.kind == "deliver":
            self._call("deliver", mv.actor, mv.event, data, mv.sender)
        elif mv.kind == "timer":
            self._call("timer", mv.actor, mv.event)
        elif mv.kind == "crash":
            self._call("crash", mv.actor)
        # drop and duplicate happen in the network, which the test is: nothing to do
        acting = mv.kind not in ("drop", "duplicate")
        st, ctx, sent = self._observe(mv.actor) if acting else (None, None, None)
        entry = Entry(mv.actor, mv.event, data, mv.sender, mv.kind, st, ctx, sent, where)
        self._check_names(entry)
        others = []
        for a in self.names:
            if a == mv.actor and acting:
                continue
            out = self._observe(a)[2]
            if out:
                others.append(f"{a} sent {_texts(out)} although it did not act")
        expected = [x for x in self.tracker.options() if x.action() == mv.action()]
        if others or not self.tracker.advance(entry, 0, k):
            exp = "\n".join(f"  {x.actor}: {self._expected_text(x, ctx)}" for x in expected) or "  (the step is not enabled)"
            if others:
                exp += "\n  and no other actor sends anything"
            obs = f"  {mv.actor}: {_obs_text(st, ctx, sent)}" if acting else "  (nothing to observe)"
            if others:
                obs += "\n  " + "\n  ".join(others)
            why = [self.tracker.mismatch(entry, x) for x in expected]
            reason = "; ".join(w for w in why if w) if not others else ""
            self.fail(f"{where}: {_action_text(mv)}", f"the model expected:\n{exp}\nthe implementation did:\n{obs}" + (f"\n({reason})" if reason else ""), mv)
        self.done.append(_action_text(mv))

    def _expected_text(self, x: Move, ctx: Mapping[str, Any] | None) -> str:
        """The model's outcome of a step, with the context fields the implementation reported."""
        m = self.tracker.model
        i = m.index_of[x.actor]
        fields = "".join(f", {f}={m.field(x.state, i, f)!r}" for f in ctx or {} if f in m.charts[i].context)
        return f"in {'/'.join(x.leaves) or '-'}{fields}, sent {_texts(x.sent)}"

    def fail(self, where: str, detail: str, mv: Move | None) -> None:
        trace = self.tracker.witness()
        if mv is not None:
            what = _action_text(mv).split(": ", 1)[1].split(" ", 1)[1]
            trace.steps.append(failing_step(trace, mv.kind, mv.actor, mv.event, what, mv.sender))
        svg, note = self._svg(trace, f"{where}: the implementation diverged")
        head = f"case {self.name!r}: the implementation diverged from the model at {where}"
        chart = text_chart(trace, self.names, failed_last=mv is not None)
        text = f"{head}\n{detail}\nsteps so far (the model's view; ✗ marks the failing step):\n{chart}\nsequence chart: {note}"
        raise ConformanceFailure(text, trace, svg)

    def _svg(self, trace: Trace, message: str) -> tuple[Path | None, str]:
        if self.charts is None:
            return None, "not written (charts=None)"
        from statecharts.preview import drawer

        trace_svg = drawer("trace")  # the exporters register it: simulate does not import them
        if trace_svg is None:
            return None, "not written (no sequence-chart drawer: install the exporters)"
        try:
            path = Path(self.charts) / f"{_slug(self.system.name)}-{_slug(self.name)}.svg"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(trace_svg(Verdict("conformance", "error", "violated", trace, message), self.system), encoding="utf-8")
            return path, str(path)
        except OSError as e:
            return None, f"not written ({e})"


def _texts(ms: Sequence[Message] | None) -> str:
    return ", ".join(m.text() for m in ms or ()) or "nothing"


def _obs_text(st: tuple[str, ...] | None, ctx: Mapping[str, Any] | None, sent: Sequence[Message] | None) -> str:
    parts = [f"in {'/'.join(st)}" if st is not None else "state not observed"]
    if ctx:
        parts.append(", ".join(f"{k}={v!r}" for k, v in ctx.items()))
    parts.append(f"sent {_texts(sent)}" if sent is not None else "outbox not observed")
    return ", ".join(parts)


def _action_text(mv: Move) -> str:
    what = _event_text_of(mv.event, mv.data) if mv.kind != "crash" else "crash"
    src = f" from {mv.sender}" if mv.kind in ("deliver", "drop", "duplicate") and mv.sender else ""
    return f"{mv.actor}: {mv.kind} {what}{src}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-").lower()[:80] or "case"


# --------------------------------------------------------------------------- cases and suites


@dataclass
class Case:
    """A generated test: the steps to perform (model steps), what it covers, and how to run it."""

    name: str
    steps: list[Move]
    system: System = field(repr=False)
    covers: list[str] = field(default_factory=list)
    """The chart transitions the case takes (``Chart: src --event [guard]--> dst``)."""

    def __str__(self) -> str:
        return self.name

    def format(self) -> str:
        """The plan, one step a line, with the expected outcome."""
        lines = [f"case {self.name}: {len(self.steps)} steps"]
        for k, mv in enumerate(self.steps, 1):
            lines.append(f"  {k}. {mv.describe()}")
        return "\n".join(lines)

    def run(self, adapter: Adapter, *, charts: str | Path | None = DEFAULT_CHARTS) -> None:
        """Reset the implementation, perform every step and check it; raises ConformanceFailure on a difference.

        When the implementation takes another outcome the model also allows (a ``choose``)
        and the rest of the plan no longer applies, the case stops there (pytest: skipped, with the reason).
        """
        __tracebackhide__ = True
        d = Driver(self.system, adapter, self.name, charts, len(self.steps))
        d.start()
        for k, mv in enumerate(self.steps, 1):
            if not any(x.action() == mv.action() for x in d.options()):
                reason = f"case {self.name!r}: step {k} ({_action_text(mv)}) no longer applies: the implementation took another outcome the model allows"
                if "pytest" in sys.modules:
                    import pytest

                    pytest.skip(reason)
                return
            d.step(mv)


@dataclass
class Suite:
    """Generated cases, and what they could not cover."""

    system: System
    cases: list[Case]
    uncovered: dict[str, list[str]] = field(default_factory=dict)
    """Per chart, transitions no case takes (never taken in the explored state space: all of it when ``complete``)."""
    unreached: list[str] = field(default_factory=list)
    """Goals (``sometimes``) no explored state satisfies."""
    complete: bool = True
    limit: str = ""

    def __iter__(self) -> Any:
        return iter(self.cases)

    def __len__(self) -> int:
        return len(self.cases)

    def params(self) -> list[Any]:
        """One ``pytest.param`` per case, with the case's name as its id: ``@pytest.mark.parametrize("case", suite.params())``."""
        import pytest

        return [pytest.param(c, id=c.name) for c in self.cases]

    def summary(self) -> str:
        steps = sum(len(c.steps) for c in self.cases)
        lines = [f"{self.system.name}: {len(self.cases)} cases, {steps} steps"]
        if not self.complete:
            lines.append(f"  incomplete: {self.limit}")
        why = "never taken" if self.complete else "not taken within the bounds"
        for chart, labels in self.uncovered.items():
            if labels:
                lines.append(f"  {chart}: {why}: {'; '.join(labels)}")
        for g in self.unreached:
            lines.append(f"  goal {g}: never reached")
        return "\n".join(lines)


def transition_name(system: System, chart_index: int, t: int, tracker: Tracker) -> str:
    """``Lock: held --release [event.origin == holder]--> free``."""
    chart = tracker.model.unique_charts()[chart_index]
    tr = chart.transitions[t]
    text = tr.describe()
    if tr.guard is not None:
        text = text.replace("-->", f" [{to_source(tr.guard, short=True)}]-->", 1)
    return f"{chart.name}: {text}"


def generate(
    system: System,
    *,
    cover: str | Sequence[str] = "transitions",
    depth: int | None = None,
    max_states: int = 100_000,
) -> Suite:
    """Test cases from a system: shortest paths covering ``cover`` (``transitions``, ``states``, ``goals``, or several).

    ``depth`` bounds the paths (required in practice for ``states``: every state up to
    that depth is reached by some case); ``max_states`` bounds the exploration. A bound that
    cuts the exploration short makes the suite incomplete, and says so.
    """
    kinds = (cover,) if isinstance(cover, str) else tuple(cover)
    for k in kinds:
        if k not in COVER:
            raise ModelError(f"cover={k!r}: use one or more of {', '.join(COVER)}")
    if depth is not None and depth < 1:
        raise ModelError(f"depth={depth}: give at least 1")
    tracker = Tracker(system, max_states=max_states)
    m = tracker.model
    parent: dict[State, tuple[State | None, Move | None]] = {}
    depth_of: dict[State, int] = {}
    order: list[State] = []
    for s in tracker.frontier:
        parent[s] = (None, None)
        depth_of[s] = 0
        order.append(s)
    first_take: dict[tuple[int, int], tuple[State, Move]] = {}
    queue = deque(order)
    limit = ""
    cut_by_depth = False
    while queue:
        s = queue.popleft()
        d = depth_of[s]
        if depth is not None and d >= depth:
            cut_by_depth = cut_by_depth or bool(tracker.moves(s))
            continue
        for mv in tracker.moves(s):
            label = Label(*mv.label)
            for t in taken_indices(m, s, label):
                first_take.setdefault((m.chart_no[label.actor], t), (s, mv))
            if mv.state not in parent:
                if len(parent) >= max_states:
                    limit = f"more than {max_states:,} states: pass a larger max_states, or a depth"
                    queue.clear()
                    break
                parent[mv.state] = (s, mv)
                depth_of[mv.state] = d + 1
                order.append(mv.state)
                queue.append(mv.state)
    if cut_by_depth and not limit:
        limit = f"paths are at most {depth} steps long (depth={depth})"

    def path(s: State) -> tuple[State, list[Move]]:
        """The initial state a shortest path to ``s`` starts from, and its steps."""
        out: list[Move] = []
        cur = s
        while True:
            prev, mv = parent[cur]
            if prev is None or mv is None:
                return cur, out[::-1]
            out.append(mv)
            cur = prev

    def takes(root: State, moves: Sequence[Move]) -> list[tuple[int, int]]:
        got: list[tuple[int, int]] = []
        prev = root
        for mv in moves:
            label = Label(*mv.label)
            got.extend((m.chart_no[label.actor], t) for t in taken_indices(m, prev, label))
            prev = mv.state
        return got

    def name_of(key: tuple[int, int]) -> str:
        return transition_name(system, key[0], key[1], tracker)

    cases: list[Case] = []
    names: set[str] = set()

    def add(name: str, root: State, moves: list[Move], order_key: Any) -> None:
        base, n = name, 2
        while name in names:
            name, n = f"{base} #{n}", n + 1
        names.add(name)
        covered = list(dict.fromkeys(name_of(k) for k in takes(root, moves)))
        cases.append(Case(name, moves, system, covered))
        keys.append(order_key)

    keys: list[Any] = []
    charts = m.unique_charts()
    wanted = [(c, t.index) for c, ch in enumerate(charts) for t in ch.transitions if t.events[:1] != ("",)]
    if "transitions" in kinds:
        covered: set[tuple[int, int]] = set()
        targets = sorted((k for k in wanted if k in first_take), key=lambda k: (-(depth_of[first_take[k][0]] + 1), k))
        for key in targets:
            if key in covered:
                continue
            s, mv = first_take[key]
            root, moves = path(s)
            moves.append(mv)
            covered.update(takes(root, moves))
            add(name_of(key), root, moves, (0, key))
    if "states" in kinds:
        has_child = {p for p, _ in parent.values() if p is not None}
        for n, s in enumerate(order):
            if s not in has_child:
                leaves = " ".join(f"{a}={'/'.join(tracker.state_of(s, a))}" for a in m.names)
                add(f"state after {depth_of[s]} steps: {leaves}", *path(s), (1, n))
    unreached: list[str] = []
    if "goals" in kinds:
        for p in system.properties:
            if isinstance(p, Sometimes):
                pred = compile_predicate(m, p.predicate, f"sometimes {p.name!r}")
                hit = next((s for s in order if pred(s)), None)
                if hit is None:
                    unreached.append(p.name)
                else:
                    add(f"goal {p.name}", *path(hit), (2, p.name))
    ordered = [c for _, c in sorted(zip(keys, cases), key=lambda kc: kc[0])]
    taken_all = set(first_take)
    uncovered = {ch.name: [name_of((c, t)) for c2, t in wanted if c2 == c and (c2, t) not in taken_all] for c, ch in enumerate(charts)}
    return Suite(system, ordered, {k: v for k, v in uncovered.items() if v}, unreached, not limit, limit)


# --------------------------------------------------------------------------- hypothesis


def state_machine(system: System, adapter: Callable[[], Adapter], *, charts: str | Path | None = DEFAULT_CHARTS) -> type:
    """A hypothesis ``RuleBasedStateMachine`` whose oracle is the model: run it with ``run_state_machine_as_test`` or ``.TestCase``.

    Each example makes a fresh adapter (``adapter()``), resets it, and takes steps the
    model allows, chosen by hypothesis, checking every observation; a failure is shrunk to
    a short run and reported as a ConformanceFailure.
    """
    if isinstance(adapter, Adapter) or not callable(adapter):
        raise AdapterError(f"state_machine needs a function or class that makes a fresh adapter for each example, not {adapter!r}")
    from hypothesis import strategies as st
    from hypothesis.stateful import RuleBasedStateMachine, rule

    class ModelOracle(RuleBasedStateMachine):
        """Steps chosen by hypothesis among those the model allows; the model checks each outcome."""

        def __init__(self) -> None:
            super().__init__()
            self.impl = adapter()
            self.driver = Driver(system, self.impl, f"{system.name} (hypothesis)", charts)
            self.driver.start()

        @rule(data=st.data())
        def step(self, data: Any) -> None:
            options = self.driver.options()
            if not options:
                return  # the model has no step left: nothing to do
            texts = [_action_text(mv) for mv in options]
            choice = data.draw(st.sampled_from(range(len(options))).map(lambda k: texts[k]), label="step")
            self.driver.step(options[texts.index(choice)])

        def teardown(self) -> None:
            self.impl.close()

    ModelOracle.__name__ = ModelOracle.__qualname__ = f"ModelOracle_{_slug(system.name).replace('-', '_').replace('.', '_')}"
    return ModelOracle


__all__ = ["Adapter", "AdapterError", "Case", "ConformanceFailure", "Driver", "Suite", "generate", "state_machine"]
