"""The one macrostep: what happens when an event arrives (W3C SCXML, Appendix D).

A chart compiles into tables: states numbered in document order (so a configuration is an
int bitmask, entry order is ascending bit order and exit order descending), each
transition's domain and exit mask precomputed, the candidate transitions memoized per
(configuration, event name) (with the whole reaction when no guard decides it), and each
microstep's exit/entry plan memoized per (configuration, selected transitions, history).
There is one transition selection (``selection._enabled``) and one macrostep
(``Engine._macrostep``; ``_alternatives`` replays it for the ``choose`` alternatives). A state of a running chart is a
``ChartState`` value: immutable and hashable, so the interpreter replaces it and the
explorer stores it. The interpreter and the explorer both call ``Engine.successors`` /
``Engine.step``; there is no second implementation of a macrostep.

The package's modules: ``values`` (what a step takes and returns, compiled transitions),
``action_compiler`` (guards and executable content compiled to closures), ``selection``
(the one transition selection and its tables), ``microstep`` (exit and entry plans), ``step``
(:class:`Engine`: the tables and the one macrostep) and ``view`` (:class:`ChartView`: a
read-only view of the same selection and plans, for tools that translate a chart instead of
running it).
"""

from __future__ import annotations

from .step import Engine, describe_transition, guard_source
from .values import ATOMIC, COMPOUND, CONTENT, FINAL, HISTORY, PARALLEL, ActionFn, Cancelled, ChartState, CompiledTransition, Outgoing, StepResult
from .view import ActionBlock, ChartView, Microstep

__all__ = [
    "ATOMIC",
    "COMPOUND",
    "CONTENT",
    "FINAL",
    "HISTORY",
    "PARALLEL",
    "ActionBlock",
    "ActionFn",
    "Cancelled",
    "ChartState",
    "ChartView",
    "CompiledTransition",
    "Engine",
    "Microstep",
    "Outgoing",
    "StepResult",
    "describe_transition",
    "guard_source",
]
