"""Partial-order reduction in the sharded search: every shard decides for its states exactly as one worker would.

One worker (``Explorer._bfs``, ``por.Reducer``) follows, per state of depth d, the smallest candidate stubborn set
whose proper successors are non-empty and none "old" (found at depth <= d), else every step. In the sharded search,
while level d is expanded each owner's store holds exactly the states of depth <= d (level d+1 is received only
after), so "old" is "in its owner's store now" (a state outside the constraint is never stored by one worker, so it
is never old). A level under reduction is therefore:

1. ``expand`` (``Shard._expand`` with the hook ``ShardReduction.follow``): a state with no candidate set is fully
   expanded at once; the others are kept for the level with their successors and candidate sets, and the
   fingerprints of the candidates' proper successors become queries to their owners;
2. ``answer``: each owner says which of the queried fingerprints it holds (vectorised, ``FingerprintSet``);
3. ``send``: each shard chooses for its kept states (``Reducer.choose``, as one worker) and sends the chosen
   successors in batches, after the level's others.

So the reduced state space, its counts, depth, verdicts and shortest-trace lengths are those of one worker; step
positions stay positions in the full successor list, so traces replay as without reduction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .batch import Collector
from .model import Model
from .por import Reducer, check_options
from .shard import CHUNK, SENT_SLOTS, Shard
from .system import System

if TYPE_CHECKING:
    from .transport import Transport

Deferred = tuple[int, Any, Sequence[tuple[Any, Any]], list[list[int]], dict[int, int]]
"""A state kept for the level: (global index, state, successors, candidate sets, fingerprint per proper candidate
successor position within the constraint)."""


def reducer_for(model: Model, system: System) -> Reducer:
    """The coordinator's reducer: it checks the properties can be read (as one worker) and holds the counters."""
    if model.sym_groups:
        check_options(system, mode="bfs", symmetry=True)
    return Reducer(model, system)


def liveness_note(names: str) -> str:
    """What the result says when liveness properties made the run explore without reduction (as one worker)."""
    return f"partial-order reduction was not applied: the liveness properties ({names}) are explored on the full state space"


class ShardReduction:
    """A shard's side of the reduction: the level's deferred states, its queries, and the counters."""

    def __init__(self, shard: Shard) -> None:
        self.shard = shard
        self.reducer = Reducer(shard.m, shard.system)
        self.deferred: list[Deferred] = []
        self.asked: list[list[int]] = [[] for _ in range(shard.shards)]  # per owner, the fingerprints to ask about
        self.queries: list[npt.NDArray[np.uint64]] = []
        self.reduced = self.expanded = 0

    def start(self) -> None:
        """Nothing to do: the first call builds the reducer (``Shard.por``)."""

    def follow(self, gidx: int, state: Any, succs: Sequence[tuple[Any, Any]]) -> Iterable[tuple[int, tuple[Any, Any]]]:
        """The successors to send now: all of a state without candidate sets; none of the others (decided in ``send``)."""
        sets = self.reducer.candidates(state, succs)
        if not sets:
            self.expanded += 1
            return enumerate(succs)
        sh = self.shard
        constraint, net_fp, shards = sh.constraint, sh.net_fp, sh.shards
        fps: dict[int, int] = {}
        for kept in sets:
            for k in kept:
                if k in fps:
                    continue
                s2 = succs[k][1]
                if s2 == state or (constraint is not None and not constraint(s2)):
                    continue  # not a proper successor, or one that is never stored: never old
                locals_, net, budgets = s2
                hit = net_fp.get(net)
                if hit is None:
                    hit = sh._net(net)
                fp = fps[k] = sh.codec.state_fp(locals_, hit[0], budgets)
                self.asked[fp % shards].append(fp)
        self.deferred.append((gidx, state, succs, sets, fps))
        return ()

    def queries_out(self) -> list[npt.NDArray[np.uint64]]:
        """Per owner, the distinct fingerprints to ask about (kept to read the answers)."""
        self.queries = [np.unique(np.array(a, dtype=np.uint64)) for a in self.asked]
        self.asked = [[] for _ in range(self.shard.shards)]
        return self.queries

    def answer(self, queries: list[npt.NDArray[np.uint64]]) -> list[npt.NDArray[np.bool_]]:
        """Per asking shard, which of its fingerprints this owner holds (states of this depth or before)."""
        store = self.shard.store
        return [store.contains(q) if len(q) else np.zeros(0, dtype=bool) for q in queries]

    def send(self, answers: list[npt.NDArray[np.bool_]]) -> tuple[list[list[Any]], int, int]:
        """Choose for the deferred states and send the chosen successors: (batches per owner, reduced, expanded)."""
        old: set[int] = set()
        for q, found in zip(self.queries, answers):
            old.update(q[found].tolist())
        self.queries = []
        sh = self.shard
        outgoing: list[list[Any]] = [[] for _ in range(sh.shards)]
        out = Collector(sh.m.n, sh.out_tables)
        sent, mask, net_fp = sh.sent, SENT_SLOTS - 1, sh.net_fp
        for gidx, state, succs, sets, fps in self.deferred:
            old_at = {k for k, fp in fps.items() if fp in old}  # the positions of old successors
            kept = self.reducer.choose(state, succs, sets, old_at.__contains__)
            if kept is None:
                self.expanded += 1
                items: Iterable[tuple[int, tuple[Any, Any]]] = enumerate(succs)
            else:
                self.reduced += 1
                items = ((k, succs[k]) for k in kept)
            for ordinal, (_, s2) in items:
                if s2 is state:
                    continue
                locals_, net, budgets = s2
                hit = net_fp.get(net)
                if hit is None:
                    hit = sh._net(net)
                key = hash((locals_, hit[0], budgets))  # of local ids, as the shard's own loop keys its cache
                slot = key & mask
                if sent[slot] == key:
                    continue
                sent[slot] = key
                out.add((-1, locals_, hit[1], budgets, gidx, ordinal))
            if len(out) >= CHUNK:
                sh._send(out.rows(), outgoing, False)
        self.deferred = []
        sh._send(out.rows(), outgoing, False)
        sh.batch_bytes = max(sh.batch_bytes, sh.level_bytes)
        reduced, expanded, self.reduced, self.expanded = self.reduced, self.expanded, 0, 0
        return outgoing, reduced, expanded


def finish_level(t: Transport, reports: list[dict[str, Any]], reducer: Reducer) -> None:
    """The coordinator's part after every shard expanded a level: queries to owners, answers back, the chosen
    successors appended to each shard's batches (after its others), and the counters added to ``reducer``."""
    n = len(reports)
    asked = t.call("por", [("queries_out",)] * n)
    answers = t.call("por", [("answer", [asked[src][dst] for src in range(n)]) for dst in range(n)])
    sent = t.call("por", [("send", [answers[dst][src] for dst in range(n)]) for src in range(n)])
    for src, (batches, reduced, expanded) in enumerate(sent):
        for dst in range(n):
            reports[src]["batches"][dst].extend(batches[dst])
        reducer.reduced_states += reduced
        reducer.expanded_states += expanded
