"""The chart definition API: malformed charts are rejected with a path and a hint; good ones behave.

Each malformed case asserts the error type, the element path in the message and a hint on
how to fix it. The positive tests cover the constructs of the definition API, run through
the one macrostep (``Chart.step`` / ``Chart.successors`` / ``Interpreter``).
"""

from __future__ import annotations

from typing import Any

import pytest

from statecharts import (
    SELF,
    Chart,
    ChartDefinitionError,
    Event,
    ExpressionError,
    Final,
    History,
    In,
    Interpreter,
    Parallel,
    State,
    Transition,
    assign,
    call,
    choose,
    ctx,
    event,
    python,
    raise_,
    send,
)


def definition_error(build: Any) -> ChartDefinitionError:
    with pytest.raises(ChartDefinitionError) as info:
        build()
    err = info.value
    assert str(err).startswith(err.path + ": "), "the message starts with the element's path"
    assert err.hint, f"no hint in {err}"
    assert err.hint in str(err)
    return err


# --------------------------------------------------------------------------- malformed charts


def test_unknown_target_names_transition_and_suggests_close_match() -> None:
    err = definition_error(lambda: Chart("door", State("idle", on={"go": "runing"}), State("running")))
    assert err.path == "chart 'door' / atomic 'idle' / transition 'go'"
    assert "unknown target state 'runing'" in err.problem
    assert err.hint == "did you mean 'running'?"


def test_unknown_target_without_close_match_lists_known_states() -> None:
    err = definition_error(lambda: Chart("door", State("idle", on={"go": "zzz"}), State("running")))
    assert "known states: idle, running" in err.hint  # type: ignore[operator]


def test_unknown_target_in_nested_state_and_history_default() -> None:
    err = definition_error(
        lambda: Chart("c", State("outer", State("inner", on={"e": Transition("nowhere", guard=ctx.n > 0)})), context={"n": 0})
    )
    assert err.path == "chart 'c' / state 'outer' / atomic 'inner' / transition 'e'"
    err = definition_error(lambda: Chart("c", State("p", State("a"), History("h", "b"))))
    assert err.path == "chart 'c' / state 'p' / history 'h' default"
    assert "unknown target state 'b'" in err.problem


def _regions() -> Parallel:
    return Parallel("p", State("r1", State("r1a"), State("r1b")), State("r2", State("r2a"), State("r2b")))


def test_several_targets_that_cannot_be_active_together() -> None:
    err = definition_error(lambda: Chart("c", State("a", on={"go": Transition(["r1a", "r1b"])}), _regions()))
    assert err.path == "chart 'c' / atomic 'a' / transition 'go'"
    assert "targets 'r1a' and 'r1b' cannot be active together" in err.problem
    assert "compound state 'r1'" in err.problem
    assert "different regions of one Parallel state" in err.hint  # type: ignore[operator]
    err = definition_error(lambda: Chart("c", State("a", on={"go": Transition(["a", "r1a"])}), _regions()))
    assert "inside the chart" in err.problem
    err = definition_error(lambda: Chart("c", State("s", State("x"), State("y"), initial=["x", "y"])))
    assert err.path == "chart 'c' / state 's' initial"


def test_several_targets_where_one_contains_the_other() -> None:
    err = definition_error(lambda: Chart("c", State("a", on={"go": Transition(["p", "r1b"])}), _regions()))
    assert "targets 'p' and 'r1b': one contains the other" in err.problem
    assert err.hint == "drop 'p'; entering 'r1b' enters its ancestors"


def test_several_targets_in_different_regions() -> None:
    chart = Chart("c", State("a", on={"go": Transition(["r1b", "r2b"])}), _regions())
    i = Interpreter(chart)
    i.send("go")
    assert i.leaves == ("r1b", "r2b")
    chart = Chart("c", State("s", _regions(), initial=["r2b"]))
    assert Interpreter(chart).leaves == ("r1a", "r2b")


def test_duplicate_id() -> None:
    err = definition_error(lambda: Chart("c", State("a", State("x")), State("b", State("x"))))
    assert err.path == "chart 'c' / state 'b' / atomic 'x'"
    assert "duplicate state id 'x'" in err.problem
    assert "unique" in err.hint  # type: ignore[operator]


def test_state_id_equal_to_chart_name_is_a_duplicate() -> None:
    err = definition_error(lambda: Chart("c", State("c")))
    assert "duplicate state id 'c'" in err.problem


def test_compound_initial_that_does_not_exist() -> None:
    err = definition_error(lambda: Chart("c", State("p", State("first"), State("second"), initial="frist")))
    assert err.path == "chart 'c' / state 'p' initial"
    assert "initial state 'frist' does not exist" in err.problem
    assert err.hint == "did you mean 'first'?"


def test_compound_initial_outside_the_compound() -> None:
    err = definition_error(lambda: Chart("c", State("p", State("x"), initial="q"), State("q")))
    assert err.path == "chart 'c' / state 'p' initial"
    assert "not a descendant of 'p'" in err.problem


def test_compound_with_only_history_children_has_no_initial() -> None:
    err = definition_error(lambda: Chart("c", State("p", History("h"))))
    assert err.path == "chart 'c' / state 'p'"
    assert "only history children" in err.problem


def test_chart_initial_that_does_not_exist() -> None:
    err = definition_error(lambda: Chart("c", State("x"), initial="y"))
    assert err.path == "chart 'c' initial"


def test_initial_on_an_atomic_or_parallel_state() -> None:
    err = definition_error(lambda: Chart("c", State("p", initial="p")))
    assert err.path == "chart 'c' / atomic 'p'"
    err = definition_error(lambda: Chart("c", Parallel("p", State("a"), State("b"), initial="a")))
    assert "only compound states have an initial child" in err.hint  # type: ignore[operator]


def test_history_outside_a_compound() -> None:
    err = definition_error(lambda: Chart("c", State("x"), History("h")))
    assert err.path == "chart 'c' / history 'h'"
    assert "history state outside a compound state" in err.problem
    assert "inside a State with children" in err.hint  # type: ignore[operator]


def test_history_default_outside_its_parent() -> None:
    err = definition_error(lambda: Chart("c", State("p", State("a"), History("h", "q")), State("q")))
    assert err.path == "chart 'c' / state 'p' / history 'h'"
    assert "history default 'q' is not inside 'p'" in err.problem


@pytest.mark.parametrize(
    "kwargs",
    [
        {"on": {"e": "x"}},
        {"always": "x"},
        {"after": {10: "x"}},
        {"transitions": [Transition("x", event="e")]},
        {"initial": "x"},
    ],
    ids=["on", "always", "after", "transitions", "initial"],
)
def test_transition_out_of_a_final_state(kwargs: dict[str, Any]) -> None:
    err = definition_error(lambda: Chart("c", State("x", on={"e": "f"}), Final("f", **kwargs)))
    assert err.path == "chart 'c' / final 'f'"
    assert "transition out of a final state" in err.problem
    assert "no transitions" in err.hint  # type: ignore[operator]


def test_transition_out_of_a_final_state_added_after_construction() -> None:
    f = Final("f")
    f.on_spec = {"e": "x"}  # bypasses Final's keyword check: the builder still catches it
    err = definition_error(lambda: Chart("c", State("x"), f))
    assert err.path == "chart 'c' / final 'f'"
    assert "transition out of a final state" in err.problem
    assert "move them to its parent" in err.hint  # type: ignore[operator]


def test_final_state_cannot_have_children() -> None:
    with pytest.raises(TypeError):
        Final("f", State("x"))  # type: ignore[call-arg]


def test_guard_reads_unknown_context_field() -> None:
    err = definition_error(lambda: Chart("c", State("x", on={"e": Transition("x", guard=ctx.cnt < 3)}), context={"count": 0}))
    assert err.path == "chart 'c' / atomic 'x' / transition 'e' guard"
    assert "unknown context field 'cnt'" in err.problem
    assert "did you mean 'count'?" in err.hint  # type: ignore[operator]
    assert "declare it in context=" in err.hint  # type: ignore[operator]


def test_guard_string_reads_unknown_context_field() -> None:
    err = definition_error(lambda: Chart("c", State("x", on={"e": Transition("x", guard="ctx.cnt < 3")}), context={"count": 0}))
    assert "unknown context field 'cnt'" in err.problem
    err = definition_error(lambda: Chart("c", State("x", on={"e": Transition("x", guard="cnt < 3")}), context={"count": 0}))
    assert "unknown name 'cnt'" in err.problem
    assert "write ctx.cnt" in err.hint  # type: ignore[operator]


def test_assign_to_unknown_field() -> None:
    err = definition_error(lambda: Chart("c", State("x", on={"e": Transition(actions=assign(cnt=1))}), context={"count": 0}))
    assert err.path == "chart 'c' / atomic 'x' / transition 'e' actions"
    assert "assign to unknown context field 'cnt'" in err.problem
    assert "did you mean 'count'?" in err.hint  # type: ignore[operator]


def test_assign_reading_unknown_field_in_entry_action() -> None:
    err = definition_error(lambda: Chart("c", State("x", entry=assign(count=ctx.total + 1)), context={"count": 0}))
    assert err.path == "chart 'c' / atomic 'x' entry"
    assert "unknown context field 'total'" in err.problem


def test_unknown_field_nested_in_if_and_send_data() -> None:
    from statecharts import if_

    err = definition_error(
        lambda: Chart("c", State("x", exit=if_(ctx.count > 0, [send("peer", "e", v=ctx.missing)])), context={"count": 0})
    )
    assert err.path == "chart 'c' / atomic 'x' exit"
    assert "unknown context field 'missing'" in err.problem


def test_python_action_declaring_unknown_write() -> None:
    err = definition_error(
        lambda: Chart("c", State("x", entry=python(lambda c, e: None, writes=["cnt"])), context={"count": 0})
    )
    assert "writes unknown field 'cnt'" in err.problem


def test_unparsable_expression_string() -> None:
    err = definition_error(lambda: Chart("c", State("x", on={"e": Transition("x", guard="ctx.count <")}), context={"count": 0}))
    assert err.path == "chart 'c' / atomic 'x' / transition 'e' guard"
    assert "cannot parse expression 'ctx.count <'" in err.problem
    assert "Python syntax" in err.hint  # type: ignore[operator]


def test_expression_outside_the_language() -> None:
    err = definition_error(lambda: Chart("c", State("x", on={"e": Transition(guard="lambda: 1")})))
    assert "Lambda is not part of the expression language" in err.problem
    with pytest.raises(ChartDefinitionError, match="private attributes"):
        Chart("c", State("x", on={"e": Transition(guard="ctx.count.__class__")}), context={"count": 0})


def test_unknown_function_in_expression() -> None:
    err = definition_error(
        lambda: Chart("c", State("x", on={"e": Transition(guard="lenn(ctx.items) > 0")}), context={"items": ()})
    )
    assert err.path == "chart 'c' / atomic 'x' / transition 'e' guard"
    assert "unknown function 'lenn'" in err.problem
    assert "did you mean 'len'?" in err.hint  # type: ignore[operator]
    assert "the language has" in err.hint  # type: ignore[operator]


def test_unknown_function_in_builder() -> None:
    with pytest.raises(ExpressionError) as info:
        call("frobnicate", ctx.x)
    assert info.value.hint is not None and "the language has" in info.value.hint


def test_float_constant_in_expression_string() -> None:
    err = definition_error(lambda: Chart("c", State("x", on={"e": Transition(guard="ctx.count < 1.5")}), context={"count": 0}))
    assert err.path == "chart 'c' / atomic 'x' / transition 'e' guard"
    assert "floating-point constant 1.5" in err.problem
    assert "integers only" in err.hint  # type: ignore[operator]


def test_float_constant_in_builder_and_action() -> None:
    with pytest.raises(ExpressionError, match="integers only"):
        ctx.count < 1.5  # noqa: B015
    with pytest.raises(ExpressionError, match="floating-point"):
        assign(count=ctx.count + 0.5)


def test_float_in_context() -> None:
    err = definition_error(lambda: Chart("c", State("x"), context={"price": 9.99}))
    assert err.path == "chart 'c' / context field 'price'"
    assert "integers only" in err.hint  # type: ignore[operator]
    err = definition_error(lambda: Chart("c", State("x"), context={"prices": {"a": (1, 2.5)}}))
    assert err.path == "chart 'c' / context field 'prices'"


def test_true_division_in_expression_string() -> None:
    err = definition_error(lambda: Chart("c", State("x", on={"e": Transition(guard="ctx.count / 2 == 1")}), context={"count": 0}))
    assert "'/' is not in the language" in err.problem
    assert "'//'" in err.hint  # type: ignore[operator]


def test_true_division_in_builder() -> None:
    with pytest.raises(ExpressionError) as info:
        ctx.count / 2
    assert info.value.hint is not None and "//" in info.value.hint


def test_in_of_unknown_state() -> None:
    err = definition_error(lambda: Chart("c", State("idle", on={"e": Transition(guard=In("idel"))}), State("busy")))
    assert err.path == "chart 'c' / atomic 'idle' / transition 'e' guard"
    assert "In('idel') names an unknown state" in err.problem
    assert err.hint == "did you mean 'idle'?"
    err = definition_error(lambda: Chart("c", State("idle", on={"e": Transition(guard="In('nope')")})))
    assert "known states: idle" in err.hint  # type: ignore[operator]


@pytest.mark.parametrize("delay", ["soon", -5, 1.5, None, True, "1.5ms", "infms", "-2s"])
def test_bad_after_delay(delay: Any) -> None:
    err = definition_error(lambda: Chart("c", State("x", after={delay: "y"}), State("y")))
    assert err.path == f"chart 'c' / atomic 'x' / after {delay!r}"
    assert "after delay" in err.problem
    assert "milliseconds" in err.hint  # type: ignore[operator]


def test_good_after_delays() -> None:
    chart = Chart("c", State("x", after={"1.5s": "y", "20ms": "y", 7: "y", "0": "y"}), State("y"))
    assert [t.events for t in chart.states["x"].transitions] == [
        ("after.1500.x",),
        ("after.20.x",),
        ("after.7.x",),
        ("after.0.x",),
    ]


def test_not_a_transition_and_not_an_action() -> None:
    err = definition_error(lambda: Chart("c", State("x", on={"e": [42]})))  # type: ignore[dict-item]
    assert err.path == "chart 'c' / atomic 'x' / transition 'e'"
    err = definition_error(lambda: Chart("c", State("x", entry=[42])))
    assert err.path == "chart 'c' / atomic 'x' entry"
    assert "42 is not an action" in err.problem
    assert "assign(...)" in err.hint  # type: ignore[operator]


def test_empty_chart_and_bad_event_keys() -> None:
    err = definition_error(lambda: Chart("c"))
    assert err.path == "chart 'c'"
    err = definition_error(lambda: Chart("c", State("x", on={" ": "x"})))
    assert "always=" in err.hint  # type: ignore[operator]


def test_nodes_reused_in_a_second_chart_do_not_accumulate_transitions() -> None:
    a, b = State("a", on={"go": "b"}), State("b", on={"go": "a"})
    Chart("one", a, b)
    two = Chart("two", a, b)
    assert len(a.transitions) == 1
    assert len(two.transitions) == 2
    i = Interpreter(two)
    i.send("go")
    assert i.leaves == ("b",)


# --------------------------------------------------------------------------- the definition API


def traced(log: list[str], label: str) -> Any:
    return python(lambda c, e: log.append(label), label=label)


def test_compound_parallel_and_initial_configuration() -> None:
    chart = Chart(
        "c",
        Parallel(
            "p",
            State("r1", State("a"), State("b", State("b1"), State("b2"), initial="b2"), initial="b"),
            State("r2", State("c1"), State("c2")),
        ),
    )
    i = Interpreter(chart)
    assert i.configuration == ("p", "r1", "b", "b2", "r2", "c1")
    assert i.leaves == ("b2", "c1")
    kinds = {s.id: s.kind for s in chart.states.values()}
    assert kinds == {"p": "parallel", "r1": "compound", "a": "atomic", "b": "compound", "b1": "atomic", "b2": "atomic",
                     "r2": "compound", "c1": "atomic", "c2": "atomic"}


def test_entry_and_exit_order() -> None:
    log: list[str] = []

    def s(name: str, *children: Any, **kw: Any) -> State:
        return State(name, *children, entry=traced(log, f"+{name}"), exit=traced(log, f"-{name}"), **kw)

    chart = Chart(
        "c",
        s("a", s("a1", s("a11", on={"go": Transition("b", actions=traced(log, "t"))}))),
        Parallel("b", s("b1"), s("b2"), entry=traced(log, "+b"), exit=traced(log, "-b")),
    )
    i = Interpreter(chart)
    assert log == ["+a", "+a1", "+a11"]
    log.clear()
    i.send("go")
    # exit innermost first, then the transition's actions, then entry in document order
    assert log == ["-a11", "-a1", "-a", "t", "+b", "+b1", "+b2"]


def test_final_and_done_state_of_compound() -> None:
    chart = Chart(
        "c",
        State("job", State("work", on={"finish": "done"}), Final("done"), on={"done.state.job": "idle"}),
        State("idle"),
    )
    i = Interpreter(chart)
    i.send("finish")
    assert i.leaves == ("idle",)


def test_done_state_of_parallel_when_every_region_is_final() -> None:
    chart = Chart(
        "c",
        Parallel(
            "both",
            State("r1", State("r1a", on={"e1": "r1f"}), Final("r1f")),
            State("r2", State("r2a", on={"e2": "r2f"}), Final("r2f")),
            on={"done.state.both": "end", "done.state.r1": Transition(actions=assign(r1_done=ctx.r1_done + 1))},
        ),
        Final("end"),
        context={"r1_done": 0},
    )
    i = Interpreter(chart)
    i.send("e1")
    assert i.leaves == ("r1f", "r2a")
    assert i.context == {"r1_done": 1}
    assert not i.is_final
    i.send("e2")
    assert i.leaves == ("end",)
    assert i.is_final
    before = i.snapshot()
    i.send("e1")  # a finished chart ignores events
    assert i.snapshot() == before


def test_shallow_and_deep_history() -> None:
    chart = Chart(
        "c",
        State(
            "p",
            State("a", State("a1", on={"next": "a2"}), State("a2")),
            State("b"),
            History("hs"),
            History("hd", deep=True),
            on={"out": "q", "tob": "b"},
        ),
        State("q", on={"shallow": "hs", "deep": "hd"}),
    )
    i = Interpreter(chart)
    i.send("next")
    assert i.leaves == ("a2",)
    start = i.snapshot()
    i.send("out")
    i.send("shallow")
    assert i.leaves == ("a1",)  # shallow history remembers 'a' and enters it by default
    i.restore(start)
    i.send("out")
    i.send("deep")
    assert i.leaves == ("a2",)  # deep history remembers the leaf
    i.send("tob")
    i.send("out")
    i.send("deep")
    assert i.leaves == ("b",)


def test_history_default_when_never_visited() -> None:
    chart = Chart(
        "c",
        State("q", on={"h": "h"}),
        State("p", State("a"), State("b"), History("h", "b")),
    )
    i = Interpreter(chart)
    i.send("h")
    assert i.leaves == ("b",)


@pytest.mark.parametrize(
    ("sent", "matches"),
    [
        ("a.b", {"exact", "prefix", "star"}),
        ("a.b.c", {"prefix", "star"}),
        ("a.bc", {"star"}),
        ("a", {"star"}),
        ("x.y", {"star", "multi"}),
        ("z", {"star", "multi"}),
    ],
)
def test_event_descriptors(sent: str, matches: set[str]) -> None:
    chart = Chart(
        "c",
        Parallel(
            "p",
            State("r1", State("s1", on={"a.b": Transition(guard=event.name == "a.b", actions=assign(exact=1))})),
            State("r2", State("s2", on={"a.b": Transition(actions=assign(prefix=1))})),
            State("r3", State("s3", on={"*": Transition(actions=assign(star=1))})),
            State("r4", State("s4", on={"x z": Transition(actions=assign(multi=1))})),
        ),
        context={"exact": 0, "prefix": 0, "star": 0, "multi": 0},
    )
    i = Interpreter(chart)
    i.send(sent)
    fired = {k for k, v in i.context.items() if v}
    assert fired == matches


def test_guards_first_enabled_transition_in_document_order() -> None:
    chart = Chart(
        "c",
        State(
            "s",
            on={
                "e": [
                    Transition("big", guard=ctx.n > 10),
                    Transition("mid", guard="ctx.n > 5"),
                    Transition("small"),
                ]
            },
        ),
        State("big"),
        State("mid"),
        State("small"),
        context={"n": 0},
    )
    for n, leaf in [(0, "small"), (6, "mid"), (11, "big")]:
        i = Interpreter(chart, context={"n": n})
        i.send("e")
        assert i.leaves == (leaf,)


def test_descendant_transition_preempts_ancestor() -> None:
    chart = Chart(
        "c",
        State("p", State("child", on={"e": "x"}), on={"e": "y"}),
        State("x"),
        State("y"),
    )
    i = Interpreter(chart)
    i.send("e")
    assert i.leaves == ("x",)


def test_actions_assign_in_order_and_log() -> None:
    from statecharts import log

    chart = Chart(
        "c",
        State(
            "s",
            on={
                "together": Transition(actions=[assign(a=ctx.a + 1, b=ctx.a * 10), log("b is", ctx.b)]),
                "in_turn": Transition(actions=[assign(a=ctx.a + 1), assign(b=ctx.a * 10), log("b is", ctx.b)]),
            },
        ),
        context={"a": 1, "b": 0},
    )
    seen: list[tuple[str, Any]] = []
    i = Interpreter(chart, on_log=lambda label, value: seen.append((label, value)))
    i.send("together")
    assert i.context == {"a": 2, "b": 10}  # one assign updates simultaneously (like TLA+ primes)
    i.send("in_turn")
    assert i.context == {"a": 3, "b": 30}  # actions run in order: the second assign sees the first
    assert seen == [("b is", 10), ("b is", 30)]
    assert i.logs == seen


def test_internal_vs_external_self_transition() -> None:
    log: list[str] = []
    parent_kw = {"entry": traced(log, "+p"), "exit": traced(log, "-p")}
    child = State("c1", entry=traced(log, "+c1"), exit=traced(log, "-c1"))
    chart = Chart(
        "c",
        State(
            "p",
            child,
            State("c2", entry=traced(log, "+c2"), exit=traced(log, "-c2")),
            on={"ext": Transition("c2"), "int": Transition("c2", internal=True)},
            **parent_kw,
        ),
    )
    i = Interpreter(chart)
    start = i.snapshot()
    log.clear()
    i.send("ext")
    assert log == ["-c1", "-p", "+p", "+c2"]
    i.restore(start)
    log.clear()
    i.send("int")
    assert log == ["-c1", "+c2"]


def test_targetless_transition_exits_nothing() -> None:
    log: list[str] = []
    chart = Chart(
        "c",
        State("s", entry=traced(log, "+s"), exit=traced(log, "-s"), on={"tick": Transition(actions=assign(n=ctx.n + 1))}),
        context={"n": 0},
    )
    i = Interpreter(chart)
    i.send("tick")
    i.send("tick")
    assert log == ["+s"]
    assert i.context == {"n": 2}
    assert i.leaves == ("s",)


def test_eventless_transitions_run_until_stable() -> None:
    chart = Chart(
        "c",
        State("count", always=[Transition("done", guard=ctx.n >= 3), Transition(guard=ctx.n < 3, actions=assign(n=ctx.n + 1))]),
        State("done"),
        context={"n": 0},
    )
    i = Interpreter(chart)
    assert i.leaves == ("done",)
    assert i.context == {"n": 3}


def test_eventless_after_an_event() -> None:
    chart = Chart(
        "chart",
        State("a", on={"go": Transition("b", actions=assign(n=5))}),
        State("b", always=Transition("c", guard=ctx.n == 5)),
        State("c"),
        context={"n": 0},
    )
    i = Interpreter(chart)
    r = i.send("go")
    assert i.leaves == ("c",)
    assert len(r.taken) == 2


def test_raise_is_processed_in_the_same_macrostep_before_the_next_event() -> None:
    chart = Chart(
        "chart",
        State("a", on={"go": Transition("b", actions=[raise_("inner", k=7), assign(trace=ctx.trace + "go;")])}),
        State(
            "b",
            on={
                "inner": Transition("c", actions=assign(trace=ctx.trace + "inner" + event.k + ";")),
                "go": "a",
            },
        ),
        State("c"),
        context={"trace": ""},
    )
    i = Interpreter(chart)
    i.send("go")
    assert i.leaves == ("c",)
    assert i.context == {"trace": "go;inner7;"}


def test_after_timers_with_advance() -> None:
    chart = Chart(
        "c",
        State("waiting", after={100: "late"}, on={"ok": "served"}),
        State("late", after={"1s": "waiting"}),
        State("served"),
    )
    i = Interpreter(chart)
    assert [p.due for p in i.pending] == [100]
    i.advance(99)
    assert i.leaves == ("waiting",)
    i.advance(1)
    assert i.leaves == ("late",)
    assert i.clock == 100
    i.advance(1000)
    assert i.leaves == ("waiting",)
    i.send("ok")  # leaving the state cancels its timer
    assert i.pending == ()
    i.advance(10_000)
    assert i.leaves == ("served",)
    assert i.clock == 11_100


def test_timer_is_cancelled_and_restarted_on_reentry() -> None:
    chart = Chart("c", State("s", after={50: "t"}, on={"poke": "s"}), State("t"))
    i = Interpreter(chart)
    i.advance(40)
    i.send("poke")  # external self-transition: exit cancels, entry restarts the timer
    i.advance(40)
    assert i.leaves == ("s",)
    i.advance(10)
    assert i.leaves == ("t",)


def test_event_data_in_guards_and_actions() -> None:
    chart = Chart(
        "bank",
        State(
            "open",
            on={
                "deposit": Transition(guard=event.amount > 0, actions=assign(balance=ctx.balance + event.amount)),
                "withdraw": Transition(guard="event.amount <= ctx.balance", actions=assign(balance="ctx.balance - event.amount")),
            },
        ),
        context={"balance": 0},
    )
    i = Interpreter(chart)
    i.send("deposit", amount=50)
    i.send("deposit", {"amount": -10})
    i.send("withdraw", amount=80)
    i.send(Event.of("withdraw", {"amount": 20}))
    assert i.context == {"balance": 30}


def test_choose_gives_one_successor_per_value() -> None:
    chart = Chart(
        "c",
        State("idle", on={"pick": Transition("picked", actions=choose("x", range(1, 4), lambda x: assign(v=x * 10)))}),
        State("picked"),
        context={"v": 0},
    )
    start = chart.start().state
    results = chart.successors(start, Event.of("pick"))
    assert [chart.context_of(r.state)["v"] for r in results] == [10, 20, 30]
    assert {chart.leaves(r.state) for r in results} == {("picked",)}
    # the interpreter (and Chart.step) takes the first alternative
    assert chart.context_of(chart.step(start, "pick").state) == {"v": 10}


def test_nested_choose_enumerates_the_product() -> None:
    chart = Chart(
        "c",
        State(
            "s",
            on={
                "go": Transition(
                    actions=[
                        choose("a", (1, 2), lambda a: assign(x=a)),
                        choose("b", "{0, 5}", lambda b: assign(y=b)),
                    ]
                )
            },
        ),
        context={"x": 0, "y": 0},
    )
    results = chart.successors(chart.start().state, Event.of("go"))
    assert sorted((chart.context_of(r.state)["x"], chart.context_of(r.state)["y"]) for r in results) == [
        (1, 0), (1, 5), (2, 0), (2, 5)
    ]


def test_choose_over_empty_domain_has_no_successor() -> None:
    chart = Chart("c", State("s", on={"go": Transition(actions=choose("x", (), lambda x: assign(v=x)))}), context={"v": 0})
    assert chart.successors(chart.start().state, Event.of("go")) == []


def test_in_predicate_across_regions() -> None:
    chart = Chart(
        "c",
        Parallel(
            "p",
            State("light", State("off", on={"flip": "on"}), State("on", on={"flip": "off"})),
            State("door", State("closed", on={"open": Transition("opened", guard=In("off"))}), State("opened")),
        ),
    )
    i = Interpreter(chart)
    i.send("flip")
    i.send("open")
    assert i.leaves == ("on", "closed")
    i.send("flip")
    i.send("open")
    assert i.leaves == ("off", "opened")


def test_send_to_self_and_to_other_actor() -> None:
    chart = Chart(
        "chart",
        State("a", on={"go": Transition("b", actions=[send(SELF, "ping"), send("peer", "hello", n=ctx.n)])}),
        State("b", on={"ping": "c"}),
        State("c"),
        context={"n": 3},
    )
    i = Interpreter(chart)
    i.send("go")
    assert i.leaves == ("b",)  # the self-send is a separate delivery (issue 10, point 6)
    assert i.deliver() is not None and i.leaves == ("c",)
    assert [(o.target, o.event.name, dict(o.event.data)) for o in i.outbox] == [("peer", "hello", {"n": 3})]


def test_state_value_is_hashable_and_compares_by_value() -> None:
    chart = Chart("c", State("a", on={"go": "b"}), State("b", on={"go": "a"}), context={"items": {"k": [1, 2]}})
    s0 = chart.start().state
    s2 = chart.step(chart.step(s0, "go").state, "go").state
    assert s0 == s2
    assert hash(s0) == hash(s2)
    assert len({s0, s2}) == 1


def test_describe_and_event_names() -> None:
    chart = Chart("c", State("a", on={"go stop": "b"}), State("b", always="a"))
    assert [t.describe() for t in chart.transitions] == ["a --go stop--> b", "b --(eventless)--> a"]
    assert chart.event_names() == ["go", "stop"]
    assert chart.accepts("go") and chart.accepts("stop.now") and not chart.accepts("gone")


def test_is_descendant_of_follows_the_built_tree() -> None:
    chart = Chart("c", State("p", State("q", State("r")), State("s")), State("t"))
    st = chart.states
    assert st["r"].is_descendant_of(st["p"]) and st["r"].is_descendant_of(st["q"]) and st["r"].is_descendant_of(chart.root)
    assert not st["p"].is_descendant_of(st["r"]) and not st["r"].is_descendant_of(st["r"]) and not st["s"].is_descendant_of(st["q"])
    assert not st["t"].is_descendant_of(st["p"])
