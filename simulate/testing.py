"""Helpers for testing models with pytest.

    from simulate.testing import assert_holds

    def test_jugs():
        assert_holds(explore(system()), "Solvable")

A failing assertion's message is the readable trace of the first failing property.
"""

from __future__ import annotations

from .result import Result, Verdict

__all__ = ["assert_holds"]


def _explain(v: Verdict, result: Result) -> str:
    head = f"{v.kind} {v.name!r} {v.status}" + (f": {v.message}" if v.message else "")
    if v.status == "incomplete":
        head += f" (exploration incomplete: {result.limit or 'a limit was hit'})"
    if v.trace is None:
        return head
    return f"{head}\n{v.trace.format()}"


def assert_holds(result: Result, *names: str) -> None:
    """Assert that the named properties hold (goals: are reached); with no names, every property, and a complete exploration.

    Raises AssertionError whose message is the first failing property's verdict and its
    trace (``Trace.format()``), or, for an unknown name, the names of the properties.
    """
    __tracebackhide__ = True
    if names:
        known = {v.name: v for v in result.verdicts}
        missing = [n for n in names if n not in known]
        if missing:
            raise AssertionError(f"no property {', '.join(map(repr, missing))} in {result.system}; its properties: {', '.join(map(repr, known)) or 'none'}")
        selected = [known[n] for n in names]
    else:
        selected = list(result.verdicts)
    for v in selected:
        if not v.ok:
            raise AssertionError(f"{result.system}: {_explain(v, result)}")
    if not names and not result.complete:
        raise AssertionError(f"{result.system}: exploration incomplete ({result.limit}): the properties were not checked on the whole state space")
