"""Reading an SCXML document's XML safely into a light element tree with line numbers.

Parsed with :mod:`defusedxml` (no DTDs, no entities, no external references), built
iteratively by a parser target, and bounded in depth (``MAX_NESTING``) while it is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException

from ..errors import ChartDefinitionError

SCXML_NS = "http://www.w3.org/2005/07/scxml"
"""The SCXML namespace; elements may also come without a namespace."""

MAX_NESTING = 200
"""The deepest element nesting a document may have, ``<scxml>`` being level 1.

Checked while the XML is read (iteratively), so no deeper tree is ever built: the chart
builder, the engine, the exporters and the explorer all walk state trees and executable
content recursively, and a bound at the door protects every one of them.
"""


@dataclass
class _El:
    """An element of the document with the line it starts on."""

    tag: str
    attrib: dict[str, str]
    line: int
    children: list[_El] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The character data directly inside the element."""
        return "".join(self.parts)

    def label(self) -> str:
        """``<state id='a'>`` for messages."""
        ident = self.attrib.get("id")
        return f"<{self.tag} id={ident!r}>" if ident else f"<{self.tag}>"


class _TreeTarget:
    """A parser target building ``_El`` nodes and recording each element's line number."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.stack: list[_El] = []
        self.root: _El | None = None
        self.line: Callable[[], int] = lambda: 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """Open an element."""
        ns, local = "", tag
        if tag.startswith("{"):
            ns, local = tag[1:].split("}", 1)
        line = self.line()
        if ns not in ("", SCXML_NS):
            raise ChartDefinitionError(
                f"{self.source}:{line} <{local}>",
                f"element in the foreign namespace {ns!r}",
                f"only SCXML elements ({SCXML_NS}) are supported",
            )
        el = _El(local, {k.split("}")[-1]: v for k, v in attrib.items()}, line)
        if len(self.stack) >= MAX_NESTING:
            raise ChartDefinitionError(
                f"{self.source}:{line} {el.label()}",
                f"elements are nested more than {MAX_NESTING} deep",
                "flatten the document: split deep state trees or nested <if>/<foreach> into sibling states",
            )
        if self.stack:
            self.stack[-1].children.append(el)
        else:
            self.root = el
        self.stack.append(el)

    def end(self, tag: str) -> None:
        """Close an element."""
        self.stack.pop()

    def data(self, text: str) -> None:
        """Character data of the current element."""
        if self.stack:
            self.stack[-1].parts.append(text)

    def close(self) -> _El | None:
        """The document element."""
        return self.root


def _lstrip_document(text: str | bytes) -> tuple[str | bytes, int]:
    """The text without a leading byte-order mark and whitespace, and how many lines that removed.

    Whitespace may not precede an ``<?xml ...?>`` declaration, and a BOM inside a str is
    just a character to expat; both come from ordinary editors, so both are dropped (the
    line count keeps error messages pointing at the right line).
    """
    if isinstance(text, str):
        rest = text.lstrip("\ufeff \t\r\n")
        return rest, text[: len(text) - len(rest)].count("\n")
    body = text[3:] if text.startswith(b"\xef\xbb\xbf") else text
    rest_b = body.lstrip(b" \t\r\n")
    return rest_b, body[: len(body) - len(rest_b)].count(b"\n")


def _read_xml(text: str | bytes, source: str) -> _El:
    text, offset = _lstrip_document(text)
    target = _TreeTarget(source)
    parser = DefusedET.DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    expat = parser.parser
    target.line = lambda: int(expat.CurrentLineNumber) + offset
    try:
        parser.feed(text)
        root = parser.close()
    except DefusedXmlException as e:
        raise ChartDefinitionError(
            source,
            f"forbidden XML construct: {type(e).__name__} ({e})",
            "SCXML documents may not declare a DTD, entities or external references",
        ) from None
    except DefusedET.ParseError as e:
        line = getattr(e, "position", (0, 0))[0] + offset
        start = text[:1] if isinstance(text, str) else text[:1].decode("latin-1")
        hint = "fix the XML syntax" if start == "<" else "this is not an XML document; to read a file, call load_scxml(path)"
        raise ChartDefinitionError(f"{source}:{line}", f"not well-formed XML: {e}", hint) from None
    if root is None or root.tag != "scxml":
        tag = root.tag if root is not None else "nothing"
        raise ChartDefinitionError(source, f"the document element is <{tag}>, not <scxml>", "a document starts with <scxml>")
    return root
