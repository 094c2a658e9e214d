"""A system's actor topology: one node per actor, one edge per kind of message it can send."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import graphviz

from simulate.system import System
from statecharts.actions import SELF, SENDER, Action, Send, sub_actions
from statecharts.chart import Chart, Transition
from statecharts.expr import Node, to_source

from .._msc import ENV
from .charts import _is_timer_plumbing
from .rendering import BAD, FONT, _check_rankdir, _html, _svg, _text


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


def _wrap_list(entry: str, width: int = 80) -> list[str]:
    """A legend entry (``label: a, b, c``) as lines of at most about ``width`` characters, broken after commas."""
    lines: list[str] = []
    line = ""
    for part in entry.split(", "):
        if line and len(line) + 2 + len(part) > width:
            lines.append(line + ",")
            line = "    " + part
        else:
            line = f"{line}, {part}" if line else part
    return [*lines, line]


def system_dot(system: System, *, rankdir: str = "LR") -> graphviz.Digraph:
    """The actor topology: actors as nodes (groups once, ×N), message kinds on edges, a legend."""
    g = graphviz.Digraph(name=system.name)
    g.attr(rankdir=_check_rankdir(rankdir), fontname=FONT, nodesep="0.5", ranksep="1.1", labelloc="b", labeljust="l")
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
    # short rows and some padding: a browser's font may run a few percent wider than dot measured
    legend_rows = "".join(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10">{_html(x)}</FONT></TD></TR>' for entry in legend for x in _wrap_list(entry))
    head = f'<TR><TD ALIGN="LEFT"><B>{_html(system.name)}</B></TD></TR>'
    g.attr(label=f'<<TABLE BORDER="1" COLOR="#999999" CELLBORDER="0" CELLSPACING="2" CELLPADDING="4">{head}{legend_rows}</TABLE>>')
    return g


def system_svg(system: System, **options: Any) -> str:
    """The actor topology as SVG text (needs the Graphviz binary)."""
    return _svg(system_dot(system, **options))


