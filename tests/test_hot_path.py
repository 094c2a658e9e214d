"""The explorer's hot path against plain oracles: FIFO appends against per-channel lists, in-flight zero tests
against counting the messages, on every reachable state of a small system for each kind of network."""

from __future__ import annotations

import operator
import random
from typing import Any

import pytest

from simulate import Actor, Stimulus, System, in_flight
from simulate.model import Model
from simulate.network import append_fifo
from simulate.properties import compile_predicate
from statecharts import Chart, State, Transition, send


def appended(net: Any, chans: Any) -> Any:
    """The oracle: a queue per channel, each message appended to its channel, the non-empty channels in order."""
    queues: dict[tuple[int, int], list[int]] = {chan: list(msgs) for chan, msgs in net}
    for chan, m in chans:
        queues.setdefault(chan, []).append(m)
    return tuple((chan, tuple(msgs)) for chan, msgs in sorted(queues.items()) if msgs)


def test_append_fifo_appends_each_message_to_its_channel() -> None:
    rng = random.Random(11)
    channels = [(s, d) for s in range(4) for d in range(4)]
    for _ in range(3000):
        used = rng.sample(channels, rng.randint(0, 7))
        net = tuple(sorted((c, tuple(rng.randrange(40) for _ in range(rng.randint(1, 3)))) for c in used))
        chans = tuple((rng.choice(channels), rng.randrange(40)) for _ in range(rng.randint(0, 4)))
        assert append_fifo(net, chans) == appended(net, chans)


def chatty(network: str) -> System:
    """Two actors that send each other pings and pongs, and a note to themselves, so that messages pile up."""
    a = Chart(
        "A",
        State("a", on={"go": Transition(None, actions=[send("b", "ping"), send("a", "note")]), "pong": Transition(None), "note": Transition(None)}),
    )
    b = Chart("B", State("b", on={"ping": Transition(None, actions=send("a", "pong")), "poke": Transition(None, actions=send("c", "ping"))}))
    a_ping = Chart("A2", State("a", on={"ping": Transition(None)}))
    return System(
        f"Chatty({network})",
        actors=[Actor("a", a), Actor("b", b), Actor("c", a_ping)],
        network=network,
        stimuli=[Stimulus("a", "go", max=2), Stimulus("b", "poke", max=1)],
        check_deadlock=False,
    )


def reachable(model: Model) -> list[Any]:
    states = list(model.initial_states())
    seen = set(states)
    for state in states:
        for _, s2 in model.successors(state):
            if s2 not in seen:
                seen.add(s2)
                states.append(s2)
    return states


OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
# (event, receiver, operator, constant, count on the left): every comparison that only asks whether a count is 0,
# both ways round, and two that ask more (counted as before)
CASES = [
    (None, None, "==", 0, True),
    (None, None, "==", 0, False),
    (None, None, ">", 0, True),
    (None, None, ">=", 1, True),
    (None, None, "<", 1, True),
    (None, None, ">=", 0, False),
    (None, None, "<", 0, False),
    (None, None, "!=", 0, True),
    ("ping", None, "==", 0, True),
    (None, "a", ">", 0, True),
    ("pong", "a", "!=", 0, False),
    ("note", "a", ">=", 1, True),
    (None, None, "==", 2, True),
    ("ping", None, "<", 2, True),
]


@pytest.mark.parametrize("network", ["unordered-duplicating", "unordered", "fifo"])
def test_in_flight_comparisons_agree_with_counting(network: str) -> None:
    model = Model(chatty(network))
    states = reachable(model)
    assert len(states) > 8
    for ev, to, op, k, count_first in CASES:
        count = f"in_flight({ev!r}, {to!r})"
        spec = f"{count} {op} {k}" if count_first else f"{k} {op} {count}"
        pred = compile_predicate(model, spec, spec)
        dest = model.instance_index(to) if to is not None else None
        seen = set()
        for state in states:
            n = sum(1 for d, e in model.messages_of(state) if (ev is None or e.name == ev) and (to is None or d == dest))
            want = OPS[op](n, k) if count_first else OPS[op](k, n)
            assert pred(state) == want, (spec, state)
            assert model.count_messages(state, ev, dest) == n
            assert model.has_message(state, ev, dest) == (n > 0)
            seen.add(want)
        assert seen == {True, False}, spec  # the states tell the outcomes apart


def test_the_builder_spelling_compiles_to_the_same_test() -> None:
    model = Model(chatty("fifo"))
    states = reachable(model)
    quiet = compile_predicate(model, in_flight() == 0, "quiet")
    busy = compile_predicate(model, in_flight("ping", "b") > 0, "busy")
    for state in states:
        assert quiet(state) == (not model.messages_of(state))
        assert busy(state) == any(e.name == "ping" and model.names[d] == "b" for d, e in model.messages_of(state))
