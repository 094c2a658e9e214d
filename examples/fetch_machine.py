"""A data-fetching chart, as front-end developers write them in XState: idle, loading, success, error, retry.

``FETCH`` starts loading: the chart sends ``request`` to an ``api`` actor, which answers
``resolve`` or ``reject`` (its choice). A request that takes too long times out (``after``).
From ``error``, ``RETRY`` loads again while fewer than ``MAX_RETRIES`` retries were made;
after that the chart gives up (``failed``). ``main()`` runs the chart in the interpreter,
then explores the system: ``RetriesBounded`` holds, ``Success`` and ``GaveUp`` are both
reachable, and a load always ends (``LoadingEnds``, under fairness).

A late answer is the classic bug of such charts: the request timed out, a retry is
loading, and the *old* answer is taken for the new one. Each request carries an id and the
chart ignores answers to older ones, so ``FreshData`` (in ``success``, the data answers
the latest request) holds; the ``naive`` variant, which takes any answer, breaks it.
"""

from __future__ import annotations

from simulate import Actor, Stimulus, System, actor, invariant, leads_to, sometimes
from statecharts import Chart, Final, Interpreter, State, Transition, assign, choose, ctx, event, if_, reply, send

VARIANTS = ("checked", "naive")
MAX_RETRIES = 2
TIMEOUT_MS = 5000


def fetch_chart(check_id: bool = True) -> Chart:
    """idle -> loading -> success | error; error -> loading (retry) | failed."""
    request = [assign(request=ctx.request + 1), send("api", "request", id=ctx.request)]  # send sees the assigned value
    current = event.id == ctx.request if check_id else None
    late = {"resolve": Transition(), "reject": Transition()}  # answers to requests that timed out
    return Chart(
        "Fetch",
        State("idle", on={"FETCH": Transition("loading", actions=request)}),
        State(
            "loading",
            on={
                "resolve": [Transition("success", guard=current, actions=assign(data=event.value)), Transition()],
                "reject": [Transition("error", guard=current), Transition()],
            },
            after={TIMEOUT_MS: "error"},
        ),
        State("success", on=late),
        State(
            "error",
            on={
                "RETRY": [
                    Transition("loading", guard=ctx.retries < MAX_RETRIES, actions=[assign(retries=ctx.retries + 1), *request]),
                    Transition("failed"),
                ],
                **late,
            },
        ),
        Final("failed"),
        context={"retries": 0, "request": 0, "data": 0},
    )


def api_chart() -> Chart:
    """A backend that answers every request with its data (the request id) or an error."""
    answer = choose("ok", (True, False), lambda ok: if_(ok, reply("resolve", id=event.id, value=event.id), reply("reject", id=event.id)))
    return Chart("Api", State("up", on={"request": Transition(actions=answer)}))


def build(variant: str = "checked") -> System:
    """The fetch chart as an actor, the api, and the user's FETCH (once) and RETRY clicks."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")
    fetch = actor("fetch")
    return System(
        f"FetchMachine({variant})",
        actors=[
            Actor("fetch", fetch_chart(check_id=variant == "checked"), end_states=["success", "idle"]),
            Actor("api", api_chart(), end_states=["up"]),
        ],
        stimuli=[Stimulus("fetch", "FETCH", max=1), Stimulus("fetch", "RETRY", fair=True)],
        properties=[
            invariant("RetriesBounded", fetch.retries <= MAX_RETRIES),
            invariant("FreshData", ~fetch.in_state("success") | (fetch.data == fetch.request)),
            sometimes("Success", fetch.in_state("success")),
            sometimes("GaveUp", fetch.in_state("failed")),
            leads_to("LoadingEnds", fetch.in_state("loading"), ~fetch.in_state("loading")),
        ],
    )


system = build()


def demo() -> list[tuple[str, ...]]:
    """Drive the chart by hand: fetch, time out, retry, get an answer. Returns the configurations seen."""
    it = Interpreter(fetch_chart())
    seen = [it.configuration]
    it.send("FETCH")
    seen.append(it.configuration)
    it.advance(TIMEOUT_MS)  # no answer in time
    seen.append(it.configuration)
    it.send("RETRY")
    seen.append(it.configuration)
    it.send("resolve", id=1, value=1)  # the late answer to the first request: ignored
    seen.append(it.configuration)
    it.send("resolve", id=2, value=2)
    seen.append(it.configuration)
    return seen


def main() -> None:
    """The interpreter demo, then both variants explored."""
    for config in demo():
        print(" / ".join(config))
    print()
    from examples._artifacts import explore_and_report

    for variant in VARIANTS:
        explore_and_report(build(variant), f"out/fetch_machine/{variant}")


if __name__ == "__main__":
    main()
