"""Targets that call a builder with literal arguments: ``MODULE:NAME(ARG, KEY=VALUE)``, parsed, never evaluated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import ROOT, run, write

from statecharts_cli.targets import Target, TargetUsageError

WSG = str(ROOT / "examples" / "websocket_gateway")

MODEL = """
from simulate import Actor, Stimulus, System, actor, invariant, sometimes
from statecharts import Chart, State, Transition, assign, ctx

def counter(limit: int = 2) -> Chart:
    return Chart("Counter", State("counting", on={"inc": Transition(guard=ctx.n < limit, actions=assign(n=ctx.n + 1))}), context={"n": 0})

LIMIT = 2

def build(limit: int, bad: int = 9, *, name: str = "Counter") -> System:
    if limit < 0:
        raise ValueError(f"limit {limit}: give 0 or more")
    return System(
        name,
        actors=[Actor("c", counter(limit))],
        stimuli=[Stimulus("c", "inc")],
        properties=[invariant("small", actor("c").n < bad), sometimes("two", actor("c").n == 2)],
        check_deadlock=False,
    )
"""


@pytest.fixture(autouse=True)
def _argmodel(cli_sandbox: Path) -> None:
    """Each test in its own directory (sys.path and sys.modules restored afterwards), with the model written there."""
    write(cli_sandbox, "argmodel.py", MODEL)


def flat(text: str) -> str:
    """The text of an error panel as one line (the panel's borders and line breaks removed)."""
    return " ".join(w for w in text.split() if w.strip("│╭╮╰╯─"))


def test_parse_keeps_literals_and_plain_targets() -> None:
    t = Target.parse('examples/websocket_gateway:build(design="fixed", mutation="early-flip")')
    assert (t.location, t.name, t.args, t.kwargs, t.called) == ("examples/websocket_gateway", "build", (), {"design": "fixed", "mutation": "early-flip"}, True)
    t = Target.parse("m.py:f(1, (2, 'a:b'), x={'k': [None, True]})")
    assert (t.location, t.name, t.args, t.kwargs) == ("m.py", "f", (1, (2, "a:b")), {"x": {"k": [None, True]}})
    assert str(Target.parse("mod:f()")) == "mod:f()" and Target.parse("mod:f()").called
    assert Target.parse("mod:f") == Target("mod", "f")
    assert Target.parse("C:/dir/m.py:g(1)").location == "C:/dir/m.py"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("m:f(x)", "argument 1 is 'x', which is not a literal"),
        ("m:f(a=open('/etc/passwd'))", "argument a is \"open('/etc/passwd')\", which is not a literal"),
        ("m:f(__import__('os').system('true'))", "not a literal"),
        ("m:f(1 +)", "not valid call syntax"),
        ("m:f(a=1", "not valid call syntax ('(' was never closed"),
        ("m:f(*xs)", "*xs is not allowed"),
        ("m:f(**kw)", "**kw is not allowed"),
        ("m:f(1)(2)", "expected one call"),
    ],
)
def test_parse_rejects_what_is_not_a_literal_call(text: str, says: str) -> None:
    with pytest.raises(TargetUsageError) as e:
        Target.parse(text)
    assert says in str(e.value)


def test_check_calls_the_builder_with_its_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "argmodel:build(2)", "--json")
    assert code == 0 and json.loads(out)["stats"]["distinct_states"] == 3
    code, out, _ = run(capsys, "check", "argmodel.py:build(limit=5, bad=4, name='Five')", "--json")
    doc = json.loads(out)
    assert code == 1 and doc["system"] == "Five" and doc["stats"]["distinct_states"] == 6
    assert doc["target"] == "argmodel.py:build(limit=5, bad=4, name='Five')"
    assert run(capsys, "check", "argmodel:build(1)")[0] == 1  # 'two' unreachable with limit 1


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("argmodel:build(limit=x)", "argument limit is 'x', which is not a literal"),
        ("argmodel:build(limit=2", "not valid call syntax"),
        (
            "argmodel:biuld(2)",
            "has no attribute 'biuld'; it has zero-argument builders: counter(); builders taking arguments: build(limit: int, bad: int = 9, *, name: str = 'Counter')",
        ),
        ("argmodel:build(2, lmit=3)", "unexpected keyword argument 'lmit'"),
        ("argmodel:build()", "missing a required argument: 'limit'"),
        ("argmodel:build(1, 2, 'N')", "too many positional arguments"),
        ("argmodel:build(-1)", "build rejected its arguments: limit -1: give 0 or more"),
        ("argmodel:LIMIT()", "not a function, so it cannot be called"),
    ],
)
def test_bad_calls_are_usage_errors_naming_the_problem(capsys: pytest.CaptureFixture[str], target: str, says: str) -> None:
    code, out, err = run(capsys, "check", target)
    assert code == 4, err
    assert says in flat(err) and "Traceback" not in err
    code, out, _ = run(capsys, "check", target, "--json")
    assert code == 4 and json.loads(out)["error"]["kind"] == "usage"


def test_a_function_needing_arguments_says_how_to_give_them(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "argmodel:build")
    assert code == 3 and "give them in the target" in flat(err)


def test_every_target_command_takes_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "mermaid", "argmodel:counter(limit=7)")
    assert code == 0 and "inc [n #60; 7]" in out
    code, out, _ = run(capsys, "render", "argmodel:counter(3)")
    assert code == 0 and "n &lt; 3" in out
    code, _, _ = run(capsys, "tla", "argmodel:build(2, name='Two')", "-o", str(tmp_path / "tla"))
    assert code == 0 and "Two" in (tmp_path / "tla" / "Two.tla").read_text()
    assert run(capsys, "tla", "argmodel:build(y)", "-o", str(tmp_path / "tla"))[0] == 4
    log = tmp_path / "log.jsonl"
    log.write_text("")
    assert run(capsys, "conform", "argmodel:build(z)", str(log))[0] == 4
    monkey_in = tmp_path / "in.txt"
    monkey_in.write_text("")
    assert run(capsys, "run", "argmodel:counter(q)")[0] == 4


def test_flagship_designs_are_reachable_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    """Each design and a mutation of the flagship, selected by arguments (a bounded run: only the system's name is asserted)."""
    cases = [
        ('design="fixed"', "websocket-gateway[fixed]"),
        ("'deferred'", "websocket-gateway[deferred]"),
        ('design="fixed", mutation="early-flip"', "websocket-gateway[fixed/early-flip]"),
    ]
    for args, name in cases:
        code, out, _ = run(capsys, "check", f"{WSG}:build({args}, liveness=False)", "--max-states", "20", "--json")
        doc = json.loads(out)
        assert doc["system"] == name and code in (1, 2), (args, code)
    code, _, err = run(capsys, "check", f'{WSG}:build(design="fixd")')
    assert code == 4 and "unknown design 'fixd'" in flat(err)
