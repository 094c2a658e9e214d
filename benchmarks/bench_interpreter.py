#!/usr/bin/env python3
"""Interpreter benchmark: one statechart, many libraries, same run.

The chart (identical semantics in every library)::

    root  (parallel)
    |-- hier  (compound, initial A)
    |   |-- A   (initial A1)
    |   |   `-- A1  (initial A11)
    |   |       |-- A11   --flip--> B11
    |   |       `-- A12
    |   `-- B   (initial B1)
    |       `-- B1  (initial B11)
    |           `-- B11   --flip--> A11
    `-- loop  (compound, initial L1)      inc: targetless, action counter += 1
        |-- L1  --tick [counter % 2 == 0]--> L2
        |-- L2  --tick [counter % 2 == 0]--> L3
        `-- L3  --tick [counter % 2 == 0]--> L1

``counter`` lives in the machine's extended state / model and starts at 0.
The event stream repeats ``["flip", "inc", "tick"]`` until N events (default
100,000) have been sent, so every ``flip`` does a deep exit (A11, A1, A) and a
deep entry (B, B1, B11) or the reverse, and the tick guard fails half of the
time.

Each library is one :class:`Runner`.  ``build()`` constructs a fresh,
started machine (not timed); ``run(obj, events)`` sends every event (timed) and
returns ``(frozenset_of_active_leaf_names, counter)``.  Leaf names are the bare
names used above (``"A11"``, ``"L2"``, ...).  Every runner's result is checked
against the expected final state worked out in :func:`expected_result`.

Adding a runner (e.g. our own ``statecharts`` package) is one more entry in
:data:`RUNNERS`; see the ``Runner`` docstring.

Usage::

    python benchmarks/bench_interpreter.py                 # 100,000 events, best of 3
    python benchmarks/bench_interpreter.py --events 30000 --repeat 2
    python benchmarks/bench_interpreter.py --json          # machine-readable results
    python benchmarks/bench_interpreter.py --only sismic transitions

Peer dependencies: ``pip install -r benchmarks/requirements.txt``.  A peer that
is not installed is reported as ``skipped: <package> not installed``.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import importlib.util
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Make ``import statecharts`` work from a source checkout (repo root is the
# parent of benchmarks/) without installing the package.
_REPO_ROOT = str(__import__("pathlib").Path(__file__).resolve().parent.parent)
if _REPO_ROOT not in sys.path:
    sys.path.insert(1, _REPO_ROOT)

CYCLE = ("flip", "inc", "tick")
LOOP_ORDER = ("L1", "L2", "L3")



# --------------------------------------------------------------------------
# Event stream and the expected outcome (worked out by hand, not by running
# any statechart library).
# --------------------------------------------------------------------------


def make_events(n: int) -> list[str]:
    """The first ``n`` events of the endless ``flip, inc, tick`` cycle."""
    full, rem = divmod(n, len(CYCLE))
    return list(CYCLE) * full + list(CYCLE[:rem])


def expected_result(n: int) -> tuple[frozenset[str], int]:
    """Final active leaves and counter after the first ``n`` events.

    * ``counter`` is the number of ``inc`` events.
    * In each cycle ``inc`` comes before ``tick``, so the k-th tick (k = 1, 2,
      ...) sees ``counter == k``: the guard passes on even k only, i.e.
      ``ticks // 2`` ticks move the loop, and the loop position is that number
      modulo 3 (L1 -> L2 -> L3 -> L1).
    * Every ``flip`` toggles A11 <-> B11, starting from A11, so the parity of
      the number of flips decides between them.
    """
    full, rem = divmod(n, len(CYCLE))
    flips = full + (1 if rem >= 1 else 0)
    incs = full + (1 if rem >= 2 else 0)
    ticks = full
    moves = ticks // 2
    hier_leaf = "A11" if flips % 2 == 0 else "B11"
    loop_leaf = LOOP_ORDER[moves % 3]
    return frozenset({hier_leaf, loop_leaf}), incs


# --------------------------------------------------------------------------
# Runner registry
# --------------------------------------------------------------------------


@dataclass
class Runner:
    """One implementation of the benchmark chart.

    name     -- label shown in the table (e.g. ``"statecharts"``).
    package  -- distribution name used for the version lookup and for the
                ``skipped: <package> not installed`` message.
    module   -- importable top-level module; if it cannot be found the runner
                is skipped (not silently dropped).
    build    -- ``build() -> obj``: construct a fresh machine, already started
                (initial configuration entered, counter == 0).  Not timed.
    run      -- ``run(obj, events) -> (frozenset[str], int)``: send every event
                in ``events`` (a list of str) in order, synchronously, and return
                the set of active *leaf* state names and the final counter.
                This is the timed part.
    peer     -- True for third-party libraries; the "ratio" column is relative
                to the fastest *peer*, so our own entry uses ``peer=False``.
    check    -- optional ``check() -> str | None``: a reason to skip even though
                the module is importable (e.g. version too old).
    notes    -- free text, printed under the table and included in JSON.
    version  -- optional ``version() -> str`` override (default:
                ``importlib.metadata.version(package)``, then ``module.__version__``).
    """

    name: str
    package: str
    module: str
    build: Callable[[], Any]
    run: Callable[[Any, Sequence[str]], tuple[frozenset[str], int]]
    peer: bool = True
    check: Callable[[], str | None] | None = None
    notes: str = ""
    version: Callable[[], str] | None = None


def _version_of(runner: Runner) -> str:
    if runner.version is not None:
        try:
            return str(runner.version())
        except Exception:  # pragma: no cover - defensive
            pass
    try:
        return importlib.metadata.version(runner.package)
    except importlib.metadata.PackageNotFoundError:
        pass
    try:
        mod = __import__(runner.module)
        return str(getattr(mod, "__version__", "unknown"))
    except Exception:
        return "unknown"


# --------------------------------------------------------------------------
# transitions (HierarchicalMachine)
# --------------------------------------------------------------------------

_TRANSITIONS_STATES = [
    {
        "name": "root",
        "parallel": [
            {
                "name": "hier",
                "initial": "A",
                "children": [
                    {
                        "name": "A",
                        "initial": "A1",
                        "children": [
                            {"name": "A1", "initial": "A11", "children": ["A11", "A12"]},
                        ],
                    },
                    {
                        "name": "B",
                        "initial": "B1",
                        "children": [
                            {"name": "B1", "initial": "B11", "children": ["B11"]},
                        ],
                    },
                ],
            },
            {"name": "loop", "initial": "L1", "children": ["L1", "L2", "L3"]},
        ],
    }
]

_TRANSITIONS_TRANSITIONS = [
    {"trigger": "flip", "source": "root_hier_A_A1_A11", "dest": "root_hier_B_B1_B11"},
    {"trigger": "flip", "source": "root_hier_B_B1_B11", "dest": "root_hier_A_A1_A11"},
    {"trigger": "tick", "source": "root_loop_L1", "dest": "root_loop_L2", "conditions": "is_even"},
    {"trigger": "tick", "source": "root_loop_L2", "dest": "root_loop_L3", "conditions": "is_even"},
    {"trigger": "tick", "source": "root_loop_L3", "dest": "root_loop_L1", "conditions": "is_even"},
    # dest=None is an internal transition in `transitions`: no exit/entry, no
    # state change.  Declared on the region state so it fires from any of
    # L1/L2/L3 (nested states fall back to their parent's triggers).
    {"trigger": "inc", "source": "root_loop", "dest": None, "before": "increment"},
]


class _TransitionsModel:
    def __init__(self) -> None:
        self.counter = 0

    def is_even(self) -> bool:
        return self.counter % 2 == 0

    def increment(self) -> None:
        self.counter += 1


def _transitions_build() -> Any:
    from transitions.extensions import HierarchicalMachine

    model = _TransitionsModel()
    HierarchicalMachine(
        model=model,
        states=_TRANSITIONS_STATES,
        transitions=_TRANSITIONS_TRANSITIONS,
        initial="root",
        auto_transitions=False,  # no to_<state>() triggers for every state
    )
    return model


def _flatten(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        out: list[str] = []
        for item in value:
            out.extend(_flatten(item))
        return out
    return [str(getattr(value, "name", value))]


def _transitions_run(model: Any, events: Sequence[str]) -> tuple[frozenset[str], int]:
    # model.flip() / model.inc() / model.tick() are the generated trigger
    # methods; look them up once instead of once per event.
    triggers = {name: getattr(model, name) for name in set(events)}
    for event in events:
        triggers[event]()
    # With a parallel root, model.state is a (possibly nested) list of full
    # names such as "root_hier_A_A1_A11"; keep the last path component.
    from transitions.extensions.nesting import NestedState

    sep = NestedState.separator
    leaves = frozenset(name.rsplit(sep, 1)[-1] for name in _flatten(model.state))
    return leaves, model.counter


# --------------------------------------------------------------------------
# sismic
# --------------------------------------------------------------------------

_SISMIC_YAML = """
statechart:
  name: bench_interpreter
  preamble: counter = 0
  root state:
    name: root
    parallel states:
      - name: hier
        initial: A
        states:
          - name: A
            initial: A1
            states:
              - name: A1
                initial: A11
                states:
                  - name: A11
                    transitions:
                      - target: B11
                        event: flip
                  - name: A12
          - name: B
            initial: B1
            states:
              - name: B1
                initial: B11
                states:
                  - name: B11
                    transitions:
                      - target: A11
                        event: flip
      - name: loop
        initial: L1
        transitions:
          # no target = internal transition in sismic (no exit/entry)
          - event: inc
            action: counter += 1
        states:
          - name: L1
            transitions:
              - target: L2
                event: tick
                guard: counter % 2 == 0
          - name: L2
            transitions:
              - target: L3
                event: tick
                guard: counter % 2 == 0
          - name: L3
            transitions:
              - target: L1
                event: tick
                guard: counter % 2 == 0
"""

_sismic_chart_cache: list[Any] = []


def _sismic_build() -> Any:
    from sismic.interpreter import Interpreter
    from sismic.io import import_from_yaml

    if not _sismic_chart_cache:  # parsing the YAML is not what we measure
        _sismic_chart_cache.append(import_from_yaml(_SISMIC_YAML))
    chart = _sismic_chart_cache[0]
    # The chart declares no contracts; ignore_contract=True skips the per-step
    # contract bookkeeping (roughly 2x faster here) without changing semantics.
    interpreter = Interpreter(chart, ignore_contract=True)
    interpreter.execute_once()  # enter the initial configuration
    return interpreter


def _sismic_run(interpreter: Any, events: Sequence[str]) -> tuple[frozenset[str], int]:
    # One external event at a time, each processed to completion: the realistic
    # event-driven use (queue everything then execute() is ~the same speed
    # here, but builds a list of 100k MacroSteps).
    queue = interpreter.queue
    execute_once = interpreter.execute_once
    for event in events:
        queue(event)
        execute_once()
    chart = interpreter.statechart
    leaves = frozenset(s for s in interpreter.configuration if not chart.children_for(s))
    return leaves, interpreter.context["counter"]


# --------------------------------------------------------------------------
# python-statemachine (package "statemachine")
# --------------------------------------------------------------------------


def _psm_check() -> str | None:
    from statemachine import State

    if not hasattr(State, "Parallel") or not hasattr(State, "Compound"):
        # python-statemachine 2.x has flat machines only; the closest
        # equivalent would be a product state machine, which is a different
        # benchmark, so we skip rather than measure something else.
        return "skipped: python-statemachine without State.Parallel/State.Compound (needs >= 3.0)"
    return None


_psm_class_cache: list[Any] = []


def _psm_class() -> Any:
    if _psm_class_cache:
        return _psm_class_cache[0]
    from statemachine import State, StateChart

    # Leaf states are created up front so that the ``flip`` transitions can be
    # declared in the ``hier`` region, which is the innermost scope that sees
    # both A11 and B11 (a nested class body cannot see names of its sibling
    # class bodies).  Inside the class bodies they are bound under the names
    # A11/A12/B11, which become their state ids.
    a11 = State(initial=True)
    a12 = State()
    b11 = State(initial=True)

    class BenchChart(StateChart):
        catch_errors_as_events = False  # let a bug in a guard/action raise
        validate_disconnected_states = False  # A12 is intentionally unreachable

        class root(State.Parallel):  # noqa: N801 - the class names are the state ids
            class hier(State.Compound):  # noqa: N801
                class A(State.Compound):
                    class A1(State.Compound):
                        A11 = a11
                        A12 = a12

                class B(State.Compound):
                    class B1(State.Compound):
                        B11 = b11

                flip = a11.to(b11) | b11.to(a11)

            class loop(State.Compound):  # noqa: N801
                L1 = State(initial=True)
                L2 = State()
                L3 = State()

                tick = (
                    L1.to(L2, cond="is_even")
                    | L2.to(L3, cond="is_even")
                    | L3.to(L1, cond="is_even")
                )

            # Targetless transition (no exit/entry, no state change) on the
            # region state, so it is enabled in any of L1/L2/L3.
            inc = loop.to(None, on="increment")

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.counter = 0
            super().__init__(*args, **kwargs)

        def is_even(self) -> bool:
            return self.counter % 2 == 0

        def increment(self) -> None:
            self.counter += 1

    _psm_class_cache.append(BenchChart)
    return BenchChart


def _psm_build() -> Any:
    return _psm_class()()


def _psm_run(sm: Any, events: Sequence[str]) -> tuple[frozenset[str], int]:
    # sm.flip() etc. are the idiomatic triggers (equivalent to sm.send("flip"));
    # look them up once.
    triggers = {name: getattr(sm, name) for name in set(events)}
    for event in events:
        triggers[event]()
    leaves = frozenset(s.id for s in sm.configuration if s.is_atomic)
    return leaves, sm.counter


# --------------------------------------------------------------------------
# statecharts (this repository)
# --------------------------------------------------------------------------

_statecharts_chart_cache: list[Any] = []


def _statecharts_chart() -> Any:
    """The benchmark chart in our definition API (built and validated once)."""
    if _statecharts_chart_cache:
        return _statecharts_chart_cache[0]
    from statecharts import Chart, Parallel, State, Transition, assign, ctx

    even = ctx.counter % 2 == 0
    chart = Chart(
        "bench_interpreter",
        Parallel(
            "root",
            State(
                "hier",
                State("A", State("A1", State("A11", on={"flip": "B11"}), State("A12"))),
                State("B", State("B1", State("B11", on={"flip": "A11"}))),
            ),
            State(
                "loop",
                State("L1", on={"tick": Transition("L2", guard=even)}),
                State("L2", on={"tick": Transition("L3", guard=even)}),
                State("L3", on={"tick": Transition("L1", guard=even)}),
                # targetless: no exit/entry, enabled in any of L1/L2/L3
                on={"inc": Transition(actions=assign(counter=ctx.counter + 1))},
            ),
        ),
        context={"counter": 0},
    )
    _statecharts_chart_cache.append(chart)
    return chart


def _statecharts_build() -> Any:
    from statecharts import Interpreter

    return Interpreter(_statecharts_chart())


def _statecharts_run(interpreter: Any, events: Sequence[str]) -> tuple[frozenset[str], int]:
    send = interpreter.send
    for event in events:
        send(event)
    return frozenset(interpreter.leaves), interpreter.context["counter"]


def _statecharts_step_build() -> Any:
    chart = _statecharts_chart()
    return chart, chart.start().state


def _statecharts_step_run(obj: Any, events: Sequence[str]) -> tuple[frozenset[str], int]:
    # The pure function under the interpreter (and the explorer): state value in,
    # StepResult out.  Event objects are built up front, once per distinct name,
    # as a caller holding events (rather than strings) would have them.
    from statecharts import Event

    chart, state = obj
    step = chart.step
    by_name = {name: Event.of(name) for name in set(events)}
    for event in events:
        state = step(state, by_name[event]).state
    return frozenset(chart.leaves(state)), chart.context_of(state)["counter"]


# --------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------

RUNNERS: list[Runner] = [
    Runner(
        name="transitions",
        package="transitions",
        module="transitions",
        build=_transitions_build,
        run=_transitions_run,
        notes="HierarchicalMachine, auto_transitions=False, model callbacks, bound triggers",
    ),
    Runner(
        name="sismic",
        package="sismic",
        module="sismic",
        build=_sismic_build,
        run=_sismic_run,
        notes="YAML chart, PythonEvaluator, ignore_contract=True, queue()+execute_once() per event",
    ),
    Runner(
        name="python-statemachine",
        package="python-statemachine",
        module="statemachine",
        build=_psm_build,
        run=_psm_run,
        check=_psm_check,
        notes="StateChart with State.Parallel/State.Compound, bound triggers",
    ),
    Runner(
        name="statecharts",
        package="statecharts",
        module="statecharts",
        build=_statecharts_build,
        run=_statecharts_run,
        peer=False,
        notes="this repository: Interpreter.send(name) per event (strict=False, virtual clock, outbox)",
    ),
    Runner(
        name="statecharts (Chart.step)",
        package="statecharts",
        module="statecharts",
        build=_statecharts_step_build,
        run=_statecharts_step_run,
        peer=False,
        notes="this repository: the pure macrostep, state = chart.step(state, Event).state per event",
    ),
]


# --------------------------------------------------------------------------
# Measurement
# --------------------------------------------------------------------------


@dataclass
class Measurement:
    name: str
    package: str
    version: str
    peer: bool
    status: str  # "ok", "skipped: ...", "error: ...", "MISMATCH: ..."
    events: int = 0
    best_seconds: float | None = None
    events_per_second: float | None = None
    ratio_vs_fastest_peer: float | None = None
    all_seconds: list = field(default_factory=list)
    active_leaves: list | None = None
    counter: int | None = None
    notes: str = ""


def measure(runner: Runner, events: Sequence[str], repeat: int,
            expected: tuple[frozenset[str], int]) -> Measurement:
    m = Measurement(name=runner.name, package=runner.package, version="-",
                    peer=runner.peer, status="ok", events=len(events), notes=runner.notes)
    if importlib.util.find_spec(runner.module) is None:
        m.status = f"skipped: {runner.package} not installed"
        return m
    m.version = _version_of(runner)
    try:
        if runner.check is not None:
            reason = runner.check()
            if reason:
                m.status = reason
                return m
        times = []
        result = None
        for _ in range(max(1, repeat)):
            obj = runner.build()
            gc.collect()
            start = time.perf_counter()
            result = runner.run(obj, events)
            times.append(time.perf_counter() - start)
            del obj
    except Exception as exc:  # report, don't abort the other runners
        m.status = f"error: {type(exc).__name__}: {exc}"
        return m

    leaves, counter = result
    m.all_seconds = times
    m.best_seconds = min(times)
    m.events_per_second = len(events) / m.best_seconds if m.best_seconds > 0 else float("inf")
    m.active_leaves = sorted(leaves)
    m.counter = counter
    exp_leaves, exp_counter = expected
    if frozenset(leaves) != exp_leaves or counter != exp_counter:
        m.status = (f"MISMATCH: got leaves={sorted(leaves)} counter={counter}, "
                    f"expected leaves={sorted(exp_leaves)} counter={exp_counter}")
    return m


def _fmt_rate(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def print_table(results: list[Measurement], n: int, repeat: int,
                expected: tuple[frozenset[str], int]) -> None:
    print(f"bench_interpreter: {n:,} events, best of {repeat}, "
          f"Python {platform.python_version()} ({platform.python_implementation()}), "
          f"{platform.machine()}")
    print(f"expected final state: leaves={sorted(expected[0])} counter={expected[1]}")
    print()
    headers = ("name", "version", "events/s", "ratio", "status")
    rows = []
    for m in results:
        ratio = "-" if m.ratio_vs_fastest_peer is None else f"{m.ratio_vs_fastest_peer:.2f}x"
        rows.append((m.name + ("" if m.peer else " *"), m.version,
                     _fmt_rate(m.events_per_second), ratio, m.status))
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    align = ("<", "<", ">", ">", "<")
    line = "  ".join(f"{h:{a}{w}}" for h, a, w in zip(headers, align, widths))
    print(line.rstrip())
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(f"{c:{a}{w}}" for c, a, w in zip(r, align, widths)).rstrip())
    print()
    print("ratio = events/s relative to the fastest peer (third-party library); "
          "* = not a peer")
    for m in results:
        if m.notes and m.status == "ok":
            print(f"  {m.name}: {m.notes}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000,
                        help="number of events to send (default: 100000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per library; the best is reported (default: 3)")
    parser.add_argument("--json", action="store_true", help="emit results as JSON")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="run only these runners (by name)")
    args = parser.parse_args(argv)
    if args.events < 0:
        parser.error("--events must be >= 0")

    runners = RUNNERS
    if args.only:
        unknown = set(args.only) - {r.name for r in RUNNERS}
        if unknown:
            parser.error(f"unknown runner(s): {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(r.name for r in RUNNERS)}")
        runners = [r for r in RUNNERS if r.name in args.only]

    events = make_events(args.events)
    expected = expected_result(args.events)
    results = []
    for runner in runners:
        if not args.json:
            print(f"running {runner.name} ...", file=sys.stderr, flush=True)
        results.append(measure(runner, events, args.repeat, expected))

    ok_peers = [m.events_per_second for m in results
                if m.peer and m.status == "ok" and m.events_per_second]
    fastest_peer = max(ok_peers) if ok_peers else None
    for m in results:
        if fastest_peer and m.events_per_second and m.status == "ok":
            m.ratio_vs_fastest_peer = m.events_per_second / fastest_peer

    failures = [m for m in results
                if m.status.startswith("MISMATCH") or m.status.startswith("error")]
    if args.json:
        payload = {
            "benchmark": "bench_interpreter",
            "events": args.events,
            "repeat": args.repeat,
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "machine": platform.machine(),
            "expected": {"active_leaves": sorted(expected[0]), "counter": expected[1]},
            "fastest_peer_events_per_second": fastest_peer,
            "results": [m.__dict__ for m in results],
        }
        print(json.dumps(payload, indent=2))
    else:
        print_table(results, args.events, args.repeat, expected)
    for m in failures:
        print(f"ERROR: {m.name} {m.status}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
