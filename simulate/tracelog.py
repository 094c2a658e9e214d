"""Write the log ``statecharts conform`` checks: one JSON object per line (see docs/conform.md).

This module depends on nothing but ``json``: copy it into a service that should not depend
on statecharts. Call :meth:`TraceLog.record` once per event an actor handled, after it
handled it, in the order the events were handled::

    log = TraceLog("run.jsonl")
    log.record("lock", "request", sender="client[0]", state="held",
               sent=[("client[0]", "grant", {"token": 1})])
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from typing import IO, Any

__all__ = ["TraceLog"]


class TraceLog:
    """Appends entries to a JSON-lines file (or an open text stream); thread-safe, flushed per entry."""

    def __init__(self, target: str | IO[str]) -> None:
        self._own = isinstance(target, str)
        self._out: IO[str] = open(target, "w", encoding="utf-8") if isinstance(target, str) else target  # closed by close()
        self._lock = threading.Lock()

    def record(
        self,
        actor: str,
        event: str,
        data: Mapping[str, Any] | None = None,
        *,
        sender: str | None = None,
        kind: str | None = None,
        state: str | Iterable[str] | None = None,
        context: Mapping[str, Any] | None = None,
        sent: Iterable[tuple[str, str, Mapping[str, Any] | None]] | None = None,
    ) -> None:
        """One entry: ``actor`` handled ``event`` (with ``data``, from ``sender``; ``"env"`` for a stimulus).

        Optionally what was true right after: its ``state`` (a state id, or several),
        ``context`` field values, and the messages it ``sent`` as (receiver, event, data).
        """
        entry: dict[str, Any] = {"actor": actor, "event": event}
        if kind is not None:
            entry["kind"] = kind
        if sender is not None:
            entry["from"] = sender
        if data is not None:
            entry["data"] = dict(data)
        if state is not None:
            entry["state"] = state if isinstance(state, str) else list(state)
        if context is not None:
            entry["context"] = dict(context)
        if sent is not None:
            entry["sent"] = [{"to": to, "event": ev, **({"data": dict(d)} if d else {})} for to, ev, d in sent]
        line = json.dumps(entry, sort_keys=False, default=_jsonable)
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()

    def close(self) -> None:
        """Close the file (a stream passed in is left open)."""
        if self._own:
            self._out.close()

    def __enter__(self) -> TraceLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _jsonable(value: Any) -> Any:
    """Sets and tuples as lists (the checker reads lists back as the model's tuples)."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} {value!r} to the trace log: use JSON values")
