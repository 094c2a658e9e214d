"""Exhaustive exploration of a system: BFS (shortest counterexamples), DFS, random simulation.

The explorer stores a 64-bit fingerprint per distinct state plus a parent link and the
position of the step among its parent's successors; a trace is rebuilt by replaying
those positions from the initial state (the step function is deterministic). Full states
live only in the frontier. Liveness (``eventually``, ``leads_to``) keeps the state graph
and checks it by strongly connected components under weak fairness: every actor's
message deliveries, every pending timer and every stimulus declared ``fair=True`` are
weakly fair (as ``WF_vars`` in the emitted TLA+). Plain BFS can write checkpoints and
resume from them (``simulate.checkpoint``).
"""

from __future__ import annotations

import math
import os
import random
import signal
import threading
import time
from array import array
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from statecharts.errors import ExpressionError, StatechartError
from statecharts.values import canonical_key

from . import checkpoint as ckpt
from .hints import end_states_hint, transition_labels
from .model import Label, Model, State, StepError
from .properties import Eventually, Invariant, LeadsTo, Predicate, Sometimes, compile_predicate
from .result import Result, Stats, Step, Trace, Verdict
from .steps import changes_between, in_flight_text
from .system import ModelError, System

ProgressFn = Callable[[Stats], None]

OUTSIDE = 1 << 48
"""State indices from here on name ``_Explorer.outside`` entries: states outside the constraint (never stored)."""

FP_MASK = (1 << 60) - 1
"""Fingerprints are 60-bit state hashes: they fit Python's 32-byte ints (collisions: about 1e-6 at 1.7M states)."""


def explore(
    system: System,
    *,
    mode: str = "bfs",
    max_states: int | None = None,
    max_depth: int | None = None,
    max_seconds: float | None = None,
    symmetry: bool | None = None,
    graph: bool = False,
    stop_on_violation: bool = False,
    seed: int = 0,
    runs: int = 1000,
    progress: ProgressFn | None = None,
    progress_interval: float = 0.5,
    checkpoint: str | Path | None = None,
    checkpoint_every: float = 300.0,
    resume: str | Path | None = None,
    workers: int = 1,
    engine: str = "processes",
    ray_address: str | None = None,
    reduce: str | None = None,
) -> Result:
    """Explore every interleaving of a system (or simulate random runs) and check its properties.

    ``mode`` is ``"bfs"`` (shortest counterexamples), ``"dfs"`` or ``"random"`` (``runs``
    random walks of at most ``max_depth`` steps from ``seed``). Hitting ``max_states``,
    ``max_depth`` or ``max_seconds`` makes the result incomplete, never a silent pass.
    ``graph=True`` returns the state graph as a networkx DiGraph (small spaces).
    ``checkpoint`` names a file that plain BFS (no liveness, symmetry, constraint or graph)
    rewrites at the first BFS level boundary after every ``checkpoint_every`` seconds, and
    whenever it stops early (a limit, Ctrl-C);
    ``resume`` continues from such a file, with the same model, to the same verdicts.
    A constraint is TLC's CONSTRAINT: states outside it are checked, not stored or expanded.
    A failure that is no verdict (user code raising SystemExit, a value that cannot be stored,
    a raising constraint, a checkpoint that cannot be written) ends exploration with the
    verdicts found so far, a ``failed`` verdict and ``Result.failure`` saying what happened.
    ``reduce="por"`` applies partial-order reduction (``simulate.por``, docs/por.md): the same invariant,
    goal and deadlock verdicts from fewer states; liveness properties are then explored without it.
    """
    if mode not in ("bfs", "dfs", "random"):
        raise ModelError(f"mode {mode!r}: use 'bfs', 'dfs' or 'random'")
    _check_limits(max_states=max_states, max_depth=max_depth, runs=runs, max_seconds=max_seconds, checkpoint_every=checkpoint_every)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise ModelError(f"workers={workers!r}: give a whole number of workers (0: every core)")
    if workers == 0:
        workers = os.cpu_count() or 1
    if reduce not in (None, "none", "por"):
        raise ModelError(f"reduce={reduce!r}: use reduce='por' (partial-order reduction) or leave it out")
    if reduce == "por":
        from .por import check_options

        check_options(system, mode=mode, workers=workers if engine != "ray" else 2, symmetry=False)
    if workers > 1 or engine == "ray":
        if mode != "bfs":
            raise ModelError(f"mode {mode!r} runs on one worker: use mode='bfs' with workers > 1")
        if checkpoint is not None or resume is not None:
            raise ModelError("checkpoints are written by one worker only for now: drop workers, or the checkpoint")
        from .parallel import explore_parallel

        return explore_parallel(
            system,
            workers,
            engine,
            ray_address,
            max_states=max_states,
            max_depth=max_depth,
            max_seconds=max_seconds,
            symmetry=symmetry,
            graph=graph,
            stop_on_violation=stop_on_violation,
            progress=progress,
            progress_interval=progress_interval,
        )
    explorer = _Explorer(system, mode, max_states, max_depth, max_seconds, symmetry, graph, stop_on_violation, seed, runs, progress, progress_interval)
    if reduce == "por":
        explorer.use_reduction()
    explorer.use_checkpoints(checkpoint, checkpoint_every, resume)
    return explorer.run()


class ExplorationFailed(StatechartError):
    """Exploration stopped on a failure that is no verdict of the model (carries the state being expanded)."""

    def __init__(self, cause: BaseException, idx: int | None, what: str = "") -> None:
        super().__init__(what or f"{type(cause).__name__}: {cause}")
        self.cause = cause
        self.idx = idx


def _check_limits(**limits: int | float | None) -> None:
    """Limits are whole numbers (seconds: finite numbers) > 0, or None: ``max_states=-5`` or ``2.5`` is refused."""
    for name, value in limits.items():
        if value is None:
            continue
        seconds = name in ("max_seconds", "checkpoint_every")
        kinds: tuple[type, ...] = (int, float) if seconds else (int,)
        if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value) or value <= 0:
            kind = "a finite number of seconds" if seconds else "a whole number"
            raise ModelError(f"{name}={value!r}: give {kind} greater than 0 (or leave it out for no limit)")


class _Explorer:
    def __init__(
        self,
        system: System,
        mode: str,
        max_states: int | None,
        max_depth: int | None,
        max_seconds: float | None,
        symmetry: bool | None,
        graph: bool,
        stop_on_violation: bool,
        seed: int,
        runs: int,
        progress: ProgressFn | None,
        progress_interval: float,
    ) -> None:
        self.system = system
        self.mode = mode
        self.max_states = max_states
        self.max_depth = max_depth
        self.max_seconds = max_seconds
        self.want_graph = graph
        self.stop_on_violation = stop_on_violation
        self.seed = seed
        self.runs = runs
        self.progress = progress
        self.progress_interval = progress_interval
        self.liveness = [p for p in system.properties if isinstance(p, (Eventually, LeadsTo))]
        self._phase_label = ""
        use_symmetry = system.symmetry if symmetry is None else symmetry
        if use_symmetry and self.liveness:
            raise ModelError(
                f"system {system.name!r}: symmetry reduction is unsound for liveness properties "
                f"({', '.join(p.name for p in self.liveness)}), as in TLC: explore with symmetry=False"
            )
        saved = system.symmetry
        system.symmetry = use_symmetry
        try:
            self.model = self._make_model(system)
        finally:
            system.symmetry = saved
        m = self.model
        try:
            self.invariants: list[tuple[str, Predicate]] = [
                (p.name, compile_predicate(m, p.predicate, f"invariant {p.name!r}")) for p in system.properties if isinstance(p, Invariant)
            ]
            self.goals: list[tuple[str, Predicate]] = [
                (p.name, compile_predicate(m, p.predicate, f"sometimes {p.name!r}")) for p in system.properties if isinstance(p, Sometimes)
            ]
            self.live: list[tuple[Any, Predicate, Predicate | None]] = []
            for p in self.liveness:
                if isinstance(p, Eventually):
                    self.live.append((p, compile_predicate(m, p.predicate, f"eventually {p.name!r}"), None))
                else:
                    assert isinstance(p, LeadsTo)
                    self.live.append(
                        (p, compile_predicate(m, p.p, f"leads_to {p.name!r} (p)"), compile_predicate(m, p.q, f"leads_to {p.name!r} (q)"))
                    )
            self.constraint = compile_predicate(m, system.constraint, "constraint") if system.constraint is not None else None
        except ExpressionError as e:
            raise ModelError(f"system {system.name!r}: {e}") from None
        self.keep_graph = graph or bool(self.liveness)
        self.stats = Stats()
        self.verdicts: dict[str, Verdict] = {}
        self.found: dict[str, int] = {}  # property -> state index of its counterexample/witness
        self._pending: list[tuple[str, Predicate, bool]] | None = None  # the properties _check still evaluates
        self._live_graph_cache: tuple[list[State], list[list[tuple[int, int, Any]]], list[set[Any]], set[Any]] | None = None
        self.errors: list[tuple[str, int, Label | None, str]] = []
        self.deadlock: int | None = None
        self.limit = ""
        # storage
        self.parents = array("i")
        self.ordinals = array("I")
        self.initial: list[State] = []
        self.index: dict[int, int] = {}
        self.seen: set[int] = set()
        self.edges: list[tuple[int, int, int, Label]] = []  # (src, dst fp, ordinal, label) when keeping the graph
        self.terminal: set[int] = set()
        self.outside: list[tuple[int, int]] = []  # (parent, ordinal) of states outside the constraint that decided a property
        # checkpoints
        self.checkpoint_path: Path | None = None
        self.resume_path: Path | None = None
        self.checkpoint_every = 300.0
        self._next_checkpoint = 0.0
        self._signature: tuple[str, str | None] = ("", None)
        self._seconds_before = 0.0
        self._resumed_taken: dict[str, set[int]] = {}
        self._interrupted = False
        # partial-order reduction (simulate.por): None explores every step
        self.reducer: Any = None
        self.notes: list[str] = []
        self._depth_of: dict[int, int] = {}

    def _make_model(self, system: System) -> Model:
        """The compiled model this explorer searches (the parallel explorer needs one whose choices are process-independent)."""
        return Model(system)

    def use_reduction(self) -> None:
        """Explore with partial-order reduction (invariants, goals, deadlock); liveness is explored without it."""
        from .por import Reducer, check_options

        if self.model.sym_groups:
            check_options(self.system, mode=self.mode, workers=1, symmetry=True)
        if self.liveness:
            names = ", ".join(p.name for p in self.liveness)
            self.notes.append(f"partial-order reduction was not applied: the liveness properties ({names}) are explored on the full state space")
            return
        self.reducer = Reducer(self.model, self.system)

    def _por_keep(self, state: State, succs: Sequence[tuple[Any, State]], old: Callable[[State], bool]) -> list[int] | None:
        """The positions of the successors to follow under reduction (None: all). The cycle proviso of a breadth-first
        search: a state is fully expanded when a kept step leads to a state found at this depth or before (``old``),
        or when every kept step leads back to the state itself; so every cycle of the reduced graph has a fully
        expanded state (its deepest one), and no enabled step is ignored forever."""
        reducer = self.reducer
        keep = reducer.keep(state, succs, old)
        if keep is not None:
            proper = [k for k in keep if succs[k][1] != state]
            if not proper or any(old(succs[k][1]) for k in proper):
                keep = None
        if keep is None:
            reducer.expanded_states += 1
        else:
            reducer.reduced_states += 1
        return keep

    def use_checkpoints(self, checkpoint: str | Path | None, every: float, resume: str | Path | None) -> None:
        """Write checkpoints to ``checkpoint`` and/or resume from ``resume`` (plain BFS only)."""
        if checkpoint is None and resume is None:
            return
        why = [
            reason
            for reason, present in (
                (f"mode {self.mode!r}", self.mode != "bfs"),
                ("liveness properties", bool(self.liveness)),
                ("graph=True", self.want_graph),
                ("a constraint", self.constraint is not None),
                ("symmetry", bool(self.model.sym_groups)),
                ("partial-order reduction", self.reducer is not None),
            )
            if present
        ]
        if why:
            raise ModelError(
                f"system {self.system.name!r}: checkpoints are written by plain BFS only, and this exploration has {', '.join(why)}: "
                "drop the checkpoint, or explore without them"
            )
        if every <= 0:
            raise ModelError(f"checkpoint_every={every}: give a positive number of seconds")
        self.checkpoint_path = Path(checkpoint) if checkpoint is not None else None
        if self.checkpoint_path is not None:  # found now, not at the first write minutes into the run
            folder = self.checkpoint_path.parent
            if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK) or self.checkpoint_path.is_dir():
                raise ckpt.CheckpointError(
                    f"cannot write checkpoint {self.checkpoint_path}: "
                    + ("it is a directory" if self.checkpoint_path.is_dir() else f"{folder} is not a writable directory")
                )
        self.resume_path = Path(resume) if resume is not None else None
        self.checkpoint_every = every

    # ------------------------------------------------------------------ driving

    def _start(self) -> float:
        """Start the clock and the progress ticks, compute the initial states, warn about symmetry that merges nothing."""
        t0 = time.perf_counter()
        self._t0 = t0
        self._next_progress = t0 + self.progress_interval
        try:
            self.initial = self.model.initial_states()
        except StatechartError as e:
            raise ModelError(f"system {self.system.name!r}: cannot start: {e}") from None
        self._check_symmetry()
        return t0

    def run(self) -> Result:
        t0 = self._start()
        restore_sigint = self._begin_checkpoints(t0)
        failure: ExplorationFailed | None = None
        try:
            resumed = self._load_checkpoint() if self.resume_path is not None else None  # a refused checkpoint raises here
            if resumed is not None:
                complete = self._fast_bfs(deque(), self.parents, self.parents.append, self.ordinals.append, self.seen.add, bool(self.invariants or self.goals), resumed)
            else:
                complete = self._simulate() if self.mode == "random" else self._search()
        except KeyboardInterrupt:
            # an interrupted exploration reports what it had: verdicts on the explored part
            complete = False
            self.limit = "interrupted"
            self.stats.distinct_states = len(self.parents)
        except ExplorationFailed as e:
            complete, failure = False, e
        except (Exception, SystemExit) as e:  # e.g. a checkpoint that cannot be written: the verdicts so far are kept
            if isinstance(e, ckpt.CheckpointError) and self.stats.distinct_states == 0 and not self.parents:
                raise
            complete, failure = False, ExplorationFailed(e, None)
        finally:
            restore_sigint()
        if failure is not None:
            self.limit = f"exploration failed: {failure}"
            self.stats.distinct_states = len(self.parents)
        self.stats.seconds = self._seconds_before + time.perf_counter() - t0
        verdicts = self._verdicts(complete)
        if failure is not None:
            try:
                trace = self.trace_to(failure.idx) if failure.idx is not None else None
            except (Exception, SystemExit):  # replaying fails too: the message still says what happened
                trace = None
            where = " while expanding the last state of the trace" if trace is not None and failure.idx is not None and failure.idx < OUTSIDE else ""
            verdicts.append(Verdict("exploration", "error", "failed", trace, f"exploration failed{where}: {failure}"))
        graph = self._networkx() if self.want_graph else None
        self.stats.seconds = self._seconds_before + time.perf_counter() - t0
        return Result(
            system=self.system.name,
            mode=self.mode,
            verdicts=verdicts,
            stats=self.stats,
            complete=complete,
            limit=self.limit,
            coverage=self._coverage(),
            graph=graph,
            model=self.model,
            initial=self.initial,
            failure=str(failure) if failure is not None else None,
            failure_kind=type(failure.cause).__name__ if failure is not None else None,
            notes=self._notes(),
        )

    def _check_symmetry(self) -> None:
        """Warn when symmetry cannot merge anything: a group's instances start with different contexts (say an
        index field), so no two states are ever permutations of each other and the reduction only costs time."""
        import warnings

        from .system import SymmetryWarning

        m = self.model
        if not m.sym_groups or not self.initial:
            return
        first = self.initial[0]
        warned = False
        for group in m.sym_groups:
            contexts = [m.local_values[m.rename_local(first[0][i], m._anon_perm(i))][1].context for i in group]
            fields = m.charts[group[0]].engine.fields
            differ = [f for f, fi in fields.items() if any(c[fi] != contexts[0][fi] for c in contexts[1:])]
            if not differ:
                continue
            gname = m.group_of[group[0]]
            text = (
                f"symmetry over {gname!r} merges nothing: its instances start with different values of "
                f"{', '.join(repr(f) for f in differ)}, so no state is a permutation of another; drop the per-instance "
                f"value (an instance knows its own name), or explore with symmetry=False"
            )
            self.notes.append(text)
            warnings.warn(f"system {self.system.name!r}: {text}", SymmetryWarning, stacklevel=4)
            warned = True
        if not warned:  # the instances start alike: do they stay apart on their first steps? (simulate.symcheck)
            from .symcheck import merged_nothing_text

            later = merged_nothing_text(self.system)
            if later is not None:
                self.notes.append(later)
                warnings.warn(f"system {self.system.name!r}: {later}", SymmetryWarning, stacklevel=4)

    def _notes(self) -> list[str]:
        notes = list(self.notes)
        r = self.reducer
        if r is not None:
            notes.append(
                f"partial-order reduction: {r.reduced_states:,} of {r.reduced_states + r.expanded_states:,} expanded states followed a "
                "reduced set of steps; the invariant, goal and deadlock verdicts are those of the full state space, and a trace is a "
                "real behaviour but may not be the shortest one"
            )
        return notes

    def _tick(self) -> bool:
        """Report progress; return False when the time limit is reached."""
        now = time.perf_counter()
        if self._interrupted:
            self.limit = "interrupted"
            return False
        if self.progress is not None and now >= self._next_progress:
            self.stats.seconds = now - self._t0
            self.progress(self.stats)
            self._next_progress = now + self.progress_interval
        if self.max_seconds is not None and now - self._t0 > self.max_seconds:
            self.limit = f"time limit of {self.max_seconds}s reached"
            return False
        return True

    def _new_state(self, canon: State, fp: int, parent: int, ordinal: int, depth: int) -> int:
        idx = len(self.parents)
        self.parents.append(parent)
        self.ordinals.append(ordinal)
        if self.keep_graph:
            self.index[fp] = idx
        else:
            self.seen.add(fp)
        self.stats.distinct_states = idx + 1
        if depth > self.stats.max_depth:
            self.stats.max_depth = depth
        self._check(canon, idx)
        return idx

    def _check(self, state: State, idx: int) -> None:
        """Evaluate the invariants and goals not yet decided (a violated invariant or reached goal is decided)."""
        pending = self._pending
        if pending is None:
            pending = self._pending = [(n, p, True) for n, p in self.invariants if n not in self.found] + [
                (n, p, False) for n, p in self.goals if n not in self.found
            ]
        for name, pred, is_invariant in pending:
            try:
                decided = not pred(state) if is_invariant else pred(state)
            except Exception as e:
                kind = "invariant" if is_invariant else "sometimes"
                self.errors.append((f"{kind} {name!r} raised {type(e).__name__}: {e}", idx, None, name))
                decided = True
            if decided and name not in self.found:
                self.found[name] = idx
                self._pending = None

    def _within(self, state: State, parent: int, ordinal: int) -> bool:
        """Whether a generated state satisfies the constraint. As TLC's CONSTRAINT, a state outside it is still
        checked against the invariants and goals (each time it is generated), but neither stored nor expanded;
        one that decides a property is remembered by its parent link so that its trace can be rebuilt."""
        assert self.constraint is not None
        try:
            if self.constraint(state):
                return True
        except (Exception, SystemExit) as e:
            self.outside.append((parent, ordinal))
            raise ExplorationFailed(e, OUTSIDE + len(self.outside) - 1, f"the constraint raised {type(e).__name__}: {e}") from e
        if self.invariants or self.goals:
            before = len(self.found), len(self.errors)
            k = len(self.outside)
            self.outside.append((parent, ordinal))
            self._check(self.model.canonical(state)[0], OUTSIDE + k)
            if (len(self.found), len(self.errors)) == before:
                self.outside.pop()
        return False

    def _violated(self) -> bool:
        return any(n in self.found for n, _ in self.invariants) or bool(self.errors) or self.deadlock is not None

    def _at_rest(self, state: State) -> bool:
        m = self.model
        for i in range(m.n):
            a = m.actor_of[i]
            cs = m.chart_state(state, i)
            if m.charts[i].is_final(cs):
                continue
            if any(m.in_state(state, i, s) for s in a.end_states):
                continue
            return False
        return True

    def _search(self) -> bool:
        m = self.model
        canonical = m.canonical
        bfs = self.mode == "bfs"
        frontier: deque[tuple[State, int, int]] = deque()
        keep = self.keep_graph
        seen_set = self.seen
        index = self.index
        for ordinal, s in enumerate(self.initial):
            c, _ = canonical(s)
            if self.constraint is not None and not self._within(c, -1, ordinal):
                continue
            fp = hash(c) & FP_MASK
            if (fp in index) if keep else (fp in seen_set):
                continue
            idx = self._new_state(c, fp, -1, ordinal, 0)
            frontier.append((c, idx, 0))
            if self.reducer is not None:
                self._depth_of[fp] = 0
        constraint = self.constraint
        reducer = self.reducer
        depth_of = self._depth_of
        fast = constraint is None and not keep and not m.sym_groups
        parents, parents_append = self.parents, self.parents.append
        ordinals_append, seen_add = self.ordinals.append, seen_set.add
        invariants_or_goals = bool(self.invariants or self.goals)
        max_states = self.max_states
        max_depth = self.max_depth
        complete = True
        counter = 0
        if fast and bfs:
            return self._fast_bfs(frontier, parents, parents_append, ordinals_append, seen_add, invariants_or_goals)
        while frontier:
            if self.stop_on_violation and self._violated():
                complete = False
                self.limit = "stopped at the first violation"
                break
            state, idx, depth = frontier.popleft() if bfs else frontier.pop()
            counter += 1
            if counter % 512 == 0:
                self.stats.queue = len(frontier)
                if not self._tick():
                    complete = False
                    break
            if max_depth is not None and depth >= max_depth:
                if complete:
                    self.limit = f"max_depth {max_depth} reached"
                complete = False
                continue
            try:
                succs = m.successors(state)
            except StepError as e:
                self.errors.append((self._error_text(e), idx, e.label, "error"))
                continue
            except (Exception, SystemExit) as e:  # not a step's own error: exploration cannot go on
                raise ExplorationFailed(e, idx) from e
            self.stats.states_generated += len(succs)
            if not succs:
                if keep:
                    self.terminal.add(idx)
                if self.system.check_deadlock and self.deadlock is None and not self._at_rest(state):
                    self.deadlock = idx
                continue
            nd = depth + 1
            items: Any = enumerate(succs)
            if reducer is not None:

                def old(s: State, depth: int = depth) -> bool:
                    d = depth_of.get(hash(canonical(s)[0]) & FP_MASK)
                    return d is not None and d <= depth

                keep_ = self._por_keep(state, succs, old)
                if keep_ is not None:
                    items = ((k, succs[k]) for k in keep_)
            if fast:
                # no symmetry, no graph, no constraint: the hot loop of plain exploration
                for ordinal, (_, s2) in items:
                    if s2 is state:
                        continue
                    fp = hash(s2) & FP_MASK
                    if fp in seen_set:
                        continue
                    if max_states is not None and self.stats.distinct_states >= max_states:
                        complete = False
                        self.limit = f"max_states {max_states} reached"
                        frontier.clear()
                        break
                    if invariants_or_goals:
                        frontier.append((s2, self._new_state(s2, fp, idx, ordinal, nd), nd))
                    else:
                        nidx = len(parents)
                        parents_append(idx)
                        ordinals_append(ordinal)
                        seen_add(fp)
                        frontier.append((s2, nidx, nd))
                self.stats.distinct_states = len(parents)
                if nd > self.stats.max_depth:
                    self.stats.max_depth = nd
                continue
            for ordinal, (label, s2) in items:
                if constraint is not None and not self._within(s2, idx, ordinal):
                    continue
                c, _ = canonical(s2)
                fp = hash(c) & FP_MASK
                if keep:
                    self.edges.append((idx, fp, ordinal, label))
                    if fp in index:
                        continue
                elif fp in seen_set:
                    continue
                if max_states is not None and self.stats.distinct_states >= max_states:
                    complete = False
                    self.limit = f"max_states {max_states} reached"
                    frontier.clear()
                    break
                nidx = self._new_state(c, fp, idx, ordinal, nd)
                frontier.append((c, nidx, nd))
                if reducer is not None:
                    depth_of[fp] = nd
        self.stats.queue = len(frontier)
        if self.progress is not None:
            self.stats.seconds = time.perf_counter() - self._t0
            self.progress(self.stats)
        return complete

    def _fast_bfs(
        self,
        frontier: deque[tuple[State, int, int]],
        parents: array[int],  # signed 32-bit: -1 marks an initial state
        parents_append: Callable[[int], None],
        ordinals_append: Callable[[int], None],
        seen_add: Callable[[int], None],
        check: bool,
        resumed: tuple[list[State | None], array[int], list[State | None], array[int], int] | None = None,
    ) -> bool:
        """Plain BFS (no symmetry, graph or constraint) level by level, with compact frontiers.

        A level is a list of states and an array of their indices; processed entries are
        released at once, so memory holds fingerprints, parent links and about one level.
        ``resumed`` continues a checkpoint: the rest of a level, the next level so far, the depth.
        """
        m = self.model
        successors = m.successors
        seen = self.seen
        max_states = self.max_states
        max_depth = self.max_depth
        if resumed is None:
            level_states: list[State | None] = [s for s, _, _ in frontier]
            level_index = array("q", [i for _, i, _ in frontier])
            next_states: list[State | None] = []
            next_index = array("q")
            depth = 0
        else:
            level_states, level_index, next_states, next_index, depth = resumed
        frontier.clear()
        counter = 0
        stats = self.stats
        generated = stats.states_generated  # kept in a local, written back at every progress tick and return
        checkpointing = self.checkpoint_path is not None
        reducer = self.reducer
        next_fps: set[int] = set()  # under reduction: the fingerprints found at the next depth (the cycle proviso)

        def old(s: State) -> bool:
            fp = hash(s) & FP_MASK
            return fp in seen and fp not in next_fps

        def stop(limit: str, from_k: int, expanded: int = 0) -> bool:
            """End early: write the counters back and, when checkpointing, what is left to explore."""
            self.limit = limit
            stats.queue = len(level_states) - from_k + len(next_states)
            stats.states_generated, stats.distinct_states = generated - expanded, len(parents)
            if checkpointing:
                self._write_checkpoint(level_states[from_k:], level_index[from_k:], next_states, next_index, depth)
            return False

        while level_states:
            if max_depth is not None and depth >= max_depth:
                return stop(f"max_depth {max_depth} reached", 0)
            if checkpointing and time.perf_counter() >= self._next_checkpoint and not next_states:
                stats.states_generated, stats.distinct_states = generated, len(parents)
                self._write_checkpoint(level_states, level_index, next_states, next_index, depth)
            nd = depth + 1
            for k in range(len(level_states)):
                state = level_states[k]
                idx = level_index[k]
                counter += 1
                if counter & 1023 == 0:
                    stats.queue = len(level_states) - k + len(next_states)
                    stats.states_generated, stats.distinct_states = generated, len(parents)
                    if not self._tick():
                        return stop(self.limit, k)
                    if self.stop_on_violation and self._violated():
                        return stop("stopped at the first violation", k)
                level_states[k] = None
                try:
                    succs = successors(state)  # type: ignore[arg-type]
                except StepError as e:
                    self.errors.append((self._error_text(e), idx, Label(*e.label), "error"))
                    continue
                except (Exception, SystemExit) as e:  # not a step's own error: exploration cannot go on
                    raise ExplorationFailed(e, idx) from e
                generated += len(succs)
                if not succs:
                    if self.system.check_deadlock and self.deadlock is None and not self._at_rest(state):  # type: ignore[arg-type]
                        self.deadlock = idx
                    continue
                items: Any = enumerate(succs)
                if reducer is not None:
                    keep = self._por_keep(state, succs, old)  # type: ignore[arg-type]
                    if keep is not None:
                        items = ((o, succs[o]) for o in keep)
                for ordinal, (_, s2) in items:
                    if s2 is state:
                        continue
                    fp = hash(s2) & FP_MASK
                    if fp in seen:
                        continue
                    nidx = len(parents)
                    if max_states is not None and nidx >= max_states:
                        level_states[k] = state  # not fully expanded: a resumed run expands it again
                        return stop(f"max_states {max_states} reached", k, len(succs))
                    parents_append(idx)
                    ordinals_append(ordinal)
                    seen_add(fp)
                    if reducer is not None:
                        next_fps.add(fp)
                    if check:
                        self._check(s2, nidx)
                    next_states.append(s2)
                    next_index.append(nidx)
            stats.states_generated, stats.distinct_states = generated, len(parents)
            if next_states:
                stats.max_depth = nd
            level_states, level_index, depth = next_states, next_index, nd
            next_states, next_index = [], array("q")
            next_fps = set()
        self.stats.queue = 0
        if checkpointing:
            self._write_checkpoint([], array("q"), [], array("q"), depth)
        if self.progress is not None:
            self.stats.seconds = time.perf_counter() - self._t0
            self.progress(self.stats)
        return True

    # ------------------------------------------------------------------ checkpoints

    def _begin_checkpoints(self, t0: float) -> Callable[[], None]:
        """Sign the model, schedule the first checkpoint and let Ctrl-C stop at the next tick (so that a checkpoint
        can be written in a consistent place); returns what undoes the Ctrl-C handler."""
        if self.checkpoint_path is None and self.resume_path is None:
            return lambda: None
        m = self.model
        self._signature = ckpt.signature(self.system, [ckpt.encode(v) for v in m.local_values])
        self._next_checkpoint = t0 + self.checkpoint_every
        if self.checkpoint_path is None or threading.current_thread() is not threading.main_thread():
            return lambda: None

        def on_sigint(signum: int, frame: Any) -> None:
            if self._interrupted:  # a second Ctrl-C: stop at once
                raise KeyboardInterrupt
            self._interrupted = True

        previous = signal.signal(signal.SIGINT, on_sigint)

        def restore() -> None:
            signal.signal(signal.SIGINT, previous)

        return restore

    def _taken_so_far(self) -> dict[str, set[int]]:
        """The transitions taken so far, per chart (its position among the model's charts), this run and resumed."""
        m = self.model
        position = {id(ch): str(k) for k, ch in enumerate(m.unique_charts())}
        taken = {k: set(v) for k, v in self._resumed_taken.items()}
        for (i, _, _), outcomes in m._memo.items():
            if isinstance(outcomes, BaseException):
                continue
            s = taken.setdefault(position[id(m.charts[i])], set())
            for o in outcomes:
                s.update(o.taken)
        return taken

    def _write_checkpoint(
        self, current: Sequence[State | None], current_index: array[int], nxt: Sequence[State | None], next_index: array[int], depth: int
    ) -> None:
        assert self.checkpoint_path is not None
        m = self.model
        enc = ckpt.encode
        data = {
            "system": self.system.name,
            "signature": self._signature[0],
            "unsigned": self._signature[1],
            "local_values": [enc(v) for v in m.local_values],
            "msg_values": [enc(v) for v in m.msg_values],
            "parents": ckpt.pack(self.parents),
            "ordinals": ckpt.pack(self.ordinals),
            "seen": ckpt.pack(array("q", self.seen)),
            "current": [enc(x) for x in current],
            "current_index": ckpt.pack(array("q", current_index)),
            "next": [enc(x) for x in nxt],
            "next_index": ckpt.pack(array("q", next_index)),
            "depth": depth,
            "found": self.found,
            "errors": [[text, idx, enc(tuple(label)) if label is not None else None, name] for text, idx, label, name in self.errors],
            "deadlock": self.deadlock,
            "stats": {
                "states_generated": self.stats.states_generated,
                "max_depth": self.stats.max_depth,
                "seconds": self._seconds_before + time.perf_counter() - self._t0,
            },
            "taken": {k: sorted(v) for k, v in self._taken_so_far().items()},
        }
        ckpt.save(self.checkpoint_path, data)
        self._next_checkpoint = time.perf_counter() + self.checkpoint_every

    def _load_checkpoint(self) -> tuple[list[State | None], array[int], list[State | None], array[int], int]:
        """Continue the exploration a checkpoint stopped (a checkpoint of another model, or an inconsistent one, is refused)."""
        assert self.resume_path is not None
        m = self.model
        path = self.resume_path
        data = ckpt.load(path, self.system, self._signature)
        try:
            dec = ckpt.decode
            local_values = [dec(v) for v in data["local_values"]]
            msg_values = [dec(v) for v in data["msg_values"]]
            parts: dict[str, Any] = {
                "parents": ckpt.unpack(data["parents"]),
                "ordinals": ckpt.unpack(data["ordinals"]),
                "seen": ckpt.unpack(data["seen"]),
                "current": [dec(x) for x in data["current"]],
                "current_index": ckpt.unpack(data["current_index"]),
                "next": [dec(x) for x in data["next"]],
                "next_index": ckpt.unpack(data["next_index"]),
                "depth": int(data["depth"]),
                "found": {str(k): int(v) for k, v in data["found"].items()},
                "errors": [(str(text), idx, Label(*dec(label)) if label is not None else None, str(name)) for text, idx, label, name in data["errors"]],
                "deadlock": data["deadlock"],
                "states_generated": int(data["stats"]["states_generated"]),
                "max_depth": int(data["stats"]["max_depth"]),
            }
            seconds = float(data["stats"]["seconds"])
            taken = {str(k): {int(t) for t in v} for k, v in data["taken"].items()}
        except KeyError as e:
            raise ckpt.CheckpointError(f"{path} is damaged: it has no {e.args[0]!r} part") from None
        except (TypeError, ValueError, AttributeError, IndexError) as e:
            raise ckpt.CheckpointError(f"{path} is not a checkpoint of this explorer (or it is damaged): {type(e).__name__}: {e}") from None
        ckpt.check_consistent(path, parts, len(self.initial), {p.name for p in self.system.properties})
        m.restore_interned(local_values, msg_values)
        self.parents, self.ordinals, self.seen = parts["parents"], parts["ordinals"], set(parts["seen"])
        if len(self.seen) != len(self.parents):
            raise ckpt.CheckpointError(f"{path} is inconsistent: {len(self.parents)} states but {len(self.seen)} distinct fingerprints")
        self.found, self.errors, self.deadlock = parts["found"], parts["errors"], parts["deadlock"]
        self.stats.states_generated, self.stats.max_depth = parts["states_generated"], parts["max_depth"]
        self.stats.distinct_states = len(self.parents)
        self._seconds_before = seconds
        self._resumed_taken = taken
        return (parts["current"], parts["current_index"], parts["next"], parts["next_index"], parts["depth"])

    def _error_text(self, e: StepError) -> str:
        who, kind, what = self.model.describe_label(e.label)
        return f"{who} failed on {kind} {what}: {e.cause}"

    def _simulate(self) -> bool:
        """Random walks: finds violations, never proves anything (the result is incomplete)."""
        m = self.model
        rng = random.Random(self.seed)
        depth_limit = self.max_depth or 100
        self.walks: list[list[tuple[int, int]]] = []
        self.keep_graph = True
        for _ in range(self.runs):
            if not self._tick():
                break
            ordinal = rng.randrange(len(self.initial))
            state, _ = m.canonical(self.initial[ordinal])
            fp = hash(state) & FP_MASK
            idx = self.index.get(fp)
            if idx is None:
                idx = self._new_state(state, fp, -1, ordinal, 0)
            for depth in range(1, depth_limit + 1):
                try:
                    succs = m.successors(state)
                except StepError as e:
                    self.errors.append((self._error_text(e), idx, Label(*e.label), "error"))
                    break
                except (Exception, SystemExit) as e:  # not a step's own error: exploration cannot go on
                    raise ExplorationFailed(e, idx) from e
                self.stats.states_generated += len(succs)
                if self.constraint is not None:
                    succs = [(lab, s) for k, (lab, s) in enumerate(succs) if self._within(s, idx, k)]
                if not succs:
                    if self.system.check_deadlock and self.deadlock is None and not self._at_rest(state):
                        self.deadlock = idx
                    break
                k = rng.randrange(len(succs))
                s2 = succs[k][1]
                state, _ = m.canonical(s2)
                fp = hash(state) & FP_MASK
                nidx = self.index.get(fp)
                if nidx is None:
                    nidx = self._new_state(state, fp, idx, k, depth)
                idx = nidx
            if self.stop_on_violation and self._violated():
                break
        self.limit = f"random simulation ({self.runs} runs of at most {depth_limit} steps) proves nothing"
        return False

    # ------------------------------------------------------------------ verdicts

    def _verdicts(self, complete: bool) -> list[Verdict]:
        out: list[Verdict] = []
        for name, _ in self.invariants:
            if name in self.found and not any(e[3] == name for e in self.errors):
                out.append(Verdict(name, "invariant", "violated", self.trace_to(self.found[name]), "the invariant is false in the last state"))
            elif name in self.found:
                err = next(e for e in self.errors if e[3] == name)
                out.append(Verdict(name, "invariant", "violated", self.trace_to(err[1]), err[0]))
            else:
                out.append(Verdict(name, "invariant", "holds" if complete else "incomplete"))
        for name, _ in self.goals:
            if name in self.found:
                goal_errors = [e for e in self.errors if e[3] == name]
                if goal_errors:
                    out.append(Verdict(name, "sometimes", "violated", self.trace_to(goal_errors[0][1]), goal_errors[0][0]))
                else:
                    out.append(Verdict(name, "sometimes", "reached", self.trace_to(self.found[name]), "witness"))
            else:
                msg = "never reached in the whole state space" if complete else "not reached in the explored part"
                out.append(Verdict(name, "sometimes", "unreached" if complete else "incomplete", None, msg))
        if self.system.check_deadlock:
            if self.deadlock is not None:
                stuck = self._stuck_actors(self.deadlock)
                message = f"no step is enabled; not at rest: {stuck[0]}; {end_states_hint(stuck[1])}"
                out.append(Verdict("deadlock", "deadlock", "violated", self.trace_to(self.deadlock), message))
            else:
                out.append(Verdict("deadlock", "deadlock", "holds" if complete else "incomplete"))
        for msg, idx, label, prop in self.errors:
            if prop != "error":
                continue
            trace = self.trace_to(idx, failing=label)
            out.append(Verdict("error", "error", "violated", trace, msg))
            break
        for number, (prop, p, q) in enumerate(self.live, 1):
            kind = "eventually" if isinstance(prop, Eventually) else "leads_to"
            if not complete:
                out.append(Verdict(prop.name, kind, "incomplete", None, "liveness needs the whole state space"))
                continue
            self._phase_label = f"liveness {number}/{len(self.live)}: {prop.name}"
            self._phase("", force=True)
            lasso = self._liveness(p, q)
            if lasso is None:
                out.append(Verdict(prop.name, kind, "holds"))
            else:
                out.append(Verdict(prop.name, kind, "violated", lasso, "a fair behaviour never reaches the goal"))
        self._live_graph_cache = None  # the graph is rebuilt once per exploration, not kept afterwards
        self.stats.phase = ""
        return out

    def _phase(self, doing: str, force: bool = False) -> None:
        """Progress after the search (liveness): which property and how far, so the status line does not freeze."""
        self.stats.phase = f"{self._phase_label}: {doing}" if doing else self._phase_label
        if self.progress is None:
            return
        now = time.perf_counter()
        if force or now >= self._next_progress:
            self.stats.seconds = self._seconds_before + now - self._t0
            self.progress(self.stats)
            self._next_progress = now + self.progress_interval

    def _stuck_actors(self, idx: int) -> tuple[str, list[tuple[Any, list[str]]]]:
        """Who is not at rest in a deadlocked state (``server in serving``), and (actor, active leaves) of each."""
        states = self._replay(self._chain(idx))[0]
        s = states[-1]
        m = self.model
        names = []
        stuck = []
        for i in range(m.n):
            if not m.charts[i].is_final(m.chart_state(s, i)) and not any(m.in_state(s, i, x) for x in m.actor_of[i].end_states):
                leaves = list(m.charts[i].leaves(m.chart_state(s, i)))
                names.append(f"{m.names[i]} in {'/'.join(leaves)}")
                stuck.append((m.actor_of[i], leaves))
        return ", ".join(names), stuck

    # ------------------------------------------------------------------ traces

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

    def _replay(self, chain: Sequence[int]) -> tuple[list[State], list[Label | None]]:
        """The actual states and labels along a chain of state indices (undoing symmetry renaming)."""
        m = self.model
        actual = self.initial[self._ordinal(chain[0])]
        canon, perm = m.canonical(actual)
        states: list[State] = [actual]
        labels: list[Label | None] = [None]
        for idx in chain[1:]:
            raw, s2 = m.successors(canon)[self._ordinal(idx)]
            label = Label(*raw)
            if perm is not None:
                inv = m.inverse(perm)
                s2 = m.apply(s2, inv)
                label = m.rename_label(label, inv)
            states.append(s2)
            labels.append(label)
            canon, perm = m.canonical(s2)
        return states, labels

    def _ordinal(self, idx: int) -> int:
        """The position of the step to a state among its parent's successors (or among the initial states)."""
        return self.outside[idx - OUTSIDE][1] if idx >= OUTSIDE else self.ordinals[idx]

    def trace_to(self, idx: int, failing: Label | None = None) -> Trace:
        """The trace from an initial state to the state with this index."""
        states, labels = self._replay(self._chain(idx))
        steps = self._steps(states, labels)
        if failing is not None:
            who, _, what = self.model.describe_label(failing)
            last = states[-1]
            steps.append(Step(len(steps), failing.kind, who, what.split("(")[0].split(" ")[0], what, None, [], [], self._in_flight(last), last))
        return Trace(steps)

    def _in_flight(self, state: State) -> list[str]:
        return in_flight_text(self.model, state)

    def _steps(self, states: Sequence[State], labels: Sequence[Label | None]) -> list[Step]:
        m = self.model
        steps: list[Step] = []
        prev: State | None = None
        for k, (s, label) in enumerate(zip(states, labels)):
            changes = changes_between(m, prev, s)
            sent = self._sent(prev, s)
            if label is None:
                steps.append(Step(k, "init", "", "", "initial state", None, changes, sent, self._in_flight(s), s))
            else:
                who, kind, what = m.describe_label(label)
                sender = None
                event = what.split("(")[0].split(" ")[0]
                transitions: list[str] = []
                if label.kind in ("deliver", "drop", "duplicate"):
                    sender = m.msg_values[label.detail][1].origin
                elif label.kind == "stimulus":
                    sender = "env"
                if prev is not None and label.kind in ("deliver", "stimulus", "timer"):
                    transitions = self._taken(prev, label)
                steps.append(Step(k, kind, who, event, what, sender, changes, sent, self._in_flight(s), s, transitions))
            prev = s
        return steps

    def _taken(self, prev: State, label: Label) -> list[str]:
        m = self.model
        i = label.actor
        lid = prev[0][i]
        if label.kind == "deliver":
            ev = m.msg_values[label.detail][1]
        elif label.kind == "stimulus":
            k, d = label.detail
            ev = m.stim_events[k][d]
        else:
            _, cs, timers = m.local_values[lid]
            lid = m.intern_local(i, cs, timers - {label.detail})
            ev = label.detail[1]
        try:
            outcome = m.macrostep(i, lid, ev)[label.alt]
        except (StatechartError, IndexError):
            return []
        engine = m.charts[i].engine
        return [engine.transitions[t].label for t in outcome.taken]

    def _sent(self, prev: State | None, s: State) -> list[tuple[str, str, str]]:
        m = self.model
        before: dict[int, int] = {}
        if prev is not None:
            for mid in m.message_ids(prev):
                before[mid] = before.get(mid, 0) + 1
        out = []
        for mid in m.message_ids(s):
            if before.get(mid, 0) > 0:
                before[mid] -= 1
                continue
            d, e = m.msg_values[mid]
            out.append((e.origin or "?", m.names[d], e.name))
        return out

    # ------------------------------------------------------------------ liveness

    def _fair_key(self, label: Any) -> Any:
        label = Label(*label)
        if label.kind == "deliver":
            if self.system.fairness == "per-channel":
                return ("deliver", label.actor, self.model.msg_values[label.detail][1].origin or "")
            return ("deliver", label.actor)
        if label.kind == "timer":
            return ("timer", label.actor)
        if label.kind == "stimulus":
            k = label.detail[0]
            if self.model.stimuli[k].fair:
                return ("stimulus", k, label.actor)
        return None

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
            for key in sorted(all_keys, key=canonical_key):  # never hash order: keys hold actor and event names
                taken = [(i, d, o) for i in comp for d, o, k in succ[i] if k == key and d in comp and d != i]
                if taken:
                    needed.append(taken[0])
                elif all(key in enabled[i] for i in comp):
                    fair = False
                    break
            if fair:
                return self._lasso(comp, needed, starts, bad, succ, q is None)
        return None

    def _live_graph(self) -> tuple[list[State], list[list[tuple[int, int, Any]]], list[set[Any]], set[Any]]:
        """Every state, its successors (index, ordinal, fairness key), the fairness keys enabled in it, and all keys:
        built once and shared by every liveness property of the exploration."""
        if self._live_graph_cache is None:
            n = len(self.parents)
            self._phase(f"rebuilding states 0/{n:,} for the graph search", force=True)
            states = self._all_states()
            succ: list[list[tuple[int, int, Any]]] = [[] for _ in range(n)]
            for src, fp, ordinal, label in self.edges:
                dst = self.index.get(fp)
                if dst is not None:
                    succ[src].append((dst, ordinal, self._fair_key(label)))
            enabled: list[set[Any]] = [{k for d, _, k in succ[i] if k is not None and d != i} for i in range(n)]
            all_keys: set[Any] = set().union(*enabled) if enabled else set()
            self._live_graph_cache = (states, succ, enabled, all_keys)
        return self._live_graph_cache

    def _all_states(self) -> list[State]:
        """Every stored state, rebuilt by replaying the parent tree once (liveness only)."""
        m = self.model
        n = len(self.parents)
        out: list[State | None] = [None] * n
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
            succs = m.successors(out[i])  # type: ignore[arg-type]
            for c in children[i]:
                out[c] = m.canonical(succs[self.ordinals[c]][1])[0]
                stack.append(c)
        return out  # type: ignore[return-value]

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
            raw, s2 = m.successors(cur_state)[o]
            states.append(s2)
            labels.append(Label(*raw))
            cur_state = m.canonical(s2)[0]
        loop_start = len(chain) - 1 + len(prefix) - 1
        return Trace(self._steps(states, labels), loop_start=loop_start)

    # ------------------------------------------------------------------ extras

    def _coverage(self) -> dict[str, list[str]]:
        m = self.model
        taken = self._taken_so_far()
        out: dict[str, list[str]] = {}
        for k, chart in enumerate(m.unique_charts()):
            done = taken.get(str(k), set())
            never = [t.index for t in chart.engine.transitions if t.index not in done and not t.events[:1] == ("",)]
            out[chart.name] = transition_labels(chart, never)
        return out

    def _networkx(self) -> Any:
        import networkx as nx

        m = self.model
        g = nx.DiGraph()
        if not self.keep_graph:
            return g
        states = self._all_states()
        for i, s in enumerate(states):
            leaves = {m.names[j]: "/".join(m.charts[j].leaves(m.chart_state(s, j))) for j in range(m.n)}
            depth = 0 if self.parents[i] == -1 else g.nodes[self.parents[i]]["depth"] + 1
            g.add_node(i, initial=self.parents[i] == -1, depth=depth, leaves=leaves, in_flight=len(m.message_ids(s)))
        for src, fp, _, label in self.edges:
            dst = self.index.get(fp)
            if dst is not None:
                who, kind, what = m.describe_label(label)
                g.add_edge(src, dst, label=f"{who}: {kind} {what}", kind=kind)
        for name, idx in self.found.items():
            if idx in g:
                g.nodes[idx].setdefault("marks", []).append(name)
        if self.deadlock is not None:
            g.nodes[self.deadlock].setdefault("marks", []).append("deadlock")
        return g
