"""What a chart may send, read from its definition, for partial-order reduction (``simulate.por``): whom each
instance may ever send to (replies included), and which sends remain possible from a configuration when some events
may arrive."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from statecharts.actions import SELF, SENDER
from statecharts.chart import match_descriptor

from .model import Model
from .system import _sends


def send_targets(model: Model, snd: Any) -> tuple[set[int], bool]:
    """The instances one send action may reach (None-free), and whether it is a reply; self-sends are left out."""
    t = snd.target
    n = model.n
    if isinstance(t, str) and t == SELF:
        return set(), False
    if isinstance(t, str) and t == SENDER:
        return set(), True
    if isinstance(t, str):
        base = t.split("[", 1)[0]
        if "[" in t and snd.index is None and t in model.index_of:
            return {model.index_of[t]}, False
        if base in model.groups:
            return set(model.groups[base]), False
    return set(range(n)), False


def _actions_sends(actions: Iterable[Any]) -> list[Any]:
    from statecharts.actions import Send, sub_actions

    out: list[Any] = []
    for a in actions:
        if isinstance(a, Send):
            out.append(a)
        out.extend(_actions_sends(sub_actions(a)))
    return out


def _raised(actions: Iterable[Any]) -> set[str]:
    from statecharts.actions import Raise, sub_actions

    out: set[str] = set()
    for a in actions:
        if isinstance(a, Raise):
            out.add(a.event)
        out |= _raised(sub_actions(a))
    return out


class ChartSends:
    """Which sends a chart can still perform from a configuration: those of the states reachable from it in the
    chart's transition graph (guards and events ignored, so an over-approximation)."""

    def __init__(self, chart: Any) -> None:
        eng = chart.engine
        nodes = list(chart.root.iter())
        self.n = len(nodes)
        self.desc = eng.desc_mask
        self.anc = [sum(1 << a for a in eng.ancestors[k]) for k in range(self.n)]
        self.state_sends: list[list[Any]] = []
        for node in nodes:
            acts = list(_actions_sends(node.entry)) + list(_actions_sends(node.exit))
            if node.initial is not None:
                acts += _actions_sends(node.initial.actions)
            default = getattr(node, "default", None)
            if default is not None and getattr(default, "actions", None):
                acts += _actions_sends(default.actions)
            self.state_sends.append(acts)
        self.moves: list[tuple[int, int, list[Any]]] = []  # (source bit, mask entered, sends)
        self.triggers: list[tuple[str, ...]] = []  # per move, its event descriptors (none: eventless)
        self.internal: set[str] = set()  # events the chart raises for itself within a macrostep
        for node in nodes:
            self.internal.update(_raised([*node.entry, *node.exit, *(node.initial.actions if node.initial is not None else ())]))
        for t in chart.transitions:
            self.internal.update(_raised(t.actions))
        for t in chart.transitions:
            if t.source is None:
                continue
            entered = 0
            for tid in t.targets:
                k = eng.index[tid]
                entered |= (1 << k) | self.desc[k] | self.anc[k]
                parent = eng.parent[k]
                if nodes[k].kind == "history" and parent >= 0:
                    entered |= self.desc[parent]
            self.moves.append((1 << t.source.index, entered, _actions_sends(t.actions)))
            self.triggers.append(tuple(t.events))
        self.on_cache: dict[tuple[int, frozenset[str]], list[Any]] = {}
        self.fires_cache: dict[tuple[str, ...], dict[frozenset[str], bool]] = {}

    def _fires(self, k: int, names: frozenset[str]) -> bool:
        """Whether move ``k`` may be taken when the events ``names`` (and the chart's internal ones) may arrive."""
        descriptors = self.triggers[k]
        if not descriptors:
            return True  # eventless
        per = self.fires_cache.setdefault(descriptors, {})
        hit = per.get(names)
        if hit is None:
            hit = per[names] = any(
                d == "*" or d.split(".", 1)[0] in ("done", "error") or any(match_descriptor(d, e) for e in names) or any(match_descriptor(d, e) for e in self.internal)
                for d in descriptors
            )
        return hit

    def sends_on(self, config: int, names: frozenset[str]) -> list[Any]:
        """The sends of the states reachable from ``config`` along moves whose events may arrive (``names``), the
        eventless ones and those on internal events (raised, ``done.*``, ``error.*``)."""
        key = (config, names)
        hit = self.on_cache.get(key)
        if hit is None:
            live = [k for k in range(len(self.moves)) if config == -1 or self._fires(k, names)]
            reach = config
            changed = True
            while changed:
                changed = False
                for k in live:
                    src, entered, _ = self.moves[k]
                    if reach & src and entered & ~reach:
                        reach |= entered
                        changed = True
            hit = [snd for k in live if reach & self.moves[k][0] for snd in self.moves[k][2]]
            hit += [snd for k in range(self.n) if reach >> k & 1 for snd in self.state_sends[k]]
            if len(self.on_cache) < 200_000:
                self.on_cache[key] = hit
        return hit


def static_sends(model: Model) -> list[tuple[frozenset[int], bool]]:
    """For each instance, whom its chart sends to by name (self left out), and whether it replies."""
    n = model.n
    per_chart: dict[int, tuple[frozenset[int], bool]] = {}
    out: list[tuple[frozenset[int], bool]] = []
    for i in range(n):
        chart = model.charts[i]
        key = id(chart)
        if key not in per_chart:
            targets: set[int] = set()
            reply = False
            for _, snd in _sends(chart):
                t, r = send_targets(model, snd)
                targets |= t
                reply = reply or r
            per_chart[key] = (frozenset(targets), reply)
        targets_i, reply_i = per_chart[key]
        out.append((targets_i - {i}, reply_i))
    return out


def may_send(model: Model) -> list[frozenset[int]]:
    """For each instance, the instances it may ever send a message to (over-approximated from its chart).

    A reply (``SENDER``) goes to an instance that may send to it: the least fixed point of that rule
    contains every reply of every run. A target computed by an expression may be anyone.
    """
    n = model.n
    static = static_sends(model)
    out = [set(named) | {i} for i, (named, _) in enumerate(static)]
    changed = True
    while changed:
        changed = False
        for j in range(n):
            if not static[j][1]:
                continue
            for x in range(n):
                if j in out[x] and x not in out[j]:
                    out[j].add(x)
                    changed = True
    return [frozenset(s) for s in out]
