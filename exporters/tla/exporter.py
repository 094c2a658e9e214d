"""The exporter assembled from its parts, and its entry points :func:`to_tla` and :func:`write_tla`."""

from __future__ import annotations

import itertools
from pathlib import Path

from simulate.properties import Eventually, LeadsTo
from simulate.system import System

from .assembly import _Assembly
from .checks import _Checks
from .expressions import _Expressions
from .general import _GeneralCharts
from .names import _Names
from .next import _InitNext
from .simple import _SimpleCharts
from .spec import ENV, NO_VALUE, TlaSpec, TlaUnsupported, VarInfo
from .symbols import _Group, _Part
from .types import Ty


class _Core(_Part):
    """The exporter's state and its entry point."""

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



class _Exporter(_Assembly, _InitNext, _GeneralCharts, _SimpleCharts, _Expressions, _Checks, _Core):
    """The whole exporter: one object per translation, its parts mixed in."""


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

