"""Durations ("250ms", "1.5s", 10): parsed exactly to whole milliseconds, the unit of the model's clock.

One parser for ``State(after=...)`` and SCXML ``<send delay=...>``: a value is read as an
exact fraction (never a float, so "1e400s" cannot overflow and "1.0005s" is not rounded),
and one that is not a whole number of milliseconds, negative, or beyond
``MAX_DELAY_MS`` is refused with a message the caller puts under the element's name.
"""

from __future__ import annotations

import re
from fractions import Fraction

from .errors import StatechartError

__all__ = ["DURATION_HINT", "MAX_DELAY_MS", "DurationProblem", "duration_ms"]

MAX_DELAY_MS = 2**53 - 1
"""The longest delay (about 285,000 years): the largest integer JSON readers and floats keep exact."""

DURATION_HINT = "write a whole number of milliseconds: 250, '250ms', '2s', '1.5s', '0.5m', '1h' or '1d'"

_DURATION = re.compile(r"^\s*([+-]?)(\d{1,40}(?:\.\d{0,40})?|\.\d{1,40})\s*(ms|s|m|h|d)?\s*$")
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, None: 1}


class DurationProblem(StatechartError, ValueError):
    """What is wrong with a duration (the caller names the element and adds DURATION_HINT)."""


def duration_ms(value: object) -> int:
    """The number of milliseconds a duration denotes: an int (ms) or a string with an optional unit."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise DurationProblem(f"{value!r} is not a duration")
    if isinstance(value, int):
        ms = Fraction(value)
    else:
        m = _DURATION.match(value)
        if not m:
            raise DurationProblem(f"{value[:60]!r} is not a duration")
        sign, number, unit = m.groups()
        ms = Fraction(number) * _UNIT_MS[unit] * (-1 if sign == "-" else 1)
    if ms < 0:
        raise DurationProblem(f"{str(value)[:60]!r} is negative")
    if ms.denominator != 1:
        raise DurationProblem(f"{value!r} is not a whole number of milliseconds ({float(ms):g} ms)")
    if ms > MAX_DELAY_MS:
        raise DurationProblem(f"{str(value)[:60]!r} is longer than the largest delay, {MAX_DELAY_MS} ms")
    return int(ms)
