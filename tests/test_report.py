"""The HTML report: self-contained structure, the step-through data, and the page's behaviour in a real (headless) Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from examples import die_hard
from examples.websocket_gateway import build
from exporters.report import chart_svg_with_classes, report_html, trace_data, write_report
from simulate import Result, System, explore

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' binary not installed")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")


@pytest.fixture(scope="module")
def jugs() -> tuple[System, Result]:
    system = die_hard.system()
    return system, explore(system)


@pytest.fixture(scope="module")
def gateway() -> tuple[System, Result]:
    system = build("naive", liveness=False)
    return system, explore(system)


def payload(page: str) -> dict[str, Any]:
    m = re.search(r"<script type='application/json' id='report-data'>(.*?)</script>", page, re.S)
    assert m is not None
    data: dict[str, Any] = json.loads(m.group(1).replace("<\\/", "</"))
    return data


# --------------------------------------------------------------------------- structure


def test_self_contained(jugs: tuple[System, Result], tmp_path: Path) -> None:
    system, result = jugs
    path = write_report(result, system, tmp_path / "rep")
    assert path == tmp_path / "rep" / "index.html"
    page = path.read_text()
    assert page.startswith("<!DOCTYPE html>")
    # no network: no external scripts, styles, images or fonts; the only URLs are XML namespaces
    assert "<script src" not in page and "<link" not in page and "@import" not in page and "<img" not in page
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    # verdicts, statistics, one step-through view per trace
    assert "NotSolved" in page and "Solvable" in page and ">16<" in page
    assert page.count("class='viewer'") == 1  # one trace viewer, with a selector of the traces
    assert page.count("<option value=") == 2
    assert "max='6'" in page  # the slider spans the first trace's 6 steps


def test_trace_data_per_step(jugs: tuple[System, Result]) -> None:
    system, result = jugs
    trace = result.verdict("NotSolved").trace
    assert trace is not None
    data = trace_data(trace, system)
    assert len(data["steps"]) == 7
    last = data["steps"][-1]
    assert last["what"] == "jugs: stimulus big_to_small"
    assert last["states"]["jugs"]["leaves"] == ["pouring"]
    assert dict(last["states"]["jugs"]["context"]) == {"small": "3", "big": "4"}
    chart = system.actors[0].chart
    assert last["states"]["jugs"]["titles"] == [f"s{chart.states['pouring'].index}"]
    big_to_small = next(t for t in chart.transitions if t.describe().endswith("--big_to_small--> (targetless)"))
    assert last["taken"] == [f"tr{big_to_small.index}"]


def test_sequence_chart_labels_carry_steps(jugs: tuple[System, Result]) -> None:
    system, result = jugs
    page = report_html(result, system)
    for step in range(1, 7):
        assert f'class="msc-label" data-step="{step}"' in page
        assert f'class="msc-hl" data-step="{step}"' in page


@needs_dot
def test_chart_edges_carry_transition_classes(gateway: tuple[System, Result]) -> None:
    system, _ = gateway
    for actor in system.actors:
        chart = actor.chart
        svg = chart_svg_with_classes(chart)
        marked = {int(n) for cls in re.findall(r'class="(?:node|edge|cluster) tr ([^"]*)"', svg) for n in re.findall(r"tr(\d+)", cls)}
        assert marked == {t.index for t in chart.transitions}, chart.name
        # every state is drawn under the title the page looks for
        titles = set(re.findall(r"<title>([^<]*)</title>", svg))
        for s in chart.states.values():
            if s.kind == "root":
                continue
            want = f"cluster_{s.index}" if s.kind in ("compound", "parallel") else f"s{s.index}"
            assert want in titles, (chart.name, s.id)


@needs_dot
def test_diagrams_are_inlined(jugs: tuple[System, Result]) -> None:
    system, result = jugs
    page = report_html(result, system)
    assert page.count("<svg") == 1 + 1 + 2  # system, the actor's chart, two sequence charts
    assert "data-chart='0'" in page and "<?xml" not in page


@needs_dot
def test_ids_are_unique(gateway: tuple[System, Result]) -> None:
    """Every inlined SVG has its ids prefixed: no id twice in the page, and every url(#id) / href="#id" resolves."""
    system, result = gateway
    page = report_html(result, system)
    ids = re.findall(r'(?<=\s)id="([^"]+)"', page) + re.findall(r"(?<=\s)id='([^']+)'", page)
    assert len(ids) > 100
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})[:10]
    refs = set(re.findall(r'url\(#([^)]+)\)', page)) | set(re.findall(r'href="#([^"]+)"', page))
    assert refs and refs <= set(ids), refs - set(ids)


def test_without_graphviz_the_report_still_renders(jugs: tuple[System, Result], monkeypatch: pytest.MonkeyPatch) -> None:
    import exporters.graphviz.rendering

    monkeypatch.setattr(exporters.graphviz.rendering.shutil, "which", lambda name: None)
    system, result = jugs
    page = report_html(result, system)
    assert "Graphviz" in page and "class='note'" in page
    assert page.count("<svg") == 2  # the two sequence charts, drawn without Graphviz
    assert payload(page)["graphviz"] is False


def test_lasso_trace_is_marked(tmp_path: Path) -> None:
    system = build("naive", frames=0, oob=0, duplicates=0)
    result = explore(system)
    lasso = next(v for v in result.verdicts if v.trace is not None and v.trace.loop_start is not None)
    page = report_html(result, system)
    assert "it repeats forever" in page
    data = payload(page)
    assert any(t["loop_start"] == lasso.trace.loop_start for t in data["traces"].values())  # type: ignore[union-attr]


def test_check_report_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from statecharts.__main__ import main

    code = main(["check", "examples.die_hard", "--report", str(tmp_path / "r"), "--out", str(tmp_path / "o")])
    out = capsys.readouterr().out
    assert code == 1
    assert f"report: {tmp_path / 'r' / 'index.html'}" in out
    assert (tmp_path / "r" / "index.html").exists()


# --------------------------------------------------------------------------- in a browser


def chromium(url: str, *extra: str) -> str:
    """Run headless Chromium on a URL and return its stdout (the DOM with --dump-dom)."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        proc = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=5000",
                *extra,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


class Dom(HTMLParser):
    """The elements of a dumped DOM as (tag, attributes, text inside the element's first text node)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.stack: list[int] = []
        self.titles: dict[int, str] = {}
        self._in_title: int | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag == "title" and self.stack:
            self._in_title = self.stack[-1]
        if tag not in ("br", "input", "meta", "path", "polygon", "ellipse", "rect", "line", "polyline", "img"):
            self.stack.append(len(self.elements) - 1)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = None
        if self.stack and self.elements[self.stack[-1]][0] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_title is not None:
            self.titles[self._in_title] = self.titles.get(self._in_title, "") + data

    def find(self, tag: str | None = None, **attrs: str) -> list[tuple[int, dict[str, str]]]:
        out = []
        for i, (t, a) in enumerate(self.elements):
            if tag is not None and t != tag:
                continue
            if all((k == "class_" and v in a.get("class", "").split()) or a.get(k) == v for k, v in attrs.items()):
                out.append((i, a))
        return out


@needs_chromium
def test_page_honours_the_step_fragment(jugs: tuple[System, Result], tmp_path: Path) -> None:
    system, result = jugs
    path = write_report(result, system, tmp_path)
    dom = Dom(chromium(path.as_uri() + "#step=3", "--dump-dom"))
    assert dom.find("body", **{"data-ready": "true"}), "the page's script did not run"
    viewers = dom.find("div", class_="viewer")
    assert [(a["data-trace"], a["data-step"]) for _, a in viewers] == [(payload(path.read_text())["order"][0], "3")]  # the first trace, at step 3
    current = dom.find("tr", class_="current")
    assert [a["data-step"] for _, a in current] == ["3"]
    assert {a["data-step"] for _, a in dom.find(class_="msc-label") if "current" in a["class"]} == {"3"}
    if shutil.which("dot"):
        # each actor card has a cloned chart whose active state is filled
        active = [i for i, _ in dom.find("g", class_="active")]
        assert active and all(dom.titles.get(i, "").startswith("s") for i in active)


@needs_chromium
@needs_dot
def test_page_highlights_states_and_transitions_of_a_step(gateway: tuple[System, Result], tmp_path: Path) -> None:
    system, result = gateway
    path = write_report(result, system, tmp_path)
    tid = re.sub(r"[^a-z0-9]+", "-", "S2 no ghost subscriptions".lower())
    trace = result.verdict("S2 no ghost subscriptions").trace
    assert trace is not None
    k = next(s.index for s in trace.steps if s.actor == "connect" and s.event == "answer")
    step = trace.steps[k]
    dom = Dom(chromium(f"{path.as_uri()}#trace={tid}&step={k}", "--dump-dom"))
    viewer = next(a for _, a in dom.find("div", class_="viewer") if a["data-trace"] == tid)
    assert viewer["data-step"] == str(k)
    acting = [a["data-actor"] for _, a in dom.find("div", class_="actor") if "acting" in a["class"].split()]
    assert "connect" in acting
    chart = next(a.chart for a in system.actors if a.name == "connect")
    leaf = step.changes[0].after[0]
    node = chart.states[leaf]
    expected = {f"s{node.index}"} | {f"cluster_{p.index}" for p in _ancestors(node)}
    active_titles = {dom.titles[i] for i, _ in dom.find("g", class_="active")}
    assert expected <= active_titles
    taken = [a["class"] for _, a in dom.find("g", class_="taken")]
    label = step.transitions[0]
    t = next(t for t in chart.transitions if t.describe() == label)
    assert any(f"tr{t.index}" in c.split() for c in taken)


def _ancestors(node: Any) -> list[Any]:
    out = []
    p = node.parent
    while p is not None and p.kind != "root":
        out.append(p)
        p = p.parent
    return out


@needs_chromium
def test_screenshot(gateway: tuple[System, Result], tmp_path: Path) -> None:
    """A real rendering: the PNG is written (and was looked at while developing the report)."""
    system, result = gateway
    path = write_report(result, system, tmp_path)
    png = tmp_path / "report.png"
    chromium(path.as_uri() + "#step=4", f"--screenshot={png}", "--window-size=1400,1800", "--hide-scrollbars")
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 50_000


def _hostile() -> System:
    """Names with HTML comment and script openers and closers in states, events, properties and the system."""
    from simulate import Actor, Stimulus, actor, invariant
    from statecharts import Chart, State, Transition, assign, ctx

    chart = Chart(
        "C<!--",
        State("a<!--", on={"go<script>": Transition("b</script>", actions=assign(n=ctx.n + 1))}),
        State("b</script>"),
        context={"n": 0},
    )
    return System(
        "Sys<!--<script>",
        actors=[Actor("x<!--", chart, end_states=["b</script>"])],
        stimuli=[Stimulus("x<!--", "go<script>", max=1)],
        properties=[invariant("never <!-- </script> & <script>", actor("x<!--").n == 0)],
    )


def test_model_strings_cannot_break_out_of_the_embedded_json(tmp_path: Path) -> None:
    system = _hostile()
    page = write_report(explore(system), system, tmp_path).read_text()
    m = re.search(r"<script type='application/json' id='report-data'>(.*?)</script>", page, re.S)
    assert m is not None
    body = m.group(1)
    assert "<" not in body and ">" not in body and "&" not in body
    assert "never <!-- </script> & <script>" in json.dumps(json.loads(body), ensure_ascii=False)


@needs_chromium
def test_page_with_hostile_names_still_works(tmp_path: Path) -> None:
    system = _hostile()
    result = explore(system)
    assert result.verdict("never <!-- </script> & <script>").status == "violated"
    path = write_report(result, system, tmp_path)
    dom = Dom(chromium(path.as_uri() + "#step=1", "--dump-dom"))
    assert dom.find("body", **{"data-ready": "true"}), "the page's script did not run"
    assert [a["data-step"] for _, a in dom.find("div", class_="viewer")] == ["1"]


# --------------------------------------------------------------------------- layout, measured in the browser (Playwright)


@pytest.fixture(scope="module")
def flagship_page(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The flagship's naive report (as `statecharts check examples/websocket_gateway` writes it) open in headless Chromium (Playwright driving the system chromium)."""
    if CHROMIUM is None:
        pytest.skip("chromium not installed (apt install chromium)")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz 'dot' binary not installed")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (pip install playwright)")
    system = build("naive")
    result = explore(system)
    path = write_report(result, system, tmp_path_factory.mktemp("flagship"))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(path.as_uri())
            page.wait_for_selector("body[data-ready='true']")
            yield page, path, result
        finally:
            browser.close()


def test_one_viewer_keeps_the_page_short(flagship_page: Any) -> None:
    page, _, result = flagship_page
    traced = [v for v in result.verdicts if v.trace is not None]
    assert len(traced) == 6
    assert page.locator(".viewer").count() == 1 and page.locator("select.trace-select option").count() == len(traced)
    assert page.locator(".msc-one:not([hidden])").count() == 1  # only the chosen trace's sequence chart is shown
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 6000, height  # 17,600 px when every trace repeated the sequence chart and the charts


def test_trace_selector_and_fragment(flagship_page: Any) -> None:
    page, path, result = flagship_page
    tid = "s3-causal-subscribe"
    page.goto(f"{path.as_uri()}#trace={tid}&step=2")
    page.wait_for_selector(f".viewer[data-trace='{tid}'][data-step='2']")
    assert page.locator(f".msc-one[data-for='{tid}']").is_visible()
    assert page.locator(f".msc-one[data-for='{tid}'] text.msc-label.current").get_attribute("data-step") == "2"
    page.select_option("select.trace-select", "s2-no-ghost-subscriptions")
    page.wait_for_selector(".viewer[data-trace='s2-no-ghost-subscriptions'][data-step='0']")
    assert "#trace=s2-no-ghost-subscriptions&step=0" in page.url
    page.click(".viewer .last")
    n = len(result.verdict("S2 no ghost subscriptions").trace)
    assert page.locator(".viewer").get_attribute("data-step") == str(n)
    assert page.locator(".counter .total").inner_text() == str(n)


def test_panels_at_natural_size_with_zoom(flagship_page: Any) -> None:
    page, _, _ = flagship_page
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('.actor')].map(c => {
             const svg = c.querySelector('.fit svg'); const r = svg.getBoundingClientRect();
             return [c.getAttribute('data-actor'), r.width, svg.viewBox.baseVal.width];
           })"""
    )
    widths = [w for _, w, _ in sizes]
    for name, shown, natural in sizes:
        assert abs(shown - natural * 96 / 72) < 2 or abs(shown - natural) < 2, (name, shown, natural)  # drawn at its own size
    assert max(widths) > 3 * min(widths)  # a large chart stays large, a small one small
    card = page.locator(".actor[data-actor='client']")
    before = card.locator(".fit svg").bounding_box()["width"]
    card.locator(".zoom button[data-zoom='1']").click()
    assert card.locator(".fit svg").bounding_box()["width"] == pytest.approx(before * 1.25, rel=0.02)
    card.locator(".zoom button[data-zoom='0']").click()
    assert card.locator(".fit svg").bounding_box()["width"] == pytest.approx(before, rel=0.02)


def test_system_legend_fits_its_box(flagship_page: Any) -> None:
    page, _, _ = flagship_page
    overflow = page.evaluate(
        """() => {
             const g = document.querySelector('#system svg g.graph');
             const boxes = [...g.querySelectorAll(':scope > polygon')].map(p => p.getBBox());
             const legend = boxes.reduce((a, b) => (b.width * b.height < a.width * a.height ? b : a));
             return [...g.querySelectorAll(':scope > text')].map(t => t.getBBox())
               .filter(b => b.y >= legend.y && b.y <= legend.y + legend.height)
               .map(b => b.x + b.width - (legend.x + legend.width));
           }"""
    )
    assert len(overflow) >= 4 and max(overflow) <= 0, overflow


def test_coverage_of_an_incomplete_run_says_it_is_partial() -> None:
    system = build("naive", liveness=False)
    partial = report_html(explore(system, max_states=50), system)
    assert "a partial list: exploration was incomplete" in partial and "max_states 50 reached" in partial
    whole = report_html(explore(system), system)
    assert "a partial list" not in whole
