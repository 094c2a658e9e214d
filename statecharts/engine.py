"""The one macrostep: what happens when an event arrives (W3C SCXML, Appendix D).

A chart compiles into tables: states numbered in document order (so a configuration is an
int bitmask, entry order is ascending bit order and exit order descending), each
transition's domain and exit mask precomputed, the candidate transitions memoized per
(configuration, event name), and each microstep's exit/entry plan memoized per
(configuration, selected transitions, history). A state of a running chart is a
``ChartState`` value: immutable and hashable, so the interpreter replaces it and the
explorer stores it. The interpreter and the explorer both call ``Engine.successors`` /
``Engine.step``; there is no second implementation of a macrostep.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .actions import (
    SENDER,
    Action,
    Assign,
    Cancel,
    Choose,
    Foreach,
    If,
    Log,
    PyAction,
    Raise,
    Send,
)
from .errors import ChartDefinitionError, ExecutionError, ExpressionError, StatechartError
from .expr import Evaluator, Node, compile_expr, to_source
from .limits import check_calls, not_a_truth_value
from .loops import MAX_ALTERNATIVES, choice_explosion, infinite_macrostep
from .values import EMPTY, Event, FrozenMap, canonical_items, freeze

if TYPE_CHECKING:
    from .chart import Chart, StateNode, Transition


CONTENT = "<content>"
"""A data key of raise/send meaning: this value is the whole event data (SCXML ``<content>``), not one field."""


class ChartState(NamedTuple):
    """The value of a running chart: active states (bitmask), context values, history values."""

    config: int
    context: tuple[Any, ...]
    history: tuple[int, ...] = ()


class Outgoing(NamedTuple):
    """A message a macrostep sent: to an actor name, a group (broadcast), or SELF (delayed)."""

    target: str
    event: Event
    delay: int | None = None
    send_id: str | None = None
    broadcast: bool = False


class Cancelled(NamedTuple):
    """A macrostep cancelled a pending delayed send."""

    send_id: str


class StepResult(NamedTuple):
    """The outcome of one macrostep: the new state, the messages out, the log lines, the transitions taken."""

    state: ChartState
    outputs: tuple[Outgoing | Cancelled, ...]
    logs: tuple[tuple[str, Any], ...]
    taken: tuple[int, ...]


ATOMIC, COMPOUND, PARALLEL, FINAL, HISTORY = range(5)
_KIND = {"atomic": ATOMIC, "compound": COMPOUND, "root": COMPOUND, "parallel": PARALLEL, "final": FINAL, "history": HISTORY}


class _NoChoice(Exception):
    """A ``choose`` over an empty domain: this branch has no successor."""


class _Abort(Exception):
    """Executable content failed in ``on_error='event'`` mode: the rest of its block is skipped."""


class _Run:
    """The mutable scratch space of one macrostep; discarded when it ends."""

    __slots__ = ("cfg", "ctx", "ev", "hist", "internal", "logs", "out", "prefix", "running", "sizes", "source_cfg", "taken", "taken_choices", "vars")

    def __init__(self, ctx: list[Any], cfg: int, hist: list[int], prefix: Sequence[int]) -> None:
        self.ctx = ctx
        self.ev: Event = Event("", EMPTY)
        self.cfg = cfg
        self.source_cfg = cfg
        """The configuration the current microstep started from (named in errors)."""
        self.hist = hist
        self.internal: deque[Event] = deque()
        self.out: list[Outgoing | Cancelled] = []
        self.logs: list[tuple[str, Any]] = []
        self.vars: dict[str, Any] = {}
        self.prefix = prefix
        self.taken_choices: list[int] = []
        self.sizes: list[int] = []
        self.taken: list[int] = []
        self.running = True

    def choose(self, n: int) -> int:
        k = len(self.taken_choices)
        pick = self.prefix[k] if k < len(self.prefix) else 0
        self.taken_choices.append(pick)
        self.sizes.append(n)
        return pick


ActionFn = Callable[[_Run], None]


class _T:
    """A compiled transition."""

    __slots__ = ("actions", "domain", "events", "exit_mask", "guard", "has_history", "index", "internal", "label", "source", "targets")

    def __init__(self) -> None:
        self.index = -1
        self.source = 0
        self.events: tuple[str, ...] = ()
        self.guard: Evaluator | None = None
        self.actions: ActionFn | None = None
        self.targets: tuple[int, ...] = ()
        self.has_history = False
        self.domain = -1
        self.exit_mask = 0
        self.label = ""
        self.internal = False


class _Plan(NamedTuple):
    exits: tuple[tuple[int, ActionFn | None], ...]
    hist_saves: tuple[tuple[int, int], ...]
    after_exit_cfg: int
    entries: tuple[tuple[int, tuple[ActionFn, ...], tuple[Event, ...], bool], ...]
    new_cfg: int
    quiet: bool
    """No exit or entry content, no done events, no final: only the configuration changes."""


class Engine:
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
        self.fast = not self.has_choose and self.on_error == "raise"
        if self.fast:
            self.step = self._fast_step  # type: ignore[method-assign]
        self._candidates: dict[tuple[int, str | None], tuple[tuple[_T, ...], ...]] = {}
        self._fast_table: dict[tuple[int, str], Any] = {}
        self._plans: dict[Any, _Plan] = {}
        self._conflicts: dict[tuple[int, tuple[int, ...]], tuple[_T, ...]] = {}
        self._match_cache: dict[str, bool] = {}

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
        from .chart import Transition

        t = init if isinstance(init, Transition) else Transition(init)
        return tuple(self.index[x] for x in t.targets)

    def state_mask(self, state_id: str) -> int:
        """The bit of a state, for In()."""
        if state_id not in self.index:
            raise ExpressionError(f"In({state_id!r}) names an unknown state")
        return 1 << self.index[state_id]

    def _expr(self, node: Node, where: str) -> Evaluator:
        try:
            check_calls(node, self.chart.context)
            return compile_expr(node, self.fields, self.state_mask)
        except ExpressionError as e:
            raise ChartDefinitionError(f"chart {self.chart.name!r} / {where}", str(e)) from None

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

    def _block(self, actions: Sequence[Action], where: str) -> ActionFn | None:
        if not actions:
            return None
        fns = [self._action(a, where) for a in actions]
        on_error_event = self.on_error == "event"
        names = self.names

        def run_block(run: _Run) -> None:
            try:
                for f in fns:
                    f(run)
            except (_NoChoice, _Abort, ExecutionError):
                raise
            except Exception as e:
                if on_error_event:
                    run.internal.append(Event("error.execution", FrozenMap(message=str(e))))
                    return
                raise ExecutionError(where, names(run.source_cfg), e) from e

        if len(fns) == 1 and not on_error_event:
            (only,) = fns

            def run_one(run: _Run) -> None:
                try:
                    only(run)
                except (_NoChoice, _Abort, ExecutionError):
                    raise
                except Exception as e:
                    raise ExecutionError(where, names(run.source_cfg), e) from e

            return run_one
        return run_block

    def _data(self, data: tuple[tuple[str, Node], ...], where: str) -> Callable[[_Run], Any]:
        if not data:
            return lambda run: EMPTY
        if len(data) == 1 and data[0][0] == CONTENT:
            whole = self._expr(data[0][1], where)
            return lambda run: whole(run.ctx, run.ev, run.cfg, run.vars)
        pairs = [(k, self._expr(v, where)) for k, v in data]
        return lambda run: FrozenMap({k: f(run.ctx, run.ev, run.cfg, run.vars) for k, f in pairs})

    def _inner(self, actions: Sequence[Action], where: str) -> Callable[[_Run], None]:
        fns = [self._action(a, where) for a in actions]

        def run_all(run: _Run) -> None:
            for f in fns:
                f(run)

        return run_all

    def _action(self, a: Action, where: str) -> ActionFn:
        if isinstance(a, Assign):
            steps = []
            for name, node in a.updates:
                steps.append((self.fields[name], _integers_only(self._expr(node, where), node, name)))
            if len(steps) == 1:
                ((i, f),) = steps

                def assign1(run: _Run) -> None:
                    run.ctx[i] = f(run.ctx, run.ev, run.cfg, run.vars)

                return assign1

            def assign(run: _Run) -> None:
                # simultaneous, like TLA+ primed variables: every value is computed from the old context
                values = [f(run.ctx, run.ev, run.cfg, run.vars) for _, f in steps]
                for (i, _), v in zip(steps, values):
                    run.ctx[i] = v

            return assign
        if isinstance(a, Raise):
            name = a.event
            data = self._data(a.data, where)
            return lambda run: run.internal.append(Event(name, data(run)))
        if isinstance(a, Send):
            return self._send(a, where)
        if isinstance(a, Cancel):
            sid = a.send_id
            return lambda run: run.out.append(Cancelled(sid))
        if isinstance(a, Log):
            label = a.label
            if a.expr is None:
                return lambda run: run.logs.append((label, None))
            f = self._expr(a.expr, where)
            return lambda run: run.logs.append((label, f(run.ctx, run.ev, run.cfg, run.vars)))
        if isinstance(a, If):
            branches = [(self._expr(c, where), self._inner(body, where)) for c, body in a.branches]
            other = self._inner(a.otherwise, where)

            def if_(run: _Run) -> None:
                for cond, body in branches:
                    if cond(run.ctx, run.ev, run.cfg, run.vars):
                        body(run)
                        return
                other(run)

            return if_
        if isinstance(a, Choose):
            dom = self._expr(a.domain, where)
            body = self._inner(a.body, where)
            var = a.var

            def choose(run: _Run) -> None:
                d = dom(run.ctx, run.ev, run.cfg, run.vars)
                values = canonical_items(d)  # sets in canonical order, never hash order
                if not values:
                    raise _NoChoice()
                pick = run.choose(len(values))
                saved = run.vars
                run.vars = {**saved, var: values[pick]}
                try:
                    body(run)
                finally:
                    run.vars = saved

            return choose
        if isinstance(a, Foreach):
            arr = self._expr(a.array, where)
            body = self._inner(a.body, where)
            item, index = a.item, a.index

            def foreach(run: _Run) -> None:
                values = canonical_items(arr(run.ctx, run.ev, run.cfg, run.vars))  # a set or map: canonical order
                saved = run.vars
                try:
                    for k, v in enumerate(values):
                        run.vars = {**saved, item: v}
                        if index:
                            run.vars[index] = k
                        body(run)
                finally:
                    run.vars = saved

            return foreach
        if isinstance(a, PyAction):
            fn, fields = a.fn, self.fields
            from .expr import _CtxView
            from .values import FLOAT_RULE, has_float

            def py(run: _Run) -> None:
                updates = fn(_CtxView(run.ctx, fields), run.ev)
                if updates is None:
                    return
                if not isinstance(updates, Mapping):
                    raise TypeError(f"python action {a.label!r} must return a mapping of field updates or None, not {type(updates).__name__}")
                for k, v in updates.items():
                    if k not in fields:
                        raise KeyError(f"python action {a.label!r} assigned unknown context field {k!r}")
                    run.ctx[fields[k]] = v = freeze(v)
                    if has_float(v):
                        raise TypeError(f"python action {a.label!r} set context field {k!r} to the floating-point number {v!r}: {FLOAT_RULE}")

            return py
        raise ChartDefinitionError(where, f"{a!r} is not an action")

    def _send(self, a: Send, where: str) -> ActionFn:
        data = self._data(a.data, where)
        name, delay, sid, bcast = a.event, a.delay, a.send_id, a.broadcast
        target = a.target
        if isinstance(target, Node):
            tf = self._expr(target, where)

            def send_expr(run: _Run) -> None:
                run.out.append(Outgoing(str(tf(run.ctx, run.ev, run.cfg, run.vars)), Event(name, data(run)), delay, sid, bcast))

            return send_expr
        if a.index is not None:
            idx = self._expr(a.index, where)
            group = target

            def send_index(run: _Run) -> None:
                i = idx(run.ctx, run.ev, run.cfg, run.vars)
                run.out.append(Outgoing(f"{group}[{i}]", Event(name, data(run)), delay, sid, bcast))

            return send_index
        if target == SENDER:

            def send_reply(run: _Run) -> None:
                origin = run.ev.origin
                if origin is None:
                    raise StatechartError(f"reply to event {run.ev.name!r}, which has no sender")
                run.out.append(Outgoing(origin, Event(name, data(run)), delay, sid, bcast))

            return send_reply
        return lambda run: run.out.append(Outgoing(target, Event(name, data(run)), delay, sid, bcast))

    # ------------------------------------------------------------------ inspection

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
            from .chart import match_descriptor

            hit = any(match_descriptor(d, event_name) for t in self.transitions for d in t.events)
            self._match_cache[event_name] = hit
        return hit

    # ------------------------------------------------------------------ the macrostep

    def start(self, context: Mapping[str, Any] | None = None) -> StepResult:
        """The first macrostep: enter the initial configuration and run to stability."""
        return self._one(next(self._alternatives(None, None, context), None), "start")

    def step(self, state: ChartState, event: Event) -> StepResult:
        """Process one external event (the first alternative of any ``choose``; the others are not computed)."""
        if self.fast:
            return self._fast_step(state, event)
        return self._one(next(self._alternatives(state, event, None), None), event.name)

    def _fast_step(self, state: ChartState, event: Event) -> StepResult:
        """The same macrostep without the replay machinery (charts without ``choose``).

        Per (configuration, event name) a table holds the candidate transitions of the one
        atomic state that can react, each with its guard and, when it only changes the
        configuration, its memoized plan: most events cost one lookup and one guard. Other
        cases take ``_select_step``.
        """
        cfg = state.config
        entry = self._fast_table.get((cfg, event.name))
        if entry is None:
            entry = self._fast_entry(cfg, event.name)
        if entry is _GENERAL:
            return self._select_step(state, event)
        ctx = state.context
        for g, t, plan, taken in entry:
            if g is not None:
                try:
                    ok = g(ctx, event, cfg, _NO_VARS)
                except Exception as e:
                    raise ExecutionError(f"guard of transition {t.label}", self.names(cfg), e) from e
                if not ok:
                    continue
            if plan is None:  # t is the one enabled transition: take it without evaluating the guards again
                run = _Run(list(ctx), cfg, [], ())
                run.ev = event
                self._microstep(run, (t,))
                self._stabilize(run)
                return StepResult(ChartState(run.cfg, tuple(run.ctx), ()), tuple(run.out), tuple(run.logs), tuple(run.taken))
            acts = t.actions
            if acts is None:
                return _tnew(StepResult, (_tnew(ChartState, (plan.new_cfg, ctx, ())), (), (), taken))
            run = _Run(list(ctx), plan.after_exit_cfg, [], ())
            run.source_cfg = cfg
            run.ev = event
            acts(run)
            run.cfg = plan.new_cfg
            run.taken.append(t.index)
            if run.internal:
                self._stabilize(run)
            return _tnew(StepResult, (_tnew(ChartState, (run.cfg, tuple(run.ctx), ())), tuple(run.out), tuple(run.logs), tuple(run.taken)))
        return _tnew(StepResult, (state, (), (), ()))

    def _fast_entry(self, cfg: int, name: str) -> Any:
        """Build the fast table entry of (configuration, event name); see ``_fast_step``."""
        entry: Any
        if self.n_hist or self.has_eventless:
            entry = _GENERAL
        elif cfg & self.top_final_mask:
            entry = ()
        else:
            cands = self._candidates_for(cfg, name)
            if len(cands) > 1:
                entry = _GENERAL  # several regions react: conflicts are resolved in general
            elif not cands:
                entry = ()
            else:
                rows = []
                for t in cands[0]:
                    key = (cfg, (t.index,), ())
                    plan = self._plans.get(key)
                    if plan is None:
                        plan = self._plans[key] = self._plan(cfg, (t,), ())
                    rows.append((t.guard, t, plan if plan.quiet else None, (t.index,)))
                entry = tuple(rows)
        if len(self._fast_table) < 200_000:
            self._fast_table[(cfg, name)] = entry
        return entry

    def _select_step(self, state: ChartState, event: Event) -> StepResult:
        """Transition selection and the microstep, in general (histories, parallel reactions, eventless)."""
        cfg = state.config
        if cfg & self.top_final_mask:
            return _tnew(StepResult, (state, (), (), ()))
        name = event.name
        cands = self._candidates.get((cfg, name))
        if cands is None:
            cands = self._candidates_for(cfg, name)
        if not cands:
            return _tnew(StepResult, (state, (), (), ()))
        ctx = state.context
        enabled: list[_T] = []
        for lst in cands:
            for t in lst:
                g = t.guard
                if g is not None:
                    try:
                        ok = g(ctx, event, cfg, _NO_VARS)
                    except Exception as e:
                        raise ExecutionError(f"guard of transition {t.label}", self.names(cfg), e) from e
                    if not ok:
                        continue
                if t not in enabled:
                    enabled.append(t)
                break
        if not enabled:
            return _tnew(StepResult, (state, (), (), ()))
        if len(enabled) == 1 and not self.has_eventless:
            t = enabled[0]
            plan = self._plans.get((cfg, (t.index,), state.history))
            if plan is not None and plan.quiet:
                history = state.history
                if plan.hist_saves:
                    hist = list(history)
                    for slot, value in plan.hist_saves:
                        hist[slot] = value
                    history = tuple(hist)
                if t.actions is None:
                    return _tnew(StepResult, (_tnew(ChartState, (plan.new_cfg, ctx, history)), (), (), (t.index,)))
                run = _Run(list(ctx), plan.after_exit_cfg, list(history), ())
                run.source_cfg = cfg
                run.ev = event
                t.actions(run)
                run.cfg = plan.new_cfg
                run.taken.append(t.index)
                if run.internal:
                    self._stabilize(run)
                    history = tuple(run.hist) if self.n_hist else ()
                return StepResult(ChartState(run.cfg, tuple(run.ctx), history), tuple(run.out), tuple(run.logs), tuple(run.taken))
        run = _Run(list(ctx), cfg, list(state.history), ())
        run.ev = event
        selected = tuple(enabled)
        if len(selected) > 1:
            selected = self._remove_conflicts(run, selected)
        self._microstep(run, selected)
        self._stabilize(run)
        new = ChartState(run.cfg, tuple(run.ctx), tuple(run.hist) if self.n_hist else ())
        return StepResult(new, tuple(run.out), tuple(run.logs), tuple(run.taken))

    def _one(self, result: StepResult | None, what: str) -> StepResult:
        if result is None:
            raise StatechartError(f"{what}: every alternative of a choose() had an empty domain; no successor")
        return result

    def initial_context(self, context: Mapping[str, Any] | None) -> list[Any]:
        from .values import FLOAT_RULE, has_float

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
        if self.fast and state is not None and event is not None:
            return [self._fast_step(state, event)]
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
            res, taken, sizes = self._macrostep(state, event, context, prefix)
            # alternatives of a replay that hit an empty domain are explored too
            for k in range(len(sizes) - 1, len(prefix) - 1, -1):
                for alt in range(sizes[k] - 1, 0, -1):
                    stack.append(tuple(taken[:k]) + (alt,))
            if res is not None:
                yield res

    def _macrostep(
        self, state: ChartState | None, event: Event | None, context: Mapping[str, Any] | None, prefix: Sequence[int]
    ) -> tuple[StepResult | None, list[int], list[int]]:
        if state is None:
            run = _Run(self.initial_context(context), 1, [0] * self.n_hist, prefix)
        else:
            if state.config & self.top_final_mask:
                return StepResult(state, (), (), ()), [], []
            run = _Run(list(state.context), state.config, list(state.history), prefix)
        try:
            if state is None:
                self._enter_initial(run)
            else:
                assert event is not None
                run.ev = event
                enabled = self._select(run, event.name)
                if enabled:
                    self._microstep(run, enabled)
            self._stabilize(run)
        except _NoChoice:
            return None, run.taken_choices, run.sizes
        new = ChartState(run.cfg, tuple(run.ctx), tuple(run.hist) if self.n_hist else ())
        return StepResult(new, tuple(run.out), tuple(run.logs), tuple(run.taken)), run.taken_choices, run.sizes

    def _stabilize(self, run: _Run) -> None:
        internal = run.internal
        budget = self.max_microsteps
        while run.running:
            enabled = self._select(run, None) if self.has_eventless else ()
            if not enabled:
                if not internal:
                    return
                ev = internal.popleft()
                run.ev = ev
                enabled = self._select(run, ev.name)
            budget -= 1  # an unhandled internal event counts too (a guard failing each time raises error.execution)
            if budget < 0:  # an eventless cycle or a self-raising loop: name it instead of hanging
                raise infinite_macrostep(self.chart.name, self.max_microsteps, run.taken, self._label, self.names(run.cfg), run.ev.name or None)
            if enabled:
                self._microstep(run, enabled)

    def _label(self, index: int) -> str:
        return self.transitions[index].label

    def _candidates_for(self, cfg: int, name: str | None) -> tuple[tuple[_T, ...], ...]:
        key = (cfg, name)
        cands = self._candidates.get(key)
        if cands is not None:
            return cands
        from .chart import match_descriptor

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

    def _microstep(self, run: _Run, enabled: tuple[_T, ...]) -> None:
        run.source_cfg = run.cfg
        hist_key: tuple[int, ...] = tuple(run.hist) if self.n_hist else ()
        key = (run.cfg, tuple(t.index for t in enabled), hist_key)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plan(run.cfg, enabled, hist_key)
            if len(self._plans) < 200_000:
                self._plans[key] = plan
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
        return _Plan(tuple(exits), tuple(hist_saves), after_exit, tuple(entries), new_cfg, quiet)

    def _in_final(self, s: int, cfg: int) -> bool:
        if self.kind[s] == COMPOUND:
            return any(self.kind[c] == FINAL and cfg >> c & 1 for c in self.children[s])
        if self.kind[s] == PARALLEL:
            return all(self._in_final(c, cfg) for c in self.children[s])
        return False

    def _enter_initial(self, run: _Run) -> None:
        """Enter the root's initial targets (the document's initial transition)."""
        root_t = _T()
        root_t.targets = self.initial_targets[0]
        root_t.domain = 0
        if self.initial_actions[0] is not None:
            self._guarded(run, self.initial_actions[0])
        self._run_entries(run, self._plan(run.cfg, (root_t,), tuple(run.hist)))

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
def _integers_only(f: Callable[..., Any], node: Node, field: str) -> Callable[..., Any]:
    """f, checked for floats when node holds a Python callable (the language itself has integers only)."""
    from .expr import PyFunc, walk
    from .values import FLOAT_RULE, has_float

    if not any(isinstance(n, PyFunc) for n in walk(node)):
        return f

    def checked(*args: Any) -> Any:
        value = f(*args)
        if has_float(value):
            raise TypeError(f"assigning {value!r} to context field {field!r}: a floating-point number; {FLOAT_RULE}")
        return value

    return checked


_GENERAL = object()
"""Fast-table marker: this (configuration, event) needs the general selection."""
_tnew = tuple.__new__


def _mentions_choose(chart: Chart) -> bool:
    """Whether any action of the chart (at any depth) is a ``choose``."""
    from .actions import sub_actions

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
