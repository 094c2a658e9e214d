"""A trace as a message sequence chart (drawn directly, no ``dot`` needed) or as a DOT digraph."""

from __future__ import annotations

import graphviz

from simulate.result import Result, Trace, Verdict
from simulate.system import System

from .._msc import ENV, build_msc, msc_svg
from .rendering import BAD, FONT, DiagramError, _text


def trace_svg(trace: Trace | Verdict, source: System | Result | None = None, *, verdict: Verdict | str | None = None) -> str:
    """A message sequence chart of a trace as standalone SVG (drawn directly; no Graphviz binary).

    ``source`` gives the lanes (every actor instance) and, for a Result, the verdict whose
    trace this is (shown at the end); a Verdict may be passed instead of its trace.
    """
    trace, verdict = _trace_and_verdict(trace, verdict)
    return msc_svg(build_msc(trace, source, verdict))


def _trace_and_verdict(trace: Trace | Verdict, verdict: Verdict | str | None) -> tuple[Trace, Verdict | str | None]:
    if isinstance(trace, Verdict):
        if trace.trace is None:
            raise DiagramError(f"verdict {trace.name!r} ({trace.status}) has no trace to draw")
        return trace.trace, verdict if verdict is not None else trace
    return trace, verdict


def trace_dot(trace: Trace | Verdict, source: System | Result | None = None, *, verdict: Verdict | str | None = None) -> graphviz.Digraph:
    """The same message sequence chart as a Digraph: a grid of rows, dashed lifelines, notes on them."""
    trace, verdict = _trace_and_verdict(trace, verdict)
    msc = build_msc(trace, source, verdict)
    g = graphviz.Digraph(name="trace")
    g.attr(rankdir="TB", fontname=FONT, nodesep="0.9", ranksep="0.25", newrank="true", splines="line")
    g.attr("node", fontname=FONT, fontsize="10")
    g.attr("edge", fontname=FONT, fontsize="10")
    lanes = range(len(msc.lanes))
    # grid rows: per step an arrow row, then a note row when the step changed something
    grid: list[list[str]] = []
    arrow_row: list[int] = []
    out_row: list[int] = []
    cells: dict[str, dict[str, str]] = {}
    for r, row in enumerate(msc.rows):
        arrow_row.append(len(grid))
        grid.append([f"p{i}_{r}" for i in lanes])
        if row.notes:
            names = [f"q{i}_{r}" for i in lanes]
            for i, lines in row.notes.items():
                cells[names[i]] = {
                    "label": graphviz.nohtml("\\l".join(graphviz.escape(x) for x in lines) + "\\l"),
                    "shape": "note",
                    "style": "filled",
                    "fillcolor": "#fff8dc",
                    "color": "#c9b458",
                    "fontsize": "9",
                }
            grid.append(names)
        out_row.append(len(grid) - 1)
    grid.append([f"p{i}_end" for i in lanes])  # messages still in flight end here
    with g.subgraph() as top:
        top.attr(rank="same")
        for i, name in enumerate(msc.lanes):
            label = _text(name, msc.subtitles[i]) if msc.subtitles[i] else _text(name)
            top.node(f"h{i}", label=label, shape="box", style="rounded,dashed" if name == ENV else "rounded,filled", fillcolor="#e8eef9")
        for i in lanes[:-1]:
            top.edge(f"h{i}", f"h{i + 1}", style="invis")
    for names in grid:
        with g.subgraph() as s:
            s.attr(rank="same")
            for n in names:
                s.node(n, **cells.get(n, {"label": "", "shape": "point", "width": "0.03", "color": "#999999"}))
            for x, y in zip(names, names[1:]):
                s.edge(x, y, style="invis")
    for i in lanes:
        prev = f"h{i}"
        for names in grid:
            g.edge(prev, names[i], style="dashed", arrowhead="none", color="#999999", weight="100")
            prev = names[i]

    def at(lane: int, row: int, leaving: bool) -> str:
        if row >= len(msc.rows):
            return grid[-1][lane]
        return grid[out_row[row] if leaving else arrow_row[row]][lane]

    for a in msc.arrows:
        color = {"stimulus": "#2e7d32", "drop": BAD, "error": BAD, "inflight": "#888888", "timer": "#6a1b9a"}.get(a.kind, "#1f3b73")
        attrs = {"xlabel": _text(a.text), "color": color, "fontcolor": color, "constraint": "false"}
        if a.kind in ("drop", "inflight"):
            attrs["style"] = "dashed"
        if a.kind == "drop":
            attrs["arrowhead"] = "tee"
        leaving = a.src_row != a.dst_row
        g.edge(at(a.src, a.src_row, leaving), at(a.dst, a.dst_row, False), **attrs)
    for m in msc.marks:
        g.node(f"m{m.lane}_{m.row}", label=_text(m.text), shape="plaintext", fontcolor=BAD if m.kind == "crash" else "#ef6c00")
        g.edge(f"m{m.lane}_{m.row}", at(m.lane, m.row, False), style="dotted", arrowhead="none", constraint="false")
    if msc.end_text:
        g.node(
            "end",
            label=_text(msc.end_text),
            shape="box",
            style="rounded,filled",
            fillcolor="#fdecea" if msc.end_kind == "bad" else "#e8f5e9",
            color=BAD if msc.end_kind == "bad" else "#2e7d32",
        )
        g.edge(grid[-1][0], "end", style="invis")
    if msc.loop_row is not None:
        g.node("loop", label=_text(f"↻ loop from step {msc.rows[msc.loop_row].step}"), shape="plaintext", fontcolor="#ef6c00")
        g.edge("loop", at(0, msc.loop_row, False), style="dotted", arrowhead="none", constraint="false", color="#ef6c00")
    return g


