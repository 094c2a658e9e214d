"""The explorer against external oracles (TLC's figures) and its own contract."""

from __future__ import annotations

import pytest

from examples import die_hard, two_phase
from simulate import (
    Actor,
    Faults,
    ModelError,
    Stimulus,
    System,
    actor,
    eventually,
    explore,
    in_flight,
    invariant,
    leads_to,
    sometimes,
)
from statecharts import Chart, State, Transition, assign, call, ctx, event, python, send, send_to

# --------------------------------------------------------------------------- TLC oracles


def test_die_hard_shortest_counterexample_is_six_steps_like_tlc() -> None:
    result = explore(die_hard.system())
    verdict = result.verdict("NotSolved")
    assert verdict.status == "violated"
    assert verdict.trace is not None and len(verdict.trace) == 6  # TLC: 7 states, i.e. 6 steps
    last = verdict.trace.steps[-1].changes[-1].context
    assert last["big"][1] == 4
    assert result.verdict("Solvable").status == "reached"
    assert result.stats.distinct_states == 16  # all reachable (small, big) pairs


@pytest.mark.parametrize(("n", "expected"), [(3, 288), (4, 1568), (5, 8832), (6, 50816)])
def test_two_phase_distinct_states_match_tlc(n: int, expected: int) -> None:
    result = explore(two_phase.system(n))
    assert result.stats.distinct_states == expected
    assert result.verdict("TCConsistent").status == "holds"
    assert result.ok


@pytest.mark.parametrize(("n", "expected"), [(3, 80), (4, 166), (5, 314), pytest.param(6, 553, marks=pytest.mark.slow)])
def test_two_phase_with_symmetry_matches_tlc_permutations(n: int, expected: int) -> None:
    result = explore(two_phase.system(n, symmetry=True))
    assert result.stats.distinct_states == expected
    assert result.verdict("TCConsistent").status == "holds"


def test_dfs_and_bfs_agree_on_the_state_count() -> None:
    assert explore(two_phase.system(4), mode="dfs").stats.distinct_states == 1568


def test_random_simulation_finds_the_die_hard_solution_but_proves_nothing() -> None:
    result = explore(die_hard.system(), mode="random", seed=7, runs=200, max_depth=30)
    assert result.verdict("NotSolved").status == "violated"
    assert not result.complete and "proves nothing" in result.limit


# --------------------------------------------------------------------------- liveness


def _worker(fair: bool) -> System:
    chart = Chart("Worker", State("idle", on={"work": "done"}), State("done"))
    return System(
        f"worker(fair={fair})",
        actors=[Actor("w", chart, end_states=("done",))],
        stimuli=[Stimulus("w", "work", fair=fair)],
        properties=[eventually("finishes", actor("w").in_state("done"))],
    )


def test_eventually_fails_without_fairness_and_holds_with_it() -> None:
    unfair = explore(_worker(fair=False)).verdict("finishes")
    assert unfair.status == "violated"
    assert unfair.trace is not None and unfair.trace.loop_start is not None  # stuttering forever in idle
    assert explore(_worker(fair=True)).verdict("finishes").status == "holds"


def _busy_server() -> System:
    server = Chart("Server", State("idle", on={"tick": "busy"}), State("busy", on={"tick": "idle"}))
    client = Chart("Client", State("waiting", on={"grant": "granted"}), State("granted"))
    return System(
        "busy server",
        actors=[Actor("server", server), Actor("client", client)],
        stimuli=[Stimulus("server", "tick", fair=True), Stimulus("client", "grant")],
        properties=[leads_to("served", actor("client").in_state("waiting"), actor("client").in_state("granted"))],
        check_deadlock=False,
    )


def test_leads_to_violation_is_a_lasso_through_a_real_cycle() -> None:
    verdict = explore(_busy_server()).verdict("served")
    assert verdict.status == "violated"
    trace = verdict.trace
    assert trace is not None and trace.loop_start is not None
    loop = trace.steps[trace.loop_start + 1 :]
    assert len(loop) >= 2  # the fair ticks idle -> busy -> idle: stuttering alone is not fair here
    assert {s.event for s in loop} == {"tick"}
    assert "loop starts here" in trace.format()


def test_leads_to_lasso_starts_from_a_p_state_that_reaches_the_cycle() -> None:
    # the nearest p-state (c, then e is not reachable without q) is not the one on the bad path (b)
    from statecharts import SELF

    chart = Chart(
        "x",
        State("a", on={"go1": Transition("b", actions=send(SELF, "fin")), "go2": "c"}),
        State("b", on={"fin": "d"}),
        State("c", on={"go3": "e"}),
        State("d"),
        State("e"),
    )
    sys = System(
        "lasso",
        actors=[Actor("x", chart)],
        stimuli=[Stimulus("x", e, max=1) for e in ("go1", "go2", "go3")],
        properties=[leads_to("p ~> q", actor("x").in_state("b") | actor("x").in_state("e"), actor("x").in_state("d"))],
        check_deadlock=False,
    )
    v = explore(sys).verdict("p ~> q")
    assert v.status == "violated" and v.trace is not None and len(v.trace) == 2


def test_symmetry_with_liveness_is_refused() -> None:
    sys = _worker(fair=True)
    with pytest.raises(ModelError, match="symmetry reduction is unsound for liveness"):
        explore(sys, symmetry=True)


# --------------------------------------------------------------------------- networks and faults


def _pipe(network: str, faults: Faults | None = None) -> System:
    sender = Chart(
        "Sender",
        State("start", on={"go": Transition("sent", actions=[send("receiver", "msg", n=1), send("receiver", "msg", n=2)])}),
        State("sent"),
    )
    receiver = Chart(
        "Receiver",
        State("listening", on={"msg": Transition(actions=assign(got=call("append", ctx.got, event.n)))}),
        context={"got": ()},
    )
    return System(
        f"pipe({network})",
        actors=[Actor("sender", sender, end_states=("sent",)), Actor("receiver", receiver, end_states=("listening",))],
        network=network,  # type: ignore[arg-type]
        stimuli=[Stimulus("sender", "go", max=1)],
        faults=faults or Faults(),
        properties=[
            invariant("in order", actor("receiver").got != (2, 1)),
            sometimes("both arrive", call("len", actor("receiver").got) == 2),
            sometimes("one lost", actor("sender").in_state("sent") & (in_flight() == 0) & (call("len", actor("receiver").got) == 1)),
        ],
    )


def test_fifo_keeps_order_and_unordered_does_not() -> None:
    fifo = explore(_pipe("fifo"))
    assert fifo.verdict("in order").status == "holds"
    unordered = explore(_pipe("unordered"))
    v = unordered.verdict("in order")
    assert v.status == "violated" and v.trace is not None and len(v.trace) == 3


def test_drop_fault_loses_a_message_only_with_a_budget() -> None:
    assert explore(_pipe("fifo")).verdict("one lost").status == "unreached"
    lossy = explore(_pipe("fifo", Faults(drop=1)))
    assert lossy.verdict("one lost").status == "reached"
    assert any(s.kind == "drop" for s in lossy.verdict("one lost").trace.steps)  # type: ignore[union-attr]


def test_duplicate_fault_delivers_twice() -> None:
    sys = _pipe("unordered", Faults(duplicate=1))
    sys.properties = [sometimes("three", call("len", actor("receiver").got) == 3)]
    assert explore(sys).verdict("three").status == "reached"


def test_unordered_duplicating_network_keeps_messages() -> None:
    sys = _pipe("unordered-duplicating")
    sys.properties = [invariant("at most one of each", call("len", actor("receiver").got) <= 2)]
    # a set network re-delivers whenever the receiver takes a transition: here it always does,
    # so the space is infinite; the first violation ends the search
    result = explore(sys, stop_on_violation=True)
    v = result.verdict("at most one of each")
    assert v.status == "violated" and v.trace is not None and len(v.trace) == 4
    assert not result.complete


def test_crash_restarts_an_actor_keeping_durable_fields() -> None:
    counter = Chart(
        "Counter",
        State("on", on={"inc": Transition(actions=assign(n=ctx.n + 1, volatile=ctx.volatile + 1), guard=ctx.n < 2)}),
        context={"n": 0, "volatile": 0},
    )
    sys = System(
        "crashy",
        actors=[Actor("c", counter, durable=("n",), crash=1, end_states=("on",))],
        stimuli=[Stimulus("c", "inc")],
        properties=[sometimes("reset but kept", (actor("c").n == 1) & (actor("c").volatile == 0))],
    )
    result = explore(sys)
    v = result.verdict("reset but kept")
    assert v.status == "reached" and v.trace is not None
    assert [s.kind for s in v.trace.steps[1:]] == ["stimulus", "crash"]


def test_timers_fire_in_any_order_relative_to_other_steps() -> None:
    light = Chart(
        "Light",
        State("green", after={30000: "yellow"}),
        State("yellow", after={5000: "red"}),
        State("red"),
    )
    sys = System("light", actors=[Actor("l", light, end_states=("red",))], properties=[sometimes("red", actor("l").in_state("red"))])
    result = explore(sys)
    assert result.verdict("red").status == "reached"
    assert [s.kind for s in result.verdict("red").trace.steps[1:]] == ["timer", "timer"]  # type: ignore[union-attr]
    assert result.stats.distinct_states == 3


def test_choose_gives_one_successor_per_value() -> None:
    from statecharts import choose

    chart = Chart("Pick", State("s", on={"pick": Transition("t", actions=choose("x", (1, 2, 3), lambda x: assign(v=x)))}), State("t"), context={"v": 0})
    sys = System("pick", actors=[Actor("p", chart, end_states=("t",))], stimuli=[Stimulus("p", "pick")])
    assert explore(sys).stats.distinct_states == 4


def test_deadlock_is_reported_with_the_stuck_actors() -> None:
    a = Chart("A", State("wait", on={"ping": "done"}), State("done"))
    sys = System("stuck", actors=[Actor("a", a)])
    result = explore(sys)
    v = result.verdict("deadlock")
    assert v.status == "violated" and "a in wait" in v.message
    sys2 = System("resting", actors=[Actor("a", a, end_states=("wait",))])
    assert explore(sys2).verdict("deadlock").status == "holds"


def test_transition_coverage_lists_transitions_never_taken() -> None:
    chart = Chart("C", State("a", on={"go": "b", "never": "c"}), State("b"), State("c"))
    sys = System("cov", actors=[Actor("x", chart, end_states=("a", "b", "c"))], stimuli=[Stimulus("x", "go")])
    result = explore(sys)
    assert result.coverage["C"] == ["a --never--> c"]


def test_state_graph_on_request() -> None:
    result = explore(die_hard.system(), graph=True)
    g = result.graph
    assert g is not None and g.number_of_nodes() == 16
    assert any(d.get("initial") for _, d in g.nodes(data=True))


def test_progress_callback_reports_statistics() -> None:
    seen = []
    explore(two_phase.system(4), progress=seen.append, progress_interval=0.0)
    assert seen and seen[-1].distinct_states == 1568


# --------------------------------------------------------------------------- limits and bad input


def _unbounded() -> System:
    counter = Chart("Counter", State("on", on={"inc": Transition(actions=assign(n=ctx.n + 1))}), context={"n": 0})
    return System(
        "unbounded", actors=[Actor("c", counter, end_states=("on",))], stimuli=[Stimulus("c", "inc")], properties=[invariant("small", actor("c").n < 1000)]
    )


def test_unbounded_model_hits_max_states_and_is_incomplete_not_passed() -> None:
    result = explore(_unbounded(), max_states=50)
    assert not result.complete and "max_states 50" in result.limit
    assert result.status == "incomplete" and not result.ok
    assert result.verdict("small").status == "incomplete"


def test_max_depth_makes_the_result_incomplete() -> None:
    result = explore(_unbounded(), max_depth=5)
    assert not result.complete and result.stats.max_depth == 5


def test_constraint_bounds_the_space_like_tlc() -> None:
    sys = _unbounded()
    sys.constraint = actor("c").n <= 10
    result = explore(sys)
    assert result.complete and result.stats.distinct_states == 11


def test_states_outside_the_constraint_are_checked_but_not_expanded_like_tlc() -> None:
    sys = _unbounded()
    sys.constraint = actor("c").n <= 2
    sys.properties = [invariant("AtMostTwo", actor("c").n <= 2), sometimes("Three", actor("c").n == 3), sometimes("Four", actor("c").n == 4)]
    result = explore(sys)
    assert result.complete and result.stats.distinct_states == 3  # TLC: 3 distinct states, n = 3 checked, not stored
    assert result.verdict("AtMostTwo").status == "violated" and result.verdict("Three").status == "reached"
    assert result.verdict("Four").status == "unreached" and result.verdict("deadlock").status == "holds"
    trace = result.verdict("AtMostTwo").trace
    assert trace is not None and [s.changes[0].context["n"][1] for s in trace.steps] == [0, 1, 2, 3]


def test_an_initial_state_outside_the_constraint_is_checked() -> None:
    sys = _unbounded()
    sys.constraint = actor("c").n < 0
    sys.properties = [invariant("Negative", actor("c").n < 0)]
    result = explore(sys)
    assert result.stats.distinct_states == 0 and result.verdict("Negative").status == "violated"
    assert result.verdict("Negative").trace is not None


def test_exception_in_user_code_is_a_violation_with_its_trace() -> None:
    def boom(c: object, e: object) -> dict[str, int]:
        raise ZeroDivisionError("division by zero in user code")

    chart = Chart(
        "Fragile",
        State("a", on={"step": "b"}),
        State("b", on={"step": Transition("c", actions=python(boom))}),
        State("c"),
    )
    sys = System("fragile", actors=[Actor("f", chart, end_states=("a", "b", "c"))], stimuli=[Stimulus("f", "step")])
    result = explore(sys)
    v = result.verdict("error")
    assert v.status == "violated" and "ZeroDivisionError" in v.message and "b --step--> c" in v.message
    assert v.trace is not None and [s.kind for s in v.trace.steps] == ["init", "stimulus", "stimulus"]
    assert result.stats.distinct_states == 2  # exploration state intact: the rest was explored


def test_send_to_unknown_actor_is_rejected_when_the_system_is_built() -> None:
    chart = Chart("S", State("a", on={"go": Transition(actions=send("gatewy", "post"))}))
    gw = Chart("G", State("g", on={"post": "g"}))
    with pytest.raises(ModelError, match=r"send to unknown actor 'gatewy' \(did you mean 'gateway'\?\)"):
        System("bad", actors=[Actor("s", chart), Actor("gateway", gw)])


def test_send_of_unhandled_event_is_rejected() -> None:
    chart = Chart("S", State("a", on={"go": Transition(actions=send("gateway", "pots"))}))
    gw = Chart("G", State("g", on={"post": "g"}))
    with pytest.raises(ModelError, match="sends 'pots' to 'gateway', whose chart has no transition for it"):
        System("bad", actors=[Actor("s", chart), Actor("gateway", gw)])


def test_send_to_missing_instance_is_rejected_statically_and_dynamically() -> None:
    gw = Chart("G", State("g", on={"post": "g"}))
    static = Chart("S", State("a", on={"go": Transition(actions=send("gw[5]", "post"))}))
    with pytest.raises(ModelError, match=r"send to missing instance 'gw\[5\]'"):
        System("bad", actors=[Actor("s", static), Actor("gw", gw, count=2)])
    dynamic = Chart("S", State("a", on={"go": Transition(actions=send_to("gw", ctx.i, "post"))}), context={"i": 7})
    sys = System("bad", actors=[Actor("s", dynamic, end_states=("a",)), Actor("gw", gw, count=2, end_states=("g",))], stimuli=[Stimulus("s", "go")])
    v = explore(sys).verdict("error")
    assert v.status == "violated" and "gw[7]" in v.message


def test_property_naming_unknown_actor_field_or_state_is_rejected() -> None:
    base = die_hard.system()
    for prop, needle in [
        (invariant("p", actor("jugz").big == 1), "unknown actor 'jugz'"),
        (invariant("p", actor("jugs").huge == 1), "no field 'huge'"),
        (invariant("p", actor("jugs").in_state("spilling")), "no state 'spilling'"),
        (invariant("p", "ctx.big == 1"), "has no actor"),
    ]:
        base.properties = [prop]
        with pytest.raises(ModelError, match=needle):
            explore(base)


def test_unknown_stimulus_and_context_are_rejected() -> None:
    chart = Chart("C", State("a", on={"go": "a"}), context={"n": 0})
    with pytest.raises(ModelError, match="stimulus 'stop' for 'c'"):
        System("bad", actors=[Actor("c", chart)], stimuli=[Stimulus("c", "stop")])
    with pytest.raises(ModelError, match="unknown field 'm'"):
        System("bad", actors=[Actor("c", chart, context={"m": 1})])
    with pytest.raises(ModelError, match="unknown actor 'd'"):
        System("bad", actors=[Actor("c", chart)], stimuli=[Stimulus("d", "go")])


@pytest.mark.parametrize(("n", "states"), [(1, 12), (3, 288)])  # a group of one instance, and of three (TLC's count)
def test_group_quantifiers_agree_with_the_general_evaluation(n: int, states: int) -> None:
    """``any_in``/``all_in`` compile to a loop over state masks; the general quantifier (with a condition, so not
    the loop) must give the same value in every reachable state."""
    from dataclasses import replace

    from simulate import all_in, any_in
    from statecharts.expr import Const, Expr, Quant

    def general(e: Expr) -> Expr:
        assert isinstance(e.node, Quant)
        return Expr(replace(e.node, cond=Const(True)))

    base = two_phase.system(n)
    quantifiers = {"any_committed": any_in("rm", "committed"), "all_prepared": all_in("rm", "prepared"), "all_aborted": all_in("rm", "aborted")}
    system = System(
        base.name,
        actors=base.actors,
        network=base.network,
        stimuli=base.stimuli,
        properties=[
            *[invariant(f"{k} agrees", q == general(q)) for k, q in quantifiers.items()],
            *[sometimes(f"{k} reached", q) for k, q in quantifiers.items()],
        ],
        check_deadlock=False,
    )
    result = explore(system)
    assert result.complete and result.stats.distinct_states == states
    assert {v.name: v.status for v in result.verdicts} == {
        **{f"{k} agrees": "holds" for k in quantifiers},
        **{f"{k} reached": "reached" for k in quantifiers},
    }
