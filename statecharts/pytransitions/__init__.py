"""Import pytransitions (the ``transitions`` package, 0.9.x) machine definitions as statecharts.

``from_transitions(definition, callbacks=..., context=...)`` accepts

* the dict a ``MarkupMachine`` / ``HierarchicalMarkupMachine`` produces (``machine.markup``),
* the keyword arguments one would pass to ``HierarchicalMachine(states=..., transitions=...,
  initial=..., ...)`` (states as strings, enums or dicts with ``name`` / ``children`` (or
  ``states``) / ``parallel`` / ``initial`` / ``on_enter`` / ``on_exit`` / ``final`` /
  ``transitions`` / ``timeout`` / ``on_timeout`` / ``on_final``; transitions as lists
  ``[trigger, source, dest, conditions, unless, before, after, prepare]`` or dicts),
* a live ``Machine`` / ``HierarchicalMachine`` instance (read from its attributes),

and returns a :class:`~statecharts.chart.Chart` with SCXML semantics. The package itself
is never imported here: a definition is plain data.

Mapping
  * A nested state is named by its path joined with the separator (``'_'``): child ``y`` of
    ``b`` has the id ``b_y``, exactly the name ``transitions`` reports in ``model.state``,
    so ids stay unique and leaf configurations compare directly.
  * ``parallel`` (or an ``initial`` listing every child) -> :class:`Parallel`;
    ``final: True`` -> :class:`Final`; other states -> :class:`State`.
  * A transition becomes a :class:`Transition` on its source state, triggered by an event
    named after the trigger. ``dest`` None -> targetless (no exit/entry); ``'='`` -> a
    reflexive external transition; a ``dest`` strictly inside a compound source -> an SCXML
    *internal* transition (``transitions`` does not exit the source then either).
  * ``conditions`` and the negation of every ``unless`` are and-ed into the guard; actions
    run as ``prepare + before_state_change + before + after + after_state_change``;
    ``on_enter`` / ``on_exit`` are entry / exit actions; ``timeout`` + ``on_timeout`` become
    an ``after`` timer; ``on_final`` runs on entering a final leaf or on
    ``done.state.<id>`` of a compound or parallel state.
  * ``auto_transitions`` (on unless disabled) adds ``to_<id>`` for every state.

Calling convention
  Callbacks are named (a callable in the definition is named by its ``__name__``) and
  bound to ``callbacks={"name": fn}``. Every ``fn`` is called as ``fn(ctx, event)``: ``ctx``
  is a read-only view of the context (``ctx.field``), ``event`` the
  :class:`~statecharts.values.Event` (trigger keyword arguments are in ``event.data``). A
  condition returns a truth value; any other callback returns a mapping of context
  updates, or None. A condition name that is not a supplied callback but a context field
  reads that field (like a model property in ``transitions``), which keeps the guard
  translatable. Model methods ``on_enter_<id>`` / ``on_exit_<id>`` / ``on_final_<id>`` /
  ``on_timeout_<id>`` are picked up from ``callbacks`` by name, as ``transitions`` does.

Where ``transitions`` and SCXML disagree (and what this module does about it) is written up,
with the experiments that show it, in ``docs/pytransitions.md``.

The package's modules: ``definitions`` (the keys ``transitions`` accepts and the intermediate
form), ``machines`` (reading a live machine object) and ``importer`` (the translation, and
:func:`from_transitions`).
"""

from __future__ import annotations

from .definitions import SEPARATOR
from .importer import from_transitions

__all__ = [
    "SEPARATOR",
    "from_transitions",
]
