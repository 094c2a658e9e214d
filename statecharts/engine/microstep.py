"""The microstep: exit and entry plans per (configuration, transitions, history), history saves, done events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..values import EMPTY, Event

if TYPE_CHECKING:
    pass


from .values import _T, COMPOUND, FINAL, HISTORY, PARALLEL, ActionFn, CompiledTransition, _Abort, _Part, _Plan, _Run


class _Microstep(_Part):
    """The microstep: exit and entry plans per (configuration, transitions, history), history saves, done events."""

    def _microstep(self, run: _Run, enabled: tuple[_T, ...], plan: _Plan | None = None) -> None:
        """Take the selected transitions: exits (histories recorded first), transition content, entries."""
        run.source_cfg = run.cfg
        if plan is None:
            plan = self._plan_of(run.cfg, enabled, tuple(run.hist) if self.n_hist else ())
        # exit states (histories recorded first, against the configuration before exit)
        for slot, value in plan.hist_saves:
            run.hist[slot] = value
        cfg = run.cfg
        for s, fn in plan.exits:
            if fn is not None:
                self._guarded(run, fn)
            cfg &= ~(1 << s)
            run.cfg = cfg
        run.cfg = plan.after_exit_cfg
        for t in enabled:
            run.taken.append(t.index)
            if t.actions is not None:
                self._guarded(run, t.actions)
        self._run_entries(run, plan)

    def _plan_of(self, cfg: int, enabled: tuple[_T, ...], hist: tuple[int, ...]) -> _Plan:
        """The memoized plan of a selection: on the transition when it is taken alone (the common case), else per selection."""
        if len(enabled) == 1:
            (t,) = enabled
            memo = t.plans
            key: Any = (cfg, hist) if hist else cfg
        else:
            memo = self._plans
            key = (cfg, tuple(t.index for t in enabled), hist)
        plan = memo.get(key)
        if plan is None:
            plan = self._plan(cfg, enabled, hist)
            if len(memo) < _MEMO_LIMIT:
                memo[key] = plan
        return plan

    def _guarded(self, run: _Run, fn: ActionFn) -> None:
        if self.on_error == "event":
            try:
                fn(run)
            except _Abort:
                pass
        else:
            fn(run)

    def _plan(self, cfg: int, enabled: tuple[_T, ...], hist: tuple[int, ...]) -> _Plan:
        """The exit/entry plan of a microstep: a pure function of configuration, transitions and history."""
        # exit set
        exit_mask = 0
        domains: list[int] = []
        for t in enabled:
            if not t.targets:
                domains.append(-1)
                continue
            d = self._domain(t.source, self._effective_targets(hist, t.targets), t.internal) if t.has_history else t.domain
            domains.append(d)
            exit_mask |= cfg & self.desc_mask[d]
        exits = []
        hist_saves = []
        for s in range(self.n - 1, 0, -1):
            if exit_mask >> s & 1:
                exits.append((s, self.exit[s]))
                for slot in self.hist_of_parent.get(s, ()):
                    if self.hist_deep[slot]:
                        value = cfg & self.atomic_mask & self.desc_mask[s]
                    else:
                        value = 0
                        for c in self.children[s]:
                            if cfg >> c & 1:
                                value |= 1 << c
                    hist_saves.append((slot, value))
        after_exit = cfg & ~exit_mask
        # entry set: W3C enterStates runs after exitStates, so it sees the history just recorded
        if hist_saves:
            updated = list(hist)
            for slot, value in hist_saves:
                updated[slot] = value
            hist = tuple(updated)
        to_enter: list[int] = []  # as a set, keeps insertion irrelevant: sorted later
        enter_set: set[int] = set()
        default_entry: set[int] = set()
        history_content: dict[int, ActionFn | None] = {}

        def add(s: int) -> None:
            if s not in enter_set:
                enter_set.add(s)
                to_enter.append(s)

        def some_desc_of(child: int) -> bool:
            return any(self._is_desc(x, child) for x in enter_set)

        def add_descendants(s: int) -> None:
            if self.kind[s] == HISTORY:
                slot = self.hist_slot[s]
                value = hist[slot] if hist else 0
                parent = self.parent[s]
                if value:
                    stored = [i for i in range(self.n) if value >> i & 1]
                    for x in stored:
                        add_descendants(x)
                    for x in stored:
                        add_ancestors(x, parent)
                else:
                    history_content[parent] = self.hist_default_actions[s]
                    for x in self.hist_default_targets[s]:
                        add_descendants(x)
                    for x in self.hist_default_targets[s]:
                        add_ancestors(x, parent)
                return
            add(s)
            if self.kind[s] == COMPOUND:
                default_entry.add(s)
                for x in self.initial_targets[s]:
                    add_descendants(x)
                for x in self.initial_targets[s]:
                    add_ancestors(x, s)
            elif self.kind[s] == PARALLEL:
                for child in self.children[s]:
                    if not some_desc_of(child):
                        add_descendants(child)

        def add_ancestors(s: int, ancestor: int) -> None:
            for anc in self.ancestors[s]:
                if anc == ancestor:
                    break
                if anc == 0:
                    break
                add(anc)
                if self.kind[anc] == PARALLEL:
                    for child in self.children[anc]:
                        if not some_desc_of(child):
                            add_descendants(child)

        for t, d in zip(enabled, domains):
            if not t.targets:
                continue
            for s in t.targets:
                add_descendants(s)
            for s in self._effective_targets(hist, t.targets):
                add_ancestors(s, d)
        # entry order: document order; done events computed against the growing configuration
        new_cfg = after_exit
        entries = []
        for s in sorted(enter_set):
            new_cfg |= 1 << s
            fns: list[ActionFn] = []
            if self.entry[s] is not None:
                fns.append(self.entry[s])  # type: ignore[arg-type]
            if s in default_entry and self.initial_actions[s] is not None:
                fns.append(self.initial_actions[s])  # type: ignore[arg-type]
            hc = history_content.get(s)
            if hc is not None:
                fns.append(hc)
            done: list[Event] = []
            stop = False
            if self.kind[s] == FINAL:
                parent = self.parent[s]
                if parent == 0:
                    stop = True
                else:
                    done.append(Event("done.state." + self.ids[parent], EMPTY))
                    gp = self.parent[parent]
                    if gp >= 0 and self.kind[gp] == PARALLEL:
                        if all(self._in_final(c, new_cfg) for c in self.children[gp]):
                            done.append(Event("done.state." + self.ids[gp], EMPTY))
            entries.append((s, tuple(fns), tuple(done), stop))
        quiet = all(fn is None for _, fn in exits) and all(not fns and not done and not stop for _, fns, done, stop in entries)
        return _Plan(tuple(exits), tuple(hist_saves), after_exit, tuple(entries), new_cfg, quiet, tuple(sorted(default_entry)))

    def _in_final(self, s: int, cfg: int) -> bool:
        if self.kind[s] == COMPOUND:
            return any(self.kind[c] == FINAL and cfg >> c & 1 for c in self.children[s])
        if self.kind[s] == PARALLEL:
            return all(self._in_final(c, cfg) for c in self.children[s])
        return False

    def _enter_initial(self, run: _Run) -> None:
        """Enter the root's initial targets (the document's initial transition)."""
        if self.initial_actions[0] is not None:
            self._guarded(run, self.initial_actions[0])
        self._run_entries(run, self._plan(run.cfg, (self.start_transition(),), tuple(run.hist)))

    def start_transition(self) -> CompiledTransition:
        """The document's initial transition (root to its initial targets) as a compiled transition, for planning the start."""
        root_t = CompiledTransition()
        root_t.targets = self.initial_targets[0]
        root_t.domain = 0
        return root_t

    def _run_entries(self, run: _Run, plan: _Plan) -> None:
        for s, fns, done_events, stop in plan.entries:
            run.cfg |= 1 << s
            for fn in fns:
                self._guarded(run, fn)
            if done_events:
                run.internal.extend(done_events)
            if stop:
                run.running = False
        run.cfg = plan.new_cfg


_NO_VARS: dict[str, Any] = {}

_MEMO_LIMIT = 200_000
"""Entries a memo table keeps at most (then it stops growing; a miss recomputes)."""
