"""SCXML executable content (raise, log, assign, if, foreach, send, cancel, script) read into actions."""

from __future__ import annotations

import ast
import difflib
import textwrap
from collections.abc import Iterable

from ..actions import SELF, Action, Assign, Cancel, Foreach, If, Log, Raise, Send
from ..durations import DURATION_HINT, DurationProblem, duration_ms
from ..ecmascript import _tokens, ecmascript_to_python
from ..engine import CONTENT
from ..errors import ExpressionError
from ..expr import Const, Node, Var, parse
from .expressions import _ReaderBase
from .parsing import _El

_EVENT_PROCESSORS = {"http://www.w3.org/TR/scxml/#SCXMLEventProcessor", "scxml"}
_EXECUTABLE = {"raise", "assign", "log", "if", "foreach", "send", "cancel", "script"}


class _ContentReader(_ReaderBase):
    """Executable content: each element to the actions it stands for, with located errors."""

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
            binds: list[tuple[str, Node]] = [(item, Var(item))]
            if index:
                binds.append((index, Var(index)))
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
