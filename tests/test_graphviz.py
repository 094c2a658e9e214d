"""Graphviz exporters: charts, systems, traces (MSC), state graphs, rendering."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from examples import die_hard, two_phase
from exporters.graphviz import (
    GraphTooLarge,
    GraphvizNotInstalled,
    chart_dot,
    chart_svg,
    message_flows,
    render,
    state_graph_dot,
    system_dot,
    system_svg,
    trace_dot,
    trace_svg,
)
from simulate import Actor, Change, Faults, Step, Stimulus, System, Trace, Verdict, explore, invariant
from statecharts import Chart, Final, History, Parallel, State, Transition, assign, ctx, log, reply, send, send_to

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' binary not installed")


def player() -> Chart:
    """Nested, parallel, history, final, guards, actions, timers, eventless and targetless transitions."""
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
                History("shallow"),
            ),
            Parallel(
                "settings",
                State("volume", State("quiet", on={"louder": "loud"}), State("loud", on={"softer": "quiet"})),
                State("shuffle", State("ordered", on={"shuffle": "shuffled"}), State("shuffled", on={"shuffle": "ordered"})),
            ),
            on={"power": "off", "eject": Transition("ejected", actions=[assign(tracks=0)]), "resume": "hist"},
            always=Transition("done", guard=ctx.pos >= 100),
        ),
        State("ejected", on={"load": Transition("on", actions=assign(tracks=12)), "label": Transition("ejected", guard=ctx.name == 'say "hi"\\')}),
        Final("done"),
        context={"tracks": 3, "pos": 0, "name": ""},
    )


def edges(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines() if " -> " in line]


def clusters(source: str) -> dict[str, str]:
    """Cluster name -> its attribute lines."""
    out: dict[str, str] = {}
    current = None
    for line in source.splitlines():
        m = re.match(r"\s*subgraph (cluster_\w+) \{", line)
        if m:
            current = m.group(1)
            out[current] = ""
        elif current is not None and line.strip().startswith(("label=", "style=", "color=", "fillcolor=", "penwidth=", "graph [")):
            out[current] += line
    return out


# --------------------------------------------------------------------------- charts


def test_chart_clusters_for_compound_and_dashed_regions() -> None:
    c = player()
    src = chart_dot(c).source
    cl = clusters(src)
    compound = [s for s in c.states.values() if s.kind in ("compound", "parallel")]
    for s in compound:
        assert f"cluster_{s.index}" in cl, s.id
    assert "(parallel)" in src
    for region in ("volume", "shuffle"):
        assert "dashed" in cl[f"cluster_{c.states[region].index}"]
    assert "dashed" not in cl[f"cluster_{c.states['playback'].index}"]
    assert "compound=true" in src


def test_chart_pseudo_states_and_finals() -> None:
    c = player()
    src = chart_dot(c).source
    assert re.search(rf"s{c.states['done'].index} \[label=done .*shape=doublecircle", src)
    assert re.search(rf"s{c.states['hist'].index} \[label=\"H\*\".*shape=circle", src)
    assert re.search(rf"s{c.states['shallow'].index} \[label=H .*shape=circle", src)
    # one initial dot per compound (and the root), with an edge to the initial child
    dots = re.findall(r"^\s*(i\d+) \[label=\"\" .*shape=point", src, re.M)
    assert len(dots) == 1 + sum(1 for s in c.states.values() if s.kind == "compound")
    assert f"i0 -> s{c.states['off'].index}" in src
    assert f"i{c.states['playback'].index} -> s{c.states['stopped'].index}" in src


def test_chart_edges_to_compound_states_use_cluster_borders() -> None:
    c = player()
    es = edges(chart_dot(c).source)
    on, off = c.states["on"].index, c.states["off"].index
    # off -> on ends at the cluster border of "on"
    assert any(e.startswith(f"s{off} -> a{on}") and f"lhead=cluster_{on}" in e for e in es)
    # on -> off starts at it
    assert any(e.startswith(f"a{on} -> s{off}") and f"ltail=cluster_{on}" in e for e in es)
    # ejected -> on: lhead only
    ej = c.states["ejected"].index
    e = next(e for e in es if e.startswith(f"s{ej} -> a{on}"))
    assert "lhead" in e and "ltail" not in e


def test_chart_labels_print_events_guards_and_actions() -> None:
    c = player()
    src = chart_dot(c).source
    assert "play [tracks > 0] / pos := 0" in src
    assert "tick / pos := pos + 1" in src
    assert "entry / log start" in src
    assert "after 5s" in src and "after.5000" not in src
    assert "[pos >= 100]" in src  # eventless: the guard alone
    # the guard with quotes and a backslash is escaped for DOT
    assert r"""label [name == 'say \"hi\"\\\\']""" in src
    playing = c.states["playing"].index
    # targetless: listed inside the state (no self-loop edge)
    assert not any(e.startswith(f"s{playing} -> s{playing}") for e in edges(src))
    assert "tick / pos := pos + 1" in src


def test_chart_dot_quotes_survive_a_round_trip_through_dot() -> None:
    src = chart_dot(player()).source
    # every quote inside a quoted attribute is escaped: the source balances
    for line in src.splitlines():
        unescaped = re.sub(r"\\.", "", line)
        assert unescaped.count('"') % 2 == 0, line


def test_chart_highlights_active_states_and_taken_transitions() -> None:
    c = player()
    st = c.start().state
    st = c.step(st, "power").state
    after = c.step(st, "play")
    play = next(t for t in c.transitions if t.events == ("play",) and t.source is not None and t.source.id == "stopped")
    src = chart_dot(c, active=after.state, taken=[play.index]).source
    playing = c.states["playing"].index
    assert re.search(rf"s{playing} \[label=.*fillcolor=\"#ffe08a\"", src)
    assert not re.search(rf"s{c.states['paused'].index} \[label=.*fillcolor", src)
    on_cluster = clusters(src)[f"cluster_{c.states['on'].index}"]
    assert "filled" in on_cluster
    e = next(e for e in edges(src) if e.startswith(f"s{c.states['stopped'].index} -> s{playing}"))
    assert "penwidth=2.5" in e and "#d62728" in e
    # the same by label (as traces list them) and by Transition object
    assert chart_dot(c, taken=[play.describe()]).source == chart_dot(c, taken=[play]).source == chart_dot(c, taken=play.index).source
    with pytest.raises(ValueError, match="not a transition"):
        chart_dot(c, taken=["nope"])
    with pytest.raises(ValueError, match="unknown state"):
        chart_dot(c, active=["nowhere"])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"active": ["nowhere"]}, "unknown state"),
        ({"active": 5}, "active must be"),
        ({"active": [["s0"]]}, "active must be"),
        ({"taken": [99]}, "not a transition"),
        ({"taken": [-1]}, "not a transition"),
        ({"taken": [1.5]}, "not a transition"),
        ({"taken": 2.5}, "taken must be"),
        ({"rankdir": "XX"}, "rankdir"),
        ({"rankdir": '"'}, "rankdir"),
    ],
)
def test_bad_diagram_options_are_named_errors(options: dict[str, object], message: str) -> None:
    """Found by the fuzz test: these were raw ValueError / TypeError, or DOT that dot rejects."""
    from statecharts.errors import StatechartError

    with pytest.raises(StatechartError, match=message):
        chart_dot(player(), **options)  # type: ignore[arg-type]


def test_a_system_diagram_rejects_a_bad_rankdir() -> None:
    from statecharts.errors import StatechartError

    with pytest.raises(StatechartError, match="rankdir"):
        system_dot(die_hard.system(), rankdir="sideways")


def test_active_ids_include_ancestors() -> None:
    c = player()
    src = chart_dot(c, active=["quiet"]).source
    cl = clusters(src)
    for s in ("on", "settings", "volume"):
        assert "filled" in cl[f"cluster_{c.states[s].index}"], s
    assert "filled" not in cl[f"cluster_{c.states['playback'].index}"]


# --------------------------------------------------------------------------- systems


def test_system_dot_two_phase() -> None:
    s = two_phase.system(3)
    src = system_dot(s).source
    assert "rm</B> ×3" in src and "peripheries=2" in src
    assert src.count("<B>rm</B>") == 1  # a group is drawn once
    es = edges(src)
    assert any(e.startswith("tm -> rm") and "Commit (to all)" in e and "Abort (to all)" in e for e in es)
    assert any(e.startswith("rm -> tm") and "Prepared" in e for e in es)
    assert any(e.startswith("env -> tm") and "commit" in e and "abort" in e for e in es)
    assert "network: unordered-duplicating" in src
    assert "faults: none" in src


def test_system_flows_reply_send_to_and_faults() -> None:
    server = Chart("Server", State("idle", on={"req": Transition(actions=reply("resp"))}))
    client = Chart(
        "Client",
        State("a", on={"go": Transition("b", actions=[send("server", "req"), send_to("peer", ctx.i, "hello")]), "resp": "a"}),
        State("b", on={"resp": "a", "hello": "b"}),
        context={"i": 0},
    )
    s = System(
        "rpc",
        actors=[Actor("server", server, crash=1), Actor("client", client), Actor("peer", client, count=2)],
        stimuli=[Stimulus("client", "go", max=2)],
        faults=Faults(drop=1, duplicate=2),
        network="fifo",
    )
    flows = message_flows(s)
    assert flows[("client", "server")] == ["req"]
    assert flows[("server", "client")] == ["resp (reply)"]
    assert flows[("client", "peer")] == ["hello (to peer[i])"]
    assert flows[("env", "client")] == ["go"]
    src = system_dot(s).source
    assert "drop ≤ 1" in src and "duplicate ≤ 2" in src and "crash server ≤ 1" in src
    assert "may crash 1×" in src
    assert "go→client ≤ 2" in src


# --------------------------------------------------------------------------- traces


def numbered(svg: str) -> list[int]:
    root = ET.fromstring(svg)
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    return [int(m.group(1)) for t in texts if (m := re.match(r"(\d+)\. ", t))]


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_die_hard_msc() -> None:
    r = explore(die_hard.system())
    trace = r.verdict("NotSolved").trace
    assert trace is not None
    svg = trace_svg(trace, r)
    texts = svg_texts(svg)
    assert "env" in texts and "jugs" in texts
    assert numbered(svg) == [1, 2, 3, 4, 5, 6]
    assert "1. fill_big" in texts
    assert "big: 5 → 4" in texts  # the configuration change of the last step
    assert any("invariant NotSolved: violated" in t for t in texts)
    # the verdict can be passed instead of the trace
    assert trace_svg(r.verdict("NotSolved"), r) == svg


def bad_two_phase() -> System:
    from statecharts import broadcast, call, event

    tm = Chart(
        "TM",
        State(
            "init",
            on={
                "Prepared": Transition(None, actions=assign(prepared=call("add", ctx.prepared, event.origin))),
                "commit": Transition("committed", guard=call("len", ctx.prepared) >= 1, actions=broadcast("rm", "Commit")),
                "abort": Transition("aborted", actions=broadcast("rm", "Abort")),
            },
        ),
        State("committed"),
        State("aborted"),
        context={"prepared": frozenset(), "rms": frozenset({"rm[0]", "rm[1]"})},
    )
    return System(
        "Bad2PC",
        actors=[Actor("tm", tm), Actor("rm", two_phase.rm_chart(), count=2)],
        stimuli=[Stimulus("rm", "prepare"), Stimulus("rm", "choose_abort"), Stimulus("tm", "commit"), Stimulus("tm", "abort")],
        properties=[invariant("TCConsistent", ~(__import__("simulate").any_in("rm", "aborted") & __import__("simulate").any_in("rm", "committed")))],
        check_deadlock=False,
    )


def test_two_phase_msc_has_every_actor_and_messages_in_order() -> None:
    r = explore(bad_two_phase())
    trace = r.counterexample
    assert trace is not None
    svg = trace_svg(trace, r)
    texts = svg_texts(svg)
    for lane in ("env", "tm", "rm[0]", "rm[1]"):
        assert lane in texts
    nums = numbered(svg)
    assert nums == sorted(nums) and nums == list(range(1, len(trace) + 1))
    assert any(t.endswith("Prepared") for t in texts)
    assert any("(in flight)" in t for t in texts)  # the Commit never delivered to rm[1]
    assert any("TCConsistent" in t for t in texts)
    src = trace_dot(trace, r).source
    for lane in ("env", "tm", "rm[0]", "rm[1]"):
        assert lane in src
    assert "1. prepare" in src and "TCConsistent" in src


def _step(i: int, kind: str, actor: str, event: str, sender: str | None, changes: list[Change] | None = None, sent: list[tuple[str, str, str]] | None = None) -> Step:
    text = f"{event} from {sender}" if sender else event
    return Step(i, kind, actor, event, text, sender, changes or [], sent or [], [])


def test_msc_marks_faults_timers_and_loops() -> None:
    steps = [
        _step(0, "init", "", "", None, [Change("a", (), ("idle",), {"n": (None, 0)}), Change("b", (), ("wait",), {})]),
        _step(1, "stimulus", "a", "go", "env", [Change("a", ("idle",), ("busy",), {})], [("a", "b", "ping"), ("a", "b", "ping")]),
        _step(2, "drop", "b", "ping", "a"),
        _step(3, "duplicate", "b", "ping", "a", sent=[("a", "b", "ping")]),
        _step(4, "deliver", "b", "ping", "a", [Change("b", ("wait",), ("got",), {})], [("b", "a", "pong")]),
        _step(5, "timer", "a", "after.1000.busy", None, [Change("a", ("busy",), ("idle",), {"n": (0, 1)})]),
        _step(6, "crash", "b", "", None, [Change("b", ("got",), ("wait",), {})]),
    ]
    trace = Trace(steps, loop_start=4)
    svg = trace_svg(trace, verdict=Verdict("Progress", "eventually", "violated", None, "a cycle never reaches done"))
    texts = svg_texts(svg)
    assert "2. dropped ping" in texts
    assert any("3. duplicated ping" in t for t in texts)
    assert "4. ping" in texts
    assert any(t.startswith("5. ⏱ after 1s") for t in texts)
    assert "6. b crashes and restarts" in texts
    assert "loop" in texts
    assert any("repeat forever" in t and "Progress" in t for t in texts)
    assert "n: 0 → 1" in texts
    assert "pong (in flight)" not in texts  # the final in_flight list is empty: nothing drawn as in flight
    ET.fromstring(svg)  # well-formed
    src = trace_dot(trace).source
    assert "loop from step 4" in src and "crashes" in src


def test_msc_escapes_markup() -> None:
    steps = [
        _step(0, "init", "", "", None, [Change("x", (), ("s",), {"v": (None, "<&>")})]),
        _step(1, "stimulus", "x", 'e(a="<b>")', "env"),
    ]
    svg = trace_svg(Trace(steps))
    ET.fromstring(svg)
    assert "&lt;" in svg and "<b>" not in svg


# --------------------------------------------------------------------------- state graphs


def test_state_graph_highlights_the_counterexample() -> None:
    r = explore(die_hard.system(), graph=True)
    trace = r.verdict("NotSolved").trace
    assert trace is not None
    src = state_graph_dot(r, highlight=trace).source
    path = [e for e in edges(src) if "#1565c0" in e]
    assert len(path) == len(trace)
    labels = [int(m.group(1)) for e in path if (m := re.search(r'label="(\d+)\. ', e))]
    assert sorted(labels) == list(range(1, len(trace) + 1))
    # the violating state is red and names the property
    assert re.search(r'label="jugs: pouring  small=3 big=4\\l✗ NotSolved.*color="#c62828"', src)
    assert "start0 -> n0" in src  # the initial state is marked with an entry arrow
    assert "self-loops not drawn" in src
    with_loops = state_graph_dot(r, self_loops=True).source
    assert len(edges(with_loops)) == r.graph.number_of_edges() + 1  # + the entry arrow


def test_state_graph_with_symmetry_highlights_a_path() -> None:
    sys_ = bad_two_phase()
    sys_.symmetry = True
    r = explore(sys_, graph=True)
    trace = r.counterexample
    assert trace is not None
    src = state_graph_dot(r, highlight=trace, edge_labels=False).source
    assert len([e for e in edges(src) if "#1565c0" in e]) == len(trace)


def test_state_graph_size_limit_and_missing_graph() -> None:
    r = explore(die_hard.system(), graph=True)
    with pytest.raises(GraphTooLarge, match="force=True"):
        state_graph_dot(r, max_nodes=10)
    assert state_graph_dot(r, max_nodes=10, force=True).source
    with pytest.raises(ValueError, match="graph=True"):
        state_graph_dot(explore(die_hard.system()))


# --------------------------------------------------------------------------- rendering


def test_render_dot_needs_no_binary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    out = render(chart_dot(player()), tmp_path / "chart.dot")
    assert out.read_text().startswith("digraph")
    svg = trace_svg(explore(die_hard.system()).counterexample)  # type: ignore[arg-type]
    assert render(svg, tmp_path / "trace.svg").read_text() == svg
    with pytest.raises(ValueError, match=r"\.svg"):
        render(svg, tmp_path / "trace.png")


def test_missing_binary_raises_graphviz_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no 'dot' anywhere
    with pytest.raises(GraphvizNotInstalled) as info:
        render(chart_dot(player()), tmp_path / "chart.svg")
    msg = str(info.value)
    assert "apt-get install graphviz" in msg and "brew install graphviz" in msg and ".dot" in msg
    with pytest.raises(GraphvizNotInstalled):
        chart_svg(player())
    assert player()._repr_svg_() is None


def test_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown diagram format"):
        render(chart_dot(player()), tmp_path / "chart.bmpx")


@needs_dot
def test_render_svg_and_png(tmp_path: Path) -> None:
    c = player()
    svg = render(chart_dot(c), tmp_path / "chart.svg").read_text()
    ET.fromstring(svg)
    assert "playback" in svg and "H*" in svg
    assert "name == &#39;say &quot;hi&quot;\\\\&#39;" in svg  # the printed guard, exactly
    png = render(system_dot(two_phase.system(3)), tmp_path / "system.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    r = explore(die_hard.system(), graph=True)
    trace = r.counterexample
    assert trace is not None
    assert render(state_graph_dot(r, highlight=trace), tmp_path / "g.svg").stat().st_size > 1000
    assert render(trace_dot(trace, r), tmp_path / "t.png").read_bytes().startswith(b"\x89PNG")


@needs_dot
def test_jupyter_reprs() -> None:
    assert "<svg" in (chart_svg(player()) or "")
    assert "<svg" in (player()._repr_svg_() or "")
    assert "<svg" in system_svg(two_phase.system(2))
    assert "<svg" in (two_phase.system(2)._repr_svg_() or "")


def test_deeply_nested_states_draw_as_nested_clusters() -> None:
    """Found by the fuzz test: nesting cost quadratic time in DOT (graphviz re-copies nested subgraphs) and cubic in TLA+."""
    from exporters.tla import to_tla
    from statecharts.chart import MAX_DEPTH

    deep = State("d0")
    for i in range(1, MAX_DEPTH - 1):  # as deep as a chart may nest
        deep = State(f"d{i}", deep)
    chart = Chart("deep", deep, Final("end"))
    src = chart_dot(chart).source
    assert src.count("subgraph cluster_") == MAX_DEPTH - 2
    depth = 0
    for line in src.splitlines()[1:-1]:
        depth += line.count("{") - line.count("}") if line.strip().startswith("subgraph") or line.strip() == "}" else 0
        assert depth >= 0
    assert depth == 0
    spec = to_tla(System("deep", actors=[Actor("a", chart)], check_deadlock=False))
    assert '"d0"' in spec.module
