"""What a step changed, for traces: shared by the explorer's traces and the conformance tracker's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from statecharts.values import Event

from .result import Change

if TYPE_CHECKING:
    from .model import Model, State


def changes_between(m: Model, prev: State | None, s: State) -> list[Change]:
    """Each instance whose chart state differs between two states (every instance for an initial state): its leaves and changed fields."""
    changes: list[Change] = []
    for i in range(m.n):
        before = m.chart_state(prev, i) if prev is not None else None
        after = m.chart_state(s, i)
        if before == after and prev is not None:
            continue
        chart = m.charts[i]
        ctx: dict[str, tuple[Any, Any]] = {}
        for f, fi in chart.engine.fields.items():
            a = before.context[fi] if before is not None else None
            if before is None or a != after.context[fi]:
                ctx[f] = (a, after.context[fi])
        changes.append(Change(m.names[i], chart.leaves(before) if before is not None else (), chart.leaves(after), ctx))
    return changes


def in_flight_text(m: Model, s: State) -> list[str]:
    """The messages in flight, as ``sender->receiver:event``."""
    return [f"{e.origin or '?'}->{m.names[d]}:{e.name}" for d, e in m.messages_of(s)]


def new_messages(m: Model, prev: State | None, s: State) -> list[tuple[int, Event]]:
    """The messages in flight in ``s`` that were not in ``prev`` (a multiset difference): (receiver index, event) each."""
    before: dict[int, int] = {}
    if prev is not None:
        for mid in m.message_ids(prev):
            before[mid] = before.get(mid, 0) + 1
    out = []
    for mid in m.message_ids(s):
        if before.get(mid, 0) > 0:
            before[mid] -= 1
            continue
        out.append(m.msg_values[mid])
    return out


def sent_between(m: Model, prev: State | None, s: State) -> list[tuple[str, str, str]]:
    """What a step sent, as (sender, receiver, event name) for a trace step."""
    return [(e.origin or "?", m.names[d], e.name) for d, e in new_messages(m, prev, s)]
