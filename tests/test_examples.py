"""Regression checks for the example models: exact verdicts, distinct-state counts, trace lengths.

Where a TLC figure exists for the same spec it is asserted and cited; the other counts are
the explorer's measured numbers, kept as regression checks.
"""

from __future__ import annotations

import pytest

from simulate import Result, explore


def verdicts(result: Result) -> dict[str, str]:
    """Property name -> status."""
    return {v.name: v.status for v in result.verdicts}


def steps(result: Result, name: str) -> int:
    """The length of a verdict's trace."""
    trace = result.verdict(name).trace
    assert trace is not None, name
    return len(trace)


# --------------------------------------------------------------------------- bank transfer


@pytest.mark.parametrize(
    ("variant", "states", "expected"),
    [
        # TLC 2.18 on the PlusCal wire specs without invariants: 720, 457, 112 distinct states
        ("racy", 720, {"MoneyConserved": "violated", "NoOverdrafts": "holds", "deadlock": "holds"}),
        ("check_then_act", 457, {"MoneyConserved": "holds", "NoOverdrafts": "violated", "deadlock": "holds"}),
        ("atomic", 112, {"MoneyConserved": "holds", "NoOverdrafts": "holds", "deadlock": "holds"}),
    ],
)
def test_bank_transfer(variant: str, states: int, expected: dict[str, str]) -> None:
    from examples import bank_transfer

    result = explore(bank_transfer.build(variant))
    assert result.complete
    assert result.stats.distinct_states == states
    assert verdicts(result) == expected
    for name, status in expected.items():
        if status == "violated":
            assert steps(result, name) == 4


# --------------------------------------------------------------------------- throttling


def test_throttling_single_sender_matches_tlc() -> None:
    """The blog post's spec (Window 2, Limit 3, MaxTime 3): TLC reports 142 distinct states, no error."""
    from examples import throttling

    result = explore(throttling.build("throttled"))
    assert result.complete
    assert result.stats.distinct_states == 142
    assert verdicts(result) == {"FrequencyInvariant": "holds", "deadlock": "holds"}


def test_throttling_single_sender_unthrottled() -> None:
    """Four sends at time 0: TLC's counterexample has 9 states (8 steps), and so has ours."""
    from examples import throttling

    result = explore(throttling.build("unthrottled"))
    assert result.stats.distinct_states == 235
    assert verdicts(result) == {"FrequencyInvariant": "violated", "deadlock": "holds"}
    assert steps(result, "FrequencyInvariant") == 8


@pytest.mark.parametrize(
    ("mode", "states", "expected", "trace"),
    [
        ("throttled", 39866, {"FrequencyInvariant": "holds", "PermittedMessagesAcceptedInvariant": "holds"}, None),
        ("unthrottled", 7164, {"FrequencyInvariant": "violated", "PermittedMessagesAcceptedInvariant": "holds"}, ("FrequencyInvariant", 7)),
        (
            "dropall",
            76,
            {"FrequencyInvariant": "holds", "PermittedMessagesAcceptedInvariant": "violated", "MessageAccepted": "unreached"},
            ("PermittedMessagesAcceptedInvariant", 1),
        ),
    ],
)
def test_throttling_multiple_senders(mode: str, states: int, expected: dict[str, str], trace: tuple[str, int] | None) -> None:
    from examples import throttling

    result = explore(throttling.build_multi(mode))
    assert result.complete
    assert result.stats.distinct_states == states
    expected = {"MessageAccepted": "reached", "deadlock": "holds", **expected}
    assert verdicts(result) == expected
    if trace is not None:
        assert steps(result, trace[0]) == trace[1]


# --------------------------------------------------------------------------- distributed lock


@pytest.mark.parametrize(
    ("variant", "states", "expected", "traces"),
    [
        ("queue", 236, {"MutualExclusion": "holds", "NoStaleWrite": "holds", "RequestGranted": "holds"}, {}),
        ("lease", 11926, {"MutualExclusion": "violated", "NoStaleWrite": "violated"}, {"MutualExclusion": 7, "NoStaleWrite": 9}),
        # fencing protects the storage, not the clients' belief that they hold the lock
        ("fenced", 11926, {"MutualExclusion": "violated", "NoStaleWrite": "holds"}, {"MutualExclusion": 7}),
    ],
)
def test_distributed_lock(variant: str, states: int, expected: dict[str, str], traces: dict[str, int]) -> None:
    from examples import distributed_lock

    result = explore(distributed_lock.build(variant))
    assert result.complete
    assert result.stats.distinct_states == states
    assert verdicts(result) == {**expected, "deadlock": "holds"}
    for name, length in traces.items():
        assert steps(result, name) == length


# --------------------------------------------------------------------------- two-phase commit


@pytest.mark.parametrize(
    ("variant", "states", "atomicity", "consistency"),
    [
        ("durable", 9271, None, None),
        ("volatile", 9385, 9, 8),  # the crash forgets the yes vote
        ("impatient", 3875, 8, 7),  # a prepared participant aborts on a timeout
    ],
)
def test_two_phase_commit(variant: str, states: int, atomicity: int | None, consistency: int | None) -> None:
    from examples import two_phase_commit

    result = explore(two_phase_commit.build(variant))
    assert result.complete
    assert result.stats.distinct_states == states
    assert verdicts(result) == {
        "Atomicity": "holds" if atomicity is None else "violated",
        "Consistency": "holds" if consistency is None else "violated",
        "AllCommitted": "reached",
        "deadlock": "holds",
    }
    assert steps(result, "AllCommitted") == 9
    if atomicity is not None:
        assert steps(result, "Atomicity") == atomicity
        assert steps(result, "Consistency") == consistency


# --------------------------------------------------------------------------- leader election


@pytest.mark.parametrize(("symmetry", "states"), [(True, 1799), (False, 10638)])
def test_leader_election_safety(symmetry: bool, states: int) -> None:
    from examples import leader_election

    result = explore(leader_election.build("raft", symmetry=symmetry))
    assert result.complete
    assert result.stats.distinct_states == states
    assert verdicts(result) == {"ElectionSafety": "holds", "LeaderElected": "reached", "deadlock": "holds"}
    assert steps(result, "LeaderElected") == 3


def test_leader_election_double_vote() -> None:
    from examples import leader_election

    result = explore(leader_election.build("double_vote"))
    assert result.stats.distinct_states == 287
    assert verdicts(result) == {"ElectionSafety": "violated", "LeaderElected": "reached", "deadlock": "holds"}
    assert steps(result, "ElectionSafety") == 6


# --------------------------------------------------------------------------- front-end charts


@pytest.mark.parametrize(
    ("variant", "states", "fresh", "fresh_steps"),
    [("checked", 109, "holds", None), ("naive", 128, "violated", 5)],  # a late answer taken for the retry's
)
def test_fetch_machine(variant: str, states: int, fresh: str, fresh_steps: int | None) -> None:
    from examples import fetch_machine

    assert fetch_machine.demo() == [("idle",), ("loading",), ("error",), ("loading",), ("loading",), ("success",)]
    result = explore(fetch_machine.build(variant))
    assert result.complete
    assert result.stats.distinct_states == states
    assert verdicts(result) == {
        "RetriesBounded": "holds",
        "FreshData": fresh,
        "Success": "reached",
        "GaveUp": "reached",
        "deadlock": "holds",
        "LoadingEnds": "holds",
    }
    assert steps(result, "Success") == 3
    assert steps(result, "GaveUp") == 7
    if fresh_steps is not None:
        assert steps(result, "FreshData") == fresh_steps


@pytest.mark.parametrize(("variant", "states", "lost"), [("guarded", 22, None), ("naive", 74, 4)])
def test_user_session(variant: str, states: int, lost: int | None) -> None:
    from examples import user_session

    assert user_session.demo()[-1] == ("anonymous",)
    result = explore(user_session.build(variant))
    assert result.complete
    assert result.stats.distinct_states == states
    assert verdicts(result) == {"NoLostEdits": "holds" if lost is None else "violated", "Saved": "reached", "deadlock": "holds"}
    assert steps(result, "Saved") == 5
    if lost is not None:
        assert steps(result, "NoLostEdits") == lost


def test_media_player() -> None:
    from examples import media_player

    # STOP is internal: the volume region keeps "muted"
    assert media_player.demo()[-1] == ("stopped", "muted", "windowed")
    result = explore(media_player.build())
    assert result.complete
    assert result.stats.distinct_states == 496
    assert verdicts(result) == {"VolumeInRange": "holds", "NoFullscreenWhenStopped": "holds", "PlayingMutedFullscreen": "reached", "deadlock": "holds"}
    assert steps(result, "PlayingMutedFullscreen") == 5


@pytest.mark.parametrize(("variant", "states", "broken"), [("correct", 32, None), ("off_by_one", 42, 12)])
def test_auth_flow(variant: str, states: int, broken: int | None) -> None:
    from examples import auth_flow

    assert auth_flow.demo()[-1] == ("signed_in",)
    result = explore(auth_flow.build(variant))
    assert result.complete
    assert result.stats.distinct_states == states
    status = "holds" if broken is None else "violated"
    assert verdicts(result) == {
        "AttemptsBounded": status,
        "LockedOnlyAtLimit": status,
        "SignedIn": "reached",
        "LockedOut": "reached",
        "deadlock": "holds",
    }
    assert steps(result, "LockedOut") == (9 if broken is None else 12)
    if broken is not None:
        assert steps(result, "AttemptsBounded") == broken


# --------------------------------------------------------------------------- LogSync


def test_log_sync_fixed_matches_tlc() -> None:
    """TLC 2.18 on the LogSync spec (with its later '>=' fix), one key, one client, 2 lines: 2232 states, no error."""
    from examples import log_sync

    result = explore(log_sync.build("fixed"))
    assert result.complete
    assert result.stats.distinct_states == 2232
    assert verdicts(result) == {
        "AllJobsMustBeFinished": "holds",
        "DBShouldSameAsMem": "holds",
        "StateAlwaysMatchWaitList": "holds",
        "LogIndexBounded": "holds",
        "AlwaysTerminate": "holds",
    }


@pytest.mark.slow
def test_log_sync_spec_log_index_grows() -> None:
    """As written, a client's log index grows without bound after an eviction (explored under a CONSTRAINT)."""
    from examples import log_sync

    result = explore(log_sync.build("spec"))
    assert result.stats.distinct_states == 3680
    assert verdicts(result)["LogIndexBounded"] == "violated"
    assert steps(result, "LogIndexBounded") == 19
    assert {k: v for k, v in verdicts(result).items() if k != "LogIndexBounded"} == {
        "AllJobsMustBeFinished": "holds",
        "DBShouldSameAsMem": "holds",
        "StateAlwaysMatchWaitList": "holds",
        "AlwaysTerminate": "holds",
    }
