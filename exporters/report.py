"""A self-contained HTML report of an exploration: verdicts, statistics, one trace viewer, the system.

``write_report(result, system, directory)`` writes ``directory/index.html``: one file, no
network (inline CSS, JS and SVG). It shows the verdicts, the statistics, one trace viewer
(a selector of the counterexamples and witnesses; a slider and previous/next buttons move
along the chosen trace, filling the active states of each actor's chart, drawing the
transitions it took in bold, and highlighting the step in its sequence chart), the system
diagram and the transitions never taken. Each actor's chart is drawn once, at its own size,
with zoom buttons; every inlined SVG has its ids prefixed, so ids are unique in the page.

The drawing of each transition (an edge, or the state that lists a targetless one) carries
a ``tr<index>`` class so that the page can mark taken transitions, and states are found by
their DOT names (``s<index>``, ``cluster_<index>``). The page honours ``#step=N`` (the first
trace) and ``#trace=ID&step=N`` fragments. Without the Graphviz binary the report still
renders, with a note, the sequence charts (drawn without Graphviz) and each actor's state as text.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from simulate.result import Result, Step, Trace, Verdict
from simulate.system import System
from simulate.tables import VERDICT_COLUMNS, change_lines, step_what, verdict_rows
from statecharts.chart import Chart, StateNode
from statecharts.values import short_value

from ._report_assets import CSS, JS
from .graphviz import GraphvizNotInstalled, chart_dot, system_svg, trace_svg
from .graphviz.rendering import _svg

__all__ = ["CSS", "JS", "prefix_ids", "report_html", "write_report"]

MAX_CHART_STATES = 400
"""Charts with more states than this are not drawn (the page would be unreadable)."""


# --------------------------------------------------------------------------- diagrams


def _clean_svg(svg: str) -> str:
    """Graphviz SVG without the XML prolog, doctype and comments, ready to inline in HTML."""
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    return re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)


def chart_svg_with_classes(chart: Chart) -> str:
    """The chart's SVG in which the drawing of each transition carries the class ``tr<index>`` (needs Graphviz).

    Which DOT lines draw a transition is learnt from ``chart_dot`` itself: the lines that
    change when it is drawn as taken (its edges, or the state that lists it when it is
    targetless). So the classes follow the diagram however it lays transitions out.
    """
    dot = chart_dot(chart)
    base = list(dot.body)
    classes: dict[int, list[str]] = {}
    for t in chart.transitions:
        marked = chart_dot(chart, taken=[t.index]).body
        if len(marked) != len(base):
            continue  # not line-for-line comparable: leave this transition unmarked
        for i, (a, b) in enumerate(zip(base, marked)):
            if a != b:
                classes.setdefault(i, []).append(f"tr{t.index}")
    for i, names in classes.items():
        line = base[i].rstrip("\n")
        attrs = f'class="tr {" ".join(names)}"'
        if line.endswith("]"):  # a node or an edge statement
            dot.body[i] = line[:-1] + f" {attrs}]\n"
        elif "=" in line and "->" not in line and "{" not in line:  # a cluster's attribute statement
            dot.body[i] = f"{line} {attrs}\n"
    return _clean_svg(_svg(dot))


def prefix_ids(svg: str, prefix: str) -> str:
    """The SVG with every ``id`` (and each reference to one) prefixed, so that several SVGs inlined in one page keep ids unique."""
    ids = set(re.findall(r'(?<=\s)id="([^"]+)"', svg))
    svg = re.sub(r'(?<=\s)id="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    return re.sub(r'(href="#|url\(#)([^")]+)', lambda m: m.group(1) + prefix + m.group(2) if m.group(2) in ids else m.group(0), svg)


def _state_titles(chart: Chart, leaves: list[str]) -> list[str]:
    """The SVG ``<title>`` of each drawn element that is active when these leaves are (leaves and their ancestors)."""
    titles: list[str] = []
    seen: set[str] = set()
    for leaf in leaves:
        node: StateNode | None = chart.states.get(leaf)
        while node is not None and node.kind != "root":
            if node.id in seen:
                break
            seen.add(node.id)
            if node.kind in ("compound", "parallel"):
                titles.append(f"cluster_{node.index}")
            else:
                titles.append(f"s{node.index}")
                if node.parent is not None and node.parent.kind == "parallel":
                    titles.append(f"cluster_r{node.index}")
            node = node.parent
    return titles


def _annotate_msc(svg: str) -> str:
    """Mark each numbered arrow label of a sequence chart (its background and text) with ``data-step``."""
    pattern = re.compile(r"(<rect )([^>]*/>\n<text )([^>]*>(?:⧉ )?(\d+)\. )")

    def add(m: re.Match[str]) -> str:
        step = m.group(4)
        return f'{m.group(1)}class="msc-hl" data-step="{step}" {m.group(2)}class="msc-label" data-step="{step}" {m.group(3)}'

    return pattern.sub(add, svg)


# --------------------------------------------------------------------------- trace data


def _instances(system: System | None, trace: Trace) -> list[tuple[str, Chart | None]]:
    """Actor instance names (in declaration order) with their charts; names only from the trace when no system."""
    if system is not None:
        return [(name, a.chart) for a in system.actors for name in a.instance_names()]
    names: list[str] = []
    for s in trace.steps:
        for c in s.changes:
            if c.actor not in names:
                names.append(c.actor)
    return [(n, None) for n in names]


def _taken_classes(chart: Chart | None, labels: list[str]) -> list[str]:
    if chart is None or not labels:
        return []
    out: list[str] = []
    for t in chart.transitions:
        if t.describe() in labels:
            out.append(f"tr{t.index}")
    return out


def _what(step: Step) -> str:
    return "initial state" if step.kind == "init" else f"{step.actor}: {step_what(step)}"


def trace_data(trace: Trace, system: System | None) -> dict[str, Any]:
    """Per step: what happened, and each actor's leaves, active SVG elements, context and taken transitions."""
    instances = _instances(system, trace)
    charts = dict(instances)
    leaves: dict[str, list[str]] = {name: [] for name, _ in instances}
    context: dict[str, dict[str, Any]] = {name: {} for name, _ in instances}
    steps = []
    for s in trace.steps:
        changed = []
        for c in s.changes:
            leaves.setdefault(c.actor, [])
            context.setdefault(c.actor, {})
            leaves[c.actor] = list(c.after)
            for k, (_, b) in c.context.items():
                context[c.actor][k] = b
            changed.append(c.actor)
        states = {}
        for name in leaves:
            chart = charts.get(name)
            states[name] = {
                "leaves": leaves[name],
                "titles": _state_titles(chart, leaves[name]) if chart is not None else [],
                "context": [[k, short_value(v, 80)] for k, v in context[name].items()],
            }
        steps.append(
            {
                "index": s.index,
                "kind": s.kind,
                "actor": s.actor,
                "what": _what(s),
                "changes": change_lines(s, limit=60),
                "in_flight": list(s.in_flight),
                "changed": changed,
                "taken": _taken_classes(charts.get(s.actor), list(s.transitions)),
                "states": states,
            }
        )
    return {"loop_start": trace.loop_start, "steps": steps}


# --------------------------------------------------------------------------- the page


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "trace"


STATUS_CLASS = {"holds": "good", "reached": "good", "violated": "bad", "unreached": "bad", "incomplete": "warn", "not checked": "warn"}


def _unique_charts(system: System | None) -> list[Chart]:
    charts: list[Chart] = []
    if system is not None:
        for a in system.actors:
            if all(a.chart is not c for c in charts):
                charts.append(a.chart)
    return charts


def report_html(result: Result, system: System | None = None, *, title: str | None = None) -> str:
    """The report as one HTML document (no external resources)."""
    if system is None and result.model is not None:
        system = getattr(result.model, "system", None)
    charts = _unique_charts(system)
    chart_index = {id(c): k for k, c in enumerate(charts)}
    notes: list[str] = []

    # diagrams (Graphviz): the system and each chart
    system_diagram = ""
    chart_diagrams: dict[int, str] = {}
    graphviz_ok = True
    try:
        if system is not None:
            system_diagram = _clean_svg(system_svg(system))
        for k, c in enumerate(charts):
            if len(c.states) <= MAX_CHART_STATES:
                chart_diagrams[k] = chart_svg_with_classes(c)
    except GraphvizNotInstalled as e:
        graphviz_ok = False
        chart_diagrams = {}
        system_diagram = ""
        notes.append(f"Diagrams of the system and its charts are missing: {e}")

    traced = [(k, v) for k, v in enumerate(result.verdicts) if v.trace is not None]
    trace_ids: dict[int, str] = {}
    used: set[str] = set()
    for k, v in traced:
        tid = _slug(v.name)
        while tid in used:
            tid += "-x"
        used.add(tid)
        trace_ids[k] = tid

    actors: list[dict[str, Any]] = []
    if system is not None:
        for a in system.actors:
            for name in a.instance_names():
                actors.append({"name": name, "chart": chart_index[id(a.chart)], "chart_name": a.chart.name})
    data = {
        "system": result.system,
        "actors": actors,
        "graphviz": graphviz_ok,
        "traces": {trace_ids[k]: {"name": v.name, "kind": v.kind, "status": v.status, **trace_data(v.trace, system)} for k, v in traced if v.trace is not None},
        "order": [trace_ids[k] for k, _ in traced],
    }

    page_title = title or f"{result.system}: statecharts report"
    s = result.stats
    status_class = {"ok": "good", "violated": "bad", "incomplete": "warn"}[result.status]
    out: list[str] = []
    w = out.append
    w("<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n")
    w("<meta name='viewport' content='width=device-width, initial-scale=1'>\n")
    w(f"<title>{_e(page_title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n")
    w(f"<header><h1>{_e(result.system)}</h1><span class='badge {status_class}' id='overall'>{_e(result.status)}</span></header>\n")
    if system is not None and system.doc:
        w(f"<p class='doc'>{_e(system.doc)}</p>\n")
    for n in notes:
        w(f"<p class='note'>{_e(n)}</p>\n")
    # how the result was reached, where that matters to reading it (a reduced run: a trace may not be the shortest)
    for n in result.notes:
        w(f"<p class='note result-note'>{_e(n)}</p>\n")
    # statistics
    w("<section id='stats'><h2>Statistics</h2><dl class='stats'>")
    for label, value in (
        ("distinct states", f"{s.distinct_states:,}"),
        ("states generated", f"{s.states_generated:,}"),
        ("depth", f"{s.max_depth}"),
        ("time", f"{s.seconds:.2f} s"),
        ("states/s", f"{s.states_per_second:,.0f}"),
        ("mode", result.mode),
        ("complete", "yes" if result.complete else f"no: {result.limit}"),
    ):
        w(f"<div><dt>{_e(label)}</dt><dd>{_e(value)}</dd></div>")
    w("</dl></section>\n")
    # verdicts
    w(
        "<section id='verdicts'><h2>Verdicts</h2><table class='verdicts'><thead><tr>"
        + "".join(f"<th>{c}</th>" for c in VERDICT_COLUMNS)
        + "</tr></thead><tbody>\n"
    )
    for k, r in enumerate(verdict_rows(result)):
        cls = STATUS_CLASS.get(r.status, "warn")
        link = f"<a href='#trace={trace_ids[k]}&amp;step=0'>{r.trace}</a>" if r.steps is not None else ""
        w(
            f"<tr class='{cls}'><td>{_e(r.name)}</td><td>{_e(r.kind)}</td><td><span class='badge {cls}'>{_e(r.status)}</span></td>"
            f"<td>{link}</td><td>{_e(r.note)}</td></tr>\n"
        )
    w("</tbody></table></section>\n")
    # one trace viewer (a selector of traces), each actor's chart once; then the system
    cards = _actor_cards(system, charts, chart_diagrams, graphviz_ok)
    if traced:
        w(_viewer(traced, trace_ids, result, cards))
    elif cards:
        w(f"<section id='charts'><h2>Charts</h2><div class='actors'>{cards}</div></section>\n")
    w("<section id='system'><h2>System</h2>")
    if system_diagram:
        w(f"<div class='zoombox'><div class='bar'>{_ZOOM}</div><div class='fit diagram'>{prefix_ids(system_diagram, 'sys-')}</div></div>")
    else:
        w("<p class='note'>No system diagram (Graphviz's <code>dot</code> is needed).</p>")
    w("</section>\n")
    # coverage
    never = {k: v for k, v in result.coverage.items() if v}
    w("<section id='coverage'><h2>Coverage</h2>")
    if never and not result.complete:
        w(f"<p>Transitions not taken so far (a partial list: exploration was incomplete, {_e(result.limit or 'stopped early')}):</p><ul>")
    elif never:
        w("<p>Transitions never taken in the explored state space:</p><ul>")
        for chart_name, labels in never.items():
            for label in labels:
                w(f"<li><b>{_e(chart_name)}</b>: <code>{_e(label)}</code></li>")
        w("</ul>")
    else:
        w("<p>Every transition was taken at least once.</p>")
    w("</section>\n")
    # no <, > or & in the embedded JSON: no model string can open a comment or close the script element
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    w(f"<script type='application/json' id='report-data'>{payload}</script>\n<script>{JS}</script>\n</body>\n</html>\n")
    return "".join(out)


_ZOOM = (
    "<span class='zoom'><button type='button' data-zoom='-1' title='smaller (or Ctrl + wheel)'>−</button>"
    "<button type='button' data-zoom='0' title='natural size'>1:1</button>"
    "<button type='button' data-zoom='1' title='larger (or Ctrl + wheel)'>+</button></span>"
)


def _actor_cards(system: System | None, charts: list[Chart], diagrams: dict[int, str], graphviz_ok: bool) -> str:
    """A card per actor instance: its chart at natural size (ids prefixed per card), zoom buttons, its state line."""
    if system is None:
        return ""
    out = []
    for n, a in enumerate(system.actors):
        k = next(i for i, c in enumerate(charts) if c is a.chart)
        svg = diagrams.get(k, "")
        for m, name in enumerate(a.instance_names()):
            if svg:
                body = f"<div class='fit'>{prefix_ids(svg, f'a{n}-{m}-')}</div>"
            else:
                why = "too many states to draw" if graphviz_ok else "Graphviz's dot is needed to draw it"
                body = f"<p class='note'>{_e(why)}; states: {_e(', '.join(a.chart.states))}</p>"
            out.append(
                f"<div class='actor' data-actor='{_e(name)}' data-chart='{k}'><h3>{_e(name)} <small>{_e(a.chart.name)}</small>{_ZOOM if svg else ''}</h3>"
                f"{body}<div class='state'></div></div>"
            )
    return "".join(out)


def _viewer(traced: list[tuple[int, Verdict]], trace_ids: dict[int, str], result: Result, cards: str) -> str:
    """The one trace viewer: a trace selector, the step controls, the sequence chart of the chosen trace, the actor cards."""
    options, infos, mscs, tables = [], [], [], []
    for k, v in traced:
        assert v.trace is not None
        tid = trace_ids[k]
        heading = "witness" if v.ok else "counterexample"
        options.append(f"<option value='{_e(tid)}'>{_e(v.name)} — {heading}, {len(v.trace)} steps</option>")
        loop = f" — a lasso: from step {v.trace.loop_start} it repeats forever" if v.trace.loop_start is not None else ""
        cls = STATUS_CLASS.get(v.status, "warn")
        infos.append(
            f"<p class='sub' data-for='{_e(tid)}' hidden>{heading.capitalize()}: {_e(v.kind)} <q>{_e(v.name)}</q> "
            f"<span class='badge {cls}'>{_e(v.status)}</span> {len(v.trace)} steps{_e(loop)}{(' · ' + _e(v.message)) if v.message else ''}</p>"
        )
        mscs.append(f"<div class='msc-one' data-for='{_e(tid)}' hidden>{_annotate_msc(prefix_ids(trace_svg(v, result), f't{k}-'))}</div>")
        rows = []
        for s in v.trace.steps:
            loop_mark = " loop" if v.trace.loop_start is not None and s.index >= v.trace.loop_start else ""
            changes = "<br>".join(_e(x) for x in change_lines(s, limit=60))
            rows.append(
                f"<tr data-step='{s.index}' class='step{loop_mark}'><td>{s.index}</td><td>{_e(s.actor)}</td>"
                f"<td>{_e(step_what(s))}</td><td>{changes}</td></tr>"
            )
        tables.append(
            f"<table class='steps' data-for='{_e(tid)}' hidden><thead><tr><th>#</th><th>actor</th><th>message / stimulus</th>"
            f"<th>state change</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
    first = traced[0][1].trace
    assert first is not None
    return (
        "<section id='traces'><h2>Traces</h2>"
        f"<div class='viewer' id='viewer' data-trace='{_e(trace_ids[traced[0][0]])}' data-step='0' tabindex='0'>"
        "<div class='controls'>"
        f"<select class='trace-select' aria-label='trace'>{''.join(options)}</select>"
        "<button type='button' class='first' title='first step'>◀◀</button>"
        "<button type='button' class='prev' title='previous step (←)'>◀ prev</button>"
        f"<input type='range' class='slider' min='0' max='{len(first)}' value='0' aria-label='step'>"
        "<button type='button' class='next' title='next step (→)'>next ▶</button>"
        "<button type='button' class='last' title='last step'>▶▶</button>"
        f"<span class='counter'>step <b class='cur'>0</b> of <span class='total'>{len(first)}</span></span>"
        "</div>"
        + "".join(infos)
        + "<div class='now'><div class='what'></div><div class='changes'></div></div>"
        "<div class='panes'>"
        f"<div class='pane msc'>{''.join(mscs)}</div>"
        f"<div class='actors'>{cards}</div>"
        "</div>"
        "<details class='steps'><summary>all steps</summary>" + "".join(tables) + "</details>"
        "</div></section>\n"
    )


def write_report(result: Result, system: System | None = None, directory: str | Path = "statecharts-report", *, title: str | None = None) -> Path:
    """Write ``directory/index.html`` (creating the directory) and return its path."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    path = d / "index.html"
    path.write_text(report_html(result, system, title=title), encoding="utf-8")
    return path
