"""The one-worker entry point for any model of the protocol: :func:`explore_model`."""

from __future__ import annotations

from pathlib import Path

from statecharts.errors import ModelError

from ..protocol import Explorable
from ..result import Result
from .base import ProgressFn, check_limits
from .search import Explorer


def explore_model(
    model: Explorable,
    *,
    mode: str = "bfs",
    max_states: int | None = None,
    max_depth: int | None = None,
    max_seconds: float | None = None,
    graph: bool = False,
    stop_on_violation: bool = False,
    seed: int = 0,
    runs: int = 1000,
    progress: ProgressFn | None = None,
    progress_interval: float = 0.5,
    checkpoint: str | Path | None = None,
    checkpoint_every: float = 300.0,
    resume: str | Path | None = None,
) -> Result:
    """Explore any model of the protocol (``simulate.protocol.Explorable``) on one worker and check its properties.

    The options mean what they mean for :func:`simulate.explore` (which compiles a System into such a model and
    drives the same ``Explorer``, adding reduction and workers): ``mode`` ``"bfs"``, ``"dfs"`` or ``"random"``; limits make the result incomplete, never a silent
    pass; ``graph=True`` returns the state graph; ``checkpoint``/``resume`` for plain BFS.
    """
    missing = [name for name in _REQUIRED if not hasattr(model, name)]
    if missing:
        raise ModelError(
            f"{type(model).__name__} is not an explorable model: it has no {', '.join(missing)} "
            "(implement simulate.protocol.Explorable, or explore a System with simulate.explore)"
        )
    if mode not in ("bfs", "dfs", "random"):
        raise ModelError(f"mode {mode!r}: use 'bfs', 'dfs' or 'random'")
    check_limits(max_states=max_states, max_depth=max_depth, runs=runs, max_seconds=max_seconds, checkpoint_every=checkpoint_every)
    explorer = Explorer(model, mode, max_states, max_depth, max_seconds, graph, stop_on_violation, seed, runs, progress, progress_interval)
    explorer.use_checkpoints(checkpoint, checkpoint_every, resume)
    return explorer.run()


_REQUIRED = [name for name in dir(Explorable) if not name.startswith("_")]
"""The protocol's members (a model lacking one is refused up front, naming it, not mid-search)."""
