"""The flagship example, examples/websocket_gateway: verdicts, state counts and trace lengths per design.

This file pins the first, narrow model (``NARROW``: S1 without CLOSE, S2 over the database
row); the specification's wording and fault model are in tests/test_websocket_mechanisms.py.
Every number below was measured with the explorer (BFS) and is asserted as a regression
check: a change in a count or a trace length means the model or the explorer changed
meaning, and must be explained, not just re-recorded. Two bound sets are used (as on the
command line): the document's bounds for the safety properties and reachability goals,
and a reduced bound (no duplicate delivery, no frame, no out-of-band call) for the
liveness properties L1/L2, which keep the whole state graph. Where the document's bounds
take minutes (deferred and grace-retry with a duplicated async delivery: over 1.7 million
states), the safety run drops the duplicate; the duplicate's own bug is checked on a
small bound of its own. The whole file runs in about a minute on the 2-core machine.
"""

from __future__ import annotations

from typing import Any

import pytest

from examples.websocket_gateway import DESIGNS, MUTATIONS, NARROW, system
from examples.websocket_gateway import build as build_any
from examples.websocket_gateway.__main__ import LIVENESS_BOUNDS, main
from simulate import Result, System, explore

S1, S2, S3, S4 = (
    "S1 no traffic for a rejected connection",
    "S2 no ghost subscriptions",
    "S3 causal subscribe",
    "S4 per-connection FIFO",
)
L1, L2 = "L1 open leads to welcome", "L2 present leads to open or CLOSE"
ACCEPTED, WELCOME, PUBLISHED = "accepted", "welcome received", "publish reaches a subscriber"


def build(design: str = "naive", **bounds: Any) -> System:
    """The narrow model this file pins (S1 without CLOSE, S2 over the database row): its numbers are regression checks."""
    return build_any(design, **{**NARROW, **bounds})


REDUCED_SAFETY = {**LIVENESS_BOUNDS, "liveness": False}
"""The liveness bound, without L1/L2: the same state space, explored without keeping the graph."""


def outcome(result: Result) -> dict[str, tuple[str, int | None]]:
    """Property name -> (status, trace length or None)."""
    return {v.name: (v.status, len(v.trace) if v.trace is not None else None) for v in result.verdicts}


def test_module_exposes_the_naive_system_designs_and_mutations() -> None:
    assert isinstance(system, System)
    assert system.name == "websocket-gateway[naive]"
    assert DESIGNS == ("naive", "deferred", "grace-retry", "fixed")
    assert set(MUTATIONS) == {"no-liveness-check", "lagging-index", "early-flip", "poll-no-wait"}


def test_bad_arguments_are_rejected_with_the_choices() -> None:
    with pytest.raises(ValueError, match="designs: naive, deferred"):
        build("optimistic")
    with pytest.raises(ValueError, match="fixed design only"):
        build("naive", mutation="early-flip")
    with pytest.raises(ValueError, match="unknown bounds frame"):
        build("fixed", frame=2)


# --------------------------------------------------------------------------- reduced bound: every design, every property

REDUCED: dict[str, tuple[int, dict[str, tuple[str, int | None]]]] = {
    "naive": (
        197,
        {
            S1: ("holds", None),
            S2: ("holds", None),
            S3: ("violated", 13),  # joined is posted during $connect (410) or missed by the lagging index
            S4: ("holds", None),
            ACCEPTED: ("reached", 12),
            WELCOME: ("unreached", None),  # welcome always meets the 410 of $connect
            PUBLISHED: ("unreached", None),
        },
    ),
    "deferred": (
        1388,
        {
            S1: ("holds", None),
            S2: ("violated", 24),  # the deferred SUBSCRIBE lands after the $disconnect clean-up
            S3: ("violated", 19),
            S4: ("holds", None),
            ACCEPTED: ("reached", 8),
            WELCOME: ("reached", 16),
            PUBLISHED: ("reached", 21),
        },
    ),
    "grace-retry": (
        1039,
        {
            S1: ("holds", None),
            S2: ("violated", 24),
            S3: ("violated", 17),
            S4: ("holds", None),
            ACCEPTED: ("reached", 8),
            WELCOME: ("reached", 14),
            PUBLISHED: ("reached", 19),
        },
    ),
    "fixed": (
        1880,
        {
            S1: ("holds", None),
            S2: ("holds", None),
            S3: ("holds", None),
            S4: ("holds", None),
            ACCEPTED: ("reached", 8),
            WELCOME: ("reached", 16),
            PUBLISHED: ("reached", 21),
        },
    ),
}


@pytest.mark.parametrize("design", DESIGNS)
def test_reduced_bound_safety_and_reachability(design: str) -> None:
    states, expected = REDUCED[design]
    result = explore(build(design, **REDUCED_SAFETY))
    assert result.complete
    assert result.stats.distinct_states == states
    assert outcome(result) == expected


LIVENESS: dict[str, dict[str, tuple[str, int | None]]] = {
    "naive": {L1: ("violated", 15), L2: ("violated", 13)},  # L2: the client leaves during $connect: no $disconnect
    "deferred": {L1: ("holds", None), L2: ("violated", 15)},
    "grace-retry": {L1: ("violated", 21), L2: ("violated", 18)},  # L1: every retry meets the handshake window
    "fixed": {L1: ("holds", None), L2: ("holds", None)},
}


@pytest.mark.parametrize(
    "design",
    ["naive", "deferred", "grace-retry", "fixed"],
)
def test_liveness_on_the_reduced_bound(design: str) -> None:
    result = explore(build(design, **LIVENESS_BOUNDS))
    assert result.stats.distinct_states == REDUCED[design][0]
    got = outcome(result)
    assert {name: got[name] for name in (L1, L2)} == LIVENESS[design]


# --------------------------------------------------------------------------- the document's bounds (safety)

DOCUMENT: dict[str, tuple[dict[str, Any], int, dict[str, tuple[str, int | None]]]] = {
    "naive": (
        {},
        4291,
        {
            S1: ("holds", None),
            S2: ("violated", 25),  # the app's control SUBSCRIBE after the connection row is gone
            S3: ("violated", 13),
            S4: ("holds", None),
            ACCEPTED: ("reached", 12),
            WELCOME: ("unreached", None),
            PUBLISHED: ("reached", 22),
        },
    ),
    "deferred": (
        {"duplicates": 0},
        241716,
        {
            S1: ("holds", None),
            S2: ("violated", 24),
            S3: ("violated", 19),  # the client speaks first; the app publishes before the deferred SUBSCRIBE
            S4: ("violated", 22),  # the control API's news overtakes the deferred welcome
            ACCEPTED: ("reached", 8),
            WELCOME: ("reached", 16),
            PUBLISHED: ("reached", 21),
        },
    ),
    "grace-retry": (
        {"duplicates": 0},
        261082,
        {
            S1: ("holds", None),
            S2: ("violated", 24),
            S3: ("violated", 17),
            S4: ("violated", 20),  # a later message overtakes the welcome being retried
            ACCEPTED: ("reached", 8),
            WELCOME: ("reached", 14),
            PUBLISHED: ("reached", 19),
        },
    ),
    "fixed": (
        {},
        520527,
        {
            S1: ("holds", None),
            S2: ("holds", None),
            S3: ("holds", None),
            S4: ("holds", None),
            ACCEPTED: ("reached", 8),
            WELCOME: ("reached", 16),
            PUBLISHED: ("reached", 21),
        },
    ),
}


@pytest.mark.parametrize("design", [d if d == "naive" else pytest.param(d, marks=pytest.mark.slow) for d in DESIGNS])
def test_document_bounds_safety(design: str) -> None:
    bounds, states, expected = DOCUMENT[design]
    result = explore(build(design, liveness=False, **bounds))
    assert result.complete
    assert result.stats.distinct_states == states
    assert outcome(result) == expected


def test_naive_first_counterexample_is_found_early_and_short() -> None:
    """Stopping at the first violation explores a fraction of the space (counted, not timed: tests never assert wall-clock times)."""
    result = explore(build("naive", liveness=False), stop_on_violation=True)
    verdict = result.verdict(S3)
    assert verdict.status == "violated"
    assert verdict.trace is not None and len(verdict.trace) == 13
    assert result.stats.distinct_states == 1137


def test_a_duplicated_async_delivery_delivers_the_batch_twice() -> None:
    result = explore(build("deferred", frames=0, oob=0, leave=False, crash=0, liveness=False))
    assert result.stats.distinct_states == 392
    verdict = result.verdict(S4)
    assert verdict.status == "violated" and verdict.trace is not None and len(verdict.trace) == 26
    received = verdict.trace.steps[-1].changes[0].context["received"][1]
    assert received == ((1, "welcome"), (1, "welcome"))


# --------------------------------------------------------------------------- mutations of the fixed design

MUTATION_FAILURES: dict[str, tuple[str, int, int]] = {
    # mutation: (the property that fails first, its BFS trace length, distinct states when BFS stops)
    "no-liveness-check": (S2, 23, 24026),
    "lagging-index": (S3, 19, 8954),
    "early-flip": (S4, 24, 25299),
    "poll-no-wait": (S3, 17, 11924),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_each_mutation_brings_its_failure_back(mutation: str) -> None:
    prop, length, states = MUTATION_FAILURES[mutation]
    result = explore(build("fixed", mutation=mutation, liveness=False), stop_on_violation=True)
    verdict = result.verdict(prop)
    assert verdict.status == "violated"
    assert verdict.trace is not None and len(verdict.trace) == length
    assert result.stats.distinct_states == states


def test_polling_without_waiting_loses_the_welcome() -> None:
    result = explore(build("fixed", mutation="poll-no-wait", **LIVENESS_BOUNDS))
    assert outcome(result)[L1] == ("violated", 17)


def test_command_line_prints_verdicts_and_counterexamples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--design", "deferred", "--quick", "--no-artifacts"]) == 1  # it reports violations, so it exits 1
    out = capsys.readouterr().out
    assert out.rstrip().endswith("#### violations reported (exit status 1)")
    assert "S3 causal subscribe            violated (19 steps)" in out
    assert "-- counterexample to S3 causal subscribe (19 steps)" in out
    # the specification's fixed design fails S1 as worded (the command line uses the worded properties)
    assert main(["--design", "fixed", "--quick", "--no-traces", "--no-artifacts"]) == 1
    out = capsys.readouterr().out
    assert "S1 no traffic for a rejected connection violated (12 steps)" in out
    final = ["--design", "fixed", "--quick", "--no-traces", "--no-artifacts", "--faithful", "--amend"]
    assert main([*final, "--assume-message-ok"]) == 0  # the amended design, under its one stated assumption
    out = capsys.readouterr().out
    assert "websocket-gateway[fixed]: ok" in out and out.rstrip().endswith("#### no violation reported (exit status 0)")
    assert main([*final, "--assume-message-ok", "--max-seconds", "0.01"]) == 2
