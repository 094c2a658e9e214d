"""Terminal output for the command line: rich consoles, and the one-paragraph error report."""

from __future__ import annotations

import shutil
import sys
import traceback
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.text import Text


def stdout_console() -> Console:
    """A console on the current ``sys.stdout``: colours and live output on a terminal, plain wide text otherwise."""
    file = sys.stdout
    terminal = file.isatty() if hasattr(file, "isatty") else False
    if terminal:
        return Console(file=file, highlight=False)
    width = max(120, shutil.get_terminal_size((120, 24)).columns)
    return Console(file=file, highlight=False, force_terminal=False, no_color=True, width=width, soft_wrap=False)


def stderr_console() -> Console:
    """A console on the current ``sys.stderr``."""
    file = sys.stderr
    terminal = file.isatty() if hasattr(file, "isatty") else False
    return Console(file=file, highlight=False, stderr=True, no_color=not terminal, width=None if terminal else 120)


def error_text(exc: BaseException) -> str:
    """The message of an exception plus its notes (``add_note``), as one paragraph."""
    text = str(exc) or type(exc).__name__
    notes = getattr(exc, "__notes__", None) or []
    for n in notes:
        text += f" ({n})"
    return text


def report_error(title: str, exc: BaseException | str, *, hint: str = "", debug: bool = False) -> None:
    """Print one clear paragraph about an error on stderr (a traceback too with ``--debug``)."""
    err = stderr_console()
    message = exc if isinstance(exc, str) else error_text(exc)
    body = Text(message)
    if hint:
        body.append("\n" + hint, style="dim")
    if debug and isinstance(exc, BaseException):
        err.print("".join(traceback.format_exception(exc)), markup=False, highlight=False)
    err.print(Panel(body, title=f"[bold red]{title}[/]", title_align="left", border_style="red", expand=False))


def jsonable(value: Any) -> Any:
    """A JSON-compatible form of a model value: sets as sorted lists, tuples as lists, maps as objects."""
    from statecharts.values import FrozenMap, format_value

    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (frozenset, set)):
        return sorted((jsonable(v) for v in value), key=repr)
    if isinstance(value, (tuple, list)):
        return [jsonable(v) for v in value]
    if isinstance(value, (FrozenMap, dict)):
        return {k if isinstance(k, str) else format_value(k): jsonable(v) for k, v in value.items()}
    return repr(value)
