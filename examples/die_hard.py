"""Die Hard jugs: with a 5-gallon and a 3-gallon jug, measure exactly 4 gallons.

The classic TLA+ example: the invariant ``big != 4`` is *meant* to fail, and the
counterexample is the solution. BFS finds the shortest one, 6 steps, as TLC does.
"""

from __future__ import annotations

from simulate import Actor, Stimulus, System, actor, explore, invariant, sometimes
from statecharts import Chart, State, Transition, assign, ctx, if_else


def jugs_chart() -> Chart:
    """Two jugs; each action is an event from the environment."""
    small, big = ctx.small, ctx.big
    return Chart(
        "Jugs",
        State(
            "pouring",
            on={
                "fill_small": Transition(actions=assign(small=3)),
                "fill_big": Transition(actions=assign(big=5)),
                "empty_small": Transition(actions=assign(small=0)),
                "empty_big": Transition(actions=assign(big=0)),
                "small_to_big": Transition(
                    actions=assign(
                        big=if_else(big + small <= 5, big + small, 5),
                        small=if_else(big + small <= 5, 0, small - (5 - big)),
                    )
                ),
                "big_to_small": Transition(
                    actions=assign(
                        small=if_else(big + small <= 3, big + small, 3),
                        big=if_else(big + small <= 3, 0, big - (3 - small)),
                    )
                ),
            },
        ),
        context={"small": 0, "big": 0},
    )


def system() -> System:
    """The jugs and the six actions of the environment."""
    events = ["fill_small", "fill_big", "empty_small", "empty_big", "small_to_big", "big_to_small"]
    return System(
        "DieHard",
        actors=[Actor("jugs", jugs_chart())],
        stimuli=[Stimulus("jugs", e) for e in events],
        properties=[
            invariant("NotSolved", actor("jugs").big != 4),
            sometimes("Solvable", actor("jugs").big == 4),
        ],
        check_deadlock=False,
    )


def main() -> None:
    from examples._artifacts import write_artifacts

    sys_ = system()
    result = explore(sys_)
    print(result.summary())
    trace = result.verdict("NotSolved").trace
    if trace is not None:
        print(trace.format())
    write_artifacts(sys_, result, "out/die_hard")


if __name__ == "__main__":
    main()
