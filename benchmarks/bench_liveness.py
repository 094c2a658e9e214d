"""Liveness at scale: the flagship's final design with L1/L2, one process (CPU seconds, memory per state, analysis).

    python benchmarks/bench_liveness.py reduced            # the reduced bound (235,213 states): complete, verdicts
    python benchmarks/bench_liveness.py spec --seconds 300 # the specification's bounds, cut by the time limit;
                                                           # the analysis then runs on the explored part (timing only)

Run it under two checkouts (``PYTHONPATH=...``) to compare them side by side: it prints the search's distinct
states per CPU second, the resident memory per state after the search and at the peak (minus the memory held
before the search), and the CPU seconds of the liveness analysis.
"""

from __future__ import annotations

import argparse
import resource
import time
from typing import Any

from examples.websocket_gateway.model import FINAL, FINAL_SITES, SPEC, build
from simulate import explore
from simulate.explorer import search


def rss() -> int:
    """The resident memory of this process now (bytes)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bound", choices=["reduced", "spec"])
    ap.add_argument("--seconds", type=float, default=None)
    args = ap.parse_args()
    bounds: dict[str, Any] = {**SPEC, "crash_in": FINAL_SITES, "amend": FINAL, "liveness": True}
    if args.bound == "reduced":
        bounds.update(duplicates=0, frames=0, oob=0)
    seen: dict[str, float] = {}
    verdicts = search.Explorer._verdicts

    def timed(self: Any, complete: bool) -> Any:
        seen["search"] = time.process_time() - c0
        seen["rss"] = rss()
        t0 = time.process_time()
        out = verdicts(self, complete)
        if not complete and hasattr(self, "live_bits"):  # timing only: the analysis of the explored part
            for lp in self.live:
                self._liveness(lp.p, lp.q)
            self._live_graph_cache = None
        seen["analysis"] = time.process_time() - t0
        return out

    search.Explorer._verdicts = timed  # type: ignore[method-assign]
    system = build("fixed", **bounds)
    base = rss()
    c0 = time.process_time()
    result = explore(system, max_seconds=args.seconds)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    n = result.stats.distinct_states
    print(
        f"{args.bound}: {n:,} states, complete={result.complete}, search {seen['search']:.1f} CPU s ({n / seen['search']:,.0f} states/s), "
        f"{(seen['rss'] - base) / n:,.0f} B/state after the search, {(peak - base) / n:,.0f} B/state at the peak, "
        f"analysis {seen['analysis']:.1f} CPU s"
    )
    for v in result.verdicts:
        if v.kind in ("eventually", "leads_to"):
            print(f"  {v.name}: {v.status}")


if __name__ == "__main__":
    main()
