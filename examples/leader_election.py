"""Leader election: the first phase of Raft (terms, RequestVote, votes, a majority), small bounds.

Three ``node`` instances of one chart start as followers. An election timeout (a
``timeout`` stimulus: any follower or candidate may time out at any moment) makes a node a
candidate for the next term: it votes for itself and asks its peers for a vote. A node
grants at most one vote per term (``voted_for``), adopts any higher term it hears of (and
steps down), and a candidate with a majority (2 of 3) becomes leader. Terms are bounded to
``MAX_TERM`` = 2 by the timeout's guard; messages go to a set (as the ``msgs`` set of TLA+
election specs: reordered, possibly delivered again). The nodes are interchangeable, so the
exploration uses symmetry (1,799 orbits instead of 10,638 states); for that, each node's
``peers`` is a set, not a tuple, whose order would tell the nodes apart.

``ElectionSafety``: at most one leader per term (two leaders of different terms may
coexist: the older one has not heard of the new term yet). It holds; a leader is elected
(``LeaderElected``). In the ``double_vote`` variant a node forgets to check ``voted_for``
and grants every candidate of its term: two leaders in term 1 after 6 steps (one term is
enough to show it, and keeps that variant's state space small).
"""

from __future__ import annotations

from simulate import Actor, Stimulus, System, invariant, sometimes
from statecharts import Chart, State, Transition, assign, call, ctx, event, foreach, reply, send

VARIANTS = ("raft", "double_vote")
NODES = 3
MAX_TERM = 2


def node_chart(nodes: int = NODES, max_term: int = MAX_TERM, check_vote: bool = True) -> Chart:
    """A Raft node restricted to elections: follower, candidate, leader."""
    majority = nodes // 2 + 1
    start_election = [
        assign(term=ctx.term + 1, voted_for=ctx.me, votes=call("set", (ctx.me,))),
        foreach(ctx.peers, "p", lambda p: send(p, "request_vote", term=ctx.term)),
    ]
    timeout = {"timeout": Transition("candidate", guard=ctx.term < max_term, actions=start_election)}
    may_grant = event.term == ctx.term
    if check_vote:
        may_grant = may_grant & ((ctx.voted_for == None) | (ctx.voted_for == event.origin))  # noqa: E711 - an expression, not a test
    newer = event.term > ctx.term
    with_vote = call("add", ctx.votes, event.origin)
    return Chart(
        "RaftNode",
        State(
            "node",
            State("follower", on=timeout),
            State(
                "candidate",
                on={
                    **timeout,
                    "vote": [
                        Transition("leader", guard=event.granted & (event.term == ctx.term) & (call("len", with_vote) >= majority), actions=assign(votes=with_vote)),
                        Transition(guard=event.granted & (event.term == ctx.term), actions=assign(votes=with_vote)),
                        Transition("follower", guard=newer, actions=assign(term=event.term, voted_for=None)),
                        Transition(),
                    ]
                },
            ),
            State("leader"),
            on={
                "request_vote": [
                    Transition("follower", guard=newer, actions=[assign(term=event.term, voted_for=event.origin), reply("vote", term=event.term, granted=True)]),
                    Transition(guard=may_grant, actions=[assign(voted_for=event.origin), reply("vote", term=ctx.term, granted=True)]),
                    # a stale candidate learns the newer term; a same-term refusal would change nothing
                    Transition(guard=event.term < ctx.term, actions=reply("vote", term=ctx.term, granted=False)),
                    Transition(),
                ],
                "vote": [Transition("follower", guard=newer, actions=assign(term=event.term, voted_for=None)), Transition()],
            },
        ),
        context={"me": "", "peers": frozenset(), "term": 0, "voted_for": None, "votes": frozenset()},
    )


ELECTION_SAFETY = (
    "all(all(a == b or not (In(a, 'leader') and In(b, 'leader') and field(a, 'term') == field(b, 'term'))"
    " for b in instances('node')) for a in instances('node'))"
)


def build(variant: str = "raft", nodes: int = NODES, max_term: int | None = None, symmetry: bool = True) -> System:
    """``nodes`` Raft nodes electing a leader, terms up to ``max_term`` (2 for ``raft``, 1 for ``double_vote``)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")
    if max_term is None:
        max_term = MAX_TERM if variant == "raft" else 1
    return System(
        f"LeaderElection({variant}, nodes={nodes}, terms<={max_term})",
        actors=[
            Actor(
                "node",
                node_chart(nodes, max_term, check_vote=variant == "raft"),
                count=nodes,
                context=lambda i: {"me": f"node[{i}]", "peers": frozenset(f"node[{j}]" for j in range(nodes) if j != i)},
                end_states=["follower", "candidate", "leader"],
            )
        ],
        network="unordered-duplicating",
        stimuli=[Stimulus("node", "timeout")],
        properties=[
            invariant("ElectionSafety", ELECTION_SAFETY),
            sometimes("LeaderElected", "any(In(n, 'leader') for n in instances('node'))"),
        ],
        symmetry=symmetry,
    )


system = build()


def main() -> None:
    """Explore both variants; print verdicts and the shortest counterexample."""
    from examples._artifacts import explore_and_report

    for variant in VARIANTS:
        explore_and_report(build(variant), f"out/leader_election/{variant}")


if __name__ == "__main__":
    main()
