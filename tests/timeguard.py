"""A wall-clock guard for tests of bounds: a regression fails with a message instead of hanging the run."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


class Hung(AssertionError):
    """The guarded block ran past its time limit."""


@contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Fail (raise Hung) if the block runs longer than ``seconds`` (SIGALRM: main thread, POSIX)."""

    def fire(signum: int, frame: object) -> None:
        raise Hung(f"{what} did not return within {seconds} s (it should end with a named error)")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
