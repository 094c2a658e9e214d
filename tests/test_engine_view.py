"""The engine's read-only view (statecharts.engine.ChartView) against the engine running the chart.

Oracle: every state and transition of the chart logs its own name and the active
configuration (``In`` of every state) when its content runs. For every reachable
(configuration, history) and every event, the view's prediction — the candidates in
priority order, first of each taken (the chart has no guards), conflicts resolved, then the
microstep's blocks — must log exactly what ``Engine.step`` logs, end in the same
configuration and record the same history.
"""

from __future__ import annotations

from typing import Any

import pytest
from fuzz_strategies import trees
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from statecharts import Chart, Final, History, In, Parallel, State, Transition, log
from statecharts.chart import Transition as ChartTransition
from statecharts.engine import ChartState, ChartView, Microstep
from statecharts.errors import StatechartError
from statecharts.values import Event

IDS = ("top", "p", "r1", "a1", "a2", "a3", "h1", "r2", "c1", "c11", "c12", "c2", "h2", "b1", "end")
EVENTS = ("x", "y", "z", "i", "f", "h", "back", "deep", "t", "end", "nothing")


def mark(what: str) -> Any:
    """A log action naming its block and seeing the active configuration."""
    return log(what, tuple(In(s) for s in IDS if s not in ("h1", "h2")))


def _chart() -> Chart:
    """Parallel regions, shallow and deep history with default content, internal and targetless transitions, conflicts, finals."""

    def st(id: str, *children: Any, **kw: Any) -> State:
        return State(id, *children, entry=mark(f"entry {id}"), exit=mark(f"exit {id}"), **kw)

    return Chart(
        "Viewed",
        st(
            "top",
            Parallel(
                "p",
                st(
                    "r1",
                    st(
                        "a1",
                        on={"x": Transition("a2", actions=mark("t a1-x")), "y": Transition("b1", actions=mark("t a1-y")), "h": Transition("h1", actions=mark("t a1-h"))},
                    ),
                    st("a2", on={"x": Transition("a1", actions=mark("t a2-x")), "f": Transition("a3", actions=mark("t a2-f"))}),
                    Final("a3", entry=mark("entry a3")),
                    History("h1", Transition("a2", actions=mark("history h1 default"))),
                    initial=Transition("a1", actions=mark("initial r1")),
                ),
                st(
                    "r2",
                    st(
                        "c1",
                        st("c11", on={"z": Transition("c12", actions=mark("t c11-z"))}),
                        st("c12", on={"y": Transition("c11", actions=mark("t c12-y")), "h": Transition("h2", actions=mark("t c12-h"))}),
                        on={"i": Transition("c12", internal=True, actions=mark("t c1-i")), "t": Transition(None, actions=mark("t c1-t"))},
                        initial=Transition("c11", actions=mark("initial c1")),
                    ),
                    st("c2", on={"z": Transition("c1", actions=mark("t c2-z"))}),
                    History("h2", deep=True),
                    on={"x": Transition("c2", actions=mark("t r2-x"))},
                ),
                entry=mark("entry p"),
                exit=mark("exit p"),
            ),
            st("b1", on={"back": Transition("h1", actions=mark("t b1-back")), "deep": Transition("h2", actions=mark("t b1-deep")), "end": "end"}),
            on={"t": Transition(None, actions=mark("t top-t"))},
            initial=Transition("b1", actions=mark("initial top")),
        ),
        Final("end", entry=mark("entry end")),
        initial=Transition("top", actions=mark("initial root")),
    )


def _logs(view: ChartView, step: Microstep) -> list[tuple[str, Any]]:
    """What the view says the microstep logs: each action's label and the configuration it sees."""
    seen = [s for s in IDS if s not in ("h1", "h2")]
    out = []
    for a, active in step.actions():
        out.append((a.label, tuple(s in active for s in seen)))
    return out


def _predict(view: ChartView, state: ChartState, event: str) -> Microstep | None:
    """The engine's selection as the view describes it (no guards: the first candidate of each state), then its plan."""
    enabled: list[ChartTransition] = []
    for candidates in view.candidates(state.config, event):
        if candidates[0] not in enabled:
            enabled.append(candidates[0])
    if not enabled:
        return None
    return view.microstep(state.config, view.resolve(state.config, enabled, state), state)


def _reachable(chart: Chart) -> list[ChartState]:
    first = chart.start().state
    seen = {first}
    queue = [first]
    while queue:
        s = queue.pop(0)
        for e in EVENTS:
            n = chart.engine.step(s, Event(e)).state
            if n not in seen:
                seen.add(n)
                queue.append(n)
    return sorted(seen)


def test_the_start_is_what_the_engine_runs() -> None:
    chart = _chart()
    view = ChartView(chart)
    result = chart.start()
    step = view.start()
    assert _logs(view, step) == list(result.logs)
    assert step.after == result.state.config
    assert view.states(step.after) == ("top", "b1")
    assert step.default_entered == ("top",)
    assert [(b.kind, b.owner) for b in step.blocks] == [("initial", chart.root.id), ("entry", "top"), ("initial", "top"), ("entry", "b1")]
    back = view.microstep(step.after, [view.candidates(step.after, "back")[0][0]], result.state)
    assert back.entered == ("p", "r1", "a2", "r2", "c1", "c11") and back.default_entered == ("r2", "c1")
    assert [(b.kind, b.owner) for b in back.blocks][:4] == [("exit", "b1"), ("transition", back.transitions[0].describe()), ("entry", "p"), ("entry", "r1")]
    assert ("history", "h1") in [(b.kind, b.owner) for b in back.blocks]


def test_every_reachable_step_is_what_the_engine_runs() -> None:
    chart = _chart()
    view = ChartView(chart)
    states = _reachable(chart)
    assert len(states) >= 20  # parallel regions x history values: the walk is not trivial
    checked = conflicts = histories = defaults = 0
    for state in states:
        for e in EVENTS:
            result = chart.engine.step(state, Event(e))
            step = _predict(view, state, e)
            if step is None:
                assert result.state == state and not result.logs and not result.taken, (view.states(state.config), e)
                continue
            where = (view.states(state.config), e)
            assert _logs(view, step) == list(result.logs), where
            assert step.after == result.state.config, where
            assert tuple(t.index for t in step.transitions) == result.taken, where
            # the history the exits record is the history the engine holds afterwards
            slots = [h.id for h in chart.states.values() if h.kind == "history"]
            for h, stored in step.history_saved:
                assert view.states(result.state.history[slots.index(h)]) == stored, where
            checked += 1
            conflicts += len(step.transitions) < len(view.candidates(state.config, e))
            histories += bool(step.history_saved)
            defaults += any(b.kind == "history" for b in step.blocks)
    assert checked >= 50 and conflicts and histories and defaults


def test_priority_order_is_innermost_first_then_document_order() -> None:
    chart = _chart()
    view = ChartView(chart)
    cfg = view.configuration(["a1", "c11"])
    order = [[(t.source.id, t.describe()) for t in ts] for ts in view.candidates(cfg, "t")]  # type: ignore[union-attr]
    assert [[src for src, _ in ts] for ts in order] == [["top"], ["c1", "top"]]
    both = [ts[0] for ts in view.candidates(cfg, "y")]
    assert [t.source.id for t in view.resolve(cfg, both)] == ["a1"]  # type: ignore[union-attr]
    assert view.candidates(view.configuration(["end"]), "x") == ()


def test_bad_input_is_named() -> None:
    view = ChartView(_chart())
    with pytest.raises(StatechartError, match="no state 'nowhere'"):
        view.configuration(["nowhere"])
    with pytest.raises(StatechartError, match="history values given"):
        view.microstep(view.configuration(["a1", "c11"]), (), (1, 2, 3))


# --------------------------------------------------------------------------- drawn charts


@st.composite
def _drawn_charts(draw: st.DrawFn) -> Chart:
    """A drawn state tree (parallel regions, history, finals) with guard-free transitions that log like ``_chart``'s."""
    forest = draw(trees(max_depth=3))
    every = [s for t in forest for s in t.iter()]
    targets = [s.id for s in every]
    logged = [s.id for s in every if s.kind != "history"]

    def mark(what: str) -> Any:
        return log(what, tuple(In(s) for s in logged))

    def build(t: Any) -> Any:
        if t.kind == "history":
            return History(t.id, deep=draw(st.booleans()))
        if t.kind == "final":
            return Final(t.id, entry=mark(f"entry {t.id}"), exit=mark(f"exit {t.id}"))
        ts = []
        for k in range(draw(st.integers(0, 2))):
            target = draw(st.one_of(st.none(), st.sampled_from(targets)))
            ts.append(Transition(target, event=draw(st.sampled_from(DRAWN_EVENTS)), internal=draw(st.booleans()), actions=mark(f"t {t.id} {k}")))
        kids = [build(c) for c in t.children]
        cls = Parallel if t.kind == "parallel" else State
        return cls(t.id, *kids, transitions=ts, entry=mark(f"entry {t.id}"), exit=mark(f"exit {t.id}"))

    try:
        return Chart("Drawn", *[build(t) for t in forest])
    except StatechartError:
        assume(False)
        raise


DRAWN_EVENTS = ("a", "b", "c")


@settings(max_examples=40)
@given(_drawn_charts())
def test_drawn_charts_step_as_the_view_says(chart: Chart) -> None:
    view = ChartView(chart)
    logged = [s.id for s in chart.states.values() if s.kind != "history"]
    start = chart.start()
    assert [(a.label, tuple(s in act for s in logged)) for a, act in view.start().actions()] == list(start.logs)
    seen = {start.state}
    queue = [start.state]
    while queue and len(seen) < 80:
        state = queue.pop(0)
        for e in DRAWN_EVENTS:
            result = chart.engine.step(state, Event(e))
            enabled: list[ChartTransition] = []
            for candidates in view.candidates(state.config, e):
                if candidates[0] not in enabled:
                    enabled.append(candidates[0])
            if not enabled:
                assert result.state == state and not result.taken
                continue
            step = view.microstep(state.config, view.resolve(state.config, enabled, state), state)
            assert [(a.label, tuple(s in act for s in logged)) for a, act in step.actions()] == list(result.logs)
            assert (step.after, tuple(t.index for t in step.transitions)) == (result.state.config, result.taken)
            if result.state not in seen:
                seen.add(result.state)
                queue.append(result.state)
