"""Partial-order reduction keeps every invariant, goal and deadlock verdict, and its traces are real behaviours."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from examples import (
    auth_flow,
    bank_transfer,
    die_hard,
    distributed_lock,
    fetch_machine,
    leader_election,
    log_sync,
    media_player,
    throttling,
    two_phase,
    two_phase_commit,
    user_session,
)
from examples.websocket_gateway.model import DESIGNS as GATEWAY_DESIGNS
from examples.websocket_gateway.model import MUTATIONS as GATEWAY_MUTATIONS
from examples.websocket_gateway.model import build as gateway
from simulate import Actor, Faults, ModelError, Stimulus, System, actor, all_in, explore, in_flight, invariant, sometimes
from simulate.entry import compile_system
from simulate.por import Reducer, may_send
from statecharts import SELF, Chart, State, Transition, assign, ctx, event, reply, send

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "tla"))
import systems as tla_systems

EXAMPLES: dict[str, Callable[[], System]] = {
    "die_hard": die_hard.system,
    "two_phase(3)": lambda: two_phase.system(3),
    "media_player": media_player.build,
    "throttling(throttled)": lambda: throttling.build("throttled"),
    "throttling(unthrottled)": lambda: throttling.build("unthrottled"),
    "throttling_multi": throttling.build_multi,
    "websocket_gateway(naive)": lambda: gateway("naive", liveness=False),
    **{f"auth_flow({v})": (lambda v=v: auth_flow.build(v)) for v in auth_flow.VARIANTS},
    **{f"bank_transfer({v})": (lambda v=v: bank_transfer.build(v)) for v in bank_transfer.VARIANTS},
    **{f"distributed_lock({v})": (lambda v=v: distributed_lock.build(v)) for v in distributed_lock.VARIANTS},
    **{f"fetch_machine({v})": (lambda v=v: fetch_machine.build(v)) for v in fetch_machine.VARIANTS},
    **{f"leader_election({v})": (lambda v=v: leader_election.build(v, symmetry=False)) for v in leader_election.VARIANTS},
    **{f"log_sync({v})": (lambda v=v: log_sync.build(v)) for v in log_sync.VARIANTS},
    **{f"two_phase_commit({v})": (lambda v=v: two_phase_commit.build(v)) for v in two_phase_commit.VARIANTS},
    **{f"user_session({v})": (lambda v=v: user_session.build(v)) for v in user_session.VARIANTS},
}


def verdicts(result: object) -> list[tuple[str, str]]:
    return [(v.name, v.status) for v in result.verdicts]  # type: ignore[attr-defined]


def same_verdicts(system: System) -> tuple[int, int]:
    system.symmetry = False
    full = explore(system)
    reduced = explore(system, reduce="por")
    assert full.complete and reduced.complete
    assert verdicts(reduced) == verdicts(full), system.name
    assert reduced.stats.distinct_states <= full.stats.distinct_states
    for v in reduced.verdicts:
        if v.trace is not None and v.kind in ("invariant", "sometimes", "deadlock"):
            check_real(reduced, v)
    return full.stats.distinct_states, reduced.stats.distinct_states


def check_real(result: object, verdict: object) -> None:
    """A trace found under reduction is a path of the full graph and ends where its verdict says."""
    m = result.model  # type: ignore[attr-defined]
    steps = verdict.trace.steps  # type: ignore[attr-defined]
    state = steps[0].state
    assert state in [m.canonical(s)[0] for s in result.initial]  # type: ignore[attr-defined]
    for step in steps[1:]:
        if step.state is None:
            continue
        assert step.state in [s for _, s in m.successors(state)], verdict
        state = step.state


@pytest.mark.parametrize("name", sorted(tla_systems.ALL))
def test_test_systems_same_verdicts(name: str) -> None:
    same_verdicts(tla_systems.ALL[name]())


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_examples_same_verdicts(name: str) -> None:
    same_verdicts(EXAMPLES[name]())


def test_reduction_is_real_on_independent_counters() -> None:
    """Three actors counting on their own: the full space is a cube, the reduced one a single path of interleavings."""
    full, reduced = same_verdicts(_independent(3, 3))
    assert full == 4**3
    assert reduced < full // 3


def _independent(n: int, upto: int) -> System:
    chart = Chart("Count", State("s", on={"tick": Transition(None, guard=ctx.x < upto, actions=assign(x=ctx.x + 1))}), context={"x": 0})
    return System(
        "Independent",
        actors=[Actor("c", chart, count=n, end_states=["s"])],
        stimuli=[Stimulus("c", "tick")],
        properties=[invariant("bounded", True), sometimes("c0 done", _field_is("c[0]", "x", upto))],
    )


def _field_is(who: str, name: str, value: int) -> object:
    return getattr(actor(who), name) == value


def test_visible_steps_are_kept() -> None:
    """An invariant reading every counter's sum: the violation is found with reduction too, with a real trace."""
    chart = Chart("Count", State("s", on={"tick": Transition(None, guard=ctx.x < 2, actions=assign(x=ctx.x + 1))}), context={"x": 0})
    s = System(
        "Sum",
        actors=[Actor("c", chart, count=3, end_states=["s"])],
        stimuli=[Stimulus("c", "tick")],
        properties=[invariant("sum below 5", actor("c[0]").x + actor("c[1]").x + actor("c[2]").x < 5)],
    )
    same_verdicts(s)


def _quiet_race(network: str, guard: object) -> System:
    """``flip`` may set its x at any time; ``sender`` starts with a message to ``receiver`` in flight.

    The invariant ``guard`` is violated when the message is consumed before ``flip`` moves. ``flip`` comes
    first in the instance order, so a reduction that ignored the guarded property would follow ``flip`` alone
    and never see the violation."""
    flip = Chart("Flip", State("s", on={"go": Transition(None, actions=assign(x=1))}), context={"x": 0})
    sender = Chart("Sender", State("s", entry=send("receiver", "ping")))
    receiver = Chart("Receiver", State("s", on={"ping": Transition(None, actions=assign(got=True))}), context={"got": False})
    return System(
        "QuietRace",
        actors=[Actor("flip", flip), Actor("sender", sender), Actor("receiver", receiver)],
        network=network,
        stimuli=[Stimulus("flip", "go", max=1)],
        properties=[invariant("flip moves before quiescence", guard)],
        check_deadlock=False,
    )


@pytest.mark.parametrize("network", ["fifo", "unordered"])
def test_quiescence_guard_keeps_the_violation(network: str) -> None:
    """A property violated only in quiescent states needs no visibility when the kept set holds the receiver of a
    message in flight (docs/por.md); otherwise the kept steps must stay invisible to it, or the violation is lost."""
    flip_x = actor("flip").x
    for guard in (~((in_flight() == 0) & (flip_x == 0)), (in_flight("ping", "receiver") > 0) | (flip_x != 0)):
        s = _quiet_race(network, guard)
        full = explore(s)
        reduced = explore(s, reduce="por")
        assert verdicts(full) == verdicts(reduced) == [("flip moves before quiescence", "violated")]
        check_real(reduced, reduced.verdicts[0])


@pytest.mark.parametrize("network", ["fifo", "unordered"])
def test_a_reply_goes_back_to_the_sender_of_a_message_in_flight(network: str) -> None:
    """The server only replies, and the client's request is in flight: the server may send to the client, so the
    client's own step (cancelling) is not followed alone, and the answer received before cancelling is found."""
    client = Chart(
        "Client",
        State("waiting", entry=send("server", "req"), on={"ans": "answered", "cancel": "cancelled"}),
        State("answered"),
        State("cancelled", on={"ans": Transition(None)}),
    )
    server = Chart("Server", State("s", on={"req": Transition(None, actions=reply("ans"))}))
    s = System(
        "Rpc",
        actors=[Actor("client", client), Actor("server", server)],
        network=network,
        stimuli=[Stimulus("client", "cancel", max=1)],
        properties=[invariant("never answered", ~actor("client").in_state("answered"))],
        check_deadlock=False,
    )
    full, reduced = explore(s), explore(s, reduce="por")
    assert verdicts(full) == verdicts(reduced) == [("never answered", "violated")]
    check_real(reduced, reduced.verdicts[0])


@pytest.mark.parametrize("delay", [None, 100])
def test_an_instance_acts_on_its_stimuli_and_its_own_messages(delay: int | None) -> None:
    """The relay sends to the target only after a stimulus and a message (or timer) to itself: the closure sees that
    chain, so the target's own step (cancelling) is not followed alone and the ping before cancelling is found."""
    target = Chart("Target", State("waiting", on={"ping": "pinged", "cancel": "cancelled"}), State("pinged"), State("cancelled", on={"ping": Transition(None)}))
    relay = Chart(
        "Relay",
        State("idle", on={"poke": Transition("armed", actions=send(SELF, "later", delay=delay))}),
        State("armed", on={"later": Transition("done", actions=send("target", "ping"))}),
        State("done"),
    )
    s = System(
        "Relay",
        actors=[Actor("target", target), Actor("relay", relay)],
        stimuli=[Stimulus("target", "cancel", max=1), Stimulus("relay", "poke", max=1)],
        properties=[invariant("never pinged", ~actor("target").in_state("pinged"))],
        check_deadlock=False,
    )
    full, reduced = explore(s), explore(s, reduce="por")
    assert verdicts(full) == verdicts(reduced) == [("never pinged", "violated")]
    check_real(reduced, reduced.verdicts[0])


def test_quiescence_guard_reduces_the_gateway() -> None:
    """The gateway's S2 and S3 read ``in_flight() == 0``: with the guard rule the fixed design, at small bounds,
    has less than half of its states under reduction, with the same verdicts."""
    full, reduced = same_verdicts(gateway("fixed", liveness=False, frames=0, oob=0))
    assert reduced * 2 < full, (full, reduced)


GATEWAY_VARIANTS = [*((d, None) for d in GATEWAY_DESIGNS), *(("fixed", m) for m in GATEWAY_MUTATIONS)]


@pytest.mark.parametrize("design, mutation", GATEWAY_VARIANTS)
def test_gateway_designs_and_mutations_same_verdicts(design: str, mutation: str | None) -> None:
    """The flagship's designs and the fixed design's mutations, at small bounds (no frame, no out-of-band call)."""
    same_verdicts(gateway(design, mutation=mutation, liveness=False, frames=0, oob=0))


@pytest.mark.slow
@pytest.mark.parametrize("design, mutation", GATEWAY_VARIANTS)
def test_gateway_designs_and_mutations_same_verdicts_with_a_frame(design: str, mutation: str | None) -> None:
    """The same with the client's frame (the default bounds but the out-of-band call; up to 10^5 states)."""
    same_verdicts(gateway(design, mutation=mutation, liveness=False, oob=0))


@pytest.mark.slow
def test_flagship_headline() -> None:
    """The issue's target: the fixed design's safety and reachability check (default bounds, no liveness) has at
    least 5x fewer states under reduction, with the same verdicts and real traces (measured: 520,527 -> 66,468)."""
    full, reduced = same_verdicts(gateway("fixed", liveness=False))
    assert reduced * 5 <= full, (full, reduced)


def test_notes_and_refusals() -> None:
    s = _independent(2, 1)
    r = explore(s, reduce="por")
    assert any("partial-order reduction" in n and "may not be the shortest" in n for n in r.notes)
    with pytest.raises(ModelError, match="mode='bfs'"):
        explore(s, reduce="por", mode="dfs")
    with pytest.raises(ModelError, match="symmetry=False"):
        explore(s, reduce="por", symmetry=True)
    with pytest.raises(ModelError, match="reduce='por'"):
        explore(s, reduce="partial")
    live = tla_systems.ALL["pingpong"]()
    r = explore(live, reduce="por")
    assert any("not applied" in n and "liveness" in n for n in r.notes)


def test_may_send_follows_replies() -> None:
    m = compile_system(tla_systems.ALL["rpc_fifo"](), None)
    rel = may_send(m)
    client, server = m.index_of["client"], m.index_of["server"]
    assert server in rel[client] and client in rel[server]


# --------------------------------------------------------------------------- random small systems


def _random_system(draw: st.DrawFn, guarded: bool) -> System:
    """2-3 actors of 2 states each; transitions on events send to another actor (or reply) or bump a bounded counter.

    ``guarded`` adds replies and properties guarded by quiescence (``~(in_flight() == 0 & X)`` and its other
    spellings, a goal ``in_flight(...) == 0 & X``), the shapes whose visibility the reduction relaxes."""
    n = draw(st.integers(2, 4 if guarded else 3))
    names = [f"a{k}" for k in range(n)]
    network = draw(st.sampled_from(["fifo", "unordered", "unordered-duplicating"]))
    actors = []
    sent: set[str] = set()
    for k, me in enumerate(names):
        on_a: dict[str, object] = {}
        on_b: dict[str, object] = {}
        for ev in ("go", "ping", "pong"):
            for on, target in ((on_a, "b"), (on_b, "a")):
                if not draw(st.booleans()):
                    continue
                acts: list[object] = [assign(x=ctx.x + 1)]
                if guarded and ev != "go" and draw(st.booleans()):
                    sent.add(answer := draw(st.sampled_from(["ping", "pong"])))
                    acts.append(reply(answer))
                elif draw(st.booleans()):
                    sent.add(word := draw(st.sampled_from(["ping", "pong"])))
                    acts.append(send(names[draw(st.integers(0, n - 1).filter(lambda j, k=k: j != k))], word))
                on[ev] = Transition(target if draw(st.booleans()) else None, guard=ctx.x < 2, actions=acts)
        # the parent state accepts ping and pong (ignoring them) so that every send reaches a chart handling it
        chart = Chart(f"C{k}", State("top", State("a", on=on_a), State("b", on=on_b), on={"ping": Transition(None), "pong": Transition(None)}), context={"x": 0})
        actors.append(Actor(me, chart, end_states=["a", "b"]))
    stimuli = [Stimulus(me, "go", max=draw(st.integers(1, 2))) for me, a in zip(names, actors) if "go" in a.chart.event_names()]
    watched = draw(st.sampled_from(names))
    props = [invariant("small", actor(watched).x < draw(st.integers(1, 3))), sometimes("b reached", actor(watched).in_state("b"))]
    if guarded and draw(st.integers(0, 2)):  # without them the guarded properties decide more of the reduction
        props = []
    elif draw(st.booleans()):
        props.append(invariant("few in flight", in_flight() < draw(st.integers(1, 3))))
    if guarded:
        other = draw(st.sampled_from(names))
        word = draw(st.sampled_from(sorted(sent) or [None]))  # in_flight of an event nobody sends is refused
        count = in_flight(*draw(st.sampled_from([(None, None), (word, None), (None, other), (word, other)])))
        high = actor(other).x >= draw(st.integers(1, 2))
        quiet = draw(st.sampled_from([count == 0, count <= 0, count < 1, ~(count > 0), ~(count != 0), ~(count >= 1)]))
        spelled = draw(st.sampled_from(["not-and", "or", "nested"]))
        if spelled == "not-and":
            props.append(invariant("quiet and high", ~(quiet & high)))
        elif spelled == "or":
            props.append(invariant("quiet and high", (count > 0) | ~high))
        else:
            props.append(invariant("quiet and high", ~((quiet & actor(watched).in_state("a")) & high)))
        props.append(sometimes("quiet in b", quiet & actor(other).in_state("b")))
    return System(
        "Random",
        actors=actors,
        network=network,
        stimuli=stimuli,
        faults=Faults(drop=draw(st.sampled_from([0] if guarded else [0, 0, 0, 1]))),  # a drop budget turns the reduction off until it is spent
        properties=props,
    )


@st.composite
def random_systems(draw: st.DrawFn) -> System:
    return _random_system(draw, guarded=False)


@st.composite
def guarded_systems(draw: st.DrawFn) -> System:
    return _random_system(draw, guarded=True)


@settings(max_examples=60)
@given(guarded_systems())
def test_random_quiescence_guarded_systems_same_verdicts(system: System) -> None:
    """Properties guarded by quiescence, replies: the relaxed visibility and the finer closure keep every verdict."""
    same_verdicts(system)


@settings(max_examples=40)
@given(random_systems())
def test_random_systems_same_verdicts(system: System) -> None:
    same_verdicts(system)


def same_choices(system: System, limit: int = 3000) -> None:
    """The reducer memoizes closures across states (by what they read) and within one: in every reachable state it
    keeps what a reducer with nothing cached keeps."""
    system.symmetry = False
    model = compile_system(system, False)
    shared = Reducer(model, system)
    states = list(model.initial_states())
    seen = set(states)
    k = 0
    while k < len(states) and k < limit:
        state = states[k]
        k += 1
        succs = model.successors(state)
        assert shared.keep(state, succs) == Reducer(model, system).keep(state, succs), state
        for _, s2 in succs:
            if s2 not in seen:
                seen.add(s2)
                states.append(s2)
    assert k == limit or k == len(states)


@settings(max_examples=30)
@given(guarded_systems())
def test_memoized_closures_choose_as_a_fresh_reducer(system: System) -> None:
    same_choices(system)


@pytest.mark.parametrize(("name", "limit"), [("distributed_lock(lease)", 1500), ("websocket_gateway(naive)", 1000)])
def test_memoized_closures_choose_as_a_fresh_reducer_on_examples(name: str, limit: int) -> None:
    same_choices(EXAMPLES[name](), limit)


# --------------------------------------------------------------------------- symmetry that defeats itself


def _indexed_two_phase(n: int) -> System:
    """TwoPhase as a newcomer writes it: each RM gets its own index in its context."""
    s = two_phase.system(n, symmetry=True)
    rm_chart = Chart(
        "RM",
        State(
            "rm",
            State("working", on={"prepare": Transition("prepared", actions=send("tm", "Prepared")), "choose_abort": "aborted"}),
            State("prepared"),
            State("committed"),
            State("aborted"),
            on={"Commit": "committed", "Abort": "aborted"},
        ),
        context={"idx": 0},
    )
    s.actors = [s.actors[0], Actor("rm", rm_chart, count=n, context=lambda i: {"idx": i})]
    return s


def test_symmetry_that_merges_nothing_is_reported() -> None:
    from simulate import SymmetryWarning

    with pytest.warns(SymmetryWarning, match="'idx'"):
        r = explore(_indexed_two_phase(3))
    assert any("merges nothing" in n and "'idx'" in n for n in r.notes)
    assert r.stats.distinct_states == explore(_indexed_two_phase(3), symmetry=False).stats.distinct_states


def _numbered_workers(store: bool) -> System:
    """A boss hands each worker its number on its first step; the workers start alike and then (``store``) keep it."""
    boss = Chart("Boss", State("s", entry=[send(f"w[{k}]", "number", idx=k) for k in range(3)]))
    keep = assign(idx=event.idx) if store else []
    worker = Chart(
        "Worker",
        State("waiting", on={"number": Transition("idle", actions=keep)}),
        State("idle", on={"work": "busy"}),
        State("busy", on={"work": "idle"}),
        context={"idx": -1},
    )
    return System(
        "Numbered",
        actors=[Actor("boss", boss), Actor("w", worker, count=3)],
        stimuli=[Stimulus("w", "work", max=2)],
        properties=[invariant("someone idle or waiting", ~all_in("w", "busy"))],
        check_deadlock=False,
        symmetry=True,
    )


def test_symmetry_that_merges_nothing_on_the_first_steps_is_reported() -> None:
    """The contexts are alike at the start, apart after the first steps: the probe of the first levels finds that
    nothing merges, and names the field; the same workers without it merge, silently."""
    import warnings

    from simulate import SymmetryWarning

    with pytest.warns(SymmetryWarning, match="merged no state.*'idx'"):
        r = explore(_numbered_workers(store=True))
    assert any("merged no state" in n and "'idx'" in n for n in r.notes)
    assert r.stats.distinct_states == explore(_numbered_workers(store=True), symmetry=False).stats.distinct_states
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = explore(_numbered_workers(store=False))
    assert not r.notes
    assert r.stats.distinct_states < explore(_numbered_workers(store=False), symmetry=False).stats.distinct_states


def test_symmetry_that_works_is_silent() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = explore(two_phase.system(3, symmetry=True))
    assert not r.notes


# --------------------------------------------------------------------------- fairness per channel


def test_fairness_per_channel_serves_the_polite_client() -> None:
    """Peterson-style starvation: per receiver, the cell may serve the greedy client forever; per channel it may not."""
    per_receiver = explore(tla_systems.greedy("per-receiver"))
    per_channel = explore(tla_systems.greedy("per-channel"))
    assert [(v.name, v.status) for v in per_receiver.verdicts] == [("polite served", "violated")]
    lasso = per_receiver.verdicts[0].trace
    assert lasso is not None and lasso.loop_start is not None
    assert all(s.actor != "polite" for s in lasso.steps[lasso.loop_start + 1 :])  # the loop never serves the polite client
    assert [(v.name, v.status) for v in per_channel.verdicts] == [("polite served", "holds")]


def test_fairness_option_is_checked_and_exported() -> None:
    from exporters.tla import to_tla

    with pytest.raises(ModelError, match="fairness 'per-sender'"):
        System("Bad", actors=tla_systems.greedy().actors, fairness="per-sender")
    channel = to_tla(tla_systems.greedy("per-channel")).module
    receiver = to_tla(tla_systems.greedy("per-receiver")).module
    assert "\\A sender \\in Instances : WF_vars(cell_DeliverFrom(cell, sender))" in channel
    assert "WF_vars(cell_Deliver(cell))" in receiver and "DeliverableFrom" not in receiver


def test_command_line_por(tmp_path: Path) -> None:
    """``statecharts check --por`` reduces, and says so in the JSON and the text output."""
    import json
    import subprocess

    target = Path(__file__).parent.parent / "examples" / "two_phase.py"
    out = subprocess.run([sys.executable, "-m", "statecharts", "check", str(target), "--por", "--json"], capture_output=True, text=True, cwd=tmp_path)
    data = json.loads(out.stdout)
    assert data["status"] == "ok" and any("partial-order reduction" in n for n in data["notes"])
    out = subprocess.run([sys.executable, "-m", "statecharts", "check", str(target), "--por", "--symmetry"], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode != 0 and "symmetry=False" in out.stdout + out.stderr


def _relay_system(network: str, descriptor: str, errors: bool) -> System:
    """A relay whose send to the target hangs on an internal event named by a bare prefix (``done`` / ``error``):
    the closure must count that move, or the relay is left out of the kept set and the ping is never explored."""
    from statecharts import Final

    target = Chart("Target", State("waiting", on={"ping": "pinged", "cancel": "cancelled"}), State("pinged"), State("cancelled", on={"ping": Transition(None)}))
    if errors:
        relay = Chart(
            "Relay",
            State("idle", on={"go": Transition("B", actions=assign(x=ctx.x // 0))}),
            State("B", on={descriptor: Transition("Q", actions=send("target", "ping"))}),
            State("Q"),
            context={"x": 1},
            on_error="event",
        )
    else:
        relay = Chart(
            "Relay",
            State("idle", on={"go": "P"}),
            State("P", Final("F"), on={descriptor: Transition("Q", actions=send("target", "ping"))}),
            State("Q"),
        )
    s = System(
        "BareInternal",
        actors=[Actor("target", target), Actor("relay", relay)],
        network=network,
        stimuli=[Stimulus("target", "cancel", max=1), Stimulus("relay", "go", max=1)],
        properties=[invariant("never pinged", ~actor("target").in_state("pinged"))],
        check_deadlock=False,
    )
    s.symmetry = False
    return s


@pytest.mark.parametrize("network", ["fifo", "unordered"])
@pytest.mark.parametrize(("descriptor", "errors"), [("done", False), ("done.state.P", False), ("error", True), ("error.execution", True)])
def test_a_move_on_a_bare_done_or_error_descriptor_may_fire(network: str, descriptor: str, errors: bool) -> None:
    """Found in review: ``on={"done": ...}`` matches ``done.state.P`` (and ``"error"`` matches ``error.execution``);
    the closure treated the bare names as events nobody sends, and the reduced run said `holds`."""
    full = explore(_relay_system(network, descriptor, errors))
    reduced = explore(_relay_system(network, descriptor, errors), reduce="por")
    assert [(v.name, v.status) for v in full.verdicts] == [("never pinged", "violated")]
    assert [(v.name, v.status) for v in reduced.verdicts] == [("never pinged", "violated")]
