"""``statecharts conform``: check that a log recorded from a real run is a behaviour of the model."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from .check import slug
from .console import jsonable, report_error

if TYPE_CHECKING:  # the command line reaches "up" into simulate and exporters, lazily
    from simulate.conform import ConformResult

OK, VIOLATED, INCOMPLETE, USAGE = 0, 1, 2, 4


def add_parser(command: Callable[..., argparse.ArgumentParser], names: str, positive: Callable[[str], int]) -> None:
    """The ``conform`` subcommand's arguments (``command`` adds a subcommand with TARGET, its NAME being ``names``)."""
    c = command(
        "conform",
        help="check that a log of a real run is a behaviour of the model",
        description="Check that a JSON-lines log recorded from a real run (docs/conform.md) is a behaviour of the system's model.",
        names=names,
    )
    c.add_argument("log", metavar="LOG.jsonl", help="the log: one JSON object per line (actor, event, from, data, state, context, sent)")
    c.add_argument("--max-gap", type=int, default=0, metavar="N", help="model steps that may happen unlogged before each entry (default 0)")
    c.add_argument(
        "--max-states", type=positive, default=200_000, help="bound on the model states considered for one entry (default 200000; beyond it the result is incomplete)"
    )
    c.add_argument("--out", default="statecharts-out", metavar="DIR", help="where to write the sequence chart of a divergence (default ./statecharts-out)")
    c.add_argument("--json", action="store_true", help="print machine-readable results (schema statecharts.conform/1) on stdout")


def exit_status(result: ConformResult) -> int:
    """0 when the log is a behaviour of the model, 1 when it diverges, 2 when the check was cut short."""
    return {"ok": OK, "diverged": VIOLATED}.get(result.status, INCOMPLETE)


def write_chart(result: ConformResult, system: Any, out_dir: Path) -> Path | None:
    """The sequence chart of the matched prefix and the failing entry, as SVG."""
    if result.ok:
        return None
    from exporters.graphviz import trace_svg

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{slug(result.system)}-conform.svg"
    path.write_text(trace_svg(result.verdict, system), encoding="utf-8")
    return path


def result_json(result: ConformResult, target: str, log: str, svg: Path | None) -> dict[str, Any]:
    failing = result.failing
    return {
        "schema": "statecharts.conform/1",
        "target": target,
        "log": log,
        "system": result.system,
        "status": result.status,
        "entries": len(result.entries),
        "matched": result.matched,
        "max_gap": result.max_gap,
        "message": result.message,
        "failing": None if failing is None else {"where": failing.where, "entry": failing.describe()},
        "candidates": [{"step": mv.describe(), "why": why} for mv, why in result.candidates],
        "allowed": [mv.describe() for mv in result.allowed],
        "trace": [{"index": s.index, "kind": s.kind, "actor": s.actor, "text": s.text} for s in result.trace.steps],
        "sequence_chart": str(svg) if svg is not None else None,
    }


def cmd_conform(args: argparse.Namespace, out: Console) -> int:
    """Load the target's System, read the log, follow it through the model, report."""
    from simulate.conform import LogError, validate

    from .targets import Target, find_system, load_module

    target = Target.parse(args.target)
    system = find_system(load_module(target.location), target)
    if args.max_gap < 0:
        report_error("usage error", f"--max-gap {args.max_gap}: give 0 or more unlogged steps")
        return USAGE
    try:
        result = validate(system, args.log, max_gap=args.max_gap, max_states=args.max_states)
    except LogError as e:
        report_error("bad log", e, hint="(the format: docs/conform.md)", debug=bool(getattr(args, "debug", False)))
        return USAGE
    svg = write_chart(result, system, Path(args.out))
    if args.json:
        print(json.dumps(jsonable(result_json(result, str(target), args.log, svg)), indent=2, ensure_ascii=False))
        return exit_status(result)
    style = {"ok": "bold green", "diverged": "bold red"}.get(result.status, "bold yellow")
    text = result.format()
    head, _, rest = text.partition("\n")
    out.print(Text(head, style=style), soft_wrap=True)
    if rest:
        out.print(Text(rest), soft_wrap=True)
    if svg is not None:
        out.print(Text(f"sequence chart: {svg}", style="cyan"), soft_wrap=True)
    return exit_status(result)
