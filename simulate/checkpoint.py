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
import gzip
import hashlib
import json
import os
from array import array
from pathlib import Path
from typing import Any

from statecharts.chart import Transition
from statecharts.engine import ChartState
from statecharts.errors import StatechartError
from statecharts.values import Event, FrozenMap

from .fingerprint import Unfingerprintable, fingerprint
from .properties import predicates, system_node
from .system import ModelError, System

FORMAT = "statecharts.checkpoint/1"


class CheckpointError(ModelError):
    """A checkpoint cannot be written, read or resumed (names the file and the reason)."""


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


def signature(system: System, initial: Any) -> tuple[str, str | None]:
    """A digest of everything that determines the state space and the verdicts (``initial``: the encoded initial
    local states, which carry the initial contexts), and None; or ("", why) when some part of the model cannot be
    fingerprinted (then a checkpoint of it cannot be resumed safely)."""
    parts: list[str] = [system.name, str(system.network), str(system.check_deadlock), str(system.symmetry)]
    try:
        parts.append("faults " + fingerprint(system.faults, "the fault budgets"))
        parts.append(json.dumps(initial, sort_keys=True))
        for a in system.actors:
            where = f"actor {a.name!r}"
            ch = a.chart
            parts.append(f"actor {a.name} count={a.count} chart={ch.name} end={list(a.end_states)} durable={list(a.durable)} crash={a.crash}")
            parts.append(f"on_error={fingerprint(getattr(ch, 'on_error', None), where)}")
            for st in ch.states.values():
                parts.append(f"state {st.path or st.id} {st.kind} parent={st.parent.id if st.parent is not None else None}")
                for attr in ("entry", "exit", "done_data", "illegal", "deep", "default_spec"):
                    if hasattr(st, attr):
                        v = getattr(st, attr)
                        text = _transition(v, where) if isinstance(v, Transition) else fingerprint(v, f"{where}, state {st.id!r}")
                        parts.append(f"  {attr}={text}")
                if st.initial is not None:
                    parts.append(f"  initial={_transition(st.initial, where)}")
            parts.extend(_transition(t, where) for t in ch.transitions)
            parts.extend(f"field {k}={fingerprint(v, f'{where}, field {k!r}')}" for k, v in ch.context.items())
        for stim in system.stimuli:
            parts.append(f"stimulus {stim.target} {stim.event} max={stim.max} fair={stim.fair} {fingerprint(stim.alternatives(), 'a stimulus')}")
        for p in system.properties:
            where = f"property {p.name!r}"
            parts.append(f"property {type(p).__name__} {p.name} " + " ".join(fingerprint(_node(x, where), where) for x in predicates(p)))
        if system.constraint is not None:
            parts.append("constraint " + fingerprint(_node(system.constraint, "the constraint"), "the constraint"))
    except Unfingerprintable as e:
        return "", str(e)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest(), None


def _transition(t: Any, where: str) -> str:
    where = f"{where}, transition {t.describe()}"
    guard = fingerprint(t.guard, where)
    return f"transition {t.describe()} internal={t.internal} targets={list(t.targets)} [{guard}] / {fingerprint(t.actions, where)}"


def _node(spec: Any, where: str) -> Any:
    """A predicate spec as its expression tree (so a builder and its string form sign alike)."""
    try:
        return system_node(spec, where)
    except StatechartError:
        return spec


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


def load(path: str | Path, system: System, expected: tuple[str, str | None]) -> dict[str, Any]:
    """Read a checkpoint written for ``system`` (whose :func:`signature` is ``expected``)."""
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
    digest, why = expected
    why = why or data.get("unsigned")
    if why:
        raise CheckpointError(
            f"{path} cannot be resumed safely: {why}, so a changed model could not be told apart; "
            "explore it afresh (or give that part as plain data or an expression)"
        )
    if data.get("signature") != digest:
        raise CheckpointError(
            f"{path} was written for another model (system {data.get('system')!r}); "
            f"the system {system.name!r} has changed since, or is another one: explore it afresh"
        )
    return data


def check_consistent(path: Path, parts: dict[str, Any], initial_states: int, properties: set[str]) -> None:
    """Refuse a checkpoint whose parts do not fit together (a hand-edited or truncated file that still unzips)."""
    parents, ordinals, seen = parts["parents"], parts["ordinals"], parts["seen"]
    n = len(parents)

    def bad(what: str) -> CheckpointError:
        return CheckpointError(f"{path} is inconsistent: {what}; it cannot be resumed (explore afresh)")

    if len(ordinals) != n:
        raise bad(f"{n} parent links but {len(ordinals)} step positions")
    if len(seen) != n:
        raise bad(f"{n} states but {len(seen)} fingerprints")
    for i, (p, o) in enumerate(zip(parents, ordinals)):
        if not -1 <= p < i or o < 0 or (p == -1 and o >= initial_states):
            raise bad(f"the parent link of state {i} ({p}, step {o}) is out of range")
    for states, index, which in ((parts["current"], parts["current_index"], "current"), (parts["next"], parts["next_index"], "next")):
        if len(states) != len(index):
            raise bad(f"the {which} frontier has {len(states)} states but {len(index)} indices")
        for k in index:
            if not 0 <= k < n:
                raise bad(f"the {which} frontier names state {k}, of {n}")
    for name, k in parts["found"].items():
        if name not in properties or not 0 <= k < n:
            raise bad(f"the verdict of {name!r} points at state {k}, of {n}, or is not a property of the system")
    for _, k, _, name in parts["errors"]:
        if not isinstance(k, int) or not 0 <= k < n:
            raise bad(f"an error ({name!r}) points at state {k}, of {n}")
    deadlock = parts["deadlock"]
    if deadlock is not None and (not isinstance(deadlock, int) or not 0 <= deadlock < n):
        raise bad(f"the deadlock points at state {deadlock}, of {n}")
    if parts["depth"] < 0 or parts["states_generated"] < 0 or parts["max_depth"] < 0:
        raise bad("a negative depth or count")
