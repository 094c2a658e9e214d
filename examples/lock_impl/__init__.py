"""The distributed lock of examples/distributed_lock.py, implemented for real: asyncio over TCP.

``server.LockServer`` (with ``buggy=True``: a planted bug), ``server.StorageServer`` and
``client.LockClient`` talk JSON lines over TCP on 127.0.0.1 (ephemeral ports).
``adapter.LockAdapter`` lets tests generated from the model drive them, and
``run.record`` logs a free run for ``statecharts conform``. See tests/test_lock_impl.py.
"""

from examples.distributed_lock import build

MODEL = build("queue")
"""The model this implementation follows: the ``queue`` variant, two clients, two rounds each."""

__all__ = ["MODEL"]
