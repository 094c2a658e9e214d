"""Registers this package's drawers as the notebook previews (see :mod:`statecharts.preview`)."""

from __future__ import annotations

from statecharts import preview

from .charts import chart_svg
from .systems import system_svg
from .traces import trace_svg


def register_previews() -> None:
    """Make this module's drawers the notebook pictures of charts, systems and traces (see statecharts.preview)."""
    preview.register("chart", chart_svg)
    preview.register("system", system_svg)
    preview.register("trace", trace_svg)


register_previews()
