"""What the engine's step takes and returns (ChartState, StepResult, Outgoing, Cancelled), state kinds, compiled transitions."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ..expr import Evaluator
from ..values import EMPTY, Event

if TYPE_CHECKING:
    pass




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


class _Choices:
    """The decisions of one replay of a macrostep: the prefix to follow, the picks made, each choice point's size."""

    __slots__ = ("prefix", "sizes", "taken")

    def __init__(self, prefix: Sequence[int]) -> None:
        self.prefix = prefix
        self.taken: list[int] = []
        self.sizes: list[int] = []

    def choose(self, n: int) -> int:
        k = len(self.taken)
        pick = self.prefix[k] if k < len(self.prefix) else 0
        self.taken.append(pick)
        self.sizes.append(n)
        return pick


_NO_CHOICES = _Choices(())
"""The choices of a chart without ``choose`` (never asked: such a chart has one outcome, no replay)."""


class _Run:
    """The mutable scratch space of one macrostep; discarded when it ends."""

    __slots__ = ("cfg", "choices", "ctx", "ev", "hist", "internal", "logs", "out", "running", "source_cfg", "taken", "vars")

    def __init__(self, ctx: list[Any], cfg: int, hist: list[int], choices: _Choices) -> None:
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
        self.choices = choices
        self.taken: list[int] = []
        self.running = True

    def choose(self, n: int) -> int:
        return self.choices.choose(n)


ActionFn = Callable[[_Run], None]


class CompiledTransition:
    """A compiled transition, as the engine's tables hold it: read it, never change it.

    Public for the exporters (the TLA+ exporter reads the engine's selection and plans): ``index``
    (position in ``chart.transitions``, -1 for the start), ``source`` and ``targets`` (state ids),
    ``events``, ``guard`` and ``actions`` (compiled closures), ``domain`` (the transition domain's
    id), ``exit_mask``, ``internal``, ``has_history`` and ``label``. ``alone`` (the selection of this
    transition alone), ``plans`` (its memoized microstep plans) and ``moves`` are the engine's tables.
    """

    __slots__ = ("actions", "alone", "domain", "events", "exit_mask", "guard", "has_history", "index", "internal", "label", "moves", "plans", "source", "targets")

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
        self.alone: tuple[CompiledTransition, ...] = (self,)
        self.plans: dict[Any, _Plan] = {}
        """Plans of this transition taken alone, per configuration (and history values, when the chart has any)."""
        self.moves: dict[int, int] = {}
        """Per configuration, the configuration this transition taken alone moves to, when that is its whole effect."""


_T = CompiledTransition  # the engine's own shorthand


class _Plan(NamedTuple):
    exits: tuple[tuple[int, ActionFn | None], ...]
    hist_saves: tuple[tuple[int, int], ...]
    after_exit_cfg: int
    entries: tuple[tuple[int, tuple[ActionFn, ...], tuple[Event, ...], bool], ...]
    new_cfg: int
    quiet: bool
    """No exit or entry content, no done events, no final: only the configuration changes."""
    default_entry: tuple[int, ...] = ()
    """The entered compound states whose initial transition is taken (ascending), for the read-only view."""




class _Part:
    """A part of the engine: the parts are mixed into :class:`Engine` (step.py) and share its tables."""

    if TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any: ...


