"""Notebook pictures, registered by the layer that draws them.

A Chart, a System and a Trace render in Jupyter, but the chart core and ``simulate`` must not
import ``exporters`` (the layering). So they ask this registry for a drawer by kind, and
``exporters.graphviz`` fills it: when it is imported, and, through the ``statecharts.previews``
entry point group (pyproject.toml), the first time a drawer is asked for and none is registered,
so a notebook that imports only ``statecharts`` and ``simulate`` still shows pictures when the
package is installed. Kinds: ``"chart"`` (a Chart), ``"system"`` (a System), ``"trace"`` (a
Trace or Verdict, its source, ``verdict=``); each drawer returns SVG text.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata
from typing import Any

__all__ = ["ENTRY_POINTS", "KINDS", "drawer", "register", "svg"]

KINDS = ("chart", "system", "trace")
ENTRY_POINTS = "statecharts.previews"
"""The entry point group whose callables register drawers (``exporters.graphviz:register_previews``)."""

_drawers: dict[str, Callable[..., str]] = {}
_plugins_loaded = False


def register(kind: str, fn: Callable[..., str]) -> None:
    """Make ``fn`` the drawer of ``kind`` (one of :data:`KINDS`); a later registration replaces an earlier one."""
    if kind not in KINDS:
        from .errors import StatechartError

        raise StatechartError(f"preview kind {kind!r} is unknown: register one of {', '.join(KINDS)}")
    _drawers[kind] = fn


def drawer(kind: str) -> Callable[..., str] | None:
    """The drawer registered for ``kind``, loading the entry point group once if none is; None when nobody draws it."""
    global _plugins_loaded
    if kind not in _drawers and not _plugins_loaded:
        _plugins_loaded = True
        for point in sorted(metadata.entry_points(group=ENTRY_POINTS), key=lambda p: (p.name, p.value)):
            try:
                point.load()()
            except ImportError:  # the drawing layer's own dependency is missing: no picture, not an error
                continue
    return _drawers.get(kind)


def svg(kind: str, *args: Any, **options: Any) -> str | None:
    """SVG of the object by its registered drawer, or None when none is registered or it cannot draw (no Graphviz)."""
    fn = drawer(kind)
    if fn is None:
        return None
    try:
        return fn(*args, **options)
    except Exception:  # a notebook preview never raises: Graphviz missing, or a drawing bug, shows the repr instead
        return None
