"""Traces: a state's chain of parent links, replayed from its initial state through the model's successors.

Only fingerprints, parent links and step positions are stored; a trace replays the positions
(the step function is deterministic), undoing the symmetry renaming of each step so that the
trace shows the actual instances, and the model says how each step reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..result import Trace
from .base import OUTSIDE, ExplorerBase


class Traces(ExplorerBase):
    """Chains, replay and traces (the parallel explorer replaces ``_chain`` and ``_replay``)."""

    def _chain(self, idx: int) -> list[int]:
        chain = []
        if idx >= OUTSIDE:  # a state outside the constraint: its parent's chain, then the step to it
            parent = self.outside[idx - OUTSIDE][0]
            return [*self._chain(parent), idx] if parent >= 0 else [idx]
        while idx >= 0:
            chain.append(idx)
            idx = self.parents[idx]
        chain.reverse()
        return chain

    def _replay(self, chain: Sequence[int]) -> tuple[list[Any], list[Any]]:
        """The actual states and labels along a chain of state indices (undoing symmetry renaming)."""
        m = self.model
        actual = self.initial[self._ordinal(chain[0])]
        canon, renaming = m.canonical(actual)
        states: list[Any] = [actual]
        labels: list[Any] = [None]
        for idx in chain[1:]:
            label, s2 = m.successors(canon)[self._ordinal(idx)]
            if renaming is not None:
                label, s2 = m.uncanonical(renaming, label, s2)
            states.append(s2)
            labels.append(label)
            canon, renaming = m.canonical(s2)
        return states, labels

    def _ordinal(self, idx: int) -> int:
        """The position of the step to a state among its parent's successors (or among the initial states)."""
        return self.outside[idx - OUTSIDE][1] if idx >= OUTSIDE else self.ordinals[idx]

    def trace_to(self, idx: int, failing: Any = None) -> Trace:
        """The trace from an initial state to the state with this index (then the ``failing`` step, if given)."""
        states, labels = self._replay(self._chain(idx))
        steps = self.model.describe_trace(states, labels)
        if failing is not None:
            steps.append(self.model.describe_failure(len(steps), failing, states[-1]))
        return Trace(steps)

    def _all_states(self) -> list[Any]:
        """Every stored state (canonical), rebuilt by replaying the parent tree once (liveness and the graph)."""
        m = self.model
        n = len(self.parents)
        out: list[Any] = [None] * n
        children: list[list[int]] = [[] for _ in range(n)]
        for i in range(n):
            par = self.parents[i]
            if par >= 0:
                children[par].append(i)
        stack = []
        for i in range(n):
            if self.parents[i] == -1:
                out[i] = m.canonical(self.initial[self.ordinals[i]])[0]
                stack.append(i)
        done = 0
        while stack:
            i = stack.pop()
            done += 1
            if done & 1023 == 0:
                self._phase(f"rebuilding states {done:,}/{n:,}")
            if not children[i]:
                continue
            succs = m.successors(out[i])
            for c in children[i]:
                out[c] = m.canonical(succs[self.ordinals[c]][1])[0]
                stack.append(c)
        return out
