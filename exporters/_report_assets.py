"""The inline CSS and JavaScript of the HTML report (and the CSS the explorer page shares with it)."""

from __future__ import annotations

CSS = """
:root { --bad:#c62828; --good:#2e7d32; --warn:#ef6c00; --ink:#222; --muted:#666; --line:#ddd; --hl:#ffe08a; --hl-line:#c98a00; }
* { box-sizing: border-box; }
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: var(--ink); margin: 0 auto; padding: 16px 24px 48px; max-width: 1800px; }
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
.viewer { outline: none; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; position: sticky; top: 0; background: white; padding: 6px 0; z-index: 2; }
.controls select { font: inherit; max-width: 420px; }
.controls input.slider { flex: 1; min-width: 160px; max-width: 600px; }
.controls button, .zoom button { font: inherit; padding: 3px 10px; border: 1px solid #bbb; border-radius: 4px; background: #f7f7f7; cursor: pointer; }
.controls button:hover, .zoom button:hover { background: #eee; }
.counter { color: var(--muted); min-width: 110px; }
.now { background: #f6f8fc; border: 1px solid #dfe6f3; border-radius: 6px; padding: 6px 10px; margin: 4px 0 10px; min-height: 48px; }
.now .what { font-weight: bold; } .now .changes { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; white-space: pre-wrap; color: #333; }
.now .loop { color: var(--warn); font-weight: bold; }
.panes { display: flex; flex-direction: column; gap: 12px; }
.pane { border: 1px solid var(--line); border-radius: 6px; padding: 6px; }
.pane.msc { overflow: auto; max-height: 48vh; }
.pane.msc svg { display: block; }
.actors { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
.actor { border: 1px solid var(--line); border-radius: 6px; padding: 4px 6px; flex: 0 1 auto; max-width: 100%; min-width: 0; }
.actor.changed { border-color: var(--hl-line); box-shadow: 0 0 0 2px var(--hl); }
.actor.acting { border-color: #d62728; box-shadow: 0 0 0 2px #f5b7b1; }
.actor h3 { font-size: 13px; margin: 2px 0; display: flex; align-items: center; gap: 6px; } .actor h3 small { color: var(--muted); font-weight: normal; }
.actor .state { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11px; color: #333; max-width: 100%; overflow-wrap: anywhere; }
.actor .state b { color: #7a5300; }
.zoom { display: inline-flex; gap: 2px; margin-left: auto; } .zoom button { padding: 0 7px; font-size: 12px; }
.fit { overflow: auto; max-width: 100%; max-height: 85vh; }
.fit svg { display: block; }
.zoombox { border: 1px solid var(--line); border-radius: 6px; padding: 4px 6px; display: inline-block; max-width: 100%; }
.zoombox > .bar { display: flex; }
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

ZOOM_JS = r"""
  // panels at their natural size; − / 1:1 / + (or Ctrl + wheel) zoom the drawing inside its scrolling box
  function setupZoom(box) {
    var svg = box.querySelector('.fit svg');
    if (!svg) { return null; }
    var w = svg.width.baseVal.value, h = svg.height.baseVal.value;
    if (!svg.getAttribute('viewBox')) { svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h); }
    var z = { zoom: 1 };
    z.set = function (k) {
      z.zoom = Math.max(0.2, Math.min(4, k));
      svg.setAttribute('width', String(Math.round(w * z.zoom))); svg.setAttribute('height', String(Math.round(h * z.zoom)));
      box.setAttribute('data-zoom', z.zoom.toFixed(2));
    };
    box.querySelectorAll('.zoom [data-zoom]').forEach(function (b) {
      b.addEventListener('click', function (e) {
        e.stopPropagation();
        var d = parseInt(b.getAttribute('data-zoom'), 10);
        z.set(d === 0 ? 1 : z.zoom * (d > 0 ? 1.25 : 0.8));
      });
    });
    box.querySelector('.fit').addEventListener('wheel', function (e) {
      if (!e.ctrlKey) { return; }
      e.preventDefault();
      z.set(z.zoom * (e.deltaY < 0 ? 1.1 : 0.9));
    }, { passive: false });
    z.set(1);
    return z;
  }
"""

JS = (
    r"""
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('report-data').textContent);
  var SVGNS = 'http://www.w3.org/2000/svg';
"""
    + ZOOM_JS
    + r"""
  document.querySelectorAll('.zoombox, .actor').forEach(setupZoom);
  var cards = {};
  document.querySelectorAll('.actor').forEach(function (card) {
    var svg = card.querySelector('.fit svg');
    var titles = {};
    if (svg) {
      svg.querySelectorAll('g.node, g.cluster').forEach(function (g) { var t = g.querySelector(':scope > title'); if (t) { titles[t.textContent] = g; } });
    }
    cards[card.getAttribute('data-actor')] = { card: card, svg: svg, titles: titles, state: card.querySelector('.state') };
  });
  var el = document.getElementById('viewer');
  if (!el) { document.body.setAttribute('data-ready', 'true'); return; }
  var select = el.querySelector('select.trace-select');
  var slider = el.querySelector('.slider');
  var V = { id: null, trace: null, n: 0, step: 0, msc: null, band: null, pane: el.querySelector('.pane.msc') };

  function choose(id) {
    if (!DATA.traces[id]) { id = DATA.order[0]; }
    V.id = id; V.trace = DATA.traces[id]; V.n = V.trace.steps.length - 1;
    el.setAttribute('data-trace', id);
    select.value = id;
    slider.max = String(V.n);
    el.querySelector('.total').textContent = String(V.n);
    el.querySelectorAll('[data-for]').forEach(function (b) { b.hidden = b.getAttribute('data-for') !== id; });
    var holder = el.querySelector('.msc-one[data-for="' + id + '"]');
    V.msc = holder ? holder.querySelector('svg') : null;
    V.band = V.msc ? V.msc.querySelector('rect.msc-band') : null;
    if (V.msc && !V.band) {
      V.band = document.createElementNS(SVGNS, 'rect');
      V.band.setAttribute('class', 'msc-band'); V.band.setAttribute('x', '0'); V.band.setAttribute('width', '100%'); V.band.setAttribute('height', '0');
      var bg = V.msc.querySelector('rect');
      if (bg && bg.nextSibling) { V.msc.insertBefore(V.band, bg.nextSibling); } else { V.msc.appendChild(V.band); }
    }
  }

  function show(i, updateHash) {
    if (isNaN(i)) { i = 0; }
    i = Math.max(0, Math.min(V.n, i));
    V.step = i;
    var st = V.trace.steps[i];
    el.setAttribute('data-step', String(i));
    slider.value = String(i);
    el.querySelector('.cur').textContent = String(i);
    var what = el.querySelector('.now .what');
    what.textContent = 'Step ' + st.index + ': ' + st.what;
    if (V.trace.loop_start !== null && st.index >= V.trace.loop_start) {
      var lp = document.createElement('span');
      lp.className = 'loop';
      lp.textContent = '  ↻ in the loop (from step ' + V.trace.loop_start + ', repeats forever)';
      what.appendChild(lp);
    }
    var lines = st.changes.slice();
    if (st.in_flight.length) { lines.push('in flight: ' + st.in_flight.join(', ')); }
    el.querySelector('.now .changes').textContent = lines.join('\n');
    for (var name in cards) {
      var c = cards[name];
      var s = st.states[name];
      c.card.classList.toggle('acting', st.actor === name && st.kind !== 'init');
      c.card.classList.toggle('changed', st.changed.indexOf(name) >= 0 && st.actor !== name);
      if (c.svg) {
        c.svg.querySelectorAll('.active').forEach(function (g) { g.classList.remove('active'); });
        c.svg.querySelectorAll('g.taken').forEach(function (g) { g.classList.remove('taken'); });
        if (s) { s.titles.forEach(function (t) { var g = c.titles[t]; if (g) { g.classList.add('active'); } }); }
        if (st.actor === name) { st.taken.forEach(function (cls) { c.svg.querySelectorAll('g.' + cls).forEach(function (g) { g.classList.add('taken'); }); }); }
      }
      c.state.textContent = '';
      if (s) {
        var b = document.createElement('b');
        b.textContent = s.leaves.join(', ') || '-';
        c.state.appendChild(b);
        s.context.forEach(function (kv) { c.state.appendChild(document.createTextNode('  ' + kv[0] + '=' + kv[1])); });
      }
    }
    el.querySelectorAll('.msc .current').forEach(function (e) { e.classList.remove('current'); });
    if (V.msc) {
      V.msc.querySelectorAll('[data-step="' + st.index + '"]').forEach(function (e) { e.classList.add('current'); });
      var label = V.msc.querySelector('text.msc-label[data-step="' + st.index + '"]');
      var pane = V.pane;
      if (label) {
        var y = parseFloat(label.getAttribute('y'));
        V.band.setAttribute('y', String(y - 17)); V.band.setAttribute('height', '24');
        if (y < pane.scrollTop + 40 || y > pane.scrollTop + pane.clientHeight - 40) { pane.scrollTop = Math.max(0, y - pane.clientHeight / 2); }
        var x = parseFloat(label.getAttribute('x'));
        if (x < pane.scrollLeft + 40 || x > pane.scrollLeft + pane.clientWidth - 40) { pane.scrollLeft = Math.max(0, x - pane.clientWidth / 2); }
      } else {
        V.band.setAttribute('height', '0');
        if (i === 0) { pane.scrollTop = 0; }
      }
    }
    el.querySelectorAll('table.steps tr.current').forEach(function (tr) { tr.classList.remove('current'); });
    var row = el.querySelector('table.steps[data-for="' + V.id + '"] tr[data-step="' + st.index + '"]');
    if (row) { row.classList.add('current'); }
    if (updateHash && window.history && window.history.replaceState) {
      window.history.replaceState(null, '', '#trace=' + encodeURIComponent(V.id) + '&step=' + i);
    }
  }

  el.querySelector('.prev').addEventListener('click', function () { show(V.step - 1, true); });
  el.querySelector('.next').addEventListener('click', function () { show(V.step + 1, true); });
  el.querySelector('.first').addEventListener('click', function () { show(0, true); });
  el.querySelector('.last').addEventListener('click', function () { show(V.n, true); });
  slider.addEventListener('input', function () { show(parseInt(slider.value, 10), true); });
  select.addEventListener('change', function () { choose(select.value); show(0, true); });
  el.querySelectorAll('table.steps tr[data-step]').forEach(function (tr) {
    tr.addEventListener('click', function () { show(parseInt(tr.getAttribute('data-step'), 10), true); });
  });
  document.addEventListener('keydown', function (e) {
    if (e.target.tagName === 'INPUT' || e.target.tagName === 'BUTTON' || e.target.tagName === 'SELECT') { return; }
    if (e.key === 'ArrowRight') { show(V.step + 1, true); e.preventDefault(); }
    if (e.key === 'ArrowLeft') { show(V.step - 1, true); e.preventDefault(); }
  });

  function fromHash() {
    var h = window.location.hash.replace(/^#/, '');
    var params = {};
    h.split('&').forEach(function (kv) { if (kv) { var p = kv.split('='); params[decodeURIComponent(p[0])] = decodeURIComponent(p[1] || ''); } });
    if (params.trace && DATA.traces[params.trace]) {
      choose(params.trace);
      show(parseInt(params.step || '0', 10), false);
      el.scrollIntoView();
    } else if (params.step !== undefined) {
      if (V.id === null) { choose(DATA.order[0]); }
      show(parseInt(params.step, 10), false);
    }
  }
  choose(DATA.order[0]);
  show(0, false);
  window.addEventListener('hashchange', fromHash);
  fromHash();
  document.body.setAttribute('data-ready', 'true');
})();
"""
)
