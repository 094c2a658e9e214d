"""Explanations for ``statecharts run``: why an event changed nothing, which of its data fields no one reads.

Both look at the chart as written (transitions, guards, actions) and, for a refusal, evaluate
each candidate guard in the current state, so the user sees which guard said no and on what.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from statecharts.actions import Action, PyAction, expressions, sub_actions
from statecharts.chart import Chart, Transition, match_descriptor
from statecharts.expr import Ctx, EventAttr, EventField, Node, PyFunc, to_source, walk
from statecharts.interpreter import Interpreter
from statecharts.values import Event, short_value


def _handles(t: Transition, name: str) -> bool:
    return bool(t.events) and any(match_descriptor(d, name) for d in t.events)


def _reads(node: Node, ctx: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    """The values a guard reads, ``n = 0, event.amount = 5``, to show why it was false."""
    seen: dict[str, str] = {}
    for n in walk(node):
        if isinstance(n, Ctx) and n.name in ctx:
            seen.setdefault(n.name, f"{n.name} = {short_value(ctx[n.name], 40)}")
        elif isinstance(n, EventField):
            value = short_value(data[n.name], 40) if n.name in data else "(not given)"
            seen.setdefault(f"event.{n.name}", f"event.{n.name} = {value}")
    return ", ".join(seen.values())


def refusal(chart: Chart, interp: Interpreter, name: str, data: Mapping[str, Any]) -> list[str]:
    """Why ``name`` (with ``data``) took no transition: one line per candidate transition and what refused it."""
    if interp.is_final:
        return ["the chart is in a final state: it takes no more events (:reset starts it again)"]
    active = set(interp.configuration)
    handlers = [t for t in chart.transitions if _handles(t, name)]
    if not handlers:
        return [f"the chart has no transition for {name!r} (:events lists its events)"]
    candidates = [t for t in handlers if t.source is not None and t.source.id in active]
    if not candidates:
        sources = sorted({t.source.id for t in handlers if t.source is not None})
        return [f"no active state handles {name!r}: it is handled in {', '.join(sources)}, and the chart is in {', '.join(interp.leaves) or '-'}"]
    state = interp.state
    event = Event.of(name, dict(data) or None)
    compiled = chart.engine.transitions
    ctx = interp.context
    lines = []
    for t in candidates:
        if t.guard is None:  # not taken although unguarded: a conflicting transition of an inner state won
            lines.append(f"{t.describe()} has no guard, but a transition of a descendant state took precedence")
            continue
        guard = compiled[t.index].guard
        assert guard is not None
        reads = _reads(t.guard, ctx, data)
        try:
            value = guard(state.context, event, state.config, {})
        except Exception as e:  # the interpreter reports the error itself when it runs the guard
            lines.append(f"guard [{to_source(t.guard, short=True)}] of {t.describe()} raised {type(e).__name__}: {e}")
            continue
        verdict = "is false" if not value else "is true (yet another transition was chosen)"
        lines.append(f"guard [{to_source(t.guard, short=True)}] of {t.describe()} {verdict}" + (f" ({reads})" if reads else ""))
    return lines


def _action_nodes(actions: Iterable[Action]) -> tuple[list[Node], bool]:
    """Every expression the actions (and their nested actions) evaluate; True when one is opaque Python."""
    nodes: list[Node] = []
    opaque = False
    stack = list(actions)
    while stack:
        a = stack.pop()
        if isinstance(a, PyAction):
            opaque = True
        nodes.extend(expressions(a))
        stack.extend(sub_actions(a))
    return nodes, opaque


def fields_read(chart: Chart, name: str) -> set[str] | None:
    """The event data fields the chart can read while handling ``name``; None when it cannot be told (Python code, ``event.data``).

    Conservative: every entry and exit action and every eventless transition counts, as they may run
    in the same macrostep and read the event.
    """
    nodes: list[Node] = []
    actions: list[Action] = []
    for t in chart.transitions:
        if _handles(t, name) or not t.events:
            if t.guard is not None:
                nodes.append(t.guard)
            actions.extend(t.actions)
    for s in chart.states.values():
        actions.extend(s.entry)
        actions.extend(s.exit)
    more, opaque = _action_nodes(actions)
    if opaque:
        return None
    used: set[str] = set()
    for node in nodes + more:
        for n in walk(node):
            if isinstance(n, EventField):
                used.add(n.name)
            elif isinstance(n, PyFunc) or (isinstance(n, EventAttr) and n.attr == "data"):
                return None
    return used


def unused_fields(chart: Chart, name: str, data: Mapping[str, Any]) -> tuple[list[str], set[str]]:
    """The fields of ``data`` that the chart never reads for ``name``, and those it does read."""
    used = fields_read(chart, name)
    if used is None:
        return [], set()
    return [k for k in data if k not in used], used
