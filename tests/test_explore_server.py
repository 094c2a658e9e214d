"""``statecharts explore``: the stepper, the server's API, and the page clicked through in headless Chromium (Playwright)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from examples.websocket_gateway import build
from simulate.result import Trace
from simulate.stepper import Stepper

flask = pytest.importorskip("flask", reason="Flask is not installed (pip install 'statecharts[explore]')")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def ordinals(stepper: Stepper, trace: Trace) -> list[int]:
    """The position among the explorer's successors of each step of a trace (how to retake it by hand)."""
    out = []
    for prev, step in zip(trace.steps, trace.steps[1:]):
        succ = stepper.model.successors(prev.state)
        out.append(next(k for k, (_, s2) in enumerate(succ) if s2 == step.state))
    return out


def test_stepper_retakes_a_counterexample() -> None:
    stepper = Stepper(build("naive", liveness=False))
    result = stepper.check()
    trace = result.verdict("S3 causal subscribe").trace
    assert trace is not None
    assert dict((n, ok) for n, _, ok in stepper.properties())["S3 causal subscribe"] is True
    for k, step in zip(ordinals(stepper, trace), trace.steps[1:]):
        assert k in {e.index for e in stepper.enabled()}
        taken = stepper.take(k)
        assert taken.summary() == step.summary() and taken.transitions == step.transitions
    assert [s.state for s in stepper.steps] == [s.state for s in trace.steps]
    assert dict((n, ok) for n, _, ok in stepper.properties())["S3 causal subscribe"] is False
    stepper.back()
    assert len(stepper.steps) == len(trace.steps) - 1
    assert dict((n, ok) for n, _, ok in stepper.properties())["S3 causal subscribe"] is True


def test_api_take_back_jump_and_refusal() -> None:
    from statecharts_cli.explore_server import create_app

    app = create_app(build("naive", liveness=False))
    client = app.test_client()
    view = client.get("/api/view").get_json()
    assert len(view["steps"]) == 1 and view["enabled"] and view["checked"]
    first = view["enabled"][0]
    view = client.post(f"/api/take/{first['index']}").get_json()
    assert view["steps"][-1]["what"] == f"{first['actor']}: {first['kind']} {first['text']}".replace(" from env", "")
    assert view["msc"].count('class="msc-label" data-step="1"') == 1
    bad = client.post("/api/take/999")
    assert bad.status_code == 400 and "not enabled" in bad.get_json()["error_message"]
    assert len(client.post("/api/back").get_json()["steps"]) == 1
    s3 = next(v for v in view["verdicts"] if v["name"] == "S3 causal subscribe")
    view = client.post(f"/api/jump/{s3['id']}").get_json()
    assert len(view["steps"]) == s3["steps"] + 1 and view["violated"] == ["S3 causal subscribe"]
    assert client.post("/api/jump/999").status_code == 400
    page = client.get("/").get_data(as_text=True)
    assert page.startswith("<!DOCTYPE html>") and "<script src" not in page


@pytest.fixture
def served() -> Iterator[tuple[str, Any]]:
    """The flagship's naive design served on an ephemeral port; the server stops when the test ends."""
    from statecharts_cli.explore_server import create_app, make_server

    app = create_app(build("naive", liveness=False))
    server = make_server(app, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert not thread.is_alive()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt install chromium)")
def test_click_through_the_naive_counterexample(served: tuple[str, Any]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (pip install playwright)")
    url, app = served
    stepper: Stepper = app.config["STEPPER"]
    assert stepper.result is not None
    trace = stepper.result.verdict("S2 no ghost subscriptions").trace
    assert trace is not None
    moves = ordinals(stepper, trace)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.wait_for_selector("body[data-ready='true']")
            assert page.locator(".alert.violation").count() == 0
            for n, (k, step) in enumerate(zip(moves, trace.steps[1:]), start=1):
                button = page.locator(f"#enabled button[data-index='{k}']")
                assert button.inner_text() == f"{step.actor}: {step.kind} {step.text}"
                button.click()
                page.wait_for_selector(f"body[data-step='{n}']")
                # the sequence chart grows by the step, and the acting actor's card is marked
                assert page.locator(f"#msc text.msc-label[data-step='{n}']").count() == 1
                if step.kind in ("deliver", "stimulus", "timer"):
                    assert "acting" in (page.locator(f".actor[data-actor='{step.actor}']").get_attribute("class") or "")
            alert = page.locator(".alert.violation")
            assert "invariant violated here: S2 no ghost subscriptions" in alert.all_inner_texts()
            assert set(alert.all_inner_texts()) == {f"invariant violated here: {n}" for n, k, ok in stepper.properties() if k == "invariant" and not ok}
            assert page.locator("#status").inner_text() == "violation here"
            assert page.locator("g.active").count() > 0  # the charts show the active states
            page.screenshot(path=str(_shot_dir() / "explore.png"), full_page=True)
            # back: the violation is gone; jump to another counterexample
            page.click("#back")
            page.wait_for_selector(f"body[data-step='{len(moves) - 1}']")
            assert page.locator(".alert.violation").count() == 0
            page.click("#verdicts button[data-verdict='S3 causal subscribe']")
            s3 = stepper.result.verdict("S3 causal subscribe").trace
            assert s3 is not None
            page.wait_for_selector(f"body[data-step='{len(s3)}']")
            assert page.locator(".alert.violation").all_inner_texts() == ["invariant violated here: S3 causal subscribe"]
        finally:
            browser.close()


def _shot_dir() -> Any:
    import tempfile
    from pathlib import Path

    d = Path(tempfile.gettempdir()) / "statecharts-explore-test"
    d.mkdir(exist_ok=True)
    return d


def test_sequence_chart_of_every_prefix_of_a_trace() -> None:
    """A path's sequence chart is drawn after every step, also while a self-send or a timer is still pending."""
    from exporters.graphviz import trace_svg

    system = build("naive", liveness=False)
    stepper = Stepper(system)
    trace = stepper.check().verdict("S2 no ghost subscriptions").trace
    assert trace is not None
    for n in range(len(trace.steps)):
        stepper.jump(trace, upto=n)
        svg = trace_svg(stepper.trace(), system)
        assert f"{n}. " in svg or n == 0
