"""Hypothesis strategies for the fuzz test: random inputs of every kind the tool reads, valid and not.

Each strategy draws *text* a user could have written: Python source that builds a chart or a
system with the public API, an SCXML document, or a pytransitions definition written as a
Python literal. Text keeps a shrunk failing example readable and pasteable as a reproducer.
Defects are drawn on purpose, each with a small probability: wrong types, unknown targets,
bad or hostile expressions (huge arithmetic, deep nesting), hostile XML, eventless cycles,
huge delays, empty event names, odd characters in names.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import strategies as st

# --------------------------------------------------------------------------- expressions

GOOD_GUARDS = (
    "ctx.n < 3",
    "ctx.n % 2 == 0",
    "ctx.n + ctx.m > 1",
    "ctx.n in {1, 2, 3}",
    "len(ctx.items) < 2",
    "not (ctx.n > 2) or ctx.m == 0",
    "ctx.n * 2 - 1 >= 0",
    "ctx.m < 10 and ctx.n != 4",
    "ctx.name == 'x'",
)
BAD_GUARDS = (
    "ctx.nope > 1",  # unknown field
    "ctx.n <",  # syntax
    "__import__('os').system('true')",  # not allowed
    "ctx.n.__class__",
    "lambda: 1",
    "open('/etc/passwd')",
    "9 ** 9 ** 9 > 0",  # huge arithmetic
    "pow(7, 3000000) > 0",
    "(1 << 100000000) > 0",
    "'a' * 1000000000 == ''",
    "ctx.n / 0 > 1",  # fails at run time
    "3",  # constant, not a boolean
    "'yes'",
    "None",
    "1.5 < ctx.n",
    "ctx.n < 3 and",
    "\x00",
    "",
    "ctx.items[5] == 1",
    "tuple({'b', 'a', 'c'}) == ('a', 'b', 'c')",
    "str({'b', 'a'}) == ''",
)
MONOTONE_VALUES = ("ctx.n + 1", "ctx.n * 2", "max(ctx.n, 1)", "ctx.n + ctx.m")
GOOD_VALUES = ("ctx.n + 1", "ctx.m - 1", "ctx.n * 2", "0", "ctx.n % 3", "(ctx.n + ctx.m) // 2", "abs(ctx.m)", "max(ctx.n, 1)")
BAD_VALUES = (
    "9 ** 9 ** 9",
    "pow(7, 3000000)",
    "10 ** 100",
    "ctx.n << 100000",
    "ctx.n / 0",
    "1.5",
    "'text'",
    "ctx.nope",
    "(1, 2)",
    "{'a': ctx.n}",
    "[ctx.n]",
    "ctx.n +",
    "ctx.n ** ctx.n ** ctx.n ** 50",
)


@st.composite
def deep_expression(draw: st.DrawFn, fmt: str) -> str:
    """A deeply nested or very long expression (parser and evaluator depth, load time)."""
    shape = draw(st.sampled_from(["plus", "paren", "not", "neg", "and", "call", "bang", "bang-paren"]))
    n = draw(st.sampled_from([10, 200, 1000, 5000, 20000]))
    text = {
        "plus": "ctx.n" + " + 1" * n,
        "paren": "(" * n + "ctx.n" + ")" * n,
        "not": "not " * n + "ctx.n",
        "neg": "-" * n + "ctx.n",
        "and": " and ".join(["ctx.n < 3"] * n),
        "call": "abs(" * n + "ctx.n" + ")" * n,
        "bang": "!" * n + "ctx.n",  # ECMAScript negation (SCXML's ecmascript datamodel rewrites it)
        "bang-paren": "!(" * n + "ctx.n" + ")" * n,
    }[shape]
    return fmt.format(text)


def guards() -> st.SearchStrategy[str]:
    """Guard expression text: mostly good, sometimes bad or hostile."""
    return st.one_of(
        st.sampled_from(GOOD_GUARDS),
        st.sampled_from(GOOD_GUARDS),
        st.sampled_from(BAD_GUARDS),
        deep_expression("{} < 3"),
    )


def values() -> st.SearchStrategy[str]:
    """Value expression text for an assignment."""
    return st.one_of(st.sampled_from(GOOD_VALUES), st.sampled_from(GOOD_VALUES), st.sampled_from(BAD_VALUES), deep_expression("{}"))


# --------------------------------------------------------------------------- names

EVENTS = ("go", "stop", "tick", "a.b", "reset")
ODD_NAMES = ("", " ", "a b", 'q"uote', "back\\slash", "new\nline", "<!--", "{brace}", "x:y", "é", "class", "end", "1abc", "a" * 300)
WRONG_TYPES = ("5", "None", "2.5", "['x']", "{'a': 1}", "object()", "b'go'")


def event_names() -> st.SearchStrategy[str]:
    """An event name as Python source (a string literal; rarely an odd one or a wrong type)."""
    return st.integers(0, 19).flatmap(
        lambda k: st.sampled_from(EVENTS).map(repr) if k < 16 else st.sampled_from(ODD_NAMES).map(repr) if k < 18 else st.sampled_from(WRONG_TYPES)
    )


def _pick(draw: st.DrawFn, bad: bool, good: list[str], wrong: list[str]) -> str:
    """A good choice, or (when the example is a bad one, one time in three) a wrong one."""
    if bad and draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(wrong))
    return draw(st.sampled_from(good))


# --------------------------------------------------------------------------- charts (Python API source)


class _Tree:
    """A drawn state tree as plain data, rendered to Python source, SCXML or a pytransitions dict."""

    def __init__(self, kind: str, id: str, children: list[_Tree] | None = None) -> None:
        self.kind = kind  # atomic | compound | parallel | final | history
        self.id = id
        self.children = children or []
        self.transitions: list[dict[str, Any]] = []
        self.entry: list[str] = []

    def iter(self) -> list[_Tree]:
        out, todo = [], [self]
        while todo:
            t = todo.pop()
            out.append(t)
            todo.extend(reversed(t.children))
        return out


@st.composite
def trees(draw: st.DrawFn, max_depth: int = 3, odd_ids: bool = False) -> list[_Tree]:
    """A forest of top-level states; sometimes a very deep chain or a history-only compound."""
    counter = itertools.count()

    def new_id() -> str:
        if odd_ids and draw(st.integers(0, 5)) == 0:
            return draw(st.sampled_from(ODD_NAMES)) + str(next(counter))
        return f"s{next(counter)}"

    def node(depth: int, in_parallel: bool) -> _Tree:
        kinds = ["atomic", "atomic"] + (["compound", "compound", "parallel"] if depth > 0 else [])
        if not in_parallel:
            kinds.append("final")
        t = _Tree(draw(st.sampled_from(kinds)), new_id())
        if t.kind == "compound":
            t.children = [node(depth - 1, False) for _ in range(draw(st.integers(1, 3)))]
            if draw(st.integers(0, 4)) == 0:
                t.children.append(_Tree("history", new_id()))
        elif t.kind == "parallel":
            t.children = [node(depth - 1, True) for _ in range(draw(st.integers(2, 3)))]
        return t

    return [node(max_depth, False) for _ in range(draw(st.integers(1, 3)))]


def specials() -> st.SearchStrategy[tuple[str, int]]:
    """Rarely a structural extreme appended to a chart: a deep chain of nested states, or a history-only compound."""
    return st.one_of(
        st.just(("none", 0)),
        st.just(("none", 0)),
        st.just(("none", 0)),
        st.just(("none", 0)),
        st.just(("none", 0)),
        st.tuples(st.just("chain"), st.sampled_from([50, 400, 1200, 3000])),
        st.just(("history_only", 0)),
    )


@st.composite
def transitions(draw: st.DrawFn, forest: list[_Tree], allow_bad: bool = True) -> None:
    """Draw transitions onto the sources of a forest (as data: event, target, guard, actions)."""
    every = [s for t in forest for s in t.iter()]
    ids = [s.id for s in every if s.kind != "history"] or ["s0"]
    sources = [s for s in every if s.kind not in ("final", "history")][:60]
    bad = allow_bad and draw(st.integers(0, 3)) == 0  # most examples are well formed
    for s in sources:
        for _ in range(draw(st.integers(0, 2))):
            target: Any = draw(st.one_of(st.none(), st.sampled_from(ids)))
            if bad and draw(st.integers(0, 6)) == 0:
                target = draw(st.sampled_from(["nowhere", 123, ["s0", "nowhere"], ""]))
            event: Any = draw(st.sampled_from(EVENTS))
            eventless = draw(st.integers(0, 6)) == 0
            guard: str | None = draw(st.one_of(st.none(), st.sampled_from(GOOD_GUARDS)))
            if bad and draw(st.integers(0, 3)) == 0:
                guard = draw(guards())
            actions: list[tuple[str, Any]] = []
            if draw(st.booleans()):
                # a well-formed chart only grows n (so every loop bounded by n < 4 ends); a bad one assigns anything
                good_values = GOOD_VALUES if allow_bad else MONOTONE_VALUES
                actions.append(("assign", draw(values()) if bad and draw(st.booleans()) else draw(st.sampled_from(good_values))))
            loops = False
            if draw(st.integers(0, 4)) == 0:
                actions.append(("raise", draw(st.sampled_from(EVENTS + (("",) if allow_bad else ())))))
                loops = True
            if draw(st.integers(0, 5)) == 0:
                actions.append(("send_self", draw(st.sampled_from(EVENTS))))
                loops = True
            if draw(st.integers(0, 6)) == 0:
                delays = ["1s", "500ms", "0.5s", "99999999999999999999s", "1.5", "-1s", 1000] if allow_bad else [1000, 500]
                actions.append(("delay", draw(st.sampled_from(delays))))
            if loops and not allow_bad:  # a raised or self-sent event may retrigger this transition: bound it
                guard = "ctx.n < 4"
                actions.append(("assign", "ctx.n + 1"))
            if eventless:
                event = None
                if not allow_bad or draw(st.integers(0, 2)) > 0:  # bounded loop, as a careful user writes it
                    guard = "ctx.n < 4"
                    actions.append(("assign", "ctx.n + 1"))
            if bad and draw(st.integers(0, 8)) == 0:
                event = draw(st.sampled_from(["", 5, "a..b", "*"]))
            s.transitions.append({"event": event, "target": target, "guard": guard, "actions": actions})
        if draw(st.integers(0, 8)) == 0:
            s.entry.append(draw(st.sampled_from(["assign", "raise"] if allow_bad else ["assign"])))


def _py_action(kind: str, arg: Any) -> str:
    if kind == "delay" and isinstance(arg, int):
        return f"send(SELF, 'tick', delay={arg})"
    if kind == "assign":
        return f"assign(n={arg!r})"
    if kind == "raise":
        return f"raise_({arg!r})"
    if kind == "send_self":
        return f"send(SELF, {arg!r})"
    return f"send(SELF, 'tick', delay={arg!r})"


def _py_transition(t: dict[str, Any]) -> str:
    acts = ", ".join(_py_action(k, a) for k, a in t["actions"])
    return f"Transition({t['target']!r}, event={t['event']!r}, guard={t['guard']!r}, actions=[{acts}])"


def _py_state(s: _Tree, indent: int = 0) -> str:
    pad = " " * min(indent, 8)
    inner = ", ".join(_py_state(c, indent + 1) for c in s.children)
    if s.kind == "history":
        return f"History({s.id!r})"
    if s.kind == "final":
        return f"Final({s.id!r})"
    entry = ", ".join("assign(m=ctx.m + 1)" if e == "assign" else "raise_('tick')" for e in s.entry)
    ts = ", ".join(_py_transition(t) for t in s.transitions)
    cls = "Parallel" if s.kind == "parallel" else "State"
    head = f"{s.id!r}" + (f", {inner}" if inner else "")
    return f"{pad}{cls}({head}, transitions=[{ts}], entry=[{entry}])"


@st.composite
def chart_sources(draw: st.DrawFn, odd_ids: bool = False, allow_bad: bool = True) -> str:
    """Python source that defines ``chart`` with the public API (rarely with wrongly typed arguments)."""
    forest = draw(trees(odd_ids=odd_ids))
    draw(transitions(forest, allow_bad=allow_bad))
    states = ",\n    ".join(_py_state(s) for s in forest)
    prelude = ""
    kind, depth = draw(specials()) if allow_bad else ("none", 0)
    if kind == "chain":
        prelude = f"deep = State('d0')\nfor i in range(1, {depth}):\n    deep = State(f'd{{i}}', deep)\n"
        states += ", deep"
    elif kind == "history_only":
        states += ", State('ho', History('hoh'))"
    context = "{'n': 0, 'm': 0, 'items': (), 'name': 'x'}"
    if allow_bad and draw(st.integers(0, 10)) == 0:
        context = draw(
            st.sampled_from(
                [
                    "{'n': 0.5, 'm': 0, 'items': (), 'name': 'x'}",
                    "{'n': 0, 'm': 0, 'items': [], 'name': 'x', 'class': 1}",
                    "5",
                    "{'n': object(), 'm': 0, 'items': (), 'name': 'x'}",
                ]
            )
        )
    extra = ""
    if allow_bad and draw(st.integers(0, 10)) == 0:
        extra = draw(
            st.sampled_from(
                [
                    ", initial=5",
                    ", initial='nowhere'",
                    ", on_error='event'",
                    ", on_error='maybe'",
                    ", initial=Transition(None)",
                ]
            )
        )
    src = f"{prelude}chart = Chart('fz',\n    {states},\n    context={context}{extra})\n"
    if allow_bad and draw(st.integers(0, 12)) == 0:
        src = draw(
            st.sampled_from(
                [
                    "chart = Chart('fz', State('a', on={'go': 5}))\n",
                    "chart = Chart('fz', State('a', transitions=[Transition(123)]))\n",
                    "chart = Chart('fz', State('a', on={'go': Transition('a', guard=py(lambda c: __import__('random').random() < 0.5))}))\n",
                    "chart = Chart('fz', State('a', on={'go': Transition('a', actions=python(lambda c, e: {'n': [1]}))}), context={'n': 0})\n",
                    "chart = Chart('fz', State('a', on={'go': Transition('a', actions=python(lambda c, e: 1 / 0))}))\n",
                    "chart = Chart('fz', State('a', on={'go': Transition('a', actions=assign(t='put(ctx.t, 1, 2)'))}), context={'t': (1, 2)})\n",
                    "chart = Chart('fz', State('p', History('h', default='h2'), History('h2', default='h'), State('x')), State('q', on={'go': 'h'}))\n",
                    "chart = Chart('fz', State('a', always=Transition('b')), State('b', always=Transition('a')))\n",
                    "chart = Chart('fz', State('a', on={'go': Transition(actions=raise_('go'))}))\n",
                    "chart = Chart(5)\n",
                    "chart = Chart('fz', 'a')\n",
                    "chart = Chart('fz', State('a', after={10**30: 'a'}))\n",
                ]
            )
        )
    return src


def chart_events() -> st.SearchStrategy[list[str]]:
    """Events to send, as Python source of the argument (mostly names, rarely wrong types)."""
    return st.lists(event_names(), max_size=6)


# --------------------------------------------------------------------------- SCXML documents

SCXML_NS = 'xmlns="http://www.w3.org/2005/07/scxml" version="1.0"'


def _xml_attr(v: str) -> str:
    return v.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def _scxml_guard(g: str) -> str:
    return g.replace("ctx.", "")


def _scxml_action(kind: str, arg: Any) -> str:
    if kind == "assign":
        return f'<assign location="n" expr="{_xml_attr(_scxml_guard(str(arg)))}"/>'
    if kind == "raise":
        return f'<raise event="{_xml_attr(str(arg))}"/>'
    if kind == "send_self":
        return f'<send event="{_xml_attr(str(arg))}"/>'
    return f'<send event="tick" delay="{_xml_attr(str(arg))}"/>'


def _scxml_state(s: _Tree) -> str:
    if s.kind == "history":
        return f'<history id="{_xml_attr(s.id)}"/>'
    if s.kind == "final":
        return f'<final id="{_xml_attr(s.id)}"/>'
    tag = "parallel" if s.kind == "parallel" else "state"
    parts = []
    if s.entry:
        parts.append("<onentry>" + "".join(_scxml_action(e, "m + 1" if e == "assign" else "tick") for e in s.entry) + "</onentry>")
    for t in s.transitions:
        attrs = []
        if t["event"] is not None:
            attrs.append(f'event="{_xml_attr(str(t["event"]))}"')
        if t["target"] is not None:
            tgt = " ".join(t["target"]) if isinstance(t["target"], list) else str(t["target"])
            attrs.append(f'target="{_xml_attr(tgt)}"')
        if t["guard"] is not None:
            attrs.append(f'cond="{_xml_attr(_scxml_guard(t["guard"]))}"')
        body = "".join(_scxml_action(k, a) for k, a in t["actions"])
        parts.append(f"<transition {' '.join(attrs)}>{body}</transition>")
    parts.extend(_scxml_state(c) for c in s.children)
    return f'<{tag} id="{_xml_attr(s.id)}">' + "".join(parts) + f"</{tag}>"


HOSTILE_XML = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    f"<scxml {SCXML_NS}><state id='&lol2;'/></scxml>",
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    f"<scxml {SCXML_NS}><state id='a'><onentry><log expr='&xxe;'/></onentry></state></scxml>",
    f"<scxml {SCXML_NS}><state id='a'>",
    "<notscxml/>",
    "",
    "\ufeff<scxml/>",
    "plain text, not a path",
    f"<scxml {SCXML_NS}><invoke src='x'/></scxml>",
    f"<scxml {SCXML_NS}><state id='a'><transition event='go' target='a'><script>import os</script></transition></state></scxml>",
    f"<scxml {SCXML_NS} initial='nowhere'><state id='a'/></scxml>",
    f"<scxml {SCXML_NS}><state id='a'/><state id='a'/></scxml>",
    f"<scxml {SCXML_NS}><datamodel><data id='n' expr='9 ** 9 ** 9'/></datamodel><state id='a'/></scxml>",
    f"<scxml {SCXML_NS}><state id='a'><onentry>" + "<if cond='true'>" * 700 + "</if>" * 700 + "</onentry></state></scxml>",
    f"<scxml {SCXML_NS}>" + "<state>" * 2500 + "</state>" * 2500 + "</scxml>",
    f"<scxml {SCXML_NS}><state id='a'><onentry><foreach array='n' item='i'/></onentry></state><datamodel><data id='n' expr='5'/></datamodel></scxml>",
)


@st.composite
def scxml_documents(draw: st.DrawFn) -> str:
    """SCXML text: a drawn chart rendered as a document, or a hostile / malformed one."""
    if draw(st.integers(0, 6)) == 0:
        return draw(st.sampled_from(HOSTILE_XML))
    forest = draw(trees())
    draw(transitions(forest))
    data = "<datamodel><data id='n' expr='0'/><data id='m' expr='0'/><data id='items' expr='()'/><data id='name' expr=\"'x'\"/></datamodel>"
    if draw(st.integers(0, 8)) == 0:
        data = data.replace("expr='0'", f'expr="{_xml_attr(draw(values()))}"', 1)
    datamodel = draw(st.sampled_from(["", ' datamodel="python"', ' datamodel="ecmascript"', ' datamodel="xpath"']))
    extra = ""
    kind, depth = draw(specials())
    if kind == "chain":
        extra = "".join(f"<state id='d{i}'>" for i in range(depth)) + "<state id='leaf'/>" + "</state>" * depth
    elif kind == "history_only":
        extra = "<state id='ho'><history id='hoh'/></state>"
    return f"<scxml {SCXML_NS}{datamodel}>{data}" + "".join(_scxml_state(s) for s in forest) + extra + "</scxml>"


# --------------------------------------------------------------------------- pytransitions definitions

CALLBACK_NAMES = ("is_ready", "bump", "boom", "missing_cb", "n")


def _pt_state(s: _Tree) -> Any:
    if s.kind in ("atomic", "history"):
        return s.id if not s.entry else {"name": s.id, "on_enter": ["bump"]}
    if s.kind == "final":
        return {"name": s.id, "final": True}
    d: dict[str, Any] = {"name": s.id, "children": [_pt_state(c) for c in s.children if c.kind != "history"]}
    if s.kind == "parallel":
        d["parallel"] = True
    elif d["children"]:
        d["initial"] = d["children"][0] if isinstance(d["children"][0], str) else d["children"][0]["name"]
    return d


def _pt_paths(s: _Tree, prefix: str = "") -> list[str]:
    name = prefix + s.id
    return [name] + [p for c in s.children if c.kind != "history" for p in _pt_paths(c, name + "_")]


@st.composite
def transitions_definitions(draw: st.DrawFn) -> str:
    """Python source defining ``d``, a pytransitions definition (HierarchicalMachine keyword arguments)."""
    if draw(st.integers(0, 8)) == 0:
        return "d = " + draw(
            st.sampled_from(
                [
                    "{'states': 5}",
                    "{'states': ['a'], 'transitions': 7}",
                    "{'states': ['a', 'a'], 'initial': 'a'}",
                    "{'states': [{'name': 5}]}",
                    "{'states': ['a'], 'initial': 'b'}",
                    "{'states': ['a'], 'transitions': [['go', 'a']]}",
                    "{'states': ['a'], 'transitions': [{'trigger': 'go', 'source': 'a', 'dest': 'a', 'conditions': 5}]}",
                    "{'states': [{'name': 'a', 'timeout': -1, 'on_timeout': 'bump'}]}",
                    "{'states': [{'name': 'a', 'timeout': 10**30, 'on_timeout': 'bump'}]}",
                    "[1, 2, 3]",
                    "{'states': ['a', {'name': 'b', 'children': ['x'] * 3}]}",
                    "{'states': ['a'], 'prepare_event': 'bump'}",
                ]
            )
        )
    forest = draw(trees(max_depth=2))
    forest = [t for t in forest if t.kind != "history"] or [_Tree("atomic", "s0")]
    paths = [p for t in forest for p in _pt_paths(t)]
    trans: list[Any] = []
    for _ in range(draw(st.integers(0, 6))):
        trigger: Any = draw(st.sampled_from(EVENTS[:3] + ("", 5)) if draw(st.integers(0, 6)) == 0 else st.sampled_from(EVENTS[:3]))
        source = draw(st.sampled_from(paths + ["*"]))
        dest: Any = draw(st.one_of(st.none(), st.sampled_from(paths + ["="])))
        if draw(st.integers(0, 10)) == 0:
            dest = "nowhere"
        t: dict[str, Any] = {"trigger": trigger, "source": source, "dest": dest}
        if draw(st.integers(0, 2)) == 0:
            t["conditions"] = draw(st.sampled_from(CALLBACK_NAMES))
        if draw(st.integers(0, 3)) == 0:
            t["after"] = draw(st.sampled_from(CALLBACK_NAMES))
        trans.append(t if draw(st.booleans()) else [t["trigger"], t["source"], t["dest"]])
    d: dict[str, Any] = {"states": [_pt_state(s) for s in forest], "transitions": trans, "initial": paths[0]}
    if draw(st.integers(0, 4)) == 0:
        d["auto_transitions"] = False
    src = f"d = {d!r}\n"
    kind, depth = draw(specials())
    if kind == "chain":
        src += f"deep = {{'name': 'leaf'}}\nfor i in range({depth}):\n"
        src += "    deep = {'name': f'd{i}', 'children': [deep], 'initial': deep['name']}\nd['states'].append(deep)\n"
    elif kind == "history_only":
        src += "d['states'].append({'name': 'ho', 'children': []})\n"
    return src


# --------------------------------------------------------------------------- systems

PREDICATES = (
    "actor('a').n < 5",
    "actor('b').in_state('idle')",
    "in_flight('ping') == 0",
    "in_flight() < 3",
    "all_in('b', 'idle')",
    "actor('a').in_state('nope')",  # unknown state
    "actor('zz').n == 1",  # unknown actor
    "in_flight('typo') == 0",  # unknown event
    "actor('a').n",  # not a boolean
    "'actor(\"a\").n < 2'",  # a string predicate
    "lambda v: v.actor('a').ctx.n < 3",  # a Python predicate
    "lambda v: 1 / 0",
    "5",
)


@st.composite
def system_sources(draw: st.DrawFn) -> str:
    """Python source that defines ``system``: two actors that ping-pong, stimuli, faults, properties."""
    bad = draw(st.integers(0, 2)) == 0
    count = _pick(draw, bad, ["None", "None", "2", "3"], ["0", "-1", "'2'"])
    limit = draw(st.integers(1, 4))
    ping_guard = draw(guards()) if bad and draw(st.booleans()) else f"ctx.n < {limit}"
    send = _pick(draw, bad, ["send('b', 'ping')", "broadcast('b', 'ping')", "send('b', 'ping', delay=1000)"], ["send('b', 'pong')", "send('zz', 'ping')"])
    a_chart = (
        f"Chart('A', State('idle', on={{'start': Transition('waiting', guard={ping_guard!r}, actions=[assign(n=ctx.n + 1), {send}])}}), "
        "State('waiting', on={'pong': 'idle'}), context={'n': 0})"
    )
    b_chart = "Chart('B', State('idle', on={'ping': Transition('idle', actions=[assign(k=ctx.k + 1), reply('pong')])}), Final('done'), context={'k': 0})"
    network = _pick(draw, bad, ["'fifo'", "'unordered'", "'unordered-duplicating'"], ["'lossy'", "5"])
    faults = _pick(
        draw, bad, ["Faults()", "Faults(drop=1)", "Faults(duplicate=1)", "Faults(crash={'b': 1})"], ["Faults(drop=-1)", "Faults(crash={'nobody': 1})", "Faults(drop=2.5)"]
    )
    stim = _pick(
        draw,
        bad,
        ["Stimulus('a', 'start', max=2)", "Stimulus('a', 'start', max=2, fair=True)", "Stimulus('a', 'start')"],
        ["Stimulus('a', 'nope')", "Stimulus('a', 'start', max=-1)", "Stimulus('a', 'start', data=[{'x': 1}, {'x': [1]}], max=1)", "Stimulus('q', 'start')"],
    )
    good_preds, bad_preds = list(PREDICATES[:5]) + ["lambda v: v.actor('a').ctx.n < 3"], [p for p in PREDICATES[5:]]
    props = []
    for i in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(("invariant", "sometimes", "eventually", "leads_to")))
        name = _pick(draw, bad, [f"p{i}"], ["dup", ""])
        p = _pick(draw, bad, good_preds, bad_preds)
        if kind == "leads_to":
            props.append(f"leads_to({name!r}, {p}, {_pick(draw, bad, good_preds, bad_preds)})")
        else:
            props.append(f"{kind}({name!r}, {p})")
    b_ctx = _pick(draw, bad, ["None", "{'k': 1}", "lambda i: {'k': i}"], ["{'zz': 1}", "lambda i: {'k': 1 // (i - i)}", "{'k': [1]}"])
    constraint = _pick(draw, bad, ["None", "None", "actor('a').n <= 2", "lambda v: v.actor('a').ctx.n < 2"], ["lambda v: 1 / 0", "'actor(\"a\").n <= 1'", "5"])
    return (
        f"system = System('fz', actors=[Actor('a', {a_chart}, end_states=['idle', 'waiting']), "
        f"Actor('b', {b_chart}, count={count}, context={b_ctx}, end_states=['idle'])],\n"
        f"    network={network}, faults={faults}, stimuli=[{stim}],\n"
        f"    properties=[{', '.join(props)}], constraint={constraint}, symmetry={draw(st.booleans())})\n"
    )


def explore_options() -> st.SearchStrategy[dict[str, Any]]:
    """Bounded exploration options; rarely a bad bound."""
    return st.fixed_dictionaries(
        {
            "mode": st.sampled_from(["bfs", "bfs", "bfs", "dfs", "random", "sideways"]),
            "max_states": st.sampled_from([100, 100, 100, 30, -5, 2.5, 0]),
            "max_depth": st.sampled_from([20, 20, 20, 5, None, -1]),
            "runs": st.just(20),
        }
    )


def exporter_options() -> st.SearchStrategy[tuple[Any, Any, str, Any]]:
    """Options of the chart exporters: active states, taken transitions, rank direction, Mermaid direction."""
    return st.tuples(
        st.one_of(st.none(), st.sampled_from(["s0", "s1 s2", "nowhere", "", "<!--"]), st.lists(st.sampled_from(["s0", "s1", "zz"]), max_size=3)),
        st.one_of(st.none(), st.sampled_from([[0], [0, 1], [99], [-1], ["s0 --go--> s1"], "0", [1.5]])),
        st.sampled_from(["TB", "LR", "XX", '"']),
        st.sampled_from([None, "LR", "TB", "sideways", "LR\nstate x"]),
    )
