"""Words for what the explorer found: how to fix a deadlock, how to tell transitions apart.

Kept apart from the search so that the explorer's messages can say *what to do* without the
search code growing: each function turns a finding into the text a user reads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from statecharts.actions import describe
from statecharts.chart import Chart, Transition
from statecharts.expr import to_source


def end_states_hint(stuck: Sequence[tuple[Any, Sequence[str]]]) -> str:
    """The ``Actor(..., end_states=[...])`` to write so that actors stuck in these states are at rest.

    ``stuck`` lists (the Actor declaration, the active leaves of one stuck instance); instances
    of one group are merged, and states already declared are kept first.
    """
    merged: dict[str, tuple[Any, list[str]]] = {}
    for actor, leaves in stuck:
        _, states = merged.setdefault(actor.name, (actor, list(actor.end_states)))
        states.extend(x for x in leaves if x not in states)
    parts = [f"Actor({name!r}, ..., end_states={states!r})" for name, (_, states) in merged.items()]
    return (
        "if the system may rightly stop there, declare those states as end states: "
        + " and ".join(parts)
        + "; otherwise, some step that should be possible there is missing"
    )


def _guard(t: Transition) -> str:
    return f" [{to_source(t.guard, short=True)}]" if t.guard is not None else ""


def _describe(t: Transition, guard: bool, actions: bool, number: bool) -> str:
    """``source --event [guard]--> target / actions (#n)``, with the distinguishing parts asked for."""
    src = t.source.id if t.source else "?"
    ev = " ".join(t.events) if t.events else "(eventless)"
    tgt = " ".join(t.targets) if t.targets else "(targetless)"
    text = f"{src} --{ev}{_guard(t) if guard else ''}--> {tgt}"
    if actions and t.actions:
        text += " / " + "; ".join(describe(a) for a in t.actions)
    if number:
        text += f" (transition #{t.index} of the chart)"
    return text


def transition_labels(chart: Chart, indices: Sequence[int]) -> list[str]:
    """Labels for these transitions of a chart that tell each apart from every other transition of it.

    The guard is always shown; the actions are added where the guards do not tell two transitions
    apart, and the transition's number where nothing else does.
    """
    base = [_describe(t, True, False, False) for t in chart.transitions]
    twins = Counter(base)
    fuller: dict[int, str] = {}
    for i, t in enumerate(chart.transitions):
        if twins[base[i]] > 1:
            fuller[i] = _describe(t, True, True, False)
    again = Counter(fuller.values())
    out = []
    for i in indices:
        if i not in fuller:
            out.append(base[i])
        elif again[fuller[i]] > 1:
            out.append(_describe(chart.transitions[i], True, True, True))
        else:
            out.append(fuller[i])
    return out
