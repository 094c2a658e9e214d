"""Errors raised by the statechart core; each names the element at fault and how to fix it."""

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
