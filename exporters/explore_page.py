"""The page of ``statecharts explore``: each actor's chart, the enabled steps, the path's sequence chart.

``explore_html(stepper)`` is the page (one document, no network); ``explore_view(stepper)``
is what the page fetches after every action: the path (as the report's trace data: active
states and taken transitions per actor), the enabled steps, the sequence chart of the path,
the properties in the last state, and the explorer's verdicts with traces to jump to.
"""

from __future__ import annotations

import html
from typing import Any

from simulate.stepper import Stepper

from ._report_assets import CSS as REPORT_CSS
from ._report_assets import ZOOM_JS
from .graphviz import GraphvizNotInstalled, trace_svg
from .report import _ZOOM, MAX_CHART_STATES, _annotate_msc, chart_svg_with_classes, prefix_ids, trace_data

__all__ = ["explore_html", "explore_view"]


def explore_view(stepper: Stepper) -> dict[str, Any]:
    """The state of the stepping session as JSON-ready data."""
    trace = stepper.trace()
    system = stepper.system
    data = trace_data(trace, system)
    enabled = [{"index": e.index, "actor": e.actor, "kind": e.kind, "text": e.text} for e in stepper.enabled()]
    props = [{"name": n, "kind": k, "ok": ok} for n, k, ok in stepper.properties()]
    violated = [p["name"] for p in props if p["kind"] == "invariant" and not p["ok"]]
    reached = [p["name"] for p in props if p["kind"] == "sometimes" and p["ok"]]
    # a deadlock as the explorer counts it: no step, an actor not at rest, and the system checks for deadlocks
    deadlock = system.check_deadlock and not enabled and not stepper.error and not stepper.at_rest()
    verdicts = []
    if stepper.result is not None:
        for k, v in enumerate(stepper.result.verdicts):
            verdicts.append({"id": k, "name": v.name, "kind": v.kind, "status": v.status, "steps": len(v.trace) if v.trace is not None else None})
    msc = _annotate_msc(prefix_ids(trace_svg(trace, system), "msc-"))
    return {
        "steps": data["steps"],
        "enabled": enabled,
        "error": stepper.error,
        "properties": props,
        "violated": violated,
        "reached": reached,
        "deadlock": deadlock,
        "at_rest": stepper.at_rest(),
        "verdicts": verdicts,
        "checked": stepper.result is not None,
        "msc": msc,
    }


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def explore_html(stepper: Stepper) -> str:
    """The explorer page: the actor cards (charts drawn once), the panels the script fills from ``/api/view``."""
    system = stepper.system
    cards = []
    note = ""
    for n, a in enumerate(system.actors):
        svg = ""
        if len(a.chart.states) <= MAX_CHART_STATES:
            try:
                svg = chart_svg_with_classes(a.chart)
            except GraphvizNotInstalled as e:
                note = f"Charts are not drawn: {e}"
        for m, name in enumerate(a.instance_names()):
            body = prefix_ids(svg, f"a{n}-{m}-") if svg else ""
            cards.append(
                f"<div class='actor' data-actor='{_e(name)}'><h3>{_e(name)} <small>{_e(a.chart.name)}</small>"
                f"{_ZOOM}</h3>"
                f"<div class='fit'>{body}</div><div class='state'></div></div>"
            )
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<title>{_e(system.name)}: statecharts explorer</title>\n<style>{REPORT_CSS}{CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{_e(system.name)}</h1><span class='badge warn' id='status'>exploring by hand</span></header>\n"
        + (f"<p class='note'>{_e(note)}</p>" if note else "")
        + "<div class='explorer'><aside>"
        "<div class='controls'><button type='button' id='back' title='undo the last step (←)'>◀ back</button>"
        "<button type='button' id='reset' title='back to the initial state'>⟲ restart</button>"
        "<span class='counter'>step <b id='cur'>0</b></span></div>"
        "<div class='now'><div class='what' id='what'></div><div class='changes' id='changes'></div></div>"
        "<div id='alerts'></div>"
        "<h2>Enabled steps</h2><ol id='enabled' class='enabled'></ol>"
        "<h2>Properties here</h2><ul id='props' class='props'></ul>"
        "<h2>Counterexamples and witnesses</h2><div id='verdicts'></div>"
        "<h2>Path</h2><ol id='path' class='path' start='0'></ol>"
        "</aside><main>"
        f"<div class='actors'>{''.join(cards)}</div>"
        "<h2>Sequence chart</h2><div class='pane msc' id='msc'></div>"
        "</main></div>\n"
        f"<script>{JS}</script>\n</body>\n</html>\n"
    )


CSS = """
body { max-width: none; }
.explorer { display: grid; grid-template-columns: minmax(280px, 380px) 1fr; gap: 18px; align-items: start; }
aside { position: sticky; top: 0; max-height: 100vh; overflow: auto; padding-right: 6px; }
aside h2 { font-size: 15px; margin: 14px 0 6px; }
ol.enabled, ol.path, ul.props { margin: 0; padding-left: 22px; }
ol.enabled li button { font: inherit; text-align: left; width: 100%; border: 1px solid #cdd6e6; background: #f6f8fc;
  border-radius: 4px; padding: 2px 6px; margin: 1px 0; cursor: pointer; }
ol.enabled li button:hover { background: #e6edf9; }
ol.path li { cursor: pointer; font-size: 13px; } ol.path li.current { font-weight: bold; }
ul.props li.bad { color: var(--bad); font-weight: bold; } ul.props li.good { color: var(--good); }
.alert { border-left: 4px solid var(--bad); background: #fdecea; padding: 6px 10px; margin: 6px 0; font-weight: bold; }
.alert.warn { border-color: var(--warn); background: #fff3e0; }
#verdicts button { font: inherit; font-size: 13px; margin: 2px 0; display: block; text-align: left; cursor: pointer;
  border: 1px solid var(--line); background: white; border-radius: 4px; width: 100%; }
main .actors .actor { flex: 0 1 auto; }
"""

JS = (
    r"""
(function () {
  'use strict';
  function el(id) { return document.getElementById(id); }
  function node(tag, cls, text) { var e = document.createElement(tag); if (cls) { e.className = cls; } if (text !== undefined) { e.textContent = text; } return e; }
"""
    + ZOOM_JS
    + r"""
  var cards = {};
  document.querySelectorAll('.actor').forEach(function (card) {
    setupZoom(card);
    var svg = card.querySelector('.fit svg');
    var titles = {};
    if (svg) {
      svg.querySelectorAll('g.node, g.cluster').forEach(function (g) { var t = g.querySelector(':scope > title'); if (t) { titles[t.textContent] = g; } });
    }
    cards[card.getAttribute('data-actor')] = { card: card, svg: svg, titles: titles, state: card.querySelector('.state') };
  });
  function post(url) { return fetch(url, { method: 'POST' }).then(function (r) { return r.json(); }).then(render); }
  function render(v) {
    var n = v.steps.length - 1;
    var st = v.steps[n];
    document.body.setAttribute('data-step', String(n));
    el('cur').textContent = String(n);
    el('what').textContent = 'Step ' + n + ': ' + st.what;
    el('changes').textContent = st.changes.concat(st.in_flight.length ? ['in flight: ' + st.in_flight.join(', ')] : []).join('\n');
    var alerts = el('alerts'); alerts.textContent = '';
    if (v.error_message) { alerts.appendChild(node('div', 'alert warn', v.error_message)); }
    v.violated.forEach(function (name) { alerts.appendChild(node('div', 'alert violation', 'invariant violated here: ' + name)); });
    if (v.deadlock) { alerts.appendChild(node('div', 'alert violation', 'deadlock: no step is enabled and not every actor is at rest')); }
    if (v.error) { alerts.appendChild(node('div', 'alert', 'a step raised: ' + v.error)); }
    v.reached.forEach(function (name) { alerts.appendChild(node('div', 'alert warn', 'goal reached here: ' + name)); });
    el('status').textContent = v.violated.length || v.deadlock ? 'violation here' : 'exploring by hand';
    el('status').className = 'badge ' + (v.violated.length || v.deadlock ? 'bad' : 'warn');
    var en = el('enabled'); en.textContent = '';
    v.enabled.forEach(function (e) {
      var li = node('li'); var b = node('button', 'step', e.actor + ': ' + e.kind + ' ' + e.text);
      b.setAttribute('data-index', String(e.index));
      b.addEventListener('click', function () { post('api/take/' + e.index); });
      li.appendChild(b); en.appendChild(li);
    });
    if (!v.enabled.length) { en.appendChild(node('li', 'none', v.at_rest ? 'none: every actor is at rest' : 'none')); }
    var props = el('props'); props.textContent = '';
    v.properties.forEach(function (p) {
      var bad = p.kind === 'invariant' && !p.ok;
      var here = p.kind === 'invariant' ? (p.ok ? 'holds here' : 'VIOLATED here') : (p.ok ? 'reached here' : 'not here');
      props.appendChild(node('li', bad ? 'bad' : (p.ok ? 'good' : ''), p.kind + ' ' + p.name + ': ' + here));
    });
    var vd = el('verdicts'); vd.textContent = '';
    if (!v.checked) {
      var c = node('button', 'check', 'explore the whole system now'); c.id = 'check';
      c.addEventListener('click', function () { c.disabled = true; c.textContent = 'exploring…'; post('api/check'); });
      vd.appendChild(c);
    }
    v.verdicts.forEach(function (x) {
      if (x.steps === null) { vd.appendChild(node('div', 'sub', x.kind + ' ' + x.name + ': ' + x.status)); return; }
      var b = node('button', 'jump', x.status + ': ' + x.kind + ' ' + x.name + ' (' + x.steps + ' steps)');
      b.setAttribute('data-verdict', x.name);
      b.addEventListener('click', function () { post('api/jump/' + x.id); });
      vd.appendChild(b);
    });
    var path = el('path'); path.textContent = '';
    v.steps.forEach(function (s, i) {
      var li = node('li', i === n ? 'current' : '', s.what);
      li.title = 'go back to this step';
      li.addEventListener('click', function () { post('api/truncate/' + i); });
      path.appendChild(li);
    });
    for (var name in cards) {
      var c2 = cards[name]; var s2 = st.states[name];
      c2.card.classList.toggle('acting', st.actor === name && st.kind !== 'init');
      c2.card.classList.toggle('changed', st.changed.indexOf(name) >= 0 && st.actor !== name);
      if (c2.svg) {
        c2.svg.querySelectorAll('.active').forEach(function (g) { g.classList.remove('active'); });
        c2.svg.querySelectorAll('g.taken').forEach(function (g) { g.classList.remove('taken'); });
        if (s2) { s2.titles.forEach(function (t) { var g = c2.titles[t]; if (g) { g.classList.add('active'); } }); }
        if (st.actor === name) { st.taken.forEach(function (cls) { c2.svg.querySelectorAll('g.' + cls).forEach(function (g) { g.classList.add('taken'); }); }); }
      }
      c2.state.textContent = '';
      if (s2) {
        var b2 = node('b', '', s2.leaves.join(', ') || '-'); c2.state.appendChild(b2);
        s2.context.forEach(function (kv) { c2.state.appendChild(document.createTextNode('  ' + kv[0] + '=' + kv[1])); });
      }
    }
    var msc = el('msc'); msc.innerHTML = v.msc;
    var cur = msc.querySelectorAll('[data-step="' + n + '"]');
    cur.forEach(function (e) { e.classList.add('current'); });
    msc.scrollTop = msc.scrollHeight;
    document.body.setAttribute('data-ready', 'true');
  }
  el('back').addEventListener('click', function () { post('api/back'); });
  el('reset').addEventListener('click', function () { post('api/reset'); });
  document.addEventListener('keydown', function (e) { if (e.key === 'ArrowLeft') { post('api/back'); } });
  fetch('api/view').then(function (r) { return r.json(); }).then(render);
})();
"""
)

