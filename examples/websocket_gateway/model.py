"""The serverless WebSocket gateway of /shared/websocket-gateway.md as one system builder.

``build(design, mutation=None, **bounds)`` returns a ``System`` of these actors (one
connection, ``c1``, is under test):

* ``client``: the browser; connects at start, may say one frame and may leave at any time.
* ``gw``: API Gateway's view of the connection: ``absent -> connecting{awaiting ->
  handshaking} -> open -> gone{closed}``, or ``gone{rejected | aborted}``. In every state
  but ``open``, ``POST``/``GET @connections`` answer 410 (a ``GET`` that asked to wait is
  answered when the connection leaves ``connecting``: see ``wait`` below).
* ``connect``, ``message``, ``disconnect``: the three lambdas. Every external call is a
  request message and the lambda's next step happens when the answer arrives, so each
  call is one atomic step of the callee and the lambda may be interleaved (or, for
  ``connect``, crash) between any two calls.
* ``runner``: the async command runner (at-least-once: a duplicated invocation runs twice).
* ``control``: the control API, running the app's one out-of-band call.
* ``db``: the connection and subscription rows (linearizable: one request is one step)
  and, where a design reads it, the lagging subscribers-of-channel index.
* ``app``: accepts or rejects ``OPEN``; answers ``TEXT m`` with ``PUBLISH(ch, m)``; may
  make one out-of-band control call ``[SUBSCRIBE(c1, ch), TEXT(c1, "news")]``.

The designs differ only in the lambdas, the runner and the database operations:

* ``naive``: ``$connect`` runs ``SUBSCRIBE``, ``TEXT welcome`` and ``PUBLISH joined``
  inline, while the gateway still answers 410;
* ``deferred``: ``$connect`` hands ``[POLL_FOR_CONNECTION, SUBSCRIBE, TEXT, PUBLISH]`` to
  the runner; the poll is one ``GET`` that throws on 410, and the retry comes much later;
* ``grace-retry``: the runner runs the commands at once and retries a 410 a bounded
  number of times;
* ``fixed``: a connection record ``opening | open | closed`` with an outbox, a watcher
  that waits for the handshake before polling, a tombstone and a checked ``SUBSCRIBE``.

History fields recorded for the properties: the app's ``decision``, ``present``,
``pubs`` (texts it published while it believed ``c1`` subscribed) and ``heard`` (it got a
``TEXT`` from ``c1``); the client's ``received`` as ``(n, text)`` pairs, where ``n`` is the
app's order: 1 for ``welcome``, 2 for ``joined``, 3 for anything the app sent later.

Switches of :class:`Bounds` put back what the first, narrow model left out of the
specification: ``worded`` (on by default: S1 counts ``CLOSE``, S2 reads the gateway's state),
``crash_in`` (crashes in every lambda and the runner, one budget), ``lag`` (the lagging index,
apart from each design), ``calls`` (the control API's PUBLISH and CLOSE), ``idle``, ``lose`` (a
lost ``$disconnect``), ``c2`` (the second connection) and ``overlap``; ``SPEC`` turns them all on,
and ``amend`` amends the fixed design (``FINAL``: the design that passes). The charts of the lambdas are in ``lambdas.py``; designs, bounds and the
shared helpers in ``config.py``.

Time is abstract. "Wait longer than the handshake can take" (the fixed design's watcher,
and the deferred design's retry "much later") is a ``GET`` with ``wait=True``, which the
gateway answers when the connection has left ``connecting``: the abstraction of a sleep
longer than the gateway's bounded handshake window.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from simulate import Actor, Stimulus, System, actor, in_flight, invariant, leads_to, sometimes
from statecharts import SELF, Chart, State, Transition, all_of, any_of, assign, call, choose, const, ctx, event, foreach, if_, if_else, reply, send, var

from .config import AMENDMENTS, CALLS, CRASH_SITES, DESIGNS, FINAL, FINAL_SITES, LIVE, MUTATIONS, NARROW, SPEC, Bounds, Config, sweep
from .lambdas import connect_chart, control_chart, disconnect_chart, message_chart, runner_chart

__all__ = ["AMENDMENTS", "CALLS", "DESIGNS", "FINAL", "FINAL_SITES", "LIVE", "MUTATIONS", "NARROW", "SPEC", "Bounds", "build", "system"]

# --------------------------------------------------------------------------- the client and the gateway


def client_chart(dedup: bool = False) -> Chart:
    """The browser: connecting at start; open -> may say one frame; may leave at any time.

    ``dedup`` (amendment): it drops a frame whose sequence number and text it has already received.
    """
    leave = Transition("closed", actions=send("gw", "ws_close"))
    fresh = ~any_of("r", ctx.received, lambda r: (r[0] == event.n) & (r[1] == event.text)) if dedup else None
    return Chart(
        "client",
        State("connecting", entry=send("gw", "ws_connect"), on={"ws_open": "open", "ws_rejected": "closed", "leave": leave}),
        State(
            "open",
            on={
                "ws_text": Transition(guard=fresh, actions=assign(received=call("append", ctx.received, (event.n, event.text)))),
                "say": Transition(actions=send("gw", "ws_frame", m=const("hi"))),
                "leave": leave,
                "ws_closed": "closed",
            },
        ),
        State("closed"),
        context={"received": ()},
        doc="The WebSocket client of connection c1; received is the ordered history of (n, text) frames it got.",
    )


def _answer_waiters(ok: bool) -> Any:
    """Answer every GET that asked to wait for the end of the handshake."""
    return [foreach(ctx.waiters, "w", lambda w: send(w, "got", ok=ok)), assign(waiters=frozenset())]


def _closing(cfg: Config) -> list[Any]:
    """What closing an open connection sets off: the ``$disconnect`` invocation, at once or, when it may be lost,
    from ``closed.pending``."""
    return [] if cfg.bounds.lose else [send("disconnect", "invoke")]


def gateway_chart(cfg: Config | None = None) -> Chart:
    """API Gateway's state of connection c1, with the handshaking window where @connections answers 410.

    An open connection closes when the client leaves, on ``DELETE @connections/c1`` and (``Bounds.idle``) on the idle
    timeout; the gateway then tells the client (``ws_closed``) unless the client left, and invokes ``$disconnect``
    at most once: with ``Bounds.lose`` the invocation may be lost (``closed.pending -> lost``).
    """
    cfg = cfg or Config("naive", None, Bounds())
    gone_post = Transition(actions=reply("posted", ok=False))
    gone_get = Transition(actions=reply("got", ok=False))
    gone_delete = Transition(actions=reply("deleted_conn", ok=False))
    close = _closing(cfg)
    told = [send("client", "ws_closed"), *close]
    open_on: dict[str, Any] = {
        "post": Transition(actions=[send("client", "ws_text", n=event.n, text=event.text), reply("posted", ok=True)]),
        "get": Transition(actions=reply("got", ok=True)),
        "ws_frame": Transition(actions=send("message", "invoke", m=event.m)),
        "ws_close": Transition("closed", actions=close),
        "delete": Transition("closed", actions=[*told, reply("deleted_conn", ok=True)]),
    }
    if cfg.bounds.idle:
        open_on["idle_timeout"] = Transition("closed", actions=told)
    if cfg.bounds.lose:
        closed = State(
            "closed",
            State(
                "pending",
                entry=send(SELF, "dispatch"),
                on={"dispatch": Transition("sent", actions=send("disconnect", "invoke")), "lose": Transition("lost", actions=sweep(cfg))},
            ),
            State("sent"),
            State("lost"),
        )
    else:
        closed = State("closed")
    return Chart(
        "gateway",
        State("absent", on={"ws_connect": Transition("awaiting", actions=send("connect", "invoke"))}),
        State(
            "connecting",
            State(
                "awaiting",
                on={
                    "result": [
                        Transition("handshaking", guard=event.status == 200, actions=send(SELF, "handshake_done")),
                        Transition("rejected", actions=[send("client", "ws_rejected"), *_answer_waiters(False)]),
                    ],
                    "ws_close": "abandoned",
                },
            ),
            State(
                "handshaking",
                on={
                    "handshake_done": Transition("open", actions=[send("client", "ws_open"), *_answer_waiters(True)]),
                    "ws_close": Transition("aborted", actions=_answer_waiters(False)),
                },
            ),
            # the client left while $connect still runs: gone for the client, but a GET that waits
            # longer than the integration can take is answered only once the integration is over
            State("abandoned", on={"result": Transition("aborted", actions=_answer_waiters(False))}),
            on={
                "post": gone_post,
                "get": [Transition(guard=event.wait, actions=assign(waiters=call("add", ctx.waiters, event.origin))), gone_get],
                "delete": gone_delete,
            },
        ),
        State("open", on=open_on),
        State("gone", State("rejected"), State("aborted"), closed, on={"post": gone_post, "get": gone_get, "delete": gone_delete}),
        context={"waiters": frozenset()},
        doc="Per-connection gateway state; waiters are the GETs that asked to wait for the end of the handshake.",
    )


def peer_chart(kind: str, dedup: bool = False) -> Chart:
    """The second connection c2 as the gateway and its client see it: an open member of the channel (a POST is
    received, in order) or a rejected connection (a POST answers 410)."""
    if kind == "member":
        fresh = ~any_of("r", ctx.received, lambda r: (r[0] == event.n) & (r[1] == event.text)) if dedup else True
        keep = if_else(fresh, call("append", ctx.received, (event.n, event.text)), ctx.received)
        on = {"post": Transition(actions=[assign(received=keep), reply("posted", ok=True, n=event.n, text=event.text)])}
    else:
        on = {"post": Transition(actions=reply("posted", ok=False))}
    return Chart("peer", State(kind, on=on), context={"received": ()}, doc="Connection c2; received is what its client got, in order.")


def sweeper_chart(cfg: Config) -> Chart:
    """Amendment ``sweeper``: the periodic job that finishes the clean-up of a connection the gateway closed.

    Time is abstract: its next run comes after the ``$disconnect`` lambda crashed or its invocation was lost (``tick``,
    see :func:`sweep`), so a state with that run still to come is not quiescent. A run after a clean-up that finished
    would find nothing to do, so it is not modelled. It tombstones, deletes the rows and, if the app accepted the
    connection, tells the app.
    """
    return Chart(
        "sweeper",
        State("idle", on={"tick": Transition("tombstoning", actions=send("db", "tombstone"))}),
        State("tombstoning", on={"tombstoned": Transition("deleting", actions=[send("db", "delete_subs"), if_(event.was_live, send("app", "close"))])}),
        State("deleting", on={"deleted": "idle"}),
        doc="The sweeper (amendment): a periodic clean-up of closed connections.",
    )


# --------------------------------------------------------------------------- the app


def app_chart(cfg: Config | bool = False) -> Chart:
    """The application: accepts or rejects OPEN, answers TEXT with PUBLISH, forgets on CLOSE, one control call.

    The worded properties record whether it got a ``CLOSE`` (``closed``), which S1 as the specification words it
    counts; with c2 a member, ``published`` is every text it published to the channel (S3 for c2). Amended
    (``recorded-decision``), it records its decision in the connection's row before answering, and a decision that
    finds the row tombstoned is not taken: the connection is gone, the app answers reject and forgets it.
    """
    cfg = cfg if isinstance(cfg, Config) else Config("naive", None, Bounds(worded=cfg))
    worded, c2 = cfg.bounds.worded, cfg.bounds.c2 == "member"
    recorded = cfg.amended("recorded-decision")

    def published(text: Any, when: Any = True) -> dict[str, Any]:
        return {"published": if_else(when, call("add", ctx.published, text), ctx.published)} if c2 else {}

    def decide(ok: Any, keep: Any, to_connect: Any) -> list[Any]:
        """The app's decision ``ok``; it keeps the connection (present, subscribed, joined published) if ``keep``."""
        return [
            assign(
                present=keep,
                subscribed=keep,
                decision=if_else(ok, "accepted", "rejected"),
                pubs=if_else(keep, call("add", ctx.pubs, "joined"), ctx.pubs),
                **published("joined", keep),
            ),
            to_connect(keep),
        ]

    if recorded:
        on_open = Transition("deciding", actions=choose("ok", (True, False), lambda ok: send("db", "decide", ok=ok)))
        # a CLOSE that overtakes the decision is remembered (told): the connection is then not kept
        keep = event.ok & ~event.gone & ~ctx.told
        deciding = [State("deciding", on={"decided": Transition("ready", actions=decide(event.ok, keep, lambda ok: send("connect", "answer", ok=ok)))})]
    else:
        on_open = Transition(actions=choose("ok", (True, False), lambda ok: decide(ok, ok, lambda ok: reply("answer", ok=ok))))
        deciding = []
    kinds = cfg.bounds.calls
    oob = choose(
        "kind",
        kinds,
        lambda kind: [
            assign(pubs=if_else((kind == "publish") & ctx.subscribed, call("add", ctx.pubs, "news"), ctx.pubs), **published("news", kind == "publish")),
            send("control", "call", kind=kind),
        ],
    )
    return Chart(
        "app",
        State(
            "serving",
            State("ready"),
            *deciding,
            on={
                "open": on_open,
                "text": Transition(
                    actions=[
                        assign(heard=True, pubs=if_else(ctx.subscribed, call("add", ctx.pubs, event.m), ctx.pubs), **published(event.m)),
                        reply("answer", m=event.m, n=3),
                    ]
                ),
                "close": Transition(actions=assign(present=False, subscribed=False, **({"closed": True} if worded else {}), **({"told": True} if recorded else {}))),
                "oob": Transition(guard=ctx.present, actions=oob),
            },
        ),
        context={
            "decision": "none",
            "present": False,
            "subscribed": False,
            "pubs": frozenset(),
            "heard": False,
            **({"closed": False} if worded else {}),
            **({"published": frozenset()} if c2 else {}),
            **({"told": False} if recorded else {}),
        },
        doc="The app behind the gateway; pubs and heard are history fields for S1 and S3.",
    )


# --------------------------------------------------------------------------- the database


def _members_query() -> list[Transition]:
    """Who subscribes to ch, read from the lagging index: stale until the index has caught up with the base table.

    The catch-up (an environment step) is folded into the read: a read while the index lags
    sees either the old or the new membership, and seeing the new one means it caught up.
    That is the same set of observable behaviours as a free-running catch-up step, with
    fewer interleavings.
    """
    return [
        Transition(guard=ctx.idx == ctx.sub, actions=reply("members", c1=ctx.sub)),
        Transition(
            actions=choose("fresh", (False, True), lambda fresh: [assign(idx=if_else(fresh, ctx.sub, ctx.idx)), reply("members", c1=if_else(fresh, ctx.sub, ctx.idx))])
        ),
    ]


def _publish(cfg: Config) -> list[Transition]:
    """The fixed design's PUBLISH(ch, m) for c1: into the outbox while opening, direct (answered) when open.

    Membership is read from the base table (``sub``), or, mutated, from the lagging index.
    """

    def run(member: Any) -> list[Any]:
        opening = ctx.conn == "opening"
        return [
            assign(outbox=if_else(member & opening, call("append", ctx.outbox, (event.n, event.text)), ctx.outbox)),
            reply("published", direct=member & (ctx.conn == "open")),
        ]

    if not cfg.lagging:
        return [Transition(actions=run(ctx.sub))]
    return [
        Transition(guard=ctx.idx == ctx.sub, actions=run(ctx.sub)),
        Transition(actions=choose("fresh", (False, True), lambda fresh: [*run(if_else(fresh, ctx.sub, ctx.idx)), assign(idx=if_else(fresh, ctx.sub, ctx.idx))])),
    ]


def db_chart(cfg: Config) -> Chart:
    """Connection and subscription rows of c1 (one request, one linearizable step), and the lagging index."""
    on: dict[str, Any] = {}
    context: dict[str, Any] = {"conn": "none", "sub": False}
    if cfg.lagging:
        context["idx"] = False
    if not cfg.fixed:
        on.update(
            {
                "accept": Transition(actions=[assign(conn=const("meta"), sub=ctx.sub | event.sub), reply("saved")]),
                "subscribe": Transition(actions=[assign(sub=True), reply("subscribed")]),
                "members": _members_query() if cfg.lagging else Transition(actions=reply("members", c1=ctx.sub)),
                "delete_rows": Transition(actions=[assign(conn=const("none"), sub=False), reply("deleted")]),
            }
        )
        return Chart("db", State("tables", on=on), context=context, doc="DynamoDB: metadata and Sub rows of c1; idx is the lagging GSI.")
    live = ctx.conn.is_in(("opening", "open"))
    opening = ctx.conn == "opening"
    check = ctx.conn != "closed"
    # the commit's PUBLISH(ch, joined) reads membership too: the base table already has the Sub row written in the same
    # transaction, the lagging index (mutation) does not yet
    joined = if_else(ctx.idx, ((1, "welcome"), (2, "joined")), ((1, "welcome"),)) if cfg.lagging else ((1, "welcome"), (2, "joined"))
    early = cfg.mutation == "early-flip"

    queued_close = cfg.amended("queued-close")

    def head() -> list[Any]:
        """Flip to open once the outbox is empty (or at once, mutated), then answer with the head; amended, a CLOSE
        requested while opening comes after the outbox, instead of the flip."""
        empty = call("len", ctx.outbox) == 0
        flip_when = opening if early else opening & empty
        if queued_close:
            flip_when = flip_when & ~ctx.closing
        answer = if_(empty, reply("head", empty=True), [reply("head", empty=False, n=ctx.outbox[0][0], text=ctx.outbox[0][1])])
        if queued_close:
            answer = if_(empty & ctx.closing & opening, reply("head", empty=False, n=4, text=const("CLOSE")), answer)
        return [assign(conn=if_else(flip_when, "open", ctx.conn)), answer]

    context.update({"outbox": (), "flusher": ""})
    commit_outbox: Any = joined
    if cfg.amended("recorded-decision"):
        # the record is opening from the app's decision on, so what the app publishes before the commit lands waits in
        # the outbox; the commit puts welcome and joined before it (the app's order). Within the bounds (one control
        # call) the outbox holds at most one item before the commit.
        commit_outbox = if_else(call("len", ctx.outbox) == 0, joined, call("append", joined, ctx.outbox[0]))
    if queued_close:  # CLOSE for a connection not yet open is a delivery like any other: it waits for the flush
        context["closing"] = False
        on["close_req"] = Transition(actions=[assign(closing=ctx.closing | ctx.conn.is_in(("none", "opening"))), reply("close_queued", direct=ctx.conn == "open")])
    fan: dict[str, Any] = {}
    if cfg.amended("recorded-decision") and cfg.bounds.c2 == "member":  # PUBLISH joined for c2, recorded with the decision
        context["fan"] = ()
        fan = {"fan": if_else(event.ok, ((2, "joined"),), ())}
        fan_head = if_(call("len", ctx.fan) == 0, reply("fan_head", empty=True), [reply("fan_head", empty=False, n=ctx.fan[0][0], text=ctx.fan[0][1])])
        on["fan_peek"] = Transition(actions=fan_head)
        # acknowledged by whoever posted it (the watcher, or a later publisher posting it first): popped once
        acked = (ctx.fan[0][0] == event.n) & (ctx.fan[0][1] == event.text)
        popped = if_else(call("len", ctx.fan) == 0, ctx.fan, if_else(acked, call("tail", ctx.fan), ctx.fan))
        on["fan_ack"] = Transition(actions=[assign(fan=popped), fan_head])
    was_live = ctx.conn.not_in(("closed", "rejected"))
    if cfg.amended("recorded-decision"):
        # only the app's recorded accept makes a connection one to tell the app about, and every clean-up tells it
        # (CLOSE is idempotent for the app): a retried clean-up that finds its own tombstone still tells it
        context["decided"] = "none"
        was_live = ctx.decided == "accepted"
        on["decide"] = [
            Transition(guard=ctx.conn == "closed", actions=reply("decided", ok=event.ok, gone=True)),
            Transition(
                actions=[
                    # the decision applies the subscription at once: SUBSCRIBE takes effect before the app answers
                    assign(decided=if_else(event.ok, "accepted", "rejected"), conn=if_else(event.ok, "opening", ctx.conn), sub=ctx.sub | event.ok, **fan),
                    reply("decided", ok=event.ok, gone=False),
                ]
            ),
        ]
    subscribe_ok = live if cfg.mutation != "no-liveness-check" else True
    on.update(
        {
            "commit": [
                Transition(guard=check, actions=[assign(conn=const("opening"), sub=True, outbox=commit_outbox), reply("committed", ok=True)]),
                Transition(actions=reply("committed", ok=False)),
            ],
            "reject": Transition(actions=[assign(conn=if_else(check, "rejected", ctx.conn)), reply("rejected")]),
            "subscribe": [
                Transition(guard=subscribe_ok, actions=[assign(sub=True), reply("subscribed")]),
                Transition(actions=reply("subscribed")),
            ],
            "deliver": Transition(
                actions=[
                    assign(outbox=if_else(opening, call("append", ctx.outbox, (event.n, event.text)), ctx.outbox)),
                    reply("delivered", direct=ctx.conn == "open"),
                ]
            ),
            "publish": _publish(cfg),
            "peek": [
                Transition(guard=(ctx.flusher == "") | (ctx.flusher == event.origin), actions=[assign(flusher=event.origin), *head()]),
                Transition(actions=reply("head", empty=True)),  # another run holds the flush: nothing for this one
            ],
            "ack": Transition(actions=[assign(outbox=call("tail", ctx.outbox)), *head()]),
            "tombstone": Transition(
                actions=[
                    reply("tombstoned", was_live=was_live),
                    assign(conn=if_else(ctx.conn == "rejected", "rejected", "closed")),
                ]
            ),
            "delete_subs": Transition(actions=[assign(sub=False, outbox=()), reply("deleted")]),
            # amendment atomic-cleanup: the tombstone and the deletion of the rows in one transaction
            "close_rows": Transition(actions=[assign(conn=if_else(ctx.conn == "rejected", "rejected", "closed"), sub=False, outbox=()), reply("deleted")]),
        }
    )
    return Chart("db", State("tables", on=on), context=context, doc="Connection record (opening/open/closed/rejected) with its outbox, Sub rows.")


# --------------------------------------------------------------------------- properties


def _received_texts() -> Any:
    return actor("client").received


def _got(text: str) -> Any:
    """Whether the client received ``text``."""
    return any_of("r", _received_texts(), lambda r: r[1] == text)


def _in_order(rec: Any) -> Any:
    """What the app sent in order arrives in order, each once: welcome (1), joined (2), then distinct later texts (3)."""
    i = var("i")
    ordered = (rec[i][0] < rec[i + 1][0]) | ((rec[i][0] == 3) & (rec[i + 1][0] == 3) & (rec[i][1] != rec[i + 1][1]))
    return all_of("i", call("range", call("len", rec) - 1), lambda _i: ordered)


def properties(cfg: Config) -> list[Any]:
    """S1-S4, L1-L2 and the reachability goals."""
    quiescent = in_flight() == 0
    rec = _received_texts()
    client_open = actor("client").in_state("open")
    app = actor("app")
    traffic = app.heard | app.closed if cfg.bounds.worded else app.heard
    s1 = ~((app.decision == "rejected") & (traffic | (call("len", rec) > 0)))
    live = LIVE[cfg.design]
    gw = actor("gw")
    connecting_or_open = gw.in_state("connecting") | gw.in_state("open") if cfg.bounds.worded else actor("db").conn.is_in(live)
    s2 = ~(quiescent & actor("db").sub & ~connecting_or_open)
    s3 = ~(quiescent & client_open & ~all_of("p", actor("app").pubs, lambda p: any_of("r", rec, lambda r: r[1] == p)))
    s4 = _in_order(rec)
    if cfg.bounds.c2 == "member":  # c2 stays open and subscribed: it receives everything published, once, in order
        rec2 = actor("c2").received
        s3 = s3 & ~(quiescent & ~all_of("p", actor("app").published, lambda p: any_of("r", rec2, lambda r: r[1] == p)))
        s4 = s4 & _in_order(rec2)
    elif cfg.bounds.c2 == "rejected":  # the rejected connection receives nothing
        s1 = s1 & (call("len", actor("c2").received) == 0)
    props: list[Any] = [
        invariant("S1 no traffic for a rejected connection", s1),
        invariant("S2 no ghost subscriptions", s2),
        invariant("S3 causal subscribe", s3),
        invariant("S4 per-connection FIFO", s4),
        sometimes("accepted", actor("gw").in_state("open")),
        sometimes("welcome received", _got("welcome")),
        sometimes("publish reaches a subscriber", _got("joined") | _got("hi")),
    ]
    if cfg.bounds.liveness:
        props += [
            leads_to("L1 open leads to welcome", client_open, _got("welcome") | actor("client").in_state("closed")),
            leads_to(
                "L2 present leads to open or CLOSE",
                actor("app").present,
                actor("gw").in_state("open") | actor("gw").in_state("closed") | ~actor("app").present,
            ),
        ]
    return props


# --------------------------------------------------------------------------- the system

_CRASHED = {"connect": "connect", "connect-asking": "connect", "message": "message", "disconnect": "disconnect", "runner": "runner"}
"""The actor each crash site belongs to."""


def faults_chart(sites: list[str]) -> Chart:
    """The environment's crash budget shared by several lambdas: a ``crash(at)`` stimulus strikes the lambda ``at``."""
    return Chart(
        "faults",
        State("armed", on={"crash": [Transition(guard=event.at == site, actions=send(site, "crash")) for site in sites]}),
        doc="Strikes one lambda with a crash; a crash that reaches an idle lambda is lost (it struck between invocations).",
    )


def build(design: str = "naive", *, mutation: str | None = None, **bounds: Any) -> System:
    """The gateway system for one design (and optionally one mutation of the fixed design).

    ``bounds`` override the fields of :class:`Bounds` (``frames``, ``oob``, ``crash``,
    ``duplicates``, ``retries``, ``grace``, ``leave``, ``liveness``, ``lag``, ``crash_in``, ``worded``,
    ``amend``, ``calls``, ``idle``, ``lose``, ``c2``, ``overlap``).
    """
    if design not in DESIGNS:
        raise ValueError(f"unknown design {design!r}; designs: {', '.join(DESIGNS)}")
    if mutation is not None and (mutation not in MUTATIONS or design != "fixed"):
        raise ValueError(f"mutation {mutation!r}: mutations ({', '.join(MUTATIONS)}) apply to the fixed design only")
    known = {f.name for f in fields(Bounds)}
    unknown = set(bounds) - known
    if unknown:
        raise ValueError(f"unknown bounds {', '.join(sorted(unknown))}; bounds: {', '.join(sorted(known))}")
    if isinstance(bounds.get("crash_in"), (list, str)):
        bounds["crash_in"] = (bounds["crash_in"],) if isinstance(bounds["crash_in"], str) else tuple(bounds["crash_in"])
    for key in ("calls",):
        if isinstance(bounds.get(key), (list, str)):
            bounds[key] = (bounds[key],) if isinstance(bounds[key], str) else tuple(bounds[key])
    if set(bounds.get("calls", ())) - set(CALLS) or bounds.get("calls") == ():
        raise ValueError(f"calls={bounds['calls']!r}: calls are a non-empty tuple among: {', '.join(CALLS)}")
    if bounds.get("c2") not in (None, "member", "rejected"):
        raise ValueError(f'c2={bounds["c2"]!r}: c2 is "member", "rejected" or None')
    if isinstance(bounds.get("amend"), (list, str)):
        bounds["amend"] = (bounds["amend"],) if isinstance(bounds["amend"], str) else tuple(bounds["amend"])
    if bounds.get("amend") and (design != "fixed" or set(bounds["amend"]) - set(AMENDMENTS)):
        raise ValueError(f"amend={bounds['amend']!r}: amendments ({', '.join(AMENDMENTS)}) apply to the fixed design only")
    bad = set(bounds.get("crash_in", ())) - set(CRASH_SITES)
    if bad:
        raise ValueError(f"unknown crash sites {', '.join(sorted(bad))}; crash_in takes sites among: {', '.join(CRASH_SITES)}")
    cfg = Config(design, mutation, replace(Bounds(), **bounds))
    b = cfg.bounds
    actors = [
        Actor("client", client_chart(cfg.amended("dedup"))),
        Actor("gw", gateway_chart(cfg)),
        Actor("connect", connect_chart(cfg)),
        Actor("message", message_chart(cfg)),
        Actor("disconnect", disconnect_chart(cfg)),
        Actor("control", control_chart(cfg)),
        Actor("db", db_chart(cfg)),
        Actor("app", app_chart(cfg)),
    ]
    if design != "naive":
        actors.append(Actor("runner", runner_chart(cfg)))
        if b.overlap and b.duplicates:
            actors.append(Actor("runner2", runner_chart(cfg)))
    if b.c2:
        actors.append(Actor("c2", peer_chart(b.c2, cfg.amended("dedup"))))
    if cfg.amended("sweeper"):
        actors.append(Actor("sweeper", sweeper_chart(cfg)))
    stimuli = []
    if b.frames:
        stimuli.append(Stimulus("client", "say", max=b.frames))
    if b.leave:
        stimuli.append(Stimulus("client", "leave", max=1))
    if b.oob:
        stimuli.append(Stimulus("app", "oob", max=b.oob))
    if b.idle:
        stimuli.append(Stimulus("gw", "idle_timeout"))  # unbounded: a step only where it is taken (an open connection)
    if b.lose:
        stimuli.append(Stimulus("gw", "lose"))  # likewise: only while the $disconnect invocation is pending
    present = {a.name for a in actors}
    sites = sorted({_CRASHED[site] for site in b.crash_in if cfg.crashes(site) and _CRASHED[site] in present})
    if len(sites) == 1:
        stimuli.append(Stimulus(sites[0], "crash", max=b.crash))
    elif sites:  # one budget for several lambdas: the environment picks which one it strikes
        actors.append(Actor("faults", faults_chart(sites)))
        stimuli.append(Stimulus("faults", "crash", data=[{"at": site} for site in sites], max=b.crash))
    name = f"websocket-gateway[{design}{'/' + mutation if mutation else ''}]"
    return System(
        name,
        actors=actors,
        network="fifo",
        stimuli=stimuli,
        properties=properties(cfg),
        check_deadlock=False,
        doc=f"The serverless WebSocket gateway, {design} design" + (f", mutated: {MUTATIONS[mutation]}" if mutation else ""),
    )


system = build("naive")
"""The naive design with the default bounds (``examples.websocket_gateway:system``)."""
