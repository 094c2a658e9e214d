"""The exporter's result (:class:`TlaSpec`, :class:`VarInfo`), its error, and the TLC configuration text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from statecharts.errors import ExportError

ENV = "env"
NO_VALUE = "NoValue"


class TlaUnsupported(ExportError):
    """The system uses a construct the TLA+ exporter cannot translate faithfully; the message names it."""




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



