"""A soundness review of the liveness analysis: the cases the random graphs of test_liveness_graph do not reach.

A bad region larger than ``FORMER_ORDER_LIMIT`` (where the component is chosen differently), and what a run that
did not see the whole graph may say about liveness. The oracles are weak fairness read off small hand-made graphs.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_liveness_graph import RandomGraph, check_lasso

from simulate.explorer import explore_model, liveness
from simulate.protocol import Checks, Liveness


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
