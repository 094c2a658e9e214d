"""A message sequence chart as plain text: one column per actor, one line per step.

For test failures and terminal reports, where an SVG cannot be shown::

     #  env  client[0]  lock
     1  o────────▶|      |      acquire                 client[0]: idle → waiting
     2  |         |─────▶|      request                 lock: free → held
"""

from __future__ import annotations

from collections.abc import Sequence

from .result import Step, Trace

ENV = "env"
MAX_LANE = 12


def _lanes(trace: Trace, actors: Sequence[str]) -> list[str]:
    lanes = [ENV, *actors]
    for s in trace.steps:
        for who in (s.actor, s.sender, *(c.actor for c in s.changes)):
            if who and who not in lanes:
                lanes.append(who)
    return lanes


def _note(step: Step) -> str:
    parts = []
    for c in step.changes:
        bits = []
        if step.kind == "init":
            bits.append("/".join(c.after) or "-")
        elif c.before != c.after:
            bits.append(f"{'/'.join(c.before) or '-'} → {'/'.join(c.after) or '-'}")
        if step.kind != "init":
            bits.extend(f"{k}: {a!r} → {b!r}" for k, (a, b) in c.context.items())
        if bits:
            parts.append(f"{c.actor}: {', '.join(bits)}")
    return "; ".join(parts)


def text_chart(trace: Trace, actors: Sequence[str] = (), *, failed_last: bool = False) -> str:
    """The trace as a text sequence chart; ``failed_last`` marks the last step as the one that failed (✗)."""
    lanes = _lanes(trace, actors)
    width = max(min(max(len(x) for x in lanes), MAX_LANE) + 2, 6)
    col = {name: k * width for k, name in enumerate(lanes)}
    total = len(lanes) * width
    head = list(" " * total)
    for name, c in col.items():
        for j, ch in enumerate(name[: width - 1]):
            head[c + j] = ch
    lines = ["   #  " + "".join(head).rstrip()]
    last = len(trace.steps) - 1
    for r, s in enumerate(trace.steps):
        row = [" "] * total
        for c in col.values():
            row[c] = "|"
        failing = failed_last and r == last and r > 0
        if s.kind != "init":
            dst = col.get(s.actor, 0)
            src_name = s.sender if s.sender in col else (ENV if s.kind == "stimulus" else s.actor)
            src = col.get(src_name or s.actor, dst)
            if s.kind == "stimulus":
                row[src] = "o"
            if src == dst:
                row[dst] = "⟲" if s.kind == "timer" else "✗" if s.kind == "crash" else "*"
            else:
                lo, hi = sorted((src, dst))
                for x in range(lo + 1, hi):
                    row[x] = "─"
                head_ch = "x" if failing or s.kind == "drop" else "▶" if dst > src else "◀"
                if dst > src:
                    row[dst - 1] = head_ch
                else:
                    row[dst + 1] = head_ch
        what = "initial state" if s.kind == "init" else s.text if s.kind in ("deliver", "stimulus") else f"{s.kind} {s.text}"
        if s.sender and what.endswith(f" from {s.sender}"):
            what = what[: -len(f" from {s.sender}")]
        mark = "✗" if failing else " "
        note = _note(s)
        lines.append(f"{mark}{s.index:>3}  " + "".join(row).ljust(total) + f"{what}" + (f"   {note}" if note else ""))
    if trace.steps and trace.steps[-1].in_flight:
        lines.append("      in flight: " + ", ".join(trace.steps[-1].in_flight))
    return "\n".join(lines)
