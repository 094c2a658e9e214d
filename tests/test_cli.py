"""The command line: every exit status, --json, targets (modules, files, packages), errors as one paragraph, run, render, mermaid, tla."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, run, write

from statecharts_cli.run import literal, parse_event, split_words

WSG = str(ROOT / "examples" / "websocket_gateway")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' binary not installed")

OK_MODEL = """
from simulate import Actor, Stimulus, System, actor, invariant, sometimes
from statecharts import Chart, State, Transition, assign, ctx

def counter() -> Chart:
    return Chart("Counter", State("counting", on={"inc": Transition(guard=ctx.n < 2, actions=assign(n=ctx.n + 1))}), context={"n": 0})

system = System(
    "Counter",
    actors=[Actor("c", counter())],
    stimuli=[Stimulus("c", "inc")],
    properties=[invariant("small", actor("c").n <= 2), sometimes("two", actor("c").n == 2)],
    check_deadlock=False,
)
"""

UNREACHED_MODEL = OK_MODEL.replace('sometimes("two", actor("c").n == 2)', 'sometimes("three", actor("c").n == 3)')

TWO_SYSTEMS = (
    OK_MODEL
    + """
other = System("Other", actors=[Actor("c", counter())], stimuli=[Stimulus("c", "inc")], check_deadlock=False)
"""
)
TWO_SYSTEMS = TWO_SYSTEMS.replace("system = System(", "first = System(")

BAD_CHART = """
from statecharts import Chart, State

chart = Chart("Broken", State("a", on={"go": "nowhere"}))
"""

BAD_SYSTEM = """
from simulate import Actor, Stimulus, System
from statecharts import Chart, State

system = System("Bad", actors=[Actor("a", Chart("A", State("s", on={"go": "s"})))], stimuli=[Stimulus("b", "go")])
"""

RAISING_GUARD = """
from simulate import Actor, Stimulus, System
from statecharts import Chart, State, Transition, python

def boom(ctx, event):
    raise ZeroDivisionError("boom")

system = System(
    "Raising",
    actors=[Actor("a", Chart("A", State("s", on={"go": Transition("s", actions=python(boom))})))],
    stimuli=[Stimulus("a", "go", max=1)],
    check_deadlock=False,
)
"""


pytestmark = pytest.mark.usefixtures("cli_sandbox")  # each test in its own directory; sys.path and sys.modules restored


# --------------------------------------------------------------------------- exit statuses


def test_exit_0_when_everything_holds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "counter_ok.py", OK_MODEL)
    code, out, err = run(capsys, "check", "counter_ok.py")
    assert code == 0, err
    assert "all properties hold" in out
    assert "small" in out and "holds" in out and "reached" in out
    assert "3 distinct states" in out


def test_exit_1_on_violation_with_readable_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "examples.die_hard", "--out", str(tmp_path / "out"))
    assert code == 1
    assert "counterexample to invariant 'NotSolved': 6 steps" in out
    # the step table: step number, actor, stimulus, state change
    assert "stimulus fill_big" in out and "big: 0 → 5" in out and "small: 2 → 3; big: 5 → 4" in out
    svg = tmp_path / "out" / "diehard-notsolved.svg"
    assert f"sequence chart: {svg}" in out
    assert svg.read_text().startswith("<svg")


def test_exit_1_on_unreached_goal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "counter_unreached.py", UNREACHED_MODEL)
    code, out, _ = run(capsys, "check", "counter_unreached.py")
    assert code == 1
    assert "unreached" in out and "never reached" in out


def test_exit_2_when_a_limit_stops_exploration(capsys: pytest.CaptureFixture[str]) -> None:
    write(Path.cwd(), "counter_big.py", OK_MODEL.replace("ctx.n < 2", "ctx.n < 1000").replace("<= 2", "<= 1000").replace("== 2", "== 1000"))
    code, out, _ = run(capsys, "check", "counter_big.py", "--max-states", "10")
    assert code == 2
    assert "incomplete" in out


def test_exit_3_bad_chart_is_one_paragraph_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "broken_chart.py", BAD_CHART)
    code, out, err = run(capsys, "render", "broken_chart.py")
    assert code == 3
    assert "Traceback" not in err and "Traceback" not in out
    assert "bad chart" in err
    assert "nowhere" in err  # names the offending target
    unwrapped = "".join(line.strip().strip("│").strip() for line in err.splitlines())  # the panel folds a long path
    assert "broken_chart.py:4" in unwrapped  # and where in the user's file


def test_debug_shows_the_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "broken_chart2.py", BAD_CHART)
    code, _, err = run(capsys, "--debug", "render", "broken_chart2.py")
    assert code == 3
    assert "Traceback" in err
    code, _, err = run(capsys, "render", "broken_chart2.py", "--debug")
    assert code == 3 and "Traceback" in err


def test_exit_3_bad_system(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "bad_system.py", BAD_SYSTEM)
    code, _, err = run(capsys, "check", "bad_system.py")
    assert code == 3
    assert "bad system" in err and "unknown actor 'b'" in err and "Traceback" not in err


def test_exit_3_bad_module_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "no_such_module_xyz")
    assert code == 3
    assert "no module named 'no_such_module_xyz'" in err
    code, _, err = run(capsys, "check", "missing/dir/model.py")
    assert code == 3
    assert "no such file or directory" in err


def test_exit_3_import_error_inside_the_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "imports_missing.py", "import definitely_not_installed_pkg\n")
    code, _, err = run(capsys, "check", "imports_missing.py")
    assert code == 3
    assert "ModuleNotFoundError" in err and "definitely_not_installed_pkg" in err and "imports_missing.py:1" in err


def test_two_systems_and_no_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "two_systems.py", TWO_SYSTEMS)
    code, _, err = run(capsys, "check", "two_systems.py")
    assert code == 3
    assert "defines 2 Systems (first, other)" in err and "two_systems.py:first" in err
    code, out, _ = run(capsys, "check", "two_systems.py:first")
    assert code == 0, out
    code, _, err = run(capsys, "check", "two_systems.py:nothing")
    assert code == 3 and "no attribute 'nothing'" in err and "Systems: first, other" in err


def test_error_in_user_code_during_exploration_is_a_violation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "raising.py", RAISING_GUARD)
    code, out, _ = run(capsys, "check", "raising.py")
    assert code == 1
    assert "ZeroDivisionError" in out


def test_exit_4_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "examples.die_hard", "--mode", "sideways")[0] == 4
    assert run(capsys, "check")[0] == 4
    assert run(capsys, "frobnicate")[0] == 4
    assert run(capsys, "check", "examples.die_hard", "--max-states", "0")[0] == 4
    code, _, err = run(capsys)
    assert code == 4 and "check" in err
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for status in ("0 ", "1 ", "2 ", "3 ", "4 ", "5 "):
        assert f"\n  {status} " in out  # the exit statuses are documented in --help


def test_version_names_the_distribution_and_where_the_package_comes_from(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """``--version`` reads the installed distribution's metadata; without one it says so and falls back to ``__version__``."""
    import importlib.metadata

    import statecharts

    where = str(Path(statecharts.__file__).resolve().parent)
    monkeypatch.setattr(importlib.metadata, "version", lambda name: statecharts.__version__)
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith(f"statecharts {statecharts.__version__} (") and where in out and "not installed" not in out

    def missing(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    code, out, _ = run(capsys, "--version")
    assert code == 0 and f"statecharts {statecharts.__version__} (not installed; {where}" in out

    monkeypatch.setattr(importlib.metadata, "version", lambda name: "9.9.9")
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith(f"statecharts {statecharts.__version__} (") and "the installed distribution is 9.9.9" in out


def test_the_version_has_one_source() -> None:
    """pyproject.toml takes the distribution's version from ``statecharts.__version__``, so --version cannot disagree."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in project["project"]["dynamic"] and "version" not in project["project"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "statecharts.__version__"}


def test_exit_5_missing_tools(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    monkeypatch.delenv("TLA2TOOLS", raising=False)
    code, _, err = run(capsys, "tla", "examples.die_hard", "-o", str(tmp_path / "tla"), "--tlc")
    assert code == 5 and "TLA2TOOLS" in err
    import exporters.graphviz.rendering

    monkeypatch.setattr(exporters.graphviz.rendering.shutil, "which", lambda name: None)
    code, _, err = run(capsys, "render", "examples.die_hard", "-o", str(tmp_path / "x.svg"))
    assert code == 5 and "Graphviz" in err
    # DOT needs no binary
    code, _, _ = run(capsys, "render", "examples.die_hard", "-o", str(tmp_path / "x.dot"))
    assert code == 0 and (tmp_path / "x.dot").read_text().startswith("digraph")


# --------------------------------------------------------------------------- --json


def test_json_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "examples.die_hard", "--json", "--out", str(tmp_path / "o"))
    assert code == 1
    data = json.loads(out)  # stdout is JSON and nothing else
    assert data["schema"] == "statecharts.check/1"
    assert data["system"] == "DieHard" and data["status"] == "violated" and data["exit_code"] == 1 and data["complete"] is True
    assert set(data["stats"]) == {
        "distinct_states",
        "states_generated",
        "max_depth",
        "seconds",
        "queue",
        "states_per_second",
        "fingerprint_bits",
        "fingerprint_collision_probability",
    }
    assert data["stats"]["distinct_states"] == 16
    assert data["stats"]["fingerprint_collision_probability"] == 16 * 15 / 2 / 2.0**data["stats"]["fingerprint_bits"]
    by_name = {v["name"]: v for v in data["verdicts"]}
    assert set(by_name) == {"NotSolved", "Solvable"}
    v = by_name["NotSolved"]
    assert v["kind"] == "invariant" and v["status"] == "violated" and v["ok"] is False
    assert Path(v["sequence_chart"]).exists()
    trace = v["trace"]
    assert trace["length"] == 6 and trace["loop_start"] is None and len(trace["steps"]) == 7
    step = trace["steps"][1]
    assert set(step) == {"index", "kind", "actor", "event", "text", "sender", "changes", "sent", "in_flight", "transitions"}
    assert step["kind"] == "stimulus" and step["actor"] == "jugs" and step["event"] == "fill_big"
    assert step["changes"] == [{"actor": "jugs", "before": ["pouring"], "after": ["pouring"], "context": {"big": [0, 5]}}]
    assert trace["steps"][-1]["changes"][0]["context"]["big"] == [5, 4]
    assert data["coverage"] == {"never_taken": {"Jugs": []}}


def test_json_values_are_plain_json(capsys: pytest.CaptureFixture[str]) -> None:
    """Sets, tuples and maps in contexts come out as lists and objects."""
    code, out, _ = run(capsys, "check", WSG, "--json", "--stop-on-violation", "--out", "o")
    assert code == 1
    data = json.loads(out)
    assert data["system"].startswith("websocket-gateway")
    init = next(v for v in data["verdicts"] if v["trace"])["trace"]["steps"][0]
    contexts = {c["actor"]: c["context"] for c in init["changes"]}
    assert contexts["gw"]["waiters"] == [None, []]


# --------------------------------------------------------------------------- targets


def test_targets_file_package_and_named_function(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "mypkg/__init__.py", "from .model import system\n")
    write(tmp_path, "mypkg/model.py", OK_MODEL)
    assert run(capsys, "check", "mypkg")[0] == 0
    assert run(capsys, "check", str(tmp_path / "mypkg"))[0] == 0
    assert run(capsys, "check", "mypkg/model.py:system")[0] == 0
    assert run(capsys, "check", "mypkg.model")[0] == 0
    # a function building the system, by name, and die_hard's system() found by convention
    assert run(capsys, "check", "examples.die_hard:system", "--out", "o")[0] == 1
    code, _, err = run(capsys, "check", "examples.two_phase:rm_chart")
    assert code == 3 and "returned a Chart, not a System" in err
    code, _, err = run(capsys, "check", "examples.die_hard:main")
    assert code == 3


def test_package_without_init_is_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "plain_dir").mkdir()
    code, _, err = run(capsys, "check", "plain_dir")
    assert code == 3 and "no __init__.py" in err


# --------------------------------------------------------------------------- render, mermaid, tla


def test_render_dot_to_stdout_and_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "render", "examples.die_hard:jugs_chart", "--active", "pouring")
    assert code == 0 and out.startswith("digraph Jugs") and "#ffe08a" in out  # the active state is filled
    code, out, _ = run(capsys, "render", "examples.die_hard")
    assert code == 0 and out.startswith("digraph DieHard")
    code, out, _ = run(capsys, "mermaid", "examples.die_hard")
    assert code == 0 and out.startswith("stateDiagram-v2") and "[*] --> pouring" in out
    code, out, _ = run(capsys, "mermaid", WSG, "--actor", "gw")
    assert code == 0 and out.startswith("stateDiagram-v2")
    code, _, err = run(capsys, "mermaid", WSG)
    assert code == 3 and "choose one with --actor" in err and "gw" in err
    code, _, err = run(capsys, "render", "examples.die_hard:jugs_chart", "--active", "nowhere")
    assert code == 4 and "nowhere" in err
    code, _, err = run(capsys, "render", "examples.die_hard", "--active", "pouring")
    assert code == 4 and "--actor" in err


@needs_dot
def test_render_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "render", "examples.die_hard:jugs_chart", "-o", str(tmp_path / "jugs.svg"))
    assert code == 0 and "<svg" in (tmp_path / "jugs.svg").read_text()
    code, _, _ = run(capsys, "render", WSG, "-o", str(tmp_path / "sub" / "gw.png"))
    assert code == 0 and (tmp_path / "sub" / "gw.png").read_bytes().startswith(b"\x89PNG")
    code, _, err = run(capsys, "render", "examples.die_hard", "-o", str(tmp_path / "x.gif"))
    assert code == 4 and ".svg" in err


def test_tla_writes_module_and_cfg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("exporters.tla")
    code, out, _ = run(capsys, "tla", "examples.die_hard", "-o", str(tmp_path / "spec"))
    assert code == 0 and "DieHard.tla" in out
    assert "MODULE DieHard" in (tmp_path / "spec" / "DieHard.tla").read_text()
    assert "SPECIFICATION Spec" in (tmp_path / "spec" / "DieHard.cfg").read_text()


def test_tla_untranslatable_system_is_a_model_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("exporters.tla")
    write(tmp_path, "opaque.py", RAISING_GUARD)  # a plain Python action: the exporter cannot translate it
    code, _, err = run(capsys, "tla", "opaque.py", "-o", str(tmp_path))
    assert code == 3
    assert "cannot translate to TLA+" in err and "Traceback" not in err


def test_exploration_options_reach_the_explorer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--symmetry, --mode, --runs, --seed and --max-depth are passed through (TwoPhase N=3: 288 states, 80 with symmetry, as TLC)."""
    code, out, _ = run(capsys, "check", "examples.two_phase", "--json")
    assert code == 0 and json.loads(out)["stats"]["distinct_states"] == 288
    code, out, _ = run(capsys, "check", "examples.two_phase", "--symmetry", "--json")
    assert code == 0 and json.loads(out)["stats"]["distinct_states"] == 80
    code, out, _ = run(capsys, "check", "examples.die_hard", "--mode", "random", "--runs", "20", "--seed", "1", "--max-depth", "5", "--json", "--out", str(tmp_path))
    data = json.loads(out)
    assert data["mode"] == "random" and data["stats"]["max_depth"] <= 5 and data["complete"] is False
    code, out, _ = run(capsys, "check", "examples.die_hard", "--mode", "dfs", "--stop-on-violation", "--json", "--out", str(tmp_path))
    assert code == 1 and json.loads(out)["mode"] == "dfs"


@pytest.mark.skipif(not os.environ.get("TLA2TOOLS"), reason="TLA2TOOLS not set (path of tla2tools.jar)")
def test_tla_cross_check_with_tlc(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tla", "examples.die_hard", "-o", str(tmp_path), "--tlc")
    assert code == 0, out
    assert "distinct states" in out and "16" in out and "TLC agrees with the explorer" in out


@pytest.mark.skipif(not os.environ.get("TLA2TOOLS"), reason="TLA2TOOLS not set (path of tla2tools.jar)")
def test_tla_has_tlc_follow_every_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tla", "examples.die_hard", "-o", str(tmp_path), "--tlc", "--traces")
    assert code == 0, out
    assert out.count("followed every step") == 2  # NotSolved's counterexample and Solvable's witness


def test_traces_without_tlc_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "tla", "examples.die_hard", "-o", str(tmp_path), "--traces")
    assert code == 4 and "--tlc" in err


# --------------------------------------------------------------------------- run


def test_run_with_piped_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["fill_big", "big_to_small", ":state", ":undo", "nonsense", "empty_big extra=(1, 2) s='a b'", ":reset", ":bogus", ":help", ":quit", "fill_small"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    code, out, _ = run(capsys, "run", "examples.die_hard")
    assert code == 0
    assert "running actor 'jugs' of system 'DieHard'" in out
    blocks = out.split("> ")
    assert "big    5" in blocks[1]  # after fill_big
    assert "small  3" in blocks[2] and "big    2" in blocks[2]  # after big_to_small
    assert "undone" in blocks[4] and "small  0" in blocks[4] and "big    5" in blocks[4]
    assert "no transition enabled" in blocks[5] and ":events" in blocks[5]
    assert "big    0" in blocks[6]
    assert "reset" in blocks[7]
    assert "unknown command :bogus" in blocks[8]
    assert ":undo" in blocks[9]  # the help
    assert "fill_small" not in out.split(":quit", 1)[1]  # nothing after :quit


def test_run_a_named_chart_with_data_and_timers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path,
        "lamp.py",
        """
        from statecharts import Chart, State, Transition, assign, ctx, event

        lamp = Chart(
            "Lamp",
            State("off", on={"on": Transition("lit", actions=assign(level=event.level))}),
            State("lit", on={"off": "off"}, after={"2s": "off"}),
            context={"level": 0},
        )
        """,
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO("on level=3\n:advance 2000\n:undo\n:advance x\n"))
    code, out, _ = run(capsys, "run", "lamp.py:lamp")
    assert code == 0
    blocks = out.split("> ")
    assert "in lit" in blocks[1] and "level  3" in blocks[1] and "pending: after.2000.lit" in blocks[1]
    assert "in off" in blocks[2] and "t=2000ms" in blocks[2]
    assert "in lit" in blocks[3]
    assert "milliseconds" in blocks[4]


def test_event_parsing_is_literal_only() -> None:
    assert split_words("post text='a b' to=(1, 2) m={'k': [1, 2]}") == ["post", "text='a b'", "to=(1, 2)", "m={'k': [1, 2]}"]
    assert parse_event("post n=3 s='x' flag=True name=alice") == ("post", {"n": 3, "s": "x", "flag": True, "name": "alice"})
    assert literal("__import__('os').system('echo hacked')") == "__import__('os').system('echo hacked')"  # a string, never evaluated
    with pytest.raises(Exception, match="key=value"):
        parse_event("post 3")


# --------------------------------------------------------------------------- the real thing


def test_subprocess_python_m_statecharts(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-m", "statecharts", "check", "examples.die_hard", "--out", str(tmp_path / "out")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert "counterexample to invariant 'NotSolved'" in proc.stdout
    for stimulus in ("fill_big", "big_to_small", "empty_small"):
        assert f"stimulus {stimulus}" in proc.stdout
    assert "small: 2 → 3; big: 5 → 4" in proc.stdout
    assert "\x1b[" not in proc.stdout  # no colour codes when stdout is not a terminal
    assert (tmp_path / "out" / "diehard-notsolved.svg").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_live_progress_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal, a live status line (distinct states, states/s, queue, depth, elapsed) is drawn, then replaced by the result."""
    import pty

    leader, follower = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), COLUMNS="160")
    proc = subprocess.Popen(
        [sys.executable, "-m", "statecharts", "check", "examples.die_hard", "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
        stdout=follower,
        stderr=follower,
        stdin=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=120) == 1
    text = b"".join(chunks).decode("utf-8", "replace")
    assert "exploring DieHard" in text  # the live line
    assert "\x1b[" in text  # drawn with terminal control codes
    assert "counterexample to invariant 'NotSolved'" in text


def test_checkpoint_in_one_process_resumes_in_another(tmp_path: Path) -> None:
    """Two processes hash strings differently (set order): the checkpoint must not depend on it."""
    ckpt = tmp_path / "two_phase.ckpt"

    def check(seed: str, *extra: str) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        argv = [sys.executable, "-m", "statecharts", "check", "examples.two_phase:system", "--json", *extra]
        return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    first = check("1", "--max-states", "100", "--checkpoint", str(ckpt))
    assert first.returncode == 2, first.stderr  # incomplete
    assert json.loads(first.stdout)["stats"]["distinct_states"] == 100
    rest = check("2", "--resume", str(ckpt))
    assert rest.returncode == 0, rest.stderr
    assert json.loads(rest.stdout)["stats"]["distinct_states"] == 288  # TLC's count, N = 3
