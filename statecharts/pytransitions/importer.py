"""The importer: a ``transitions`` definition (or machine) translated to a Chart, refusing what has no SCXML meaning."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from ..actions import Action, python
from ..chart import MAX_DEPTH, Chart, Final, Parallel, State, StateNode, Transition
from ..durations import DurationProblem, duration_ms
from ..errors import ChartDefinitionError
from ..expr import Expr, and_, not_, py
from ..expr import ctx as _ctx
from .definitions import (
    _MACHINE_KEYS,
    _STATE_KEYS,
    _TIMEOUT_HINT,
    _TRANSITION_ARGS,
    _TRANSITION_KEYS,
    _UNSUPPORTED_MACHINE,
    SEPARATOR,
    _name_of,
    _ref_name,
    _refs,
    _StateDef,
    _TransDef,
)
from .machines import _is_machine, _machine_definition


class _Importer:
    """Reads one definition into _StateDefs/_TransDefs, then builds the Chart."""

    def __init__(self, definition: Mapping[str, Any], sep: str, callbacks: Mapping[str, Callable[..., Any]],
                 name: str | None, context: Mapping[str, Any] | None) -> None:
        self.d = definition
        self.sep = sep
        self.callbacks = dict(callbacks)
        self.context = dict(context or {})
        raw_name = name if name is not None else definition.get("name")
        self.name = str(raw_name).strip() if raw_name else "machine"
        self.root_path = f"transitions machine {self.name!r}"
        self.states: dict[str, _StateDef] = {}
        self.top: list[_StateDef] = []
        self.seq = 0
        self.triggers: dict[str, None] = {}

    def fail(self, path: str, problem: str, hint: str | None = None) -> ChartDefinitionError:
        """A ChartDefinitionError for the element at ``path``."""
        return ChartDefinitionError(path, problem, hint)

    # -- reading

    def read(self) -> Chart:
        """Check the machine-level settings, read states and transitions, and build the chart."""
        d = self.d
        unknown = sorted(str(k) for k in d if k not in _MACHINE_KEYS)
        if unknown:
            raise self.fail(self.root_path, f"unsupported machine argument(s) {', '.join(map(repr, unknown))}",
                            f"supported: {', '.join(sorted(_MACHINE_KEYS))}")
        for key, why in _UNSUPPORTED_MACHINE.items():
            if _refs(d.get(key)):
                raise self.fail(self.root_path, f"{key} is not supported", why)
        if d.get("ordered_transitions"):
            raise self.fail(self.root_path, "ordered_transitions=True is not supported",
                            "list the 'next_state' transitions explicitly (a MarkupMachine's markup already does)")
        states = d.get("states")
        if states is None:
            states = []
        elif isinstance(states, (str, enum.Enum)) or isinstance(states, Mapping):
            states = [states]
        elif isinstance(states, enum.EnumMeta):
            states = list(states)
        elif not isinstance(states, (list, tuple)):
            raise self.fail(self.root_path, f"states={states!r} is not a list of states",
                            "pass states=['a', {'name': 'b', 'children': [...]}, ...]")
        for spec in states:
            self.top.append(self._state(spec, None))
        initial = d.get("initial", "initial")
        if initial is None:
            raise self.fail(self.root_path, "initial=None (a model without a state) is not supported",
                            "name the initial state")
        initial_ids = [str(_name_of(i)) for i in (initial if isinstance(initial, (list, tuple)) else [initial])]
        if "initial" not in d and "initial" not in self.states:
            # transitions' default: a state named 'initial' is added (last) and entered
            self.top.append(self._state("initial", None))
        elif len(initial_ids) == 1 and initial_ids[0] not in self.states and self.sep not in initial_ids[0]:
            raise self.fail(self.root_path, f"initial state {initial_ids[0]!r} is not declared",
                            "transitions would silently add it as a new state; declare it in states=[...]")
        if not self.top:
            raise self.fail(self.root_path, "the machine has no states", "pass states=[...]")
        self.initial = [self._lookup(None, i, self.root_path + " initial") for i in initial_ids]
        for s in self.states.values():
            self._state_initial(s)
        if d.get("auto_transitions", True):
            self._auto_transitions()
        self._transitions(None, _refs(d.get("transitions")), 0)
        for s in list(self.states.values()):
            self._transitions(s, s.scoped, s.depth + 1)
        self._check_triggers()
        return self._build()

    def _state(self, spec: Any, parent: _StateDef | None) -> _StateDef:
        """One state spec (name, enum member, dict or State-like object), recursively."""
        where = parent.path if parent else self.root_path
        if isinstance(spec, (str, enum.Enum)):
            spec = {"name": _name_of(spec)}
        elif not isinstance(spec, Mapping):
            if _is_machine(spec):
                raise self.fail(where, "a nested machine as a state is not supported", "pass its states as 'children'")
            if isinstance(_name_of(spec), str):
                spec = {
                    "name": _name_of(spec),
                    "on_enter": list(getattr(spec, "on_enter", []) or []),
                    "on_exit": list(getattr(spec, "on_exit", []) or []),
                    "final": bool(getattr(spec, "final", False)),
                }
            else:
                raise self.fail(where, f"state {spec!r} is not a name, an enum member or a dict")
        unknown = sorted(str(k) for k in spec if k not in _STATE_KEYS)
        local = _name_of(spec.get("name"))
        if not isinstance(local, str) or not local:
            raise self.fail(where, f"a state has no usable name ({spec!r})")
        sid = parent.id + self.sep + local if parent else local
        path = f"{self.root_path} / state {sid!r}"
        if unknown:
            extra = ""
            if "remap" in unknown:
                extra = "; 'remap' (embedding machines) is not supported"
            if "volatile" in unknown:
                extra = "; the Volatile state extension is not supported"
            raise self.fail(path, f"unsupported state key(s) {', '.join(map(repr, unknown))}",
                            f"supported: {', '.join(sorted(_STATE_KEYS))}{extra}")
        if sid in self.states:
            raise self.fail(path, f"duplicate state {sid!r}", "nested ids are paths joined with '_' and must be unique")
        s = _StateDef(sid, path, parent, depth=(parent.depth + 1 if parent else 0))
        if s.depth >= MAX_DEPTH:  # the chart's own bound, checked before recursing (and before auto transitions)
            raise self.fail(path, f"states are nested more than {MAX_DEPTH} levels deep", "flatten the hierarchy")
        self.states[sid] = s
        s.on_enter = _refs(spec.get("on_enter"))
        s.on_exit = _refs(spec.get("on_exit"))
        s.on_final = _refs(spec.get("on_final"))
        s.on_timeout = _refs(spec.get("on_timeout"))
        s.final = bool(spec.get("final", False))
        timeout = spec.get("timeout", 0)
        try:
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float, str)):
                raise ValueError(timeout)
            exact_ms = Fraction(str(timeout).strip() or "0") * 1000  # str(): 0.1 is 100 ms, not 100.000000000000005
        except (ValueError, ZeroDivisionError):
            raise self.fail(path, f"timeout {timeout!r} is not a number of seconds") from None
        if exact_ms > 0:
            if not s.on_timeout:
                raise self.fail(path, "timeout without on_timeout", "transitions requires on_timeout with a timeout too")
            if exact_ms.denominator != 1:
                raise self.fail(path, f"timeout {timeout!r} seconds is not a whole number of milliseconds", _TIMEOUT_HINT)
            try:
                s.timeout_ms = duration_ms(exact_ms.numerator)
            except DurationProblem as e:
                raise self.fail(path, f"timeout {timeout!r} seconds: {e}", _TIMEOUT_HINT) from None
        elif exact_ms < 0:
            raise self.fail(path, f"timeout {timeout!r} is negative", "give a timeout in seconds greater than 0")
        parallel = spec.get("parallel")
        if parallel:
            children = parallel if isinstance(parallel, (list, tuple)) else [parallel]
            s.parallel = True
        else:
            children = spec.get("children", spec.get("states")) or []
            if isinstance(children, enum.EnumMeta):
                children = list(children)
            elif isinstance(children, (str, enum.Enum, Mapping)):
                children = [children]
            elif not isinstance(children, (list, tuple)):
                raise self.fail(path, f"children={children!r} is not a list of states", "pass children=['a', 'b', ...]")
        for c in children:
            s.children.append(self._state(c, s))
        s.initial = spec.get("initial")
        s.scoped = _refs(spec.get("transitions"))
        if s.final and s.children:
            raise self.fail(path, "a final state with children is not supported", "mark its final child final instead")
        if s.final and (s.timeout_ms or s.scoped):
            raise self.fail(path, "a final state cannot have a timeout or transitions")
        return s

    def _state_initial(self, s: _StateDef) -> None:
        """Resolve a compound state's initial child(ren); an initial naming every child means parallel."""
        if not s.children:
            if s.initial:
                raise self.fail(s.path, f"initial={s.initial!r} on a state without children")
            return
        init = s.initial
        if init is None or s.parallel:
            s.initial = None
            return
        names = [str(_name_of(i)) for i in (init if isinstance(init, (list, tuple)) else [init])]
        if not names:
            raise self.fail(s.path, "initial=[] names no state", "name the child to enter first, or drop initial=")
        if len(names) > 1:
            child_names = [c.id[len(s.id) + len(self.sep):] for c in s.children]
            if sorted(names) != sorted(child_names):
                raise self.fail(s.path, f"initial={names!r} activates only some children at once",
                                "SCXML has no partial parallelism: use parallel=[...] with every region, or one initial")
            s.parallel = True
            s.initial = None
            return
        s.initial = self._lookup(s, names[0], s.path + " initial").id

    def _lookup(self, scope: _StateDef | None, name: Any, where: str) -> _StateDef:
        """The state a (scope-relative) name refers to, or an error suggesting close names."""
        local = _name_of(name)
        if not isinstance(local, str):
            raise self.fail(where, f"{name!r} is not a state name")
        sid = scope.id + self.sep + local if scope else local
        found = self.states.get(sid)
        if found is None:
            known = [k for k in self.states if scope is None or k.startswith(scope.id + self.sep)]
            close = difflib.get_close_matches(sid, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known states: {', '.join(known[:12])}"
            raise self.fail(where, f"unknown state {sid!r}", hint)
        return found

    def _scope_states(self, scope: _StateDef | None) -> list[_StateDef]:
        """The states '*' stands for in a scope: its direct children (top-level states at the root)."""
        return list(scope.children if scope else self.top)

    def _transitions(self, scope: _StateDef | None, specs: list[Any], depth: int) -> None:
        """Expand transition specs declared in a scope (sources and '*' / '=' resolved within it)."""
        for spec in specs:
            self.seq += 1
            where0 = scope.path if scope else self.root_path
            if isinstance(spec, (list, tuple)):
                if len(spec) < 3 or len(spec) > len(_TRANSITION_ARGS):
                    raise self.fail(where0, f"transition {list(spec)!r} is not [trigger, source, dest, ...]")
                spec = dict(zip(_TRANSITION_ARGS, spec))
            elif not isinstance(spec, Mapping):
                raise self.fail(where0, f"transition {spec!r} is neither a list nor a dict")
            trigger = spec.get("trigger")
            if not isinstance(trigger, str) or not trigger:
                raise self.fail(where0, f"transition {dict(spec)!r} has no trigger")
            label = f"{where0} / transition {trigger!r}"
            unknown = sorted(str(k) for k in spec if k not in _TRANSITION_KEYS)
            if unknown:
                raise self.fail(label, f"unsupported transition key(s) {', '.join(map(repr, unknown))}",
                                f"supported: {', '.join(sorted(_TRANSITION_KEYS))}")
            if "source" not in spec:
                raise self.fail(label, "transition has no source")
            source = spec["source"]
            dest = spec.get("dest")
            sources: list[_StateDef]
            if source == "*" and dest == "=":
                within = scope.descendants() if scope else (d for t in self.top for d in [t, *t.descendants()])
                sources = [s for s in within if not s.final]
            elif source == "*":
                sources = [s for s in self._scope_states(scope) if not s.final]
            else:
                sources = [self._lookup(scope, x, label + " source") for x in _refs(source)]
            self.triggers[trigger] = None
            for src in sources:
                where = f"{label} from {src.id!r}"
                if src.final:
                    raise self.fail(where, f"transition out of final state {src.id!r}",
                                    "a Final state accepts no events in SCXML; drop final=True or the transition")
                target: _StateDef | None
                if dest == "=":
                    target = src
                elif dest is None:
                    target = None
                else:
                    target = self._lookup(scope, dest, where + " dest")
                if target is not None:
                    where += f" to {target.id!r}"
                internal = bool(spec.get("internal", False))
                actions = _refs(spec.get("prepare")) + _refs(self.d.get("before_state_change")) + _refs(spec.get("before"))
                actions += _refs(spec.get("after")) + _refs(self.d.get("after_state_change"))
                t = _TransDef(trigger, src, target, _refs(spec.get("conditions")), _refs(spec.get("unless")), actions,
                              internal, where, (-depth, self.seq))
                src.transitions.append(t)

    def _auto_transitions(self) -> None:
        """``to_<id>`` for every state: on each top-level state, and on each compound ancestor of the target.

        The extra copies on ancestors make SCXML exit only what ``transitions`` exits (it
        keeps the deepest active ancestor of the destination).
        """
        glob = _refs(self.d.get("before_state_change")) + _refs(self.d.get("after_state_change"))
        for target in list(self.states.values()):
            trigger = "to_" + target.id
            self.triggers[trigger] = None
            self.seq += 1
            holders = [t for t in self.top if not t.final]
            holders += [a for a in target.ancestors() if a.parent is not None and not a.parallel]
            for src in holders:
                where = f"{self.root_path} / auto transition {trigger!r} from {src.id!r}"
                src.transitions.append(_TransDef(trigger, src, target, [], [], list(glob), False, where, (-(10**6), self.seq)))

    def _check_triggers(self) -> None:
        """Reject trigger names SCXML event matching would treat differently from transitions' exact names."""
        names = list(self.triggers)
        has_final = any(s.final for s in self.states.values())
        for n in names:
            if any(ch.isspace() for ch in n) or "*" in n:
                raise self.fail(self.root_path, f"trigger {n!r} contains whitespace or '*'",
                                "SCXML event descriptors would read it as several events or a wildcard")
            for m in names:
                if m != n and m.startswith(n + "."):
                    raise self.fail(self.root_path, f"trigger {n!r} is a dotted prefix of trigger {m!r}",
                                    "SCXML matching would fire transitions for both on the event " + repr(m))
            if has_final and (n == "done" or n.startswith("done.")):
                raise self.fail(self.root_path, f"trigger {n!r} would match the done.state.* events of final states",
                                "rename the trigger")

    # -- building

    def _fn(self, ref: Any, where: str, kind: str) -> tuple[str, Callable[..., Any]]:
        """The supplied function a callback reference names, or an error listing what was supplied."""
        name = _ref_name(ref)
        if name is None:
            raise self.fail(where, f"{kind} {ref!r} has no name to look up",
                            "give callbacks names (strings or named functions) and pass callbacks={name: fn}")
        fn = self.callbacks.get(name)
        if fn is None:
            supplied = ", ".join(sorted(self.callbacks)) or "none"
            raise self.fail(where, f"{kind} {name!r} is not supplied",
                            f"supplied callbacks: {supplied}; pass callbacks={{{name!r}: fn}} with fn(ctx, event)")
        if not callable(fn):
            raise self.fail(where, f"callbacks[{name!r}] is not callable")
        return name, fn

    def _actions(self, refs: Sequence[Any], where: str) -> list[Action]:
        """Python actions for callback references, in order."""
        out: list[Action] = []
        for ref in refs:
            name, fn = self._fn(ref, where, "callback")
            out.append(python(fn, label=name))
        return out

    def _condition(self, ref: Any, where: str) -> Expr:
        """A guard term: a supplied function, or a context field of the same name."""
        name = _ref_name(ref)
        if name is not None and name not in self.callbacks and name in self.context:
            field: Expr = getattr(_ctx, name)
            return field
        fname, fn = self._fn(ref, where, "condition")
        return py(fn, label=fname)

    def _guard(self, t: _TransDef) -> Expr | None:
        """``conditions`` and-ed with the negation of every ``unless``, in that order (None if empty)."""
        terms = [self._condition(c, t.where + " conditions") for c in t.conditions]
        terms += [not_(self._condition(u, t.where + " unless")) for u in t.unless]
        if not terms:
            return None
        return terms[0] if len(terms) == 1 else and_(*terms)

    def _with_dynamic(self, refs: list[Any], method: str) -> list[Any]:
        """Add the model method ``transitions`` would bind by naming convention, if it is supplied."""
        names = {_ref_name(r) for r in refs}
        if method in self.callbacks and method not in names:
            return [*refs, method]
        return refs

    def _transition(self, t: _TransDef) -> Transition:
        """The chart transition for one expanded definition transition."""
        internal = t.internal
        if t.dest is not None and not internal:
            s = t.source
            internal = bool(s.children) and not s.parallel and s in t.dest.ancestors()
        return Transition(
            t.dest.id if t.dest is not None else None,
            guard=self._guard(t),
            actions=self._actions(t.actions, t.where + " actions"),
            internal=internal,
            event=t.trigger,
        )

    def _node(self, s: _StateDef, machine_final: list[Any]) -> StateNode:
        """The chart state for one definition state, recursively."""
        on_enter = self._with_dynamic(s.on_enter, f"on_enter_{s.id}")
        on_exit = self._with_dynamic(s.on_exit, f"on_exit_{s.id}")
        on_final = self._with_dynamic(s.on_final, f"on_final_{s.id}")
        entry = self._actions(on_enter, s.path + " on_enter")
        exit_ = self._actions(on_exit, s.path + " on_exit")
        if s.final:
            entry += self._actions(on_final, s.path + " on_final")
            if s.parent is None:
                entry += self._actions(machine_final, self.root_path + " on_final")
            return Final(s.id, entry=entry, exit=exit_)
        transitions = [self._transition(t) for t in sorted(s.transitions, key=lambda t: t.rank)]
        if on_final and s.children:
            acts = self._actions(on_final, s.path + " on_final")
            transitions.append(Transition(None, actions=acts, event=f"done.state.{s.id}"))
        after: dict[int | str, Any] = {}
        if s.timeout_ms:
            on_timeout = self._with_dynamic(s.on_timeout, f"on_timeout_{s.id}")
            after[s.timeout_ms] = Transition(None, actions=self._actions(on_timeout, s.path + " on_timeout"))
        children = [self._node(c, machine_final) for c in s.children]
        if s.parallel:
            return Parallel(s.id, *children, entry=entry, exit=exit_, transitions=transitions, after=after)
        return State(s.id, *children, initial=s.initial, entry=entry, exit=exit_, transitions=transitions, after=after)

    def _build(self) -> Chart:
        """Assemble the Chart (its own checks run too: ids, targets, context fields)."""
        machine_final = _refs(self.d.get("on_final"))
        if machine_final and not any(s.final for s in self.top):
            raise self.fail(self.root_path, "machine-level on_final without a top-level final state",
                            "it could never run; mark a top-level state final=True")
        nodes = [self._node(s, machine_final) for s in self.top]
        init = [s.id for s in self.initial]
        return Chart(self.name, *nodes, initial=init[0] if len(init) == 1 else init, context=self.context)


def from_transitions(
    definition: Any,
    *,
    callbacks: Mapping[str, Callable[..., Any]] | None = None,
    name: str | None = None,
    context: Mapping[str, Any] | None = None,
) -> Chart:
    """Build a Chart from a ``transitions`` definition (markup dict, Machine kwargs, or a live machine).

    ``callbacks`` binds callback names to ``fn(ctx, event)``; ``context`` declares the
    chart's context fields and their initial values; ``name`` names the chart (default: the
    machine's name, else ``"machine"``). Raises ChartDefinitionError naming the element at
    fault for a missing callback, an unsupported feature or a malformed definition.
    """
    if callbacks is not None and not isinstance(callbacks, Mapping):
        kind = type(callbacks).__name__
        raise ChartDefinitionError("from_transitions", f"callbacks must be a mapping of names to functions, not {kind}")
    if callbacks is not None and any(not isinstance(k, str) for k in callbacks):
        bad = next(k for k in callbacks if not isinstance(k, str))
        raise ChartDefinitionError("from_transitions", f"callbacks key {bad!r} is not a name", "key callbacks by name: {'on_go': fn}")
    if context is not None and not isinstance(context, Mapping):
        raise ChartDefinitionError(
            "from_transitions", f"context must be a mapping of field names to values, not {type(context).__name__}",
            "write context={'field': initial_value}",
        )
    sep = SEPARATOR
    if _is_machine(definition):
        d, sep = _machine_definition(definition)
    elif isinstance(definition, Mapping):
        d = dict(definition)
    else:
        raise ChartDefinitionError(
            "from_transitions",
            f"cannot read a definition from {type(definition).__name__}",
            "pass a markup dict, the keyword arguments of HierarchicalMachine, or a Machine instance",
        )
    return _Importer(d, sep, callbacks or {}, name, context).read()
