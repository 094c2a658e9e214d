"""Graphviz diagrams: charts, actor systems, state graphs, and message sequence charts of traces.

Every ``*_dot`` function returns a :class:`graphviz.Digraph` (DOT text, no binary needed:
``.source``); ``render`` writes ``.dot`` / ``.svg`` / ``.png`` / ``.pdf`` files, and the
image formats need Graphviz's ``dot`` program (:class:`GraphvizNotInstalled` otherwise).
``trace_svg`` draws its sequence chart by hand and needs no binary at all.

The package's modules: ``rendering`` (colours, the errors, rendering DOT with Graphviz's ``dot``),
``charts``, ``systems``, ``traces`` (sequence charts) and ``state_graphs``; ``previews`` registers
the notebook pictures in :mod:`statecharts.preview` when the package is imported.
"""

from __future__ import annotations

from .charts import chart_dot, chart_svg, transition_label, transition_label_lines
from .previews import register_previews
from .rendering import DiagramError, GraphTooLarge, GraphvizNotInstalled, render
from .state_graphs import state_graph_dot
from .systems import message_flows, system_dot, system_svg
from .traces import trace_dot, trace_svg

__all__ = [
    "DiagramError",
    "GraphTooLarge",
    "GraphvizNotInstalled",
    "chart_dot",
    "chart_svg",
    "message_flows",
    "register_previews",
    "render",
    "state_graph_dot",
    "system_dot",
    "system_svg",
    "trace_dot",
    "trace_svg",
    "transition_label",
    "transition_label_lines",
]
