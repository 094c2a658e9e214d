"""A read-only view of a compiled chart: what the engine would select and run, per configuration.

Tools that translate a chart rather than run it (the TLA+ exporter) ask this view instead of
re-deriving the semantics: for a configuration and an event, the candidate transitions in the
engine's priority order and the conflict resolution it applies; for a set of selected
transitions, the microstep's plan — states exited (in exit order), the executable content in
execution order with the configuration each block sees, states entered (in entry order), the
default entries, the history recorded, the done events. Everything comes from the tables and
plans :class:`~statecharts.engine.Engine` itself steps with, so the two cannot disagree.

Configurations are ``ChartState.config`` values (an int with one bit per state, document
order); :meth:`ChartView.configuration` builds one from state ids and :meth:`ChartView.states`
reads one back. Transitions are the chart's own :class:`~statecharts.chart.Transition` objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..errors import StatechartError
from .values import ChartState, CompiledTransition

if TYPE_CHECKING:
    from ..actions import Action
    from ..chart import Chart, Transition
    from .step import Engine

BlockKind = Literal["initial", "exit", "transition", "entry", "history"]


@dataclass(frozen=True)
class ActionBlock:
    """One block of executable content as a microstep runs it.

    ``kind`` says whose content it is: ``"exit"``/``"entry"`` of state ``owner``, ``"transition"``
    (``owner`` is the transition's label), ``"initial"`` (the initial transition of compound state
    ``owner``, run when it is entered by default; the chart's own initial transition when ``owner``
    is the root), ``"history"`` (the default transition of history state ``owner``). ``active`` is
    the set of active state ids (the root excluded) the block sees, which ``In()`` reads.
    """

    kind: BlockKind
    owner: str
    actions: tuple[Action, ...]
    active: frozenset[str]


@dataclass(frozen=True)
class Microstep:
    """The plan of one microstep: a pure function of configuration, selected transitions and history."""

    before: int
    """The configuration the microstep starts from."""
    transitions: tuple[Transition, ...]
    """The transitions taken, in the order their content runs (empty for the chart's start)."""
    exited: tuple[str, ...]
    """States exited, in exit order (deepest and latest in document order first)."""
    entered: tuple[str, ...]
    """States entered, in entry order (document order)."""
    default_entered: tuple[str, ...]
    """The entered compound states whose initial transition was taken (entry order)."""
    blocks: tuple[ActionBlock, ...]
    """The non-empty executable content, in execution order: exits, transitions, entries."""
    after: int
    """The configuration after the microstep."""
    history_saved: tuple[tuple[str, tuple[str, ...]], ...]
    """(history state id, the state ids it records) for every history state the exits update."""
    done_events: tuple[str, ...]
    """The ``done.state.*`` events the entries raise, in order."""
    stops: bool
    """A top-level final state is entered: the chart terminates after this microstep."""

    def actions(self) -> list[tuple[Action, frozenset[str]]]:
        """Every action in execution order, each with the active states it sees."""
        return [(a, b.active) for b in self.blocks for a in b.actions]


class ChartView:
    """What the engine of ``chart`` selects and runs, for any configuration: read-only, computed by the engine's own selection and plan functions."""

    def __init__(self, chart: Chart) -> None:
        self.chart = chart
        self._engine: Engine = chart.engine
        eng = self._engine
        self._slot_state = {slot: s for s, slot in eng.hist_slot.items()}

    # -- configurations

    def configuration(self, state_ids: Iterable[str]) -> int:
        """The configuration holding ``state_ids`` and all their ancestors (a leaf's configuration in a chart without parallel states)."""
        eng = self._engine
        cfg = 1
        for sid in state_ids:
            i = eng.index.get(sid)
            if i is None:
                raise StatechartError(f"chart {self.chart.name!r}: no state {sid!r} (states: {', '.join(eng.ids[1:])})")
            cfg |= 1 << i
            for a in eng.ancestors[i]:
                cfg |= 1 << a
        return cfg

    def states(self, cfg: int) -> tuple[str, ...]:
        """Ids of the active states of a configuration, document order (the root excluded)."""
        return self._engine.names(cfg)

    def leaves(self, cfg: int) -> tuple[str, ...]:
        """Ids of the active atomic (and final) states of a configuration, document order."""
        return self._engine.leaf_names(cfg)

    def is_final(self, cfg: int) -> bool:
        """Whether a top-level final state is active: the chart takes no more transitions."""
        return self._engine.is_final(cfg)

    # -- selection

    def candidates(self, cfg: int, event: str | None) -> tuple[tuple[Transition, ...], ...]:
        """The transitions that may react to ``event`` (None: eventless) in ``cfg``, in the engine's priority order.

        One tuple per active atomic state (document order) that has candidates: its own
        transitions, then its ancestors', innermost first, each state's in document order. The
        engine takes, from each tuple, the first whose guard holds; then removes conflicts
        (:meth:`resolve`). Empty once the chart is final.
        """
        eng = self._engine
        if cfg & eng.top_final_mask:
            return ()
        ts = self.chart.transitions
        return tuple(tuple(ts[t.index] for t in lst) for lst in eng._candidates_for(cfg, event))

    def resolve(self, cfg: int, enabled: Sequence[Transition], history: ChartState | Sequence[int] = ()) -> tuple[Transition, ...]:
        """The enabled transitions (selection order) that survive the engine's conflict resolution in ``cfg`` (and history)."""
        if len(enabled) < 2:
            return tuple(enabled)
        eng = self._engine
        ts = self.chart.transitions
        hist = list(self._history(history))
        return tuple(ts[t.index] for t in eng._remove_conflicts(cfg, hist, tuple(eng.transitions[t.index] for t in enabled)))

    # -- microsteps

    def start(self, history: Sequence[int] = ()) -> Microstep:
        """The chart's start: its initial transition's content, then the entry of the initial configuration."""
        eng = self._engine
        root = self.chart.root
        first = root.initial.actions if root.initial is not None else ()
        lead = (ActionBlock("initial", root.id, tuple(first), frozenset()),) if first else ()
        return self._microstep(1, (), (eng.start_transition(),), self._history(history), lead)

    def _history(self, history: ChartState | Sequence[int]) -> tuple[int, ...]:
        """History values as the engine holds them (all empty when not given)."""
        hist = history.history if isinstance(history, ChartState) else tuple(history)
        n = self._engine.n_hist
        if len(hist) != n:
            if hist:
                raise StatechartError(f"chart {self.chart.name!r}: {len(hist)} history values given, the chart has {n} history states")
            hist = (0,) * n
        return hist

    def microstep(self, cfg: int, transitions: Sequence[Transition], history: ChartState | Sequence[int] = ()) -> Microstep:
        """The plan of taking ``transitions`` (as selected: conflicts resolved) in ``cfg`` with the given history values."""
        eng = self._engine
        hist = self._history(history)
        compiled = tuple(eng.transitions[t.index] for t in transitions)
        return self._microstep(cfg, tuple(transitions), compiled, hist, ())

    def _microstep(
        self, cfg: int, transitions: tuple[Transition, ...], compiled: tuple[CompiledTransition, ...], hist: tuple[int, ...], lead: tuple[ActionBlock, ...]
    ) -> Microstep:
        eng = self._engine
        ch = self.chart
        node = ch.states
        ids = eng.ids
        plan = eng._plan(cfg, compiled, hist if eng.n_hist else ())
        blocks = list(lead)
        cur = cfg
        for s, _fn in plan.exits:
            st = node[ids[s]]
            if st.exit:
                blocks.append(ActionBlock("exit", st.id, tuple(st.exit), frozenset(eng.names(cur))))
            cur &= ~(1 << s)
        cur = plan.after_exit_cfg
        for t in transitions:
            if t.actions:
                blocks.append(ActionBlock("transition", t.describe(), tuple(t.actions), frozenset(eng.names(cur))))
        defaults = set(plan.default_entry)
        done: list[str] = []
        for s, fns, done_events, _stop in plan.entries:
            cur |= 1 << s
            st = node[ids[s]]
            active = frozenset(eng.names(cur))
            if st.entry:
                blocks.append(ActionBlock("entry", st.id, tuple(st.entry), active))
            if s in defaults and st.initial is not None and st.initial.actions:
                blocks.append(ActionBlock("initial", st.id, tuple(st.initial.actions), active))
            for h in st.children:  # a history state's default content runs with its parent's entry (the engine's closure in ``fns``)
                hfn = eng.hist_default_actions.get(h.index)
                if hfn is not None and any(f is hfn for f in fns):
                    blocks.append(ActionBlock("history", h.id, tuple(h.default.actions), active))  # type: ignore[attr-defined]
            done.extend(e.name for e in done_events)
        saved = tuple((ids[self._slot_state[slot]], eng.names(value)) for slot, value in plan.hist_saves)
        return Microstep(
            before=cfg,
            transitions=transitions,
            exited=tuple(ids[s] for s, _ in plan.exits),
            entered=tuple(ids[s] for s, *_ in plan.entries),
            default_entered=tuple(ids[s] for s in plan.default_entry),
            blocks=tuple(blocks),
            after=plan.new_cfg,
            history_saved=saved,
            done_events=tuple(done),
            stops=any(stop for *_, stop in plan.entries),
        )
