"""Reading explorer states as TLA+ values: what a TLC trace is compared with when it is replayed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from statecharts.values import canonical_key

from .spec import NO_VALUE, TlaSpec


def norm(v: Any, mv: dict[str, str], none: str = NO_VALUE) -> Any:
    """A Python value of a chart as the normalized form of its TLA+ rendering (see exporters.tlc)."""
    if isinstance(v, bool):
        return ("B", v)
    if isinstance(v, int):
        return ("I", v)
    if isinstance(v, str):
        return ("M", mv[v]) if v in mv else ("S", v)
    if v is None:
        return ("M", none)
    if isinstance(v, tuple):
        return fn_norm([(("I", k + 1), norm(x, mv, none)) for k, x in enumerate(v)])
    if isinstance(v, frozenset):
        return set_norm(norm(x, mv, none) for x in v)
    if isinstance(v, dict):
        return fn_norm([(norm(k, mv, none), norm(x, mv, none)) for k, x in v.items()])
    raise TypeError(f"no TLA+ form for {v!r}")


def fn_norm(pairs: Iterable[tuple[Any, Any]]) -> Any:
    """The normalized form of a function (records, sequences and functions alike), its pairs in the canonical value order."""
    return ("F", tuple(sorted(pairs, key=canonical_key)))


def set_norm(items: Iterable[Any]) -> Any:
    """The normalized form of a set, its elements in the canonical value order."""
    return ("Set", tuple(sorted(set(items), key=canonical_key)))


def state_values(spec: TlaSpec, model: Any, state: Any) -> dict[str, Any]:
    """The TLA+ variables of an explorer state (normalized), to match TLC's states against ours."""
    mv = dict(spec.instance_values)
    none = spec.none_value
    names = model.names
    out: dict[str, Any] = {}
    groups = {a.name: model.groups[a.name] for a in model.system.actors}
    multi = {a.name: a.count is not None for a in model.system.actors}

    def per_group(gname: str, f: Any) -> Any:
        idx = groups[gname]
        if not multi[gname]:
            return f(idx[0])
        return fn_norm([(("M", mv[names[i]]), f(i)) for i in idx])

    def ev_norm(ev: Any) -> list[tuple[Any, Any]]:
        return [(("S", "name"), ("S", ev.name)), (("S", "data"), norm(ev.data, mv, none)), (("S", "from"), norm(ev.origin, mv, none))]

    def msg_norm(m: int) -> Any:
        dest, ev = model.msg_values[m]
        return fn_norm([(("S", "to"), ("M", mv[names[dest]])), *ev_norm(ev)])

    for v in spec.variables:
        if v.kind == "state":
            assert v.group is not None
            if v.leaf_set:
                out[v.name] = per_group(v.group, lambda i: set_norm(("S", x) for x in model.charts[i].leaves(model.chart_state(state, i))))
            else:
                out[v.name] = per_group(v.group, lambda i: ("S", model.charts[i].leaves(model.chart_state(state, i))[0]))
        elif v.kind == "field":
            assert v.group is not None and v.field is not None
            out[v.name] = per_group(v.group, lambda i, f=v.field: norm(model.field(state, i, f), mv, none))
        elif v.kind == "timers":
            assert v.group is not None
            out[v.name] = per_group(
                v.group,
                lambda i: set_norm(fn_norm([(("S", "id"), norm(sid, mv, none)), (("S", "ev"), fn_norm(ev_norm(ev)))]) for sid, ev in model.timers(state, i)),
            )
        elif v.kind == "budget":
            b = state[2]
            if v.instances and v.group is not None and multi[v.group]:
                out[v.name] = fn_norm([(("M", mv[names[i]]), ("I", b[s])) for s, i in zip(v.slots, v.instances)])
            else:
                out[v.name] = ("I", b[v.slots[0]])
        elif v.kind == "net":
            ids = model.message_ids(state)
            if spec.network == "unordered-duplicating":
                out["net"] = set_norm(msg_norm(m) for m in ids)
            elif spec.network == "unordered":
                counts: dict[int, int] = {}
                for m in ids:
                    counts[m] = counts.get(m, 0) + 1
                out["net"] = fn_norm([(msg_norm(m), ("I", c)) for m, c in counts.items()])
            else:
                chans = dict(state[1])  # fifo: sorted ((sender, receiver), message ids) channels
                pairs = []
                for s_ in range(model.n):
                    for d_ in range(model.n):
                        msgs = chans.get((s_, d_), ())
                        key = fn_norm([(("I", 1), ("M", mv[names[s_]])), (("I", 2), ("M", mv[names[d_]]))])
                        pairs.append((key, fn_norm([(("I", k + 1), msg_norm(m)) for k, m in enumerate(msgs)])))
                out["net"] = fn_norm(pairs)
    return out
