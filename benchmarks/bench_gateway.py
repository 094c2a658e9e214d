"""Flagship benchmark: the WebSocket gateway's designs, ours and TLC's on the same model, in one run.

For each design the explorer runs in a fresh subprocess over the whole state space with the
safety properties (invariants, reachability goals and deadlock; liveness is left out because
TLC checks it in a separate, much slower pass). When ``TLA2TOOLS`` points at tla2tools.jar,
TLC (``-workers 1``) checks the module our TLA+ exporter emits for the same design with the
invariants that hold and the goals never reached (so that it, too, explores everything), and
the table shows both and the ratio. The distinct-state counts must agree.

    python benchmarks/bench_gateway.py                       # naive and fixed
    python benchmarks/bench_gateway.py --designs fixed deferred --json
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
sys.argv = ["bench"]
from benchmarks.bench_gateway import safety_system
from simulate import explore
sys_ = safety_system({design!r})
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
wall0 = time.perf_counter()
r = explore(sys_)
wall = time.perf_counter() - wall0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
verdicts = {{v.name: (v.kind, v.status) for v in r.verdicts}}
print(json.dumps(dict(distinct=r.stats.distinct_states, generated=r.stats.states_generated, depth=r.stats.max_depth,
                      wall=wall, peak_kib=peak, base_kib=base, verdicts=verdicts)))
"""


def safety_system(design: str) -> Any:
    """The gateway system of one design with its liveness properties left out."""
    from dataclasses import replace

    from examples.websocket_gateway.model import build
    from simulate.properties import Eventually, LeadsTo

    system = build(design)
    return replace(system, properties=[p for p in system.properties if not isinstance(p, (Eventually, LeadsTo))])


def ours(design: str) -> dict[str, Any]:
    """Explore one design in a subprocess and return its measurements."""
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), design=design)], capture_output=True, text=True, check=True)
    data: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def tlc(design: str, verdicts: dict[str, list[str]], jar: str) -> dict[str, Any]:
    """Run TLC on the exported module of one design, checking what holds, and return its measurements."""
    from exporters.tla import to_tla
    from exporters.tlc import run_tlc

    system = safety_system(design)
    spec = to_tla(system)
    holds = [n for n, (k, s) in verdicts.items() if k == "invariant" and s == "holds"]
    unreached = [n for n, (k, s) in verdicts.items() if k == "sometimes" and s == "unreached"]
    deadlock = system.check_deadlock and verdicts.get("deadlock", ["deadlock", "holds"])[1] == "holds"
    cfg = spec.cfg_for(invariants=holds, sometimes=unreached, properties=[], deadlock=deadlock)
    wall0 = time.perf_counter()
    result = run_tlc(spec, jar=jar, timeout=7200, cfg=cfg)
    wall = time.perf_counter() - wall0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"distinct": result.distinct_states, "generated": result.states_generated, "verdict": result.verdict, "wall": wall, "peak_kib": after.ru_maxrss}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--designs", nargs="+", default=["naive", "fixed"], help="designs of examples/websocket_gateway")
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON")
    args = parser.parse_args(argv)
    jar = os.environ.get("TLA2TOOLS")
    rows = []
    if not args.json:
        print(f"{'design':<12} {'distinct':>10} {'ours s':>8} {'states/s':>9} {'MiB':>6} | {'TLC s':>8} {'states/s':>9} {'MiB':>6} | {'ratio':>6}")
    for design in args.designs:
        row: dict[str, Any] = {"design": design, "ours": ours(design)}
        if jar:
            row["tlc"] = tlc(design, row["ours"]["verdicts"], jar)
        rows.append(row)
        if not args.json:
            o = row["ours"]
            line = f"{design:<12} {o['distinct']:>10,} {o['wall']:>8.2f} {o['distinct'] / o['wall']:>9,.0f} {o['peak_kib'] / 1024:>6.0f}"
            t = row.get("tlc")
            if t is not None:
                agree = "" if t["distinct"] == o["distinct"] and t["verdict"] == "ok" else f"  (TLC: {t['distinct']} distinct, {t['verdict']}!)"
                line += f" | {t['wall']:>8.2f} {t['distinct'] / t['wall']:>9,.0f} {t['peak_kib'] / 1024:>6.0f} | {t['wall'] / o['wall']:>6.2f}{agree}"
            print(line, flush=True)
    if args.json:
        print(json.dumps({"tlc": "run" if jar else "skipped: TLA2TOOLS not set", "rows": rows}, indent=2))
    elif not jar:
        print("TLC: skipped: TLA2TOOLS not set (point it at tla2tools.jar to compare in the same run)")
    bad = [r["design"] for r in rows if "tlc" in r and (r["tlc"]["distinct"] != r["ours"]["distinct"] or r["tlc"]["verdict"] != "ok")]
    if bad:
        print(f"ERROR: TLC disagrees on {bad}: ours is wrong until proven otherwise", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
