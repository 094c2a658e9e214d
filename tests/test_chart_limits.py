"""Issue 10, point 11 (engine side): malformed trees are refused when built with a ChartDefinitionError, never a raw Python error."""

from __future__ import annotations

import pytest

from statecharts import Chart, History, Interpreter, State
from statecharts.chart import MAX_DEPTH
from statecharts.errors import ChartDefinitionError
from statecharts.scxml import parse_scxml


def test_a_chart_whose_only_child_is_a_history() -> None:
    with pytest.raises(ChartDefinitionError, match="only history children"):
        Chart("c", History("h"))


@pytest.mark.parametrize(
    "histories, cycle",
    [
        ((History("h1", "h2"), History("h2", "h1")), "'h1' -> 'h2' -> 'h1'"),
        ((History("h1", "h1"),), "'h1' -> 'h1'"),
    ],
)
def test_a_history_default_cycle_is_refused_when_built(histories: tuple[History, ...], cycle: str) -> None:
    with pytest.raises(ChartDefinitionError, match="history defaults form a cycle") as err:
        Chart("c", State("p", State("a"), *histories), State("q", on={"back": "h1"}))
    assert cycle in str(err.value)


def test_a_history_default_naming_another_history_still_works() -> None:
    chart = Chart("c", State("p", State("a"), State("b"), History("h1", "h2"), History("h2", "b")), State("q", on={"back": "h1"}), initial="q")
    i = Interpreter(chart)
    i.send("back")
    assert i.leaves == ("b",)


def _nested(depth: int) -> State:
    s = State("leaf")
    for k in range(depth - 1):
        s = State(f"s{k}", s)
    return s


def test_deep_nesting_is_refused_with_a_named_error() -> None:
    with pytest.raises(ChartDefinitionError, match=f"nested more than {MAX_DEPTH} levels"):
        Chart("deep", _nested(1000))


def test_nesting_up_to_the_bound_runs() -> None:
    assert Interpreter(Chart("deep", _nested(MAX_DEPTH))).leaves == ("leaf",)


def test_deep_scxml_is_refused_with_a_named_error() -> None:
    depth = 150
    doc = (
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0">'
        + "".join(f'<state id="s{k}">' for k in range(depth))
        + "</state>" * depth
        + "</scxml>"
    )
    with pytest.raises(ChartDefinitionError, match="nested more than"):
        parse_scxml(doc)
