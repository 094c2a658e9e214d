"""Symmetry of the compiled actor system: the canonical representative of a state's orbit under
permutations of interchangeable instances (``count=`` actors), and renaming states and labels.

Functions of a :class:`simulate.model.Model`, bound as its methods (``Model.canonical`` is
:func:`canonical`; a subclass may override them, as ``StableModel`` does ``_signature``): the
canonical form is what the explorer's protocol calls ``canonical``/``uncanonical``.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from statecharts.engine import ChartState
from statecharts.values import Event, FrozenMap

if TYPE_CHECKING:
    from .model import Label, Model, State


def canonical(self: Model, state: State) -> tuple[State, tuple[int, ...] | None]:
    """The representative of a state's orbit under permutations of interchangeable instances.

    Returns the representative and the permutation applied (None when the state is
    its own representative by construction). Exact: the result depends only on the orbit.
    """
    if not self.sym_groups:
        return state, None
    locals_ = state[0]
    perm = list(range(self.n))  # perm[old position] = new position
    ambiguous: list[list[int]] = []
    for group in self.sym_groups:
        keyed = sorted(group, key=lambda i: self._signature(state, i))
        for new_pos, old in zip(group, keyed):
            perm[old] = new_pos
        # tie groups (same signature): check whether swapping them changes the state
        run = [keyed[0]]
        for a, b in zip(keyed, keyed[1:]):
            if self._signature(state, a) == self._signature(state, b):
                run.append(b)
            else:
                if len(run) > 1:
                    ambiguous.append(run)
                run = [b]
        if len(run) > 1:
            ambiguous.append(run)
    base = tuple(perm)
    ambiguous = [run for run in ambiguous if not self._invariant_under_swaps(state, run)]
    if not ambiguous:
        return self.apply(state, base), base
    best: tuple[Any, State, tuple[int, ...]] | None = None
    for choice in itertools.product(*[itertools.permutations(run) for run in ambiguous]):
        p = list(base)
        for run, order in zip(ambiguous, choice):
            targets = sorted(base[x] for x in run)
            for old, new_pos in zip(order, targets):
                p[old] = new_pos
        pt = tuple(p)
        cand = self.apply(state, pt)
        key = self._order_key(cand)
        if best is None or key < best[0]:
            best = (key, cand, pt)
    assert best is not None
    _ = locals_
    return best[1], best[2]


def order_key(self: Model, state: State) -> Any:
    return state


def invariant_under_swaps(self: Model, state: State, run: list[int]) -> bool:
    for a, b in zip(run, run[1:]):
        p = list(range(self.n))
        p[a], p[b] = b, a
        if self.apply(state, tuple(p)) != state:
            return False
    return True


def signature(self: Model, state: State, i: int) -> Any:
    locals_, _, budgets = state
    me = self.names[i]
    anon = self._anon_perm(i)
    own = self.rename_local(locals_[i], anon)
    inbox = sorted(self.rename_msg(m, anon) for m in self.message_ids(state) if self.msg_values[m][0] == i)
    outbox = sorted(self.rename_msg(m, anon) for m in self.message_ids(state) if self.msg_values[m][1].origin == me)
    stim = tuple(budgets[s] for (k, j), s in sorted(self.stim_slot.items()) if j == i)
    return (own, tuple(inbox), tuple(outbox), stim)


def anon_perm(self: Model, i: int) -> tuple[int, ...]:
    """A pseudo-permutation mapping every other instance of i's group to a placeholder (-1) and i to -2."""
    p = list(range(self.n))
    for group in self.sym_groups:
        if i in group:
            for j in group:
                p[j] = -2 if j == i else -1
    return tuple(p)


def rename_map(self: Model, perm: tuple[int, ...]) -> dict[str, str]:
    m: dict[str, str] = {}
    for old, new in enumerate(perm):
        if new != old:
            m[self.names[old]] = "<me>" if new == -2 else "<other>" if new == -1 else self.names[new]
    return m


def rename_local(self: Model, lid: int, perm: tuple[int, ...]) -> int:
    key = (lid, perm)
    hit = self._rename_local_cache.get(key)
    if hit is None:
        chart_no, cs, timers = self.local_values[lid]
        mapping = self._rename_map(perm)
        cs2 = ChartState(cs.config, _rename(cs.context, mapping), cs.history)
        timers2 = frozenset(_rename(t, mapping) for t in timers)
        k2 = (chart_no, cs2, timers2)
        hit = self.local_ids.get(k2)
        if hit is None:
            hit = self.local_ids[k2] = len(self.local_values)
            self.local_values.append(k2)
        self._rename_local_cache[key] = hit
    return hit


def rename_msg(self: Model, mid: int, perm: tuple[int, ...]) -> int:
    key = (mid, perm)
    hit = self._rename_msg_cache.get(key)
    if hit is None:
        dest, ev = self.msg_values[mid]
        mapping = self._rename_map(perm)
        new_dest = perm[dest] if perm[dest] >= 0 else -1 - (perm[dest] == -2)
        hit = self.intern_msg(new_dest, Event(ev.name, _rename(ev.data, mapping), mapping.get(ev.origin, ev.origin) if ev.origin else None))
        self._rename_msg_cache[key] = hit
    return hit


def apply(self: Model, state: State, perm: tuple[int, ...]) -> State:
    """Rename and reorder instances: the instance at position i moves to position perm[i]."""
    locals_, net, budgets = state
    new_locals = [0] * self.n
    for old, lid in enumerate(locals_):
        new_locals[perm[old]] = self.rename_local(lid, perm)
    rm = self.rename_msg
    kind = self.network
    if kind == "unordered-duplicating":
        net2: Any = 0
        for m in self.members(net):
            net2 |= 1 << rm(m, perm)
    elif kind == "unordered":
        net2 = tuple(sorted(rm(m, perm) for m in net))
    else:
        net2 = tuple(sorted(((perm[s], perm[d]), tuple(rm(m, perm) for m in msgs)) for (s, d), msgs in net))
    if self.stim_slot:
        b = list(budgets)
        for (k, i), slot in self.stim_slot.items():
            b[self.stim_slot[(k, perm[i])]] = budgets[slot]
        budgets = tuple(b)
    return (tuple(new_locals), net2, budgets)


def uncanonical(self: Model, renaming: tuple[int, ...], label: Any, state: State) -> tuple[Label, State]:
    """A step taken from a canonical state, as seen from the state it represents (undoing ``renaming``)."""
    inv = self.inverse(renaming)
    return self.rename_label(label, inv), self.apply(state, inv)


def inverse(self: Model, perm: tuple[int, ...]) -> tuple[int, ...]:
    inv = [0] * len(perm)
    for old, new in enumerate(perm):
        inv[new] = old
    return tuple(inv)


def rename_label(self: Model, label: Any, perm: tuple[int, ...]) -> Label:
    """A step label as seen after renaming instances by ``perm``."""
    from .model import Label

    label = Label(*label)
    detail = label.detail
    if label.kind in ("deliver", "drop", "duplicate"):
        detail = self.rename_msg(detail, perm)
    elif label.kind == "timer":
        detail = _rename(detail, self._rename_map(perm))
    elif label.kind == "stimulus":
        detail = detail
    return Label(label.kind, perm[label.actor], detail, label.alt)


def _rename(v: Any, mapping: dict[str, str]) -> Any:
    if not mapping:
        return v
    if isinstance(v, str):
        return mapping.get(v, v)
    if isinstance(v, Event):
        return Event(v.name, _rename(v.data, mapping), mapping.get(v.origin, v.origin) if v.origin else None)
    if isinstance(v, tuple):
        return tuple(_rename(x, mapping) for x in v)
    if isinstance(v, frozenset):
        return frozenset(_rename(x, mapping) for x in v)
    if isinstance(v, FrozenMap):
        return FrozenMap({_rename(k, mapping): _rename(x, mapping) for k, x in v.items()})
    return v
