"""Checkpoints of the sharded search: every shard writes its part, then the coordinator writes the run's meta.

At a level boundary (after the shards received a level, before it is numbered and expanded)
each shard writes its store, parent links, frontier and the values they name
(``simulate.shard_checkpoint``) to a file beside the checkpoint; then the coordinator writes
the checkpoint itself, which names those files: the level, the global offsets of the levels'
blocks, the counts, the verdicts and statistics so far, the system's signature and the number
of workers. Every file is written atomically and the meta last, so a crash while writing
leaves the previous checkpoint whole. Resuming needs the same number of workers (states are
owned by ``fingerprint % workers``) and the same system.
"""

from __future__ import annotations

import gzip
import json
import os
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from .checkpoint import CheckpointError, load, save
from .shard_checkpoint import shard_paths
from .transport import WorkerError

if TYPE_CHECKING:
    from .parallel import ParallelExplorer

KIND = "sharded"


def due(x: ParallelExplorer, counts: list[int], total: int, depth: int) -> bool:
    """Whether to write a checkpoint at this boundary: its time has come, or a limit stops the search here."""
    if x.checkpoint_path is None:
        return False
    if time.perf_counter() >= x._next_checkpoint:
        return True
    if x.max_states is not None and total + sum(counts) > x.max_states:
        return True
    return x.max_depth is not None and depth >= x.max_depth


def write(x: ParallelExplorer, counts: list[int], total: int, depth: int) -> None:
    """Write the shards' files, then the meta naming them; then remove the files the previous meta named."""
    assert x.t is not None and x.checkpoint_path is not None
    path = x.checkpoint_path
    x._generation += 1
    if x._generation == 1 and not x._stale:
        x._stale = _parts_of(path)  # the checkpoint this one replaces, written by an earlier run
    token = f"{uuid.uuid4().hex[:12]}-{x._generation}"  # never the name of a file an earlier run (or checkpoint) wrote
    paths = shard_paths(path, token, x.workers)
    signature, unsigned = x._signature
    try:
        x.t.call("checkpoint", [(p, signature) for p in paths])
    except WorkerError as e:
        raise CheckpointError(f"cannot write checkpoint {path}: a shard failed writing its part: {_reason(e)}") from None
    save(
        path,
        {
            "kind": KIND,
            "system": x.model.name,
            "signature": signature,
            "unsigned": unsigned,
            "workers": x.workers,
            "files": [Path(p).name for p in paths],
            "initial_states": len(x.initial),
            "depth": depth,
            "total": total,
            "counts": counts,
            "owners": [list(o) for o in x.owners],
            "found": x.found,
            "errors": [[text, idx] for text, idx, _, _ in x.errors],
            "deadlock": x.deadlock,
            "stats": {
                "states_generated": x.stats.states_generated,
                "max_depth": x.stats.max_depth,
                "seconds": x._seconds_before + time.perf_counter() - x._t0,
            },
            "taken": {k: sorted(v) for k, v in x._taken_so_far().items()},
        },
    )
    for old in set(x._stale) - set(paths):
        try:
            os.unlink(old)
        except OSError:
            pass
    x._stale = paths
    x._next_checkpoint = time.perf_counter() + x.checkpoint_every


def resume(x: ParallelExplorer) -> tuple[list[int], int, int]:
    """Restore the coordinator and every shard from ``x.resume_path``; return the level's counts, the total and the depth."""
    assert x.t is not None and x.resume_path is not None
    path = x.resume_path
    data = load(path, x.model.name, x._signature, KIND)
    if data.get("workers") != x.workers:
        raise CheckpointError(
            f"{path} was written by {data.get('workers')} workers and this run has {x.workers}: "
            f"resume it with workers={data.get('workers')} (--workers {data.get('workers')}; states are owned by fingerprint modulo the number of workers)"
        )
    try:
        paths = [str(path.with_name(str(name))) for name in data["files"]]
        counts = [int(c) for c in data["counts"]]
        total, depth = int(data["total"]), int(data["depth"])
        owners = [(int(a), int(b), int(c)) for a, b, c in data["owners"]]
        found = {str(k): int(v) for k, v in data["found"].items()}
        errors = [(str(text), int(idx), None, "error") for text, idx in data["errors"]]
        deadlock = data["deadlock"]
        stats = data["stats"]
        states_generated, max_depth, seconds = int(stats["states_generated"]), int(stats["max_depth"]), float(stats["seconds"])
        taken = {str(k): {int(t) for t in v} for k, v in data["taken"].items()}
        initial = int(data["initial_states"])
    except KeyError as e:
        raise CheckpointError(f"{path} is damaged: it has no {e.args[0]!r} part") from None
    except (TypeError, ValueError, AttributeError) as e:
        raise CheckpointError(f"{path} is not a checkpoint of a sharded run (or it is damaged): {type(e).__name__}: {e}") from None

    def bad(what: str) -> CheckpointError:
        return CheckpointError(f"{path} is inconsistent: {what}; it cannot be resumed (explore afresh)")

    if len(paths) != x.workers or len(counts) != x.workers:
        raise bad(f"it names {len(paths)} shard files and {len(counts)} counts for {x.workers} workers")
    if initial != len(x.initial):
        raise bad(f"{initial} initial states, but the system has {len(x.initial)}")
    if sum(c for _, _, c in owners) != total or any(c < 0 for c in counts) or depth < 0:
        raise bad(f"its levels hold {sum(c for _, _, c in owners)} states but it counts {total}")
    for name, k in found.items():
        if name not in x.property_names or not 0 <= k < total:
            raise bad(f"the verdict of {name!r} points at state {k}, of {total}, or is not a property of the system")
    if deadlock is not None and (not isinstance(deadlock, int) or not 0 <= deadlock < total):
        raise bad(f"the deadlock points at state {deadlock}, of {total}")
    for p in paths:
        if not os.path.isfile(p):
            raise CheckpointError(f"{path} names the shard file {p}, which is missing: keep a checkpoint's files together (or explore afresh)")
    try:
        got = x.t.call("restore", [(paths, x._signature[0])] * x.workers)
    except WorkerError as e:
        raise CheckpointError(f"{path} cannot be resumed: {_reason(e)}") from None
    if got != counts:
        raise bad(f"its shard files hold {got} states to expand, its meta says {counts}")
    x.owners = owners
    x.found, x.errors, x.deadlock = found, errors, deadlock
    x.stats.states_generated, x.stats.max_depth, x.stats.distinct_states = states_generated, max_depth, total
    x._seconds_before = seconds
    x._resumed_taken = taken
    if x.checkpoint_path is not None and x.checkpoint_path.resolve() == path.resolve():
        x._stale = paths  # the next checkpoint replaces this one
    return counts, total, depth


def _reason(e: WorkerError) -> str:
    """A worker's error without the traceback the worker attached (the shard's own CheckpointError says it all)."""
    text = str(e).removeprefix("a worker failed: ").split("\nTraceback", 1)[0].strip()
    return text.removeprefix("CheckpointError: ")


def _parts_of(path: Path) -> list[str]:
    """The shard files a sharded checkpoint at ``path`` names (none if there is no such checkpoint, or it is unreadable)."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            data = json.load(f)
        names = [str(n) for n in data["files"]] if data.get("kind") == KIND else []
    except (OSError, EOFError, ValueError, KeyError, TypeError, AttributeError):
        return []
    return [str(path.with_name(n)) for n in names if n.startswith(path.name + ".") and "/" not in n]
