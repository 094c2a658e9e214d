"""Invariants and goals evaluated on a block of states at once, from their columns of local ids.

A predicate that reads only which states the actors are in (``In``, ``any_in``, ``all_in``,
combined with ``not``, ``and``, ``or``) is a function of each instance's local state. A table per
(chart, state) says for every local id whether it is in that state, so a block of rows is checked
with a few numpy gathers instead of one call per state. The sharded explorer keeps its frontier as
such rows (``batch.Rows``) and checks it this way; any other predicate is evaluated state by state.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from typing import Any

import numpy as np
import numpy.typing as npt

from statecharts.expr.tree import BoolOp, Call, Const, Node, Quant, Unary, Var

from .batch import Grown
from .model import Model
from .properties import system_node

__all__ = ["BlockPredicate", "compile_block"]

BlockPredicate = Callable[[npt.NDArray[np.uint32]], npt.NDArray[np.bool_]]
"""Columns of local ids (one row per state, one column per instance) -> the predicate's value per row."""


class _Unsupported(Exception):
    """The predicate reads something other than the actors' states: it is evaluated state by state."""


def compile_block(model: Model, spec: Any, where: str) -> BlockPredicate | None:
    """The predicate ``spec`` over blocks of rows, or None when it reads more than which states the actors are in.

    Compile it with ``properties.compile_predicate`` first: that one reports unknown names."""
    try:
        return _Compiler(model).node(system_node(spec, where), {})
    except _Unsupported:
        return None


class _InTable:
    """Per local id, whether its chart state is in one state (a configuration mask), extended as the model interns."""

    def __init__(self, model: Model, mask: int) -> None:
        self.values = model.local_values
        self.mask = mask
        self.column = Grown(bool)

    def array(self) -> npt.NDArray[np.bool_]:
        values, mask = self.values, self.mask
        return self.column.extend(len(values), lambda a, b: [bool(values[x][1].config & mask) for x in range(a, b)])


class _Compiler:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.tables: dict[tuple[int, int], _InTable] = {}

    def node(self, n: Node, env: dict[str, int]) -> BlockPredicate:
        if isinstance(n, Const) and type(n.value) is bool:
            value = n.value
            return lambda cols: np.full(len(cols), value, dtype=bool)
        if isinstance(n, Unary) and n.op == "not":
            inner = self.node(n.operand, env)
            return lambda cols: ~inner(cols)
        if isinstance(n, BoolOp) and n.op in ("and", "or"):
            return self._combine(n.op, [self.node(x, env) for x in n.items])
        if isinstance(n, Quant) and n.kind in ("any", "all") and n.cond is None:
            dom = n.domain
            if not (isinstance(dom, Call) and dom.fn == "instances" and len(dom.args) == 1 and isinstance(dom.args[0], Const)):
                raise _Unsupported
            group = self.model.groups.get(dom.args[0].value)  # type: ignore[arg-type]
            if group is None:
                raise _Unsupported
            parts = [self.node(n.body, {**env, n.var: i}) for i in group]
            if not parts:
                return self.node(Const(n.kind == "all"), env)
            return self._combine("or" if n.kind == "any" else "and", parts)
        if isinstance(n, Call) and n.fn == "In" and len(n.args) == 2:
            who, what = n.args
            if isinstance(who, Var) and who.name in env:
                i = env[who.name]
            elif isinstance(who, Const) and who.value in self.model.index_of:
                i = self.model.index_of[who.value]  # type: ignore[index]
            else:
                raise _Unsupported
            if not (isinstance(what, Const) and isinstance(what.value, str)):
                raise _Unsupported
            return self._in_state(i, what.value)
        raise _Unsupported

    def _combine(self, op: str, parts: list[BlockPredicate]) -> BlockPredicate:
        if len(parts) == 1:
            return parts[0]
        if op == "and":
            return lambda cols: reduce(np.logical_and, (p(cols) for p in parts))
        return lambda cols: reduce(np.logical_or, (p(cols) for p in parts))

    def _in_state(self, i: int, state: str) -> BlockPredicate:
        m = self.model
        chart = m.charts[i]
        if state not in chart.states:  # as the state-by-state evaluation: an instance whose chart lacks it is not in it
            return self.node(Const(False), {})
        mask = chart.engine.state_mask(state)
        key = (m.chart_no[i], mask)
        table = self.tables.get(key)
        if table is None:
            table = self.tables[key] = _InTable(m, mask)
        return lambda cols: table.array()[cols[:, i]]
