"""A checkpoint resumes only the exact model it was written for, and only when it is consistent (issue 10, point 2)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from examples import two_phase
from simulate import Actor, Stimulus, System, actor, explore, invariant
from simulate.checkpoint import CheckpointError
from statecharts import Chart, State, Transition, assign, ctx, python


def _counter(guard: Any = None, prop: Any = None, action: Any = None) -> System:
    on = Transition(guard=guard if guard is not None else ctx.n < 20, actions=action if action is not None else assign(n=ctx.n + 1))
    chart = Chart("Counter", State("s", on={"inc": on}), context={"n": 0})
    return System(
        "Counter",
        actors=[Actor("c", chart)],
        stimuli=[Stimulus("c", "inc")],
        properties=[invariant("Small", prop if prop is not None else actor("c").n < 100)],
        check_deadlock=False,
    )


def _stopped(tmp_path: Path, system: System) -> Path:
    ckpt = tmp_path / "run.ckpt"
    first = explore(system, max_states=3, checkpoint=ckpt)
    assert not first.complete and ckpt.exists()
    return ckpt


def test_a_changed_predicate_is_refused(tmp_path: Path) -> None:
    ckpt = _stopped(tmp_path, _counter())
    changed = _counter(prop=actor("c").n < 0)
    assert explore(changed).verdict("Small").status == "violated"  # a fresh run: violated at step 0
    with pytest.raises(CheckpointError, match="written for another model"):
        explore(changed, resume=ckpt)
    assert explore(_counter(), resume=ckpt).stats.distinct_states == 21


def _guard(limit: int) -> Callable[[Any, Any], bool]:
    return lambda c, e: c["n"] < limit


def test_a_changed_callable_body_or_closure_value_is_refused(tmp_path: Path) -> None:
    ckpt = _stopped(tmp_path, _counter(guard=lambda c, e: c["n"] < 20))
    with pytest.raises(CheckpointError, match="written for another model"):
        explore(_counter(guard=lambda c, e: c["n"] <= 20), resume=ckpt)
    with pytest.raises(CheckpointError, match="written for another model"):
        explore(_counter(guard=lambda c, e: c["n"] < 21), resume=ckpt)  # a constant
    same = explore(_counter(guard=lambda c, e: c["n"] < 20), resume=ckpt)
    assert same.complete and same.stats.distinct_states == explore(_counter(guard=lambda c, e: c["n"] < 20)).stats.distinct_states == 21
    closed = _stopped(tmp_path, _counter(guard=_guard(20)))
    with pytest.raises(CheckpointError, match="written for another model"):
        explore(_counter(guard=_guard(5)), resume=closed)
    assert explore(_counter(guard=_guard(20)), resume=closed).stats.distinct_states == 21


def test_a_changed_python_action_or_property_is_refused(tmp_path: Path) -> None:
    def bump(c: Any, e: Any) -> dict[str, int]:
        return {"n": c["n"] + 1}

    def bump2(c: Any, e: Any) -> dict[str, int]:
        return {"n": c["n"] + 2}

    ckpt = _stopped(tmp_path, _counter(action=python(bump, label="bump", writes=["n"]), prop=lambda v: v.actor("c").ctx["n"] < 100))
    with pytest.raises(CheckpointError, match="written for another model"):
        explore(_counter(action=python(bump2, label="bump", writes=["n"]), prop=lambda v: v.actor("c").ctx["n"] < 100), resume=ckpt)
    with pytest.raises(CheckpointError, match="written for another model"):
        explore(_counter(action=python(bump, label="bump", writes=["n"]), prop=lambda v: v.actor("c").ctx["n"] < 3), resume=ckpt)


def test_what_cannot_be_fingerprinted_refuses_to_resume_saying_why(tmp_path: Path) -> None:
    class Limit:
        def __init__(self, n: int) -> None:
            self.n = n

    limit = Limit(20)
    system = _counter(guard=lambda c, e: c["n"] < limit.n)
    ckpt = _stopped(tmp_path, system)
    with pytest.raises(CheckpointError, match=r"cannot be resumed safely.*Limit"):
        explore(system, resume=ckpt)


def _edit(src: Path, dst: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    data = json.loads(gzip.decompress(src.read_bytes()))
    change(data)
    dst.write_bytes(gzip.compress(json.dumps(data).encode()))
    return dst


def _pack(typecode: str, values: list[int]) -> str:
    import base64
    from array import array

    return typecode + base64.b64encode(array(typecode, values).tobytes()).decode()


def _unpack(text: str) -> list[int]:
    import base64
    from array import array

    a = array(text[0])
    a.frombytes(base64.b64decode(text[1:]))
    return list(a)


def test_an_inconsistent_checkpoint_is_refused_naming_what_is_wrong(tmp_path: Path) -> None:
    ckpt = tmp_path / "tp.ckpt"
    explore(two_phase.system(4), max_states=500, checkpoint=ckpt)
    assert explore(two_phase.system(4), resume=ckpt).stats.distinct_states == 1568

    def no_seen(d: dict[str, Any]) -> None:
        d["seen"] = _pack("q", [])

    def short_parents(d: dict[str, Any]) -> None:
        d["parents"] = _pack("i", _unpack(d["parents"])[:-1])

    def parent_out_of_range(d: dict[str, Any]) -> None:
        p = _unpack(d["parents"])
        p[7] = 10_000
        d["parents"] = _pack("i", p)

    def frontier_out_of_range(d: dict[str, Any]) -> None:
        d["current_index"] = _pack("q", [99_999] * len(_unpack(d["current_index"])))

    def frontier_count(d: dict[str, Any]) -> None:
        d["current"] = d["current"][:-1]

    def found_out_of_range(d: dict[str, Any]) -> None:
        d["found"] = {"TCConsistent": 123_456}

    def missing_key(d: dict[str, Any]) -> None:
        del d["seen"]

    cases = {
        "no_seen": (no_seen, "500 states but 0 fingerprints"),
        "short_parents": (short_parents, "parent links"),
        "parent_out_of_range": (parent_out_of_range, "parent link of state 7"),
        "frontier_out_of_range": (frontier_out_of_range, "frontier names state 99999"),
        "frontier_count": (frontier_count, "states but"),
        "found_out_of_range": (found_out_of_range, "state 123456"),
        "missing_key": (missing_key, "'seen'"),
    }
    for name, (change, message) in cases.items():
        edited = _edit(ckpt, tmp_path / f"{name}.ckpt", change)
        with pytest.raises(CheckpointError, match=message):
            explore(two_phase.system(4), resume=edited)


def test_an_unwritable_checkpoint_path_is_refused_before_exploring(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CheckpointError, match="is not a writable directory"):
        explore(_counter(), checkpoint=blocker / "run.ckpt")
    with pytest.raises(CheckpointError, match="it is a directory"):
        explore(_counter(), checkpoint=tmp_path)
