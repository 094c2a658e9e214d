"""Checkpoint and resume: an exploration stopped anywhere and resumed ends exactly as one that never stopped."""

from __future__ import annotations

import gzip
import json
import os
import signal
from pathlib import Path

import pytest

from examples import die_hard, two_phase
from simulate import Actor, ModelError, Result, Stimulus, System, eventually, explore, invariant
from simulate.result import Stats
from statecharts import Chart, State, Transition, assign, ctx


def summary(r: Result) -> tuple[object, ...]:
    """What must not depend on where an exploration was stopped."""
    traces = {v.name: [s.text for s in v.trace.steps] if v.trace else None for v in r.verdicts}
    return (r.complete, r.stats.distinct_states, r.stats.max_depth, [(v.name, v.status) for v in r.verdicts], traces, r.coverage)


def test_two_phase_stopped_by_max_states_resumes_to_the_tlc_count(tmp_path: Path) -> None:
    ckpt = tmp_path / "run.ckpt"
    whole = explore(two_phase.system(4))
    first = explore(two_phase.system(4), max_states=500, checkpoint=ckpt)
    assert not first.complete and first.limit == "max_states 500 reached" and ckpt.exists()
    second = explore(two_phase.system(4), max_states=1200, checkpoint=ckpt, resume=ckpt)
    assert not second.complete and second.stats.distinct_states == 1200
    last = explore(two_phase.system(4), resume=ckpt)
    assert last.stats.distinct_states == 1568  # TLC's count for TwoPhase, N = 4
    assert summary(last) == summary(whole)
    assert last.stats.states_generated == whole.stats.states_generated


def test_a_violation_found_before_or_after_the_stop_has_the_same_shortest_trace(tmp_path: Path) -> None:
    whole = explore(die_hard.system())
    for limit in (3, 8, 14):
        ckpt = tmp_path / f"jugs-{limit}.ckpt"
        explore(die_hard.system(), max_states=limit, checkpoint=ckpt)
        resumed = explore(die_hard.system(), resume=ckpt)
        assert summary(resumed) == summary(whole)
        assert len(resumed.verdict("NotSolved").trace) == 6  # as TLC's


def test_max_depth_stop_resumes_with_a_deeper_bound(tmp_path: Path) -> None:
    ckpt = tmp_path / "depth.ckpt"
    shallow = explore(two_phase.system(3), max_depth=4, checkpoint=ckpt)
    assert not shallow.complete and shallow.limit == "max_depth 4 reached"
    deep = explore(two_phase.system(3), resume=ckpt)
    assert summary(deep) == summary(explore(two_phase.system(3)))


def test_ctrl_c_writes_a_checkpoint_at_the_next_tick(tmp_path: Path) -> None:
    ckpt = tmp_path / "interrupted.ckpt"
    sent: list[Stats] = []

    def press_ctrl_c(stats: Stats) -> None:
        if not sent and stats.distinct_states > 2000:
            sent.append(stats)
            os.kill(os.getpid(), signal.SIGINT)

    first = explore(two_phase.system(5), checkpoint=ckpt, progress=press_ctrl_c, progress_interval=0.0)
    assert sent and first.limit == "interrupted" and not first.complete
    assert 2000 < first.stats.distinct_states < 8832
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is put back
    rest = explore(two_phase.system(5), resume=ckpt)
    assert rest.complete and rest.stats.distinct_states == 8832  # TLC's count for N = 5


def test_periodic_checkpoints_and_a_finished_run(tmp_path: Path) -> None:
    ckpt = tmp_path / "periodic.ckpt"
    done = explore(two_phase.system(4), checkpoint=ckpt, checkpoint_every=1e-9)
    again = explore(two_phase.system(4), resume=ckpt)  # nothing left to explore: the same result at once
    assert summary(again) == summary(done)


def _counter(limit: int) -> System:
    chart = Chart("Counter", State("s", on={"inc": Transition(guard=ctx.n < limit, actions=assign(n=ctx.n + 1))}), context={"n": 0})
    return System("Counter", actors=[Actor("c", chart)], stimuli=[Stimulus("c", "inc")], properties=[invariant("Small", ctx_small())], check_deadlock=False)


def ctx_small() -> object:
    from simulate import actor

    return actor("c").n < 100


def test_a_checkpoint_resumes_only_the_model_it_was_written_for(tmp_path: Path) -> None:
    ckpt = tmp_path / "counter.ckpt"
    explore(_counter(50), max_states=10, checkpoint=ckpt)
    with pytest.raises(ModelError, match="written for another model"):
        explore(_counter(60), resume=ckpt)
    assert explore(_counter(50), resume=ckpt).stats.distinct_states == 51


def test_damaged_or_foreign_files_are_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no checkpoint at"):
        explore(_counter(5), resume=tmp_path / "missing.ckpt")
    junk = tmp_path / "junk.ckpt"
    junk.write_text("not gzip")
    with pytest.raises(ModelError, match="not a checkpoint"):
        explore(_counter(5), resume=junk)
    good = tmp_path / "good.ckpt"
    explore(_counter(5), max_states=2, checkpoint=good)
    data = json.loads(gzip.decompress(good.read_bytes()))
    data["current"] = [{"py": "__import__('os').system('echo owned')"}]  # values are data: an unknown tag is refused
    hostile = tmp_path / "hostile.ckpt"
    hostile.write_bytes(gzip.compress(json.dumps(data).encode()))
    with pytest.raises(ModelError, match="unknown tag 'py'"):
        explore(_counter(5), resume=hostile)


def test_checkpoints_need_plain_bfs() -> None:
    live = System(
        "Live",
        actors=[Actor("c", _counter(3).actors[0].chart)],
        stimuli=[Stimulus("c", "inc")],
        properties=[eventually("Three", ctx_small())],
        check_deadlock=False,
    )
    with pytest.raises(ModelError, match="liveness properties"):
        explore(live, checkpoint="x.ckpt")
    with pytest.raises(ModelError, match="mode 'dfs'"):
        explore(_counter(3), mode="dfs", checkpoint="x.ckpt")
    with pytest.raises(ModelError, match="symmetry"):
        explore(two_phase.system(3, symmetry=True), checkpoint="x.ckpt")
