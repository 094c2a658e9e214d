"""Counterexamples found under partial-order reduction are real behaviours: they replay on the core interpreter,
they read in the HTML report (with the note that they may not be the shortest), and TLC follows them step by step
through the exported spec. A tampered trace is refused by each."""

from __future__ import annotations

import copy
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from examples import auth_flow, bank_transfer, die_hard, distributed_lock, fetch_machine, leader_election, media_player, two_phase_commit, user_session
from examples.websocket_gateway.model import build as gateway
from exporters.report import report_html
from exporters.tla import to_tla, write_trace_tla
from exporters.tlc import check_trace
from simulate import Actor, Result, Stimulus, System, Trace, explore
from simulate.properties import Eventually, LeadsTo
from simulate.replay import TraceDivergence, TraceUnsupported, replay_in_interpreter
from statecharts import Chart, State, Transition, python

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "tla"))
import systems as tla_systems

TLA2TOOLS = os.environ.get("TLA2TOOLS")
needs_tlc = pytest.mark.skipif(not TLA2TOOLS, reason="TLA2TOOLS not set")

# quick to explore, and between them every step kind: deliveries, stimuli, timers, drops, duplicates, crashes,
# ``choose`` alternatives, parallel regions, FIFO / unordered / set networks
FAST: dict[str, Callable[[], System]] = {
    "die_hard": die_hard.system,
    "media_player": media_player.build,
    "auth_flow(off_by_one)": lambda: auth_flow.build("off_by_one"),
    "bank_transfer(racy)": lambda: bank_transfer.build("racy"),
    "fetch_machine(naive)": lambda: fetch_machine.build("naive"),
    "leader_election(double_vote)": lambda: leader_election.build("double_vote", symmetry=False),
    "two_phase_commit(volatile)": lambda: two_phase_commit.build("volatile"),
    "two_phase_commit(impatient)": lambda: two_phase_commit.build("impatient"),
    "user_session(naive)": lambda: user_session.build("naive"),
    "websocket_gateway(naive)": lambda: gateway("naive", liveness=False),
    **{f"tla:{n}": tla_systems.ALL[n] for n in ("rpc_fifo", "rpc_unordered", "rpc_set", "hierarchy", "stuck", "regions", "branch_choose", "constrained_counter")},
}


def reduced(make: Callable[[], System]) -> Result:
    """A reduced run: without symmetry, and without the liveness properties (they would be explored unreduced)."""
    system = make()
    system.symmetry = False
    system.properties = [p for p in system.properties if not isinstance(p, (Eventually, LeadsTo))]
    result = explore(system, reduce="por")
    assert any("may not be the shortest" in n for n in result.notes), result.notes
    return result


def traces(result: Result) -> list[Trace]:
    return [v.trace for v in result.verdicts if v.trace is not None]


@pytest.mark.parametrize("name", sorted(FAST))
def test_por_counterexamples_replay_in_the_interpreter(name: str) -> None:
    result = reduced(FAST[name])
    found = traces(result)
    assert found, f"{name}: no trace to replay"
    for trace in found:
        replayed = replay_in_interpreter(result, trace)
        assert replayed.steps == len(trace) and not replayed.failed
        last = {}  # each instance's leaves at the end, as the trace's changes tell them
        for step in trace.steps:
            last.update({c.actor: c.after for c in step.changes})
        assert {n: i.leaves for n, i in replayed.interpreters.items()} == last


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["lease", "fenced"])
def test_distributed_lock_counterexamples_replay(variant: str) -> None:
    result = reduced(lambda: distributed_lock.build(variant))
    for trace in traces(result):
        assert replay_in_interpreter(result, trace).steps == len(trace)


def test_unreduced_traces_replay_too_with_symmetry() -> None:
    """Traces of a symmetric run show the actual instances (not canonical ones): they replay as they are."""
    result = explore(leader_election.build("double_vote"))
    m = result.model
    assert m.symmetric and traces(result)
    for trace in traces(result):
        assert any(m.canonical(s.state)[0] != s.state for s in trace.steps)  # some step is not in its canonical form
        assert replay_in_interpreter(result, trace).steps == len(trace)


def _rpc_trace() -> tuple[Result, Trace]:
    result = reduced(tla_systems.ALL["rpc_set"])
    trace = result.verdict("deadlock").trace
    assert trace is not None and len(trace) >= 4
    return result, trace


def _claiming(trace: Trace, k: int, other: int) -> Trace:
    """A tampered copy of ``trace`` whose step ``k`` claims the state of step ``other`` (the original is untouched)."""
    tampered = copy.copy(trace)
    tampered.steps = [copy.copy(s) for s in trace.steps]
    tampered.steps[k].state = trace.steps[other].state
    return tampered


def test_a_skipped_step_is_caught_and_named() -> None:
    result, trace = _rpc_trace()
    tampered = _claiming(trace, 2, 3)  # step 2 now jumps two steps ahead
    with pytest.raises(TraceDivergence, match=re.escape(f"step {trace.steps[2].summary()}")) as e:
        replay_in_interpreter(result, tampered)
    assert e.value.step is tampered.steps[2]
    assert replay_in_interpreter(result, trace).steps == len(trace)  # the untouched trace still replays


def test_a_step_taking_another_message_is_caught() -> None:
    result, trace = _rpc_trace()
    k = next(i for i, s in enumerate(trace.steps) if s.kind == "deliver")
    tampered = Trace([copy.copy(s) for s in trace.steps])
    tampered.steps[k].text = tampered.steps[k].text.replace(" from ", "_forged from ")
    with pytest.raises(TraceDivergence, match=rf"step {k}\. .*no message .* can be taken"):
        replay_in_interpreter(result, tampered)


def test_a_foreign_initial_state_is_caught() -> None:
    result, trace = _rpc_trace()
    tampered = _claiming(trace, 0, 1)
    with pytest.raises(TraceDivergence, match="diverges at the initial state"):
        replay_in_interpreter(result, tampered)


def test_a_trace_ending_in_user_code_raising_replays_to_the_same_error() -> None:
    def boom(c: object, e: object) -> dict[str, int]:
        raise ZeroDivisionError("division by zero in user code")

    chart = Chart("Fragile", State("a", on={"step": "b"}), State("b", on={"step": Transition("c", actions=python(boom))}), State("c"))
    system = System("fragile", actors=[Actor("f", chart, end_states=("a", "b", "c"))], stimuli=[Stimulus("f", "step")])
    result = explore(system, reduce="por")
    trace = result.verdict("error").trace
    assert trace is not None
    replayed = replay_in_interpreter(result, trace)
    assert replayed.failed and replayed.interpreters["f"].leaves == ("b",)


def test_a_model_without_actors_is_refused() -> None:
    from test_protocol import DieHard

    from simulate.explorer import explore_model

    result = explore_model(DieHard())
    with pytest.raises(TraceUnsupported, match="System's exploration"):
        replay_in_interpreter(result)


# --------------------------------------------------------------------------- the HTML report


def test_report_of_a_reduced_run_shows_the_trace_and_says_it_may_not_be_the_shortest() -> None:
    result = reduced(lambda: leader_election.build("double_vote", symmetry=False))
    verdict = result.verdict("ElectionSafety")
    assert verdict.status == "violated" and verdict.trace is not None
    page = report_html(result)
    assert "may not be the shortest" in page and "class='note result-note'" in page
    m = re.search(r"<script type='application/json' id='report-data'>(.*?)</script>", page, re.S)
    assert m is not None
    data = json.loads(m.group(1))
    shown = next(t for t in data["traces"].values() if t["name"] == "ElectionSafety")
    assert [s["index"] for s in shown["steps"]] == [s.index for s in verdict.trace.steps]
    assert [s["actor"] for s in shown["steps"]] == [s.actor for s in verdict.trace.steps]
    assert "may not be the shortest" not in report_html(explore(leader_election.build("double_vote", symmetry=False)))


# --------------------------------------------------------------------------- TLC


@needs_tlc
@pytest.mark.slow
@pytest.mark.parametrize("name", ["rpc_fifo", "rpc_set", "regions", "distributed_lock(lease)"])
def test_tlc_follows_por_counterexamples(name: str) -> None:
    make = (lambda: distributed_lock.build("lease")) if name == "distributed_lock(lease)" else tla_systems.ALL[name]
    result = reduced(make)
    trace = result.counterexample
    assert trace is not None
    check = check_trace(result, trace, jar=TLA2TOOLS)
    assert check.ok, check.tlc.raw_output[-3000:]
    assert (check.steps, check.followed) == (len(trace), len(trace) + 1)
    assert check.tlc.distinct_states == len(trace) + 1  # one state per position: TLC went down the trace only


@needs_tlc
@pytest.mark.slow
def test_tlc_refuses_a_tampered_trace_at_the_tampered_step() -> None:
    result, trace = _rpc_trace()
    tampered = _claiming(trace, 2, 3)
    check = check_trace(result, tampered, jar=TLA2TOOLS)
    assert not check.ok
    assert check.followed == 2 and "refused step 2" in check.message


def test_the_trace_module_is_written_next_to_the_spec(tmp_path: Path) -> None:
    result, trace = _rpc_trace()
    spec = to_tla(result.model.system)
    tla_path, cfg_path = write_trace_tla(spec, result.model, trace, tmp_path)
    assert (tmp_path / f"{spec.module_name}.tla").read_text() == spec.module
    module = tla_path.read_text()
    assert tla_path.stem == f"{spec.module_name}_Trace" and f"EXTENDS {spec.module_name}\n" in module
    assert module.count("\n    [") == len(trace) + 1  # one pinned state per position
    assert "INIT TraceInit" in cfg_path.read_text() and "INVARIANT TraceUnfinished" in cfg_path.read_text()


@needs_tlc
@pytest.mark.slow
def test_tlc_refuses_a_foreign_initial_state() -> None:
    result, trace = _rpc_trace()
    tampered = _claiming(trace, 0, 1)
    check = check_trace(result, tampered, jar=TLA2TOOLS)
    assert not check.ok and check.followed == 0 and "initial state" in check.message


@pytest.mark.parametrize("name", ["greedy_per_receiver", "pingpong"])
def test_a_liveness_lasso_replays_and_closes(name: str) -> None:
    """Liveness is explored unreduced; its lasso replays too, and the replay ends where the cycle starts."""
    result = explore(tla_systems.ALL[name]())
    lasso = next(t for t in traces(result) if t.loop_start is not None)
    assert replay_in_interpreter(result, lasso).steps == len(lasso)
    if lasso.loop_start != len(lasso):  # a cycle of steps, not stuttering at the end: cut it short and it no longer closes
        short = Trace(lasso.steps[:-1], loop_start=lasso.loop_start)
        with pytest.raises(TraceDivergence, match=f"the cycle does not close at step {lasso.loop_start}"):
            replay_in_interpreter(result, short)


def test_check_por_report_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``statecharts check --por --report DIR``: the page has the counterexample and the note."""
    from statecharts.__main__ import main

    code = main(["check", "examples.die_hard", "--por", "--report", str(tmp_path / "r"), "--out", str(tmp_path / "o")])
    capsys.readouterr()
    assert code == 1
    page = (tmp_path / "r" / "index.html").read_text()
    assert "may not be the shortest" in page
    m = re.search(r"<script type='application/json' id='report-data'>(.*?)</script>", page, re.S)
    assert m is not None
    shown = json.loads(m.group(1))["traces"]
    assert any(t["name"] == "NotSolved" and len(t["steps"]) == 7 for t in shown.values())  # the puzzle's 6 steps, and the start
