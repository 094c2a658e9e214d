"""Export a System as a TLA+ module plus a TLC .cfg whose state space is exactly the explorer's.

The supported subset (everything else raises :class:`TlaUnsupported` naming the element):

* charts with atomic, compound, parallel and final states (no ``History``), eventless
  transitions that cannot chain forever within one macrostep (their guards must not read
  the event), no ``raise_`` or ``on_error="event"``, and no transition listening to an
  internal ``done.state.*`` event. A chart without parallel states or eventless
  transitions gets one operator per transition; any other chart gets one macrostep
  operator enumerating, per reachable configuration and event, the engine's selection
  (optimal enabled set, conflict resolution) and the eventless microsteps that follow.
  Either way the priority order and each microstep's exit/action/entry order come from the
  engine's read-only view (:class:`statecharts.engine.ChartView`), and one macrostep is one
  TLA+ step;
* guards and actions in the expression language (``assign``, ``send``/``reply``/
  ``send_to``/``broadcast``, ``if_``, ``choose`` as ``\\E`` (inside ``if_`` too: one
  disjunct per branch), ``foreach`` whose body only sends, ``cancel``, ``log``, timers
  from ``after``/``send(delay=)``), plus Python callables that carry a ``tla=`` rendering
  (a guard: a TLA+ expression over the context field names; an action: a TLA+ record of
  the fields it ``writes``);
* every network kind, stimuli (data alternatives, ``max``, ``fair``), drop/duplicate/crash
  faults, symmetry, a constraint, and invariant / sometimes / eventually / leads_to.

Values: integers, booleans, strings, tuples as sequences, frozensets as sets, maps as
records (or functions when a key is not an identifier), instance names as model values
(so TLC's symmetry permutes them exactly as the explorer renames them), None as the model
value ``NoValue``. Types are inferred from initial values and every assignment (sets and
sequences with their element type, maps with their value type, tuples position by
position). Where the operator depends on a type the exporter cannot infer (``len``,
``in``, indexing), it refuses; arithmetic on operands of unknown type is rendered on
integers, which TLC rejects loudly if they are not. Python's total operations stay total
(``tail`` of an empty sequence is empty: ``SubSeq``, not ``Tail``).

Layout of the module: per actor group a variable for the active leaf state, one per
context field and one for pending timers (functions over the instances' model values for
``count=`` groups), one ``net`` variable, one per budget. One operator per (actor,
transition) computes the macrostep; named wrapper actions per delivery / stimulus / timer /
fault make up ``Next``; ``Spec`` adds weak fairness exactly where the explorer assumes it.

The package's modules, one idea each: ``spec`` (the result, the error, the cfg text), ``names``,
``types``, ``symbols`` (per group and per macrostep), the exporter's parts ``checks``,
``expressions``, ``simple`` (simple-chart operators), ``general`` (general macrosteps), ``next``
(Init and Next), ``assembly`` (properties and the module text), ``exporter`` (the parts mixed
together, :func:`to_tla`, :func:`write_tla`), ``replay`` (explorer states as TLA+ values) and ``trace`` (a trace as
a module TLC checks: :func:`trace_module`, :func:`write_trace_tla`).
"""

from __future__ import annotations

from .exporter import to_tla, write_tla
from .replay import state_values
from .spec import TlaSpec, TlaUnsupported, VarInfo
from .trace import TraceModule, trace_module, write_trace_tla

__all__ = [
    "TlaSpec",
    "TlaUnsupported",
    "TraceModule",
    "VarInfo",
    "state_values",
    "to_tla",
    "trace_module",
    "write_tla",
    "write_trace_tla",
]
