"""Predicates checked on blocks of rows (``simulate.columns``) agree with the state-by-state evaluation."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

import simulate.shard as shard_module
from examples import two_phase
from simulate import actor, all_in, any_in, explore, in_flight, invariant, sometimes
from simulate.columns import compile_block
from simulate.properties import compile_predicate
from simulate.stable import StableModel

PREDICATES = {
    "not (some aborted and some working)": ~(any_in("rm", "aborted") & any_in("rm", "working")),
    "some aborted": any_in("rm", "aborted"),
    "all decided": all_in("rm", ["committed", "aborted"]),
    "all in the parent state, and": all_in("rm", "rm") & any_in("rm", "working"),
    "a fixed actor, or": actor("tm").in_state("committed") | all_in("rm", "prepared"),
    "and of three, a fixed instance": actor("rm[1]").in_state("working") & ~actor("tm").in_state("aborted") & any_in("rm", "prepared"),
}


def _states(m: StableModel, limit: int) -> list[list[Any]]:
    """Reachable states level by level (the model interns new local states between two levels, as a shard does)."""
    levels, seen = [], set()
    frontier = m.initial_states()
    while frontier and sum(map(len, levels)) < limit:
        levels.append(frontier)
        seen.update(frontier)
        frontier = list(dict.fromkeys(s2 for st in frontier for _, s2 in m.successors(st) if s2 not in seen))
    return levels


@pytest.mark.parametrize("name", sorted(PREDICATES))
def test_a_block_predicate_agrees_with_the_state_by_state_one(name: str) -> None:
    spec = PREDICATES[name]
    m = StableModel(two_phase.system(3))
    block = compile_block(m, spec, name)
    assert block is not None
    scalar = compile_predicate(m, spec, name)
    values = []
    for level in _states(m, 3_000):  # evaluated as the tables grow
        cols = np.array([s[0] for s in level], dtype=np.uint32)
        got = block(cols)
        assert got.tolist() == [scalar(s) for s in level]
        values.extend(got.tolist())
    assert True in values and False in values  # the case tells states apart


@pytest.mark.parametrize(
    "spec",
    [actor("tm").prepared == frozenset(), any_in("rm", "aborted") & (actor("tm").prepared != frozenset()), in_flight("Commit") == 0, lambda v: True],
)
def test_predicates_that_read_more_than_states_are_left_to_the_state_by_state_evaluation(spec: Any) -> None:
    m = StableModel(two_phase.system(2))
    assert compile_block(m, spec, "p") is None


def test_a_sharded_run_finds_what_the_state_by_state_checks_find(monkeypatch: pytest.MonkeyPatch) -> None:
    """Goals and an invariant of each kind, checked on blocks and state by state in one run: each one's first hit (its
    lowest index) is the one found when every property is checked state by state, trace for trace; and the trace
    lengths are one worker's."""
    s = dataclasses.replace(
        two_phase.system(4),
        properties=[
            invariant("NoneAborted", ~any_in("rm", "aborted")),  # on the block
            sometimes("AllPrepared", all_in("rm", "prepared")),  # on the block
            sometimes("ThreePrepared", lambda v: sum(a.in_state("prepared") for a in v.instances("rm")) == 3),  # state by state
        ],
    )
    one = explore(s)
    blocks = {n: explore(s, workers=n, engine="inprocess") for n in (2, 3)}
    monkeypatch.setattr(shard_module, "compile_block", lambda *a: None)
    states = {n: explore(s, workers=n, engine="inprocess") for n in (2, 3)}
    for n in (2, 3):
        assert _summary(blocks[n]) == _summary(states[n]) == _summary(one)
        assert _traces(blocks[n]) == _traces(states[n])
    assert {v.name: v.status for v in one.verdicts} == {"NoneAborted": "violated", "AllPrepared": "reached", "ThreePrepared": "reached"}


def _summary(r: Any) -> Any:
    return r.stats.distinct_states, [(v.name, v.status, len(v.trace.steps) if v.trace else None) for v in r.verdicts]


def _traces(r: Any) -> list[list[str]]:
    return [[f"{s.actor} {s.kind} {s.text}" for s in v.trace.steps] for v in r.verdicts if v.trace]
