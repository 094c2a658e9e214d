"""Partial-order reduction with several workers: the sharded search explores the same reduced state space as one worker.

The oracle is the one-worker reduced run (itself checked against the full space in ``test_por``): with two or three
shards, the distinct and generated counts, the depth, the verdicts, the length of every trace and the reduction's
counters must be the same, and every trace must be a path of the full successor relation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_por import EXAMPLES, GATEWAY_VARIANTS, _independent, check_real, gateway, tla_systems, verdicts

from simulate import ModelError, System, explore
from simulate.properties import Eventually, LeadsTo


def _por_note(result: Any) -> tuple[int, int] | None:
    """(reduced, expanded states) from the result's note on the reduction, None when there is none."""
    for note in result.notes:
        hit = re.match(r"partial-order reduction: ([\d,]+) of ([\d,]+) expanded states", note)
        if hit:
            return int(hit[1].replace(",", "")), int(hit[2].replace(",", ""))
    return None


def _summary(result: Any) -> dict[str, Any]:
    """Everything the sharded run must agree on with one worker."""
    return {
        "complete": result.complete,
        "distinct": result.stats.distinct_states,
        "generated": result.stats.states_generated,
        "depth": result.stats.max_depth,
        "verdicts": verdicts(result),
        "trace lengths": [(v.name, len(v.trace.steps) if v.trace is not None else None) for v in result.verdicts],
        "reduction": _por_note(result),
    }


def same_as_one_worker(make: Callable[[], System], workers: int = 2, engine: str = "inprocess") -> dict[str, Any]:
    """Explore with reduction on one worker and on ``workers`` shards: every figure agrees, traces are real."""
    system = make()
    system.symmetry = False
    one = explore(system, reduce="por")
    system = make()
    system.symmetry = False
    many = explore(system, reduce="por", workers=workers, engine=engine)
    expected = _summary(one)
    assert _summary(many) == expected, system.name
    assert many.workers == workers
    for v in many.verdicts:
        if v.trace is not None and v.kind in ("invariant", "sometimes", "deadlock"):
            check_real(many, v)
    return expected


@pytest.mark.parametrize("name", sorted(tla_systems.ALL))
def test_test_systems(name: str) -> None:
    same_as_one_worker(tla_systems.ALL[name])


SLOW_EXAMPLES = {
    "log_sync(spec)",
    "log_sync(fixed)",
    "throttling_multi",
    "two_phase_commit(durable)",
    "two_phase_commit(volatile)",
    "two_phase_commit(impatient)",
    "distributed_lock(fenced)",
    "distributed_lock(lease)",
    "leader_election(raft)",
    "throttling(unthrottled)",
    "websocket_gateway(naive)",
}  # a second or more each on a busy 2-core machine: the slow tier
FAST_GATEWAY = {("naive", None), ("fixed", None)}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_EXAMPLES else n for n in sorted(EXAMPLES)])
def test_examples(name: str) -> None:
    same_as_one_worker(EXAMPLES[name])


@pytest.mark.parametrize("design, mutation", [v if v in FAST_GATEWAY else pytest.param(*v, marks=pytest.mark.slow) for v in GATEWAY_VARIANTS])
def test_gateway_designs_and_mutations(design: str, mutation: str | None) -> None:
    """The flagship's designs and mutations at small bounds (no frame, no out-of-band call), as in ``test_por``."""
    same_as_one_worker(lambda: gateway(design, mutation=mutation, liveness=False, frames=0, oob=0))


def test_the_reduction_is_applied() -> None:
    """Not a vacuous agreement: the sharded run reduces (fewer states than the full space, reduced states counted)."""
    full = explore(_independent(3, 3)).stats.distinct_states
    summary = same_as_one_worker(lambda: _independent(3, 3), workers=3)
    assert summary["distinct"] < full
    assert summary["reduction"] is not None and summary["reduction"][0] > 0


def test_quiescence_guarded_gateway_reduces() -> None:
    full = explore(gateway("fixed", liveness=False, frames=0, oob=0)).stats.distinct_states
    summary = same_as_one_worker(lambda: gateway("fixed", liveness=False, frames=0, oob=0), workers=3)
    assert summary["distinct"] * 2 < full


@pytest.mark.parametrize("name", ["rpc_fifo", "pingpong"])
def test_worker_processes(name: str) -> None:
    same_as_one_worker(tla_systems.ALL[name], engine="processes")


def test_worker_processes_gateway() -> None:
    same_as_one_worker(lambda: gateway("naive", liveness=False, frames=0, oob=0), engine="processes")


@pytest.mark.slow
def test_ray_engine() -> None:
    pytest.importorskip("ray", reason='Ray is not installed: pip install "statecharts[ray]"')
    same_as_one_worker(lambda: gateway("fixed", liveness=False, frames=0, oob=0), engine="ray")


@pytest.mark.slow
@pytest.mark.parametrize("design, mutation", GATEWAY_VARIANTS)
def test_gateway_with_a_frame(design: str, mutation: str | None) -> None:
    """The default bounds but the out-of-band call (up to 10^5 states), on worker processes."""
    same_as_one_worker(lambda: gateway(design, mutation=mutation, liveness=False, oob=0), engine="processes")


def test_liveness_is_explored_unreduced_as_with_one_worker() -> None:
    """With liveness properties one worker explores everything unreduced and says so; the sharded run does the same."""
    live = tla_systems.ALL["pingpong"]
    assert any(isinstance(p, (Eventually, LeadsTo)) for p in live().properties)
    summary = same_as_one_worker(live)
    assert summary["reduction"] is None
    many = explore(live(), reduce="por", workers=2, engine="inprocess")
    assert any("not applied" in n and "liveness" in n for n in many.notes)
    assert many.stats.distinct_states == explore(live()).stats.distinct_states


def test_refusals(tmp_path: Path) -> None:
    s = _independent(2, 1)
    with pytest.raises(ModelError, match="symmetry=False"):
        explore(s, reduce="por", symmetry=True, workers=2, engine="inprocess")
    with pytest.raises(ModelError, match="partial-order reduction"):
        explore(s, reduce="por", workers=2, engine="inprocess", checkpoint=tmp_path / "ck")
    with pytest.raises(ModelError, match="mode='bfs'"):
        explore(s, reduce="por", workers=2, mode="dfs")


@pytest.mark.parametrize("name", ["rpc_set", "stuck"])
def test_sharded_search_reports_deadlock_without_reduction(name: str) -> None:
    """A regression found here: the sharded search kept a shard's deadlock (and step errors) only when a state outside
    the constraint decided a property in the same level, so it reported 'holds' where one worker found the deadlock."""
    one = explore(tla_systems.ALL[name]())
    many = explore(tla_systems.ALL[name](), workers=2, engine="inprocess")
    assert ("deadlock", "violated") in verdicts(one)
    assert verdicts(many) == verdicts(one)
    assert [len(v.trace.steps) for v in many.verdicts if v.trace] == [len(v.trace.steps) for v in one.verdicts if v.trace]


def test_command_line_por_with_workers(tmp_path: Path) -> None:
    """``statecharts check --por --workers 2`` reduces on worker processes, to the figures of ``--por`` alone."""
    import json
    import subprocess
    import sys

    target = Path(__file__).parent.parent / "examples" / "two_phase.py"

    def run(*extra: str) -> dict[str, Any]:
        out = subprocess.run([sys.executable, "-m", "statecharts", "check", str(target), "--por", "--json", *extra], capture_output=True, text=True, cwd=tmp_path)
        data: dict[str, Any] = json.loads(out.stdout)
        return data

    one, two = run(), run("--workers", "2")
    assert one["status"] == two["status"] == "ok"
    assert any("partial-order reduction" in n for n in two["notes"])
    assert one["stats"]["distinct_states"] == two["stats"]["distinct_states"]


HASHSEED_DRIVER = """
import json
from examples.websocket_gateway.model import build
from simulate import explore
r = explore(build("deferred", liveness=False, frames=0, oob=0), reduce="por", workers=2, engine="inprocess")
print(json.dumps([r.stats.distinct_states, r.stats.states_generated, r.notes,
                  [(v.name, v.status, [s.text for s in v.trace.steps] if v.trace else None) for v in r.verdicts]]))
"""


def test_same_reduced_run_under_every_hash_seed() -> None:
    """The shards' choices, counters and traces (labels included) do not depend on PYTHONHASHSEED."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
        proc = subprocess.run([sys.executable, "-c", HASHSEED_DRIVER], cwd=root, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        outs.append(proc.stdout)
    assert outs[0] == outs[1]
    assert '"violated"' in outs[0]  # a trace is compared, not only counts
