"""``statecharts check``: explore a system, print verdicts, counterexamples, and write their sequence charts."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from .console import jsonable

if TYPE_CHECKING:  # the command line reaches "up" into simulate and exporters, lazily
    import argparse

    from simulate.result import Result, Stats, Step, Trace, Verdict
    from simulate.system import System

OK, VIOLATED, INCOMPLETE, USAGE, MISSING_TOOL, FAILED, INTERRUPTED = 0, 1, 2, 4, 5, 6, 130
DEFAULT_OUT = "statecharts-out"

STATUS_STYLE = {
    "holds": ("✓", "green"),
    "reached": ("✓", "green"),
    "violated": ("✗", "bold red"),
    "unreached": ("✗", "bold red"),
    "incomplete": ("?", "yellow"),
    "not checked": ("-", "dim"),
    "failed": ("✗", "bold red"),
}


def exit_status(result: Result) -> int:
    """0 when every property holds and every goal is reached; 1 on a violation or an unreached goal; 2 when incomplete;
    6 when exploration failed; 130 when interrupted."""
    status = result.status
    if status == "failed":
        return FAILED
    if result.limit == "interrupted":
        return INTERRUPTED
    if status == "violated":
        return VIOLATED
    if status == "incomplete":
        return INCOMPLETE
    return OK


def slug(text: str) -> str:
    """A file-name-safe version of a name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-").lower() or "x"


# --------------------------------------------------------------------------- progress


class _Progress:
    """The live status line: refreshed by rich's thread (elapsed time ticks) and by the explorer's callback."""

    def __init__(self, system: str, mode: str) -> None:
        self.system = system
        self.mode = mode
        self.t0 = time.perf_counter()
        self.stats: Stats | None = None

    def update(self, stats: Stats) -> None:
        self.stats = stats

    def __rich__(self) -> Text:
        elapsed = time.perf_counter() - self.t0
        s = self.stats
        text = Text.assemble(("⠿ ", "cyan"), (f"exploring {self.system}", "bold"), f" ({self.mode})  ")
        if s is None:
            text.append("starting…", style="dim")
        else:
            rate = s.distinct_states / s.seconds if s.seconds > 0 else 0.0
            text.append(f"{s.distinct_states:,} distinct states", style="bold")
            if s.phase:  # the search is over: say what is being checked now
                text.append(f" · {s.phase}")
            else:
                text.append(f" · {rate:,.0f} states/s · queue {s.queue:,} · depth {s.max_depth}")
        text.append(f" · {elapsed:.1f}s", style="dim")
        return text


# --------------------------------------------------------------------------- formatting steps


def trace_table(trace: Trace) -> Table:
    """A counterexample as a table: step, actor, message or stimulus, state change."""
    from simulate.tables import change_lines, step_what

    table = Table(show_header=True, header_style="bold", box=box.SIMPLE_HEAD, show_edge=False, expand=False)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("actor", style="cyan", no_wrap=True)
    table.add_column("message / stimulus", overflow="fold")
    table.add_column("state change", overflow="fold")
    for s in trace.steps:
        number = str(s.index)
        if trace.loop_start is not None and s.index == trace.loop_start:
            number = f"↻ {s.index}"
        changes = Text("\n".join(change_lines(s)))
        if s.in_flight:
            changes.append(("\n" if changes.plain else "") + "in flight: " + ", ".join(s.in_flight), style="dim")
        table.add_row(number, s.actor or "", step_what(s), changes)
    return table


# --------------------------------------------------------------------------- JSON


def step_json(step: Step) -> dict[str, Any]:
    """One trace step as a JSON object."""
    return {
        "index": step.index,
        "kind": step.kind,
        "actor": step.actor,
        "event": step.event,
        "text": step.text,
        "sender": step.sender,
        "changes": [
            {"actor": c.actor, "before": list(c.before), "after": list(c.after), "context": {k: [jsonable(a), jsonable(b)] for k, (a, b) in c.context.items()}}
            for c in step.changes
        ],
        "sent": [{"sender": a, "receiver": b, "event": e} for a, b, e in step.sent],
        "in_flight": list(step.in_flight),
        "transitions": list(step.transitions),
    }


def trace_json(trace: Trace) -> dict[str, Any]:
    """A trace as a JSON object: its steps, and where a lasso's loop starts."""
    return {"length": len(trace), "loop_start": trace.loop_start, "steps": [step_json(s) for s in trace.steps]}


def error_json(target: str | None, kind: str, type_name: str, message: str, code: int) -> dict[str, Any]:
    """The JSON object of a run that produced no result (usage, model, missing tool, interrupted before any)."""
    return {
        "schema": "statecharts.check/1",
        "target": target,
        "system": None,
        "mode": None,
        "status": "error",
        "exit_code": code,
        "complete": False,
        "limit": "",
        "stats": None,
        "verdicts": [],
        "coverage": None,
        "report": None,
        "error": {"kind": kind, "type": type_name, "message": message},
    }


def result_json(
    result: Result, target: str, svgs: dict[str, Path], report: Path | None, error: dict[str, str] | None = None, code: int | None = None
) -> dict[str, Any]:
    """The whole result as a JSON object (schema ``statecharts.check/1``, documented in the README); ``error`` says
    what failed after exploration started (then ``code`` is the exit status)."""
    if error is None and result.failure is not None:
        error = {"kind": "exploration failed", "type": result.failure_kind or "", "message": result.failure}
    elif error is None and result.limit == "interrupted":
        error = {"kind": "interrupted", "type": "KeyboardInterrupt", "message": "interrupted: the verdicts are those of the explored part"}
    s = result.stats
    verdicts = []
    for v in result.verdicts:
        svg = svgs.get(v.name)
        verdicts.append(
            {
                "name": v.name,
                "kind": v.kind,
                "status": v.status,
                "ok": v.ok,
                "message": v.message,
                "trace": trace_json(v.trace) if v.trace is not None else None,
                "sequence_chart": str(svg) if svg is not None else None,
            }
        )
    return {
        "schema": "statecharts.check/1",
        "target": target,
        "system": result.system,
        "mode": result.mode,
        "status": result.status,
        "exit_code": exit_status(result) if code is None else code,
        "complete": result.complete,
        "limit": result.limit,
        "notes": list(result.notes),
        "stats": {
            "distinct_states": s.distinct_states,
            "states_generated": s.states_generated,
            "max_depth": s.max_depth,
            "seconds": round(s.seconds, 4),
            "queue": s.queue,
            "states_per_second": round(s.states_per_second, 1),
            "fingerprint_bits": result.fingerprint_bits,
            "fingerprint_collision_probability": result.fingerprint_collision_probability,
        },
        "verdicts": verdicts,
        "coverage": {"never_taken": {k: list(v) for k, v in result.coverage.items()}},
        "report": str(report) if report is not None else None,
        "error": error,
    }


# --------------------------------------------------------------------------- the command


def explore_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of ``simulate.explore`` selected on the command line."""
    options: dict[str, Any] = {"mode": args.mode, "seed": args.seed, "runs": args.runs, "stop_on_violation": args.stop_on_violation}
    for key in ("max_states", "max_depth", "max_seconds", "symmetry", "checkpoint", "resume"):
        value = getattr(args, key, None)
        if value is not None:
            options[key] = value
    if options.get("checkpoint") is not None:
        options["checkpoint_every"] = args.checkpoint_every
    if getattr(args, "por", False):
        options["reduce"] = "por"
    if getattr(args, "workers", 1) != 1 or getattr(args, "engine", "processes") == "ray":
        options.update(workers=args.workers, engine=args.engine, ray_address=args.ray_address)
    return options


def run_explorer(system: System, args: argparse.Namespace, out: Console, live: bool) -> Result:
    """Explore, with a live status line when ``live``."""
    from simulate import explore

    options = explore_options(args)
    if not live:
        return explore(system, **options)
    status = _Progress(system.name, args.mode)
    with Live(status, console=out, transient=True, refresh_per_second=4):
        return explore(system, progress=status.update, progress_interval=0.25, **options)


def write_sequence_charts(result: Result, out_dir: Path) -> dict[str, Path]:
    """Write one SVG sequence chart per verdict that has a trace; property name -> path."""
    from exporters.graphviz import trace_svg

    written: dict[str, Path] = {}
    traced = [v for v in result.verdicts if v.trace is not None]
    if not traced:
        return written
    out_dir.mkdir(parents=True, exist_ok=True)
    for v in traced:
        path = out_dir / f"{slug(result.system)}-{slug(v.name)}.svg"
        path.write_text(trace_svg(v, result), encoding="utf-8")
        written[v.name] = path
    return written


def verdict_table(result: Result, svgs: dict[str, Path]) -> Table:
    """One row per property: kind, verdict, trace length, note."""
    from simulate.tables import VERDICT_COLUMNS, verdict_rows

    table = Table(show_header=True, header_style="bold", box=box.SIMPLE_HEAD, show_edge=False)
    name, kind, verdict, trace, note = VERDICT_COLUMNS
    table.add_column(name, no_wrap=True)
    table.add_column(kind, style="dim", no_wrap=True)
    table.add_column(verdict, no_wrap=True)
    table.add_column(trace, justify="right", no_wrap=True)
    table.add_column(note, overflow="fold")
    for row in verdict_rows(result):
        mark, style = STATUS_STYLE.get(row.status, ("?", ""))
        if row.kind == "sometimes" and row.status == "unreached":
            style = "bold red"
        table.add_row(row.name, row.kind, Text(f"{mark} {row.status}", style=style), row.trace, row.note)
    return table


def stats_text(result: Result) -> Text:
    """The statistics line."""
    s = result.stats
    text = Text()
    text.append(f"{s.distinct_states:,} distinct states", style="bold")
    text.append(f", {s.states_generated:,} generated, depth {s.max_depth}, {s.seconds:.2f}s ({s.states_per_second:,.0f} states/s), {result.mode}")
    if result.failure is not None:
        text.append(f"\n{result.limit} (the verdicts below were found before it)", style="bold red")
    elif not result.complete:
        text.append(f"\nincomplete: {result.limit}", style="yellow")
    for note in result.notes:
        text.append(f"\nnote: {note}", style="dim")
    if result.fingerprint_collision_probability is not None:
        from simulate.result import collision_text

        text.append(f"\n{collision_text(result)}", style="dim")
    return text


def print_result(out: Console, result: Result, svgs: dict[str, Path]) -> None:
    """Human-readable output: verdicts, statistics, counterexamples with their sequence charts, coverage."""
    headline = {
        "ok": ("all properties hold", "bold green"),
        "violated": ("violated", "bold red"),
        "incomplete": ("incomplete", "bold yellow"),
        "failed": ("exploration failed", "bold red"),
    }[result.status]
    out.print(Text.assemble((f"{result.system}: ", "bold"), headline))
    out.print(stats_text(result))
    out.print(verdict_table(result, svgs))
    bad: list[Verdict] = [v for v in result.verdicts if v.status == "violated" and v.trace is not None]
    for v in bad:
        assert v.trace is not None
        title = f"counterexample to {v.kind} {v.name!r}: {len(v.trace)} steps" + (f" ({v.message})" if v.message else "")
        parts: list[Any] = [Text(title, style="bold red"), trace_table(v.trace)]
        if v.trace.loop_start is not None:
            parts.append(Text(f"… and back to step {v.trace.loop_start}, forever", style="yellow"))
        if v.name in svgs:
            parts.append(Text(f"sequence chart: {svgs[v.name]}", style="cyan", overflow="ignore", no_wrap=True))
        out.print()
        out.print(Group(*parts))
    witnesses = [v for v in result.verdicts if v.status == "reached" and v.name in svgs]
    if witnesses:
        out.print()
        for v in witnesses:
            assert v.trace is not None
            out.print(Text(f"witness for {v.name!r}: {len(v.trace)} steps, sequence chart: {svgs[v.name]}", style="dim"), soft_wrap=True)
    unreached = [v for v in result.verdicts if v.status == "unreached"]
    for v in unreached:
        out.print(Text(f"goal {v.name!r} is never reached in the whole state space: can the model get there at all?", style="red"), soft_wrap=True)
    never = {k: v for k, v in result.coverage.items() if v}
    if never:
        count = sum(len(v) for v in never.values())
        out.print()
        if result.complete:
            out.print(Text(f"{count} transition(s) never taken:", style="dim"))
        else:  # the unexplored part may take them
            out.print(Text(f"{count} transition(s) not taken so far (a partial list: exploration was incomplete, {result.limit}):", style="dim"))
        shown = 0
        for chart, labels in never.items():
            for label in labels:
                if shown < 12:
                    out.print(Text(f"  {chart}: {label}", style="dim"))
                shown += 1
        if shown > 12:
            out.print(Text(f"  … and {shown - 12} more (see --report or --json)", style="dim"))


def check_writable(path: Path, option: str, *, directory: bool) -> None:
    """Refuse, before exploring, an output path that cannot be written (a file in the way, no permission)."""
    from .export import UsageError

    target = path if directory else path.parent
    if path.exists() and (path.is_dir() != directory):
        raise UsageError(f"{option} {path}: it {'is not a directory' if directory else 'is a directory'}")
    p = target
    while not p.exists() and p != p.parent:
        p = p.parent
    if not p.is_dir():
        raise UsageError(f"{option} {path}: {p} is not a directory, so nothing can be written under it")
    if not os.access(p, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: {p} is not writable")


def cmd_check(args: argparse.Namespace, out: Console) -> int:
    """Load the target's System, explore it, report; the exit status says how it went. Output paths are checked
    before exploring; a failure after it still prints the verdicts found."""
    from statecharts.errors import ToolMissing

    from .console import error_text, report_error
    from .targets import Target, find_system, load_module

    target = Target.parse(args.target)
    if args.out is not None:
        check_writable(Path(args.out), "--out", directory=True)
    if args.report:
        check_writable(Path(args.report), "--report", directory=True)
    if getattr(args, "checkpoint", None):
        check_writable(Path(args.checkpoint), "--checkpoint", directory=False)
    system = find_system(load_module(target.location), target)
    live = out.is_terminal and not args.json and not args.quiet
    result = run_explorer(system, args, out, live)
    code = exit_status(result)
    error: dict[str, str] | None = None
    svgs: dict[str, Path] = {}
    report: Path | None = None
    try:
        svgs = write_sequence_charts(result, Path(args.out or DEFAULT_OUT))
        if args.report:
            from exporters.report import write_report

            report = write_report(result, system, Path(args.report))
    except ToolMissing as e:
        error, code = {"kind": "missing tool", "type": type(e).__name__, "message": error_text(e)}, MISSING_TOOL
        report_error("missing tool", e)
    except Exception as e:  # a disk that fills, a directory removed meanwhile: the verdicts are printed all the same
        error = {"kind": "cannot write", "type": type(e).__name__, "message": error_text(e)}
        code = FAILED
        report_error("cannot write the results", e)
    if args.json:
        print(json.dumps(result_json(result, str(target), svgs, report, error, code), indent=2, ensure_ascii=False))
        return code
    print_result(out, result, svgs)
    if report is not None:
        out.print(Text(f"report: {report}", style="cyan"))
    return code
