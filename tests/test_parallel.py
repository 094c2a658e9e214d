"""The sharded search gives what one worker gives: counts, depth, verdicts, trace lengths, coverage; every run alike."""

from __future__ import annotations

import dataclasses
import importlib
import random
from typing import Any

import pytest

from simulate import Actor, Stimulus, System, actor, explore, invariant, sometimes
from simulate import shard as shard_module
from simulate.properties import Eventually, LeadsTo
from simulate.system import ModelError
from statecharts import Chart, State, Transition, assign, ctx

SLOW = pytest.mark.slow
EXAMPLES = [
    "examples.die_hard:system",
    "examples.two_phase:system",
    "examples.distributed_lock:system",
    "examples.leader_election:system",  # symmetry
    "examples.bank_transfer:system",
    pytest.param("examples.two_phase_commit:system", marks=SLOW),
    pytest.param("examples.log_sync:system", marks=SLOW),
    pytest.param("examples.media_player:system", marks=SLOW),
    pytest.param("examples.websocket_gateway.model:build", marks=SLOW),
]


def _system(spec: str) -> System:
    mod, attr = spec.split(":")
    obj = getattr(importlib.import_module(mod), attr)
    s = obj() if callable(obj) else obj
    # liveness runs with one worker only (a documented restriction): compare the rest
    return dataclasses.replace(s, properties=[p for p in s.properties if not isinstance(p, (Eventually, LeadsTo))])


def _summary(r: Any) -> tuple[Any, ...]:
    return (
        r.stats.distinct_states,
        r.stats.states_generated,
        r.stats.max_depth,
        r.complete,
        tuple((v.name, v.kind, v.status, len(v.trace.steps) if v.trace else None) for v in r.verdicts),
        tuple(sorted((k, tuple(v)) for k, v in r.coverage.items())),
    )


def _traces(r: Any) -> list[list[str]]:
    return [[f"{s.actor} {s.kind} {s.text}" for s in v.trace.steps] for v in r.verdicts if v.trace]


@pytest.mark.parametrize("spec", EXAMPLES)
def test_two_processes_and_three_shards_agree_with_one_worker(spec: str) -> None:
    s = _system(spec)
    one = explore(s)
    two = explore(s, workers=2)
    three = explore(s, workers=3, engine="inprocess")
    assert _summary(two) == _summary(one)
    assert _summary(three) == _summary(one)
    assert two.workers == 2 and two.fingerprint_collision_probability is not None


def test_runs_are_deterministic_traces_included() -> None:
    s = _system("examples.websocket_gateway.model:build")
    a, b = explore(s, workers=2), explore(s, workers=2)
    assert _traces(a) == _traces(b)
    assert _traces(a)  # the naive design has counterexamples and witnesses


def test_traces_replay_as_real_behaviours() -> None:
    """Every step of a parallel trace is a successor of the step before, in a fresh one-worker model."""
    s = _system("examples.bank_transfer:system")
    r = explore(s, workers=2)
    violated = [v for v in r.verdicts if v.status == "violated"]
    assert violated
    for v in violated:
        steps = v.trace.steps
        for prev, nxt in zip(steps, steps[1:]):
            succs = [s2 for _, s2 in r.model.successors(prev.state)]
            assert nxt.state in succs


def test_interning_order_does_not_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards that interned local states and messages in other orders (here: shuffled, per shard) still agree.

    Local states and messages keep per-process ids (a local id is a position in ``local_order``, the global ids in
    this process's order), so a shuffled order gives every shard different local ids, message ids and network bitmasks."""
    s = _system("examples.two_phase_commit:system")
    baseline = explore(s)
    values = list(baseline.model.local_values)
    msgs = list(baseline.model.msg_values)
    original = shard_module.Shard.__init__

    def shuffled_init(self: Any, system: System, shard: int, shards: int, symmetry: bool = False) -> None:
        original(self, system, shard, shards, symmetry)
        rng = random.Random(shard + 7)
        for v in rng.sample(values, len(values)):
            self.m.intern_value(v)
        for dest, ev in rng.sample(msgs, len(msgs)):
            self.m.intern_msg(dest, ev)

    monkeypatch.setattr(shard_module.Shard, "__init__", shuffled_init)
    assert _summary(explore(s, workers=3, engine="inprocess")) == _summary(baseline)


def _counter(limit: int = 50) -> System:
    chart = Chart(
        "Counter",
        State("on", on={"inc": Transition(guard=ctx.n < limit, actions=assign(n=ctx.n + 1)), "dec": Transition(guard=ctx.n > 0, actions=assign(n=ctx.n - 1))}),
        context={"n": 0},
    )
    return System(
        "Counter",
        actors=[Actor("c", chart, end_states=["on"])],
        stimuli=[Stimulus("c", "inc"), Stimulus("c", "dec")],
        properties=[invariant("Small", actor("c").n < 30), sometimes("Ten", actor("c").n == 10)],
    )


def test_state_limit_is_exact_and_deterministic() -> None:
    s = _counter()
    r1 = explore(s, workers=2, max_states=17)
    r2 = explore(s, workers=2, max_states=17)
    assert r1.stats.distinct_states == r2.stats.distinct_states == 17
    assert not r1.complete and "max_states" in r1.limit
    assert _summary(r1) == _summary(r2)


def test_depth_limit_matches_one_worker() -> None:
    s = _counter()
    assert _summary(explore(s, workers=2, max_depth=12)) == _summary(explore(s, max_depth=12))


def test_violation_and_goal_found_at_the_same_depth_as_one_worker() -> None:
    s = _counter()
    one, two = explore(s), explore(s, workers=2)
    assert _summary(one) == _summary(two)
    small = next(v for v in two.verdicts if v.name == "Small")
    assert small.status == "violated" and len(small.trace.steps) == 31


def test_stop_on_violation_and_progress() -> None:
    seen: list[int] = []
    r = explore(_counter(), workers=2, stop_on_violation=True, progress=lambda st: seen.append(st.distinct_states))
    assert not r.complete and "violation" in r.limit
    assert seen and seen == sorted(seen)


def test_ctrl_c_returns_the_explored_part() -> None:
    calls = []

    def interrupt(stats: Any) -> None:
        calls.append(stats.distinct_states)
        if len(calls) == 5:
            raise KeyboardInterrupt

    r = explore(_counter(), workers=2, progress=interrupt)
    assert not r.complete and r.limit == "interrupted"
    assert r.stats.distinct_states > 0
    assert all(v.status in ("incomplete", "violated", "reached") for v in r.verdicts)


def test_liveness_with_several_workers_runs_in_one_process_and_says_so() -> None:
    s = importlib.import_module("examples.websocket_gateway.model").build()
    assert any(isinstance(p, (Eventually, LeadsTo)) for p in s.properties)
    one, two = explore(s), explore(s, workers=2)
    assert _summary(two)[4] == _summary(one)[4]  # every verdict, liveness included, with its trace length
    assert two.stats.distinct_states == one.stats.distinct_states
    assert any("liveness" in n and "one process" in n for n in two.notes)


def test_bad_worker_counts_and_modes_are_refused() -> None:
    s = _counter()
    with pytest.raises(ModelError, match="workers"):
        explore(s, workers=-1)
    with pytest.raises(ModelError, match="bfs"):
        explore(s, workers=2, mode="dfs")
    with pytest.raises(ModelError, match="engine"):
        explore(s, workers=2, engine="spark")


@SLOW
def test_ray_engine_agrees_with_one_worker() -> None:
    """A local Ray instance (the embedded default), shard owners as Ray actors: every figure as with one worker."""
    pytest.importorskip("ray", reason='Ray is not installed: pip install "statecharts[ray]"')
    s = _system("examples.two_phase_commit:system")
    assert _summary(explore(s, workers=2, engine="ray")) == _summary(explore(s))


def test_command_line_workers(tmp_path: Any) -> None:
    import json
    import subprocess
    import sys

    def run(*extra: str) -> dict[str, Any]:
        proc = subprocess.run(
            [sys.executable, "-m", "statecharts", "check", "examples.bank_transfer", "--json", "--out", str(tmp_path), *extra],
            capture_output=True,
            text=True,
            timeout=300,
        )
        data: dict[str, Any] = json.loads(proc.stdout)
        return data

    one, two = run(), run("--workers", "2")
    assert two["stats"]["distinct_states"] == one["stats"]["distinct_states"]
    assert [(v["name"], v["status"], v["trace"]["length"] if v.get("trace") else None) for v in two["verdicts"]] == [
        (v["name"], v["status"], v["trace"]["length"] if v.get("trace") else None) for v in one["verdicts"]
    ]


def test_constraint_as_tlc_with_several_workers() -> None:
    """States outside the constraint are checked, not counted, not expanded: as with one worker (and TLC)."""
    from tests.fixtures.tla.systems import constrained_counter

    s = constrained_counter()
    one, two = explore(s), explore(s, workers=2)
    assert _summary(two) == _summary(one)
    assert any(v.status == "violated" for v in two.verdicts)


def test_a_failing_worker_keeps_the_verdicts_so_far() -> None:
    from statecharts import py

    def boom(_: Any) -> bool:
        raise SystemExit(0)

    s = dataclasses.replace(_counter(), constraint=py(boom))
    r = explore(s, workers=2)
    assert r.status == "failed" and r.failure and "SystemExit" in r.failure
    assert any(v.name == "exploration" and v.status == "failed" for v in r.verdicts)


def test_collision_probability_is_reported_as_tlc_does(tmp_path: Any) -> None:
    """TLC's optimistic estimate n(n-1)/2 / 2^bits, for one worker and several (64-bit fingerprints both), printed at the end."""
    import json
    import subprocess
    import sys

    s = _counter()
    one, two = explore(s), explore(s, workers=2)
    n = one.stats.distinct_states
    assert (one.fingerprint_bits, two.fingerprint_bits) == (64, 64)
    assert one.fingerprint_collision_probability == n * (n - 1) / 2 / 2.0**64
    assert two.fingerprint_collision_probability == n * (n - 1) / 2 / 2.0**64
    assert "64-bit; probability of a collision (optimistic, as TLC calculates it): " in two.summary()
    assert f"{two.fingerprint_collision_probability:.1e}" in two.summary()
    proc = subprocess.run(
        [sys.executable, "-m", "statecharts", "check", "examples.two_phase", "--json", "--out", str(tmp_path), "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    stats = json.loads(proc.stdout)["stats"]
    states = stats["distinct_states"]
    assert stats["fingerprint_bits"] == 64
    assert stats["fingerprint_collision_probability"] == states * (states - 1) / 2 / 2.0**64


def test_shards_store_13_bytes_a_state_and_account_for_their_arrays() -> None:
    """Fingerprints (8 bytes), parent index (4) and step position (1: TwoPhase's states have fewer than 256 steps) per
    state; frontier and batches measured."""
    r = explore(_system("examples.two_phase:system"), workers=2)
    stored = sum(sh["store"] + sh["links"] for sh in r.shards)
    assert stored == 13 * r.stats.distinct_states
    assert sum(sh["states"] for sh in r.shards) == r.stats.distinct_states
    assert all(sh["rows_peak"] > 0 and sh["batch_bytes"] > 0 for sh in r.shards)


def test_a_tiny_sent_cache_loses_no_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache of sent fingerprints is lossy (two slots here: most repeats get through) but never skips a new state."""
    monkeypatch.setattr(shard_module, "SENT_SLOTS", 2)
    s = _system("examples.distributed_lock:system")
    tiny = explore(s, workers=2, engine="inprocess")
    assert _summary(tiny) == _summary(explore(s))


@pytest.mark.parametrize("spec", ["examples.two_phase:system", "examples.websocket_gateway.model:build"])  # set and FIFO networks
def test_a_batch_round_trips_between_processes_that_interned_differently(spec: str) -> None:
    """Rows packed by one model decode to the same states in another (other interning order, wide values kept wide)."""
    import pickle

    import numpy as np

    from simulate.batch import Batch, Collector, Tables
    from simulate.stable import StableModel

    s = _system(spec)
    a, b = StableModel(s), StableModel(s)
    states = []
    frontier = a.initial_states()
    while frontier and len(states) < 300:
        states.extend(frontier)
        frontier = [s2 for st in frontier for _, s2 in a.successors(st)]
    for v in reversed(a.local_values):  # b interns local states and messages in the opposite order
        b.intern_value(v)
    for dest, ev in reversed(a.msg_values):
        b.intern_msg(dest, ev)
    ta, tb = Tables(a.local_order), Tables(b.local_order)
    out = Collector(a.n, ta)  # computes the fingerprints, from the global ids and the networks' hashes
    for k, st in enumerate(states):
        net_pos = ta.add_net(st[1], a.codec.encode_net(st[1])[1])
        out.add((-1, st[0], net_pos, st[2], k, 70_000 + k))  # 70,000 does not fit in 16 bits: must not be narrowed
    batch = pickle.loads(pickle.dumps(Batch.pack(out.rows(), ta, a.codec.new_values(0, 0), lambda net: a.codec.encode_net(net)[0])))
    b.codec.learn(batch.locals, batch.msgs)
    rows = batch.unpack(tb, b.codec.decode_nets)
    decoded = [st for _, st in rows.states(tb)]
    assert decoded == [b.codec.decode(a.codec.encode(st)) for st in states]  # the batch path agrees with the cached one
    assert sum(x[0] != y[0] for x, y in zip(states, decoded)) > len(states) // 2  # most states have other local ids in b
    assert [b.codec.fingerprint(st) for st in decoded] == [a.codec.fingerprint(st) for st in states] == rows.fps.tolist()
    assert [a.codec.encode(st) for st in states] == [b.codec.encode(st) for st in decoded]
    assert rows.ordinals.tolist() == [70_000 + k for k in range(len(states))]
    assert rows.parents.dtype == np.uint32 and batch.rows.cols.dtype == np.uint8  # few local states: 8-bit columns


def _with_faults(spec: str) -> System:
    from simulate.system import Faults

    return dataclasses.replace(_system(spec), faults=Faults(drop=1, duplicate=1))


@pytest.mark.parametrize(
    ("system", "kinds_taken"),
    [
        pytest.param(lambda: _system("examples.two_phase:system"), {"deliver", "stimulus"}, id="set network"),
        pytest.param(lambda: _system("examples.leader_election:system"), {"deliver", "stimulus"}, id="set network, many deliveries"),
        pytest.param(lambda: _system("examples.fetch_machine:system"), {"deliver", "stimulus", "timer"}, id="timers"),
        pytest.param(lambda: _system("examples.two_phase_commit:system"), {"deliver", "timer", "crash"}, id="crashes"),
        pytest.param(lambda: _with_faults("examples.distributed_lock:system"), {"deliver", "stimulus", "drop", "duplicate"}, id="drops and duplicates"),
        pytest.param(lambda: _with_faults("examples.auth_flow:system"), {"deliver", "stimulus", "drop", "duplicate"}, id="drops and duplicates, stimuli"),
    ],
)
def test_successors_sent_by_the_instance_their_label_names_decode_to_the_successors(system: Any, kinds_taken: set[str]) -> None:
    """A shard sends a successor as its parent's row with one column replaced, the instance its label names: every
    kind of step (deliveries, stimuli, timers, crashes, drops, duplicates) changes at most that instance's local state,
    and the rows rebuilt that way decode to the successors themselves."""
    from simulate.batch import Collector, Tables
    from simulate.stable import StableModel

    m = StableModel(system())
    parents: list[Any] = []
    frontier, seen = m.initial_states(), set()
    while frontier and len(parents) < 400:
        parents.extend(frontier)
        seen.update(frontier)
        frontier = list(dict.fromkeys(s2 for st in frontier for _, s2 in m.successors(st) if s2 not in seen))
    tables = Tables(m.local_order)
    whole = Collector(m.n, tables, fingerprints=False)
    for st in parents:
        whole.add((-1, st[0], tables.net(st[1]), st[2], 0, 0))
    block = whole.rows()
    base = 1_000  # global index of the first parent
    out, expected, expected_parents, kinds = Collector(m.n, tables, (block.cols, base), fingerprints=False), [], [], set()
    for k, st in enumerate(parents):
        for ordinal, (label, s2) in enumerate(m.successors(st)):
            i = label[1]
            assert all(s2[0][j] == st[0][j] for j in range(m.n) if j != i), f"{label} changes an instance it does not name"
            out.add((i, s2[0][i], tables.net(s2[1]), s2[2], base + k, ordinal))
            expected.append(s2)
            expected_parents.append(base + k)
            kinds.add(label[0])
    rows = out.rows()
    assert [st for _, st in rows.states(tables)] == expected
    assert rows.parents.tolist() == expected_parents
    assert kinds == kinds_taken  # every kind of step the case stands for was taken (and checked)


# ------------------------------------------------------------------ checkpoints with several workers


def _two_phase(n: int = 4) -> System:
    """TwoPhase (a network of message ids, whose order is each process's interning order) with a goal: a witness trace."""
    from examples import two_phase
    from simulate import all_in

    s = two_phase.system(n)
    return dataclasses.replace(s, properties=[*s.properties, sometimes("AllCommitted", all_in("rm", "committed"))])


def _cut_and_resume(s: System, tmp_path: Any, workers: int, engine: str, **cut: Any) -> tuple[Any, Any]:
    """A run cut by ``cut`` writing a checkpoint, then the run resumed from it to the end."""
    path = tmp_path / "run.ckpt"
    first = explore(s, workers=workers, engine=engine, checkpoint=path, **cut)
    assert not first.complete and path.is_file()
    resumed = explore(s, workers=workers, engine=engine, resume=path)
    return first, resumed


@pytest.mark.parametrize("engine", ["processes", "inprocess"])
def test_a_sharded_checkpoint_cut_by_a_state_limit_resumes_to_the_same_result(tmp_path: Any, engine: str) -> None:
    s = _two_phase(4)
    whole = explore(s, workers=2, engine=engine)
    first, resumed = _cut_and_resume(s, tmp_path, 2, engine, max_states=whole.stats.distinct_states // 2)
    assert first.stats.distinct_states == whole.stats.distinct_states // 2
    received = sum(sh["received"] for sh in resumed.shards)  # the resumed run explored only what was left
    assert 0 < received < sum(sh["received"] for sh in whole.shards) - first.stats.distinct_states // 2
    assert _summary(resumed) == _summary(whole)
    assert _traces(resumed) == _traces(whole)
    assert resumed.complete


def test_a_sharded_checkpoint_cut_by_a_depth_limit_resumes_to_the_same_result(tmp_path: Any) -> None:
    s = _system("examples.websocket_gateway.model:build")  # counterexamples and witnesses: traces across the resume
    whole = explore(s, workers=2)
    _, resumed = _cut_and_resume(s, tmp_path, 2, "processes", max_depth=whole.stats.max_depth // 2)
    assert 0 < sum(sh["received"] for sh in resumed.shards) < sum(sh["received"] for sh in whole.shards)  # only what was left
    assert _summary(resumed) == _summary(whole)
    assert _traces(resumed) == _traces(whole)
    assert _traces(whole)


def test_periodic_sharded_checkpoints_replace_each_other(tmp_path: Any) -> None:
    s = _two_phase(5)
    path = tmp_path / "run.ckpt"
    whole = explore(s, workers=2, engine="inprocess")
    again = explore(s, workers=2, engine="inprocess", checkpoint=path, checkpoint_every=1e-9)  # at every level boundary
    assert _summary(again) == _summary(whole)
    shard_files = sorted(p.name for p in tmp_path.iterdir() if p.name != "run.ckpt")
    assert len(shard_files) == 2 and all(".shard" in f for f in shard_files)  # the latest checkpoint's only
    resumed = explore(s, workers=2, engine="inprocess", resume=path)  # the last boundary: nothing left to expand
    assert _summary(resumed) == _summary(whole)
    explore(s, workers=2, engine="inprocess", checkpoint=path, max_states=whole.stats.distinct_states // 2)
    again = explore(s, workers=2, engine="inprocess", resume=path, checkpoint=path, checkpoint_every=1e-9)  # in place
    assert _summary(again) == _summary(whole)
    assert len([p for p in tmp_path.iterdir() if p.name != "run.ckpt"]) == 2  # the resumed checkpoint's files replaced
    assert _summary(explore(s, workers=2, engine="inprocess", resume=path)) == _summary(whole)


def test_a_sharded_checkpoint_resumed_otherwise_is_refused(tmp_path: Any) -> None:
    from simulate.checkpoint import CheckpointError

    s = _two_phase(4)
    sharded, single = tmp_path / "sharded.ckpt", tmp_path / "single.ckpt"
    explore(s, workers=2, engine="inprocess", checkpoint=sharded, max_states=200)
    explore(s, checkpoint=single, max_states=200)
    with pytest.raises(CheckpointError, match=r"written by 2 workers.*resume it with workers=2"):
        explore(s, workers=3, engine="inprocess", resume=sharded)
    with pytest.raises(CheckpointError, match=r"sharded run.*workers=2"):
        explore(s, resume=sharded)
    with pytest.raises(CheckpointError, match="one-worker run: resume it with workers=1"):
        explore(s, workers=2, engine="inprocess", resume=single)
    with pytest.raises(CheckpointError, match="another model"):
        explore(_two_phase(5), workers=2, engine="inprocess", resume=sharded)
    for f in tmp_path.glob("sharded.ckpt.*.shard0"):
        f.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="shard0 is not a checkpoint"):
        explore(s, workers=2, resume=sharded)  # in a worker process: its error comes back as a CheckpointError
    for f in tmp_path.glob("sharded.ckpt.*.shard1"):
        f.unlink()
    with pytest.raises(CheckpointError, match="missing"):
        explore(s, workers=2, engine="inprocess", resume=sharded)
    live = importlib.import_module("examples.websocket_gateway.model").build()
    with pytest.raises(ModelError, match="liveness"):
        explore(live, workers=2, engine="inprocess", checkpoint=tmp_path / "x.ckpt")


def test_a_sharded_checkpoint_resumes_in_another_process_under_another_hash_seed(tmp_path: Any) -> None:
    import json
    import os
    import subprocess
    import sys

    s = _two_phase(4)
    whole = explore(s, workers=2)
    path = tmp_path / "run.ckpt"
    explore(s, workers=2, checkpoint=path, max_states=whole.stats.distinct_states // 3)
    code = (
        "import dataclasses, json, sys\n"
        "from examples import two_phase\n"
        "from simulate import all_in, explore, sometimes\n"
        "s = two_phase.system(4)\n"
        "s = dataclasses.replace(s, properties=[*s.properties, sometimes('AllCommitted', all_in('rm', 'committed'))])\n"
        "r = explore(s, workers=2, resume=sys.argv[1])\n"
        "print(json.dumps([r.stats.distinct_states, r.stats.states_generated, r.stats.max_depth, r.complete,\n"
        "    [[v.name, v.status, [f'{x.actor} {x.kind} {x.text}' for x in v.trace.steps] if v.trace else None] for v in r.verdicts]]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env, check=True, timeout=300)
    expected = [
        whole.stats.distinct_states,
        whole.stats.states_generated,
        whole.stats.max_depth,
        True,
        [[v.name, v.status, [f"{x.actor} {x.kind} {x.text}" for x in v.trace.steps] if v.trace else None] for v in whole.verdicts],
    ]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == expected


def test_step_positions_past_one_byte_widen_the_shards_arrays() -> None:
    """A state with 300 steps: shards keep step positions in one byte until a larger one comes, then two; the
    witness of the last step is found as one worker finds it."""
    chart = Chart("Fan", State("on", on={f"e{i}": Transition(guard=ctx.n == 0, actions=assign(n=i + 1)) for i in range(300)}), context={"n": 0})
    s = System(
        "Fan",
        actors=[Actor("f", chart, end_states=["on"])],
        stimuli=[Stimulus("f", f"e{i}") for i in range(300)],
        properties=[sometimes("Last", actor("f").n == 300)],
    )
    one = explore(s)
    for two in (explore(s, workers=2, engine="inprocess"), explore(s, workers=2)):
        assert _summary(two) == _summary(one) and _traces(two) == _traces(one)
        assert [sh["links"] for sh in two.shards] == [sh["states"] * (4 + 2) for sh in two.shards]  # both hold a position >= 256


def _jumps(below: int, jump_from: int, jumps: int = 6) -> System:
    """c.x counts up to 4 and jumps from ``jump_from`` to 100 + i, outside the constraint x < 50; d.y widens the
    levels so that every shard holds states. ``Below`` is violated (and ``Big`` reached) by states inside and outside."""
    on = {"inc": Transition(guard=ctx.x < 4, actions=assign(x=ctx.x + 1))}
    on.update({f"j{i}": Transition(guard=ctx.x == jump_from, actions=assign(x=100 + i)) for i in range(jumps)})
    c = Chart("C", State("on", on=on), context={"x": 0})
    d = Chart("D", State("on", on={"up": Transition(guard=ctx.y < 3, actions=assign(y=ctx.y + 1))}), context={"y": 0})
    return System(
        "Jumps",
        actors=[Actor("c", c, end_states=["on"]), Actor("d", d, end_states=["on"])],
        stimuli=[Stimulus("c", "inc"), *[Stimulus("c", f"j{i}") for i in range(jumps)], Stimulus("d", "up")],
        constraint=actor("c").x < 50,
        properties=[invariant("Below", actor("c").x < below), sometimes("Big", actor("c").x >= below)],
    )


def test_a_property_decided_outside_the_constraint_stays_decided_on_every_shard() -> None:
    """States outside the constraint decide Below at level 2 (x jumps from 1 to 100..); x = 3 is stored at level 3 on
    shards that never saw them, and must not replace the earlier verdict (one worker never checks Below again)."""
    s = _jumps(below=3, jump_from=1)
    one = explore(s)
    assert [len(v.trace.steps) for v in one.verdicts if v.trace] == [3, 3]  # inc, then a jump out of the constraint
    for workers in (2, 3, 4):
        several = explore(s, workers=workers, engine="inprocess")
        assert (_summary(several), _traces(several)) == (_summary(one), _traces(one))


def test_tuple_hashes_are_pythons_hash() -> None:
    """``batch.tuple_hashes`` gives, per row, the 64 bits of ``hash`` of the tuple of the values whose hashes it is
    given: so a block's fingerprints are those a state's ``hash`` gives, in every process."""
    import numpy as np

    from simulate.batch import FP64, tuple_hashes

    rng = random.Random(3)
    for width in (0, 1, 3, 9):
        rows = [
            tuple(rng.choice([rng.getrandbits(60), rng.randrange(300), -rng.getrandbits(63), rng.getrandbits(64), (1, 2)]) for _ in range(width))
            for _ in range(500)
        ]
        lanes = np.array([[hash(v) & FP64 for v in row] for row in rows], dtype=np.uint64).reshape(len(rows), width)
        assert tuple_hashes(lanes).tolist() == [hash(row) & FP64 for row in rows]
