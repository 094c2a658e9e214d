"""The engine: a chart's tables, and the one macrostep over them (with the replay that enumerates ``choose`` alternatives)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..actions import (
    Action,
    Choose,
)
from ..errors import ChartDefinitionError, ExpressionError, StatechartError
from ..expr import to_source
from ..limits import not_a_truth_value
from ..loops import MAX_ALTERNATIVES, choice_explosion, infinite_macrostep
from ..values import Event, freeze

if TYPE_CHECKING:
    from ...chart import Chart, StateNode, Transition


from .action_compiler import _ActionCompiler
from .microstep import _MEMO_LIMIT, _NO_VARS, _Microstep
from .selection import Candidates, _Fixed, _Selection
from .values import _KIND, _NO_CHOICES, _T, ATOMIC, COMPOUND, FINAL, HISTORY, ActionFn, ChartState, StepResult, _Choices, _NoChoice, _Plan, _Run


class Engine(_Microstep, _Selection, _ActionCompiler):
    """Compiled tables of a chart plus the macrostep over them."""

    def __init__(self, chart: Chart) -> None:
        self.chart = chart
        self.on_error = chart.on_error
        self.max_microsteps: int = chart.max_microsteps
        self.max_alternatives = MAX_ALTERNATIVES
        nodes: list[StateNode] = list(chart.root.iter())
        self.n = n = len(nodes)
        self.ids = [s.id for s in nodes]
        self.index = {s.id: i for i, s in enumerate(nodes)}
        self.kind = [_KIND[s.kind] for s in nodes]
        self.parent = [-1 if s.parent is None else s.parent.index for s in nodes]
        self.children: list[list[int]] = [[c.index for c in s.children if c.kind != "history"] for s in nodes]
        self.desc_mask = [0] * n
        for i in range(n - 1, -1, -1):
            for c in nodes[i].children:
                self.desc_mask[i] |= (1 << c.index) | self.desc_mask[c.index]
        self.ancestors: list[list[int]] = []
        for i in range(n):
            anc = []
            p = self.parent[i]
            while p >= 0:
                anc.append(p)
                p = self.parent[p]
            self.ancestors.append(anc)
        self.atomic_mask = 0
        for i in range(n):
            if self.kind[i] in (ATOMIC, FINAL):
                self.atomic_mask |= 1 << i
        self.final_mask = sum(1 << i for i in range(n) if self.kind[i] == FINAL)
        self.top_final_mask = sum(1 << i for i in range(n) if self.kind[i] == FINAL and self.parent[i] == 0)
        self.fields = {name: i for i, name in enumerate(chart.context)}
        self.default_context = tuple(chart.context.values())
        # history slots
        self.hist_slot: dict[int, int] = {}
        self.hist_deep: list[bool] = []
        self.hist_parent: list[int] = []
        self.hist_of_parent: dict[int, list[int]] = {}
        for s in nodes:
            if s.kind == "history":
                slot = len(self.hist_deep)
                self.hist_slot[s.index] = slot
                self.hist_deep.append(bool(s.deep))  # type: ignore[attr-defined]
                self.hist_parent.append(s.parent.index)  # type: ignore[union-attr]
                self.hist_of_parent.setdefault(s.parent.index, []).append(slot)  # type: ignore[union-attr]
        self.n_hist = len(self.hist_deep)
        # compiled content
        self.entry: list[ActionFn | None] = [self._block(s.entry, f"entry action of state {s.id!r}") for s in nodes]
        self.exit: list[ActionFn | None] = [self._block(s.exit, f"exit action of state {s.id!r}") for s in nodes]
        self.initial_targets: list[tuple[int, ...]] = [()] * n
        self.initial_actions: list[ActionFn | None] = [None] * n
        self.hist_default_targets: dict[int, tuple[int, ...]] = {}
        self.hist_default_actions: dict[int, ActionFn | None] = {}
        for s in nodes:
            if s.initial is not None:
                self.initial_targets[s.index] = tuple(self.index[t] for t in s.initial.targets)
                self.initial_actions[s.index] = self._block(s.initial.actions, f"initial transition of {s.id!r}")
            if s.kind == "history":
                d = s.default  # type: ignore[attr-defined]
                targets = tuple(self.index[t] for t in d.targets) if d.targets else self.initial_targets_of_parent(s)
                self.hist_default_targets[s.index] = targets
                self.hist_default_actions[s.index] = self._block(d.actions, f"default transition of history {s.id!r}")
        self.transitions: list[_T] = [self._transition(t) for t in chart.transitions]
        self.by_state: list[list[_T]] = [[] for _ in range(n)]
        for t in self.transitions:
            self.by_state[t.source].append(t)
        self.has_eventless = any(not t.events for t in self.transitions)
        self.has_choose = _mentions_choose(chart)
        self.errors_as_events = self.on_error == "event"
        # W3C runs the eventless pass after every external event, one that enabled nothing too; the SCXML
        # documents (errors as events) do; a chart that raises its errors skips it (as it always has)
        self.eventless_after_unhandled = self.has_eventless and self.errors_as_events
        self._candidates: dict[tuple[int, str | None], tuple[tuple[_T, ...], ...]] = {}
        self._reactions: dict[tuple[int, str], Candidates | _Fixed] = {}
        self._plans: dict[Any, _Plan] = {}
        self._conflicts: dict[tuple[int, tuple[int, ...]], tuple[_T, ...]] = {}
        self._match_cache: dict[str, bool] = {}
        if not self.has_choose:  # one outcome per event: no replay, and one call less per event
            self.step = self._macrostep  # type: ignore[assignment]

    # ------------------------------------------------------------------ compile helpers

    def initial_targets_of_parent(self, h: StateNode) -> tuple[int, ...]:
        parent = h.parent
        assert parent is not None
        if parent.kind == "parallel":
            return tuple(c.index for c in parent.children if c.kind != "history")
        assert parent.initial is not None or parent.initial_spec is None
        init = parent.initial_spec
        if init is None:
            first = next(c for c in parent.children if c.kind != "history")
            return (first.index,)
        from ..chart import Transition

        t = init if isinstance(init, Transition) else Transition(init)
        return tuple(self.index[x] for x in t.targets)

    def state_mask(self, state_id: str) -> int:
        """The bit of a state, for In()."""
        if state_id not in self.index:
            raise ExpressionError(f"In({state_id!r}) names an unknown state")
        return 1 << self.index[state_id]

    def _transition(self, t: Transition) -> _T:
        ct = _T()
        ct.index = t.index
        assert t.source is not None
        ct.source = t.source.index
        ct.events = t.events
        ct.label = t.describe()
        if t.guard is not None and (problem := not_a_truth_value(t.guard)) is not None:
            raise ChartDefinitionError(
                f"chart {self.chart.name!r} / guard of transition {ct.label}", problem, "a guard must be a condition such as ctx.n > 0"
            )
        ct.guard = self._expr(t.guard, f"guard of transition {ct.label}") if t.guard is not None else None
        ct.actions = self._block(t.actions, f"transition {ct.label}")
        ct.targets = tuple(self.index[x] for x in t.targets)
        ct.has_history = any(self.kind[x] == HISTORY for x in ct.targets)
        ct.internal = t.internal
        if ct.targets and not ct.has_history:
            ct.domain = self._domain(ct.source, ct.targets, t.internal)
            ct.exit_mask = self.desc_mask[ct.domain]
        return ct

    def _domain(self, source: int, targets: Sequence[int], internal: bool) -> int:
        if internal and self.kind[source] == COMPOUND and all(self._is_desc(x, source) for x in targets):
            return source
        return self._lcca([source, *targets])

    def _is_desc(self, a: int, b: int) -> bool:
        return bool(self.desc_mask[b] >> a & 1)

    def _lcca(self, states: Sequence[int]) -> int:
        head, tail = states[0], states[1:]
        for anc in self.ancestors[head]:
            if self.kind[anc] == COMPOUND and all(self._is_desc(s, anc) for s in tail):
                return anc
        return 0

    # -- executable content

    def names(self, cfg: int) -> tuple[str, ...]:
        """Ids of the states in a configuration, document order (the root excluded)."""
        ids = self.ids
        return tuple(ids[i] for i in range(1, self.n) if cfg >> i & 1)

    def leaf_names(self, cfg: int) -> tuple[str, ...]:
        """Ids of the atomic states in a configuration."""
        return self.names(cfg & self.atomic_mask)

    def is_final(self, cfg: int) -> bool:
        return bool(cfg & self.top_final_mask)

    def accepts(self, event_name: str) -> bool:
        hit = self._match_cache.get(event_name)
        if hit is None:
            from ..chart import match_descriptor

            hit = any(match_descriptor(d, event_name) for t in self.transitions for d in t.events)
            self._match_cache[event_name] = hit
        return hit

    # ------------------------------------------------------------------ the macrostep

    def start(self, context: Mapping[str, Any] | None = None) -> StepResult:
        """The first macrostep: enter the initial configuration and run to stability."""
        return self._one(next(self._alternatives(None, None, context), None), "start")

    def step(self, state: ChartState, event: Event) -> StepResult:
        """Process one external event (the first alternative of any ``choose``; the others are not computed)."""
        if self.has_choose:
            return self._one(next(self._alternatives(state, event, None), None), event.name)
        return self._macrostep(state, event)

    def _one(self, result: StepResult | None, what: str) -> StepResult:
        if result is None:
            raise StatechartError(f"{what}: every alternative of a choose() had an empty domain; no successor")
        return result

    def initial_context(self, context: Mapping[str, Any] | None) -> list[Any]:
        from ..values import FLOAT_RULE, has_float

        ctx = list(self.default_context)
        if context:
            for k, v in context.items():
                if k not in self.fields:
                    known = ", ".join(self.fields) or "none declared"
                    raise StatechartError(f"chart {self.chart.name!r}: initial context names unknown field {k!r} (fields: {known})")
                ctx[self.fields[k]] = v = freeze(v)
                if has_float(v):
                    raise StatechartError(f"chart {self.chart.name!r}: initial context field {k!r} is the floating-point number {v!r}: {FLOAT_RULE}")
        return ctx

    def successors(self, state: ChartState | None, event: Event | None, context: Mapping[str, Any] | None = None) -> list[StepResult]:
        """Every outcome of a macrostep; ``state=None`` starts the chart.

        Without ``choose`` there is exactly one. Each ``choose`` point is enumerated by
        replaying the macrostep with a prefix of decisions (the state is a value, so a
        replay costs one macrostep).
        """
        if not self.has_choose and state is not None and event is not None:
            return [self._macrostep(state, event)]
        return list(self._alternatives(state, event, context))

    def _alternatives(self, state: ChartState | None, event: Event | None, context: Mapping[str, Any] | None) -> Iterator[StepResult]:
        """The outcomes of a macrostep in decision order, lazily (``step`` takes only the first)."""
        stack: list[tuple[int, ...]] = [()]
        replays = 0
        while stack:
            prefix = stack.pop()
            replays += 1
            if replays > self.max_alternatives:
                raise choice_explosion(self.chart.name, self.max_alternatives, None if event is None else event.name)
            choices = _Choices(prefix)
            res: StepResult | None
            try:
                if state is None:
                    res = self._begin(context, choices)
                else:
                    assert event is not None
                    res = self._macrostep(state, event, choices)
            except _NoChoice:
                res = None
            # alternatives of a replay that hit an empty domain are explored too
            taken, sizes = choices.taken, choices.sizes
            for k in range(len(sizes) - 1, len(prefix) - 1, -1):
                for alt in range(sizes[k] - 1, 0, -1):
                    stack.append(tuple(taken[:k]) + (alt,))
            if res is not None:
                yield res

    def _begin(self, context: Mapping[str, Any] | None, choices: _Choices) -> StepResult:
        """The start: the document's initial transition, then run to stability."""
        run = _Run(self.initial_context(context), 1, [0] * self.n_hist, choices)
        self._enter_initial(run)
        self._stabilize(run)
        return self._result(run)

    def _macrostep(self, state: ChartState, event: Event, choices: _Choices = _NO_CHOICES) -> StepResult:
        """The one macrostep of an external event: select (``_enabled``), take the selection, run to stability.

        Taking the selection is the microstep over its memoized plan. When one transition is
        taken and its plan is quiet (no exit or entry content, no done event) the plan only
        sets the configuration, so it is applied to the state value directly, and the tables
        remember such outcomes: per (configuration, event name) when no guard decides
        (``_Fixed``, built by ``_reaction``), per transition and configuration otherwise
        (``moves``). A ``choose`` asks ``choices`` (raising _NoChoice on an empty domain; see
        ``_alternatives``).
        """
        cfg = state.config
        entry = self._reactions.get((cfg, event.name))
        if entry is None:
            entry = self._reaction(cfg, event.name)
        ctx = state.context
        hist = state.history
        errors: deque[Event] | None = None
        if type(entry) is _Fixed:
            t, plan = entry.transition, entry.plan
            if t is None or plan is None:
                return _tnew(StepResult, (state, (), (), ()))
            if t.actions is None:
                return _tnew(StepResult, (_tnew(ChartState, (plan.new_cfg, ctx, ())), (), (), entry.taken))
        else:
            if self.errors_as_events:
                errors = deque()
            enabled = self._enabled(entry, cfg, hist, ctx, event, _NO_VARS, errors)  # type: ignore[arg-type]
            if len(enabled) != 1:
                if not enabled and not errors and not self.eventless_after_unhandled:
                    return _tnew(StepResult, (state, (), (), ()))
                return self._microsteps(state, event, enabled, None, errors, choices)
            t = enabled[0]
            moved = t.moves.get(cfg)
            if moved is not None and not errors:
                return _tnew(StepResult, (_tnew(ChartState, (moved, ctx, hist)), (), (), (t.index,)))
            plan = t.plans.get((cfg, hist) if hist else cfg) or self._plan_of(cfg, enabled, hist)
            if not plan.quiet:
                return self._microsteps(state, event, enabled, plan, errors, choices)
            if plan.hist_saves:
                saved = list(hist)
                for slot, value in plan.hist_saves:
                    saved[slot] = value
                hist = tuple(saved)
            if t.actions is None and not errors and not self.has_eventless:
                if not self.n_hist and len(t.moves) < _MEMO_LIMIT:
                    t.moves[cfg] = plan.new_cfg
                return _tnew(StepResult, (_tnew(ChartState, (plan.new_cfg, ctx, hist)), (), (), (t.index,)))
        # one transition, a quiet plan: its actions run between the configurations before and after
        run = _Run(list(ctx), plan.after_exit_cfg, list(hist), choices)
        run.source_cfg = cfg
        run.ev = event
        if errors:
            run.internal = errors
        acts = t.actions
        if acts is not None:
            if self.errors_as_events:
                self._guarded(run, acts)
            else:
                acts(run)
        run.cfg = plan.new_cfg
        run.taken.append(t.index)
        if run.internal or self.has_eventless:
            self._stabilize(run)
            hist = tuple(run.hist)
        return _tnew(StepResult, (_tnew(ChartState, (run.cfg, tuple(run.ctx), hist)), tuple(run.out), tuple(run.logs), tuple(run.taken)))

    def _microsteps(
        self, state: ChartState, event: Event, enabled: tuple[_T, ...], plan: _Plan | None, errors: deque[Event] | None, choices: _Choices
    ) -> StepResult:
        """The macrostep in general: the microstep of the selection (if any), then run to stability."""
        run = _Run(list(state.context), state.config, list(state.history), choices)
        run.ev = event
        if errors:
            run.internal = errors
        if enabled:
            self._microstep(run, enabled, plan)
        self._stabilize(run)
        return self._result(run)

    def _result(self, run: _Run) -> StepResult:
        new = _tnew(ChartState, (run.cfg, tuple(run.ctx), tuple(run.hist) if self.n_hist else ()))
        return _tnew(StepResult, (new, tuple(run.out), tuple(run.logs), tuple(run.taken)))

    def _stabilize(self, run: _Run) -> None:
        """Run eventless transitions and internal events until none is enabled (the rest of the macrostep)."""
        internal = run.internal
        budget = self.max_microsteps
        errors = internal if self.errors_as_events else None
        while run.running:
            enabled = self._select(run.cfg, run.hist, run.ctx, run.ev, None, run.vars, errors) if self.has_eventless else ()
            if not enabled:
                if not internal:
                    return
                ev = internal.popleft()
                run.ev = ev
                enabled = self._select(run.cfg, run.hist, run.ctx, ev, ev.name, run.vars, errors)
            budget -= 1  # an unhandled internal event counts too (a guard failing each time raises error.execution)
            if budget < 0:  # an eventless cycle or a self-raising loop: name it instead of hanging
                raise infinite_macrostep(self.chart.name, self.max_microsteps, run.taken, self._label, self.names(run.cfg), run.ev.name or None)
            if enabled:
                self._microstep(run, enabled)

    def _label(self, index: int) -> str:
        return self.transitions[index].label



_tnew = tuple.__new__


def _mentions_choose(chart: Chart) -> bool:
    """Whether any action of the chart (at any depth) is a ``choose``."""
    from ..actions import sub_actions

    def visit(actions: Sequence[Action]) -> bool:
        return any(isinstance(a, Choose) or visit(sub_actions(a)) for a in actions)

    blocks: list[Sequence[Action]] = [t.actions for t in chart.transitions]
    for s in chart.states.values():
        blocks += [s.entry, s.exit]
        if s.initial is not None:
            blocks.append(s.initial.actions)
        default = getattr(s, "default", None)
        if default is not None:
            blocks.append(default.actions)
    if chart.root.initial is not None:
        blocks.append(chart.root.initial.actions)
    return any(visit(b) for b in blocks)


def describe_transition(engine: Engine, index: int) -> str:
    """The label of a compiled transition by index."""
    return engine.transitions[index].label


def guard_source(t: Transition) -> str:
    """The printed guard of a transition, or an empty string."""
    return to_source(t.guard, short=True) if t.guard is not None else ""
