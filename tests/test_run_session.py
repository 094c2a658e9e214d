"""``statecharts run``: refusals explained, unused data reported, and a real line editor on a terminal."""

from __future__ import annotations

import io
import os
import re
import select
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from helpers import ROOT, write

from statecharts.__main__ import main

LAMP = """
from statecharts import Chart, State, Transition, assign, ctx, event

lamp = Chart(
    "Lamp",
    State("off", on={"on": [Transition("lit", guard=(event.level > 0) & (ctx.power > event.level), actions=assign(level=event.level)),
                            Transition("broken", guard=event.level > 100)]}),
    State("lit", on={"off": "off", "dim": Transition("lit", guard=ctx.level > 1, actions=assign(level=ctx.level - 1))}),
    State("broken"),
    context={"level": 0, "power": 5},
)
"""


@pytest.fixture(autouse=True)
def _lamp(cli_sandbox: Path) -> None:
    """Each test in its own directory (sys.path and sys.modules restored afterwards), with the lamp model in it."""
    write(cli_sandbox, "lamp.py", LAMP)


def piped(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], target: str, *lines: str) -> tuple[int, list[str]]:
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    code = main(["run", target])
    out = capsys.readouterr().out
    return code, [" ".join(b.split()) for b in out.split("\n> ")]


def test_a_refused_event_names_the_guard_that_refused_it(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, blocks = piped(monkeypatch, capsys, "lamp.py:lamp", "on level=9", "dim", "on level=3", "dim")
    assert code == 0
    first = blocks[1]
    assert "on: no transition enabled" in first
    assert "guard [event.level > 0 and power > event.level] of off --on--> lit is false (event.level = 9, power = 5)" in first
    assert "guard [event.level > 100] of off --on--> broken is false (event.level = 9)" in first
    assert "no active state handles 'dim': it is handled in lit, and the chart is in off" in blocks[2]
    assert "in lit" in blocks[3]
    assert "guard [level > 1] of lit --dim--> lit" not in blocks[3]
    assert "in lit" in blocks[4] and "level 2" in blocks[4]  # dim was taken: 3 -> 2


def test_unknown_event_and_final_state_are_explained(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, blocks = piped(monkeypatch, capsys, "examples.die_hard", "nonsense n=1")
    assert code == 0 and "the chart has no transition for 'nonsense' (:events lists its events)" in blocks[1]
    assert "note" not in blocks[1]  # no word on the data of an event the chart does not know


def test_extra_data_fields_are_reported(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, blocks = piped(monkeypatch, capsys, "lamp.py:lamp", "on level=3 colour='red' lvl=4", "off", "off now=1")
    assert code == 0
    assert "note: on does not use colour, lvl (it reads level; the extra fields were ignored)" in blocks[1]
    assert "note" not in blocks[2]
    assert "note: off does not use now (it reads no event data" in blocks[3]


def test_completion_of_events_commands_and_fields() -> None:
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from examples.die_hard import jugs_chart
    from statecharts_cli.run import _completer

    def complete(chart: object, text: str) -> list[str]:
        return [c.text for c in _completer(chart).get_completions(Document(text), CompleteEvent(completion_requested=True))]

    jugs = jugs_chart()
    assert complete(jugs, "fill") == ["fill_small", "fill_big"]
    assert complete(jugs, ":u") == [":undo"]
    assert "empty_big" in complete(jugs, "") and ":quit" in complete(jugs, "")
    ns: dict[str, object] = {}
    exec(textwrap.dedent(LAMP), ns)  # the test's own fixture text, not user input
    lamp = ns["lamp"]
    assert complete(lamp, "on ") == ["level="]
    assert complete(lamp, "on le") == ["level="]
    assert complete(lamp, "on level=3 ") == []
    assert complete(lamp, "after") == []  # timer plumbing is not offered


# --------------------------------------------------------------------------- a real terminal


class Terminal:
    """``python -m statecharts run`` on a pseudo-terminal: type keys, wait for text."""

    def __init__(self, *argv: str, cwd: Path) -> None:
        import pty

        self.leader, follower = pty.openpty()
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), TERM="xterm", COLUMNS="120", LINES="40")
        env["PROMPT_TOOLKIT_NO_CPR"] = "1"  # no cursor-position query to answer
        self.proc = subprocess.Popen([sys.executable, "-m", "statecharts", *argv], cwd=cwd, env=env, stdin=follower, stdout=follower, stderr=follower, close_fds=True)
        os.close(follower)
        self.seen = b""

    def read_until(self, text: str, timeout: float = 30.0) -> str:
        """The output from here on, without terminal control codes, once it contains ``text``."""
        deadline = time.monotonic() + timeout
        start = len(self.seen)
        while text not in self.plain(start):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} not seen; got:\n{self.plain(start)}")
            ready, _, _ = select.select([self.leader], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.leader, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"{text!r} not seen before the end; got:\n{self.plain(start)}")
                self.seen += chunk
        return self.plain(start)

    def plain(self, start: int) -> str:
        return re.sub(r"\x1b(\[[0-9;?]*[A-Za-z]|[()][0-9A-Za-z]|[=>])", "", self.seen[start:].decode("utf-8", "replace"))

    def type(self, keys: str) -> None:
        os.write(self.leader, keys.encode())
        time.sleep(0.3)  # let the line editor redraw before the next key

    def close(self) -> int:
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout=30)
        finally:
            os.close(self.leader)
        return code


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_terminal_completion_history_and_ctrl_c(tmp_path: Path) -> None:
    term = Terminal("run", "examples.die_hard", cwd=ROOT)
    try:
        term.read_until("type an event")
        time.sleep(1.0)  # the line editor draws its prompt
        term.type("big_t\t")  # Tab completes the only event starting so
        term.type("\r")
        out = term.read_until("big    0")
        assert "big_to_small" in out
        term.type("fill_small\r")
        term.read_until("small  3")
        term.type("empty_small\r")
        term.read_until("small  0")
        term.type("\x1b[A\x1b[A")  # up twice: fill_small again, from the history
        term.type("\r")
        out = term.read_until("small  3")
        assert "^[[A" not in out
        term.type("fill_b")
        term.type("\x03")  # Ctrl-C cancels the line being typed
        term.type(":state\r")
        out = term.read_until("small  3")
        assert "interrupted" not in out and "exploration" not in out and "error" not in out
        term.type(":quit\r")
    finally:
        code = term.close()
    assert code == 0
    assert b"Traceback" not in term.seen


def test_ctrl_c_on_piped_input_quits_quietly(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-m", "statecharts", "run", "examples.die_hard"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("fill_big\n")
    proc.stdin.flush()
    seen = ""
    while "big    5" not in seen:
        line = proc.stdout.readline()
        assert line, "the session ended early"
        seen += line
    proc.send_signal(2)  # SIGINT while it waits for the next line
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "exploration" not in out + err and "Traceback" not in err
    assert "interrupted" in out
