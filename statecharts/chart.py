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
context fields, unparsable expressions) is made when the chart is built, and the error
names the element's path (``chart 'door' / state 'opened' / transition 'close'``).
The elements live in ``statecharts.states``, the checks in ``statecharts.builder``; this
module re-exports the elements, so ``from statecharts.chart import State`` keeps working.
"""


from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .builder import MAX_DEPTH, _Builder
from .errors import ChartDefinitionError, ExpressionError
from .loops import DEFAULT_MAX_MICROSTEPS
from .states import Final, History, Parallel, State, StateNode, TargetSpec, Transition, TransitionSpec
from .values import Event, freeze

if TYPE_CHECKING:
    from .engine import ChartState, Engine, StepResult

__all__ = [
    "MAX_DEPTH",
    "Chart",
    "Final",
    "History",
    "Parallel",
    "State",
    "StateNode",
    "TargetSpec",
    "Transition",
    "TransitionSpec",
    "match_descriptor",
]


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
