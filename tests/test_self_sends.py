"""Issue 10, point 6: one semantics. A send to the chart itself is a separate delivery in the
interpreter too (another event can overtake it), exactly as in the explorer.

Differential test: random charts that send to themselves and to a peer, driven by random
operations (an external event, or delivering the oldest self-send) through ``Interpreter``
and through the explorer's ``Model`` step of a system holding that chart, reach the same
configuration, context, pending self-sends and outbox after every operation.
"""

from __future__ import annotations

import io
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulate import Actor, Stimulus, System
from simulate.model import Model
from statecharts import SELF, Chart, Interpreter, State, Transition, assign, ctx, raise_, send
from statecharts_cli import main

EXTERNAL = ("a", "b", "c")
STATES = ("s0", "s1", "s2")


@st.composite
def sending_charts(draw: st.DrawFn) -> Chart:
    states = []
    for sid in STATES:
        on: dict[str, list[Transition]] = {}
        for ev in (*EXTERNAL, "x", "y"):
            ts = []
            for _ in range(draw(st.integers(0, 2))):
                actions: list[Any] = []
                if draw(st.booleans()):
                    actions.append(assign(n=(ctx.n + 1) % 4))
                for _ in range(draw(st.integers(0, 2))):
                    actions.append(send(SELF, draw(st.sampled_from(["x", "y"])), k=ctx.n))
                if draw(st.integers(0, 3)) == 0:
                    actions.append(send("peer", draw(st.sampled_from(["p", "q"])), k=ctx.n))
                if draw(st.integers(0, 4)) == 0:
                    actions.append(raise_("z"))
                guard = draw(st.sampled_from([None, ctx.n % 2 == 0, ctx.n < 2]))
                ts.append(Transition(draw(st.sampled_from([None, *STATES])), guard=guard, actions=actions))
            if ts:
                on[ev] = ts
        on["z"] = [Transition(actions=assign(m=ctx.m + 1))]
        states.append(State(sid, on=on))
    entry_send = draw(st.booleans())
    if entry_send:  # a self-send made while starting
        states[0] = State("s0", on=states[0].on_spec, entry=send(SELF, "x", k=0))
    return Chart("sender", *states, context={"n": 0, "m": 0})


def _accepted(chart: Chart) -> list[str]:
    return [e for e in EXTERNAL if chart.accepts(e)]


def _system(chart: Chart) -> System:
    return System(
        "diff",
        actors=[Actor("me", chart), Actor("peer", Chart("peer", State("idle", on={"p": Transition(), "q": Transition()})))],
        stimuli=[Stimulus("me", e) for e in _accepted(chart)],
    )


def _view(model: Model, state: Any) -> tuple[Any, ...]:
    cs = model.chart_state(state, 0)
    msgs = model.messages_of(state)
    me, peer = model.instance_index("me"), model.instance_index("peer")
    to_me = sorted(((ev.name, ev.data) for d, ev in msgs if d == me), key=repr)
    to_peer = sorted(((ev.name, ev.data) for d, ev in msgs if d == peer), key=repr)
    return model.charts[0].configuration(cs), model.charts[0].context_of(cs), to_me, to_peer


def _interp_view(i: Interpreter) -> tuple[Any, ...]:
    pending = sorted(((p.event.name, p.event.data) for p in i.pending), key=repr)
    outbox = sorted(((o.event.name, o.event.data) for o in i.outbox), key=repr)
    return i.configuration, i.context, pending, outbox


@settings(max_examples=60)
@given(chart=sending_charts(), ops=st.lists(st.one_of(st.sampled_from(EXTERNAL), st.just("deliver")), max_size=14))
def test_interpreter_and_explorer_step_agree(chart: Chart, ops: list[str]) -> None:
    model = Model(_system(chart))
    (state,) = model.initial_states()
    i = Interpreter(chart)
    assert _interp_view(i) == _view(model, state)
    for op in ops:
        moves = model.successors(state)
        if op == "deliver":
            due = [p for p in i.pending if p.due <= i.clock]
            if not due:
                continue
            oldest = min(due).event
            i.deliver()
            fitting = [
                s for lab, s in moves
                if lab[0] == "deliver" and lab[1] == 0 and model.msg_values[lab[2]][1].name == oldest.name and model.msg_values[lab[2]][1].data == oldest.data
            ]
            assert fitting, f"the explorer cannot deliver {oldest.name!r} where the interpreter did"
            state = fitting[0]
        else:
            i.send(op)
            accepted = _accepted(chart)
            k = accepted.index(op) if op in accepted else -1
            fitting = [s for lab, s in moves if lab[0] == "stimulus" and lab[2][0] == k]
            if fitting:  # the explorer lists only stimuli that take a transition
                state = fitting[0]
        assert _interp_view(i) == _view(model, state), f"after {op!r}"


def test_an_event_overtakes_a_pending_self_send() -> None:
    # the gateway's handshaking window in miniature: a close arrives before the self-sent ready
    chart = Chart(
        "gw",
        State("connecting", on={"open": Transition("handshaking", actions=send(SELF, "ready"))}),
        State("handshaking", on={"ready": "open", "close": "closed"}),
        State("open", on={"close": "closed"}),
        State("closed"),
    )
    i = Interpreter(chart)
    i.send("open")
    assert i.leaves == ("handshaking",) and [p.event.name for p in i.pending] == ["ready"]
    i.send("close")  # overtakes ready, as the explorer allows
    assert i.leaves == ("closed",)
    assert i.settle() == 1 and i.leaves == ("closed",)


def test_settle_refuses_a_send_loop() -> None:
    from statecharts.errors import StatechartError

    chart = Chart("loop", State("s", on={"go": Transition(actions=send(SELF, "go"))}))
    i = Interpreter(chart)
    i.send("go")
    with pytest.raises(StatechartError, match="still sending to itself after 50 deliveries"):
        i.settle(limit=50)


def test_run_shows_and_delivers_pending_self_sends(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "gw.py").write_text(
        "from statecharts import SELF, Chart, State, Transition, send\n"
        "gw = Chart('gw', State('connecting', on={'open': Transition('handshaking', actions=send(SELF, 'ready'))}),\n"
        "           State('handshaking', on={'ready': 'open'}), State('open'))\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("open\n:deliver\n:deliver\n"))
    code = main(["run", "gw.py:gw"])
    out = capsys.readouterr().out
    assert code == 0
    blocks = out.split("> ")
    assert "in handshaking" in blocks[1] and "pending: ready at 0ms" in blocks[1] and ":deliver" in blocks[1]
    assert "in open" in blocks[2]
    assert "nothing pending is due now" in blocks[3]
