"""Explorer benchmark: TwoPhase commit for N resource managers, ours and TLC's, in one run.

For each N the explorer runs in a fresh subprocess (so its peak RSS is its own) and
reports distinct states, seconds (wall and CPU), states/s and bytes per distinct state
(peak RSS above the interpreter's baseline after imports). When ``TLA2TOOLS`` points at
tla2tools.jar, TLC (``-workers 1``) checks the module our TLA+ exporter emits for the
same system, in the same run, and also ``benchmarks/tla/TwoPhaseHand.tla``, the protocol
written by hand as TLA+ users write it (TLC's best case: four variables, no network
encoding); the table shows all three and both ratios. TLC must agree on the distinct-state
count, or the benchmark says so loudly.

    python benchmarks/bench_explorer.py            # N = 5..8
    python benchmarks/bench_explorer.py --n 5 6 --json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
from examples.two_phase import system
from simulate import explore
sys_ = system({n})
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
cpu0, wall0 = time.process_time(), time.perf_counter()
r = explore(sys_)
cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(distinct=r.stats.distinct_states, generated=r.stats.states_generated, depth=r.stats.max_depth,
                      wall=wall, cpu=cpu, peak_kib=peak, base_kib=base, ok=r.ok)))
"""


def ours(n: int) -> dict[str, Any]:
    """Explore TwoPhase(n) in a subprocess and return its measurements."""
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), n=n)], capture_output=True, text=True, check=True)
    data: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    data["bytes_per_state"] = (data["peak_kib"] - data["base_kib"]) * 1024 / data["distinct"]
    return data


def tlc(n: int, jar: str) -> dict[str, Any]:
    """Run TLC on the exported TwoPhase(n) module and return its measurements."""
    from examples.two_phase import system
    from exporters.tla import to_tla
    from exporters.tlc import run_tlc

    spec = to_tla(system(n))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall0 = time.perf_counter()
    result = run_tlc(spec, jar=jar, timeout=3600)
    wall = time.perf_counter() - wall0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "distinct": result.distinct_states,
        "generated": result.states_generated,
        "verdict": result.verdict,
        "wall": wall,
        "cpu": cpu,
        "peak_kib": after.ru_maxrss,  # the largest child so far: TLC runs are in increasing N
    }


def tlc_hand(n: int, jar: str) -> dict[str, Any]:
    """Run TLC on the hand-written TwoPhase spec with n resource managers."""
    from exporters.tlc import run_tlc

    tla = Path(__file__).parent / "tla" / "TwoPhaseHand.tla"
    cfg = "CONSTANT RM = {" + ", ".join(f"r{i}" for i in range(n)) + "}\nINIT Init\nNEXT Next\nINVARIANT TCConsistent\n"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall0 = time.perf_counter()
    result = run_tlc((tla, tla), jar=jar, timeout=3600, cfg=cfg)
    wall = time.perf_counter() - wall0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"distinct": result.distinct_states, "generated": result.states_generated, "verdict": result.verdict, "wall": wall, "cpu": cpu}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[5, 6, 7, 8], help="numbers of resource managers")
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON")
    args = parser.parse_args(argv)
    jar = os.environ.get("TLA2TOOLS")
    rows = []
    for n in args.n:
        row: dict[str, Any] = {"n": n, "ours": ours(n)}
        if jar:
            row["tlc"] = tlc(n, jar)
            row["tlc_hand"] = tlc_hand(n, jar)
        rows.append(row)
        if not args.json:
            _print_row(row)
    if args.json:
        print(json.dumps({"tlc": "run" if jar else "skipped: TLA2TOOLS not set", "rows": rows}, indent=2))
    elif not jar:
        print("TLC: skipped: TLA2TOOLS not set (point it at tla2tools.jar to compare in the same run)")
    mismatches = [r["n"] for r in rows for k in ("tlc", "tlc_hand") if k in r and r[k]["distinct"] != r["ours"]["distinct"]]
    if mismatches:
        print(f"ERROR: TLC's distinct-state count differs for N = {mismatches}: ours is wrong until proven otherwise", file=sys.stderr)
        return 1
    return 0


_header_printed = False


def _print_row(row: dict[str, Any]) -> None:
    global _header_printed
    if not _header_printed:
        print(
            f"{'N':>2} {'distinct':>10} {'ours s':>7} {'cpu s':>7} {'states/s':>9} {'/cpu-s':>9} {'MiB':>6} {'B/state':>7}"
            f" | {'TLC s':>7} {'cpu s':>7} {'states/s':>9} {'/cpu-s':>9} {'MiB':>6} | {'ratio':>5} {'/cpu':>5}"
            f" | {'hand s':>7} {'states/s':>9} | {'ratio':>5}"
        )
        print("(TLC: on the module our exporter emits; hand: TLC on benchmarks/tla/TwoPhaseHand.tla; ratio: our states/s over TLC's)")
        _header_printed = True
    o = row["ours"]
    line = (
        f"{row['n']:>2} {o['distinct']:>10,} {o['wall']:>7.2f} {o['cpu']:>7.2f} {o['distinct'] / o['wall']:>9,.0f}"
        f" {o['distinct'] / o['cpu']:>9,.0f} {o['peak_kib'] / 1024:>6.0f} {o['bytes_per_state']:>7.0f}"
    )
    t = row.get("tlc")
    if t is not None:
        agree = "" if t["distinct"] == o["distinct"] else f"  (TLC: {t['distinct']} distinct!)"
        line += (
            f" | {t['wall']:>7.2f} {t['cpu']:>7.2f} {t['distinct'] / t['wall']:>9,.0f} {t['distinct'] / t['cpu']:>9,.0f}"
            f" {t['peak_kib'] / 1024:>6.0f} | {(o['distinct'] / o['wall']) / (t['distinct'] / t['wall']):>5.2f}"
            f" {(o['distinct'] / o['cpu']) / (t['distinct'] / t['cpu']):>5.2f}{agree}"
        )
    h = row.get("tlc_hand")
    if h is not None:
        agree = "" if h["distinct"] == o["distinct"] else f"  (TLC hand: {h['distinct']} distinct!)"
        line += f" | {h['wall']:>7.2f} {h['distinct'] / h['wall']:>9,.0f} | {(o['distinct'] / o['wall']) / (h['distinct'] / h['wall']):>5.2f}{agree}"
    print(line, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
