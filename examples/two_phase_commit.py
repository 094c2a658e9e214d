"""Two-phase commit with votes, timeouts and a participant crash (a write-ahead log survives it).

A coordinator ``tm`` asks every participant ``rm[i]`` to prepare; each votes yes or no
(``choose``). The coordinator commits when every vote is yes and aborts on a no or when
its vote timeout (``after``) fires; it answers a participant's ``query`` with its decision.
A participant that has not voted may abort on its own timeout (safe: it has not promised
anything); once it voted yes it must wait for the decision. Its decision record ``log``
is its write-ahead log: a crash restarts the chart, which enters the state the log names.

Properties: ``Atomicity`` (no participant committed while another aborted),
``Consistency`` (a participant commits only after the coordinator decided to commit, and no
participant aborted once the coordinator committed) and the goal ``AllCommitted``.

Variants:

* ``durable``: one participant crash is allowed and ``log`` is durable (``Actor(durable=)``):
  a participant that restarts after voting yes asks the coordinator. Everything holds.
* ``volatile``: the same crash, but the log is lost: the participant forgets its yes vote,
  times out and aborts while the coordinator commits: ``Atomicity`` and ``Consistency`` fail.
* ``impatient``: no crash, but a prepared participant gives up on a timeout and aborts: the
  classic blocking problem "solved" unsafely; ``Atomicity`` fails.
"""

from __future__ import annotations

from simulate import Actor, System, actor, any_in, invariant, sometimes
from simulate import all_in as all_in_states
from statecharts import Chart, State, Transition, assign, broadcast, call, choose, const, ctx, event, reply, send

VARIANTS = ("durable", "volatile", "impatient")
TIMEOUT_MS = 100


def coordinator_chart(participants: int) -> Chart:
    """The transaction manager: broadcasts prepare, collects yes votes, decides, answers queries."""
    yes_votes = call("add", ctx.yes, event.origin)
    return Chart(
        "Coordinator",
        State(
            "collecting",
            entry=broadcast("rm", "prepare"),
            on={
                "vote": [
                    Transition("committed", guard=event.yes & (call("len", yes_votes) == participants), actions=broadcast("rm", "commit")),
                    Transition(guard=event.yes, actions=assign(yes=yes_votes)),
                    Transition("aborted", actions=broadcast("rm", "abort")),
                ],
                "query": Transition(),  # not decided yet: the decision will be broadcast
            },
            after={TIMEOUT_MS: Transition("aborted", actions=broadcast("rm", "abort"))},
        ),
        State("committed", on={"query": Transition(actions=reply("commit")), "vote": Transition()}),
        State("aborted", on={"query": Transition(actions=reply("abort")), "vote": Transition()}),
        context={"yes": frozenset()},
    )


def participant_chart(impatient: bool = False) -> Chart:
    """A resource manager; ``recover`` enters the state its log names (on start and after a crash)."""
    log = ctx.log
    return Chart(
        "Participant",
        State(
            "recover",
            always=[
                Transition("prepared", guard=log == const("prepared"), actions=send("tm", "query")),
                Transition("committed", guard=log == const("committed")),
                Transition("aborted", guard=log == const("aborted")),
                Transition("working"),
            ],
        ),
        State(
            "working",
            on={
                "prepare": Transition("deciding", actions=choose("v", (True, False), lambda v: assign(vote=v))),
                "abort": Transition("aborted", actions=assign(log=const("aborted"))),
            },
            after={TIMEOUT_MS: Transition("aborted", actions=assign(log=const("aborted")))},
        ),
        State(
            "deciding",
            always=[
                Transition("prepared", guard=ctx.vote, actions=[assign(log=const("prepared")), send("tm", "vote", yes=True)]),
                Transition("aborted", actions=[assign(log=const("aborted")), send("tm", "vote", yes=False)]),
            ],
        ),
        State(
            "prepared",
            on={
                "commit": Transition("committed", actions=assign(log=const("committed"))),
                "abort": Transition("aborted", actions=assign(log=const("aborted"))),
            },
            after={TIMEOUT_MS: Transition("aborted", actions=assign(log=const("aborted")))} if impatient else None,
        ),
        State("committed", on={"commit": Transition()}),
        State(
            "aborted",
            on={"prepare": Transition(actions=send("tm", "vote", yes=False)), "abort": Transition()},
        ),
        context={"log": "none", "vote": False},
    )


def build(variant: str = "durable", participants: int = 3) -> System:
    """The coordinator and ``participants`` participants over FIFO channels."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")
    tm = actor("tm")
    crash = 0 if variant == "impatient" else 1
    return System(
        f"TwoPhaseCommit({variant}, participants={participants})",
        actors=[
            Actor("tm", coordinator_chart(participants), end_states=["committed", "aborted"]),
            Actor(
                "rm",
                participant_chart(impatient=variant == "impatient"),
                count=participants,
                crash=crash,
                durable=["log"] if variant == "durable" else [],
                end_states=["committed", "aborted"],
            ),
        ],
        properties=[
            invariant("Atomicity", ~(any_in("rm", "committed") & any_in("rm", "aborted"))),
            invariant(
                "Consistency",
                (~any_in("rm", "committed") | tm.in_state("committed")) & (~tm.in_state("committed") | ~any_in("rm", "aborted")),
            ),
            sometimes("AllCommitted", all_in_states("rm", "committed")),
        ],
    )


system = build()


def main() -> None:
    """Explore the three variants; print verdicts and the shortest counterexamples."""
    from examples._artifacts import explore_and_report

    for variant in VARIANTS:
        explore_and_report(build(variant), f"out/two_phase_commit/{variant}")


if __name__ == "__main__":
    main()
