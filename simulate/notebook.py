"""HTML for notebooks: a Result as its verdict table, a Trace as its step table and sequence chart.

Jupyter calls ``_repr_html_`` on the last value of a cell; Result and Trace delegate here.
Every string from the model (names, states, events, values) is escaped. The sequence chart
comes from the drawer the exporters register in :mod:`statecharts.preview` (simulate does not
import them), and is left out when none is registered.
"""

from __future__ import annotations

import html
import itertools
import re
from typing import TYPE_CHECKING, Any

from .tables import VERDICT_COLUMNS, change_lines, verdict_rows

if TYPE_CHECKING:
    from .result import Result, Trace, Verdict

_STYLE = {
    "holds": ("✓", "#2e7d32"),
    "reached": ("✓", "#2e7d32"),
    "violated": ("✗", "#c62828"),
    "unreached": ("✗", "#c62828"),
    "incomplete": ("?", "#b26a00"),
    "not checked": ("·", "#666666"),
}
_TABLE = "border-collapse:collapse;font-size:13px;margin:4px 0"
_CELL = "padding:2px 10px;text-align:left;vertical-align:top;border-bottom:1px solid #ddd"


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _row(cells: list[str], header: bool = False) -> str:
    tag = "th" if header else "td"
    return "<tr>" + "".join(f"<{tag} style='{_CELL}'>{c}</{tag}>" for c in cells) + "</tr>"


def _status(status: str) -> str:
    mark, color = _STYLE.get(status, ("?", "#333333"))
    return f"<span style='color:{color};font-weight:bold'>{mark} {_e(status)}</span>"


def stats_line(result: Result) -> str:
    """The statistics in one line of text (not escaped)."""
    s = result.stats
    return (
        f"{s.distinct_states:,} distinct states, {s.states_generated:,} generated, depth {s.max_depth}, "
        f"{s.seconds:.2f}s ({s.states_per_second:,.0f} states/s), {result.mode}"
    )


def result_html(result: Result) -> str:
    """The verdict table (property, kind, verdict, trace length, note), the statistics, and each trace to open in place."""
    head = f"<div><b>{_e(result.system)}</b>: {_status(result.status)} <span style='color:#555'>— {_e(stats_line(result))}</span></div>"
    if not result.complete:
        head += f"<div style='color:#b26a00'>incomplete: {_e(result.limit)}</div>"
    rows = [_row(list(VERDICT_COLUMNS), header=True)]
    for r in verdict_rows(result):
        rows.append(_row([_e(r.name), _e(r.kind), _status(r.status), _e(r.trace), _e(r.note)]))
    table = f"<table style='{_TABLE}'>{''.join(rows)}</table>"
    traces = []
    for v in result.verdicts:
        if v.trace is None:
            continue
        what = {"violated": "counterexample to", "reached": "witness for"}.get(v.status, "trace of")
        summary = f"{what} {v.kind} {v.name!r}: {len(v.trace)} steps"
        traces.append(f"<details><summary>{_e(summary)}</summary>{trace_html(v.trace, result, v)}</details>")
    never = {k: labels for k, labels in result.coverage.items() if labels}
    coverage = ""
    if never:
        count = sum(len(x) for x in never.values())
        title = f"{count} transition(s) never taken" if result.complete else f"{count} transition(s) not taken so far (partial: exploration was incomplete)"
        items = "".join(f"<li>{_e(chart)}: {_e(label)}</li>" for chart, labels in never.items() for label in labels)
        coverage = f"<details><summary>{_e(title)}</summary><ul style='margin:2px 0'>{items}</ul></details>"
    return f"<div class='statecharts-result'>{head}{table}{''.join(traces)}{coverage}</div>"


def trace_html(trace: Trace, source: Any = None, verdict: Verdict | None = None) -> str:
    """The step table (step, actor, what happened, changes, in flight) and the sequence chart as inline SVG."""
    rows = [_row(["#", "actor", "step", "changes", "in flight"], header=True)]
    for s in trace.steps:
        what = "initial state" if s.kind == "init" else f"{s.kind} {s.text}"
        if trace.loop_start is not None and s.index == trace.loop_start:
            what += "  ↻ loop starts here"
        rows.append(_row([str(s.index), _e(s.actor), _e(what), "<br>".join(_e(x) for x in change_lines(s)), _e(", ".join(s.in_flight))]))
    end = ""
    if trace.loop_start is not None:
        end = f"<div style='color:#ef6c00'>… and back to step {trace.loop_start}, forever</div>"
    table = f"<table style='{_TABLE}'>{''.join(rows)}</table>{end}"
    return f"<div class='statecharts-trace'>{table}{_sequence_chart(trace, source, verdict)}</div>"


def _sequence_chart(trace: Trace, source: Any, verdict: Verdict | None) -> str:
    from statecharts.preview import drawer

    trace_svg = drawer("trace")
    if trace_svg is None:  # no drawing layer installed: the table alone
        return ""
    svg = trace_svg(trace, source, verdict=verdict)
    return f"<div style='overflow-x:auto;margin-top:6px'>{_unique_ids(svg[svg.index('<svg') :])}</div>"


_drawn = itertools.count(1)


def _unique_ids(svg: str) -> str:
    """Give the SVG's ids a prefix of their own: a notebook shows many charts in one page, and a marker
    id defined first inside a closed ``<details>`` would leave every later chart's arrows without heads."""
    prefix = f"sc{next(_drawn)}-"
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    if not ids:
        return svg
    pattern = re.compile(r'(\bid="|url\(#|href="#)(' + "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)) + r')(?=[")])')
    return pattern.sub(lambda m: m.group(1) + prefix + m.group(2), svg)


def result_repr(result: Result) -> str:
    """``<Result DieHard: violated, bfs, 16 distinct states; NotSolved violated (6 steps), ...>``."""
    parts = [f"{r.name} {r.status}" + (f" ({r.trace})" if r.trace else "") for r in verdict_rows(result)]
    shown = ", ".join(parts[:4]) + (f", … {len(parts) - 4} more" if len(parts) > 4 else "")
    return f"<Result {result.system}: {result.status}, {result.mode}, {result.stats.distinct_states:,} distinct states; {shown}>"


def trace_repr(trace: Trace) -> str:
    """``<Trace of 6 steps: fill_big, big_to_small, ...>`` (a lasso says where its loop starts)."""
    events = [s.event or s.kind for s in trace.steps if s.kind != "init"]
    shown = ", ".join(events[:5]) + (", …" if len(events) > 5 else "")
    loop = f", loop from step {trace.loop_start}" if trace.loop_start is not None else ""
    return f"<Trace of {len(trace)} steps{loop}: {shown}>"
