"""What every search keeps: the store of states (fingerprints, parent links, step positions), the
properties to check on each new state, the limits, progress and the notes of the result.

The explorer stores a 64-bit fingerprint per distinct state (Python's ``hash`` of its canonical form)
plus a parent link and the position of the step among its parent's successors; a trace is rebuilt
by replaying those positions from the initial state (the step function is deterministic). Full
states live only in the frontier. Breadth-first search keeps the fingerprints of the levels already
built in a :class:`simulate.fpset.FingerprintSet` (8 bytes a state), the level being built in another
and only the candidates of a chunk in a Python set; depth-first search, random walks and the state graph keep a set or a dict.
"""

from __future__ import annotations

import gc
import math
import time
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from statecharts.errors import ModelError, StatechartError

from ..fpset import FingerprintSet
from ..protocol import Explorable, Predicate
from ..result import Stats

ProgressFn = Callable[[Stats], None]

OUTSIDE = 1 << 48
"""State indices from here on name ``outside`` entries: states outside the constraint (never stored)."""

FINGERPRINT_BITS = 64
"""Fingerprints are Python's 64-bit ``hash`` of a state (collisions: about 8e-8 at 1.7M states, reported with the result)."""


YOUNG = 20000
"""The collector's first threshold while breadth-first search runs: its frontier's states survive the young
collections of the default (700 allocations) by the million, and each such collection walks them again."""


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the collector's first threshold to YOUNG for a while (unless the caller turned it off with 0)."""
    thresholds = gc.get_threshold()
    if 0 < thresholds[0] < YOUNG:
        gc.set_threshold(YOUNG, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


class ExplorationFailed(StatechartError):
    """Exploration stopped on a failure that is no verdict of the model (carries the state being expanded)."""

    def __init__(self, cause: BaseException, idx: int | None, what: str = "") -> None:
        super().__init__(what or f"{type(cause).__name__}: {cause}")
        self.cause = cause
        self.idx = idx


def check_limits(**limits: int | float | None) -> None:
    """Limits are whole numbers (seconds: finite numbers) > 0, or None: ``max_states=-5`` or ``2.5`` is refused."""
    for name, value in limits.items():
        if value is None:
            continue
        seconds = name in ("max_seconds", "checkpoint_every")
        kinds: tuple[type, ...] = (int, float) if seconds else (int,)
        if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value) or value <= 0:
            kind = "a finite number of seconds" if seconds else "a whole number"
            raise ModelError(f"{name}={value!r}: give {kind} greater than 0 (or leave it out for no limit)")


class ExplorerBase:
    """The state store, the checks on new states, limits and progress, shared by every search strategy."""

    def __init__(
        self,
        model: Explorable,
        mode: str,
        max_states: int | None,
        max_depth: int | None,
        max_seconds: float | None,
        graph: bool,
        stop_on_violation: bool,
        seed: int,
        runs: int,
        progress: ProgressFn | None,
        progress_interval: float,
    ) -> None:
        self.model: Any = model
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
        checks = model.checks()
        self.invariants: list[tuple[str, Predicate]] = checks.invariants
        self.goals: list[tuple[str, Predicate]] = checks.goals
        self.live = checks.liveness
        self.constraint = checks.constraint
        self.check_deadlock = checks.deadlock
        self.property_names = checks.names()
        self._phase_label = ""
        self.keep_graph = graph or bool(self.live)
        self.stats = Stats()
        self.verdicts: dict[str, Any] = {}
        self.found: dict[str, int] = {}  # property -> state index of its counterexample/witness
        self._pending: list[tuple[str, Predicate, bool]] | None = None  # the properties _check still evaluates
        self.errors: list[tuple[str, int, Any, str]] = []  # (message, state index, failing label or None, property or "error")
        self.deadlock: int | None = None
        self.limit = ""
        # storage
        self.parents = array("i")  # signed 32-bit: -1 marks an initial state
        self.ordinals = array("B")  # 1 byte a state while every position fits, then 2, then 4 (widen_ordinals)
        self.initial: list[Any] = []
        self.kept: set[int] = set()  # fingerprints of the stored states, when keeping the graph
        self.seen: set[int] = set()  # fingerprints, when not (depth-first; breadth-first moves them to the store)
        self.store = FingerprintSet()  # breadth-first without the graph: the fingerprints of the levels built (as uint64)
        self.level: set[int] = set()  # breadth-first with the graph: the fingerprints of the level being built
        self.built = FingerprintSet()  # breadth-first without it: the fingerprints of the level being built (sorted runs)
        # the kept graph (liveness, graph=True): typed arrays, not Python tuples (about 20 bytes an edge); a
        # destination is a fingerprint until the search ends, then mapped to indices once (``edge_targets``)
        self.fps = array("q")  # fingerprint of each stored state, by index
        self.edge_src = array("I")
        self.edge_dst = array("q")  # the destination's fingerprint
        self.edge_ord = array("I")  # the step's position among its source's successors
        self.edge_key = array("I")  # the step's fairness class: an index into fair_keys (0: not fair)
        # fair steps to states outside the constraint (never stored): their source and class, for enabledness only
        # (TLA+'s ENABLED knows no CONSTRAINT: weak fairness still asks for such a step, as TLC does)
        self.leave_src = array("I")
        self.leave_key = array("I")
        self.fair_keys: list[Any] = [None]
        self._key_ids: dict[Any, int] = {None: 0}
        self._label_keys: dict[Any, int] = {}
        self._edges_released = False  # liveness released the arrays above once it had its own copy (no graph=True)
        # liveness: p (bit 0) and q (bit 1) of each property on each stored state, evaluated as the state is found
        self.live_bits: list[bytearray] = [bytearray() for _ in self.live]
        self.live_errors: list[BaseException | None] = [None for _ in self.live]
        self.outside: list[tuple[int, int]] = []  # (parent, ordinal) of states outside the constraint that decided a property
        # partial-order reduction (simulate.por): None explores every step
        self.reducer: Any = None
        self.notes: list[str] = []
        self._live_graph_cache: Any = None  # liveness: the graph, built once per exploration
        # checkpoints
        self.checkpoint_path: Path | None = None
        self.resume_path: Path | None = None
        self.checkpoint_every = 300.0
        self._next_checkpoint = 0.0
        self._signature: tuple[str, str | None] = ("", None)
        self._resumed_taken: dict[str, set[int]] = {}
        self._t0 = 0.0
        self._next_progress = 0.0
        self._seconds_before = 0.0
        self._interrupted = False

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

    def _new_state(self, canon: Any, fp: int, parent: int, ordinal: int, depth: int) -> int:
        """Store a state found for the first time (and check it); returns its index."""
        idx = len(self.parents)
        self.parents.append(parent)
        if ordinal >= 1 << 8 * self.ordinals.itemsize:
            self.widen_ordinals(ordinal)
        self.ordinals.append(ordinal)
        if self.keep_graph:
            self.kept.add(fp)
            self.fps.append(fp)
            if self.live:
                self._check_live(canon)
        else:
            self.seen.add(fp)
        self.stats.distinct_states = idx + 1
        if depth > self.stats.max_depth:
            self.stats.max_depth = depth
        self._check(canon, idx)
        return idx

    def _add_edge(self, src: int, fp: int, ordinal: int, label: Any) -> None:
        """Keep a step of the graph (its fairness class by number; the label is found again by re-expanding ``src``)."""
        self.edge_src.append(src)
        self.edge_dst.append(fp)
        self.edge_ord.append(ordinal)
        self.edge_key.append(self._key_id(label))

    def _left(self, src: int, label: Any) -> None:
        """A step from ``src`` out of the constraint (liveness): its class, if fair, stays enabled in ``src``."""
        kid = self._key_id(label)
        if kid:
            self.leave_src.append(src)
            self.leave_key.append(kid)

    def edge_targets(self) -> tuple[Any, Any, Any]:
        """The kept edges' sources and destination indices (int32 numpy arrays: indices are 32-bit, as parent links), and which destinations are stored
        states: the fingerprints are mapped once, by a sort and a binary search, not by a dictionary during the search."""
        import numpy as np

        fps = np.frombuffer(self.fps, dtype=np.uint64)
        dst_fp = np.frombuffer(self.edge_dst, dtype=np.uint64)
        src = np.frombuffer(self.edge_src, dtype=np.uint32).astype(np.int32)
        if not len(fps):
            return src, np.zeros(len(src), dtype=np.int32), np.zeros(len(src), dtype=bool)
        by = np.argsort(fps)
        pos = np.searchsorted(fps[by], dst_fp)
        pos[pos == len(fps)] = 0
        dst = by[pos].astype(np.int32)
        del pos
        return src, dst, fps[dst] == dst_fp

    def _key_id(self, label: Any) -> int:
        """The number of a step's fairness class (the model's ``fair_key``, a function of the label), numbered as
        first met; remembered per label (a model has few distinct labels: a lookup costs a tenth of ``fair_key``)."""
        try:
            return self._label_keys[label]
        except KeyError:
            kid = self._new_key_id(label)
            if len(self._label_keys) < 1 << 16:  # bounded, for models whose labels carry data
                self._label_keys[label] = kid
            return kid
        except TypeError:  # a label that cannot be hashed
            return self._new_key_id(label)

    def _new_key_id(self, label: Any) -> int:
        key = self.model.fair_key(label)
        kid = self._key_ids.get(key)
        if kid is None:
            kid = self._key_ids[key] = len(self.fair_keys)
            self.fair_keys.append(key)
        return kid

    def _check_live(self, state: Any) -> None:
        """Evaluate each liveness property's p and q on a new state (bit 0: p, bit 1: q), as the analysis needs them:
        q, then p only where q is false (``p ~> q``); p alone (``<>p``). A predicate that raises is raised again by
        the analysis of its property (so the search goes on, as when the states were rebuilt afterwards)."""
        for j, lp in enumerate(self.live):
            bits = 0
            try:
                if lp.q is None:
                    bits = 1 if lp.p(state) else 0
                elif lp.q(state):
                    bits = 2
                elif lp.p(state):
                    bits = 1
            except Exception as e:
                if self.live_errors[j] is None:
                    self.live_errors[j] = e
            self.live_bits[j].append(bits)

    def widen_ordinals(self, largest: int) -> None:
        """Make room for a step position that does not fit the array of positions (a wider copy replaces it)."""
        for code in "BHI":
            if largest < 1 << 8 * array(code).itemsize:
                if array(code).itemsize > self.ordinals.itemsize:
                    self.ordinals = array(code, self.ordinals)
                return
        raise ModelError(f"a state has more than {largest:,} successors: more than the explorer can number")

    def _check(self, state: Any, idx: int) -> None:
        """Evaluate the invariants and goals not yet decided (a violated invariant or reached goal is decided)."""
        pending = self._pending
        if pending is None:
            pending = self._pending = [(n, p, True) for n, p in self.invariants if n not in self.found] + [(n, p, False) for n, p in self.goals if n not in self.found]
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

    def _within(self, state: Any, parent: int, ordinal: int) -> bool:
        """Whether a generated state satisfies the constraint. As TLC's CONSTRAINT, a state outside it is still
        checked against the invariants and goals (each time it is generated), but neither stored nor expanded;
        one that decides a property is remembered by its parent link so that its trace can be rebuilt."""
        assert self.constraint is not None
        try:
            if self.constraint(state):
                return True
        except (Exception, SystemExit) as e:
            raise self._constraint_failed(e, parent, ordinal) from e
        self._outside_checked(state, parent, ordinal)
        return False

    def _constraint_failed(self, e: BaseException, parent: int, ordinal: int) -> ExplorationFailed:
        """The constraint raised on a generated state: the failure, whose trace leads to that state."""
        self.outside.append((parent, ordinal))
        return ExplorationFailed(e, OUTSIDE + len(self.outside) - 1, f"the constraint raised {type(e).__name__}: {e}")

    def _outside_checked(self, state: Any, parent: int, ordinal: int) -> None:
        """Check a generated state outside the constraint against the invariants and goals (see ``_within``)."""
        if self.invariants or self.goals:
            before = len(self.found), len(self.errors)
            k = len(self.outside)
            self.outside.append((parent, ordinal))
            self._check(self.model.canonical(state)[0], OUTSIDE + k)
            if (len(self.found), len(self.errors)) == before:
                self.outside.pop()

    def _fingerprints(self) -> array[int]:
        """Every stored fingerprint (as signed 64-bit integers), in no particular order: for a checkpoint."""
        out = array("q", self.store.to_array().tobytes())
        out.frombytes(self.built.to_array().tobytes())
        out.extend(self.level)
        out.extend(self.seen)
        return out

    def _violated(self) -> bool:
        return any(n in self.found for n, _ in self.invariants) or bool(self.errors) or self.deadlock is not None

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
