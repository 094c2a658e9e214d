"""Liveness (``eventually``, ``leads_to``): fair lassos in the state graph, by strongly connected components.

The search keeps the graph when a liveness property is checked, as typed arrays: each edge's source,
destination, step position and fairness class (the model's ``fair_key``: for the actor system, every
actor's message deliveries, every pending timer and every stimulus declared ``fair=True`` are weakly
fair, as ``WF_vars`` in the emitted TLA+), and each property's p and q on every state. A property
fails when a component of the states where its goal is not met is reachable and fair: every fairness
class enabled throughout it is taken inside it. The analysis is vectorised (numpy, scipy's strongly
connected components on a CSR matrix); only the states of a counterexample are rebuilt, by replay.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..protocol import Predicate
from ..result import Trace
from .coverage import Coverage

Ints = npt.NDArray[np.signedinteger[Any]]  # int64 (positions, parents) or int32 (per edge: indices, ordinals, classes)
Bools = npt.NDArray[np.bool_]

FORMER_ORDER_LIMIT = 200_000
"""Up to this many states where the goal is not met, a violation's lasso is the one the former analysis reported (its
component chosen in networkx's order, which costs Python objects per state); above, the nearest fair component's."""


def _order(key: Any) -> Any:
    """A sort key for fairness keys (tuples of ints and strings) independent of the hash seed: ints before strings."""
    return tuple((1, x) if isinstance(x, str) else (0, x) for x in key) if isinstance(key, tuple) else ((1, key) if isinstance(key, str) else (0, key),)


@dataclass
class LiveGraph:
    """The kept graph in CSR form (edges grouped by source, each source's in successor order), built once per
    exploration and shared by its liveness properties."""

    n: int
    indptr: Ints  # the edges of state i are indptr[i]:indptr[i + 1]
    src: Ints
    dst: Ints
    ordinal: Ints
    key: Ints  # fairness class number (0: not fair)
    key_rank: Ints  # rank of each class number in the seed-independent order of the keys (0 stays first)
    initial: Bools
    leave_src: Ints  # fair steps out of the constraint (not edges: they only keep their class enabled in their source)
    leave_key: Ints

    def out_edges(self, nodes: Ints) -> Ints:
        """The positions of the edges leaving ``nodes``, node by node, each node's in successor order."""
        starts = self.indptr[nodes]
        counts = self.indptr[nodes + 1] - starts
        total = int(counts.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        offsets = np.cumsum(counts) - counts
        return np.arange(total, dtype=np.int64) - np.repeat(offsets, counts) + np.repeat(starts, counts)

    def bfs(self, sources: Ints, allowed: Bools, targets: Bools | None = None) -> tuple[Ints, Ints, Ints, int]:
        """Breadth-first search from ``sources`` through ``allowed`` states (sources are always in), level by level.

        Returns (order of discovery, parent state, ordinal of the step from the parent, the first target in
        discovery order or -1); parent is -2 for states not reached, -1 for the sources. The discovery order and
        the parents are those of a queue-based search that visits successors in order (the first finder wins),
        and it stops at the first level holding a target, as such a search stops when it pops the first target.
        """
        parent = np.full(self.n, -2, dtype=np.int64)
        via = np.full(self.n, -1, dtype=np.int64)
        _, first = np.unique(sources, return_index=True)
        frontier = sources[np.sort(first)]
        parent[frontier] = -1
        order = [frontier]
        while len(frontier):
            if targets is not None:
                hit = frontier[targets[frontier]]
                if len(hit):
                    return np.concatenate(order), parent, via, int(hit[0])
            edges = self.out_edges(frontier)
            d = self.dst[edges]
            keep = allowed[d] & (parent[d] == -2)
            edges, d = edges[keep], d[keep]
            _, first = np.unique(d, return_index=True)
            first.sort()
            edges, frontier = edges[first], d[first]
            parent[frontier] = self.src[edges]
            via[frontier] = self.ordinal[edges]
            order.append(frontier)
        return np.concatenate(order), parent, via, -1


def _path(parent: Ints, via: Ints, end: int) -> list[tuple[int, int]]:
    """[(state, ordinal of the step to it)] from a source of a search to ``end``, by its parent links."""
    out = []
    cur = end
    while cur >= 0:
        out.append((cur, int(via[cur])))
        cur = int(parent[cur])
    out.reverse()
    out[0] = (out[0][0], -1)
    return out


class Liveness(Coverage):
    """Fair-lasso search on the kept graph."""

    def _liveness(self, p: Predicate, q: Predicate | None) -> Trace | None:
        """A fair lasso violating ``<>p`` (q None) or ``p ~> q``; None when the property holds."""
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import connected_components

        number = next(j for j, lp in enumerate(self.live) if lp.p is p and lp.q is q)
        if self.live_errors[number] is not None:
            raise self.live_errors[number]  # type: ignore[misc]
        g = self._live_graph()
        bits = np.frombuffer(bytes(self.live_bits[number]), dtype=np.uint8)
        if len(bits) != g.n:
            raise AssertionError(f"liveness bits for {len(bits)} of {g.n} states")
        bad = (bits & (1 if q is None else 2)) == 0
        starts = np.flatnonzero(g.initial & bad if q is None else bad & ((bits & 1) == 1))
        if not len(starts):
            return None
        # the bad region reachable from the starts through bad states (discovery order and parents: the prefix)
        order, parent, via, _ = g.bfs(starts, bad)
        region = np.zeros(g.n, dtype=bool)
        region[order] = True
        self._phase(f"strongly connected components of the {len(order):,} states where the goal is not met", force=True)
        inner = region[g.src] & region[g.dst]
        counts = np.bincount(g.src[inner], minlength=g.n)
        indptr = np.zeros(g.n + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        matrix = csr_matrix((np.ones(int(inner.sum()), dtype=np.int8), g.dst[inner], indptr), shape=(g.n, g.n))
        _, comp = connected_components(matrix, directed=True, connection="strong")
        del matrix
        self._phase(f"fairness of the components of {len(order):,} states")
        fair = self._fair_components(g, region, comp)
        entry_mask = fair[comp] & region
        if not entry_mask.any():
            return None
        if len(order) <= FORMER_ORDER_LIMIT:
            inside, needed = self._former_choice(g, starts, bad, comp, fair)
            _, parent, via, hit = g.bfs(starts, bad, inside)
            prefix = _path(parent, via, hit)
        else:  # the fair component the search from the starts meets first, and the shortest way there
            first = int(order[entry_mask[order]][0])
            prefix = _path(parent, via, first)
            inside = comp == comp[first]
            needed = self._needed(g, inside)
        if q is not None:  # from an initial state (any path) to the p-state that starts the way to the component
            inits = np.flatnonzero(g.initial)
            _, parent0, via0, hit = g.bfs(inits, np.ones(g.n, dtype=bool), self._one(g.n, prefix[0][0]))
            prefix = _path(parent0, via0, hit) + prefix[1:]
        return self._lasso(g, inside, prefix, needed)

    def _former_choice(self, g: LiveGraph, starts: Ints, bad: Bools, comp: Ints, fair: Bools) -> tuple[Bools, list[tuple[int, int, int]]]:
        """The fair component the former analysis chose (the first that networkx yields, enumerating the region's
        components in the order of a Python set of its states) and, of each fairness class taken inside, the first
        step taken in the order of its set of states: the same lassos as before, on regions of moderate size."""
        import networkx as nx

        indptr, dst = g.indptr, g.dst

        def succ(i: int) -> list[int]:
            return dst[indptr[i] : indptr[i + 1]].tolist()  # type: ignore[no-any-return]

        region: set[int] = set()
        stack = starts.tolist()
        while stack:
            i = stack.pop()
            if i in region:
                continue
            region.add(i)
            stack.extend(d for d in succ(i) if bad[d] and d not in region)
        graph = nx.DiGraph()
        graph.add_nodes_from(region)
        graph.add_edges_from((i, d) for i in region for d in succ(i) if d in region)
        chosen = next(c for c in nx.strongly_connected_components(graph) if fair[comp[next(iter(c))]])
        inside = np.zeros(g.n, dtype=bool)
        inside[list(chosen)] = True
        firsts: dict[int, tuple[int, int, int]] = {}
        for i in chosen:
            for e in range(int(indptr[i]), int(indptr[i + 1])):
                d, k = int(dst[e]), int(g.key[e])
                if k and k not in firsts and d != i and inside[d]:
                    firsts[k] = (i, d, int(g.ordinal[e]))
        needed = [firsts[k] for k in sorted(firsts, key=lambda k: int(g.key_rank[k]))]
        return inside, needed

    @staticmethod
    def _needed(g: LiveGraph, inside: Bools) -> list[tuple[int, int, int]]:
        """Of each fairness class taken inside a component, one step: classes in their seed-independent order, of
        each the first step of the lowest state."""
        internal = inside[g.src] & inside[g.dst] & (g.src != g.dst) & (g.key != 0)
        positions = np.flatnonzero(internal)
        if not len(positions):
            return []
        ranks = g.key_rank[g.key[positions]]
        by = np.lexsort((positions, ranks))  # by class rank, then edge position (lowest source, successor order)
        positions, ranks = positions[by], ranks[by]
        firsts = positions[np.concatenate(([True], ranks[1:] != ranks[:-1]))]
        return [(int(g.src[e]), int(g.dst[e]), int(g.ordinal[e])) for e in firsts]

    @staticmethod
    def _one(n: int, i: int) -> Bools:
        mask = np.zeros(n, dtype=bool)
        mask[i] = True
        return mask

    @staticmethod
    def _fair_components(g: LiveGraph, region: Bools, comp: Ints) -> Bools:
        """Per component (by number): whether it is fair, i.e. no fairness class is enabled in every one of its
        states (a step of the class leaves the state) without a step of it taken inside (between two of its states)."""
        ncomp = int(comp.max()) + 1 if len(comp) else 0
        size = np.bincount(comp[region], minlength=ncomp)
        nkeys = len(g.key_rank)
        proper = region[g.src] & (g.key != 0) & (g.src != g.dst)
        s, d, k = g.src[proper], g.dst[proper], g.key[proper].astype(np.int64)
        left = region[g.leave_src]  # a fair step out of the constraint is enabled too (TLA+'s ENABLED knows no CONSTRAINT)
        pairs = np.concatenate((s.astype(np.int64) * nkeys + k, g.leave_src[left] * nkeys + g.leave_key[left]))
        enabled = np.unique(pairs)  # (state, class) enabled in a state of the region
        pairs, per = np.unique(comp[enabled // nkeys].astype(np.int64) * nkeys + enabled % nkeys, return_counts=True)
        everywhere = pairs[per == size[pairs // nkeys]]
        internal = region[d] & (comp[s] == comp[d])
        taken = np.unique(comp[s[internal]].astype(np.int64) * nkeys + k[internal])
        unfair = everywhere[~np.isin(everywhere, taken)] // nkeys
        fair = np.ones(ncomp, dtype=bool)
        fair[unfair] = False
        return fair

    def _live_graph(self) -> LiveGraph:
        """The kept graph as CSR arrays: built once and shared by every liveness property of the exploration."""
        if self._live_graph_cache is None:
            if self._edges_released:
                raise AssertionError("the kept graph was released after its analysis")
            n = len(self.parents)
            self._phase(f"building the graph of {n:,} states and {len(self.edge_src):,} steps", force=True)
            src, dst, found = self.edge_targets()
            src, dst = src[found], dst[found]
            ordinal = np.frombuffer(self.edge_ord, dtype=np.uint32).astype(np.int32)[found]
            key = np.frombuffer(self.edge_key, dtype=np.uint32).astype(np.int32)[found]
            if len(src) and bool((np.diff(src) < 0).any()):  # depth-first search: not grouped by source yet
                by = np.argsort(src, kind="stable")
                src, dst, ordinal, key = src[by], dst[by], ordinal[by], key[by]
            indptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
            ranked = sorted(range(1, len(self.fair_keys)), key=lambda i: _order(self.fair_keys[i]))  # never hash order
            key_rank = np.zeros(len(self.fair_keys), dtype=np.int64)
            key_rank[ranked] = np.arange(1, len(ranked) + 1)
            initial = np.frombuffer(self.parents, dtype=np.int32) == -1
            leave_src = np.frombuffer(self.leave_src, dtype=np.uint32).astype(np.int64)
            leave_key = np.frombuffer(self.leave_key, dtype=np.uint32).astype(np.int64)
            self._live_graph_cache = LiveGraph(n, indptr, src, dst, ordinal, key, key_rank, initial, leave_src, leave_key)
            if not self.want_graph:  # the arrays of the search are not needed again: release them before the analysis
                self.edge_src, self.edge_dst, self.edge_ord, self.edge_key = array("I"), array("q"), array("I"), array("I")
                self._edges_released = True
        return self._live_graph_cache  # type: ignore[no-any-return]

    def _lasso(self, g: LiveGraph, inside: Bools, prefix: list[tuple[int, int]], needed: list[tuple[int, int, int]]) -> Trace:
        """The trace: the prefix, then a loop inside the component through the ``needed`` steps (and through a state
        where each class enabled all along them but never taken inside is disabled), back to its entry."""
        entry = prefix[-1][0]
        loop: list[tuple[int, int]] = []
        cur = entry

        def leg(a: int, b: int) -> list[tuple[int, int]]:
            _, par, via, hit = g.bfs(np.array([a], dtype=np.int64), inside, self._one(g.n, b))
            if hit < 0:
                raise AssertionError("no path inside a strongly connected component")
            return _path(par, via, hit)

        for src, dst, o in needed:
            if cur != src:
                loop.extend(leg(cur, src)[1:])
            loop.append((dst, o))
            cur = dst
        # a class enabled along the whole loop but taken nowhere in the component is disabled in one of its states
        # (the component is fair): the loop visits the lowest such state, so that the lasso itself is fair
        taken = set(np.unique(g.key[inside[g.src] & inside[g.dst] & (g.src != g.dst)]).tolist())

        def enabled_at(i: int) -> set[int]:
            e = g.out_edges(np.array([i], dtype=np.int64))
            return {int(k) for k in g.key[e][(g.dst[e] != i) & (g.key[e] != 0)]} | {int(k) for k in g.leave_key[g.leave_src == i]}

        along = set.intersection(*(enabled_at(i) for i in [entry, *(d for d, _ in loop)])) - taken
        for k in sorted(along, key=lambda k: int(g.key_rank[k])):
            if k not in along:
                continue
            edges_k = (g.key == k) & (g.src != g.dst) & inside[g.src]
            enabled_k = np.zeros(g.n, dtype=bool)
            enabled_k[g.src[edges_k]] = True
            enabled_k[g.leave_src[g.leave_key == k]] = True
            target = int(np.flatnonzero(inside & ~enabled_k)[0])
            if cur != target:
                way = leg(cur, target)[1:]
                loop.extend(way)
                for d, _ in way:
                    along &= enabled_at(d)
            cur = target
        if cur != entry or not loop:
            edges = g.out_edges(np.array([entry], dtype=np.int64))
            if loop or bool((g.dst[edges] == entry).any()):
                loop.extend(leg(cur, entry)[1:] if cur != entry else [])
        seq = prefix + loop
        # replay the sequence of (state, ordinal) from its initial state
        m = self.model
        chain = self._chain(seq[0][0])
        states, labels = self._replay(chain)
        cur_state = m.canonical(states[-1])[0]
        for _, o in seq[1:]:
            label, s2 = m.successors(cur_state)[o]
            states.append(s2)
            labels.append(label)
            cur_state = m.canonical(s2)[0]
        loop_start = len(chain) - 1 + len(prefix) - 1
        return Trace(m.describe_trace(states, labels), loop_start=loop_start)
