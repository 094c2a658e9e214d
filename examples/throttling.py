"""Throttling (rate limiting), after Tautvidas Sipavicius' PlusCal posts (tautvidas.com, 2017).

**Single sender** ("Experimenting with TLA+ and PlusCal 2: Throttling"): one process loops
while ``Time < MaxTime``, either sending a message or advancing time. A throttled send
goes out only when fewer than ``Limit`` messages were sent in the window
``[Time - Window, Time]``; ``MessageId`` is incremented only when a message is sent.
``FrequencyInvariant``: no ``Window``-long interval holds more than ``Limit`` messages.
The chart has one state per PlusCal label (``Simulate``, ``SendMessage``, ``TimeStep``,
``Done``), and the scheduler's choices are stimuli, so one explorer step is one TLC step.
With Window 2, Limit 3, MaxTime 3 TLC reports 142 distinct states and no violation for the
post's spec; so does the explorer. Without the throttle, ``FrequencyInvariant`` fails after
four sends at time 0 (8 steps, as in TLC); a ``MessageId`` bound (TLC's CONSTRAINT) keeps
that variant finite.

**Multiple senders** ("... 3: Throttling multiple senders"), as actors: a ``server`` keeps
global time (a ``tick`` stimulus) and the message log and throttles per client; ``client``
instances of one chart always try to send (one request outstanding each, over FIFO
channels) until the server answers ``closed`` at ``MaxTime``. ``FrequencyInvariant`` (per
client) and ``PermittedMessagesAcceptedInvariant`` (a request the throttle permits is
never refused) hold for the throttled server; the unthrottled one breaks the first; one
that drops every message keeps the first but breaks the second, and the goal "a message is
accepted" is reported unreached instead of passing silently.
"""

from __future__ import annotations

from simulate import Actor, Result, Stimulus, System, actor, invariant, sometimes
from statecharts import Chart, Final, State, Transition, assign, call, ctx, event, if_, reply, send

WINDOW, LIMIT, MAX_TIME = 2, 3, 3
SINGLE_VARIANTS = ("throttled", "unthrottled")
MULTI_VARIANTS = ("throttled", "unthrottled", "dropall")
SERVER_LOG = "field('server', 'log')"


# --------------------------------------------------------------------------- single sender


def sender_chart(throttled: bool = True) -> Chart:
    """The single-sender PlusCal process: one state per label, one transition per step."""
    can_send = "len({m for m in ctx.log if m[0] >= ctx.time - ctx.window and m[0] <= ctx.time}) < ctx.limit"
    send_message = assign(log=call("add", ctx.log, (ctx.time, ctx.message_id)), message_id=ctx.message_id + 1)
    return Chart(
        "Sender" if throttled else "UnthrottledSender",
        State(
            "simulate",
            on={
                "choose_send": Transition("sending", guard=ctx.time < ctx.max_time),
                "choose_tick": Transition("ticking", guard=ctx.time < ctx.max_time),
                "finish": Transition("done", guard=ctx.time >= ctx.max_time),
            },
        ),
        State("sending", on={"step": Transition("simulate", actions=if_(can_send, send_message) if throttled else send_message)}),
        State("ticking", on={"step": Transition("simulate", actions=assign(time=ctx.time + 1))}),
        Final("done"),
        context={"time": 0, "message_id": 0, "log": frozenset(), "window": WINDOW, "limit": LIMIT, "max_time": MAX_TIME},
    )


def frequency_invariant(log: str, sender: str | None = None) -> str:
    """No ``WINDOW``-long interval [T, T + WINDOW) of 0..MAX_TIME holds more than LIMIT messages (of ``sender``).

    ``log`` and ``sender`` are expression texts (``sender`` is compared with a message's third field).
    """
    mine = f" and m[2] == {sender}" if sender is not None else ""
    return f"all(len({{m for m in {log} if m[0] >= t and m[0] < t + {WINDOW}{mine}}}) <= {LIMIT} for t in range(0, {MAX_TIME + 1}))"


def build(variant: str = "throttled") -> System:
    """The single sender, ``throttled`` or ``unthrottled`` (bounded to LIMIT + 1 messages, TLC's CONSTRAINT)."""
    if variant not in SINGLE_VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; use one of {', '.join(SINGLE_VARIANTS)}")
    throttled = variant == "throttled"
    return System(
        f"Throttling({variant})",
        actors=[Actor("sender", sender_chart(throttled))],
        stimuli=[Stimulus("sender", e) for e in ("choose_send", "choose_tick", "finish", "step")],
        properties=[invariant("FrequencyInvariant", frequency_invariant("field('sender', 'log')"))],
        constraint=None if throttled else actor("sender").message_id <= LIMIT + 1,
    )


system = build()


# --------------------------------------------------------------------------- multiple senders


def client_chart() -> Chart:
    """A client that always tries to send: one request outstanding, again after every answer."""
    return Chart(
        "Client",
        State(
            "sending",
            entry=send("server", "request"),
            on={"accepted": "sending", "rejected": "sending", "closed": "done"},
        ),
        Final("done"),
    )


def server_chart(mode: str = "throttled") -> Chart:
    """Global time, the message log and the per-client throttle (``mode``: throttled, unthrottled, dropall)."""
    permitted = "len({m for m in ctx.log if m[2] == event.origin and m[0] >= ctx.time - ctx.window and m[0] <= ctx.time}) < ctx.limit"
    accepts = {"throttled": permitted, "unthrottled": True, "dropall": False}[mode]
    accept = [
        assign(
            log=call("add", ctx.log, (ctx.time, ctx.message_id, event.origin)),
            message_id=ctx.message_id + 1,
            refused_permitted=call("remove", ctx.refused_permitted, event.origin),
        ),
        reply("accepted"),
    ]
    refuse = [
        if_(
            permitted,
            assign(refused_permitted=call("add", ctx.refused_permitted, event.origin)),
            assign(refused_permitted=call("remove", ctx.refused_permitted, event.origin)),
        ),
        reply("rejected"),
    ]
    request: list[Transition] = [Transition(guard=ctx.time >= ctx.max_time, actions=reply("closed"))]
    if mode != "dropall":
        request.append(Transition(guard=accepts if mode == "throttled" else None, actions=accept))
    if mode != "unthrottled":
        request.append(Transition(actions=refuse))
    return Chart(
        f"Server({mode})",
        State(
            "serving",
            on={"tick": Transition(guard=ctx.time < ctx.max_time, actions=assign(time=ctx.time + 1)), "request": request},
        ),
        context={
            "time": 0,
            "message_id": 0,
            "log": frozenset(),
            "refused_permitted": frozenset(),
            "window": WINDOW,
            "limit": LIMIT,
            "max_time": MAX_TIME,
        },
    )


def build_multi(mode: str = "throttled", clients: int = 2) -> System:
    """A server and ``clients`` client instances; the unthrottled server is bounded to LIMIT + 1 messages (a CONSTRAINT)."""
    if mode not in MULTI_VARIANTS:
        raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MULTI_VARIANTS)}")
    server = actor("server")
    freq = f"all({frequency_invariant(SERVER_LOG, 'c')} for c in instances('client'))"
    return System(
        f"ThrottlingMulti({mode}, clients={clients})",
        actors=[Actor("server", server_chart(mode), end_states=["serving"]), Actor("client", client_chart(), count=clients)],
        stimuli=[Stimulus("server", "tick")],
        properties=[
            invariant("FrequencyInvariant", freq),
            invariant("PermittedMessagesAcceptedInvariant", call("len", server.refused_permitted) == 0),
            sometimes("MessageAccepted", server.message_id > 0),
        ],
        constraint=None if mode != "unthrottled" else server.message_id <= LIMIT + 1,
    )


def _report(result: Result) -> None:
    print(result.summary())
    for v in result.violations:
        if v.trace is not None:
            print(f"-- {v.name}: shortest counterexample")
            print(v.trace.format())
    print()


def main() -> None:
    """Explore the single-sender and multi-sender variants; print verdicts and counterexamples."""
    from examples._artifacts import explore_and_report

    for variant in SINGLE_VARIANTS:
        explore_and_report(build(variant), f"out/throttling/{variant}")
    for mode in MULTI_VARIANTS:
        explore_and_report(build_multi(mode), f"out/throttling/multi-{mode}")


if __name__ == "__main__":
    main()
