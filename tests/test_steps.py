"""What a step changed and sent, computed once (simulate.steps) for the explorer, the conformance tracker and the TLC replay."""

from __future__ import annotations

from simulate import Actor, Stimulus, System, explore, in_flight, sometimes
from simulate.model import Label
from simulate.steps import changes_between, in_flight_text, new_messages, sent_between
from statecharts import Chart, State, Transition, send


def _twice() -> System:
    sender = Chart("Sender", State("idle", on={"go": Transition("done", actions=[send("b", "ping"), send("b", "ping")])}), State("done"))
    receiver = Chart("Receiver", State("s", on={"ping": Transition()}))
    return System(
        "Twice",
        actors=[Actor("a", sender, end_states=["idle", "done"]), Actor("b", receiver, end_states=["s"])],
        stimuli=[Stimulus("a", "go", max=1)],
        properties=[sometimes("TwoPings", in_flight("ping") == 2)],
    )


def test_a_step_that_sends_one_message_twice_sent_two() -> None:
    result = explore(_twice())
    trace = result.verdict("TwoPings").trace
    assert trace is not None and result.model is not None
    m = result.model
    states = [s.state for s in trace.steps]
    assert sent_between(m, None, states[0]) == []
    assert sent_between(m, states[0], states[1]) == [("a", "b", "ping"), ("a", "b", "ping")]
    assert [e.name for _, e in new_messages(m, states[0], states[1])] == ["ping", "ping"]
    assert in_flight_text(m, states[1]) == ["a->b:ping", "a->b:ping"]
    for k, step in enumerate(trace.steps):  # the explorer's own trace says the same
        prev = states[k - 1] if k else None
        assert step.sent == sent_between(m, prev, states[k])
        assert step.changes == changes_between(m, prev, states[k])


def test_delivering_one_of_two_equal_messages_sends_nothing_new() -> None:
    result = explore(_twice())
    m = result.model
    assert m is not None
    two = result.verdict("TwoPings").trace
    assert two is not None
    after = [s2 for raw, s2 in m.successors(two.steps[-1].state) if Label(*raw).kind == "deliver"]
    assert after and all(sent_between(m, two.steps[-1].state, s2) == [] for s2 in after)
    assert all(in_flight_text(m, s2) == ["a->b:ping"] for s2 in after)
