"""``statecharts render``, ``mermaid`` and ``tla``: diagrams and TLA+ from a target."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from statecharts.chart import Chart
from statecharts.errors import CommandLineError, ToolMissing

if TYPE_CHECKING:
    import argparse

    from simulate.result import Result
    from simulate.system import System


class UsageError(CommandLineError):
    """The command line asks for something impossible (exit 4)."""


def cmd_render(args: argparse.Namespace, out: Console) -> int:
    """Draw a chart (with ``--active`` states filled) or a system's topology to a file, or print its DOT."""
    from exporters.graphviz import chart_dot, render, system_dot

    from .targets import Target, find_diagram, load_module

    target = Target.parse(args.target)
    obj = find_diagram(load_module(target.location), target)
    if args.actor is not None:
        from .targets import _actor_chart

        if isinstance(obj, Chart):
            raise UsageError(f"--actor {args.actor}: {target} is a chart, not a system")
        obj = _actor_chart(obj, args.actor, target)[0]
    active = [a for part in args.active for a in part.split(",") if a] if args.active else None
    if isinstance(obj, Chart) and active:
        _check_together(obj, active)
    if isinstance(obj, Chart):
        try:
            dot = chart_dot(obj, active=active)
        except ValueError as e:
            raise UsageError(f"--active: {e}") from None
    else:
        if active:
            raise UsageError(f"--active highlights states of a chart, and {target} is the system {obj.name!r} (add --actor NAME to draw one of its charts)")
        dot = system_dot(obj)
    if args.output is None:
        print(dot.source, end="")
        return 0
    suffix = Path(args.output).suffix.lower()
    if suffix not in (".svg", ".png", ".pdf", ".dot", ".gv"):
        raise UsageError(f"-o {args.output}: the file name must end in .svg, .png, .pdf or .dot")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    path = render(dot, args.output)
    out.print(Text(f"wrote {path}", style="cyan"))
    return 0


def _check_together(chart: Chart, ids: list[str]) -> None:
    """``--active`` states must be able to be active at once: two states under different children of a
    (non-parallel) compound state exclude each other."""
    known = [i for i in ids if i in chart.states]

    def line(state_id: str) -> list[Any]:
        node: Any = chart.states[state_id]
        out = []
        while node is not None:
            out.append(node)
            node = node.parent
        return out[::-1]  # root first

    for k, a in enumerate(known):
        for b in known[k + 1 :]:
            pa, pb = line(a), line(b)
            n = 0
            while n < min(len(pa), len(pb)) and pa[n] is pb[n]:
                n += 1
            if n in (len(pa), len(pb)):
                continue  # one is an ancestor of the other
            common = pa[n - 1]
            if common.kind != "parallel":
                where = "the chart's top level" if common.kind == "root" else f"state {common.id!r}"
                raise UsageError(
                    f"--active {a},{b}: states {a!r} and {b!r} cannot be active together (they are different children of "
                    f"{where}, which is not parallel): name states of one configuration"
                )


def cmd_mermaid(args: argparse.Namespace, out: Console) -> int:
    """Print a chart as a Mermaid ``stateDiagram-v2``."""
    from exporters.mermaid import chart_mermaid

    from .targets import Target, find_chart, load_module

    target = Target.parse(args.target)
    chart, _, _ = find_chart(load_module(target.location), target, args.actor)
    print(chart_mermaid(chart), end="" if chart_mermaid(chart).endswith("\n") else "\n")
    return 0


def _tla_module() -> Any:
    try:
        from exporters import tla
    except ImportError as e:  # the exporter is optional while it is being written
        raise ToolMissing(f"TLA+ exporter not available (exporters.tla could not be imported: {e})") from None
    if not hasattr(tla, "write_tla") or not hasattr(tla, "to_tla"):
        raise ToolMissing("TLA+ exporter not available (exporters.tla has no to_tla/write_tla)")
    return tla


def cmd_tla(args: argparse.Namespace, out: Console) -> int:
    """Write the system's TLA+ module and TLC configuration; with ``--tlc``, run TLC and compare."""
    from .targets import Target, find_system, load_module

    tla = _tla_module()
    jar = None
    if args.tlc:
        jar = os.environ.get("TLA2TOOLS")
        if not jar:
            raise ToolMissing("--tlc needs TLC: set TLA2TOOLS to the path of tla2tools.jar (https://github.com/tlaplus/tlaplus/releases)")
        if not Path(jar).is_file():
            raise ToolMissing(f"TLA2TOOLS={jar}: no such file (it should be the path of tla2tools.jar)")
        if shutil.which("java") is None:
            raise ToolMissing("--tlc needs Java (17 or later) on PATH to run TLC")
    if args.traces and not args.tlc:
        raise UsageError("--traces asks TLC to follow the explorer's traces: give --tlc too")
    target = Target.parse(args.target)
    system = find_system(load_module(target.location), target)
    tla_path, cfg_path = tla.write_tla(system, args.output)
    out.print(Text(f"wrote {tla_path}\nwrote {cfg_path}", style="cyan"))
    if not args.tlc:
        return 0
    return _cross_check(system, tla, str(jar), args, out)


def _cross_check(system: System, tla: Any, jar: str, args: argparse.Namespace, out: Console) -> int:
    """Explore with our checker and run TLC once per property (and once for the state count); print both."""
    from exporters.tlc import TlcError, run_tlc
    from simulate import explore

    spec = tla.to_tla(system)
    # one TLC run for the state count, one per property (TLC stops at its first violation)
    jobs: dict[str, tuple[str, dict[str, str]]] = {"": (spec.cfg_for(invariants=[], properties=[], deadlock=False), {})}
    for p in system.properties:
        if p.name in spec.invariants:
            jobs[p.name] = (spec.cfg_for(invariants=[p.name], properties=[], deadlock=False), {"ok": "holds", "invariant": "violated"})
        elif p.name in spec.sometimes:
            jobs[p.name] = (spec.cfg_for(invariants=[], sometimes=[p.name], properties=[], deadlock=False), {"ok": "unreached", "invariant": "reached"})
        elif p.name in spec.liveness:
            jobs[p.name] = (spec.cfg_for(invariants=[], properties=[p.name], deadlock=False, symmetry=False), {"ok": "holds", "liveness": "violated"})
    if system.check_deadlock:
        jobs["deadlock"] = (spec.cfg_for(invariants=[], properties=[], deadlock=True), {"ok": "holds", "deadlock": "violated"})
    workers = max(1, min(len(jobs), (os.cpu_count() or 2) // 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(run_tlc, spec, jar=jar, cfg=cfg, timeout=args.timeout) for name, (cfg, _) in jobs.items()}
        result: Result = explore(system)
        try:
            tlc = {name: f.result() for name, f in futures.items()}
        except TlcError as e:
            raise ToolMissing(f"TLC failed: {e}") from None
    count = tlc[""]
    rows: list[tuple[str, str, str, str]] = []
    agree = True
    for v in result.verdicts:
        if v.name in tlc:
            r = tlc[v.name]
            theirs = jobs[v.name][1].get(r.verdict, r.verdict)
            if r.verdict == "error" and r.messages:
                theirs = f"error: {r.messages[0]}"
        else:
            theirs = "not exported"
        same = theirs == v.status
        agree = agree and same
        rows.append((v.name, v.status, theirs, "✓" if same else "✗"))
    out.print(Text(f"{system.name}: ours vs TLC", style="bold"))
    table = Table(header_style="bold")
    table.add_column("property")
    table.add_column("ours")
    table.add_column("TLC")
    table.add_column("agree")
    same_count = count.distinct_states == result.stats.distinct_states
    agree = agree and same_count
    table.add_row(
        "distinct states", f"{result.stats.distinct_states:,}", f"{count.distinct_states:,}" if count.distinct_states is not None else "?", "✓" if same_count else "✗"
    )
    for row in rows:
        table.add_row(*row)
    out.print(table)
    if args.traces:
        agree = _check_traces(result, spec, jar, args, out) and agree
    out.print(Text("TLC agrees with the explorer" if agree else "TLC and the explorer DISAGREE", style="bold green" if agree else "bold red"))
    return 0 if agree else 1


def _check_traces(result: Result, spec: Any, jar: str, args: argparse.Namespace, out: Console) -> bool:
    """Have TLC follow each trace of the result, step by step (``exporters.tlc.check_trace``); print and return the verdict."""
    from exporters.tlc import TlcError, check_trace

    table = Table(header_style="bold")
    table.add_column("trace of")
    table.add_column("steps", justify="right")
    table.add_column("TLC")
    ok = True
    for v in result.verdicts:
        if v.trace is None:
            continue
        try:
            check = check_trace(result, v.trace, spec=spec, jar=jar, timeout=args.timeout)
        except TlcError as e:
            raise ToolMissing(f"TLC failed on the trace of {v.name!r}: {e}") from None
        ok = ok and check.ok
        word = "followed every step" if check.ok else f"refused step {check.followed} (after {check.followed} of {check.steps + 1} states)"
        table.add_row(v.name, str(check.steps), f"{'✓' if check.ok else '✗'} {word}")
    if table.row_count:
        out.print(table)
    else:
        out.print(Text("no traces to check (no property is violated or reached)", style="cyan"))
    return ok
