"""Issue 10, point 7: a macrostep that never becomes stable ends with InfiniteMacrostepError naming its cycle.

Every reproduction runs under a time guard, so a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import pytest
from timeguard import time_limit

from simulate import Actor, Stimulus, System, explore
from statecharts import Chart, Event, Interpreter, State, Transition, ctx
from statecharts.actions import assign, raise_
from statecharts.errors import ChartDefinitionError, InfiniteMacrostepError
from statecharts.loops import DEFAULT_MAX_MICROSTEPS, repeating_tail
from statecharts.scxml import parse_scxml


def _ping_pong() -> Chart:
    return Chart("loop", State("idle", on={"go": "a"}), State("a", always="b"), State("b", always="a"))


def test_eventless_cycle_at_start_raises_and_names_the_cycle() -> None:
    chart = Chart("loop", State("a", always="b"), State("b", always="a"))
    with time_limit(10, "Chart.start"), pytest.raises(InfiniteMacrostepError) as err:
        chart.start()
    e = err.value
    assert e.repeats and e.event is None and e.limit == DEFAULT_MAX_MICROSTEPS
    assert sorted(e.cycle) == ["a --(eventless)--> b", "b --(eventless)--> a"]
    assert "starting the chart" in str(e) and "max_microsteps" in str(e)


def test_eventless_cycle_in_interpreter_send_leaves_the_state_alone() -> None:
    i = Interpreter(_ping_pong())
    with time_limit(10, "Interpreter.send"), pytest.raises(InfiniteMacrostepError, match="processing event 'go'"):
        i.send("go")
    assert i.leaves == ("idle",)


def test_a_state_raising_its_own_event_is_a_named_error() -> None:
    chart = Chart("echo", State("s", on={"ping": Transition(actions=raise_("ping"))}))
    with time_limit(10, "Interpreter.send"), pytest.raises(InfiniteMacrostepError) as err:
        Interpreter(chart).send("ping")
    assert err.value.cycle == ("s --ping--> (targetless)",)


def test_a_long_but_finite_macrostep_passes_with_a_larger_bound() -> None:
    def counter(bound: int) -> Chart:
        return Chart(
            "count",
            State("s", always=Transition(guard=ctx.n < 1500, actions=assign(n=ctx.n + 1))),
            context={"n": 0},
            max_microsteps=bound,
        )

    with pytest.raises(InfiniteMacrostepError) as err:
        counter(100).start()
    assert err.value.cycle == ("s --(eventless)--> (targetless)",) and err.value.limit == 100
    assert counter(2000).start().state.context == (1500,)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10"])
def test_max_microsteps_must_be_a_positive_integer(bad: object) -> None:
    with pytest.raises(ChartDefinitionError, match="max_microsteps"):
        Chart("c", State("a"), max_microsteps=bad)  # type: ignore[arg-type]


def test_scxml_eventless_cycle_is_a_named_error() -> None:
    chart = parse_scxml(
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" initial="idle">'
        '<state id="idle"><transition event="go" target="a"/></state>'
        '<state id="a"><transition target="b"/></state><state id="b"><transition target="a"/></state></scxml>'
    )
    i = Interpreter(chart)
    with time_limit(10, "SCXML send"), pytest.raises(InfiniteMacrostepError, match="a --\\(eventless\\)--> b"):
        i.send("go")


def test_scxml_raise_loop_is_a_named_error_even_with_on_error_event() -> None:
    chart = parse_scxml(
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0">'
        '<state id="s"><onentry><raise event="tick"/></onentry><transition event="tick"><raise event="tick"/></transition></state></scxml>'
    )
    with time_limit(10, "SCXML start"), pytest.raises(InfiniteMacrostepError, match="processing event 'tick'"):
        Interpreter(chart)


def test_explorer_reports_an_error_verdict_with_the_trace() -> None:
    system = System(
        "runaway",
        actors=[Actor("m", _ping_pong())],
        stimuli=[Stimulus("m", "go")],
    )
    with time_limit(30, "explore"):
        result = explore(system)
    errors = [v for v in result.verdicts if v.kind == "error"]
    assert len(errors) == 1 and errors[0].status == "violated"
    assert "took more than 1000 microsteps" in errors[0].message and "a --(eventless)--> b" in errors[0].message
    assert errors[0].trace is not None


def test_repeating_tail_finds_the_shortest_repeating_block() -> None:
    assert repeating_tail([9, 1, 2, 3, 1, 2, 3, 1, 2, 3]) == ((1, 2, 3), True)
    assert repeating_tail([1, 2, 3, 4]) == ((1, 2, 3, 4), False)


def test_choose_alternatives_that_multiply_end_with_a_named_error() -> None:
    from statecharts import ChoiceExplosionError, choose

    digits = tuple(range(10))
    chart = Chart(
        "many",
        State("s", on={"go": Transition(actions=[choose(f"v{k}", digits, lambda v: assign(n=v)) for k in range(5)])}),
        context={"n": 0},
    )
    state = chart.start().state
    assert chart.step(state, "go").state.context == (0,)  # step takes the first alternative without enumerating them
    with time_limit(60, "successors"), pytest.raises(ChoiceExplosionError, match="more than 10000 alternatives"):
        chart.successors(state, Event("go"))


def test_alternatives_after_an_empty_choose_domain_are_still_enumerated() -> None:
    from statecharts import call, choose

    # the first alternative (v=0) meets an empty domain; v=1 and v=2 must still be successors
    chart = Chart(
        "c",
        State("s", on={"go": Transition(actions=choose("v", (0, 1, 2), lambda v: choose("w", call("range", v), lambda w: assign(n=w + 1))))}),
        context={"n": 0},
    )
    state = chart.start().state
    assert sorted(r.state.context for r in chart.successors(state, Event("go"))) == [(1,), (1,), (2,)]


def test_a_guard_that_fails_on_every_check_is_a_named_runaway_not_a_hang() -> None:
    """Fuzz long run: an eventless guard raising each time queues error.execution for ever (unhandled events were not counted)."""
    text = (
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="python">'
        '<datamodel><data id="n" expr="None"/></datamodel>'
        '<state id="s0"><transition event="reset" target="s1"/></state>'
        '<state id="s1"><transition cond="n &lt; 4"><assign location="n" expr="n + 1"/></transition></state></scxml>'
    )
    it = Interpreter(parse_scxml(text))
    with time_limit(60, "a failing eventless guard"), pytest.raises(InfiniteMacrostepError):
        it.send("reset")
