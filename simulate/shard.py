"""One owner of a partition of the state space: the worker side of the parallel breadth-first search.

States are owned by fingerprint (``fp % shards``). A level is two calls: ``expand`` numbers the
states this shard accepted in the previous level (from the global offset the coordinator
computed), expands them and returns their successors batched per owner; ``receive`` takes
the batches addressed to this shard, in shard order, keeps the new ones (checking the
invariants and goals on each) and reports how many. Everything that crosses processes is
encoded in global ids (``simulate.stable``), so shards that interned in different orders agree.
"""

from __future__ import annotations

import resource
import time
from array import array
from operator import itemgetter
from typing import Any

import numpy as np

from .fpset import FingerprintSet
from .model import Model, StepError
from .properties import Eventually, Invariant, LeadsTo, Sometimes, compile_predicate
from .stable import FP64, StableModel
from .system import System

NO_PARENT = 0xFFFFFFFF


class Batch:
    """States sent from one shard to another in one level, with the values the receiver may not know yet."""

    __slots__ = ("encs", "fps", "locals", "msgs", "ordinals", "parents")

    def __init__(self) -> None:
        self.fps: array[int] = array("Q")
        self.encs: list[Any] = []
        self.parents: array[int] = array("I")
        self.ordinals: array[int] = array("I")
        self.locals: list[tuple[int, Any]] = []
        self.msgs: list[tuple[int, Any]] = []

    def __getstate__(self) -> Any:
        return (self.fps, self.encs, self.parents, self.ordinals, self.locals, self.msgs)

    def __setstate__(self, st: Any) -> None:
        self.fps, self.encs, self.parents, self.ordinals, self.locals, self.msgs = st


def at_rest(m: Model, state: Any) -> bool:
    """Every instance is final or in one of its actor's declared end states."""
    for i in range(m.n):
        if m.charts[i].is_final(m.chart_state(state, i)):
            continue
        if any(m.in_state(state, i, s) for s in m.actor_of[i].end_states):
            continue
        return False
    return True


class Shard:
    """The states one worker owns: their fingerprints, parent links and step positions, and its frontier."""

    def __init__(self, system: System, shard: int, shards: int, symmetry: bool = False) -> None:
        self.shard, self.shards = shard, shards
        self.system = system
        saved = system.symmetry
        system.symmetry = symmetry
        try:
            self.m = m = StableModel(system)
        finally:
            system.symmetry = saved
        self.codec = m.codec
        self.invariants = [(p.name, compile_predicate(m, p.predicate, f"invariant {p.name!r}")) for p in system.properties if isinstance(p, Invariant)]
        self.goals = [(p.name, compile_predicate(m, p.predicate, f"sometimes {p.name!r}")) for p in system.properties if isinstance(p, Sometimes)]
        self.constraint = compile_predicate(m, system.constraint, "constraint") if system.constraint is not None else None
        self.live = any(isinstance(p, (Eventually, LeadsTo)) for p in system.properties)
        self.store = FingerprintSet()
        self.parents: array[int] = array("I")
        self.ordinals: array[int] = array("I")
        self.blocks: list[tuple[int, int, int]] = []  # (global start, local start, count) per level
        self.pending: list[Any] = []  # states accepted this level, not yet numbered
        self.pending_hits: dict[str, int] = {}  # property -> position in pending
        self.outside_hits: dict[str, tuple[int, int]] = {}  # property -> (parent, step position) of a state outside the constraint
        self.frontier: list[Any] = []
        self.frontier_gidx = 0
        self.decided: set[str] = set()
        self.marks = (0, 0)
        self.sent_before: set[int] = set()
        self.cpu_expand = self.cpu_receive = 0.0
        self.exchange: Any = None  # set by a transport whose shards live in other processes
        self.received = 0

    # ------------------------------------------------------------------ a level

    def expand(self, base: int, deadline: float | None, expand: bool) -> dict[str, Any]:
        """Number last level's states from ``base``, then expand them (unless ``expand`` is False)."""
        t0 = time.process_time()
        try:
            return self._expand(base, deadline, expand)
        finally:
            self.cpu_expand += time.process_time() - t0

    def _expand(self, base: int, deadline: float | None, expand: bool) -> dict[str, Any]:
        n = len(self.pending)
        report: dict[str, Any] = {
            "hits": {k: base + v for k, v in self.pending_hits.items()},
            "outside": self.outside_hits,
            "errors": [],
            "deadlock": None,
            "generated": 0,
        }
        self.decided.update(self.pending_hits)
        self.decided.update(self.outside_hits)
        self.outside_hits = {}
        if n:
            self.blocks.append((base, len(self.parents) - n, n))
        self.frontier, self.frontier_gidx = self.pending, base
        self.pending, self.pending_hits = [], {}
        if not expand:
            self.frontier = []
            return {**report, "batches": [self._put(d, Batch()) for d in range(self.shards)], "stopped": False}
        outs: list[list[tuple[int, Any, int, int]]] = [[] for _ in range(self.shards)]
        m, codec, shards = self.m, self.codec, self.shards
        successors = m.successors
        canonical = m.canonical if m.sym_groups else None
        many = m.n > 1  # itemgetter of several items returns a tuple (of one, the item)
        lg, net_cache, encode_net, sync = codec.local_gid, codec.net_cache, codec.encode_net, codec.sync
        local_values, msg_values, msg_gid = m.local_values, m.msg_values, codec.msg_gid
        # successors already sent this level or the one before, by this process's own hash: most repeats in a
        # breadth-first search are diamonds within a level or steps back, and skipping them saves their encoding
        sent: set[int] = set()
        before = self.sent_before
        generated = 0
        stopped = False
        check_deadlock = self.system.check_deadlock
        for k, state in enumerate(self.frontier):
            if deadline is not None and k & 255 == 0 and time.perf_counter() > deadline:
                stopped = True
                break
            gidx = self.frontier_gidx + k
            try:
                succs = successors(state)
            except StepError as e:
                report["errors"].append((gidx, str(e.cause)))
                continue
            generated += len(succs)
            if len(lg) < len(local_values) or len(msg_gid) < len(msg_values):
                sync()
            if not succs:
                if check_deadlock and report["deadlock"] is None and not at_rest(m, state):
                    report["deadlock"] = gidx
                continue
            for ordinal, (_, s2) in enumerate(succs):
                if s2 is state:
                    continue
                if canonical is not None:
                    s2 = canonical(s2)[0]
                    if len(lg) < len(local_values) or len(msg_gid) < len(msg_values):
                        sync()
                h = hash(s2)
                if h in sent or h in before:
                    continue
                sent.add(h)
                locals_, net, budgets = s2
                enet = net_cache.get(net)
                if enet is None:
                    enet = encode_net(net)
                gl = itemgetter(*locals_)(lg) if many else (lg[locals_[0]],)
                enc = (gl, enet, budgets)
                fp = hash((gl, enet[1], budgets)) & FP64
                outs[fp % shards].append((fp, enc, gidx, ordinal))
        self.frontier = []
        self.sent_before = sent
        new_locals, new_msgs = codec.new_values(*self.marks)
        out: list[Any] = []
        for entries in outs:
            b = Batch()
            b.fps = array("Q", [e[0] for e in entries])
            b.encs = [e[1] for e in entries]
            b.parents = array("I", [e[2] for e in entries])
            b.ordinals = array("I", [e[3] for e in entries])
            b.locals, b.msgs = new_locals, new_msgs
            out.append(self._put(len(out), b))
        del outs
        report["generated"] = generated
        return {**report, "batches": out, "stopped": stopped}

    def _put(self, dest: int, batch: Batch) -> Any:
        """Hand a batch to the exchange (a file, a Ray object) and return its handle; in one process, the batch itself."""
        return batch if self.exchange is None else self.exchange.put(self.shard, dest, batch)

    def receive(self, handles: list[Any]) -> int:
        """Accept the new states among these batches (in this order); return how many there are."""
        t0 = time.process_time()
        batches = handles if self.exchange is None else [self.exchange.get(h) for h in handles]
        try:
            self.received += sum(len(b.encs) for b in batches if b is not None)
            return self._receive(batches)
        finally:
            self.cpu_receive += time.process_time() - t0

    def _receive(self, batches: list[Batch]) -> int:
        codec = self.codec
        for b in batches:
            codec.learn(b.locals, b.msgs)
        self.marks = (len(self.m.local_values), len(self.m.msg_values))
        fps = np.frombuffer(b"".join(b.fps.tobytes() for b in batches), dtype=np.uint64) if batches else np.zeros(0, np.uint64)
        new = np.flatnonzero(self.store.add(fps)).tolist()
        if not new:
            return len(self.pending)
        encs = batches[0].encs if len(batches) == 1 else [e for b in batches for e in b.encs]
        parents = batches[0].parents if len(batches) == 1 else array("I", b"".join(b.parents.tobytes() for b in batches))
        ordinals = batches[0].ordinals if len(batches) == 1 else array("I", b"".join(b.ordinals.tobytes() for b in batches))
        decode = codec.decode
        pending = self.pending
        pending_hits, decided = self.pending_hits, self.decided
        invariants = [(n, p) for n, p in self.invariants if n not in decided]
        goals = [(n, p) for n, p in self.goals if n not in decided]
        constraint = self.constraint
        for k in new:
            state = decode(encs[k])
            if constraint is not None and not constraint(state):
                # as TLC's CONSTRAINT: checked against the invariants and goals, neither counted nor expanded
                for name, pred in invariants:
                    if name not in pending_hits and name not in self.outside_hits and not pred(state):
                        self.outside_hits[name] = (parents[k], ordinals[k])
                for name, pred in goals:
                    if name not in pending_hits and name not in self.outside_hits and pred(state):
                        self.outside_hits[name] = (parents[k], ordinals[k])
                continue
            pos = len(pending)
            pending.append(state)
            self.parents.append(parents[k])
            self.ordinals.append(ordinals[k])
            for name, pred in invariants:
                if name not in pending_hits and not pred(state):
                    pending_hits[name] = pos
            for name, pred in goals:
                if name not in pending_hits and pred(state):
                    pending_hits[name] = pos
        return len(pending)

    def truncate(self, keep: int) -> None:
        """Keep only the first ``keep`` states accepted this level (a state limit cut the level)."""
        drop = len(self.pending) - keep
        if drop <= 0:
            return
        del self.pending[keep:]
        del self.parents[len(self.parents) - drop :], self.ordinals[len(self.ordinals) - drop :]
        self.pending_hits = {k: v for k, v in self.pending_hits.items() if v < keep}

    def seed(self, encs: list[tuple[int, Any, int]], values: tuple[list[Any], list[Any]]) -> int:
        """Accept initial states: (fingerprint, encoding, ordinal among the initial states)."""
        b = Batch()
        for fp, enc, ordinal in encs:
            b.fps.append(fp)
            b.encs.append(enc)
            b.parents.append(NO_PARENT)
            b.ordinals.append(ordinal)
        b.locals, b.msgs = values
        return self.receive([self._put(self.shard, b)])

    # ------------------------------------------------------------------ afterwards

    def _local(self, gidx: int) -> int:
        for gstart, lstart, count in self.blocks:
            if gstart <= gidx < gstart + count:
                return lstart + gidx - gstart
        raise KeyError(gidx)

    def link(self, gidx: int) -> tuple[int, int]:
        """(parent's global index or NO_PARENT, step position among the parent's successors)."""
        k = self._local(gidx)
        return self.parents[k], self.ordinals[k]

    def child(self, enc: Any, values: tuple[list[Any], list[Any]], ordinal: int) -> tuple[Any, tuple[list[Any], list[Any]]]:
        """Expand an encoded state as this shard did and return its successor at ``ordinal``, encoded, with its values."""
        self.codec.learn(*values)
        state = self.codec.decode(enc)
        _, s2 = self.m.successors(state)[ordinal]
        enc2 = self.codec.encode(s2)
        return enc2, self.codec.values_of(enc2)

    def taken(self) -> dict[int, set[int]]:
        """Transitions taken by the macrosteps this shard computed, per chart number."""
        m = self.m
        out: dict[int, set[int]] = {}
        for (i, _, _), outcomes in m._memo.items():
            if isinstance(outcomes, BaseException):
                continue
            s = out.setdefault(m.chart_no[i], set())
            for o in outcomes:
                s.update(o.taken)
        return out

    def memory(self) -> dict[str, Any]:
        """What this shard holds and what it cost: bytes of fingerprints and links, peak RSS, CPU seconds, states received."""
        return {
            "store": self.store.nbytes(),
            "links": self.parents.itemsize * len(self.parents) + self.ordinals.itemsize * len(self.ordinals),
            "states": len(self.parents),
            "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "cpu_expand": self.cpu_expand,
            "cpu_receive": self.cpu_receive,
            "received": self.received,
        }
