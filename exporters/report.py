"""A self-contained HTML report of an exploration: verdicts, statistics, diagrams, and step-through traces.

``write_report(result, system, directory)`` writes ``directory/index.html``: one file, no
network (inline CSS, JS and SVG). It shows the verdicts, the statistics, the system
diagram, each chart's diagram, the transitions never taken, and for every counterexample
or witness a step-through view: a slider and previous/next buttons move along the trace,
filling the active states of each actor's chart for that step, drawing the transitions it
took in bold, and highlighting the step in the message sequence chart.

Each chart is drawn once (Graphviz); the drawing of each transition (an edge, or the state
that lists a targetless one) carries a ``tr<index>`` class so that the page can mark taken
transitions, and states are found by their DOT names (``s<index>``, ``cluster_<index>``). The page honours ``#step=N`` and ``#trace=ID&step=N`` fragments.
Without the Graphviz binary the report still renders, with a note, the sequence charts
(drawn without Graphviz) and each actor's state as text.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from simulate.result import Result, Step, Trace, Verdict
from simulate.system import System
from statecharts.chart import Chart, StateNode

from ._msc import _fmt
from .graphviz import GraphvizNotInstalled, chart_dot, system_svg, trace_svg
from .graphviz.rendering import _svg

__all__ = ["report_html", "write_report"]

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
    if step.kind == "init":
        return "initial state"
    text = step.text
    if step.kind == "stimulus" and text.endswith(" from env"):
        text = text[: -len(" from env")]
    return f"{step.actor}: {step.kind} {text}"


def _change_lines(step: Step) -> list[str]:
    lines = []
    for c in step.changes:
        parts = []
        if step.kind == "init":
            parts.append(", ".join(c.after) or "-")
            parts.extend(f"{k} = {_short(b)}" for k, (_, b) in c.context.items())
        else:
            if c.before != c.after:
                parts.append(f"{', '.join(c.before) or '-'} → {', '.join(c.after) or '-'}")
            parts.extend(f"{k}: {_short(a)} → {_short(b)}" for k, (a, b) in c.context.items())
        if parts:
            lines.append(f"{c.actor}: " + "; ".join(parts))
    return lines


def _short(value: Any, limit: int = 60) -> str:
    text = _fmt(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
                "context": [[k, _short(v, 80)] for k, v in context[name].items()],
            }
        steps.append(
            {
                "index": s.index,
                "kind": s.kind,
                "actor": s.actor,
                "what": _what(s),
                "changes": _change_lines(s),
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
        "<th>property</th><th>kind</th><th>verdict</th><th>trace</th><th>note</th></tr></thead><tbody>\n"
    )
    for k, v in enumerate(result.verdicts):
        cls = STATUS_CLASS.get(v.status, "warn")
        link = f"<a href='#trace={trace_ids[k]}&amp;step=0'>{len(v.trace)} steps</a>" if v.trace is not None else ""
        w(
            f"<tr class='{cls}'><td>{_e(v.name)}</td><td>{_e(v.kind)}</td><td><span class='badge {cls}'>{_e(v.status)}</span></td>"
            f"<td>{link}</td><td>{_e(v.message)}</td></tr>\n"
        )
    w("</tbody></table></section>\n")
    # traces
    for k, v in traced:
        w(_viewer(trace_ids[k], v, result))
    # system and charts
    w("<section id='system'><h2>System</h2>")
    if system_diagram:
        w(f"<div class='diagram'>{system_diagram}</div>")
    else:
        w("<p class='note'>No system diagram (Graphviz's <code>dot</code> is needed).</p>")
    w("</section>\n<section id='charts'><h2>Charts</h2>")
    for k, c in enumerate(charts):
        svg = chart_diagrams.get(k)
        w(f"<figure class='chart' id='chart-{k}' data-chart='{k}'><figcaption>{_e(c.name)}</figcaption>")
        if svg:
            w(f"<div class='diagram'>{svg}</div>")
        else:
            why = "too many states to draw" if graphviz_ok else "Graphviz's dot is needed to draw it"
            w(f"<p class='note'>{_e(why)}; states: {_e(', '.join(c.states))}</p>")
        w("</figure>")
    w("</section>\n")
    # coverage
    never = {k: v for k, v in result.coverage.items() if v}
    w("<section id='coverage'><h2>Coverage</h2>")
    if never:
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


def _viewer(tid: str, v: Verdict, result: Result) -> str:
    assert v.trace is not None
    cls = STATUS_CLASS.get(v.status, "warn")
    heading = "Witness" if v.ok else "Counterexample"
    n = len(v.trace.steps) - 1
    msc = _annotate_msc(trace_svg(v, result))
    loop = f" — a lasso: from step {v.trace.loop_start} it repeats forever" if v.trace.loop_start is not None else ""
    rows = []
    for s in v.trace.steps:
        loop_mark = " loop" if v.trace.loop_start is not None and s.index >= v.trace.loop_start else ""
        changes = "<br>".join(_e(x) for x in _change_lines(s))
        rows.append(
            f"<tr data-step='{s.index}' class='step{loop_mark}'><td>{s.index}</td><td>{_e(s.actor)}</td><td>{_e(_what(s).split(': ', 1)[-1])}</td><td>{changes}</td></tr>"
        )
    return (
        f"<section class='trace' id='trace-{tid}'>"
        f"<h2>{heading}: {_e(v.kind)} <q>{_e(v.name)}</q> <span class='badge {cls}'>{_e(v.status)}</span></h2>"
        f"<p class='sub'>{n} steps{_e(loop)}{(' · ' + _e(v.message)) if v.message else ''}</p>"
        f"<div class='viewer' data-trace='{tid}' data-step='0' tabindex='0'>"
        "<div class='controls'>"
        "<button type='button' class='first' title='first step'>◀◀</button>"
        "<button type='button' class='prev' title='previous step (←)'>◀ prev</button>"
        f"<input type='range' class='slider' min='0' max='{n}' value='0' aria-label='step'>"
        "<button type='button' class='next' title='next step (→)'>next ▶</button>"
        "<button type='button' class='last' title='last step'>▶▶</button>"
        f"<span class='counter'>step <b class='cur'>0</b> of {n}</span>"
        "</div>"
        "<div class='now'><div class='what'></div><div class='changes'></div></div>"
        "<div class='panes'>"
        f"<div class='pane msc'>{msc}</div>"
        "<div class='pane actors'></div>"
        "</div>"
        "<details class='steps'><summary>all steps</summary>"
        "<table class='steps'><thead><tr><th>#</th><th>actor</th><th>message / stimulus</th><th>state change</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></details>"
        "</div></section>\n"
    )


def write_report(result: Result, system: System | None = None, directory: str | Path = "statecharts-report", *, title: str | None = None) -> Path:
    """Write ``directory/index.html`` (creating the directory) and return its path."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    path = d / "index.html"
    path.write_text(report_html(result, system, title=title), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- inline CSS and JS

CSS = """
:root { --bad:#c62828; --good:#2e7d32; --warn:#ef6c00; --ink:#222; --muted:#666; --line:#ddd; --hl:#ffe08a; --hl-line:#c98a00; }
* { box-sizing: border-box; }
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: var(--ink); margin: 0 auto; padding: 16px 24px 48px; max-width: 1600px; }
header { display: flex; align-items: center; gap: 14px; border-bottom: 2px solid var(--line); padding-bottom: 8px; }
h1 { font-size: 24px; margin: 0; }
h2 { font-size: 18px; margin: 28px 0 8px; }
code { font-size: 12px; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 10px; font-size: 13px; font-weight: bold; color: white; vertical-align: middle; }
.badge.good { background: var(--good); } .badge.bad { background: var(--bad); } .badge.warn { background: var(--warn); }
.note { background: #fff3e0; border-left: 4px solid var(--warn); padding: 6px 10px; }
.doc, .sub { color: var(--muted); margin: 4px 0 10px; }
dl.stats { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0; }
dl.stats div { min-width: 110px; } dt { color: var(--muted); font-size: 12px; } dd { margin: 0; font-size: 18px; font-weight: bold; }
table { border-collapse: collapse; }
table.verdicts td, table.verdicts th, table.steps td, table.steps th { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
table.verdicts tr.bad td:first-child { border-left: 4px solid var(--bad); } table.verdicts tr.good td:first-child { border-left: 4px solid var(--good); }
table.verdicts tr.warn td:first-child { border-left: 4px solid var(--warn); }
section.trace { border-top: 1px solid var(--line); }
.viewer { outline: none; }
.controls { display: flex; align-items: center; gap: 8px; position: sticky; top: 0; background: white; padding: 6px 0; z-index: 2; }
.controls input.slider { flex: 1; max-width: 600px; }
.controls button { font: inherit; padding: 3px 10px; border: 1px solid #bbb; border-radius: 4px; background: #f7f7f7; cursor: pointer; }
.controls button:hover { background: #eee; }
.counter { color: var(--muted); min-width: 110px; }
.now { background: #f6f8fc; border: 1px solid #dfe6f3; border-radius: 6px; padding: 6px 10px; margin: 4px 0 10px; min-height: 48px; }
.now .what { font-weight: bold; } .now .changes { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; white-space: pre-wrap; color: #333; }
.now .loop { color: var(--warn); font-weight: bold; }
.panes { display: flex; flex-direction: column; gap: 12px; }
.pane { border: 1px solid var(--line); border-radius: 6px; padding: 6px; }
.pane.msc { overflow: auto; max-height: 52vh; }
.pane.msc svg { display: block; }
.actors { display: flex; flex-wrap: wrap; gap: 10px; align-content: flex-start; }
.actor { border: 1px solid var(--line); border-radius: 6px; padding: 4px 6px; flex: 1 1 360px; max-width: 100%; cursor: zoom-in; }
.actor.wide { flex-basis: 100%; cursor: zoom-out; }
.actor.changed { border-color: var(--hl-line); box-shadow: 0 0 0 2px var(--hl); }
.actor.acting { border-color: #d62728; box-shadow: 0 0 0 2px #f5b7b1; }
.actor h3 { font-size: 13px; margin: 2px 0; } .actor h3 small { color: var(--muted); font-weight: normal; }
.actor .state { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11px; color: #333; }
.actor .state b { color: #7a5300; }
.actor svg { max-width: 100%; height: auto; }
.diagram svg { max-width: 100%; height: auto; }
figure.chart { margin: 10px 0 22px; } figcaption { font-weight: bold; margin-bottom: 4px; }
g.node.active > path, g.node.active > polygon, g.node.active > ellipse { fill: var(--hl); stroke: var(--hl-line); stroke-width: 2; }
g.cluster.active > path, g.cluster.active > polygon { fill: #fff7dc; stroke: var(--hl-line); stroke-width: 2; }
g.edge.taken > path { stroke: #d62728; stroke-width: 2.5; }
g.node.taken > path, g.node.taken > polygon, g.cluster.taken > path, g.cluster.taken > polygon { stroke: #d62728; stroke-width: 2.5; }
g.edge.taken > polygon { fill: #d62728; stroke: #d62728; } g.edge.taken > text { fill: #d62728; font-weight: bold; }
.msc rect.msc-hl.current { fill: var(--hl); fill-opacity: 1; stroke: var(--hl-line); }
.msc text.msc-label.current { font-weight: bold; }
.msc rect.msc-band { fill: var(--hl); fill-opacity: 0.28; }
details.steps { margin-top: 10px; } details.steps summary { cursor: pointer; color: var(--muted); }
table.steps tr.current td { background: #fff3c4; } table.steps tr { cursor: pointer; } table.steps tr.loop td:first-child { color: var(--warn); }
"""

JS = r"""
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('report-data').textContent);
  var viewers = {};
  var lastViewer = null;
  var SVGNS = 'http://www.w3.org/2000/svg';

  function chartSvg(k) {
    var fig = document.getElementById('chart-' + k);
    var svg = fig ? fig.querySelector('.diagram svg') : null;
    return svg ? svg.cloneNode(true) : null;
  }
  function indexTitles(svg) {
    var map = {};
    svg.querySelectorAll('g.node, g.cluster').forEach(function (g) {
      var t = g.querySelector(':scope > title');
      if (t) { map[t.textContent] = g; }
    });
    return map;
  }
  function text(el, s) { el.textContent = s; return el; }

  function Viewer(el) {
    this.el = el;
    this.id = el.getAttribute('data-trace');
    this.trace = DATA.traces[this.id];
    this.n = this.trace.steps.length - 1;
    this.slider = el.querySelector('.slider');
    this.cards = {};
    var actorsPane = el.querySelector('.pane.actors');
    var self = this;
    DATA.actors.forEach(function (a) {
      var card = document.createElement('div');
      card.className = 'actor';
      card.setAttribute('data-actor', a.name);
      var h = document.createElement('h3');
      h.appendChild(document.createTextNode(a.name + ' '));
      h.appendChild(text(document.createElement('small'), a.chart_name));
      card.appendChild(h);
      var svg = chartSvg(a.chart);
      var entry = { card: card, svg: svg, titles: svg ? indexTitles(svg) : {}, state: document.createElement('div') };
      if (svg) { card.appendChild(svg); }
      card.addEventListener('click', function () { card.classList.toggle('wide'); });
      entry.state.className = 'state';
      card.appendChild(entry.state);
      actorsPane.appendChild(card);
      self.cards[a.name] = entry;
    });
    this.msc = el.querySelector('.pane.msc svg');
    if (this.msc) {
      this.band = document.createElementNS(SVGNS, 'rect');
      this.band.setAttribute('class', 'msc-band');
      this.band.setAttribute('x', '0');
      this.band.setAttribute('width', '100%');
      this.band.setAttribute('height', '0');
      var bg = this.msc.querySelector('rect');
      if (bg && bg.nextSibling) { this.msc.insertBefore(this.band, bg.nextSibling); } else { this.msc.appendChild(this.band); }
    }
    el.querySelector('.prev').addEventListener('click', function () { self.show(self.step - 1, true); });
    el.querySelector('.next').addEventListener('click', function () { self.show(self.step + 1, true); });
    el.querySelector('.first').addEventListener('click', function () { self.show(0, true); });
    el.querySelector('.last').addEventListener('click', function () { self.show(self.n, true); });
    this.slider.addEventListener('input', function () { self.show(parseInt(self.slider.value, 10), true); });
    el.querySelectorAll('table.steps tr[data-step]').forEach(function (tr) {
      tr.addEventListener('click', function () { self.show(parseInt(tr.getAttribute('data-step'), 10), true); });
    });
    el.addEventListener('focusin', function () { lastViewer = self; });
    el.addEventListener('click', function () { lastViewer = self; });
    this.step = -1;
    this.show(0, false);
  }

  Viewer.prototype.show = function (i, updateHash) {
    if (isNaN(i)) { i = 0; }
    i = Math.max(0, Math.min(this.n, i));
    this.step = i;
    var st = this.trace.steps[i];
    this.el.setAttribute('data-step', String(i));
    this.slider.value = String(i);
    this.el.querySelector('.cur').textContent = String(i);
    var what = this.el.querySelector('.now .what');
    what.textContent = 'Step ' + st.index + ': ' + st.what;
    if (this.trace.loop_start !== null && st.index >= this.trace.loop_start) {
      var lp = document.createElement('span');
      lp.className = 'loop';
      lp.textContent = '  ↻ in the loop (from step ' + this.trace.loop_start + ', repeats forever)';
      what.appendChild(lp);
    }
    var lines = st.changes.slice();
    if (st.in_flight.length) { lines.push('in flight: ' + st.in_flight.join(', ')); }
    this.el.querySelector('.now .changes').textContent = lines.join('\n');
    // charts: active states, taken transitions, the acting and changed actors
    for (var name in this.cards) {
      var c = this.cards[name];
      var s = st.states[name];
      c.card.classList.toggle('acting', st.actor === name && st.kind !== 'init');
      c.card.classList.toggle('changed', st.changed.indexOf(name) >= 0 && st.actor !== name);
      if (c.svg) {
        c.svg.querySelectorAll('.active').forEach(function (g) { g.classList.remove('active'); });
        c.svg.querySelectorAll('g.taken').forEach(function (g) { g.classList.remove('taken'); });
        if (s) { s.titles.forEach(function (t) { var g = c.titles[t]; if (g) { g.classList.add('active'); } }); }
        if (st.actor === name) {
          st.taken.forEach(function (cls) { c.svg.querySelectorAll('g.' + cls).forEach(function (g) { g.classList.add('taken'); }); });
        }
      }
      c.state.textContent = '';
      if (s) {
        var b = document.createElement('b');
        b.textContent = s.leaves.join(', ') || '-';
        c.state.appendChild(b);
        s.context.forEach(function (kv) { c.state.appendChild(document.createTextNode('  ' + kv[0] + '=' + kv[1])); });
      }
    }
    // the sequence chart: highlight this step's labels and a band across its row
    if (this.msc) {
      this.msc.querySelectorAll('.current').forEach(function (e) { e.classList.remove('current'); });
      var hits = this.msc.querySelectorAll('[data-step="' + st.index + '"]');
      hits.forEach(function (e) { e.classList.add('current'); });
      var label = this.msc.querySelector('text.msc-label[data-step="' + st.index + '"]');
      if (label) {
        var y = parseFloat(label.getAttribute('y'));
        this.band.setAttribute('y', String(y - 17));
        this.band.setAttribute('height', '24');
        var pane = this.el.querySelector('.pane.msc');
        if (y < pane.scrollTop + 40 || y > pane.scrollTop + pane.clientHeight - 40) { pane.scrollTop = Math.max(0, y - pane.clientHeight / 2); }
        var x = parseFloat(label.getAttribute('x'));
        if (x < pane.scrollLeft + 40 || x > pane.scrollLeft + pane.clientWidth - 40) { pane.scrollLeft = Math.max(0, x - pane.clientWidth / 2); }
      } else {
        this.band.setAttribute('height', '0');
      }
    }
    this.el.querySelectorAll('table.steps tr.current').forEach(function (tr) { tr.classList.remove('current'); });
    var row = this.el.querySelector('table.steps tr[data-step="' + st.index + '"]');
    if (row) { row.classList.add('current'); }
    if (updateHash && window.history && window.history.replaceState) {
      window.history.replaceState(null, '', '#trace=' + encodeURIComponent(this.id) + '&step=' + i);
    }
  };

  function fromHash() {
    var h = window.location.hash.replace(/^#/, '');
    if (!h) { return; }
    var params = {};
    h.split('&').forEach(function (kv) { var p = kv.split('='); params[decodeURIComponent(p[0])] = decodeURIComponent(p[1] || ''); });
    var id = params.trace || DATA.order[0];
    var v = viewers[id];
    if (!v) { return; }
    v.show(parseInt(params.step || '0', 10), false);
    lastViewer = v;
    if (params.trace) { v.el.parentNode.scrollIntoView(); }
  }

  document.querySelectorAll('.viewer').forEach(function (el) {
    var v = new Viewer(el);
    viewers[v.id] = v;
    if (!lastViewer) { lastViewer = v; }
  });
  document.addEventListener('keydown', function (e) {
    if (!lastViewer || e.target.tagName === 'INPUT' || e.target.tagName === 'BUTTON') { return; }
    if (e.key === 'ArrowRight') { lastViewer.show(lastViewer.step + 1, true); e.preventDefault(); }
    if (e.key === 'ArrowLeft') { lastViewer.show(lastViewer.step - 1, true); e.preventDefault(); }
  });
  window.addEventListener('hashchange', fromHash);
  fromHash();
  document.body.setAttribute('data-ready', 'true');
})();
"""
