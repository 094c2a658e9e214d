"""The ``statecharts`` command line: check, render, mermaid, tla, run, conform.

A layer above the three packages (statecharts_cli -> exporters -> simulate -> statecharts, a
contract checked by import-linter): it may import all of them; none of them imports it, except
``statecharts/__main__.py``, the ``statecharts`` console script and ``python -m statecharts``.
The heavy imports happen inside the command functions, so ``--help`` starts quickly.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from rich.console import Console

from statecharts.errors import StatechartError

from .console import report_error, stdout_console

OK, VIOLATED, INCOMPLETE, MODEL_ERROR, USAGE, MISSING_TOOL, FAILED, INTERRUPTED = 0, 1, 2, 3, 4, 5, 6, 130

EXIT_CODES = f"""\
exit status:
  {OK}  every property holds and every reachability goal is reached
  {VIOLATED}  a property is violated, or a goal is never reached (tla --tlc: TLC and the explorer disagree; conform: the log is not a behaviour of the model)
  {INCOMPLETE}  incomplete: a limit (--max-states, --max-depth, --max-seconds) stopped exploration first, or --mode random found nothing
  {MODEL_ERROR}  model error: the module does not import, a chart or system is malformed, or the exporter cannot translate it
  {USAGE}  usage error: bad command line (conform: a log that cannot be read)
  {MISSING_TOOL}  a required external tool is missing (Graphviz 'dot', TLC via TLA2TOOLS, Java)
  {FAILED}  exploration failed: user code raised what is no verdict (SystemExit, an unstorable value, a raising
     constraint) or a result could not be written; the verdicts found so far are still printed
  {INTERRUPTED}  interrupted (Ctrl-C): the verdicts on the explored part are printed
"""

TARGET_HELP = (
    "MODULE[:NAME], path/to/file.py[:NAME] or a package directory, e.g. examples.die_hard or examples/websocket_gateway; "
    "NAME may be a builder called with literal arguments, e.g. 'examples/websocket_gateway:build(design=\"fixed\")'"
)


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on exit status 4 (2 means "incomplete" here)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"{self.prog}: error: {message}\n")


def _workers(text: str) -> int:
    """--workers: a whole number, 0 meaning every core."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of workers (0: every core)") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"{n} workers: give 0 (every core) or more")
    return n


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return n


def _seconds(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(x) or x <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be a finite number of seconds greater than 0")
    return x


def version_text() -> str:
    """``statecharts --version``: the installed distribution's version, and where the package was imported from.

    Falls back to ``statecharts.__version__`` when the package runs from a checkout that is not
    installed (or is installed under another name), and says so.
    """
    from importlib import metadata
    from pathlib import Path

    import statecharts

    where = Path(statecharts.__file__).resolve().parent
    python = f"Python {sys.version.split()[0]}"
    try:
        version = metadata.version("statecharts")
    except metadata.PackageNotFoundError:
        return f"statecharts {statecharts.__version__} (not installed; {where}, {python})"
    if version != statecharts.__version__:  # an installed distribution, but this package comes from elsewhere
        return f"statecharts {statecharts.__version__} ({where}, {python}; the installed distribution is {version})"
    return f"statecharts {version} ({where}, {python})"


SYSTEM_TARGET = "a System, or a zero-argument function returning one"
"""What NAME may be for the commands that take a system."""


def _command(sub: Any, name: str, *, help: str, description: str, names: str | None) -> argparse.ArgumentParser:
    """A subcommand with what every one has: the exit statuses below its help, TARGET (NAME: ``names``), a hidden --debug."""
    c: argparse.ArgumentParser = sub.add_parser(name, help=help, description=description, epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("target", metavar="TARGET", help=TARGET_HELP + (f" (NAME: {names})" if names else ""))
    c.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return c


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = _Parser(
        prog="statecharts",
        description="Design concurrent systems as statecharts, explore every interleaving, draw them, emit TLA+.",
        epilog=EXIT_CODES + "\nexamples:\n  statecharts check examples/websocket_gateway\n  statecharts check examples.die_hard --json\n"
        "  statecharts render examples.die_hard -o jugs.svg\n  statecharts run examples.die_hard",
        formatter_class=fmt,
    )
    p.add_argument("--debug", action="store_true", help="show Python tracebacks for errors in the model")
    p.add_argument("--version", action="version", version=version_text(), help="print the version and where the package is imported from, and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    command = functools.partial(_command, sub)

    c = command(
        "check",
        help="explore a system and check its properties",
        description="Explore every interleaving of a system and check its properties.",
        names=SYSTEM_TARGET,
    )
    c.add_argument("--mode", choices=("bfs", "dfs", "random"), default="bfs", help="bfs (shortest counterexamples, default), dfs, or random simulation")
    c.add_argument("--seed", type=int, default=0, help="random seed for --mode random (default 0)")
    c.add_argument("--runs", type=_positive, default=1000, help="random walks for --mode random (default 1000)")
    c.add_argument("--max-states", type=_positive, help="stop after this many distinct states (the result is then incomplete)")
    c.add_argument("--max-depth", type=_positive, help="do not explore beyond this depth (the result is then incomplete)")
    c.add_argument("--max-seconds", type=_seconds, help="stop after this long (the result is then incomplete)")
    c.add_argument("--symmetry", action=argparse.BooleanOptionalAction, default=None, help="treat count= instances as interchangeable (default: as the system says)")
    c.add_argument("--stop-on-violation", action="store_true", help="stop at the first violation")
    c.add_argument("--por", action="store_true", help="partial-order reduction: the same invariant, goal and deadlock verdicts from fewer states (docs/por.md)")
    c.add_argument("--workers", type=_workers, default=1, metavar="N", help="explore on N worker processes (0: every core; default 1); BFS only")
    c.add_argument("--engine", choices=("processes", "ray"), default="processes", help="where workers run: processes on this machine, or Ray actors")
    c.add_argument("--ray-address", metavar="ADDRESS", help="join the Ray cluster at ADDRESS (default: start a local Ray instance)")
    c.add_argument(
        "--checkpoint", metavar="FILE", help="write a checkpoint to FILE every --checkpoint-every seconds and when stopping early (plain BFS only)"
    )
    c.add_argument("--checkpoint-every", type=_seconds, default=300.0, metavar="SECONDS", help="seconds between checkpoints (default 300)")
    c.add_argument("--resume", metavar="FILE", help="continue the exploration a checkpoint stopped (same model and --workers; add --checkpoint to keep writing)")
    c.add_argument("--json", action="store_true", help="print machine-readable results (schema statecharts.check/1) on stdout")
    c.add_argument("--out", metavar="DIR", help="where to write sequence charts of traces (default ./statecharts-out)")
    c.add_argument("--report", metavar="DIR", help="write a self-contained HTML report to DIR/index.html")
    c.add_argument("-q", "--quiet", action="store_true", help="no live progress line")

    r = command(
        "render",
        help="draw a chart or a system (SVG, PNG, PDF or DOT)",
        description="Draw a chart, or a system's actor topology.",
        names="a Chart or System, or a function returning one",
    )
    r.add_argument("-o", "--output", metavar="FILE", help="FILE.svg, .png, .pdf (need Graphviz) or .dot; without it the DOT text is printed")
    r.add_argument("--active", action="append", metavar="IDS", help="state ids to highlight (comma-separated, repeatable)")
    r.add_argument("--actor", metavar="NAME", help="draw this actor's chart of the system")

    m = command(
        "mermaid",
        help="print a chart as Mermaid stateDiagram-v2",
        description="Print a chart as a Mermaid state diagram.",
        names="a Chart, or a System with --actor",
    )
    m.add_argument("--actor", metavar="NAME", help="the actor whose chart to print, when the target is a system")

    t = command(
        "tla",
        help="write the system as a TLA+ module and TLC config",
        description="Emit TLA+ (a module and a TLC .cfg); --tlc runs TLC and compares.",
        names=None,
    )
    t.add_argument("-o", "--output", metavar="DIR", default=".", help="directory for NAME.tla and NAME.cfg (default: the current directory)")
    t.add_argument("--tlc", action="store_true", help="run TLC (tla2tools.jar from $TLA2TOOLS) and print its verdicts and state count beside ours")
    t.add_argument(
        "--traces", action="store_true", help="with --tlc: also have TLC follow every trace the explorer reports (counterexamples and witnesses)"
    )
    t.add_argument("--timeout", type=_seconds, default=600.0, help="seconds per TLC run (default 600)")

    u = command(
        "run",
        help="send events to a chart interactively",
        description="An interactive session with one chart: type `event` or `event key=value ...`; :help lists the commands. Reads piped input too.",
        names="a Chart, or a System with --actor",
    )
    u.add_argument("--actor", metavar="NAME", help="run this actor's chart (with its initial context) when the target is a system")

    from .conform import add_parser as add_conform

    add_conform(command, SYSTEM_TARGET, _positive)
    from .explore_server import add_parser as add_explore

    add_explore(command, SYSTEM_TARGET, _positive)
    return p


def _commands() -> dict[str, Callable[[argparse.Namespace, Console], int]]:
    from .check import cmd_check
    from .conform import cmd_conform
    from .explore_server import cmd_explore
    from .export import cmd_mermaid, cmd_render, cmd_tla
    from .run import cmd_run

    return {"check": cmd_check, "render": cmd_render, "mermaid": cmd_mermaid, "tla": cmd_tla, "run": cmd_run, "conform": cmd_conform, "explore": cmd_explore}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see ``statecharts --help``)."""
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(words)
    except SystemExit as e:  # --help (0) or a usage error (4)
        code = e.code if isinstance(e.code, int) else USAGE
        if code != OK and "--json" in words:
            from .check import error_json

            print(json.dumps(error_json(None, "usage", "ArgumentError", "bad command line (see the usage above, on stderr)", code), indent=2))
        return code
    if args.command is None:
        parser.print_help(sys.stderr)
        return USAGE
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    """Run a parsed command, turning errors into one paragraph and an exit status."""
    from statecharts.errors import ExportError, ToolError, ToolMissing

    from .export import UsageError
    from .targets import TargetError, TargetUsageError

    debug = bool(getattr(args, "debug", False))
    out = stdout_console()
    failed: tuple[str, BaseException | str, int] | None = None
    try:
        return _commands()[args.command](args, out)
    except UsageError as e:
        report_error("usage error", e, debug=debug)
        failed = ("usage", e, USAGE)
    except ToolError as e:  # Graphviz's dot or TLC missing, or TLC failed
        report_error("missing tool" if isinstance(e, ToolMissing) else "tool failed", e, debug=debug)
        failed = ("missing tool", e, MISSING_TOOL)
    except TargetUsageError as e:
        report_error("usage error", e, debug=debug)
        failed = ("usage", e, USAGE)
    except TargetError as e:
        report_error("cannot load the model", e, hint="(--debug shows the Python traceback)" if e.__cause__ is not None else "", debug=debug)
        failed = ("model", e, MODEL_ERROR)
    except ExportError as e:  # TlaUnsupported, GraphTooLarge: the explorer still checks the system
        hint = "(the explorer still checks this system: statecharts check)" if args.command == "tla" else ""
        report_error(_title(e), e, hint=hint, debug=debug)
        failed = ("model", e, MODEL_ERROR)
    except StatechartError as e:
        report_error(_title(e), e, hint="(--debug shows the Python traceback)", debug=debug)
        failed = ("model", e, MODEL_ERROR)
    except KeyboardInterrupt:
        report_error("interrupted", "interrupted before exploration finished: no result")
        failed = ("interrupted", "interrupted before exploration finished: no result", INTERRUPTED)
    except OSError as e:
        report_error("cannot write", e, debug=debug)
        failed = ("cannot write", e, USAGE)
    kind, error, code = failed
    if getattr(args, "json", False):
        from .check import error_json
        from .console import error_text

        message = error if isinstance(error, str) else error_text(error)
        type_name = "KeyboardInterrupt" if isinstance(error, str) else type(error).__name__
        print(json.dumps(error_json(getattr(args, "target", None), kind, type_name, message, code), indent=2, ensure_ascii=False))
    return code


def _title(e: StatechartError) -> str:
    """The heading of an error's paragraph, by class (the most specific class listed wins)."""
    from exporters.graphviz import GraphTooLarge
    from exporters.tla import TlaUnsupported
    from simulate.checkpoint import CheckpointError
    from statecharts.errors import ChartDefinitionError, ExecutionError, ExportError, ExpressionError, ModelError, UnknownEventError

    titles: list[tuple[type[StatechartError], str]] = [
        (CheckpointError, "cannot resume"),
        (ModelError, "bad system"),
        (ChartDefinitionError, "bad chart"),
        (ExpressionError, "bad expression"),
        (ExecutionError, "error in a guard or action"),
        (UnknownEventError, "unknown event"),
        (TlaUnsupported, "cannot translate to TLA+"),
        (GraphTooLarge, "graph too large"),
        (ExportError, "cannot export"),
    ]
    return next((title for cls, title in titles if isinstance(e, cls)), "model error")
