"""One owner of a partition of the state space: the worker side of the parallel breadth-first search.

States are owned by fingerprint (``fp % shards``). A level is two calls: ``expand`` numbers the
states this shard accepted in the previous level (from the global offset the coordinator
computed), expands them and returns their successors batched per owner; ``receive`` takes
the batches addressed to this shard, in shard order, keeps the new ones (checking the
invariants and goals on each) and reports how many. Everything that crosses processes is
encoded in global ids (``simulate.stable``), so shards that interned in different orders agree.
"""

from __future__ import annotations

import gc
import resource
import time
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .batch import NO_PARENT, Batch, Collector, Rows, Tables
from .columns import compile_block
from .fpset import FingerprintSet
from .model import Model, StepError
from .properties import Eventually, Invariant, LeadsTo, Sometimes, compile_predicate
from .stable import StableModel
from .system import System

__all__ = ["NO_PARENT", "Shard", "at_rest"]

SENT_SLOTS = 1 << 18
"""Entries in a shard's cache of the states it already sent (direct-mapped, 8 bytes each), keyed by ``hash`` of the
state in this process's local ids (the fingerprint, of global ids, is computed later, a block at a time): a repeat
found there is not sent again. Lossy by design, exact when it hits (up to a 64-bit collision of two keys): the
receiver de-duplicates whatever gets through."""

KEPT = "kept"
"""The first item of the handle of a batch a shard sent to itself (other handles are a path or a list)."""

CHUNK = 8192
"""Successors gathered as Python objects before they are packed into arrays (bounds a shard's transient memory)."""

MIN_TAIL = 1024
"""A shard asked to yield (another is idle) does so only with at least this many states left to expand."""

STEP = 1024
"""States decoded and expanded at a time; a shard looks whether it is asked to yield between two such steps."""

FORCE_YIELD: int | None = None
"""Tests: yield at the first step at or after this position of every level's frontier, as if asked."""


_WIDTHS = {"B": np.uint8, "H": np.uint16, "I": np.uint32}
"""The numpy type of each width of the array of step positions."""


def _sent_cache(slots: int = SENT_SLOTS) -> array[int]:
    """An empty cache of sent states' keys (signed, as ``hash`` gives them; slot ^ 1 is no key of its slot)."""
    return array("q", (np.arange(slots, dtype=np.int64) ^ 1).tobytes())


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
    """The states one worker owns: their fingerprints, parent links and step positions, and its frontier (as arrays)."""

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
        # networks and budgets are positions in per-level tables (a network-heavy model has about as many networks as
        # states): the pending states' (``in_tables``) become the frontier's, the outgoing successors' are new each level
        self.in_tables = Tables(m.local_order)
        self.out_tables = Tables(m.local_order)
        self.invariants = [(p.name, compile_predicate(m, p.predicate, f"invariant {p.name!r}")) for p in system.properties if isinstance(p, Invariant)]
        self.goals = [(p.name, compile_predicate(m, p.predicate, f"sometimes {p.name!r}")) for p in system.properties if isinstance(p, Sometimes)]
        # those that read only which states the actors are in are checked a block of rows at a time (simulate.columns)
        self.block_preds = {p.name: compile_block(m, p.predicate, p.name) for p in system.properties if isinstance(p, (Invariant, Sometimes))}
        self.constraint = compile_predicate(m, system.constraint, "constraint") if system.constraint is not None else None
        self.live = any(isinstance(p, (Eventually, LeadsTo)) for p in system.properties)
        self.store = FingerprintSet()
        self.parents: array[int] = array("I")
        self.ordinals: array[int] = array("B")  # step positions: 1 byte each, widened when a larger one comes
        self.blocks: list[tuple[int, int, int]] = []  # (global start, local start, count) per level
        self.pending: list[Rows] = []  # states accepted this level, not yet numbered
        self.pending_count = 0
        self.outside_hits: dict[str, tuple[int, int]] = {}  # property -> (parent, step position) of a state outside the constraint
        self.decided: set[str] = set()
        self.marks = (0, 0)  # what this process had interned when it last received: values after it are new to others
        self.level_marks = [self.marks] * shards  # per destination, what it was sent this level
        self.level_bytes = 0
        self.sent = _sent_cache()
        self.net_fp: dict[Any, tuple[int, int]] = {}  # network -> (hash of its global ids, position in the tables)
        self.cpu_expand = self.cpu_receive = 0.0
        self.exchange: Any = None  # set by a transport whose shards live in other processes
        self.kept: dict[int, Batch] = {}  # batches this shard sent itself, by the number in their handle (never pickled)
        self.kept_seq = 0
        self.received = 0
        self.peak_rows = 0  # the most bytes of frontier, pending states and outgoing batches held at once
        self.batch_bytes = 0  # the most bytes of batches this shard wrote to the exchange in one level (no RSS shows them)
        self.batches = 0  # batches written and read through the exchange
        self.batch_seconds = 0.0  # wall seconds spent writing and reading them
        self.base_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # peak RSS before this shard held any state
        self.reduction: Any = None  # partial-order reduction (simulate.shard_por), once ``por`` is called
        self.yield_flag: Any = None  # shared bytes, one per shard: set while another shard is idle (the coordinator)
        self.tail: tuple[Rows, Tables, int] | None = None  # what this shard yielded this level: rows, tables, first index
        self.level_start = self.marks  # what this process had interned when this level began
        self.decided_before: set[str] = set()  # properties decided before this level
        self.decided_own: set[str] = set()  # and those this shard's own states decided this level, before its tail
        self.yielded = self.taken_over = 0  # states this shard left to others, and took over from others

    # ------------------------------------------------------------------ a level

    @contextmanager
    def _busy(self, counter: str) -> Iterator[None]:
        """Pause the cyclic collector (a level allocates many short-lived tuples and no cycles: it would only rescan
        them) and add the CPU seconds spent to ``counter`` (``cpu_expand``, ``cpu_receive``).

        In a worker process of its own (an exchange), what survives the level (the model's caches, the store) is
        then frozen (``gc.freeze``): otherwise the collections that follow, the first one full, walk all of it again
        after every level (6-8% of a shard's time on the gateway). It is still freed when no longer referenced."""
        t0 = time.process_time()
        collecting = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if collecting:
                if self.exchange is not None:
                    gc.freeze()
                gc.enable()
            setattr(self, counter, getattr(self, counter) + time.process_time() - t0)

    def expand(self, base: int, deadline: float | None, expand: bool) -> dict[str, Any]:
        """Number last level's states from ``base``, then expand them (unless ``expand`` is False)."""
        with self._busy("cpu_expand"):
            return self._expand(base, deadline, expand)

    def _net(self, net: Any) -> tuple[int, int]:
        """(hash of the network in global ids, its position in the outgoing table, which holds it in global ids).

        A level's networks are hashed once here, as the keys of ``net_fp``: the table is a plain list, and a network
        met again after the cache was emptied only takes a second position."""
        hit = self.net_fp.get(net)
        if hit is None:
            if len(self.net_fp) >= 1 << 18:
                self.net_fp.clear()
            enet = self.codec.net_gids(net)
            h = hash(enet)
            hit = self.net_fp[net] = (h, self.out_tables.add_net(enet, h))
        return hit

    def _expand(self, base: int, deadline: float | None, expand: bool) -> dict[str, Any]:
        n = self.pending_count
        hits: dict[str, int] = {}
        report: dict[str, Any] = {"hits": hits, "outside": self.outside_hits, "errors": [], "deadlock": None, "generated": 0}
        self.outside_hits = {}
        if n:
            self.blocks.append((base, len(self.parents) - n, n))
        frontier = Rows.concat(self.pending, self.m.n)
        tables = self.in_tables
        self.pending, self.pending_count = [], 0
        self.in_tables, self.out_tables, self.net_fp = Tables(self.m.local_order), Tables(self.m.local_order), {}
        # the level's invariants and goals are checked here, on the states as they are decoded for expansion
        checks = self._undecided(self.decided)
        if not expand:
            for first, states in frontier.chunks(tables):
                checks = self._check(states, frontier.cols[first : first + len(states)], base + first, checks, hits)
            self.decided.update(hits)
            self.decided.update(report["outside"])
            self.level_marks = [self.marks] * self.shards
            outgoing: list[list[Any]] = [[] for _ in range(self.shards)]
            self._send(Rows.empty(self.m.n), outgoing, True)
            return {**report, "batches": outgoing, "stopped": False}
        self.level_start, self.decided_before = self.marks, set(self.decided)
        self.level_marks = [self.marks] * self.shards
        outgoing = [[] for _ in range(self.shards)]  # per destination, the handles of its batches in order
        self.level_bytes = 0
        self.tail = None
        yielding = self.reduction is None  # reduction: every shard expands its own states (simulate.shard_por)
        checks, stopped, at = self._run(frontier, tables, base, checks, hits, report, outgoing, deadline, self.sent, yielding)
        if at is not None:  # asked to yield: the rest waits for the coordinator's plan (``export``, ``pieces``)
            self.tail = (frontier.take(slice(at, None)), tables, base + at)
            report["tail"], report["tail_at"] = len(frontier) - at, base + at
            self.yielded += len(frontier) - at
        self.decided.update(hits)
        self.decided_own = set(self.decided)  # not the outside hits: a stored state of this level beats them (an own piece checks on)
        self.decided.update(report["outside"])
        self.peak_rows = max(self.peak_rows, frontier.nbytes())
        del frontier
        self.batch_bytes = max(self.batch_bytes, self.level_bytes)
        return {**report, "batches": outgoing, "stopped": stopped}

    def _run(
        self,
        frontier: Rows,
        tables: Tables,
        base: int,
        checks: list[tuple[str, Any, bool]],
        hits: dict[str, int],
        report: dict[str, Any],
        outgoing: list[list[Any]],
        deadline: float | None,
        sent: array[int],
        yielding: bool,
    ) -> tuple[list[tuple[str, Any, bool]], bool, int | None]:
        """Check and expand these rows (global indices from ``base``) and send their successors, the last batch to every
        owner; (the checks still undecided, stopped by the deadline, where it yielded when asked or None)."""
        m = self.m
        successors = m.successors  # a state's steps in the same order in every process (``StableModel``)
        canonical = m.canonical if m.sym_groups else None
        net_fp, net_of = self.net_fp, self._net
        mask = len(sent) - 1
        out = Collector(m.n, self.out_tables, (frontier.cols, base) if canonical is None else None)
        add = out.add
        generated = 0
        stopped = False
        at = None
        flag, me = self.yield_flag, self.shard
        check_deadlock = self.system.check_deadlock
        follow = self.reduction.follow if self.reduction is not None else None  # reduction: which successors to send now
        for first, states in frontier.chunks(tables, STEP):
            if yielding and ((flag is not None and flag[me] and len(frontier) - first >= MIN_TAIL) or (FORCE_YIELD is not None and first >= FORCE_YIELD)):
                at = first
                break
            if checks:
                checks = self._check(states, frontier.cols[first : first + len(states)], base + first, checks, hits)
            if stopped or (deadline is not None and time.perf_counter() > deadline):
                stopped = True  # the rest of the level is checked, not expanded
                continue
            if len(out) >= CHUNK:
                self._send(out.rows(), outgoing, False)
            for gidx, state in enumerate(states, base + first):
                try:
                    succs = successors(state)
                except StepError as e:
                    report["errors"].append((gidx, str(e.cause)))
                    continue
                generated += len(succs)
                if not succs:
                    if check_deadlock and report["deadlock"] is None and not at_rest(m, state):
                        report["deadlock"] = gidx
                    continue
                for ordinal, (label, s2) in enumerate(succs) if follow is None else follow(gidx, state, succs):
                    if s2 is state:
                        continue
                    if canonical is not None:
                        s2 = canonical(s2)[0]
                    locals_, net, budgets = s2
                    hit = net_fp.get(net)
                    if hit is None:
                        hit = net_of(net)
                    key = hash((locals_, hit[0], budgets))  # of local ids: this process's name for the state
                    slot = key & mask
                    if sent[slot] == key:
                        continue
                    sent[slot] = key
                    if canonical is None:  # the parent's columns with the one its label names replaced
                        i = label[1]
                        add((i, locals_[i], hit[1], budgets, gidx, ordinal))
                    else:  # a canonical form may differ from its parent anywhere
                        add((-1, locals_, hit[1], budgets, gidx, ordinal))
        self._send(out.rows(), outgoing, True)
        report["generated"] += generated
        return checks, stopped, at

    # ------------------------------------------------------------------ the end of a level, shared (work stealing)

    def export(self, parts: list[tuple[int, int, int]]) -> list[Any]:
        """Hand parts of the tail this shard yielded, (start, stop, destination) each, to the shards that expand them."""
        if not parts:
            return []
        assert self.tail is not None
        rows, tables, _ = self.tail
        return [
            self._put(dest, Batch.pack(rows.take(slice(start, stop)), tables, ([], []), encode_net=self.codec.net_gids))
            for start, stop, dest in parts
        ]

    def pieces(self, work: list[tuple[Any, ...]], deadline: float | None) -> list[dict[str, Any]]:
        """Expand pieces of yielded tails: ``("own", start, stop)`` of this shard's, ``("foreign", handle, base)`` of
        another's. A piece is one stream of batches, as if its owner had gone on: a foreign one remembers only its own
        sent fingerprints and checks every property undecided before this level (found in a piece of lower indices, or
        not), an own one skips those this shard's lower indices decided."""
        with self._busy("cpu_expand"):
            reports = []
            for item in work:
                hits: dict[str, int] = {}
                report: dict[str, Any] = {"hits": hits, "outside": {}, "errors": [], "deadlock": None, "generated": 0}
                outgoing: list[list[Any]] = [[] for _ in range(self.shards)]
                self.level_marks = [self.level_start] * self.shards  # every value of this level: receivers read pieces out of order
                if item[0] == "own":
                    assert self.tail is not None
                    rows, tables, base = self.tail
                    rows, base, decided, sent = rows.take(slice(item[1], item[2])), base + item[1], self.decided_own, self.sent
                else:
                    _, handle, base = item
                    b = self._get(handle)
                    self.taken_over += len(b)
                    tables = Tables(self.m.local_order)
                    rows, decided, sent = b.unpack(tables, self.codec.decode_nets), self.decided_before, _sent_cache(1 << 16)
                checks = self._undecided(decided)
                _, stopped, _ = self._run(rows, tables, base, checks, hits, report, outgoing, deadline, sent, False)
                self.decided.update(hits)
                if item[0] == "own":
                    self.decided_own.update(hits)
                reports.append({**report, "batches": outgoing, "stopped": stopped})
            self.tail = None
            self.batch_bytes = max(self.batch_bytes, self.level_bytes)
            return reports

    def _send(self, rows: Rows, outgoing: list[list[Any]], last: bool) -> None:
        """Hand a chunk of successors to their owners, a batch per owner (at the end of a level, to every owner)."""
        dest = rows.fps % np.uint64(self.shards)
        order = np.argsort(dest, kind="stable")
        bounds = np.searchsorted(dest[order], np.arange(self.shards + 1))
        for d in range(self.shards):
            if bounds[d] == bounds[d + 1] and not last:
                continue
            outgoing[d].append(self._put(d, self._batch(rows.take(order[bounds[d] : bounds[d + 1]]), d)))

    def _batch(self, rows: Rows, dest: int) -> Batch:
        """Rows for another shard, with the values this process interned since it last sent it a batch this level
        (a value crosses once per destination; values learned from other shards came to every shard from their origin)."""
        values = self.codec.new_values(*self.level_marks[dest])
        self.level_marks[dest] = (len(self.m.local_order), len(self.m.msg_values))
        return Batch.pack(rows, self.out_tables, values)

    def _put(self, dest: int, batch: Batch) -> Any:
        """Hand a batch to the exchange (a file, a Ray object) and return its handle; in one process, the batch itself."""
        if self.exchange is None:
            return batch
        if dest == self.shard:  # to itself: kept in memory, the handle names it
            self.kept_seq += 1
            self.kept[self.kept_seq] = batch
            return (KEPT, self.kept_seq)
        self.level_bytes += batch.nbytes()
        t0 = time.perf_counter()
        handle = self.exchange.put(self.shard, dest, batch)
        self.batch_seconds += time.perf_counter() - t0
        self.batches += 1
        return handle

    def receive(self, handles: list[list[Any]]) -> int:
        """Accept the new states among these batches (per sender, in this order); return how many there are."""
        with self._busy("cpu_receive"):
            for h in (h for sender in handles for h in sender):
                b = self._get(h)
                self.received += len(b)
                self._receive(b)
            self.marks = (len(self.m.local_order), len(self.m.msg_values))
            return self.pending_count

    def _get(self, h: Any) -> Batch:
        """The batch behind a handle: in one process the batch itself, a kept one from memory, else from the exchange."""
        if self.exchange is None:
            return h  # type: ignore[no-any-return]
        if type(h) is tuple and h[0] == KEPT:
            return self.kept.pop(h[1])
        t1 = time.perf_counter()
        b = self.exchange.get(h)
        self.batch_seconds += time.perf_counter() - t1
        self.batches += 1
        return b  # type: ignore[no-any-return]

    def _receive(self, b: Batch) -> None:
        """Keep the batch's new states (the first of any repeats) that are within the constraint, if any."""
        codec = self.codec
        codec.learn(b.locals, b.msgs)
        if not len(b):
            return
        new = np.flatnonzero(self.store.add(b.rows.fps))
        if not len(new):
            return
        rows = b.unpack(self.in_tables, codec.decode_nets, new)
        if self.constraint is not None:
            rows = self._within(rows)
        if not len(rows):
            return
        self.parents.frombytes(rows.parents.tobytes())
        largest = int(rows.ordinals.max())
        if largest >> 8 * self.ordinals.itemsize:
            code = next(c for c in "BHI" if not largest >> 8 * array(c).itemsize)
            self.ordinals = array(code, self.ordinals)
        self.ordinals.frombytes(rows.ordinals.astype(_WIDTHS[self.ordinals.typecode]).tobytes())
        self.pending.append(rows.frontier())
        self.pending_count += len(rows)
        self.peak_rows = max(self.peak_rows, sum(r.nbytes() for r in self.pending))

    def _undecided(self, decided: set[str]) -> list[tuple[str, Any, bool]]:
        """(name, predicate, is an invariant) of the invariants and goals not in ``decided``."""
        return [(n, p, True) for n, p in self.invariants if n not in decided] + [(n, p, False) for n, p in self.goals if n not in decided]

    def _check(self, states: list[Any], cols: Any, first: int, checks: list[tuple[str, Any, bool]], hits: dict[str, int]) -> list[tuple[str, Any, bool]]:
        """Check states (global indices from ``first``; ``cols`` their rows' columns) against the undecided properties;
        return those still undecided. A property's first hit is its own: those checked on the block and those checked
        state by state do not wait for each other."""
        blocks = self.block_preds
        if any(blocks[c[0]] is not None for c in checks):
            left: list[tuple[str, Any, bool]] = []
            for c in checks:
                block = blocks[c[0]]
                if block is None:
                    left.extend(self._check_states(states, first, [c], hits))
                    continue
                bad = block(cols) != c[2]
                if bad.any():
                    hits[c[0]] = first + int(np.argmax(bad))
                else:
                    left.append(c)
            return left
        return self._check_states(states, first, checks, hits)

    @staticmethod
    def _check_states(states: list[Any], first: int, checks: list[tuple[str, Any, bool]], hits: dict[str, int]) -> list[tuple[str, Any, bool]]:
        """``_check``, one state and one predicate call at a time."""
        if len(checks) == 1:  # the common case, without a list per state
            name, pred, invariant = checks[0]
            for k, state in enumerate(states, first):
                if bool(pred(state)) != invariant:
                    hits[name] = k
                    return []
            return checks
        for k, state in enumerate(states, first):
            found = [name for name, pred, invariant in checks if bool(pred(state)) != invariant]
            if found:
                for name in found:
                    hits[name] = k
                checks = [c for c in checks if c[0] not in hits]
                if not checks:
                    break
        return checks

    def _within(self, rows: Rows) -> Rows:
        """The rows inside the constraint; those outside are checked now (TLC's CONSTRAINT: neither counted nor expanded)."""
        assert self.constraint is not None
        constraint, outside, decided = self.constraint, self.outside_hits, self.decided
        invariants = [(n, p) for n, p in self.invariants if n not in decided]
        goals = [(n, p) for n, p in self.goals if n not in decided]
        keep: list[int] = []
        for k, state in rows.states(self.in_tables):
            if constraint(state):
                keep.append(k)
                continue
            link = (int(rows.parents[k]), int(rows.ordinals[k]))
            for name, pred in invariants:
                if name not in outside and not pred(state):
                    outside[name] = link
            for name, pred in goals:
                if name not in outside and pred(state):
                    outside[name] = link
        return rows.take(np.array(keep, dtype=np.intp))

    def truncate(self, keep: int) -> None:
        """Keep only the first ``keep`` states accepted this level (a state limit cut the level)."""
        drop = self.pending_count - keep
        if drop <= 0:
            return
        rows = Rows.concat(self.pending, self.m.n).take(slice(0, keep))
        self.pending = [rows] if len(rows) else []
        self.pending_count = keep
        del self.parents[len(self.parents) - drop :], self.ordinals[len(self.ordinals) - drop :]

    def seed(self, encs: list[tuple[int, Any, int]], values: tuple[list[Any], list[Any]]) -> int:
        """Accept initial states: (fingerprint, encoding, ordinal among the initial states)."""
        self.codec.learn(*values)
        out = Collector(self.m.n, self.out_tables)
        for _fp, enc, ordinal in encs:  # the collector computes the same fingerprint
            locals_, net, budgets = self.codec.decode(enc)
            out.add((-1, locals_, self._net(net)[1], budgets, NO_PARENT, ordinal))
        self.level_marks = [(0, 0)] * self.shards
        return self.receive([[self._put(self.shard, self._batch(out.rows(), self.shard))]])

    # ------------------------------------------------------------------ partial-order reduction (simulate.shard_por)

    def por(self, method: str, *args: Any) -> Any:
        """Call ``method`` of this shard's reduction (``shard_por.ShardReduction``); the first call turns it on."""
        if self.reduction is None:
            from .shard_por import ShardReduction

            self.reduction = ShardReduction(self)
        return getattr(self.reduction, method)(*args)

    # ------------------------------------------------------------------ checkpoints (simulate.shard_checkpoint)

    def checkpoint(self, path: str, signature: str) -> None:
        """Write this shard's store, links and frontier at a level boundary."""
        from .shard_checkpoint import write

        write(self, path, signature)

    def restore(self, paths: list[str], signature: str) -> int:
        """Resume from this shard's file among ``paths``; return how many states wait to be expanded."""
        from .shard_checkpoint import restore

        return restore(self, paths, signature)

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
            "base_kib": self.base_kib,
            "cpu_expand": self.cpu_expand,
            "cpu_receive": self.cpu_receive,
            "received": self.received,
            "rows_peak": self.peak_rows,
            "batch_bytes": self.batch_bytes,
            "batches": self.batches,
            "batch_seconds": self.batch_seconds,
            "yielded": self.yielded,
            "taken_over": self.taken_over,
        }
