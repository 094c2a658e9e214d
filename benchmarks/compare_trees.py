"""One-worker explorer, two source trees, one run: CPU seconds on TwoPhase N, alternating old and new.

Each exploration runs in a fresh subprocess with ``PYTHONPATH`` set to its tree and measures
``time.process_time`` around ``explore`` (the machine's other load shows in wall time, less in
CPU time); the runs alternate (old, new, then new, old, ...) so that a drift in the machine's
load falls on both. Used to check that a refactoring of the explorer does not slow one worker:

    git archive BASE | tar -x -C /tmp/base
    python benchmarks/compare_trees.py /tmp/base . --n 7 --rounds 4 [--symmetry]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

CHILD = """
import json, time
from examples.two_phase import system
from simulate import explore
s = system({n}, symmetry={symmetry})
t = time.process_time()
r = explore(s)
print(json.dumps({{"cpu": time.process_time() - t, "states": r.stats.distinct_states, "generated": r.stats.states_generated}}))
"""


def run(tree: Path, n: int, symmetry: bool) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, "-c", CHILD.format(n=n, symmetry=symmetry)], cwd=tree, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--n", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--symmetry", action="store_true")
    args = ap.parse_args()
    trees = {"old": args.old.resolve(), "new": args.new.resolve()}
    cpu: dict[str, list[float]] = {"old": [], "new": []}
    for k in range(args.rounds):
        for name in ("old", "new") if k % 2 == 0 else ("new", "old"):
            got = run(trees[name], args.n, args.symmetry)
            cpu[name].append(got["cpu"])
            print(f"{name}: {got['cpu']:.2f} s CPU, {got['states']:,} states, {got['generated']:,} generated", flush=True)
    med = {name: sorted(v)[len(v) // 2] for name, v in cpu.items()}
    for name, v in cpu.items():
        print(f"{name}: min {min(v):.2f} s, median {med[name]:.2f} s over {len(v)} runs")
    print(f"new / old (medians): {med['new'] / med['old']:.3f}")


if __name__ == "__main__":
    main()
