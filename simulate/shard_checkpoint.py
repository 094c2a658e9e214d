"""A shard's part of a sharded checkpoint: its store, parent links, frontier and the values they name.

Written at a level boundary (after ``receive``, before the level is numbered and expanded), as
the one-worker checkpoint is: gzip-compressed tagged JSON (``simulate.checkpoint``), so reading
one never runs code. States are written in global ids (``simulate.stable``) with the values
behind them, so a shard resumed in a new process (which interns in another order) decodes them.
"""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .batch import Collector, Rows
from .checkpoint import CheckpointError, decode, encode, pack, save, unpack
from .explorer.checkpoints import load

if TYPE_CHECKING:
    from .shard import Shard

KIND = "shard"


def write(shard: Shard, path: str, signature: str) -> None:
    """Write what ``shard`` holds at this level boundary to ``path`` (atomically)."""
    codec = shard.codec
    frontier = Rows.concat(shard.pending, shard.m.n)
    states = []
    for _, s in frontier.states(shard.in_tables):
        locals_, (enet, _), budgets = codec.encode(s)
        states.append(encode((locals_, enet, budgets)))
    fps = array("Q")
    for run in shard.store.runs:
        fps.frombytes(run.tobytes())
    local_values, msg_values = codec.new_values(0, 0)
    save(
        path,
        {
            "kind": KIND,
            "signature": signature,
            "shard": shard.shard,
            "shards": shard.shards,
            "fingerprints": pack(fps),
            "parents": pack(shard.parents),
            "ordinals": pack(shard.ordinals),
            "blocks": [list(b) for b in shard.blocks],
            "frontier": states,
            "decided": sorted(shard.decided),
            "locals": [[g, encode(v)] for g, v in local_values],
            "msgs": [[g, encode(v)] for g, v in msg_values],
        },
    )


def restore(shard: Shard, paths: list[str], signature: str) -> int:
    """Resume ``shard`` from its file among ``paths`` (every shard's, for the values they name); return its frontier size."""
    parts = [load(p, shard.system.name, (signature, None), KIND) for p in paths]
    path = paths[shard.shard]
    own = parts[shard.shard]
    try:
        if own["shard"] != shard.shard or own["shards"] != shard.shards:
            raise CheckpointError(f"{path} is not shard {shard.shard} of {shard.shards}: it cannot be resumed (explore afresh)")
        # its own values first, in the order it interned them: the same message ids as before, so the successor positions
        # stored in the parent links (positions in this shard's successor order) name the same successors after resuming
        for part in [own, *(p for p in parts if p is not own)]:
            shard.codec.learn([(int(g), decode(v)) for g, v in part["locals"]], [(int(g), decode(v)) for g, v in part["msgs"]])
        fps = np.frombuffer(unpack(own["fingerprints"]).tobytes(), dtype=np.uint64)
        parents, ordinals = unpack(own["parents"]), unpack(own["ordinals"])
        if len(parents) != len(ordinals) or len(fps) != len(parents) or len(np.unique(fps)) != len(fps):
            raise CheckpointError(f"{path} is inconsistent: {len(fps)} fingerprints, {len(parents)} parent links, {len(ordinals)} step positions")
        blocks = [(int(a), int(b), int(c)) for a, b, c in own["blocks"]]
        encs = [decode(x) for x in own["frontier"]]
        decided = {str(x) for x in own["decided"]}
    except KeyError as e:
        raise CheckpointError(f"{path} is damaged: it has no {e.args[0]!r} part") from None
    except (TypeError, ValueError, AttributeError, IndexError) as e:
        raise CheckpointError(f"{path} is not a checkpoint of a shard (or it is damaged): {type(e).__name__}: {e}") from None
    if len(encs) > len(parents):
        raise CheckpointError(f"{path} is inconsistent: a frontier of {len(encs)} states but {len(parents)} stored")
    shard.store.runs, shard.store.count = ([np.sort(fps)] if len(fps) else []), len(fps)
    shard.parents = array("I", parents)
    shard.ordinals = ordinals if ordinals.typecode in "BHI" else array("I", ordinals)
    shard.blocks = blocks
    shard.decided = decided
    out = Collector(shard.m.n, shard.in_tables, fingerprints=False)  # a frontier: its fingerprints are in the store
    try:
        for locals_, enet, budgets in encs:
            locals_, net, budgets = shard.codec.decode((locals_, (enet, hash(enet)), budgets))
            out.add((-1, locals_, shard.in_tables.net(net), budgets, 0, 0))
        rows = out.rows()
    except (KeyError, ValueError, TypeError, AssertionError) as e:
        raise CheckpointError(f"{path} is inconsistent: its frontier names a value no shard file holds ({type(e).__name__}: {e})") from None
    shard.pending = [rows.frontier()] if len(rows) else []
    shard.pending_count = len(rows)
    shard.marks = (len(shard.m.local_order), len(shard.m.msg_values))
    return shard.pending_count


def shard_paths(path: Path, token: str, shards: int) -> list[str]:
    """The files of one checkpoint's shards, beside the checkpoint (``token`` tells one write from another)."""
    return [str(path.with_name(f"{path.name}.{token}.shard{k}")) for k in range(shards)]
