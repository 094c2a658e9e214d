"""Regression checks for the example models: exact verdicts, distinct-state counts, trace lengths.

Where a TLC figure exists for the same spec it is asserted and cited; the other counts are
the explorer's measured numbers, kept as regression checks.
"""

from __future__ import annotations

import pytest

from simulate import Result, explore


def verdicts(result: Result) -> dict[str, str]:
    """Property name -> status."""
    return {v.name: v.status for v in result.verdicts}


def steps(result: Result, name: str) -> int:
    """The length of a verdict's trace."""
    trace = result.verdict(name).trace
    assert trace is not None, name
    return len(trace)


# --------------------------------------------------------------------------- bank transfer


@pytest.mark.parametrize(
    ("variant", "states", "expected"),
    [
        # TLC 2.18 on the PlusCal wire specs without invariants: 720, 457, 112 distinct states
        ("racy", 720, {"MoneyConserved": "violated", "NoOverdrafts": "holds", "deadlock": "holds"}),
        ("check_then_act", 457, {"MoneyConserved": "holds", "NoOverdrafts": "violated", "deadlock": "holds"}),
        ("atomic", 112, {"MoneyConserved": "holds", "NoOverdrafts": "holds", "deadlock": "holds"}),
    ],
)
def test_bank_transfer(variant: str, states: int, expected: dict[str, str]) -> None:
    from examples import bank_transfer

    result = explore(bank_transfer.build(variant))
    assert result.complete
    assert result.stats.distinct_states == states
    assert verdicts(result) == expected
    for name, status in expected.items():
        if status == "violated":
            assert steps(result, name) == 4
