"""Checkpoints of a breadth-first exploration: written while it runs and when it stops early, read to resume.

A checkpoint holds what the explorer keeps (fingerprints, parent links, the frontier, the
verdicts found so far) and the model's interning tables (the local states and messages the
stored states refer to by number). It is gzip-compressed JSON whose values are tagged
(tuples, sets, maps, events, chart states): a checkpoint is data, and reading one never runs
code. A signature of the system (its actors, charts, environment, faults and properties)
is stored with it, so a checkpoint is never resumed against a different model.
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import hashlib
import json
import os
from array import array
from pathlib import Path
from typing import Any

from statecharts.actions import describe
from statecharts.engine import ChartState
from statecharts.expr import to_source
from statecharts.values import Event, FrozenMap, freeze

from .system import System

FORMAT = "statecharts.checkpoint/1"


class CheckpointError(Exception):
    """A checkpoint cannot be written or read (names the file and the reason)."""


def encode(v: Any) -> Any:
    """A JSON-ready form of a state value (tagged where JSON has no such type)."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, Event):
        return {"e": [v.name, encode(v.data), v.origin]}
    if isinstance(v, ChartState):
        return {"c": [v.config, encode(v.context), list(v.history)]}
    if isinstance(v, tuple):
        return {"t": [encode(x) for x in v]}
    if isinstance(v, frozenset):  # sorted, so that the same value always gives the same text
        return {"s": sorted((encode(x) for x in v), key=_text)}
    if isinstance(v, FrozenMap):
        return {"m": sorted(([encode(k), encode(x)] for k, x in v.items()), key=_text)}
    raise CheckpointError(f"a value of type {type(v).__name__} ({v!r:.60}) cannot be written to a checkpoint")


def _text(v: Any) -> str:
    return json.dumps(v, sort_keys=True)


def decode(v: Any) -> Any:
    """The value :func:`encode` made JSON of."""
    if not isinstance(v, dict):
        if isinstance(v, list):
            raise CheckpointError("malformed value: an untagged list")
        return v
    if len(v) != 1:
        raise CheckpointError(f"malformed value: {sorted(v)!r}")
    (tag, body), = v.items()
    if tag == "t":
        return tuple(decode(x) for x in body)
    if tag == "s":
        return frozenset(decode(x) for x in body)
    if tag == "m":
        return FrozenMap({decode(k): decode(x) for k, x in body})
    if tag == "e":
        name, data, origin = body
        return Event(name, decode(data), origin)
    if tag == "c":
        config, context, history = body
        return ChartState(config, decode(context), tuple(history))
    raise CheckpointError(f"malformed value: unknown tag {tag!r}")


def pack(a: array[int]) -> str:
    """An array of integers as text (its typecode, then base64 of its bytes)."""
    return a.typecode + base64.b64encode(a.tobytes()).decode("ascii")


def unpack(text: str) -> array[int]:
    a = array(text[0])
    a.frombytes(base64.b64decode(text[1:]))
    return a


def signature(system: System, initial: Any) -> str:
    """A digest of what determines the state space and the verdicts (``initial``: the encoded initial local
    states, which carry the initial contexts): a checkpoint only resumes the same model."""
    parts: list[str] = [system.name, str(system.network), _canon(system.faults), str(system.check_deadlock), str(system.symmetry)]
    parts.append(json.dumps(initial, sort_keys=True))
    for a in system.actors:
        ch = a.chart
        parts.append(f"actor {a.name} count={a.count} chart={ch.name} end={list(a.end_states)} durable={list(a.durable)} crash={a.crash}")
        for st in ch.states.values():
            parts.append(f"state {st.id} {st.kind} entry={[describe(x, short=False) for x in st.entry]} exit={[describe(x, short=False) for x in st.exit]}")
        for t in ch.transitions:
            guard = to_source(t.guard) if t.guard is not None else ""
            parts.append(f"transition {t.describe()} [{guard}] / {[describe(x, short=False) for x in t.actions]}")
        parts.extend(f"field {k}={_canon(v)}" for k, v in ch.context.items())
    for stim in system.stimuli:
        parts.append(f"stimulus {stim.target} {stim.event} max={stim.max} fair={stim.fair} {[_canon(freeze(d)) for d in stim.alternatives()]}")
    parts.extend(f"property {type(p).__name__} {p.name}" for p in system.properties)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _canon(v: Any) -> str:
    """Text of a value that does not depend on Python's per-process string hashing (set order)."""
    try:
        return _text(encode(v))
    except CheckpointError:
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return _canon(freeze({f.name: getattr(v, f.name) for f in dataclasses.fields(v)}))
        return repr(v)


def save(path: str | Path, data: dict[str, Any]) -> None:
    """Write a checkpoint atomically (a crash while writing leaves the previous one intact)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=1) as f:
            json.dump({"format": FORMAT, **data}, f)
        os.replace(tmp, path)
    except OSError as e:
        raise CheckpointError(f"cannot write checkpoint {path}: {e.strerror or e}") from None


def load(path: str | Path, system: System, expected_signature: str) -> dict[str, Any]:
    """Read a checkpoint written for ``system`` (whose :func:`signature` is ``expected_signature``)."""
    path = Path(path)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise CheckpointError(f"no checkpoint at {path}") from None
    except (OSError, EOFError, ValueError) as e:
        raise CheckpointError(f"{path} is not a checkpoint (or it is damaged): {e}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a checkpoint of this version ({FORMAT})")
    if data.get("signature") != expected_signature:
        raise CheckpointError(
            f"{path} was written for another model (system {data.get('system')!r}); "
            f"the system {system.name!r} has changed since, or is another one: explore it afresh"
        )
    return data
