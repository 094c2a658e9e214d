"""simulate: compose charts into systems of actors and explore every interleaving.

Declare a :class:`System` of :class:`Actor` instances over a network, with
:class:`Stimulus` events from the environment, :class:`Faults` budgets and properties
(:func:`invariant`, :func:`sometimes`, :func:`eventually`, :func:`leads_to`), then
:func:`explore` it (and replay a trace on the core interpreter with :func:`replay_in_interpreter`). Any other model of the explorer's protocol (:class:`Explorable`:
initial states, successors, properties... and no charts) is explored by :func:`explore_model`.

``__all__`` is what a user writes and reads; the explorer's machinery (``simulate.model.Model``,
the property classes ``Invariant``, ``Eventually``... in ``simulate.properties``) stays
importable from its modules for the layers above.
"""

from .explorer import explore, explore_model
from .properties import (
    Property,
    SystemView,
    actor,
    all_in,
    any_in,
    eventually,
    in_flight,
    instances,
    invariant,
    leads_to,
    sometimes,
)
from .protocol import Explorable
from .replay import TraceDivergence, replay_in_interpreter
from .result import Change, Result, Stats, Step, Trace, Verdict
from .system import Actor, Faults, ModelError, Stimulus, SymmetryWarning, System

__all__ = [
    "Actor",
    "Change",
    "Explorable",
    "Faults",
    "ModelError",
    "Property",
    "Result",
    "Stats",
    "Step",
    "Stimulus",
    "SymmetryWarning",
    "System",
    "SystemView",
    "Trace",
    "TraceDivergence",
    "Verdict",
    "actor",
    "all_in",
    "any_in",
    "eventually",
    "explore",
    "explore_model",
    "in_flight",
    "instances",
    "invariant",
    "leads_to",
    "replay_in_interpreter",
    "sometimes",
]
