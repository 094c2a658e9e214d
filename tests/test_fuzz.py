"""Fuzz test: random inputs, valid and invalid, never crash the tool with a raw error and never hang.

One test per input family (charts from the Python API, SCXML documents, pytransitions
definitions, systems, exporters with odd names), so a family that still fails is visible
on its own. Each input runs in a forked child (``fuzz_harness.run_isolated``) through the
loader, the interpreter, DOT / Mermaid / TLA+ and a bounded exploration; the only
acceptable failures are the project's documented error types (``ALLOWED_ERRORS``), and a
child over the time budget is a hang. CI runs a few dozen derandomised examples per
family; ``HYPOTHESIS_PROFILE=long`` (or ``python tests/fuzz_long.py --minutes 30``, which
prints counts) runs many more.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from fuzz_harness import ALLOWED_ERRORS, Outcome, run_isolated
from fuzz_strategies import chart_events, chart_sources, explore_options, exporter_options, scxml_documents, system_sources, transitions_definitions
from hypothesis import Phase, given, settings

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0")) or (settings.default.max_examples if LONG else 40)

# The per-example watchdog is the time budget (hypothesis's deadline cannot interrupt a stall).
# CI reports a failing input as generated (readable source); FUZZ_SHRINK=1 shrinks it first.
_PHASES = tuple(Phase) if LONG or os.environ.get("FUZZ_SHRINK") else (Phase.explicit, Phase.reuse, Phase.generate)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, phases=_PHASES)

_FAILURE_TYPES: dict[str, type[AssertionError]] = {}

def _check(outcome: Outcome, example: Any) -> None:
    """Fail with a type per distinct failure, so hypothesis shrinks each bug separately."""
    if outcome.kind in ("ok", "error"):
        return
    key = outcome.key
    cls = _FAILURE_TYPES.setdefault(key, type(f"Fuzz_{outcome.kind}_{outcome.type}", (AssertionError,), {}))
    raise cls(f"{outcome.kind}: {outcome.type} at {outcome.where} on input:\n{example!r}\n{outcome.detail}")


def test_the_allowed_errors_are_the_projects_own() -> None:
    """The project's errors share one root, and the fuzz oracle allows that root and nothing else."""
    from exporters.graphviz import GraphTooLarge, GraphvizNotInstalled
    from exporters.tla import TlaUnsupported
    from exporters.tlc import TlcError
    from simulate.checkpoint import CheckpointError
    from statecharts.errors import StatechartError

    assert ALLOWED_ERRORS == (StatechartError,)
    assert all(issubclass(cls, StatechartError) for cls in (GraphTooLarge, GraphvizNotInstalled, TlaUnsupported, TlcError, CheckpointError))


def test_the_watchdog_reports_a_crash_a_hang_and_an_allowed_error() -> None:
    """The harness itself: the oracle must be able to fail."""
    assert run_isolated("chart", "chart = Chart('c', State('a'))\n", []).kind == "ok"
    assert run_isolated("chart", "raise KeyError('x')\n", []).kind == "crash"
    assert run_isolated("chart", "chart = Chart('c', State('a', transitions=[Transition('zz')]))\n", []).kind == "error"
    assert run_isolated("chart", "while True: pass\n", [], budget=1.0).kind == "hang"
    assert run_isolated("chart", "x = pow(7, 30000000)\n", [], budget=1.0).kind == "hang"  # a stall inside one C call


@FUZZ
@given(source=chart_sources(), events=chart_events())
def test_fuzz_python_api_charts(source: str, events: list[str]) -> None:
    _check(run_isolated("chart", source, events), (source, events))


@FUZZ
@given(document=scxml_documents(), events=chart_events())
def test_fuzz_scxml_documents(document: str, events: list[str]) -> None:
    _check(run_isolated("scxml", document, events), (document, events))


@FUZZ
@given(definition=transitions_definitions(), events=chart_events())
def test_fuzz_pytransitions_definitions(definition: str, events: list[str]) -> None:
    _check(run_isolated("pytransitions", definition, events), (definition, events))


@FUZZ
@given(source=system_sources(), options=explore_options())
def test_fuzz_systems(source: str, options: dict[str, Any]) -> None:
    _check(run_isolated("system", source, options), (source, options))


@FUZZ
@given(source=chart_sources(odd_ids=True, allow_bad=False), options=exporter_options())
def test_fuzz_exporters(source: str, options: tuple[Any, Any, str, Any]) -> None:
    _check(run_isolated("exporters", source, *options), (source, options))


if not hasattr(os, "fork"):  # pragma: no cover
    pytestmark = pytest.mark.skip(reason="the fuzz harness isolates each example in a forked child (POSIX only)")
