"""The explored state graph: one node per state, a path highlighted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import graphviz

from simulate.result import Result, Trace, Verdict
from statecharts.values import format_value

from .rendering import BAD, FONT, PATH, DiagramError, GraphTooLarge, _text


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
    raise DiagramError("the trace does not follow the state graph (was it found by another exploration of the same system?)")


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
        raise DiagramError("this Result has no state graph: explore the system with explore(..., graph=True)")
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
            fields = " ".join(f"{k}={format_value(v)}" for k, v in ctx.get(actor, {}).items())
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


