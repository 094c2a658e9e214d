"""Message sequence charts of traces: the layout model, and an SVG drawn by hand (no Graphviz binary needed).

``build_msc`` turns a :class:`simulate.Trace` into lanes (``env`` plus one per actor
instance), rows (one per step) and arrows (a message from the row where it was sent to
the row where it was delivered); ``msc_svg`` lays that out as SVG text.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulate.result import Result, Step, Trace, Verdict
from simulate.system import System
from statecharts.values import short_value

ENV = "env"

# --------------------------------------------------------------------------- the model


@dataclass
class Arrow:
    """One arrow of the chart: a message, a stimulus, a timer, or a dropped / in-flight message."""

    number: int
    kind: str
    """``deliver``, ``stimulus``, ``timer``, ``drop``, ``inflight``, ``error``."""
    src: int
    src_row: int
    dst: int
    dst_row: int
    text: str


@dataclass
class Mark:
    """A marker on a lane at a row: a crash or a duplication."""

    kind: str
    lane: int
    row: int
    text: str
    lane_to: int | None = None


@dataclass
class Row:
    """One step of the trace: its number, what happened, and notes per lane."""

    step: int
    kind: str
    notes: dict[int, list[str]] = field(default_factory=dict)
    sends: int = 0
    """How many messages leave from this row."""


@dataclass
class Msc:
    """Everything needed to draw a message sequence chart."""

    title: str
    lanes: list[str]
    subtitles: list[str]
    rows: list[Row]
    arrows: list[Arrow]
    marks: list[Mark]
    end_text: str = ""
    end_kind: str = "neutral"
    """``bad`` (a violation), ``good`` (a witness) or ``neutral``."""
    loop_row: int | None = None


def _leaves(leaves: Sequence[str]) -> str:
    return ", ".join(leaves) if leaves else "-"


def change_lines(step: Step, actor: str) -> list[str]:
    """The note lines for one actor's change in a step (leaves before -> after, changed fields)."""
    lines: list[str] = []
    for c in step.changes:
        if c.actor != actor:
            continue
        if step.kind == "init":
            lines.append(f"▶ {_leaves(c.after)}")
            lines.extend(f"{k} = {short_value(b, 48)}" for k, (_, b) in c.context.items())
            continue
        if c.before != c.after:
            lines.append(f"{_leaves(c.before)} → {_leaves(c.after)}")
        lines.extend(f"{k}: {short_value(a, 24)} → {short_value(b, 24)}" for k, (a, b) in c.context.items())
    return lines


def _lanes_of(source: System | Result | None, trace: Trace) -> tuple[list[str], list[str], str]:
    """Lane names (env first), their subtitles (chart names) and the system's network kind."""
    system: System | None = None
    if isinstance(source, Result):
        model = source.model
        system = getattr(model, "system", None) if model is not None else None
    elif isinstance(source, System):
        system = source
    lanes = [ENV]
    subs = ["environment"]
    network = "fifo"
    if system is not None:
        network = system.network
        for a in system.actors:
            for name in a.instance_names():
                lanes.append(name)
                subs.append(f"chart {a.chart.name}")
    for s in trace.steps:  # anyone the trace mentions that the system did not list
        for who in [s.actor, s.sender, *(c.actor for c in s.changes), *(x for m in s.sent for x in m[:2])]:
            if who and who not in lanes:
                lanes.append(who)
                subs.append("")
    return lanes, subs, network


def _verdict_for(trace: Trace, source: System | Result | None, verdict: Verdict | str | None) -> Verdict | None:
    if isinstance(verdict, Verdict):
        return verdict
    if isinstance(source, Result):
        if isinstance(verdict, str):
            return source.verdict(verdict)
        for v in source.verdicts:
            if v.trace is trace:
                return v
    if isinstance(verdict, str):
        return Verdict(verdict, "invariant", "violated")
    return None


def _strip_from(text: str, sender: str | None) -> str:
    suffix = f" from {sender}" if sender else ""
    return text[: -len(suffix)] if suffix and text.endswith(suffix) else text


def build_msc(trace: Trace, source: System | Result | None = None, verdict: Verdict | str | None = None) -> Msc:
    """Lanes, rows, arrows and marks of a trace's message sequence chart."""
    lanes, subs, network = _lanes_of(source, trace)
    lane = {name: i for i, name in enumerate(lanes)}
    rows: list[Row] = []
    arrows: list[Arrow] = []
    marks: list[Mark] = []
    # messages sent and not yet delivered: [sender, receiver, event, row, deliveries]
    pending: list[list[Any]] = []
    keep_delivered = network == "unordered-duplicating"
    v = _verdict_for(trace, source, verdict)
    error_last = v is not None and v.kind == "error"

    def take(sender: str, receiver: str, event: str) -> int | None:
        """The row a message was sent from (FIFO among equal messages), or None if unknown."""
        for entry in pending:
            if entry[0] == sender and entry[1] == receiver and entry[2] == event and entry[4] == 0:
                entry[4] += 1
                if not keep_delivered:
                    pending.remove(entry)
                return int(entry[3])
        for entry in reversed(pending):  # a set network delivers a message again
            if entry[0] == sender and entry[1] == receiver and entry[2] == event:
                entry[4] += 1
                return int(entry[3])
        return None

    last = len(trace.steps) - 1
    for r, step in enumerate(trace.steps):
        row = Row(step.index, step.kind)
        rows.append(row)
        for c in step.changes:
            lines = change_lines(step, c.actor)
            if lines:
                row.notes.setdefault(lane[c.actor], []).extend(lines)
        who = lane.get(step.actor, 0)
        sender = step.sender or ENV
        text = _strip_from(step.text, step.sender)
        failing = error_last and r == last and r > 0
        if step.kind == "stimulus":
            arrows.append(Arrow(step.index, "error" if failing else "stimulus", lane[ENV], r, who, r, f"{step.index}. {text}"))
        elif step.kind == "deliver":
            src_row = take(sender, step.actor, step.event) if not failing else None
            src = lane.get(sender, 0)
            arrows.append(Arrow(step.index, "error" if failing else "deliver", src, r if src_row is None else src_row, who, r, f"{step.index}. {text}"))
        elif step.kind == "timer":
            arrows.append(Arrow(step.index, "error" if failing else "timer", who, r, who, r, f"{step.index}. ⏱ {_timer_text(step.event)}"))
        elif step.kind == "drop":
            src_row = take(sender, step.actor, step.event)
            src = lane.get(sender, 0)
            arrows.append(Arrow(step.index, "drop", src, r if src_row is None else src_row, who, r, f"{step.index}. dropped {step.event}"))
        elif step.kind == "duplicate":
            marks.append(Mark("duplicate", lane.get(sender, 0), r, f"{step.index}. duplicated {step.event} → {step.actor}", who))
        elif step.kind == "crash":
            marks.append(Mark("crash", who, r, f"{step.index}. {step.actor} crashes and restarts"))
        for s_from, s_to, ev in step.sent:  # a duplicate's copy leaves from its row
            pending.append([s_from, s_to, ev, r, 0])
            row.sends += 1
    # messages still in the network at the end
    final_in_flight = list(trace.steps[-1].in_flight) if trace.steps else []
    end_row = len(rows)
    for s_from, s_to, ev, r, delivered in pending:
        key = f"{s_from}->{s_to}:{ev}"
        if key in final_in_flight and (delivered == 0 or not keep_delivered):
            final_in_flight.remove(key)
            arrows.append(Arrow(-1, "inflight", lane.get(s_from, 0), r, lane.get(s_to, 0), end_row, f"{ev} (in flight)"))
    title = ""
    if isinstance(source, Result):
        title = source.system
    elif isinstance(source, System):
        title = source.name
    msc = Msc(title, lanes, subs, rows, arrows, marks)
    if v is not None:
        if v.ok:
            msc.end_kind = "good"
            msc.end_text = f"✓ {v.kind} {v.name}: {v.status}" + (f" ({v.message})" if v.message else "")
        else:
            msc.end_kind = "bad"
            msc.end_text = f"✗ {v.kind} {v.name}: {v.status}" + (f": {v.message}" if v.message else "")
    if trace.loop_start is not None:
        for r, row in enumerate(rows):
            if row.step == trace.loop_start:
                msc.loop_row = r
        loop_text = f"from step {trace.loop_start} the steps repeat forever"
        msc.end_text = f"{msc.end_text} — {loop_text}" if msc.end_text else loop_text
        if msc.end_kind == "neutral":
            msc.end_kind = "bad"
    return msc


def _timer_text(event: str) -> str:
    """``after.1500.s`` as ``after 1.5s (s)``."""
    parts = event.split(".")
    if len(parts) >= 3 and parts[0] == "after" and parts[1].isdigit():
        ms = int(parts[1])
        when = f"{ms // 1000}s" if ms % 1000 == 0 and ms else f"{ms}ms"
        return f"after {when} in {'.'.join(parts[2:])}"
    return event


# --------------------------------------------------------------------------- SVG

FONT = "Helvetica, Arial, sans-serif"
SIZE = 12
NOTE_SIZE = 11
LINE = 15
COLORS = {
    "deliver": "#1f3b73",
    "stimulus": "#2e7d32",
    "timer": "#6a1b9a",
    "drop": "#c62828",
    "inflight": "#888888",
    "error": "#c62828",
}


def text_width(text: str, size: float = SIZE) -> float:
    """A conservative estimate of the rendered width of a string in a sans-serif font."""
    wide = sum(1 for ch in text if ch.isupper() or ch in "mwMW@%")
    narrow = sum(1 for ch in text if ch in "il.,:;|!'()[] ")
    return size * (0.56 * len(text) + 0.16 * wide - 0.22 * narrow) + 2


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


class _Svg:
    """A minimal SVG text builder."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, tag: str, attrs: Mapping[str, Any], body: str | None = None) -> None:
        a = " ".join(f'{k.replace("_", "-")}="{_esc(str(v))}"' for k, v in attrs.items() if v is not None)
        self.parts.append(f"<{tag} {a}/>" if body is None else f"<{tag} {a}>{body}</{tag}>")

    def text(self, x: float, y: float, s: str, size: float = SIZE, anchor: str = "middle", **attrs: Any) -> None:
        self.add("text", {"x": f"{x:.1f}", "y": f"{y:.1f}", "font_size": size, "text_anchor": anchor, **attrs}, _esc(s))

    def label(self, x: float, y: float, s: str, color: str, size: float = SIZE, anchor: str = "middle", **attrs: Any) -> None:
        """Text on a translucent white background, so it stays readable over lines."""
        w = text_width(s, size)
        left = x - w / 2 if anchor == "middle" else x if anchor == "start" else x - w
        self.add(
            "rect",
            {"x": f"{left - 3:.1f}", "y": f"{y - size:.1f}", "width": f"{w + 6:.1f}", "height": f"{size + 4:.1f}", "fill": "white", "fill_opacity": "0.85", "rx": 3},
        )
        self.text(x, y, s, size, anchor, fill=color, **attrs)


def arrow_labels(x1: float, y1: float, x2: float, y2: float, width: float, size: float = SIZE) -> list[tuple[float, float, str]]:
    """Places for a message arrow's label, (x, baseline y, text-anchor), beside the line near its head, nearest first.

    Two places: above the line, ending just before the head (right for a flat arrow; a
    slanted one lifts the label by its slope over the label's width), and beside the line on
    the sender's side just above the head (right for a steep arrow: a message delivered many
    rows after it was sent). The line crosses neither.
    """
    direction = 1 if x2 > x1 else -1
    near = x2 - direction * 12  # the label's edge next to the head
    far = near - direction * width
    line_far = y1 + (y2 - y1) * (far - x1) / (x2 - x1)
    above_y = min(line_far, y2) - 6  # the line descends towards the head: the box's far corner is the tightest
    above = (near - direction * width / 2, above_y, "middle")
    if y2 - y1 < 18 + size:
        return [above]
    py = y2 - 18
    px = x1 + (x2 - x1) * (py - y1) / (y2 - y1)
    beside = (px - direction * 8, py + size - 1, "end" if direction == 1 else "start")
    return [above, beside] if y2 - above_y <= abs(x2 - beside[0]) else [beside, above]


def label_box(x: float, y: float, text: str, anchor: str, size: float = SIZE) -> tuple[float, float, float, float]:
    """The background box of a label drawn by ``_Svg.label``: (left, top, right, bottom)."""
    w = text_width(text, size)
    left = x - w / 2 if anchor == "middle" else x if anchor == "start" else x - w
    return left - 3, y - size, left + w + 3, y + 4


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def msc_svg(msc: Msc) -> str:
    """The message sequence chart as standalone SVG text."""
    n = len(msc.lanes)
    # lane widths: header, notes, marks
    widths = [max(96.0, text_width(msc.lanes[i], 13) + 28, text_width(msc.subtitles[i], 10) + 20) for i in range(n)]
    for row in msc.rows:
        for ln, lines in row.notes.items():
            widths[ln] = max(widths[ln], max(text_width(t, NOTE_SIZE) for t in lines) + 24)
    for m in msc.marks:
        if m.kind == "crash":
            widths[m.lane] = max(widths[m.lane], text_width(m.text) + 10)
    gaps = [widths[i] / 2 + widths[i + 1] / 2 + 16 for i in range(n - 1)]
    # room between lanes for every arrow's label
    spans = sorted(((abs(a.dst - a.src), a) for a in msc.arrows if a.src != a.dst), key=lambda x: x[0])
    for span, a in spans:
        lo, hi = sorted((a.src, a.dst))
        need = text_width(a.text) + 40
        have = sum(gaps[lo:hi])
        if have < need:
            extra = (need - have) / span
            for i in range(lo, hi):
                gaps[i] += extra
    for m in msc.marks:
        if m.kind == "duplicate" and m.lane_to is not None and m.lane_to != m.lane:
            lo, hi = sorted((m.lane, m.lane_to))
            need = text_width(m.text) + 30
            have = sum(gaps[lo:hi])
            if have < need:
                for i in range(lo, hi):
                    gaps[i] += (need - have) / (hi - lo)
    left_margin = 44.0 if msc.loop_row is not None else 20.0
    xs = [left_margin + widths[0] / 2]
    for g in gaps:
        xs.append(xs[-1] + g)
    right = xs[-1] + widths[-1] / 2 + 20
    # self arrows (timers) need room on the right of their lane
    for a in msc.arrows:
        if a.kind == "timer" or (a.kind == "error" and a.src == a.dst):
            right = max(right, xs[a.src] + 34 + text_width(a.text) + 10)

    # vertical layout
    title_h = 28.0 if msc.title else 8.0
    header_top = title_h
    header_h = 40.0
    y = header_top + header_h + 16
    y_in: list[float] = []
    y_out: list[float] = []
    row_top: list[float] = []
    for row in msc.rows:
        row_top.append(y)
        has_arrow = row.kind != "init"
        arrow_y = y + (22 if has_arrow else 0)
        y_in.append(arrow_y)
        notes_h = max((len(lines) * LINE + 8 for lines in row.notes.values()), default=0)
        notes_top = arrow_y + (8 if has_arrow else 0)
        bottom = notes_top + notes_h
        if any(m.row == len(y_in) - 1 and m.kind == "crash" for m in msc.marks):
            bottom = max(bottom, arrow_y + 14)
        y_out.append(bottom + (6 if notes_h else 0))
        y = max(bottom, arrow_y) + 18
    # messages still in flight end below the last row, one line each
    inflight_y = {id(a): y + 8 + 24 * k for k, a in enumerate(a for a in msc.arrows if a.kind == "inflight")}
    y += 24 * len(inflight_y) + (12 if inflight_y else 0)
    life_end = y
    y += 12
    end_h = 0.0
    if msc.end_text:
        end_h = 30.0
        right = max(right, left_margin + text_width(msc.end_text, 13) + 40)
    height = y + end_h + 16
    width = right

    svg = _Svg()
    svg.parts.append(
        "<defs>"
        + "".join(
            f'<marker id="arrow-{k}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
            f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{c}"/></marker>'
            for k, c in COLORS.items()
        )
        + "</defs>"
    )
    svg.add("rect", {"x": 0, "y": 0, "width": f"{width:.0f}", "height": f"{height:.0f}", "fill": "white"})
    if msc.title:
        svg.text(left_margin, 19, f"{msc.title}: trace of {len(msc.rows) - 1} steps", 14, "start", font_weight="bold", fill="#222")
    # alternate row shading for the loop
    if msc.loop_row is not None:
        top = row_top[msc.loop_row] - 6
        bottom = life_end - 6
        svg.add(
            "rect",
            {
                "x": 6,
                "y": f"{top:.1f}",
                "width": f"{width - 12:.1f}",
                "height": f"{bottom - top:.1f}",
                "fill": "#fff3e0",
                "stroke": "#ef6c00",
                "stroke_dasharray": "6 3",
                "rx": 6,
            },
        )
        svg.text(22, (top + bottom) / 2, "loop", 12, "middle", fill="#ef6c00", font_weight="bold", transform=f"rotate(-90 22 {(top + bottom) / 2:.1f})")
        svg.text(12, top + 14, "↻", 14, "start", fill="#ef6c00")
    # lifelines and headers
    for i, name in enumerate(msc.lanes):
        x = xs[i]
        env = name == ENV
        svg.add("line", {"x1": f"{x:.1f}", "y1": f"{header_top + header_h:.1f}", "x2": f"{x:.1f}", "y2": f"{life_end:.1f}", "stroke": "#999", "stroke_dasharray": "5 4"})
        w = widths[i] - 12
        svg.add(
            "rect",
            {
                "x": f"{x - w / 2:.1f}",
                "y": f"{header_top:.1f}",
                "width": f"{w:.1f}",
                "height": f"{header_h:.1f}",
                "rx": 5,
                "fill": "#f2f2f2" if env else "#e8eef9",
                "stroke": "#777" if env else "#1f3b73",
                "stroke_dasharray": "4 3" if env else None,
            },
        )
        svg.text(x, header_top + 17, name, 13, font_weight="bold", fill="#222", font_style="italic" if env else None)
        if msc.subtitles[i]:
            svg.text(x, header_top + 32, msc.subtitles[i], 10, fill="#666")
    note_boxes = []  # where the notes go (drawn later): labels keep clear of them
    for r, row in enumerate(msc.rows):
        top = y_in[r] + (8 if row.kind != "init" else 0)
        for ln, lines in row.notes.items():
            w = max(text_width(t, NOTE_SIZE) for t in lines) + 14
            note_boxes.append((xs[ln] - w / 2, top, xs[ln] + w / 2, top + len(lines) * LINE + 6))
    # arrows (lines first, labels on top)
    labels: list[tuple[float, float, str, str, str]] = []
    steps: dict[int, int] = {}  # label -> the step of its message arrow (data-step, shared with the line)
    for a in msc.arrows:
        color = COLORS.get(a.kind, "#1f3b73")
        marker = f"url(#arrow-{a.kind})" if a.kind in COLORS else "url(#arrow-deliver)"
        x1, x2 = xs[a.src], xs[a.dst]
        if a.src == a.dst:  # a timer (or a failing timer): a small loop on the lifeline
            yy = y_in[a.dst_row] if a.dst_row < len(y_in) else inflight_y.get(id(a), y)  # still in flight: below the last row
            d = f"M {x1:.1f} {yy - 12:.1f} h 26 v 12 h -24"
            svg.add("path", {"d": d, "fill": "none", "stroke": color, "stroke_width": 1.5, "marker_end": marker})
            labels.append((x1 + 32, yy - 2, a.text, color, "start"))
            continue
        y1 = y_out[a.src_row] if a.src_row < len(y_out) and a.src_row != a.dst_row else None
        y2 = y_in[a.dst_row] if a.dst_row < len(y_in) else inflight_y.get(id(a), y)
        if y1 is None:
            y1 = y2
        direction = 1 if x2 > x1 else -1
        if a.kind == "drop":
            xe = x1 + (x2 - x1) * 0.6
            ye = y1 + (y2 - y1) * 1.0
            svg.add("line", {"x1": f"{x1:.1f}", "y1": f"{y1:.1f}", "x2": f"{xe:.1f}", "y2": f"{ye:.1f}", "stroke": color, "stroke_width": 1.5, "stroke_dasharray": "6 3"})
            svg.text(xe, ye + 5, "✕", 16, fill=color, font_weight="bold")
            labels.append((xe - direction * (text_width(a.text) / 2 + 12), ye - 6, a.text, color, "middle"))
            continue
        if a.kind == "inflight":  # down to the bottom, then along it to the receiver, labelled there
            lw = text_width(a.text)
            xk = x2 - direction * (lw + 30)
            if (xk - x1) * direction < 0:
                xk = x1
            d = f"M {x1:.1f} {y1:.1f} L {xk:.1f} {y2:.1f} L {x2 - direction * 2:.1f} {y2:.1f}"
            svg.add("path", {"d": d, "fill": "none", "stroke": color, "stroke_width": 1.5, "stroke_dasharray": "6 4", "marker_end": marker})
            labels.append((x2 - direction * (lw / 2 + 14), y2 - 5, a.text, color, "middle"))
            continue
        dash = None
        svg.add(
            "line",
            {
                "x1": f"{x1:.1f}",
                "y1": f"{y1:.1f}",
                "x2": f"{x2 - direction * 2:.1f}",
                "y2": f"{y2:.1f}",
                "stroke": color,
                "stroke_width": 1.5,
                "stroke_dasharray": dash,
                "marker_end": marker,
                "data_step": a.number,
            },
        )
        places = arrow_labels(x1, y1, x2, y2, text_width(a.text))
        lx, ly, anchor = next((p for p in places if not any(_overlaps(label_box(p[0], p[1], a.text, p[2]), n) for n in note_boxes)), places[0])
        labels.append((lx, ly, a.text, color, anchor))
        steps[len(labels) - 1] = a.number
    for m in msc.marks:
        yy = y_in[m.row]
        if m.kind == "crash":
            x = xs[m.lane]
            svg.add("path", {"d": f"M {x - 7:.1f} {yy - 7:.1f} l 14 14 m 0 -14 l -14 14", "stroke": "#c62828", "stroke_width": 3})
            labels.append((x, yy - 11, m.text, "#c62828", "middle"))
        else:  # duplicate: a badge between the two lanes
            x_to = xs[m.lane_to if m.lane_to is not None else m.lane]
            labels.append(((xs[m.lane] + x_to) / 2, yy - 2, "⧉ " + m.text, "#ef6c00", "middle"))
    # notes above the lines, labels above everything
    for r, row in enumerate(msc.rows):
        has_arrow = row.kind != "init"
        top = y_in[r] + (8 if has_arrow else 0)
        for ln, lines in row.notes.items():
            w = max(text_width(t, NOTE_SIZE) for t in lines) + 14
            h = len(lines) * LINE + 6
            x = xs[ln]
            svg.add("rect", {"x": f"{x - w / 2:.1f}", "y": f"{top:.1f}", "width": f"{w:.1f}", "height": f"{h:.1f}", "rx": 3, "fill": "#fff8dc", "stroke": "#c9b458"})
            for k, t in enumerate(lines):
                svg.text(x - w / 2 + 7, top + 15 + k * LINE, t, NOTE_SIZE, "start", fill="#333")
    for k, (lx, ly, t, color, anchor) in enumerate(labels):
        svg.label(lx, ly, t, color, SIZE, anchor, data_step=steps.get(k))
    if msc.end_text:
        fill, stroke = {"bad": ("#fdecea", "#c62828"), "good": ("#e8f5e9", "#2e7d32")}.get(msc.end_kind, ("#f2f2f2", "#777"))
        ey = y
        svg.add(
            "rect",
            {
                "x": f"{left_margin - 8:.1f}",
                "y": f"{ey:.1f}",
                "width": f"{width - left_margin - 4:.1f}",
                "height": f"{end_h - 4:.1f}",
                "rx": 5,
                "fill": fill,
                "stroke": stroke,
            },
        )
        svg.text(left_margin + 4, ey + 18, msc.end_text, 13, "start", fill=stroke, font_weight="bold")
    body = "\n".join(svg.parts)
    title = _esc(f"{msc.title} trace" if msc.title else "trace")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}">\n<title>{title}</title>\n{body}\n</svg>\n'
    )
