"""The rows every front end shows (verdicts, what a step changed) and the one context-value formatter behind them."""

from __future__ import annotations

import pytest

from examples import die_hard
from simulate import Result, explore
from simulate.notebook import trace_html
from simulate.result import Change, Step, Trace
from simulate.tables import VERDICT_COLUMNS, change_lines, step_what, verdict_rows
from statecharts.values import FrozenMap, format_value, short_value


@pytest.fixture(scope="module")
def hard() -> Result:
    return explore(die_hard.system())


def _step(kind: str, changes: list[Change], text: str = "go from env") -> Step:
    return Step(0 if kind == "init" else 1, kind, "gw", "go", text, None, changes, [], [])


def test_format_value_is_readable_and_sorted() -> None:
    assert format_value(None) == "-"
    assert format_value(frozenset({"node[2]", "node[0]", "node[1]"})) == "{'node[0]', 'node[1]', 'node[2]'}"
    assert format_value(FrozenMap({"b": (1,), "a": frozenset()})) == "{'a': {}, 'b': (1,)}"
    assert format_value((1, "x")) == "(1, 'x')"
    assert format_value("x") == "'x'"


def test_short_value_cuts_long_text_with_an_ellipsis() -> None:
    assert short_value(tuple(range(30)), 10) == "(0, 1, 2,…"
    assert len(short_value("y" * 100)) == 60
    assert short_value("short", 10) == "'short'"


def test_verdict_rows_follow_the_verdicts_in_the_cli_wording(hard: Result) -> None:
    rows = verdict_rows(hard)
    assert VERDICT_COLUMNS == ("property", "kind", "verdict", "trace", "note")
    assert [(r.name, r.kind, r.status, r.note) for r in rows] == [(v.name, v.kind, v.status, v.message) for v in hard.verdicts]
    for row, v in zip(rows, hard.verdicts, strict=True):
        assert row.steps == (len(v.trace) if v.trace is not None else None)
        assert row.trace == (f"{row.steps} steps" if row.steps is not None else "")
        assert row.verdict is v


def test_change_lines_say_what_each_actor_changed() -> None:
    init = _step("init", [Change("gw", (), ("idle",), {"waiters": (None, frozenset({"c2", "c1"}))})])
    assert change_lines(init) == ["gw: idle; waiters = {'c1', 'c2'}"]
    step = _step("deliver", [Change("gw", ("idle",), ("busy",), {"n": (0, "z" * 40)}), Change("db", ("a",), ("a",), {})])
    assert change_lines(step) == [f"gw: idle → busy; n: 0 → '{'z' * 28}…"]
    assert change_lines(step, limit=60) == [f"gw: idle → busy; n: 0 → '{'z' * 40}'"]
    assert step_what(init) == "initial state"
    assert step_what(step) == "deliver go from env"
    assert step_what(_step("stimulus", [])) == "stimulus go"  # a stimulus always comes from the environment


def test_the_notebook_shows_a_set_in_order_whatever_the_hash_seed() -> None:
    """The notebook's step table used repr(): a set of strings came out in hash order (PYTHONHASHSEED-dependent)."""
    step = _step("deliver", [Change("gw", ("a",), ("a",), {"waiters": (frozenset(), frozenset({"node[1]", "node[0]"}))})])
    assert "gw: waiters: {} → {&#x27;node[0]&#x27;, &#x27;node[1]&#x27;}" in trace_html(Trace([step]))
