"""Process-independent names for states: stable digests of values, and the state encoding that crosses workers.

A compiled model interns local states and messages as small ints in discovery order, so the
same global state would have different ints in different processes. Parallel exploration needs
names that every process computes alike: a *global id* is a 60-bit BLAKE2b digest of a canonical
serialisation of a value (sets and maps are serialised in the order of their members' digests,
so neither the hash seed nor the insertion order matters). ``StableModel`` keeps the small ints
(cheap to hash in the successor loop) and gives each local state its global id as it interns
it; a state crosses processes as the global ids of its instances, and a network as the global
ids of its messages (a sorted tuple for set and multiset networks, per-channel tuples for FIFO).
The fingerprint is ``hash()`` of (the instances' global ids, hash of the network's global ids,
budgets), ints only, which Python computes identically in every process and under every
``PYTHONHASHSEED``; ``batch.Collector`` computes the same 64 bits for a block of states at once
(``batch.tuple_hashes``).
"""

from __future__ import annotations

import enum
import hashlib
import struct
from collections.abc import Iterator, Sequence
from typing import Any

from statecharts.engine import ChartState
from statecharts.values import Event, FrozenMap

from .model import Model
from .symmetry import _rename
from .system import ModelError, System

FP64 = (1 << 64) - 1
"""Fingerprints and global ids are 64-bit."""

GID_MASK = (1 << 60) - 1
"""Global ids are 60-bit, so that Python hashes them as themselves (cheap), whatever the process."""

Encoded = tuple[tuple[int, ...], tuple[Any, int], tuple[int, ...]]
"""A state as global ids: (instance gids, (network as gids, its hash), budgets)."""


def _ser(value: Any, out: list[bytes]) -> None:
    """Append a canonical, type-tagged serialisation of a hashable value to ``out``."""
    if value is None:
        out.append(b"N")
    elif value is True or value is False:
        out.append(b"B1" if value else b"B0")
    elif isinstance(value, int) and not isinstance(value, enum.Enum):
        raw = str(value).encode()
        out.append(b"I" + struct.pack(">I", len(raw)) + raw)
    elif isinstance(value, float):
        raw = repr(value).encode()
        out.append(b"F" + struct.pack(">I", len(raw)) + raw)
    elif isinstance(value, str):
        raw = value.encode("utf-8", "surrogatepass")
        out.append(b"S" + struct.pack(">I", len(raw)) + raw)
    elif isinstance(value, bytes):
        out.append(b"Y" + struct.pack(">I", len(value)) + value)
    elif isinstance(value, FrozenMap) or isinstance(value, dict):
        pairs = sorted((digest(k), digest(v)) for k, v in value.items())
        out.append(b"M" + struct.pack(">I", len(pairs)) + b"".join(struct.pack(">QQ", k, v) for k, v in pairs))
    elif isinstance(value, (frozenset, set)):
        items = sorted(digest(v) for v in value)
        out.append(b"E" + struct.pack(">I", len(items)) + b"".join(struct.pack(">Q", v) for v in items))
    elif isinstance(value, tuple):
        tag = type(value).__name__.encode() if hasattr(value, "_fields") else b""
        out.append(b"T" + struct.pack(">II", len(tag), len(value)) + tag)
        for v in value:
            _ser(v, out)
    elif isinstance(value, enum.Enum):
        _ser((type(value).__qualname__, value.name), out)
    else:
        raise ModelError(
            f"a value of type {type(value).__name__} ({value!r:.60}) has no process-independent form, so it cannot cross "
            "workers: keep states to ints, strings, floats, booleans, None, tuples, frozensets and maps, or explore with workers=1"
        )


def digest(value: Any) -> int:
    """A 64-bit digest of a value that is the same in every process, run and hash seed."""
    out: list[bytes] = []
    _ser(value, out)
    return int.from_bytes(hashlib.blake2b(b"".join(out), digest_size=8).digest(), "big") & GID_MASK


def fingerprint(enc: Encoded) -> int:
    """A state's 64-bit fingerprint from its encoding: ``hash`` of ints only, the same in every process."""
    gl, (_, net_hash), budgets = enc
    return hash((gl, net_hash, budgets)) & FP64


class StableCodec:
    """The encoding of a model's states in global ids, for states that cross processes.

    Local states and messages are mapped to and from global ids here. ``decode`` turns an encoded
    state from another process into this one's ints, after ``learn`` has been given the values
    behind global ids it has not seen yet.
    """

    def __init__(self, model: StableModel) -> None:
        self.m = model
        self.msg_gid: list[int] = []
        self.gid_msg: dict[int, int] = {}
        self.kind = model.network
        self.net_cache: dict[Any, tuple[Any, int]] = {}
        self.dec_cache: dict[Any, Any] = {}
        # FIFO channels, (channel, messages) <-> (channel, message gids): a level's networks share most of their channels
        self.chan_enc: dict[Any, Any] = {}
        self.chan_dec: dict[Any, Any] = {}

    def sync(self) -> None:
        """Give global ids to messages interned since the last call."""
        m = self.m
        for mid in range(len(self.msg_gid), len(m.msg_values)):
            g = digest(m.msg_values[mid])
            other = self.gid_msg.get(g)
            if other is not None and m.msg_values[other] != m.msg_values[mid]:
                raise ModelError(f"two messages share the global id {g:#x}: explore this system with workers=1")
            self.msg_gid.append(g)
            self.gid_msg.setdefault(g, mid)

    def encode_net(self, net: Any) -> tuple[Any, int]:
        """The network in global ids, and its hash (cached: networks recur across many states)."""
        hit = self.net_cache.get(net)
        if hit is None:
            enet = self.net_gids(net)
            hit = (enet, hash(enet))
            if len(self.net_cache) >= 1 << 15:
                self.net_cache.clear()
            self.net_cache[net] = hit
        return hit

    def net_gids(self, net: Any) -> Any:
        """The network in global ids, uncached (a shard keeps its own table of a level's networks)."""
        if len(self.msg_gid) < len(self.m.msg_values):
            self.sync()
        mg = self.msg_gid
        kind = self.kind
        if kind == "unordered-duplicating":
            return tuple(sorted([mg[x] for x in self.m.members(net)]))
        if kind == "unordered":
            return tuple(sorted([mg[x] for x in net]))
        cache = self.chan_enc
        out = []
        for item in net:
            e = cache.get(item)
            if e is None:
                if len(cache) >= 1 << 16:
                    cache.clear()
                e = cache[item] = (item[0], tuple([mg[x] for x in item[1]]))
            out.append(e)
        return tuple(out)

    def encode(self, state: Any) -> Encoded:
        """The state in global ids (its fingerprint is ``fingerprint`` of this)."""
        locals_, net, budgets = state
        gid = self.m.local_order
        return (tuple([gid[x] for x in locals_]), self.encode_net(net), budgets)

    def fingerprint(self, state: Any) -> int:
        return fingerprint(self.encode(state))

    def state_fp(self, locals_: tuple[int, ...], net_hash: int, budgets: tuple[int, ...]) -> int:
        """``fingerprint`` of a state given the hash of its network in global ids (a shard keeps those per network)."""
        gid = self.m.local_order
        return fingerprint((tuple([gid[x] for x in locals_]), ((), net_hash), budgets))

    def new_values(self, local_from: int, msg_from: int) -> tuple[list[tuple[int, Any]], list[tuple[int, Any]]]:
        """(gid, value) of everything interned from these positions on: what other processes must learn."""
        self.sync()
        m = self.m
        return (
            [(m.local_order[x], m.local_values[x]) for x in range(local_from, len(m.local_order))],
            [(self.msg_gid[i], m.msg_values[i]) for i in range(msg_from, len(m.msg_values))],
        )

    def values_of(self, enc: Encoded) -> tuple[list[tuple[int, Any]], list[tuple[int, Any]]]:
        """(gid, value) pairs behind one encoded state: what a process needs to decode it."""
        self.sync()
        m = self.m
        gl, (enet, _), _ = enc
        if self.kind == "fifo":
            msgs = {g for _, chan in enet for g in chan}
        else:
            msgs = set(enet)
        return [(g, m.local_values[m.lid_of[g]]) for g in sorted(set(gl))], [(g, m.msg_values[self.gid_msg[g]]) for g in sorted(msgs)]

    def learn(self, locals_: Sequence[tuple[int, Any]], msgs: Sequence[tuple[int, Any]]) -> None:
        """Intern values first seen by another process, so that their global ids decode here."""
        m = self.m
        lid_of = m.lid_of
        for g, v in locals_:
            if g not in lid_of:
                m.adopt_value(g, v)
        if msgs:
            self.sync()
            msg_gid, gid_msg = self.msg_gid, self.gid_msg
            for g, v in msgs:
                if g not in gid_msg:
                    mid = m.intern_msg(*v)
                    if mid == len(msg_gid):  # new here: its global id came with it (digests agree across processes)
                        msg_gid.append(g)
                        gid_msg[g] = mid
            self.sync()

    def decode(self, enc: Encoded) -> Any:
        """The state named by global ids, in this process's ints."""
        gl, (enet, _), budgets = enc
        net = self.dec_cache.get(enet)
        if net is None:
            net = self.decode_net(enet)
        lid_of = self.m.lid_of
        return (tuple([lid_of[g] for g in gl]), net, budgets)

    def decode_net(self, enet: Any) -> Any:
        """A network from the global ids of its messages (cached)."""
        net = self.dec_cache.get(enet)
        if net is not None:
            return net
        gid_msg = self.gid_msg
        kind = self.kind
        if kind == "unordered-duplicating":
            net = 0
            for g in enet:
                net |= 1 << gid_msg[g]
        elif kind == "unordered":
            net = tuple(sorted([gid_msg[g] for g in enet]))
        else:
            net = tuple((chan, tuple([gid_msg[g] for g in msgs])) for chan, msgs in enet)
        if len(self.dec_cache) >= 1 << 15:
            self.dec_cache.clear()
        self.dec_cache[enet] = net
        return net

    def decode_nets(self, enets: Sequence[Any]) -> list[Any]:
        """Networks from the global ids of their messages, uncached (a batch's networks, each used once)."""
        gid_msg = self.gid_msg
        kind = self.kind
        if kind == "unordered-duplicating":
            out: list[Any] = []
            for enet in enets:
                net = 0
                for g in enet:
                    net |= 1 << gid_msg[g]
                out.append(net)
            return out
        get = gid_msg.__getitem__
        if kind == "unordered":
            return [tuple(sorted(map(get, enet))) for enet in enets]
        cache = self.chan_dec
        nets = []
        for enet in enets:
            out = []
            for item in enet:
                d = cache.get(item)
                if d is None:
                    if len(cache) >= 1 << 16:
                        cache.clear()
                    d = cache[item] = (item[0], tuple(map(get, item[1])))
                out.append(d)
            nets.append(tuple(out))
        return nets


class StableModel(Model):
    """A compiled model whose local states also have global ids, so that every process names them alike.

    Local ids stay small ints in the order this process met them (the successor loop hashes tuples of
    them); ``local_order`` lists their global ids in that order and ``lid_of`` maps a global id back.
    Symmetry representatives are chosen by comparing global ids (``Model`` compares per-process ids), so
    every process picks the same one.
    """

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self.local_order: list[int] = []
        self.lid_of: dict[int, int] = {}
        self.codec = StableCodec(self)

    # A state's steps come in one order in every process, whatever it met first: a set or multiset network's messages
    # are taken in the order of their global ids, not of this process's message ids (which follow its history, e.g.
    # the pieces of other shards' levels it expanded). Step positions then name the same step everywhere.

    def _by_gid(self, ids: Sequence[int]) -> tuple[int, ...]:
        codec = self.codec
        if max(ids) >= len(codec.msg_gid):
            codec.sync()
        return tuple(sorted(ids, key=codec.msg_gid.__getitem__))

    def members(self, mask: int) -> tuple[int, ...]:
        """The message ids in a set network's bitmask, in the order of their global ids (cached)."""
        hit = self._members_cache.get(mask)
        if hit is None:
            cache = self._members_cache
            hit = Model.members(self, mask)  # ascending ids (cached, unless the cache is full): replaced here
            hit = self._by_gid(hit) if hit else hit
            if mask in cache:
                cache[mask] = hit
        return hit

    def deliverable(self, net: Any) -> Iterator[tuple[int, Any, bool]]:
        if self.network != "unordered" or len(net) < 2:
            yield from Model.deliverable(self, net)
            return
        for m in self._by_gid(sorted(set(net))):  # a multiset (sorted by id): its distinct messages, by global id
            k = net.index(m)
            yield m, net[:k] + net[k + 1 :], True

    def _duplicated(self, net: Any) -> Iterator[tuple[int, Any]]:
        if self.network != "unordered" or len(net) < 2:
            yield from Model._duplicated(self, net)
            return
        for m in self._by_gid(sorted(set(net))):
            yield m, tuple(sorted((*net, m)))

    def intern_value(self, key: Any) -> int:
        """The local id of a local-state value (chart number, chart state, timers), interning it with its global id."""
        lid = self.local_ids.get(key)
        if lid is None:
            g = digest(key)
            other = self.lid_of.get(g)
            if other is not None and self.local_values[other] != key:
                raise ModelError(
                    f"two local states share the global id {g:#x} ({self.local_values[other]!r:.60} and {key!r:.60}): "
                    "explore this system with workers=1"
                )
            lid = self._add_value(g, key)
        return lid

    def adopt_value(self, gid: int, key: Any) -> None:
        """Intern a local-state value under the global id another process computed for it (no second digest)."""
        if gid not in self.lid_of:
            self._add_value(gid, key)

    def _add_value(self, gid: int, key: Any) -> int:
        lid = self.local_ids[key] = self.lid_of[gid] = len(self.local_values)
        self.local_values.append(key)
        self.local_order.append(gid)
        return lid

    def intern_local(self, i: int, cs: ChartState, timers: frozenset[tuple[str | None, Event]]) -> int:
        return self.intern_value((self.chart_no[i], cs, timers))

    def restore_interned(self, local_values: Sequence[Any], msg_values: Sequence[tuple[int, Event]]) -> None:
        raise ModelError("checkpoints are written by one worker only: a sharded model cannot restore one")

    def rename_local(self, lid: int, perm: tuple[int, ...]) -> int:
        key = (lid, perm)
        hit = self._rename_local_cache.get(key)
        if hit is None:
            chart_no, cs, timers = self.local_values[lid]
            mapping = self._rename_map(perm)
            cs2 = ChartState(cs.config, _rename(cs.context, mapping), cs.history)
            timers2 = frozenset(_rename(t, mapping) for t in timers)
            hit = self._rename_local_cache[key] = self.intern_value((chart_no, cs2, timers2))
        return hit

    def _signature(self, state: Any, i: int) -> Any:
        locals_, _, budgets = state
        me = self.names[i]
        anon = self._anon_perm(i)
        own = self.local_order[self.rename_local(locals_[i], anon)]
        inbox = [self.rename_msg(m, anon) for m in self.message_ids(state) if self.msg_values[m][0] == i]
        outbox = [self.rename_msg(m, anon) for m in self.message_ids(state) if self.msg_values[m][1].origin == me]
        codec = self.codec
        codec.sync()
        stim = tuple(budgets[s] for (k, j), s in sorted(self.stim_slot.items()) if j == i)
        mg = codec.msg_gid
        return (own, tuple(sorted(mg[m] for m in inbox)), tuple(sorted(mg[m] for m in outbox)), stim)

    def _order_key(self, state: Any) -> Any:
        gl, (enet, _), budgets = self.codec.encode(state)
        return (gl, enet, budgets)
