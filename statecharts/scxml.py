"""Reading W3C SCXML documents into charts: ``load_scxml(path_or_text) -> Chart``.

Documents are parsed with :mod:`defusedxml` (no DTDs, no entities, no external
references), and every expression in them goes through ``statecharts.expr.parse``: it is
turned into the expression language's tree, never ``eval``'d. The datamodel's ``<data>``
ids become the chart's context fields and can be used as bare names (``x + 1``).

ECMAScript documents are supported through :func:`ecmascript_to_python`, a mechanical,
token-level rewrite (``===`` to ``==``, ``&&`` to ``and``, ``true`` to ``True``, object
literals with bare keys to maps, ...). What needs a real JavaScript engine (functions,
``JSON.stringify``, ``typeof``, external ``.js`` files) is rejected with an error naming
the element and its line.

Charts read from SCXML use ``on_error="event"``: an error in executable content raises
``error.execution`` as the Recommendation says. With ``strict_expressions=False`` an
expression that does not parse is not rejected when the document is loaded but raises
``error.execution`` when it is evaluated (what a W3C processor does).
"""

from __future__ import annotations

import ast
import difflib
import keyword
import os
import re
import textwrap
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NoReturn

from .actions import SELF, Action, Assign, Cancel, Foreach, If, Log, Raise, Send
from .chart import Chart, Final, History, Parallel, State, StateNode, Transition
from .durations import DURATION_HINT, DurationProblem, duration_ms
from .ecmascript import _substitute_system_variables, _tokens, ecmascript_to_python
from .engine import CONTENT
from .errors import ChartDefinitionError, ExpressionError
from .expr import Const, Node, PyFunc, parse, to_source
from .limits import MAX_EXPRESSION_CHARS
from .scxml_xml import MAX_NESTING, SCXML_NS, _El, _read_xml

__all__ = ["MAX_NESTING", "SCXML_NS", "ecmascript_to_python", "load_scxml", "parse_scxml"]

_EVENT_PROCESSORS = {"http://www.w3.org/TR/scxml/#SCXMLEventProcessor", "scxml"}
_STATE_TAGS = {"state", "parallel", "final", "history"}
_EXECUTABLE = {"raise", "assign", "log", "if", "foreach", "send", "cancel", "script"}

# --------------------------------------------------------------------------- the reader


def load_scxml(
    path_or_text: str | bytes | os.PathLike[str],
    *,
    name: str | None = None,
    rewrite_ecmascript: bool | None = None,
    strict_expressions: bool = True,
) -> Chart:
    """Read an SCXML document into a Chart: from a file (a ``Path``, or a str that is not XML) or from its text.

    Bytes are always the document; a ``Path`` (any ``os.PathLike``) is always a file; a
    str is the document when, after a byte-order mark and whitespace, it starts with
    ``<``, else a file path (use :func:`parse_scxml` to say "this is text" explicitly).
    ``rewrite_ecmascript`` applies :func:`ecmascript_to_python` to every expression; by
    default it is on exactly when the document declares ``datamodel="ecmascript"``.
    ``strict_expressions=False`` defers an unparsable expression to run time, where it
    raises ``error.execution`` (W3C behaviour) instead of rejecting the document.
    """
    options: dict[str, Any] = {"name": name, "rewrite_ecmascript": rewrite_ecmascript, "strict_expressions": strict_expressions}
    if isinstance(path_or_text, (bytes, bytearray)):
        return parse_scxml(bytes(path_or_text), **options)
    if isinstance(path_or_text, str):
        if path_or_text.lstrip("\ufeff \t\r\n").startswith("<"):
            return parse_scxml(path_or_text, **options)
        why = "a str that does not start with '<' is read as a path"
    elif isinstance(path_or_text, os.PathLike):
        why = "a Path is read as a path"
    else:
        raise ChartDefinitionError(
            "load_scxml",
            f"cannot read an SCXML document from {type(path_or_text).__name__}",
            "pass a file path (str or Path) or the document's text (str or bytes)",
        )
    shown = os.fspath(path_or_text)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    try:
        path = Path(path_or_text)
        data = path.read_bytes()
    except (OSError, ValueError) as e:
        reason = (e.strerror if isinstance(e, OSError) else None) or str(e)
        raise ChartDefinitionError(
            f"SCXML document {shown!r}",
            f"cannot read it as a path: {reason}",
            f"{why}; to read SCXML text, call parse_scxml(text)",
        ) from None
    return parse_scxml(data, **options, source=str(path), default_name=path.stem)


def parse_scxml(
    text: str | bytes,
    *,
    name: str | None = None,
    rewrite_ecmascript: bool | None = None,
    strict_expressions: bool = True,
    source: str = "<scxml>",
    default_name: str = "scxml",
) -> Chart:
    """Read SCXML text into a Chart (see ``load_scxml``); ``source`` names the document in errors."""
    if not isinstance(text, (str, bytes)):
        raise ChartDefinitionError(
            "parse_scxml", f"takes the document as str or bytes, not {type(text).__name__}", "to read a file, call load_scxml(path)"
        )
    root = _read_xml(text, source)
    return _Reader(root, source, name, default_name, rewrite_ecmascript, strict_expressions).chart()




class _Reader:
    """Turns the element tree of one document into Chart objects, with located errors."""

    def __init__(
        self,
        root: _El,
        source: str,
        name: str | None,
        default_name: str,
        rewrite: bool | None,
        strict: bool,
    ) -> None:
        self.root = root
        self.source = source
        self.name = name or root.attrib.get("name") or default_name
        datamodel = root.attrib.get("datamodel", "")
        self.datamodel = datamodel
        self.rewrite = (datamodel.lower() == "ecmascript") if rewrite is None else rewrite
        self.strict = strict
        self.session = f"{self.name}-session"
        self.state_ids: dict[str, _El] = {}
        self.fields: dict[str, Any] = {}
        self.data_init: list[Action] = []
        self.send_count = 0

    # -- errors

    def fail(self, el: _El, problem: str, hint: str | None = None) -> NoReturn:
        raise ChartDefinitionError(f"{self.source}:{el.line} {el.label()}", problem, hint)

    def event_name(self, el: _El, event: str) -> str:
        """A non-empty event name (an empty one would silently make an eventless step)."""
        if not event.strip():
            self.fail(el, f"empty event name {event!r}", "name the event, e.g. event='done'")
        return event

    def attr(self, el: _El, key: str) -> str:
        value = el.attrib.get(key)
        if value is None:
            self.fail(el, f"missing required attribute {key!r}")
        return value

    # -- expressions

    def text_of(self, expr: str) -> str:
        text = " ".join(expr.split("\n")).strip()
        if self.rewrite:
            text = ecmascript_to_python(text)
        return _substitute_system_variables(text, self.session, self.name)

    def expr(self, el: _El, expr: str, what: str, bound: Iterable[str] = ()) -> Node:
        if len(expr) > MAX_EXPRESSION_CHARS:  # before rewriting it token by token
            self.fail(el, f"{what} of {len(expr):,} characters is longer than the limit of {MAX_EXPRESSION_CHARS:,}", "write it in smaller parts")
        try:
            text = self.text_of(expr)
        except ExpressionError as e:  # the ECMAScript rewriter's own bounds
            self.fail(el, f"bad {what} {' '.join(expr.split())[:60]!r}: {e.problem}", e.hint)
        try:
            return parse(text, self.fields, bound)
        except ExpressionError as e:
            reason = re.sub(r"^(in expression|cannot parse expression) .*?: ", "", str(e), count=1, flags=re.DOTALL)
            original = " ".join(expr.split())
            rewritten = f" (read as {text!r})" if text != original else ""
            problem = f"bad {what} {original!r}{rewritten}: {reason}"
            if self.strict:
                hint = "expressions use the Python-like language of statecharts.expr; data ids are bare names"
                unknown = re.search(r"unknown name '(\w+)'", reason)
                if unknown:
                    known = ", ".join(self.fields) or "none"
                    hint = f"declare {unknown.group(1)!r} with <data id=...> in a <datamodel> (declared: {known})"
                if not self.rewrite and re.search(r"===|!==|&&|\|\||\btrue\b|\bfalse\b|\bnull\b", expr):
                    hint = "this looks like ECMAScript: declare datamodel='ecmascript' or pass rewrite_ecmascript=True"
                self.fail(el, problem, hint)
            return _deferred_error(f"{self.source}:{el.line} {el.label()}: {problem}")

    def attr_expr(self, el: _El, key: str, bound: Iterable[str] = ()) -> Node:
        return self.expr(el, self.attr(el, key), f"{key} expression", bound)

    def constant(self, el: _El, node: Node, what: str) -> Any:
        if not isinstance(node, Const):
            self.fail(el, f"{what} must be a constant here, not {to_source(node)!r}", "dynamic values are not supported for it")
        return node.value

    # -- the document

    def chart(self) -> Chart:
        root = self.root
        binding = root.attrib.get("binding", "early")
        if binding != "early":
            self.fail(root, f"binding={binding!r} is not supported", "only early binding is")
        self._collect(root)
        for el in self._walk(root):
            if el.tag == "data":
                self._declare(el)
        states = [self._state(c) for c in root.children if c.tag in _STATE_TAGS]
        for c in root.children:
            if c.tag in _STATE_TAGS or c.tag in ("datamodel", "script"):
                continue
            if c.tag == "transition":
                continue
            self.fail(c, f"<{c.tag}> is not allowed in <scxml>", "use state, parallel, final, datamodel or script")
        if not states:
            self.fail(root, "the document has no states", "add a <state>")
        init = root.attrib.get("initial")
        targets = init.split() if init else [_id(next(c for c in root.children if c.tag in ("state", "parallel", "final")))]
        for t in targets:
            if t not in self.state_ids:
                self._unknown_state(root, t, "initial")
        scripts = [a for c in root.children if c.tag == "script" for a in self._script(c)]
        init_actions = tuple(self.data_init) + tuple(scripts)
        top_transitions = [self._transition(c) for c in root.children if c.tag == "transition"]
        if top_transitions:
            # not in the W3C schema, but SCION documents put transitions on <scxml>: wrap it in a state
            states = [State("__scxml__", *states, initial=targets, transitions=top_transitions)]
            targets = ["__scxml__"]
        initial = Transition(targets, actions=init_actions) if init_actions else targets
        try:
            return Chart(self.name, *states, initial=initial, context=self.fields, on_error="event")
        except ChartDefinitionError as e:
            raise ChartDefinitionError(f"{self.source}: {e.path}", e.problem, e.hint) from None

    @staticmethod
    def _walk(el: _El) -> Iterator[_El]:
        yield el
        for c in el.children:
            yield from _Reader._walk(c)

    def _collect(self, root: _El) -> None:
        """First pass: every state id (for target checks) and every data id (for bare names)."""
        for el in self._walk(root):
            if el.tag in _STATE_TAGS:
                ident = el.attrib.get("id")
                if not ident:
                    self.fail(el, "missing id", "give every state an id attribute (targets refer to states by id)")
                if ident in self.state_ids:
                    other = self.state_ids[ident]
                    self.fail(el, f"duplicate state id {ident!r} (first defined on line {other.line})", "ids must be unique")
                self.state_ids[ident] = el
            elif el.tag == "data":
                ident = self.attr(el, "id")
                if not ident.isidentifier() or keyword.iskeyword(ident) or ident.startswith("__"):
                    what = "a reserved word" if keyword.iskeyword(ident) else "not an identifier"
                    self.fail(el, f"data id {ident!r} is {what}", "use a name like my_var")
                if ident in self.fields:
                    self.fail(el, f"duplicate data id {ident!r}")
                self.fields[ident] = None
            elif el.tag == "datamodel":
                for c in el.children:
                    if c.tag != "data":
                        self.fail(c, f"<{c.tag}> is not allowed in <datamodel>", "only <data> elements")
            elif el.tag == "foreach":
                for key in ("item", "index"):
                    var = el.attrib.get(key)
                    if var is not None:
                        if not var.isidentifier() or keyword.iskeyword(var):
                            self.fail(el, f"foreach {key} {var!r} is not an identifier (or is a reserved word)")
                        self.fields.setdefault(var, None)

    def _declare(self, el: _El) -> None:
        ident = el.attrib["id"]
        if "src" in el.attrib:
            self.fail(el, "data src is not supported", "put the value in expr or in the element's text")
        text = el.attrib.get("expr")
        if text is None and el.text.strip():
            text = el.text
        if el.children:
            self.fail(el, "XML content in <data> is not supported", "use expr or a textual expression")
        if text is None:
            return
        node = self.expr(el, text, "data expression")
        if isinstance(node, Const):
            self.fields[ident] = node.value
        else:
            self.data_init.append(Assign(((ident, node),)))

    def _unknown_state(self, el: _El, target: str, what: str) -> NoReturn:
        close = difflib.get_close_matches(target, list(self.state_ids), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "name the id of a state in the document"
        self.fail(el, f"{what} names unknown state {target!r}", hint)

    # -- states

    def _state(self, el: _El) -> StateNode:
        ident = el.attrib["id"]
        tag = el.tag
        if tag == "history":
            return self._history(el)
        entry: list[Action] = []
        exit_: list[Action] = []
        transitions: list[Transition] = []
        children: list[StateNode] = []
        initial_el: _El | None = None
        for c in el.children:
            if c.tag == "onentry":
                entry.extend(self._block(c.children))
            elif c.tag == "onexit":
                exit_.extend(self._block(c.children))
            elif c.tag == "transition" and tag != "final":
                transitions.append(self._transition(c))
            elif c.tag in _STATE_TAGS and tag != "final":
                children.append(self._state(c))
            elif c.tag == "initial" and tag == "state":
                if initial_el is not None:
                    self.fail(c, "more than one <initial> element")
                initial_el = c
            elif c.tag == "datamodel":
                continue
            elif c.tag == "donedata" and tag == "final":
                self.fail(c, "<donedata> is not supported", "pass data with a <send>/<raise> in the final state's onentry")
            elif c.tag == "invoke":
                self.fail(c, "<invoke> is not supported", "model the invoked service as another actor in simulate")
            else:
                self.fail(c, f"<{c.tag}> is not allowed in <{tag}>")
        if tag == "final":
            return Final(ident, entry=tuple(entry), exit=tuple(exit_))
        if tag == "parallel":
            return Parallel(ident, *children, entry=tuple(entry), exit=tuple(exit_), transitions=transitions)
        initial: Any = None
        if initial_el is not None:
            if "initial" in el.attrib:
                self.fail(el, "both an initial attribute and an <initial> element", "use one of them")
            initial = self._initial(initial_el)
        elif "initial" in el.attrib:
            initial = el.attrib["initial"].split()
            for t in initial:
                if t not in self.state_ids:
                    self._unknown_state(el, t, "initial")
        if initial is not None and not any(not isinstance(c, History) for c in children):
            self.fail(el, "an initial child is given but the state has no child states")
        return State(ident, *children, initial=initial, entry=tuple(entry), exit=tuple(exit_), transitions=transitions)

    def _only_transition(self, el: _El) -> _El:
        ts = [c for c in el.children if c.tag == "transition"]
        others = [c for c in el.children if c.tag != "transition"]
        if len(ts) != 1 or others:
            self.fail(el, f"<{el.tag}> must contain exactly one <transition>")
        t = ts[0]
        if "event" in t.attrib or "cond" in t.attrib:
            self.fail(t, f"the transition of <{el.tag}> has no event or cond")
        if "target" not in t.attrib:
            self.fail(t, f"the transition of <{el.tag}> needs a target")
        return t

    def _initial(self, el: _El) -> Transition:
        t = self._only_transition(el)
        return Transition(self._targets(t), actions=self._block(t.children))

    def _history(self, el: _El) -> History:
        kind = el.attrib.get("type", "shallow")
        if kind not in ("shallow", "deep"):
            self.fail(el, f"history type {kind!r}", "use 'shallow' or 'deep'")
        default: Transition | None = None
        if el.children:
            t = self._only_transition(el)
            default = Transition(self._targets(t), actions=self._block(t.children))
        return History(el.attrib["id"], default, deep=kind == "deep")

    def _targets(self, el: _El) -> list[str]:
        if "targetexpr" in el.attrib:
            self.fail(el, "targetexpr is not supported", "use a static target")
        targets = el.attrib.get("target", "").split()
        for t in targets:
            if t not in self.state_ids:
                self._unknown_state(el, t, "transition target")
        return targets

    def _transition(self, el: _El) -> Transition:
        kind = el.attrib.get("type", "external")
        if kind not in ("internal", "external"):
            self.fail(el, f"transition type {kind!r}", "use 'internal' or 'external'")
        event = el.attrib.get("event")
        if event is not None and not event.strip():
            self.fail(el, f"empty event attribute event={event!r}", "omit the event attribute for an eventless transition")
        event = " ".join(event.split()) if event is not None else None
        cond = self.attr_expr(el, "cond") if "cond" in el.attrib else None
        targets = self._targets(el)
        return Transition(
            targets or None,
            guard=cond,
            actions=self._block(el.children),
            internal=kind == "internal",
            event=event or None,
        )

    # -- executable content

    def _block(self, elements: Iterable[_El]) -> tuple[Action, ...]:
        out: list[Action] = []
        for el in elements:
            out.extend(self._action(el))
        return tuple(out)

    def _action(self, el: _El) -> list[Action]:
        tag = el.tag
        if tag == "raise":
            return [Raise(self.event_name(el, self.attr(el, "event")))]
        if tag == "log":
            label = el.attrib.get("label", "")
            return [Log(label, self.attr_expr(el, "expr") if "expr" in el.attrib else None)]
        if tag == "assign":
            loc = self.attr(el, "location").strip()
            if loc not in self.fields:
                close = difflib.get_close_matches(loc, list(self.fields), n=1)
                hint = f"did you mean {close[0]!r}?" if close else "declare it with <data id=...> (locations are data ids)"
                self.fail(el, f"assign to undeclared location {loc!r}", hint)
            if "expr" in el.attrib:
                value = self.attr_expr(el, "expr")
            elif el.text.strip() and not el.children:
                value = self.expr(el, el.text, "assign content")
            else:
                self.fail(el, "assign needs an expr attribute")
            return [Assign(((loc, value),))]
        if tag == "if":
            return [self._if(el)]
        if tag == "foreach":
            item = self.attr(el, "item")
            index = el.attrib.get("index")
            array = self.attr_expr(el, "array")
            body: tuple[Action, ...] = self._block(el.children)
            binds: list[tuple[str, Node]] = [(item, _var(item))]
            if index:
                binds.append((index, _var(index)))
            body = (Assign(tuple(binds)), *body)
            return [Foreach(array, item, index, body)]
        if tag == "send":
            return self._send(el)
        if tag == "cancel":
            if "sendid" in el.attrib:
                return [Cancel(el.attrib["sendid"])]
            sid = self.constant(el, self.attr_expr(el, "sendidexpr"), "sendidexpr")
            return [Cancel(str(sid))]
        if tag == "script":
            return self._script(el)
        if tag in ("elseif", "else"):
            self.fail(el, f"<{tag}> outside an <if>")
        supported = ", ".join(sorted(_EXECUTABLE))
        self.fail(el, f"unknown or unsupported element <{tag}> in executable content", f"supported: {supported}")

    def _if(self, el: _El) -> If:
        branches: list[tuple[Node, list[Action]]] = [(self.attr_expr(el, "cond"), [])]
        otherwise: list[Action] | None = None
        for c in el.children:
            if c.tag == "elseif":
                if otherwise is not None:
                    self.fail(c, "<elseif> after <else>")
                branches.append((self.attr_expr(c, "cond"), []))
            elif c.tag == "else":
                if otherwise is not None:
                    self.fail(c, "more than one <else>")
                otherwise = []
            elif otherwise is not None:
                otherwise.extend(self._action(c))
            else:
                branches[-1][1].extend(self._action(c))
        return If(tuple((cond, tuple(body)) for cond, body in branches), tuple(otherwise or ()))

    def _send(self, el: _El) -> list[Action]:
        a = el.attrib
        kind = a.get("type")
        if kind is None and "typeexpr" in a:
            kind = str(self.constant(el, self.attr_expr(el, "typeexpr"), "typeexpr"))
        if kind is not None and kind not in _EVENT_PROCESSORS:
            self.fail(el, f"send type {kind!r} is not supported", "only the SCXML event I/O processor is")
        if "event" in a:
            event = self.event_name(el, a["event"])
        elif "eventexpr" in a:
            event = self.event_name(el, str(self.constant(el, self.attr_expr(el, "eventexpr"), "eventexpr")))
        else:
            self.fail(el, "send needs event or eventexpr", "content-only sends are not supported")
        if "target" in a:
            target: str | Node = a["target"]
        elif "targetexpr" in a:
            target = self.attr_expr(el, "targetexpr")
        else:
            target = SELF
        delay: int | None = None
        if "delay" in a:
            delay = self._duration(el, a["delay"])
        elif "delayexpr" in a:
            delay = self._duration(el, str(self.constant(el, self.attr_expr(el, "delayexpr"), "delayexpr")))
        data: list[tuple[str, Node]] = []
        for n in a.get("namelist", "").split():
            if n not in self.fields:
                self.fail(el, f"namelist names undeclared data {n!r}")
            data.append((n, self.expr(el, n, "namelist entry")))
        content: Node | None = None
        for c in el.children:
            if c.tag == "param":
                pname = self.attr(c, "name")
                if "expr" in c.attrib:
                    data.append((pname, self.attr_expr(c, "expr")))
                else:
                    data.append((pname, self.expr(c, self.attr(c, "location"), "param location")))
            elif c.tag == "content":
                if c.children:
                    self.fail(c, "XML content is not supported", "use text or an expr")
                content = self.attr_expr(c, "expr") if "expr" in c.attrib else self._content_text(c.text)
            else:
                self.fail(c, f"<{c.tag}> is not allowed in <send>")
        if content is not None:
            if data:
                self.fail(el, "a send has both <content> and namelist/<param>", "use one of them")
            data = [(CONTENT, content)]
        actions: list[Action] = []
        sid = a.get("id")
        if "idlocation" in a:
            loc = a["idlocation"]
            if loc not in self.fields:
                self.fail(el, f"idlocation names undeclared data {loc!r}")
            self.send_count += 1
            sid = f"{self.name}.send{self.send_count}.line{el.line}"
            actions.append(Assign(((loc, Const(sid)),)))
        if target == "#_internal":
            if delay:
                self.fail(el, "a delayed send to #_internal", "internal events cannot be delayed")
            actions.append(Raise(event, tuple(data)))
            return actions
        if isinstance(target, str) and target in ("#_scxml_" + self.session, "#_self"):
            target = SELF
        if target != SELF and delay:
            self.fail(el, "a delayed send to another actor is not supported", "delay only sends to the chart itself")
        actions.append(Send(target, event, tuple(data), delay=delay, send_id=sid))
        return actions

    def _content_text(self, text: str) -> Node:
        """Text content is a literal value when it reads as one (``123``, ``'a'``, ``[1, 2]``), else the text."""
        try:
            node = parse(text.strip())
        except ExpressionError:
            node = None
        return node if isinstance(node, Const) else Const(" ".join(text.split()))

    def _duration(self, el: _El, text: str) -> int:
        try:
            return duration_ms(text)
        except DurationProblem as e:
            self.fail(el, f"delay {e}", DURATION_HINT)

    def _script(self, el: _El) -> list[Action]:
        if "src" in el.attrib:
            self.fail(el, "script src is not supported", "inline the statements in the <script> element")
        text = textwrap.dedent(el.text)
        toks = _tokens(text)
        rewritten: list[tuple[str, str]] = []
        for i, (kind, tok) in enumerate(toks):
            if kind == "op" and tok == ";":
                rewritten.append(("ws", "\n"))
            elif kind == "op" and tok in ("++", "--"):
                rewritten.append(("op", " += 1" if tok == "++" else " -= 1"))
            elif kind == "name" and tok == "var" and i + 1 < len(toks) and toks[i + 1][0] == "ws":
                continue
            else:
                rewritten.append((kind, tok))
        source = "".join(t for _, t in rewritten)
        if self.rewrite:
            try:
                source = ecmascript_to_python(source)
            except ExpressionError as e:
                self.fail(el, f"script: {e.problem}", e.hint)
        source = "\n".join(line.strip() for line in source.splitlines())
        try:
            module = ast.parse(source, mode="exec")
        except SyntaxError as e:
            self.fail(el, f"script statement not understood (script line {e.lineno}): {e.msg}", _SCRIPT_HINT)
        return [self._statement(el, stmt) for stmt in module.body]

    def _statement(self, el: _El, stmt: ast.stmt) -> Action:
        where = f"script statement {ast.unparse(stmt)!r} (script line {stmt.lineno})"
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            loc = stmt.targets[0].id
            value = ast.unparse(stmt.value)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            loc = stmt.target.id
            op = _AUG_OPS.get(type(stmt.op))
            if op is None:
                self.fail(el, f"{where}: operator not supported", _SCRIPT_HINT)
            value = f"{loc} {op} ({ast.unparse(stmt.value)})"
        else:
            self.fail(el, f"{where} is not a simple assignment", _SCRIPT_HINT)
        if loc not in self.fields:
            self.fail(el, f"{where} assigns undeclared {loc!r}", "declare it with <data id=...>")
        return Assign(((loc, self.expr(el, value, where)),))


_SCRIPT_HINT = "scripts may only contain assignments 'x = expr;' or 'x += expr;' to declared data"
_AUG_OPS: dict[type[ast.operator], str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Mod: "%"}


def _id(el: _El) -> str:
    return el.attrib["id"]


def _var(name: str) -> Node:
    from .expr import Var

    return Var(name)


def _deferred_error(message: str) -> Node:
    """An expression that raises when evaluated (``error.execution`` in an SCXML chart)."""

    def fail(ctx: Any, event: Any) -> Any:
        raise ExpressionError(message)

    return PyFunc(fail, "invalid expression")
