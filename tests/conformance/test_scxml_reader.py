"""The SCXML reader: what it maps, and the errors bad or hostile documents get (element, line, hint)."""

from __future__ import annotations

from pathlib import Path

import pytest

from statecharts import ChartDefinitionError, Interpreter, StatechartError
from statecharts.scxml import ecmascript_to_python, load_scxml, parse_scxml

NS = 'xmlns="http://www.w3.org/2005/07/scxml" version="1.0"'


def doc(body: str, attrs: str = "") -> str:
    """An SCXML document around ``body``."""
    return f"<scxml {NS} {attrs}>\n{body}\n</scxml>"


# --------------------------------------------------------------------------- the ECMAScript rewrite


@pytest.mark.parametrize(
    ("js", "py"),
    [
        ("x === 1 && y !== 2", "x == 1  and  y != 2"),
        ("a || b", "a  or  b"),
        ("!In('s1')", "(not In('s1'))"),
        ("!a.b(c)[0] == d", "(not a.b(c)[0]) == d"),
        ("!!x", "(not (not x))"),
        ("true || false || null || undefined", "True  or  False  or  None  or  None"),
        ("Math.pow(i, 3) + Math.max(a, b)", "pow(i, 3) + max(a, b)"),
        ("{p1: 'v1', p2: {q: 2}}", "{'p1': 'v1', 'p2': {'q': 2}}"),
        ("'a && b' + \"!x === y\"", "'a && b' + \"!x === y\""),
        ("x != 1", "x != 1"),
        ("JSON.stringify(x)", "str(x)"),
    ],
)
def test_ecmascript_rewrite(js: str, py: str) -> None:
    """The rewrite is token-level: operators and literals change, strings do not."""
    assert ecmascript_to_python(js) == py


def test_ecmascript_document_runs() -> None:
    """datamodel='ecmascript' turns the rewrite on by itself."""
    chart = parse_scxml(
        doc(
            """<datamodel><data id="x" expr="0"/><data id="ok" expr="false"/></datamodel>
            <state id="a">
              <onentry><assign location="x" expr="Math.pow(2, 3)"/><script>ok = !ok; x++;</script></onentry>
              <transition event="go" cond="x === 9 &amp;&amp; ok" target="b"/>
            </state>
            <state id="b"/>""",
            'datamodel="ecmascript"',
        )
    )
    it = Interpreter(chart)
    assert it.context == {"x": 9, "ok": True}
    it.send("go")
    assert it.leaves == ("b",)


# --------------------------------------------------------------------------- what maps onto what


def test_datamodel_fields_are_bare_names_and_data_is_initialised_in_order() -> None:
    """Data ids are context fields; a non-constant data expression is evaluated at start."""
    chart = parse_scxml(
        doc(
            """<datamodel><data id="x" expr="2"/><data id="y" expr="x * 10"/><data id="z">[1, 2]</data></datamodel>
            <state id="a"><transition event="e" cond="y == 20 and len(z) == 2" target="b"/></state>
            <state id="b"/>"""
        ),
        name="demo",
    )
    assert chart.name == "demo"
    it = Interpreter(chart)
    assert it.context == {"x": 2, "y": 20, "z": (1, 2)}
    it.send("e")
    assert it.leaves == ("b",)


def test_send_with_delay_params_content_and_cancel() -> None:
    """Delayed sends run on the virtual clock; params become event data, content the whole data."""
    chart = parse_scxml(
        doc(
            """<datamodel><data id="n" expr="7"/><data id="got" expr="0"/></datamodel>
            <state id="a">
              <onentry>
                <send event="tick" delay="10ms" namelist="n"><param name="m" expr="n + 1"/></send>
                <send id="never" event="boom" delayexpr="'1s'"/>
                <cancel sendid="never"/>
              </onentry>
              <transition event="tick" target="b"><assign location="got" expr="_event.data.n + _event.data.m"/></transition>
              <transition event="boom" target="bad"/>
            </state>
            <state id="b">
              <onentry><send event="text" target="#_internal"><content>hello  world</content></send></onentry>
              <transition event="text" cond="_event.data == 'hello world'" target="c"/>
            </state>
            <state id="c"><onentry><send event="ping" target="peer"/></onentry></state>
            <state id="bad"/>"""
        )
    )
    it = Interpreter(chart)
    it.advance(9)
    assert it.leaves == ("a",)
    it.advance(1)
    assert it.leaves == ("c",)
    assert it.context["got"] == 15
    it.advance(2000)
    assert it.leaves == ("c",)
    assert [(o.target, o.event.name) for o in it.outbox] == [("peer", "ping")]


def test_history_initial_and_internal_transitions() -> None:
    """<initial> with actions, deep history with a default, and type='internal'."""
    chart = parse_scxml(
        doc(
            """<datamodel><data id="entered" expr="0"/></datamodel>
            <state id="s">
              <onentry><assign location="entered" expr="entered + 1"/></onentry>
              <initial><transition target="s1"><log label="init"/></transition></initial>
              <history id="h" type="deep"><transition target="s2"/></history>
              <state id="s1"><transition event="next" target="s2"/></state>
              <state id="s2"/>
              <transition event="again" type="internal" target="s1"/>
              <transition event="out" target="o"/>
            </state>
            <state id="o"><transition event="back" target="h"/></state>"""
        )
    )
    it = Interpreter(chart)
    assert it.leaves == ("s1",)
    assert ("init", None) in it.logs
    it.send("next")
    it.send("again")
    assert it.leaves == ("s1",)
    assert it.context["entered"] == 1
    it.send("next")
    it.send("out")
    it.send("back")
    assert it.leaves == ("s2",)
    assert it.context["entered"] == 2


def test_foreach_binds_item_and_index_as_data() -> None:
    """foreach assigns its item and index to data locations, declared or not."""
    chart = parse_scxml(
        doc(
            """<datamodel><data id="xs" expr="[3, 4]"/><data id="total" expr="0"/></datamodel>
            <state id="a"><onentry>
              <foreach array="xs" item="v" index="i"><assign location="total" expr="total + v * (i + 1)"/></foreach>
            </onentry></state>"""
        )
    )
    assert Interpreter(chart).context["total"] == 11


def test_load_from_path(tmp_path: Path) -> None:
    """A path loads, and the file's stem names the chart."""
    p = tmp_path / "door.scxml"
    p.write_text(doc('<state id="closed"/>'))
    chart = load_scxml(p)
    assert chart.name == "door"
    assert Interpreter(load_scxml(str(p))).leaves == ("closed",)


def test_error_execution_semantics() -> None:
    """A failing action raises error.execution (on_error='event'), it does not stop the chart."""
    chart = parse_scxml(
        doc(
            """<datamodel><data id="xs" expr="[]"/></datamodel>
            <state id="a"><onentry><assign location="xs" expr="xs[3]"/></onentry>
              <transition event="error.execution" target="b"/></state>
            <state id="b"/>"""
        )
    )
    assert chart.on_error == "event"
    assert Interpreter(chart).leaves == ("b",)


def test_deferred_invalid_expression_raises_error_execution() -> None:
    """strict_expressions=False keeps an unparsable expression for run time, as a W3C processor does."""
    text = doc(
        """<datamodel><data id="o" expr="{p1: 'v1'"/></datamodel>
        <state id="a"><transition event="error.execution" target="b"/></state><state id="b"/>"""
    )
    with pytest.raises(ChartDefinitionError, match="<scxml>:2 <data id='o'>: bad data expression"):
        parse_scxml(text)
    assert Interpreter(parse_scxml(text, strict_expressions=False)).leaves == ("b",)


# --------------------------------------------------------------------------- bad documents


def errors_of(text: str, **kwargs: object) -> str:
    """The message of the error a document gets."""
    with pytest.raises(StatechartError) as info:
        parse_scxml(text, **kwargs)  # type: ignore[arg-type]
    return str(info.value)


def test_malformed_xml_names_the_line() -> None:
    """Broken XML is a ChartDefinitionError with the line."""
    msg = errors_of(f"<scxml {NS}>\n<state id='a'>\n</scxml>")
    assert "not well-formed XML" in msg
    assert ":3" in msg


def test_entity_bomb_is_refused() -> None:
    """A billion-laughs document is refused before any expansion."""
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        f'<scxml {NS}><state id="a"><onentry><log expr="\'&lol2;\'"/></onentry></state></scxml>'
    )
    with pytest.raises(ChartDefinitionError, match="forbidden XML construct"):
        parse_scxml(bomb)


def test_external_entity_is_refused() -> None:
    """An external entity (XXE) is refused and the file is never read."""
    xxe = (
        '<?xml version="1.0"?>\n<!DOCTYPE scxml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        f'<scxml {NS}><state id="a"><onentry><log label="&secret;"/></onentry></state></scxml>'
    )
    with pytest.raises(ChartDefinitionError, match="forbidden XML construct"):
        parse_scxml(xxe)


def test_unknown_element() -> None:
    """An unknown element is named with its line."""
    msg = errors_of(doc('<state id="a">\n  <onentry><frobnicate/></onentry>\n</state>'))
    assert "<frobnicate>" in msg
    assert ":3" in msg
    assert "supported:" in msg


def test_unknown_child_of_a_state() -> None:
    """An element a state cannot contain is named together with its parent's kind."""
    msg = errors_of(doc('<state id="a"><bogus/></state>'))
    assert "<bogus> is not allowed in <state>" in msg


def test_missing_state_id() -> None:
    """A state without an id is rejected with a hint."""
    msg = errors_of(doc("<state/>"))
    assert "missing id" in msg
    assert "give every state an id" in msg


def test_duplicate_state_id() -> None:
    """Duplicate ids name both lines."""
    msg = errors_of(doc('<state id="a"/>\n<state id="a"/>'))
    assert "duplicate state id 'a'" in msg
    assert "first defined on line 2" in msg


def test_unknown_target_suggests_a_close_id() -> None:
    """An unknown target gets a did-you-mean hint."""
    msg = errors_of(doc('<state id="idle"><transition event="go" target="runing"/></state>\n<state id="running"/>'))
    assert "unknown state 'runing'" in msg
    assert "did you mean 'running'?" in msg
    assert "<transition>" in msg


def test_bad_expression_names_element_id_line_and_hint() -> None:
    """A bad expression names the element, its line and says what the language is."""
    data = '<datamodel><data id="x" expr="0"/></datamodel>\n'
    msg = errors_of(doc(data + '<state id="s">\n<transition cond="x ==" target="s"/></state>'))
    assert "<transition>" in msg
    assert ":4" in msg
    assert "bad cond expression 'x =='" in msg


def test_ecmascript_hint_when_not_rewriting() -> None:
    """JavaScript in a document without datamodel='ecmascript' gets a hint to rewrite it."""
    msg = errors_of(doc('<state id="s"><transition cond="true &amp;&amp; false" target="s"/></state>'))
    assert "rewrite_ecmascript=True" in msg


def test_expressions_are_never_evaluated_as_python() -> None:
    """Arbitrary Python in a document is rejected, not run."""
    msg = errors_of(doc("""<state id="s"><onentry><log expr="__import__('os').system('true')"/></onentry></state>"""))
    assert "bad expr expression" in msg
    msg = errors_of(doc("""<datamodel><data id="x" expr="().__class__"/></datamodel><state id="s"/>"""))
    assert "private attributes" in msg


def test_unknown_data_location() -> None:
    """Assigning to an undeclared location is a load-time error with a suggestion."""
    data = '<datamodel><data id="count"/></datamodel>'
    msg = errors_of(doc(data + '<state id="s"><onentry><assign location="cout" expr="1"/></onentry></state>'))
    assert "undeclared location 'cout'" in msg
    assert "did you mean 'count'?" in msg


def test_missing_required_attribute() -> None:
    """A missing attribute is named."""
    assert "missing required attribute 'event'" in errors_of(doc('<state id="s"><onentry><raise/></onentry></state>'))
    assert "missing required attribute 'id'" in errors_of(doc('<datamodel><data expr="1"/></datamodel><state id="s"/>'))


def test_unsupported_script_statement() -> None:
    """A script beyond simple assignments is rejected with the statement and its line."""
    script = "<script>\nx = 1;\nfoo(x);\n</script>"
    msg = errors_of(
        doc(f'<datamodel><data id="x"/></datamodel>\n<state id="s"><onentry>{script}</onentry></state>'),
        rewrite_ecmascript=True,
    )
    assert "<script>" in msg
    assert "'foo(x)'" in msg
    assert "not a simple assignment" in msg
    assert "script src is not supported" in errors_of(doc('<state id="s"><onentry><script src="a.js"/></onentry></state>'))


def test_invoke_and_dynamic_event_names_are_refused() -> None:
    """Unsupported features are named rather than silently ignored."""
    assert "<invoke> is not supported" in errors_of(doc('<state id="s"><invoke type="scxml"/></state>'))
    data = '<datamodel><data id="e" expr="\'x\'"/></datamodel>'
    msg = errors_of(doc(data + '<state id="s"><onentry><send eventexpr="e"/></onentry></state>'))
    assert "eventexpr must be a constant" in msg


def test_foreign_namespace_and_wrong_root() -> None:
    """Only SCXML elements are read."""
    assert "foreign namespace" in errors_of(f'<scxml {NS} xmlns:x="urn:x"><x:state id="a"/></scxml>')
    assert "not <scxml>" in errors_of("<statechart/>")


def test_unreadable_path() -> None:
    """A missing file is a StatechartError naming the path."""
    with pytest.raises(StatechartError, match=r"no-such\.scxml"):
        load_scxml("no-such.scxml")
