"""Defining a chart in Python: states, transitions, context; validated when built.

A chart reads like an XState config, but in Python::

    door = Chart(
        "door",
        State("closed", on={"open": Transition("opened", guard=ctx.locked == False)}),
        State("opened", on={"close": "closed"}),
        context={"locked": False},
    )

Every check that can be made before running (unknown targets, duplicate ids, missing
initial states, history outside a compound, transitions out of final states, unknown
context fields, unparsable expressions) is made here, and the error names the element's
path (``chart 'door' / state 'opened' / transition 'close'``).
"""

from __future__ import annotations

import difflib
import keyword
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .actions import SELF, Action, Send, actions_of, cancel
from .durations import DURATION_HINT, DurationProblem, duration_ms
from .errors import ChartDefinitionError, ExpressionError
from .expr import Node, to_node
from .loops import DEFAULT_MAX_MICROSTEPS
from .values import Event, freeze, has_float

if TYPE_CHECKING:
    from .engine import ChartState, Engine, StepResult

TargetSpec = str | Sequence[str] | None

MAX_DEPTH = 100
"""How deeply states may nest: deeper charts are refused when built (recursive walks in the exporters stay safe)."""


class Transition:
    """A transition: target state(s) (None for targetless), guard, actions, internal/external.

    ``event`` is usually given by the key of the state's ``on`` mapping; a space-separated
    list of descriptors matches any of them (``"a.b"`` matches ``a.b`` and ``a.b.c``,
    ``"*"`` matches everything). An event of None (or ``always=``) makes it eventless.
    """

    def __init__(
        self,
        target: TargetSpec = None,
        *,
        guard: Any = None,
        actions: Any = (),
        internal: bool = False,
        event: str | None = None,
        label: str | None = None,
    ) -> None:
        self.targets: tuple[str, ...] = _targets(target, "Transition")
        if event is not None and not isinstance(event, str):
            raise ChartDefinitionError("Transition", f"event {event!r} is not a string", "event names are strings like 'go'")
        self.guard_spec = guard
        self.actions_spec = actions
        self.internal = internal
        self.event = event
        self.label = label
        # filled in when the chart is built
        self.source: StateNode | None = None
        self.guard: Node | None = None
        self.actions: tuple[Action, ...] = ()
        self.events: tuple[str, ...] = ()
        self.index = -1

    def with_event(self, event: str | None) -> Transition:
        """A copy of this transition triggered by ``event``."""
        t = Transition(
            self.targets or None,
            guard=self.guard_spec,
            actions=self.actions_spec,
            internal=self.internal,
            event=event,
            label=self.label,
        )
        return t

    @property
    def eventless(self) -> bool:
        """Whether the transition is automatic (no event)."""
        return not self.events

    def describe(self) -> str:
        """``source --event--> target`` for error messages and traces."""
        src = self.source.id if self.source else "?"
        ev = " ".join(self.events) if self.events else "(eventless)"
        tgt = " ".join(self.targets) if self.targets else "(targetless)"
        return f"{src} --{ev}--> {tgt}"

    def __repr__(self) -> str:
        return f"Transition({self.describe()})"


TransitionSpec = str | Transition | Sequence[str | Transition] | None


def _targets(target: Any, where: str) -> tuple[str, ...]:
    """Target ids from a space-separated string, a sequence of ids, or None; anything else is refused."""
    hint = "name target states by id: 'b', 'b c' or ['b', 'c']"
    if target is None:
        return ()
    if isinstance(target, str):
        if not target.strip():
            raise ChartDefinitionError(where, f"target {target!r} names no state", "use None for a targetless transition")
        return tuple(target.split())
    if not isinstance(target, Sequence):
        raise ChartDefinitionError(where, f"target {target!r} is not a state id", hint)
    for x in target:
        if not isinstance(x, str) or not x.strip():
            raise ChartDefinitionError(where, f"target {x!r} in {list(target)!r} is not a state id", hint)
    return tuple(target)


class StateNode:
    """Common base of every state kind; use State, Parallel, Final or History to build one."""

    kind: Literal["atomic", "compound", "parallel", "final", "history", "root"] = "atomic"

    def __init__(
        self,
        id: str,
        *children: StateNode,
        initial: str | Sequence[str] | Transition | None = None,
        on: Mapping[str, TransitionSpec] | None = None,
        always: TransitionSpec = None,
        after: Mapping[int | str, TransitionSpec] | None = None,
        entry: Any = (),
        exit: Any = (),
        transitions: Sequence[Transition] = (),
        doc: str | None = None,
    ) -> None:
        kind = type(self).__name__
        if not isinstance(id, str) or not id:
            raise ChartDefinitionError(kind, f"invalid state id {id!r}", "state ids are non-empty strings")
        for c in children:
            if not isinstance(c, StateNode):
                raise ChartDefinitionError(f"{kind} {id!r}", f"child {c!r} is not a state", "use State, Parallel, Final or History")
        if not isinstance(transitions, Sequence) or isinstance(transitions, str):
            raise ChartDefinitionError(f"{kind} {id!r}", f"transitions={transitions!r} is not a list of Transition objects")
        for key, value in (("on", on), ("after", after)):
            if value is not None and not isinstance(value, Mapping):
                raise ChartDefinitionError(
                    f"{kind} {id!r}", f"{key}= takes a mapping, not {type(value).__name__}", f"write {key}={{key: transition}}"
                )
        self.id = id
        self.children: list[StateNode] = list(children)
        self.initial_spec = initial
        self.on_spec = dict(on or {})
        self.always_spec = always
        self.after_spec = dict(after or {})
        self.entry_spec = entry
        self.exit_spec = exit
        self.extra_transitions = list(transitions)
        self.doc = doc
        # filled in when the chart is built
        self.parent: StateNode | None = None
        self.transitions: list[Transition] = []
        self.entry: tuple[Action, ...] = ()
        self.exit: tuple[Action, ...] = ()
        self.initial: Transition | None = None
        self.path = ""
        self.index = -1

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id!r})"

    def iter(self) -> Iterator[StateNode]:
        """This state and all its descendants in document order (iterative: no recursion limit)."""
        stack: list[StateNode] = [self]
        while stack:
            s = stack.pop()
            yield s
            stack.extend(reversed(s.children))

    @property
    def is_compound(self) -> bool:
        return self.kind in ("compound", "root")


class State(StateNode):
    """An atomic state, or a compound one when it has children (``initial`` names the first active child)."""

    def __init__(self, id: str, *children: StateNode, **kwargs: Any) -> None:
        super().__init__(id, *children, **kwargs)
        self.kind = "compound" if any(not isinstance(c, History) for c in children) else "atomic"
        if children and self.kind == "atomic":
            self.kind = "compound"  # only history children: rejected when built


class Parallel(StateNode):
    """A parallel state: every child region is active at once."""

    kind = "parallel"


class Final(StateNode):
    """A final state: entering it raises ``done.state.<parent id>``; it has no transitions."""

    kind = "final"

    def __init__(
        self,
        id: str,
        *,
        entry: Any = (),
        exit: Any = (),
        done_data: Mapping[str, Any] | None = None,
        doc: str | None = None,
        **illegal: Any,
    ) -> None:
        super().__init__(id, entry=entry, exit=exit, doc=doc)
        if done_data is not None and not isinstance(done_data, Mapping):
            raise ChartDefinitionError(f"Final {id!r}", f"done_data must be a mapping, not {type(done_data).__name__}", "write done_data={'field': value}")
        self.done_data = dict(done_data or {})
        self.illegal = illegal


class History(StateNode):
    """A history pseudo-state (shallow, or deep with ``deep=True``) with an optional default target."""

    kind = "history"

    def __init__(self, id: str, default: TargetSpec | Transition = None, *, deep: bool = False) -> None:
        super().__init__(id)
        self.deep = deep
        self.default_spec = default
        self.default: Transition | None = None


# --------------------------------------------------------------------------- the chart


class Chart:
    """A validated, compiled statechart: its states, context fields, and the step function.

    ``on_error`` chooses what an exception in a guard or action does: ``"raise"`` (the
    default) stops the macrostep with an ExecutionError; ``"event"`` follows SCXML and
    raises ``error.execution`` internally. ``max_microsteps`` bounds the microsteps of one
    macrostep (default 1,000): an eventless cycle or a self-raising loop then raises
    InfiniteMacrostepError naming the repeating transitions instead of hanging.
    """

    def __init__(
        self,
        name: str,
        *states: StateNode,
        initial: str | Sequence[str] | Transition | None = None,
        context: Mapping[str, Any] | None = None,
        on_error: Literal["raise", "event"] = "raise",
        doc: str | None = None,
        max_microsteps: int = DEFAULT_MAX_MICROSTEPS,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise ChartDefinitionError("Chart", f"chart name {name!r} is not a non-empty string", "name the chart, e.g. Chart('door', ...)")
        if context is not None and not isinstance(context, Mapping):
            raise ChartDefinitionError(
                f"chart {name!r}", f"context must be a mapping of field names to values, not {type(context).__name__}",
                "write context={'field': initial_value}",
            )
        self.name = name
        self.doc = doc
        if isinstance(max_microsteps, bool) or not isinstance(max_microsteps, int) or max_microsteps < 1:
            raise ChartDefinitionError(f"chart {name!r}", f"max_microsteps={max_microsteps!r} is not a positive integer", "give a bound such as 1000")
        self.max_microsteps = max_microsteps
        self.on_error = on_error
        self.context: dict[str, Any] = {k: freeze(v) for k, v in (context or {}).items()}
        self.root = StateNode(name, *states, initial=initial)
        self.root.kind = "root"
        self.states: dict[str, StateNode] = {}
        self.transitions: list[Transition] = []
        _Builder(self).build()
        from .engine import Engine

        try:
            self.engine: Engine = Engine(self)
        except ExpressionError as e:  # pragma: no cover - the builder checks expressions first
            raise ChartDefinitionError(f"chart {name!r}", str(e)) from None

    # -- running (delegates to the engine: one semantics)

    def start(self, context: Mapping[str, Any] | None = None) -> StepResult:
        """Enter the initial configuration and run to stability; the first macrostep."""
        return self.engine.start(context)

    def step(self, state: ChartState, event: Event | str, data: Mapping[str, Any] | None = None) -> StepResult:
        """Process one external event as a macrostep; returns the new state and its outputs."""
        if type(event) is not Event:
            from .events import checked_event

            event = checked_event(event, data, {})
        return self.engine.step(state, event)

    def successors(self, state: ChartState, event: Event) -> list[StepResult]:
        """Every outcome of processing ``event`` (more than one when actions ``choose``)."""
        return self.engine.successors(state, event)

    def initial_states(self, context: Mapping[str, Any] | None = None) -> list[StepResult]:
        """Every outcome of starting the chart (more than one when entry actions ``choose``)."""
        return self.engine.successors(None, None, context)

    # -- inspection

    def configuration(self, state: ChartState) -> tuple[str, ...]:
        """The ids of the active states, in document order (compound and atomic)."""
        return self.engine.names(state.config)

    def leaves(self, state: ChartState) -> tuple[str, ...]:
        """The ids of the active atomic states, in document order."""
        return self.engine.leaf_names(state.config)

    def context_of(self, state: ChartState) -> dict[str, Any]:
        """The context of a state as a dict."""
        return dict(zip(self.context, state.context))

    def is_final(self, state: ChartState) -> bool:
        """Whether the chart has reached a top-level final state (it then accepts no events)."""
        return self.engine.is_final(state.config)

    def accepts(self, event_name: str) -> bool:
        """Whether some transition's descriptor matches this event name."""
        return self.engine.accepts(event_name)

    def event_names(self) -> list[str]:
        """The event descriptors the chart's transitions mention, in document order."""
        seen: dict[str, None] = {}
        for t in self.transitions:
            for e in t.events:
                seen[e] = None
        return list(seen)

    def __repr__(self) -> str:
        return f"Chart({self.name!r}, {len(self.states)} states, {len(self.transitions)} transitions)"

    def _repr_svg_(self) -> str | None:
        """SVG for Jupyter, from the drawer the exporters register (statecharts.preview); None without one or without Graphviz."""
        from .preview import svg

        return svg("chart", self)


def match_descriptor(descriptor: str, name: str) -> bool:
    """SCXML event matching: ``a.b`` matches ``a.b`` and ``a.b.c``; ``*`` matches everything."""
    if descriptor == "*":
        return True
    if descriptor.endswith(".*"):
        descriptor = descriptor[:-2]
    elif descriptor.endswith("."):
        descriptor = descriptor[:-1]
    return name == descriptor or name.startswith(descriptor + ".")


# --------------------------------------------------------------------------- building and checking


class _Builder:
    """Links the tree, normalises transitions and rejects malformed charts with paths."""

    def __init__(self, chart: Chart) -> None:
        self.chart = chart

    def fail(self, path: str, problem: str, hint: str | None = None) -> ChartDefinitionError:
        return ChartDefinitionError(path, problem, hint)

    def build(self) -> None:
        chart = self.chart
        root = chart.root
        root.path = f"chart {chart.name!r}"
        if not root.children:
            raise self.fail(root.path, "the chart has no states", "pass State(...) objects after the name")
        for name, value in chart.context.items():
            if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
                what = "a reserved word" if isinstance(name, str) and keyword.iskeyword(name) else "not an identifier"
                raise self.fail(root.path, f"context field {name!r} is {what}", "name fields like Python variables, e.g. count or class_")
            if has_float(value):
                raise self.fail(
                    f"{root.path} / context field {name!r}",
                    f"initial value {value!r} contains a floating-point number",
                    "the language has integers only: use an integer unit (cents, milliseconds, percent)",
                )
        self._link(root)
        for s in root.iter():
            if s is not root:
                s.index = len(chart.states) + 1
            else:
                s.index = 0
            if s is not root:
                chart.states[s.id] = s
        for s in root.iter():
            self._state(s)
        self._check_history_defaults()

    def _link(self, root: StateNode) -> None:
        seen: dict[str, StateNode] = {}
        stack: list[tuple[StateNode, int]] = [(root, 0)]
        while stack:
            s, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise self.fail(
                    f"{root.path} / state {s.id!r}",
                    f"states are nested more than {MAX_DEPTH} levels deep", "flatten the hierarchy; a chart this deep is almost surely generated by mistake"
                )
            for c in s.children:
                if not isinstance(c, StateNode):
                    raise self.fail(s.path, f"child {c!r} is not a state", "use State, Parallel, Final or History")
                c.parent = s
                if not isinstance(c.id, str) or not c.id:
                    raise self.fail(s.path, f"a child state has an invalid id {c.id!r}", "state ids are non-empty strings")
                c.path = f"{s.path} / {c.kind if c.kind != 'compound' else 'state'} {c.id!r}"
                if c.id in seen or c.id == root.id:
                    raise self.fail(c.path, f"duplicate state id {c.id!r}", "state ids must be unique in the chart")
                seen[c.id] = c
            stack.extend((c, depth + 1) for c in reversed(s.children) if isinstance(c, StateNode))

    def _check_history_defaults(self) -> None:
        """A history default that leads (through other histories' defaults) back to itself never enters a state."""
        for s in self.chart.states.values():
            chain = [s]
            while isinstance(chain[-1], History) and chain[-1].default is not None and len(chain[-1].default.targets) == 1:
                nxt = self.chart.states[chain[-1].default.targets[0]]
                if nxt in chain:
                    names = " -> ".join(repr(x.id) for x in chain[chain.index(nxt) :] + [nxt])
                    raise self.fail(s.path, f"history defaults form a cycle: {names}", "let one history's default name a real state")
                chain.append(nxt)

    def _resolve(self, path: str, ids: Iterable[str]) -> None:
        for tid in ids:
            if tid not in self.chart.states:
                close = difflib.get_close_matches(tid, list(self.chart.states), n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known states: {', '.join(list(self.chart.states)[:12])}"
                raise self.fail(path, f"unknown target state {tid!r}", hint)
        self._check_orthogonal(path, list(ids))

    def _check_orthogonal(self, path: str, ids: Sequence[str]) -> None:
        """Several targets must lie in different regions of a parallel state (so they can be active together)."""
        states = self.chart.states
        for i, x in enumerate(ids):
            for y in ids[i + 1 :]:
                a, b = states[x], states[y]
                if a is b:
                    continue
                if self._is_descendant(a, b) or self._is_descendant(b, a):
                    outer, inner = (y, x) if self._is_descendant(a, b) else (x, y)
                    raise self.fail(
                        path,
                        f"targets {outer!r} and {inner!r}: one contains the other",
                        f"drop {outer!r}; entering {inner!r} enters its ancestors",
                    )
                lca = a.parent
                while lca is not None and not self._is_descendant(b, lca):
                    lca = lca.parent
                if lca is None or lca.kind != "parallel":
                    where = "the chart" if lca is None or lca.kind == "root" else f"{lca.kind} state {lca.id!r}"
                    raise self.fail(
                        path,
                        f"targets {x!r} and {y!r} cannot be active together (both are inside {where}, which is not parallel)",
                        "several targets must be in different regions of one Parallel state",
                    )

    def _expr(self, path: str, spec: Any, bound: Iterable[str] = ()) -> Node:
        try:
            node = to_node(spec, self.chart.context.keys(), bound)
        except ExpressionError as e:
            raise self.fail(path, e.problem, e.hint) from None
        self._check_fields(path, [node])
        return node

    def _check_fields(self, path: str, nodes: Iterable[Node]) -> None:
        from .expr import InState, context_fields, walk

        for node in nodes:
            for f in sorted(context_fields(node)):
                if f not in self.chart.context:
                    raise self.fail(path, f"unknown context field {f!r}", self._field_hint(f) + "; declare it in context={...}")
            for n in walk(node):
                if isinstance(n, InState) and n.state not in self.chart.states:
                    close = difflib.get_close_matches(n.state, list(self.chart.states), n=1)
                    hint = f"did you mean {close[0]!r}?" if close else f"known states: {', '.join(list(self.chart.states)[:12])}"
                    raise self.fail(path, f"In({n.state!r}) names an unknown state", hint)

    def _field_hint(self, name: str) -> str:
        known = list(self.chart.context)
        close = difflib.get_close_matches(name, known, n=1)
        mean = f"did you mean {close[0]!r}? " if close else ""
        return f"{mean}declared fields: {', '.join(known) or 'none declared'}"

    def _actions(self, path: str, spec: Any) -> tuple[Action, ...]:
        try:
            acts = actions_of(spec)
        except ExpressionError as e:
            raise self.fail(path, e.problem, e.hint) from None
        self._check_actions(path, acts)
        return acts

    def _check_actions(self, path: str, acts: Sequence[Action]) -> None:
        from .actions import Assign, PyAction, expressions, sub_actions

        for a in acts:
            self._check_fields(path, expressions(a))
            if isinstance(a, Assign):
                for field, _ in a.updates:
                    if field not in self.chart.context:
                        raise self.fail(path, f"assign to unknown context field {field!r}", self._field_hint(field))
            if isinstance(a, PyAction):
                for field in a.writes:
                    if field not in self.chart.context:
                        raise self.fail(
                            path, f"python action {a.label!r} declares it writes unknown field {field!r}", self._field_hint(field)
                        )
            self._check_actions(path, sub_actions(a))

    def _transition(self, s: StateNode, t: Transition, event: str | None) -> Transition:
        if not isinstance(t, Transition):
            raise self.fail(s.path, f"{t!r} is not a transition", "use a target id, Transition(...), or a list of them")
        if event is not None and t.event is None:
            t = t.with_event(event)
        t.source = s
        t.events = tuple(t.event.split()) if t.event else ()
        label = " ".join(t.events) if t.events else "(eventless)"
        path = f"{s.path} / transition {label!r}"
        if t.event is not None and not t.events:
            raise self.fail(path, "empty event name", "use always= for eventless transitions")
        self._resolve(path, t.targets)
        t.guard = self._expr(path + " guard", t.guard_spec) if t.guard_spec is not None else None
        t.actions = self._actions(path + " actions", t.actions_spec)
        if t.internal and not t.targets:
            t.internal = False  # a targetless transition exits nothing either way
        t.index = len(self.chart.transitions)
        self.chart.transitions.append(t)
        return t

    def _specs(self, path: str, spec: TransitionSpec) -> list[Transition]:
        if spec is None:
            return []
        if isinstance(spec, (str, Transition)):
            spec = [spec]
        hint = "use a target id, Transition(...), or a list of them"
        if not isinstance(spec, Sequence):
            raise self.fail(path, f"{spec!r} is not a transition", hint)
        for x in spec:
            if not isinstance(x, (str, Transition)):
                raise self.fail(path, f"{x!r} is not a transition", hint)
        try:
            return [Transition(x) if isinstance(x, str) else x for x in spec]
        except ChartDefinitionError as e:
            raise self.fail(path, e.problem, e.hint) from None

    def _state(self, s: StateNode) -> None:
        path = s.path
        s.transitions = []  # a node reused in a second chart must not keep the first chart's transitions
        if isinstance(s, History):
            if s.parent is None or s.parent.kind == "root" or s.parent.kind not in ("compound", "parallel"):
                raise self.fail(path, "history state outside a compound state", "put History(...) inside a State with children")
            default = s.default_spec
            if default is None:
                # SCXML: without a default, the parent's initial configuration is used
                default_t = Transition(None)
                default_t.targets = ()
            elif isinstance(default, Transition):
                default_t = default
            else:
                default_t = Transition(default)
            default_t.source = s
            self._resolve(path + " default", default_t.targets)
            for tid in default_t.targets:
                if not self._is_descendant(self.chart.states[tid], s.parent):
                    raise self.fail(
                        path, f"history default {tid!r} is not inside {s.parent.id!r}", f"name a descendant of {s.parent.id!r}"
                    )
            default_t.actions = self._actions(path + " default actions", default_t.actions_spec)
            s.default = default_t
            return
        if isinstance(s, Final):
            if s.illegal:
                bad = ", ".join(sorted(s.illegal))
                raise self.fail(path, f"transition out of a final state ({bad})", "a final state has no transitions")
            if s.children:
                raise self.fail(path, "a final state cannot have children", "use a State with a Final child instead")
        if s.kind == "final" and (s.on_spec or s.always_spec or s.after_spec or s.extra_transitions):
            raise self.fail(path, "transition out of a final state", "a final state has no transitions; move them to its parent")
        if s.kind in ("compound", "root") and not any(c.kind != "history" for c in s.children):
            raise self.fail(path, "a compound state has only history children", "add at least one state")
        s.entry = self._actions(path + " entry", s.entry_spec)
        s.exit = self._actions(path + " exit", s.exit_spec)
        # transitions in document order: on (in mapping order), after, always, extra
        for ev, spec in s.on_spec.items():
            if not isinstance(ev, str) or not ev.strip():
                raise self.fail(path, f"event key {ev!r} is not an event name", "use always= for eventless transitions")
            for t in self._specs(f"{path} / transition {ev!r}", spec):
                s.transitions.append(self._transition(s, t, ev))
        for delay, spec in s.after_spec.items():
            ms = _delay_ms(delay, f"{path} / after {delay!r}")
            timer_event = f"after.{ms}.{s.id}"
            s.entry = (*s.entry, Send(SELF, timer_event, delay=ms, send_id=timer_event))
            s.exit = (*s.exit, cancel(timer_event))
            for t in self._specs(f"{path} / after {delay!r}", spec):
                s.transitions.append(self._transition(s, t, timer_event))
        for t in self._specs(f"{path} / always", s.always_spec):
            if t.event is not None:
                raise self.fail(path, f"always= transition has event {t.event!r}", "use on= for event transitions")
            s.transitions.append(self._transition(s, t, None))
        for t in s.extra_transitions:
            s.transitions.append(self._transition(s, t, None))
        if s.kind in ("compound", "root"):
            s.initial = self._initial(s)
        elif s.initial_spec is not None:
            raise self.fail(path, f"initial={s.initial_spec!r} on a {s.kind} state", "only compound states have an initial child")

    def _initial(self, s: StateNode) -> Transition:
        spec = s.initial_spec
        path = s.path + " initial"
        if spec is None:
            first = next(c for c in s.children if c.kind != "history")
            t = Transition(first.id)
        elif isinstance(spec, Transition):
            t = spec
        else:
            t = Transition(_targets(spec, path))
        if not t.targets:
            raise self.fail(path, "the initial transition has no target", "name the child state to enter first")
        for tid in t.targets:
            if tid not in self.chart.states:
                close = difflib.get_close_matches(tid, [c.id for c in s.iter() if c is not s], n=1)
                hint = f"did you mean {close[0]!r}?" if close else "name one of its descendants"
                raise self.fail(path, f"initial state {tid!r} does not exist (compound without a resolvable initial)", hint)
            if not self._is_descendant(self.chart.states[tid], s):
                children = ", ".join(c.id for c in s.children if c.kind != "history")
                raise self.fail(path, f"initial state {tid!r} is not a descendant of {s.id!r}", f"its children are: {children}")
        self._check_orthogonal(path, t.targets)
        t.source = s
        t.actions = self._actions(path + " actions", t.actions_spec)
        return t

    @staticmethod
    def _is_descendant(a: StateNode, b: StateNode) -> bool:
        p = a.parent
        while p is not None:
            if p is b:
                return True
            p = p.parent
        return False


def _delay_ms(delay: int | str, path: str) -> int:
    try:
        return duration_ms(delay)
    except DurationProblem as e:
        raise ChartDefinitionError(path, f"after delay {e}", DURATION_HINT) from None

