"""The search strategies: breadth-first (shortest counterexamples; one loop for every option), depth-first, and
random walks; and the run that drives one of them to a :class:`Result`.

Breadth-first search goes level by level with compact frontiers (a level is a list of states and an
array of their indices; processed entries are released at once, so memory holds fingerprints, parent
links and about one level). Symmetry, a constraint and keeping the graph (liveness, ``graph=True``)
are options of that one loop, tested once per successor; partial-order reduction (``simulate.por``)
picks the successors to follow, and checkpoints are written at level boundaries.
"""

from __future__ import annotations

import random
import time
from array import array
from collections.abc import Callable, Sequence
from typing import Any

from statecharts.errors import ModelError, StatechartError

from ..protocol import StepError
from ..result import Result, Verdict, collision_probability
from .base import FP_MASK, OUTSIDE, ExplorationFailed
from .checkpoints import CheckpointError, Checkpoints

Resumed = tuple[list[Any], "array[int]", list[Any], "array[int]", int]
"""A checkpoint's rest of a level, the next level so far, and the depth."""


class Explorer(Checkpoints):
    """One worker's exploration of an :class:`simulate.protocol.Explorable` model."""

    def use_reduction(self, make: Callable[[], Any]) -> None:
        """Explore with partial-order reduction (invariants, goals, deadlock); liveness is explored without it.

        ``make()`` builds the reducer: ``keep(state, successors)`` gives the positions of the successors to follow
        (None: all), and it counts ``expanded_states`` and ``reduced_states``.
        """
        if self.live:
            names = ", ".join(p.name for p in self.live)
            self.notes.append(f"partial-order reduction was not applied: the liveness properties ({names}) are explored on the full state space")
            return
        self.reducer = make()

    def _por_keep(self, state: Any, succs: Sequence[tuple[Any, Any]], old: Callable[[Any], bool]) -> list[int] | None:
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

    # ------------------------------------------------------------------ driving

    def _start(self) -> float:
        """Start the clock and the progress ticks, compute the initial states, note what the model says of them."""
        t0 = time.perf_counter()
        self._t0 = t0
        self._next_progress = t0 + self.progress_interval
        try:
            self.initial = list(self.model.initial_states())
        except StatechartError as e:
            raise ModelError(f"system {self.model.name!r}: cannot start: {e}") from None
        self.notes.extend(self.model.start_notes(self.initial))
        return t0

    def run(self) -> Result:
        t0 = self._start()
        restore_sigint = self._begin_checkpoints(t0)
        failure: ExplorationFailed | None = None
        try:
            resumed = self._load_checkpoint() if self.resume_path is not None else None  # a refused checkpoint raises here
            if resumed is not None:
                complete = self._bfs(resumed)
            elif self.mode == "random":
                complete = self._simulate()
            else:
                complete = self._bfs() if self.mode == "bfs" else self._dfs()
        except KeyboardInterrupt:
            # an interrupted exploration reports what it had: verdicts on the explored part
            complete = False
            self.limit = "interrupted"
            self.stats.distinct_states = len(self.parents)
        except ExplorationFailed as e:
            complete, failure = False, e
        except (Exception, SystemExit) as e:  # e.g. a checkpoint that cannot be written: the verdicts so far are kept
            if isinstance(e, CheckpointError) and self.stats.distinct_states == 0 and not self.parents:
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
            system=self.model.name,
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
            fingerprint_collision_probability=collision_probability(self.stats.distinct_states, 60) if self.mode != "random" else None,
            fingerprint_bits=60,
        )

    def _seed(self) -> list[tuple[Any, int]]:
        """Store the initial states (canonical, within the constraint, each once): (state, index) of each stored."""
        out = []
        known = self.kept if self.keep_graph else self.seen
        for ordinal, s in enumerate(self.initial):
            c, _ = self.model.canonical(s)
            if self.constraint is not None and not self._within(c, -1, ordinal):
                continue
            fp = hash(c) & FP_MASK
            if fp in known:
                continue
            out.append((c, self._new_state(c, fp, -1, ordinal, 0)))
        return out

    def _expand(self, state: Any, idx: int) -> Sequence[tuple[Any, Any]] | None:
        """The successors of a stored state; None when a step failed (recorded as an error verdict)."""
        try:
            return self.model.successors(state)  # type: ignore[no-any-return]
        except StepError as e:
            self.errors.append((self.model.error_text(e), idx, e.label, "error"))
            return None
        except (Exception, SystemExit) as e:  # not a step's own error: exploration cannot go on
            raise ExplorationFailed(e, idx) from e

    # ------------------------------------------------------------------ breadth-first

    def _bfs(self, resumed: Resumed | None = None) -> bool:
        """Breadth-first search level by level (``resumed``: continue a checkpoint).

        The hot loop of plain exploration (no symmetry, constraint or graph) hashes each successor and looks it up;
        the options add their work per successor behind one test (``general``).
        """
        m = self.model
        successors = m.successors
        canonical = m.canonical
        symmetric = m.symmetric
        constraint = self.constraint
        keep = self.keep_graph
        general = keep or symmetric or constraint is not None
        if resumed is None:
            seeded = self._seed()
            level_states: list[Any] = [s for s, _ in seeded]
            level_index = array("q", [i for _, i in seeded])
            next_states: list[Any] = []
            next_index = array("q")
            depth = 0
        else:
            level_states, level_index, next_states, next_index, depth = resumed
        parents = self.parents  # bound after a resumed checkpoint replaced the store
        parents_append, ordinals_append = parents.append, self.ordinals.append
        known: Any = self.kept if keep else self.seen
        seen_add = self.seen.add
        edge_src, edge_dst, edge_ord, edge_key = self.edge_src.append, self.edge_dst.append, self.edge_ord.append, self.edge_key.append
        key_id, fps_append, kept_add = self._key_id, self.fps.append, self.kept.add
        check_live = self._check_live if self.live else None
        check = bool(self.invariants or self.goals)
        check_deadlock = self.check_deadlock
        max_states = self.max_states
        max_depth = self.max_depth
        counter = 0
        stats = self.stats
        generated = stats.states_generated  # kept in a local, written back at every progress tick and return
        checkpointing = self.checkpoint_path is not None
        reducer = self.reducer
        next_fps: set[int] = set()  # under reduction: the fingerprints found at the next depth (the cycle proviso)

        def old(s: Any) -> bool:
            fp = hash(canonical(s)[0] if symmetric else s) & FP_MASK
            return fp in known and fp not in next_fps

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
                    succs = successors(state)
                except StepError as e:
                    self.errors.append((m.error_text(e), idx, e.label, "error"))
                    continue
                except (Exception, SystemExit) as e:  # not a step's own error: exploration cannot go on
                    raise ExplorationFailed(e, idx) from e
                generated += len(succs)
                if not succs:
                    if check_deadlock and self.deadlock is None and not m.at_rest(state):
                        self.deadlock = idx
                    continue
                items: Any = enumerate(succs)
                if reducer is not None:
                    kept = self._por_keep(state, succs, old)
                    if kept is not None:
                        items = ((o, succs[o]) for o in kept)
                for ordinal, (label, s2) in items:
                    if general:
                        if s2 is state and not keep:
                            continue
                        if constraint is not None and not self._within(s2, idx, ordinal):
                            if check_live is not None:
                                self._left(idx, label)
                            continue
                        if symmetric:
                            s2 = canonical(s2)[0]
                        fp = hash(s2) & FP_MASK
                        if keep:
                            edge_src(idx)
                            edge_dst(fp)
                            edge_ord(ordinal)
                            edge_key(key_id(label))
                    elif s2 is state:
                        continue
                    else:
                        fp = hash(s2) & FP_MASK
                    if fp in known:
                        continue
                    nidx = len(parents)
                    if max_states is not None and nidx >= max_states:
                        level_states[k] = state  # not fully expanded: a resumed run expands it again
                        return stop(f"max_states {max_states} reached", k, len(succs))
                    parents_append(idx)
                    ordinals_append(ordinal)
                    if keep:
                        kept_add(fp)
                        fps_append(fp)
                        if check_live is not None:
                            check_live(s2)
                    else:
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

    # ------------------------------------------------------------------ depth-first

    def _dfs(self) -> bool:
        """Depth-first search (a stack of (state, index, depth)); counterexamples need not be shortest."""
        m = self.model
        canonical = m.canonical
        constraint = self.constraint
        keep = self.keep_graph
        known: Any = self.kept if keep else self.seen
        plain = not (keep or m.symmetric or constraint is not None)
        max_states = self.max_states
        max_depth = self.max_depth
        stack: list[tuple[Any, int, int]] = [(s, i, 0) for s, i in self._seed()]
        complete = True
        counter = 0
        while stack:
            if self.stop_on_violation and self._violated():
                complete = False
                self.limit = "stopped at the first violation"
                break
            state, idx, depth = stack.pop()
            counter += 1
            if counter % 512 == 0:
                self.stats.queue = len(stack)
                if not self._tick():
                    complete = False
                    break
            if max_depth is not None and depth >= max_depth:
                if complete:
                    self.limit = f"max_depth {max_depth} reached"
                complete = False
                continue
            succs = self._expand(state, idx)
            if succs is None:
                continue
            self.stats.states_generated += len(succs)
            if not succs:
                if self.check_deadlock and self.deadlock is None and not m.at_rest(state):
                    self.deadlock = idx
                continue
            nd = depth + 1
            for ordinal, (label, s2) in enumerate(succs):
                if s2 is state and not keep:
                    continue
                if constraint is not None and not self._within(s2, idx, ordinal):
                    if self.live:
                        self._left(idx, label)
                    continue
                c, _ = canonical(s2)
                fp = hash(c) & FP_MASK
                if keep:
                    self._add_edge(idx, fp, ordinal, label)
                if fp in known:
                    continue
                if max_states is not None and self.stats.distinct_states >= max_states:
                    complete = False
                    self.limit = f"max_states {max_states} reached"
                    stack.clear()
                    break
                stack.append((c, self._new_state(c, fp, idx, ordinal, nd), nd))
            if plain and nd > self.stats.max_depth:  # as ever: plain DFS counts the depth of every expanded state's steps
                self.stats.max_depth = nd
        self.stats.queue = len(stack)
        if self.progress is not None:
            self.stats.seconds = time.perf_counter() - self._t0
            self.progress(self.stats)
        return complete

    # ------------------------------------------------------------------ random walks

    def _simulate(self) -> bool:
        """Random walks: finds violations, never proves anything (the result is incomplete)."""
        m = self.model
        rng = random.Random(self.seed)
        depth_limit = self.max_depth or 100
        self.keep_graph = True
        index: dict[int, int] = {}  # fingerprint -> state index of the states visited
        for _ in range(self.runs):
            if not self._tick():
                break
            ordinal = rng.randrange(len(self.initial))
            state, _ = m.canonical(self.initial[ordinal])
            fp = hash(state) & FP_MASK
            idx = index.get(fp)
            if idx is None:
                idx = index[fp] = self._new_state(state, fp, -1, ordinal, 0)
            for depth in range(1, depth_limit + 1):
                succs = self._expand(state, idx)
                if succs is None:
                    break
                self.stats.states_generated += len(succs)
                if self.constraint is not None:
                    succs = [(lab, s) for k, (lab, s) in enumerate(succs) if self._within(s, idx, k)]
                if not succs:
                    if self.check_deadlock and self.deadlock is None and not m.at_rest(state):
                        self.deadlock = idx
                    break
                k = rng.randrange(len(succs))
                s2 = succs[k][1]
                state, _ = m.canonical(s2)
                fp = hash(state) & FP_MASK
                nidx = index.get(fp)
                if nidx is None:
                    nidx = index[fp] = self._new_state(state, fp, idx, k, depth)
                idx = nidx
            if self.stop_on_violation and self._violated():
                break
        self.limit = f"random simulation ({self.runs} runs of at most {depth_limit} steps) proves nothing"
        return False
