"""Designs, mutations, bounds and the small helpers every chart of the gateway model shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from statecharts import State, Transition, assign, const, ctx, event, send

DESIGNS: tuple[str, ...] = ("naive", "deferred", "grace-retry", "fixed")
"""The four designs of the document, in the order the story tells them."""

MUTATIONS: dict[str, str] = {
    "no-liveness-check": "SUBSCRIBE no longer checks, in its transaction, that the connection is not closed",
    "lagging-index": "membership is read from the lagging subscribers-of-channel index instead of the base table",
    "early-flip": "the record flips to open when the flush starts, before the outbox is empty",
    "poll-no-wait": "the watcher polls with a single GET at once instead of waiting for the handshake",
}
"""Mutations of the fixed design; each must bring a failure back."""

LIVE = {"naive": ("meta",), "deferred": ("meta",), "grace-retry": ("meta",), "fixed": ("opening", "open")}
"""The database states of a connection row that count as connecting or open (S2)."""


AMENDMENTS: dict[str, str] = {
    "atomic-cleanup": "$disconnect writes the tombstone and deletes the Sub rows in one transaction",
    "dedup": "each item carries its sequence number and the client drops one it has already received",
    "queued-close": "the app's CLOSE for a connection not yet open waits in its record; the watcher DELETEs it after the flush",
    "sweeper": "a periodic sweeper finishes the clean-up of a connection the gateway has closed (a lost or crashed $disconnect)",
    "recorded-decision": (
        "the app records its decision on OPEN (and its PUBLISH for the other members) in the connection's row, conditioned"
        " on no tombstone, and remembers a CLOSE that overtook it; clean-ups tell the app CLOSE only if it accepted;"
        " the watcher (retried), not $connect, posts the recorded PUBLISH"
    ),
}
"""Amendments of the fixed design, found from its failures under the full fault model (``Bounds.amend``)."""

CALLS: dict[str, str] = {
    "subscribe": "[SUBSCRIBE(c1, ch), TEXT(c1, news)]",
    "publish": "[PUBLISH(ch, news)]",
    "close": "[CLOSE(c1)]: DELETE @connections/c1, then the clean-up",
}
"""The app's out-of-band control calls (``Bounds.calls``: the batches it may choose among)."""

CRASH_SITES: dict[str, str] = {
    "connect": "the $connect lambda, between any two of its calls after the app answered OPEN",
    "connect-asking": "the $connect lambda, also while the app is deciding (before its answer is taken in)",
    "message": "the message lambda, between any two of its calls (never retried)",
    "disconnect": "the $disconnect lambda, between any two of its calls (never retried: the clean-up stops half-way)",
    "runner": "the async runner, between any two of its calls (the invocation is retried from the start)",
}
"""Where a lambda may crash; ``Bounds.crash`` crashes in all strike one of the sites in ``Bounds.crash_in``."""


@dataclass(frozen=True)
class Bounds:
    """What keeps the state space finite (the document's bounds, with one connection under test).

    ``frames``: frames the client may send (0 or 1). ``oob``: out-of-band control calls
    (0 or 1). ``crash``: connect-lambda crashes. ``duplicates``: duplicate deliveries of
    the async invocation (0 or 1). ``retries``: async retries after a throw (deferred).
    ``grace``: retries of a 410 (grace-retry). ``leave``: whether the client may leave.
    ``liveness``: whether L1/L2 are part of the system (they make the explorer keep the graph).
    ``lag``: whether the subscribers-of-channel index lags (None: the design's own choice, the
    lagging index for every design but the fixed one), so a design's own mechanism can be shown
    apart from the index bug. ``crash_in``: where the ``crash`` budget may strike (see
    :data:`CRASH_SITES`). ``worded``: the properties as the specification words them (S1 counts
    ``CLOSE`` too; S2 reads the gateway's state of the connection, not the database row).
    ``amend``: amendments of the fixed design (see :data:`AMENDMENTS`). ``calls``: the batches the
    out-of-band control call may be (see :data:`CALLS`). ``idle``: the gateway may close an open
    connection for idleness. ``lose``: the gateway may lose the ``$disconnect`` invocation (it is
    delivered at most once). ``c2``: the second connection, ``"member"`` (open and subscribed to the
    channel) or ``"rejected"``, or None. ``overlap``: a duplicated async invocation runs concurrently
    with the first (a second runner instance) instead of after it.
    """

    frames: int = 1
    oob: int = 1
    crash: int = 1
    duplicates: int = 1
    retries: int = 1
    grace: int = 1
    leave: bool = True
    liveness: bool = True
    lag: bool | None = None
    crash_in: tuple[str, ...] = ("connect",)
    worded: bool = True
    amend: tuple[str, ...] = ()
    calls: tuple[str, ...] = ("subscribe",)
    idle: bool = False
    lose: bool = False
    c2: str | None = None
    overlap: bool = False


SPEC: dict[str, Any] = {
    "worded": True,
    "crash_in": tuple(CRASH_SITES),
    "calls": tuple(CALLS),
    "idle": True,
    "lose": True,
    "c2": "member",
    "overlap": True,
}
"""The switches that make the model the whole specification: its wording, every crash site, every control call, the idle
timeout, a lost ``$disconnect``, the second connection and overlapping duplicate runs (``build(design, **SPEC)``)."""

FINAL: tuple[str, ...] = ("recorded-decision", "sweeper", "dedup", "queued-close")
"""The amendments that make the fixed design pass under the specification's fault model (see the README's story)."""

FINAL_SITES: tuple[str, ...] = ("connect", "connect-asking", "disconnect", "runner")
"""Every crash site but the message lambda's: a crash there after the app answered loses the answer's commands in every
design (API Gateway never retries a message integration); the final design rests on that not happening."""

NARROW: dict[str, Any] = {"worded": False}
"""The first, narrow model (S1 without ``CLOSE``, S2 over the database row), kept for its regression numbers."""


@dataclass(frozen=True)
class Config:
    design: str
    mutation: str | None
    bounds: Bounds

    @property
    def fixed(self) -> bool:
        return self.design == "fixed"

    @property
    def lagging(self) -> bool:
        """Whether publishes read the lagging index (by default every design but the fixed one, and its mutation)."""
        if self.mutation == "lagging-index":
            return True
        return not self.fixed if self.bounds.lag is None else self.bounds.lag

    def amended(self, amendment: str) -> bool:
        """Whether the fixed design carries ``amendment`` (one of :data:`AMENDMENTS`)."""
        return self.fixed and amendment in self.bounds.amend

    def crashes(self, site: str) -> bool:
        """Whether the crash budget may strike at ``site`` (one of :data:`CRASH_SITES`)."""
        return self.bounds.crash > 0 and site in self.bounds.crash_in


# --------------------------------------------------------------------------- small helpers


def _post(n: Any, text: Any, to: str = "gw") -> Any:
    """``POST @connections/c1`` (``to="c2"``: the second connection): the gateway answers ``posted(ok)``."""
    return send(to, "post", n=n, text=const(text) if isinstance(text, str) else text)


def fan_out(cfg: Config, name: str, n: int, text: Any, target: str, actions: Any = ()) -> tuple[str, list[Any], list[State]]:
    """PUBLISH's post to the second connection, when it is a member: ``(state, actions, states)`` to use in place of
    going to ``target`` with ``actions``; ``name`` names the state that awaits c2's answer.

    Amended (``recorded-decision``), the app's earlier PUBLISH recorded with its decision and not yet posted goes first,
    so that c2 receives the app's publishes in the app's order.
    """
    if cfg.bounds.c2 != "member":
        return target, _as_list(actions), []
    if not cfg.amended("recorded-decision"):
        return name, [_post(n, text, "c2")], [State(name, on={"posted": Transition(target, actions=actions)})]
    pending, earlier = f"{name}_pending", f"{name}_earlier"
    return (
        pending,
        [send("db", "fan_peek")],
        [
            State(
                pending,
                on={"fan_head": [Transition(earlier, guard=~event.empty, actions=_post(event.n, event.text, "c2")), Transition(name, actions=_post(n, text, "c2"))]},
            ),
            State(earlier, on={"posted": Transition(pending, actions=send("db", "fan_ack", n=event.n, text=event.text))}),
            State(name, on={"posted": Transition(target, actions=actions)}),
        ],
    )


def _retrying_post(state: str, n: Any, text: Any, then: str, cfg: Config, extra: Any = ()) -> State:
    """A state awaiting the answer to a POST; grace-retry re-sends a 410 up to ``grace`` times.

    ``then`` is the state entered once the POST succeeded or was given up (410 ignored);
    ``extra`` are the actions of that step.
    """
    if cfg.design != "grace-retry":
        return State(state, on={"posted": Transition(then, actions=extra)})
    return State(
        state,
        on={
            "posted": [
                Transition(then, guard=event.ok | (ctx.tries == 0), actions=[assign(tries=cfg.bounds.grace), *_as_list(extra)]),
                Transition(actions=[assign(tries=ctx.tries - 1), _post(n, text)]),
            ]
        },
    )


def _as_list(actions: Any) -> list[Any]:
    return list(actions) if isinstance(actions, (list, tuple)) else [actions]


def _lambda_context(cfg: Config) -> dict[str, Any]:
    return {"tries": cfg.bounds.grace} if cfg.design == "grace-retry" else {}


def crashable(cfg: Config, site: str, states: list[State], effect: Any = ()) -> list[State]:
    """The lambda's working states, wrapped in ``busy`` when the crash budget may strike there: a crash ends the run
    (``effect`` is what the platform does about it) and the lambda is idle again."""
    if not cfg.crashes(site):
        return states
    return [State("busy", *states, on={"crash": Transition("idle", actions=effect)})]


def sweep(cfg: Config) -> list[Any]:
    """Amendment ``sweeper``: the sweeper's next periodic run, due once a ``$disconnect`` clean-up is known not to
    happen or not to finish (its invocation lost, its lambda crashed): the abstraction of a period longer than a run."""
    return [send("sweeper", "tick")] if cfg.amended("sweeper") else []
