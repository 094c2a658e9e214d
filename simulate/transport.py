"""How the coordinator talks to its shards: in this process, in worker processes, or as Ray actors.

The search (``simulate.parallel``) only calls ``call`` (one method on every shard, in
parallel, results in shard order) and ``call_one``; a transport decides where the shards
live. Arguments and results are plain picklable values (``shard.Batch`` among them).
"""

from __future__ import annotations

import multiprocessing as mp
import multiprocessing.connection as mp_connection
import os
import pickle
import shutil
import tempfile
import traceback
from collections.abc import Sequence
from typing import Any

from .shard import Shard
from .system import ModelError, System


class WorkerError(ModelError):
    """A worker failed: its exception's type and message, and where it happened."""


class FileExchange:
    """Batches between forked workers as files (in /dev/shm where there is one): workers write and read them
    directly, so the coordinator never holds a level's successors."""

    def __init__(self, directory: str) -> None:
        self.dir = directory
        self.seq = 0

    def put(self, src: int, dest: int, batch: Any) -> str:
        self.seq += 1
        path = os.path.join(self.dir, f"{src}-{dest}-{self.seq}.pkl")
        with open(path, "wb") as f:
            pickle.dump(batch, f, protocol=pickle.HIGHEST_PROTOCOL)
        return path

    def get(self, path: str) -> Any:
        with open(path, "rb") as f:
            batch = pickle.load(f)
        os.unlink(path)
        return batch


class RayExchange:
    """Batches between Ray actors as objects in Ray's object store (the coordinator passes only references)."""

    def put(self, src: int, dest: int, batch: Any) -> Any:
        import ray

        return [ray.put(batch)]  # wrapped, so that Ray hands the reference on instead of resolving it

    def get(self, handle: Any) -> Any:
        import ray

        return ray.get(handle[0])


class Transport:
    """Shards somewhere, and a way to call their methods."""

    def call(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        raise NotImplementedError

    def call_one(self, shard: int, method: str, *args: Any) -> Any:
        raise NotImplementedError

    def call_yielding(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        """As ``call``; where shards run at once, those still running when one is done are asked to yield (work stealing,
        ``simulate.steal``). Shards called one after the other never are."""
        return self.call(method, args)

    def close(self) -> None:
        """Stop the workers (idempotent)."""


class InProcess(Transport):
    """Every shard in this process, called one after the other: one worker, or tests."""

    def __init__(self, system: System, shards: int, symmetry: bool = False) -> None:
        self.shards = [Shard(system, k, shards, symmetry) for k in range(shards)]

    def call(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        return [getattr(s, method)(*a) for s, a in zip(self.shards, args)]

    def call_one(self, shard: int, method: str, *args: Any) -> Any:
        return getattr(self.shards[shard], method)(*args)


_SYSTEM: System | None = None  # handed to forked workers without pickling (charts may hold lambdas)


def _serve(conn: Any, shard: int, shards: int, symmetry: bool, directory: str, flags: Any) -> None:
    """A worker process: build the shard, then answer (method, args) requests until told to stop."""
    assert _SYSTEM is not None
    try:
        target: Any = Shard(_SYSTEM, shard, shards, symmetry)
        target.exchange = FileExchange(directory)
        target.yield_flag = flags
        conn.send(("ok", None))
    except BaseException as e:
        conn.send(("error", f"{type(e).__name__}: {e}"))
        return
    while True:
        try:
            msg = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if msg is None:
            return
        method, args = msg
        try:
            conn.send(("ok", getattr(target, method)(*args)))
        except KeyboardInterrupt:
            return
        except BaseException as e:
            conn.send(("error", f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=4)}"))


class Processes(Transport):
    """One forked process per shard on this machine, talking over pipes."""

    def __init__(self, system: System, shards: int, symmetry: bool = False) -> None:
        global _SYSTEM
        if "fork" not in mp.get_all_start_methods():
            raise ModelError("workers > 1 needs the 'fork' start method (Linux, macOS): explore with workers=1 here")
        ctx = mp.get_context("fork")
        _SYSTEM = system
        shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        self.dir = tempfile.mkdtemp(prefix="statecharts-batches-", dir=shm)
        self.conns = []
        self.procs = []
        self.flags = ctx.RawArray("b", shards)  # shared: flags[k] asks shard k to yield (see call_yielding)
        try:
            for k in range(shards):
                parent, child = ctx.Pipe()
                p = ctx.Process(
                    target=_serve, args=(child, k, shards, symmetry, self.dir, self.flags), daemon=True, name=f"statecharts-shard-{k}"
                )
                p.start()
                child.close()
                self.conns.append(parent)
                self.procs.append(p)
        finally:
            _SYSTEM = None
        for c in self.conns:
            self._answer(c)

    def _answer(self, conn: Any) -> Any:
        try:
            status, value = conn.recv()
        except EOFError:
            raise WorkerError("a worker process died (out of memory, or killed): explore with fewer workers or limits") from None
        if status == "error":
            raise WorkerError(f"a worker failed: {value}")
        return value

    def call(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        for c, a in zip(self.conns, args):
            c.send((method, a))
        return [self._answer(c) for c in self.conns]

    def call_one(self, shard: int, method: str, *args: Any) -> Any:
        self.conns[shard].send((method, args))
        return self._answer(self.conns[shard])

    def call_yielding(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        for c, a in zip(self.conns, args):
            c.send((method, a))
        out: list[Any] = [None] * len(self.conns)
        pending = {c: k for k, c in enumerate(self.conns)}
        asked = False
        try:
            while pending:
                for ready in mp_connection.wait(list(pending)):
                    out[pending.pop(ready)] = self._answer(ready)  # type: ignore[call-overload]
                if pending and not asked:  # one is idle: ask the others to share what they have left
                    asked = True
                    for k in pending.values():
                        self.flags[k] = 1
        finally:
            for k in range(len(self.conns)):
                self.flags[k] = 0
        return out

    def close(self) -> None:
        for c in self.conns:
            try:
                c.send(None)
                c.close()
            except (OSError, BrokenPipeError):
                pass
        for p in self.procs:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
        self.conns, self.procs = [], []
        shutil.rmtree(self.dir, ignore_errors=True)


class RayActors(Transport):
    """Shards as Ray actors: a local Ray instance, or a cluster at ``address``."""

    def __init__(self, system: System, shards: int, symmetry: bool = False, address: str | None = None) -> None:
        try:
            import ray
        except ImportError:
            raise ModelError('engine="ray" needs Ray: pip install "statecharts[ray]"') from None
        self.ray = ray
        self.started = False
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
            if address:
                kwargs["address"] = address
            else:
                kwargs["num_cpus"] = max(shards, os.cpu_count() or 1)
            try:
                ray.init(**kwargs)
            except Exception as e:
                where = f"the Ray cluster at {address}" if address else "a local Ray instance"
                raise WorkerError(f"could not start {where}: {e}") from None
            self.started = True
        remote_shard = ray.remote(num_cpus=1)(_RayShard).options(max_concurrency=2)  # a second thread takes ``ask_yield``
        self.actors: list[Any] = [remote_shard.remote(system, k, shards, symmetry) for k in range(shards)]

    def _get(self, refs: Any) -> Any:
        try:
            return self.ray.get(refs)
        except self.ray.exceptions.RayError as e:
            raise WorkerError(f"a Ray worker failed: {e}") from None

    def call(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        return list(self._get([getattr(a, method).remote(*x) for a, x in zip(self.actors, args)]))

    def call_one(self, shard: int, method: str, *args: Any) -> Any:
        return self._get(getattr(self.actors[shard], method).remote(*args))

    def call_yielding(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        refs = [getattr(a, method).remote(*x) for a, x in zip(self.actors, args)]
        try:
            _, pending = self.ray.wait(refs, num_returns=1)
        except self.ray.exceptions.RayError as e:
            raise WorkerError(f"a Ray worker failed: {e}") from None
        asks = [self.actors[refs.index(r)].ask_yield.remote() for r in pending]
        out = list(self._get(refs))
        self._get(asks)  # every request has landed before the next level clears the flags
        return out

    def close(self) -> None:
        for a in getattr(self, "actors", []):
            self.ray.kill(a)
        self.actors = []
        if self.started:
            self.ray.shutdown()
            self.started = False


class _RayShard(Shard):
    """A shard that exchanges batches through Ray's object store."""

    def __init__(self, system: System, shard: int, shards: int, symmetry: bool = False) -> None:
        super().__init__(system, shard, shards, symmetry)
        self.exchange = RayExchange()
        self.yield_flag = bytearray(shards)

    def ask_yield(self) -> None:
        """Runs beside ``expand`` (the actor's second thread): ask it to share the rest of its level."""
        self.yield_flag[self.shard] = 1

    def expand(self, base: int, deadline: float | None, expand: bool) -> dict[str, Any]:
        self.yield_flag[self.shard] = 0  # a request that came after the last level ended
        return super().expand(base, deadline, expand)


def make_transport(engine: str, system: System, workers: int, symmetry: bool = False, address: str | None = None) -> Transport:
    """The transport for an engine name: ``"processes"`` (the default for workers > 1), ``"inprocess"``, ``"ray"``."""
    if engine == "ray":
        return RayActors(system, workers, symmetry, address)
    if engine == "inprocess" or workers == 1:
        return InProcess(system, workers, symmetry)
    if engine in ("processes", "local", "multiprocessing"):
        return Processes(system, workers, symmetry)
    raise ModelError(f"engine {engine!r}: use 'processes' (this machine) or 'ray' (a Ray cluster)")
