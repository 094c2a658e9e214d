"""Messages a new user meets: where a model error is, what fixes a deadlock, what coverage means."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from statecharts.__main__ import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test in its own directory, with sys.path and sys.modules restored afterwards."""
    monkeypatch.chdir(tmp_path)
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    yield
    sys.path[:] = saved_path
    for name in set(sys.modules) - saved_modules:
        if not name.startswith(("examples", "statecharts", "simulate", "exporters", "rich", "graphviz", "networkx")):
            del sys.modules[name]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


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
