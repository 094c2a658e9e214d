"""The rows every front end shows, as plain text: one per verdict, and the lines of what a step changed.

The command line prints them as rich tables, the HTML report and the notebook as HTML; the
wording (the command line's) is decided here once.
"""

from __future__ import annotations

from typing import NamedTuple

from statecharts.values import short_value

from .result import Result, Step, Verdict

VERDICT_COLUMNS = ("property", "kind", "verdict", "trace", "note")
"""The verdict table's column headers, in order."""


class VerdictRow(NamedTuple):
    """One verdict as a table row: the property, its kind, the status, the trace's length (``6 steps``) and the note."""

    name: str
    kind: str
    status: str
    trace: str
    note: str
    steps: int | None
    """The trace's length in steps (None without a trace)."""
    verdict: Verdict


def verdict_rows(result: Result) -> list[VerdictRow]:
    """The verdict table's rows, in the order the properties were declared."""
    rows = []
    for v in result.verdicts:
        steps = len(v.trace) if v.trace is not None else None
        rows.append(VerdictRow(v.name, v.kind, v.status, f"{steps} steps" if steps is not None else "", v.message, steps, v))
    return rows


def step_what(step: Step) -> str:
    """What happened in a step, in words: ``deliver post(n=1) from connect``, ``stimulus fill_big``…"""
    if step.kind == "init":
        return "initial state"
    text = step.text
    if step.kind == "stimulus" and text.endswith(" from env"):
        text = text[: -len(" from env")]
    return f"{step.kind} {text}"


def change_lines(step: Step, limit: int = 30, initial_limit: int = 60) -> list[str]:
    """One line per actor that changed: ``gw: absent → awaiting; waiters: {} → {c1}`` (values cut at ``limit``)."""
    lines = []
    for c in step.changes:
        parts = []
        if step.kind == "init":
            parts.append(", ".join(c.after) or "-")
            parts.extend(f"{k} = {short_value(b, initial_limit)}" for k, (_, b) in c.context.items())
        else:
            if c.before != c.after:
                parts.append(f"{', '.join(c.before) or '-'} → {', '.join(c.after) or '-'}")
            parts.extend(f"{k}: {short_value(a, limit)} → {short_value(b, limit)}" for k, (a, b) in c.context.items())
        if parts:
            lines.append(f"{c.actor}: " + "; ".join(parts))
    return lines
