"""Transition selection, one algorithm for every caller: candidates per (configuration, event name), guards, conflicts removed (W3C)."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import ExecutionError
from ..values import Event, FrozenMap

if TYPE_CHECKING:
    pass


from .values import _T, HISTORY, _Part, _Plan

Candidates = tuple[tuple[_T, ...], ...]
"""Per active atomic state (document order), the transitions that may react, in priority order."""


class _Fixed(NamedTuple):
    """A reaction whose selection evaluates no guard: the one transition it takes and that
    transition's quiet plan (the configuration changes, nothing else), or nothing at all."""

    transition: _T | None
    """None: nothing reacts, the state stays as it is."""
    plan: _Plan | None
    taken: tuple[int, ...]


_UNCHANGED = _Fixed(None, None, ())


class _Selection(_Part):
    """Transition selection: candidates per configuration and event, the optimal enabled set, conflicts removed (W3C)."""

    def _candidates_for(self, cfg: int, name: str | None) -> Candidates:
        key = (cfg, name)
        cands = self._candidates.get(key)
        if cands is not None:
            return cands
        from ..chart import match_descriptor

        out = []
        atoms = 0 if cfg & self.top_final_mask else cfg & self.atomic_mask  # a finished chart reacts to nothing
        i = 0
        while atoms:
            if atoms & 1:
                lst: list[_T] = []
                for s in (i, *self.ancestors[i]):
                    for t in self.by_state[s]:
                        if name is None:
                            if not t.events:
                                lst.append(t)
                        elif t.events and any(match_descriptor(d, name) for d in t.events):
                            lst.append(t)
                if lst:
                    out.append(tuple(lst))
            atoms >>= 1
            i += 1
        cands = tuple(out)
        if len(self._candidates) < 200_000:
            self._candidates[key] = cands
        return cands

    def _select(
        self, cfg: int, hist: Sequence[int], ctx: Sequence[Any], ev: Event, name: str | None, bound: dict[str, Any], errors: deque[Event] | None
    ) -> tuple[_T, ...]:
        """The enabled transitions for event ``name`` (None: eventless) in ``cfg``; see ``_enabled``."""
        cands = self._candidates.get((cfg, name))
        if cands is None:
            cands = self._candidates_for(cfg, name)
        return self._enabled(cands, cfg, hist, ctx, ev, bound, errors) if cands else ()

    def _enabled(
        self, cands: Candidates, cfg: int, hist: Sequence[int], ctx: Sequence[Any], ev: Event, bound: dict[str, Any], errors: deque[Event] | None
    ) -> tuple[_T, ...]:
        """The one transition selection (W3C selectTransitions and selectEventlessTransitions).

        ``cands`` holds, per active atomic state in document order, its candidates (its own,
        then its ancestors', in document order; ``_candidates_for``). Each state takes the first
        whose guard holds; a transition reached from two states counts once; conflicts are then
        removed. A guard that fails raises ExecutionError, or with ``errors`` (charts with
        ``on_error="event"``) queues ``error.execution`` there and counts as false.
        """
        if len(cands) == 1:  # one state reacts: its first enabled candidate, no conflict possible
            for t in cands[0]:
                g = t.guard
                if g is not None:
                    try:
                        if not g(ctx, ev, cfg, bound):
                            continue
                    except Exception as e:
                        self._guard_failed(t, cfg, e, errors)
                        continue
                return t.alone
            return ()
        enabled: list[_T] = []
        for lst in cands:
            for t in lst:
                g = t.guard
                if g is not None:
                    try:
                        if not g(ctx, ev, cfg, bound):
                            continue
                    except Exception as e:
                        self._guard_failed(t, cfg, e, errors)
                        continue
                if t not in enabled:
                    enabled.append(t)
                break
        if len(enabled) > 1:
            return self._remove_conflicts(cfg, hist, tuple(enabled))
        return tuple(enabled)

    def _reaction(self, cfg: int, name: str) -> Candidates | _Fixed:
        """The table entry of an external event in a configuration: its candidates, or, when the
        selection evaluates no guard and takes one transition whose plan is quiet (or none), that reaction."""
        cands = self._candidates_for(cfg, name)
        entry: Candidates | _Fixed = cands
        if not cands:
            if not self.eventless_after_unhandled:
                entry = _UNCHANGED
        elif len(cands) == 1 and cands[0][0].guard is None and not self.has_eventless and not self.n_hist:
            t = cands[0][0]
            plan = self._plan_of(cfg, t.alone, ())
            if plan.quiet:
                entry = _Fixed(t, plan, (t.index,))
        if len(self._reactions) < 200_000:
            self._reactions[(cfg, name)] = entry
        return entry

    def _guard_failed(self, t: _T, cfg: int, e: Exception, errors: deque[Event] | None) -> None:
        if errors is None:
            raise ExecutionError(f"guard of transition {t.label}", self.names(cfg), e) from e
        errors.append(Event("error.execution", FrozenMap(message=str(e))))

    def _exit_set(self, cfg: int, hist: Sequence[int], t: _T) -> int:
        if not t.targets:
            return 0
        if t.has_history:
            return cfg & self.desc_mask[self._dynamic_domain(hist, t)]
        return cfg & t.exit_mask

    def without_conflicts(self, cfg: int, enabled: tuple[_T, ...]) -> tuple[_T, ...]:
        """The transitions of ``enabled`` (document order) that survive SCXML conflict resolution in ``cfg``
        (a chart without history); the TLA+ exporter enumerates macrosteps with it."""
        return self._remove_conflicts(cfg, (), enabled)

    def _remove_conflicts(self, cfg: int, hist: Sequence[int], enabled: tuple[_T, ...]) -> tuple[_T, ...]:
        key = (cfg, tuple(t.index for t in enabled))
        hist_dependent = any(t.has_history for t in enabled)
        if not hist_dependent:
            hit = self._conflicts.get(key)
            if hit is not None:
                return hit
        filtered: list[_T] = []
        exits: dict[int, int] = {}
        for t1 in enabled:
            e1 = self._exit_set(cfg, hist, t1)
            preempted = False
            remove: list[_T] = []
            for t2 in filtered:
                if e1 & exits[t2.index]:
                    if self._is_desc(t1.source, t2.source):
                        remove.append(t2)
                    else:
                        preempted = True
                        break
            if not preempted:
                for t3 in remove:
                    filtered.remove(t3)
                filtered.append(t1)
                exits[t1.index] = e1
        result = tuple(filtered)
        if not hist_dependent:
            self._conflicts[key] = result
        return result

    # -- targets, domains and history

    def _effective_targets(self, hist: Sequence[int], targets: Sequence[int]) -> list[int]:
        out: list[int] = []
        for s in targets:
            if self.kind[s] == HISTORY:
                value = hist[self.hist_slot[s]]
                if value:
                    out.extend(i for i in range(self.n) if value >> i & 1)
                else:
                    out.extend(self._effective_targets(hist, self.hist_default_targets[s]))
            else:
                out.append(s)
        return out

    def _dynamic_domain(self, hist: Sequence[int], t: _T) -> int:
        eff = self._effective_targets(hist, t.targets)
        return self._domain(t.source, eff, t.internal)

