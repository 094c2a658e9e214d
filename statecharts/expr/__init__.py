"""The expression language of guards and actions: a small tree that evaluates, prints and translates.

Expressions are written either in Python with the ``ctx`` / ``event`` builders
(``ctx.retries < 3``) or as strings in the same language (``"ctx.retries < 3"``). Strings
are parsed with :mod:`ast` into this tree under a whitelist and are never ``eval``'d, so a
document from an untrusted source cannot run code. The tree compiles to one Python function for speed,
prints as a readable label and is translated to TLA+ by ``exporters.tla``.

The package's modules, one idea each: ``tree`` (the node classes), ``functions`` (built-in
functions and operators), ``builders`` (``ctx``, ``event``, ``Expr`` and the helpers), ``parsing``
(strings, under a whitelist), ``walking``, ``printing`` and ``compiling`` (``compile_expr``, the
one evaluator, and :class:`Extension`, the hook through which a layer above adds functions).
"""

from __future__ import annotations

from .builders import Expr, In, all_of, and_, any_of, call, const, ctx, event, if_else, node_of, not_, or_, py, var
from .compiling import ContextView, Evaluator, Extension, compile_expr
from .functions import FUNCTIONS
from .parsing import parse, to_node
from .printing import to_source
from .tree import Attr, BinOp, BoolOp, Call, Compare, Const, Ctx, EventAttr, EventField, IfElse, Index, InState, MapLit, Node, PyFunc, Quant, SetLit, TupleLit, Unary, Var
from .walking import children, context_fields, walk

__all__ = [
    "FUNCTIONS",
    "Attr",
    "BinOp",
    "BoolOp",
    "Call",
    "Compare",
    "Const",
    "ContextView",
    "Ctx",
    "Evaluator",
    "EventAttr",
    "EventField",
    "Expr",
    "Extension",
    "IfElse",
    "In",
    "InState",
    "Index",
    "MapLit",
    "Node",
    "PyFunc",
    "Quant",
    "SetLit",
    "TupleLit",
    "Unary",
    "Var",
    "all_of",
    "and_",
    "any_of",
    "call",
    "children",
    "compile_expr",
    "const",
    "context_fields",
    "ctx",
    "event",
    "if_else",
    "node_of",
    "not_",
    "or_",
    "parse",
    "py",
    "to_node",
    "to_source",
    "var",
    "walk",
]
