"""Transition selection: candidates per configuration and event, the optimal enabled set, conflicts removed (W3C)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import ExecutionError
from ..values import Event, FrozenMap

if TYPE_CHECKING:
    pass


from .values import _T, HISTORY, _Part, _Run


class _Selection(_Part):
    """Transition selection: candidates per configuration and event, the optimal enabled set, conflicts removed (W3C)."""

    def _candidates_for(self, cfg: int, name: str | None) -> tuple[tuple[_T, ...], ...]:
        key = (cfg, name)
        cands = self._candidates.get(key)
        if cands is not None:
            return cands
        from ..chart import match_descriptor

        out = []
        atoms = cfg & self.atomic_mask
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

    def _select(self, run: _Run, name: str | None) -> tuple[_T, ...]:
        cands = self._candidates_for(run.cfg, name)
        if not cands:
            return ()
        enabled: list[_T] = []
        for lst in cands:
            for t in lst:
                g = t.guard
                if g is not None:
                    try:
                        ok = g(run.ctx, run.ev, run.cfg, run.vars)
                    except Exception as e:
                        if self.on_error == "event":
                            run.internal.append(Event("error.execution", FrozenMap(message=str(e))))
                            continue
                        raise ExecutionError(f"guard of transition {t.label}", self.names(run.cfg), e) from e
                    if not ok:
                        continue
                if t not in enabled:
                    enabled.append(t)
                break
        if len(enabled) > 1:
            return self._remove_conflicts(run, tuple(enabled))
        return tuple(enabled)

    def _exit_set(self, run: _Run, t: _T) -> int:
        if not t.targets:
            return 0
        if t.has_history:
            return run.cfg & self.desc_mask[self._dynamic_domain(run, t)]
        return run.cfg & t.exit_mask

    def without_conflicts(self, cfg: int, enabled: tuple[_T, ...]) -> tuple[_T, ...]:
        """The transitions of ``enabled`` (document order) that survive SCXML conflict resolution in ``cfg``
        (a chart without history); the TLA+ exporter enumerates macrosteps with it."""
        return self._remove_conflicts(_Run([], cfg, [], ()), enabled)

    def _remove_conflicts(self, run: _Run, enabled: tuple[_T, ...]) -> tuple[_T, ...]:
        key = (run.cfg, tuple(t.index for t in enabled))
        hist_dependent = any(t.has_history for t in enabled)
        if not hist_dependent:
            hit = self._conflicts.get(key)
            if hit is not None:
                return hit
        filtered: list[_T] = []
        exits: dict[int, int] = {}
        for t1 in enabled:
            e1 = self._exit_set(run, t1)
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

    def _dynamic_domain(self, run: _Run, t: _T) -> int:
        eff = self._effective_targets(run.hist, t.targets)
        return self._domain(t.source, eff, t.internal)

