"""A distributed lock: request / grant / release with a queue at the lock server, then leases.

Clients ask a ``lock`` server for the lock; the server grants it to one client at a time,
queues the others and hands the lock to the head of the queue on release. A client in its
critical section writes to a ``storage`` service, waits for the answer and releases.
Every grant carries a token, incremented per grant (the server's epoch).

Variants:

* ``queue``: no timeouts. ``MutualExclusion`` (never two clients in their critical
  sections) holds, and so does ``RequestGranted`` (a waiting client eventually gets the
  lock, under weak fairness of deliveries and of the clients' ``release``).
* ``lease``: the grant is a lease that expires (an ``after`` timer at the server; time is
  abstract, so it may expire at any moment), and a waiting client retries its request
  after a timeout (``after``, one retry). The server then hands the lock to the next
  client while the first one is still in its critical section, e.g. paused by a garbage
  collector: ``MutualExclusion`` fails, and the storage accepts a write from the old
  holder after one from the new holder (``NoStaleWrite``).
* ``fenced``: the same leases, and the storage rejects writes whose token is lower than
  the highest it has seen (a fencing token). ``NoStaleWrite`` holds again. The honest
  outcome: ``MutualExclusion`` of the clients' *beliefs* still fails (a client cannot
  know its lease expired); fencing protects the resource, not the clients.

Exploring two rounds per client with leases (2.4 million states, minutes) first found a
deadlock in 31 steps: a retried request crossed its grant and queued the client again; the
lock later "granted" it to the idle client, then ignored its next request as a duplicate
from the holder, and the client waited forever. The server now answers a request from the
holder with the grant again; with that, no deadlock.
"""

from __future__ import annotations

from simulate import Actor, Stimulus, System, actor, invariant, leads_to
from statecharts import Chart, State, Transition, assign, call, ctx, event, reply, send

VARIANTS = ("queue", "lease", "fenced")
LEASE_MS = 100
RETRY_MS = 50
MAX_RETRIES = 1


def lock_chart(lease: bool = False) -> Chart:
    """The lock server: the holder, a FIFO queue of waiting clients, the token of the current grant."""
    grant_next = [
        assign(holder=call("head", ctx.queue), queue=call("tail", ctx.queue), token=ctx.token + 1),
        send(ctx.holder, "grant", token=ctx.token),
    ]
    nobody_waits = call("len", ctx.queue) == 0
    by_holder = event.origin == ctx.holder
    expire = [Transition("free", guard=nobody_waits, actions=assign(holder=None)), Transition("held", actions=grant_next)]
    return Chart(
        "LeaseLock" if lease else "Lock",
        State(
            "free",
            on={
                "request": Transition("held", actions=[assign(holder=event.origin, token=ctx.token + 1), reply("grant", token=ctx.token)]),
                "release": Transition(),  # a late release of an expired lease: ignored
            },
        ),
        State(
            "held",
            on={
                "request": [
                    # the holder asks again (a retry crossed the grant, or an old grant was lost): grant again
                    Transition(guard=by_holder, actions=reply("grant", token=ctx.token)),
                    Transition(guard=ctx.queue.contains(event.origin)),  # a retry of a queued client: already known
                    Transition(actions=assign(queue=call("append", ctx.queue, event.origin))),
                ],
                "release": [
                    Transition("free", guard=by_holder & nobody_waits, actions=assign(holder=None)),
                    Transition("held", guard=by_holder, actions=grant_next),
                    Transition(),  # from a client whose lease expired: ignored
                ],
            },
            after={LEASE_MS: expire} if lease else None,
        ),
        context={"holder": None, "queue": (), "token": 0},
    )


def client_chart(retry: bool = False) -> Chart:
    """A client: acquire, wait for the grant (retrying once on timeout), write in the critical section, release."""
    request = [send("lock", "request")]
    return Chart(
        "Client",
        State("idle", on={"acquire": Transition("waiting", actions=[*request, assign(retries=0)])}),
        State(
            "waiting",
            on={"grant": Transition("critical", actions=assign(token=event.token))},
            after={RETRY_MS: Transition("waiting", guard=ctx.retries < MAX_RETRIES, actions=[*request, assign(retries=ctx.retries + 1)])}
            if retry
            else None,
        ),
        State(
            "critical",
            entry=send("storage", "write", token=ctx.token),
            on={"written": "leaving"},
        ),
        State("leaving", on={"release": Transition("idle", actions=send("lock", "release"))}),
        context={"token": 0, "retries": 0},
    )


def storage_chart(fencing: bool = False) -> Chart:
    """The protected resource: accepts writes (with fencing: only from tokens not older than the newest seen).

    ``stale_accepted`` is a ghost field for the property: a write was accepted after a newer one.
    """
    accept = [
        assign(
            max_token=call("max", ctx.max_token, event.token),
            stale_accepted=ctx.stale_accepted | (event.token < ctx.max_token),
            writes=ctx.writes + 1,
        ),
        reply("written", ok=True),
    ]
    write: list[Transition] = []
    if fencing:
        write.append(Transition(guard=event.token < ctx.max_token, actions=reply("written", ok=False)))
    write.append(Transition(actions=accept))
    return Chart(
        "FencedStorage" if fencing else "Storage",
        State("up", on={"write": write}),
        context={"max_token": 0, "stale_accepted": False, "writes": 0},
    )


def build(variant: str = "queue", clients: int = 2, rounds: int | None = None) -> System:
    """The lock, ``clients`` clients acquiring ``rounds`` times each (2 without leases, else 1), and the storage."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")
    if rounds is None:
        rounds = 2 if variant == "queue" else 1
    lease = variant != "queue"
    critical = "len({c for c in instances('client') if In(c, 'critical') or In(c, 'leaving')}) <= 1"
    props = [
        invariant("MutualExclusion", critical),
        invariant("NoStaleWrite", ~actor("storage").stale_accepted),
    ]
    if not lease:
        first = actor("client[0]")
        props.append(leads_to("RequestGranted", first.in_state("waiting"), first.in_state("critical")))
    return System(
        f"DistributedLock({variant}, clients={clients})",
        actors=[
            Actor("lock", lock_chart(lease), end_states=["free", "held"]),
            Actor("client", client_chart(retry=lease), count=clients, end_states=["idle"]),
            Actor("storage", storage_chart(fencing=variant == "fenced"), end_states=["up"]),
        ],
        stimuli=[Stimulus("client", "acquire", max=rounds), Stimulus("client", "release", fair=True)],
        properties=props,
    )


system = build()


def main() -> None:
    """Explore the three variants; print verdicts and the shortest counterexamples."""
    from examples._artifacts import explore_and_report

    for variant in VARIANTS:
        explore_and_report(build(variant), f"out/distributed_lock/{variant}")


if __name__ == "__main__":
    main()
