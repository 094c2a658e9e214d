"""Messages a new user meets: where a model error is, what fixes a deadlock, what coverage means."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run, write

pytestmark = pytest.mark.usefixtures("cli_sandbox")  # each test in its own directory; sys.path and sys.modules restored


BAD_SYSTEM = """\
from simulate import Actor, Stimulus, System
from statecharts import Chart, State, Transition


def chart() -> Chart:
    return Chart("c", State("a", on={"go": Transition(target="a")}))


system = System(
    "bad",
    actors=[Actor("x", chart())],
    stimuli=[Stimulus("y", "go")],
)
"""


def test_system_error_points_at_the_users_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A System is a dataclass: its generated __init__ lives in '<string>', which is not the user's line."""
    write(tmp_path, "bad_model.py", BAD_SYSTEM)
    code, _, err = run(capsys, "check", "bad_model.py")
    flat = " ".join(err.replace("│", " ").split())
    assert code == 3
    assert "<string>" not in flat
    assert "bad_model.py:9" in flat  # the line `system = System(`


# --------------------------------------------------------------------------- deadlock


def test_deadlock_without_end_states_says_how_to_declare_them() -> None:
    from simulate import Actor, Stimulus, System, explore
    from statecharts import Chart, State

    server = Chart("Server", State("idle", on={"start": "serving"}), State("serving"))
    system = System("s", actors=[Actor("server", server)], stimuli=[Stimulus("server", "start", max=1)])
    v = explore(system).verdict("deadlock")
    assert v.status == "violated"
    assert "not at rest: server in serving" in v.message
    assert "Actor('server', ..., end_states=['serving'])" in v.message


def test_deadlock_hint_for_a_group_with_end_states_already() -> None:
    from simulate import Actor, Stimulus, System, explore
    from statecharts import Chart, State

    worker = Chart("W", State("idle", on={"go": "busy"}), State("busy", on={"stop": "done"}), State("done"))
    system = System("g", actors=[Actor("w", worker, count=2, end_states=["done"])], stimuli=[Stimulus("w", "go", max=1)])
    v = explore(system).verdict("deadlock")
    assert v.status == "violated"
    assert "w[0] in busy" in v.message
    assert "Actor('w', ..., end_states=['done', 'busy'])" in v.message


# --------------------------------------------------------------------------- coverage


def _twins() -> object:
    from simulate import Actor, Stimulus, System
    from statecharts import Chart, State, Transition, assign, ctx

    chart = Chart(
        "Twins",
        State(
            "a",
            on={
                "go": [
                    Transition("b", guard=ctx.n > 5),
                    Transition("b", guard=ctx.n < 0),
                    Transition("a", actions=assign(n=ctx.n + 1)),
                ],
                "jump": [Transition("b", actions=assign(n=1)), Transition("b", actions=assign(n=2))],
            },
        ),
        State("b"),
        context={"n": 0},
    )
    return System("twins", actors=[Actor("x", chart, end_states=["a", "b"])], stimuli=[Stimulus("x", "go", max=2)])


def test_coverage_tells_two_transitions_apart() -> None:
    from simulate import explore

    never = explore(_twins()).coverage["Twins"]  # type: ignore[arg-type]
    assert len(never) == len(set(never)), never
    assert "a --go [n > 5]--> b" in never and "a --go [n < 0]--> b" in never
    jumps = [x for x in never if "jump" in x]
    assert len(jumps) == 2 and "n := 1" in jumps[0] and "n := 2" in jumps[1], jumps


def test_coverage_after_an_incomplete_run_says_it_is_partial(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "examples.two_phase:system", "--max-states", "20", "--out", "out")
    assert code == 2
    flat = " ".join(out.split())
    assert "never taken" not in flat
    assert "not taken so far (a partial list: exploration was incomplete, max_states" in flat


# --------------------------------------------------------------------------- liveness progress


def test_liveness_phase_reports_progress() -> None:
    from examples import fetch_machine
    from simulate import Stats, explore

    phases: list[str] = []

    def progress(stats: Stats) -> None:
        phases.append(stats.phase)

    result = explore(fetch_machine.system, progress=progress, progress_interval=0.0)
    assert result.stats.phase == ""
    live = [p for p in phases if p]
    assert any("LoadingEnds" in p and "liveness 1/1" in p for p in live), live[:5]
    assert any("component" in p for p in live), live[:5]
    assert any("building the graph" in p for p in live), live[:5]  # states are no longer rebuilt: the graph is


def test_progress_line_shows_the_liveness_phase() -> None:
    from simulate import Stats
    from statecharts_cli.check import _Progress

    line = _Progress("Fetch", "bfs")
    line.update(Stats(distinct_states=1200, seconds=1.0, queue=0, phase="liveness 1/2: Progress: fairness of component 3 (10 states) of 40 states"))
    text = line.__rich__().plain
    assert "liveness 1/2: Progress: fairness of component 3" in text and "queue" not in text
    line.update(Stats(distinct_states=10, seconds=1.0, queue=4))
    assert "queue 4" in line.__rich__().plain
