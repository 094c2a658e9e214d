"""The live interpreter: errors in user code, snapshots, strict events, the outbox, virtual time."""

from __future__ import annotations

from typing import Any

import pytest

from statecharts import (
    SELF,
    Chart,
    Event,
    ExecutionError,
    Final,
    Interpreter,
    Snapshot,
    State,
    StatechartError,
    Transition,
    UnknownEventError,
    assign,
    broadcast,
    cancel,
    ctx,
    event,
    log,
    py,
    python,
    reply,
    send,
    send_to,
)
from statecharts.engine import Outgoing


def boom(*_: Any) -> Any:
    raise ValueError("boom")


class Switch:
    """A Python guard/action that fails while ``broken`` is set."""

    def __init__(self) -> None:
        self.broken = True

    def __call__(self, c: Any, e: Any) -> Any:
        if self.broken:
            raise ValueError("boom")
        return None


def counter_chart(guard: Any = None, action: Any = (), entry: Any = (), exit: Any = ()) -> Chart:
    return Chart(
        "acct",
        State(
            "idle",
            on={
                "go": Transition(
                    "busy", guard=guard, actions=[send("peer", "started"), log("go"), assign(n=ctx.n + 1), *action]
                )
            },
            exit=exit,
        ),
        State("busy", entry=entry, on={"stop": "idle"}),
        context={"n": 0},
    )


def assert_unchanged(i: Interpreter, before: Snapshot, outbox: int = 0, logs: int = 0) -> None:
    assert i.snapshot() == before
    assert len(i.outbox) == outbox
    assert len(i.logs) == logs


# --------------------------------------------------------------------------- errors in user code


def test_guard_exception_names_transition_and_configuration_and_changes_nothing() -> None:
    i = Interpreter(counter_chart(guard=py(boom, label="always_fails")))
    before = i.snapshot()
    with pytest.raises(ExecutionError) as info:
        i.send("go")
    err = info.value
    assert err.where == "guard of transition idle --go--> busy"
    assert err.configuration == ("idle",)
    assert isinstance(err.cause, ValueError)
    assert "idle --go--> busy" in str(err) and "active configuration: idle" in str(err) and "boom" in str(err)
    assert_unchanged(i, before)


def test_guard_error_from_the_expression_language() -> None:
    chart = Chart("c", State("s", on={"e": Transition("t", guard=event.amount // ctx.d > 0)}), State("t"), context={"d": 0})
    i = Interpreter(chart)
    before = i.snapshot()
    with pytest.raises(ExecutionError) as info:
        i.send("e", amount=3)
    assert isinstance(info.value.cause, ZeroDivisionError)
    with pytest.raises(ExecutionError, match="no data field 'amount'"):
        i.send("e")
    assert_unchanged(i, before)


def test_action_exception_names_transition_and_changes_nothing() -> None:
    i = Interpreter(counter_chart(action=[python(boom)]))
    before = i.snapshot()
    with pytest.raises(ExecutionError) as info:
        i.send("go")
    assert info.value.where == "transition idle --go--> busy"
    assert isinstance(info.value.cause, ValueError)
    assert_unchanged(i, before)  # the send, the log and the assign before the failure are discarded


def test_action_exception_reports_the_source_configuration() -> None:
    i = Interpreter(counter_chart(action=[python(boom)]))
    with pytest.raises(ExecutionError) as info:
        i.send("go")
    assert "idle" in info.value.configuration


def test_entry_and_exit_action_exceptions() -> None:
    i = Interpreter(counter_chart(entry=python(boom)))
    before = i.snapshot()
    with pytest.raises(ExecutionError) as info:
        i.send("go")
    assert info.value.where == "entry action of state 'busy'"
    assert_unchanged(i, before)

    i = Interpreter(counter_chart(exit=python(boom)))
    before = i.snapshot()
    with pytest.raises(ExecutionError) as info:
        i.send("go")
    assert info.value.where == "exit action of state 'idle'"
    assert info.value.configuration == ("idle",)
    assert_unchanged(i, before)


def test_exception_while_entering_the_initial_configuration() -> None:
    chart = Chart("c", State("s", entry=python(boom, label="setup")))
    with pytest.raises(ExecutionError, match="entry action of state 's'"):
        Interpreter(chart)


def test_python_action_returning_garbage_or_unknown_field() -> None:
    chart = Chart(
        "c",
        State(
            "s",
            on={
                "bad": Transition(actions=python(lambda c, e: 42)),
                "unk": Transition(actions=python(lambda c, e: {"zz": 1})),
            },
        ),
        context={"n": 0},
    )
    i = Interpreter(chart)
    before = i.snapshot()
    with pytest.raises(ExecutionError, match="must return a mapping"):
        i.send("bad")
    with pytest.raises(ExecutionError, match="unknown context field 'zz'"):
        i.send("unk")
    assert_unchanged(i, before)


def test_error_in_an_immediate_self_send_leaves_it_pending() -> None:
    chart = Chart(
        "chart",
        State("a", on={"go": Transition("b", actions=[send("peer", "hello"), log("sent"), send(SELF, "later")])}),
        State("b", on={"later": Transition("c", actions=python(boom))}),
        State("c"),
    )
    seen: list[str] = []
    i = Interpreter(chart, on_log=lambda label, value: seen.append(label))
    i.send("go")  # the self-send is a separate delivery (as in the explorer): the step commits
    assert i.leaves == ("b",) and seen == ["sent"] and [p.event.name for p in i.pending] == ["later"]
    before = i.snapshot()
    with pytest.raises(ExecutionError, match="b --later--> c"):
        i.deliver()
    assert_unchanged(i, before, outbox=1, logs=1)


def test_error_in_a_timer_leaves_it_pending_and_the_clock_unmoved() -> None:
    fails = Switch()
    chart = Chart(
        "c",
        State("a", after={10: Transition("b", actions=[send("peer", "timeout"), python(fails)])}),
        State("b"),
    )
    i = Interpreter(chart)
    before = i.snapshot()
    with pytest.raises(ExecutionError, match=r"a --after\.10\.a--> b"):
        i.advance(20)
    assert_unchanged(i, before)
    assert [p.due for p in i.pending] == [10]
    fails.broken = False
    i.advance(20)
    assert i.leaves == ("b",)
    assert i.clock == 20
    assert [o.event.name for o in i.outbox] == ["timeout"]


def test_error_in_a_later_timer_keeps_the_earlier_ones() -> None:
    chart = Chart(
        "chart",
        State("a", after={10: "b"}),
        State("b", after={10: Transition("c", actions=python(boom))}),
        State("c"),
    )
    i = Interpreter(chart)
    with pytest.raises(ExecutionError):
        i.advance(100)
    assert i.leaves == ("b",)
    assert i.clock == 10
    assert [p.due for p in i.pending] == [20]


def test_on_error_event_turns_exceptions_into_error_execution() -> None:
    chart = Chart(
        "c",
        State("s", on={"go": Transition("t", actions=python(boom)), "error.execution": Transition("failed")}),
        State("t", on={"error.execution": "failed"}),
        State("failed"),
        on_error="event",
    )
    i = Interpreter(chart)
    i.send("go")
    assert i.leaves == ("failed",)


# --------------------------------------------------------------------------- snapshots


def test_snapshot_restore_round_trip() -> None:
    chart = Chart(
        "c",
        State("a", on={"go": Transition("b", actions=assign(n=ctx.n + 1))}),
        State("b", on={"go": "a"}, after={50: "a"}),
        context={"n": 0},
    )
    i = Interpreter(chart)
    s0 = i.snapshot()
    i.send("go")
    s1 = i.snapshot()
    assert s1 != s0
    assert hash(s1) != hash(s0) or s1 != s0
    assert i.leaves == ("b",) and i.context == {"n": 1} and len(i.pending) == 1
    i.advance(50)
    assert i.leaves == ("a",)
    i.restore(s1)
    assert i.snapshot() == s1
    assert i.leaves == ("b",) and i.clock == 0 and len(i.pending) == 1
    i.advance(50)  # the pending timer came back with the snapshot
    assert i.leaves == ("a",)
    i.restore(s0)
    assert i.leaves == ("a",) and i.context == {"n": 0} and i.pending == ()


def test_snapshot_is_an_immutable_hashable_value() -> None:
    chart = Chart("c", State("a", on={"go": "b"}), State("b", on={"go": "a"}), context={"data": {"xs": [1, 2]}})
    i = Interpreter(chart)
    s0 = i.snapshot()
    i.send("go")
    i.send("go")
    assert i.snapshot() == s0._replace(seq=i.snapshot().seq)
    assert len({s0, i.snapshot()}) == 1
    with pytest.raises(TypeError):
        i.context["data"]["xs"] = ()  # frozen context values


def test_restore_a_bare_chart_state_and_reject_other_values() -> None:
    chart = Chart("c", State("a", on={"go": "b"}), State("b"))
    i = Interpreter(chart)
    state = chart.step(i.state, "go").state
    i.restore(state)
    assert i.leaves == ("b",)
    assert i.pending == ()
    with pytest.raises(StatechartError, match="restore"):
        i.restore("b")  # type: ignore[arg-type]


def test_two_interpreters_share_nothing() -> None:
    chart = Chart("c", State("a", on={"inc": Transition(actions=assign(n=ctx.n + 1))}), context={"n": 0})
    one, two = Interpreter(chart), Interpreter(chart, context={"n": 10})
    one.send("inc")
    assert one.context == {"n": 1}
    assert two.context == {"n": 10}
    with pytest.raises(StatechartError, match="unknown field 'm'"):
        Interpreter(chart, context={"m": 1})


# --------------------------------------------------------------------------- strict mode


def test_strict_rejects_events_no_transition_can_match() -> None:
    chart = Chart("c", State("a", on={"go": "b", "net.msg": "a"}), State("b", on={"go": "a"}))
    i = Interpreter(chart, strict=True)
    before = i.snapshot()
    with pytest.raises(UnknownEventError) as info:
        i.send("og")
    assert "'og'" in str(info.value) and "go, net.msg" in str(info.value)
    assert i.snapshot() == before
    i.send("net.msg.hello")  # prefix match is a match
    i.send("go")
    assert i.leaves == ("b",)


def test_non_strict_ignores_unknown_and_unmatched_events() -> None:
    chart = Chart("c", State("a", on={"go": "b"}), State("b"))
    i = Interpreter(chart)
    before = i.snapshot()
    result = i.send("og")
    assert result.taken == ()
    assert i.snapshot() == before


def test_strict_accepts_events_known_to_the_chart_but_not_enabled_now() -> None:
    chart = Chart("c", State("a", on={"go": "b"}), State("b", on={"back": "a"}))
    i = Interpreter(chart, strict=True)
    result = i.send("back")
    assert result.taken == ()
    assert i.leaves == ("a",)


# --------------------------------------------------------------------------- the outbox


def test_outbox_collects_sends_in_order_with_data() -> None:
    chart = Chart(
        "client",
        State(
            "s",
            on={
                "req": Transition(
                    actions=[
                        send("server", "get", key=event.key, n=ctx.n),
                        send_to("worker", ctx.n % 2, "job", n=ctx.n),
                        broadcast("worker", "wake"),
                        send("server", "later", delay=100, send_id="t1"),
                        assign(n=ctx.n + 1),
                    ]
                ),
                "ping": Transition(actions=reply("pong", n=ctx.n)),
            },
        ),
        context={"n": 0},
    )
    i = Interpreter(chart)
    i.send("req", key="k1")
    i.send("req", key="k2")
    i.send(Event.of("ping", origin="server"))
    got = [(o.target, o.event.name, dict(o.event.data), o.delay, o.broadcast) for o in i.outbox]
    assert got == [
        ("server", "get", {"key": "k1", "n": 0}, None, False),
        ("worker[0]", "job", {"n": 0}, None, False),
        ("worker", "wake", {}, None, True),
        ("server", "later", {}, 100, False),
        ("server", "get", {"key": "k2", "n": 1}, None, False),
        ("worker[1]", "job", {"n": 1}, None, False),
        ("worker", "wake", {}, None, True),
        ("server", "later", {}, 100, False),
        ("server", "pong", {"n": 2}, None, False),
    ]
    assert all(isinstance(o, Outgoing) for o in i.outbox)


def test_reply_without_a_sender_is_an_error() -> None:
    chart = Chart("c", State("s", on={"ping": Transition(actions=reply("pong"))}))
    i = Interpreter(chart)
    with pytest.raises(ExecutionError, match="no sender"):
        i.send("ping")
    assert i.outbox == []


def test_self_sends_are_queued_not_put_in_the_outbox() -> None:
    chart = Chart(
        "c",
        State(
            "a",
            on={
                "arm": Transition(actions=[send(SELF, "fire", delay=30, send_id="t"), send(SELF, "now")]),
                "disarm": Transition(actions=cancel("t")),
                "now": Transition(actions=assign(nows=ctx.nows + 1)),
                "fire": "b",
            },
        ),
        State("b"),
        context={"nows": 0},
    )
    i = Interpreter(chart)
    i.send("arm")
    assert i.outbox == []
    assert i.context == {"nows": 0}  # an immediate self-send waits for deliver(), like a message in the explorer
    assert [p.event.name for p in i.pending] == ["fire", "now"]
    assert i.settle() == 1
    assert i.context == {"nows": 1}
    assert [p.event.name for p in i.pending] == ["fire"]
    i.send("disarm")
    assert i.pending == ()
    i.advance(100)
    assert i.leaves == ("a",)
    i.send("arm")
    i.advance(30)
    assert i.leaves == ("b",)


def test_advance_rejects_negative_time_and_delivers_in_due_order() -> None:
    chart = Chart(
        "c",
        State(
            "s",
            entry=[send(SELF, "second", delay=20), send(SELF, "first", delay=10), send(SELF, "third", delay=20)],
            on={"first second third": Transition(actions=assign(trace=ctx.trace + event.name + ";"))},
        ),
        context={"trace": ""},
    )
    i = Interpreter(chart)
    with pytest.raises(StatechartError, match="non-negative"):
        i.advance(-1)
    i.advance(25)
    assert i.context == {"trace": "first;second;third;"}


def test_final_chart_reports_is_final() -> None:
    chart = Chart("c", State("a", on={"end": "f"}), Final("f"))
    i = Interpreter(chart)
    assert not i.is_final
    i.send("end")
    assert i.is_final
    assert i.is_active("f") and not i.is_active("a")
    assert "Interpreter('c'" in repr(i)
