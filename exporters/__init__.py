"""exporters: turn a chart, a system or a result into something to look at or to hand to another tool.

The public surface is per module (each has ``__all__``): :mod:`exporters.graphviz` (DOT, SVG,
sequence charts; it registers the notebook previews, see :mod:`statecharts.preview`),
:mod:`exporters.mermaid`, :mod:`exporters.tla` (TLA+ specification and TLC configuration),
:mod:`exporters.tlc` (running TLC, replaying its traces) and :mod:`exporters.report` (the HTML
report). Importing this package imports none of them, so each costs only when used.
"""
