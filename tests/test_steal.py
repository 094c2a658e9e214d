"""Work stealing changes nothing a run reports: shards forced to hand over the rest of every level give the same counts,
verdicts, coverage and traces, state for state, as shards that expand everything they own."""

from __future__ import annotations

import dataclasses
import random
import time
from typing import Any

import pytest

from simulate import any_in, explore, invariant, sometimes, steal
from simulate import shard as shard_module
from tests.test_parallel import _counter, _jumps, _summary, _system, _traces, _two_phase

SLOW = pytest.mark.slow
SYSTEMS = [
    "examples.die_hard:system",
    "examples.two_phase:system",
    "examples.distributed_lock:system",
    "examples.leader_election:system",  # symmetry
    "examples.bank_transfer:system",
    pytest.param("examples.websocket_gateway.model:build", marks=SLOW),  # counterexamples and witnesses
    pytest.param("examples.log_sync:system", marks=SLOW),
]


def _force(monkeypatch: pytest.MonkeyPatch, at: int) -> None:
    """Every shard yields at ``at`` (a step is 2 states), and every yielded state may move."""
    monkeypatch.setattr(shard_module, "STEP", 2)
    monkeypatch.setattr(shard_module, "FORCE_YIELD", at)
    monkeypatch.setattr(steal, "MIN_PIECE", 1)


def _full(r: Any) -> tuple[Any, ...]:
    return (_summary(r), _traces(r), [(v.name, v.status, v.message) for v in r.verdicts])


def _moved(r: Any) -> int:
    return sum(sh["taken_over"] for sh in r.shards)


@pytest.mark.parametrize("spec", SYSTEMS)
@pytest.mark.parametrize("at", [0, 4])
def test_forced_yields_change_nothing(spec: str, at: int, monkeypatch: pytest.MonkeyPatch) -> None:
    s = _system(spec)
    plain = {w: explore(s, workers=w, engine="inprocess") for w in (2, 3)}
    _force(monkeypatch, at)
    for w in (2, 3):
        shared = explore(s, workers=w, engine="inprocess")
        assert _full(shared) == _full(plain[w])
        assert _moved(shared) > 0 or (at and "die_hard" in spec)  # states really changed hands (Die Hard's levels are small)
    processes = explore(s, workers=2)
    assert _full(processes) == _full(plain[2])
    assert _moved(processes) > 0 or (at and "die_hard" in spec)


def test_forced_yields_keep_errors_deadlocks_limits_and_constraints(monkeypatch: pytest.MonkeyPatch) -> None:
    limited = _counter(200)
    constrained = dataclasses.replace(limited, constraint=lambda st: True)
    cases = [
        (limited, {}),
        (limited, {"max_states": 37}),
        (limited, {"max_depth": 5}),
        (constrained, {}),
        (_system("examples.two_phase:system"), {"max_states": 500}),
    ]
    plain = [explore(s, workers=3, engine="inprocess", **kw) for s, kw in cases]
    _force(monkeypatch, 2)
    for (s, kw), p in zip(cases, plain):
        assert _full(explore(s, workers=3, engine="inprocess", **kw)) == _full(p)


def test_a_property_found_in_a_moved_piece_is_the_lowest_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many states of one level break the invariant and reach the goal, spread over shards and pieces: the run still
    reports the first of them (the same trace as without stealing)."""
    base = _system("examples.two_phase:system")
    s = dataclasses.replace(
        base, properties=[invariant("NoneCommitted", ~any_in("rm", "committed")), sometimes("OneAborted", any_in("rm", "aborted"))]
    )
    for at in (0, 2, 6):
        plain = explore(s, workers=3, engine="inprocess")
        with monkeypatch.context() as mp:
            _force(mp, at)
            shared = explore(s, workers=3, engine="inprocess")
        assert _full(shared) == _full(plain)
        assert [v.status for v in shared.verdicts if v.name in ("NoneCommitted", "OneAborted")] == ["violated", "reached"]


def test_a_busy_shard_is_asked_to_yield_and_the_result_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shard 1 is slow at every level: shard 0, done first, takes over part of its states (a real request through the
    shared flags, between processes), and the run reports what one without stealing reports."""
    s = _system("examples.two_phase:system")
    plain = explore(s, workers=2, engine="inprocess")
    monkeypatch.setattr(shard_module, "MIN_TAIL", 4)
    monkeypatch.setattr(shard_module, "STEP", 2)
    monkeypatch.setattr(steal, "MIN_PIECE", 1)
    run = shard_module.Shard._run

    def slow(self: Any, *args: Any) -> Any:
        if self.shard == 1 and args[-1]:  # its own states, before it looks at the flag
            time.sleep(0.05)
        return run(self, *args)

    monkeypatch.setattr(shard_module.Shard, "_run", slow)
    shared = explore(s, workers=2)
    assert _full(shared) == _full(plain)
    assert shared.shards[1]["yielded"] > 0 and shared.shards[0]["taken_over"] > 0


def test_the_plan_covers_every_tail_in_order_and_balances() -> None:
    steal_min = steal.MIN_PIECE
    for tails, shards in [([10_000, 0], 2), ([0, 9_000, 3_000], 3), ([5_000, 5_000, 0, 0], 4), ([1_500, 0], 2), ([100_000] * 3 + [0], 4)]:
        parts = steal.plan(tails, shards)
        load = [0] * shards
        for v, left in enumerate(tails):
            stops = [0] + [b for _, b, _ in parts[v]]
            assert [a for a, _, _ in parts[v]] == stops[:-1] and stops[-1] == left  # contiguous, in order, complete
            if parts[v]:
                assert parts[v][0][2] == v  # a shard keeps the beginning of its own tail
            for a, b, k in parts[v]:
                load[k] += b - a
                assert b - a >= min(steal_min, left)
        assert sum(load) == sum(tails)
        assert max(load) - min(load) <= 2 * steal_min  # even, but for a remainder too small to move


@pytest.mark.parametrize("workers", [2, 3])
def test_a_stored_state_in_an_own_piece_beats_a_state_outside_the_constraint_of_its_level(workers: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Level 3 holds x = 3 (stored) and x = 100.. (outside, received by the same shard): one worker reports the stored
    one, so must a shard that yielded its whole level and expands the first part of it itself (an own piece)."""
    s = _jumps(below=3, jump_from=2)
    one = explore(s)
    assert [len(v.trace.steps) for v in one.verdicts if v.trace] == [4, 4]  # inc, inc, inc: the stored state
    _force(monkeypatch, 0)
    shared = explore(s, workers=workers, engine="inprocess")
    assert _moved(shared) > 0
    assert _full(shared) == _full(one)


def _shuffled_messages(monkeypatch: pytest.MonkeyPatch, s: Any) -> None:
    """Every shard interns the system's messages in its own order first (as shards do that meet them in another order,
    or resume a checkpoint): per-process message ids, hence the order of a set network's members, differ per shard."""
    msgs = list(explore(s).model.msg_values)
    original = shard_module.Shard.__init__

    def init(self: Any, system: Any, shard: int, shards: int, symmetry: bool = False) -> None:
        original(self, system, shard, shards, symmetry)
        for dest, ev in random.Random(shard + 7).sample(msgs, len(msgs)):
            self.m.intern_msg(dest, ev)

    monkeypatch.setattr(shard_module.Shard, "__init__", init)


def _rotate(tails: list[int], shards: int) -> list[list[tuple[int, int, int]]]:
    """A plan that hands every shard's whole tail to the next shard."""
    return [[(0, left, (v + 1) % shards)] if left else [] for v, left in enumerate(tails)]


@pytest.mark.parametrize("plan", ["even", "rotate"])
def test_a_thief_that_numbers_messages_otherwise_steps_in_the_owners_order(plan: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """TwoPhase's set network: a shard expands a state's deliveries in the order of its own message ids. A thief whose
    ids differ from the owner's must still send the successors in the owner's order, with the owner's step positions
    (traces replay through the owner): the same states, indices and traces, and every trace a real behaviour."""
    s = _two_phase(3)
    _shuffled_messages(monkeypatch, s)
    plain = {w: explore(s, workers=w, engine="inprocess") for w in (2, 3)}
    _force(monkeypatch, 0)
    if plan == "rotate":
        monkeypatch.setattr(steal, "plan", _rotate)
    for w in (2, 3):
        shared = explore(s, workers=w, engine="inprocess")
        assert _moved(shared) > 0
        assert _full(shared) == _full(plain[w])


def _states_by_index(s: Any, workers: int, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every stored index's state (its fingerprint), replayed from the initial state through the owners' step positions."""
    from simulate import parallel

    kept: list[Any] = []
    run = parallel.ParallelExplorer.run

    def keep(self: Any) -> Any:
        kept.append(self)
        return run(self)

    with monkeypatch.context() as mp:
        mp.setattr(parallel.ParallelExplorer, "run", keep)
        r = explore(s, workers=workers, engine="inprocess")  # in one process: the shards stay open for the replay
    ex = kept[-1]
    out = []
    for g in range(r.stats.distinct_states):
        states, _ = ex._replay(ex._chain(g))
        out.append(ex.codec.fingerprint(ex.model.canonical(states[-1])[0]))
    return out


@SLOW
def test_state_for_state_after_stealing_in_a_set_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same state at every index, with and without stealing (LeaderElection: a set network, symmetry)."""
    s = _system("examples.leader_election:system")
    plain = _states_by_index(s, 2, monkeypatch)
    _force(monkeypatch, 0)
    monkeypatch.setattr(steal, "plan", _rotate)
    assert _states_by_index(s, 2, monkeypatch) == plain
