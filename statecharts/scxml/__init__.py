"""Reading W3C SCXML documents into charts: ``load_scxml(path_or_text) -> Chart``.

Documents are parsed with :mod:`defusedxml` (no DTDs, no entities, no external
references), and every expression in them goes through ``statecharts.expr.parse``: it is
turned into the expression language's tree, never ``eval``'d. The datamodel's ``<data>``
ids become the chart's context fields and can be used as bare names (``x + 1``).

ECMAScript documents are supported through :func:`ecmascript_to_python`, a mechanical,
token-level rewrite (``===`` to ``==``, ``&&`` to ``and``, ``true`` to ``True``, object
literals with bare keys to maps, ...). What needs a real JavaScript engine (functions,
``JSON.stringify``, ``typeof``, external ``.js`` files) is rejected with an error naming
the element and its line.

Charts read from SCXML use ``on_error="event"``: an error in executable content raises
``error.execution`` as the Recommendation says. With ``strict_expressions=False`` an
expression that does not parse is not rejected when the document is loaded but raises
``error.execution`` when it is evaluated (what a W3C processor does).

The package's parts: ``parsing`` (the XML, read safely into an element tree with line
numbers), ``expressions`` (located errors and expressions), ``content`` (executable
content to actions) and ``document`` (the document and its states to a Chart).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..chart import Chart
from ..ecmascript import ecmascript_to_python
from ..errors import ChartDefinitionError
from .document import _Reader
from .parsing import MAX_NESTING, SCXML_NS, _read_xml

__all__ = ["MAX_NESTING", "SCXML_NS", "ecmascript_to_python", "load_scxml", "parse_scxml"]


def load_scxml(
    path_or_text: str | bytes | os.PathLike[str],
    *,
    name: str | None = None,
    rewrite_ecmascript: bool | None = None,
    strict_expressions: bool = True,
) -> Chart:
    """Read an SCXML document into a Chart: from a file (a ``Path``, or a str that is not XML) or from its text.

    Bytes are always the document; a ``Path`` (any ``os.PathLike``) is always a file; a
    str is the document when, after a byte-order mark and whitespace, it starts with
    ``<``, else a file path (use :func:`parse_scxml` to say "this is text" explicitly).
    ``rewrite_ecmascript`` applies :func:`ecmascript_to_python` to every expression; by
    default it is on exactly when the document declares ``datamodel="ecmascript"``.
    ``strict_expressions=False`` defers an unparsable expression to run time, where it
    raises ``error.execution`` (W3C behaviour) instead of rejecting the document.
    """
    options: dict[str, Any] = {"name": name, "rewrite_ecmascript": rewrite_ecmascript, "strict_expressions": strict_expressions}
    if isinstance(path_or_text, (bytes, bytearray)):
        return parse_scxml(bytes(path_or_text), **options)
    if isinstance(path_or_text, str):
        if path_or_text.lstrip("\ufeff \t\r\n").startswith("<"):
            return parse_scxml(path_or_text, **options)
        why = "a str that does not start with '<' is read as a path"
    elif isinstance(path_or_text, os.PathLike):
        why = "a Path is read as a path"
    else:
        raise ChartDefinitionError(
            "load_scxml",
            f"cannot read an SCXML document from {type(path_or_text).__name__}",
            "pass a file path (str or Path) or the document's text (str or bytes)",
        )
    shown = os.fspath(path_or_text)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    try:
        path = Path(path_or_text)
        data = path.read_bytes()
    except (OSError, ValueError) as e:
        reason = (e.strerror if isinstance(e, OSError) else None) or str(e)
        raise ChartDefinitionError(
            f"SCXML document {shown!r}",
            f"cannot read it as a path: {reason}",
            f"{why}; to read SCXML text, call parse_scxml(text)",
        ) from None
    return parse_scxml(data, **options, source=str(path), default_name=path.stem)


def parse_scxml(
    text: str | bytes,
    *,
    name: str | None = None,
    rewrite_ecmascript: bool | None = None,
    strict_expressions: bool = True,
    source: str = "<scxml>",
    default_name: str = "scxml",
) -> Chart:
    """Read SCXML text into a Chart (see ``load_scxml``); ``source`` names the document in errors."""
    if not isinstance(text, (str, bytes)):
        raise ChartDefinitionError(
            "parse_scxml", f"takes the document as str or bytes, not {type(text).__name__}", "to read a file, call load_scxml(path)"
        )
    root = _read_xml(text, source)
    return _Reader(root, source, name, default_name, rewrite_ecmascript, strict_expressions).chart()
