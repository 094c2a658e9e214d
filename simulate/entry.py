"""Exploring a System: compile it into the actor layer's model of the explorer's protocol, then search it.

``explore(system)`` is what a user calls: it compiles the System (``simulate.model.Model``,
which implements ``simulate.protocol.Explorable``), applies symmetry and partial-order
reduction as asked, and runs the one-worker explorer (``simulate.explorer``) or the sharded
one (``simulate.parallel``) on it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .explorer.base import ProgressFn, check_limits
from .explorer.search import Explorer
from .model import Model
from .properties import Eventually, LeadsTo
from .result import Result
from .system import ModelError, System


def compile_system(system: System, symmetry: bool | None, make: Callable[[System], Model] = Model) -> Model:
    """The model to explore: ``symmetry`` None follows the system; symmetry with liveness properties is refused."""
    use_symmetry = system.symmetry if symmetry is None else symmetry
    liveness = [p for p in system.properties if isinstance(p, (Eventually, LeadsTo))]
    if use_symmetry and liveness:
        raise ModelError(
            f"system {system.name!r}: symmetry reduction is unsound for liveness properties "
            f"({', '.join(p.name for p in liveness)}), as in TLC: explore with symmetry=False"
        )
    saved = system.symmetry
    system.symmetry = use_symmetry
    try:
        return make(system)
    finally:
        system.symmetry = saved


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
    whenever it stops early (a limit, Ctrl-C; with several workers, a state or depth limit);
    ``resume`` continues from such a file, with the same model and number of workers, to the same verdicts.
    A constraint is TLC's CONSTRAINT: states outside it are checked, not stored or expanded.
    A failure that is no verdict (user code raising SystemExit, a value that cannot be stored,
    a raising constraint, a checkpoint that cannot be written) ends exploration with the
    verdicts found so far, a ``failed`` verdict and ``Result.failure`` saying what happened.
    ``reduce="por"`` applies partial-order reduction (``simulate.por``, docs/por.md): the same invariant,
    goal and deadlock verdicts from fewer states, with any number of workers (the same reduced state space);
    liveness properties are then explored without it.
    """
    if mode not in ("bfs", "dfs", "random"):
        raise ModelError(f"mode {mode!r}: use 'bfs', 'dfs' or 'random'")
    check_limits(max_states=max_states, max_depth=max_depth, runs=runs, max_seconds=max_seconds, checkpoint_every=checkpoint_every)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise ModelError(f"workers={workers!r}: give a whole number of workers (0: every core)")
    if workers == 0:
        workers = os.cpu_count() or 1
    if reduce not in (None, "none", "por"):
        raise ModelError(f"reduce={reduce!r}: use reduce='por' (partial-order reduction) or leave it out")
    if reduce == "por":
        from .por import check_options

        check_options(system, mode=mode, symmetry=False)
    if workers > 1 or engine == "ray":
        if mode != "bfs":
            raise ModelError(f"mode {mode!r} runs on one worker: use mode='bfs' with workers > 1")
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
            checkpoint=checkpoint,
            checkpoint_every=checkpoint_every,
            resume=resume,
            reduce=reduce,
        )
    model = compile_system(system, symmetry)
    explorer = Explorer(model, mode, max_states, max_depth, max_seconds, graph, stop_on_violation, seed, runs, progress, progress_interval)
    if reduce == "por":
        from .por import Reducer, check_options

        if model.sym_groups:
            check_options(system, mode=mode, symmetry=True)
        explorer.use_reduction(lambda: Reducer(model, system))
    explorer.use_checkpoints(checkpoint, checkpoint_every, resume)
    return explorer.run()
