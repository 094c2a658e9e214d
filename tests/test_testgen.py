"""Generated tests: coverage of the cases, running them through an adapter, readable failures, hypothesis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import lost_update
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from simulate.system import ModelError
from simulate.testgen import Adapter, AdapterError, ConformanceFailure, generate, state_machine


class Store:
    def __init__(self, bug: str) -> None:
        self.value = 1 if bug == "initial" else 0
        self.sent: list[tuple[str, str, dict[str, Any]]] = []
        self.bug = bug

    def handle(self, event: str, data: dict[str, Any], sender: str) -> None:
        if event == "read":
            if self.bug != "no-reply":
                self.sent.append((sender, "value", {"v": self.value}))
        elif event == "write":
            self.value = data["v"]


class Client:
    def __init__(self, bug: str) -> None:
        self.state = "idle"
        self.sent: list[tuple[str, str, dict[str, Any]]] = []
        self.bug = bug

    def go(self) -> None:
        self.state = "reading"
        self.sent.append(("store", "read", {}))

    def handle(self, event: str, data: dict[str, Any]) -> None:
        if event == "value" and self.state == "reading":
            self.state = "reading" if self.bug == "stuck" else "done"
            self.sent.append(("store", "write", {"v": data["v"] + (0 if self.bug == "off-by-one" else 1)}))


class InMemory(Adapter):
    """An implementation in plain Python objects (the test delivers every message itself)."""

    def __init__(self, bug: str = "") -> None:
        self.bug = bug

    def reset(self) -> None:
        self.store = Store(self.bug)
        self.clients = {f"client[{i}]": Client(self.bug) for i in range(2)}

    def _obj(self, actor: str) -> Any:
        return self.store if actor == "store" else self.clients[actor]

    def stimulus(self, actor: str, event: str, data: Any) -> None:
        self.clients[actor].go()
        if self.bug == "chatty":
            self.store.sent.append(("client[0]", "value", {"v": 7}))

    def deliver(self, actor: str, event: str, data: Any, sender: str) -> None:
        if actor == "store":
            self.store.handle(event, dict(data), sender)
        else:
            self.clients[actor].handle(event, dict(data))

    def state(self, actor: str) -> str:
        return "serving" if actor == "store" else self.clients[actor].state

    def context(self, actor: str) -> dict[str, Any] | None:
        return {"value": self.store.value} if actor == "store" else None

    def outbox(self, actor: str) -> list[tuple[str, str, dict[str, Any]]]:
        obj = self._obj(actor)
        out, obj.sent = obj.sent, []
        return out


def test_cases_cover_every_transition_with_shortest_paths() -> None:
    system = lost_update()
    suite = generate(system)
    assert suite.complete and not suite.uncovered
    covered = {t for c in suite for t in c.covers}
    assert covered == {
        "Store: serving --read--> (targetless)",
        "Store: serving --write--> (targetless)",
        "Client: idle --go--> reading",
        "Client: reading --value--> done",
    }
    # one case suffices: go, read, value, write; 4 steps, the shortest path that takes the write
    assert [c.name for c in suite] == ["Store: serving --write--> (targetless)"]
    assert [f"{m.actor}:{m.kind}:{m.event}" for m in suite.cases[0].steps] == [
        "client[0]:stimulus:go",
        "store:deliver:read",
        "client[0]:deliver:value",
        "store:deliver:write",
    ]
    assert "4. store: deliver write(v=1) from client[0] -> serving, sends nothing" in suite.cases[0].format()


def test_states_and_goals() -> None:
    system = lost_update(goal_unreachable=True)
    states = generate(system, cover="states", depth=2)
    assert not states.complete and "depth=2" in states.limit
    assert len(states) == 3 and all(len(c.steps) == 2 for c in states)
    goals = generate(system, cover=("goals",))
    assert [c.name for c in goals] == ["goal BothDone"] and len(goals.cases[0].steps) == 8
    assert goals.unreached == ["Three"]
    assert "goal Three: never reached" in goals.summary()
    with pytest.raises(ModelError, match="cover='paths'"):
        generate(system, cover="paths")


def test_the_correct_implementation_passes(tmp_path: Path) -> None:
    suite = generate(lost_update(), cover=("transitions", "states", "goals"), depth=8)
    with InMemory() as impl:
        for case in suite:
            case.run(impl, charts=tmp_path)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("bug", "fragments"),
    [
        ("off-by-one", ["at step 3 of 4: client[0]: deliver value(v=0) from store", "sent write(v=0) to store", "in done, sent write(v=1) to store"]),
        ("no-reply", ["at step 2 of 4: store: deliver read from client[0]", "store: in serving, value=0, sent nothing", "value(v=0) to client[0]"]),
        ("stuck", ["at step 3 of 4", "client[0]: in reading, sent write(v=1) to store", "afterwards the model is in done, observed reading"]),
        ("chatty", ["at step 1 of 4", "store sent value(v=7) to client[0] although it did not act", "and no other actor sends anything"]),
        ("initial", ["at the initial state", "store: in serving, value=1, sent nothing"]),
    ],
)
def test_a_bug_fails_with_what_was_expected_and_what_happened(bug: str, fragments: list[str], tmp_path: Path) -> None:
    case = generate(lost_update()).cases[0]
    with pytest.raises(ConformanceFailure) as info, InMemory(bug) as impl:
        case.run(impl, charts=tmp_path)
    text = str(info.value)
    for f in fragments:
        assert f in text, f"{f!r} not in\n{text}"
    assert ("steps so far" in text and "✗" in text) or bug == "initial"
    svg = info.value.svg
    assert svg is not None and svg.exists() and f"sequence chart: {svg}" in text


def test_adapter_errors_name_the_method() -> None:
    case = generate(lost_update()).cases[0]

    class Partial(InMemory):
        deliver = Adapter.deliver  # not implemented

    with pytest.raises(AdapterError, match=r"Partial.deliver is not implemented, and case .* needs it: override it"):
        case.run(Partial())

    class BadOutbox(InMemory):
        def outbox(self, actor: str) -> Any:
            return ["value"]

    with pytest.raises(AdapterError, match=r"BadOutbox.outbox\('store'\) returned 'value': return \(receiver, event, data\) tuples"):
        case.run(BadOutbox())

    class BadState(InMemory):
        def state(self, actor: str) -> str:
            return "servng" if actor == "store" else super().state(actor)

    with pytest.raises(AdapterError, match="state 'servng' is not a state of store's chart 'Store'"):
        case.run(BadState())
    with pytest.raises(AdapterError, match=r"object has no method .reset.: subclass simulate\.testgen\.Adapter"):
        case.run(object())  # type: ignore[arg-type]
    with pytest.raises(AdapterError, match="a function or class that makes a fresh adapter"):
        state_machine(lost_update(), InMemory())


def test_hypothesis_finds_and_shrinks_a_bug() -> None:
    system = lost_update()
    run_state_machine_as_test(state_machine(system, InMemory, charts=None), settings=settings(max_examples=20))
    with pytest.raises(ConformanceFailure) as info:
        run_state_machine_as_test(state_machine(system, lambda: InMemory("off-by-one"), charts=None), settings=settings(max_examples=50))
    text = str(info.value)
    assert "deliver value(v=0) from store" in text and "sent write(v=0) to store" in text
    assert "✗  3" in text  # shrunk to go, read, value
