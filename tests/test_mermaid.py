"""Mermaid stateDiagram-v2 export: structure, labels, escaping."""

from __future__ import annotations

import re

from examples import two_phase
from exporters.mermaid import chart_mermaid, mermaid_escape
from statecharts import Chart, Final, History, Parallel, State, Transition, assign, ctx, send


def player() -> Chart:
    return Chart(
        "player",
        State("off", on={"power": "on"}),
        State(
            "on",
            State(
                "playback",
                State("stopped", on={"play": Transition("playing", guard=ctx.tracks > 0, actions=assign(pos=0))}),
                State("playing", on={"pause": "paused", "tick": Transition(actions=assign(pos=ctx.pos + 1))}),
                State("paused", on={"play": "playing", "stop": "stopped"}),
                History("hist", deep=True),
            ),
            Parallel(
                "settings",
                State("volume", State("quiet", on={"louder": "loud"}), State("loud", on={"softer": "quiet"})),
                State("shuffle", State("ordered", on={"shuffle": "shuffled"}), State("shuffled")),
            ),
            on={"power": "off", "eject": Transition("ejected", actions=[assign(tracks=0), send("screen", "blank")]), "resume": "hist"},
            always=Transition("done", guard=ctx.pos >= 100),
        ),
        State("ejected", on={"load": Transition("on", actions=assign(tracks=12))}),
        State("my-state", on={"go": "default"}),
        State("default"),
        Final("done"),
        context={"tracks": 3, "pos": 0},
    )


def blocks(text: str) -> dict[str, list[str]]:
    """Composite state id -> the lines directly inside its block."""
    out: dict[str, list[str]] = {"<root>": []}
    stack = ["<root>"]
    for line in text.splitlines()[1:]:
        s = line.strip()
        m = re.match(r'state (?:"[^"]*" as )?(\S+) \{$', s)
        if m:
            out[stack[-1]].append(s)
            stack.append(m.group(1))
            out[m.group(1)] = []
        elif s == "}":
            stack.pop()
        else:
            out[stack[-1]].append(s)
    assert stack == ["<root>"], "unbalanced braces"
    return out


def test_header_and_nesting() -> None:
    text = chart_mermaid(player())
    assert text.startswith("stateDiagram-v2\n")
    b = blocks(text)
    assert set(b) >= {"<root>", "on", "playback", "settings", "volume", "shuffle"}
    assert "[*] --> off" in b["<root>"]
    assert "[*] --> playback" in b["on"]
    assert "[*] --> stopped" in b["playback"]
    assert "[*] --> quiet" in b["volume"]


def test_parallel_regions_are_separated() -> None:
    b = blocks(chart_mermaid(player()))
    inside = b["settings"]
    assert "--" in inside
    i = inside.index("--")
    assert any(x.startswith("state volume") for x in inside[:i])
    assert any(x.startswith("state shuffle") for x in inside[i:])
    assert not any(x.startswith("[*]") for x in inside)  # a parallel state has no single initial child


def test_final_history_and_labels() -> None:
    text = chart_mermaid(player())
    b = blocks(text)
    assert "done --> [*]" in b["<root>"]
    assert 'state "H*" as playback_hist' in b["playback"]
    assert "%% Mermaid has no history pseudo-states" in text
    assert "stopped --> playing : play [tracks #62; 0] / pos #58;= 0" in b["playback"]
    assert 'state "playing" as playing' in b["playback"]  # declared: else Mermaid names the state by its first description line
    assert "playing : tick / pos #58;= pos + 1" in b["playback"]  # targetless: in the state, not a self-loop
    assert "on --> done : [pos #62;= 100]" in b["<root>"]  # eventless: the guard alone
    assert "on --> ejected : eject / tracks #58;= 0#59; send screen!blank" in b["<root>"]
    assert "ejected --> on : load / tracks #58;= 12" in b["<root>"]


def test_cross_level_transitions_are_lifted_and_named() -> None:
    b = blocks(chart_mermaid(player()))
    # on -> hist (inside playback): drawn on "on" itself, naming the real target
    assert any(x.startswith("on --> on : resume (on → hist)") for x in b["<root>"])


def test_unsafe_ids_are_aliased() -> None:
    b = blocks(chart_mermaid(player()))
    root = b["<root>"]
    assert 'state "my-state" as my_state' in root
    assert 'state "default" as s_default' in root
    assert "my_state --> s_default : go" in root
    for line in root:
        m = re.match(r"(\S+) --> (\S+)", line)
        if m:
            for ident in m.groups():
                assert ident == "[*]" or re.fullmatch(r"[A-Za-z]\w*", ident), line


def test_escape_leaves_no_syntax_characters() -> None:
    raw = 'a: b; c # d %% e <f> "g" {h}'
    out = mermaid_escape(raw)
    assert not set(':;%<>"{}') & set(re.sub(r"#\w+;", "", out))
    assert "#" not in re.sub(r"#\w+;", "", out)
    assert "\n" not in mermaid_escape("x\ny")


def test_every_label_is_clean() -> None:
    """No transition label carries a raw ':' or ';' (Mermaid ends a label at either)."""
    text = chart_mermaid(two_phase.tm_chart(frozenset({"rm[0]"})))
    labels = [line.split(" : ", 1)[1] for line in text.splitlines() if " : " in line]  # transition labels and state descriptions
    assert labels
    for lab in labels:
        assert ":" not in lab.replace("#58;", "") and ";" not in re.sub(r"#\w+;", "", lab)
    assert "init : Prepared / prepared #58;= add(prepared, event.origin)" in text  # targetless: in the state
    assert "init --> committed : commit [prepared == rms] / broadcast rm!Commit" in text


def test_a_bad_direction_is_a_named_error_not_injected_text() -> None:
    """Found by the fuzz test: a direction with a newline put arbitrary lines into the diagram."""
    import pytest

    from statecharts.errors import StatechartError

    for bad in ("sideways", "LR\nstate injected", ""):
        with pytest.raises(StatechartError, match="direction"):
            chart_mermaid(player(), direction=bad)
    assert "direction LR" in chart_mermaid(player(), direction="LR")
