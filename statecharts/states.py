"""The elements a chart is made of: states (State, Parallel, Final, History) and transitions.

They hold what the user wrote (the ``*_spec`` attributes); ``Chart`` links and checks them
when it is built (statecharts.builder) and fills in the rest (paths, parents, parsed guards).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

from .actions import Action
from .errors import ChartDefinitionError
from .expr import Node

TargetSpec = str | Sequence[str] | None


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

    def is_descendant_of(self, other: StateNode) -> bool:
        """Whether this state lies strictly inside ``other`` (the chart must be built: it follows ``parent``)."""
        p = self.parent
        while p is not None:
            if p is other:
                return True
            p = p.parent
        return False


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
