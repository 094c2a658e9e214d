"""Run TLC on an exported spec, read its verdict and statistics, and replay its traces in the explorer.

``run_tlc`` writes the module and configuration to a temporary directory, runs
``java -cp tla2tools.jar tlc2.TLC -workers 1`` and parses the output. ``parse_tlc_trace``
reads an error trace (``State k: <Action ...>`` blocks of ``/\\ var = value`` lines) into
one dict of normalized values per state; ``replay_tlc_trace`` matches each TLC state to
one of the explorer's successors and returns a :class:`simulate.Trace`.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulate.model import Label, Model
from simulate.result import Result, Step, Trace
from simulate.steps import changes_between, in_flight_text, sent_between
from simulate.system import System
from statecharts.errors import ToolError

from .tla import TlaSpec, state_values, to_tla
from .tla.replay import fn_norm, set_norm
from .tla.trace import INVARIANT as TRACE_INVARIANT
from .tla.trace import TraceModule, trace_module, trace_states

__all__ = ["TlcError", "TlcResult", "TlcState", "TraceCheck", "check_trace", "parse_tlc_output", "parse_tlc_trace", "parse_tlc_value", "replay_tlc_trace", "run_tlc"]


class TlcError(ToolError):
    """TLC could not run, or its output could not be understood (the message quotes what TLC printed)."""


@dataclass
class TlcResult:
    """What TLC reported."""

    distinct_states: int | None
    states_generated: int | None
    verdict: str
    """``ok``, ``invariant``, ``deadlock``, ``liveness`` or ``error``."""
    violated_property: str | None
    error_trace_text: str
    raw_output: str
    messages: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- running


def run_tlc(
    spec_or_paths: TlaSpec | tuple[str | Path, str | Path],
    jar: str | Path | None = None,
    timeout: float = 600.0,
    cfg: str | None = None,
    java: str = "java",
    workers: int = 1,
    modules: Mapping[str, str] | None = None,
) -> TlcResult:
    """Run TLC on a spec (or on written ``(tla, cfg)`` paths); ``cfg`` overrides the spec's configuration.

    ``modules``: other modules it EXTENDS (name -> text), written next to it (a trace module extends the spec).
    """
    jar = jar or os.environ.get("TLA2TOOLS")
    if not jar:
        raise TlcError("no tla2tools.jar: pass jar= or set TLA2TOOLS to its path (https://github.com/tlaplus/tlaplus/releases)")
    with tempfile.TemporaryDirectory(prefix="tlc-") as d:
        for other, text in (modules or {}).items():
            Path(d, f"{other}.tla").write_text(text)
        if isinstance(spec_or_paths, TlaSpec):
            name = spec_or_paths.module_name
            Path(d, f"{name}.tla").write_text(spec_or_paths.module)
            Path(d, f"{name}.cfg").write_text(cfg if cfg is not None else spec_or_paths.cfg)
        else:
            tla_path, cfg_path = (Path(p) for p in spec_or_paths)
            name = tla_path.stem
            Path(d, f"{name}.tla").write_text(tla_path.read_text())
            Path(d, f"{name}.cfg").write_text(cfg if cfg is not None else cfg_path.read_text())
        # java.io.tmpdir: TLC extracts its standard modules (Integers.tla, ...) there; a run of its own, no collisions
        cmd = [java, "-XX:+UseParallelGC", f"-Djava.io.tmpdir={d}", "-cp", str(jar), "tlc2.TLC", "-workers", str(workers)]
        cmd += ["-metadir", str(Path(d, "states")), "-config", f"{name}.cfg", f"{name}.tla"]
        try:
            proc = subprocess.run(cmd, cwd=d, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise TlcError(f"TLC did not finish within {timeout}s (give a larger timeout=, or bound the model with fewer stimuli)") from e
        return parse_tlc_output(proc.stdout + proc.stderr)


def parse_tlc_output(text: str) -> TlcResult:
    """The verdict, statistics and error trace of a TLC run's output."""
    distinct = generated = None
    for m in re.finditer(r"([\d,]+) states generated, ([\d,]+) distinct states found", text):
        generated, distinct = int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))
    verdict = "error"
    prop = None
    if "Model checking completed. No error has been found." in text:
        verdict = "ok"
    elif inv := re.search(r"Error: Invariant (\S+) is violated", text):
        verdict, prop = "invariant", inv.group(1)
    elif "Error: Deadlock reached." in text:
        verdict = "deadlock"
    elif "Error: Temporal properties were violated." in text:
        verdict = "liveness"
    trace = ""
    start = re.search(r"^State 1: ", text, re.M)
    if start is not None and verdict in ("invariant", "deadlock", "liveness"):
        end = re.search(r"^(\d[\d,]* states generated|Finished checking temporal|The number of states generated)", text[start.start() :], re.M)
        trace = text[start.start() : start.start() + end.start()] if end else text[start.start() :]
    messages = [ln for ln in text.splitlines() if ln.startswith("Error:") or "Exception" in ln]
    return TlcResult(distinct, generated, verdict, prop, trace.strip(), text, messages)


# --------------------------------------------------------------------------- TLC values


class _ValueParser:
    """A parser for the values TLC prints: integers, strings, booleans, model values, sets, sequences, records, functions."""

    _TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+)|(?P<op>\|->|:>|@@|<<|>>|[{}\[\](),])|(?P<id>[A-Za-z_][A-Za-z0-9_]*))')

    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = self._TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                if text[pos:].strip() == "":
                    break
                raise TlcError(f"cannot read TLC value at {text[pos:pos + 40]!r}")
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("eof", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if value is not None and tok[1] != value:
            raise TlcError(f"expected {value!r}, got {tok[1]!r}")
        self.i += 1
        return tok

    def value(self) -> Any:
        kind, tok = self.take()
        if kind == "num":
            return ("I", int(tok))
        if kind == "str":
            return ("S", bytes(tok[1:-1], "utf-8").decode("unicode_escape"))
        if kind == "id":
            if tok in ("TRUE", "FALSE"):
                return ("B", tok == "TRUE")
            return ("M", tok)
        if tok == "<<":
            items = self._items(">>")
            return fn_norm((("I", k + 1), v) for k, v in enumerate(items))
        if tok == "{":
            return set_norm(self._items("}"))
        if tok == "[":
            pairs = []
            if self.peek()[1] != "]":
                while True:
                    _, name = self.take()
                    self.take("|->")
                    pairs.append((("S", name), self.value()))
                    if self.peek()[1] == ",":
                        self.take(",")
                        continue
                    break
            self.take("]")
            return fn_norm(pairs)
        if tok == "(":
            pairs = []
            while True:
                k = self.value()
                self.take(":>")
                pairs.append((k, self.value()))
                if self.peek()[1] == "@@":
                    self.take("@@")
                    continue
                break
            self.take(")")
            return fn_norm(pairs)
        raise TlcError(f"unexpected {tok!r} in a TLC value")

    def _items(self, close: str) -> list[Any]:
        items: list[Any] = []
        if self.peek()[1] == close:
            self.take(close)
            return items
        while True:
            items.append(self.value())
            if self.peek()[1] == ",":
                self.take(",")
                continue
            self.take(close)
            return items


def parse_tlc_value(text: str) -> Any:
    """A value as TLC prints it, in the normalized form of ``exporters.tla.norm``."""
    p = _ValueParser(text)
    v = p.value()
    if p.peek()[0] != "eof":
        raise TlcError(f"trailing text after a TLC value: {text!r}")
    return v


@dataclass
class TlcState:
    """One state of a TLC trace: its number, the action TLC names, and the variables (normalized)."""

    number: int
    action: str
    values: dict[str, Any]
    back_to: int | None = None
    stuttering: bool = False


def parse_tlc_trace(text: str, system: System | None = None) -> list[TlcState]:
    """The states of a TLC error trace (``system`` is accepted for symmetry with replay and unused)."""
    _ = system
    out: list[TlcState] = []
    blocks = re.split(r"^(?=State \d+: |Back to state \d+: )", text, flags=re.M)
    for block in blocks:
        back_line = re.match(r"Back to state (\d+): (.*)", block)  # a lasso closing on its own line (newer TLC)
        if back_line is not None:
            out.append(TlcState(len(out) + 1, block.strip(), {}, back_to=int(back_line.group(1))))
            continue
        m = re.match(r"State (\d+): (.*)", block)
        if m is None:
            continue
        number, rest = int(m.group(1)), m.group(2).strip()
        if rest.startswith("Stuttering"):
            out.append(TlcState(number, "Stuttering", {}, stuttering=True))
            continue
        back = re.match(r"Back to state (\d+)", rest)
        if back:
            out.append(TlcState(number, rest, {}, back_to=int(back.group(1))))
            continue
        action = re.sub(r"^<(\S+).*", r"\1", rest)
        body = block[m.end() :]
        values: dict[str, Any] = {}
        for part in re.split(r"^/\\ ", body.strip(), flags=re.M):
            part = part.strip()
            if not part:
                continue
            name, _, val = part.partition(" = ")
            values[name.strip()] = parse_tlc_value(val)
        out.append(TlcState(number, action, values))
    return out


# --------------------------------------------------------------------------- replay


def _permutations(model: Model) -> list[tuple[int, ...]]:
    groups = [g for g in model.sym_groups] or [[a] for a in range(model.n)][:0]
    if not groups:
        return [tuple(range(model.n))]
    out = []
    for choice in itertools.product(*[itertools.permutations(g) for g in groups]):
        p = list(range(model.n))
        for g, order in zip(groups, choice):
            for old, new in zip(g, order):
                p[old] = new
        out.append(tuple(p))
    return out


def replay_tlc_trace(system: System, text_or_states: str | list[TlcState], spec: TlaSpec | None = None) -> Trace:
    """Turn a TLC error trace into an explorer Trace by matching each TLC state to one of our successors.

    Under symmetry TLC may print any member of a state's orbit; a state then matches a
    successor up to a permutation of the interchangeable instances. A lasso's
    ``Back to state k`` becomes the trace's ``loop_start``.
    """
    spec = spec or to_tla(system)
    states = parse_tlc_trace(text_or_states) if isinstance(text_or_states, str) else text_or_states
    model = Model(system)
    perms = _permutations(model)

    def matches(ours: Any, theirs: dict[str, Any]) -> Any:
        for p in perms:
            cand = ours if p == tuple(range(model.n)) else model.apply(ours, p)
            vals = state_values(spec, model, cand)
            if all(vals.get(k) == v for k, v in theirs.items()):
                return cand
        return None

    real = [s for s in states if s.back_to is None and not s.stuttering]
    if not real:
        raise TlcError("the TLC trace has no states")
    current = None
    for s0 in model.initial_states():
        if matches(s0, real[0].values) is not None:
            current = s0
            break
    if current is None:
        raise TlcError("TLC's initial state is not one of the explorer's initial states")
    path: list[Any] = [current]
    labels: list[Label | None] = [None]
    for k, ts in enumerate(real[1:], start=2):
        found = None
        for raw, s2 in model.successors(current):
            if matches(s2, ts.values) is not None:
                found = (Label(*raw), s2)
                break
        if found is None:
            raise TlcError(f"TLC state {k} ({ts.action}) is not a successor of the previous state in the explorer")
        labels.append(found[0])
        current = found[1]
        path.append(current)
    loop = next((s.back_to for s in states if s.back_to is not None), None)
    if any(s.stuttering for s in states):
        loop = len(real)
    return Trace(_steps(model, path, labels), loop_start=None if loop is None else loop - 1)


def _steps(model: Model, states: list[Any], labels: list[Label | None]) -> list[Step]:
    steps: list[Step] = []
    prev = None
    for k, (s, label) in enumerate(zip(states, labels)):
        changes = changes_between(model, prev, s)
        in_flight = in_flight_text(model, s)
        sent = sent_between(model, prev, s)
        if label is None:
            steps.append(Step(k, "init", "", "", "initial state", None, changes, sent, in_flight, s))
        else:
            who, kind, what = model.describe_label(label)
            sender = None
            if label.kind in ("deliver", "drop", "duplicate"):
                sender = model.msg_values[label.detail][1].origin
            elif label.kind == "stimulus":
                sender = "env"
            steps.append(Step(k, kind, who, what.split("(")[0].split(" ")[0], what, sender, changes, sent, in_flight, s))
        prev = s
    return steps


# --------------------------------------------------------------------------- a trace checked by TLC


@dataclass
class TraceCheck:
    """TLC's word on a trace: ``ok`` when it followed every step as a step of the spec's ``Next``."""

    ok: bool
    steps: int
    """The trace's steps (its states less one)."""
    followed: int
    """How many of the trace's states TLC reached (all of them when ``ok``; else the first step it refused is this one)."""
    tlc: TlcResult
    module: TraceModule

    @property
    def message(self) -> str:
        """One line: confirmed, or the first step TLC refused."""
        if self.ok:
            return f"TLC followed all {self.steps} steps of the trace: it is a behaviour of the spec"
        if self.followed == 0:
            return "TLC refused the trace's initial state: it is not one of the spec's initial states"
        return f"TLC refused step {self.followed} of the trace: it is not a step of the spec's Next from the state before"


def check_trace(
    source: Result | Model, trace: Trace | None = None, *, spec: TlaSpec | None = None, jar: str | Path | None = None, timeout: float = 600.0
) -> TraceCheck:
    """Have TLC confirm that a trace (default: the result's counterexample) is a behaviour of the exported spec.

    ``source`` is the exploration result (or its ``Model``) the trace came from: its tables read the trace's states.
    The trace becomes the module of :func:`exporters.tla.trace.trace_module`, which TLC checks with the spec (a final
    step where user code raised has no state of its own and is left out; a lasso is checked up to its last state).
    """
    model = getattr(source, "model", source)
    if not isinstance(model, Model):
        raise TlcError("check_trace checks the traces of a System's exploration (the result has no actor model)")
    if trace is None:
        trace = getattr(source, "counterexample", None)
        if trace is None:
            raise TlcError("no trace given, and the result has no counterexample")
    try:
        states = trace_states(trace)
    except ValueError as e:
        raise TlcError(str(e)) from None
    spec = spec or to_tla(model.system)
    mod = trace_module(spec, model, states)
    result = run_tlc(TlaSpec(mod.module_name, mod.module, mod.cfg, []), jar=jar, timeout=timeout, modules={spec.module_name: spec.module})
    if result.verdict == "invariant" and result.violated_property == TRACE_INVARIANT:
        return TraceCheck(True, len(states) - 1, len(states), result, mod)
    if result.verdict != "ok":
        raise TlcError("TLC could not check the trace: " + ("; ".join(result.messages) or result.raw_output[-2000:]))
    return TraceCheck(False, len(states) - 1, result.distinct_states or 0, result, mod)

