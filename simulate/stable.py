"""Process-independent names for states: stable digests of values, and the state encoding that crosses workers.

A compiled model interns local states and messages as small ints in discovery order, so the
same global state has different ints in different processes. Parallel exploration needs a
name that every process computes alike: each interned value gets a *global id*, a 64-bit
BLAKE2b digest of a canonical serialisation (sets and maps are serialised in the order of
their members' digests, so neither the hash seed nor the insertion order matters), and a
state is encoded as its instances' global ids, its network as global ids (a sorted tuple for
set and multiset networks, per-channel tuples for FIFO) and its budgets. The fingerprint is
``hash()`` of that tuple of ints, which Python computes identically in every process and
under every ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import enum
import hashlib
import struct
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from statecharts.values import FrozenMap

from .model import Model
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
    """Global ids for one process's interning tables, and the encoding of states in those ids.

    ``encode``/``fingerprint`` work on the model's own states; ``decode`` turns an encoded
    state from another process back into this one's ints, after ``learn`` has been given the
    values behind any global ids this process has not interned yet.
    """

    def __init__(self, model: Any) -> None:
        self.m = model
        self.local_gid: list[int] = []
        self.msg_gid: list[int] = []
        self.gid_local: dict[int, int] = {}
        self.gid_msg: dict[int, int] = {}
        self.kind = model.network
        self.net_cache: dict[Any, Any] = {}
        self.dec_cache: dict[Any, Any] = {}

    def encode_net(self, net: Any) -> tuple[Any, int]:
        """The network in global ids, and its hash (cached: networks recur across many states)."""
        hit = self.net_cache.get(net)
        if hit is None:
            self._sync()
            mg = self.msg_gid
            kind = self.kind
            if kind == "unordered-duplicating":
                hit = tuple(sorted([mg[x] for x in self.m.members(net)]))
            elif kind == "unordered":
                hit = tuple(sorted([mg[x] for x in net]))
            else:
                hit = tuple((chan, tuple([mg[x] for x in msgs])) for chan, msgs in net)
            hit = (hit, hash(hit))
            if len(self.net_cache) >= 1 << 18:
                self.net_cache.clear()
            self.net_cache[net] = hit
        return hit

    def sync(self) -> None:
        """Give global ids to values interned since the last call (call after the model may have interned)."""
        self._sync()

    def _sync(self) -> None:
        """Give global ids to values interned since the last call."""
        m = self.m
        for lid in range(len(self.local_gid), len(m.local_values)):
            g = digest(m.local_values[lid])
            self.local_gid.append(g)
            self.gid_local.setdefault(g, lid)
        for mid in range(len(self.msg_gid), len(m.msg_values)):
            g = digest(m.msg_values[mid])
            self.msg_gid.append(g)
            self.gid_msg.setdefault(g, mid)

    def encode(self, state: Any) -> Encoded:
        """The state in global ids (its fingerprint is ``hash`` of this)."""
        locals_, net, budgets = state
        lg, mg = self.local_gid, self.msg_gid
        if len(lg) < len(self.m.local_values) or len(mg) < len(self.m.msg_values):
            self._sync()
        enet = self.net_cache.get(net)
        if enet is None:
            enet = self.encode_net(net)
        return (tuple(map(lg.__getitem__, locals_)), enet, budgets)

    def fingerprint(self, state: Any) -> int:
        return fingerprint(self.encode(state))

    def new_values(self, local_from: int, msg_from: int) -> tuple[list[tuple[int, Any]], list[tuple[int, Any]]]:
        """(gid, value) of everything interned from these positions on: what other processes must learn."""
        self._sync()
        m = self.m
        return (
            [(self.local_gid[i], m.local_values[i]) for i in range(local_from, len(m.local_values))],
            [(self.msg_gid[i], m.msg_values[i]) for i in range(msg_from, len(m.msg_values))],
        )

    def values_of(self, enc: Encoded) -> tuple[list[tuple[int, Any]], list[tuple[int, Any]]]:
        """(gid, value) pairs behind one encoded state: what a process needs to decode it."""
        self._sync()
        m = self.m
        gl, (enet, _), _ = enc
        if self.kind == "fifo":
            msgs = {g for _, chan in enet for g in chan}
        else:
            msgs = set(enet)
        return [(g, m.local_values[self.gid_local[g]]) for g in set(gl)], [(g, m.msg_values[self.gid_msg[g]]) for g in msgs]

    def learn(self, locals_: Sequence[tuple[int, Any]], msgs: Sequence[tuple[int, Any]]) -> None:
        """Intern values first seen by another process, so that their global ids decode here."""
        self._sync()
        m = self.m
        for g, v in locals_:
            if g not in self.gid_local:
                lid = m.local_ids.get(v)
                if lid is None:
                    lid = m.local_ids[v] = len(m.local_values)
                    m.local_values.append(v)
                self._sync()
                self.gid_local[g] = lid
        for g, v in msgs:
            if g not in self.gid_msg:
                m.intern_msg(*v)
                self._sync()

    def decode(self, enc: Encoded) -> Any:
        """The state named by global ids, in this process's ints."""
        gl, (enet, _), budgets = enc
        gid_local = self.gid_local
        net = self.dec_cache.get(enet)
        if net is None:
            net = self._decode_net(enet)
        return (itemgetter(*gl)(gid_local) if len(gl) > 1 else (gid_local[gl[0]],), net, budgets)

    def _decode_net(self, enet: Any) -> Any:
        gid_msg = self.gid_msg
        kind = self.kind
        if kind == "unordered-duplicating":
            net: Any = 0
            for g in enet:
                net |= 1 << gid_msg[g]
        elif kind == "unordered":
            net = tuple(sorted([gid_msg[g] for g in enet]))
        else:
            net = tuple((chan, tuple([gid_msg[g] for g in msgs])) for chan, msgs in enet)
        if len(self.dec_cache) >= 1 << 18:
            self.dec_cache.clear()
        self.dec_cache[enet] = net
        return net


class StableModel(Model):
    """A compiled model whose symmetry representatives are chosen by global ids, so every process picks the same one.

    ``Model`` orders interchangeable instances by their interned ints, which is consistent within one
    process only; here the signature and the tie-break compare global ids instead.
    """

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self.codec = StableCodec(self)

    def _signature(self, state: Any, i: int) -> Any:
        locals_, _, budgets = state
        me = self.names[i]
        anon = self._anon_perm(i)
        own = self.rename_local(locals_[i], anon)
        inbox = [self.rename_msg(m, anon) for m in self.message_ids(state) if self.msg_values[m][0] == i]
        outbox = [self.rename_msg(m, anon) for m in self.message_ids(state) if self.msg_values[m][1].origin == me]
        codec = self.codec
        codec.sync()
        stim = tuple(budgets[s] for (k, j), s in sorted(self.stim_slot.items()) if j == i)
        mg = codec.msg_gid
        return (codec.local_gid[own], tuple(sorted(mg[m] for m in inbox)), tuple(sorted(mg[m] for m in outbox)), stim)

    def _order_key(self, state: Any) -> Any:
        gl, (enet, _), budgets = self.codec.encode(state)
        return (gl, enet, budgets)
