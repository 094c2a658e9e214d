"""Property tests of the core over random well-formed charts and random event sequences.

The generator builds trees of compound / parallel / atomic / final states (and history
pseudo-states) with random transitions among them: events from a small alphabet with
prefix descriptors, guards over an integer counter and ``In()``, ``assign`` / ``raise_`` /
``choose`` actions, targetless, internal and eventless transitions. Every loop the chart
could run inside one macrostep (eventless transitions, raised events) is guarded by
``ctx.n < LIMIT`` and increments ``n``; ``choose`` points can still multiply past the engine's
bound on alternatives, and such an example must end with the named error, never hang.

Checked: after every macrostep the configuration is legal (also for every ``choose``
alternative), restoring a snapshot and replaying the same events gives the same result,
and the interpreter agrees with folding ``Chart.step`` over the events (one semantics).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statecharts import (
    Chart,
    ChoiceExplosionError,
    Event,
    Final,
    History,
    In,
    InfiniteMacrostepError,
    Interpreter,
    Parallel,
    State,
    Transition,
    assign,
    choose,
    ctx,
    raise_,
)
from statecharts.chart import StateNode
from statecharts.engine import ChartState

LIMIT = 6
EVENTS = ("a", "b", "c", "a.x", "zzz")
DESCRIPTORS = ("a", "b", "c", "a.x", "a b")

# the ci profile's derandomisation and deadline apply (tests/conftest.py); a macrostep the generator makes
# unbounded (a cycle, or choose() alternatives multiplying) must end with the engine's named error
RUNAWAY = (InfiniteMacrostepError, ChoiceExplosionError)
ALTERNATIVES = 300
"""The drawn charts' bound on choose() alternatives per macrostep: small, so an example stays within the deadline."""
SETTINGS = settings(max_examples=max(150, settings.default.max_examples), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --------------------------------------------------------------------------- a random chart, as plain data


@dataclass
class Spec:
    kind: str  # "atomic" | "compound" | "parallel" | "final" | "history" | "deep_history"
    id: str
    children: list[Spec] = field(default_factory=list)
    initial: str | None = None
    transitions: list[dict[str, Any]] = field(default_factory=list)

    def iter(self) -> Any:
        yield self
        for c in self.children:
            yield from c.iter()


@st.composite
def state_trees(draw: st.DrawFn) -> list[Spec]:
    ids = (f"s{i}" for i in itertools.count())

    def node(depth: int, in_parallel: bool) -> Spec:
        kinds = ["atomic", "atomic"]
        if depth > 0:
            kinds += ["compound", "compound", "parallel"]
        if not in_parallel:
            kinds.append("final")
        kind = draw(st.sampled_from(kinds))
        spec = Spec(kind, next(ids))
        if kind == "compound":
            n = draw(st.integers(1, 3))
            spec.children = [node(depth - 1, False) for _ in range(n)]
            if draw(st.integers(0, 3)) == 0:
                spec.children.append(Spec(draw(st.sampled_from(["history", "deep_history"])), next(ids)))
            real = [c.id for c in spec.children if "history" not in c.kind]
            spec.initial = draw(st.sampled_from(real))
        elif kind == "parallel":
            n = draw(st.integers(2, 3))
            spec.children = [node(depth - 1, True) for _ in range(n)]
        return spec

    top = [node(3, False) for _ in range(draw(st.integers(1, 3)))]
    if all(s.kind == "final" for s in top):
        top.append(Spec("atomic", next(ids)))
    return top


@st.composite
def charts(draw: st.DrawFn) -> Chart:
    top = draw(state_trees())
    every = [s for t in top for s in t.iter()]
    targets = [s.id for s in every]
    sources = [s for s in every if s.kind not in ("final", "history", "deep_history")]
    non_history = [s.id for s in every if "history" not in s.kind]
    parallels = [s for s in every if s.kind == "parallel"]

    def region_targets() -> list[str]:
        """One state from each of two or more regions of a parallel state: a legal multi-target."""
        p = draw(st.sampled_from(parallels))
        regions = draw(st.lists(st.sampled_from(p.children), min_size=2, max_size=len(p.children), unique_by=lambda r: r.id))
        return [draw(st.sampled_from([x.id for x in r.iter()])) for r in regions]

    for s in sources:
        for _ in range(draw(st.integers(0, 3))):
            target: Any = draw(st.one_of(st.none(), st.sampled_from(targets)))
            if parallels and draw(st.integers(0, 4)) == 0:
                target = region_targets()
            eventless = draw(st.integers(0, 5)) == 0
            guard_kind = draw(st.sampled_from(["none", "even", "small", "in"]))
            guard: Any = {
                "none": None,
                "even": ctx.n % 2 == 0,
                "small": "ctx.n < 3",
                "in": In(draw(st.sampled_from(non_history))),
            }[guard_kind]
            actions: list[Any] = []
            if draw(st.booleans()):
                actions.append(assign(n=ctx.n + 1))
            if draw(st.integers(0, 3)) == 0:
                actions.append(choose("v", (0, 1, 2), lambda v: assign(m=v)))
            raises = draw(st.integers(0, 3)) == 0
            if raises:
                actions.append(raise_(draw(st.sampled_from(["b", "a.x"]))))
            if eventless or raises:  # bounded: every firing increments n, and it fires only while n < LIMIT
                guard = (ctx.n < LIMIT) if guard is None else (ctx.n < LIMIT) & guard
                actions.append(assign(n=ctx.n + 1))
            s.transitions.append(
                {
                    "event": None if eventless else draw(st.sampled_from(DESCRIPTORS)),
                    "target": target,
                    "guard": guard,
                    "actions": actions,
                    "internal": draw(st.integers(0, 3)) == 0,
                }
            )

    def build(spec: Spec) -> StateNode:
        ts = [
            Transition(t["target"], guard=t["guard"], actions=t["actions"], internal=t["internal"], event=t["event"])
            for t in spec.transitions
        ]
        if spec.kind == "final":
            return Final(spec.id)
        if spec.kind in ("history", "deep_history"):
            return History(spec.id, deep=spec.kind == "deep_history")
        children = [build(c) for c in spec.children]
        if spec.kind == "parallel":
            return Parallel(spec.id, *children, transitions=ts)
        return State(spec.id, *children, initial=spec.initial, transitions=ts)

    chart = Chart("random", *[build(t) for t in top], context={"n": 0, "m": 0})
    chart.engine.max_alternatives = ALTERNATIVES
    return chart


event_lists = st.lists(st.sampled_from(EVENTS), max_size=12)


# --------------------------------------------------------------------------- legality


def legal_configuration_problem(chart: Chart, state: ChartState) -> str | None:
    """Why the configuration is illegal, or None; checked against the Chart's state tree."""
    active = set(chart.configuration(state))
    root = chart.root
    for s in root.iter():
        if s is not root and s.id not in active:
            continue
        if s.kind == "history" and s is not root:
            return f"history pseudo-state {s.id} is active"
        if s is not root and s.parent is not root and s.parent is not None and s.parent.id not in active:
            return f"{s.id} is active but its parent {s.parent.id} is not"
        kids = [c for c in s.children if c.kind != "history"]
        on = [c.id for c in kids if c.id in active]
        if s.kind in ("compound", "root") and len(on) != 1:
            if s.kind == "root" and not on:
                return "no top-level state is active"
            return f"{s.id} ({s.kind}) has {len(on)} active children: {on}"
        if s.kind == "parallel" and len(on) != len(kids):
            return f"parallel {s.id} has only {on} of {[c.id for c in kids]} active"
    return None


def assert_legal(chart: Chart, state: ChartState, where: str) -> None:
    problem = legal_configuration_problem(chart, state)
    assert problem is None, f"{where}: {problem}; configuration {chart.configuration(state)}"


def assert_engine_tables_agree(chart: Chart, state: ChartState) -> None:
    """The same invariant through the engine's integer tables (parent / children / kind)."""
    from statecharts.engine import COMPOUND, HISTORY, PARALLEL

    e = chart.engine
    cfg = state.config
    for i in range(1, e.n):
        if not cfg >> i & 1:
            continue
        assert e.kind[i] != HISTORY
        assert cfg >> e.parent[i] & 1 or e.parent[i] == 0
        on = [c for c in e.children[i] if cfg >> c & 1]
        if e.kind[i] == COMPOUND:
            assert len(on) == 1
        elif e.kind[i] == PARALLEL:
            assert on == e.children[i]


# --------------------------------------------------------------------------- properties


def test_the_legality_check_catches_illegal_configurations() -> None:
    chart = Chart(
        "c",
        State("p", State("x"), State("y")),
        Parallel("q", State("r1"), State("r2")),
    )
    e = chart.engine
    bit = {name: 1 << e.index[name] for name in e.index}
    good = ChartState(bit["c"] | bit["p"] | bit["x"], ())
    assert legal_configuration_problem(chart, good) is None
    for bad in (
        bit["c"] | bit["p"] | bit["x"] | bit["y"],  # two children of a compound
        bit["c"] | bit["p"],  # a compound without an active child
        bit["c"] | bit["x"],  # a state without its parent
        bit["c"] | bit["q"] | bit["r1"],  # a parallel missing a region
        bit["c"] | bit["p"] | bit["x"] | bit["q"] | bit["r1"] | bit["r2"],  # two top-level states
        bit["c"],  # nothing active
    ):
        assert legal_configuration_problem(chart, ChartState(bad, ())) is not None, chart.configuration(ChartState(bad, ()))


@pytest.mark.slow
@SETTINGS
@given(chart=charts(), events=event_lists)
def test_every_macrostep_leaves_a_legal_configuration(chart: Chart, events: list[str]) -> None:
    try:
        _every_macrostep_legal(chart, events)
    except RUNAWAY as e:
        assert e.chart == chart.name  # the named error, not a hang


def _every_macrostep_legal(chart: Chart, events: list[str]) -> None:
    for start in chart.initial_states():
        assert_legal(chart, start.state, "after start")
    state = chart.start().state
    assert_legal(chart, state, "after start")
    assert_engine_tables_agree(chart, state)
    for k, name in enumerate(events):
        results = chart.successors(state, Event.of(name))
        assert results, "a chart without empty choose domains always has a successor"
        for r in results:
            assert_legal(chart, r.state, f"after event {k} ({name!r}) of {events}")
            assert_engine_tables_agree(chart, r.state)
            assert 0 <= chart.context_of(r.state)["n"]
        state = results[-1].state  # walk down the last alternative; step() takes the first


@pytest.mark.slow
@SETTINGS
@given(chart=charts(), events=event_lists, data=st.data())
def test_restore_and_replay_gives_the_same_result(chart: Chart, events: list[str], data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(events)))
    try:
        _restore_and_replay(chart, events, cut)
    except RUNAWAY as e:
        assert e.chart == chart.name  # the named error, not a hang


def _restore_and_replay(chart: Chart, events: list[str], cut: int) -> None:
    i = Interpreter(chart)
    for name in events[:cut]:
        i.send(name)
    snap = i.snapshot()
    outbox_len = len(i.outbox)
    first = []
    for name in events[cut:]:
        r = i.send(name)
        first.append((i.snapshot(), r.taken, r.outputs))
    first_outbox = i.outbox[outbox_len:]
    i.restore(snap)
    assert i.snapshot() == snap
    again = []
    for name in events[cut:]:
        r = i.send(name)
        again.append((i.snapshot(), r.taken, r.outputs))
    assert again == first
    assert i.outbox[outbox_len + len(first_outbox) :] == first_outbox

    # a fresh interpreter restored from the same snapshot agrees too
    j = Interpreter(chart)
    j.restore(snap)
    for name in events[cut:]:
        j.send(name)
    assert j.snapshot() == i.snapshot()


@pytest.mark.slow
@SETTINGS
@given(chart=charts(), events=event_lists)
def test_interpreter_agrees_with_folding_chart_step(chart: Chart, events: list[str]) -> None:
    try:
        _interpreter_agrees(chart, events)
    except RUNAWAY as e:
        assert e.chart == chart.name  # the named error, not a hang


def _interpreter_agrees(chart: Chart, events: list[str]) -> None:
    i = Interpreter(chart)
    state = chart.start().state
    assert i.state == state
    for name in events:
        r = chart.step(state, name)
        state = r.state
        i.send(name)
        assert i.state == state
        assert hash(state) == hash(ChartState(*state))
