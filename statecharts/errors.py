"""The project's errors, under one root; each names the element at fault and how to fix it.

The hierarchy (every exception the packages raise on purpose derives from :class:`StatechartError`)::

    StatechartError
    ├── ChartDefinitionError, ExpressionError, DurationProblem   a chart is malformed
    ├── ExecutionError, UnknownEventError, InfiniteMacrostepError,
    │   NondeterminismError, ChoiceExplosionError                a chart misbehaves while it runs
    ├── ModelError                                               a system is malformed (simulate)
    │   └── CheckpointError, WorkerError, Unfingerprintable
    ├── ExplorationFailed                                        exploration stopped on a failure that is no verdict
    ├── ConformanceFailure (also an AssertionError)              an implementation did not do what its model says
    ├── ExportError                                              an exporter cannot translate the input
    │   └── TlaUnsupported, GraphTooLarge
    ├── ToolError                                                an external program failed
    │   ├── TlcError
    │   └── ToolMissing                                          ... or is not installed or configured
    │       └── GraphvizNotInstalled
    └── CommandLineError                                         the command line (statecharts_cli)
        └── UsageError, TargetError, SessionError

The classes of the upper layers live beside the code that raises them; the bases live here so that
every layer (and a user) can catch a whole branch. The engine's private control-flow signals
(``_NoChoice``, ``_Abort`` in statecharts.engine.values) are no errors: they never leave the engine.
"""

from __future__ import annotations


class StatechartError(Exception):
    """Base class of every error this package raises on purpose."""


class ChartDefinitionError(StatechartError):
    """A chart is malformed: raised when it is built, naming the offending element's path."""

    def __init__(self, path: str, problem: str, hint: str | None = None) -> None:
        self.path = path
        self.problem = problem
        self.hint = hint
        text = f"{path}: {problem}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)


class ExpressionError(StatechartError):
    """An expression could not be parsed or refers to something unknown.

    ``problem`` says what is wrong, ``hint`` (optional) how to fix it; a chart that wraps
    the error in a ChartDefinitionError keeps both.
    """

    def __init__(self, problem: str, hint: str | None = None) -> None:
        self.problem = problem
        self.hint = hint
        super().__init__(f"{problem} ({hint})" if hint else problem)


class ExecutionError(StatechartError):
    """User code (a guard or an action) raised while a macrostep ran.

    Names the transition (or state entry/exit) and the active configuration; the
    interpreter's last good state is left untouched.
    """

    def __init__(self, where: str, configuration: tuple[str, ...], cause: BaseException) -> None:
        self.where = where
        self.configuration = configuration
        self.cause = cause
        super().__init__(
            f"{where} raised {type(cause).__name__}: {cause} "
            f"(active configuration: {', '.join(configuration) or '-'})"
        )


class UnknownEventError(StatechartError):
    """An event name that no transition of the chart can ever match (strict mode only)."""


class InfiniteMacrostepError(StatechartError):
    """A macrostep did not become stable within the chart's ``max_microsteps`` microsteps.

    ``cycle`` holds the labels of the transitions that repeat (or the last ones taken when
    none repeat), ``event`` the event that started the macrostep (None: the chart's start).
    """

    def __init__(self, chart: str, limit: int, cycle: tuple[str, ...], repeats: bool, configuration: tuple[str, ...], event: str | None) -> None:
        self.chart = chart
        self.limit = limit
        self.cycle = cycle
        self.repeats = repeats
        self.configuration = configuration
        self.event = event
        trigger = "starting the chart" if event is None else f"processing event {event!r}"
        shown = ", then ".join(cycle)
        what = f"it repeats the transitions: {shown}" if repeats else f"the last transitions taken: {shown}"
        super().__init__(
            f"chart {chart!r}: {trigger} took more than {limit} microsteps without becoming stable; {what} "
            f"(active configuration: {', '.join(configuration) or '-'}). Break the cycle with a guard or a state change, "
            f"or give Chart(max_microsteps=...) a larger bound if the macrostep is long but finite"
        )


class NondeterminismError(StatechartError):
    """A Python callable (guard or action) gave different results for the same inputs.

    The explorer and the memo assume a step is a function of its inputs: a random or
    stateful callable would make verdicts differ between runs, so it is refused by name.
    """

    def __init__(self, where: str, detail: str) -> None:
        self.where = where
        self.detail = detail
        super().__init__(
            f"{where} is not deterministic: {detail} (a guard or action must depend only on the context and the event; "
            f"keep randomness and outside state out of it, or model the choice with choose())"
        )


class ChoiceExplosionError(StatechartError):
    """One macrostep's ``choose`` points gave more alternatives than the engine enumerates (``limit``)."""

    def __init__(self, chart: str, limit: int, event: str | None) -> None:
        self.chart = chart
        self.limit = limit
        self.event = event
        trigger = "starting the chart" if event is None else f"processing event {event!r}"
        super().__init__(
            f"chart {chart!r}: {trigger} has more than {limit} alternatives (its choose() points multiply); "
            f"use smaller choose() domains, or fewer choose() points in one macrostep"
        )


class ModelError(StatechartError):
    """A system is malformed (unknown actor, unknown event, bad property): names the element."""


class ExportError(StatechartError):
    """An exporter cannot translate its input faithfully; the message names the construct and what to change."""


class ToolError(StatechartError):
    """An external program (TLC, Graphviz) failed; the message says what it reported and what to do."""


class ToolMissing(ToolError):
    """An external program a command needs is not installed or not configured; the message says how to install it."""


class CommandLineError(StatechartError):
    """The command line cannot do what was asked (a bad argument, a target that does not load, a bad session line)."""
