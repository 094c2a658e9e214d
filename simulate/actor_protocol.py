"""The compiled actor system's side of the explorer's protocol (``simulate.protocol.Explorable``).

What the explorer used to read from chart engines, transitions, ``is_final``/``leaves`` and step
kinds lives here, in the actor layer: the properties compiled against the model, what "at rest"
means (every actor final or in an end state), fairness per actor/channel/timer/stimulus, how a
step reads in a trace (changes, messages sent, transitions taken), transition coverage, and the
interning tables a checkpoint carries. Functions of :class:`simulate.model.Model`, bound as its methods.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from statecharts.errors import ExpressionError, ModelError, StatechartError
from statecharts.values import Event, FrozenMap

from .hints import end_states_hint, transition_labels
from .protocol import Checks, Liveness, StepError
from .result import Step
from .steps import changes_between, in_flight_text, sent_between

if TYPE_CHECKING:
    from .model import Model, State


# ------------------------------------------------------------------ properties


def checks(self: Model) -> Checks:
    """The system's properties and constraint compiled against this model (once), and whether deadlock counts."""
    if self._checks is None:
        from .properties import Eventually, Invariant, LeadsTo, Sometimes, compile_predicate

        system = self.system
        try:
            invariants = [(p.name, compile_predicate(self, p.predicate, f"invariant {p.name!r}")) for p in system.properties if isinstance(p, Invariant)]
            goals = [(p.name, compile_predicate(self, p.predicate, f"sometimes {p.name!r}")) for p in system.properties if isinstance(p, Sometimes)]
            live: list[Liveness] = []
            for p in system.properties:
                if isinstance(p, Eventually):
                    live.append(Liveness(p.name, "eventually", compile_predicate(self, p.predicate, f"eventually {p.name!r}")))
                elif isinstance(p, LeadsTo):
                    live.append(
                        Liveness(
                            p.name,
                            "leads_to",
                            compile_predicate(self, p.p, f"leads_to {p.name!r} (p)"),
                            compile_predicate(self, p.q, f"leads_to {p.name!r} (q)"),
                        )
                    )
            constraint = compile_predicate(self, system.constraint, "constraint") if system.constraint is not None else None
        except ExpressionError as e:
            raise ModelError(f"system {system.name!r}: {e}") from None
        self._checks = Checks(invariants, goals, live, constraint, system.check_deadlock)
    return self._checks


# ------------------------------------------------------------------ deadlock


def rests(self: Model, state: State, i: int) -> bool:
    """Whether instance ``i`` may stop here: its chart is final, or it is in one of its actor's end states."""
    return self.charts[i].is_final(self.chart_state(state, i)) or any(self.in_state(state, i, x) for x in self.actor_of[i].end_states)


def at_rest(self: Model, state: State) -> bool:
    """Whether every actor is in a final or end state (a state without steps is then no deadlock)."""
    return all(rests(self, state, i) for i in range(self.n))


def deadlock_text(self: Model, state: State) -> str:
    """Who is not at rest (``server in serving``) and the ``end_states=`` to declare if that is a rightful end."""
    names = []
    stuck = []
    for i in range(self.n):
        if not rests(self, state, i):
            leaves = list(self.charts[i].leaves(self.chart_state(state, i)))
            names.append(f"{self.names[i]} in {'/'.join(leaves)}")
            stuck.append((self.actor_of[i], leaves))
    return f"no step is enabled; not at rest: {', '.join(names)}; {end_states_hint(stuck)}"


# ------------------------------------------------------------------ fairness


def fair_key(self: Model, label: Any) -> Any:
    """Weak fairness: every actor's deliveries (per channel with ``fairness="per-channel"``), every actor's
    timers and every stimulus declared ``fair=True`` (as ``WF_vars`` in the emitted TLA+); faults are not fair."""
    from .model import Label

    label = Label(*label)
    if label.kind == "deliver":
        if self.system.fairness == "per-channel":
            return ("deliver", label.actor, self.msg_values[label.detail][1].origin or "")
        return ("deliver", label.actor)
    if label.kind == "timer":
        return ("timer", label.actor)
    if label.kind == "stimulus":
        k = label.detail[0]
        if self.stimuli[k].fair:
            return ("stimulus", k, label.actor)
    return None


# ------------------------------------------------------------------ describing steps


def describe_label(self: Model, label: Any) -> tuple[str, str, str]:
    """(actor name, kind, what) for a step label, for traces."""
    from .model import Label

    label = Label(*label)
    who = self.names[label.actor]
    if label.kind in ("deliver", "drop", "duplicate"):
        _, ev = self.msg_values[label.detail]
        return who, label.kind, _event_text(ev)
    if label.kind == "stimulus":
        k, d = label.detail
        return who, "stimulus", _event_text(self.stim_events[k][d])
    if label.kind == "timer":
        return who, "timer", label.detail[1].name
    return who, label.kind, ""


def error_text(self: Model, error: StepError) -> str:
    """``client failed on deliver ack from server: <what user code raised>``."""
    who, kind, what = self.describe_label(error.label)
    return f"{who} failed on {kind} {what}: {error.cause}"


def describe_trace(self: Model, states: Sequence[State], labels: Sequence[Any]) -> list[Step]:
    """The steps of a trace: what changed, what was sent, what is in flight, which transitions were taken."""
    from .model import Label

    steps: list[Step] = []
    prev: State | None = None
    for k, (s, raw) in enumerate(zip(states, labels)):
        changes = changes_between(self, prev, s)
        sent = sent_between(self, prev, s)
        if raw is None:
            steps.append(Step(k, "init", "", "", "initial state", None, changes, sent, in_flight_text(self, s), s))
        else:
            label = Label(*raw)
            who, kind, what = self.describe_label(label)
            sender = None
            event = what.split("(")[0].split(" ")[0]
            transitions: list[str] = []
            if label.kind in ("deliver", "drop", "duplicate"):
                sender = self.msg_values[label.detail][1].origin
            elif label.kind == "stimulus":
                sender = "env"
            if prev is not None and label.kind in ("deliver", "stimulus", "timer"):
                transitions = taken(self, prev, label)
            steps.append(Step(k, kind, who, event, what, sender, changes, sent, in_flight_text(self, s), s, transitions))
        prev = s
    return steps


def describe_failure(self: Model, index: int, label: Any, state: State) -> Step:
    """The failing step that ends a trace (it has no next state: user code raised in it)."""
    who, kind, what = self.describe_label(label)
    return Step(index, kind, who, what.split("(")[0].split(" ")[0], what, None, [], [], in_flight_text(self, state), state)


def taken(self: Model, prev: State, label: Any) -> list[str]:
    """The labels of the chart transitions a step took (found again through the memoized macrostep)."""
    i = label.actor
    lid = prev[0][i]
    if label.kind == "deliver":
        ev = self.msg_values[label.detail][1]
    elif label.kind == "stimulus":
        k, d = label.detail
        ev = self.stim_events[k][d]
    else:
        _, cs, timers = self.local_values[lid]
        lid = self.intern_local(i, cs, timers - {label.detail})
        ev = label.detail[1]
    try:
        outcome = self.macrostep(i, lid, ev)[label.alt]
    except (StatechartError, IndexError):
        return []
    engine = self.charts[i].engine
    return [engine.transitions[t].label for t in outcome.taken]


def node_attributes(self: Model, state: State) -> dict[str, Any]:
    """Each instance's active leaves and the number of messages in flight (the networkx graph's node data)."""
    leaves = {self.names[j]: "/".join(self.charts[j].leaves(self.chart_state(state, j))) for j in range(self.n)}
    return {"leaves": leaves, "in_flight": len(self.message_ids(state))}


def start_notes(self: Model, initial: Sequence[State]) -> list[str]:
    """Warn when symmetry cannot merge anything: a group's instances start with different contexts (say an
    index field), so no two states are ever permutations of each other and the reduction only costs time."""
    from .system import SymmetryWarning

    notes: list[str] = []
    if not self.sym_groups or not initial:
        return notes
    first = initial[0]
    for group in self.sym_groups:
        contexts = [self.local_values[self.rename_local(first[0][i], self._anon_perm(i))][1].context for i in group]
        fields = self.charts[group[0]].engine.fields
        differ = [f for f, fi in fields.items() if any(c[fi] != contexts[0][fi] for c in contexts[1:])]
        if not differ:
            continue
        gname = self.group_of[group[0]]
        text = (
            f"symmetry over {gname!r} merges nothing: its instances start with different values of "
            f"{', '.join(repr(f) for f in differ)}, so no state is a permutation of another; drop the per-instance "
            f"value (an instance knows its own name), or explore with symmetry=False"
        )
        notes.append(text)
        warnings.warn(f"system {self.system.name!r}: {text}", SymmetryWarning, stacklevel=5)  # the caller of explore()
    if not notes:  # the instances start alike: do they stay apart on their first steps? (simulate.symcheck)
        from .symcheck import merged_nothing_text

        later = merged_nothing_text(self.system)
        if later is not None:
            notes.append(later)
            warnings.warn(f"system {self.system.name!r}: {later}", SymmetryWarning, stacklevel=5)
    return notes


# ------------------------------------------------------------------ coverage


def covered(self: Model) -> dict[str, set[int]]:
    """The transitions taken by the macrosteps computed so far, per chart (its position among the model's charts)."""
    position = {id(ch): str(k) for k, ch in enumerate(self.unique_charts())}
    taken: dict[str, set[int]] = {}
    for (i, _, _), outcomes in self._memo.items():
        if isinstance(outcomes, BaseException):
            continue
        s = taken.setdefault(position[id(self.charts[i])], set())
        for o in outcomes:
            s.update(o.taken)
    return taken


def coverage(self: Model, covered: dict[str, set[int]]) -> dict[str, list[str]]:
    """Per chart, the labels of the transitions never taken (eventless ones aside)."""
    out: dict[str, list[str]] = {}
    for k, chart in enumerate(self.unique_charts()):
        done = covered.get(str(k), set())
        never = [t.index for t in chart.engine.transitions if t.index not in done and not t.events[:1] == ("",)]
        out[chart.name] = transition_labels(chart, never)
    return out


# ------------------------------------------------------------------ checkpoints


def signature(self: Model) -> tuple[str, str | None]:
    """The system's checkpoint signature (``simulate.checkpoint.signature``), over the initial local states."""
    from . import checkpoint as ckpt

    return ckpt.signature(self.system, [ckpt.encode(v) for v in self.local_values])


def tables(self: Model) -> dict[str, Any]:
    """The interned local states and messages, JSON-ready."""
    from . import checkpoint as ckpt

    return {"local_values": [ckpt.encode(v) for v in self.local_values], "msg_values": [ckpt.encode(v) for v in self.msg_values]}


def restore_tables(self: Model, data: dict[str, Any]) -> None:
    """Take back a checkpoint's interning tables (``restore_interned``)."""
    from . import checkpoint as ckpt

    self.restore_interned([ckpt.decode(v) for v in data["local_values"]], [ckpt.decode(v) for v in data["msg_values"]])


def to_json(self: Model, value: Any) -> Any:
    """A state or label as tagged JSON data (``simulate.checkpoint.encode``)."""
    from . import checkpoint as ckpt

    return ckpt.encode(value)


def from_json(self: Model, data: Any) -> Any:
    """The value ``to_json`` made; a label comes back as a ``Label``."""
    from . import checkpoint as ckpt

    return ckpt.decode(data)


def _event_text(ev: Event) -> str:
    data = ev.data
    args = ""
    if isinstance(data, dict) and data:
        args = "(" + ", ".join(f"{k}={v!r}" for k, v in data.items()) + ")"
    elif data not in (None, FrozenMap()) and not isinstance(data, dict):
        args = f"({data!r})"
    src = f" from {ev.origin}" if ev.origin else ""
    return f"{ev.name}{args}{src}"
