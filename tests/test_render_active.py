"""``render --active`` refuses states that cannot be active together (issue 10, point 12)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from statecharts.__main__ import main

MODEL = """
from statecharts import Chart, Parallel, State

chart = Chart(
    "Player",
    State("off", on={"power": "on"}),
    Parallel(
        "on",
        State("audio", State("muted", on={"m": "loud"}), State("loud", on={"m": "muted"})),
        State("video", State("dark", on={"v": "lit"}), State("lit", on={"v": "dark"})),
        on={"power": "off"},
    ),
)
"""


@pytest.fixture
def target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "player_model.py").write_text(textwrap.dedent(MODEL))
    return "player_model.py"


@pytest.mark.parametrize(("active", "pair"), [("off,muted", "'off' and 'muted'"), ("muted,loud", "'muted' and 'loud'"), ("lit,off", "'lit' and 'off'")])
def test_states_that_exclude_each_other_are_refused(target: str, capsys: pytest.CaptureFixture[str], active: str, pair: str) -> None:
    code = main(["render", target, "--active", active])
    _, err = capsys.readouterr()
    assert code == 4 and pair in err and "cannot be active together" in err


def test_states_of_one_configuration_are_drawn(target: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", target, "--active", "on,muted,lit"]) == 0
    assert main(["render", target, "--active", "muted", "--active", "dark"]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("digraph") or "digraph" in out
    assert main(["render", target, "--active", "nosuch"]) == 4  # an unknown state is still named


def test_usage_error_of_check_with_json_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "examples.die_hard", "--json", "--max-states", "-5"])
    out, _ = capsys.readouterr()
    assert code == 4 and json.loads(out)["error"]["kind"] == "usage"
