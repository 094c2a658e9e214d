"""Bad systems and bad limits are refused, before exploring, by a ModelError naming the element (issue 10, points 5, 11, 12)."""

from __future__ import annotations

from typing import Any

import pytest

from simulate import Actor, Faults, ModelError, Stimulus, System, actor, explore, in_flight, invariant, sometimes
from statecharts import Chart, State, Transition, assign, ctx, send


def _pinger() -> Chart:
    return Chart("Pinger", State("idle", on={"go": Transition("sent", actions=send("ponger", "ping"))}), State("sent"), context={"n": 0})


def _ponger() -> Chart:
    return Chart("Ponger", State("wait", on={"ping": Transition(actions=assign(got=ctx.got + 1))}), context={"got": 0})


def _system(**kw: Any) -> System:
    args: dict[str, Any] = {
        "actors": [Actor("pinger", _pinger(), end_states=["sent"]), Actor("ponger", _ponger(), end_states=["wait"])],
        "stimuli": [Stimulus("pinger", "go", max=1)],
        "properties": [invariant("Few", actor("ponger").got <= 1)],
    }
    args.update(kw)
    return System("PingPong", **args)


def test_the_good_system_explores() -> None:
    assert explore(_system()).ok


def test_duplicate_property_names_are_rejected_naming_the_duplicate() -> None:
    with pytest.raises(ModelError, match="two properties are named 'Few'"):
        _system(properties=[invariant("Few", actor("ponger").got <= 1), sometimes("Few", actor("ponger").got == 1)])


@pytest.mark.parametrize(
    ("faults", "message"),
    [(Faults(drop=-1), "fault budget drop is -1"), (Faults(duplicate=2.5), "fault budget duplicate is 2.5"), (Faults(crash={"ponger": -3}), "crash")],  # type: ignore[arg-type]
)
def test_negative_or_fractional_fault_budgets_are_rejected(faults: Faults, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        _system(faults=faults)


def test_negative_actor_crash_budget_is_rejected() -> None:
    with pytest.raises(ModelError, match="actor 'ponger': crash is -1"):
        _system(actors=[Actor("pinger", _pinger(), end_states=["sent"]), Actor("ponger", _ponger(), crash=-1)])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_states": -5}, "max_states=-5"),
        ({"max_states": 2.5}, "max_states=2.5"),
        ({"max_depth": 0}, "max_depth=0"),
        ({"max_seconds": float("nan")}, "max_seconds=nan"),
        ({"max_seconds": float("inf")}, "max_seconds=inf"),
        ({"runs": -1, "mode": "random"}, "runs=-1"),
    ],
)
def test_bad_limits_are_rejected(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ModelError, match=message):
        explore(_system(), **options)


def test_in_flight_of_an_event_nobody_sends_is_rejected_with_close_matches() -> None:
    with pytest.raises(ModelError, match=r"in_flight\('pnig'\) names an event no actor sends.*did you mean 'ping'"):
        _system(properties=[invariant("NoPing", in_flight("pnig") == 0)])
    with pytest.raises(ModelError, match=r"the constraint: in_flight\('pong'\)"):
        _system(constraint=in_flight("pong") <= 1)
    assert explore(_system(properties=[invariant("AtMostOne", in_flight("ping") <= 1)])).ok


def test_unhashable_stimulus_data_is_rejected_naming_the_stimulus() -> None:
    class Box:
        __hash__ = None  # type: ignore[assignment]

    with pytest.raises(ModelError, match="stimulus 'go' for 'pinger': its data"):
        _system(stimuli=[Stimulus("pinger", "go", data={"box": Box()}, max=1)])
    with pytest.raises(ModelError, match="stimulus 'go' for 'pinger': its data"):
        _system(stimuli=[Stimulus("pinger", "go", data=[{"n": 1}, 5], max=1)])  # type: ignore[list-item]


def test_a_context_function_that_raises_is_a_model_error_naming_the_actor() -> None:
    def context(i: int) -> dict[str, int]:
        raise ValueError("no context for you")

    with pytest.raises(ModelError, match=r"actor 'ponger': its context function raised ValueError: no context for you \(for instance 0\)"):
        _system(actors=[Actor("pinger", _pinger(), end_states=["sent"]), Actor("ponger", _ponger(), count=2, context=context)])


@pytest.mark.parametrize("key", ["name", "count", "context", "durable", "end_states", "crash"])
@pytest.mark.parametrize("bad", [5, "2", 2.5, True, None, [5], {5: "a"}, object()], ids=["5", "str", "float", "True", "None", "list", "dict", "object"])
def test_wrongly_typed_actor_arguments_are_model_errors(key: str, bad: Any) -> None:
    """Found by the fuzz test: ``Actor(count='2')`` was a raw TypeError from System (fuzz finding Y3)."""
    args: dict[str, Any] = {"name": "ponger", "chart": _ponger(), "end_states": ["wait"], key: bad}
    try:  # refused when built, or accepted (None, a usable value) and then explored
        explore(_system(actors=[Actor("pinger", _pinger(), end_states=["sent"]), Actor(**args)]), max_states=50)
    except ModelError:
        pass


def test_a_string_count_names_the_actor() -> None:
    with pytest.raises(ModelError, match=r"actor 'ponger': count must be a whole number, not '2'"):
        _system(actors=[Actor("pinger", _pinger(), end_states=["sent"]), Actor("ponger", _ponger(), count="2")])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"actors": 5}, "actors must be a list"),
        ({"stimuli": 5}, "stimuli must be a list"),
        ({"properties": 5}, "properties must be a list"),
        ({"faults": 5}, "faults must be a Faults"),
        ({"stimuli": [5]}, "5 is not a Stimulus"),
        ({"stimuli": [Stimulus(5, "go")]}, "the target and the event must be names"),  # type: ignore[arg-type]
        ({"stimuli": [Stimulus("pinger", 5)]}, "the target and the event must be names"),  # type: ignore[arg-type]
    ],
)
def test_wrongly_typed_system_arguments_are_model_errors(options: dict[str, Any], message: str) -> None:
    """Found by probing after the fuzz run: these were raw TypeError / AttributeError from System(...)."""
    with pytest.raises(ModelError, match=message):
        _system(**options)


def test_a_system_name_must_be_a_string() -> None:
    with pytest.raises(ModelError, match="the name must be a non-empty string"):
        System(5, actors=[Actor("pinger", _pinger(), end_states=["sent"])])  # type: ignore[arg-type]
