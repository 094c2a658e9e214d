"""Trace validation: is a log recorded from a real run a behaviour of the model?

The log is JSON lines (docs/conform.md; :mod:`simulate.tracelog` writes it). Each entry
is one event an actor handled; :func:`validate` follows the run through the model with a
:class:`~simulate.tracking.Tracker` (every model state consistent with the entries so far),
allowing at most ``max_gap`` unobserved steps (unlogged actors, lost lines, faults) before
each entry. On divergence it reports the longest matching prefix, the entry that cannot be
matched, what the model allowed there, and a witness trace for a sequence chart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import ENV
from .result import Step, Trace, Verdict
from .system import System
from .textchart import text_chart
from .tracking import ENTRY_KINDS, Entry, EntryError, Message, Move, Tracker, TrackingLimit, _event_text_of, failing_step

KEYS = ("actor", "event", "from", "kind", "data", "state", "context", "sent", "ts", "time")
"""The keys an entry may have (keys starting with ``_`` are ignored too)."""


class LogError(EntryError):
    """A log line is not a valid entry (bad JSON, a missing or unknown key, a value of the wrong type): names the line."""


@dataclass
class ConformResult:
    """The verdict on a log: ``ok``, ``diverged`` or ``incomplete``, with what matched and what did not."""

    system: str
    status: str
    entries: list[Entry]
    matched: int
    """How many entries, from the first, the model matched (the longest matching prefix)."""
    trace: Trace
    """A model behaviour through the matched prefix; on divergence its last step is the failing entry."""
    failing: Entry | None = None
    allowed: list[Move] = field(default_factory=list)
    """Where the log diverged: the steps the model allowed next (from the states matching the prefix)."""
    candidates: list[tuple[Move, str]] = field(default_factory=list)
    """Where the log diverged: the failing entry's actor's steps within the gap, and why each does not fit."""
    max_gap: int = 0
    message: str = ""
    actors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def verdict(self) -> Verdict:
        """The result as a verdict (for the sequence chart writers in ``exporters``)."""
        if self.ok:
            return Verdict("conformance", "conformance", "holds", self.trace, f"{len(self.entries)} entries match the model")
        return Verdict("conformance", "error", "violated", self.trace, self.message)

    def format(self) -> str:
        """The report: verdict, the matched prefix, the failing entry, what the model allowed, a text sequence chart."""
        n = len(self.entries)
        if self.ok:
            return f"{self.system}: ok: all {n} entries are a behaviour of the model (at most {self.max_gap} unlogged steps between entries)"
        lines = [f"{self.system}: {self.status}: {self.message}"]
        lines.append(f"longest matching prefix: {self.matched} of {n} entries")
        for e in self.entries[max(0, self.matched - 8) : self.matched]:
            lines.append(f"  ok  {e.where}: {e.describe()}")
        if self.failing is not None:
            lines.append(f"cannot match {self.failing.where}: {self.failing.describe()}")
            if self.candidates:
                lines.append(f"what {self.failing.actor} could do there in the model (after at most {self.max_gap} unlogged steps), and why it does not fit:")
                for mv, why in self.candidates:
                    lines.append(f"  {mv.describe()}" + (f"\n      {why}" if why else ""))
            else:
                lines.append(f"{self.failing.actor} can take no step there in the model (after at most {self.max_gap} unlogged steps)")
            lines.append("the model allowed next:")
            for mv in self.allowed[:16]:
                lines.append(f"  {mv.describe()}")
            if len(self.allowed) > 16:
                lines.append(f"  ... and {len(self.allowed) - 16} more")
            if not self.allowed:
                lines.append("  nothing: no step is enabled")
        lines.append("")
        lines.append(text_chart(self.trace, self.actors, failed_last=self.failing is not None))
        return "\n".join(lines)


# --------------------------------------------------------------------------- reading logs


def _strings(value: Any, what: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return tuple(value)
    raise LogError(f"{where}: {what} must be a state id or a list of them, not {value!r}")


def entry_of(obj: Any, where: str) -> Entry:
    """One log object as an Entry (a LogError naming ``where`` when it is malformed)."""
    if not isinstance(obj, dict):
        raise LogError(f"{where}: an entry is a JSON object, not {type(obj).__name__}")
    unknown = [k for k in obj if k not in KEYS and not k.startswith("_")]
    if unknown:
        raise LogError(f"{where}: unknown key {unknown[0]!r} (entries have {', '.join(KEYS)}; keys starting with '_' are ignored)")
    actor = obj.get("actor")
    if not isinstance(actor, str) or not actor:
        raise LogError(f"{where}: 'actor' (the instance that handled the event, e.g. \"client[0]\") is missing or not a string")
    kind = obj.get("kind")
    if kind is not None and kind not in ENTRY_KINDS[:4]:
        raise LogError(f"{where}: kind {kind!r}: use deliver, stimulus, timer or crash (or leave it out)")
    event = obj.get("event")
    if event is None and kind not in ("timer", "crash"):
        raise LogError(f"{where}: 'event' (the name of the event {actor} handled) is missing")
    if event is not None and not isinstance(event, str):
        raise LogError(f"{where}: 'event' must be a string, not {event!r}")
    sender = obj.get("from")
    if sender is not None and not isinstance(sender, str):
        raise LogError(f"{where}: 'from' must be an actor name or \"env\", not {sender!r}")
    data = obj.get("data")
    if data is not None and not isinstance(data, dict):
        raise LogError(f"{where}: 'data' must be an object, not {data!r}")
    state = _strings(obj["state"], "'state'", where) if obj.get("state") is not None else None
    context = obj.get("context")
    if context is not None and not isinstance(context, dict):
        raise LogError(f"{where}: 'context' must be an object of field values, not {context!r}")
    sent = None
    if obj.get("sent") is not None:
        raw = obj["sent"]
        if not isinstance(raw, list):
            raise LogError(f'{where}: \'sent\' must be a list of {{"to", "event", "data"}} objects')
        sent = []
        for m in raw:
            if not isinstance(m, dict) or not isinstance(m.get("to"), str) or not isinstance(m.get("event"), str):
                raise LogError(f"{where}: each sent message needs 'to' and 'event' strings, not {m!r}")
            if m.get("data") is not None and not isinstance(m["data"], dict):
                raise LogError(f"{where}: a sent message's 'data' must be an object, not {m['data']!r}")
            sent.append(Message(m["to"], m["event"], m.get("data") or {}))
    return Entry(actor, event, data, sender, kind, state, context, sent, where)


def read_log(path: str | Path) -> list[Entry]:
    """Parse a JSON-lines log (blank lines are skipped); a LogError names the first bad line."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise LogError(f"cannot read the log {str(p)!r}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise LogError(f"{p}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    return parse_log(text.splitlines(), name=p.name)


def parse_log(lines: Iterable[str], name: str = "log") -> list[Entry]:
    """Entries from JSON lines (strings)."""
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{name} line {n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise LogError(f"{where}: not JSON ({e.msg} at column {e.colno})") from None
        out.append(entry_of(obj, where))
    return out


# --------------------------------------------------------------------------- checking


def validate(
    system: System,
    log: str | Path | Sequence[Entry] | Sequence[Mapping[str, Any]],
    *,
    max_gap: int = 0,
    max_states: int = 200_000,
) -> ConformResult:
    """Check that a recorded run is a behaviour of ``system``.

    ``log`` is a path to a JSON-lines file, or entries (``Entry`` objects or dicts in the log
    format). Up to ``max_gap`` model steps that are not in the log may come before each
    entry. Bad entries raise :class:`LogError`; a run that needs more than ``max_states``
    candidate states gives an ``incomplete`` result.
    """
    if max_gap < 0:
        raise LogError(f"max_gap={max_gap}: give 0 or more unlogged steps")
    if isinstance(log, (str, Path)):
        entries = read_log(log)
    else:
        entries = [e if isinstance(e, Entry) else entry_of(e, f"entry {k}") for k, e in enumerate(log, 1)]
    tracker = Tracker(system, max_states=max_states)
    for e in entries:
        try:
            tracker.check_entry(e)
        except EntryError as err:
            raise LogError(str(err)) from None
    actors = list(tracker.model.names)
    for k, e in enumerate(entries):
        try:
            ok = tracker.advance(e, max_gap, k)
        except TrackingLimit as lim:
            return ConformResult(system.name, "incomplete", entries, k, tracker.witness(), None, max_gap=max_gap, message=str(lim), actors=actors)
        if not ok:
            trace = tracker.witness()
            trace.steps.append(_failing_step(e, trace))
            msg = f"{e.where} cannot be matched: {e.describe()}"
            return ConformResult(system.name, "diverged", entries, k, trace, e, tracker.allowed(), tracker.candidates(e), max_gap, msg, actors)
    return ConformResult(system.name, "ok", entries, len(entries), tracker.witness(), None, max_gap=max_gap, actors=actors)


def _failing_step(e: Entry, trace: Trace) -> Step:
    """The entry that cannot be matched, as the last step of the witness (drawn as an error)."""
    kind = e.kind or ("stimulus" if e.sender == ENV else "deliver")
    text = _event_text_of(e.event or kind, e.data) + (f" from {e.sender}" if e.sender else "")
    return failing_step(trace, kind, e.actor, e.event or "", text, e.sender)


__all__ = ["ConformResult", "LogError", "entry_of", "parse_log", "read_log", "validate"]
