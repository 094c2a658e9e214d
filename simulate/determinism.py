"""Refuse Python callables whose results differ for the same inputs (issue 10, point 3).

The explorer memoizes each macrostep by (local state, event): a random or stateful guard or
action would make the state space, and so the verdicts, depend on luck. When a memo entry is
first made for a chart that calls Python, the macrostep is computed twice and compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from statecharts.actions import Action, PyAction, expressions, sub_actions
from statecharts.chart import Chart
from statecharts.engine import ChartState, StepResult
from statecharts.errors import ExecutionError, NondeterminismError
from statecharts.expr import Node, PyFunc, walk


def _labels_in_nodes(nodes: Iterable[Node]) -> list[str]:
    return [n.label for node in nodes for n in walk(node) if isinstance(n, PyFunc)]


def _labels_in_actions(actions: Sequence[Action]) -> list[str]:
    out: list[str] = []
    for a in actions:
        if isinstance(a, PyAction):
            out.append(a.label)
        out += _labels_in_nodes(expressions(a))
        out += _labels_in_actions(sub_actions(a))
    return out


def python_callables(chart: Chart) -> list[tuple[str, str]]:
    """Every Python callable of a chart as (label, where), in document order."""
    found: list[tuple[str, str]] = []
    for t in chart.transitions:
        where = f"transition {t.describe()}"
        if t.guard is not None:
            found += [(label, f"guard of {where}") for label in _labels_in_nodes([t.guard])]
        found += [(label, f"action of {where}") for label in _labels_in_actions(t.actions)]
    for s in chart.states.values():
        blocks: list[tuple[str, Sequence[Action]]] = [("entry", s.entry), ("exit", s.exit)]
        if s.initial is not None:
            blocks.append(("initial", s.initial.actions))
        for kind, acts in blocks:
            found += [(label, f"{kind} action of state {s.id!r}") for label in _labels_in_actions(acts)]
    return found


def check_deterministic(chart: Chart, state: ChartState | None, event: Any, first: list[StepResult], again: list[StepResult]) -> None:
    """Raise NondeterminismError, naming the chart's Python callables, when two computations of one macrostep differ.

    A result that cannot be hashed (a Python action returned an object without a value's equality) is reported as
    such first: it would also compare unequal to itself and look like nondeterminism.
    """
    callables = python_callables(chart)
    for r in first:
        try:
            hash(r.state)
            hash(r.outputs)
        except TypeError as e:
            names = "; ".join(f"{label!r} ({where})" for label, where in callables) or "none found"
            raise ExecutionError(
                f"chart {chart.name!r}: Python callable {names}",
                chart.configuration(r.state) if state is None else chart.configuration(state),
                TypeError(f"it returned a value that cannot be stored ({e}): return ints, strings, booleans, None, tuples, frozensets or maps"),
            ) from None
    if first == again:
        return
    names = "; ".join(f"{label!r} ({where})" for label, where in callables) or "none found"
    what = "starting the chart" if state is None else f"event {getattr(event, 'name', event)!r} in {', '.join(chart.configuration(state)) or '-'}"
    taken = sorted({tuple(r.taken) for r in first} ^ {tuple(r.taken) for r in again})
    diff = "different transitions were taken" if taken else "the same transitions gave different states or outputs"
    raise NondeterminismError(
        f"chart {chart.name!r}: a Python callable ({names})",
        f"computing the macrostep of {what} twice gave different results ({diff})",
    )
