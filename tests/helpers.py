"""What several test modules share: the command line run in-process, model files written for it, the README's lost update."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from simulate import Actor, Stimulus, System, actor, all_in, in_flight, invariant, sometimes
from statecharts import Chart, Final, State, Transition, assign, ctx, event, reply, send
from statecharts.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
"""The checkout (examples are imported from it)."""


def write(tmp_path: Path, name: str, text: str) -> Path:
    """Write a (dedented) file below ``tmp_path``, making its directories."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``statecharts ARGV`` in this process: its exit status, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def lost_update(goal_unreachable: bool = False) -> System:
    """The README's tour: two clients read a value from a store and write back value + 1."""
    store = Chart(
        "Store",
        State("serving", on={"read": Transition(actions=reply("value", v=ctx.value)), "write": Transition(actions=assign(value=event.v))}),
        context={"value": 0},
    )
    client = Chart(
        "Client",
        State("idle", on={"go": Transition("reading", actions=send("store", "read"))}),
        State("reading", on={"value": Transition("done", actions=send("store", "write", v=event.v + 1))}),
        Final("done"),
    )
    settled = all_in("client", "done") & (in_flight("write") == 0)
    props = [invariant("NoLostUpdate", ~settled | (actor("store").value == 2)), sometimes("BothDone", settled)]
    if goal_unreachable:
        props.append(sometimes("Three", actor("store").value == 3))
    return System(
        "LostUpdate",
        actors=[Actor("store", store, end_states=["serving"]), Actor("client", client, count=2)],
        stimuli=[Stimulus("client", "go", max=1)],
        properties=props,
    )
