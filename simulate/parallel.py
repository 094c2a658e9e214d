"""Breadth-first search over shards: every core of a machine, or a Ray cluster.

Level-synchronous: each level, every shard expands the states it owns and sends each
successor to the shard that owns its fingerprint; owners keep the new ones, in shard order,
so counts, depths, verdicts and the length of every shortest counterexample are the same as
with one worker, and the same from run to run. New states are numbered level by level,
shard by shard, so a global index says which shard holds a state's parent link. Traces are
rebuilt by asking each state's owner to re-expand its parent (successor positions are
positions in the owner's own successor order) and decoding the result here.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from . import parallel_checkpoints as checkpoints
from . import shard_por, stable
from .entry import compile_system
from .explorer import OUTSIDE, ExplorationFailed, _Explorer
from .model import Label, State, StepError
from .properties import Eventually, LeadsTo
from .result import Result, Verdict, collision_probability
from .shard import NO_PARENT
from .steal import expand_level
from .system import ModelError, System
from .transport import Transport, make_transport


class ParallelExplorer(_Explorer):
    """The explorer's verdicts and traces over a sharded search."""

    def __init__(
        self,
        system: System,
        workers: int,
        engine: str,
        address: str | None,
        *,
        max_states: int | None = None,
        max_depth: int | None = None,
        max_seconds: float | None = None,
        symmetry: bool | None = None,
        graph: bool = False,
        stop_on_violation: bool = False,
        progress: Any = None,
        progress_interval: float = 0.5,
        checkpoint: str | Path | None = None,
        checkpoint_every: float = 300.0,
        resume: str | Path | None = None,
        reduce: str | None = None,
    ) -> None:
        model = compile_system(system, symmetry, stable.StableModel)
        super().__init__(model, "bfs", max_states, max_depth, max_seconds, graph, stop_on_violation, 0, 0, progress, progress_interval)
        self.system = system
        if self.live:
            raise ModelError(f"system {system.name!r}: the sharded search checks safety; explore_parallel checks liveness in one process")
        if self.want_graph:
            raise ModelError("graph=True needs workers=1")
        self.workers = workers
        self.engine = engine
        self.address = address
        assert isinstance(self.model, stable.StableModel)
        self.codec = self.model.codec
        self.owners: list[tuple[int, int, int]] = []  # (global start, shard, count) per level and shard
        self.t: Transport | None = None
        self.shard_stats: list[dict[str, Any]] = []
        if reduce == "por":  # partial-order reduction: every shard decides as one worker (simulate.shard_por)
            self.reducer = shard_por.reducer_for(self.model, system)
        self.use_checkpoints(checkpoint, checkpoint_every, resume)
        self._generation = 0
        self._stale: list[str] = []  # the shard files of the checkpoint the next one replaces

    def run(self) -> Result:
        t0 = self._start()
        self.t = make_transport(self.engine, self.system, self.workers, bool(self.model.sym_groups), self.address)
        start = None
        if self.checkpoint_path is not None or self.resume_path is not None:
            self._signature = self.model.signature()
            self._next_checkpoint = t0 + self.checkpoint_every
        if self.resume_path is not None:
            try:
                start = checkpoints.resume(self)
            except BaseException:
                self.t.close()
                raise
        failure: ExplorationFailed | None = None
        try:
            try:
                complete = self._levels(start)
            except KeyboardInterrupt:
                complete = False
                self.limit = "interrupted"
            except (Exception, SystemExit) as e:  # a worker failed: the verdicts so far are kept
                complete, failure = False, ExplorationFailed(e, None)
                self.limit = f"exploration failed: {failure}"
            self.stats.seconds = self._seconds_before + time.perf_counter() - t0
            verdicts = self._verdicts(complete)
            if failure is not None:
                verdicts.append(Verdict("exploration", "error", "failed", None, f"exploration failed: {failure}"))
            coverage = self._coverage()
            try:
                self.shard_stats = self.t.call("memory", [()] * self.workers)
            except Exception:  # a worker that failed cannot report its figures
                self.shard_stats = []
        finally:
            self.t.close()
        self.stats.seconds = self._seconds_before + time.perf_counter() - t0
        return Result(
            system=self.system.name,
            mode=self.mode,
            verdicts=verdicts,
            stats=self.stats,
            complete=complete,
            limit=self.limit,
            coverage=coverage,
            graph=None,
            model=self.model,
            initial=self.initial,
            workers=self.workers,
            fingerprint_collision_probability=collision_probability(self.stats.distinct_states, 64),
            fingerprint_bits=64,
            shards=self.shard_stats,
            failure=str(failure) if failure is not None else None,
            failure_kind=type(failure.cause).__name__ if failure is not None else None,
            notes=self._notes(),
        )

    def _levels(self, start: tuple[list[int], int, int] | None) -> bool:
        """The level-synchronous search, from the initial states or from a checkpoint's (counts, total, depth)."""
        assert self.t is not None
        n = self.workers
        if self.reducer is not None:
            self.t.call("por", [("start",)] * n)
        if start is None:
            codec = self.codec
            per: list[list[tuple[int, Any, int]]] = [[] for _ in range(n)]
            seen: set[int] = set()
            for ordinal, s in enumerate(self.initial):
                enc = codec.encode(s)
                fp = stable.fingerprint(enc)
                if fp in seen:
                    continue
                seen.add(fp)
                per[fp % n].append((fp, enc, ordinal))
            values = codec.new_values(0, 0)
            counts = self.t.call("seed", [(per[k], values) for k in range(n)])
            total = depth = 0
        else:
            counts, total, depth = start
        counts = self._boundary(counts, total, depth)
        complete = True
        deadline = None if self.max_seconds is None else self._t0 + self.max_seconds
        while True:
            bases = []
            for k in range(n):
                bases.append(total)
                if counts[k]:
                    self.owners.append((total, k, counts[k]))
                total += counts[k]
            self.stats.distinct_states = total
            level_new = sum(counts)
            if level_new and depth > self.stats.max_depth:
                self.stats.max_depth = depth
            stop = ""
            if self.limit:  # a state limit cut this level
                stop = self.limit
            elif not level_new:
                stop = "done"
            elif self.max_depth is not None and depth >= self.max_depth:
                stop = f"max_depth {self.max_depth} reached"
            elif self.stop_on_violation and self._violated():
                stop = "stopped at the first violation"
            elif deadline is not None and time.perf_counter() > deadline:
                stop = f"time limit of {self.max_seconds}s reached"
            steal = not stop and self.reducer is None and n > 1  # reduction: each shard expands its own (shard_por)
            reports, incoming = expand_level(self.t, [(bases[k], deadline, not stop) for k in range(n)], deadline, steal)
            self._absorb(reports)
            if stop:
                if stop != "done":
                    complete = False
                    self.limit = self.limit or stop
                break
            if any(r["stopped"] for r in reports):
                complete = False
                self.limit = f"time limit of {self.max_seconds}s reached"
                break
            if self.reducer is not None:
                shard_por.finish_level(self.t, reports, self.reducer)
                incoming = [[reports[src]["batches"][dst] for src in range(n)] for dst in range(n)]
            counts = self.t.call("receive", [(incoming[k],) for k in range(n)])
            depth += 1
            counts = self._boundary(counts, total, depth)
            self.stats.queue = sum(counts)
            if self.progress is not None:
                self.stats.seconds = time.perf_counter() - self._t0
                self.progress(self.stats)
        self.stats.queue = 0
        return complete

    def _boundary(self, counts: list[int], total: int, depth: int) -> list[int]:
        """A level boundary: write a checkpoint if one is due (before a state limit cuts the level), then apply the limit."""
        if checkpoints.due(self, counts, total, depth):
            checkpoints.write(self, counts, total, depth)
        return self._limit_states(counts, total)

    def _limit_states(self, counts: list[int], total: int) -> list[int]:
        """Cut a level at ``max_states``, keeping shards' states in shard order (deterministic)."""
        assert self.t is not None
        if self.max_states is None or total + sum(counts) <= self.max_states:
            return counts
        room = self.max_states - total
        kept = []
        for k, c in enumerate(counts):
            keep = max(0, min(c, room))
            room -= keep
            if keep < c:
                self.t.call_one(k, "truncate", keep)
            kept.append(keep)
        self.limit = f"max_states {self.max_states} reached"
        return kept

    def _absorb(self, reports: list[dict[str, Any]]) -> None:
        """Merge what the shards found while numbering and expanding a level (the lowest index wins: deterministic).

        A state outside the constraint that decided a property has no index: it counts only where no stored state of
        the same level decided it, the one with the lowest (parent, step position) first.
        """
        before = set(self.found)
        for r in reports:
            self.stats.states_generated += r["generated"]
            for name, gidx in r["hits"].items():  # a shard may check on what another decided earlier (outside the constraint)
                if name not in before and (name not in self.found or gidx < self.found[name]):
                    self.found[name] = gidx
        outside: dict[str, tuple[int, int]] = {}
        for r in reports:
            for name, link in r["outside"].items():
                if name not in before and name not in self.found and (name not in outside or link < outside[name]):
                    outside[name] = link
        for name, link in sorted(outside.items()):
            self.outside.append(link)
            self.found[name] = OUTSIDE + len(self.outside) - 1
        for r in reports:  # every shard's deadlock and step errors (not only when a state outside the constraint decided)
            if r["deadlock"] is not None and (self.deadlock is None or r["deadlock"] < self.deadlock):
                self.deadlock = r["deadlock"]
            for gidx, text in r["errors"]:
                self.errors.append((text, gidx, None, "error"))
        self.errors.sort(key=lambda e: e[1])

    # ------------------------------------------------------------------ traces, through the owners

    def _owner(self, gidx: int) -> int:
        for start, shard, count in self.owners:
            if start <= gidx < start + count:
                return shard
        raise KeyError(gidx)

    def _chain(self, idx: int) -> list[int]:
        assert self.t is not None
        self._links: dict[int, int] = {}
        chain = [idx]
        if idx >= OUTSIDE:  # a state outside the constraint: its parent's chain, then the step to it
            parent, ordinal = self.outside[idx - OUTSIDE]
            self._links[idx] = ordinal
            if parent == NO_PARENT:
                return chain
            chain.append(parent)
        while True:
            parent, ordinal = self.t.call_one(self._owner(chain[-1]), "link", chain[-1])
            self._links[chain[-1]] = ordinal
            if parent == NO_PARENT:
                break
            chain.append(parent)
        chain.reverse()
        return chain

    def _replay(self, chain: Any) -> tuple[list[State], list[Label | None]]:
        """The actual states and labels along a chain, as ``_Explorer._replay``, with each step found by its owner."""
        assert self.t is not None
        m, codec = self.model, self.codec
        actual = self.initial[self._links[chain[0]]]
        canon, perm = m.canonical(actual)
        states: list[State] = [actual]
        labels: list[Label | None] = [None]
        for prev_idx, idx in zip(chain, chain[1:]):
            enc = codec.encode(canon)
            enc2, values = self.t.call_one(self._owner(prev_idx), "child", enc, codec.values_of(enc), self._links[idx])
            codec.learn(*values)
            target = stable.fingerprint(enc2)
            step = next(((raw, s2) for raw, s2 in m.successors(canon) if codec.fingerprint(s2) == target), None)
            if step is None:
                raise AssertionError("a shard's successor is not a successor here")
            label, s2 = Label(*step[0]), step[1]
            if perm is not None:
                inv = m.inverse(perm)
                s2 = m.apply(s2, inv)
                label = m.rename_label(label, inv)
            states.append(s2)
            labels.append(label)
            canon, perm = m.canonical(s2)
        return states, labels

    def trace_to(self, idx: int, failing: Label | None = None) -> Any:
        if failing is None and any(e[1] == idx and e[2] is None for e in self.errors):
            states, _ = self._replay(self._chain(idx))
            try:
                self.model.successors(states[-1])
            except StepError as e:
                failing = Label(*e.label)
        return super().trace_to(idx, failing)

    def _taken_so_far(self) -> dict[str, set[int]]:
        assert self.t is not None
        m = self.model
        position = {id(ch): str(k) for k, ch in enumerate(m.unique_charts())}
        chart_of_no = {m.chart_no[i]: m.charts[i] for i in range(m.n)}
        out = {k: set(v) for k, v in self._resumed_taken.items()}  # a resumed checkpoint's, then this run's
        for part in self.t.call("taken", [()] * self.workers):
            for no, ts in part.items():
                out.setdefault(position[id(chart_of_no[no])], set()).update(ts)
        return out


def explore_parallel(system: System, workers: int, engine: str, address: str | None, **options: Any) -> Result:
    """The sharded search for invariants, goals and deadlock; liveness, if any, on the whole graph in one process.

    Liveness needs the state graph, which the shards do not keep: for now a second, one-worker
    exploration checks the ``eventually``/``leads_to`` properties, and the result says so.
    """
    live = [p for p in system.properties if isinstance(p, (Eventually, LeadsTo))]
    if live and (options.get("checkpoint") is not None or options.get("resume") is not None):
        raise ModelError(
            f"system {system.name!r}: checkpoints are written by plain BFS only, and this exploration has liveness properties: "
            "drop the checkpoint, or explore without them"
        )
    if not live:
        return ParallelExplorer(system, workers, engine, address, **options).run()
    reduce = options.pop("reduce", None)  # as with one worker: liveness properties make the whole run unreduced
    if options.get("symmetry") or (options.get("symmetry") is None and system.symmetry):
        raise ModelError(
            f"system {system.name!r}: symmetry reduction is unsound for liveness properties ({', '.join(p.name for p in live)}), as in TLC: "
            "explore with symmetry=False"
        )
    safety = dataclasses.replace(system, properties=[p for p in system.properties if p not in live])
    result = ParallelExplorer(safety, workers, engine, address, **options).run()
    from .explorer import explore

    liveness = dataclasses.replace(system, properties=live, check_deadlock=False)
    second = explore(liveness, **{k: v for k, v in options.items() if k in ("max_states", "max_depth", "max_seconds", "progress", "progress_interval")})
    result.verdicts.extend(second.verdicts)
    result.stats.seconds += second.stats.seconds
    if reduce == "por":
        result.notes.insert(0, shard_por.liveness_note(", ".join(p.name for p in live)))
    result.notes.append(
        f"liveness ({', '.join(p.name for p in live)}) was checked in one process on the whole state graph "
        f"({second.stats.distinct_states:,} states); the {workers} workers checked the rest"
    )
    if not second.complete and result.complete:
        result.complete = False
        result.limit = second.limit
    return result

