"""Parallel explorer benchmark: 1 and 2 workers (processes and Ray) against TLC -workers 1 and 2, in one run.

Targets: TwoPhase commit with N resource managers (default 8), and the flagship's fixed design
(safety properties: liveness runs in one process), with 1 and 2 workers as processes and as Ray
actors. Each of our runs is a fresh subprocess, so peak memory is its own: bytes per distinct state
count the coordinator and every worker above its own baseline plus the batches in flight (files in
/dev/shm, which no RSS shows), and the fingerprints and parent links alone. TLC (``TLA2TOOLS``)
checks ``benchmarks/tla/TwoPhaseHand.tla`` with ``-workers 1`` and ``-workers 2``.

On a shared machine wall time is noise, so each run also reports CPU seconds: for a sharded run the
critical path is roughly the coordinator's CPU plus the busiest shard's, and "CPU ratio" is the
one-worker run's CPU over that. The last lines project 16 and 64 workers from the measured shard CPU
and per-batch exchange cost: a projection, not a measurement.

    python benchmarks/bench_parallel.py                 # TwoPhase N=8 and the fixed gateway, each run 3 times
    python benchmarks/bench_parallel.py --n 7 --no-gateway --no-ray --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import dataclasses, json, resource, sys, time
sys.path.insert(0, {root!r})
from simulate import explore
from simulate.properties import Eventually, LeadsTo
if {target!r} == "twophase":
    from examples.two_phase import system
    s = system({n})
else:
    from examples.websocket_gateway.model import build
    s = build("fixed")
s = dataclasses.replace(s, properties=[p for p in s.properties if not isinstance(p, (Eventually, LeadsTo))])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
cpu0, wall0 = time.process_time(), time.perf_counter()
r = explore(s, workers={workers}, engine={engine!r})
cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(distinct=r.stats.distinct_states, generated=r.stats.states_generated, depth=r.stats.max_depth,
                      wall=wall, cpu=cpu, peak_kib=peak, base_kib=base, status=r.status, shards=r.shards,
                      collision=r.fingerprint_collision_probability, bits=r.fingerprint_bits)))
"""


def ours(target: str, n: int, workers: int, engine: str) -> dict[str, Any]:
    """One exploration in a fresh subprocess, with its measurements."""
    code = CHILD.format(root=str(ROOT), target=target, n=n, workers=workers, engine=engine)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    data: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    above = (data["peak_kib"] - data["base_kib"]) * 1024
    shards = data["shards"]
    if shards:
        # each worker's peak above its own baseline (a forked worker starts from the coordinator's pages, a Ray actor
        # from its interpreter and Ray), and the batches of the busiest level, which live in files or Ray's object store
        above += sum(max(0, sh["peak_kib"] - sh["base_kib"]) * 1024 + sh["batch_bytes"] for sh in shards)
        data["critical_cpu"] = data["cpu"] + max(sh["cpu_expand"] + sh["cpu_receive"] for sh in shards)
    else:
        data["critical_cpu"] = data["cpu"]
    data["bytes_per_state"] = above / data["distinct"]
    data["store_bytes_per_state"] = sum(sh["store"] + sh["links"] for sh in shards) / data["distinct"] if shards else None
    return data


def tlc_hand(n: int, jar: str, workers: int) -> dict[str, Any]:
    """TLC on the hand-written TwoPhase spec with n resource managers."""
    from exporters.tlc import run_tlc

    tla = Path(__file__).parent / "tla" / "TwoPhaseHand.tla"
    cfg = "CONSTANT RM = {" + ", ".join(f"r{i}" for i in range(n)) + "}\nINIT Init\nNEXT Next\nINVARIANT TCConsistent\n"
    wall0 = time.perf_counter()
    result = run_tlc((tla, tla), jar=jar, timeout=3600, cfg=cfg, workers=workers)
    return {"distinct": result.distinct_states, "wall": time.perf_counter() - wall0, "verdict": result.verdict}


def projection(run: dict[str, Any]) -> tuple[dict[int, float], dict[str, float]]:
    """Seconds for W workers (a model, not a measurement), from a measured run with several shards.

    The shards' CPU (less the time spent writing and reading batches) divides W ways. A shard sends a batch per
    owner for every chunk of successors it gathers (the states received in all, over ``CHUNK``, spread over the
    shards) and one more per owner at the end of each level, and reads as many; the one to itself stays in memory,
    so 2 (received / CHUNK + levels * W) (W - 1) / W batches a shard cross the exchange, at the measured cost per
    batch. Each level the coordinator makes two round trips, at its
    measured CPU per level.
    """
    from simulate.shard import CHUNK

    shards = run["shards"]
    levels = run["depth"] + 1
    batches = sum(sh["batches"] for sh in shards)
    per_batch = sum(sh["batch_seconds"] for sh in shards) / batches if batches else 0.0
    work = sum(sh["cpu_expand"] + sh["cpu_receive"] for sh in shards) - sum(sh["batch_seconds"] for sh in shards)
    received = sum(sh["received"] for sh in shards)
    per_level = run["cpu"] / levels
    model = {"work": work, "per_batch": per_batch, "per_level": per_level, "levels": levels}
    return {w: work / w + 2 * per_batch * (received / CHUNK + levels * w) * (w - 1) / w + levels * per_level for w in (16, 64)}, model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=8, help="resource managers in TwoPhase")
    parser.add_argument("--no-gateway", action="store_true", help="skip the flagship's fixed design")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray runs")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each configuration, interleaved; each row is the run of median wall time (default 3)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    jar = os.environ.get("TLA2TOOLS")
    engines = [(1, "processes"), (2, "processes")] + ([] if args.no_ray else [(1, "ray"), (2, "ray")])
    targets = [("twophase", f"TwoPhase N={args.n}")] + ([] if args.no_gateway else [("gateway", "gateway fixed (safety)")])
    report: dict[str, Any] = {"targets": {}, "load_before": os.getloadavg()}
    if not args.json:
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    bad = False
    for target, title in targets:
        runs: dict[str, list[dict[str, Any]]] = {}
        for _ in range(max(1, args.repeat)):  # round robin, so that a noisy minute hits every configuration alike
            for w, e in engines:
                runs.setdefault(f"{w} {e}", []).append(ours(target, args.n, w, e))
            if target == "twophase" and jar:
                for w in (1, 2):
                    runs.setdefault(f"TLC -workers {w}", []).append(tlc_hand(args.n, jar, w))
        rows = {name: _median(rs) for name, rs in runs.items()}
        report["targets"][title] = rows
        counts = {k: r["distinct"] for k, r in rows.items()}
        if len(set(counts.values())) != 1:
            print(f"ERROR: {title}: distinct-state counts differ: {counts}", file=sys.stderr)
            bad = True
        if not args.json:
            _print(title, rows, jar is not None and target == "twophase")
    report["load_after"] = os.getloadavg()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not jar:
        print("TLC: skipped: TLA2TOOLS not set")
    return 1 if bad else 0


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median wall time, with every run's wall time (sorted) beside it."""
    ordered = sorted(runs, key=lambda r: r["wall"])
    return {**ordered[(len(ordered) - 1) // 2], "walls": [r["wall"] for r in ordered]}


def _print(title: str, rows: dict[str, dict[str, Any]], with_tlc: bool) -> None:
    print(f"\n{title}")
    print(
        f"{'run':>16} {'distinct':>10} {'wall s':>8} {'CPU s':>8} {'states/s':>10} {'B/state':>8} {'store B/st':>10} "
        f"{'wall ratio':>10} {'CPU ratio':>10}"
    )
    one = rows["1 processes"]
    for name, r in rows.items():
        bps = f"{r['bytes_per_state']:>8.0f}" if "bytes_per_state" in r else f"{'':>8}"
        store = f"{r['store_bytes_per_state']:>10.1f}" if r.get("store_bytes_per_state") else f"{'':>10}"
        cpu = f"{r['critical_cpu']:>8.2f}" if "critical_cpu" in r else f"{'':>8}"
        cpu_ratio = f"{one['critical_cpu'] / r['critical_cpu']:>10.2f}" if "critical_cpu" in r else f"{'':>10}"
        spread = f"  (runs {', '.join(f'{w:.2f}' for w in r['walls'])} s)" if len(r.get("walls", [])) > 1 else ""
        print(
            f"{name:>16} {r['distinct']:>10,} {r['wall']:>8.2f} {cpu} {r['distinct'] / r['wall']:>10,.0f} {bps} {store} "
            f"{one['wall'] / r['wall']:>10.2f} {cpu_ratio}{spread}"
        )
    if with_tlc:
        for run in ("1 processes", "2 processes", "2 ray"):
            if run in rows:
                print(f"  {run} vs TLC -workers {run[0]} (wall): {rows[f'TLC -workers {run[0]}']['wall'] / rows[run]['wall']:.2f}x")
    two = rows.get("2 processes")
    if two and two["shards"]:
        print(f"  fingerprints: {two['bits']}-bit, collision probability (optimistic, as TLC calculates it) {two['collision']:.1e}")
        for no, sh in enumerate(two["shards"]):
            print(
                f"  shard {no}: {sh['states']:,} states, CPU {sh['cpu_expand']:.2f} s expanding + {sh['cpu_receive']:.2f} s receiving, "
                f"{sh['received']:,} states received, peak RSS {sh['peak_kib'] / 1024:.0f} MiB ({(sh['peak_kib'] - sh['base_kib']) / 1024:.0f} above "
                f"its start), frontier+batches peak {sh['rows_peak'] / 2**20:.1f} MiB, batches in flight {sh['batch_bytes'] / 2**20:.1f} MiB"
            )
        proj, m = projection(two)
        print(
            f"  projection (a model, not a measurement): {m['work']:.1f} CPU-s of shard work, {m['per_batch'] * 1000:.1f} ms per batch "
            f"written or read, {m['per_level'] * 1000:.0f} ms of coordinator per level over {m['levels']} levels: "
            f"16 workers ~{proj[16]:.1f} s, 64 workers ~{proj[64]:.1f} s (with many workers the batches dominate, above all the one "
            "every shard sends every owner at the end of a level, which carries the values it interned: W per shard per level)"
        )


if __name__ == "__main__":
    raise SystemExit(main())
