"""Explore the WebSocket gateway designs and print verdicts and counterexamples.

    python -m examples.websocket_gateway                     # the naive design
    python -m examples.websocket_gateway --design all        # the four designs and the mutations
    python -m examples.websocket_gateway --design fixed --mutation early-flip
    python -m examples.websocket_gateway --design fixed --quick --faithful --amend --assume-message-ok   # the final design: exits 0

Each design is checked twice (see ``checks``): the safety properties and reachability
goals with the document's bounds, and the liveness properties L1/L2 on a reduced bound
(no duplicate delivery, no frame, no out-of-band call), because liveness keeps the whole
state graph in memory. ``main`` is a pipeline of small steps (parse, build, explore,
report) so that diagram and TLA+ output can be added as further steps.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from simulate import Result, explore

from .model import AMENDMENTS, DESIGNS, FINAL, FINAL_SITES, MUTATIONS, SPEC, build

SAFETY_BOUNDS: dict[str, Any] = {"liveness": False}
"""The document's bounds, without L1/L2: every safety property and reachability goal."""

LIVENESS_BOUNDS: dict[str, Any] = {"liveness": True, "duplicates": 0, "frames": 0, "oob": 0}
"""The reduced bound on which L1/L2 are checked (the state graph is kept for the SCC analysis)."""


@dataclass
class Check:
    """One exploration: which design/mutation, with which bounds, and its result once run."""

    design: str
    mutation: str | None
    bounds: dict[str, Any]
    label: str
    result: Result | None = field(default=None, repr=False)
    error: str = ""


FAITHFUL: dict[str, Any] = {"worded": True, "crash_in": ("connect", "connect-asking", "message", "disconnect", "runner"), "lose": True}
"""The specification's wording and fault model (``--faithful``): a crash at any call of any lambda, a lost ``$disconnect``."""


def checks(design: str, mutation: str | None = None, quick: bool = False, faithful: bool = False, extra: dict[str, Any] | None = None) -> list[Check]:
    """The explorations that make up the verdict of one design (or mutation); ``quick`` uses the reduced bound only;
    ``extra`` are further bounds (amendments, the specification's other switches)."""
    safety = {**LIVENESS_BOUNDS, "liveness": False} if quick else dict(SAFETY_BOUNDS)
    what = ", the specification's wording and fault model" if faithful else ""
    extra = {**(FAITHFUL if faithful else {}), **(extra or {})}
    if extra.get("amend"):
        what += ", amended: " + ", ".join(extra["amend"])
    return [
        Check(design, mutation, {**safety, **extra}, "safety and reachability, " + ("reduced bounds" if quick else "document bounds") + what),
        Check(design, mutation, {**LIVENESS_BOUNDS, **extra}, "liveness L1/L2, reduced bounds" + what),
    ]


def run(check: Check, max_seconds: float | None = None) -> Check:
    """Build and explore one check (BFS: counterexamples are shortest); an explorer failure is kept, not raised."""
    try:
        check.result = explore(build(check.design, mutation=check.mutation, **check.bounds), max_seconds=max_seconds)
    except Exception as e:  # report and go on with the other checks
        check.error = f"{type(e).__name__}: {e}"
    return check


def report(check: Check, traces: bool = True, out: Any = None) -> None:
    """Print the verdicts and, for each violated property, its counterexample trace."""
    out = out or sys.stdout
    result = check.result
    print(f"== {check.label}", file=out)
    if result is None:
        print(f"the explorer failed: {check.error}\n", file=out)
        return
    print(result.summary(), file=out)
    if not traces:
        return
    for v in result.verdicts:
        if v.status == "violated" and v.trace is not None:
            print(f"\n-- counterexample to {v.name} ({len(v.trace)} steps)", file=out)
            print(v.trace.format(), file=out)
    print(file=out)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m examples.websocket_gateway", description=__doc__.split("\n")[0])
    p.add_argument("--design", choices=[*DESIGNS, "all"], default="naive", help="which design to explore (default: naive)")
    p.add_argument("--mutation", choices=list(MUTATIONS), help="a mutation of the fixed design")
    p.add_argument(
        "--faithful",
        action="store_true",
        help="the specification's wording (S1 with CLOSE, S2 over the gateway's state) and crashes in every lambda and the runner",
    )
    p.add_argument(
        "--amend",
        nargs="*",
        choices=list(AMENDMENTS),
        help=f"amendments of the fixed design (without names: the final design's, {' '.join(FINAL)})",
    )
    p.add_argument(
        "--assume-message-ok",
        action="store_true",
        help="no crash of the message lambda (the assumption the final design rests on: its answer's commands are at most once)",
    )
    p.add_argument("--spec", action="store_true", help="also the specification's other parts: c2, every control call, the idle timeout, overlapping duplicates")
    p.add_argument("--no-traces", action="store_true", help="print verdicts only")
    p.add_argument("--quick", action="store_true", help="check safety on the reduced bound too (seconds instead of minutes)")
    p.add_argument("--max-seconds", type=float, default=None, help="stop each exploration after this long (the verdict is then incomplete)")
    p.add_argument("--out", default="out/websocket_gateway", help="where diagrams, sequence charts and TLA+ go (default: out/websocket_gateway)")
    p.add_argument("--no-artifacts", action="store_true", help="do not write diagrams or TLA+")
    return p.parse_args(argv)


def targets(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    """(design, mutation) pairs selected on the command line (amendments select the fixed design)."""
    if args.amend is not None:
        return [("fixed", args.mutation)]
    if args.mutation:
        return [("fixed", args.mutation)]
    if args.design == "all":
        return [(d, None) for d in DESIGNS] + [("fixed", m) for m in MUTATIONS]
    return [(args.design, None)]


def extra(args: argparse.Namespace) -> dict[str, Any]:
    """The bounds the options add: amendments, the specification's other switches, the message-lambda assumption."""
    more: dict[str, Any] = {}
    if args.spec:
        more.update({k: v for k, v in SPEC.items() if k not in ("crash_in", "worded")})
    if args.amend is not None:
        more["amend"] = tuple(args.amend) or FINAL
    if args.assume_message_ok:
        more["crash_in"] = FINAL_SITES
    return more


def status(checks_run: Sequence[Check]) -> int:
    """The exit status, as ``statecharts check`` gives it: 1 if any check reported a violation (or its explorer failed),
    else 2 if any was cut short by a limit, else 0. The naive, deferred and grace-retry designs and every mutation
    are expected to exit 1: that is their finding."""
    if any(c.result is None or c.result.status in ("violated", "failed") for c in checks_run):
        return 1
    if any(c.result is not None and c.result.status != "ok" for c in checks_run):
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Explore the selected designs; the exit status says whether violations were reported (see :func:`status`)."""
    args = parse(argv)
    done: list[Check] = []
    for design, mutation in targets(args):
        title = design + (f" / mutation {mutation}: {MUTATIONS[mutation]}" if mutation else "")
        print(f"#### {title}\n")
        for k, check in enumerate(checks(design, mutation, args.quick, args.faithful, extra(args))):
            run(check, args.max_seconds)
            report(check, traces=not args.no_traces)
            if not args.no_artifacts and check.result is not None:
                from examples._artifacts import slug, write_artifacts

                where = f"{args.out}/{slug(design + ('-' + mutation if mutation else ''))}/{'safety' if k == 0 else 'liveness'}"
                write_artifacts(build(check.design, mutation=check.mutation, **check.bounds), check.result, where, tla=k == 0)
            done.append(check)
    code = status(done)
    verdict = {
        0: "no violation reported (exit status 0)",
        1: "violations reported (exit status 1)",
        2: "no violation found, but exploration was incomplete (exit status 2)",
    }
    print(f"#### {verdict[code]}")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
