"""A soundness review of the liveness analysis: the cases the random graphs of test_liveness_graph do not reach.

A bad region larger than ``FORMER_ORDER_LIMIT`` (where the component is chosen differently), and what a run that
did not see the whole graph may say about liveness. The oracles are weak fairness read off small hand-made graphs.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from test_liveness_graph import RandomGraph, check_lasso

from exporters.tla import to_tla
from exporters.tlc import run_tlc
from simulate import Actor, Stimulus, System, actor, eventually, explore, leads_to, replay_in_interpreter
from simulate.explorer import explore_model, liveness
from simulate.protocol import Checks, Liveness
from simulate.result import Trace
from statecharts import Chart, State, Transition, assign, ctx


class Ring(RandomGraph):
    """States 0..n-1 on a ring of ``a`` steps (the only way round), each with a ``b`` step to the goal n, except the
    states in ``dodge`` (where ``b`` is disabled). Weak fairness of ``b`` forbids going round for ever unless the
    ring has a state where ``b`` is disabled: ``<>goal`` holds iff ``dodge`` is empty."""

    def __init__(self, n: int, dodge: set[int], kind: str = "eventually") -> None:
        self.succ = [[("a", (i + 1) % n)] + ([] if i in dodge else [("b", n)]) for i in range(n)] + [[]]
        self.p = {n} if kind == "eventually" else {0}
        self.q = {n}
        self.init = [0]
        self.kind = kind

    def checks(self) -> Checks:
        if self.kind == "eventually":
            return Checks(liveness=[Liveness("L", "eventually", lambda s: s in self.p)])
        return Checks(liveness=[Liveness("L", "leads_to", lambda s: s in self.p, lambda s: s in self.q)])


@pytest.mark.parametrize("kind", ["eventually", "leads_to"])
@pytest.mark.parametrize(("n", "dodge"), [(12, set()), (12, {7}), (12, {3, 9})])
def test_a_ring_is_fair_only_through_a_state_where_the_exit_is_disabled(kind: str, n: int, dodge: set[int], monkeypatch: pytest.MonkeyPatch) -> None:
    for limit in (liveness.FORMER_ORDER_LIMIT, 0):  # the former component choice, and the nearest fair component
        monkeypatch.setattr(liveness, "FORMER_ORDER_LIMIT", limit)
        m = Ring(n, dodge, kind)
        v = explore_model(m).verdict("L")  # type: ignore[arg-type]
        assert v.status == ("violated" if dodge else "holds"), (limit, v.status)
        if dodge:
            assert v.trace is not None
            check_lasso(m, v.trace)
            assert {s.state for s in v.trace.steps[v.trace.loop_start :]} & dodge


@pytest.mark.slow
@pytest.mark.parametrize("dodge", [set(), {150_001}])
def test_a_bad_region_larger_than_the_former_order_limit(dodge: set[int]) -> None:
    # more states where the goal is not met than FORMER_ORDER_LIMIT: the component is the nearest fair one
    n = liveness.FORMER_ORDER_LIMIT + 1_000
    m = Ring(n, dodge)
    v = explore_model(m).verdict("L")  # type: ignore[arg-type]
    assert v.status == ("violated" if dodge else "holds")
    if dodge:
        assert v.trace is not None
        check_lasso(m, v.trace)
        assert 150_001 in {s.state for s in v.trace.steps[v.trace.loop_start :]}


def _limits() -> list[dict[str, Any]]:
    return [{"max_states": 5}, {"max_depth": 3}, {"max_states": 5, "mode": "dfs"}, {"max_depth": 3, "mode": "dfs"}, {"mode": "random", "runs": 3}]


@pytest.mark.parametrize("options", _limits())
def test_a_partial_graph_never_says_holds(options: dict[str, Any]) -> None:
    # on the first states of a ring without a dodge <>goal holds; on a partial graph nothing may be claimed
    for dodge in (set(), {7}):
        v = explore_model(Ring(12, dodge), **options).verdict("L")  # type: ignore[arg-type]
        assert v.status == "incomplete", (options, dodge, v.status)


# --------------------------------------------------------------------------- a fair step that leaves the constraint


def _leaving(go_in_b: bool) -> System:
    """A flips between a and b (unfair stimulus); the fair stimulus ``go`` counts x up, out of the constraint x < 1.
    ``go`` is enabled in every state (``go_in_b``) or only in a. As in TLA+ (``ENABLED`` knows no CONSTRAINT), weak
    fairness of ``go`` forbids flipping for ever while it stays enabled: ``<>x >= 1`` holds with ``go_in_b`` (no fair
    behaviour stays within the constraint), and is violated without (loop through b, where ``go`` is disabled)."""
    count = Transition(None, actions=[assign(x=ctx.x + 1)])
    on_b = {"flip": Transition("a"), **({"go": count} if go_in_b else {})}
    chart = Chart("C", State("top", State("a", on={"flip": Transition("b"), "go": count}), State("b", on=on_b)), context={"x": 0})
    return System(
        f"Leaving{int(go_in_b)}",
        actors=[Actor("A", chart, end_states=["a", "b"])],
        stimuli=[Stimulus("A", "flip"), Stimulus("A", "go", max=1, fair=True)],
        properties=[eventually("counts", actor("A").x >= 1), leads_to("a counts", actor("A").in_state("a"), actor("A").x >= 1)],
        constraint=actor("A").x < 1,
        check_deadlock=False,
    )


def _fair_under_full_enabledness(result: Any, trace: Trace) -> None:
    """The loop of a lasso is weakly fair when every step of the model counts as enabled, constraint or not."""
    m = result.model
    loop = [m.canonical(s.state)[0] for s in trace.steps[trace.loop_start :]]

    def enabled(s: Any) -> set[Any]:
        return {m.fair_key(label) for label, s2 in m.successors(s) if m.fair_key(label) is not None and m.canonical(s2)[0] != s}

    taken = {m.fair_key(label) for a, b in zip(loop, loop[1:]) for label, s2 in m.successors(a) if m.canonical(s2)[0] == b != a}
    assert set.intersection(*(enabled(s) for s in loop)) <= taken


@pytest.mark.parametrize("mode", ["bfs", "dfs"])
@pytest.mark.parametrize("go_in_b", [True, False])
def test_a_fair_step_out_of_the_constraint_is_enabled(go_in_b: bool, mode: str) -> None:
    result = explore(_leaving(go_in_b), mode=mode)
    assert result.complete
    for name in ("counts", "a counts"):
        v = result.verdict(name)
        assert v.status == ("holds" if go_in_b else "violated"), (name, v.status)
        if v.trace is not None:
            replay_in_interpreter(result, v.trace)
            _fair_under_full_enabledness(result, v.trace)


@pytest.mark.skipif(not os.environ.get("TLA2TOOLS"), reason="TLA2TOOLS not set (TLC is the oracle here)")
@pytest.mark.parametrize("go_in_b", [True, False])
def test_tlc_agrees_on_a_fair_step_out_of_the_constraint(go_in_b: bool) -> None:
    system = _leaving(go_in_b)
    spec = to_tla(system)
    ours = explore(system)
    for name in ("counts", "a counts"):
        tlc = run_tlc(spec, jar=os.environ["TLA2TOOLS"], timeout=600, cfg=spec.cfg_for(invariants=[], properties=[name], deadlock=False))
        assert tlc.verdict in ("ok", "liveness"), tlc.raw_output[-2000:]
        assert ours.verdict(name).status == ("violated" if tlc.verdict == "liveness" else "holds"), (name, tlc.verdict)


# --------------------------------------------------------------------------- a step that fails


def test_a_failed_step_leaves_liveness_undecided() -> None:
    # in a, the fair ``go`` leads to b, but ``boom`` raises there: the successors of a are unknown (the error verdict
    # says so), and a lasso stuttering in a would not be fair (``go`` is enabled): liveness is not decided
    boom = Transition(None, actions=[assign(x=ctx.x // ctx.y)])
    chart = Chart("C", State("top", State("a", on={"go": Transition("b"), "boom": boom}), State("b")), context={"x": 1, "y": 0})
    system = System(
        "Boom",
        actors=[Actor("A", chart, end_states=["a", "b"])],
        stimuli=[Stimulus("A", "go", max=1, fair=True), Stimulus("A", "boom", max=1)],
        properties=[eventually("reaches b", actor("A").in_state("b")), leads_to("a to b", actor("A").in_state("a"), actor("A").in_state("b"))],
        check_deadlock=False,
    )
    for mode in ("bfs", "dfs"):
        result = explore(system, mode=mode)
        assert result.verdict("error").status == "violated"
        for name in ("reaches b", "a to b"):
            assert result.verdict(name).status == "incomplete", (mode, name)
