"""Lost results (issue 10, points 9 and 10): a failure after exploration started keeps the verdicts found so far, the
exit status says what happened (6: exploration failed), and --json prints one JSON object on every exit path."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, run

MODEL = """
import sys
from simulate import Actor, Stimulus, System, actor, invariant
from statecharts import Chart, State, Transition, python

class Unhashable:
    __hash__ = None

def act(c, e):
    if KIND == "exit":
        sys.exit(0)
    if KIND == "interrupt":
        raise KeyboardInterrupt
    if KIND == "unhashable":
        return {"n": Unhashable()}
    return {"n": c["n"] + 1}

def constraint(view):
    if KIND == "constraint" and view.actor("c").ctx["n"] >= 1:
        raise ValueError("the constraint broke")
    return True

chart = Chart("C", State("s", on={"go": Transition(actions=python(act, label="act", writes=["n"]))}), context={"n": 0})
system = System(
    "Sys",
    actors=[Actor("c", chart, end_states=["s"])],
    stimuli=[Stimulus("c", "go", max=3)],
    properties=[invariant("NeverNegativeOne", actor("c").n == -1)],
    constraint=constraint,
)
"""


pytestmark = pytest.mark.usefixtures("cli_sandbox")  # each test in its own directory; sys.path and sys.modules restored


def _model(tmp_path: Path, kind: str) -> str:
    path = tmp_path / f"model_{kind}.py"
    path.write_text(textwrap.dedent(MODEL).replace("KIND ==", f"{kind!r} =="))
    return path.name


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, *argv, "--json")
    data = json.loads(out)  # one JSON object, and nothing else, on stdout
    assert data["schema"] == "statecharts.check/1" and data["exit_code"] == code
    return code, data


@pytest.mark.parametrize(("kind", "error"), [("exit", "SystemExit"), ("constraint", "ValueError")])
def test_a_failure_in_user_code_keeps_the_verdicts_and_exits_6(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, error: str) -> None:
    target = _model(tmp_path, kind)
    code, out, _ = run(capsys, "check", target)
    assert code == 6
    assert "NeverNegativeOne" in out and "violated" in out and "exploration failed" in out and error in out
    code, data = run_json(capsys, "check", target)
    assert code == 6 and data["status"] == "failed" and data["error"]["kind"] == "exploration failed"
    assert error in data["error"]["message"] and data["error"]["type"] == error
    by_name = {v["name"]: v for v in data["verdicts"]}
    assert by_name["NeverNegativeOne"]["status"] == "violated"  # false in the initial state: found before the failure
    assert by_name["exploration"]["status"] == "failed"


def test_an_unstorable_value_from_a_python_action_is_an_error_verdict_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An action that returns an unhashable value is user code failing in a step: an error verdict with its trace (exit 1),
    naming the callable, as any exception in user code is (not mistaken for nondeterminism)."""
    target = _model(tmp_path, "unhashable")
    code, data = run_json(capsys, "check", target)
    assert code == 1 and data["status"] == "violated"
    by_name = {v["name"]: v for v in data["verdicts"]}
    assert by_name["NeverNegativeOne"]["status"] == "violated"
    assert "'act'" in by_name["error"]["message"] and "cannot be stored" in by_name["error"]["message"]
    assert "not deterministic" not in by_name["error"]["message"]


def test_an_interrupt_from_user_code_keeps_the_verdicts_and_exits_130(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = _model(tmp_path, "interrupt")
    code, out, _ = run(capsys, "check", target)
    assert code == 130 and "NeverNegativeOne" in out and "interrupted" in out
    code, data = run_json(capsys, "check", target)
    assert code == 130 and data["error"]["kind"] == "interrupted" and data["verdicts"][0]["status"] == "violated"


def test_json_when_everything_holds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "check", "examples.die_hard:system", "--out", str(tmp_path / "o"), "--max-depth", "1")
    assert code == 2 and data["error"] is None  # incomplete
    code, data = run_json(capsys, "check", "examples.two_phase", "--out", str(tmp_path / "o"))
    assert code == 0 and data["status"] == "ok" and data["error"] is None


def test_a_good_run_has_no_error_in_its_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "check", _model(tmp_path, "none"))
    assert code == 1 and data["status"] == "violated" and data["error"] is None


@pytest.mark.parametrize("option", ["--out", "--report", "--checkpoint"])
def test_unwritable_output_paths_are_refused_before_exploring(tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    code, out, err = run(capsys, "check", "examples.die_hard", option, str(blocker / "sub" / "x"))
    assert code == 4 and "a-file" in err and "is not a directory" in err and out == ""
    code, data = run_json(capsys, "check", "examples.die_hard", option, str(blocker / "sub" / "x"))
    assert code == 4 and data["error"]["kind"] == "usage" and "a-file" in data["error"]["message"] and data["verdicts"] == []


def test_a_write_that_fails_after_exploring_keeps_the_result(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import statecharts_cli.check as check

    def disk_full(*args: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(check, "write_sequence_charts", disk_full)
    code, out, err = run(capsys, "check", "examples.die_hard", "--out", str(tmp_path / "o"))
    assert code == 6 and "NotSolved" in out and "No space left on device" in err
    code, data = run_json(capsys, "check", "examples.die_hard", "--out", str(tmp_path / "o"))
    assert code == 6 and data["error"]["kind"] == "cannot write" and data["status"] == "violated"
    assert {v["name"] for v in data["verdicts"]} == {"NotSolved", "Solvable"}


def test_a_checkpoint_that_cannot_be_written_mid_run_keeps_the_verdicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import simulate.explorer.checkpoints as ckpt  # where the explorer writes its checkpoints

    def disk_full(path: Any, data: Any) -> None:
        raise ckpt.CheckpointError(f"cannot write checkpoint {path}: No space left on device")

    monkeypatch.setattr(ckpt, "save", disk_full)
    code, data = run_json(capsys, "check", "examples.die_hard", "--checkpoint", str(tmp_path / "run.ckpt"), "--checkpoint-every", "0.000001")
    assert code == 6 and data["status"] == "failed" and "cannot write checkpoint" in data["error"]["message"]
    assert data["error"]["type"] == "CheckpointError" and {v["name"] for v in data["verdicts"]} >= {"NotSolved", "Solvable"}


@pytest.mark.parametrize(
    ("argv", "code", "kind"),
    [
        (["check", "examples.die_hard", "--mode", "sideways"], 4, "usage"),
        (["check", "examples.die_hard", "--max-seconds", "nan"], 4, "usage"),
        (["check", "no.such.module"], 3, "model"),
        (["check", "examples.die_hard", "--resume", "missing.ckpt"], 3, "model"),
        (["check", "examples.die_hard"], 1, None),
        (["check", "examples.die_hard", "--max-states", "3"], 2, None),
    ],
)
def test_json_on_every_exit_path(capsys: pytest.CaptureFixture[str], argv: list[str], code: int, kind: str | None) -> None:
    got, data = run_json(capsys, *argv)
    assert got == code
    if kind is None:
        assert data["error"] is None
    else:
        assert data["error"]["kind"] == kind and data["error"]["message"] and data["status"] == "error"


def test_json_when_interrupted(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import statecharts_cli.check as check

    def interrupted(*args: Any, **kw: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(check, "run_explorer", interrupted)
    code, data = run_json(capsys, "check", "examples.die_hard")
    assert code == 130 and data["error"]["kind"] == "interrupted"


@pytest.mark.skipif(os.name != "posix", reason="POSIX exit statuses")
def test_exit_statuses_are_documented() -> None:
    from statecharts_cli import EXIT_CODES

    assert "\n  6  exploration failed" in EXIT_CODES
    readme = (ROOT / "README.md").read_text()
    assert "| 6 |" in readme and "exploration failed" in readme
