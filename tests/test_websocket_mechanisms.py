"""The flagship's counterexamples show their mechanism, not only the violated property.

For every bug the specification lists, every mutation of the fixed design, and every failure
of the fixed design under the specification's full fault model, the shortest (BFS) trace must
contain, in order, the steps that characterise it. The README narrates these same traces
(same design, same bounds): if the model changes so that a property fails for another reason,
these tests fail, and the text must be revisited. Every case runs on a small bound (no more
than a few tens of thousands of states).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from examples.websocket_gateway import FINAL, FINAL_SITES, NARROW, SPEC, build
from exporters.graphviz import trace_svg
from exporters.tla import to_tla
from exporters.tlc import run_tlc
from simulate import actor, explore, invariant
from simulate.result import Step, Trace
from statecharts import any_of, call, var

REDUCED: dict[str, Any] = {"duplicates": 0, "frames": 0, "oob": 0, "liveness": False}
"""No duplicate delivery, no frame, no out-of-band call; safety only (each case adds back what its mechanism needs)."""

ALL_SITES = ("connect", "connect-asking", "disconnect", "message", "runner")


def line(step: Step) -> str:
    """One step as one line: ``actor: kind text [actor:before->after {field: (old, new)}; ...]``."""
    changes = "; ".join(f"{c.actor}:{'/'.join(c.before)}->{'/'.join(c.after)} {c.context}" if c.before != c.after else f"{c.actor}:{c.context}" for c in step.changes)
    return f"{step.actor}: {step.kind} {step.text} [{changes}]"


def find_in_order(trace: Trace, patterns: list[str]) -> list[int]:
    """The step index matched by each pattern (a regular expression searched in :func:`line`), in order; fails naming the first missing one."""
    lines = [line(s) for s in trace.steps]
    found: list[int] = []
    at = 0
    for pattern in patterns:
        for k in range(at, len(lines)):
            if re.search(pattern, lines[k]):
                found.append(k)
                at = k + 1
                break
        else:
            shown = "\n".join(f"{k}. {text}" for k, text in enumerate(lines))
            raise AssertionError(f"no step matching {pattern!r} after step {at - 1} in the trace:\n{shown}")
    return found


@dataclass
class Case:
    """A counterexample: which design and bounds, which property, its BFS length, its characteristic steps, in order."""

    design: str
    bounds: dict[str, Any]
    prop: str
    length: int
    steps: list[str]
    mutation: str | None = None
    absent: list[str] = field(default_factory=list)
    """Patterns no step may match (the mechanism this trace is *not*)."""
    stop: bool = False
    """Stop at the first violation (BFS: still the shortest); for the cases on the document's bounds."""


WELCOME_410 = [
    r"^connect: deliver answer\(ok=True\)",
    r"^gw: deliver post\(n=1, text='welcome'\) from connect",  # POSTed while the gateway is still connecting
    r"^connect: deliver posted\(ok=False\) from gw",  # 410, swallowed
    r"^gw: deliver result\(status=200\)",
    r"^gw: deliver handshake_done .*handshaking->open",
    r"^client: deliver ws_open",  # and the connection opens without it
]

CASES: dict[str, Case] = {
    # naive: welcome is POSTed during $connect, answered 410 while the gateway is connecting, and the connection opens without it
    "naive L1 welcome 410": Case("naive", {**REDUCED, "liveness": True}, "L1", 15, WELCOME_410),
    # naive S3, index on: the index bug, not the 410 (the README's S3 column names this)
    "naive S3 lagging index": Case(
        "naive",
        REDUCED,
        "S3",
        13,
        [r"^db: deliver accept\(sub=True\).*'sub': \(False, True\)", r"^connect: deliver members\(c1=False\) from db", r"client: deliver ws_open"],
    ),
    # naive S3, index off: the design's own mechanism, joined POSTed and answered 410 during $connect
    "naive S3 joined 410": Case(
        "naive",
        {**REDUCED, "lag": False},
        "S3",
        15,
        [
            *WELCOME_410[:3],
            r"^connect: deliver members\(c1=True\)",
            r"^gw: deliver post\(n=2, text='joined'\) from connect",
            r"^connect: deliver posted\(ok=False\)",
            r"ws_open",
        ],
    ),
    # deferred's own S3: the client speaks first, the app publishes before the deferred SUBSCRIBE lands
    "deferred S3 publish before deferred subscribe": Case(
        "deferred",
        {**REDUCED, "lag": False, "frames": 1},
        "S3",
        29,
        [
            r"^client: deliver ws_open",
            r"^client: stimulus say",
            r"^app: deliver text\(m='hi'\).*'hi'",
            r"^message: deliver members\(c1=False\) from db",
            r"^db: deliver subscribe from runner .*'sub': \(False, True\)",
        ],
        absent=[r"'idx'"],
    ),
    # deferred S4: the control API's direct news overtakes the deferred welcome
    "deferred S4 news overtakes welcome": Case(
        "deferred",
        {**REDUCED, "lag": False, "oob": 1},
        "S4",
        22,
        [r"^runner: deliver got\(ok=True\)", r"^app: stimulus oob", r"^client: deliver ws_text\(n=3, text='news'\)", r"^client: deliver ws_text\(n=1, text='welcome'\)"],
    ),
    # deferred S2: the deferred SUBSCRIBE lands after the $disconnect clean-up (no tombstone)
    "deferred S2 subscribe after clean-up": Case(
        "deferred",
        {**REDUCED, "lag": False},
        "S2",
        26,
        [r"^client: stimulus leave", r"^db: deliver delete_rows from disconnect", r"^db: deliver subscribe from runner .*'sub': \(False, True\)"],
    ),
    # grace-retry L1: every retry of the welcome fires inside the handshake window
    "grace-retry L1 retries inside the window": Case(
        "grace-retry",
        {**REDUCED, "lag": False, "liveness": True},
        "L1",
        21,
        [
            r"^gw: deliver result\(status=200\).*awaiting->handshaking",
            r"^gw: deliver post\(n=1, text='welcome'\) from runner",
            r"^runner: deliver posted\(ok=False\).*'tries': \(1, 0\)",
            r"^gw: deliver post\(n=1, text='welcome'\) from runner",
            r"^gw: deliver handshake_done",
            r"^runner: deliver posted\(ok=False\).*welcoming->querying",  # the last retry's 410: given up
        ],
    ),
    # grace-retry S4: a later message (the control API's news) overtakes the welcome being sent
    "grace-retry S4 news overtakes welcome": Case(
        "grace-retry",
        {**REDUCED, "lag": False, "oob": 1},
        "S4",
        20,
        [r"^runner: deliver subscribed", r"^client: deliver ws_text\(n=3, text='news'\)", r"^client: deliver ws_text\(n=1, text='welcome'\) from gw"],
    ),
    # the narrow wording (S2 over the database row): the runner's SUBSCRIBE lands after the $disconnect clean-up
    "grace-retry S2 subscribe after clean-up": Case(
        "grace-retry",
        {**REDUCED, "lag": False, **NARROW},
        "S2",
        28,
        [r"^db: deliver delete_rows from disconnect", r"^db: deliver subscribe from runner .*'sub': \(False, True\)"],
    ),
    # S2 as worded (over the gateway's state): the client leaves while $connect runs, the gateway aborts (no $disconnect
    # for a connection that never opened), and the Sub row the runner wrote stays for ever
    "grace-retry S2 worded: an aborted connection keeps its Sub row": Case(
        "grace-retry",
        {**REDUCED, "lag": False},
        "S2",
        22,
        [
            r"^db: deliver subscribe from runner .*'sub': \(False, True\)",
            r"^client: stimulus leave",
            r"^gw: deliver ws_close .*awaiting->abandoned",
            r"^gw: deliver result.*abandoned->aborted",
        ],
        absent=[r"disconnect: deliver invoke"],
    ),
    # mutations of the fixed design (document bounds and the narrow wording, where the unmutated design passes)
    "mutation no-liveness-check": Case(
        "fixed",
        {"liveness": False, **NARROW},
        "S2",
        23,
        [r"^db: deliver tombstone .*'conn': \('opening', 'closed'\)", r"^db: deliver delete_subs", r"^db: deliver subscribe from control .*'sub': \(False, True\)"],
        mutation="no-liveness-check",
        stop=True,
    ),
    "mutation lagging-index": Case(
        "fixed",
        {**REDUCED, "frames": 1},
        "S3",
        19,
        [r"^db: deliver commit .*'outbox': \(\(\), \(\(1, 'welcome'\),\)\)", r"^db: deliver ack .*'opening', 'open'"],  # the commit's joined missed the stale index
        mutation="lagging-index",
    ),
    "mutation early-flip": Case(
        "fixed",
        {"liveness": False, **NARROW},
        "S4",
        24,
        [
            r"^db: deliver peek .*'conn': \('opening', 'open'\)",  # open while the outbox still holds welcome
            r"^control: deliver delivered\(direct=True\)",
            r"^client: deliver ws_text\(n=3, text='news'\)",
            r"^client: deliver ws_text\(n=1, text='welcome'\)",
        ],
        mutation="early-flip",
        stop=True,
    ),
    "mutation poll-no-wait": Case(
        "fixed",
        {**REDUCED, "liveness": True},
        "L1",
        17,
        [r"^gw: deliver get\(wait=False\)", r"^gw: deliver handshake_done", r"^runner: deliver got\(ok=False\)", r"^db: deliver delete_subs .*'outbox'"],
        mutation="poll-no-wait",
    ),
    # the fixed design under the specification's wording and fault model
    "fixed S1 worded: CLOSE for a rejected connection": Case(
        "fixed",
        {**REDUCED, "worded": True},
        "S1",
        12,
        [
            r"^app: deliver open .*'decision': \('none', 'rejected'\)",
            r"^connect: stimulus crash",  # the rejection is still in flight to the database
            r"^gw: deliver result\(status=500\)",
            r"^db: deliver tombstone from runner .*'conn': \('none', 'closed'\)",  # before the reject landed
            r"^runner: deliver tombstoned\(was_live=True\)",
            r"^app: deliver close from runner .*'closed': \(False, True\)",
        ],
    ),
    "fixed S2: the $disconnect lambda crashes after the tombstone": Case(
        "fixed",
        {**REDUCED, "crash_in": ("disconnect",)},
        "S2",
        23,
        [r"^gw: deliver ws_close .*open->closed", r"^db: deliver tombstone from disconnect", r"^disconnect: stimulus crash", r"^disconnect: deliver tombstoned"],
        absent=[r"delete_subs from disconnect"],
    ),
    "fixed L2: the $connect lambda crashes while the app decides": Case(
        "fixed",
        {**REDUCED, "liveness": True, "crash_in": ("connect-asking",)},
        "L2",
        15,
        [
            r"^connect: stimulus crash .*asking->idle",
            r"^gw: deliver result\(status=500\)",
            r"^app: deliver close from runner",  # the clean-up's CLOSE reaches the app before its OPEN
            r"^app: deliver open from connect .*'present': \(False, True\)",  # then it accepts, and believes c1 present for ever
        ],
    ),
    "fixed S4: the retried runner POSTs welcome again": Case(
        "fixed",
        {**REDUCED, "crash_in": ALL_SITES},
        "S4",
        26,
        [
            r"^client: deliver ws_text\(n=1, text='welcome'\)",
            r"^faults: stimulus crash\(at='runner'\)",
            r"^runner: deliver crash from faults .*posting->crashed",  # POSTed, not yet acknowledged in the database
            r"^runner: deliver posted\(ok=True\) from gw .*crashed->idle",  # the answer reaches the dead invocation
            r"^runner: deliver batch\(dup=False\) from runner",  # Lambda retries the invocation
            r"^client: deliver ws_text\(n=1, text='welcome'\).*\(1, 'welcome'\), \(1, 'welcome'\)",
        ],
    ),
    # the fault model of the specification: a lost $disconnect (no crash at all), and the message lambda's crash
    "fixed S2: the $disconnect invocation is lost": Case(
        "fixed",
        {**REDUCED, "lose": True, "crash": 0},
        "S2",
        20,
        [r"^db: deliver commit", r"^client: stimulus leave", r"^gw: deliver ws_close .*open->pending", r"^gw: stimulus lose .*pending->lost"],
        absent=[r"^disconnect:"],
    ),
    # the control API's CLOSE meets the handshake's 410 (ignored), cleans up anyway, and the connection then opens
    # with an empty outbox: no joined (S3), and no welcome and no close (L1: the same 22 steps, with liveness on)
    "fixed S3: the app's CLOSE during the handshake": Case(
        "fixed",
        {**REDUCED, "oob": 1, "calls": ("close",), "crash": 0},
        "S3",
        22,
        [
            r"^gw: deliver result\(status=200\).*awaiting->handshaking",
            r"^control: deliver call\(kind='close'\)",
            r"^gw: deliver delete from control \[\]",  # 410 inside the handshake window
            r"^gw: deliver handshake_done .*handshaking->open",
            r"^control: deliver deleted_conn\(ok=False\)",  # ignored: the clean-up goes on
            r"^db: deliver delete_subs from control .*'outbox': \(\(\(1, 'welcome'\), \(2, 'joined'\)\), \(\)\)",
            r"^runner: deliver head\(empty=True\)",  # the watcher finds nothing to flush
        ],
    ),
    # the app believes c1 subscribed from its answer on, but the Sub row lands with the commit, later
    "fixed S3: the app publishes before the commit lands": Case(
        "fixed",
        {**REDUCED, "oob": 1, "calls": ("publish",), "crash": 0},
        "S3",
        28,
        [
            r"^app: deliver open .*'subscribed': \(False, True\)",
            r"^app: stimulus oob .*'news'",
            r"^db: deliver publish\(n=3, text='news'\) from control \[\]",  # no Sub row yet: nobody to deliver to
            r"^db: deliver commit from connect .*'sub': \(False, True\)",
            r"^db: deliver ack from runner .*'opening', 'open'",
        ],
        absent=[r"text='news'\) from (gw|runner)"],
    ),
    "final: a crash of the message lambda after the app answered loses its PUBLISH": Case(
        "fixed",
        {**REDUCED, "frames": 1, "crash_in": ("message",), "amend": FINAL},
        "S3",
        32,
        [
            r"^client: stimulus say",
            r"^app: deliver text\(m='hi'\) from message .*'pubs'.*'hi'",  # the app answered [PUBLISH(ch, hi)] for a subscriber
            r"^message: deliver crash from faults|^message: stimulus crash",
            r"^message: deliver answer\(m='hi', n=3\) from app \[\]",  # the answer reaches a dead invocation
        ],
        absent=[r"text='hi'"],
    ),
}


PICTURES: dict[str, str] = {
    "naive-trace.svg": "naive L1 welcome 410",
    "fixed-s1-worded.svg": "fixed S1 worded: CLOSE for a rejected connection",
    "fixed-disconnect-crash.svg": "fixed S2: the $disconnect lambda crashes after the tombstone",
    "fixed-connect-crash-asking.svg": "fixed L2: the $connect lambda crashes while the app decides",
    "fixed-lost-disconnect.svg": "fixed S2: the $disconnect invocation is lost",
    "fixed-close-410.svg": "fixed S3: the app's CLOSE during the handshake",
}
"""The sequence charts of examples/websocket_gateway/README.md, each drawn from the trace of one case."""

PICTURE_DIR = Path(__file__).resolve().parent.parent / "examples" / "websocket_gateway"


def picture(name: str) -> str:
    """The sequence chart of a case's counterexample, as the README shows it."""
    case = CASES[name]
    system = build(case.design, mutation=case.mutation, **case.bounds)
    result = explore(system, stop_on_violation=case.stop)
    verdict = next(v for v in result.verdicts if v.name.startswith(case.prop + " "))
    return trace_svg(verdict, system)


@pytest.mark.parametrize("file", list(PICTURES))
def test_readme_pictures_are_drawn_from_the_checked_traces(file: str) -> None:
    """Each picture is the chart of a trace a case checks (regenerate: ``python tests/test_websocket_mechanisms.py``)."""
    assert (PICTURE_DIR / file).read_text() == picture(PICTURES[file]), f"{file} is stale: run python tests/test_websocket_mechanisms.py"


def counterexample(case: Case) -> Trace:
    result = explore(build(case.design, mutation=case.mutation, **case.bounds), stop_on_violation=case.stop)
    verdict = next(v for v in result.verdicts if v.name.startswith(case.prop + " "))
    assert verdict.status == "violated" and verdict.trace is not None, (case, verdict.status)
    return verdict.trace


@pytest.mark.parametrize("name", list(CASES))
def test_counterexample_shows_its_mechanism(name: str) -> None:
    case = CASES[name]
    trace = counterexample(case)
    assert len(trace) == case.length
    find_in_order(trace, case.steps)
    for pattern in case.absent:
        assert not any(re.search(pattern, line(s)) for s in trace.steps), f"{name}: step matching {pattern!r}"


def test_the_lag_switch_removes_only_the_index_bug() -> None:
    """With the index consistent, naive's S3 is still violated, by its own mechanism (the 410), in 15 steps instead of 13."""
    lagging = counterexample(CASES["naive S3 lagging index"])
    assert not any("post(n=2" in line(s) for s in lagging.steps)  # joined was never POSTed: the stale index said nobody subscribes
    consistent = counterexample(CASES["naive S3 joined 410"])
    assert not any("'idx'" in line(s) for s in consistent.steps)


def test_a_bounded_full_check_says_incomplete_not_ok() -> None:
    """The full check (the specification's bounds and switches, liveness) does not finish on a CI budget (see the
    README's numbers); cut at an explicit limit, it must say ``incomplete`` for every undecided property, never ``ok``
    or ``holds``."""
    result = explore(build("fixed", **{**SPEC, "amend": FINAL}), max_states=5000)
    assert result.status == "incomplete" and not result.complete and result.limit == "max_states 5000 reached"
    assert result.stats.distinct_states == 5000
    undecided = {v.name.split()[0]: v.status for v in result.verdicts if v.kind != "sometimes"}
    assert undecided == dict.fromkeys(("S1", "S2", "S3", "S4", "L1", "L2"), "incomplete")


STORY: dict[str, Any] = {**REDUCED, "liveness": True, "crash_in": FINAL_SITES, "lose": True}
"""The bound of the README's amendment story: reduced, with L1/L2, the worded properties, a crash at any external call
of any lambda but the message lambda (see below) and of the runner, and a lost ``$disconnect``."""


@pytest.mark.parametrize(
    ("amend", "violated", "states"),
    [
        ((), ["L2", "S1", "S2", "S4"], 15786),  # the specification's fixed design under its own fault model
        (("recorded-decision",), ["S2", "S4"], 15763),  # S1 and L2 gone: only the app's recorded decision says who to tell
        (("recorded-decision", "sweeper"), ["S4"], 35686),  # S2 gone: the sweeper finishes a crashed or lost clean-up
        (FINAL, [], 35026),  # S4 gone: the client drops the retried runner's second welcome (queued-close: see below)
    ],
)
def test_each_amendment_removes_its_failure_and_only_that(amend: tuple[str, ...], violated: list[str], states: int) -> None:
    """The README's step-by-step amendment of the fixed design under the specification's fault model."""
    result = explore(build("fixed", **{**STORY, "amend": amend}))
    assert sorted(v.name.split()[0] for v in result.verdicts if v.status == "violated") == violated
    assert result.stats.distinct_states == states
    assert all(v.status == "reached" for v in result.verdicts if v.kind == "sometimes")  # not vacuous


def test_the_recorded_decision_applies_the_subscription_before_the_app_publishes() -> None:
    """Failure 7 of the README (the app publishes before the commit lands) is gone with ``recorded-decision``."""
    result = explore(build("fixed", **{**REDUCED, "oob": 1, "calls": ("publish",), "crash": 0, "amend": ("recorded-decision",)}))
    assert result.status == "ok"


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("TLA2TOOLS"), reason="TLA2TOOLS not set: TLC (tla2tools.jar) is needed to cross-check the final design")
def test_tlc_agrees_on_the_final_design() -> None:
    """TLC on the exported module of the final design (reduced bound, with L1/L2, a crash while the app decides): the
    same distinct states, every invariant and L1/L2 holding. (TLC took 16 minutes for 6,000 of the story bound's 35,026
    states on the shared machine, so the story bound itself is left to the explorer.)"""
    system = build("fixed", **{**REDUCED, "liveness": True, "crash_in": ("connect-asking",), "amend": FINAL})
    ours = explore(system)
    assert ours.status == "ok"
    spec = to_tla(system)
    invariants = [v.name for v in ours.verdicts if v.kind == "invariant"]
    live = [v.name for v in ours.verdicts if v.kind == "leads_to"]
    tlc = run_tlc(spec, timeout=3600, cfg=spec.cfg_for(invariants=invariants, sometimes=[], properties=live, deadlock=False))
    assert tlc.verdict == "ok", tlc.raw_output[-3000:]
    assert tlc.distinct_states == ours.stats.distinct_states


def test_the_amendments_keep_the_narrow_model_ok() -> None:
    result = explore(build("fixed", **{**REDUCED, **NARROW, "liveness": True, "amend": FINAL}))
    assert result.status == "ok"


def test_amendments_apply_to_the_fixed_design_only() -> None:
    with pytest.raises(ValueError, match=r"amendments .* apply to the fixed design only"):
        build("naive", amend=("dedup",))
    with pytest.raises(ValueError, match="apply to the fixed design only"):
        build("fixed", amend=("no-such-thing",))


def test_a_retried_batch_delivers_joined_twice_to_the_other_member() -> None:
    """Deferred, with c2 an open member: the duplicated async invocation runs the batch again, and its PUBLISH joined
    reaches c2 twice (the specification's "a retried batch delivers joined twice")."""
    system = build("deferred", c2="member", duplicates=1, frames=0, oob=0, lag=False, crash=0, leave=False, liveness=False)
    twice = ~any_of("i", call("range", call("len", actor("c2").received) - 1), lambda _i: actor("c2").received[var("i")][1] == actor("c2").received[var("i") + 1][1])
    result = explore(replace(system, properties=[invariant("c2 gets each text once", twice)]))
    trace = result.verdict("c2 gets each text once").trace
    assert trace is not None
    find_in_order(
        trace,
        [
            r"^runner: deliver batch\(dup=True\) from connect",
            r"^c2: deliver post\(n=2, text='joined'\) from runner .*\(\(2, 'joined'\),\)",
            r"^runner: deliver batch\(dup=False\) from runner",  # the duplicate delivery runs the batch again
            r"^c2: deliver post\(n=2, text='joined'\) from runner .*\(2, 'joined'\), \(2, 'joined'\)",
        ],
    )


def test_a_duplicated_invocation_can_overlap_the_first() -> None:
    """With ``overlap`` the duplicate is a second runner running at the same time: some run takes a step of each runner
    while the other is busy, and the flush claim (``flusher``) is contested."""
    result = explore(build("fixed", **{**REDUCED, "duplicates": 1, "overlap": True, "crash": 0, "amend": FINAL}))
    assert result.status == "ok"
    assert not result.coverage.get("runner2")  # every transition of the second runner is taken
    assert not any("peek" in label for label in result.coverage.get("db", []))  # both branches of the flush claim


@pytest.mark.parametrize(("calls", "idle"), [(("close",), False), (("subscribe",), True)])
def test_delete_and_the_idle_timeout_close_an_open_connection(calls: tuple[str, ...], idle: bool) -> None:
    """CLOSE (DELETE @connections) and the idle timeout close an open connection: the gateway tells the client, so the
    client's ``open --ws_closed-->`` is taken, and the final design still passes."""
    result = explore(build("fixed", **{**REDUCED, "oob": 1, "calls": calls, "idle": idle, "crash": 0, "lose": True, "amend": FINAL}))
    assert result.status == "ok"
    assert not any("ws_closed" in label for label in result.coverage.get("client", []))
    never_gw = result.coverage.get("gw", [])
    assert not any(("delete" in label and "open" in label) or "idle_timeout" in label for label in never_gw), never_gw


if __name__ == "__main__":  # redraw the README's pictures from the traces the cases check
    for file, name in PICTURES.items():
        (PICTURE_DIR / file).write_text(picture(name))
        print("wrote", PICTURE_DIR / file)
