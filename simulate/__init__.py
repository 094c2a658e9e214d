"""simulate: compose charts into systems of actors and explore every interleaving.

Declare a :class:`System` of :class:`Actor` instances over a network, with
:class:`Stimulus` events from the environment, :class:`Faults` budgets and properties
(:func:`invariant`, :func:`sometimes`, :func:`eventually`, :func:`leads_to`), then
:func:`explore` it.
"""

from .explorer import explore
from .model import Model
from .properties import (
    ActorRef,
    Eventually,
    Invariant,
    LeadsTo,
    Property,
    Sometimes,
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
from .result import Change, Result, Stats, Step, Trace, Verdict
from .system import Actor, Faults, ModelError, Stimulus, SymmetryWarning, System

__all__ = [
    "Actor",
    "ActorRef",
    "Change",
    "Eventually",
    "Faults",
    "Invariant",
    "LeadsTo",
    "Model",
    "ModelError",
    "Property",
    "Result",
    "Sometimes",
    "Stats",
    "Step",
    "Stimulus",
    "SymmetryWarning",
    "System",
    "SystemView",
    "Trace",
    "Verdict",
    "actor",
    "all_in",
    "any_in",
    "eventually",
    "explore",
    "in_flight",
    "instances",
    "invariant",
    "leads_to",
    "sometimes",
]
