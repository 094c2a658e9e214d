"""TwoPhase commit as in the TLA+ Examples' TwoPhase spec: a TM, N resource managers, a message set.

Each resource manager (RM) may prepare or choose to abort while working; the transaction
manager (TM) collects ``Prepared`` messages and may commit once every RM prepared, or abort
at any time. Messages go to an unordered-duplicating network (the spec's ``msgs`` set).
TCConsistent: no RM committed while another aborted. TLC reports 288, 1,568, 8,832 and
50,816 distinct states for N = 3..6 (80, 166, 314, 553 with symmetry over the RMs).
"""

from __future__ import annotations

from simulate import Actor, Stimulus, System, any_in, explore, invariant
from statecharts import Chart, State, Transition, assign, broadcast, call, ctx, event, send


def rm_chart() -> Chart:
    """A resource manager: working -> prepared | aborted; obeys Commit / Abort from the TM."""
    return Chart(
        "RM",
        State(
            "rm",
            State("working", on={"prepare": Transition("prepared", actions=send("tm", "Prepared")), "choose_abort": "aborted"}),
            State("prepared"),
            State("committed"),
            State("aborted"),
            on={"Commit": "committed", "Abort": "aborted"},
        ),
    )


def tm_chart(rms: frozenset[str]) -> Chart:
    """The transaction manager: collects Prepared while init; commits when all prepared, or aborts."""
    return Chart(
        "TM",
        State(
            "init",
            on={
                "Prepared": Transition(None, actions=assign(prepared=call("add", ctx.prepared, event.origin))),
                "commit": Transition("committed", guard=ctx.prepared == ctx.rms, actions=broadcast("rm", "Commit")),
                "abort": Transition("aborted", actions=broadcast("rm", "Abort")),
            },
        ),
        State("committed"),
        State("aborted"),
        context={"prepared": frozenset(), "rms": rms},
    )


def system(n: int = 3, symmetry: bool = False) -> System:
    """TwoPhase with n resource managers."""
    rms = frozenset(f"rm[{i}]" for i in range(n))
    return System(
        f"TwoPhase(N={n})",
        actors=[Actor("tm", tm_chart(rms)), Actor("rm", rm_chart(), count=n)],
        network="unordered-duplicating",
        stimuli=[
            Stimulus("rm", "prepare"),
            Stimulus("rm", "choose_abort"),
            Stimulus("tm", "commit"),
            Stimulus("tm", "abort"),
        ],
        properties=[invariant("TCConsistent", ~(any_in("rm", "aborted") & any_in("rm", "committed")))],
        check_deadlock=False,
        symmetry=symmetry,
    )


def main() -> None:
    from examples._artifacts import write_artifacts

    for n in (3, 4, 5):
        print(explore(system(n)).summary())
        print(explore(system(n, symmetry=True)).summary())
    write_artifacts(system(3), explore(system(3)), "out/two_phase")


if __name__ == "__main__":
    main()
