"""Liveness (``eventually``, ``leads_to``): fair lassos in the state graph, by strongly connected components.

The search keeps the graph when a liveness property is checked; here it is rebuilt once with each
edge's fairness class (the model's ``fair_key``: for the actor system, every actor's message
deliveries, every pending timer and every stimulus declared ``fair=True`` are weakly fair, as
``WF_vars`` in the emitted TLA+). A property fails when a component of the states where its goal is
not met is reachable and fair: every fairness class enabled throughout it is taken inside it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from ..protocol import Predicate
from ..result import Trace
from .coverage import Coverage


def _order(key: Any) -> Any:
    """A sort key for fairness keys (tuples of ints and strings) independent of the hash seed: ints before strings."""
    return tuple((1, x) if isinstance(x, str) else (0, x) for x in key) if isinstance(key, tuple) else ((1, key) if isinstance(key, str) else (0, key),)


class Liveness(Coverage):
    """Fair-lasso search on the kept graph."""

    def _liveness(self, p: Predicate, q: Predicate | None) -> Trace | None:
        """A fair lasso violating ``<>p`` (q None) or ``p ~> q``; None when the property holds."""
        import networkx as nx

        n = len(self.parents)
        states, succ, enabled, all_keys = self._live_graph()
        goal = [bool(p(states[i])) if q is None else bool(q(states[i])) for i in range(n)]
        if q is None:
            bad = [not g for g in goal]
            starts = [i for i in range(n) if self.parents[i] == -1 and bad[i]]
        else:
            bad = [not g for g in goal]
            starts = [i for i in range(n) if bad[i] and p(states[i])]
        if not starts:
            return None
        # the bad region reachable from the starts through bad states
        region: set[int] = set()
        stack = list(starts)
        while stack:
            i = stack.pop()
            if i in region:
                continue
            region.add(i)
            stack.extend(d for d, _, _ in succ[i] if bad[d] and d not in region)
        g = nx.DiGraph()
        g.add_nodes_from(region)
        g.add_edges_from((i, d) for i in region for d, _, _ in succ[i] if d in region)
        self._phase(f"strongly connected components of the {len(region):,} states where the goal is not met", force=True)
        for number, comp in enumerate(nx.strongly_connected_components(g), 1):
            self._phase(f"fairness of component {number:,} ({len(comp):,} states) of {len(region):,} states")
            needed = []
            fair = True
            for key in sorted(all_keys, key=_order):  # never hash order: keys hold actor and event names
                taken = [(i, d, o) for i in comp for d, o, k in succ[i] if k == key and d in comp and d != i]
                if taken:
                    needed.append(taken[0])
                elif all(key in enabled[i] for i in comp):
                    fair = False
                    break
            if fair:
                return self._lasso(comp, needed, starts, bad, succ, q is None)
        return None

    def _live_graph(self) -> tuple[list[Any], list[list[tuple[int, int, Any]]], list[set[Any]], set[Any]]:
        """Every state, its successors (index, ordinal, fairness key), the fairness keys enabled in it, and all keys:
        built once and shared by every liveness property of the exploration."""
        if self._live_graph_cache is None:
            n = len(self.parents)
            self._phase(f"rebuilding states 0/{n:,} for the graph search", force=True)
            states = self._all_states()
            succ: list[list[tuple[int, int, Any]]] = [[] for _ in range(n)]
            fair_key = self.model.fair_key
            for src, fp, ordinal, label in self.edges:
                dst = self.index.get(fp)
                if dst is not None:
                    succ[src].append((dst, ordinal, fair_key(label)))
            enabled: list[set[Any]] = [{k for d, _, k in succ[i] if k is not None and d != i} for i in range(n)]
            all_keys: set[Any] = set().union(*enabled) if enabled else set()
            self._live_graph_cache = (states, succ, enabled, all_keys)
        return self._live_graph_cache

    def _lasso(
        self,
        comp: set[int],
        needed: list[tuple[int, int, int]],
        starts: list[int],
        bad: list[bool],
        succ: list[list[tuple[int, int, Any]]],
        within_bad_from_init: bool,
    ) -> Trace:
        def path(sources: Sequence[int], targets: set[int], allowed: Callable[[int], bool]) -> list[tuple[int, int]]:
            """Shortest path as [(state, ordinal used to reach it)], starting at one of sources."""
            prev: dict[int, tuple[int, int] | None] = {s: None for s in sources}
            q = deque(sources)
            while q:
                i = q.popleft()
                if i in targets:
                    out = []
                    cur: int | None = i
                    while cur is not None:
                        link = prev[cur]
                        out.append((cur, link[1] if link else -1))
                        cur = link[0] if link else None
                    return out[::-1]
                for d, o, _ in succ[i]:
                    if d not in prev and allowed(d):
                        prev[d] = (i, o)
                        q.append(d)
            raise AssertionError("no path inside a strongly connected component")

        # prefix: from an initial state to a start (any path), then inside the bad region to the component
        if within_bad_from_init:
            prefix = path(starts, comp, lambda d: bad[d])
        else:
            # from the p-states that reach the component through not-q states, then back to an initial state
            second = path(starts, comp, lambda d: bad[d])
            inits = [i for i in range(len(self.parents)) if self.parents[i] == -1]
            first = path(inits, {second[0][0]}, lambda d: True)
            prefix = first + second[1:]
        entry = prefix[-1][0]
        loop: list[tuple[int, int]] = []
        cur = entry
        for src, dst, o in needed:
            if cur != src:
                leg = path([cur], {src}, lambda d: d in comp)
                loop.extend(leg[1:])
            loop.append((dst, o))
            cur = dst
        if cur != entry or not loop:
            if loop or any(d == entry for d, _, _ in succ[entry]):
                leg = path([cur], {entry}, lambda d: d in comp) if cur != entry else [(entry, -1)]
                loop.extend(leg[1:])
        seq = prefix + loop
        # replay the sequence of (state, ordinal) from its initial state
        m = self.model
        first_idx = seq[0][0]
        chain = self._chain(first_idx)
        states, labels = self._replay(chain)
        cur_state = m.canonical(states[-1])[0]
        for _, o in seq[1:]:
            label, s2 = m.successors(cur_state)[o]
            states.append(s2)
            labels.append(label)
            cur_state = m.canonical(s2)[0]
        loop_start = len(chain) - 1 + len(prefix) - 1
        return Trace(m.describe_trace(states, labels), loop_start=loop_start)
