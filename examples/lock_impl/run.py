"""A real run of the lock implementation (no test in the middle), recorded as a trace log.

    python -m examples.lock_impl.run run.jsonl            # the correct server
    python -m examples.lock_impl.run run.jsonl --buggy    # the planted bug
    statecharts conform examples/distributed_lock.py run.jsonl --max-gap 2

The lock server and the clients log every event they handle (simulate.tracelog); the
storage is a third-party service and logs nothing, so each of its steps is an unlogged
step between entries (hence ``--max-gap 2``: two clients may both have a write pending).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from simulate.tracelog import TraceLog

from .client import LockClient
from .server import LockServer, StorageServer

RUN_TIMEOUT = 10.0


async def _run(log: TraceLog, buggy: bool, clients: int, rounds: int, hold: float) -> None:
    lock = LockServer(buggy=buggy, log=log)
    storage = StorageServer()
    lock_addr, storage_addr = await lock.start(), await storage.start()
    workers = [LockClient(f"client[{i}]", lock_addr, storage_addr, log=log) for i in range(clients)]
    try:
        for w in workers:
            await w.connect()
        await asyncio.gather(*(w.run(rounds, hold) for w in workers))
    finally:
        for w in workers:
            await w.close()
        await lock.stop()
        await storage.stop()


def record(path: str, *, buggy: bool = False, clients: int = 2, rounds: int = 2, hold: float = 0.05) -> None:
    """Run the servers and ``clients`` clients (``rounds`` each, all starting at once) and log to ``path``."""
    with TraceLog(path) as log:
        asyncio.run(asyncio.wait_for(_run(log, buggy, clients, rounds, hold), RUN_TIMEOUT))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m examples.lock_impl.run", description=__doc__.split("\n\n")[0])
    p.add_argument("log", help="where to write the JSON-lines trace log")
    p.add_argument("--buggy", action="store_true", help="run the lock server with the planted bug")
    p.add_argument("--clients", type=int, default=2)
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args(argv)
    record(args.log, buggy=args.buggy, clients=args.clients, rounds=args.rounds)
    print(f"wrote {args.log}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
