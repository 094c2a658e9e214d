"""Colours and fonts, the errors, and rendering DOT text to an image with Graphviz's ``dot``."""

from __future__ import annotations

import shutil
from os import PathLike
from pathlib import Path
from typing import Any

import graphviz

from statecharts.errors import ExportError, ToolMissing

FONT = "Helvetica,Arial,sans-serif"
ACTIVE_FILL = "#ffe08a"
ACTIVE_CLUSTER_FILL = "#fff7dc"
ACTIVE_LINE = "#c98a00"
TAKEN = "#d62728"
PATH = "#1565c0"
BAD = "#c62828"



class GraphvizNotInstalled(ToolMissing, RuntimeError):
    """The Graphviz ``dot`` program is needed to render an image and is not on PATH."""

    def __init__(self, what: str = "rendering SVG/PNG/PDF") -> None:
        super().__init__(
            f"Graphviz's 'dot' program is not installed (needed for {what}). Install it with "
            "'apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' (macOS) or from graphviz.org; "
            "DOT text (.source, or render(..., 'x.dot')) and trace_svg() work without it."
        )


class DiagramError(ExportError, ValueError):
    """A diagram was asked for with an option the model does not fit (an unknown state, a bad direction); the message says how to fix it."""


RANKDIRS = ("TB", "LR", "BT", "RL")


def _check_rankdir(rankdir: Any) -> str:
    if rankdir not in RANKDIRS:
        raise DiagramError(f"rankdir {rankdir!r}: use one of {', '.join(RANKDIRS)}")
    return str(rankdir)


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
                raise DiagramError(f"{out.name}: SVG text can only be written to a .svg file (use trace_dot() for other formats)")
            out.write_text(dot, encoding="utf-8")
            return out
        dot = graphviz.Source(dot)
    if ext in ("dot", "gv"):
        out.write_text(dot.source, encoding="utf-8")
        return out
    if ext not in ("svg", "png", "pdf", "jpg", "jpeg"):
        raise DiagramError(f"{out.name}: unknown diagram format {ext!r}; use .dot, .svg, .png or .pdf")
    out.write_bytes(_pipe(dot, "jpg" if ext == "jpeg" else ext))
    return out


def _svg(dot: graphviz.Digraph) -> str:
    return _pipe(dot, "svg").decode("utf-8")


def _text(*lines: str) -> str:
    """A plain DOT label: each line escaped (quotes, backslashes), joined by centered line breaks."""
    return graphviz.nohtml("\\n".join(graphviz.escape(s) for s in lines))


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


