"""The test adapter: the real servers and clients over TCP, with the test in the middle as the network.

The clients connect to stand-in listeners of the test instead of the real lock and storage,
and the test connects to the real servers once per client, as that client. So every message
any actor sends arrives at the test, which delivers it when the model says so: a generated
case or hypothesis picks the interleaving. After each step the test pings the actor on each
of its connections; everything it sent arrives before the pong (TCP keeps order per
connection), so its outbox is complete and nothing is left to chance or to timing.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Coroutine, Iterable, Mapping
from typing import Any, TypeVar

from simulate.testgen import Adapter, AdapterError

from .client import LockClient
from .server import HOST, TIMEOUT, LockServer, StorageServer, data_of, read_message, write_message

T = TypeVar("T")
Link = tuple[str, asyncio.StreamReader, asyncio.StreamWriter]
"""(who is at the other end, reader, writer) of one connection of an actor, seen from the test."""


class LockAdapter(Adapter):
    """Runs ``LockServer(buggy=...)``, ``StorageServer`` and ``clients`` ``LockClient`` on 127.0.0.1, on a private event loop."""

    def __init__(self, *, buggy: bool = False, clients: int = 2, timeout: float = TIMEOUT) -> None:
        self.buggy = buggy
        self.names = [f"client[{i}]" for i in range(clients)]
        self.timeout = timeout
        self.loop: asyncio.AbstractEventLoop | None = None

    # ------------------------------------------------------------------ lifecycle

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        assert self.loop is not None, "reset() first"
        try:
            return self.loop.run_until_complete(asyncio.wait_for(coro, self.timeout))
        except TimeoutError:
            raise AdapterError(f"the implementation did not answer within {self.timeout}s") from None

    def reset(self) -> None:
        self.close()
        self.loop = asyncio.new_event_loop()
        self._run(self._start())

    async def _start(self) -> None:
        self.lock = LockServer(buggy=self.buggy)
        self.storage = StorageServer()
        real = {"lock": await self.lock.start(), "storage": await self.storage.start()}
        # stand-ins the clients connect to: (client, peer) -> the test's end of the client's connection
        self.down: dict[tuple[str, str], tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}
        self.all_in = asyncio.Event()
        self.stubs = [await asyncio.start_server(functools.partial(self._accept, peer), HOST, 0) for peer in real]
        stub_addr = {peer: s.sockets[0].getsockname()[:2] for peer, s in zip(real, self.stubs)}
        self.clients = {n: LockClient(n, stub_addr["lock"], stub_addr["storage"]) for n in self.names}
        for c in self.clients.values():
            await c.connect()
        await self.all_in.wait()
        # the test's connections to the real servers, one per client, introduced as that client
        self.up: dict[tuple[str, str], tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}
        for n in self.names:
            for peer, (host, port) in real.items():
                reader, writer = await asyncio.open_connection(host, port)
                write_message(writer, {"type": "hello", "name": n})
                self.up[(n, peer)] = (reader, writer)
        self.outboxes: dict[str, list[tuple[str, str, dict[str, Any]]]] = {a: [] for a in ("lock", "storage", *self.names)}
        for actor in self.outboxes:
            await self._sync(actor)

    async def _accept(self, peer: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hello = await read_message(reader)
        if hello is None or hello["type"] != "hello":
            writer.close()
            return
        self.down[(str(hello["name"]), peer)] = (reader, writer)
        if len(self.down) == 2 * len(self.names):
            self.all_in.set()

    def close(self) -> None:
        if self.loop is None:
            return
        loop, self.loop = self.loop, None
        try:
            loop.run_until_complete(asyncio.wait_for(self._stop(), self.timeout))
        finally:
            loop.close()

    async def _stop(self) -> None:
        for _, w in [*getattr(self, "up", {}).values(), *getattr(self, "down", {}).values()]:
            w.close()
        for c in getattr(self, "clients", {}).values():
            await c.close()
        for s in getattr(self, "stubs", []):
            s.close()
            await s.wait_closed()
        for service in (getattr(self, "lock", None), getattr(self, "storage", None)):
            if service is not None:
                await service.stop()

    # ------------------------------------------------------------------ the network, seen from the test

    def _links(self, actor: str) -> list[Link]:
        """The connections on which ``actor``'s messages reach the test, and who they are for."""
        if actor in ("lock", "storage"):
            return [(n, *self.up[(n, actor)]) for n in self.names]
        if actor in self.clients:
            return [(peer, *self.down[(actor, peer)]) for peer in ("lock", "storage")]
        raise AdapterError(f"no actor {actor!r} in this implementation (actors: lock, storage, {', '.join(self.names)})")

    async def _pong(self, actor: str, link: Link) -> None:
        """Read what ``actor`` sent on one connection up to the pong; it joins the actor's outbox."""
        to, reader, _ = link
        while True:
            message = await read_message(reader, self.timeout)
            if message is None:
                raise AdapterError(f"{actor} closed its connection to {to}")
            if message["type"] == "pong":
                return
            self.outboxes[actor].append((to, message["type"], data_of(message)))

    async def _sync(self, actor: str, first: str | None = None) -> None:
        """Ping ``actor`` on each of its connections (first on the one an event came in on: then it has handled it)."""
        links = self._links(actor)
        if first is not None:
            head = [link for link in links if link[0] == first]
            for link in head:
                write_message(link[2], {"type": "ping"})
                await self._pong(actor, link)
            links = [link for link in links if link[0] != first]
        for link in links:
            write_message(link[2], {"type": "ping"})
        for link in links:
            await self._pong(actor, link)

    def _writer(self, actor: str, sender: str) -> asyncio.StreamWriter:
        if actor in ("lock", "storage"):
            return self.up[(sender, actor)][1]
        return self.down[(actor, sender)][1]

    # ------------------------------------------------------------------ the adapter

    def deliver(self, actor: str, event: str, data: Mapping[str, Any], sender: str) -> None:
        write_message(self._writer(actor, sender), {"type": event, **data})
        self._run(self._sync(actor, first=sender))

    def stimulus(self, actor: str, event: str, data: Mapping[str, Any]) -> None:
        client = self.clients[actor]
        if event not in ("acquire", "release"):
            raise AdapterError(f"{actor} has no API call for stimulus {event!r}")
        self._run(getattr(client, event)())
        self._run(self._sync(actor))

    def state(self, actor: str) -> str:
        if actor == "lock":
            return self.lock.state
        if actor == "storage":
            return self.storage.state
        return self.clients[actor].state

    def context(self, actor: str) -> dict[str, Any]:
        if actor == "lock":
            return {"holder": self.lock.holder, "queue": list(self.lock.queue), "token": self.lock.token}
        if actor == "storage":
            return {"max_token": self.storage.max_token, "writes": self.storage.writes}
        return {"token": self.clients[actor].token}

    def outbox(self, actor: str) -> Iterable[tuple[str, str, dict[str, Any]]]:
        self._run(self._sync(actor))
        out, self.outboxes[actor] = self.outboxes[actor], []
        return out
