"""Bad input to the chart-building API, the SCXML reader and the pytransitions importer (issue 10, points 11-12).

Every case is a reproduction from the issue: the input once gave a raw Python error
(RecursionError, OverflowError, TypeError, ...) or was accepted silently. Each must now
give one of the project's own errors, naming the element at fault.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from exporters.graphviz import chart_dot
from exporters.mermaid import chart_mermaid
from simulate import Actor, System, explore
from statecharts import (
    SELF,
    Chart,
    ChartDefinitionError,
    ExecutionError,
    Interpreter,
    State,
    StatechartError,
    Transition,
    broadcast,
    cancel,
    python,
    raise_,
    reply,
    send,
    send_to,
)
from statecharts.chart import MAX_DEPTH as CHART_MAX_DEPTH
from statecharts.pytransitions import from_transitions
from statecharts.scxml import MAX_NESTING, ecmascript_to_python, load_scxml, parse_scxml

NS = 'xmlns="http://www.w3.org/2005/07/scxml" version="1.0"'


def doc(body: str) -> str:
    """An SCXML document around ``body``."""
    return f"<scxml {NS}>\n{body}\n</scxml>"


def rejects(fn: Callable[[], Any], *fragments: str, kind: type[StatechartError] = ChartDefinitionError) -> str:
    """Call fn, expect ``kind``; every fragment must appear in the message. Returns the message."""
    with pytest.raises(kind) as info:
        fn()
    message = str(info.value)
    for f in fragments:
        assert f in message, f"{f!r} not in {message!r}"
    return message


# --------------------------------------------------------------------------- deep nesting in SCXML


def nested_states(n: int) -> str:
    return doc("".join(f'<state id="s{i}">' for i in range(n)) + "</state>" * n)


def nested_executable(n: int, open_tag: str, close_tag: str) -> str:
    body = open_tag * n + '<assign location="x" expr="x + 1"/>' + close_tag * n
    return doc(f'<datamodel><data id="x" expr="0"/></datamodel><state id="a"><onentry>{body}</onentry></state>')


DEEP_EXECUTABLE = {
    "if": ('<if cond="x &gt;= 0">', "</if>"),
    "else": ('<if cond="x &lt; 0"><else/>', "</if>"),
    "elseif": ('<if cond="x &lt; 0"><elseif cond="x &gt;= 0"/>', "</if>"),
    "foreach": ('<foreach array="[1]" item="i">', "</foreach>"),
}


def test_two_thousand_nested_states_are_refused_by_name() -> None:
    text = nested_states(2000)
    # <scxml> is level 1, so s{k} is level k + 2: the first element too deep is s{MAX_NESTING - 1}
    rejects(lambda: parse_scxml(text), f"<scxml>:2 <state id='s{MAX_NESTING - 1}'>", f"more than {MAX_NESTING}")

@pytest.mark.parametrize("kind", sorted(DEEP_EXECUTABLE))
def test_six_hundred_nested_executable_elements_are_refused_by_name(kind: str) -> None:
    open_tag, close_tag = DEEP_EXECUTABLE[kind]
    rejects(lambda: parse_scxml(nested_executable(600, open_tag, close_tag)), f"more than {MAX_NESTING}", "nested")


def test_nesting_up_to_the_bound_loads_runs_and_exports() -> None:
    # states: the chart's own bound (statecharts.chart.MAX_DEPTH) is the tighter one; the reader's bounds the XML
    depth = min(MAX_NESTING - 2, CHART_MAX_DEPTH)
    chart = parse_scxml(nested_states(depth))
    it = Interpreter(chart)
    assert it.leaves == (f"s{depth - 1}",)
    assert "s0" in chart_dot(chart).source and "s0" in chart_mermaid(chart)
    assert explore(System("S", actors=[Actor("a", chart)], check_deadlock=False)).stats.distinct_states == 1
    open_tag, close_tag = DEEP_EXECUTABLE["if"]
    chart = parse_scxml(nested_executable(MAX_NESTING - 5, open_tag, close_tag))
    assert Interpreter(chart).context == {"x": 1}
    assert explore(System("S", actors=[Actor("a", chart)], check_deadlock=False)).stats.distinct_states == 1
    open_tag, close_tag = DEEP_EXECUTABLE["foreach"]
    chart = parse_scxml(nested_executable(MAX_NESTING - 5, open_tag, close_tag))
    assert Interpreter(chart).context["x"] == 1


# --------------------------------------------------------------------------- delays


@pytest.mark.parametrize("delay", ["1e400s", "9" * 400 + "s", "9" * 400 + "ms", "1" + "0" * 30 + "d"])
def test_huge_delays_are_refused_by_name(delay: str) -> None:
    text = doc(f'<state id="a"><onentry><send event="e" delay="{delay}"/></onentry></state>')
    rejects(lambda: parse_scxml(text), "<send>", "delay")


@pytest.mark.parametrize("delay", ["1.5ms", "250.7ms", "0.0001s", "1.0005s"])
def test_fractional_delays_that_are_not_whole_milliseconds_are_refused(delay: str) -> None:
    text = doc(f'<state id="a"><onentry><send event="e" delay="{delay}"/></onentry></state>')
    rejects(lambda: parse_scxml(text), "<scxml>:2 <send>", repr(delay), "whole number of milliseconds")


@pytest.mark.parametrize(("delay", "ms"), [("1.5s", 1500), ("2.25s", 2250), ("250.0ms", 250), ("0.5m", 30000), ("7", 7)])
def test_fractional_delays_that_are_whole_milliseconds_are_exact(delay: str, ms: int) -> None:
    text = doc(f'<state id="a"><onentry><send event="e" delay="{delay}"/></onentry><transition event="e" target="b"/></state><state id="b"/>')
    it = Interpreter(parse_scxml(text))
    it.advance(ms - 1)
    assert it.leaves == ("a",)
    it.advance(1)
    assert it.leaves == ("b",)


def test_python_api_after_uses_the_same_duration_rules() -> None:
    rejects(lambda: Chart("c", State("a", after={"250.7ms": "a"})), "after '250.7ms'", "whole number of milliseconds")
    rejects(lambda: Chart("c", State("a", after={"9" * 400 + "s": "a"})), "after")
    assert Chart("c", State("a", after={"1.5s": "a"})).transitions[0].events == ("after.1500.a",)


# --------------------------------------------------------------------------- wrongly typed arguments


def test_transition_with_a_non_string_target() -> None:
    rejects(lambda: Transition(123), "Transition", "123", "target")
    rejects(lambda: Transition(["a", 5]), "Transition", "5")
    rejects(lambda: Transition("a", event=5), "event", "5")  # type: ignore[arg-type]


def test_on_mapping_with_a_non_transition_value() -> None:
    rejects(lambda: Chart("c", State("a", on={"go": 5})), "'a'", "'go'", "5")  # type: ignore[dict-item]
    rejects(lambda: Chart("c", State("a", on={"go": ["a", 5]})), "'a'", "'go'", "5")  # type: ignore[list-item]
    rejects(lambda: Chart("c", State("a", always=5)), "'a'", "5")  # type: ignore[arg-type]
    rejects(lambda: Chart("c", State("a", on=5)), "'a'", "on=")  # type: ignore[arg-type]
    rejects(lambda: Chart("c", State("a", after=["1s"])), "'a'", "after=")  # type: ignore[arg-type]


def test_initial_that_is_not_a_state_id() -> None:
    rejects(lambda: Chart("c", State("a"), initial=5), "chart 'c'", "initial", "5")  # type: ignore[arg-type]
    rejects(lambda: Chart("c", State("p", State("a"), initial=5)), "state 'p'", "initial", "5")  # type: ignore[arg-type]


def test_state_with_a_non_string_id() -> None:
    rejects(lambda: State(5), "State", "5", "id")  # type: ignore[arg-type]
    rejects(lambda: State(""), "State", "id")
    rejects(lambda: State("a", 5), "State 'a'", "child 5")  # type: ignore[arg-type]


def test_chart_with_a_non_string_name_or_a_non_mapping_context() -> None:
    rejects(lambda: Chart(5, State("a")), "chart", "name")  # type: ignore[arg-type]
    rejects(lambda: Chart("c", State("a"), context=[("x", 1)]), "chart 'c'", "context")  # type: ignore[arg-type]


def counter() -> Chart:
    return Chart("c", State("a", on={"go": Transition("a", actions=python(lambda c, e: {"n": c.n + 1}, label="inc"))}), context={"n": 0})


@pytest.mark.parametrize("event", [5, None, b"go", ("go",), ""])
def test_send_with_a_non_string_event_name(event: Any) -> None:
    rejects(lambda: Interpreter(counter()).send(event), "send", "event", kind=StatechartError)


@pytest.mark.parametrize("data", [5, [1, 2], "x=1", {5: 1}])
def test_send_with_data_that_is_not_a_mapping_of_names(data: Any) -> None:
    rejects(lambda: Interpreter(counter()).send("go", data), "send", "data", kind=StatechartError)


def test_send_with_unhashable_data_names_the_field() -> None:
    rejects(lambda: Interpreter(counter()).send("go", {"a": bytearray(b"x")}), "'a'", "unhashable", kind=StatechartError)
    it = Interpreter(counter())
    it.send("go", {"a": [1, {"b": 2}]})  # lists and dicts are frozen: fine
    assert it.context == {"n": 1}


# --------------------------------------------------------------------------- pytransitions definitions

CALLBACKS: dict[str, Callable[..., Any]] = {"f": lambda c, e: None, "g": lambda c, e: False}
DEFINITION: dict[str, Any] = {
    "name": "m",
    "initial": "a",
    "states": [
        "a",
        {"name": "b", "on_enter": ["f"], "on_exit": "f", "children": ["c", "d"], "initial": "c", "timeout": 2, "on_timeout": "f"},
        {"name": "p", "parallel": ["x", "y"]},
    ],
    "transitions": [
        ["go", "a", "b"],
        {"trigger": "t", "source": ["a", "b"], "dest": "a", "conditions": ["f"], "unless": "g", "before": "f", "after": ["f"]},
    ],
    "before_state_change": "f",
    "after_state_change": ["f"],
}
BAD_VALUES: list[Any] = [5, 1.5, None, [], {}, object(), True, "", [5], {"a": 5}, [[5]], b"x", -1]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


def test_pytransitions_states_of_the_wrong_type() -> None:
    rejects(lambda: from_transitions({"states": 5}), "states", "5")
    rejects(lambda: from_transitions({"states": ["a"], "initial": "a"}, context=5), "context")  # type: ignore[arg-type]
    rejects(lambda: from_transitions({"states": ["a"], "initial": "a"}, callbacks={5: CALLBACKS["f"]}), "callbacks")  # type: ignore[dict-item]


def test_pytransitions_wrong_types_at_every_level_are_named_errors() -> None:
    from_transitions(DEFINITION, callbacks=CALLBACKS)  # the base definition is good
    tried = 0
    for path in _paths(DEFINITION):
        for bad in BAD_VALUES:
            broken = copy.deepcopy(DEFINITION)
            holder = broken
            for key in path[:-1]:
                holder = holder[key]
            holder[path[-1]] = bad
            tried += 1
            try:
                from_transitions(broken, callbacks=CALLBACKS)
            except StatechartError:
                pass
            except Exception as e:  # pragma: no cover - this is the failure being tested
                pytest.fail(f"{path} = {bad!r}: raw {type(e).__name__}: {e}")
    assert tried == len(list(_paths(DEFINITION))) * len(BAD_VALUES)


# --------------------------------------------------------------------------- empty event names in SCXML


def test_raise_with_an_empty_event_is_refused() -> None:
    rejects(lambda: parse_scxml(doc('<state id="a"><onentry><raise event=""/></onentry></state>')), "<scxml>:2 <raise>", "empty")


@pytest.mark.parametrize("event", ["", "   "])
def test_transition_with_an_empty_event_attribute_is_refused(event: str) -> None:
    text = doc(f'<state id="a"><transition event="{event}" target="b"/></state><state id="b"/>')
    rejects(lambda: parse_scxml(text), "<scxml>:2 <transition>", "empty event", "omit the event attribute")


def test_send_with_an_empty_event_is_refused() -> None:
    rejects(lambda: parse_scxml(doc('<state id="a"><onentry><send event=""/></onentry></state>')), "<scxml>:2 <send>", "empty")


# --------------------------------------------------------------------------- floats and integer contexts


def test_floats_in_a_start_context_are_refused() -> None:
    chart = Chart("c", State("a"), context={"n": 0})
    rejects(lambda: chart.start({"n": 1.5}), "'n'", "floating-point", kind=StatechartError)
    rejects(lambda: chart.start({"n": (1, 2.5)}), "'n'", "floating-point", kind=StatechartError)


def test_a_python_action_returning_a_float_is_a_named_run_time_error() -> None:
    chart = Chart("c", State("a", entry=python(lambda c, e: {"n": 0.5}, label="halve")), context={"n": 1})
    rejects(lambda: Interpreter(chart), "halve", "'n'", "floating-point", kind=ExecutionError)


def test_event_data_with_a_float_is_refused_at_send() -> None:
    rejects(lambda: Interpreter(counter()).send("go", {"v": 1.5}), "'v'", "floating-point", kind=StatechartError)


def test_scxml_data_with_a_float_is_refused_at_load() -> None:
    text = doc('<datamodel><data id="x" expr="1"/></datamodel><state id="a"><onentry><assign location="x" expr="1.5"/></onentry></state>')
    rejects(lambda: parse_scxml(text), "<assign>", "floating-point")
    rejects(lambda: parse_scxml(doc('<datamodel><data id="x" expr="2.5"/></datamodel><state id="a"/>')), "<data id='x'>", "floating-point")


# --------------------------------------------------------------------------- context field names


@pytest.mark.parametrize("field", ["class", "if", "True", "None", "lambda", "2x", "a b", ""])
def test_context_fields_that_are_keywords_or_not_identifiers_are_refused(field: str) -> None:
    rejects(lambda: Chart("c", State("a"), context={field: 1}), "chart 'c'", repr(field))


@pytest.mark.parametrize("field", ["class", "if", "None"])
def test_scxml_data_ids_that_are_keywords_are_refused(field: str) -> None:
    rejects(lambda: parse_scxml(doc(f'<datamodel><data id="{field}" expr="1"/></datamodel><state id="a"/>')), "<data", repr(field))


def test_pytransitions_context_keyword_is_refused() -> None:
    rejects(lambda: from_transitions({"states": ["a"], "initial": "a"}, context={"class": 1}), "'class'")


# --------------------------------------------------------------------------- text or path


GOOD = doc('<state id="a"/>')


@pytest.mark.parametrize(
    "text",
    [
        "\ufeff" + GOOD,
        "\n\t  " + GOOD,
        "\ufeff\n" + GOOD,
        '<?xml version="1.0" encoding="UTF-8"?>\n' + GOOD,
        "\ufeff<?xml version='1.0'?>" + GOOD,
        "  <!-- a comment -->\n" + GOOD,
    ],
)
def test_load_and_parse_accept_text_with_a_bom_whitespace_or_a_comment(text: str) -> None:
    assert load_scxml(text).name == "scxml"
    assert parse_scxml(text).name == "scxml"
    assert parse_scxml(text.encode("utf-8")).name == "scxml"
    assert load_scxml(text.encode("utf-8")).name == "scxml"


def test_load_reads_a_path_given_as_str_or_path(tmp_path: Path) -> None:
    f = tmp_path / "door.scxml"
    f.write_text("\ufeff" + GOOD, encoding="utf-8")
    assert load_scxml(f).name == "door"
    assert load_scxml(str(f)).name == "door"


def test_a_missing_file_says_it_was_read_as_a_path_and_how_to_pass_text(tmp_path: Path) -> None:
    missing = tmp_path / "nope.scxml"
    rejects(lambda: load_scxml(str(missing)), "nope.scxml", "as a path", "parse_scxml", kind=StatechartError)
    rejects(lambda: load_scxml(missing), "nope.scxml", kind=StatechartError)
    rejects(lambda: load_scxml("state id='a'/> nonsense"), "as a path", "parse_scxml", kind=StatechartError)
    rejects(lambda: load_scxml("a\0b"), "as a path", kind=StatechartError)


def test_a_path_object_is_never_read_as_text(tmp_path: Path) -> None:
    rejects(lambda: load_scxml(Path(GOOD[:50])), "as a path", kind=StatechartError)


def test_parse_scxml_says_when_it_was_given_something_that_is_not_a_document() -> None:
    rejects(lambda: parse_scxml("door.scxml"), "not well-formed", "load_scxml")
    rejects(lambda: parse_scxml(5), "parse_scxml", "str or bytes", kind=StatechartError)  # type: ignore[arg-type]


def test_line_numbers_count_the_stripped_leading_lines() -> None:
    text = "\ufeff\n\n" + doc('<state id="a"><transition event="" target="a"/></state>')
    rejects(lambda: parse_scxml(text), "<scxml>:4 <transition>")
    rejects(lambda: parse_scxml(text.encode("utf-8")), "<scxml>:4 <transition>")
    rejects(lambda: parse_scxml("\n\n" + doc("<state id='a'>")), "<scxml>:5")


@pytest.mark.parametrize(("timeout", "problem"), [(0.0001, "whole number of milliseconds"), ("1e400", "longer than"),
                                                  (float("nan"), "not a number"), (float("inf"), "not a number"), (-1, "negative")])
def test_pytransitions_timeouts_are_whole_milliseconds(timeout: Any, problem: str) -> None:
    definition = {"states": [{"name": "a", "timeout": timeout, "on_timeout": "f"}], "initial": "a"}
    rejects(lambda: from_transitions(definition, callbacks=CALLBACKS), "state 'a'", "timeout", problem)
    good = {"states": [{"name": "a", "timeout": 0.1, "on_timeout": "f"}], "initial": "a"}
    assert from_transitions(good, callbacks=CALLBACKS).transitions[0].events == ("after.100.a",)


def test_an_assign_from_a_python_callable_returning_a_float_is_a_named_run_time_error() -> None:
    from statecharts import assign, py

    chart = Chart("c", State("a", entry=assign(n=py(lambda c, e: c.n / 2, label="half"))), context={"n": 1})
    rejects(lambda: Interpreter(chart), "'n'", "floating-point", kind=ExecutionError)
    chart = Chart("c", State("a", entry=assign(n=py(lambda c, e: c.n // 2, label="half"))), context={"n": 4})
    assert Interpreter(chart).context == {"n": 2}


# --------------------------------------------------------------------------- every argument of the chart API, wrongly typed


API_BAD_VALUES: list[Any] = [5, 1.5, None, [], {}, object(), True, "", [5], {"a": 5}, [[5]], b"x", -1, {5: "a"}, ("a", 5), float("nan")]
API_ARGUMENTS = (
    [("state", k) for k in ("on", "entry", "exit", "always", "after", "transitions", "initial", "doc")]
    + [("transition", k) for k in ("guard", "actions", "internal", "label", "event")]
    + [("final", k) for k in ("entry", "exit", "done_data")]
    + [("history", k) for k in ("default", "deep")]
    + [("chart", k) for k in ("context", "on_error", "doc", "initial")]
    + [("transition", "target")]
)


def _chart_with(kind: str, key: str, value: Any) -> Chart:
    """A small chart (compound, history, final) with one argument replaced; started and driven."""
    from statecharts import Final, History

    args: dict[str, dict[str, Any]] = {
        "state": {}, "transition": {"target": "a"}, "final": {}, "history": {}, "chart": {"context": {"n": 0}},
    }
    args[kind][key] = value
    t_args = dict(args["transition"])
    t = Transition(t_args.pop("target"), **t_args)
    a = State("a", **{"on": {"go": t}, **args["state"]})
    chart = Chart("c", State("p", a, History("h", **args["history"]), Final("f", **args["final"])), State("b", on={"back": "h"}), **args["chart"])
    it = Interpreter(chart)
    it.send("go")
    it.send("back")
    return chart


def test_wrongly_typed_arguments_of_the_chart_api_are_named_errors() -> None:
    _chart_with("chart", "doc", None)  # the base chart is good
    for kind, key in API_ARGUMENTS:
        for bad in API_BAD_VALUES:
            try:
                _chart_with(kind, key, bad)
            except StatechartError:
                pass
            except Exception as e:  # pragma: no cover - this is the failure being tested
                pytest.fail(f"{kind} {key}={bad!r}: raw {type(e).__name__}: {e}")


def test_an_empty_target_string_is_refused() -> None:
    rejects(lambda: Transition(""), "names no state", "None")
    rejects(lambda: Chart("c", State("a", always="  ")), "chart 'c' / atomic 'a' / always", "names no state")
    rejects(lambda: Chart("c", State("a", on={"go": ""})), "chart 'c' / atomic 'a' / transition 'go'", "names no state")


def test_chart_step_checks_its_event_like_send() -> None:
    chart = counter()
    start = chart.start().state
    rejects(lambda: chart.step(start, 5), "event name", kind=StatechartError)  # type: ignore[arg-type]
    rejects(lambda: chart.step(start, "go", {"v": 0.5}), "'v'", "floating-point", kind=StatechartError)
    assert chart.context_of(chart.step(start, "go").state) == {"n": 1}


@pytest.mark.parametrize("delay", ["soon", -5, "-1s", 1.5, "1.5ms", [1], True, 2**60])
def test_a_bad_send_delay_is_refused_when_the_action_is_made(delay: Any) -> None:
    """Fuzz finding C6: ``send(SELF, 'tick', delay='1s')`` was accepted, then a raw TypeError in Interpreter.send; -5 passed silently."""
    rejects(lambda: send(SELF, "tick", delay=delay), "send('<self>', 'tick')", "delay", "whole number of milliseconds")


def test_a_send_delay_is_a_duration_like_after() -> None:
    chart = Chart("timer", State("a", on={"go": Transition("b", actions=send(SELF, "tick", delay="1.5s"))}), State("b", on={"tick": "z"}), State("z"))
    it = Interpreter(chart)
    it.send("go")
    it.advance(1499)
    assert "b" in it.configuration
    it.advance(1)
    assert "z" in it.configuration


def _deep_definition(levels: int, auto: bool = True) -> dict[str, Any]:
    deep: dict[str, Any] = {"name": "leaf"}
    for i in range(levels):
        deep = {"name": f"d{i}", "children": [deep], "initial": deep["name"]}
    return {"states": ["s0", deep], "transitions": [["go", "s0", "d" + str(levels - 1)]], "initial": "s0", "auto_transitions": auto}


@pytest.mark.parametrize("levels", [3000, 1200, CHART_MAX_DEPTH + 1])
def test_a_deeply_nested_pytransitions_definition_is_refused_by_name(levels: int) -> None:
    """Fuzz finding P2/P3: 3,000 levels were a RecursionError, 1,200 (auto transitions on) ran out of memory or time."""
    rejects(lambda: from_transitions(_deep_definition(levels)), "more than", f"{CHART_MAX_DEPTH} levels")
    rejects(lambda: from_transitions(_deep_definition(levels, auto=False)), "more than", f"{CHART_MAX_DEPTH} levels")


def test_a_pytransitions_definition_at_the_depth_bound_loads_and_runs() -> None:
    chart = from_transitions(_deep_definition(CHART_MAX_DEPTH - 1))
    it = Interpreter(chart)
    it.send("go")
    assert it.leaves[-1].endswith("leaf")


def _ecmascript_doc(states: str) -> str:
    return f'<scxml {NS} datamodel="ecmascript"><datamodel><data id="x" expr="0"/></datamodel>{states}</scxml>'


ECMASCRIPT_DEEP = {"bang": "!" * 1000 + "x", "bang-paren": "!(" * 1000 + "x" + ")" * 1000, "bang-100": "!" * 101 + "x"}


@pytest.mark.parametrize("kind", sorted(ECMASCRIPT_DEEP))
def test_deeply_nested_ecmascript_negation_is_refused_by_name(kind: str) -> None:
    """Found by fuzzing the rewriter: 1,000 ``!`` in an ECMAScript ``cond`` were a raw RecursionError (ecmascript.py)."""
    cond = ECMASCRIPT_DEEP[kind]
    text = _ecmascript_doc(f'<state id="a"><transition event="go" cond="{cond}"/></state>')
    rejects(lambda: parse_scxml(text), "<transition>", "cond", "nests deeper than")
    script = _ecmascript_doc(f'<state id="a"><onentry><script>x = {cond};</script></onentry></state>')
    rejects(lambda: parse_scxml(script), "<script>", "nests deeper than")
    with pytest.raises(StatechartError, match="nests deeper than"):
        ecmascript_to_python(cond)


def test_ecmascript_negation_up_to_the_bound_still_loads() -> None:
    cond = "!" * 97 + "x"  # an odd number of nots of 0 holds; 97 stays under the depth bound of statecharts.limits
    text = _ecmascript_doc(f'<state id="a"><transition event="go" cond="{cond}" target="b"/></state><state id="b"/>')
    it = Interpreter(parse_scxml(text))
    it.send("go")
    assert it.configuration == ("b",)


ACTION_BUILDERS: dict[str, Callable[[], Any]] = {
    "raise_ event 5": lambda: raise_(5),  # type: ignore[arg-type]
    "raise_ empty event": lambda: raise_(""),
    "send event 5": lambda: send(SELF, 5),  # type: ignore[arg-type]
    "send target 5": lambda: send(5, "x"),  # type: ignore[arg-type]
    "send send_id 5": lambda: send(SELF, "x", delay=10, send_id=5),  # type: ignore[arg-type]
    "send_to group 5": lambda: send_to(5, 0, "x"),  # type: ignore[arg-type]
    "reply event None": lambda: reply(None),  # type: ignore[arg-type]
    "broadcast event []": lambda: broadcast("b", []),  # type: ignore[arg-type]
    "cancel 5": lambda: cancel(5),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("case", sorted(ACTION_BUILDERS))
def test_wrongly_typed_action_arguments_are_refused_when_the_action_is_made(case: str) -> None:
    """Found by probing after the fuzz run: ``raise_(5)`` / ``send(SELF, 5)`` were accepted, then a raw AttributeError when run."""
    rejects(ACTION_BUILDERS[case], "is not a non-empty string")
