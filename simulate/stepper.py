"""Step through a system by hand: the explorer's own step function, one chosen successor at a time.

``Stepper`` keeps a path from an initial state. ``enabled()`` lists every step the explorer
would take from its last state (``Model.successors``, in the explorer's order), ``take(k)``
appends one, ``back()`` removes the last, and ``jump(trace)`` replaces the path by a
counterexample's. Steps are described by the model as the explorer's traces are
(``Model.describe_trace``), so they read exactly as the traces of ``explore``. ``statecharts explore`` serves this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from statecharts.errors import StatechartError

from .entry import compile_system
from .explorer import Explorer
from .model import Label, State
from .result import Result, Step, Trace
from .system import System

__all__ = ["Enabled", "Stepper"]


@dataclass
class Enabled:
    """One step enabled in the current state: its position among the successors and how it reads."""

    index: int
    actor: str
    kind: str
    text: str


class Stepper:
    """A path through a system's state space, extended one enabled step at a time."""

    def __init__(self, system: System, *, max_states: int | None = None, max_seconds: float | None = None) -> None:
        self.system = system
        # no symmetry: the path shows the actual instances, as the explorer's traces do
        self.model = compile_system(system, symmetry=False)
        self._x = Explorer(
            self.model, "bfs", max_states, None, max_seconds, graph=False, stop_on_violation=False, seed=0, runs=1, progress=None, progress_interval=1.0
        )
        self.result: Result | None = None
        self.initial: list[State] = self.model.initial_states()
        self.steps: list[Step] = []
        self.error = ""
        self.reset()

    def reset(self, initial: int = 0) -> None:
        """Back to an initial state (the first, or the one at this position when entry actions choose)."""
        if not 0 <= initial < len(self.initial):
            raise IndexError(f"there are {len(self.initial)} initial states; {initial} is not one of them")
        self.steps = self.model.describe_trace([self.initial[initial]], [None])
        self._successors: list[tuple[Any, State]] | None = None

    @property
    def state(self) -> State:
        """The last state of the path."""
        state: State = self.steps[-1].state
        return state

    def trace(self) -> Trace:
        """The path so far, as a trace."""
        return Trace(list(self.steps))

    def successors(self) -> list[tuple[Any, State]]:
        """The explorer's successors of the last state (a step that raises is reported in ``error``)."""
        if self._successors is None:
            try:
                self._successors = self.model.successors(self.state)
                self.error = ""
            except StatechartError as e:
                self._successors = []
                self.error = str(e)
        return self._successors

    def enabled(self) -> list[Enabled]:
        """Every step from the last state, in the explorer's order (steps that change nothing are left out)."""
        out = []
        for k, (label, s2) in enumerate(self.successors()):
            if s2 is self.state:
                continue
            who, kind, what = self.model.describe_label(label)
            out.append(Enabled(k, who, kind, what))
        return out

    def take(self, k: int) -> Step:
        """Take the enabled step at position ``k`` of ``successors()``; returns the new step."""
        succ = self.successors()
        if not 0 <= k < len(succ):
            raise IndexError(f"no enabled step {k} (there are {len(succ)})")
        label, s2 = succ[k]
        step = self.model.describe_trace([self.state, s2], [None, Label(*label)])[1]
        step.index = len(self.steps)
        self.steps.append(step)
        self._successors = None
        return step

    def back(self) -> None:
        """Undo the last step (the initial state stays)."""
        if len(self.steps) > 1:
            self.steps.pop()
            self._successors = None

    def check(self) -> Result:
        """Explore the whole system once (breadth-first, within the limits given) for its verdicts and traces.

        It runs on this stepper's own model, so its traces' states can be stepped from.
        """
        if self.result is None:
            self.result = self._x.run()
        return self.result

    def jump(self, trace: Trace, upto: int | None = None) -> None:
        """Follow a trace of ``check()`` (up to step ``upto``; all of it by default)."""
        steps = trace.steps if upto is None else trace.steps[: upto + 1]
        if not steps or steps[0].state is None:
            raise ValueError("the trace carries no states to step from")
        self.steps = list(steps)
        self._successors = None

    def properties(self) -> list[tuple[str, str, bool]]:
        """(name, kind, true here) of each invariant and goal in the last state."""
        out = []
        for kind, preds in (("invariant", self._x.invariants), ("sometimes", self._x.goals)):
            for name, pred in preds:
                try:
                    value = bool(pred(self.state))
                except Exception:
                    value = False
                out.append((name, kind, value))
        return out

    def at_rest(self) -> bool:
        """Whether every actor is in a final or end state (a state without enabled steps is then no deadlock)."""
        return self.model.at_rest(self.state)
