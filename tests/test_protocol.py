"""The explorer knows a model protocol and nothing else: Die Hard, written directly against it, is explored
by the same search; and the explorer's modules import nothing of the chart core or the actor model.

Die Hard (the 3- and 5-gallon jugs; measure 4 gallons): from (0, 0) with the six actions, 16 distinct states
are reachable (counted here by an independent BFS), and the shortest way to 4 gallons takes 6 steps.
"""

from __future__ import annotations

import ast
import hashlib
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from simulate.explorer import explore_model
from simulate.protocol import Checks, Explorable, Liveness, StepError
from simulate.result import Change, Step
from statecharts.errors import ModelError

SMALL, BIG = 3, 5

State = tuple[int, int]


def _actions(s: State) -> list[tuple[str, State]]:
    """The six actions, in a fixed order: every action is always enabled (some change nothing)."""
    small, big = s
    pour_into_big = min(small, BIG - big)
    pour_into_small = min(big, SMALL - small)
    return [
        ("FillSmall", (SMALL, big)),
        ("FillBig", (small, BIG)),
        ("EmptySmall", (0, big)),
        ("EmptyBig", (small, 0)),
        ("SmallToBig", (small - pour_into_big, big + pour_into_big)),
        ("BigToSmall", (small + pour_into_small, big - pour_into_small)),
    ]


class DieHard:
    """The puzzle as a model of the protocol: no charts, no actors, states are (small, big) pairs."""

    name = "DieHard"
    symmetric = False

    def __init__(self, goal: int = 4, properties: str = "goal", fail_at: State | None = None) -> None:
        self.goal = goal
        self.properties = properties
        self.fail_at = fail_at  # a state whose expansion fails (a step error), to test error verdicts

    def checks(self) -> Checks:
        def reached(s: State) -> bool:
            return s[1] == self.goal

        if self.properties == "invariant":
            return Checks(invariants=[("NotSolved", lambda s: not reached(s))])
        if self.properties == "liveness":
            return Checks(liveness=[Liveness("Solved", "eventually", reached)])
        return Checks(goals=[("Solved", reached)], invariants=[("Capacity", lambda s: 0 <= s[0] <= SMALL and 0 <= s[1] <= BIG)])

    def initial_states(self) -> list[State]:
        return [(0, 0)]

    def successors(self, state: State) -> list[tuple[str, State]]:
        out = []
        for label, s2 in _actions(state):
            out.append((label, state if s2 == state else s2))  # a step that changes nothing returns the state itself
        if state == self.fail_at:
            raise StepError("FillBig", RuntimeError("the tap is broken"))
        return out

    def canonical(self, state: State) -> tuple[State, None]:
        return state, None

    def uncanonical(self, renaming: Any, label: str, state: State) -> tuple[str, State]:
        return label, state

    def at_rest(self, state: State) -> bool:
        return True

    def deadlock_text(self, state: State) -> str:
        return f"no action from {state}"

    def error_text(self, error: StepError) -> str:
        return f"{error.label} failed: {error.cause}"

    def describe_label(self, label: str) -> tuple[str, str, str]:
        return "jugs", "action", label

    def describe_trace(self, states: Sequence[State], labels: Sequence[str | None]) -> list[Step]:
        steps = []
        prev: State | None = None
        for k, (s, label) in enumerate(zip(states, labels)):
            changes = [Change("jugs", (), (), {"small": (prev[0] if prev else None, s[0]), "big": (prev[1] if prev else None, s[1])})]
            kind, text = ("init", "initial state") if label is None else ("action", label)
            steps.append(Step(k, kind, "jugs" if label else "", label or "", text, None, changes, [], [], s))
            prev = s
        return steps

    def describe_failure(self, index: int, label: str, state: State) -> Step:
        return Step(index, "action", "jugs", label, label, None, [], [], [], state)

    def node_attributes(self, state: State) -> dict[str, Any]:
        return {"small": state[0], "big": state[1]}

    def fair_key(self, label: str) -> Any:
        return None  # no action is fair: nothing forces the jugs to be used at all

    def covered(self) -> dict[str, set[int]]:
        return {}

    def coverage(self, covered: dict[str, set[int]]) -> dict[str, list[str]]:
        return {}

    def start_notes(self, initial: Sequence[State]) -> list[str]:
        return []

    def signature(self) -> tuple[str, str | None]:
        return hashlib.sha256(f"DieHard {SMALL} {BIG} {self.goal} {self.properties}".encode()).hexdigest(), None

    def tables(self) -> dict[str, Any]:
        return {}

    def restore_tables(self, data: dict[str, Any]) -> None:
        return None

    def to_json(self, value: Any) -> Any:
        return list(value) if isinstance(value, tuple) else value

    def from_json(self, data: Any) -> Any:
        return tuple(data) if isinstance(data, list) else data


def _hand_bfs() -> tuple[int, int]:
    """The oracle, independent of the explorer: (reachable states, length of the shortest way to big == 4)."""
    depth = {(0, 0): 0}
    queue = deque([(0, 0)])
    while queue:
        s = queue.popleft()
        for _, s2 in _actions(s):
            if s2 not in depth:
                depth[s2] = depth[s] + 1
                queue.append(s2)
    return len(depth), min(d for s, d in depth.items() if s[1] == 4)


def test_die_hard_is_a_model_of_the_protocol() -> None:
    assert isinstance(DieHard(), Explorable)


def test_die_hard_state_count_and_shortest_solution_match_a_hand_bfs() -> None:
    assert _hand_bfs() == (16, 6)  # the puzzle's known figures, recomputed
    result = explore_model(DieHard())
    assert result.complete and result.system == "DieHard"
    assert result.stats.distinct_states == 16
    assert result.stats.states_generated == 16 * 6  # every action is listed in every state
    solved = result.verdict("Solved")
    assert solved.status == "reached" and solved.trace is not None
    assert len(solved.trace.steps) - 1 == 6  # six steps after the initial state
    assert solved.trace.steps[-1].state[1] == 4
    assert [s.text for s in solved.trace.steps[1:]] == ["FillBig", "BigToSmall", "EmptySmall", "BigToSmall", "FillBig", "BigToSmall"]
    assert result.verdict("Capacity").status == "holds"
    assert [v.name for v in result.verdicts] == ["Capacity", "Solved"]  # no deadlock check: Checks(deadlock=False)


def test_die_hard_invariant_counterexample_is_the_shortest_solution() -> None:
    result = explore_model(DieHard(properties="invariant"))
    v = result.verdict("NotSolved")
    assert v.status == "violated" and v.trace is not None and len(v.trace.steps) == 7
    assert v.trace.steps[-1].changes[0].context["big"] == (5, 4)


def test_die_hard_unreachable_goal_is_unreached_over_the_whole_space() -> None:
    result = explore_model(DieHard(goal=6))
    assert result.complete and result.verdict("Solved").status == "unreached" and result.stats.distinct_states == 16


def test_die_hard_other_strategies_and_the_graph() -> None:
    dfs = explore_model(DieHard(), mode="dfs")
    assert dfs.stats.distinct_states == 16 and dfs.verdict("Solved").status == "reached"
    walk = explore_model(DieHard(), mode="random", runs=200, max_depth=20)  # random walks rarely measure 4 gallons
    assert not walk.complete and 1 < walk.stats.distinct_states <= 16 and walk.verdict("Capacity").status == "incomplete"
    graph = explore_model(DieHard(), graph=True).graph
    assert graph is not None and graph.number_of_nodes() == 16
    assert graph.number_of_edges() == len({(s, s2) for s in _reachable() for _, s2 in _actions(s)})
    assert graph.nodes[0] == {"initial": True, "depth": 0, "small": 0, "big": 0}


def _reachable() -> set[State]:
    seen = {(0, 0)}
    queue = deque(seen)
    while queue:
        for _, s2 in _actions(queue.popleft()):
            if s2 not in seen:
                seen.add(s2)
                queue.append(s2)
    return seen


def test_die_hard_liveness_without_fairness_is_violated_by_a_lasso() -> None:
    result = explore_model(DieHard(properties="liveness"))
    v = result.verdict("Solved")
    assert v.status == "violated" and v.trace is not None and v.trace.loop_start is not None
    assert all(s.state[1] != 4 for s in v.trace.steps)


def test_die_hard_limits_and_checkpoint_resume(tmp_path: Path) -> None:
    cut = explore_model(DieHard(), max_states=5, checkpoint=tmp_path / "jugs.ckpt")
    assert not cut.complete and cut.stats.distinct_states == 5 and (tmp_path / "jugs.ckpt").exists()
    rest = explore_model(DieHard(), resume=tmp_path / "jugs.ckpt")
    assert rest.complete and rest.stats.distinct_states == 16 and rest.stats.states_generated == 16 * 6
    assert len(rest.verdict("Solved").trace.steps) == 7  # type: ignore[union-attr]
    depth = explore_model(DieHard(), max_depth=2)
    assert not depth.complete and "max_depth" in depth.limit


def test_die_hard_step_error_is_a_verdict_with_its_trace() -> None:
    result = explore_model(DieHard(fail_at=(3, 0)))
    err = result.verdict("error")
    assert err.status == "violated" and err.message == "FillBig failed: the tap is broken"
    assert err.trace is not None and [s.state for s in err.trace.steps[:2]] == [(0, 0), (3, 0)] and err.trace.steps[-1].text == "FillBig"


def test_a_model_missing_part_of_the_protocol_is_refused_by_name() -> None:
    class Half:
        name = "half"

        def initial_states(self) -> list[int]:
            return [0]

    with pytest.raises(ModelError, match=r"Half is not an explorable model: it has no .*successors"):
        explore_model(Half())  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the explorer imports nothing of statecharts

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("statecharts", "simulate", "exporters", "statecharts_cli")
ALLOWED = {"simulate.protocol", "simulate.result", "statecharts.errors", "simulate.fpset"}
"""What the explorer may depend on besides its own package: the protocol, the result types, the error root and the
fingerprint store (a numpy data structure that imports nothing of the project)."""
LEAVES = {"simulate.result", "statecharts.errors"}
"""Not followed further: the error root, and the result data types (whose notebook display draws charts, lazily)."""


def _module_file(module: str) -> Path:
    path = ROOT.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _imports(module: str) -> set[str]:
    """The project modules a module imports (anywhere in it, type-checking blocks included)."""
    path = _module_file(module)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = f"{base}.{node.module}" if node.level and node.module else (base if node.level else node.module or "")
            for alias in node.names:  # "from . import x" and "from .pkg import module" name modules
                if _module_file(f"{target}.{alias.name}").exists():
                    found.add(f"{target}.{alias.name}")
            found.add(target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m.split(".")[0] in PROJECT}


def _explorer_modules() -> list[str]:
    return sorted(f"simulate.explorer.{p.stem}" for p in (ROOT / "simulate" / "explorer").glob("*.py") if p.stem != "__init__")


def test_the_explorer_modules_depend_on_the_protocol_only() -> None:
    modules = _explorer_modules()
    assert {"simulate.explorer.search", "simulate.explorer.liveness", "simulate.explorer.checkpoints", "simulate.explorer.traces"} <= set(modules)
    closure: set[str] = set()
    todo = [*modules, "simulate.protocol"]
    while todo:
        module = todo.pop()
        if module in closure:
            continue
        closure.add(module)
        if module in LEAVES:
            continue
        todo.extend(m for m in _imports(module) if m not in ("simulate", "statecharts"))  # a package's own __init__ is not the module's code
    outside = sorted(m for m in closure if not m.startswith("simulate.explorer.") and m not in ALLOWED)
    assert outside == []


def test_the_explorer_package_re_exports_the_system_entry_only() -> None:
    """``simulate.explorer.explore`` (compile a System, then explore) stays importable: the package's one tie to the actor layer."""
    assert _imports("simulate.explorer") - set(_explorer_modules()) - {"simulate.explorer"} == {"simulate.entry"}


def test_the_explorer_reads_no_chart_or_actor_internals() -> None:
    forbidden = {"_memo", "engine", "charts", "is_final", "leaves", "sym_groups", "local_values", "msg_values", "system", "actor_of"}
    used = set()
    for module in _explorer_modules():
        tree = ast.parse(_module_file(module).read_text(encoding="utf-8"))
        used |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert used & forbidden == set()
