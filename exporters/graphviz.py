"""Graphviz diagrams: charts, actor systems, state graphs, and message sequence charts of traces.

Every ``*_dot`` function returns a :class:`graphviz.Digraph` (DOT text, no binary needed:
``.source``); ``render`` writes ``.dot`` / ``.svg`` / ``.png`` / ``.pdf`` files, and the
image formats need Graphviz's ``dot`` program (:class:`GraphvizNotInstalled` otherwise).
``trace_svg`` draws its sequence chart by hand and needs no binary at all.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import graphviz

from simulate.result import Result, Trace, Verdict
from simulate.system import System
from statecharts import preview
from statecharts.actions import SELF, SENDER, Action, Cancel, Send, describe, sub_actions
from statecharts.chart import Chart, StateNode, Transition
from statecharts.errors import ExportError, ToolMissing
from statecharts.expr import Node, to_source

from ._msc import ENV, _fmt, build_msc, msc_svg

__all__ = [
    "GraphTooLarge",
    "GraphvizNotInstalled",
    "chart_dot",
    "chart_svg",
    "register_previews",
    "render",
    "state_graph_dot",
    "system_dot",
    "system_svg",
    "trace_dot",
    "trace_svg",
]

FONT = "Helvetica,Arial,sans-serif"
ACTIVE_FILL = "#ffe08a"
ACTIVE_CLUSTER_FILL = "#fff7dc"
ACTIVE_LINE = "#c98a00"
TAKEN = "#d62728"
PATH = "#1565c0"
BAD = "#c62828"

# --------------------------------------------------------------------------- errors and rendering


class GraphvizNotInstalled(ToolMissing, RuntimeError):
    """The Graphviz ``dot`` program is needed to render an image and is not on PATH."""

    def __init__(self, what: str = "rendering SVG/PNG/PDF") -> None:
        super().__init__(
            f"Graphviz's 'dot' program is not installed (needed for {what}). Install it with "
            "'apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' (macOS) or from graphviz.org; "
            "DOT text (.source, or render(..., 'x.dot')) and trace_svg() work without it."
        )


class GraphTooLarge(ExportError, ValueError):
    """A state graph has more nodes than can be drawn usefully; pass ``force=True`` to draw it anyway."""


def _pipe(dot: graphviz.Digraph | graphviz.Source, fmt: str) -> bytes:
    if shutil.which("dot") is None:
        raise GraphvizNotInstalled(f"rendering {fmt.upper()}")
    try:
        return dot.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotInstalled(f"rendering {fmt.upper()}") from None


def render(dot: graphviz.Digraph | graphviz.Source | str, path: str | PathLike[str]) -> Path:
    """Write a diagram to ``path``: ``.dot``/``.gv`` as DOT text, ``.svg``/``.png``/``.pdf`` via Graphviz.

    ``dot`` may also be SVG text (from ``trace_svg``), written as is to a ``.svg`` path.
    """
    out = Path(path)
    ext = out.suffix.lower().lstrip(".")
    if isinstance(dot, str):
        if dot.lstrip().startswith(("<svg", "<?xml")):
            if ext != "svg":
                raise ValueError(f"{out.name}: SVG text can only be written to a .svg file (use trace_dot() for other formats)")
            out.write_text(dot, encoding="utf-8")
            return out
        dot = graphviz.Source(dot)
    if ext in ("dot", "gv"):
        out.write_text(dot.source, encoding="utf-8")
        return out
    if ext not in ("svg", "png", "pdf", "jpg", "jpeg"):
        raise ValueError(f"{out.name}: unknown diagram format {ext!r}; use .dot, .svg, .png or .pdf")
    out.write_bytes(_pipe(dot, "jpg" if ext == "jpeg" else ext))
    return out


def _svg(dot: graphviz.Digraph) -> str:
    return _pipe(dot, "svg").decode("utf-8")


def _text(*lines: str) -> str:
    """A plain DOT label: each line escaped (quotes, backslashes), joined by centered line breaks."""
    return graphviz.nohtml("\\n".join(graphviz.escape(s) for s in lines))


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# --------------------------------------------------------------------------- charts


def _is_timer_plumbing(a: Action) -> bool:
    """The send/cancel pair the builder adds for ``after=`` transitions (shown on the transition instead)."""
    if isinstance(a, Send):
        return a.target == SELF and a.send_id is not None and a.send_id == a.event and a.event.startswith("after.")
    return isinstance(a, Cancel) and a.send_id.startswith("after.")


def _event_text(event: str, source: StateNode | None) -> str:
    m = re.fullmatch(r"after\.(\d+)\.(.+)", event)
    if m and source is not None and m.group(2) == source.id:
        ms = int(m.group(1))
        return f"after {ms // 1000}s" if ms and ms % 1000 == 0 else f"after {ms}ms"
    return event


def _wrap(parts: Sequence[str], width: int = 34) -> list[str]:
    """Join parts with '; ' into lines of about ``width`` characters."""
    lines: list[str] = []
    cur = ""
    for p in parts:
        if cur and len(cur) + len(p) + 2 > width:
            lines.append(cur + ";")
            cur = p
        else:
            cur = f"{cur}; {p}" if cur else p
    if cur:
        lines.append(cur)
    return lines


def transition_label_lines(t: Transition) -> list[str]:
    """``event [guard] / actions`` as lines (the actions wrapped)."""
    head = ", ".join(_event_text(e, t.source) for e in t.events)
    if t.guard is not None:
        head = f"{head} [{to_source(t.guard, short=True)}]".strip()
    acts = [describe(a) for a in t.actions if not _is_timer_plumbing(a)]
    if not acts:
        return [head] if head else []
    text = "; ".join(acts)
    if len(head) + len(text) + 3 <= 38:
        return [f"{head} / {text}".strip()]
    body = _wrap(acts)
    return ([head] if head else []) + ["/ " + body[0]] + body[1:]


def transition_label(t: Transition) -> str:
    """The one-line label ``event [guard] / actions`` of a transition."""
    return " ".join(transition_label_lines(t)).replace("; /", " /")


def _active_ids(chart: Chart, active: Any) -> set[str]:
    if active is None:
        return set()
    if hasattr(active, "config") and hasattr(active, "context"):
        return set(chart.configuration(active))
    if isinstance(active, str):
        active = [active]
    ids = set(active)
    unknown = sorted(i for i in ids if i not in chart.states)
    if unknown:
        raise ValueError(f"chart {chart.name!r}: active names unknown state(s) {', '.join(map(repr, unknown))}")
    # an active state's ancestors are active too
    for i in list(ids):
        p = chart.states[i].parent
        while p is not None and p.kind != "root":
            ids.add(p.id)
            p = p.parent
    return ids


def _taken_indices(chart: Chart, taken: Any) -> set[int]:
    if taken is None:
        return set()
    if isinstance(taken, (int, str, Transition)):
        taken = [taken]
    by_label = {t.describe(): t.index for t in chart.transitions}
    out: set[int] = set()
    for x in taken:
        if isinstance(x, Transition):
            out.add(x.index)
        elif isinstance(x, int) and 0 <= x < len(chart.transitions):
            out.add(x)
        elif isinstance(x, str) and x in by_label:
            out.add(by_label[x])
        else:
            raise ValueError(f"chart {chart.name!r}: {x!r} is not a transition (give indices, Transition objects or 'src --event--> target' labels)")
    return out


def _state_actions(s: StateNode) -> list[str]:
    rows = [f"entry / {describe(a)}" for a in s.entry if not _is_timer_plumbing(a)]
    rows += [f"exit / {describe(a)}" for a in s.exit if not _is_timer_plumbing(a)]
    return rows


def _compartment(s: StateNode, taken: set[int] | None = None) -> list[tuple[str, bool]]:
    """A state's compartment rows: entry/exit actions and targetless (internal) transitions, each with whether it was taken.

    Targetless transitions are listed inside the state, UML's internal-transition
    compartment, instead of as self-loops: a state with several of them stays readable.
    """
    rows = [(r, False) for r in _state_actions(s)]
    for t in s.transitions:
        if not t.targets:
            rows.append((" ".join(transition_label_lines(t)) or "(targetless)", t.index in (taken or ())))
    return rows


def _row_cells(rows: Sequence[tuple[str, bool]], divider: bool = False) -> str:
    """HTML table rows, left aligned, taken ones bold in the taken colour; ``divider`` rules a line above the first."""
    cells = []
    for k, (text, hot) in enumerate(rows):
        color = f' COLOR="{TAKEN}"' if hot else ""
        body = f"<B>{_html(text)}</B>" if hot else _html(text)
        rule = ' BORDER="1" SIDES="T" COLOR="#333333"' if divider and k == 0 else ""
        cells.append(f'<TR><TD ALIGN="LEFT"{rule}><FONT POINT-SIZE="9"{color}>{body}</FONT></TD></TR>')
    return "".join(cells)


def _state_html(s: StateNode, taken: set[int] | None = None) -> str:
    """An atomic state's label: its name over its compartment (entry/exit actions, internal transitions)."""
    rows = _compartment(s, taken)
    name = f"<B>{_html(s.id)}</B>"
    if not rows:
        return f"<{name}>"
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD>{name}</TD></TR><HR/>{_row_cells(rows)}</TABLE>>'


class _ChartDrawing:
    """Draws one chart into a Digraph."""

    def __init__(self, chart: Chart, active: set[str], taken: set[int]) -> None:
        self.chart = chart
        self.active = active
        self.taken = taken

    @staticmethod
    def node_id(s: StateNode) -> str:
        """The DOT node of an atomic/final/history state, or the anchor of a compound/parallel one."""
        return f"a{s.index}" if s.kind in ("compound", "parallel") else f"s{s.index}"

    @staticmethod
    def cluster(s: StateNode) -> str:
        return f"cluster_{s.index}"

    def draw(self, rankdir: str) -> graphviz.Digraph:
        chart = self.chart
        g = graphviz.Digraph(name=chart.name)
        title = (
            f"<<B>{_html(chart.name)}</B>"
            + (f'<BR/><FONT POINT-SIZE="9">context: {_html(", ".join(f"{k}={_fmt(v)}" for k, v in chart.context.items()))}</FONT>' if chart.context else "")
            + ">"
        )
        g.attr(compound="true", rankdir=rankdir, fontname=FONT, label=title, labelloc="t", fontsize="14", nodesep="0.35", ranksep="0.45")
        g.attr("node", fontname=FONT, fontsize="11", shape="box", style="rounded", margin="0.12,0.05", height="0.35")
        g.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.7")
        root = chart.root
        self._initial(g, root)
        for c in root.children:
            self._state(g, c, root)
        for t in chart.transitions:
            self._transition(g, t)
        return g

    def _initial(self, g: graphviz.Digraph, s: StateNode) -> None:
        if s.initial is None:
            return
        dot = f"i{s.index}"
        g.node(dot, label="", shape="point", width="0.13", style="filled", fillcolor="black")
        label = [describe(a) for a in s.initial.actions]
        for k, tid in enumerate(s.initial.targets):
            target = self.chart.states[tid]
            attrs: dict[str, str] = {}
            if target.kind in ("compound", "parallel"):
                attrs["lhead"] = self.cluster(target)
            if k == 0 and label:
                attrs["label"] = _text("/ " + "; ".join(label))
            g.edge(dot, self.node_id(target), **attrs)

    def _state(self, g: graphviz.Digraph, s: StateNode, parent: StateNode) -> None:
        on = s.id in self.active
        in_parallel = parent.kind == "parallel"
        if s.kind in ("compound", "parallel"):
            with g.subgraph(name=self.cluster(s)) as c:
                style = ["rounded"]
                if in_parallel:
                    style.append("dashed")
                if on:
                    style.append("filled")
                # the cluster's label is its name only: Graphviz routes edges through cluster labels, so
                # the compartment is a node of its own at the top of the cluster, which edges go around
                label = f"<<B>{_html(s.id)}</B>" + (" <I>(parallel)</I>" if s.kind == "parallel" else "") + ">"
                c.attr(
                    label=label,
                    style=",".join(style),
                    color=ACTIVE_LINE if on else ("#555555" if in_parallel else "#333333"),
                    fillcolor=ACTIVE_CLUSTER_FILL if on else "white",
                    penwidth="2" if on else "1",
                    labeljust="l",
                    fontsize="11",
                    margin="10",
                )
                c.node(self.node_id(s), label="", shape="point", style="invis", width="0.01", height="0.01")
                rows = _compartment(s, self.taken)
                if rows:
                    box = f"k{s.index}"
                    c.node(box, label=f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{_row_cells(rows, divider=True)}</TABLE>>', shape="plain")
                    firsts = ([f"i{s.index}"] if s.kind == "compound" and s.initial is not None else []) + [self.node_id(x) for x in s.children]
                    for first in firsts:  # above (TB) or before (LR) everything else in the cluster
                        c.edge(box, first, style="invis")
                if s.kind == "compound":
                    self._initial(c, s)
                for child in s.children:
                    self._state(c, child, s)
            return
        if in_parallel:  # an atomic region: still a dashed region of its parallel state
            with g.subgraph(name=f"cluster_r{s.index}") as c:
                c.attr(label="", style="rounded,dashed", color="#555555")
                self._leaf(c, s, on)
            return
        self._leaf(g, s, on)

    def _leaf(self, g: graphviz.Digraph, s: StateNode, on: bool) -> None:
        attrs: dict[str, str] = {}
        if on:
            attrs.update(style="filled" if s.kind in ("final", "history") else "rounded,filled", fillcolor=ACTIVE_FILL, penwidth="2", color=ACTIVE_LINE)
        nid = self.node_id(s)
        if s.kind == "final":
            g.node(nid, label=_text(s.id), shape="doublecircle", fontsize="9", width="0.3", margin="0.02", **attrs)
        elif s.kind == "history":
            deep = bool(getattr(s, "deep", False))
            g.node(
                nid,
                label="H*" if deep else "H",
                shape="circle",
                width="0.3",
                fixedsize="true",
                fontsize="10",
                tooltip=f"{'deep' if deep else 'shallow'} history {s.id}",
                **attrs,
            )
            default = getattr(s, "default", None)
            if default is not None:
                acts = [describe(a) for a in default.actions]
                for tid in default.targets:
                    target = self.chart.states[tid]
                    extra = {"lhead": self.cluster(target)} if target.kind in ("compound", "parallel") else {}
                    if acts:
                        extra["label"] = _text("/ " + "; ".join(acts))
                    g.edge(nid, self.node_id(target), style="dashed", color="#777777", **extra)
        else:
            g.node(nid, label=_state_html(s, self.taken), **attrs)

    def _transition(self, g: graphviz.Digraph, t: Transition) -> None:
        src = t.source
        assert src is not None
        lines = transition_label_lines(t)
        attrs: dict[str, str] = {}
        if lines:
            attrs["label"] = _text(*lines)
        if t.index in self.taken:
            attrs.update(color=TAKEN, fontcolor=TAKEN, penwidth="2.5", style="bold")
        if t.eventless:
            attrs["arrowhead"] = "vee"
        tail = self.node_id(src)
        if not t.targets:  # targetless: listed inside the source state (see _state_html)
            return
        for k, tid in enumerate(t.targets):
            target = self.chart.states[tid]
            head = self.node_id(target)
            extra = dict(attrs)
            if k > 0:
                extra.pop("label", None)
            if src.kind in ("compound", "parallel") and target is not src and not _inside(target, src):
                extra["ltail"] = self.cluster(src)
            if target.kind in ("compound", "parallel") and target is not src and not _inside(src, target):
                extra["lhead"] = self.cluster(target)
            g.edge(tail, head, **extra)


def _inside(a: StateNode, b: StateNode) -> bool:
    """Whether ``a`` is a proper descendant of ``b``."""
    p = a.parent
    while p is not None:
        if p is b:
            return True
        p = p.parent
    return False


def chart_dot(chart: Chart, *, active: Any = None, taken: Any = None, rankdir: str = "TB") -> graphviz.Digraph:
    """A chart as a Digraph: compound states as clusters, ``event [guard] / actions`` labels.

    ``active`` (a ChartState, or state ids) fills the active states; ``taken`` (transition
    indices, Transition objects, or ``Step.transitions`` labels) draws those transitions bold.
    """
    return _ChartDrawing(chart, _active_ids(chart, active), _taken_indices(chart, taken)).draw(rankdir)


def chart_svg(chart: Chart, **options: Any) -> str:
    """The chart as SVG text (needs the Graphviz binary)."""
    return _svg(chart_dot(chart, **options))


# --------------------------------------------------------------------------- systems


def _all_actions(chart: Chart) -> Iterable[tuple[Transition | None, Action]]:
    def walk(t: Transition | None, actions: Iterable[Action]) -> Iterable[tuple[Transition | None, Action]]:
        for a in actions:
            yield t, a
            yield from walk(t, sub_actions(a))

    for s in chart.states.values():
        yield from walk(None, s.entry)
        yield from walk(None, s.exit)
        if s.initial is not None:
            yield from walk(None, s.initial.actions)
    if chart.root.initial is not None:
        yield from walk(None, chart.root.initial.actions)
    for t in chart.transitions:
        yield from walk(t, t.actions)


def message_flows(system: System) -> dict[tuple[str, str], list[str]]:
    """Statically, which message kinds each actor (group) sends to which: ``{(sender, receiver): [labels]}``.

    Found from the charts' Send actions: named targets, ``group[i]``, ``send_to``,
    ``broadcast``; a ``reply`` goes to whoever sends the triggering event; a computed target
    to every actor whose chart accepts the event. The environment is ``"env"``.
    """
    groups = {a.name: a for a in system.actors}
    flows: dict[tuple[str, str], dict[str, None]] = {}

    def add(src: str, dst: str, label: str) -> None:
        flows.setdefault((src, dst), {})[label] = None

    replies: list[tuple[str, Transition | None, Send]] = []
    for a in system.actors:
        for t, act in _all_actions(a.chart):
            if not isinstance(act, Send) or _is_timer_plumbing(act):
                continue
            if act.target == SELF:
                add(a.name, a.name, f"{act.event} (to itself)")
            elif act.target == SENDER:
                replies.append((a.name, t, act))
            elif isinstance(act.target, Node):
                for b in system.actors:
                    if b.chart.accepts(act.event):
                        add(a.name, b.name, f"{act.event} (to {to_source(act.target, short=True)})")
            else:
                base = act.target.split("[", 1)[0]
                if base not in groups:
                    continue
                if act.broadcast and groups[base].count is not None:
                    add(a.name, base, f"{act.event} (to all)")
                elif act.index is not None:
                    add(a.name, base, f"{act.event} (to {base}[{to_source(act.index, short=True)}])")
                elif "[" in act.target:
                    add(a.name, base, f"{act.event} (to {act.target})")
                else:
                    add(a.name, base, act.event)
    for st in system.stimuli:
        add(ENV, st.target.split("[", 1)[0], st.event)
    for name, t, act in replies:
        triggers = t.events if t is not None else ()
        senders = sorted({src for (src, dst), labels in flows.items() if dst == name for lab in labels if any(lab.split(" ")[0] == e for e in triggers)})
        for src in senders or ["?"]:
            add(name, src, f"{act.event} (reply)")
    return {k: list(v) for k, v in flows.items()}


def system_dot(system: System, *, rankdir: str = "LR") -> graphviz.Digraph:
    """The actor topology: actors as nodes (groups once, ×N), message kinds on edges, a legend."""
    g = graphviz.Digraph(name=system.name)
    g.attr(rankdir=rankdir, fontname=FONT, nodesep="0.5", ranksep="1.1", labelloc="b", labeljust="l")
    g.attr("node", fontname=FONT, fontsize="12")
    g.attr("edge", fontname=FONT, fontsize="10", arrowsize="0.8")
    flows = message_flows(system)
    if system.stimuli:
        g.node(ENV, label=_text("environment"), shape="ellipse", style="dashed", color="#666666", fontcolor="#444444")
    crash_budget = dict(system.faults.crash)
    for a in system.actors:
        count = f" ×{a.count}" if a.count is not None else ""
        rows = [f"<TR><TD><B>{_html(a.name)}</B>{_html(count)}</TD></TR>", f'<TR><TD><FONT POINT-SIZE="9" COLOR="#555555">chart {_html(a.chart.name)}</FONT></TD></TR>']
        crashes = crash_budget.get(a.name, 0) + a.crash
        if crashes:
            rows.append(f'<TR><TD><FONT POINT-SIZE="9" COLOR="{BAD}">may crash {crashes}×</FONT></TD></TR>')
        # messages an actor sends to itself (or its own group) are listed in its box: Graphviz puts a
        # self-loop's label on the loop, where it is struck through
        for k, text in enumerate(flows.get((a.name, a.name), [])):
            rule = ' BORDER="1" SIDES="T" COLOR="#9aa7c0"' if k == 0 else ""
            rows.append(f'<TR><TD{rule}><FONT POINT-SIZE="9" COLOR="#1f3b73">↻ {_html(text.removesuffix(" (to itself)"))}</FONT></TD></TR>')
        label = f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0">{"".join(rows)}</TABLE>>'
        attrs = {"peripheries": "2"} if a.count is not None else {}
        g.node(a.name, label=label, shape="box", style="rounded,filled", fillcolor="#e8eef9", color="#1f3b73", **attrs)
    for (src, dst), labels in flows.items():
        if src == dst and src != ENV:  # drawn inside the actor's box (above)
            continue
        if src == "?" or dst == "?":
            g.node("?", label=_text("(the sender)"), shape="plaintext")
        color = "#2e7d32" if src == ENV else "#1f3b73"
        style = "dashed" if src == ENV else "solid"
        g.edge(src, dst, label=_text(*labels), color=color, fontcolor=color, style=style)
    legend = [f"network: {system.network}"]
    faults = []
    if system.faults.drop:
        faults.append(f"drop ≤ {system.faults.drop}")
    if system.faults.duplicate:
        faults.append(f"duplicate ≤ {system.faults.duplicate}")
    for a in system.actors:
        n = crash_budget.get(a.name, 0) + a.crash
        if n:
            faults.append(f"crash {a.name} ≤ {n}")
    legend.append("faults: " + (", ".join(faults) if faults else "none"))
    bounded = [f"{s.event}→{s.target} ≤ {s.max}" for s in system.stimuli if s.max is not None]
    if bounded:
        legend.append("bounded stimuli: " + ", ".join(bounded))
    if system.symmetry:
        legend.append("symmetry over instance groups")
    if system.properties:
        legend.append("properties: " + ", ".join(getattr(p, "name", str(p)) for p in system.properties))
    legend_rows = "".join(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10">{_html(x)}</FONT></TD></TR>' for x in legend)
    head = f'<TR><TD ALIGN="LEFT"><B>{_html(system.name)}</B></TD></TR>'
    g.attr(label=f'<<TABLE BORDER="1" COLOR="#999999" CELLBORDER="0" CELLSPACING="2">{head}{legend_rows}</TABLE>>')
    return g


def system_svg(system: System, **options: Any) -> str:
    """The actor topology as SVG text (needs the Graphviz binary)."""
    return _svg(system_dot(system, **options))


# --------------------------------------------------------------------------- traces


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
            raise ValueError(f"verdict {trace.name!r} ({trace.status}) has no trace to draw")
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


# --------------------------------------------------------------------------- state graphs


def _node_states(result: Result) -> dict[int, Any] | None:
    """The canonical system state of each graph node, rebuilt by replaying the graph's edges (None if impossible)."""
    g, model = result.graph, result.model
    if g is None or model is None or not result.initial:
        return None
    try:
        from simulate.model import Label

        initial_nodes = sorted(n for n, d in g.nodes(data=True) if d.get("initial"))
        canon: list[Any] = []
        for s in result.initial:
            c = model.canonical(s)[0]
            if c not in canon:
                canon.append(c)
        if len(canon) != len(initial_nodes):
            return None
        states: dict[int, Any] = dict(zip(initial_nodes, canon))
        stack = list(initial_nodes)
        while stack:
            n = stack.pop()
            succ: dict[str, list[Any]] = {}
            for raw, s2 in model.successors(states[n]):
                who, kind, what = model.describe_label(Label(*raw))
                succ.setdefault(f"{who}: {kind} {what}", []).append(model.canonical(s2)[0])
            for _, dst, data in g.out_edges(n, data=True):
                options = succ.get(data.get("label", ""), [])
                if len(set(options)) != 1:
                    if dst not in states and not options:
                        return None
                    if dst not in states:
                        continue  # ambiguous here; another edge may pin it down
                if dst not in states:
                    states[dst] = options[0]
                    stack.append(dst)
        if len(states) != g.number_of_nodes():
            return None
        return states
    except Exception:  # a model without this interface: labels fall back to leaves only
        return None


def _node_context(result: Result, state: Any) -> dict[str, dict[str, Any]]:
    model = result.model
    assert model is not None
    out: dict[str, dict[str, Any]] = {}
    for i, name in enumerate(model.names):
        chart = model.charts[i]
        out[name] = chart.context_of(model.chart_state(state, i))
    return out


def _path_nodes(result: Result, trace: Trace, states: dict[int, Any] | None) -> list[int]:
    """The graph nodes a trace visits, in order."""
    g = result.graph
    assert g is not None
    model = result.model
    if states is not None and model is not None and all(s.state is not None for s in trace.steps):
        where = {v: k for k, v in states.items()}
        path: list[int] = []
        for s in trace.steps:
            n = where.get(model.canonical(s.state)[0])
            if n is None:
                break
            if not path or path[-1] != n:
                path.append(n)
        else:
            return path
    # follow edge labels from an initial node (no symmetry renaming)
    labels = [f"{s.actor}: {s.kind} {s.text}" for s in trace.steps[1:]]
    for start in (n for n, d in g.nodes(data=True) if d.get("initial")):
        path = [start]
        for lab in labels:
            nxt = [d for _, d, data in g.out_edges(path[-1], data=True) if data.get("label") == lab]
            if not nxt:
                break
            path.append(nxt[0])
        else:
            return path
    raise ValueError("the trace does not follow the state graph (was it found by another exploration of the same system?)")


def _edge_text(data: Mapping[str, Any]) -> str:
    label = str(data.get("label", ""))
    kind = data.get("kind", "")
    who, _, rest = label.partition(": ")
    if kind in ("deliver", "stimulus") and rest.startswith(f"{kind} "):
        rest = rest[len(kind) + 1 :]
        if rest.endswith(" from env"):
            rest = rest[: -len(" from env")]
    return f"{who}: {rest}" if rest else label


def state_graph_dot(
    result: Result,
    highlight: Trace | Verdict | None = None,
    *,
    max_nodes: int = 2000,
    force: bool = False,
    edge_labels: bool | None = None,
    self_loops: bool = False,
    context: bool = True,
) -> graphviz.Digraph:
    """The explored state graph (``explore(..., graph=True)``) as a Digraph, a trace's path highlighted.

    Nodes list each actor's active leaves (and context, when it can be rebuilt); initial
    states get an entry arrow; states where a property failed are red. Graphs above
    ``max_nodes`` are refused unless ``force``. Self-loops are left out unless asked for.
    """
    g = result.graph
    if g is None:
        raise ValueError("this Result has no state graph: explore the system with explore(..., graph=True)")
    n = g.number_of_nodes()
    if n > max_nodes and not force:
        raise GraphTooLarge(
            f"the state graph has {n:,} states, more than max_nodes={max_nodes:,}: a drawing that size is unreadable and slow to lay out. "
            "Explore a smaller instance, or pass force=True (or a larger max_nodes) to draw it anyway."
        )
    trace = highlight.trace if isinstance(highlight, Verdict) else highlight
    states = _node_states(result) if context or trace is not None else None
    path = _path_nodes(result, trace, states) if trace is not None else []
    on_path = set(path)
    path_edges = {(a, b): k + 1 for k, (a, b) in enumerate(zip(path, path[1:]))}
    if edge_labels is None:
        edge_labels = g.number_of_edges() <= 150
    d = graphviz.Digraph(name=f"{result.system} states")
    d.attr(rankdir="TB", fontname=FONT, fontsize="12", labelloc="t", nodesep="0.3", ranksep="0.5")
    d.attr("node", fontname=FONT, fontsize="9", shape="box", style="rounded", margin="0.08,0.03")
    d.attr("edge", fontname=FONT, fontsize="8", arrowsize="0.6", color="#888888", fontcolor="#555555")
    loops = 0
    for node, data in g.nodes(data=True):
        leaves: Mapping[str, str] = data.get("leaves", {})
        lines = []
        ctx = _node_context(result, states[node]) if context and states is not None else {}
        for actor, leaf in leaves.items():
            fields = " ".join(f"{k}={_fmt(v)}" for k, v in ctx.get(actor, {}).items())
            lines.append(f"{actor}: {leaf}" + (f"  {fields}" if fields else ""))
        if data.get("in_flight"):
            lines.append(f"{data['in_flight']} in flight")
        marks = list(data.get("marks", []))
        if marks:
            lines.append("✗ " + ", ".join(marks))
        attrs: dict[str, str] = {
            "label": graphviz.nohtml("\\l".join(graphviz.escape(x) for x in lines) + "\\l"),
            "tooltip": f"state {node}, depth {data.get('depth', '?')}",
        }
        style = ["rounded"]
        if marks:
            style.append("filled")
            attrs.update(color=BAD, fontcolor=BAD, fillcolor="#fdecea", penwidth="2")
        if node in on_path:
            attrs.update(color=BAD if marks else PATH, penwidth="2.5")
            if not marks:
                style.append("filled")
                attrs["fillcolor"] = "#e3f2fd"
        attrs["style"] = ",".join(style)
        d.node(f"n{node}", **attrs)
        if data.get("initial"):
            d.node(f"start{node}", label="", shape="point", width="0.12", style="filled", fillcolor="black")
            d.edge(f"start{node}", f"n{node}", color="black")
    for a, b, data in g.edges(data=True):
        k = path_edges.get((a, b))
        if a == b and not self_loops and k is None:
            loops += 1
            continue
        attrs = {}
        if edge_labels or k is not None:
            attrs["label"] = _text(_edge_text(data) if k is None else f"{k}. {_edge_text(data)}")
        if k is not None:
            attrs.update(color=PATH, fontcolor=PATH, penwidth="2.5", weight="5")
        d.edge(f"n{a}", f"n{b}", **attrs)
    title = f"{result.system}: {n} states, {g.number_of_edges()} transitions"
    if loops:
        title += f" ({loops} self-loops not drawn)"
    if trace is not None:
        title += f"; highlighted: a {len(path) - 1}-step path"
    d.attr(label=_text(title))
    return d


def register_previews() -> None:
    """Make this module's drawers the notebook pictures of charts, systems and traces (see statecharts.preview)."""
    preview.register("chart", chart_svg)
    preview.register("system", system_svg)
    preview.register("trace", trace_svg)


register_previews()
