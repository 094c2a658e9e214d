"""A lock client over TCP: acquire, write to the storage under the lock, release.

``acquire()`` sends the request and returns; the grant arrives on the lock connection,
and the client then writes its token to the storage; once the storage answers ``written``
the client is ``leaving`` and may ``release()``. ``run(rounds)`` does that ``rounds`` times.
"""

from __future__ import annotations

import asyncio
from typing import Any

from simulate.tracelog import TraceLog

from .server import TIMEOUT, data_of, read_message, write_message


class LockClient:
    """One client; ``state`` is ``idle``, ``waiting``, ``critical`` or ``leaving`` (the model's states)."""

    def __init__(self, name: str, lock: tuple[str, int], storage: tuple[str, int], log: TraceLog | None = None) -> None:
        self.name = name
        self.addresses = {"lock": lock, "storage": storage}
        self.log = log
        self.state = "idle"
        self.token = 0
        self.writers: dict[str, asyncio.StreamWriter] = {}
        self.tasks: list[asyncio.Task[None]] = []
        self.leaving = asyncio.Event()

    async def connect(self) -> None:
        """Open the connections to the lock and the storage and introduce ourselves."""
        for peer, (host, port) in self.addresses.items():
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), TIMEOUT)
            write_message(writer, {"type": "hello", "name": self.name})
            self.writers[peer] = writer
            self.tasks.append(asyncio.create_task(self._read(peer, reader, writer)))

    async def close(self) -> None:
        for w in self.writers.values():
            w.close()
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def _send(self, peer: str, event: str, data: dict[str, Any] | None = None) -> tuple[str, str, dict[str, Any]]:
        write_message(self.writers[peer], {"type": event, **(data or {})})
        return (peer, event, data or {})

    def _record(self, event: str, data: dict[str, Any] | None, sender: str, sent: list[tuple[str, str, dict[str, Any]]]) -> None:
        if self.log is not None:
            self.log.record(self.name, event, data, sender=sender, state=self.state, sent=sent)

    async def acquire(self) -> None:
        """Ask for the lock (returns once the request is sent; the grant comes later)."""
        if self.state != "idle":
            raise RuntimeError(f"{self.name}: acquire while {self.state}")
        self.state = "waiting"
        self.leaving.clear()
        sent = [self._send("lock", "request")]
        self._record("acquire", None, "env", sent)
        await self.writers["lock"].drain()

    async def release(self) -> None:
        """Give the lock back (after the write was acknowledged)."""
        if self.state != "leaving":
            raise RuntimeError(f"{self.name}: release while {self.state}")
        self.state = "idle"
        sent = [self._send("lock", "release")]
        self._record("release", None, "env", sent)
        await self.writers["lock"].drain()

    def handle(self, peer: str, event: str, data: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
        """A message from the lock or the storage; returns what was sent."""
        if event == "grant" and self.state == "waiting":
            self.token = int(data["token"])
            self.state = "critical"
            return [self._send("storage", "write", {"token": self.token})]
        if event == "written" and self.state == "critical":
            self.state = "leaving"
            self.leaving.set()
        return []

    async def _read(self, peer: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while (message := await read_message(reader, None)) is not None:
                if message["type"] == "ping":
                    write_message(writer, {"type": "pong"})
                    continue
                data = data_of(message)
                sent = self.handle(peer, message["type"], data)
                self._record(message["type"], data, peer, sent)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass

    async def run(self, rounds: int, hold: float) -> None:
        """Acquire, wait for the write to be acknowledged, hold for ``hold`` seconds, release; ``rounds`` times."""
        for _ in range(rounds):
            await self.acquire()
            await asyncio.wait_for(self.leaving.wait(), TIMEOUT)
            await asyncio.sleep(hold)
            await self.release()
