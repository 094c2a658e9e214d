"""simulate.testing.assert_holds, and the Jupyter SVG representations of charts and systems."""

from __future__ import annotations

import shutil

import pytest

from examples import die_hard
from simulate import Result, explore
from simulate.testing import assert_holds

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' binary not installed")


@pytest.fixture(scope="module")
def result() -> Result:
    return explore(die_hard.system())


def test_passes_for_properties_that_hold(result: Result) -> None:
    assert_holds(result, "Solvable")  # a reached goal counts as holding


def test_message_is_the_readable_trace(result: Result) -> None:
    with pytest.raises(AssertionError) as info:
        assert_holds(result, "Solvable", "NotSolved")
    message = str(info.value)
    trace = result.verdict("NotSolved").trace
    assert trace is not None
    assert message.startswith("DieHard: invariant 'NotSolved' violated: the invariant is false in the last state\n")
    assert message.endswith(trace.format())
    assert "6. jugs: stimulus big_to_small from env" in message


def test_no_names_means_every_property(result: Result) -> None:
    with pytest.raises(AssertionError, match="NotSolved"):
        assert_holds(result)


def test_unknown_name_lists_the_properties(result: Result) -> None:
    with pytest.raises(AssertionError, match=r"no property 'Nope' in DieHard; its properties: 'NotSolved', 'Solvable'"):
        assert_holds(result, "Nope")


def test_incomplete_exploration_fails() -> None:
    system = die_hard.system()
    system.properties = [p for p in system.properties if p.name == "Solvable"]
    partial = explore(system, max_states=3)
    with pytest.raises(AssertionError, match="incomplete"):
        assert_holds(partial)
    with pytest.raises(AssertionError, match="incomplete"):
        assert_holds(partial, "Solvable")


def test_pytest_hides_the_helper_frame(result: Result) -> None:
    with pytest.raises(AssertionError) as info:
        assert_holds(result, "NotSolved")
    assert info.traceback[-1].frame.f_locals.get("__tracebackhide__") is True


# --------------------------------------------------------------------------- Jupyter


@needs_dot
def test_chart_repr_svg() -> None:
    svg = die_hard.jugs_chart()._repr_svg_()
    assert svg is not None and "<svg" in svg and "pouring" in svg


@needs_dot
def test_system_repr_svg() -> None:
    svg = die_hard.system()._repr_svg_()
    assert svg is not None and "<svg" in svg and "jugs" in svg


def test_repr_svg_without_graphviz_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    import exporters.graphviz.rendering

    monkeypatch.setattr(exporters.graphviz.rendering.shutil, "which", lambda name: None)
    assert die_hard.jugs_chart()._repr_svg_() is None
    assert die_hard.system()._repr_svg_() is None
