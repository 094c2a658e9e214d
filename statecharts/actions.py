"""Executable content: assign, raise, send, log, if, choose, foreach and the Python escape hatch.

Actions are data, like guards: each is a small immutable record over expressions, so it can
be executed (compiled to a closure by ``statecharts.engine``), printed on a diagram and
translated to TLA+. ``send`` records an outgoing message in the macrostep's outputs; the
actor layer (``simulate``) decides where it goes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .durations import DURATION_HINT, DurationProblem, duration_ms
from .errors import ChartDefinitionError, ExpressionError
from .expr import Expr, Node, Var, node_of, to_node, to_source

# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Assign:
    """Set context fields simultaneously: every value is computed from the context before the action.

    This is TLA+'s meaning of primed variables (and XState's ``assign``); write two
    ``assign`` actions for updates that must see each other.
    """

    updates: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class Raise:
    """Put an event on the chart's internal queue (processed within the same macrostep)."""

    event: str
    data: tuple[tuple[str, Node], ...] = ()


SELF = "<self>"
"""Send target meaning: this chart's own external queue (timers, SCXML sends without a target)."""

SENDER = "<sender>"
"""Send target meaning: whoever sent the event being processed (``reply``)."""


@dataclass(frozen=True, slots=True)
class Send:
    """Send an event to another actor (or to this chart itself, possibly delayed).

    ``target`` is an actor name, an instance ``group[i]`` (the index may be an expression),
    ``SENDER`` for a reply, or an expression evaluating to an actor name. ``broadcast``
    sends to every instance of a group.
    """

    target: str | Node
    event: str
    data: tuple[tuple[str, Node], ...] = ()
    index: Node | None = None
    broadcast: bool = False
    delay: int | None = None
    send_id: str | None = None


@dataclass(frozen=True, slots=True)
class Cancel:
    """Cancel a delayed send by its id."""

    send_id: str


@dataclass(frozen=True, slots=True)
class Log:
    """Record a value in the macrostep's log (no effect on state)."""

    label: str
    expr: Node | None = None


@dataclass(frozen=True, slots=True)
class If:
    """``if``/``elif``/``else``: the first branch whose condition holds runs."""

    branches: tuple[tuple[Node, tuple[Action, ...]], ...]
    otherwise: tuple[Action, ...] = ()


@dataclass(frozen=True, slots=True)
class Choose:
    """Nondeterministic choice: bind ``var`` to each value of ``domain``; each is a successor.

    The interpreter takes the first value (or a random one with a seeded chooser); the
    explorer takes them all.
    """

    var: str
    domain: Node
    body: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class Foreach:
    """Run the body once per item of a sequence, binding ``item`` (and ``index``)."""

    array: Node
    item: str
    index: str | None
    body: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class PyAction:
    """Python callable ``fn(ctx, event) -> mapping of field updates | None`` (escape hatch)."""

    fn: Callable[..., Any]
    label: str
    tla: str | None = None
    writes: tuple[str, ...] = field(default=())


Action = Assign | Raise | Send | Cancel | Log | If | Choose | Foreach | PyAction
ACTION_TYPES = (Assign, Raise, Send, Cancel, Log, If, Choose, Foreach, PyAction)

# --------------------------------------------------------------------------- builders


def _data(data: Mapping[str, Any]) -> tuple[tuple[str, Node], ...]:
    return tuple((k, to_node(v)) for k, v in data.items())


def _name(value: Any, what: str, call: str) -> str:
    """``value`` if it is a non-empty string, else a ChartDefinitionError naming the builder call (a bad one would fail later, raw)."""
    if not isinstance(value, str) or not value.strip():
        raise ChartDefinitionError(call, f"{what} {value!r} is not a non-empty string", f"give {call.split('(')[0]}() its {what} as a string, e.g. 'go'")
    return value


def assign(**updates: Any) -> Assign:
    """``assign(retries=ctx.retries + 1)``: set context fields, all computed from the old context."""
    if not updates:
        raise ExpressionError("assign() needs at least one field=value")
    return Assign(tuple((k, to_node(v)) for k, v in updates.items()))


def raise_(event: str, **data: Any) -> Raise:
    """Raise an internal event, processed before the next external one."""
    return Raise(_name(event, "event name", f"raise_({event!r})"), _data(data))


def send(target: str | Expr, event: str, *, delay: int | str | None = None, send_id: str | None = None, **data: Any) -> Send:
    """Send ``event`` with ``data`` to an actor: ``send("gateway", "post", conn=ctx.conn)``.

    ``target`` may name an instance, ``"lambda[0]"``, or be an expression giving the name.
    ``delay`` (a self-send's) is a duration like ``State(after=...)``'s: ``250`` (ms) or ``"1.5s"``.
    """
    call = f"send({target!r}, {event!r})"
    _name(event, "event name", call)
    if send_id is not None:
        _name(send_id, "send_id", call)
    if not isinstance(target, Expr):
        _name(target, "target", call)
    tgt: str | Node = target if isinstance(target, str) else node_of(target)
    if delay is not None:
        try:
            delay = duration_ms(delay)
        except DurationProblem as e:
            raise ChartDefinitionError(call, f"delay {e}", DURATION_HINT) from None
    return Send(tgt, event, _data(data), delay=delay, send_id=send_id)


def send_to(group: str, index: Any, event: str, **data: Any) -> Send:
    """Send to one instance of a group, chosen by an expression: ``send_to("rm", ctx.i, "commit")``."""
    call = f"send_to({group!r}, ..., {event!r})"
    return Send(_name(group, "group", call), _name(event, "event name", call), _data(data), index=to_node(index))


def reply(event: str, **data: Any) -> Send:
    """Send ``event`` back to whoever sent the event being processed."""
    return Send(SENDER, _name(event, "event name", f"reply({event!r})"), _data(data))


def broadcast(group: str, event: str, **data: Any) -> Send:
    """Send ``event`` to every instance of a group (or to the one actor of that name)."""
    call = f"broadcast({group!r}, {event!r})"
    return Send(_name(group, "group", call), _name(event, "event name", call), _data(data), broadcast=True)


def cancel(send_id: str) -> Cancel:
    """Cancel a pending delayed send."""
    return Cancel(_name(send_id, "send_id", f"cancel({send_id!r})"))


def log(label: str, expr: Any = None) -> Log:
    """Log a label and optionally a value."""
    return Log(label, None if expr is None else to_node(expr))


def if_(cond: Any, then: Any, *elifs_and_else: Any) -> If:
    """``if_(cond, [actions], cond2, [actions2], ..., [else_actions])``."""
    branches = [(to_node(cond), actions_of(then))]
    rest = list(elifs_and_else)
    otherwise: tuple[Action, ...] = ()
    while len(rest) >= 2:
        c, a = rest.pop(0), rest.pop(0)
        branches.append((to_node(c), actions_of(a)))
    if rest:
        otherwise = actions_of(rest[0])
    return If(tuple(branches), otherwise)


def choose(name: str, domain: Any, body: Callable[[Expr], Any] | Any) -> Choose:
    """``choose("x", range(1, 4), lambda x: assign(amount=x))``: one successor per value."""
    v = Expr(Var(name))
    actions = body(v) if callable(body) and not isinstance(body, ACTION_TYPES) else body
    return Choose(name, to_node(domain), actions_of(actions))


def foreach(array: Any, item: str, body: Callable[[Expr], Any] | Any, index: str | None = None) -> Foreach:
    """Run ``body`` for each element of a sequence."""
    v = Expr(Var(item))
    actions = body(v) if callable(body) and not isinstance(body, ACTION_TYPES) else body
    return Foreach(to_node(array), item, index, actions_of(actions))


def python(fn: Callable[..., Any], *, label: str | None = None, writes: Iterable[str] = (), tla: str | None = None) -> PyAction:
    """Wrap ``fn(ctx, event) -> {field: value} | None`` as an action (cannot be translated to TLA+)."""
    return PyAction(fn, label or str(getattr(fn, "__name__", "python")), tla, tuple(writes))


def actions_of(value: Any) -> tuple[Action, ...]:
    """Normalise one action, a callable, or a sequence of them, to a tuple of actions."""
    if value is None:
        return ()
    if isinstance(value, ACTION_TYPES):
        return (value,)
    if isinstance(value, (list, tuple)):
        out: list[Action] = []
        for v in value:
            out.extend(actions_of(v))
        return tuple(out)
    if callable(value) and not isinstance(value, (Expr, Node)):
        return (python(value),)
    raise ExpressionError(
        f"{value!r} is not an action",
        "use assign(...), raise_(...), send(...), log(...), if_(...), choose(...), or a Python callable fn(ctx, event)",
    )


# --------------------------------------------------------------------------- walking / printing


def sub_actions(a: Action) -> Sequence[Action]:
    """The nested actions of a compound action."""
    if isinstance(a, If):
        return [x for _, body in a.branches for x in body] + list(a.otherwise)
    if isinstance(a, (Choose, Foreach)):
        return a.body
    return ()


def expressions(a: Action) -> list[Node]:
    """The expressions an action evaluates directly (not those of nested actions)."""
    if isinstance(a, Assign):
        return [n for _, n in a.updates]
    if isinstance(a, (Raise,)):
        return [n for _, n in a.data]
    if isinstance(a, Send):
        out = [n for _, n in a.data]
        if isinstance(a.target, Node):
            out.append(a.target)
        if a.index is not None:
            out.append(a.index)
        return out
    if isinstance(a, Log):
        return [a.expr] if a.expr is not None else []
    if isinstance(a, If):
        return [c for c, _ in a.branches]
    if isinstance(a, Choose):
        return [a.domain]
    if isinstance(a, Foreach):
        return [a.array]
    return []


def describe(a: Action, short: bool = True) -> str:
    """A one-line label for an action (used on diagrams and in traces)."""
    s = short

    def kv(data: tuple[tuple[str, Node], ...]) -> str:
        return ", ".join(f"{k}={to_source(v, s)}" for k, v in data)

    if isinstance(a, Assign):
        return "; ".join(f"{k} := {to_source(v, s)}" for k, v in a.updates)
    if isinstance(a, Raise):
        return f"raise {a.event}" + (f"({kv(a.data)})" if a.data else "")
    if isinstance(a, Send):
        if a.target == SENDER:
            tgt = "sender"
        elif isinstance(a.target, Node):
            tgt = to_source(a.target, s)
        else:
            tgt = a.target
        if a.index is not None:
            tgt += f"[{to_source(a.index, s)}]"
        verb = "broadcast" if a.broadcast else "send"
        return f"{verb} {tgt}!{a.event}" + (f"({kv(a.data)})" if a.data else "")
    if isinstance(a, Cancel):
        return f"cancel {a.send_id}"
    if isinstance(a, Log):
        return f"log {a.label}"
    if isinstance(a, If):
        return "if " + to_source(a.branches[0][0], s) + " ..."
    if isinstance(a, Choose):
        return f"choose {a.var} in {to_source(a.domain, s)}: " + "; ".join(describe(x, s) for x in a.body)
    if isinstance(a, Foreach):
        return f"for {a.item} in {to_source(a.array, s)}: " + "; ".join(describe(x, s) for x in a.body)
    return f"{a.label}()"
