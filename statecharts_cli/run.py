"""``statecharts run``: an interactive session with one chart (works with piped input too).

Each line is an event, ``name`` or ``name key=value ...`` (values are Python literals read
with :func:`ast.literal_eval`, never evaluated; a value that is not a literal is taken as a
string), or a command: ``:state``, ``:undo``, ``:reset``, ``:deliver``, ``:advance MS``,
``:events``, ``:help``, ``:quit``. After each macrostep the configuration and the context are
shown; an event that changes nothing says which guard refused it. A send to the chart itself
waits in ``pending`` (as a message does in the explorer, where another event can overtake it)
until ``:deliver`` (or ``:advance``) delivers it. On a terminal, lines are edited with
prompt_toolkit (history, Tab completes event names, commands and data fields).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from statecharts.chart import Chart
from statecharts.errors import CommandLineError, StatechartError
from statecharts.interpreter import Interpreter, Snapshot
from statecharts.values import short_value

from .console import error_text
from .why import fields_read, refusal, unused_fields

if TYPE_CHECKING:
    import argparse

HELP = """\
  EVENT [key=value ...]   send an event (values are Python literals: 3, 'a b', (1, 2), {'k': 1}; other text is a string)
  :state                  show the configuration and the context
  :undo                   go back to the state before the last event
  :reset                  start the chart again
  :deliver [all]          deliver the oldest pending self-send that is due now (or all of them, in order)
  :advance MS             move the virtual clock forward MS milliseconds (due and delayed events fire)
  :events                 list the events the chart handles
  :help                   this help
  :quit                   leave (end of input does too)"""


class SessionError(CommandLineError):
    """A line of input could not be understood."""


def split_words(line: str) -> list[str]:
    """Split on blanks outside quotes and brackets: ``post text='a b' to=(1, 2)`` -> 3 words."""
    words: list[str] = []
    cur: list[str] = []
    depth = 0
    quote: str | None = None
    escaped = False
    for ch in line:
        if quote is not None:
            cur.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch.isspace() and depth <= 0:
            if cur:
                words.append("".join(cur))
                cur = []
            continue
        cur.append(ch)
    if quote is not None:
        raise SessionError(f"unterminated string in: {line}")
    if cur:
        words.append("".join(cur))
    return words


def literal(text: str) -> Any:
    """A Python literal (``ast.literal_eval``; never ``eval``), or the text itself when it is not one."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def parse_event(line: str) -> tuple[str, dict[str, Any]]:
    """``name key=value ...`` -> (name, data)."""
    words = split_words(line)
    name, rest = words[0], words[1:]
    data: dict[str, Any] = {}
    for w in rest:
        key, eq, value = w.partition("=")
        if not eq or not key.isidentifier():
            raise SessionError(f"{w!r}: event data is written key=value (e.g. {name} n=3 text='hi')")
        data[key] = literal(value)
    return name, data


class Session:
    """One interactive session: an interpreter, its undo stack, and the console it writes to."""

    def __init__(self, chart: Chart, context: dict[str, Any], out: Console, echo: bool) -> None:
        self.chart = chart
        self.context = context
        self.out = out
        self.echo = echo
        self.interp = Interpreter(chart, context=context or None)
        self.history: list[Snapshot] = []
        self.errors = 0

    def show(self, title: str = "") -> None:
        """The configuration (active leaves, and every active state) and the context."""
        it = self.interp
        head = Text()
        if title:
            head.append(title + "  ", style="dim")
        head.append("in ", style="dim")
        head.append(", ".join(it.leaves) or "-", style="bold cyan")
        if it.is_final:
            head.append("  (final)", style="green")
        others = [s for s in it.configuration if s not in it.leaves]
        if others:
            head.append(f"  (within {', '.join(others)})", style="dim")
        if it.clock:
            head.append(f"  t={it.clock}ms", style="dim")
        self.out.print(head)
        ctx = it.context
        if ctx:
            table = Table(show_header=False, box=None, pad_edge=False, padding=(0, 1))
            table.add_column(style="dim")
            table.add_column()
            for k, v in ctx.items():
                table.add_row(f"  {k}", short_value(v, 100))
            self.out.print(table)
        if it.pending:
            due = ", ".join(f"{p.event.name} at {p.due}ms" for p in it.pending)
            now = any(p.due <= it.clock for p in it.pending)
            self.out.print(Text(f"  pending: {due}" + ("  (:deliver delivers the due ones)" if now else ""), style="dim"))

    def _effects(self, outbox_before: int, logs_before: int) -> None:
        it = self.interp
        for o in it.outbox[outbox_before:]:
            self.out.print(Text(f"  sent {o.event.name}{_data(o.event)} to {o.target}", style="magenta"))
        for label, value in it.logs[logs_before:]:
            self.out.print(Text(f"  log {label}: {short_value(value, 100)}", style="dim"))

    def send(self, line: str) -> None:
        name, data = parse_event(line)
        extra, used = unused_fields(self.chart, name, data) if self.chart.accepts(name) else ([], set())
        it = self.interp
        before = it.snapshot()
        outbox, logs = len(it.outbox), len(it.logs)
        try:
            result = it.send(name, data or None)
        except StatechartError as e:
            self.errors += 1
            self.out.print(Text(f"error: {error_text(e)} (nothing changed)", style="bold red"))
            return
        if it.snapshot() != before:
            self.history.append(before)
        if not result.taken and result.state == before.state:
            self.out.print(Text(f"  {name}: no transition enabled, event discarded", style="yellow"))
            for why in refusal(self.chart, it, name, data):
                self.out.print(Text(f"    {why}", style="yellow"))
        if extra:
            reads = f"it reads {', '.join(sorted(used))}" if used else "it reads no event data"
            self.out.print(Text(f"  note: {name} does not use {', '.join(extra)} ({reads}; the extra fields were ignored)", style="yellow"))
        self._effects(outbox, logs)
        self.show()

    def command(self, line: str) -> bool:
        """Run a ``:command``; False to quit."""
        word, _, arg = line[1:].strip().partition(" ")
        if word in ("q", "quit", "exit"):
            return False
        if word in ("h", "help", "?"):
            self.out.print(HELP, markup=False)
        elif word in ("s", "state"):
            self.show()
        elif word in ("u", "undo"):
            if not self.history:
                self.out.print(Text("nothing to undo", style="yellow"))
            else:
                self.interp.restore(self.history.pop())
                self.show("undone;")
        elif word in ("r", "reset"):
            self.history.append(self.interp.snapshot())
            self.interp = Interpreter(self.chart, context=self.context or None)
            self.show("reset;")
        elif word in ("d", "deliver"):
            if arg.strip() not in ("", "all"):
                raise SessionError(":deliver takes nothing or 'all'")
            it = self.interp
            before = it.snapshot()
            outbox, logs = len(it.outbox), len(it.logs)
            try:
                if arg.strip() == "all":
                    it.settle()
                elif it.deliver() is None:
                    self.out.print(Text("nothing pending is due now (:advance MS moves the clock)", style="yellow"))
            except StatechartError as e:
                self.errors += 1
                self.out.print(Text(f"error: {error_text(e)}", style="bold red"))
            if it.snapshot() != before:
                self.history.append(before)
            self._effects(outbox, logs)
            self.show()
        elif word in ("a", "advance"):
            try:
                ms = int(arg.strip().removesuffix("ms"))
            except ValueError:
                raise SessionError(":advance takes a number of milliseconds, e.g. :advance 1000") from None
            it = self.interp
            before = it.snapshot()
            outbox, logs = len(it.outbox), len(it.logs)
            try:
                it.advance(ms)
            except StatechartError as e:
                self.errors += 1
                self.out.print(Text(f"error: {error_text(e)}", style="bold red"))
            self.history.append(before)
            self._effects(outbox, logs)
            self.show()
        elif word in ("e", "events"):
            self.out.print(", ".join(self.chart.event_names()) or "(no events)")
        else:
            raise SessionError(f"unknown command :{word} (:help lists the commands)")
        return True

    def loop(self, lines: Iterable[str], prompt: bool) -> None:
        if prompt:
            self.out.print(Text("type an event (e.g. " + (self.chart.event_names() or ["go"])[0] + "), or :help", style="dim"))
        for raw in lines:
            line = raw.strip()
            if self.echo:
                self.out.print(Text(f"> {line}", style="bold"))
            if not line or line.startswith("#"):
                continue
            try:
                if line.startswith(":"):
                    if not self.command(line):
                        return
                else:
                    self.send(line)
            except SessionError as e:
                self.errors += 1
                self.out.print(Text(f"error: {e}", style="bold red"))


def _data(ev: Any) -> str:
    data = getattr(ev, "data", None)
    if not data:
        return ""
    return "(" + ", ".join(f"{k}={short_value(v, 40)}" for k, v in dict(data).items()) + ")"


COMMANDS = (":state", ":undo", ":reset", ":advance", ":events", ":help", ":quit")


def _sendable(chart: Chart) -> list[str]:
    """The event names worth offering: the chart's descriptors without wildcards and timer plumbing."""
    return [e for e in chart.event_names() if "*" not in e and not e.startswith("after.") and not e.endswith(".")]


def _completer(chart: Chart) -> Any:
    """Completes the first word from the event names and the commands, later words from the data fields the event reads."""
    from prompt_toolkit.completion import Completer, Completion

    events = _sendable(chart)

    class EventCompleter(Completer):
        def get_completions(self, document: Any, complete_event: Any) -> Iterable[Completion]:
            text = document.text_before_cursor
            words = text.split()
            current = "" if not text or text[-1].isspace() else words[-1]
            if len(words) == 0 or (len(words) == 1 and current):
                for w in (*events, *COMMANDS):
                    if w.startswith(current):
                        yield Completion(w, start_position=-len(current))
                return
            if words[0].startswith(":") or "=" in current:
                return
            given = {w.partition("=")[0] for w in words[1:] if "=" in w}
            for f in sorted(fields_read(chart, words[0]) or ()):
                if f.startswith(current) and f not in given:
                    yield Completion(f + "=", start_position=-len(current))

    return EventCompleter()


def _input_lines(prompt: bool, stdin: TextIO, chart: Chart | None = None) -> Iterable[str]:
    """Lines to run: read plainly from a pipe; on a terminal, edited with prompt_toolkit (history, completion).

    On a terminal Ctrl-C cancels the line being typed (as in a shell) and Ctrl-D leaves.
    """
    if not prompt:
        yield from stdin
        return
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import InMemoryHistory

    session: PromptSession[str] = PromptSession(history=InMemoryHistory(), completer=_completer(chart) if chart is not None else None)
    while True:
        try:
            yield session.prompt("> ")
        except KeyboardInterrupt:
            continue
        except EOFError:
            return


def cmd_run(args: argparse.Namespace, out: Console) -> int:
    """Load the chart and read events from stdin until ``:quit`` or end of input."""
    from .targets import Target, find_chart, load_module

    target = Target.parse(args.target)
    chart, context, what = find_chart(load_module(target.location), target, args.actor)
    stdin = sys.stdin
    interactive = stdin.isatty() and sys.stdout.isatty() if hasattr(stdin, "isatty") else False
    session = Session(chart, context, out, echo=not interactive)
    out.print(Text(f"running {what}", style="bold"))
    session.show("started;")
    try:
        session.loop(_input_lines(interactive, stdin, chart), prompt=interactive)
    except KeyboardInterrupt:  # while reading a pipe or running a step: leave quietly, nothing half-done is kept
        out.print(Text("interrupted", style="dim"))
        return 130
    return 0
