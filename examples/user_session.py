"""A user session chart: login, an authenticated area with nested editing / saving / error, logout.

``authenticated`` is a compound state: the user edits a document (``EDIT`` makes it dirty),
``SAVE`` sends it to a ``backend`` actor that answers ``saved`` or ``save_failed``; from
``save_error`` the user may retry or go back to editing. ``LOGOUT`` leaves the whole
authenticated area from any of its states (one transition on the parent). ``main()`` runs
the chart in the interpreter, then explores it with the user's clicks as stimuli.

``NoLostEdits``: the user is never logged out with unsaved changes. The ``guarded`` chart
only lets ``LOGOUT`` through when the document is clean; the ``naive`` one logs out from
anywhere, and the explorer shows the 4-step way to lose an edit (log in, edit, log out). Both reach ``Saved``.
"""

from __future__ import annotations

from simulate import Actor, Stimulus, System, actor, invariant, sometimes
from statecharts import Chart, Interpreter, State, Transition, assign, choose, ctx, if_, reply, send

VARIANTS = ("guarded", "naive")


def session_chart(guard_logout: bool = True) -> Chart:
    """anonymous -> authenticating -> authenticated(editing | saving | save_error) -> anonymous."""
    return Chart(
        "UserSession",
        State("anonymous", on={"LOGIN": "authenticating"}),
        State("authenticating", on={"LOGIN_OK": "authenticated", "LOGIN_FAILED": "anonymous"}),
        State(
            "authenticated",
            State("editing", on={"EDIT": Transition(actions=assign(dirty=True)), "SAVE": Transition("saving", guard=ctx.dirty)}),
            State("saving", entry=send("backend", "save"), on={"saved": Transition("editing", actions=assign(dirty=False)), "save_failed": "save_error"}),
            State("save_error", on={"RETRY": "saving", "DISMISS": "editing"}),
            on={"LOGOUT": Transition("anonymous", guard=~ctx.dirty if guard_logout else None)},
        ),
        context={"dirty": False},
    )


def backend_chart() -> Chart:
    """Stores documents, or fails to."""
    answer = choose("ok", (True, False), lambda ok: if_(ok, [assign(stored=ctx.stored + 1), reply("saved")], reply("save_failed")))
    return Chart("Backend", State("up", on={"save": Transition(actions=answer)}), context={"stored": 0})


def build(variant: str = "guarded") -> System:
    """The session as an actor, the backend, and the user's clicks (LOGIN and EDIT bounded)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")
    session = actor("session")
    clicks = [Stimulus("session", e) for e in ("LOGIN_OK", "LOGIN_FAILED", "SAVE", "RETRY", "DISMISS", "LOGOUT")]
    return System(
        f"UserSession({variant})",
        actors=[
            Actor("session", session_chart(guard_logout=variant == "guarded"), end_states=["anonymous", "editing"]),
            Actor("backend", backend_chart(), end_states=["up"]),
        ],
        stimuli=[Stimulus("session", "LOGIN", max=2), Stimulus("session", "EDIT", max=1), *clicks],
        properties=[
            invariant("NoLostEdits", ~(session.in_state("anonymous") & session.dirty)),
            sometimes("Saved", actor("backend").stored > 0),
        ],
    )


system = build()


def demo() -> list[tuple[str, ...]]:
    """Log in, edit, fail to save, retry, save, log out; returns the active leaves after each event."""
    it = Interpreter(session_chart())
    seen = [it.leaves]
    for ev in ("LOGIN", "LOGIN_OK", "EDIT", "SAVE", "save_failed", "RETRY", "saved", "LOGOUT"):
        it.send(ev)
        seen.append(it.leaves)
    return seen


def main() -> None:
    """The interpreter demo, then both variants explored."""
    print(" -> ".join("/".join(c) for c in demo()))
    print()
    from examples._artifacts import explore_and_report

    for variant in VARIANTS:
        explore_and_report(build(variant), f"out/user_session/{variant}")


if __name__ == "__main__":
    main()
