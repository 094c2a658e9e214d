"""The reader's base: located errors (``file:line <element>``) and expressions read into the expression tree.

Every expression goes through ``statecharts.expr.parse`` (after the ECMAScript rewrite when
the document asks for it), never ``eval``; with ``strict_expressions=False`` one that does not
parse becomes a node that raises ``error.execution`` when evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NoReturn

from ..actions import Action
from ..ecmascript import _substitute_system_variables, ecmascript_to_python
from ..errors import ChartDefinitionError, ExpressionError
from ..expr import Const, Node, PyFunc, parse, to_source
from ..limits import MAX_EXPRESSION_CHARS
from .parsing import _El


class _ReaderBase:
    """What every part of the reader needs: the document's names, its data fields, errors and expressions."""

    def __init__(
        self,
        root: _El,
        source: str,
        name: str | None,
        default_name: str,
        rewrite: bool | None,
        strict: bool,
    ) -> None:
        self.root = root
        self.source = source
        self.name = name or root.attrib.get("name") or default_name
        datamodel = root.attrib.get("datamodel", "")
        self.datamodel = datamodel
        self.rewrite = (datamodel.lower() == "ecmascript") if rewrite is None else rewrite
        self.strict = strict
        self.session = f"{self.name}-session"
        self.state_ids: dict[str, _El] = {}
        self.fields: dict[str, Any] = {}
        self.data_init: list[Action] = []
        self.send_count = 0

    # -- errors

    def fail(self, el: _El, problem: str, hint: str | None = None) -> NoReturn:
        raise ChartDefinitionError(f"{self.source}:{el.line} {el.label()}", problem, hint)

    def event_name(self, el: _El, event: str) -> str:
        """A non-empty event name (an empty one would silently make an eventless step)."""
        if not event.strip():
            self.fail(el, f"empty event name {event!r}", "name the event, e.g. event='done'")
        return event

    def attr(self, el: _El, key: str) -> str:
        value = el.attrib.get(key)
        if value is None:
            self.fail(el, f"missing required attribute {key!r}")
        return value

    # -- expressions

    def text_of(self, expr: str) -> str:
        text = " ".join(expr.split("\n")).strip()
        if self.rewrite:
            text = ecmascript_to_python(text)
        return _substitute_system_variables(text, self.session, self.name)

    def expr(self, el: _El, expr: str, what: str, bound: Iterable[str] = ()) -> Node:
        if len(expr) > MAX_EXPRESSION_CHARS:  # before rewriting it token by token
            self.fail(el, f"{what} of {len(expr):,} characters is longer than the limit of {MAX_EXPRESSION_CHARS:,}", "write it in smaller parts")
        try:
            text = self.text_of(expr)
        except ExpressionError as e:  # the ECMAScript rewriter's own bounds
            self.fail(el, f"bad {what} {' '.join(expr.split())[:60]!r}: {e.problem}", e.hint)
        try:
            return parse(text, self.fields, bound)
        except ExpressionError as e:
            reason = re.sub(r"^(in expression|cannot parse expression) .*?: ", "", str(e), count=1, flags=re.DOTALL)
            original = " ".join(expr.split())
            rewritten = f" (read as {text!r})" if text != original else ""
            problem = f"bad {what} {original!r}{rewritten}: {reason}"
            if self.strict:
                hint = "expressions use the Python-like language of statecharts.expr; data ids are bare names"
                unknown = re.search(r"unknown name '(\w+)'", reason)
                if unknown:
                    known = ", ".join(self.fields) or "none"
                    hint = f"declare {unknown.group(1)!r} with <data id=...> in a <datamodel> (declared: {known})"
                if not self.rewrite and re.search(r"===|!==|&&|\|\||\btrue\b|\bfalse\b|\bnull\b", expr):
                    hint = "this looks like ECMAScript: declare datamodel='ecmascript' or pass rewrite_ecmascript=True"
                self.fail(el, problem, hint)
            return _deferred_error(f"{self.source}:{el.line} {el.label()}: {problem}")

    def attr_expr(self, el: _El, key: str, bound: Iterable[str] = ()) -> Node:
        return self.expr(el, self.attr(el, key), f"{key} expression", bound)

    def constant(self, el: _El, node: Node, what: str) -> Any:
        if not isinstance(node, Const):
            self.fail(el, f"{what} must be a constant here, not {to_source(node)!r}", "dynamic values are not supported for it")
        return node.value


def _deferred_error(message: str) -> Node:
    """An expression that raises when evaluated (``error.execution`` in an SCXML chart)."""

    def fail(ctx: Any, event: Any) -> Any:
        raise ExpressionError(message)

    return PyFunc(fail, "invalid expression")
