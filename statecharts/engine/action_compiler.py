"""The action compiler: a chart's guards and executable content compiled to closures over a run."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..actions import (
    SENDER,
    Action,
    Assign,
    Cancel,
    Choose,
    Foreach,
    If,
    Log,
    PyAction,
    Raise,
    Send,
)
from ..errors import ChartDefinitionError, ExecutionError, ExpressionError, StatechartError
from ..expr import Evaluator, Node, compile_expr
from ..limits import check_calls
from ..values import EMPTY, Event, FrozenMap, canonical_items, freeze

if TYPE_CHECKING:
    pass


from .values import CONTENT, ActionFn, Cancelled, Outgoing, _Abort, _NoChoice, _Part, _Run


class _ActionCompiler(_Part):
    """The action compiler: a chart's guards and executable content compiled to closures over a run."""

    def _expr(self, node: Node, where: str) -> Evaluator:
        try:
            check_calls(node, self.chart.context)
            return compile_expr(node, self.fields, self.state_mask)
        except ExpressionError as e:
            raise ChartDefinitionError(f"chart {self.chart.name!r} / {where}", str(e)) from None


    def _block(self, actions: Sequence[Action], where: str) -> ActionFn | None:
        if not actions:
            return None
        fns = [self._action(a, where) for a in actions]
        on_error_event = self.on_error == "event"
        names = self.names

        def run_block(run: _Run) -> None:
            try:
                for f in fns:
                    f(run)
            except (_NoChoice, _Abort, ExecutionError):
                raise
            except Exception as e:
                if on_error_event:
                    run.internal.append(Event("error.execution", FrozenMap(message=str(e))))
                    return
                raise ExecutionError(where, names(run.source_cfg), e) from e

        if len(fns) == 1 and not on_error_event:
            (only,) = fns

            def run_one(run: _Run) -> None:
                try:
                    only(run)
                except (_NoChoice, _Abort, ExecutionError):
                    raise
                except Exception as e:
                    raise ExecutionError(where, names(run.source_cfg), e) from e

            return run_one
        return run_block

    def _data(self, data: tuple[tuple[str, Node], ...], where: str) -> Callable[[_Run], Any]:
        if not data:
            return lambda run: EMPTY
        if len(data) == 1 and data[0][0] == CONTENT:
            whole = self._expr(data[0][1], where)
            return lambda run: whole(run.ctx, run.ev, run.cfg, run.vars)
        pairs = [(k, self._expr(v, where)) for k, v in data]
        return lambda run: FrozenMap({k: f(run.ctx, run.ev, run.cfg, run.vars) for k, f in pairs})

    def _inner(self, actions: Sequence[Action], where: str) -> Callable[[_Run], None]:
        fns = [self._action(a, where) for a in actions]

        def run_all(run: _Run) -> None:
            for f in fns:
                f(run)

        return run_all

    def _action(self, a: Action, where: str) -> ActionFn:
        if isinstance(a, Assign):
            steps = []
            for name, node in a.updates:
                steps.append((self.fields[name], _integers_only(self._expr(node, where), node, name)))
            if len(steps) == 1:
                ((i, f),) = steps

                def assign1(run: _Run) -> None:
                    run.ctx[i] = f(run.ctx, run.ev, run.cfg, run.vars)

                return assign1

            def assign(run: _Run) -> None:
                # simultaneous, like TLA+ primed variables: every value is computed from the old context
                values = [f(run.ctx, run.ev, run.cfg, run.vars) for _, f in steps]
                for (i, _), v in zip(steps, values):
                    run.ctx[i] = v

            return assign
        if isinstance(a, Raise):
            name = a.event
            data = self._data(a.data, where)
            return lambda run: run.internal.append(Event(name, data(run)))
        if isinstance(a, Send):
            return self._send(a, where)
        if isinstance(a, Cancel):
            sid = a.send_id
            return lambda run: run.out.append(Cancelled(sid))
        if isinstance(a, Log):
            label = a.label
            if a.expr is None:
                return lambda run: run.logs.append((label, None))
            f = self._expr(a.expr, where)
            return lambda run: run.logs.append((label, f(run.ctx, run.ev, run.cfg, run.vars)))
        if isinstance(a, If):
            branches = [(self._expr(c, where), self._inner(body, where)) for c, body in a.branches]
            other = self._inner(a.otherwise, where)

            def if_(run: _Run) -> None:
                for cond, body in branches:
                    if cond(run.ctx, run.ev, run.cfg, run.vars):
                        body(run)
                        return
                other(run)

            return if_
        if isinstance(a, Choose):
            dom = self._expr(a.domain, where)
            body = self._inner(a.body, where)
            var = a.var

            def choose(run: _Run) -> None:
                d = dom(run.ctx, run.ev, run.cfg, run.vars)
                values = canonical_items(d)  # sets in canonical order, never hash order
                if not values:
                    raise _NoChoice()
                pick = run.choose(len(values))
                saved = run.vars
                run.vars = {**saved, var: values[pick]}
                try:
                    body(run)
                finally:
                    run.vars = saved

            return choose
        if isinstance(a, Foreach):
            arr = self._expr(a.array, where)
            body = self._inner(a.body, where)
            item, index = a.item, a.index

            def foreach(run: _Run) -> None:
                values = canonical_items(arr(run.ctx, run.ev, run.cfg, run.vars))  # a set or map: canonical order
                saved = run.vars
                try:
                    for k, v in enumerate(values):
                        run.vars = {**saved, item: v}
                        if index:
                            run.vars[index] = k
                        body(run)
                finally:
                    run.vars = saved

            return foreach
        if isinstance(a, PyAction):
            fn, fields = a.fn, self.fields
            from ..expr import ContextView
            from ..values import FLOAT_RULE, has_float

            def py(run: _Run) -> None:
                updates = fn(ContextView(run.ctx, fields), run.ev)
                if updates is None:
                    return
                if not isinstance(updates, Mapping):
                    raise TypeError(f"python action {a.label!r} must return a mapping of field updates or None, not {type(updates).__name__}")
                for k, v in updates.items():
                    if k not in fields:
                        raise KeyError(f"python action {a.label!r} assigned unknown context field {k!r}")
                    run.ctx[fields[k]] = v = freeze(v)
                    if has_float(v):
                        raise TypeError(f"python action {a.label!r} set context field {k!r} to the floating-point number {v!r}: {FLOAT_RULE}")

            return py
        raise ChartDefinitionError(where, f"{a!r} is not an action")

    def _send(self, a: Send, where: str) -> ActionFn:
        data = self._data(a.data, where)
        name, delay, sid, bcast = a.event, a.delay, a.send_id, a.broadcast
        target = a.target
        if isinstance(target, Node):
            tf = self._expr(target, where)

            def send_expr(run: _Run) -> None:
                run.out.append(Outgoing(str(tf(run.ctx, run.ev, run.cfg, run.vars)), Event(name, data(run)), delay, sid, bcast))

            return send_expr
        if a.index is not None:
            idx = self._expr(a.index, where)
            group = target

            def send_index(run: _Run) -> None:
                i = idx(run.ctx, run.ev, run.cfg, run.vars)
                run.out.append(Outgoing(f"{group}[{i}]", Event(name, data(run)), delay, sid, bcast))

            return send_index
        if target == SENDER:

            def send_reply(run: _Run) -> None:
                origin = run.ev.origin
                if origin is None:
                    raise StatechartError(f"reply to event {run.ev.name!r}, which has no sender")
                run.out.append(Outgoing(origin, Event(name, data(run)), delay, sid, bcast))

            return send_reply
        return lambda run: run.out.append(Outgoing(target, Event(name, data(run)), delay, sid, bcast))

    # ------------------------------------------------------------------ inspection

def _integers_only(f: Callable[..., Any], node: Node, field: str) -> Callable[..., Any]:
    """f, checked for floats when node holds a Python callable (the language itself has integers only)."""
    from ..expr import PyFunc, walk
    from ..values import FLOAT_RULE, has_float

    if not any(isinstance(n, PyFunc) for n in walk(node)):
        return f

    def checked(*args: Any) -> Any:
        value = f(*args)
        if has_float(value):
            raise TypeError(f"assigning {value!r} to context field {field!r}: a floating-point number; {FLOAT_RULE}")
        return value

    return checked


