"""States as flat arrays: the frontier a shard keeps and the batches shards send each other.

A state is its instances' local ids, its network and its budgets. In a ``Rows`` block the
instances are the process's local ids (``uint32``, one column per instance; ``Tables.gids`` gives
their global ids), and networks and budgets are positions in small tables: a level of states costs
about 4 bytes per instance plus 8, instead of the ~150 bytes of Python tuples. A ``Batch`` is a
``Rows`` block that crosses processes: it carries its own tables (global ids, networks in
message global ids, budgets), restricted to what it uses, and the values behind global ids the
receiver may not know yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

U32 = np.uint32
U64 = np.uint64

EMPTY = U64(0xFFFF_FFFF_FFFF_FFFF)
"""An empty slot of ``Tables``' index (global ids are 60-bit: never this)."""

NO_PARENT = 0xFFFFFFFF
"""The parent index of an initial state."""

FP64 = (1 << 64) - 1

# CPython's tuple hash (xxHash's round on 64-bit lanes, Objects/tupleobject.c), for ``tuple_hashes``
_P1, _P2, _P5 = U64(11400714785074694791), U64(14029467366897019727), U64(2870177450012600261)


def tuple_hashes(lanes: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """``hash(t) & FP64`` of a tuple per row, given the hashes of its members (``lanes``, one column each):
    CPython's own algorithm, vectorised, so a block of states gets the fingerprints ``hash`` would give them."""
    k, m = lanes.shape
    acc = np.full(k, _P5, dtype=U64)
    with np.errstate(over="ignore"):
        for j in range(m):
            acc += lanes[:, j] * _P2
            acc = (acc << U64(31)) | (acc >> U64(33))
            acc *= _P1
        acc += U64(m ^ (2870177450012600261 ^ 3527539))
    acc[acc == EMPTY] = U64(1546275796)  # hash() is never -1
    return acc


class Tables:
    """A process's append-only tables behind ``Rows``: local-state global ids, networks, budgets.

    ``gids`` is the model's own list of local-state global ids in interning order (``StableModel.local_order``):
    a local id is a position in it. ``net_lanes`` holds, per network position, ``hash`` of the hash of the network
    in global ids where the owner of the table gave it (``add_net``): the successors of a shard, whose
    fingerprints ``Collector`` computes.
    """

    def __init__(self, gids: list[int]) -> None:
        self.gids = gids  # local id -> global id (shared with the model, which appends to it)
        self.nets: list[Any] = []
        self.net_lanes: list[int] = []
        self.net_pos: dict[Any, int] = {}
        self.buds: list[tuple[int, ...]] = []
        self.bud_lanes: list[int] = []  # hash(budgets), per budgets position
        self.bud_pos: dict[tuple[int, ...], int] = {}
        self._gids = Grown()
        self._lanes = Grown()
        self._sorted: npt.NDArray[np.uint64] = np.zeros(0, U64)
        self._perm: npt.NDArray[np.intp] = np.zeros(0, np.intp)
        self._keys: npt.NDArray[np.uint64] = np.full(1, EMPTY, dtype=U64)  # slot -> the global id alone in it, or EMPTY
        self._vals: npt.NDArray[np.uint32] = np.zeros(1, dtype=U32)  # slot -> its local id

    def gid_array(self) -> npt.NDArray[np.uint64]:
        """Local id -> global id, as an array (extended as the table grows)."""
        return self._gids.of(self.gids)

    def net_lane_array(self) -> npt.NDArray[np.uint64]:
        """Network position -> ``net_lanes``, as an array (extended as the table grows)."""
        return self._lanes.of(self.net_lanes)

    def positions(self, gids: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
        """Local ids of global ids that are all in the table (vectorised): through a direct-mapped index, and a
        binary search for those whose slot holds another global id (or several share it)."""
        if len(self._sorted) != len(self.gids):
            array = self.gid_array()
            self._perm = np.argsort(array, kind="stable")
            self._sorted = array[self._perm]
            # a direct-mapped index of the global ids that have a slot to themselves (low bits of a digest: uniform)
            size = min(1 << 18, 1 << max(4, (16 * len(array)).bit_length()))
            slots = (array & U64(size - 1)).astype(np.intp)
            alone = np.bincount(slots, minlength=size)[slots] == 1
            self._keys = np.full(size, EMPTY, dtype=U64)
            self._keys[slots[alone]] = array[alone]
            self._vals = np.zeros(size, dtype=U32)
            self._vals[slots[alone]] = np.flatnonzero(alone).astype(U32)
        slots = (gids & U64(len(self._keys) - 1)).astype(np.intp)
        miss = self._keys[slots] != gids
        if not miss.any():
            return self._vals[slots]
        out = self._vals[slots]
        out[miss] = self._search(gids[miss])
        return out

    def _search(self, gids: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
        at = np.searchsorted(self._sorted, gids)
        at[at == len(self._sorted)] = 0
        if len(gids) and not np.array_equal(self._sorted[at], gids):
            raise AssertionError("a state names a local state this process does not know")
        return self._perm[at].astype(U32)

    def net(self, net: Any) -> int:
        pos = self.net_pos.get(net)
        if pos is None:
            pos = self.net_pos[net] = len(self.nets)
            self.nets.append(net)
        return pos

    def add_net(self, net: Any, net_hash: int) -> int:
        """Append a network (no look-up: the caller keeps its own) with the hash of its global ids; its position."""
        self.net_lanes.append(hash(net_hash) & FP64)
        self.nets.append(net)
        return len(self.nets) - 1

    def bud(self, budgets: tuple[int, ...]) -> int:
        pos = self.bud_pos.get(budgets)
        if pos is None:
            pos = self.bud_pos[budgets] = len(self.buds)
            self.buds.append(budgets)
            self.bud_lanes.append(hash(budgets) & FP64)
        return pos


class Grown:
    """An append-only column mirrored as an array, extended in place (capacity doubles): the values of a list
    (``of``), or values computed for the new positions (``extend``)."""

    def __init__(self, dtype: Any = U64) -> None:
        self.buf: npt.NDArray[Any] = np.zeros(0, dtype)
        self.n = 0

    def of(self, source: list[int]) -> npt.NDArray[Any]:
        return self.extend(len(source), lambda a, b: source[a:b])

    def extend(self, need: int, values: Callable[[int, int], Sequence[Any]]) -> npt.NDArray[Any]:
        """The column up to ``need``; ``values(a, b)`` gives the values at positions a to b (excluded) not yet in it."""
        if need > self.n:
            if need > len(self.buf):
                buf = np.zeros(max(need, 2 * len(self.buf)), dtype=self.buf.dtype)
                buf[: self.n] = self.buf[: self.n]
                self.buf = buf
            self.buf[self.n : need] = values(self.n, need)
            self.n = need
        return self.buf[:need]


class Rows:
    """A block of states (with their fingerprints, parent indices and step positions) as arrays."""

    __slots__ = ("buds", "cols", "fps", "nets", "ordinals", "parents")

    def __init__(self, fps: Any, cols: Any, nets: Any, buds: Any, parents: Any, ordinals: Any) -> None:
        self.fps: npt.NDArray[np.uint64] = fps
        self.cols: npt.NDArray[np.uint32] = cols
        self.nets: npt.NDArray[np.uint32] = nets
        self.buds: npt.NDArray[np.uint32] = buds
        self.parents: npt.NDArray[np.uint32] = parents
        self.ordinals: npt.NDArray[np.uint32] = ordinals

    def __len__(self) -> int:
        return len(self.nets)

    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.fps, self.cols, self.nets, self.buds, self.parents, self.ordinals))

    def frontier(self) -> Rows:
        """Only what expanding the states needs (their fingerprints, parents and step positions are stored already)."""
        z = np.zeros(0, U32)
        return Rows(np.zeros(0, U64), self.cols, self.nets, self.buds, z, z)

    def take(self, idx: Any) -> Rows:
        return Rows(self.fps[idx], self.cols[idx], self.nets[idx], self.buds[idx], self.parents[idx], self.ordinals[idx])

    @staticmethod
    def empty(n: int) -> Rows:
        z = np.zeros(0, U32)
        return Rows(np.zeros(0, U64), np.zeros((0, n), U32), z, z, z, z)

    @staticmethod
    def concat(blocks: Sequence[Rows], n: int) -> Rows:
        if not blocks:
            return Rows.empty(n)
        if len(blocks) == 1:
            return blocks[0]
        return Rows(*(np.concatenate([getattr(b, f) for b in blocks]) for f in ("fps", "cols", "nets", "buds", "parents", "ordinals")))

    def states(self, tables: Tables, chunk: int = 4096) -> Iterator[tuple[int, Any]]:
        """(position, state) for every row, the state in the process's own ints (decoded a chunk at a time)."""
        for a, states in self.chunks(tables, chunk):
            yield from enumerate(states, a)

    def chunks(self, tables: Tables, chunk: int = 4096) -> Iterator[tuple[int, list[Any]]]:
        """(position of the first, states) a chunk of rows at a time, the states in the process's own ints."""
        nets, buds = tables.nets, tables.buds
        for a in range(0, len(self.nets), chunk):
            cols = map(tuple, self.cols[a : a + chunk].tolist())
            ni = self.nets[a : a + chunk].tolist()
            bi = self.buds[a : a + chunk].tolist()
            yield a, [(row, nets[i], buds[j]) for row, i, j in zip(cols, ni, bi)]


class Collector:
    """Successors on their way out of a shard, gathered as tuples and packed into ``Rows`` a chunk at a time.

    ``add((instance, value, network position, budgets, parent, step position))``: one append per successor.
    Without ``source`` the value is the successor's whole tuple of local ids (the instance is -1). Given the
    parents' block (``source``: their columns and the global index of the first), the successor's columns are its
    parent's with the instance's replaced by the value, a local id: a step changes at most the local state of the
    instance its label names (``Model.successors``). The fingerprints are computed here, a block at a time, from the
    columns' global ids, the tables' ``net_lanes`` and the budgets (``tuple_hashes``), not one successor at a time
    in the loop; ``fingerprints=False`` leaves them 0 (a frontier rebuilt from a checkpoint, whose are stored)."""

    def __init__(self, n: int, tables: Tables, source: tuple[npt.NDArray[np.uint32], int] | None = None, fingerprints: bool = True) -> None:
        self.n = n
        self.tables = tables
        self.source = source
        self.fingerprints = fingerprints
        self.blocks: list[Rows] = []
        self.items: list[tuple[int, Any, int, tuple[int, ...], int, int]] = []
        self.add = self.items.append

    def __len__(self) -> int:
        return len(self.items)

    def flush(self) -> None:
        """Pack what was gathered into a block of arrays."""
        k = len(self.items)
        if not k:
            return
        t = self.tables
        insts, values, nets, buds, parents, ordinals = zip(*self.items)
        self.items.clear()
        parent_array = np.fromiter(parents, dtype=U32, count=k)
        if self.source is None:  # whole tuples of local ids
            cols = np.fromiter(chain.from_iterable(values), dtype=U32, count=k * self.n).reshape(k, self.n)
        else:  # the parents' columns with one instance's replaced
            src, base = self.source
            inst = np.fromiter(insts, dtype=np.intp, count=k)
            if k and int(inst.min()) < 0:
                raise AssertionError("a collector given its parents' block takes successors by one instance only")
            cols = src[parent_array.astype(np.intp) - base]
            cols[np.arange(k), inst] = np.fromiter(values, dtype=U32, count=k)
        for b in set(buds):
            t.bud(b)
        net_array = np.fromiter(nets, dtype=U32, count=k)
        bud_array = np.fromiter(map(t.bud_pos.__getitem__, buds), dtype=U32, count=k)
        if self.fingerprints:
            lanes = np.empty((k, 3), dtype=U64)
            lanes[:, 0] = tuple_hashes(t.gid_array()[cols])  # a 60-bit global id hashes as itself
            lanes[:, 1] = t.net_lane_array()[net_array]
            lanes[:, 2] = np.array(t.bud_lanes, dtype=U64)[bud_array]
            fps = tuple_hashes(lanes)
        else:
            fps = np.zeros(k, dtype=U64)
        self.blocks.append(Rows(fps, cols, net_array, bud_array, parent_array, np.fromiter(ordinals, dtype=U32, count=k)))

    def rows(self) -> Rows:
        self.flush()
        out = Rows.concat(self.blocks, self.n)
        self.blocks = []
        return out


class Batch:
    """States sent from one shard to another in one level: rows over the batch's own tables, and new values."""

    __slots__ = ("buds", "gids", "locals", "msgs", "nets", "rows")

    def __init__(self, rows: Rows, gids: Any, nets: list[Any], buds: list[tuple[int, ...]], values: tuple[list[Any], list[Any]]) -> None:
        self.rows = rows
        self.gids: npt.NDArray[np.uint64] = gids  # the batch's column values -> local-state global ids
        self.nets = nets  # networks in message global ids
        self.buds = buds
        self.locals, self.msgs = values

    def __len__(self) -> int:
        return len(self.rows)

    def __getstate__(self) -> Any:
        r = self.rows
        return (r.fps, r.cols, r.nets, r.buds, r.parents, r.ordinals, self.gids, self.nets, self.buds, self.locals, self.msgs)

    def __setstate__(self, st: Any) -> None:
        self.rows = Rows(*st[:6])
        self.gids, self.nets, self.buds, self.locals, self.msgs = st[6:]

    def nbytes(self) -> int:
        return self.rows.nbytes() + self.gids.nbytes

    @staticmethod
    def pack(rows: Rows, tables: Tables, values: tuple[list[Any], list[Any]], encode_net: Any = None) -> Batch:
        """A batch of these rows (in the sender's tables), with tables restricted to what the rows use.

        The sender's network table holds networks already in global ids, unless ``encode_net`` (net -> global ids)
        is given."""
        if not len(rows):
            return Batch(rows, np.zeros(0, U64), [], [], values)
        used_cols, cols = _compact(rows.cols, len(tables.gids))
        used_nets, nets = _compact(rows.nets, len(tables.nets))
        used_buds, buds = _compact(rows.buds, len(tables.buds))
        gid_array = tables.gid_array()
        r = Rows(rows.fps, _narrow(cols), _narrow(nets), _narrow(buds), rows.parents, _narrow(rows.ordinals))
        table = tables.nets
        enets = [table[i] for i in used_nets.tolist()] if encode_net is None else [encode_net(table[i]) for i in used_nets.tolist()]
        return Batch(r, gid_array[used_cols], enets, [tables.buds[i] for i in used_buds.tolist()], values)

    def unpack(self, tables: Tables, decode_nets: Any, keep: Any = None) -> Rows:
        """These rows (those at the positions ``keep``, if given) over the receiver's own tables, after it learned the
        batch's values. Only the networks the kept rows use are decoded (``decode_nets``: a list of networks in global
        ids -> this process's), and they are appended to the table as they are: no hashing of networks here."""
        r = self.rows if keep is None else self.rows.take(keep)
        if not len(r):
            return Rows.empty(r.cols.shape[1] if r.cols.ndim == 2 else 0)
        col_map = tables.positions(self.gids)
        used_nets, nets = _compact(r.nets, len(self.nets))
        base = len(tables.nets)
        tables.nets.extend(decode_nets([self.nets[i] for i in used_nets.tolist()]))
        bud_map = np.array([tables.bud(b) for b in self.buds], dtype=U32)
        return Rows(r.fps, col_map[r.cols], nets + U32(base), bud_map[r.buds], r.parents, r.ordinals.astype(U32))


def _compact(values: npt.NDArray[np.uint32], size: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.uint32]]:
    """(the table positions used, ascending; the values renumbered into that list) in one linear pass."""
    used = np.zeros(size, dtype=bool)
    used[values.ravel()] = True
    idx = np.flatnonzero(used)
    renumber = np.zeros(size, dtype=U32)
    renumber[idx] = np.arange(len(idx), dtype=U32)
    return idx, renumber[values]


def _narrow(values: npt.NDArray[np.uint32]) -> Any:
    """The same values in 8 or 16 bits where they fit (batches are mostly small positions): fewer bytes in flight."""
    top = int(values.max()) if values.size else 0
    if top < 1 << 8:
        return values.astype(np.uint8)
    if top < 1 << 16:
        return values.astype(np.uint16)
    return values
