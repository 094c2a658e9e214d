"""The lock server and the storage service of examples/distributed_lock.py ("queue"), over TCP.

The wire protocol is JSON lines. A connection starts with ``{"type": "hello", "name": ...}``
naming the client; after that each line is a message ``{"type": EVENT, ...data}``. Every
endpoint answers ``{"type": "ping"}`` with ``{"type": "pong"}`` once it has handled
everything received before it on that connection (a keep-alive that tests also use to know
a message has been handled).

``LockServer(buggy=True)`` has a planted bug: it decides whether the lock is free by
looking at the queue of waiting clients instead of at the holder, so a request that arrives
while the lock is held and nobody waits is granted too.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from simulate.tracelog import TraceLog

HOST = "127.0.0.1"
TIMEOUT = 5.0
"""Seconds any single read may take before the peer is considered gone."""


def write_message(writer: asyncio.StreamWriter, message: dict[str, Any]) -> None:
    """Queue one message on a connection (asyncio writes it in order)."""
    writer.write((json.dumps(message) + "\n").encode())


async def read_message(reader: asyncio.StreamReader, timeout: float | None = TIMEOUT) -> dict[str, Any] | None:
    """The next message, or None when the peer closed the connection."""
    line = await asyncio.wait_for(reader.readline(), timeout)
    if not line:
        return None
    message = json.loads(line)
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ValueError(f"not a message: {line!r}")
    return message


def data_of(message: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if k != "type"}


class Service:
    """A TCP server whose clients introduce themselves; subclasses handle messages one at a time."""

    name = "service"

    def __init__(self, log: TraceLog | None = None) -> None:
        self.log = log
        self.peers: dict[str, asyncio.StreamWriter] = {}
        self.server: asyncio.Server | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self, host: str = HOST, port: int = 0) -> tuple[str, int]:
        """Listen (port 0: an ephemeral port) and return the address."""
        self.server = await asyncio.start_server(self._connection, host, port)
        addr = self.server.sockets[0].getsockname()
        return addr[0], addr[1]

    async def stop(self) -> None:
        """Close every connection (their handlers then see the end of input) and stop listening."""
        for w in self.writers:
            w.close()
        if self.server is not None:
            self.server.close()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=TIMEOUT)
        if self.server is not None:
            await self.server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
        self.writers.add(writer)
        try:
            hello = await read_message(reader)
            if hello is None or hello["type"] != "hello":
                return
            name = str(hello["name"])
            self.peers[name] = writer
            while (message := await read_message(reader, None)) is not None:
                if message["type"] == "ping":
                    write_message(writer, {"type": "pong"})
                else:
                    sent = self.handle(name, message["type"], data_of(message))
                    for to, event, data in sent:
                        if to in self.peers:
                            write_message(self.peers[to], {"type": event, **data})
                    if self.log is not None:
                        self.log.record(self.name, message["type"], data_of(message), sender=name, state=self.state, sent=sent)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the peer went away, or the server is stopping
        finally:
            writer.close()
            self.writers.discard(writer)
            if task is not None:
                self.tasks.discard(task)

    @property
    def state(self) -> str:
        raise NotImplementedError

    def handle(self, sender: str, event: str, data: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
        """Handle one message; return the messages to send as (receiver, event, data)."""
        raise NotImplementedError


class LockServer(Service):
    """Grants the lock to one client at a time, queues the others, hands over on release; a token per grant."""

    name = "lock"

    def __init__(self, *, buggy: bool = False, log: TraceLog | None = None) -> None:
        super().__init__(log)
        self.buggy = buggy
        self.holder: str | None = None
        self.queue: list[str] = []
        self.token = 0

    @property
    def state(self) -> str:
        return "free" if self.holder is None else "held"

    def handle(self, sender: str, event: str, data: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
        if event == "request":
            if sender == self.holder:  # the holder asks again (its grant was lost): grant again
                return [(sender, "grant", {"token": self.token})]
            free = not self.queue if self.buggy else self.holder is None  # the planted bug: "nobody waits" taken for "nobody holds"
            if free:
                self.holder = sender
                self.token += 1
                return [(sender, "grant", {"token": self.token})]
            if sender not in self.queue:
                self.queue.append(sender)
            return []
        if event == "release":
            if sender != self.holder:  # a late or stray release: ignored
                return []
            if self.queue:
                self.holder = self.queue.pop(0)
                self.token += 1
                return [(self.holder, "grant", {"token": self.token})]
            self.holder = None
        return []


class StorageServer(Service):
    """Accepts writes (a token each) and answers ``written``; a third-party service, so it keeps no log."""

    name = "storage"

    def __init__(self) -> None:
        super().__init__(None)
        self.max_token = 0
        self.writes = 0

    @property
    def state(self) -> str:
        return "up"

    def handle(self, sender: str, event: str, data: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
        if event == "write":
            self.max_token = max(self.max_token, int(data.get("token", 0)))
            self.writes += 1
            return [(sender, "written", {"ok": True})]
        return []
