"""Symmetry that merges nothing, found by running: a bounded probe of the first states with and without it.

The explorer's start-up check (``_Explorer._check_symmetry``) catches instances that start with
different contexts. Instances can also become distinct on their first steps (an index handed out
by a coordinator, say), and then canonicalisation merges no state either. A merge cannot be
told apart from a state's unreachable mirror image inside a symmetric run, so the probe compares:
it explores the first levels breadth-first without symmetry (at most ``limit`` states, whole
levels only) and with it, to the same depth. Equal counts mean no state was merged there.
"""

from __future__ import annotations

from statecharts.errors import StatechartError

from .model import Model, State
from .system import System


class _Levels:
    """A breadth-first search one whole level at a time, without or with symmetry (``canonical``)."""

    def __init__(self, model: Model, initial: list[State], canonical: bool) -> None:
        self.model = model
        self.canonical = canonical
        self.level = list(dict.fromkeys(self._rep(s) for s in initial))
        self.seen = set(self.level)

    def _rep(self, s: State) -> State:
        return self.model.canonical(s)[0] if self.canonical else s

    def next(self, limit: int) -> bool:
        """Add the next level; False (and nothing added) when there is none or it would pass ``limit`` states."""
        added: dict[State, None] = {}
        for s in self.level:
            for _, s2 in self.model.successors(s):
                c = self._rep(s2)
                if c not in self.seen:
                    added[c] = None
            if len(self.seen) + len(added) > limit:
                return False
        if not added:
            return False
        self.seen.update(added)
        self.level = list(added)
        return True


def merges_nothing(model: Model, initial: list[State], limit: int = 1000) -> dict[str, list[str]] | None:
    """When symmetry merges no state among the first ones (at least two whole levels, at most ``limit`` states),
    the fields that tell the instances of each group apart there (by group name; an empty list when only their
    states do); else None. Level by level, so a symmetry that works is seen after a level or two."""
    if not model.sym_groups or not initial:
        return None
    plain, reduced = _Levels(model, initial, False), _Levels(model, initial, True)
    depth = 0
    try:
        while plain.next(limit):
            reduced.next(limit)
            depth += 1
            if len(reduced.seen) < len(plain.seen):
                return None
    except StatechartError:  # the exploration itself reports a failing step
        return None
    if depth < 2 or len(reduced.seen) < len(plain.seen):
        return None
    out: dict[str, list[str]] = {}
    for group in model.sym_groups:
        fields = model.charts[group[0]].engine.fields
        apart = []
        for f, fi in fields.items():  # a field whose values differ between the instances in every state of the level
            if all(len({model.local_values[model.rename_local(s[0][i], model._anon_perm(i))][1].context[fi] for i in group}) > 1 for s in plain.level):
                apart.append(f)
        out[model.group_of[group[0]]] = apart
    return out


def merged_nothing_text(system: System, limit: int = 1000) -> str | None:
    """The warning for symmetry that merged nothing in its first states, naming the fields (None: it merged).

    The probe runs on a model of its own, so the explorer's interning tables (and the ids of its states) are
    the same with and without it."""
    try:
        model = Model(system)
        initial = model.initial_states()
    except StatechartError:  # the explorer reports it
        return None
    found = merges_nothing(model, initial, limit)
    if found is None:
        return None
    parts = []
    for gname, fields in found.items():
        apart = f"its instances differ in {', '.join(repr(f) for f in fields)} there" if fields else "its instances stay in different states there"
        parts.append(f"symmetry over {gname!r} merged no state among the first ones ({limit:,} at most): {apart}")
    return (
        "; ".join(parts) + ", so no state is a permutation of another and the reduction only costs time; drop the per-instance "
        "value (an instance knows its own name), or explore with symmetry=False"
    )
