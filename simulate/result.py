"""What exploration returns: verdicts per property, statistics, traces, coverage, the graph."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx


@dataclass
class Change:
    """How one actor changed in a step: active leaves before/after and context fields that changed."""

    actor: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    context: dict[str, tuple[Any, Any]]


@dataclass
class Step:
    """One step of a trace: who acted, on what, what changed, what is in flight afterwards."""

    index: int
    kind: str
    """``init``, ``deliver``, ``stimulus``, ``timer``, ``drop``, ``duplicate`` or ``crash``."""
    actor: str
    event: str
    text: str
    sender: str | None
    changes: list[Change]
    sent: list[tuple[str, str, str]]
    """Messages this step put in the network: (sender, receiver, event text)."""
    in_flight: list[str]
    state: Any = field(repr=False, default=None)
    transitions: list[str] = field(default_factory=list)
    """Labels of the chart transitions the step took."""

    def summary(self) -> str:
        """One line: ``3. lambda[0] <- post(conn='c1') from gateway``."""
        if self.kind == "init":
            return f"{self.index}. initial state"
        return f"{self.index}. {self.actor}: {self.kind} {self.text}".rstrip()


@dataclass
class Trace:
    """A sequence of steps from an initial state; a lasso when ``loop_start`` is set."""

    steps: list[Step]
    loop_start: int | None = None
    """For a liveness counterexample: the index of the step where the repeating cycle begins."""

    def __len__(self) -> int:
        return max(0, len(self.steps) - 1)

    def __repr__(self) -> str:
        from .notebook import trace_repr

        return trace_repr(self)

    def _repr_html_(self) -> str:
        """For notebooks: the step table and the sequence chart (inline SVG)."""
        from .notebook import trace_html

        return trace_html(self)

    def __iter__(self) -> Any:
        return iter(self.steps)

    def format(self) -> str:
        """A readable multi-line rendering of the trace."""
        lines = []
        for s in self.steps:
            mark = "  <- loop starts here" if self.loop_start is not None and s.index == self.loop_start else ""
            lines.append(s.summary() + mark)
            for c in s.changes:
                parts = []
                if c.before != c.after:
                    parts.append(f"{'/'.join(c.before) or '-'} -> {'/'.join(c.after) or '-'}")
                for k, (a, b) in c.context.items():
                    parts.append(f"{k}: {a!r} -> {b!r}")
                if parts:
                    lines.append(f"     {c.actor}: " + "; ".join(parts))
            if s.in_flight:
                lines.append(f"     in flight: {', '.join(s.in_flight)}")
        if self.loop_start is not None:
            lines.append(f"   ... and back to step {self.loop_start}, forever")
        return "\n".join(lines)


@dataclass
class Verdict:
    """The outcome for one property."""

    name: str
    kind: str
    """``invariant``, ``sometimes``, ``deadlock``, ``eventually``, ``leads_to`` or ``error``."""
    status: str
    """``holds``, ``violated``, ``reached``, ``unreached``, ``incomplete``, ``not checked`` or ``failed`` (exploration failed)."""
    trace: Trace | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        """Whether this verdict is a success (holds, or a goal reached)."""
        return self.status in ("holds", "reached")


@dataclass
class Stats:
    """Exploration statistics."""

    distinct_states: int = 0
    states_generated: int = 0
    max_depth: int = 0
    seconds: float = 0.0
    queue: int = 0
    phase: str = ""
    """What exploration is doing after the search, for progress lines (``liveness 1/2: Progress: ...``); '' otherwise."""

    @property
    def states_per_second(self) -> float:
        return self.distinct_states / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Result:
    """Everything exploration found."""

    system: str
    mode: str
    verdicts: list[Verdict]
    stats: Stats
    complete: bool
    """False when a limit (max_states, max_depth, time) stopped exploration early."""
    limit: str = ""
    coverage: dict[str, list[str]] = field(default_factory=dict)
    """Per chart, the labels of transitions never taken."""
    graph: networkx.DiGraph | None = None
    model: Any = field(default=None, repr=False)
    """The model explored (``simulate.model.Model`` for a System; any ``simulate.protocol.Explorable``)."""
    initial: list[Any] = field(default_factory=list, repr=False)
    failure: str | None = None
    """Why exploration failed (user code raised SystemExit, a value could not be stored, a checkpoint could not be
    written...): the verdicts are those found before it."""
    failure_kind: str | None = None
    """The type name of what made exploration fail."""
    workers: int = 1
    """How many workers explored (several: the sharded search of ``simulate.parallel``)."""
    fingerprint_collision_probability: float | None = None
    """The chance that two distinct states shared a fingerprint (so one went unexplored), as TLC reports it."""
    fingerprint_bits: int = 64
    """The width of the fingerprints that stood for states (60 with one worker, 64 sharded)."""
    shards: list[dict[str, Any]] = field(default_factory=list, repr=False)
    """Per worker of a parallel run: bytes of fingerprints and links, peak RSS (KiB), CPU seconds, states received."""
    notes: list[str] = field(default_factory=list)
    """How the result was reached where that matters to reading it (e.g. liveness checked in one process)."""

    def __repr__(self) -> str:
        from .notebook import result_repr

        return result_repr(self)

    def _repr_html_(self) -> str:
        """For notebooks: the verdict table, the statistics, and each trace to open in place."""
        from .notebook import result_html

        return result_html(self)

    @property
    def ok(self) -> bool:
        """Whether every property holds, every goal was reached, and exploration was complete."""
        return self.complete and all(v.ok for v in self.verdicts)

    @property
    def status(self) -> str:
        """``ok``, ``violated``, ``incomplete`` or ``failed`` (exploration failed: see ``failure``): the overall verdict."""
        if self.failure is not None:
            return "failed"
        if any(v.status == "violated" for v in self.verdicts):
            return "violated"
        if not self.complete or any(v.status in ("incomplete", "unreached") and v.kind == "sometimes" and not self.complete for v in self.verdicts):
            return "incomplete"
        if any(not v.ok for v in self.verdicts):
            return "violated"
        return "ok"

    def verdict(self, name: str) -> Verdict:
        """The verdict of a property by name."""
        for v in self.verdicts:
            if v.name == name:
                return v
        raise KeyError(f"no property {name!r}; properties: {', '.join(v.name for v in self.verdicts)}")

    @property
    def violations(self) -> list[Verdict]:
        """Verdicts that failed (violated invariants/liveness/deadlock, errors, unreached goals)."""
        return [v for v in self.verdicts if not v.ok and v.status != "incomplete"]

    @property
    def counterexample(self) -> Trace | None:
        """The first violation's trace, if any."""
        for v in self.verdicts:
            if v.status == "violated" and v.trace is not None:
                return v.trace
        return None

    def summary(self) -> str:
        """A short text report: verdicts and statistics."""
        s = self.stats
        lines = [
            f"{self.system}: {self.status} ({self.mode}, {s.distinct_states} distinct states, {s.states_generated} generated, "
            f"depth {s.max_depth}, {s.seconds:.2f}s, {s.states_per_second:,.0f} states/s)"
        ]
        if not self.complete:
            lines.append(f"  {'failed' if self.failure else 'incomplete'}: {self.limit}")
        for v in self.verdicts:
            extra = f" ({len(v.trace)} steps)" if v.trace is not None else ""
            msg = f": {v.message}" if v.message else ""
            lines.append(f"  {v.kind:10} {v.name:30} {v.status}{extra}{msg}")
        lines.extend(f"  note: {n}" for n in self.notes)
        if self.fingerprint_collision_probability is not None:
            lines.append(f"  {collision_text(self)}")
        return "\n".join(lines)


def collision_probability(states: int, bits: int = 64) -> float:
    """The chance that two of ``states`` distinct states share a ``bits``-bit fingerprint (TLC's optimistic estimate)."""
    return states * (states - 1) / 2 / 2.0**bits


def collision_text(result: Result) -> str:
    """The fingerprint line printed at the end of a check, as TLC prints it."""
    return (
        f"fingerprints: {result.fingerprint_bits}-bit; probability of a collision (optimistic, as TLC calculates it): "
        f"{result.fingerprint_collision_probability:.1e}"
    )
