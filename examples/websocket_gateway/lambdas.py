"""The gateway model's lambdas: $connect, message, $disconnect, the async command runner, and the control API.

Every external call is a request message and the lambda's next step happens when the answer
arrives, so each call is one atomic step of the callee and the lambda may be interleaved (or
crash) between any two calls.
"""

from __future__ import annotations

from typing import Any

from statecharts import SELF, Chart, State, Transition, assign, choose, const, ctx, event, if_, send

from .config import Config, _as_list, _lambda_context, _post, _retrying_post, crashable, fan_out, sweep

# --------------------------------------------------------------------------- the lambdas


def _invoke_runner(cfg: Config) -> list[Any]:
    """Hand a batch to the async runner: delivered once, or twice (at-least-once)."""
    if not cfg.bounds.duplicates:
        return [send("runner", "batch", dup=False)]
    if cfg.bounds.overlap:  # the duplicate is a second invocation, running concurrently with the first
        return [send("runner", "batch", dup=False), choose("dup", (False, True), lambda dup: if_(dup, send("runner2", "batch", dup=False)))]
    return [choose("dup", (False, True), lambda dup: send("runner", "batch", dup=dup))]


def connect_chart(cfg: Config) -> Chart:
    """The $connect lambda: OPEN to the app, then the design's handling of its commands; 200/400 to the gateway.

    The environment may crash it (``crash``, the crash budget) in any state after the app's
    answer was taken in (site ``connect``) and, with site ``connect-asking``, also while the
    app decides: the gateway then rejects with 500. A crash while the app decides loses a
    decision only the app knows.
    """
    ret200 = send("gw", "result", status=200)
    ret400 = send("gw", "result", status=400)
    if cfg.design == "naive":
        fan, fan_acts, fan_states = fan_out(cfg, "fanning", 2, "joined", "idle", ret200)
        states = [
            State("saving", on={"saved": Transition("welcoming", actions=_post(1, "welcome"))}),
            _retrying_post("welcoming", 1, "welcome", "querying", cfg, send("db", "members")),
            State("querying", on={"members": [Transition("joining", guard=event.c1, actions=_post(2, "joined")), Transition(fan, actions=fan_acts)]}),
            State("joining", on={"posted": Transition(fan, actions=fan_acts)}),
            *fan_states,
        ]
        first = send("app", "open")
        asking = State("asking", on={"answer": [Transition("saving", guard=event.ok, actions=send("db", "accept", sub=True)), Transition("idle", actions=ret400)]})
    elif cfg.fixed:
        # PUBLISH joined to the open member c2, from $connect (amended: recorded with the app's decision, posted by the watcher)
        fan, fan_acts, fan_states = ("idle", [ret200], []) if cfg.amended("recorded-decision") else fan_out(cfg, "fanning", 2, "joined", "idle", ret200)
        states = [
            State("committing", on={"committed": [Transition(fan, guard=event.ok, actions=fan_acts), Transition("idle", actions=[send("app", "close"), ret200])]}),
            State("rejecting", on={"rejected": Transition("idle", actions=ret400)}),
            *fan_states,
        ]
        first = [*_invoke_runner(cfg), send("app", "open")]  # arm the watcher before anything can crash
        asking = State(
            "asking", on={"answer": [Transition("committing", guard=event.ok, actions=send("db", "commit")), Transition("rejecting", actions=send("db", "reject"))]}
        )
    else:
        states = [
            State("saving", on={"saved": Transition("idle", actions=[*_invoke_runner(cfg), ret200])}),
        ]
        first = send("app", "open")
        asking = State("asking", on={"answer": [Transition("saving", guard=event.ok, actions=send("db", "accept", sub=False)), Transition("idle", actions=ret400)]})
    crash = send("gw", "result", status=500)
    if cfg.crashes("connect-asking"):
        working = [State("busy", asking, *states, on={"crash": Transition("idle", actions=crash)})]
    else:
        working = [asking, *crashable(cfg, "connect", states, crash)]
    return Chart(
        "connect",
        State("idle", on={"invoke": Transition("asking", actions=first)}),
        *working,
        context=_lambda_context(cfg),
        doc="The $connect lambda; a crash (an environment event) makes the gateway reject with 500.",
    )


def message_chart(cfg: Config) -> Chart:
    """The message lambda for the client's frame: read metadata, TEXT to the app, run its PUBLISH."""
    fan, fan_acts, fan_states = fan_out(cfg, "fanning", 3, "hi", "idle")
    if cfg.fixed:
        run = [
            State("publishing", on={"published": [Transition("posting", guard=event.direct, actions=_post(3, "hi")), Transition(fan, actions=fan_acts)]}),
            State("posting", on={"posted": Transition(fan, actions=fan_acts)}),
            *fan_states,
        ]
        publish = send("db", "publish", n=event.n, text=event.m)
    else:
        run = [
            State("querying", on={"members": [Transition("posting", guard=event.c1, actions=_post(3, "hi")), Transition(fan, actions=fan_acts)]}),
            _retrying_post("posting", 3, "hi", fan, cfg, fan_acts),
            *fan_states,
        ]
        publish = send("db", "members")
    asking = State("asking", on={"answer": Transition("querying" if not cfg.fixed else "publishing", actions=publish)})
    return Chart(
        "message",
        State("idle", on={"invoke": Transition("asking", actions=send("app", "text", m=const("hi")))}),
        *crashable(cfg, "message", [asking, *run]),
        context=_lambda_context(cfg),
        doc="One message lambda (one frame); never retried.",
    )


def disconnect_chart(cfg: Config) -> Chart:
    """The $disconnect lambda: CLOSE to the app, concurrently with the clean-up of the rows."""
    if cfg.amended("atomic-cleanup"):  # one transaction: a crash can no longer stop the clean-up half-way
        states = [State("deleting", on={"deleted": "idle"})]
        start = Transition("deleting", actions=[send("app", "close"), send("db", "close_rows")])
    elif cfg.fixed:
        states = [
            State("tombstoning", on={"tombstoned": Transition("deleting", actions=send("db", "delete_subs"))}),
            State("deleting", on={"deleted": "idle"}),
        ]
        start = Transition("tombstoning", actions=[send("app", "close"), send("db", "tombstone")])
    else:
        states = [State("deleting", on={"deleted": "idle"})]
        start = Transition("deleting", actions=[send("app", "close"), send("db", "delete_rows")])
    return Chart("disconnect", State("idle", on={"invoke": start}), *crashable(cfg, "disconnect", states, sweep(cfg)), doc="The $disconnect lambda.")


def _runner_idle(on: dict[str, Any]) -> State:
    """The runner's idle state; entering it after a duplicated invocation runs the batch again."""
    return State("idle", entry=[if_(ctx.again, send(SELF, "batch", dup=False)), assign(again=False)], on=on)


def _start(target: str, actions: Any) -> Transition:
    """Start a batch, remembering whether the invocation was delivered twice."""
    return Transition(target, actions=[assign(again=event.dup), *_as_list(actions)])


def _runner(cfg: Config, idle_on: dict[str, Any], *states: State, context: dict[str, Any], doc: str) -> Chart:
    """The runner chart: idle, and the design's working states.

    A crash (site ``runner``) ends the invocation: the call it was awaiting still completes, and its answer reaches
    the dead invocation (``crashed``), not the retry; Lambda then retries the invocation from the start (``again``).
    """
    if not cfg.crashes("runner"):
        return Chart("runner", _runner_idle(idle_on), *states, context=context, doc=doc)
    answers = sorted({name for st in states for name in st.on_spec})
    crashed = State("crashed", on={name: Transition("idle") for name in answers})
    busy = State("busy", *states, on={"crash": Transition("crashed", actions=assign(again=True))})
    return Chart("runner", _runner_idle(idle_on), busy, crashed, context=context, doc=doc)


def runner_chart(cfg: Config) -> Chart:
    """The async command runner: the design's batch after ACCEPT (deferred, grace-retry) or the watcher (fixed).

    At-least-once delivery: an invocation delivered twice (``dup``) runs the batch a second
    time when the first run is over (or, with ``Bounds.overlap``, concurrently); a crash (site ``runner``) makes Lambda retry the
    invocation from the start. With ``Bounds.overlap`` the duplicate is a second instance, ``runner2``, running
    concurrently with the first.
    """
    fan, fan_acts, fan_states = fan_out(cfg, "fanning", 2, "joined", "idle")
    if cfg.design == "deferred":
        return _runner(
            cfg,
            {"batch": _start("polling", send("gw", "get", wait=False))},
            State(
                "polling",
                on={
                    "got": [
                        Transition("subscribing", guard=event.ok, actions=send("db", "subscribe")),
                        Transition("backoff", guard=ctx.retries > 0, actions=[assign(retries=ctx.retries - 1), send(SELF, "retry")]),
                        Transition("idle"),  # thrown for the last time: the batch is lost
                    ]
                },
            ),
            State("backoff", on={"retry": Transition("polling", actions=send("gw", "get", wait=True))}),  # "much later": after the handshake
            State("subscribing", on={"subscribed": Transition("welcoming", actions=_post(1, "welcome"))}),
            State("welcoming", on={"posted": Transition("querying", actions=send("db", "members"))}),
            State("querying", on={"members": [Transition("joining", guard=event.c1, actions=_post(2, "joined")), Transition(fan, actions=fan_acts)]}),
            State("joining", on={"posted": Transition(fan, actions=fan_acts)}),
            *fan_states,
            context={"retries": cfg.bounds.retries, "again": False},
            doc="POLL_FOR_CONNECTION (one GET, throws on 410: the missing await), SUBSCRIBE, TEXT welcome, PUBLISH joined.",
        )
    if cfg.design == "grace-retry":
        return _runner(
            cfg,
            {"batch": _start("subscribing", send("db", "subscribe"))},
            State("subscribing", on={"subscribed": Transition("welcoming", actions=_post(1, "welcome"))}),
            _retrying_post("welcoming", 1, "welcome", "querying", cfg, send("db", "members")),
            State("querying", on={"members": [Transition("joining", guard=event.c1, actions=_post(2, "joined")), Transition(fan, actions=fan_acts)]}),
            _retrying_post("joining", 2, "joined", fan, cfg, fan_acts),
            *fan_states,
            context={**_lambda_context(cfg), "again": False},
            doc="SUBSCRIBE, TEXT welcome, PUBLISH joined; a 410 is retried up to `grace` times.",
        )
    wait = cfg.mutation != "poll-no-wait"
    after_get = [Transition("flushing", guard=event.ok, actions=send("db", "peek")), Transition("tombstoning", actions=send("db", "tombstone"))]
    closing: list[Transition] = []
    closing_states: list[State] = []
    if cfg.amended("queued-close"):  # the app's CLOSE, requested while the connection was opening, after the outbox
        closing = [Transition("closing", guard=~event.empty & (event.text == "CLOSE"), actions=send("gw", "delete"))]
        closing_states = [State("closing", on={"deleted_conn": "idle"})]
    fanning: list[State] = []
    context: dict[str, Any] = {"again": False}
    after_delete: Any = "idle"
    if cfg.amended("recorded-decision") and cfg.bounds.c2 == "member":
        # the publishes the app's recorded decision holds for the other members: before the flush when the connection
        # opened; after the tombstone (which stops any later decision) when it did not
        context["alive"] = False
        fanning = [
            State(
                "fan_peeking",
                on={
                    "fan_head": [
                        Transition("fan_posting", guard=~event.empty, actions=_post(event.n, event.text, "c2")),
                        Transition("flushing", guard=ctx.alive, actions=send("db", "peek")),
                        Transition("idle"),
                    ]
                },
            ),
            State("fan_posting", on={"posted": Transition("fan_peeking", actions=send("db", "fan_ack", n=event.n, text=event.text))}),
        ]
        after_get[0] = Transition("fan_peeking", guard=event.ok, actions=[assign(alive=True), send("db", "fan_peek")])
        after_delete = Transition("fan_peeking", actions=[assign(alive=False), send("db", "fan_peek")])
    return _runner(
        cfg,
        {"batch": _start("polling", send("gw", "get", wait=wait))},
        State("polling", on={"got": after_get}),
        *fanning,
        State("flushing", on={"head": [Transition("idle", guard=event.empty), *closing, Transition("posting", actions=_post(event.n, event.text))]}),
        *closing_states,
        State("posting", on={"posted": [Transition("flushing", guard=event.ok, actions=send("db", "ack")), Transition("idle")]}),
        State(
            "tombstoning",
            on={"tombstoned": Transition("deleting", actions=[send("db", "delete_subs"), if_(event.was_live, send("app", "close"))])},
        ),
        State("deleting", on={"deleted": after_delete}),
        context=context,
        doc="The watcher: wait for the handshake, GET; 200 -> flush the outbox in order, then flip to open; 410 -> clean up, CLOSE.",
    )


def _cleanup(cfg: Config, then: str) -> tuple[Transition, list[State]]:
    """The control API's clean-up after CLOSE: delete the rows (tombstone first, in the fixed design)."""
    if not cfg.fixed:
        return Transition("c_deleting", actions=send("db", "delete_rows")), [State("c_deleting", on={"deleted": then})]
    return Transition("c_tombstoning", actions=send("db", "tombstone")), [
        State("c_tombstoning", on={"tombstoned": Transition("c_deleting", actions=send("db", "delete_subs"))}),
        State("c_deleting", on={"deleted": then}),
    ]


def control_chart(cfg: Config) -> Chart:
    """The control API running the app's out-of-band call synchronously: one of the batches of ``Bounds.calls``.

    ``subscribe``: [SUBSCRIBE(c1, ch), TEXT(c1, "news")]; ``publish``: [PUBLISH(ch, "news")] to every member;
    ``close``: [CLOSE(c1)], DELETE @connections/c1 and the clean-up of its rows. 410 answers are ignored.
    """
    if cfg.fixed:
        text = [
            State("delivering", on={"delivered": [Transition("posting", guard=event.direct, actions=_post(3, "news")), Transition("idle")]}),
            State("posting", on={"posted": "idle"}),
        ]
        after_sub = Transition("delivering", actions=send("db", "deliver", n=3, text=const("news")))
    else:
        text = [_retrying_post("posting", 3, "news", "idle", cfg)]
        after_sub = Transition("posting", actions=_post(3, "news"))
    fan, fan_acts, fan_states = fan_out(cfg, "p_fanning", 3, "news", "idle")
    if cfg.fixed:
        publish = [
            State("p_publishing", on={"published": [Transition("p_posting", guard=event.direct, actions=_post(3, "news")), Transition(fan, actions=fan_acts)]}),
            State("p_posting", on={"posted": Transition(fan, actions=fan_acts)}),
        ]
        start_publish = send("db", "publish", n=3, text=const("news"))
    else:
        publish = [
            State("p_publishing", on={"members": [Transition("p_posting", guard=event.c1, actions=_post(3, "news")), Transition(fan, actions=fan_acts)]}),
            _retrying_post("p_posting", 3, "news", fan, cfg, fan_acts),
        ]
        start_publish = send("db", "members")
    cleanup, cleanup_states = _cleanup(cfg, "idle")
    close = Transition("c_deleting_conn", guard=event.kind == "close", actions=send("gw", "delete"))
    if cfg.amended("queued-close"):  # DELETE only an open connection; otherwise the watcher deletes it after the flush
        close = Transition("c_requesting", guard=event.kind == "close", actions=send("db", "close_req"))
        cleanup_states.append(
            State("c_requesting", on={"close_queued": [Transition("c_deleting_conn", guard=event.direct, actions=send("gw", "delete")), Transition("idle")]})
        )
    calls = {
        "subscribe": Transition("subscribing", guard=event.kind == "subscribe", actions=send("db", "subscribe")),
        "publish": Transition("p_publishing", guard=event.kind == "publish", actions=start_publish),
        "close": close,
    }
    states = [State("subscribing", on={"subscribed": after_sub}), *text]
    if "publish" in cfg.bounds.calls:
        states += [*publish, *fan_states]
    if "close" in cfg.bounds.calls:
        states += [State("c_deleting_conn", on={"deleted_conn": cleanup}), *cleanup_states]
    return Chart(
        "control",
        State("idle", on={"call": [calls[kind] for kind in cfg.bounds.calls]}),
        *states,
        context=_lambda_context(cfg),
        doc="The control API; 410 answers are ignored.",
    )
