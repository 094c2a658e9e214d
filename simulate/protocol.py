"""The model protocol: everything the explorer knows about what it explores, and nothing else.

As Stateright's checkers know a ``Model`` trait and its actor layer implements it, the explorer
(``simulate.explorer``) reads a model only through :class:`Explorable`: initial states,
successors with their labels, a canonical form (symmetry), the property predicates, what "at
rest" means for deadlock, fairness keys for liveness, how a step reads in a trace, coverage,
and how its values are written to a checkpoint. The compiled actor system
(``simulate.model.Model``) implements it; so does a few-line puzzle written directly against
it (tests/test_protocol.py: Die Hard), which :func:`simulate.explorer.explore_model` explores.

States and labels are opaque to the explorer: it hashes states (their 64-bit ``hash`` is the
fingerprint; equal states must hash alike whatever PYTHONHASHSEED, so build them from ints,
strings and tuples of those), stores them and hands them back. Successors come in a fixed order:
a trace is rebuilt by replaying the position of each step among its parent's successors.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from statecharts.errors import StatechartError

from .result import Step

Predicate = Callable[[Any], bool]
"""A property of one state (an invariant, a goal, a constraint, one side of a liveness property)."""


class StepError(StatechartError):
    """A step failed (user code raised, a message went to a missing actor): a verdict with its trace, not a crash.

    ``successors`` raises it; the explorer reports ``error`` with the trace to the state and the failing step.
    """

    def __init__(self, label: Any, cause: BaseException) -> None:
        self.label = label
        self.cause = cause
        super().__init__(str(cause))


@dataclass(frozen=True)
class Liveness:
    """A liveness property, checked on the whole state graph under the model's fairness.

    ``kind`` is ``"eventually"`` (every fair behaviour reaches ``p``) or ``"leads_to"`` (every ``p`` state is
    followed by a ``q`` state on every fair behaviour).
    """

    name: str
    kind: str
    p: Predicate
    q: Predicate | None = None


@dataclass
class Checks:
    """What to check on every state, compiled against the model: invariants, goals (``sometimes``), liveness, the
    state constraint (TLC's CONSTRAINT: states outside it are checked, neither stored nor expanded), deadlock."""

    invariants: list[tuple[str, Predicate]] = field(default_factory=list)
    goals: list[tuple[str, Predicate]] = field(default_factory=list)
    liveness: list[Liveness] = field(default_factory=list)
    constraint: Predicate | None = None
    deadlock: bool = False

    def names(self) -> set[str]:
        """Every property name (what a checkpoint's verdicts may refer to)."""
        return {n for n, _ in self.invariants} | {n for n, _ in self.goals} | {p.name for p in self.liveness}


@runtime_checkable
class Explorable(Protocol):
    """A model the explorer can search: the protocol ``explore_model`` depends on.

    Required for every search: ``name``, ``checks``, ``initial_states``, ``successors``, ``canonical``,
    ``uncanonical``, ``symmetric``, ``at_rest``, ``deadlock_text``, ``error_text``, ``describe_label``,
    ``describe_trace``, ``describe_failure``, ``node_attributes``, ``fair_key``, ``covered``, ``coverage``,
    ``start_notes``. Checkpoints also use ``signature``, ``tables``, ``restore_tables``, ``to_json``, ``from_json``.
    """

    @property
    def name(self) -> str:
        """What the messages call the model (``system 'TwoPhase(N=3)'``)."""
        ...

    @property
    def symmetric(self) -> bool:
        """Whether ``canonical`` may rename (then checkpoints are refused and trace replay undoes the renaming)."""
        ...

    def checks(self) -> Checks:
        """The properties to check, compiled (bad property text raises the model's own error, naming it)."""
        ...

    def initial_states(self) -> Sequence[Hashable]:
        """Every initial state, in a fixed order (a trace names its initial state by position)."""
        ...

    def successors(self, state: Any) -> Sequence[tuple[Any, Any]]:
        """Every step from a state as (label, next state), in a fixed order; a step that changes nothing returns
        ``state`` itself (so the search can skip it by identity). Raises :class:`StepError` when a step fails."""
        ...

    def canonical(self, state: Any) -> tuple[Any, Any]:
        """The representative of the state's symmetry class and the renaming applied (None: none)."""
        ...

    def uncanonical(self, renaming: Any, label: Any, state: Any) -> tuple[Any, Any]:
        """A step (label, next state) taken from a canonical state, as seen from the state it represents."""
        ...

    def at_rest(self, state: Any) -> bool:
        """Whether a state without steps is a rightful end (no deadlock)."""
        ...

    def deadlock_text(self, state: Any) -> str:
        """The verdict message for a deadlocked state: what is stuck and how to fix it."""
        ...

    def error_text(self, error: StepError) -> str:
        """The verdict message of a failed step."""
        ...

    def describe_label(self, label: Any) -> tuple[str, str, str]:
        """(who acted, the kind of step, what happened) of a step label."""
        ...

    def describe_trace(self, states: Sequence[Any], labels: Sequence[Any]) -> list[Step]:
        """The steps of a trace: ``labels[k]`` leads to ``states[k]`` (``labels[0]`` is None: the initial state).
        Each step says what changed, what was sent, what is in flight and which transitions were taken."""
        ...

    def describe_failure(self, index: int, label: Any, state: Any) -> Step:
        """The last step of a trace that ends in a failing step (``label`` failed in ``state``)."""
        ...

    def node_attributes(self, state: Any) -> dict[str, Any]:
        """Attributes of a state's node in the networkx graph of ``explore(graph=True)``."""
        ...

    def fair_key(self, label: Any) -> Any:
        """The weak-fairness class of a step (a tuple of ints and strings), or None for a step that is not fair."""
        ...

    def covered(self) -> dict[str, set[int]]:
        """What the steps computed so far covered (per part of the model, e.g. transitions taken per chart)."""
        ...

    def coverage(self, covered: dict[str, set[int]]) -> dict[str, list[str]]:
        """What was never covered, by name, given everything covered (this run's and a resumed checkpoint's)."""
        ...

    def start_notes(self, initial: Sequence[Any]) -> list[str]:
        """Notes on the search to come, found from the initial states (e.g. symmetry that merges nothing)."""
        ...

    def signature(self) -> tuple[str, str | None]:
        """A digest of everything that determines the state space and verdicts, and None; or ("", why) when the
        model cannot be fingerprinted (its checkpoints are then refused)."""
        ...

    def tables(self) -> dict[str, Any]:
        """The model's own tables states refer to (interned values), JSON-ready, for a checkpoint."""
        ...

    def restore_tables(self, data: dict[str, Any]) -> None:
        """Take back the tables of a checkpoint (``data``: the whole checkpoint), so its states mean what they meant."""
        ...

    def to_json(self, value: Any) -> Any:
        """A state or label as JSON-ready data (for a checkpoint)."""
        ...

    def from_json(self, data: Any) -> Any:
        """The value :meth:`to_json` made data of."""
        ...
