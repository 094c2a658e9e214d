"""Work stealing at the end of a level: shards that are done take over part of what a busy one has left.

Each shard expands the states it owns. When one is done while others are still busy
(``Transport.call_yielding``), the busy ones stop at their next step and report how many
states they have left, their *tail*. The coordinator splits the tails evenly: a shard keeps the
first part of its own tail, and the rest goes, as batches of states (``Shard.export``), to the
shards with time to spare (``Shard.pieces``). Nothing a run reports depends on who expanded what:
receivers read a piece's batches where its owner's own would have been (the owner's place in
shard order, then tail order); a piece expanded elsewhere de-duplicates only within itself and
checks every property undecided before the level; and the coordinator merges findings by lowest
index. So states, indices, parents, verdicts and traces are those of a run without stealing.
"""

from __future__ import annotations

from typing import Any

from .transport import Transport

MIN_PIECE = 512
"""Fewer states than this are not worth moving to another shard."""


def plan(tails: list[int], shards: int) -> list[list[tuple[int, int, int]]]:
    """Per shard, its tail cut into parts, (start, stop, the shard that expands it) in tail order, so that every shard
    gets about the same number of states; a shard keeps the beginning of its own tail."""
    share = -(-sum(tails) // shards)
    load = [0] * shards
    parts: list[list[tuple[int, int, int]]] = [[] for _ in range(shards)]
    for v, left in enumerate(tails):
        own = min(left, share)
        if left - own < MIN_PIECE:
            own = left  # the rest is not worth moving
        if own:
            parts[v].append((0, own, v))
            load[v] += own
    for v, left in enumerate(tails):
        start = parts[v][-1][1] if parts[v] else 0
        while start < left:
            k = min(range(shards), key=lambda s: (load[s], s))  # the least loaded shard, the first of equals
            stop = min(left, start + max(share - load[k], MIN_PIECE))
            if left - stop < MIN_PIECE:
                stop = left
            parts[v].append((start, stop, k))
            load[k] += stop - start
            start = stop
    return parts


def expand_level(t: Transport, args: list[tuple[Any, ...]], deadline: float | None, steal: bool) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """Expand a level on every shard; (every report, per receiving shard the handles of its batches in reading order).

    ``steal``: shards still busy when one is done share what they have left (``args`` are ``Shard.expand``'s)."""
    n = len(args)
    if not steal:
        reports = t.call("expand", args)
        return reports, [[reports[src]["batches"][dst] for src in range(n)] for dst in range(n)]
    reports = t.call_yielding("expand", args)
    tails = [r.pop("tail", 0) for r in reports]
    streams: list[list[list[list[Any]]]] = [[r["batches"]] for r in reports]  # per shard: its batches per destination, in reading order
    if any(tails):
        parts = plan(tails, n)
        handles = t.call("export", [([p for p in parts[v] if p[2] != v],) for v in range(n)])
        work: list[list[tuple[Any, ...]]] = [[] for _ in range(n)]
        where: list[list[tuple[int, int]]] = []  # per owner of a tail: (shard, position in its work) per part, in tail order
        for v in range(n):
            moved = iter(handles[v])
            seq = []
            for start, stop, k in parts[v]:
                item = ("own", start, stop) if k == v else ("foreign", next(moved), reports[v]["tail_at"] + start)
                seq.append((k, len(work[k])))
                work[k].append(item)
            where.append(seq)
        done = t.call("pieces", [(work[k], deadline) for k in range(n)])
        for v in range(n):
            streams[v].extend(done[k][i]["batches"] for k, i in where[v])
        reports = reports + [r for rs in done for r in rs]
    return reports, [[b[dst] for src in range(n) for b in streams[src]] for dst in range(n)]
