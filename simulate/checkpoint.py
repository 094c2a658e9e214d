"""Checkpoints, the actor system's side: its values as tagged JSON and its signature.

The explorer writes and reads the file (``simulate.explorer.checkpoints``: fingerprints, parent
links, the frontier, the verdicts found so far); the compiled system gives its interning tables
and states as tagged values (tuples, sets, maps, events, chart states), so that a checkpoint is
data and reading one never runs code, and a signature of the system (its actors, charts,
environment, faults and properties), so that a checkpoint is never resumed against a different
model. The file format's names stay importable from here.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from statecharts.chart import Transition
from statecharts.engine import ChartState
from statecharts.errors import StatechartError
from statecharts.values import Event, FrozenMap

from .explorer.checkpoints import FORMAT, CheckpointError, check_consistent, load, pack, save, unpack
from .fingerprint import Unfingerprintable, fingerprint
from .properties import predicates, system_node
from .system import System


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


__all__ = ["FORMAT", "CheckpointError", "check_consistent", "decode", "encode", "load", "pack", "save", "signature", "unpack"]
