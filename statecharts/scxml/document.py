"""The SCXML document and its states, transitions, datamodel and initial configuration read into a Chart."""

from __future__ import annotations

import difflib
import keyword
from collections.abc import Iterator
from typing import Any, NoReturn

from ..actions import Action, Assign
from ..chart import Chart, Final, History, Parallel, State, StateNode, Transition
from ..errors import ChartDefinitionError
from ..expr import Const
from .content import _ContentReader
from .parsing import _El

_STATE_TAGS = {"state", "parallel", "final", "history"}


class _Reader(_ContentReader):
    """Turns the element tree of one document into Chart objects, with located errors."""

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


def _id(el: _El) -> str:
    return el.attrib["id"]
