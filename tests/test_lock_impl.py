"""The distributed lock implemented for real (asyncio, TCP on 127.0.0.1) checked against its model.

Generated tests pass on the correct server and fail, readably, on the one with the planted
bug; a log of a free run of the correct one is a behaviour of the model, a log of the buggy
one diverges at the lock's bogus grant; hypothesis, with the model as oracle, finds the bug.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from examples.lock_impl import MODEL
from examples.lock_impl.adapter import LockAdapter
from examples.lock_impl.run import record
from simulate.conform import validate
from simulate.testgen import ConformanceFailure, generate, state_machine
from statecharts_cli import main

SUITE = generate(MODEL)


@pytest.fixture(scope="module")
def correct() -> LockAdapter:
    with LockAdapter() as adapter:
        yield adapter


def test_suite_covers_every_reachable_transition() -> None:
    assert len(SUITE) >= 2
    taken = {t for c in SUITE for t in c.covers}
    chart_names = {f"{a.chart.name}: " for a in MODEL.actors}
    assert all(any(t.startswith(p) for p in chart_names) for t in taken)
    # what no case takes is exactly what the explorer reports as never taken
    never = MODEL.explore().coverage
    assert sum(len(v) for v in SUITE.uncovered.values()) == sum(len(v) for v in never.values())
    assert "Lock: held --request--> (targetless)" in taken  # a client queues behind the holder


@pytest.mark.parametrize("case", SUITE.params())
def test_generated_case_passes_on_the_correct_server(case, correct: LockAdapter, tmp_path: Path) -> None:
    case.run(correct, charts=tmp_path)
    assert not list(tmp_path.iterdir())  # no failure, no chart


def test_generated_cases_fail_on_the_buggy_server(tmp_path: Path) -> None:
    failures = []
    with LockAdapter(buggy=True) as buggy:
        for case in SUITE:
            try:
                case.run(buggy, charts=tmp_path)
            except ConformanceFailure as e:
                failures.append(e)
    assert failures, "the planted bug went unnoticed"
    text = str(failures[0])
    # what the model expected, what the implementation did, the steps so far, a sequence chart
    assert "lock: deliver request from client[1]" in text
    assert "the model expected:\n  lock: in held, holder='client[0]', queue=('client[1]',), token=1, sent nothing" in text
    assert "sent grant(token=2) to client[1]" in text
    assert "✗  8" in text and "acquire   client[1]: idle → waiting" in text
    assert failures[0].svg is not None and failures[0].svg.exists()
    assert str(failures[0].svg) in text and "<svg" in failures[0].svg.read_text()


def test_free_run_logs(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.jsonl", tmp_path / "bad.jsonl"
    record(str(good))
    record(str(bad), buggy=True)
    ok = validate(MODEL, good, max_gap=2)
    assert ok.status == "ok" and ok.matched == len(ok.entries) >= 20
    # without unlogged steps the storage (which logs nothing) cannot have answered
    strict = validate(MODEL, good, max_gap=0)
    assert strict.status == "diverged" and strict.failing is not None and strict.failing.event == "written"
    r = validate(MODEL, bad, max_gap=2)
    assert r.status == "diverged" and r.failing is not None
    # the right entry: the lock granting a request while another client holds the lock (the scheduler decides which)
    assert r.failing.where == f"bad.jsonl line {r.matched + 1}"
    assert r.failing.actor == "lock" and r.failing.event == "request"
    assert r.failing.sent is not None and [m.event for m in r.failing.sent] == ["grant"]
    assert [why for _, why in r.candidates] == [f"the model sends nothing; observed {r.failing.sent[0].text()}"]
    entries = [json.loads(line) for line in bad.read_text().splitlines()]
    granted = [e for e in entries[: r.matched] if e["actor"] == "lock" and e.get("sent")]
    assert granted and all(e["state"] == "held" for e in granted)
    # the command line says the same, with exit status 1 and a sequence chart
    out = tmp_path / "charts"
    assert main(["conform", "examples/distributed_lock.py", str(good), "--max-gap", "2", "--out", str(out)]) == 0
    assert main(["conform", "examples/distributed_lock.py", str(bad), "--max-gap", "2", "--out", str(out)]) == 1
    assert [p.suffix for p in out.iterdir()] == [".svg"]


def test_hypothesis_with_the_model_as_oracle() -> None:
    run_state_machine_as_test(state_machine(MODEL, LockAdapter, charts=None), settings=settings(max_examples=5, stateful_step_count=12))
    with pytest.raises(ConformanceFailure) as info:
        run_state_machine_as_test(state_machine(MODEL, lambda: LockAdapter(buggy=True), charts=None), settings=settings(max_examples=30, stateful_step_count=12))
    text = str(info.value)
    # shrunk to the shortest run that shows the bug: two requests, the second while the lock is held
    assert "lock: deliver request from client[1]" in text or "lock: deliver request from client[0]" in text
    assert "sent nothing" in text and "sent grant(token=2)" in text
    assert "✗  4" in text
