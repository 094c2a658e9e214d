"""The search strategies: breadth-first (shortest counterexamples; one loop for every option), depth-first, and
random walks; and the run that drives one of them to a :class:`Result`.

Breadth-first search goes level by level (a level is a list of states and the range of their indices;
processed entries are released at once, so memory holds fingerprints, parent links and about one
level). The older levels' fingerprints are a sorted numpy store and the level being built another, looked up a
chunk of successors at a time; only recent candidates are in a Python set. Symmetry, a constraint and keeping the graph (liveness, ``graph=True``)
are options of that one loop, tested once per successor; partial-order reduction (``simulate.por``)
picks the successors to follow, and checkpoints are written at level boundaries.
"""

from __future__ import annotations

import random
import time
from array import array
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from statecharts.errors import ModelError, StatechartError

from ..protocol import StepError
from ..result import Result, Verdict, collision_probability
from .base import FINGERPRINT_BITS, OUTSIDE, ExplorationFailed, fewer_collections
from .checkpoints import CheckpointError, Checkpoints

Resumed = tuple[list[Any], "array[int]", list[Any], "array[int]", int]
"""A checkpoint's rest of a level, the next level so far, and the depth."""

OUTSIDE_FP = -1
"""The fingerprint a candidate outside the constraint carries while its chunk waits (``hash`` never returns -1)."""


CHUNK = 65536
"""Candidates looked up together (at most; a chunk ends after the state that reaches this many)."""

RECENT = 1 << 13
"""The fingerprints of recent candidates kept (in a Python set, cleared when it reaches this many) to drop repeats
before the lookup: every one is in the store or in the level built, so dropping a repeat changes nothing."""


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
                with fewer_collections():
                    complete = self._bfs(resumed)
            elif self.mode == "random":
                complete = self._simulate()
            elif self.mode == "bfs":
                with fewer_collections():
                    complete = self._bfs()
            else:
                complete = self._dfs()
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
            fingerprint_collision_probability=collision_probability(self.stats.distinct_states, FINGERPRINT_BITS) if self.mode != "random" else None,
            fingerprint_bits=FINGERPRINT_BITS,
        )

    def _seed(self) -> list[tuple[Any, int]]:
        """Store the initial states (canonical, within the constraint, each once): (state, index) of each stored."""
        out = []
        known = self.kept if self.keep_graph else self.seen
        for ordinal, s in enumerate(self.initial):
            c, _ = self.model.canonical(s)
            if self.constraint is not None and not self._within(c, -1, ordinal):
                continue
            fp = hash(c)
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

        A successor that is no self-loop and not yet in the level being built is a candidate; the candidates of a
        chunk of expanded states are looked up in the store of older levels together (one vectorised lookup) and the
        new ones stored in the order they were generated, so that every state gets the index, parent, checks and
        verdicts it gets one at a time. A chunk ends at every progress tick, before a failure is raised, and where
        ``max_states`` could be reached, so a search stops after the same state as one that stores one at a time.
        Symmetry, a constraint, reduction and keeping the graph are options of this one loop, tested once per
        successor; the graph keeps a dict of every state (no store) and stores new states at once.
        """
        m = self.model
        successors = m.successors
        canonical = m.canonical
        symmetric = m.symmetric
        constraint = self.constraint
        keep = self.keep_graph
        reducer = self.reducer
        general = keep or symmetric or constraint is not None
        if resumed is None:
            seeded = self._seed()
            level_states: list[Any] = [s for s, _ in seeded]
            level_index: Sequence[int] = array("q", [i for _, i in seeded])
            next_states: list[Any] = []
            depth = 0
        else:  # a checkpoint's next level so far is the last states stored (the loader checks it)
            level_states, level_index, next_states, _, depth = resumed
        store = self.store
        level = self.level  # the graph: the fingerprints of the level being built
        built = self.built  # no graph: the fingerprints of the level being built, stored a chunk at a time
        recent: set[int] = set()  # no graph: the fingerprints of recent candidates (RECENT)
        recent_add, recent_size, chunk_size = recent.add, RECENT, CHUNK
        if not keep and self.seen:  # the initial states: the first level built
            store.push_sorted(store.from_signed(self.seen, len(self.seen)))
            self.seen.clear()
        parents = self.parents  # bound after a resumed checkpoint replaced the store
        ordinals = self.ordinals
        parents_append, ordinals_append = parents.append, ordinals.append
        widest = (1 << 8 * ordinals.itemsize) - 1  # the largest step position the array of positions holds
        graph_fps = self.kept  # the graph: the fingerprints of every state stored
        level_add = level.add
        edge_src, edge_dst, edge_ord, edge_key = self.edge_src.append, self.edge_dst.append, self.edge_ord.append, self.edge_key.append
        key_id, fps_append, kept_add = self._key_id, self.fps.append, graph_fps.add
        check_live = self._check_live if self.live else None
        check = bool(self.invariants or self.goals)
        check_deadlock = self.check_deadlock
        max_states = self.max_states
        max_depth = self.max_depth
        counter = 0
        stats = self.stats
        generated = stats.states_generated  # kept in a local, written back at every progress tick and return
        checkpointing = self.checkpoint_path is not None
        # The chunk: per candidate its fingerprint (OUTSIDE_FP: outside the constraint), parent and step position; the
        # candidate states themselves go to the end of next_states at once (with a constraint: to c_states, as the ones
        # outside it are checked in order with the new ones). A candidate joins ``recent`` at once, so that it is a
        # candidate once while it stays there; the flush drops those that the store (older levels) or ``built`` (this
        # level) has.
        c_fps: list[int] = []
        c_states: list[Any] = []
        c_parents: list[int] = []
        c_ordinals: list[int] = []
        c_fps_append, c_ordinals_append, c_parents_append = c_fps.append, c_ordinals.append, c_parents.append
        next_states_append = next_states.append
        c_states_append = c_states.append if constraint is not None else next_states_append

        def next_index() -> range:
            """The indices of the next level's states so far: the last ones stored."""
            return range(len(parents) - len(next_states), len(parents))

        def old(s: Any) -> bool:
            """Under reduction: whether a successor was found at this depth or before."""
            fp = hash(canonical(s)[0] if symmetric else s)
            return fp in graph_fps and fp not in level if keep else store.has(fp)

        def widen(largest: int) -> None:
            nonlocal ordinals, ordinals_append, widest
            self.widen_ordinals(largest)
            ordinals = self.ordinals
            ordinals_append = ordinals.append
            widest = (1 << 8 * ordinals.itemsize) - 1

        def new(idx: int, ordinal: int, s2: Any, fp: int) -> bool:
            """Store a state found for the first time (True), or say that it is one too many (False)."""
            nidx = len(parents)
            if max_states is not None and nidx >= max_states:
                return False
            if ordinal > widest:
                widen(ordinal)
            parents_append(idx)
            ordinals_append(ordinal)
            if keep:
                kept_add(fp)
                fps_append(fp)
                level_add(fp)
                if check_live is not None:
                    check_live(s2)
            if check:
                self._check(s2, nidx)
            next_states_append(s2)
            return True

        def flush() -> bool:
            """Store the chunk's new candidates (and check those outside the constraint), in the order generated; False
            when a new one is one too many (then it comes from the last state expanded: the chunk ends where that can be)."""
            n = len(c_fps)
            if not n:
                return True
            try:
                fps = np.array(c_fps, dtype=np.int64).view(np.uint64)
                found = built.contains(fps)  # this level's first: most repeats are, and it is the smaller set
                rest = np.flatnonzero(~found)
                if len(rest):
                    found[rest] = store.contains(fps[rest])
                if constraint is not None:
                    return store_in_order(found, fps)
                tail = len(next_states) - n
                if found.any():  # some are older levels' or this level's states: drop them
                    fresh = np.flatnonzero(~found).tolist()
                    fps = fps[fresh]
                    next_states[tail:] = [next_states[tail + p] for p in fresh]
                    c_fps[:] = [c_fps[p] for p in fresh]
                    c_parents[:] = [c_parents[p] for p in fresh]
                    c_ordinals[:] = [c_ordinals[p] for p in fresh]
                    n = len(fresh)
                first = len(parents)
                room = n if max_states is None else min(n, max(0, max_states - first))
                if room < n:  # one too many: store those before it only
                    del next_states[tail + room :]
                    del c_parents[room:], c_ordinals[room:]
                if c_ordinals and max(c_ordinals) > widest:
                    widen(max(c_ordinals))
                parents.extend(c_parents)
                ordinals.extend(c_ordinals)
                if room:
                    built.push_sorted(np.sort(fps[:room]))
                if check:
                    for i in range(room):
                        self._check(next_states[tail + i], first + i)
                return room == n
            finally:
                c_fps.clear()
                c_states.clear()
                c_parents.clear()
                c_ordinals.clear()
                if len(recent) >= recent_size or len(parents) == max_states:  # (after a limit: some were not stored)
                    recent.clear()

        def store_in_order(found: Any, fps: Any) -> bool:
            """With a constraint: store the new candidates and check those outside it, one at a time in order."""
            stored: list[int] = []
            try:
                for p in np.flatnonzero(~found).tolist():
                    idx = c_parents[p]
                    if c_fps[p] == OUTSIDE_FP:
                        self._outside_checked(c_states[p], idx, c_ordinals[p])
                        continue
                    nidx = len(parents)
                    if max_states is not None and nidx >= max_states:
                        return False
                    parents_append(idx)
                    if c_ordinals[p] > widest:
                        widen(c_ordinals[p])
                    ordinals_append(c_ordinals[p])
                    stored.append(p)
                    s2 = c_states[p]
                    if check:
                        self._check(s2, nidx)
                    next_states_append(s2)
                return True
            finally:
                if stored:
                    built.push_sorted(np.sort(fps[stored]))

        def stop(limit: str, from_k: int, expanded: int = 0) -> bool:
            """End early: write the counters back and, when checkpointing, what is left to explore."""
            self.limit = limit
            stats.queue = len(level_states) - from_k + len(next_states)
            stats.states_generated, stats.distinct_states = generated - expanded, len(parents)
            if checkpointing:
                self._write_checkpoint(level_states[from_k:], array("q", level_index[from_k:]), next_states, array("q", next_index()), depth)
            return False

        def settle() -> None:
            """Flush where no candidate can be one too many: a chunk ends as soon as one could be."""
            stored = flush()
            assert stored, "a chunk went on after max_states could be reached"

        def too_many(k: int, state: Any, n: int) -> bool:
            """Stop at max_states while storing the successors of the state at ``k`` (``n`` of them)."""
            level_states[k] = state  # not fully expanded: a resumed run expands it again
            return stop(f"max_states {max_states} reached", k, n)

        try:
            while level_states:
                if max_depth is not None and depth >= max_depth:
                    return stop(f"max_depth {max_depth} reached", 0)
                if checkpointing and time.perf_counter() >= self._next_checkpoint and not next_states:
                    stats.states_generated, stats.distinct_states = generated, len(parents)
                    self._write_checkpoint(level_states, array("q", level_index), next_states, array("q", next_index()), depth)
                for k in range(len(level_states)):
                    state = level_states[k]
                    idx = level_index[k]
                    counter += 1
                    if counter & 1023 == 0:
                        settle()
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
                        settle()
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
                            if constraint is not None:
                                try:
                                    inside = bool(constraint(s2))
                                except (Exception, SystemExit) as e:
                                    if not flush():  # the successors generated before this one first, as one at a time
                                        return too_many(k, state, len(succs))
                                    raise self._constraint_failed(e, idx, ordinal) from e
                                if not inside:
                                    if keep:
                                        self._outside_checked(s2, idx, ordinal)
                                        if check_live is not None:
                                            self._left(idx, label)
                                    else:
                                        c_fps_append(OUTSIDE_FP)
                                        c_states_append(s2)
                                        c_parents_append(idx)
                                        c_ordinals_append(ordinal)
                                    continue
                            if symmetric:
                                s2 = canonical(s2)[0]
                            fp = hash(s2)
                            if keep:  # the graph: every state in a set, each new one stored at once
                                edge_src(idx)
                                edge_dst(fp)
                                edge_ord(ordinal)
                                edge_key(key_id(label))
                                if fp not in graph_fps:
                                    if not new(idx, ordinal, s2, fp):
                                        return too_many(k, state, len(succs))
                                continue
                        elif s2 is state:
                            continue
                        else:
                            fp = hash(s2)
                        if fp in recent:  # a candidate already: stored, or in the store, or in this chunk
                            continue
                        recent_add(fp)
                        c_fps_append(fp)
                        c_states_append(s2)
                        c_parents_append(idx)
                        c_ordinals_append(ordinal)
                    if len(c_fps) >= chunk_size or (max_states is not None and len(parents) + len(c_fps) >= max_states):
                        if not flush():
                            return too_many(k, state, len(succs))
                settle()
                stats.states_generated, stats.distinct_states = generated, len(parents)
                if next_states:
                    stats.max_depth = depth + 1
                while built.runs:  # the level built joins the store of older levels
                    store.push_sorted(built.runs.pop(0))
                built.count = 0
                level.clear()
                recent.clear()
                level_states, level_index, depth = next_states, next_index(), depth + 1
                next_states = []
                next_states_append = next_states.append
                c_states_append = c_states.append if constraint is not None else next_states_append
        except BaseException:  # e.g. a state that cannot be hashed: what was generated before it is stored, as one at a time
            flush()
            raise
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
                fp = hash(c)
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
            fp = hash(state)
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
                fp = hash(state)
                nidx = index.get(fp)
                if nidx is None:
                    nidx = index[fp] = self._new_state(state, fp, idx, k, depth)
                idx = nidx
            if self.stop_on_violation and self._violated():
                break
        self.limit = f"random simulation ({self.runs} runs of at most {depth_limit} steps) proves nothing"
        return False
