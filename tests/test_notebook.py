"""Notebooks: Result and Trace render as HTML (verdict table; step table and sequence chart), with short reprs."""

from __future__ import annotations

import html.parser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from examples import die_hard
from simulate import Actor, Result, Stimulus, System, explore, invariant
from statecharts import Chart, State, Transition, assign, event


class _Parsed(html.parser.HTMLParser):
    """Tags (in order), text, and whether every tag that was opened was closed."""

    VOID = {"br", "hr", "img", "meta", "col", "path", "line", "rect", "stop"}

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.balanced = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.stack or self.stack.pop() != tag:
            self.balanced = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(text: str) -> _Parsed:
    p = _Parsed()
    p.feed(text)
    p.close()
    assert p.balanced and not p.stack, "unbalanced HTML"
    return p


@pytest.fixture(scope="module")
def hard() -> Result:
    return explore(die_hard.system())


def test_result_repr_is_short(hard: Result) -> None:
    text = repr(hard)
    assert len(text) < 300 and "\n" not in text
    assert text.startswith("<Result DieHard: violated")
    assert "16 distinct states" in text and "NotSolved violated (6 steps)" in text and "Solvable reached" in text


def test_trace_repr_is_short(hard: Result) -> None:
    trace = hard.verdict("NotSolved").trace
    assert trace is not None
    text = repr(trace)
    assert len(text) < 200 and "\n" not in text
    assert text.startswith("<Trace of 6 steps") and "big_to_small" in text


def test_result_html_is_the_verdict_table(hard: Result) -> None:
    page = hard._repr_html_()
    p = parse(page)
    assert p.tags.count("table") >= 1
    text = " ".join(" ".join(p.text).split())
    for cell in ("property", "kind", "verdict", "trace", "note", "NotSolved", "invariant", "violated", "6 steps", "Solvable", "sometimes", "reached"):
        assert cell in text, cell
    assert "16 distinct states" in text and "depth" in text
    assert "the invariant is false in the last state" in text
    # each violation's trace can be opened in place
    assert "<details" in page and "<svg" in page


def _hostile() -> System:
    """Every string a user controls carries markup: names, states, events, context values, property names."""
    nasty = "<b>x</b>&amp;\"'"
    chart = Chart(
        "<i>Chart</i>",
        State("s<1>", on={"go<&>": Transition("t&u", actions=assign(note=event.text))}),
        State("t&u"),
        context={"note": ""},
    )
    return System(
        "<script>alert(1)</script>",
        actors=[Actor("a<b>", chart, end_states=["t&u"])],
        stimuli=[Stimulus("a<b>", "go<&>", data={"text": nasty}, max=1)],
        properties=[invariant("<img src=x onerror=alert(1)>", ctx_note_is_empty())],
    )


def ctx_note_is_empty() -> object:
    from simulate import actor

    return actor("a<b>").note == ""


def test_every_model_string_is_escaped() -> None:
    result = explore(_hostile())
    pages = [result._repr_html_()]
    trace = result.counterexample
    assert trace is not None
    pages.append(trace._repr_html_())
    for page in pages:
        parse(page)
        for raw in ("<script", "<img", "<b>x", "<i>Chart", "<1>", "go<&>", "a<b>"):
            assert raw not in page, raw
        assert "a&lt;b&gt;" in page
    assert "&lt;script&gt;" in pages[0] and "&lt;img src=x" in pages[0]
    assert "&lt;b&gt;x&lt;/b&gt;&amp;amp;" in pages[1]  # the context value, escaped once in the step table


def test_trace_html_is_step_table_and_sequence_chart(hard: Result) -> None:
    trace = hard.verdict("NotSolved").trace
    assert trace is not None
    page = trace._repr_html_()
    p = parse(page)
    assert p.tags.count("tr") == len(trace.steps) + 1  # a header and one row per step
    assert "svg" in p.tags
    text = " ".join(" ".join(p.text).split())
    assert "fill_big" in text and "big: 0 → 5" in text


def test_charts_in_one_page_have_ids_of_their_own(hard: Result) -> None:
    """Markers defined in a closed <details> would otherwise leave the next chart's arrows without heads."""
    import re

    trace = hard.verdict("NotSolved").trace
    assert trace is not None
    page = hard._repr_html_() + trace._repr_html_()
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert ids and len(ids) == len(set(ids))
    refs = re.findall(r"url\(#([^)]+)\)", page)
    assert refs and set(refs) <= set(ids)


def test_lasso_trace_marks_the_loop() -> None:
    from simulate import actor, eventually

    chart = Chart("Spin", State("a", on={"tick": "b"}), State("b", on={"tick": "a", "finish": "c"}), State("c"))
    system = System(
        "spin",
        actors=[Actor("x", chart, end_states=["c"])],
        stimuli=[Stimulus("x", "tick", fair=True), Stimulus("x", "finish")],
        properties=[eventually("Finishes", actor("x").in_state("c"))],
    )
    trace = explore(system).verdict("Finishes").trace
    assert trace is not None and trace.loop_start is not None
    assert f"loop from step {trace.loop_start}" in repr(trace)
    page = trace._repr_html_()
    parse(page)
    assert "loop starts here" in page and "forever" in page and "<svg" in page


def test_trace_html_without_exporters_is_still_a_table(hard: Result, monkeypatch: pytest.MonkeyPatch) -> None:
    from statecharts import preview

    monkeypatch.setattr(preview, "_drawers", {})  # nobody registered a drawer and no entry point provides one
    monkeypatch.setattr(preview, "_plugins_loaded", True)
    trace = hard.verdict("NotSolved").trace
    assert trace is not None
    page = trace._repr_html_()
    parse(page)
    assert "<svg" not in page and "<table" in page


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.mark.skipif(_chromium() is None, reason="needs a headless Chromium (apt-get install chromium)")
def test_notebook_html_renders_in_chromium(hard: Result, tmp_path: Path) -> None:
    """A screenshot of the rendered HTML: non-blank, and kept for looking at (NOTEBOOK_SHOTS=dir keeps it)."""
    trace = hard.verdict("NotSolved").trace
    assert trace is not None
    page = tmp_path / "page.html"
    page.write_text("<!doctype html><meta charset='utf-8'><body>" + hard._repr_html_() + "<hr>" + trace._repr_html_() + "</body>", encoding="utf-8")
    shot = Path(os.environ.get("NOTEBOOK_SHOTS", str(tmp_path))) / "notebook.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    chromium = _chromium()
    assert chromium is not None
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}", "--window-size=1100,1500", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert shot.exists() and shot.stat().st_size > 10_000


PREVIEW_SCRIPT = """
import sys
from examples import die_hard
from simulate import explore
assert not any(name.split(".")[0] == "exporters" for name in sys.modules), "statecharts or simulate imported the exporters"
trace = explore(die_hard.system()).verdict("NotSolved").trace
page = trace._repr_html_()
assert "<svg" in page, "no sequence chart: the entry point did not register the exporters' drawer"
assert "exporters.graphviz" in sys.modules
print("ok")
"""


def test_previews_come_from_the_exporters_entry_point_without_importing_them(tmp_path: Path) -> None:
    """statecharts and simulate never import exporters; the drawer arrives through pyproject's entry point."""
    import sys
    import tomllib

    root = Path(__file__).resolve().parent.parent
    points = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["entry-points"]["statecharts.previews"]
    assert points == {"graphviz": "exporters.graphviz:register_previews"}
    # a distribution that declares exactly pyproject's entry points, as an install does
    info = tmp_path / "previewcheck-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: previewcheck\nVersion: 0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[statecharts.previews]\n" + "".join(f"{k} = {v}\n" for k, v in points.items()), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(tmp_path)])}
    done = subprocess.run([sys.executable, "-c", PREVIEW_SCRIPT], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_register_refuses_an_unknown_kind() -> None:
    from statecharts import preview
    from statecharts.errors import StatechartError

    with pytest.raises(StatechartError, match="register one of chart, system, trace"):
        preview.register("charts", lambda chart: "")
