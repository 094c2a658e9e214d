"""The one-worker explorer's compact store: older levels' fingerprints in a FingerprintSet, successors looked up a chunk
at a time. The oracles: a Python set for the fingerprint set, and a breadth-first search written here that stores
successors one at a time (a dict of states, no fingerprints) for the discovery order, limits included."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_protocol import DieHard

from examples.two_phase import system as two_phase
from simulate.entry import compile_system
from simulate.explorer import Explorer, explore_model, search
from simulate.explorer.checkpoints import CheckpointError
from simulate.fpset import FingerprintSet
from simulate.protocol import Checks


def test_fingerprint_set_lookups_match_a_python_set() -> None:
    rng = random.Random(7)
    store, oracle = FingerprintSet(), set()
    for size in (1, 50, 3, 400, 120, 2000, 7, 900):  # runs of every size: some merge, some stay apart
        run = {rng.getrandbits(64) for _ in range(size)} - oracle
        batch = np.sort(np.array(sorted(run), dtype=np.uint64))
        store.push_sorted(batch if size % 2 else batch[:])  # a view cannot grow in place: merged by a copy
        oracle |= run
        queries = [rng.choice(sorted(oracle)) for _ in range(300)] + [rng.getrandbits(64) for _ in range(300)]
        rng.shuffle(queries)
        expected = [q in oracle for q in queries]
        assert store.contains(np.array(queries, dtype=np.uint64)).tolist() == expected
        assert store.contains(np.sort(np.array(queries, dtype=np.uint64)), presorted=True).tolist() == [q in oracle for q in sorted(queries)]
        assert [store.has(q) for q in queries[:50]] == expected[:50]
        assert [store.has(q - (1 << 64) if q >= 1 << 63 else q) for q in queries[:50]] == expected[:50]  # signed, as hash() gives
    assert len(store) == len(oracle) and sorted(store.to_array().tolist()) == sorted(oracle)
    fresh = store.add(np.array([1, 1, *sorted(oracle)[:3], 2], dtype=np.uint64))
    assert fresh.tolist() == [1 not in oracle, False, False, False, False, 2 not in oracle]


def _one_at_a_time(model: Any, max_states: int | None = None, within: Any = None) -> tuple[list[int], list[int], int]:
    """Breadth-first search storing successors one at a time: (parents, step positions, states generated); ``within``:
    a constraint (a state outside it is neither stored nor expanded)."""
    index: dict[Any, int] = {}
    parents: list[int] = []
    ordinals: list[int] = []
    frontier = []
    for o, s in enumerate(model.initial_states()):
        c = model.canonical(s)[0]
        if c not in index:
            index[c] = len(parents)
            parents.append(-1)
            ordinals.append(o)
            frontier.append(c)
    generated = 0
    while frontier:
        nxt = []
        for s in frontier:
            succs = model.successors(s)
            for o, (_, s2) in enumerate(succs):
                if s2 in index or (within is not None and not within(s2)):
                    continue
                if max_states is not None and len(parents) >= max_states:
                    return parents, ordinals, generated
                index[s2] = len(parents)
                parents.append(index[s])
                ordinals.append(o)
                nxt.append(s2)
            generated += len(succs)
        frontier = nxt
    return parents, ordinals, generated


def _explorer(model: Any, max_states: int | None = None) -> Explorer:
    explorer = Explorer(model, "bfs", max_states, None, None, False, False, 0, 1, None, 0.5)
    explorer.run()
    return explorer


@pytest.fixture(params=[None, 0, 40], ids=["recent-default", "recent-0", "recent-40"])
def recent(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """How many recent candidates the search remembers (repeats of older ones are dropped by the lookup instead)."""
    if request.param is not None:
        monkeypatch.setattr(search, "RECENT", request.param)


@pytest.mark.parametrize("max_states", [None, 1, 7, 1023, 1024, 3000, 9999])
def test_bfs_stores_states_in_the_order_of_one_at_a_time(max_states: int | None, recent: None) -> None:
    """TwoPhase with 5 managers (14,000 states over many chunks of 1,024 expanded states): the same parent links,
    step positions and counts as storing one successor at a time, also when max_states stops it mid-chunk, and
    whether a repeat is dropped by the set of recent candidates or by the lookup in this level's fingerprints."""
    model = compile_system(two_phase(5), False)
    parents, ordinals, generated = _one_at_a_time(model, max_states)
    explorer = _explorer(compile_system(two_phase(5), False), max_states)
    assert explorer.parents.tolist() == parents and explorer.ordinals.tolist() == ordinals
    assert explorer.stats.distinct_states == len(parents) and explorer.stats.states_generated == generated
    assert len(explorer.store) + len(explorer.built) == len(parents)  # each stored state's fingerprint once
    assert sorted(explorer._fingerprints().tolist()) == sorted(hash(s) for s in _states(model, parents, ordinals))


def _states(model: Any, parents: list[int], ordinals: list[int]) -> list[Any]:
    """The stored states, rebuilt from parent links and step positions."""
    initial = list(model.initial_states())
    states: list[Any] = []
    for p, o in zip(parents, ordinals, strict=True):
        states.append(initial[o] if p < 0 else model.successors(states[p])[o][1])
    return states


@pytest.mark.parametrize("max_states", [None, 3, 9])
def test_bfs_order_with_steps_back_to_older_levels(max_states: int | None, recent: None) -> None:
    """Die Hard's steps lead back to older levels too (candidates the store has): the same order as one at a time."""
    parents, ordinals, generated = _one_at_a_time(DieHard(), max_states)
    explorer = _explorer(DieHard(), max_states)
    assert (explorer.parents.tolist(), explorer.ordinals.tolist(), explorer.stats.states_generated) == (parents, ordinals, generated)
    assert len(explorer.store) + len(explorer.built) == len(parents)


class Bounded(DieHard):
    """Die Hard within a constraint: the big jug holds at most 3 (states outside it are neither stored nor expanded)."""

    def checks(self) -> Checks:
        checks = super().checks()
        checks.constraint = lambda s: s[1] <= 3
        return checks


@pytest.mark.parametrize("max_states", [None, 2, 5])
def test_bfs_order_within_a_constraint(max_states: int | None, recent: None) -> None:
    """With a constraint the chunk's candidates are stored one at a time (those outside it checked): the same order."""
    parents, ordinals, generated = _one_at_a_time(Bounded(), max_states, lambda s: s[1] <= 3)
    explorer = _explorer(Bounded(), max_states)
    assert (explorer.parents.tolist(), explorer.ordinals.tolist(), explorer.stats.states_generated) == (parents, ordinals, generated)
    assert len(explorer.store) + len(explorer.built) == len(parents)


class Fan(DieHard):
    """One state with 300 steps (positions past one byte), each to a state of its own; the goal is the last."""

    name = "Fan"

    def checks(self) -> Checks:
        return Checks(goals=[("Last", lambda s: s == (1, 299))])

    def successors(self, state: Any) -> list[tuple[str, Any]]:
        return [(f"to{i}", (1, i)) for i in range(300)] if state == (0, 0) else []

    def at_rest(self, state: Any) -> bool:
        return True


def test_step_positions_past_one_byte_widen_the_array_and_replay() -> None:
    explorer = _explorer(Fan())
    assert explorer.ordinals.tolist() == [0, *range(300)] and explorer.ordinals.itemsize == 2
    result = explore_model(Fan())
    trace = result.verdict("Last").trace
    assert trace is not None and trace.steps[-1].state == (1, 299)


def test_a_checkpoint_with_60_bit_fingerprints_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "jugs.ckpt"
    explore_model(DieHard(), max_states=5, checkpoint=path)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        data = json.load(f)
    assert data["fingerprint_bits"] == 64
    del data["fingerprint_bits"]  # as an older version wrote it
    with gzip.open(path, "wt", encoding="utf-8") as f:
        json.dump(data, f)
    with pytest.raises(CheckpointError, match="60-bit fingerprints"):
        explore_model(DieHard(), resume=path)
