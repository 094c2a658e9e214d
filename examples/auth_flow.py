"""An authentication flow with a retry limit: credentials, a verifying server, lock-out after three failures.

The user submits credentials (``SUBMIT``); the chart sends them to an ``auth`` actor, which
accepts or rejects them (its choice). A rejection counts an attempt; below the limit the
user may try again, at the limit the account is ``locked`` (a final state). ``main()`` runs
the chart in the interpreter, then explores it: ``AttemptsBounded`` (never more than
``MAX_ATTEMPTS`` failures) and ``LockedOnlyAtLimit`` hold, and both ``SignedIn`` and
``LockedOut`` are reachable. The ``off_by_one`` variant writes ``>`` for ``>=`` in the
lock-out guard and lets a fourth wrong password through.
"""

from __future__ import annotations

from simulate import Actor, Stimulus, System, actor, invariant, sometimes
from statecharts import Chart, Final, Interpreter, State, Transition, assign, choose, ctx, if_, reply, send

VARIANTS = ("correct", "off_by_one")
MAX_ATTEMPTS = 3


def auth_chart(off_by_one: bool = False) -> Chart:
    """idle -> verifying -> signed_in | rejected | locked (at the limit); rejected -> verifying."""
    failures = ctx.failures + 1
    at_limit = failures > MAX_ATTEMPTS if off_by_one else failures >= MAX_ATTEMPTS
    return Chart(
        "AuthFlow",
        State("idle", on={"SUBMIT": "verifying"}),
        State(
            "verifying",
            entry=send("auth", "credentials"),
            on={
                "accepted": Transition("signed_in", actions=assign(failures=0)),
                "denied": [
                    Transition("locked", guard=at_limit, actions=assign(failures=failures)),
                    Transition("rejected", actions=assign(failures=failures)),
                ],
            },
        ),
        State("rejected", on={"SUBMIT": "verifying", "GIVE_UP": "idle"}),
        State("signed_in", on={"SIGN_OUT": "idle"}),
        Final("locked"),
        context={"failures": 0},
    )


def auth_server_chart() -> Chart:
    """Checks credentials: right or wrong."""
    answer = choose("ok", (True, False), lambda ok: if_(ok, reply("accepted"), reply("denied")))
    return Chart("AuthServer", State("up", on={"credentials": Transition(actions=answer)}))


def build(variant: str = "correct") -> System:
    """The flow as an actor, the auth server, and the user's buttons."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")
    flow = actor("flow")
    return System(
        f"AuthFlow({variant})",
        actors=[
            Actor("flow", auth_chart(off_by_one=variant == "off_by_one"), end_states=["idle", "rejected", "signed_in"]),
            Actor("auth", auth_server_chart(), end_states=["up"]),
        ],
        stimuli=[Stimulus("flow", "SUBMIT"), Stimulus("flow", "GIVE_UP"), Stimulus("flow", "SIGN_OUT", max=1)],
        properties=[
            invariant("AttemptsBounded", flow.failures <= MAX_ATTEMPTS),
            invariant("LockedOnlyAtLimit", ~flow.in_state("locked") | (flow.failures == MAX_ATTEMPTS)),
            sometimes("SignedIn", flow.in_state("signed_in")),
            sometimes("LockedOut", flow.in_state("locked")),
        ],
    )


system = build()


def demo() -> list[tuple[str, ...]]:
    """Two wrong passwords, then the right one; returns the active leaves after each event."""
    it = Interpreter(auth_chart())
    seen = [it.leaves]
    for ev in ("SUBMIT", "denied", "SUBMIT", "denied", "SUBMIT", "accepted"):
        it.send(ev)
        seen.append(it.leaves)
    return seen


def main() -> None:
    """The interpreter demo, then both variants explored."""
    print(" -> ".join("/".join(c) for c in demo()))
    print()
    from examples._artifacts import explore_and_report

    for variant in VARIANTS:
        explore_and_report(build(variant), f"out/auth_flow/{variant}")


if __name__ == "__main__":
    main()
