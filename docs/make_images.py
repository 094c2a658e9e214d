"""Regenerate the pictures in docs/images/: ``python3 docs/make_images.py`` (needs Graphviz's ``dot``)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from examples import die_hard, two_phase  # noqa: E402
from exporters.graphviz import chart_dot, render, state_graph_dot, system_dot, trace_svg  # noqa: E402
from simulate import explore  # noqa: E402
from statecharts import Chart, Final, History, Parallel, State, Transition, assign, ctx, log  # noqa: E402

OUT = ROOT / "docs" / "images"


def player() -> Chart:
    """A media player: nested and parallel states, deep history, a final state, guards, actions, a timer."""
    return Chart(
        "player",
        State("off", on={"power": "on"}),
        State(
            "on",
            State(
                "playback",
                State("stopped", on={"play": Transition("playing", guard=ctx.tracks > 0, actions=assign(pos=0))}),
                State("playing", on={"pause": "paused", "tick": Transition(actions=assign(pos=ctx.pos + 1))}, entry=log("start")),
                State("paused", on={"play": "playing"}, after={"5s": "stopped"}),
                History("hist", deep=True),
            ),
            Parallel(
                "settings",
                State("volume", State("quiet", on={"louder": "loud"}), State("loud", on={"softer": "quiet"})),
                State("shuffle", State("ordered", on={"shuffle": "shuffled"}), State("shuffled", on={"shuffle": "ordered"})),
            ),
            on={"power": "off", "eject": Transition("ejected", actions=assign(tracks=0)), "resume": "hist"},
            always=Transition("done", guard=ctx.pos >= 100),
        ),
        State("ejected", on={"load": Transition("on", actions=assign(tracks=12))}),
        Final("done"),
        context={"tracks": 3, "pos": 0},
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    chart = player()
    state = chart.start().state
    state = chart.step(state, "power").state
    step = chart.step(state, "play")
    taken = [t for t in chart.transitions if t.events == ("play",) and t.source is not None and t.source.id == "stopped"]
    render(chart_dot(chart, active=step.state, taken=taken), OUT / "chart.svg")
    render(system_dot(two_phase.system(3)), OUT / "system.svg")
    result = explore(die_hard.system(), graph=True)
    verdict = result.verdict("NotSolved")
    assert verdict.trace is not None
    render(trace_svg(verdict.trace, result), OUT / "trace.svg")
    render(state_graph_dot(result, highlight=verdict.trace), OUT / "state-graph.svg")
    for name in ("chart", "system", "trace", "state-graph"):
        print(OUT / f"{name}.svg")


if __name__ == "__main__":
    main()
