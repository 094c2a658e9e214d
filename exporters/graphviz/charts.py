"""A chart as a Graphviz digraph: states as nested clusters with their actions, transitions labelled, active states filled."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import graphviz

from statecharts.actions import SELF, Action, Cancel, Send, describe
from statecharts.chart import Chart, StateNode, Transition
from statecharts.expr import to_source
from statecharts.values import format_value

from .rendering import ACTIVE_CLUSTER_FILL, ACTIVE_FILL, ACTIVE_LINE, FONT, TAKEN, DiagramError, _check_rankdir, _html, _svg, _text


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


def _some(names: Iterable[str], limit: int = 8) -> str:
    """A few names for an error message."""
    names = list(names)
    return ", ".join(map(repr, names[:limit])) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _active_ids(chart: Chart, active: Any) -> set[str]:
    if active is None:
        return set()
    if hasattr(active, "config") and hasattr(active, "context"):
        return set(chart.configuration(active))
    if isinstance(active, str):
        active = [active]
    if not isinstance(active, Iterable) or not all(isinstance(i, str) for i in active):
        raise DiagramError(f"chart {chart.name!r}: active must be a ChartState or state ids (strings), not {active!r}")
    ids = set(active)
    unknown = sorted(i for i in ids if i not in chart.states)
    if unknown:
        raise DiagramError(f"chart {chart.name!r}: active names unknown state(s) {', '.join(map(repr, unknown))} (its states: {_some(chart.states)})")
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
    if not isinstance(taken, Iterable):
        raise DiagramError(f"chart {chart.name!r}: taken must be transition indices, Transition objects or labels, not {taken!r}")
    by_label = {t.describe(): t.index for t in chart.transitions}
    out: set[int] = set()
    for x in taken:
        if isinstance(x, Transition):
            out.add(x.index)
        elif isinstance(x, int) and not isinstance(x, bool) and 0 <= x < len(chart.transitions):
            out.add(x)
        elif isinstance(x, str) and x in by_label:
            out.add(by_label[x])
        else:
            raise DiagramError(
                f"chart {chart.name!r}: {x!r} is not a transition (give indices 0..{len(chart.transitions) - 1}, Transition objects or 'src --event--> target' labels)"
            )
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


@contextmanager
def _cluster(g: graphviz.Digraph, name: str) -> Iterator[graphviz.Digraph]:
    """A cluster written straight into ``g``'s body, between braces.

    graphviz's ``with g.subgraph()`` copies every line of the inner graph into its parent on
    exit, so nested states cost time quadratic in their depth (8 s for 1,200 levels).
    """
    g.body.append(f"\tsubgraph {name} {{\n")
    yield g
    g.body.append("\t}\n")


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
            + (f'<BR/><FONT POINT-SIZE="9">context: {_html(", ".join(f"{k}={format_value(v)}" for k, v in chart.context.items()))}</FONT>' if chart.context else "")
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
            with _cluster(g, self.cluster(s)) as c:
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
            with _cluster(g, f"cluster_r{s.index}") as c:
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
            if src.kind in ("compound", "parallel") and target is not src and not target.is_descendant_of(src):
                extra["ltail"] = self.cluster(src)
            if target.kind in ("compound", "parallel") and target is not src and not src.is_descendant_of(target):
                extra["lhead"] = self.cluster(target)
            g.edge(tail, head, **extra)


def chart_dot(chart: Chart, *, active: Any = None, taken: Any = None, rankdir: str = "TB") -> graphviz.Digraph:
    """A chart as a Digraph: compound states as clusters, ``event [guard] / actions`` labels.

    ``active`` (a ChartState, or state ids) fills the active states; ``taken`` (transition
    indices, Transition objects, or ``Step.transitions`` labels) draws those transitions bold.
    """
    return _ChartDrawing(chart, _active_ids(chart, active), _taken_indices(chart, taken)).draw(_check_rankdir(rankdir))


def chart_svg(chart: Chart, **options: Any) -> str:
    """The chart as SVG text (needs the Graphviz binary)."""
    return _svg(chart_dot(chart, **options))


