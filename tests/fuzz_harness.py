"""Runs one fuzz input through the whole tool in a forked child with a time and memory budget.

The child loads the input (Python API source, SCXML text or a pytransitions definition),
starts an interpreter and sends a few events, renders DOT, Mermaid and TLA+, and explores
a bounded system. It reports back ``ok``, ``error`` (one of the project's documented
error types) or ``crash`` (anything else, with its traceback); the parent kills a child
that exceeds the budget and reports ``hang``. A fork, not a thread or a signal, so that a
stall inside one C call (``pow(7, 3000000)``) or a memory blow-up cannot take the test
process down with it.
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import simulate
import statecharts
from exporters.graphviz import chart_dot, state_graph_dot, system_dot, trace_dot
from exporters.mermaid import chart_mermaid
from exporters.tla import TlaUnsupported, to_tla
from statecharts.errors import StatechartError

ALLOWED_ERRORS: tuple[type[BaseException], ...] = (StatechartError,)
"""Every error the project raises on purpose, in one place: they all derive from StatechartError
(tests/test_architecture.py checks that every exception class of the packages does)."""

BUDGET_SECONDS = float(os.environ.get("FUZZ_BUDGET_SECONDS", "10"))
"""Per-example time budget: a normal example takes milliseconds, so this only catches hangs."""
MEMORY_BYTES = 1 << 30
"""Extra address space a child may map beyond what the parent had (a blow-up is a crash, not a swap storm)."""

PROJECT_DIRS = ("statecharts", "simulate", "exporters")


@dataclass(frozen=True)
class Outcome:
    """What one input did: ``ok``, ``error`` (allowed), ``crash`` (internal) or ``hang``."""

    kind: str
    type: str = ""
    where: str = ""
    detail: str = ""

    @property
    def key(self) -> str:
        """One distinct failure: its exception type and the innermost project frame."""
        return f"{self.kind}:{self.type}@{self.where}"


def _innermost_project_frame(tb: Any) -> str:
    where = "?"
    for frame in traceback.extract_tb(tb):
        parts = frame.filename.replace("\\", "/").split("/")
        for d in PROJECT_DIRS:
            if d in parts[:-1]:
                where = f"{'/'.join(parts[parts.index(d):])}:{frame.lineno}"
    return where


def namespace() -> dict[str, Any]:
    """The names a fuzz source may use: the public API of statecharts and simulate."""
    ns: dict[str, Any] = {name: getattr(statecharts, name) for name in statecharts.__all__}
    ns.update({name: getattr(simulate, name) for name in simulate.__all__})
    return ns


# --------------------------------------------------------------------------- what each input goes through


def _send_all(chart: statecharts.Chart, events: list[str]) -> None:
    ns = namespace()
    interp = statecharts.Interpreter(chart)
    for text in events:
        interp.send(eval(text, ns))


def _stimuli(chart: statecharts.Chart) -> list[simulate.Stimulus]:
    names = [e for e in chart.event_names() if e and "*" not in e and not e.endswith(".")]
    return [simulate.Stimulus("a", e, max=2) for e in names[:4]]


def exercise_chart(chart: statecharts.Chart, events: list[str], explore_options: dict[str, Any] | None = None) -> None:
    """Interpreter, exporters and a bounded exploration of one chart (as a one-actor system)."""
    _send_all(chart, events)
    chart_dot(chart).source  # noqa: B018 - building the DOT text is the test
    chart_mermaid(chart)
    system = simulate.System("fz", actors=[simulate.Actor("a", chart)], stimuli=_stimuli(chart), check_deadlock=False)
    result = simulate.explore(system, **(explore_options or {"max_states": 200, "max_depth": 15}))
    exercise_result(system, result)


def exercise_result(system: simulate.System, result: simulate.Result) -> None:
    """Every exporter over a system and its exploration result."""
    system_dot(system).source  # noqa: B018
    result.summary()
    for v in result.verdicts:
        if v.trace is not None:
            trace_dot(v).source  # noqa: B018
            v.trace.format()
    try:
        to_tla(system)
    except TlaUnsupported:
        pass


def run_chart_source(source: str, events: list[str]) -> None:
    """Family "chart": Python API source defining ``chart``."""
    ns = namespace()
    exec(source, ns)
    exercise_chart(ns["chart"], events)


def run_scxml(text: str, events: list[str]) -> None:
    """Family "scxml": a document, through load_scxml (text) and parse_scxml (bytes)."""
    chart = statecharts.load_scxml(text)
    statecharts.parse_scxml(text.encode("utf-8"))
    exercise_chart(chart, events)


def run_transitions(definition: str, events: list[str]) -> None:
    """Family "pytransitions": source defining a definition ``d``, read with named callbacks."""
    callbacks = {
        "is_ready": lambda ctx, event: ctx.n < 2,
        "bump": lambda ctx, event: {"n": ctx.n + 1},
        "boom": lambda ctx, event: 1 / 0,
    }
    ns: dict[str, Any] = {}
    exec(definition, ns)
    chart = statecharts.from_transitions(ns["d"], callbacks=callbacks, context={"n": 0})
    exercise_chart(chart, events)


def run_system_source(source: str, options: dict[str, Any]) -> None:
    """Family "system": Python source defining ``system``, explored with the drawn options."""
    ns = namespace()
    exec(source, ns)
    system = ns["system"]
    result = simulate.explore(system, graph=True, **options)
    exercise_result(system, result)
    if result.graph is not None:
        state_graph_dot(result, max_nodes=400).source  # noqa: B018


def run_exporters(source: str, active: Any, taken: Any, rankdir: str, direction: Any) -> None:
    """Family "exporters": charts with odd names and ids, every exporter and its options."""
    ns = namespace()
    exec(source, ns)
    chart = ns["chart"]
    chart_dot(chart, active=active, rankdir=rankdir).source  # noqa: B018
    chart_dot(chart, taken=taken).source  # noqa: B018
    chart_mermaid(chart, direction=direction)
    exercise_chart(chart, [], {"max_states": 100, "max_depth": 8})


FAMILIES: dict[str, Callable[..., None]] = {
    "chart": run_chart_source,
    "scxml": run_scxml,
    "pytransitions": run_transitions,
    "system": run_system_source,
    "exporters": run_exporters,
}


# --------------------------------------------------------------------------- the watchdog


def _child(fn: Callable[..., None], args: tuple[Any, ...], wfd: int) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open("/proc/self/statm") as f:
            vsize = int(f.read().split()[0]) * resource.getpagesize()
        limit = vsize + MEMORY_BYTES
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError):
        pass
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    warnings.simplefilter("ignore", simulate.SymmetryWarning)  # a warning about a drawn model, not a failure
    try:
        fn(*args)
        out = Outcome("ok")
    except ALLOWED_ERRORS as e:
        out = Outcome("error", type(e).__name__, detail=str(e)[:300])
    except BaseException as e:
        out = Outcome("crash", type(e).__name__, _innermost_project_frame(e.__traceback__), "".join(traceback.format_exception(e))[-4000:])
    data = json.dumps(out.__dict__).encode("utf-8")
    os.write(wfd, data)
    os.close(wfd)


def run_isolated(family: str, *args: Any, budget: float = BUDGET_SECONDS) -> Outcome:
    """Run one input of a family in a forked child; ``hang`` if it exceeds ``budget`` seconds."""
    fn = FAMILIES[family]
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(rfd)
        code = 0
        try:
            _child(fn, args, wfd)
        except BaseException:
            code = 70
        finally:
            os._exit(code)
    os.close(wfd)
    deadline = time.monotonic() + budget
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return Outcome("hang", where=f"over {budget:g}s")
            ready, _, _ = select.select([rfd], [], [], left)
            if ready:
                chunk = os.read(rfd, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(rfd)
    if not chunks:
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        return Outcome("crash", "ProcessDied", detail=f"child ended with status {status} (signal {sig}) and no report")
    return Outcome(**json.loads(b"".join(chunks)))
