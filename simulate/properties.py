"""Properties of a system and the predicates they are made of.

A predicate over the whole system state is an expression (builder or string) or a Python
callable taking a ``SystemView``. In expressions, ``In("tm", "done")`` tests an actor's
state, ``field("tm", "prepared")`` reads its context, ``instances("rm")`` is the set of a
group's instance names and ``in_flight("Commit")`` counts messages in the network; the
builder spells them ``actor("tm").in_state("done")``, ``actor("tm").prepared``,
``instances("rm")`` and ``in_flight("Commit")``. Expressions can be translated to TLA+;
callables cannot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statecharts.errors import ExpressionError
from statecharts.expr import Call, Compare, Const, Ctx, Evaluator, Expr, Node, PyFunc, Quant, Var, compile_expr, node_of, to_node, to_source, walk

if TYPE_CHECKING:
    from .model import Model

SYSTEM_FUNCTIONS = ("In", "field", "instances", "in_flight", "is_final")
"""Functions only system predicates may call (they read the whole system state)."""

ZERO_WHEN = {("==", 0): True, ("<=", 0): True, ("<", 1): True, ("!=", 0): False, (">", 0): False, (">=", 1): False}
"""``in_flight(...) OP k`` with the count first: the truth value of the comparison that says the count is 0."""
FLIP = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
"""A comparison's operator with its operands swapped."""


# --------------------------------------------------------------------------- builders


class ActorRef:
    """``actor("tm").prepared`` reads a context field; ``.in_state("done")`` tests a state."""

    _name: Node

    def __init__(self, name: Any) -> None:
        object.__setattr__(self, "_name", node_of(name))

    def __getattr__(self, field: str) -> Expr:
        if field.startswith("__"):
            raise AttributeError(field)
        return Expr(Call("field", (self._name, Const(field))))

    def in_state(self, state_id: str) -> Expr:
        """Whether this actor's state ``state_id`` is active."""
        return Expr(Call("In", (self._name, Const(state_id))))

    def is_final(self) -> Expr:
        """Whether this actor's chart reached a top-level final state."""
        return Expr(Call("is_final", (self._name,)))


def actor(name: Any) -> ActorRef:
    """Refer to an actor instance by name (``"tm"``, ``"rm[0]"``) or by a bound variable."""
    return ActorRef(name)


def instances(group: str) -> Expr:
    """The set of instance names of a group (``{"rm[0]", "rm[1]", ...}``)."""
    return Expr(Call("instances", (Const(group),)))


def in_flight(event: str | None = None, to: str | None = None) -> Expr:
    """How many messages (optionally of one event name, to one actor) are in the network."""
    return Expr(Call("in_flight", (Const(event), Const(to))))


# --------------------------------------------------------------------------- properties


@dataclass
class Property:
    """Base class: a named property of a system."""

    name: str


@dataclass
class Invariant(Property):
    """Holds in every reachable state."""

    predicate: Any


@dataclass
class Sometimes(Property):
    """Holds in some reachable state (reachability goal; a witness trace is reported)."""

    predicate: Any


@dataclass
class Eventually(Property):
    """Every fair behaviour eventually reaches a state where the predicate holds (``<>p``)."""

    predicate: Any


@dataclass
class LeadsTo(Property):
    """Whenever ``p`` holds, ``q`` eventually holds on every fair behaviour (``p ~> q``)."""

    p: Any
    q: Any


def invariant(name: str, predicate: Any) -> Invariant:
    """An invariant: ``invariant("TCConsistent", ~(any_in(...) & ...))``."""
    return Invariant(name, predicate)


def sometimes(name: str, predicate: Any) -> Sometimes:
    """A reachability goal; exploration reports a witness, or that it was never reached."""
    return Sometimes(name, predicate)


def eventually(name: str, predicate: Any) -> Eventually:
    """A liveness property ``<>p`` under weak fairness."""
    return Eventually(name, predicate)


def leads_to(name: str, p: Any, q: Any) -> LeadsTo:
    """A liveness property ``p ~> q`` under weak fairness."""
    return LeadsTo(name, p, q)


def predicates(prop: Property) -> list[Any]:
    """The predicate specs of a property."""
    if isinstance(prop, LeadsTo):
        return [prop.p, prop.q]
    return [prop.predicate]  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- compiling


class SystemView:
    """What a Python predicate sees: actors by name, their states and contexts, messages."""

    __slots__ = ("_model", "_state")

    def __init__(self, model: Model, state: Any) -> None:
        self._model = model
        self._state = state

    def actor(self, name: str) -> ActorView:
        """One actor instance."""
        return ActorView(self._model, self._state, self._model.instance_index(name))

    def instances(self, group: str) -> list[ActorView]:
        """Every instance of a group."""
        return [ActorView(self._model, self._state, i) for i in self._model.group_indices(group)]

    @property
    def messages(self) -> list[tuple[str, str, Any, str | None]]:
        """In-flight messages as (receiver, event name, data, sender)."""
        return [(self._model.names[d], e.name, e.data, e.origin) for d, e in self._model.messages_of(self._state)]


class ActorView:
    """One actor instance inside a SystemView."""

    __slots__ = ("_i", "_model", "_state")

    def __init__(self, model: Model, state: Any, index: int) -> None:
        self._model = model
        self._state = state
        self._i = index

    @property
    def name(self) -> str:
        return self._model.names[self._i]

    @property
    def ctx(self) -> Any:
        """The context as an attribute view."""
        from statecharts.expr import ContextView

        chart = self._model.charts[self._i]
        return ContextView(self._model.chart_state(self._state, self._i).context, chart.engine.fields)

    def in_state(self, state_id: str) -> bool:
        return self._model.in_state(self._state, self._i, state_id)

    @property
    def configuration(self) -> tuple[str, ...]:
        return self._model.charts[self._i].configuration(self._model.chart_state(self._state, self._i))

    @property
    def leaves(self) -> tuple[str, ...]:
        return self._model.charts[self._i].leaves(self._model.chart_state(self._state, self._i))

    @property
    def is_final(self) -> bool:
        return self._model.charts[self._i].is_final(self._model.chart_state(self._state, self._i))


Predicate = Callable[[Any], bool]
"""A compiled system predicate over the model's compact state."""


def system_node(spec: Any, where: str) -> Node:
    """A predicate spec as an expression node (PyFunc for a callable)."""
    try:
        node = to_node(spec, (), (), SYSTEM_FUNCTIONS)
    except ExpressionError as e:
        raise ExpressionError(f"{where}: {e}") from None
    for n in walk(node):
        if isinstance(n, Ctx):
            raise ExpressionError(f"{where}: {to_source(n)} has no actor: system predicates read fields with field('actor', '{n.name}') or actor('actor').{n.name}")
    return node


def compile_predicate(model: Model, spec: Any, where: str) -> Predicate:
    """Compile a predicate spec against a model, checking actor names, states and fields now."""
    node = system_node(spec, where)
    if isinstance(node, PyFunc):
        fn = node.fn
        return lambda state: bool(fn(SystemView(model, state)))
    ev = compile_expr(node, {}, None, extension=_SystemFunctions(model, where))
    if any(isinstance(n, Call) and n.fn == "in_flight" for n in walk(node)):
        return lambda state: bool(ev(state, None, 0, {}))
    # the predicate reads actor states only: cache its value per tuple of local states
    cache: dict[tuple[int, ...], bool] = {}

    def cached(state: Any) -> bool:
        key = state[0]
        hit = cache.get(key)
        if hit is None:
            if len(cache) >= 65_536:  # bounded: it keeps the keys (tuples of local ids) alive
                cache.clear()
            hit = cache[key] = bool(ev(state, None, 0, {}))
        return hit

    return cached


class _SystemFunctions:
    """The system functions, an extension of the expression language (``statecharts.expr.Extension``):
    in the compiled predicate, the ``c`` argument is the model's compact state."""

    def __init__(self, model: Model, where: str) -> None:
        self.model = model
        self.where = where

    def _names(self, n: Node) -> list[str] | None:
        return [n.value] if isinstance(n, Const) and isinstance(n.value, str) else None

    def _check_actor(self, n: Node) -> None:
        names = self._names(n)
        if names is None:
            return
        for name in names:
            try:
                self.model.instance_index(name)
            except KeyError:
                raise ExpressionError(f"{self.where}: unknown actor {name!r} (actors: {', '.join(self.model.names)})") from None

    def __call__(self, n: Node, compile: Callable[[Node], Evaluator]) -> Evaluator | None:
        model = self.model
        if isinstance(n, PyFunc):
            fn = n.fn
            return lambda c, e, g, b: fn(SystemView(model, c))
        if isinstance(n, Quant):
            fast = self._group_in_state(n)
            if fast is not None:
                return fast
        if isinstance(n, Compare):
            zero = self._zero_test(n)
            if zero is not None:
                return zero
        if not isinstance(n, Call) or n.fn not in SYSTEM_FUNCTIONS:
            return None
        args = n.args
        if n.fn == "instances":
            if len(args) != 1 or not isinstance(args[0], Const) or args[0].value not in model.groups:
                raise ExpressionError(f"{self.where}: instances() takes a group name, one of {', '.join(model.groups)}")
            value = frozenset(model.names[i] for i in model.groups[args[0].value])
            return lambda c, e, g, b: value
        if n.fn == "in_flight":
            ev_name = args[0].value if args and isinstance(args[0], Const) else None
            to = args[1].value if len(args) > 1 and isinstance(args[1], Const) else None
            if to is not None:
                self._check_actor(args[1])
            dest = model.instance_index(to) if to is not None else None
            return lambda c, e, g, b: model.count_messages(c, ev_name, dest)
        if n.fn == "is_final":
            self._check_actor(args[0])
            who = compile(args[0])
            return lambda c, e, g, b: model.is_final(c, model.instance_index(who(c, e, g, b)))
        if len(args) != 2 or not isinstance(args[1], Const) or not isinstance(args[1].value, str):
            raise ExpressionError(f"{self.where}: {n.fn}() takes an actor and a name: {n.fn}('tm', 'x')")
        self._check_actor(args[0])
        what = args[1].value
        fixed = self._names(args[0])
        who = compile(args[0])
        if n.fn == "In":
            self._check_names(fixed, what, "state")
            lv = model.local_values
            masks = {
                name: (i, model.charts[i].engine.state_mask(what)) for i, name in enumerate(model.names) if what in model.charts[i].states
            }
            if fixed:
                i, mask = masks[fixed[0]]
                return lambda c, e, g, b: bool(lv[c[0][i]][1].config & mask)

            def in_state(c: Any, e: Any, g: int, b: dict[str, Any]) -> bool:
                hit = masks.get(who(c, e, g, b))
                return hit is not None and bool(lv[c[0][hit[0]]][1].config & hit[1])

            return in_state
        self._check_names(fixed, what, "field")
        if fixed:
            i = model.instance_index(fixed[0])
            fi = model.charts[i].engine.fields[what]
            return lambda c, e, g, b: model.chart_state(c, i).context[fi]
        return lambda c, e, g, b: model.field(c, model.instance_index(who(c, e, g, b)), what)

    def _zero_test(self, n: Compare) -> Evaluator | None:
        """``in_flight(...) == 0`` and the other comparisons that only ask whether a count is 0 (``ZERO_WHEN``): whether
        a matching message is in flight, without counting them (``in_flight() == 0`` is an empty network)."""
        left, right, op = n.left, n.right, n.op
        if isinstance(left, Const) and op in FLIP:
            left, right, op = right, left, FLIP[op]
        if not (isinstance(left, Call) and left.fn == "in_flight" and isinstance(right, Const) and type(right.value) is int):
            return None
        when = ZERO_WHEN.get((op, right.value))
        args = left.args
        if when is None or len(args) > 2 or not all(isinstance(a, Const) for a in args):
            return None
        ev_name = args[0].value if args else None  # type: ignore[attr-defined]
        to = args[1].value if len(args) > 1 else None  # type: ignore[attr-defined]
        if to is not None:
            self._check_actor(args[1])
        model = self.model
        if ev_name is None and to is None:  # no message at all: every network's empty value is falsy (no FIFO channel is empty)
            if when:
                return lambda c, e, g, b: not c[1]
            return lambda c, e, g, b: bool(c[1])
        dest = model.instance_index(to) if to is not None else None
        if when:
            return lambda c, e, g, b: not model.has_message(c, ev_name, dest)
        return lambda c, e, g, b: model.has_message(c, ev_name, dest)

    def _group_in_state(self, n: Quant) -> Evaluator | None:
        """``any_in``/``all_in`` with one state (a quantifier over a group whose body is ``In``): a loop over masks."""
        model, dom, body = self.model, n.domain, n.body
        if n.kind not in ("any", "all") or n.cond is not None:
            return None
        if not (isinstance(dom, Call) and dom.fn == "instances" and len(dom.args) == 1 and isinstance(dom.args[0], Const)):
            return None
        if not (isinstance(body, Call) and body.fn == "In" and len(body.args) == 2 and body.args[0] == Var(n.var)):
            return None
        group, what = dom.args[0].value, body.args[1]
        if group not in model.groups or not isinstance(what, Const) or not isinstance(what.value, str):
            return None
        self._check_names(None, what.value, "state")
        charts = model.charts
        pairs = tuple((i, charts[i].engine.state_mask(what.value) if what.value in charts[i].states else 0) for i in model.groups[group])
        lv = model.local_values
        if n.kind == "any":

            def some(c: Any, e: Any, g: int, b: dict[str, Any]) -> bool:
                ids = c[0]
                for i, mask in pairs:
                    if lv[ids[i]][1].config & mask:
                        return True
                return False

            return some

        def every(c: Any, e: Any, g: int, b: dict[str, Any]) -> bool:
            ids = c[0]
            for i, mask in pairs:
                if not lv[ids[i]][1].config & mask:
                    return False
            return True

        return every

    def _check_names(self, fixed: list[str] | None, what: str, kind: str) -> None:
        charts = [self.model.charts[self.model.instance_index(x)] for x in fixed] if fixed else self.model.unique_charts()
        for chart in charts:
            known = chart.states if kind == "state" else chart.context
            if fixed and what not in known:
                raise ExpressionError(f"{self.where}: chart {chart.name!r} has no {kind} {what!r} (known: {', '.join(known)})")
        if not fixed and not any(what in (ch.states if kind == "state" else ch.context) for ch in charts):
            raise ExpressionError(f"{self.where}: no chart of the system has a {kind} {what!r}")


def any_in(group: str, state_id: str) -> Expr:
    """Whether some instance of a group is in a state."""
    from statecharts.expr import any_of

    return any_of("_a", instances(group), lambda a: actor(a).in_state(state_id))


def all_in(group: str, state_ids: str | Sequence[str]) -> Expr:
    """Whether every instance of a group is in (one of) the given state(s)."""
    from statecharts.expr import all_of, or_

    ids = [state_ids] if isinstance(state_ids, str) else list(state_ids)
    return all_of("_a", instances(group), lambda a: or_(*[actor(a).in_state(s) for s in ids]) if len(ids) > 1 else actor(a).in_state(ids[0]))
