"""Issue 10, point 3: guards are evaluated once per step, and a Python callable that is not a function of its inputs is refused by name."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from simulate import Actor, Stimulus, System, explore
from statecharts import Chart, Interpreter, State, Transition, assign, py, python
from statecharts.errors import NondeterminismError


def _counting_guard(calls: list[int]) -> Any:
    def lucky(ctx: Any, event: Any) -> bool:
        calls.append(1)
        return True

    return py(lucky)


def test_a_guard_runs_once_per_step_also_when_the_plan_has_entry_actions() -> None:
    calls: list[int] = []
    chart = Chart(
        "once",
        State("a", on={"go": Transition("b", guard=_counting_guard(calls))}),
        State("b", entry=assign(n=1), on={"back": "a"}),
        context={"n": 0},
    )
    i = Interpreter(chart)
    for k in range(3):
        i.send("go")
        assert len(calls) == k + 1 and i.leaves == ("b",)
        i.send("back")


def _coin_system(guard: Any = None, action: Any = None) -> System:
    chart = Chart(
        "coin",
        State(
            "idle",
            on={"flip": [Transition("heads", guard=guard, actions=action or ()), Transition("tails")]},
        ),
        State("heads"),
        State("tails"),
        context={"n": 0},
    )
    return System("coin", actors=[Actor("c", chart)], stimuli=[Stimulus("c", "flip")])


def test_a_random_guard_is_an_error_verdict_that_names_it() -> None:
    flips = itertools.cycle([True, False])
    system = _coin_system(guard=py(lambda ctx, ev: next(flips), label="coin_toss"))
    errors = [v for v in explore(system).verdicts if v.kind == "error"]
    assert len(errors) == 1 and errors[0].status == "violated"
    assert "'coin_toss'" in errors[0].message and "not deterministic" in errors[0].message
    assert "idle --flip--> heads" in errors[0].message


def test_a_stateful_action_is_an_error_verdict_that_names_it() -> None:
    counter = itertools.count()
    system = _coin_system(action=python(lambda ctx, ev: {"n": next(counter)}, label="tick"))
    errors = [v for v in explore(system).verdicts if v.kind == "error"]
    assert len(errors) == 1 and "'tick'" in errors[0].message


def test_a_deterministic_python_guard_is_accepted() -> None:
    system = _coin_system(guard=py(lambda ctx, ev: ctx.n == 0, label="fresh"))
    result = explore(system)
    assert not [v for v in result.verdicts if v.kind == "error"] and result.stats.distinct_states == 2


def test_the_error_type_is_public() -> None:
    with pytest.raises(NondeterminismError):
        from simulate.determinism import check_deterministic

        chart = _coin_system().actors[0].chart
        state = chart.start().state
        check_deterministic(chart, state, None, [chart.step(state, "flip")], [chart.step(state, "nothing")])
