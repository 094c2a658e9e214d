"""Per actor group and per macrostep: the group's variables, the symbolic state an action rewrites, a scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from simulate.system import Actor
from statecharts import Chart
from statecharts.chart import Transition
from statecharts.engine import ChartView

from .types import Ty


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

    @cached_property
    def view(self) -> ChartView:
        """The engine's read-only view of the chart: selection order and microstep plans (both kinds of chart use it)."""
        return ChartView(self.chart)

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




class _Part:
    """A part of the exporter: the parts are mixed into one class (exporter.py) and share its attributes."""

    if TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any: ...


