"""Export a System as a TLA+ module plus a TLC .cfg whose state space is exactly the explorer's.

The supported subset (everything else raises :class:`TlaUnsupported` naming the element):

* charts with atomic, compound, parallel and final states (no ``History``), eventless
  transitions that cannot chain forever within one macrostep (their guards must not read
  the event), no ``raise_`` or ``on_error="event"``, and no transition listening to an
  internal ``done.state.*`` event. A chart without parallel states or eventless
  transitions gets one operator per transition; any other chart gets one macrostep
  operator enumerating, per reachable configuration and event, the engine's own
  selection (optimal enabled set, conflict resolution, exit/entry order) and the
  eventless microsteps that follow. Either way one macrostep is one TLA+ step;
* guards and actions in the expression language (``assign``, ``send``/``reply``/
  ``send_to``/``broadcast``, ``if_``, ``choose`` as ``\\E`` (inside ``if_`` too: one
  disjunct per branch), ``foreach`` whose body only sends, ``cancel``, ``log``, timers
  from ``after``/``send(delay=)``), plus Python callables that carry a ``tla=`` rendering
  (a guard: a TLA+ expression over the context field names; an action: a TLA+ record of
  the fields it ``writes``);
* every network kind, stimuli (data alternatives, ``max``, ``fair``), drop/duplicate/crash
  faults, symmetry, a constraint, and invariant / sometimes / eventually / leads_to.

Values: integers, booleans, strings, tuples as sequences, frozensets as sets, maps as
records (or functions when a key is not an identifier), instance names as model values
(so TLC's symmetry permutes them exactly as the explorer renames them), None as the model
value ``NoValue``. Types are inferred from initial values and every assignment (sets and
sequences with their element type, maps with their value type, tuples position by
position). Where the operator depends on a type the exporter cannot infer (``len``,
``in``, indexing), it refuses; arithmetic on operands of unknown type is rendered on
integers, which TLC rejects loudly if they are not. Python's total operations stay total
(``tail`` of an empty sequence is empty: ``SubSeq``, not ``Tail``).

Layout of the module: per actor group a variable for the active leaf state, one per
context field and one for pending timers (functions over the instances' model values for
``count=`` groups), one ``net`` variable, one per budget. One operator per (actor,
transition) computes the macrostep; named wrapper actions per delivery / stimulus / timer /
fault make up ``Next``; ``Spec`` adds weak fairness exactly where the explorer assumes it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulate.properties import SYSTEM_FUNCTIONS, Eventually, Invariant, LeadsTo, Sometimes, system_node
from simulate.system import Actor, System
from statecharts import Chart
from statecharts.actions import (
    SELF,
    SENDER,
    Action,
    Assign,
    Cancel,
    Choose,
    Foreach,
    If,
    Log,
    PyAction,
    Raise,
    Send,
    describe,
)
from statecharts.chart import StateNode, Transition, match_descriptor
from statecharts.engine import _T, CONTENT
from statecharts.errors import ExpressionError
from statecharts.expr import (
    Attr,
    BinOp,
    BoolOp,
    Call,
    Compare,
    Const,
    Ctx,
    EventAttr,
    EventField,
    IfElse,
    Index,
    InState,
    MapLit,
    Node,
    PyFunc,
    Quant,
    SetLit,
    TupleLit,
    Unary,
    Var,
    to_source,
    walk,
)
from statecharts.values import FrozenMap

ENV = "env"
NO_VALUE = "NoValue"


class TlaUnsupported(Exception):
    """The system uses a construct the TLA+ exporter cannot translate faithfully; the message names it."""


# --------------------------------------------------------------------------- the result


@dataclass
class VarInfo:
    """How one TLA+ variable is read off an explorer state (used to replay TLC traces)."""

    name: str
    kind: str  # "state" | "field" | "timers" | "net" | "budget"
    group: str | None = None
    field: str | None = None
    slots: tuple[int, ...] = ()
    """For budgets: the explorer's budget slots (one, or one per instance for stimulus budgets)."""
    instances: tuple[int, ...] = ()
    """For budgets over instances: the instance index of each slot."""
    leaf_set: bool = False
    """For states of charts with parallel states: the set of active leaves (else the one active leaf)."""


@dataclass
class TlaSpec:
    """The emitted module and configuration, plus what a checker or a trace reader needs."""

    module_name: str
    module: str
    cfg: str
    variables: list[VarInfo]
    invariants: dict[str, str] = field(default_factory=dict)
    """Property name -> operator name of each invariant."""
    sometimes: dict[str, str] = field(default_factory=dict)
    """Property name -> operator name of ``~goal`` (check it as an invariant: a violation is a witness)."""
    liveness: dict[str, str] = field(default_factory=dict)
    """Property name -> temporal operator name (eventually / leads_to)."""
    constants: list[str] = field(default_factory=list)
    check_deadlock: bool = True
    symmetry: str | None = None
    constraint: str | None = None
    instance_values: dict[str, str] = field(default_factory=dict)
    """Our instance name (and ``env``) -> its TLA+ model value."""
    network: str = "fifo"
    none_value: str = NO_VALUE
    """The model value standing for Python's None."""

    def cfg_for(
        self,
        *,
        invariants: Iterable[str] | None = None,
        sometimes: Iterable[str] = (),
        properties: Iterable[str] | None = None,
        deadlock: bool | None = None,
        symmetry: bool = True,
    ) -> str:
        """A .cfg checking a chosen subset: invariants / sometimes-witnesses / liveness by property name."""
        inv = list(self.invariants) if invariants is None else list(invariants)
        live = list(self.liveness) if properties is None else list(properties)
        return _cfg_text(
            self.constants,
            [self.invariants[n] for n in inv] + [self.sometimes[n] for n in sometimes],
            [self.liveness[n] for n in live],
            self.check_deadlock if deadlock is None else deadlock,
            self.symmetry if symmetry else None,
            self.constraint,
        )


def _cfg_text(
    constants: Sequence[str], invariants: Sequence[str], properties: Sequence[str], deadlock: bool, symmetry: str | None, constraint: str | None
) -> str:
    lines = []
    if constants:
        lines.append("CONSTANTS")
        lines.extend(f"    {c} = {c}" for c in constants)
    lines.append("SPECIFICATION Spec")
    for i in invariants:
        lines.append(f"INVARIANT {i}")
    for p in properties:
        lines.append(f"PROPERTY {p}")
    if symmetry:
        lines.append(f"SYMMETRY {symmetry}")
    if constraint:
        lines.append(f"CONSTRAINT {constraint}")
    lines.append(f"CHECK_DEADLOCK {'TRUE' if deadlock else 'FALSE'}")
    return "\n".join(lines) + "\n"


def to_tla(system: System, *, module_name: str | None = None) -> TlaSpec:
    """Translate a system to a TLA+ module and TLC configuration (raises TlaUnsupported)."""
    return _Exporter(system, module_name).run()


def write_tla(system: System, directory: str | Path, *, module_name: str | None = None) -> tuple[Path, Path]:
    """Write ``M.tla`` and ``M.cfg`` into a directory; returns their paths."""
    spec = to_tla(system, module_name=module_name)
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    tla = d / f"{spec.module_name}.tla"
    cfg = d / f"{spec.module_name}.cfg"
    tla.write_text(spec.module)
    cfg.write_text(spec.cfg)
    return tla, cfg


# --------------------------------------------------------------------------- names

_RESERVED = {
    "ASSUME", "ASSUMPTION", "AXIOM", "CASE", "CHOOSE", "CONSTANT", "CONSTANTS", "DOMAIN", "ELSE", "ENABLED", "EXCEPT",
    "EXTENDS", "IF", "IN", "INSTANCE", "LET", "LOCAL", "MODULE", "OTHER", "SUBSET", "THEN", "THEOREM", "UNCHANGED",
    "UNION", "VARIABLE", "VARIABLES", "WITH", "LAMBDA", "RECURSIVE", "BOOLEAN", "TRUE", "FALSE", "STRING", "Nat", "Int",
    "Seq", "Len", "Head", "Tail", "Append", "SubSeq", "SelectSeq", "Cardinality", "IsFiniteSet", "Permutations",
    "Print", "PrintT", "Assert", "ToString", "JavaTime", "Any", "TLCGet", "TLCSet", "TLCEval", "SortSeq", "RandomElement",
    "Init", "Next", "Spec", "vars", "net", "Fairness", "Terminated", "AtRest", "Symmetry", "Constraint", "Range",
    "NetAdd", "Deliverable", "DeliverableFrom", "sender", "After", "BagRemove", "BagAdd", "SumOver", "InSeq", "MinOf", "MaxOf", "SumSeq", "Remove",
    "Proof", "PROOF", "OBVIOUS", "OMITTED", "QED", "BY", "DEF", "DEFS", "HAVE", "TAKE", "WITNESS", "PICK", "SUFFICES",
    "ACTION", "STATE", "TEMPORAL", "LEMMA", "PROPOSITION", "COROLLARY", "NEW", "ONLY", "HIDE",
    "USE", "DEFINE", "SF_", "WF_", "Infinity", "EmptyNet", "RemoveAll", "FlattenSeq", "SetToSeq",
    # bound names used by the templates
    "self", "ev", "net0", "tmr0", "m", "x", "d", "c", "p", "k", "q", "i", "t", "s", "n", "b", "f", "S", "y", "p0", "p1", "p2", "p3",
}


class _Names:
    """Allocates unique, valid TLA+ identifiers."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def new(self, hint: str, model_value: bool = False) -> str:
        """A fresh identifier; model values never look like TLC's typed ``x_name`` model values."""
        base = re.sub(r"[^A-Za-z0-9_]", "_", hint).strip("_") or "x"
        base = re.sub(r"__+", "_", base)
        if not re.search(r"[A-Za-z]", base):
            base = "v_" + base
        if base.startswith(("WF_", "SF_")):
            base = "x" + base
        if model_value:
            base = re.sub(r"^([A-Za-z])_", r"\1", base)
        name = base
        k = 1
        while name in self.used or name in _RESERVED or (model_value and re.match(r"^[A-Za-z]_", name)):
            k += 1
            name = f"{base}{k}" if model_value and len(base) == 1 else f"{base}_{k}"
        self.used.add(name)
        return name


def _tla_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def _is_ident(s: Any) -> bool:
    return isinstance(s, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", s) is not None and s not in _RESERVED


# --------------------------------------------------------------------------- types (just enough to pick operators)

ANY = "any"
Ty = Any
"""A type: a scalar name ("int", "str", "bool", "none", ANY) or a collection ``(kind, element, positions)``:
``("seq", E, (T0, T1, ...) or None)`` (a tuple's per-position types when known), ``("set", E, None)``,
``("map", V, None)`` with V the type of the values."""


def _coll(kind: str, elem: Ty = ANY, positions: tuple[Ty, ...] | None = None) -> Ty:
    return (kind, elem, positions)


def _elem(t: Ty) -> Ty:
    """The element type of a set or sequence, the value type of a map."""
    return t[1] if isinstance(t, tuple) else ANY


def _iter_elem(t: Ty) -> Ty:
    """The type of what iterating a value gives (a map iterates its keys, whose type is not tracked)."""
    return _elem(t) if _kind(t) in ("set", "seq") else ANY


def _kind(t: Ty) -> str:
    return t[0] if isinstance(t, tuple) else t  # type: ignore[no-any-return]


def _positions(t: Ty) -> tuple[Ty, ...] | None:
    return t[2] if isinstance(t, tuple) else None


def _unpositioned(t: Ty) -> Ty:
    return _coll(t[0], t[1]) if isinstance(t, tuple) else t


def _join(types: Iterable[Ty]) -> Ty:
    """The common type (ANY when the kinds differ); None is neutral: an optional value has its value's type."""
    given = list(types)
    known = [t for t in given if t not in (ANY, "none")]
    if not known:
        return "none" if "none" in given else ANY
    kinds = {_kind(t) for t in known}
    if len(kinds) != 1:
        return ANY
    k = kinds.pop()
    if k in ("set", "seq", "map"):
        pos = [_positions(t) for t in known]
        joined = None
        if k == "seq" and all(p is not None for p in pos) and len({len(p) for p in pos if p is not None}) == 1:
            joined = tuple(_join(col) for col in zip(*[p for p in pos if p is not None]))
        return _coll(k, _join(_elem(t) for t in known), joined)
    return k


def _type_of_value(v: Any) -> Ty:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, str):
        return "str"
    if v is None:
        return "none"
    if isinstance(v, tuple):
        items = tuple(_type_of_value(x) for x in v)
        return _coll("seq", _join(items), items)
    if isinstance(v, frozenset):
        return _coll("set", _join(_type_of_value(x) for x in v))
    if isinstance(v, FrozenMap):
        return _coll("map", _join(_type_of_value(x) for x in v.values()))
    return ANY


def _chooses(a: Action) -> bool:
    """Whether an action chooses somewhere inside (a choose nested in if_ branches)."""
    if isinstance(a, Choose):
        return True
    if isinstance(a, If):
        return any(_chooses(b) for _, body in a.branches for b in body) or any(_chooses(b) for b in a.otherwise)
    return False


# --------------------------------------------------------------------------- per actor


@dataclass
class _Group:
    actor: Actor
    name: str
    chart: Chart
    instances: list[int]
    mvs: list[str]
    multi: bool
    state_var: str = ""
    field_vars: dict[str, str] = field(default_factory=dict)
    timers_var: str | None = None
    set_op: str = ""
    list_op: str = ""
    init_ops: dict[str, str] = field(default_factory=dict)
    leaves: dict[str, list[str]] = field(default_factory=dict)
    """State id -> the leaf ids under it (itself when atomic/final)."""
    trans_ops: dict[int, str] = field(default_factory=dict)
    names: dict[int, list[str]] = field(default_factory=dict)
    """Transition index -> the concrete event names (of the system's universe) it matches."""
    selected_op: str = ""
    deliver_ops: list[str] = field(default_factory=list)
    deliver_from_ops: list[str] = field(default_factory=list)
    """The deliveries again, from one sender (``fairness="per-channel"``: weak fairness per channel)."""
    timer_ops: list[str] = field(default_factory=list)
    general: bool = False
    """Parallel states or eventless transitions: macrosteps are translated per configuration."""
    par: bool = False
    """Parallel states: the state variable holds the set of active leaves."""
    step_ops: list[tuple[str, list[str], str]] = field(default_factory=list)
    """(operator, event names it takes, description) of each macrostep operator."""
    tmap: dict[int, Transition] = field(default_factory=dict)

    def acc(self, var: str, self_expr: str) -> str:
        return f"{var}[{self_expr}]" if self.multi else var

    def upd(self, var: str, self_expr: str, value: str, prime: str = "'") -> str:
        if self.multi:
            return f"{var}{prime} = [{var} EXCEPT ![{self_expr}] = {value}]"
        return f"{var}{prime} = {value}"

    def all_vars(self) -> list[str]:
        out = [self.state_var, *self.field_vars.values()]
        if self.timers_var:
            out.append(self.timers_var)
        return out


@dataclass
class _Local:
    """The symbolic local state of one instance while translating a macrostep."""

    fields: dict[str, str]
    leaf: str
    timers: str | None


@dataclass
class _Sym:
    """Symbolic execution state: LET definitions so far, per-instance locals, the outbox."""

    defs: list[tuple[str, str]]
    locals: dict[str, _Local]
    out: list[str]


@dataclass
class _Scope:
    """What an expression sees: the instance, its context, the event, bound variables, In()."""

    group: _Group | None
    self_expr: str
    fields: dict[str, str]
    ev: str | None
    ev_names: tuple[str, ...]
    active: frozenset[str] | None
    bound: dict[str, tuple[str, Ty]]
    where: str
    system: bool = False

    def bind(self, name: str, tla: str, ty: Ty) -> _Scope:
        b = dict(self.bound)
        b[name] = (tla, ty)
        return _Scope(self.group, self.self_expr, self.fields, self.ev, self.ev_names, self.active, b, self.where, self.system)


# --------------------------------------------------------------------------- the exporter


class _Exporter:
    def __init__(self, system: System, module_name: str | None) -> None:
        self.system = system
        self.names = _Names()
        self.module_name = self.names.new(module_name or system.name)
        self.inst_names: list[str] = []
        self.inst_mv: dict[str, str] = {}
        self.groups: list[_Group] = []
        self.group_by_name: dict[str, _Group] = {}
        self.defs: list[str] = []
        self.next_parts: list[str] = []
        self.fair_parts: list[str] = []
        self.variables: list[VarInfo] = []
        self.counter = itertools.count(1)
        self.net_kind = system.network
        self.event_types: dict[tuple[str, str], Ty] = {}
        self.universe: list[str] = []

    # ------------------------------------------------------------------ entry point

    def run(self) -> TlaSpec:
        sys_ = self.system
        where = f"system {sys_.name!r}"
        if sys_.symmetry and any(isinstance(p, (Eventually, LeadsTo)) for p in sys_.properties):
            raise TlaUnsupported(f"{where}: symmetry reduction is unsound for liveness properties (as in TLC); export with symmetry=False")
        for a in sys_.actors:
            self._check_chart(a)
        # instances and model values
        for a in sys_.actors:
            idx = []
            mvs = []
            for nm in a.instance_names():
                i = len(self.inst_names)
                self.inst_names.append(nm)
                mv = self.names.new(nm, model_value=True)
                self.inst_mv[nm] = mv
                idx.append(i)
                mvs.append(mv)
            g = _Group(a, a.name, a.chart, idx, mvs, a.count is not None)
            g.par = any(x.kind == "parallel" for x in a.chart.states.values())
            g.general = g.par or any(t.eventless for t in a.chart.transitions)
            g.tmap = {t.index: t for t in a.chart.transitions}
            self.groups.append(g)
            self.group_by_name[a.name] = g
        self.env_mv = self.names.new(ENV, model_value=True)
        self.inst_mv[ENV] = self.env_mv
        self.none_mv = self.names.new(NO_VALUE, model_value=True)
        self.all_inst_op = self.names.new("Instances")
        self.universe = self._event_universe()
        self.field_types: dict[tuple[str, str], Ty] = {}
        self._infer_field_types()
        self._infer_event_types()
        self._infer_field_types()
        self.net_var = "net"
        for g in self.groups:
            self._declare_group(g)
        self._declare_budgets()
        for g in self.groups:
            self._group_operators(g)
        self._init()
        self._stimuli()
        self._faults()
        props = self._properties()
        return self._assemble(props)

    # ------------------------------------------------------------------ checks

    def _check_chart(self, a: Actor) -> None:
        ch = a.chart
        where = f"actor {a.name!r} (chart {ch.name!r})"
        if ch.on_error != "raise":
            raise TlaUnsupported(f"{where}: on_error={ch.on_error!r} (error.execution events) is not translated; use on_error='raise'")
        for s in ch.states.values():
            if s.kind == "history":
                raise TlaUnsupported(f"{where}: history state {s.id!r} is not translated")
            for t in s.transitions:
                if t.eventless and t.guard is not None and any(isinstance(n, (EventField, EventAttr)) for n in walk(t.guard)):
                    raise TlaUnsupported(f"{where}: eventless transition {t.describe()} has a guard reading the event, which is not translated")
            for label, acts in (("entry", s.entry), ("exit", s.exit)):
                self._check_actions(acts, f"{where}, {label} of state {s.id!r}")
            if s.initial is not None:
                self._check_actions(s.initial.actions, f"{where}, initial transition of {s.id!r}")
        if ch.root.initial is not None:
            self._check_actions(ch.root.initial.actions, f"{where}, initial transition")
        for t in ch.transitions:
            self._check_actions(t.actions, f"{where}, transition {t.describe()}")
            if t.guard is not None:
                self._check_node(t.guard, f"{where}, guard of transition {t.describe()}")
        # internal done.state events must not trigger anything
        done = {f"done.state.{s.parent.id}" for s in ch.states.values() if s.kind == "final" and s.parent is not None and s.parent.kind != "root"}
        done |= {f"done.state.{s.id}" for s in ch.states.values() if s.kind == "parallel"}
        for t in ch.transitions:
            for d in t.events:
                for e in done:
                    if match_descriptor(d, e):
                        raise TlaUnsupported(f"{where}: transition {t.describe()} reacts to the internal event {e!r}, which is not translated")

    def _check_node(self, node: Node, where: str) -> None:
        for n in walk(node):
            if isinstance(n, PyFunc) and n.tla is None:
                raise TlaUnsupported(f"{where}: Python callable {n.label!r} has no tla= rendering and cannot be translated")

    def _check_actions(self, acts: Sequence[Action], where: str) -> None:
        for a in acts:
            w = f"{where}: action {describe(a)!r}"
            if isinstance(a, Raise):
                raise TlaUnsupported(f"{w}: raise_ (internal events) is not translated")
            if isinstance(a, Foreach):
                bad = [b for b in a.body if not isinstance(b, (Send, Log)) or (isinstance(b, Send) and b.target == SELF and b.delay is not None)]
                if bad:
                    raise TlaUnsupported(f"{w}: foreach is translated only when its body just sends messages (found {describe(bad[0])!r})")
                for b in a.body:
                    if isinstance(b, Send):
                        for _, n in b.data:
                            self._check_node(n, w)
            if isinstance(a, PyAction) and a.tla is None:
                raise TlaUnsupported(f"{w}: Python action {a.label!r} has no tla= rendering and cannot be translated")
            if isinstance(a, Assign):
                for _, n in a.updates:
                    self._check_node(n, w)
            if isinstance(a, Send):
                for _, n in a.data:
                    self._check_node(n, w)
            if isinstance(a, If):
                for c, body in a.branches:
                    self._check_node(c, w)
                    self._check_actions(body, where)
                self._check_actions(a.otherwise, where)
            if isinstance(a, Choose):
                self._check_node(a.domain, w)
                self._check_actions(a.body, where)

    # ------------------------------------------------------------------ event names and their data types

    def _all_actions(self, ch: Chart) -> list[Action]:
        out: list[Action] = []

        def visit(acts: Sequence[Action]) -> None:
            for a in acts:
                out.append(a)
                if isinstance(a, If):
                    for _, body in a.branches:
                        visit(body)
                    visit(a.otherwise)
                elif isinstance(a, (Choose, Foreach)):
                    visit(a.body)

        for s in ch.states.values():
            visit(s.entry)
            visit(s.exit)
            if s.initial is not None:
                visit(s.initial.actions)
        if ch.root.initial is not None:
            visit(ch.root.initial.actions)
        for t in ch.transitions:
            visit(t.actions)
        return out

    def _event_universe(self) -> list[str]:
        names: dict[str, None] = {}
        timers: dict[str, None] = {}
        msgs: dict[str, None] = {}
        for a in self.system.actors:
            for act in self._all_actions(a.chart):
                if isinstance(act, Send):
                    names[act.event] = None
                    if act.target == SELF and act.delay is not None:
                        timers[act.event] = None
                    else:
                        msgs[act.event] = None
        for st in self.system.stimuli:
            names[st.event] = None
        self.timer_events = list(timers)
        self.message_events = list(msgs)
        return list(names)

    def _infer_field_types(self) -> None:
        """Context field types from initial values and every assignment (a few rounds to a fixed point)."""
        for g in self.groups:
            for f, v in g.chart.context.items():
                t = _type_of_value(v)
                self.field_types[(g.name, f)] = ANY if t == "none" else t
        for _ in range(3):
            for g in self.groups:
                sc = self._scope(g, "self", {f: "" for f in g.chart.context}, "ev", tuple(self.universe), None, "type inference")
                for act in self._all_actions(g.chart):
                    if isinstance(act, Assign):
                        for f, n in act.updates:
                            try:
                                t = self._ty(n, sc)
                            except TlaUnsupported:
                                continue
                            self.field_types[(g.name, f)] = _join([self.field_types[(g.name, f)], t])

    def _infer_event_types(self) -> None:
        table: dict[tuple[str, str], list[str]] = {}
        for st in self.system.stimuli:
            for alt in st.alternatives():
                for k, v in alt.items():
                    table.setdefault((st.event, k), []).append(_type_of_value(v))
        for _ in range(2):
            for g in self.groups:
                for act in self._all_actions(g.chart):
                    if isinstance(act, Send):
                        sc = self._scope(g, "self", {f: "" for f in g.chart.context}, "ev", tuple(self.universe), None, "type inference")
                        for k, n in act.data:
                            try:
                                table.setdefault((act.event, k), []).append(self._ty(n, sc))
                            except TlaUnsupported:
                                pass
            self.event_types = {k: _join(v) for k, v in table.items()}

    # ------------------------------------------------------------------ declarations

    def _declare_group(self, g: _Group) -> None:
        a = g.actor
        g.set_op = self.names.new(f"{g.name}_Instances")
        g.list_op = self.names.new(f"{g.name}_List")
        g.state_var = self.names.new(f"{g.name}_state")
        self.variables.append(VarInfo(g.state_var, "state", g.name, leaf_set=g.par))
        for f in g.chart.context:
            v = self.names.new(f"{g.name}_{f}")
            g.field_vars[f] = v
            self.variables.append(VarInfo(v, "field", g.name, f))
        if any(isinstance(x, Send) and x.target == SELF and x.delay is not None for x in self._all_actions(g.chart)):
            g.timers_var = self.names.new(f"{g.name}_timers")
            self.variables.append(VarInfo(g.timers_var, "timers", g.name))
        # leaves under each state
        for s in g.chart.states.values():
            g.leaves[s.id] = [x.id for x in s.iter() if x.kind in ("atomic", "final")]
        # initial contexts (constants per instance)
        for f in g.chart.context:
            vals = []
            for k in range(len(g.instances)):
                ctx = dict(g.chart.context)
                ctx.update(a.context_for(k) or {})
                vals.append(self._value(ctx[f], f"actor {g.name!r}, initial context field {f!r}"))
            op = self.names.new(f"{g.name}_init_{f}")
            g.init_ops[f] = op
            if g.multi:
                body = " @@ ".join(f"({mv} :> {v})" for mv, v in zip(g.mvs, vals))
            else:
                body = vals[0]
            self.defs.append(f"{op} == {body}")

    def _declare_budgets(self) -> None:
        s = self.system
        self.budget_vars: list[tuple[str, str]] = []  # (name, initial)
        self.drop_var = self.dup_var = None
        if s.faults.drop > 0:
            self.drop_var = self.names.new("drop_budget")
            self.budget_vars.append((self.drop_var, str(s.faults.drop)))
            self.variables.append(VarInfo(self.drop_var, "budget", slots=(0,)))
        if s.faults.duplicate > 0 and self.net_kind != "unordered-duplicating":
            self.dup_var = self.names.new("duplicate_budget")
            self.budget_vars.append((self.dup_var, str(s.faults.duplicate)))
            self.variables.append(VarInfo(self.dup_var, "budget", slots=(1,)))
        # slots as laid out by simulate.model.Model
        slot = 2
        self.crash_vars: dict[str, str] = {}
        for a in s.actors:
            budget = s.faults.crash.get(a.name, 0) + a.crash
            if budget:
                v = self.names.new(f"crash_budget_{a.name}")
                self.crash_vars[a.name] = v
                self.budget_vars.append((v, str(budget)))
                self.variables.append(VarInfo(v, "budget", a.name, slots=(slot,)))
                slot += 1
        self.stim_vars: dict[int, tuple[str, list[int]]] = {}
        for k, st in enumerate(s.stimuli):
            targets = self._targets(st.target)
            if st.max is None:
                continue
            v = self.names.new(f"stim_{st.event}_left")
            slots = tuple(range(slot, slot + len(targets)))
            slot += len(targets)
            self.stim_vars[k] = (v, targets)
            base = self._stim_base(st.target)
            if base is not None and base.multi:
                init = " @@ ".join(f"({self.inst_mv[self.inst_names[i]]} :> {st.max})" for i in targets)
            else:
                init = str(st.max)
            self.budget_vars.append((v, init))
            self.variables.append(VarInfo(v, "budget", base.name if base else None, slots=slots, instances=tuple(targets)))

    def _stim_base(self, target: str) -> _Group | None:
        return self.group_by_name.get(target.split("[", 1)[0])

    def _targets(self, target: str) -> list[int]:
        if target in self.group_by_name:
            return list(self.group_by_name[target].instances)
        return [self.inst_names.index(target)]

    # ------------------------------------------------------------------ values

    def _value(self, v: Any, where: str) -> str:
        if isinstance(v, bool):
            return "TRUE" if v else "FALSE"
        if isinstance(v, int):
            return str(v) if v >= 0 else f"({v})"
        if isinstance(v, str):
            if v in self.inst_mv:
                return self.inst_mv[v]
            return _tla_string(v)
        if v is None:
            return self.none_mv
        if isinstance(v, tuple):
            return "<<" + ", ".join(self._value(x, where) for x in v) + ">>"
        if isinstance(v, frozenset):
            return "{" + ", ".join(sorted(self._value(x, where) for x in v)) + "}"
        if isinstance(v, FrozenMap):
            if not v:
                return "<<>>"
            if all(_is_ident(k) for k in v):
                return "[" + ", ".join(f"{k} |-> {self._value(x, where)}" for k, x in v.items()) + "]"
            return "(" + " @@ ".join(f"({self._value(k, where)} :> {self._value(x, where)})" for k, x in v.items()) + ")"
        raise TlaUnsupported(f"{where}: value {v!r} of type {type(v).__name__} has no TLA+ rendering")

    # ------------------------------------------------------------------ expressions

    def _scope(
        self, g: _Group | None, self_expr: str, fields: dict[str, str], ev: str | None, ev_names: tuple[str, ...], active: frozenset[str] | None, where: str
    ) -> _Scope:
        return _Scope(g, self_expr, fields, ev, ev_names, active, {}, where)

    def _fail(self, sc: _Scope, node: Node, why: str) -> TlaUnsupported:
        return TlaUnsupported(f"{sc.where}: expression {to_source(node)!r}: {why}")

    def _ty(self, n: Node, sc: _Scope) -> Ty:
        if isinstance(n, Const):
            return _type_of_value(n.value)
        if isinstance(n, Ctx):
            if sc.group is None:
                return ANY
            return self.field_types.get((sc.group.name, n.name), ANY)
        if isinstance(n, EventField):
            return _join(self.event_types.get((e, n.name), ANY) for e in sc.ev_names) if sc.ev_names else ANY
        if isinstance(n, EventAttr):
            return "str" if n.attr in ("name", "origin") else ANY
        if isinstance(n, Var):
            return sc.bound[n.name][1] if n.name in sc.bound else ANY
        if isinstance(n, Index):
            t = self._ty(n.obj, sc)
            pos = _positions(t)
            key = n.key.value if isinstance(n.key, Const) else None
            if pos is not None and type(key) is int and -len(pos) <= key < len(pos):
                return pos[key]
            return _elem(t) if _kind(t) in ("seq", "map") else ANY
        if isinstance(n, BinOp):
            lt, rt = self._ty(n.left, sc), self._ty(n.right, sc)
            kinds = {_kind(lt), _kind(rt)}
            if n.op in ("|", "&"):
                return _join([lt, rt]) if "set" in kinds else ANY
            if n.op == "-":
                return _join([lt, rt]) if "set" in kinds else "int" if "int" in kinds else ANY
            if n.op == "+":
                for k in ("int", "seq", "str"):
                    if k in kinds:
                        return _join([lt, rt]) if k == "seq" else k
                return ANY
            return "int"
        if isinstance(n, (Compare, BoolOp, InState)):
            return "bool"
        if isinstance(n, Unary):
            return "bool" if n.op == "not" else "int"
        if isinstance(n, IfElse):
            return _join([self._ty(n.then, sc), self._ty(n.other, sc)])
        if isinstance(n, TupleLit):
            items = tuple(self._ty(x, sc) for x in n.items)
            return _coll("seq", _join(items), items)
        if isinstance(n, SetLit):
            return _coll("set", _join(self._ty(x, sc) for x in n.items))
        if isinstance(n, MapLit):
            return _coll("map", _join(self._ty(x, sc) for x in n.values))
        if isinstance(n, Call):
            return self._call_ty(n, sc)
        if isinstance(n, Quant):
            if n.kind == "set":
                dom = self._ty(n.domain, sc)
                inner = sc.bind(n.var, "x", _elem(dom) if _kind(dom) in ("set", "seq") else ANY)
                return _coll("set", self._ty(n.body, inner))
            return "bool"
        return ANY

    def _call_ty(self, n: Call, sc: _Scope) -> Ty:
        fn = n.fn
        args = [self._ty(a, sc) for a in n.args]
        if fn in ("len", "abs", "pow", "sum", "in_flight"):
            return "int"
        if fn in ("In", "is_final"):
            return "bool"
        if fn == "str":
            return "str"
        if fn in ("min", "max"):
            if len(args) == 1:
                return _iter_elem(args[0])
            return _join(args)
        if fn == "append":
            return _coll("seq", _join([_elem(args[0]), args[1]]))
        if fn == "put":
            return _coll("map", _join([_elem(args[0]), args[2]]) if len(args) == 3 else ANY)
        if fn in ("remove", "tail"):
            return _unpositioned(args[0])
        if fn == "add":
            return _coll("set", _join([_elem(args[0]), args[1]]))
        if fn == "head":
            return (_positions(args[0]) or (_elem(args[0]),))[0]
        if fn == "range":
            return _coll("seq", "int")
        if fn == "keys":
            return _coll("set")
        if fn == "set":
            return _coll("set", _iter_elem(args[0]) if args else ANY)
        if fn == "tuple":
            return _coll("seq", _iter_elem(args[0]) if args else ANY)
        if fn == "instances":
            return _coll("set", "str")
        if fn == "field" and sc.system and len(n.args) == 2 and isinstance(n.args[1], Const):
            f = n.args[1].value
            try:
                gs = self._actor_groups(n.args[0], sc)
            except TlaUnsupported:
                return ANY
            return _join(self.field_types.get((g.name, f), ANY) for g, _ in gs if f in g.chart.context)
        return ANY

    def _coll_kind(self, n: Node, sc: _Scope, allowed: Sequence[str] = ("set", "seq", "map")) -> str:
        k = _kind(self._ty(n, sc))
        if k not in allowed:
            raise self._fail(
                sc, n, f"cannot tell whether it is a {' or a '.join(allowed)} (its type is {k}); give the field a non-empty initial value of that type"
            )
        return k

    def _domain(self, n: Node, sc: _Scope) -> tuple[str, str]:
        """A quantifier/choose domain as a TLA+ set, and its element type."""
        if isinstance(n, Call) and n.fn == "range":
            args = [self._e(a, sc) for a in n.args]
            if len(args) == 1:
                return f"(0..({args[0]} - 1))", "int"
            return f"(({args[0]})..({args[1]} - 1))", "int"
        t = self._ty(n, sc)
        k = self._coll_kind(n, sc)
        text = self._e(n, sc)
        if k == "set":
            return text, _elem(t)
        if k == "seq":
            return f"Range({text})", _elem(t)
        return f"DOMAIN {text}", ANY

    def _e(self, n: Node, sc: _Scope) -> str:
        """Translate an expression node to TLA+ text (always safe to embed: parenthesized when compound)."""
        if isinstance(n, Const):
            return self._value(n.value, sc.where)
        if isinstance(n, Ctx):
            if sc.system or n.name not in sc.fields:
                raise self._fail(sc, n, "unknown context field")
            return sc.fields[n.name]
        if isinstance(n, EventField):
            if sc.ev is None:
                raise self._fail(sc, n, "no event here")
            return f"{sc.ev}.data.{n.name}" if _is_ident(n.name) else f'{sc.ev}.data["{n.name}"]'
        if isinstance(n, EventAttr):
            if sc.ev is None:
                raise self._fail(sc, n, "no event here")
            return {"name": f"{sc.ev}.name", "data": f"{sc.ev}.data", "origin": f"{sc.ev}.from"}[n.attr]
        if isinstance(n, Var):
            if n.name not in sc.bound:
                raise self._fail(sc, n, "unbound variable")
            return sc.bound[n.name][0]
        if isinstance(n, Attr):
            obj = self._e(n.obj, sc)
            return f"{obj}.{n.name}" if _is_ident(n.name) else f"{obj}[{_tla_string(n.name)}]"
        if isinstance(n, Index):
            k = self._coll_kind(n.obj, sc, ("seq", "map"))
            obj, key = self._e(n.obj, sc), self._e(n.key, sc)
            if k == "seq":
                if isinstance(n.key, Const) and isinstance(n.key.value, int) and n.key.value < 0:
                    return f"{obj}[Len({obj}) + 1 - {-n.key.value}]"
                return f"{obj}[({key}) + 1]"
            return f"{obj}[{key}]"
        if isinstance(n, BinOp):
            return self._binop(n, sc)
        if isinstance(n, Compare):
            return self._compare(n, sc)
        if isinstance(n, BoolOp):
            op = " /\\ " if n.op == "and" else " \\/ "
            return "(" + op.join(self._e(i, sc) for i in n.items) + ")"
        if isinstance(n, Unary):
            if n.op == "not":
                return f"(~{self._e(n.operand, sc)})"
            return f"(-{self._e(n.operand, sc)})"
        if isinstance(n, IfElse):
            return f"(IF {self._e(n.cond, sc)} THEN {self._e(n.then, sc)} ELSE {self._e(n.other, sc)})"
        if isinstance(n, TupleLit):
            return "<<" + ", ".join(self._e(i, sc) for i in n.items) + ">>"
        if isinstance(n, SetLit):
            return "{" + ", ".join(self._e(i, sc) for i in n.items) + "}"
        if isinstance(n, MapLit):
            if not n.keys:
                return "<<>>"
            if all(isinstance(k, Const) and _is_ident(k.value) for k in n.keys):
                return "[" + ", ".join(f"{k.value} |-> {self._e(v, sc)}" for k, v in zip(n.keys, n.values)) + "]"  # type: ignore[attr-defined]
            return "(" + " @@ ".join(f"({self._e(k, sc)} :> {self._e(v, sc)})" for k, v in zip(n.keys, n.values)) + ")"
        if isinstance(n, Call):
            return self._call(n, sc)
        if isinstance(n, Quant):
            v = self.names.new(f"q_{n.var}")
            dom, et = self._domain(n.domain, sc)
            inner = sc.bind(n.var, v, et)
            body = self._e(n.body, inner)
            if n.kind == "all":
                return f"(\\A {v} \\in {dom} : {body})"
            if n.kind == "any":
                return f"(\\E {v} \\in {dom} : {body})"
            if n.cond is not None:
                dom = f"{{{v} \\in {dom} : {self._e(n.cond, inner)}}}"
            return f"{{{body} : {v} \\in {dom}}}"
        if isinstance(n, InState):
            if sc.system or sc.group is None:
                raise self._fail(sc, n, "In() with one argument only works inside a chart")
            if sc.active is not None:
                return "TRUE" if n.state in sc.active else "FALSE"
            leaf = sc.group.acc(sc.group.state_var, sc.self_expr)
            return f"({self._in_leaves(sc.group, leaf, sc.group.leaves[n.state])})"
        if isinstance(n, PyFunc):
            if n.tla is None:
                raise self._fail(sc, n, f"Python callable {n.label!r} has no tla= rendering")
            return self._pytla(n.tla, sc)
        raise self._fail(sc, n, "not translatable")

    def _pytla(self, text: str, sc: _Scope) -> str:
        binds = [f"{f} == {v}" for f, v in sc.fields.items() if re.search(rf"\b{re.escape(f)}\b", text)]
        if not binds:
            return f"({text})"
        return f"(LET {' '.join(binds)} IN {text})"

    def _in_leaves(self, g: _Group, acc: str, leaves: Sequence[str]) -> str:
        """The state variable (read as ``acc``) has an active leaf among ``leaves``."""
        if g.par:
            return f"{acc} \\cap {self._str_set(leaves)} # {{}}"
        return f"{acc} \\in {self._str_set(leaves)}"

    def _str_set(self, items: Iterable[str]) -> str:
        return "{" + ", ".join(_tla_string(x) for x in items) + "}"

    def _binop(self, n: BinOp, sc: _Scope) -> str:
        lt, rt = _kind(self._ty(n.left, sc)), _kind(self._ty(n.right, sc))
        kinds = {lt, rt}
        a, b = self._e(n.left, sc), self._e(n.right, sc)
        if n.op in ("|", "&"):
            if "set" not in kinds:
                raise self._fail(sc, n, f"'{n.op}' is translated only on sets")
            op = "\\cup" if n.op == "|" else "\\cap"
            return f"({a} {op} {b})"
        if n.op == "-":
            if "set" in kinds:
                return f"({a} \\ {b})"
            if kinds <= {"int", ANY}:
                return f"({a} - {b})"  # unknown types: TLC fails loudly if they are not integers
            raise self._fail(sc, n, "cannot tell whether '-' is on numbers or sets")
        if n.op == "+":
            if "int" in kinds:
                if kinds & {"str", "seq"}:
                    raise self._fail(sc, n, "'+' of a number and a string/sequence is not translated")
                return f"({a} + {b})"
            if "seq" in kinds:
                return f"({a} \\o {b})"
            if kinds == {"str"}:
                return f"({a} \\o {b})"
            if kinds == {ANY}:
                return f"({a} + {b})"  # unknown types: TLC fails loudly if they are not integers
            raise self._fail(sc, n, "cannot tell whether '+' is on numbers, strings or sequences")
        if n.op == "*":
            return f"({a} * {b})"
        if n.op == "//":
            return f"({a} \\div {b})"
        if n.op == "%":
            return f"({a} % {b})"
        raise self._fail(sc, n, f"operator {n.op!r}")

    def _compare(self, n: Compare, sc: _Scope) -> str:
        a, b = self._e(n.left, sc), self._e(n.right, sc)
        if n.op == "==":
            return f"({a} = {b})"
        if n.op == "!=":
            return f"({a} # {b})"
        if n.op in ("<", "<=", ">", ">="):
            lt, rt = _kind(self._ty(n.left, sc)), _kind(self._ty(n.right, sc))
            if {lt, rt} - {"int", ANY}:
                raise self._fail(sc, n, f"'{n.op}' is translated only on integers")  # unknown types: TLC fails loudly on non-integers
            op = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}[n.op]
            return f"({a} {op} {b})"
        k = self._coll_kind(n.right, sc, ("set", "seq", "map"))
        if k == "set":
            test = f"({a} \\in {b})"
        elif k == "seq":
            test = f"({a} \\in Range({b}))"
        else:
            test = f"({a} \\in DOMAIN {b})"
        return test if n.op == "in" else f"(~{test})"

    def _call(self, n: Call, sc: _Scope) -> str:
        fn, args = n.fn, n.args
        if sc.system and fn in SYSTEM_FUNCTIONS:
            return self._sys_call(n, sc)
        e = [self._e(a, sc) for a in args]
        if fn == "len":
            k = self._coll_kind(args[0], sc, ("set", "seq", "map", "str"))
            return {"set": f"Cardinality({e[0]})", "seq": f"Len({e[0]})", "map": f"Cardinality(DOMAIN {e[0]})", "str": f"Len({e[0]})"}[k]
        if fn in ("min", "max"):
            if len(e) == 2:
                op = "<=" if fn == "min" else ">="
                return f"(IF {e[0]} {op} {e[1]} THEN {e[0]} ELSE {e[1]})"
            if len(e) == 1:
                dom, _ = self._domain(args[0], sc)
                return f"{'MinOf' if fn == 'min' else 'MaxOf'}({dom})"
        if fn == "abs":
            return f"(IF {e[0]} < 0 THEN -{e[0]} ELSE {e[0]})"
        if fn == "pow":
            return f"({e[0]} ^ {e[1]})"
        if fn == "append":
            return f"Append({e[0]}, {e[1]})"
        if fn == "put":
            return f"(({e[1]} :> {e[2]}) @@ {e[0]})"
        if fn == "remove":
            k = self._coll_kind(args[0], sc)
            if k == "set":
                return f"({e[0]} \\ {{{e[1]}}})"
            if k == "seq":
                return f"Remove({e[0]}, {e[1]})"
            v = self.names.new("k")
            return f"[{v} \\in DOMAIN {e[0]} \\ {{{e[1]}}} |-> {e[0]}[{v}]]"
        if fn == "add":
            return f"({e[0]} \\cup {{{e[1]}}})"
        if fn == "head":
            return f"Head({e[0]})"
        if fn == "tail":  # total, as in Python (the tail of an empty sequence is empty); TLA+'s Tail is not
            v = self.names.new("s")
            return f"(LET {v} == {e[0]} IN SubSeq({v}, 2, Len({v})))"
        if fn == "range":
            lo, hi = ("0", e[0]) if len(e) == 1 else (e[0], e[1])
            v = self.names.new("k")
            return f"[{v} \\in 1..({hi} - {lo}) |-> {lo} + {v} - 1]"
        if fn == "keys":
            return f"DOMAIN {e[0]}"
        if fn == "set":
            if not e:
                return "{}"
            dom, _ = self._domain(args[0], sc)
            return dom
        if fn == "tuple":
            if not e:
                return "<<>>"
            if self._coll_kind(args[0], sc, ("seq", "set")) == "seq":
                return e[0]
            raise self._fail(sc, n, "tuple() of a set has an order TLA+ cannot reproduce")
        if fn == "sum":
            k = self._coll_kind(args[0], sc, ("seq", "set"))
            return f"SumSeq({e[0]})" if k == "seq" else f"SumOver([q \\in {e[0]} |-> q], {e[0]})"
        raise self._fail(sc, n, f"function {fn!r} is not translated")

    # -- system predicates

    def _actor_groups(self, node: Node, sc: _Scope) -> list[tuple[_Group, str | None]]:
        """The groups an actor argument may belong to, with the fixed instance model value when constant."""
        if isinstance(node, Const) and isinstance(node.value, str):
            nm = node.value
            if nm not in self.inst_mv or nm == ENV:
                raise self._fail(sc, node, f"unknown actor {nm!r}")
            i = self.inst_names.index(nm)
            g = next(g for g in self.groups if i in g.instances)
            return [(g, self.inst_mv[nm])]
        return [(g, None) for g in self.groups]

    def _sys_call(self, n: Call, sc: _Scope) -> str:
        fn, args = n.fn, n.args
        if fn == "instances":
            if not args or not isinstance(args[0], Const) or args[0].value not in self.group_by_name:
                raise self._fail(sc, n, "instances() takes a group name")
            return self.group_by_name[args[0].value].set_op
        if fn == "in_flight":
            ev_name = args[0].value if args and isinstance(args[0], Const) else None
            to = args[1].value if len(args) > 1 and isinstance(args[1], Const) else None
            conds = []
            if ev_name is not None:
                conds.append(f"m.name = {_tla_string(ev_name)}")
            if to is not None:
                conds.append(f"m.to = {self.inst_mv[to]}")
            return self._count(" /\\ ".join(conds) or "TRUE")
        who = args[0]
        gs = self._actor_groups(who, sc)
        a = self._e(who, sc)
        parts = []
        if fn == "is_final":
            for g, mv in gs:
                finals = [s.id for s in g.chart.root.children if s.kind == "final"]
                test = self._in_leaves(g, g.acc(g.state_var, a), finals)
                parts.append(test if mv else f"({a} \\in {g.set_op} /\\ {test})")
            return "(" + " \\/ ".join(parts or ["FALSE"]) + ")"
        if len(args) != 2 or not isinstance(args[1], Const) or not isinstance(args[1].value, str):
            raise self._fail(sc, n, f"{fn}() takes an actor and a name")
        what = args[1].value
        if fn == "In":
            for g, mv in gs:
                if what not in g.leaves:
                    continue
                test = self._in_leaves(g, g.acc(g.state_var, a), g.leaves[what])
                parts.append(f"({test})" if mv else f"({a} \\in {g.set_op} /\\ {test})")
            return "(" + " \\/ ".join(parts or ["FALSE"]) + ")"
        # field
        cands = [(g, mv) for g, mv in gs if what in g.field_vars]
        if not cands:
            raise self._fail(sc, n, f"no actor has a field {what!r}")
        if len(cands) == 1 and cands[0][1] is not None:
            g = cands[0][0]
            return g.acc(g.field_vars[what], a)
        arms = [f"{a} \\in {g.set_op} -> {g.acc(g.field_vars[what], a)}" for g, _ in cands]
        return "(CASE " + " [] ".join(arms) + ")"

    def _count(self, cond: str) -> str:
        """Number of in-flight messages ``m`` satisfying cond."""
        if self.net_kind == "unordered-duplicating":
            return f"Cardinality({{m \\in net : {cond}}})"
        if self.net_kind == "unordered":
            return f"SumOver(net, {{m \\in DOMAIN net : {cond}}})"
        return f"Cardinality({{p \\in UNION {{{{<<c, k>> : k \\in 1..Len(net[c])}} : c \\in DOMAIN net}} : LET m == net[p[1]][p[2]] IN {cond}}})"

    # ------------------------------------------------------------------ macrosteps

    def _chain(self, ch: Chart, leaf: str) -> list[StateNode]:
        s: StateNode | None = ch.states[leaf]
        out = []
        while s is not None and s.kind != "root":
            out.append(s)
            s = s.parent
        return out[::-1]

    def _entry_path(self, ch: Chart, domain: StateNode, target: StateNode) -> tuple[list[tuple[StateNode, bool]], str]:
        """States entered (top-down, with whether each is default-entered) and the new leaf."""
        path: list[StateNode] = []
        s: StateNode | None = target
        while s is not None and s is not domain:
            path.append(s)
            s = s.parent
        entered = [(x, False) for x in path[::-1]]
        cur = target
        while cur.kind == "compound":
            entered[-1] = (cur, True)
            assert cur.initial is not None
            nxt = ch.states[cur.initial.targets[0]]
            sub: list[StateNode] = []
            y: StateNode | None = nxt
            while y is not None and y is not cur:
                sub.append(y)
                y = y.parent
            entered.extend((x, False) for x in sub[::-1])
            cur = nxt
        return entered, cur.id

    def _effect_items(self, g: _Group, t: Transition, leaf: str) -> tuple[list[tuple[Action, frozenset[str]]], str]:
        """The actions of taking t with this active leaf, each with the active set it sees, and the new leaf."""
        ch = g.chart
        active = [s.id for s in self._chain(ch, leaf)]
        items: list[tuple[Action, frozenset[str]]] = []
        if not t.targets:
            items.extend((a, frozenset(active)) for a in t.actions)
            return items, leaf
        engine = ch.engine
        ct = engine.transitions[t.index]
        dom_id = engine.ids[ct.domain]
        domain = ch.root if ct.domain == 0 else ch.states[dom_id]
        cur = list(active)
        exited = [s for s in self._chain(ch, leaf) if self._below(s, domain)]
        for s in exited[::-1]:
            items.extend((a, frozenset(cur)) for a in s.exit)
            cur.remove(s.id)
        items.extend((a, frozenset(cur)) for a in t.actions)
        target = ch.states[t.targets[0]]
        entered, new_leaf = self._entry_path(ch, domain, target)
        for s, default in entered:
            cur.append(s.id)
            items.extend((a, frozenset(cur)) for a in s.entry)
            if default and s.initial is not None:
                items.extend((a, frozenset(cur)) for a in s.initial.actions)
        return items, new_leaf

    @staticmethod
    def _below(s: StateNode, anc: StateNode) -> bool:
        p = s.parent
        while p is not None:
            if p is anc:
                return True
            p = p.parent
        return False

    def _initial_items(self, g: _Group) -> tuple[list[tuple[Action, frozenset[str]]], str]:
        ch = g.chart
        items: list[tuple[Action, frozenset[str]]] = []
        if ch.root.initial is not None:
            items.extend((a, frozenset()) for a in ch.root.initial.actions)
        target = ch.states[ch.root.initial.targets[0]] if ch.root.initial is not None else ch.root.children[0]
        entered, leaf = self._entry_path(ch, ch.root, target)
        cur: list[str] = []
        for s, default in entered:
            cur.append(s.id)
            items.extend((a, frozenset(cur)) for a in s.entry)
            if default and s.initial is not None:
                items.extend((a, frozenset(cur)) for a in s.initial.actions)
        return items, leaf

    def _fresh(self, hint: str) -> str:
        return self.names.new(f"{hint}_{next(self.counter)}")

    def _run(self, items: list[tuple[Action, _Scope, str]], sym: _Sym, finish: Any) -> str:
        """Symbolically execute actions (each with its scope and instance key); choose becomes \\E."""
        for pos, (a, sc, key) in enumerate(items):
            if isinstance(a, Choose):
                v = self._fresh(a.var)
                dom, et = self._domain(a.domain, self._sc_now(sc, sym, key))
                inner = sc.bind(a.var, v, et)
                rest = [(b, inner, key) for b in a.body] + items[pos + 1 :]
                body = self._run(rest, _Sym([], sym.locals, sym.out), finish)
                return self._wrap(sym.defs, f"(\\E {v} \\in {dom} : {body})")
            if isinstance(a, If) and _chooses(a):
                # a branch that chooses: one disjunct per branch, each running the rest of the macrostep
                now = self._sc_now(sc, sym, key)
                conds = [self._e(c, now) for c, _ in a.branches]
                arms = []
                for i, branch in enumerate([*(body for _, body in a.branches), a.otherwise]):
                    taken = [f"~{c}" for c in conds[:i]] + conds[i : i + 1]
                    arm = self._run([(b, sc, key) for b in branch] + items[pos + 1 :], self._fork(sym), finish)
                    arms.append("(" + " /\\ ".join([*taken, arm]) + ")")
                return self._wrap(sym.defs, "(" + " \\/ ".join(arms) + ")")
            self._straight(a, sc, key, sym)
        return self._wrap(sym.defs, finish(sym))

    @staticmethod
    def _wrap(defs: list[tuple[str, str]], body: str) -> str:
        if not defs:
            return body
        return "(LET " + " ".join(f"{n} == {e}" for n, e in defs) + " IN " + body + ")"

    def _sc_now(self, sc: _Scope, sym: _Sym, key: str) -> _Scope:
        loc = sym.locals[key]
        return _Scope(sc.group, sc.self_expr, dict(loc.fields), sc.ev, sc.ev_names, sc.active, sc.bound, sc.where, sc.system)

    def _straight(self, a: Action, sc0: _Scope, key: str, sym: _Sym) -> None:
        loc = sym.locals[key]
        sc = self._sc_now(sc0, sym, key)
        g = sc.group
        assert g is not None
        if isinstance(a, Log):
            return
        if isinstance(a, Assign):
            vals = [(f, self._e(n, sc)) for f, n in a.updates]
            for f, text in vals:
                nm = self._fresh(f"{g.name}_{f}")
                sym.defs.append((nm, text))
                loc.fields[f] = nm
            return
        if isinstance(a, PyAction):
            assert a.tla is not None
            rec = self._fresh(f"{a.label}_result")
            sym.defs.append((rec, self._pytla(a.tla, sc)))
            for f in a.writes:
                nm = self._fresh(f"{g.name}_{f}")
                sym.defs.append((nm, f"{rec}.{f}"))
                loc.fields[f] = nm
            return
        if isinstance(a, Cancel):
            if loc.timers is None:
                return
            nm = self._fresh("timers")
            v = self.names.new("t")
            sym.defs.append((nm, f"{{{v} \\in {loc.timers} : {v}.id # {_tla_string(a.send_id)}}}"))
            loc.timers = nm
            return
        if isinstance(a, Send):
            data = self._data(a, sc)
            ev = f"[name |-> {_tla_string(a.event)}, data |-> {data}, from |-> {sc.self_expr}]"
            if a.target == SELF and a.delay is not None:
                if loc.timers is None:
                    raise TlaUnsupported(f"{sc.where}: timer {a.event!r} without timer state")
                nm = self._fresh("timers")
                sid = _tla_string(a.send_id) if a.send_id is not None else self.none_mv
                sym.defs.append((nm, f"({loc.timers} \\cup {{[id |-> {sid}, ev |-> {ev}]}})"))
                loc.timers = nm
                return
            tos = self._send_targets(a, sc)
            d = self._fresh("data")
            sym.defs.append((d, data))
            recs = [f"[to |-> {to}, from |-> {sc.self_expr}, name |-> {_tla_string(a.event)}, data |-> {d}]" for to in tos]
            sym.out.append("<<" + ", ".join(recs) + ">>")
            return
        if isinstance(a, Foreach):
            sym.out.append(self._foreach(a, sc))
            return
        if isinstance(a, If):
            conds = [self._e(c, sc) for c, _ in a.branches]
            bodies = [body for _, body in a.branches] + [a.otherwise]
            results: list[_Sym] = []
            for body in bodies:
                sub = _Sym(sym.defs, {k: _Local(dict(v.fields), v.leaf, v.timers) for k, v in sym.locals.items()}, [])
                for b in body:
                    self._straight(b, sc0, key, sub)
                results.append(sub)
            for f in g.chart.context:
                branch_vals = [r.locals[key].fields[f] for r in results]
                if all(v == loc.fields[f] for v in branch_vals):
                    continue
                nm = self._fresh(f"{g.name}_{f}")
                sym.defs.append((nm, self._ifchain(conds, branch_vals)))
                loc.fields[f] = nm
            tvals = [r.locals[key].timers for r in results]
            if loc.timers is not None and any(v != loc.timers for v in tvals):
                nm = self._fresh("timers")
                sym.defs.append((nm, self._ifchain(conds, [v or "{}" for v in tvals])))
                loc.timers = nm
            outs = [" \\o ".join(r.out) if r.out else "<<>>" for r in results]
            if any(r.out for r in results):
                nm = self._fresh("out")
                sym.defs.append((nm, self._ifchain(conds, outs)))
                sym.out.append(nm)
            return
        raise TlaUnsupported(f"{sc.where}: action {describe(a)!r} is not translated")

    def _foreach(self, a: Foreach, sc: _Scope) -> str:
        """The messages a send-only foreach puts in the outbox, as one TLA+ sequence."""
        where = f"{sc.where}: {describe(a)!r}"
        arr_t = self._ty(a.array, sc)
        kind = self._coll_kind(a.array, sc, ("seq", "set"))
        arr = self._e(a.array, sc)
        v, k, sq = self._fresh(a.item), self._fresh("k"), self._fresh("items")
        inner = sc.bind(a.item, v, _elem(arr_t))
        if a.index:
            inner = inner.bind(a.index, f"({k} - 1)", "int")
        sends = [b for b in a.body if isinstance(b, Send)]
        if kind == "set" and self.net_kind == "fifo" and not all(isinstance(b.target, Var) and b.target.name == a.item for b in sends):
            raise TlaUnsupported(f"{where}: over a set on a FIFO network the send order is Python's set order; send to the loop variable or iterate a sequence")
        recs: list[str] = []
        for b in sends:
            data = self._data(b, inner)
            for to in self._send_targets(b, inner):
                recs.append(f"[to |-> {to}, from |-> {sc.self_expr}, name |-> {_tla_string(b.event)}, data |-> {data}]")
        seq = arr if kind == "seq" else f"SetToSeq({arr})"
        return f"(LET {sq} == {seq} IN FlattenSeq([{k} \\in 1..Len({sq}) |-> LET {v} == {sq}[{k}] IN <<{', '.join(recs)}>>]))"

    @staticmethod
    def _ifchain(conds: list[str], vals: list[str]) -> str:
        text = vals[-1]
        for c, v in zip(conds[::-1], vals[-2::-1]):
            text = f"(IF {c} THEN {v} ELSE {text})"
        return text

    def _data(self, a: Send, sc: _Scope) -> str:
        if not a.data:
            return "<<>>"
        if len(a.data) == 1 and a.data[0][0] == CONTENT:
            return self._e(a.data[0][1], sc)
        if all(_is_ident(k) for k, _ in a.data):
            return "[" + ", ".join(f"{k} |-> {self._e(v, sc)}" for k, v in a.data) + "]"
        return "(" + " @@ ".join(f"({_tla_string(k)} :> {self._e(v, sc)})" for k, v in a.data) + ")"

    def _send_targets(self, a: Send, sc: _Scope) -> list[str]:
        where = f"{sc.where}: {describe(a)!r}"
        if isinstance(a.target, Node):
            return [self._e(a.target, sc)]
        if a.target == SENDER:
            assert sc.ev is not None
            return [f"{sc.ev}.from"]
        if a.target == SELF:
            return [sc.self_expr]
        if a.index is not None:
            g = self.group_by_name.get(a.target)
            if g is None:
                raise TlaUnsupported(f"{where}: send_to an unknown group")
            return [f"{g.list_op}[({self._e(a.index, sc)}) + 1]"]
        if a.broadcast and a.target in self.group_by_name:
            return list(self.group_by_name[a.target].mvs)
        if a.target in self.inst_mv:
            return [self.inst_mv[a.target]]
        g = self.group_by_name.get(a.target)
        if g is not None and len(g.mvs) == 1:
            return [g.mvs[0]]
        raise TlaUnsupported(f"{where}: send to group {a.target!r} without an index (use send_to or broadcast)")

    # ------------------------------------------------------------------ per group operators

    def _matching(self, t: Transition) -> list[str]:
        return [e for e in self.universe if any(match_descriptor(d, e) for d in t.events)]

    def _group_operators(self, g: _Group) -> None:
        ch = g.chart
        for t in ch.transitions:
            g.names[t.index] = self._matching(t)
        guards: dict[int, str] = {}
        for t in ch.transitions:
            names = tuple(g.names[t.index])
            where = f"actor {g.name!r}, guard of transition {t.describe()}"
            sc = self._scope(g, "self", {f: g.acc(v, "self") for f, v in g.field_vars.items()}, "ev", names, None, where)
            guards[t.index] = self._e(t.guard, sc) if t.guard is not None else "TRUE"
        leaf = g.acc(g.state_var, "self")

        def enabled(t: Transition, names: Sequence[str] | None = None) -> str:
            assert t.source is not None
            ns = g.names[t.index] if names is None else names
            parts = [self._in_leaves(g, leaf, g.leaves[t.source.id]), f"ev.name \\in {self._str_set(ns)}"]
            if guards[t.index] != "TRUE":
                parts.append(guards[t.index])
            return "(" + " /\\ ".join(parts) + ")"

        # Selected(self, ev): some transition is selected for ev
        g.selected_op = self.names.new(f"{g.name}_Selected")
        sel = [enabled(t) for t in ch.transitions if g.names[t.index]]
        self.defs.append(f"{g.selected_op}(self, ev) ==\n    " + ("\\/ " + "\n    \\/ ".join(sel) if sel else "FALSE"))
        if g.general:
            self._general_operators(g)
            return
        for t in ch.transitions:
            if not g.names[t.index]:
                continue
            assert t.source is not None
            src = t.source
            ev_desc = t.events[0] if t.events else "always"
            tgt = f"_to_{t.targets[0]}" if t.targets else ""
            op = self.names.new(f"{g.name}_{src.id}_{ev_desc}{tgt}")
            g.trans_ops[t.index] = op
            # preemption: transitions tried before t on the same path
            higher = []
            for u in ch.transitions:
                if u is t or u.source is None or not set(g.names[u.index]) & set(g.names[t.index]):
                    continue
                if (self._below(u.source, src)) or (u.source is src and u.index < t.index):
                    common = [e for e in g.names[t.index] if e in g.names[u.index]]
                    higher.append(f"~{enabled(u, common)}")
            # effects per leaf
            leaves = g.leaves[src.id]
            arms = []
            by_effect: dict[str, list[str]] = {}
            for lf in leaves:
                items, new_leaf = self._effect_items(g, t, lf)
                where = f"actor {g.name!r}, transition {t.describe()}"
                scope = self._scope(g, "self", {}, "ev", tuple(g.names[t.index]), None, where)
                locals_ = {"self": _Local({f: g.acc(v, "self") for f, v in g.field_vars.items()}, lf, "tmr0" if g.timers_var else None)}
                sym = _Sym([], locals_, [])
                run_items = [(a, _Scope(g, "self", {}, "ev", scope.ev_names, act, {}, where), "self") for a, act in items]
                body = self._run(run_items, sym, lambda s, nl=new_leaf: self._finish_local(g, s, "self", nl))
                by_effect.setdefault(body, []).append(lf)
            for body, lfs in by_effect.items():
                arms.append(f"({leaf} \\in {self._str_set(lfs)} /\\ {body})")
            parts = [f"ev.name \\in {self._str_set(g.names[t.index])}"]
            if guards[t.index] != "TRUE":
                parts.append(guards[t.index])
            parts.extend(higher)
            parts.append("(" + " \\/ ".join(arms) + ")" if len(arms) > 1 else arms[0])
            self.defs.append(
                f"\\* {g.name}: {t.describe()}\n{op}(self, ev, net0, tmr0) ==\n    /\\ " + "\n    /\\ ".join(parts)
            )
            g.step_ops.append((op, g.names[t.index], t.describe()))

    # ------------------------------------------------------------------ general macrosteps (parallel states, eventless transitions)

    def _cfg_ids(self, g: _Group, cfg: int) -> frozenset[str]:
        eng = g.chart.engine
        return frozenset(eng.ids[i] for i in range(1, eng.n) if cfg >> i & 1)

    def _cfg_value(self, g: _Group, cfg: int) -> str:
        leaves = g.chart.engine.leaf_names(cfg)
        if g.par:
            return self._str_set(leaves)
        assert len(leaves) == 1
        return _tla_string(leaves[0])

    def _plan_items(self, g: _Group, cfg: int, enabled: tuple[Any, ...], first: Sequence[Action] = ()) -> tuple[list[tuple[Action, frozenset[str]]], int, bool]:
        """The engine's microstep taking ``enabled`` in ``cfg``: exits, transition actions in order, entries (document order)."""
        eng = g.chart.engine
        ch = g.chart
        plan = eng._plan(cfg, enabled, ())
        if plan.hist_saves:
            raise TlaUnsupported(f"actor {g.name!r}: history is not translated")
        items: list[tuple[Action, frozenset[str]]] = [(a, frozenset()) for a in first]
        cur = cfg
        for s, _fn in plan.exits:
            node = ch.states[eng.ids[s]]
            items.extend((a, self._cfg_ids(g, cur)) for a in node.exit)
            cur &= ~(1 << s)
        cur = plan.after_exit_cfg
        for t in enabled:
            tr = g.tmap.get(t.index)
            if tr is not None:
                items.extend((a, self._cfg_ids(g, cur)) for a in tr.actions)
        stop = False
        for s, fns, _done, st in plan.entries:
            cur |= 1 << s
            node = ch.states[eng.ids[s]]
            act = self._cfg_ids(g, cur)
            items.extend((a, act) for a in node.entry)
            init_fn = eng.initial_actions[s]
            if node.initial is not None and init_fn is not None and any(f is init_fn for f in fns):
                items.extend((a, act) for a in node.initial.actions)
            stop = stop or st
        return items, plan.new_cfg, stop

    def _select_combos(self, g: _Group, cfg: int, name: str | None) -> list[tuple[Any, ...]]:
        """Candidate lists (one per active atomic state, document order) of the engine's selection."""
        eng = g.chart.engine
        if cfg & eng.top_final_mask:
            return []
        return list(eng._candidates_for(cfg, name))

    def _resolve(self, g: _Group, cfg: int, enabled: list[Any]) -> tuple[Any, ...]:
        sel = tuple(enabled)
        if len(sel) > 1:
            sel = g.chart.engine.without_conflicts(cfg, sel)
        return sel

    def _static_succ(self, g: _Group, cfg: int, name: str | None, path: tuple[int, ...]) -> set[int]:
        """Configurations a macrostep may end in, guards ignored; rejects eventless chains that can repeat."""
        out: set[int] = set()
        lists = self._select_combos(g, cfg, name)
        if not lists:
            return {cfg} if name is None else out
        for combo in itertools.product(*[[*lst, None] for lst in lists]):
            enabled: list[Any] = []
            for t in combo:
                if t is not None and t not in enabled:
                    enabled.append(t)
            if not enabled:
                if name is None:
                    out.add(cfg)
                continue
            sel = self._resolve(g, cfg, enabled)
            _, new, stop = self._plan_items(g, cfg, sel)
            if name is None and new in path:
                descs = ", ".join(g.tmap[t.index].describe() for t in sel)
                raise TlaUnsupported(
                    f"actor {g.name!r} (chart {g.chart.name!r}): eventless transitions may chain forever ({descs} returns to an earlier "
                    "configuration of the same macrostep); only acyclic eventless transitions are translated"
                )
            out |= {new} if stop else self._static_succ(g, new, None, (*path, new))
        return out

    def _fork(self, sym: _Sym) -> _Sym:
        return _Sym([], {k: _Local(dict(v.fields), v.leaf, v.timers) for k, v in sym.locals.items()}, list(sym.out))

    def _macro(
        self,
        g: _Group,
        key: str,
        self_expr: str,
        cfg: int,
        name: str | None,
        ev: str | None,
        sym: _Sym,
        done: Callable[[_Sym, int], str],
        first: bool,
    ) -> str:
        """One macrostep from configuration ``cfg``: the selected transitions' microstep, then eventless microsteps until stable."""
        where = f"actor {g.name!r}, macrostep" + (f" on {name!r}" if name else "")
        lists = self._select_combos(g, cfg, name if first else None)
        loc = sym.locals[key]
        ev_names = (name,) if name else ()
        sc = _Scope(g, self_expr, dict(loc.fields), ev, ev_names, self._cfg_ids(g, cfg), {}, where)
        opts_per_list = []
        for lst in lists:
            opts: list[tuple[list[str], Any]] = []
            negs: list[str] = []
            for t in lst:
                tr = g.tmap[t.index]
                gt = self._e(tr.guard, sc) if tr.guard is not None else "TRUE"
                if gt == "TRUE":
                    opts.append((list(negs), t))
                    break
                opts.append(([*negs, gt], t))
                negs = [*negs, f"~{gt}"]
            else:
                opts.append((negs, None))
            opts_per_list.append(opts)
        branches = []
        for combo in itertools.product(*opts_per_list):
            conds = [c for cs, _ in combo for c in cs]
            enabled: list[Any] = []
            for _, t in combo:
                if t is not None and t not in enabled:
                    enabled.append(t)
            if not enabled:
                if first:
                    continue
                body = done(sym, cfg)
            else:
                sel = self._resolve(g, cfg, enabled)
                items, new, stop = self._plan_items(g, cfg, sel)
                sub = self._fork(sym)
                run_items = [(a, _Scope(g, self_expr, {}, ev, ev_names, act, {}, where), key) for a, act in items]

                def cont(s: _Sym, c: int = new, stop: bool = stop) -> str:
                    if stop:
                        return done(s, c)
                    return self._macro(g, key, self_expr, c, name, ev, s, done, False)

                body = self._run(run_items, sub, cont)
            branches.append("(" + " /\\ ".join([*conds, body]) + ")" if conds else body)
        if not branches:
            return "FALSE"
        return branches[0] if len(branches) == 1 else "(" + " \\/ ".join(branches) + ")"

    def _initial_general(self, g: _Group) -> tuple[list[tuple[Action, frozenset[str]]], int]:
        eng = g.chart.engine
        root_t = _T()
        root_t.targets = eng.initial_targets[0]
        root_t.domain = 0
        first = g.chart.root.initial.actions if g.chart.root.initial is not None else ()
        items, cfg, _ = self._plan_items(g, 1, (root_t,), first)
        return items, cfg

    def _general_operators(self, g: _Group) -> None:
        ch = g.chart
        _, cfg0 = self._initial_general(g)
        reacting = [e for e in self.universe if any(e in g.names[t.index] for t in ch.transitions)]
        seen = set(self._static_succ(g, cfg0, None, (cfg0,)))
        queue = sorted(seen)
        while queue:
            cfg = queue.pop(0)
            for n in reacting:
                for c in sorted(self._static_succ(g, cfg, n, ())):
                    if c not in seen:
                        seen.add(c)
                        queue.append(c)
        state = g.acc(g.state_var, "self")
        arms = []
        for cfg in sorted(seen, key=lambda c: g.chart.engine.leaf_names(c)):
            per_name = []
            for n in reacting:
                locals_ = {"self": _Local({f: g.acc(v, "self") for f, v in g.field_vars.items()}, "", "tmr0" if g.timers_var else None)}
                text = self._macro(
                    g, "self", "self", cfg, n, "ev", _Sym([], locals_, []),
                    lambda s, c: self._finish_local(g, s, "self", "", leaf_text=self._cfg_value(g, c)), True,
                )
                if text != "FALSE":
                    per_name.append(f"(ev.name = {_tla_string(n)} /\\ {text})")
            if per_name:
                arms.append(f"/\\ {state} = {self._cfg_value(g, cfg)}\n       /\\ " + ("\n          \\/ ".join(per_name)))
        op = self.names.new(f"{g.name}_Step")
        self.defs.append(
            f"\\* {g.name}: one macrostep per (configuration, event): the optimal enabled transition set, then eventless microsteps\n"
            f"{op}(self, ev, net0, tmr0) ==\n    " + ("\\/ " + "\n    \\/ ".join(arms) if arms else "FALSE")
        )
        g.step_ops = [(op, reacting, "a macrostep")]

    def _finish_local(self, g: _Group, sym: _Sym, key: str, new_leaf: str, prime: str = "'", leaf_text: str | None = None) -> str:
        loc = sym.locals[key]
        parts = [g.upd(g.state_var, "self", leaf_text if leaf_text is not None else _tla_string(new_leaf))]
        for f, v in g.field_vars.items():
            parts.append(g.upd(v, "self", loc.fields[f]))
        if g.timers_var:
            parts.append(g.upd(g.timers_var, "self", loc.timers or "{}"))
        out = " \\o ".join(sym.out) if sym.out else "<<>>"
        parts.append(f"net' = NetAdd(net0, {out})" if sym.out else "net' = net0")
        return "(" + " /\\ ".join(parts) + ")"

    # ------------------------------------------------------------------ init and crash

    def _init(self) -> None:
        items: list[tuple[Action, _Scope, str]] = []
        locals_: dict[str, _Local] = {}
        leaves: dict[str, tuple[_Group, str, str]] = {}
        general: list[tuple[_Group, str, int]] = []
        for g in self.groups:
            if g.general:
                acts, cfg0 = self._initial_general(g)
                leaf = ""
            else:
                acts, leaf = self._initial_items(g)
            for mv in g.mvs:
                fields = {f: g.acc(op, mv) for f, op in g.init_ops.items()}
                locals_[mv] = _Local(fields, _tla_string(leaf), "{}" if g.timers_var else None)
                leaves[mv] = (g, mv, leaf)
                where = f"actor {mv}, initial entry"
                items.extend((a, _Scope(g, mv, {}, None, (), act, {}, where), mv) for a, act in acts)
                if g.general:
                    general.append((g, mv, cfg0))

        def finish(sym: _Sym) -> str:
            parts = []
            for g in self.groups:
                per = [(mv, sym.locals[mv]) for mv in g.mvs]
                parts.append(f"{g.state_var} = " + self._fn(g, [loc.leaf for _, loc in per]))
                for f, v in g.field_vars.items():
                    parts.append(f"{v} = " + self._fn(g, [loc.fields[f] for _, loc in per]))
                if g.timers_var:
                    parts.append(f"{g.timers_var} = " + self._fn(g, [loc.timers or "{}" for _, loc in per]))
            out = " \\o ".join(sym.out) if sym.out else "<<>>"
            parts.append(f"net = NetAdd(EmptyNet, {out})")
            for v, init in self.budget_vars:
                parts.append(f"{v} = {init}")
            return "(" + " /\\ ".join(f"({x})" for x in parts) + ")"

        def chain(k: int) -> Callable[[_Sym], str]:
            if k == len(general):
                return finish
            g, mv, cfg0 = general[k]

            def done(s: _Sym, c: int) -> str:
                s2 = self._fork(s)
                s2.locals[mv].leaf = self._cfg_value(g, c)
                return chain(k + 1)(s2)

            return lambda s: self._macro(g, mv, mv, cfg0, None, None, s, done, False)

        body = self._run(items, _Sym([], locals_, []), chain(0))
        self.init_text = "Init ==\n    " + body

    def _fn(self, g: _Group, vals: list[str]) -> str:
        if not g.multi:
            return vals[0]
        return "(" + " @@ ".join(f"({mv} :> {v})" for mv, v in zip(g.mvs, vals)) + ")"

    def _crash_body(self, g: _Group) -> str:
        if g.general:
            acts, cfg0 = self._initial_general(g)
            leaf = ""
        else:
            acts, leaf = self._initial_items(g)
        durable = set(g.actor.durable)
        fields = {f: (g.acc(v, "self") if f in durable else g.acc(g.init_ops[f], "self")) for f, v in g.field_vars.items()}
        locals_ = {"self": _Local(fields, leaf, "{}" if g.timers_var else None)}
        where = f"actor {g.name!r}, restart after a crash"
        items = [(a, _Scope(g, "self", {}, None, (), act, {}, where), "self") for a, act in acts]
        if g.general:

            def done(s: _Sym, c: int) -> str:
                return self._finish_local(g, s, "self", "", leaf_text=self._cfg_value(g, c))

            return self._run(items, _Sym([], locals_, []), lambda s: self._macro(g, "self", "self", cfg0, None, None, s, done, False))
        return self._run(items, _Sym([], locals_, []), lambda s: self._finish_local(g, s, "self", leaf))

    # ------------------------------------------------------------------ actions of Next

    def _unchanged(self, keep: Iterable[str]) -> str:
        keep = set(keep)
        rest = [v.name for v in self.variables if v.name not in keep] + (["net"] if "net" not in keep else [])
        rest = [r for r in rest if r not in keep]
        return f"UNCHANGED <<{', '.join(rest)}>>" if rest else "TRUE"

    def _action(self, name: str, params: str, body: str, doc: str) -> str:
        op = self.names.new(name)
        self.defs.append(f"\\* {doc}\n{op}({params}) ==\n    " + body)
        return op

    def _quant(self, g: _Group, op: str) -> str:
        if g.multi:
            return f"\\E self \\in {g.set_op} : {op}(self)"
        return f"{op}({g.mvs[0]})"

    def _deliveries(self, g: _Group) -> None:
        tmr = g.acc(g.timers_var, "self") if g.timers_var else "{}"
        keep = [*g.all_vars(), "net"]
        for op, names, desc in g.step_ops:
            if not set(self.message_events) & set(names):
                continue
            body = f"/\\ \\E m \\in Deliverable(self) : {op}(self, m, After(m), {tmr})\n    /\\ {self._unchanged(keep)}"
            a = self._action(f"recv_{op}", "self", body, f"{g.name} receives a message and takes {desc}")
            g.deliver_ops.append(a)
            self.next_parts.append(self._quant(g, a))
            self._deliver_from(g, f"recv_{op}", body, f"{g.name} receives a message from one sender and takes {desc}")
        if self.net_kind != "unordered-duplicating":
            body = (
                f"/\\ \\E m \\in Deliverable(self) : ~{g.selected_op}(self, m) /\\ net' = After(m)\n"
                f"    /\\ {self._unchanged(['net'])}"
            )
            a = self._action(f"recv_{g.name}_ignored", "self", body, f"{g.name} receives a message no transition takes (it is consumed)")
            g.deliver_ops.append(a)
            self.next_parts.append(self._quant(g, a))
            self._deliver_from(g, f"recv_{g.name}_ignored", body, f"{g.name} receives a message from one sender that no transition takes")
        if g.timers_var:
            tv = g.acc(g.timers_var, "self")
            for op, names, desc in g.step_ops:
                if not set(self.timer_events) & set(names):
                    continue
                body = f"/\\ \\E x \\in {tv} : {op}(self, x.ev, net, {tv} \\ {{x}})\n    /\\ {self._unchanged(keep)}"
                a = self._action(f"timer_{op}", "self", body, f"a timer of {g.name} fires and it takes {desc}")
                g.timer_ops.append(a)
                self.next_parts.append(self._quant(g, a))
            rest = tv + " \\ {x}"
            body = (
                f"/\\ \\E x \\in {tv} : ~{g.selected_op}(self, x.ev) /\\ {g.upd(g.timers_var, 'self', rest)}\n"
                f"    /\\ {self._unchanged([g.timers_var])}"
            )
            a = self._action(f"timer_{g.name}_ignored", "self", body, f"a timer of {g.name} fires and no transition takes it")
            g.timer_ops.append(a)
            self.next_parts.append(self._quant(g, a))
        if g.deliver_ops and self.system.fairness == "per-channel":
            op = self.names.new(f"{g.name}_DeliverFrom")
            self.defs.append(f"{op}(self, sender) == " + " \\/ ".join(f"{o}(self, sender)" for o in g.deliver_from_ops))
            domain = f"self \\in {g.set_op}, sender \\in Instances" if g.multi else "sender \\in Instances"
            self.fair_parts.append(f"\\A {domain} : WF_vars({op}({'self' if g.multi else g.mvs[0]}, sender))")
        elif g.deliver_ops:
            self._fair(g, g.deliver_ops, f"{g.name}_Deliver")
        if g.timer_ops:
            self._fair(g, g.timer_ops, f"{g.name}_Timer")

    def _deliver_from(self, g: _Group, name: str, body: str, doc: str) -> None:
        """With per-channel fairness: a delivery action restricted to one sender (for ``Fairness`` only, not ``Next``)."""
        if self.system.fairness != "per-channel":
            return
        assert "Deliverable(self)" in body
        g.deliver_from_ops.append(self._action(f"{name}_from", "self, sender", body.replace("Deliverable(self)", "DeliverableFrom(self, sender)"), doc))

    def _fair(self, g: _Group, ops: list[str], name: str, domain: str | None = None) -> None:
        op = self.names.new(name)
        self.defs.append(f"{op}(self) == " + " \\/ ".join(f"{o}(self)" for o in ops))
        if g.multi or domain is not None:
            self.fair_parts.append(f"\\A self \\in {domain or g.set_op} : WF_vars({op}(self))")
        else:
            self.fair_parts.append(f"WF_vars({op}({g.mvs[0]}))")

    def _stimuli(self) -> None:
        for g in self.groups:
            self._deliveries(g)
        for k, st in enumerate(self.system.stimuli):
            base = self._stim_base(st.target)
            assert base is not None
            g = base
            targets = self._targets(st.target)
            mvs = [self.inst_mv[self.inst_names[i]] for i in targets]
            dom = g.set_op if len(mvs) == len(g.mvs) else "{" + ", ".join(mvs) + "}"
            alts = "{" + ", ".join(sorted({self._value(_freeze_alt(d), f"stimulus {st.event!r}") for d in st.alternatives()})) + "}"
            ev = f"[name |-> {_tla_string(st.event)}, data |-> d, from |-> {self.env_mv}, to |-> self]"
            budget = self.stim_vars.get(k)
            tmr = g.acc(g.timers_var, "self") if g.timers_var else "{}"
            ops = []
            for op, names, desc in g.step_ops:
                if st.event not in names:
                    continue
                keep = [*g.all_vars(), "net"]
                parts = []
                if budget is not None:
                    bv = budget[0]
                    acc = f"{bv}[self]" if g.multi else bv
                    parts.append(f"{acc} > 0")
                    parts.append(f"{bv}' = [{bv} EXCEPT ![self] = @ - 1]" if g.multi else f"{bv}' = {bv} - 1")
                    keep.append(bv)
                parts.append(f"\\E d \\in {alts} : {op}(self, {ev}, net, {tmr})")
                parts.append(self._unchanged(keep))
                a = self._action(f"stim_{st.event}_{op}", "self", "/\\ " + "\n    /\\ ".join(parts), f"the environment sends {st.event!r} to {st.target}; {desc}")
                ops.append(a)
                if g.multi:
                    self.next_parts.append(f"\\E self \\in {dom} : {a}(self)")
                else:
                    self.next_parts.append(f"{a}({g.mvs[0]})")
            if st.fair and ops:
                self._fair(g, ops, f"Stim_{st.event}", dom if g.multi else None)

    def _faults(self) -> None:
        kind = self.net_kind
        if self.drop_var:
            d = self.drop_var
            if kind == "unordered-duplicating":
                body = "\\E m \\in net : net' = net \\ {m}"
            elif kind == "unordered":
                body = "\\E m \\in DOMAIN net : net' = BagRemove(net, m)"
            else:
                body = "\\E c \\in DOMAIN net : net[c] # <<>> /\\ net' = [net EXCEPT ![c] = Tail(@)]"
            text = f"/\\ {d} > 0\n    /\\ {d}' = {d} - 1\n    /\\ {body}\n    /\\ {self._unchanged(['net', d])}"
            a = self._action("drop_message", "", text, "the network loses a message")
            self.next_parts.append(f"{a}")
            self.defs[-1] = self.defs[-1].replace(f"{a}() ==", f"{a} ==")
        if self.dup_var:
            d = self.dup_var
            if kind == "unordered":
                body = "\\E m \\in DOMAIN net : net' = [net EXCEPT ![m] = @ + 1]"
            else:
                body = "\\E c \\in DOMAIN net : net[c] # <<>> /\\ net' = [net EXCEPT ![c] = <<Head(@)>> \\o @]"
            text = f"/\\ {d} > 0\n    /\\ {d}' = {d} - 1\n    /\\ {body}\n    /\\ {self._unchanged(['net', d])}"
            a = self._action("duplicate_message", "", text, "the network duplicates a message")
            self.next_parts.append(f"{a}")
            self.defs[-1] = self.defs[-1].replace(f"{a}() ==", f"{a} ==")
        for g in self.groups:
            v = self.crash_vars.get(g.name)
            if v is None:
                continue
            body = f"/\\ {v} > 0\n    /\\ {v}' = {v} - 1\n    /\\ LET net0 == net IN {self._crash_body(g)}\n    /\\ {self._unchanged([*g.all_vars(), 'net', v])}"
            a = self._action(f"crash_{g.name}", "self", body, f"an instance of {g.name} crashes and restarts")
            self.next_parts.append(self._quant(g, a))

    # ------------------------------------------------------------------ properties and assembly

    def _sys(self, spec: Any, where: str) -> str:
        try:
            node = system_node(spec, where)
        except ExpressionError as e:
            raise TlaUnsupported(str(e)) from None
        sc = _Scope(None, "", {}, None, (), None, {}, where, True)
        if isinstance(node, PyFunc):
            if node.tla is None:
                raise TlaUnsupported(f"{where}: Python predicate {node.label!r} has no tla= rendering and cannot be translated")
            return f"({node.tla})"
        self._check_node(node, where)
        return self._e(node, sc)

    def _properties(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {"inv": {}, "some": {}, "live": {}}
        for p in self.system.properties:
            if isinstance(p, Invariant):
                op = self.names.new(f"Inv_{p.name}")
                self.defs.append(f"\\* invariant {p.name!r}\n{op} == {self._sys(p.predicate, f'invariant {p.name!r}')}")
                out["inv"][p.name] = op
            elif isinstance(p, Sometimes):
                goal = self.names.new(f"Goal_{p.name}")
                never = self.names.new(f"Never_{p.name}")
                text = self._sys(p.predicate, f"sometimes {p.name!r}")
                self.defs.append(f"\\* sometimes {p.name!r}: check {never} as an invariant; a violation is a witness\n{goal} == {text}")
                self.defs.append(f"{never} == ~{goal}")
                out["some"][p.name] = never
            elif isinstance(p, Eventually):
                op = self.names.new(f"Live_{p.name}")
                self.defs.append(f"\\* eventually {p.name!r}\n{op} == <>({self._sys(p.predicate, f'eventually {p.name!r}')})")
                out["live"][p.name] = op
            elif isinstance(p, LeadsTo):
                op = self.names.new(f"Live_{p.name}")
                pp = self._sys(p.p, f"leads_to {p.name!r} (p)")
                qq = self._sys(p.q, f"leads_to {p.name!r} (q)")
                self.defs.append(f"\\* leads_to {p.name!r}\n{op} == ({pp}) ~> ({qq})")
                out["live"][p.name] = op
        return out

    def _network_defs(self) -> list[str]:
        inst = self.all_inst_op
        common = [
            "Range(s) == {s[k] : k \\in DOMAIN s}",
            "InSeq(x, s) == \\E k \\in DOMAIN s : s[k] = x",
            "RECURSIVE RemoveAll(_, _)\nRemoveAll(s, x) == IF s = <<>> THEN s ELSE (IF Head(s) = x THEN <<>> ELSE <<Head(s)>>) \\o RemoveAll(Tail(s), x)",
            "Remove(s, x) == RemoveAll(s, x)",
            "MinOf(S) == CHOOSE x \\in S : \\A y \\in S : x <= y",
            "MaxOf(S) == CHOOSE x \\in S : \\A y \\in S : x >= y",
            "RECURSIVE SumOver(_, _)\nSumOver(f, S) == IF S = {} THEN 0 ELSE LET x == CHOOSE x \\in S : TRUE IN f[x] + SumOver(f, S \\ {x})",
            "RECURSIVE SumSeq(_)\nSumSeq(s) == IF s = <<>> THEN 0 ELSE Head(s) + SumSeq(Tail(s))",
            "RECURSIVE FlattenSeq(_)\nFlattenSeq(s) == IF s = <<>> THEN <<>> ELSE Head(s) \\o FlattenSeq(Tail(s))",
            "RECURSIVE SetToSeq(_)\nSetToSeq(S) == IF S = {} THEN <<>> ELSE LET x == CHOOSE x \\in S : TRUE IN <<x>> \\o SetToSeq(S \\ {x})",
        ]
        kind = self.net_kind
        if kind == "unordered-duplicating":
            common += [
                "EmptyNet == {}",
                "NetAdd(n, s) == n \\cup Range(s)",
                "Deliverable(self) == {m \\in net : m.to = self}",
                "After(m) == net",
            ]
        elif kind == "unordered":
            common += [
                "EmptyNet == <<>>",
                "BagAdd(b, m) == IF m \\in DOMAIN b THEN [b EXCEPT ![m] = @ + 1] ELSE (m :> 1) @@ b",
                "BagRemove(b, m) == IF b[m] = 1 THEN [x \\in DOMAIN b \\ {m} |-> b[x]] ELSE [b EXCEPT ![m] = @ - 1]",
                "RECURSIVE NetAdd(_, _)\nNetAdd(n, s) == IF s = <<>> THEN n ELSE NetAdd(BagAdd(n, Head(s)), Tail(s))",
                "Deliverable(self) == {m \\in DOMAIN net : m.to = self}",
                "After(m) == BagRemove(net, m)",
            ]
        else:
            common += [
                f"EmptyNet == [c \\in {inst} \\X {inst} |-> <<>>]",
                "RECURSIVE NetAdd(_, _)\nNetAdd(n, s) == IF s = <<>> THEN n ELSE NetAdd([n EXCEPT ![<<Head(s).from, Head(s).to>>] = Append(@, Head(s))], Tail(s))",
                "Deliverable(self) == {Head(net[c]) : c \\in {c \\in DOMAIN net : c[2] = self /\\ net[c] # <<>>}}",
                "After(m) == [net EXCEPT ![<<m.from, m.to>>] = Tail(@)]",
            ]
        if self.system.fairness == "per-channel":
            common.append("DeliverableFrom(self, sender) == {m \\in Deliverable(self) : m.from = sender}")
        return common

    def _assemble(self, props: dict[str, dict[str, str]]) -> TlaSpec:
        s = self.system
        mvs = [self.inst_mv[n] for n in self.inst_names] + [self.env_mv, self.none_mv]
        var_names = [v.name for v in self.variables] + ["net"]
        self.variables.append(VarInfo("net", "net"))
        head = [
            f"---- MODULE {self.module_name} ----",
            f"\\* Generated by exporters.tla from system {s.name!r}: one macrostep of one actor is one step.",
            "EXTENDS Integers, Sequences, FiniteSets, TLC",
            "",
            "CONSTANTS " + ", ".join(mvs),
            "",
            "VARIABLES " + ", ".join(var_names),
            "vars == <<" + ", ".join(var_names) + ">>",
            "",
        ]
        groups_defs = []
        for g in self.groups:
            groups_defs.append(f"{g.set_op} == {{{', '.join(g.mvs)}}}")
            groups_defs.append(f"{g.list_op} == <<{', '.join(g.mvs)}>>")
        groups_defs.append(f"{self.all_inst_op} == " + " \\cup ".join(g.set_op for g in self.groups))
        # at rest
        rest = []
        for g in self.groups:
            ids = [x.id for x in g.chart.root.children if x.kind == "final"]
            leaves: list[str] = []
            for sid in ids + list(g.actor.end_states):
                leaves.extend(lf for lf in g.leaves[sid] if lf not in leaves)
            cond = self._in_leaves(g, g.acc(g.state_var, "i"), leaves)
            rest.append(f"(\\A i \\in {g.set_op} : {cond})" if g.multi else f"({self._in_leaves(g, g.acc(g.state_var, ''), leaves)})")
        at_rest = "AtRest == " + (" /\\ ".join(rest) if rest else "TRUE")
        next_parts = list(self.next_parts)
        if s.check_deadlock:
            next_parts.append("Terminated")
        body = [
            *groups_defs,
            *self._network_defs(),
            *self.defs,
            at_rest,
            "\\* at rest: every actor is final or in one of its end states; not a deadlock",
            "Terminated == AtRest /\\ UNCHANGED vars",
            "",
            self.init_text,
            "",
            "Next ==\n    \\/ " + ("\n    \\/ ".join(next_parts) if next_parts else "FALSE"),
            "",
            "Fairness ==\n    " + ("\n    ".join(f"/\\ {x}" for x in self.fair_parts) if self.fair_parts else "TRUE"),
            "Spec == Init /\\ [][Next]_vars /\\ Fairness",
        ]
        symmetry = None
        sym_groups = [g for g in self.groups if g.multi and len(g.mvs) > 1] if s.symmetry else []
        if sym_groups:
            symmetry = "Symmetry"
            if len(sym_groups) == 1:
                body.append(f"Symmetry == Permutations({sym_groups[0].set_op})")
            else:
                ps = [f"p{k}" for k in range(len(sym_groups))]
                body.append(
                    "Symmetry == {"
                    + " @@ ".join(ps)
                    + " : "
                    + ", ".join(f"{p} \\in Permutations({g.set_op})" for p, g in zip(ps, sym_groups))
                    + "}"
                )
        constraint = None
        if s.constraint is not None:
            constraint = "Constraint"
            body.append(f"Constraint == {self._sys(s.constraint, 'constraint')}")
        module = "\n".join(head) + "\n".join(x + ("\n" if "\n" in x else "") for x in body) + "\n====\n"
        cfg = _cfg_text(mvs, list(props["inv"].values()), list(props["live"].values()), s.check_deadlock, symmetry, constraint)
        return TlaSpec(
            module_name=self.module_name,
            module=module,
            cfg=cfg,
            variables=self.variables,
            invariants=props["inv"],
            sometimes=props["some"],
            liveness=props["live"],
            constants=mvs,
            check_deadlock=s.check_deadlock,
            symmetry=symmetry,
            constraint=constraint,
            instance_values=dict(self.inst_mv),
            network=self.net_kind,
            none_value=self.none_mv,
        )


def _freeze_alt(d: Any) -> Any:
    from statecharts.values import freeze

    return freeze(dict(d)) if d else FrozenMap()


# --------------------------------------------------------------------------- reading explorer states as TLA+ values


def norm(v: Any, mv: dict[str, str], none: str = NO_VALUE) -> Any:
    """A Python value of a chart as the normalized form of its TLA+ rendering (see exporters.tlc)."""
    if isinstance(v, bool):
        return ("B", v)
    if isinstance(v, int):
        return ("I", v)
    if isinstance(v, str):
        return ("M", mv[v]) if v in mv else ("S", v)
    if v is None:
        return ("M", none)
    if isinstance(v, tuple):
        return fn_norm([(("I", k + 1), norm(x, mv, none)) for k, x in enumerate(v)])
    if isinstance(v, frozenset):
        return set_norm(norm(x, mv, none) for x in v)
    if isinstance(v, dict):
        return fn_norm([(norm(k, mv, none), norm(x, mv, none)) for k, x in v.items()])
    raise TypeError(f"no TLA+ form for {v!r}")


def fn_norm(pairs: Iterable[tuple[Any, Any]]) -> Any:
    """The normalized form of a function (records, sequences and functions alike)."""
    return ("F", tuple(sorted(pairs, key=repr)))


def set_norm(items: Iterable[Any]) -> Any:
    """The normalized form of a set."""
    return ("Set", tuple(sorted(set(items), key=repr)))


def state_values(spec: TlaSpec, model: Any, state: Any) -> dict[str, Any]:
    """The TLA+ variables of an explorer state (normalized), to match TLC's states against ours."""
    mv = dict(spec.instance_values)
    none = spec.none_value
    names = model.names
    out: dict[str, Any] = {}
    groups = {a.name: model.groups[a.name] for a in model.system.actors}
    multi = {a.name: a.count is not None for a in model.system.actors}

    def per_group(gname: str, f: Any) -> Any:
        idx = groups[gname]
        if not multi[gname]:
            return f(idx[0])
        return fn_norm([(("M", mv[names[i]]), f(i)) for i in idx])

    def ev_norm(ev: Any) -> list[tuple[Any, Any]]:
        return [(("S", "name"), ("S", ev.name)), (("S", "data"), norm(ev.data, mv, none)), (("S", "from"), norm(ev.origin, mv, none))]

    def msg_norm(m: int) -> Any:
        dest, ev = model.msg_values[m]
        return fn_norm([(("S", "to"), ("M", mv[names[dest]])), *ev_norm(ev)])

    for v in spec.variables:
        if v.kind == "state":
            assert v.group is not None
            if v.leaf_set:
                out[v.name] = per_group(v.group, lambda i: set_norm(("S", x) for x in model.charts[i].leaves(model.chart_state(state, i))))
            else:
                out[v.name] = per_group(v.group, lambda i: ("S", model.charts[i].leaves(model.chart_state(state, i))[0]))
        elif v.kind == "field":
            assert v.group is not None and v.field is not None
            out[v.name] = per_group(v.group, lambda i, f=v.field: norm(model.field(state, i, f), mv, none))
        elif v.kind == "timers":
            assert v.group is not None
            out[v.name] = per_group(
                v.group,
                lambda i: set_norm(fn_norm([(("S", "id"), norm(sid, mv, none)), (("S", "ev"), fn_norm(ev_norm(ev)))]) for sid, ev in model.timers(state, i)),
            )
        elif v.kind == "budget":
            b = state[2]
            if v.instances and v.group is not None and multi[v.group]:
                out[v.name] = fn_norm([(("M", mv[names[i]]), ("I", b[s])) for s, i in zip(v.slots, v.instances)])
            else:
                out[v.name] = ("I", b[v.slots[0]])
        elif v.kind == "net":
            ids = model.message_ids(state)
            if spec.network == "unordered-duplicating":
                out["net"] = set_norm(msg_norm(m) for m in ids)
            elif spec.network == "unordered":
                counts: dict[int, int] = {}
                for m in ids:
                    counts[m] = counts.get(m, 0) + 1
                out["net"] = fn_norm([(msg_norm(m), ("I", c)) for m, c in counts.items()])
            else:
                chans = dict(state[1])  # fifo: sorted ((sender, receiver), message ids) channels
                pairs = []
                for s_ in range(model.n):
                    for d_ in range(model.n):
                        msgs = chans.get((s_, d_), ())
                        key = fn_norm([(("I", 1), ("M", mv[names[s_]])), (("I", 2), ("M", mv[names[d_]]))])
                        pairs.append((key, fn_norm([(("I", k + 1), msg_norm(m)) for k, m in enumerate(msgs)])))
                out["net"] = fn_norm(pairs)
    return out
