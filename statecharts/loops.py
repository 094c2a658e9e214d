"""Bounds of one macrostep: its microsteps (a runaway cycle, named) and its ``choose`` alternatives."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .errors import ChoiceExplosionError, InfiniteMacrostepError

DEFAULT_MAX_MICROSTEPS = 1000
"""Microsteps a macrostep may take before it is declared infinite (``Chart(max_microsteps=...)``)."""

MAX_ALTERNATIVES = 10_000
"""Replays (``choose`` decision sequences) one macrostep may enumerate: its alternatives multiply."""


def repeating_tail(taken: Sequence[int]) -> tuple[tuple[int, ...], bool]:
    """The shortest block that ends ``taken`` and repeats at least three times, with True; else the last 10, False."""
    n = len(taken)
    for p in range(1, n // 3 + 1):
        block = list(taken[n - p :])
        if block == list(taken[n - 2 * p : n - p]) == list(taken[n - 3 * p : n - 2 * p]):
            return tuple(block), True
    return tuple(taken[-10:]), False


def infinite_macrostep(
    chart: str, limit: int, taken: Sequence[int], label: Callable[[int], str], configuration: tuple[str, ...], event: str | None
) -> InfiniteMacrostepError:
    """The error for a macrostep that exceeded ``limit`` microsteps, naming its cycle of transitions."""
    block, repeats = repeating_tail(taken)
    return InfiniteMacrostepError(chart, limit, tuple(label(i) for i in block), repeats, configuration, event)


def choice_explosion(chart: str, limit: int, event: str | None) -> ChoiceExplosionError:
    """The error for a macrostep whose ``choose`` alternatives exceed ``limit``."""
    return ChoiceExplosionError(chart, limit, event)
