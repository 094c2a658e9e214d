"""Mermaid ``stateDiagram-v2`` text of a chart (for Markdown renderers such as GitHub's).

Mermaid has no history pseudo-states: a history state is drawn as a state labelled
``H`` (shallow) or ``H*`` (deep), and the diagram says so in a comment. Mermaid cannot
draw a transition between states inside two different composite states, so such a
transition is drawn between their outermost distinct ancestors, its label naming the
real source and target.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from statecharts.chart import Chart, StateNode, Transition

from .graphviz.charts import _state_actions, transition_label
from .graphviz.rendering import DiagramError

__all__ = ["chart_mermaid", "mermaid_escape"]

DIRECTIONS = ("TB", "TD", "BT", "LR", "RL")
_RESERVED = ("default", "state", "note", "class", "classdef", "scale", "direction", "hide", "acc", "end", "as", "style", "click", "statediagram")
_ENTITIES = {
    "#": "#35;",
    ";": "#59;",
    ":": "#58;",
    "%": "#37;",
    "<": "#60;",
    ">": "#62;",
    '"': "#quot;",
    "{": "#123;",
    "}": "#125;",
    "\n": " ",
}


def mermaid_escape(text: str) -> str:
    """Text safe in a Mermaid label: characters its lexer reads as syntax become entity codes (``#59;``)."""
    return "".join(_ENTITIES.get(ch, ch) for ch in text)


class _Ids:
    """Mermaid-safe, unique identifiers for the chart's states."""

    def __init__(self, chart: Chart) -> None:
        self.ids: dict[str, str] = {}
        used: set[str] = set()
        for s in chart.root.iter():
            if s is chart.root:
                continue
            base = re.sub(r"\W", "_", s.id, flags=re.ASCII)
            if s.kind == "history" and s.parent is not None:
                base = re.sub(r"\W", "_", s.parent.id, flags=re.ASCII) + "_" + base
            if not base or not base[0].isalpha() or base.lower().startswith(_RESERVED):
                base = f"s_{base}"
            name, k = base, 2
            while name.lower() in used:
                name = f"{base}_{k}"
                k += 1
            used.add(name.lower())
            self.ids[s.id] = name

    def __getitem__(self, state_id: str) -> str:
        return self.ids[state_id]


def _ancestors(s: StateNode) -> list[StateNode]:
    """``s`` and its ancestors, innermost first (the root last)."""
    out = [s]
    while out[-1].parent is not None:
        out.append(out[-1].parent)  # type: ignore[arg-type]
    return out


def _scope(a: StateNode, b: StateNode) -> tuple[StateNode, StateNode, StateNode]:
    """Where Mermaid can draw a transition a -> b: (scope, drawn source, drawn target).

    The scope is the innermost common ancestor that is not parallel (a transition cannot
    cross the ``--`` between regions); the endpoints are lifted to its direct children.
    """
    up_b = _ancestors(b)
    scope = next(x for x in _ancestors(a)[1:] if x in up_b[1:])
    while scope.kind == "parallel" and scope.parent is not None:
        scope = scope.parent

    def lift(x: StateNode) -> StateNode:
        while x.parent is not None and x.parent is not scope:
            x = x.parent
        return x

    return scope, lift(a), lift(b)


def chart_mermaid(chart: Chart, *, direction: str | None = None) -> str:
    """The chart as Mermaid ``stateDiagram-v2`` text: nested states, ``--`` between regions, labelled transitions.

    Entry and exit actions and targetless transitions are written in the state (its
    description; a note for a composite state), as in the Graphviz drawing: Mermaid draws
    every self-loop of a state in one place, their labels on top of each other. For the
    same reason a state with several self-transitions lists them in the state too (``↻``).
    """
    if direction is not None and direction not in DIRECTIONS:
        raise DiagramError(f"Mermaid direction {direction!r}: use one of {', '.join(DIRECTIONS)} (or None)")
    ids = _Ids(chart)
    edges: dict[int, list[str]] = {}  # scope state index -> lines
    rows: dict[str, list[str]] = {s.id: _state_actions(s) for s in chart.states.values()}
    loops: dict[str, list[tuple[StateNode, str, str]]] = {}  # state id -> (scope, edge line, label) of its self-loops

    def edge_in(scope: StateNode, line: str, a: StateNode | None = None, label: str = "") -> None:
        if a is not None:
            loops.setdefault(a.id, []).append((scope, line, label))
        else:
            edges.setdefault(scope.index, []).append(line)

    for t in chart.transitions:
        if not t.targets:
            rows[t.source.id if t.source else ""].append(transition_label(t) or "(targetless)")
            continue
        _transition(t, ids, edge_in)
    for state_id, drawn in loops.items():
        if len(drawn) == 1:
            edges.setdefault(drawn[0][0].index, []).append(drawn[0][1])
        else:
            rows[state_id].extend(f"↻ {label}" for _, _, label in drawn)
    lines = ["stateDiagram-v2"]
    if direction:
        lines.append(f"    direction {direction}")
    if any(s.kind == "history" for s in chart.states.values()):
        lines.append("    %% Mermaid has no history pseudo-states: H (shallow) and H* (deep) are drawn as states")
    if chart.context:
        ctx = ", ".join(f"{k}={v!r}" for k, v in chart.context.items())
        lines.append(f"    %% {chart.name}: context {ctx}".replace("\n", " "))
    _body(chart.root, ids, edges, rows, lines, 1)
    return "\n".join(lines) + "\n"


def _transition(t: Transition, ids: _Ids, add: Callable[..., None]) -> None:
    src = t.source
    assert src is not None
    text = transition_label(t)
    chart_states = {s.id: s for s in _ancestors(src)[-1].iter()}
    for tgt in [chart_states[x] for x in t.targets]:
        scope, a, b = _scope(src, tgt)
        label = text
        if a is not src or b is not tgt:
            label = f"{label} ({src.id} → {tgt.id})".strip()
        line = f"{ids[a.id]} --> {ids[b.id]}" + (f" : {mermaid_escape(label)}" if label else "")
        if a is b:
            add(scope, line, a, label or "(eventless)")
        else:
            add(scope, line)


def _declare(s: StateNode, ids: _Ids, described: bool = False) -> str | None:
    """A ``state "label" as id`` line when the drawn label differs from the id, or the state has a description
    (without it Mermaid shows the first description line as the state's name)."""
    mid = ids[s.id]
    if s.kind == "history":
        label = "H*" if getattr(s, "deep", False) else "H"
        return f'state "{label}" as {mid}'
    if mid != s.id or described:
        return f'state "{mermaid_escape(s.id)}" as {mid}'
    return None


def _body(s: StateNode, ids: _Ids, edges: dict[int, list[str]], rows: dict[str, list[str]], lines: list[str], depth: int) -> None:
    pad = "    " * depth
    if s.kind != "parallel" and s.initial is not None:
        for tid in s.initial.targets[:1]:
            child = next((c for c in s.children if c.id == tid or tid in {d.id for d in c.iter()}), None)
            if child is not None:
                lines.append(f"{pad}[*] --> {ids[child.id]}")
    for k, c in enumerate(s.children):
        if s.kind == "parallel" and k > 0:
            lines.append(f"{pad}--")
        if c.kind in ("compound", "parallel"):
            head = f'state "{mermaid_escape(c.id)}" as {ids[c.id]}' if ids[c.id] != c.id else f"state {ids[c.id]}"
            lines.append(f"{pad}{head} {{")
            if c.kind == "parallel":
                lines.append(f"{pad}    %% parallel: regions separated by --")
            _body(c, ids, edges, rows, lines, depth + 1)
            lines.append(f"{pad}}}")
            if rows.get(c.id):  # a composite state has no description in Mermaid: a note beside it
                lines.append(f"{pad}note right of {ids[c.id]}")
                lines.extend(f"{pad}    {mermaid_escape(r)}" for r in rows[c.id])
                lines.append(f"{pad}end note")
        else:
            described = bool(rows.get(c.id))
            decl = _declare(c, ids, described)
            lines.append(f"{pad}{decl}" if decl else f"{pad}{ids[c.id]}")
            if described:
                lines.extend(f"{pad}{ids[c.id]} : {mermaid_escape(r)}" for r in rows[c.id])
            if c.kind == "final":
                lines.append(f"{pad}{ids[c.id]} --> [*]")
    lines.extend(f"{pad}{e}" for e in edges.get(s.index, []))
