"""Declaring a system: actors (chart instances), network, environment, faults, properties.

A ``System`` is a description; ``simulate.explorer.explore`` compiles and explores it.
Everything that can be checked before exploring is checked here, with the element named:
unknown actors in sends and properties, stimuli for events no chart handles, contexts
naming unknown fields.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from statecharts import Chart
from statecharts.actions import SELF, SENDER, Send, sub_actions
from statecharts.errors import ModelError, StatechartError
from statecharts.values import freeze

from .properties import Property

NetworkKind = Literal["fifo", "unordered", "unordered-duplicating"]
NETWORK_KINDS: tuple[str, ...] = ("fifo", "unordered", "unordered-duplicating")
FAIRNESS_KINDS: tuple[str, ...] = ("per-receiver", "per-channel")


class SymmetryWarning(UserWarning):
    """Symmetry reduction cannot merge anything: the instances of a group differ from the start (e.g. an index field)."""


@dataclass
class Actor:
    """A named chart instance, or ``count`` interchangeable instances named ``name[0..count-1]``.

    ``context`` sets initial context fields (a mapping, or a function of the instance index
    for per-instance values). ``durable`` lists context fields that survive a crash.
    ``end_states`` lists state ids in which the actor may rest forever (no deadlock);
    a chart in a top-level final state is always at rest.
    """

    name: str
    chart: Chart
    count: int | None = None
    context: Mapping[str, Any] | Callable[[int], Mapping[str, Any]] | None = None
    durable: Sequence[str] = ()
    end_states: Sequence[str] = ()
    crash: int = 0
    """How many times (in total, over all instances) this actor may crash and restart."""

    def instance_names(self) -> list[str]:
        """The instance names: ``[name]`` or ``[name[0], ..., name[count-1]]``."""
        if self.count is None:
            return [self.name]
        return [f"{self.name}[{i}]" for i in range(self.count)]

    def context_for(self, index: int) -> Mapping[str, Any] | None:
        """The initial context overrides of one instance."""
        if callable(self.context):
            return self.context(index)
        return self.context


@dataclass
class Stimulus:
    """An event the environment may send to an actor (or every instance of a group) at any time.

    ``data`` is the event data, or a list of alternatives (each a separate step). ``max``
    bounds how often it may happen in a run (per target instance); None means unbounded
    (then a stimulus step exists only when the receiver takes a transition). ``fair``
    makes it weakly fair for liveness checking.
    """

    target: str
    event: str
    data: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
    max: int | None = None
    fair: bool = False

    def alternatives(self) -> list[Mapping[str, Any]]:
        """The data alternatives of the stimulus."""
        if self.data is None:
            return [{}]
        if isinstance(self.data, Mapping):
            return [self.data]
        return list(self.data)


@dataclass
class Faults:
    """Fault budgets (part of the state): messages dropped, messages duplicated, actor crashes."""

    drop: int = 0
    duplicate: int = 0
    crash: Mapping[str, int] = field(default_factory=dict)
    """Crash budget per actor (group) name; or use ``Actor(crash=n)``."""


@dataclass
class System:
    """A set of actors, a network, an environment, faults and properties.

    ``network`` is ``"fifo"`` (per sender/receiver channel), ``"unordered"`` (a multiset;
    each message delivered once) or ``"unordered-duplicating"`` (a set: a sent message
    stays deliverable, as in TLA+ specs that keep a ``msgs`` set).
    """

    name: str
    actors: Sequence[Actor]
    network: NetworkKind = "fifo"
    stimuli: Sequence[Stimulus] = ()
    faults: Faults = field(default_factory=Faults)
    properties: Sequence[Property] = ()
    constraint: Any = None
    """A predicate over the system state, as TLC's CONSTRAINT: a generated state outside it is checked against the
    invariants and goals, but neither stored, counted as a distinct state nor expanded (so it is never a deadlock).
    For liveness, a fair step to such a state still counts as enabled in its source (as TLA+'s ENABLED, in TLC)."""
    check_deadlock: bool = True
    symmetry: bool = False
    """Treat the instances of each ``count=`` group as interchangeable (orbits are explored once)."""
    fairness: str = "per-receiver"
    """Weak fairness of deliveries, for liveness: ``"per-receiver"`` (an instance that can keep receiving does, from
    some sender) or ``"per-channel"`` (each (sender, receiver) channel that can keep delivering does)."""
    doc: str | None = None

    def __post_init__(self) -> None:
        validate(self)

    # convenience for examples and the command line
    def explore(self, **options: Any) -> Any:
        """Explore this system (see ``simulate.explorer.explore``)."""
        from .explorer import explore

        return explore(self, **options)

    def _repr_svg_(self) -> str | None:
        """SVG of the actor topology for Jupyter, from the drawer the exporters register (statecharts.preview)."""
        from statecharts.preview import svg

        return svg("system", self)


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(known))}"


def _sends(chart: Chart) -> list[tuple[str, Send]]:
    """Every Send action in a chart, with where it is."""
    out: list[tuple[str, Send]] = []

    def visit(where: str, actions: Iterable[Any]) -> None:
        for a in actions:
            if isinstance(a, Send):
                out.append((where, a))
            visit(where, sub_actions(a))

    for s in chart.states.values():
        visit(f"entry of state {s.id!r}", s.entry)
        visit(f"exit of state {s.id!r}", s.exit)
        if s.initial is not None:
            visit(f"initial of state {s.id!r}", s.initial.actions)
    for t in chart.transitions:
        visit(f"transition {t.describe()}", t.actions)
    return out


def validate(system: System) -> None:
    """Reject a malformed system with a message naming the element and a fix."""
    where = f"system {system.name!r}"
    if not isinstance(system.name, str) or not system.name:
        raise ModelError(f"{where}: the name must be a non-empty string (System('Name', actors=[...]))")
    for what in ("actors", "stimuli", "properties"):
        if not isinstance(getattr(system, what), (list, tuple)):
            raise ModelError(f"{where}: {what} must be a list, not {getattr(system, what)!r} (write {what}=[...])")
    if not isinstance(system.faults, Faults):
        raise ModelError(f"{where}: faults must be a Faults(...), not {system.faults!r}")
    for st in system.stimuli:
        if not isinstance(st, Stimulus):
            raise ModelError(f"{where}: {st!r} is not a Stimulus (write Stimulus('actor', 'event'))")
        if not isinstance(st.target, str) or not isinstance(st.event, str) or not st.event:
            raise ModelError(f"{where}: stimulus {st.event!r} for {st.target!r}: the target and the event must be names (strings)")
    if system.network not in NETWORK_KINDS:
        raise ModelError(f"{where}: network {system.network!r} is not one of {', '.join(NETWORK_KINDS)}")
    if not system.actors:
        raise ModelError(f"{where}: no actors")
    if system.fairness not in FAIRNESS_KINDS:
        raise ModelError(f"{where}: fairness {system.fairness!r} is not one of {', '.join(FAIRNESS_KINDS)}")
    groups: dict[str, Actor] = {}
    for a in system.actors:
        if not isinstance(a, Actor):
            raise ModelError(f"{where}: {a!r} is not an Actor")
        if not isinstance(a.chart, Chart):
            raise ModelError(f"{where}: actor {a.name!r}: chart must be a statecharts.Chart, not {type(a.chart).__name__}")
        if not isinstance(a.name, str):
            raise ModelError(f"{where}: actor name {a.name!r} is not a string (name actors like 'client')")
        if a.name in groups:
            raise ModelError(f"{where}: duplicate actor name {a.name!r}")
        if not a.name or "[" in a.name or a.name in ("env", SELF, SENDER):
            raise ModelError(f"{where}: invalid actor name {a.name!r}")
        if a.count is not None and (isinstance(a.count, bool) or not isinstance(a.count, int)):
            raise ModelError(f"{where}: actor {a.name!r}: count must be a whole number, not {a.count!r}")
        if a.count is not None and a.count < 1:
            raise ModelError(f"{where}: actor {a.name!r}: count must be at least 1")
        groups[a.name] = a
        instances = range(a.count) if a.count is not None else [0]
        for i in instances:
            try:
                ctx = a.context_for(i) or {}
            except Exception as e:
                raise ModelError(
                    f"{where}: actor {a.name!r}: its context function raised {type(e).__name__}: {e} (for instance {i}); "
                    "give a function of the instance index that returns a mapping of field values"
                ) from None
            if not isinstance(ctx, Mapping):
                raise ModelError(f"{where}: actor {a.name!r}: initial context must be a mapping of field values, not {type(ctx).__name__}")
            for k in ctx:
                if k not in a.chart.context:
                    raise ModelError(
                        f"{where}: actor {a.name!r}: initial context names unknown field {k!r} "
                        f"(chart {a.chart.name!r} declares {', '.join(a.chart.context) or 'none'})"
                    )
        for what in ("durable", "end_states"):
            listed = getattr(a, what)
            if isinstance(listed, str) or not isinstance(listed, (list, tuple, set, frozenset)) or not all(isinstance(n, str) for n in listed):
                raise ModelError(f"{where}: actor {a.name!r}: {what} must be a list of names, not {listed!r} (write {what}=['name'])")
        for f in a.durable:
            if f not in a.chart.context:
                raise ModelError(f"{where}: actor {a.name!r}: durable field {f!r} is not in the chart's context")
        for s in a.end_states:
            if s not in a.chart.states:
                raise ModelError(f"{where}: actor {a.name!r}: end state {s!r} is not a state of chart {a.chart.name!r} ({_did_you_mean(s, a.chart.states)})")
    for what, budget in (("drop", system.faults.drop), ("duplicate", system.faults.duplicate), *((f"crash[{k!r}]", v) for k, v in system.faults.crash.items())):
        _budget(where, f"fault budget {what}", budget, "Faults(drop=1)")
    for a in system.actors:
        _budget(where, f"actor {a.name!r}: crash", a.crash, "Actor(..., crash=1)")
    for gname in system.faults.crash:
        if gname not in groups:
            raise ModelError(f"{where}: crash budget for unknown actor {gname!r} ({_did_you_mean(gname, groups)})")
    # sends name known actors and events they handle
    for a in system.actors:
        for w, snd in _sends(a.chart):
            if not isinstance(snd.target, str) or snd.target in (SELF, SENDER):
                continue
            target = snd.target
            base = target.split("[", 1)[0]
            if base not in groups:
                raise ModelError(f"{where}: actor {a.name!r}, {w}: send to unknown actor {target!r} ({_did_you_mean(base, groups)})")
            if "[" in target and snd.index is None:
                idx_text = target[len(base) + 1 : -1]
                g = groups[base]
                if g.count is None or not idx_text.isdigit() or int(idx_text) >= g.count:
                    raise ModelError(f"{where}: actor {a.name!r}, {w}: send to missing instance {target!r} ({base} has {g.count or 1} instance(s))")
            receiver = groups[base].chart
            if not receiver.accepts(snd.event):
                raise ModelError(
                    f"{where}: actor {a.name!r}, {w}: sends {snd.event!r} to {base!r}, whose chart has no transition for it "
                    f"(its events: {', '.join(receiver.event_names()) or 'none'})"
                )
    for st in system.stimuli:
        base = st.target.split("[", 1)[0]
        if base not in groups:
            raise ModelError(f"{where}: stimulus {st.event!r} targets unknown actor {st.target!r} ({_did_you_mean(base, groups)})")
        if not groups[base].chart.accepts(st.event):
            chart = groups[base].chart
            raise ModelError(
                f"{where}: stimulus {st.event!r} for {st.target!r}: chart {chart.name!r} has no transition for it "
                f"(its events: {', '.join(chart.event_names()) or 'none'})"
            )
        if st.max is not None:
            _budget(where, f"stimulus {st.event!r} for {st.target!r}: max", st.max, "Stimulus(..., max=1), or max=None for unbounded")
        for alt in st.alternatives() if isinstance(st.data, (Mapping, Sequence)) or st.data is None else [st.data]:
            try:
                if not isinstance(alt, Mapping):
                    raise TypeError(f"an alternative is a {type(alt).__name__}, not a mapping")
                hash(freeze(alt))
            except TypeError as e:
                raise ModelError(
                    f"{where}: stimulus {st.event!r} for {st.target!r}: its data {alt!r:.80} cannot be event data ({e}): "
                    "give a mapping (or a list of mappings) of hashable values: numbers, strings, tuples, frozensets, dicts of those"
                ) from None
    names: set[str] = set()
    for p in system.properties:
        if not isinstance(p, Property):
            raise ModelError(f"{where}: {p!r} is not a property (use invariant(), sometimes(), eventually(), leads_to())")
        if p.name in names or p.name in ("deadlock", "error"):
            raise ModelError(
                f"{where}: two properties are named {p.name!r}"
                if p.name in names
                else f"{where}: the property name {p.name!r} is the explorer's own verdict"
            )
        names.add(p.name)
    _check_in_flight(system, where)


def _budget(where: str, what: str, value: Any, example: str) -> None:
    """A budget or bound is a whole number >= 0."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ModelError(f"{where}: {what} is {value!r}: give a whole number >= 0, e.g. {example}")


def _check_in_flight(system: System, where: str) -> None:
    """``in_flight("x")`` in a predicate names an event some chart sends (a typo would hold vacuously)."""
    from statecharts.expr import Call, Const, walk

    from .properties import predicates, system_node

    sent = {snd.event for a in system.actors for _, snd in _sends(a.chart) if isinstance(snd.event, str)}
    specs = [(f"property {p.name!r}", spec) for p in system.properties for spec in predicates(p)]
    if system.constraint is not None:
        specs.append(("the constraint", system.constraint))
    for what, spec in specs:
        try:
            node = system_node(spec, what)
        except StatechartError:
            continue  # reported, with its element, when the predicate is compiled
        for n in walk(node):
            if isinstance(n, Call) and n.fn == "in_flight" and n.args and isinstance(n.args[0], Const):
                ev = n.args[0].value
                if ev is not None and ev not in sent:
                    raise ModelError(
                        f"{where}: {what}: in_flight({ev!r}) names an event no actor sends, so it would always be 0 "
                        f"({_did_you_mean(ev, sent) if sent else 'no actor sends messages'})"
                    )


def has_timers(chart: Chart) -> bool:
    """Whether a chart can ever hold a pending delayed self-send (``after`` or ``send(delay=)``)."""

    def visit(actions: Iterable[Any]) -> bool:
        return any((isinstance(a, Send) and a.delay is not None) or visit(sub_actions(a)) for a in actions)

    return any(visit(s.entry) or visit(s.exit) for s in chart.states.values()) or any(visit(t.actions) for t in chart.transitions)
