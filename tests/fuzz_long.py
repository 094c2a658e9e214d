"""The long fuzz run: random inputs of every family for a while, then counts (not part of CI).

    python tests/fuzz_long.py --minutes 30 [--family chart] [--seed 1] [--budget 20]

Prints inputs tried, outcomes by family, allowed errors by type, internal crashes and hangs
(each distinct failure once: its type, where it happened, and the smallest input seen).
Exits 1 when there was any crash or hang. Generation only (no shrinking): replay an input
with ``fuzz_harness.run_isolated`` or let ``tests/test_fuzz.py`` shrink it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import fuzz_harness
from fuzz_strategies import chart_events, chart_sources, explore_options, exporter_options, scxml_documents, system_sources, transitions_definitions
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hseed
from hypothesis import strategies as st

STRATEGIES: dict[str, Any] = {
    "chart": st.tuples(chart_sources(), chart_events()),
    "scxml": st.tuples(scxml_documents(), chart_events()),
    "pytransitions": st.tuples(transitions_definitions(), chart_events()),
    "system": st.tuples(system_sources(), explore_options()),
    "exporters": st.tuples(chart_sources(odd_ids=True, allow_bad=False), exporter_options()).map(lambda t: (t[0], *t[1])),
}


class Tally:
    """Counts of outcomes, and the smallest input per distinct failure."""

    def __init__(self) -> None:
        self.tried: Counter[str] = Counter()
        self.kinds: Counter[tuple[str, str]] = Counter()
        self.errors: Counter[str] = Counter()
        self.failures: dict[str, tuple[str, fuzz_harness.Outcome, Any]] = {}
        self.failure_counts: Counter[str] = Counter()

    def add(self, family: str, args: tuple[Any, ...], out: fuzz_harness.Outcome) -> None:
        self.tried[family] += 1
        self.kinds[(family, out.kind)] += 1
        if out.kind == "error":
            self.errors[out.type] += 1
        elif out.kind in ("crash", "hang"):
            key = f"{family} {out.key}"
            self.failure_counts[key] += 1
            old = self.failures.get(key)
            if old is None or len(repr(args)) < len(repr(old[2])):
                self.failures[key] = (family, out, args)

    def report(self) -> str:
        lines = [f"inputs tried: {sum(self.tried.values())}"]
        for fam in STRATEGIES:
            if self.tried[fam]:
                parts = ", ".join(f"{k} {self.kinds[(fam, k)]}" for k in ("ok", "error", "crash", "hang") if self.kinds[(fam, k)])
                lines.append(f"  {fam}: {self.tried[fam]} ({parts})")
        lines.append("allowed errors by type:")
        lines.extend(f"  {t}: {n}" for t, n in sorted(self.errors.items()))
        crashes = sum(n for (_, k), n in self.kinds.items() if k == "crash")
        hangs = sum(n for (_, k), n in self.kinds.items() if k == "hang")
        lines.append(f"internal crashes: {crashes}")
        lines.append(f"hangs: {hangs}")
        lines.append(f"distinct failures: {len(self.failures)}")
        for key in sorted(self.failures):
            fam, out, args = self.failures[key]
            text = repr(args)
            lines.append(f"--- {key} (x{self.failure_counts[key]})")
            lines.append(f"    input: {text[:1500]}{' ...' if len(text) > 1500 else ''}")
            last = [ln for ln in out.detail.strip().splitlines() if ln.strip()][-3:]
            lines.extend(f"    {ln}" for ln in last)
        return "\n".join(lines)


def _batch(fam: str, tally: Tally, stop: float, budget: float) -> Any:
    """Up to 50 random inputs of one family (generation only), each run in a forked child."""

    @settings(max_examples=50, deadline=None, database=None, phases=[Phase.generate], derandomize=False, suppress_health_check=list(HealthCheck))
    @given(STRATEGIES[fam])
    def batch(args: tuple[Any, ...]) -> None:
        if time.monotonic() < stop:
            tally.add(fam, args, fuzz_harness.run_isolated(fam, *args, budget=budget))

    return batch


def run(minutes: float, families: list[str], budget: float, seed: int | None) -> Tally:
    """Rounds of batches over the families until the time is up."""
    tally = Tally()
    stop = time.monotonic() + minutes * 60
    for round_no in range(1_000_000):
        for k, fam in enumerate(families):
            if time.monotonic() >= stop:
                return tally
            batch = _batch(fam, tally, stop, budget)
            if seed is not None:  # a reproducible run: each batch from its own seed
                batch = hseed(seed * 1_000_003 + round_no * 31 + k)(batch)
            batch()
    return tally


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--family", action="append", choices=list(STRATEGIES), help="repeatable; default: every family")
    ap.add_argument("--budget", type=float, default=20.0, help="seconds per input before it counts as a hang")
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args(argv)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    tally = run(a.minutes, a.family or list(STRATEGIES), a.budget, a.seed)
    print(tally.report())
    crashes_or_hangs = sum(n for (_, k), n in tally.kinds.items() if k in ("crash", "hang"))
    return 1 if crashes_or_hangs else 0


if __name__ == "__main__":
    sys.exit(main())
