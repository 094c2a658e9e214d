"""The TLA+ exporter: emitted modules parse, .cfg names exist, TLC agrees with the explorer, traces replay.

Without TLC (CI), every accepted system's module is parsed with tree-sitter-tlaplus and its
.cfg is checked against the module's definitions. With ``TLA2TOOLS`` pointing at
tla2tools.jar, TLC runs on each system and must report the explorer's distinct-state count
and the same verdict for every invariant, reachability goal, deadlock and liveness property.
"""

from __future__ import annotations

import importlib.util
import os
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from exporters.tla import TlaSpec, TlaUnsupported, to_tla, write_tla
from exporters.tlc import TlcResult, parse_tlc_output, parse_tlc_trace, parse_tlc_value, replay_tlc_trace, run_tlc
from simulate import Actor, Stimulus, System, actor, explore, invariant, sometimes
from statecharts import Chart, State, Transition, assign, call, ctx, event, foreach, python, raise_, send
from statecharts.expr import PyFunc
from statecharts.values import canonical_key

FIXTURES = Path(__file__).parent / "fixtures" / "tla"
TLA2TOOLS = os.environ.get("TLA2TOOLS")
needs_tlc = pytest.mark.skipif(not TLA2TOOLS, reason="TLA2TOOLS not set")


def _load_systems() -> Any:
    spec = importlib.util.spec_from_file_location("tla_fixture_systems", FIXTURES / "systems.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


SYSTEMS = _load_systems()


def _example(module: str, fn: str = "build", **kwargs: Any) -> Callable[[], System]:
    def make() -> System:
        mod = importlib.import_module(module)
        return getattr(mod, fn)(**kwargs)  # type: ignore[no-any-return]

    return make


def _jugs_with_tla_guard() -> System:
    """Die Hard with a Python guard that carries a TLA+ rendering (the escape hatch, translated)."""
    chart = Chart(
        "Jugs",
        State(
            "pouring",
            on={
                "fill_small": Transition(guard=PyFunc(lambda c, e: c.small < 3, "small_not_full", tla="small < 3"), actions=assign(small=3)),
                "fill_big": Transition(actions=assign(big=5)),
                "empty_small": Transition(actions=assign(small=0)),
                "pour": Transition(actions=python(lambda c, e: {"big": min(5, c.big + c.small), "small": 0}, writes=["big", "small"],
                                                 tla="[big |-> IF big + small > 5 THEN 5 ELSE big + small, small |-> 0]")),
            },
        ),
        context={"small": 0, "big": 0},
    )
    return System(
        "JugsTla",
        actors=[Actor("jugs", chart)],
        stimuli=[Stimulus("jugs", e) for e in ("fill_small", "fill_big", "empty_small", "pour")],
        properties=[sometimes("Four", actor("jugs").big == 4), invariant("BigBound", actor("jugs").big <= 5)],
        check_deadlock=False,
    )


CASES: dict[str, Callable[[], System]] = {
    "two_phase_3": _example("examples.two_phase", "system", n=3),
    "two_phase_3_sym": _example("examples.two_phase", "system", n=3, symmetry=True),
    "two_phase_4": _example("examples.two_phase", "system", n=4),
    "two_phase_4_sym": _example("examples.two_phase", "system", n=4, symmetry=True),
    "die_hard": _example("examples.die_hard", "system"),
    "auth_flow": _example("examples.auth_flow"),
    "distributed_lock": _example("examples.distributed_lock"),
    "distributed_lock_fenced": _example("examples.distributed_lock", variant="fenced"),
    "fetch_machine": _example("examples.fetch_machine"),
    "fetch_machine_naive": _example("examples.fetch_machine", variant="naive"),
    "user_session": _example("examples.user_session"),
    "throttling": _example("examples.throttling"),
    "leader_election": _example("examples.leader_election"),
    "websocket_gateway": _example("examples.websocket_gateway.model", "build"),
    # the specification's wording and every crash site (a `faults` actor holding the budget), on the reduced bound
    "websocket_gateway_naive_faithful": _example(
        "examples.websocket_gateway.model",
        "build",
        duplicates=0,
        frames=0,
        oob=0,
        worded=True,
        crash_in=("connect", "connect-asking", "disconnect", "message", "runner"),
    ),
    "jugs_tla_escape_hatch": _jugs_with_tla_guard,
    # parallel states (several regions may react to one event) and eventless transitions
    "bank_transfer_racy": _example("examples.bank_transfer", variant="racy"),
    "bank_transfer_check_then_act": _example("examples.bank_transfer", variant="check_then_act"),
    "bank_transfer_atomic": _example("examples.bank_transfer", variant="atomic"),
    "media_player": _example("examples.media_player"),
    "two_phase_commit_durable": _example("examples.two_phase_commit", variant="durable"),
    "two_phase_commit_volatile": _example("examples.two_phase_commit", variant="volatile"),
    "two_phase_commit_impatient": _example("examples.two_phase_commit", variant="impatient"),
    # the other variants of the examples: each bug a design has, TLC must find too
    "auth_flow_off_by_one": _example("examples.auth_flow", variant="off_by_one"),
    "distributed_lock_lease": _example("examples.distributed_lock", variant="lease"),
    "leader_election_double_vote": _example("examples.leader_election", variant="double_vote"),
    "user_session_naive": _example("examples.user_session", variant="naive"),
    "throttling_unthrottled": _example("examples.throttling", variant="unthrottled"),
    "throttling_multi": _example("examples.throttling", "build_multi", mode="throttled"),
    "throttling_multi_unthrottled": _example("examples.throttling", "build_multi", mode="unthrottled"),
    "log_sync": _example("examples.log_sync", variant="fixed"),
    "log_sync_spec": _example("examples.log_sync", variant="spec"),
    **{name: fn for name, fn in SYSTEMS.ALL.items()},
}

# The flagship's other designs and the fixed design's mutations: 0.3M-1.9M states each, so TLC
# (one run per violated property, liveness included) takes from minutes to an hour on each.
LARGE_CASES: dict[str, Callable[[], System]] = {
    **{f"websocket_gateway_{d}": _example("examples.websocket_gateway.model", "build", design=d) for d in ("deferred", "grace-retry", "fixed")},
    **{
        f"websocket_gateway_fixed_{m}": _example("examples.websocket_gateway.model", "build", design="fixed", mutation=m)
        for m in ("no-liveness-check", "lagging-index", "early-flip", "poll-no-wait")
    },
}

# --------------------------------------------------------------------------- without TLC: syntax and cfg


def _parser() -> Any:
    tree_sitter = pytest.importorskip("tree_sitter")
    tree_sitter_tlaplus = pytest.importorskip("tree_sitter_tlaplus")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # older bindings hand the language over as an int
        return tree_sitter.Parser(tree_sitter.Language(tree_sitter_tlaplus.language()))


def test_the_syntax_check_catches_errors() -> None:
    bad = b"---- MODULE M ----\nVARIABLE x\nInit == x = \nNext == /\\ x' = (x + \n====\n"
    assert _parser().parse(bad).root_node.has_error


def _error_context(tree: Any, source: bytes) -> str:
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            line = source.splitlines()[node.start_point[0]].decode(errors="replace")
            return f"line {node.start_point[0] + 1}: {line[:200]}"
        stack.extend(node.children)
    return "?"


def _defined_names(module: str) -> set[str]:
    names = set(re.findall(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\([^)]*\))?\s*==", module, re.M))
    for line in re.findall(r"^CONSTANTS (.*)$", module, re.M):
        names.update(x.strip() for x in line.split(","))
    return names


def _cfg_names(cfg: str) -> set[str]:
    out = set()
    for line in cfg.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] in ("SPECIFICATION", "INIT", "NEXT", "INVARIANT", "PROPERTY", "SYMMETRY", "CONSTRAINT"):
            out.update(parts[1:])
        elif "=" in parts:
            out.update(p for p in parts if p != "=")
    return out


SLOW_TO_PARSE = {"two_phase_commit_durable", "two_phase_commit_impatient", "two_phase_commit_volatile"}
"""Modules that take over 15 s to export and parse on a busy 2-core machine: the slow tier (``-m slow``) parses them."""


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_TO_PARSE else n for n in sorted({**CASES, **LARGE_CASES})])
def test_module_parses_and_cfg_names_exist(name: str) -> None:
    system = {**CASES, **LARGE_CASES}[name]()
    spec = to_tla(system)
    source = spec.module.encode()
    tree = _parser().parse(source)
    assert not tree.root_node.has_error, f"{name}: syntax error at {_error_context(tree, source)}"
    missing = _cfg_names(spec.cfg) - _defined_names(spec.module)
    assert not missing, f"{name}: the .cfg names undefined operators/constants {missing}"
    assert spec.module.startswith(f"---- MODULE {spec.module_name} ----")
    assert ("CHECK_DEADLOCK FALSE" in spec.cfg) == (not system.check_deadlock)


def test_write_tla(tmp_path: Path) -> None:
    tla, cfg = write_tla(CASES["die_hard"](), tmp_path)
    assert tla.read_text().startswith("---- MODULE DieHard ----")
    assert "INVARIANT Inv_NotSolved" in cfg.read_text()
    assert tla.stem == cfg.stem == "DieHard"


def test_names_read_in_the_users_terms() -> None:
    spec = to_tla(CASES["two_phase_3_sym"]())
    m = spec.module
    for op in ("rm_working_prepare_to_prepared", "recv_tm_init_Prepared", "stim_commit_tm_init_commit_to_committed", "Inv_TCConsistent"):
        assert re.search(rf"^{op}\b", m, re.M), op
    assert "Symmetry == Permutations(rm_Instances)" in m
    assert "SYMMETRY Symmetry" in spec.cfg
    assert spec.instance_values["rm[0]"] == "rm_0"


def test_fairness_where_the_explorer_assumes_it() -> None:
    m = to_tla(SYSTEMS.pingpong()).module
    fairness = m[m.index("Fairness ==") : m.index("Spec ==")]
    assert "WF_vars(pinger_Deliver(pinger))" in fairness and "WF_vars(ponger_Deliver(ponger))" in fairness
    assert "WF_vars(Stim_start(pinger))" in fairness
    unfair = to_tla(SYSTEMS.pingpong(fair=False)).module
    assert "Stim_start" not in unfair
    timers = to_tla(SYSTEMS.timers_sym()).module
    assert "\\A self \\in worker_Instances : WF_vars(worker_Timer(self))" in timers


def test_deadlock_rest_states_are_not_tlc_deadlocks() -> None:
    m = to_tla(SYSTEMS.stuck()).module
    assert 'AtRest == (a_state \\in {"a2"}) /\\ (b_state \\in {"b1"})' in m
    assert "\\/ Terminated" in m


def test_constraint_is_emitted() -> None:
    spec = to_tla(SYSTEMS.ring())
    assert spec.constraint == "Constraint" and "CONSTRAINT Constraint" in spec.cfg
    assert re.search(r"^Constraint == \(Cardinality\(\{m \\in net : m.name = \"token\"\}\) <= 2\)", spec.module, re.M)


# --------------------------------------------------------------------------- rejected constructs


def _one(chart: Chart, **kw: Any) -> System:
    return System("S", actors=[Actor("a", chart)], stimuli=[Stimulus("a", "go")], check_deadlock=False, **kw)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: _one(Chart("C", State("s", on={"go": Transition("s", guard=lambda c, e: True)}), State("t"))), "guard of transition s --go--> s"),
        (lambda: _one(Chart("C", State("s", on={"go": Transition(None, actions=lambda c, e: None)}))), "Python action"),
        (
            lambda: _one(Chart("C", State("s", on={"go": "t"}), State("t", always=Transition(None, guard=ctx.n < 3, actions=assign(n=ctx.n + 1))), context={"n": 0})),
            "eventless transitions may chain forever",
        ),
        (lambda: _one(Chart("C", State("s", on={"go": "t"}), State("t", always="u"), State("u", always="t"))), "eventless transitions may chain forever"),
        (
            lambda: _one(Chart("C", State("s", on={"go": "t"}), State("t", always=Transition("s", guard=event.n == 1)))),
            "has a guard reading the event",
        ),
        (lambda: _one(Chart("C", State("s", on={"go": Transition(None, actions=raise_("x")), "x": "t"}), State("t"))), "raise_"),
        (
            lambda: _one(Chart("C", State("s", on={"go": Transition(None, actions=foreach((1, 2), "i", lambda i: assign(n=i)))}), context={"n": 0})),
            "foreach is translated only when its body just sends",
        ),
        (
            lambda: _one(Chart("C", State("s", on={"go": "s"})), properties=[invariant("P", lambda view: True)]),
            "invariant 'P': Python predicate",
        ),
        (
            lambda: _one(Chart("C", State("s", on={"go": Transition(None, actions=assign(n=ctx.n + "x"))}), context={"n": 0})),
            "'+' of a number and a string",
        ),
        (
            lambda: _one(Chart("C", State("s", on={"go": Transition(None, guard=ctx.xs[0] == 1)}), context={"xs": None})),
            "cannot tell whether it is a seq or a map",
        ),
    ],
)
def test_untranslatable_constructs_are_named(make: Callable[[], System], message: str) -> None:
    with pytest.raises(TlaUnsupported, match=re.escape(message)):
        to_tla(make())


def test_symmetry_with_liveness_is_rejected() -> None:
    s = SYSTEMS.pingpong()
    s.symmetry = True
    with pytest.raises(TlaUnsupported, match="symmetry reduction is unsound for liveness"):
        to_tla(s)


def test_foreach_over_a_set_on_fifo_needs_per_element_targets() -> None:
    chart = Chart("C", State("s", on={"go": Transition(None, actions=foreach(ctx.xs, "x", lambda x: send("a", "go")))}), context={"xs": frozenset({1, 2})})
    with pytest.raises(TlaUnsupported, match="go out in the canonical value order, which the translation's SetToSeq does not follow"):
        to_tla(_one(chart))


def test_tuple_of_a_set_is_refused_naming_the_canonical_order() -> None:
    chart = Chart("C", State("s", on={"go": Transition(None, actions=assign(t=call("tuple", ctx.xs)))}), context={"xs": frozenset({1, 2}), "t": (1, 2)})
    with pytest.raises(TlaUnsupported, match=r"tuple\(\) of a set lists it in the canonical value order, which the translation does not follow"):
        to_tla(_one(chart))


# --------------------------------------------------------------------------- TLC output, values and trace replay (fixtures)


def test_parse_tlc_values() -> None:
    v = parse_tlc_value('( <<a, b>> :> <<[x |-> 1, y |-> "s"]>> @@ <<b, a>> :> <<>> )')
    assert v == parse_tlc_value('(<<b, a>> :> <<>> @@ <<a, b>> :> <<[y |-> "s", x |-> 1]>>)')
    assert parse_tlc_value("{1, -2, TRUE}") == ("Set", tuple(sorted([("I", 1), ("I", -2), ("B", True)], key=canonical_key)))
    # the project's canonical value order (numbers by value), not the order of their printed forms
    assert parse_tlc_value("{10, 9, -2}") == ("Set", (("I", -2), ("I", 9), ("I", 10)))
    assert parse_tlc_value("(10 :> TRUE @@ 9 :> FALSE)") == ("F", ((("I", 9), ("B", False)), (("I", 10), ("B", True))))
    assert parse_tlc_value("<<>>") == ("F", ())
    assert parse_tlc_value('"a\\"b"') == ("S", 'a"b')


def test_parse_saved_tlc_output_and_replay_invariant_trace() -> None:
    text = (FIXTURES / "die_hard_tlc.txt").read_text()
    result = parse_tlc_output(text)
    assert (result.verdict, result.violated_property, result.distinct_states) == ("invariant", "Inv_NotSolved", 14)
    states = parse_tlc_trace(result.error_trace_text, CASES["die_hard"]())
    assert len(states) == 7 and states[-1].values["jugs_big"] == ("I", 4)
    trace = replay_tlc_trace(CASES["die_hard"](), result.error_trace_text)
    assert len(trace) == 6
    assert [s.kind for s in trace.steps[1:]] == ["stimulus"] * 6
    last = trace.steps[-1].changes[0]
    assert last.context["big"][1] == 4
    ours = explore(CASES["die_hard"]()).verdict("NotSolved").trace
    assert ours is not None and len(ours) == len(trace)


def test_replay_liveness_lasso_from_saved_output() -> None:
    result = parse_tlc_output((FIXTURES / "pingpong_tlc.txt").read_text())
    assert result.verdict == "liveness"
    trace = replay_tlc_trace(SYSTEMS.pingpong(), result.error_trace_text)
    assert len(trace) == 6
    assert trace.loop_start == 6  # TLC: the behaviour stutters in its last state
    assert [s.kind for s in trace.steps[1:]] == ["stimulus", "deliver", "deliver", "stimulus", "deliver", "deliver"]


def test_replay_rejects_a_foreign_trace() -> None:
    from exporters.tlc import TlcError

    text = (FIXTURES / "die_hard_tlc.txt").read_text()
    with pytest.raises(TlcError):
        replay_tlc_trace(SYSTEMS.pingpong(), parse_tlc_output(text).error_trace_text)


# --------------------------------------------------------------------------- TLC cross-check


def _tlc(spec: TlaSpec, **cfg: Any) -> TlcResult:
    result = run_tlc(spec, jar=TLA2TOOLS, timeout=float(os.environ.get("TLC_TIMEOUT", 3600)), cfg=spec.cfg_for(**cfg))
    assert result.verdict != "error", result.raw_output[-3000:]
    return result


@needs_tlc
@pytest.mark.parametrize("name", sorted(CASES))
def test_tlc_agrees_with_the_explorer(name: str) -> None:
    _agree(CASES[name]())


@needs_tlc
@pytest.mark.skipif(not os.environ.get("TLC_LARGE"), reason="TLC_LARGE not set (the large flagship designs take TLC up to an hour each)")
@pytest.mark.parametrize("name", sorted(LARGE_CASES))
def test_tlc_agrees_on_the_large_flagship_designs(name: str) -> None:
    _agree(LARGE_CASES[name]())


def _agree(system: System) -> None:
    """TLC on the exported module: the same distinct-state count and the same verdict for every property."""
    spec = to_tla(system)
    ours = explore(system, max_seconds=300)
    assert ours.complete
    status = {v.name: v for v in ours.verdicts}
    holds = [v.name for v in ours.verdicts if v.kind == "invariant" and v.status == "holds"]
    unreached = [v.name for v in ours.verdicts if v.kind == "sometimes" and v.status == "unreached"]
    deadlock_ok = "deadlock" not in status or status["deadlock"].status == "holds"
    # every state, every holding invariant and unreached goal at once: the counts must be equal
    main = _tlc(spec, invariants=holds, sometimes=unreached, properties=[], deadlock=system.check_deadlock and deadlock_ok)
    assert main.verdict == "ok", main.raw_output[-3000:]
    assert main.distinct_states == ours.stats.distinct_states
    for v in ours.verdicts:
        if v.kind == "deadlock" and v.status == "violated":
            r = _tlc(spec, invariants=[], properties=[], deadlock=True)
            assert r.verdict == "deadlock"
            trace = replay_tlc_trace(system, r.error_trace_text, spec)
            assert trace.steps[-1].state is not None
        elif v.kind == "invariant" and v.status == "violated":
            r = _tlc(spec, invariants=[v.name], properties=[], deadlock=False)
            assert (r.verdict, r.violated_property) == ("invariant", spec.invariants[v.name])
            trace = replay_tlc_trace(system, r.error_trace_text, spec)
            assert v.trace is not None and len(trace) == len(v.trace)  # both BFS: shortest counterexamples
        elif v.kind == "sometimes" and v.status == "reached":
            r = _tlc(spec, invariants=[], sometimes=[v.name], properties=[], deadlock=False)
            assert (r.verdict, r.violated_property) == ("invariant", spec.sometimes[v.name])
            assert v.trace is not None and len(replay_tlc_trace(system, r.error_trace_text, spec)) == len(v.trace)
        elif v.kind in ("eventually", "leads_to"):
            r = _tlc(spec, invariants=[], properties=[v.name], deadlock=False)
            assert r.verdict == ("liveness" if v.status == "violated" else "ok"), f"{v.name}: ours {v.status}, TLC {r.verdict}"
            if r.verdict == "liveness":
                assert replay_tlc_trace(system, r.error_trace_text, spec).loop_start is not None
