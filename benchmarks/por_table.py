"""Partial-order reduction per example: distinct states and seconds with and without it (the README table).

Run: ``python benchmarks/por_table.py [--flagship | --mutations]``: the examples, the gateway's designs, or the
fixed design's mutations. Liveness properties are left out of the gateway (they are explored without
reduction); symmetry is off (the two are not combined yet).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from simulate import System, explore


def systems(flagship: bool, mutations: bool = False) -> dict[str, Callable[[], System]]:
    from examples import distributed_lock, leader_election, log_sync, throttling, two_phase, two_phase_commit
    from examples.websocket_gateway.model import DESIGNS, MUTATIONS
    from examples.websocket_gateway.model import build as gateway

    if mutations:
        return {f"websocket_gateway[fixed/{m}]": (lambda m=m: gateway("fixed", mutation=m, liveness=False)) for m in MUTATIONS}
    if flagship:
        return {f"websocket_gateway[{d}]": (lambda d=d: gateway(d, liveness=False)) for d in DESIGNS}
    return {
        "two_phase (N=3)": lambda: two_phase.system(3),
        "two_phase (N=4)": lambda: two_phase.system(4),
        "two_phase_commit (durable)": lambda: two_phase_commit.build("durable"),
        "distributed_lock (queue)": lambda: distributed_lock.build("queue"),
        "leader_election (raft)": lambda: leader_election.build("raft", symmetry=False),
        "log_sync (fixed)": lambda: log_sync.build("fixed"),
        "throttling (2 clients)": throttling.build_multi,
    }


def main() -> None:
    flagship = "--flagship" in sys.argv
    mutations = "--mutations" in sys.argv
    print("| system | states | seconds | states with POR | seconds with POR | fewer states | same verdicts |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, make in systems(flagship, mutations).items():
        row = []
        verdicts = []
        for reduce in (None, "por"):
            s = make()
            s.symmetry = False
            t = time.perf_counter()
            r = explore(s, reduce=reduce, max_seconds=1200)
            row.append((r.stats.distinct_states, time.perf_counter() - t, r.complete))
            verdicts.append([(v.name, v.status) for v in r.verdicts])
        (a, ta, ca), (b, tb, cb) = row
        same = "yes" if verdicts[0] == verdicts[1] and ca and cb else ("incomplete" if not (ca and cb) else "NO")
        print(f"| {name} | {a:,} | {ta:.1f} | {b:,} | {tb:.1f} | {a / max(b, 1):.1f}x | {same} |", flush=True)


if __name__ == "__main__":
    main()
