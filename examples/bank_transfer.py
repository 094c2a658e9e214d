"""Bank transfer: two concurrent wires from alice to bob, racy and atomic.

The classic "wire" exercise of Learn TLA+ / Practical TLA+ (Hillel Wayne): alice and bob
hold 5 each; two transfer processes each move an amount between 1 and alice's balance
(picked with ``choose`` when the system starts: 5 x 5 = 25 initial states). The PlusCal
processes share the accounts, so they are the parallel regions of one chart (one region
per process, one state per PlusCal label) and the scheduler's choice "let wire k take its
next step" is an environment stimulus ``run<k>``. One step of a region is one PlusCal
label, so the state space is TLC's, state for state.

Variants:

* ``racy``: each wire *reads* alice's balance into a local, later *writes* ``bal - amount``
  back (a lost update), then deposits to bob. ``MoneyConserved`` (alice + bob + amounts
  withdrawn but not yet deposited = 10) is violated in 5 steps: both wires read 5, both
  write, one withdrawal is lost, and bob still gets both deposits.
* ``check_then_act``: the funds check and the (atomic) withdrawal are separate steps: both
  wires pass the check and alice goes negative (``NoOverdrafts``, 4 steps).
* ``atomic``: check, withdraw and deposit in one step: both invariants hold.

PlusCal specs of the three variants (reconstructed from the book's wire example) checked
with TLC 2.18 without invariants give 720 (racy), 457 (check-then-act) and 112 (atomic)
distinct states; the explorer finds the same numbers.
"""

from __future__ import annotations

from simulate import Actor, Stimulus, System, actor, invariant
from statecharts import Chart, Expr, Parallel, State, Transition, assign, call, choose, ctx, if_else

VARIANTS = ("racy", "check_then_act", "atomic")
WIRES = (1, 2)
TOTAL = 10


def _wire_region(k: int, variant: str) -> State:
    """The PlusCal process ``Wire`` number k: one state per label, one transition per step."""
    amount, bal = ctx[f"amount{k}"], ctx[f"bal{k}"]
    run = f"run{k}"
    done = State(f"done{k}")
    deposit = State(f"deposit{k}", on={run: Transition(f"done{k}", actions=assign(bob=ctx.bob + amount))})
    if variant == "racy":
        steps = [
            State(f"read{k}", on={run: Transition(f"withdraw{k}", actions=assign(**{f"bal{k}": ctx.alice}))}),
            State(
                f"withdraw{k}",
                on={run: [Transition(f"deposit{k}", guard=amount <= bal, actions=assign(alice=bal - amount)), Transition(f"done{k}")]},
            ),
            deposit,
        ]
    elif variant == "check_then_act":
        steps = [
            State(f"check{k}", on={run: [Transition(f"withdraw{k}", guard=amount <= ctx.alice), Transition(f"done{k}")]}),
            State(f"withdraw{k}", on={run: Transition(f"deposit{k}", actions=assign(alice=ctx.alice - amount))}),
            deposit,
        ]
    elif variant == "atomic":
        steps = [
            State(
                f"transfer{k}",
                on={
                    run: [
                        Transition(f"done{k}", guard=amount <= ctx.alice, actions=assign(alice=ctx.alice - amount, bob=ctx.bob + amount)),
                        Transition(f"done{k}"),
                    ]
                },
            )
        ]
    else:
        raise ValueError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")
    return State(f"wire{k}", *steps, done)


def bank_chart(variant: str = "racy") -> Chart:
    """The accounts and the two wires as parallel regions; each wire chooses its amount on entry."""
    context: dict[str, int] = {"alice": 5, "bob": 5}
    for k in WIRES:
        context[f"amount{k}"] = 0
        context[f"bal{k}"] = 0
    if variant != "racy":
        context = {k: v for k, v in context.items() if not k.startswith("bal")}
    pick = [choose(f"a{k}", call("range", 1, ctx.alice + 1), lambda a, k=k: assign(**{f"amount{k}": a})) for k in WIRES]
    return Chart(
        f"Bank({variant})",
        Parallel("wires", *[_wire_region(k, variant) for k in WIRES], entry=pick),
        context=context,
    )


def in_flight_amount(variant: str) -> Expr | int:
    """Money withdrawn from alice but not yet deposited to bob (none in the atomic variant)."""
    bank = actor("bank")
    total: Expr | int = 0
    if variant != "atomic":
        for k in WIRES:
            total = total + if_else(bank.in_state(f"deposit{k}"), getattr(bank, f"amount{k}"), 0)
    return total


def build(variant: str = "racy") -> System:
    """The bank with two concurrent wires; ``variant`` is ``racy``, ``check_then_act`` or ``atomic``."""
    bank = actor("bank")
    return System(
        f"BankTransfer({variant})",
        actors=[Actor("bank", bank_chart(variant), end_states=[f"done{k}" for k in WIRES])],
        stimuli=[Stimulus("bank", f"run{k}") for k in WIRES],
        properties=[
            invariant("MoneyConserved", bank.alice + bank.bob + in_flight_amount(variant) == TOTAL),
            invariant("NoOverdrafts", (bank.alice >= 0) & (bank.bob >= 0)),
        ],
    )


system = build()


def main() -> None:
    """Explore the three variants and print verdicts and the shortest counterexamples."""
    from examples._artifacts import explore_and_report

    for variant in VARIANTS:
        explore_and_report(build(variant), f"out/bank_transfer/{variant}")


if __name__ == "__main__":
    main()
