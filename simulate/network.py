"""The network of the compiled actor system: adding sent messages, which messages can be delivered, dropped or
duplicated, and counting those in flight, for each kind of network (a set of message ids for ``unordered-duplicating``,
a sorted multiset for ``unordered``, sorted per-channel queues for ``fifo``).

Functions of :class:`simulate.model.Model`, bound as its methods (``Model._add`` is :func:`add`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Model


def add(self: Model, net: Any, sends: Sequence[tuple[int, int]]) -> Any:
    if not sends:
        return net
    kind = self.network
    if kind == "unordered-duplicating":
        for _, m in sends:
            net |= 1 << m
        return net
    if kind == "unordered":
        return tuple(sorted(net + tuple(m for _, m in sends)))
    dest_of = self.dest_of
    return append_fifo(net, tuple(((src, dest_of[m]), m) for src, m in sends))


def append_fifo(net: Any, chans: Sequence[tuple[tuple[int, int], int]]) -> Any:
    """A FIFO network (a tuple of ``(channel, messages)`` sorted by channel, none empty) with each ``(channel,
    message)`` of ``chans`` appended to its channel, in order."""
    out = list(net)
    for key, m in chans:
        k = bisect_left(out, (key,))  # (key,) sorts just before the pair (key, messages)
        if k < len(out) and out[k][0] == key:
            out[k] = (key, (*out[k][1], m))
        else:
            out.insert(k, (key, (m,)))
    return tuple(out)


def deliverable(self: Model, net: Any) -> Iterator[tuple[int, Any, bool]]:
    """(message id, network after taking it, whether taking it changes the network)."""
    kind = self.network
    if kind == "unordered-duplicating":
        for m in self.members(net):
            yield m, net, False
    elif kind == "unordered":
        prev = -1
        for k, m in enumerate(net):
            if m != prev:
                yield m, net[:k] + net[k + 1 :], True
                prev = m
    else:
        for k, (key, msgs) in enumerate(net):
            rest = msgs[1:]
            if rest:
                new = net[:k] + ((key, rest),) + net[k + 1 :]
            else:
                new = net[:k] + net[k + 1 :]
            yield msgs[0], new, True


def duplicated(self: Model, net: Any) -> Iterator[tuple[int, Any]]:
    kind = self.network
    if kind == "unordered-duplicating":
        return  # a set network already keeps every message deliverable
    if kind == "unordered":
        prev = -1
        for m in net:
            if m != prev:
                yield m, tuple(sorted((*net, m)))
                prev = m
    else:
        for k, (key, msgs) in enumerate(net):
            yield msgs[0], net[:k] + ((key, (msgs[0], *msgs)),) + net[k + 1 :]


def dropped(self: Model, net: Any) -> Iterator[tuple[int, Any]]:
    kind = self.network
    if kind == "unordered-duplicating":
        for m in self.members(net):
            yield m, net & ~(1 << m)
    else:
        yield from ((m, new) for m, new, _ in self.deliverable(net))


def count_messages(self: Model, state: Any, event: str | None, dest: int | None) -> int:
    """How many messages in flight (with repetition) have this event name and receiver (None: any)."""
    net = state[1]
    kind = self.network
    if event is None and dest is None:
        if kind == "fifo":
            n = 0
            for _, msgs in net:
                n += len(msgs)
            return n
        return int(net.bit_count()) if kind == "unordered-duplicating" else len(net)
    flags = self._flags(event, dest)
    n = 0
    if kind == "fifo":
        for _, msgs in net:
            for m in msgs:
                if flags[m]:
                    n += 1
        return n
    for m in self.members(net) if kind == "unordered-duplicating" else net:
        if flags[m]:
            n += 1
    return n


def has_message(self: Model, state: Any, event: str | None, dest: int | None) -> bool:
    """Whether some message in flight has this event name and receiver (``count_messages(...) > 0``, sooner)."""
    net = state[1]
    flags = self._flags(event, dest)
    if self.network == "fifo":
        for _, msgs in net:
            for m in msgs:
                if flags[m]:
                    return True
        return False
    for m in self.members(net) if self.network == "unordered-duplicating" else net:
        if flags[m]:
            return True
    return False


def flags(self: Model, event: str | None, dest: int | None) -> list[bool]:
    """Per message id, whether it has this event name and receiver (None: any); grown as messages are interned."""
    flags = self._count_flags.get((event, dest))
    if flags is None:
        flags = self._count_flags[(event, dest)] = []
    values = self.msg_values
    for m in range(len(flags), len(values)):  # message ids are interned as they appear: classify the new ones
        d, e = values[m]
        flags.append((event is None or e.name == event) and (dest is None or d == dest))
    return flags
