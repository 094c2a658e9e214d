"""Pictures as they are drawn, not only as DOT: edges clear of compartment text, self-messages without
struck-through loops, sequence-chart labels at their arrows, Mermaid without stacked self-loop labels and
with entry actions. Layout checks read Graphviz's own coordinates (``dot -Tjson``) and the SVG we draw."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import lost_update

from examples.die_hard import jugs_chart
from examples.websocket_gateway.model import build, gateway_chart
from exporters._msc import label_box
from exporters.graphviz import chart_dot, system_dot, trace_svg
from exporters.mermaid import chart_mermaid
from simulate import explore
from statecharts import Chart, State, Transition, assign, ctx, log

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz binary `dot` (apt-get install graphviz)")

Box = tuple[float, float, float, float]


def _bezier(points: list[list[float]], steps: int = 24) -> list[tuple[float, float]]:
    out = []
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i : i + 4]
        for k in range(steps + 1):
            t = k / steps
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3
            out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def _layout(source: str) -> dict:
    return json.loads(subprocess.run(["dot", "-Tjson"], input=source, capture_output=True, text=True, check=True, timeout=120).stdout)


def _edge_points(layout: dict) -> list[tuple[str, str, list[tuple[float, float]]]]:
    out = []
    for e in layout.get("edges", []):
        if e.get("style") == "invis":
            continue
        pts: list[tuple[float, float]] = []
        for op in e.get("_draw_", []):
            if op["op"] in ("b", "B"):
                pts += _bezier(op["points"])
        out.append((layout["objects"][e["tail"]]["name"], layout["objects"][e["head"]]["name"], pts))
    return out


def _inside(p: tuple[float, float], box: Box, margin: float = 0.0) -> bool:
    return box[0] - margin < p[0] < box[2] + margin and box[1] - margin < p[1] < box[3] + margin


# --------------------------------------------------------------------------- charts: compartments


def test_compartments_are_not_cluster_labels() -> None:
    """Graphviz routes edges straight through a cluster's label: the compartment must be a node."""
    source = chart_dot(gateway_chart()).source
    for m in re.finditer(r"subgraph (cluster_\w+) \{\n\s*(.*?)\n", source):
        label = re.search(r"label=<(.*?)> ", m.group(2))
        assert label is not None and "/ send" not in label.group(1), m.group(1)
    assert "post / send sender!posted(ok=False)" in source  # still drawn, in a node of its own
    assert re.search(r'k\d+ \[label=<<TABLE[^\n]*post / send sender!posted\(ok=False\)[^\n]*shape=plain', source)


@needs_dot
def test_gateway_chart_edges_go_around_compartment_text() -> None:
    layout = _layout(chart_dot(gateway_chart()).source)
    text_boxes: dict[str, Box] = {}
    for o in layout["objects"]:
        if re.fullmatch(r"k\d+", o["name"]):  # a compartment node
            x, y = map(float, o["pos"].split(","))
            w, h = float(o["width"]) * 72, float(o["height"]) * 72
            text_boxes[o["name"]] = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        elif o["name"].startswith("cluster") and "lp" in o:  # a cluster's name
            x, y = map(float, o["lp"].split(","))
            w, h = float(o["lwidth"]) * 72, float(o["lheight"]) * 72
            text_boxes[o["name"]] = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    crossings = [(a, b, name) for a, b, pts in _edge_points(layout) for name, box in text_boxes.items() if any(_inside(p, box) for p in pts)]
    assert crossings == []
    assert len([k for k in text_boxes if k.startswith("k")]) == 2  # connecting and gone have compartments


# --------------------------------------------------------------------------- systems: self-messages


def test_self_messages_are_listed_in_the_actor_box() -> None:
    source = system_dot(build("naive")).source
    assert not re.search(r"^\s*(\w+) -> \1 \[", source, re.M), "a self-loop edge"
    gw = re.search(r"^\s*gw \[label=(.*)$", source, re.M)
    assert gw is not None and "↻ handshake_done" in gw.group(1)


@needs_dot
def test_no_edge_label_of_the_system_diagram_sits_on_a_loop() -> None:
    layout = _layout(system_dot(build("naive")).source)
    assert all(a != b for a, b, _ in _edge_points(layout))


# --------------------------------------------------------------------------- sequence charts: labels


def _segment_points(x1: float, y1: float, x2: float, y2: float, n: int = 200) -> list[tuple[float, float]]:
    return [(x1 + (x2 - x1) * k / n, y1 + (y2 - y1) * k / n) for k in range(n + 1)]


def _box_distance(box: Box, p: tuple[float, float]) -> float:
    dx = max(box[0] - p[0], 0.0, p[0] - box[2])
    dy = max(box[1] - p[1], 0.0, p[1] - box[3])
    return float((dx * dx + dy * dy) ** 0.5)


def test_sequence_chart_labels_sit_at_their_arrow_heads() -> None:
    result = explore(lost_update())
    svg = trace_svg(result.verdict("NoLostUpdate"), result)
    shots = os.environ.get("PICTURE_SHOTS")
    if shots:  # for looking at: PICTURE_SHOTS=dir keeps the SVG
        Path(shots).mkdir(parents=True, exist_ok=True)
        (Path(shots) / "tour-sequence.svg").write_text(svg)
    lines = {
        int(m.group(5)): tuple(float(m.group(k)) for k in range(1, 5))
        for m in re.finditer(r'<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"[^>]*data-step="(\d+)"', svg)
    }
    labels = {int(m.group(4)): (float(m.group(1)), float(m.group(2)), m.group(3), m.group(5)) for m in re.finditer(
        r'<text x="([\d.]+)" y="([\d.]+)" font-size="12" text-anchor="(\w+)"[^>]*data-step="(\d+)">([^<]*)</text>', svg)}
    notes = [tuple(float(v) for v in m.groups()) for m in re.finditer(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" rx="3" fill="#fff8dc"', svg)]
    note_boxes = [(x, y, x + w, y + h) for x, y, w, h in notes]
    assert len(lines) == 8 and set(labels) == set(lines)
    for step, (x1, y1, x2, y2) in lines.items():
        x, y, anchor, text = labels[step]
        box = label_box(x, y, text.replace("&#x27;", "'"), anchor)
        segment = _segment_points(x1, y1, x2, y2)
        assert min(_box_distance(box, p) for p in segment) <= 10, (step, text)  # beside its own arrow
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        assert _box_distance(box, (x2, y2)) <= 50, (step, text)  # near the head (a label placed mid-line was 100px off)
        assert (cx - x2) ** 2 + (cy - y2) ** 2 < (cx - x1) ** 2 + (cy - y1) ** 2, (step, text)  # nearer its head than its tail
        assert not any(_inside(p, box) for p in segment), (step, text)  # not struck through
        assert not any(box[0] < n[2] and n[0] < box[2] and box[1] < n[3] and n[1] < box[3] for n in note_boxes), (step, text)


# --------------------------------------------------------------------------- Mermaid


def _lamp() -> Chart:
    return Chart(
        "Lamp",
        State("off", on={"on": "lit"}, entry=log("dark")),
        State(
            "lit",
            State("low", on={"up": "high", "again": "low", "reset": "low", "tick": Transition(actions=assign(n=ctx.n + 1))}),
            State("high", on={"down": "low"}),
            entry=[assign(n=0), log("lit")],
            exit=log("bye"),
            on={"off": "off"},
        ),
        context={"n": 0},
    )


def test_mermaid_keeps_entry_and_exit_actions() -> None:
    text = chart_mermaid(_lamp())
    assert 'state "off" as off' in text and "off : entry / log dark" in text
    note = re.search(r"note right of lit\n(.*?)\n\s*end note", text, re.S)
    assert note is not None
    assert "entry / n #58;= 0" in note.group(1) and "entry / log lit" in note.group(1) and "exit / log bye" in note.group(1)


def test_mermaid_has_at_most_one_self_loop_per_state() -> None:
    for chart in (_lamp(), jugs_chart(), gateway_chart()):
        text = chart_mermaid(chart)
        loops = re.findall(r"^\s*(\w+) --> \1\b", text, re.M)
        assert len(loops) == len(set(loops)), (chart.name, loops)
    text = chart_mermaid(_lamp())
    assert "low : tick / n #58;= n + 1" in text  # targetless: in the state
    assert "low : ↻ again" in text and "low : ↻ reset" in text  # two self-transitions: listed, not stacked
    assert chart_mermaid(jugs_chart()).count("pouring : ") == 6


def _mmdc() -> str | None:
    return os.environ.get("MMDC") or shutil.which("mmdc")


@pytest.mark.skipif(_mmdc() is None, reason="needs the Mermaid renderer: npm install @mermaid-js/mermaid-cli, then MMDC=path/to/mmdc (uses the installed Chromium)")
def test_mermaid_renders_every_label_once(tmp_path: Path) -> None:
    source = tmp_path / "lamp.mmd"
    source.write_text(chart_mermaid(_lamp()))
    config = tmp_path / "puppeteer.json"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    config.write_text(json.dumps({"args": ["--no-sandbox", "--disable-gpu"], **({"executablePath": chromium} if chromium else {})}))
    out = tmp_path / "lamp.svg"
    mmdc = _mmdc()
    assert mmdc is not None
    subprocess.run([mmdc, "-p", str(config), "-i", str(source), "-o", str(out)], check=True, capture_output=True, timeout=180)
    svg = out.read_text()
    shots = os.environ.get("PICTURE_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        (Path(shots) / "lamp-mermaid.svg").write_text(svg)
    texts = re.findall(r">([^<>]+)<", svg)
    for wanted in ("entry / log dark", "tick / n := n + 1", "↻ again", "↻ reset", "exit / log bye"):
        assert sum(wanted in t for t in texts) == 1, wanted
