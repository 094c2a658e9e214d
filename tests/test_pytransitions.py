"""Importing pytransitions definitions: the real library and the imported chart side by side.

Each definition is run twice with the same events: by ``transitions``' HierarchicalMachine
and by our Interpreter on ``from_transitions(definition)``. Where the semantics agree the
leaf configurations (and contexts) must be identical; where they do not, the documented
difference (docs/pytransitions.md) is asserted on both sides.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Any

import pytest

transitions = pytest.importorskip("transitions", reason="transitions not installed")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from transitions import Machine, MachineError  # noqa: E402
from transitions.extensions import HierarchicalMachine  # noqa: E402
from transitions.extensions.markup import HierarchicalMarkupMachine  # noqa: E402

from statecharts import ChartDefinitionError, Interpreter  # noqa: E402
from statecharts.pytransitions import from_transitions  # noqa: E402

# --------------------------------------------------------------------------- the twin harness

Cond = Callable[[dict[str, Any]], bool]
Act = Callable[[dict[str, Any]], dict[str, Any] | None]


def flatten(state: Any) -> list[str]:
    """transitions' model.state (a name or nested lists of names for parallel states) as a flat list."""
    if isinstance(state, (list, tuple)):
        return [x for s in state for x in flatten(s)]
    return [state.name if isinstance(state, enum.Enum) else state]


class Twin:
    """The same definition in transitions (a model object) and in our interpreter (a chart)."""

    def __init__(self, definition: dict[str, Any], conds: dict[str, Cond] | None = None, acts: dict[str, Act] | None = None,
                 context: dict[str, Any] | None = None, **machine_kwargs: Any) -> None:
        conds, acts, context = conds or {}, acts or {}, dict(context or {})
        model = type("Model", (), {})()
        for k, v in context.items():
            setattr(model, k, v)
        for n, f in conds.items():
            setattr(model, n, self._model_cond(model, context, f))
        for n, g in acts.items():
            setattr(model, n, self._model_act(model, context, g))
        self.model = model
        self.machine = HierarchicalMachine(model, **definition, **machine_kwargs)
        callbacks = chart_callbacks({**conds, **acts})
        self.chart = from_transitions({**definition, **machine_kwargs}, callbacks=callbacks, context=context)
        self.interp = Interpreter(self.chart)
        self.context_fields = list(context)

    @classmethod
    def _model_cond(cls, model: Any, context: dict[str, Any], f: Cond) -> Callable[..., bool]:
        return lambda *a, **kw: f(cls._vars(model, context))

    @classmethod
    def _model_act(cls, model: Any, context: dict[str, Any], g: Act) -> Callable[..., None]:
        return lambda *a, **kw: cls._apply(model, g(cls._vars(model, context)))

    @staticmethod
    def _vars(model: Any, context: dict[str, Any]) -> dict[str, Any]:
        return {k: getattr(model, k) for k in context}

    @staticmethod
    def _apply(model: Any, updates: dict[str, Any] | None) -> None:
        for k, v in (updates or {}).items():
            setattr(model, k, v)

    def send(self, trigger: str) -> bool:
        """Fire a trigger on both; returns whether transitions accepted it (no MachineError)."""
        try:
            self.model.trigger(trigger)
            ok = True
        except (MachineError, AttributeError):
            ok = False  # documented difference: SCXML discards the event instead
        self.interp.send(trigger)
        return ok

    def theirs(self) -> list[str]:
        return sorted(flatten(self.model.state))

    def ours(self) -> list[str]:
        return sorted(self.interp.leaves)

    def their_context(self) -> dict[str, Any]:
        return {k: getattr(self.model, k) for k in self.context_fields}

    def assert_same(self, where: str = "") -> None:
        assert self.theirs() == self.ours(), where
        ours = self.interp.context
        theirs = self.their_context()
        assert {k: ours[k] for k in theirs} == theirs, where

    def run(self, events: Iterable[str]) -> None:
        self.assert_same("start")
        history: list[str] = []
        for e in events:
            history.append(e)
            self.send(e)
            self.assert_same(f"after {history}")


def chart_callbacks(fns: dict[str, Callable[[dict[str, Any]], Any]]) -> dict[str, Callable[..., Any]]:
    """Our side of the twin callbacks: ``fn(ctx, event)`` calling the shared function of the context values."""

    def bind(f: Callable[[dict[str, Any]], Any]) -> Callable[..., Any]:
        return lambda c, e: f(c.as_dict())

    return {n: bind(f) for n, f in fns.items()}


def rec(name: str) -> Act:
    """An action appending its name to the context's ``trace`` (order-sensitive evidence)."""
    return lambda v: {"trace": (*v["trace"], name)}


# --------------------------------------------------------------------------- definitions

FLAT = dict(
    states=["idle", "running", {"name": "paused", "on_enter": "count"}, "broken"],
    transitions=[
        ["start", "idle", "running"],
        dict(trigger="pause", source="running", dest="paused", conditions="below_limit"),
        dict(trigger="pause", source="running", dest="broken"),
        ["resume", "paused", "running"],
        dict(trigger="tick", source="running", dest=None, after="count"),
        dict(trigger="restart", source="running", dest="=", before="count"),
        dict(trigger="stop", source="*", dest="idle", unless="is_even"),
        ["fix", ["broken", "paused"], "idle"],
    ],
    initial="idle",
)
FLAT_CONDS: dict[str, Cond] = {"below_limit": lambda v: v["n"] < 3, "is_even": lambda v: v["n"] % 2 == 0}
FLAT_ACTS: dict[str, Act] = {"count": lambda v: {"n": v["n"] + 1}}
FLAT_EVENTS = ["start", "pause", "resume", "tick", "restart", "stop", "fix", "bogus", "to_paused", "to_broken"]

NESTED = dict(
    states=[
        "off",
        {
            "name": "on",
            "initial": "low",
            "on_enter": "count",
            "children": [
                "low",
                {"name": "high", "initial": "warm", "children": ["warm", {"name": "hot", "on_exit": "count"}]},
            ],
            "transitions": [["up", "low", "high"], ["up", "high_warm", "high_hot"]],
        },
    ],
    transitions=[
        ["power", "off", "on"],
        ["power", "on", "off"],
        dict(trigger="down", source="on_high_hot", dest="on_high_warm"),
        dict(trigger="down", source="on_high", dest="on_low", conditions="is_even"),
        ["reset", "on", "="],
        ["boost", "on", "on_high_hot"],
        ["again", "on_high", "on"],
        dict(trigger="blow", source="*", dest="off", conditions="big"),
    ],
    initial="off",
)
NESTED_CONDS: dict[str, Cond] = {"is_even": lambda v: v["n"] % 2 == 0, "big": lambda v: v["n"] > 4}
NESTED_EVENTS = ["power", "up", "down", "reset", "boost", "again", "blow", "to_on_high_hot", "to_on", "to_on_low", "to_off"]

PARALLEL = dict(
    states=[
        "idle",
        {
            "name": "work",
            "on_enter": "count",
            "parallel": [
                {"name": "left", "initial": "l0", "children": ["l0", "l1", "l2"]},
                {"name": "right", "initial": "r0", "children": ["r0", {"name": "r1", "initial": "x", "children": ["x", "y"]}]},
            ],
        },
    ],
    transitions=[
        ["go", "idle", "work"],
        ["step", "work_left_l0", "work_left_l1"],
        ["step", "work_left_l1", "work_left_l2"],
        ["step", "work_right_r0", "work_right_r1"],
        ["step", "work_right_r1_x", "work_right_r1_y"],
        dict(trigger="flip", source="work_right_r1", dest="work_right_r0", conditions="is_even"),
        ["back", "work_left_l2", "work_left_l0"],
        ["quit", "work", "idle"],
        ["redo", "work", "="],
    ],
    initial="idle",
)
PARALLEL_EVENTS = ["go", "step", "flip", "back", "quit", "redo", "to_idle", "to_work"]
# to_work_left_l2 & co. from outside 'work' diverge (test_difference_entering_one_region_of_a_parallel)

CASES = {
    "flat": (FLAT, FLAT_CONDS, FLAT_ACTS, FLAT_EVENTS),
    "nested": (NESTED, NESTED_CONDS, FLAT_ACTS, NESTED_EVENTS),
    "parallel": (PARALLEL, NESTED_CONDS, FLAT_ACTS, PARALLEL_EVENTS),
}


def twin(case: str) -> Twin:
    definition, conds, acts, _ = CASES[case]
    return Twin(definition, conds, acts, context={"n": 0})


# --------------------------------------------------------------------------- agreement

FIXED = {
    "flat": ["start", "pause", "resume", "tick", "tick", "pause", "fix", "start", "restart", "stop", "start", "stop", "bogus"],
    "nested": ["power", "up", "up", "down", "down", "reset", "boost", "again", "down", "power", "power", "blow", "to_on_high_hot",
               "to_on_low", "blow", "to_off"],
    "parallel": ["go", "step", "step", "step", "flip", "flip", "back", "redo", "step", "quit", "go", "to_work_right_r1_y",
                 "to_work_left_l2", "to_work", "quit"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fixed_sequences_agree(case: str) -> None:
    twin(case).run(FIXED[case])


@pytest.mark.parametrize("case", sorted(CASES))
@settings(max_examples=100)
@given(data=st.data())
def test_random_sequences_agree(case: str, data: st.DataObject) -> None:
    events = data.draw(st.lists(st.sampled_from(CASES[case][3]), max_size=25))
    twin(case).run(events)


def test_markup_dict_imports_the_same_machine() -> None:
    marked = HierarchicalMarkupMachine(**NESTED)
    markup = marked.markup
    assert markup["auto_transitions"] is True
    assert not any(t["trigger"].startswith("to_") for t in markup["transitions"])  # we regenerate them
    t = Twin(NESTED, NESTED_CONDS, FLAT_ACTS, context={"n": 0})
    callbacks = chart_callbacks({**NESTED_CONDS, **FLAT_ACTS})
    chart = from_transitions(markup, callbacks=callbacks, context={"n": 0})
    t.interp = Interpreter(chart)
    t.run(FIXED["nested"])


def test_markup_of_a_parallel_machine() -> None:
    markup = HierarchicalMarkupMachine(**PARALLEL).markup
    work = next(s for s in markup["states"] if s["name"] == "work")
    assert work["initial"] == ["left", "right"]  # markup spells parallel as a list initial
    callbacks = chart_callbacks({**NESTED_CONDS, **FLAT_ACTS})
    t = twin("parallel")
    t.interp = Interpreter(from_transitions(markup, callbacks=callbacks, context={"n": 0}))
    t.run(FIXED["parallel"])


def test_live_hierarchical_machine() -> None:
    t = twin("nested")
    callbacks = chart_callbacks({**NESTED_CONDS, **FLAT_ACTS})
    chart = from_transitions(t.machine, callbacks=callbacks, context={"n": 0})
    t.interp = Interpreter(chart)
    t.run(FIXED["nested"])


def test_live_flat_machine() -> None:
    class Model:
        n = 0

        def below_limit(self) -> bool:
            return self.n < 3

        def is_even(self) -> bool:
            return self.n % 2 == 0

        def count(self) -> None:
            self.n += 1

    model = Model()
    machine = Machine(model, **FLAT)
    chart = from_transitions(machine, callbacks={
        "below_limit": lambda c, e: c.n < 3,
        "is_even": lambda c, e: c.n % 2 == 0,
        "count": lambda c, e: {"n": c.n + 1},
    }, context={"n": 0})
    assert chart.name == "machine"
    ours = Interpreter(chart)
    for e in FIXED["flat"]:
        try:
            model.trigger(e)
        except (MachineError, AttributeError):
            pass
        ours.send(e)
        assert [model.state] == list(ours.leaves)
        assert model.n == ours.context["n"]


def test_live_machine_callables_are_looked_up_by_name() -> None:
    class Model:
        def ready(self) -> bool:
            return True

    model = Model()
    trans = [dict(trigger="go", source="a", dest="b", conditions=model.ready)]
    machine = HierarchicalMachine(model, states=["a", "b"], transitions=trans, initial="a")
    with pytest.raises(ChartDefinitionError, match="condition 'ready' is not supplied"):
        from_transitions(machine)
    chart = from_transitions(machine, callbacks={"ready": lambda c, e: True})
    assert chart.name == "machine"
    named = HierarchicalMachine(model, states=["a", "b"], initial="a", name="Door")
    assert from_transitions(named).name == "Door"
    i = Interpreter(chart)
    i.send("go")
    assert i.leaves == ("b",)


def test_ids_are_paths_joined_with_underscore() -> None:
    chart = from_transitions(NESTED, callbacks=chart_callbacks({**NESTED_CONDS, **FLAT_ACTS}))
    assert {"on", "on_low", "on_high", "on_high_warm", "on_high_hot"} <= set(chart.states)
    assert type(chart.states["on_high"]).__name__ == "State"
    par = from_transitions(PARALLEL, callbacks={"count": lambda c, e: None, "is_even": lambda c, e: True})
    assert type(par.states["work"]).__name__ == "Parallel"


# --------------------------------------------------------------------------- features


def test_condition_naming_a_context_field_reads_it() -> None:
    model = type("M", (), {"ready": False})()
    definition = dict(states=["a", "b"], transitions=[dict(trigger="go", source="a", dest="b", conditions="ready")], initial="a")
    HierarchicalMachine(model, **definition)
    chart = from_transitions(definition, context={"ready": False})
    i = Interpreter(chart)
    model.trigger("go")
    i.send("go")
    assert model.state == "a" and i.leaves == ("a",)
    model.ready = True
    model.trigger("go")
    i2 = Interpreter(chart, context={"ready": True})
    i2.send("go")
    assert model.state == "b" and i2.leaves == ("b",)


def test_callbacks_receive_ctx_and_event_with_trigger_kwargs() -> None:
    seen: list[Any] = []

    def remember(ctx: Any, event: Any) -> dict[str, Any]:
        seen.append((ctx.total, event.name, dict(event.data)))
        return {"total": ctx.total + event.data["amount"]}

    chart = from_transitions(dict(states=["a"], transitions=[dict(trigger="add", source="a", dest=None, after="remember")],
                                  initial="a"), callbacks={"remember": remember}, context={"total": 0})
    i = Interpreter(chart)
    i.send("add", amount=5)
    i.send("add", amount=2)
    assert i.context["total"] == 7
    assert seen == [(0, "add", {"amount": 5}), (5, "add", {"amount": 2})]


def test_dynamic_on_enter_method_is_picked_up_like_transitions_does() -> None:
    class Model:
        entered = 0

        def on_enter_b(self) -> None:
            self.entered += 1

    model = Model()
    definition = dict(states=["a", "b"], transitions=[["go", "a", "b"]], initial="a")
    HierarchicalMachine(model, **definition)
    model.trigger("go")
    callbacks = {"on_enter_b": lambda c, e: {"entered": c.entered + 1}}
    chart = from_transitions(definition, callbacks=callbacks, context={"entered": 0})
    i = Interpreter(chart)
    i.send("go")
    assert model.entered == i.context["entered"] == 1


def test_enum_states() -> None:
    class S(enum.Enum):
        RED = 1
        GREEN = 2

    model = type("M", (), {})()
    HierarchicalMachine(model, states=S, transitions=[["go", S.RED, S.GREEN]], initial=S.RED)
    chart = from_transitions(dict(states=S, transitions=[["go", S.RED, S.GREEN]], initial=S.RED))
    i = Interpreter(chart)
    model.trigger("go")
    i.send("go")
    assert flatten(model.state) == list(i.leaves) == ["GREEN"]


def test_default_initial_state_is_added_like_transitions() -> None:
    model = type("M", (), {})()
    HierarchicalMachine(model, states=["a"], transitions=[["go", "initial", "a"]])
    chart = from_transitions(dict(states=["a"], transitions=[["go", "initial", "a"]]))
    i = Interpreter(chart)
    assert model.state == "initial" and i.leaves == ("initial",)
    model.trigger("go")
    i.send("go")
    assert model.state == "a" and i.leaves == ("a",)


def test_timeout_becomes_an_after_timer() -> None:
    states = ["a", {"name": "b", "timeout": 0.5, "on_timeout": "late"}]
    definition = dict(states=states, transitions=[["go", "a", "b"]], initial="a")
    chart = from_transitions(definition, callbacks={"late": lambda c, e: {"late": True}}, context={"late": False})
    i = Interpreter(chart)
    i.send("go")
    i.advance(499)
    assert not i.context["late"]
    i.advance(1)
    assert i.context["late"]


def test_on_final_of_a_compound_and_final_states() -> None:
    definition = dict(
        states=["a", {"name": "job", "initial": "run", "on_final": "finished",
                      "children": ["run", {"name": "ok", "final": True}]}],
        transitions=[["go", "a", "job"], ["succeed", "job_run", "job_ok"]],
        initial="a",
    )
    model = type("M", (), {"done": 0})()
    model.finished = lambda *a, **k: setattr(model, "done", model.done + 1)
    HierarchicalMachine(model, **definition)
    chart = from_transitions(definition, callbacks={"finished": lambda c, e: {"done": c.done + 1}}, context={"done": 0})
    assert type(chart.states["job_ok"]).__name__ == "Final"
    i = Interpreter(chart)
    for e in ["go", "succeed"]:
        model.trigger(e)
        i.send(e)
    assert flatten(model.state) == list(i.leaves) == ["job_ok"]
    assert model.done == i.context["done"] == 1


def test_explicit_internal_key_makes_an_scxml_internal_transition() -> None:
    definition = dict(states=[{"name": "p", "initial": "x", "children": ["x", "y"], "on_exit": "out"}],
                      transitions=[dict(trigger="go", source="p", dest="p_y", internal=True)], initial="p")
    chart = from_transitions(definition, callbacks={"out": lambda c, e: {"n": c.n + 1}}, context={"n": 0})
    i = Interpreter(chart)
    i.send("go")
    assert i.leaves == ("p_y",) and i.context["n"] == 0
    with pytest.raises(TypeError):  # transitions 0.9 itself has no 'internal' argument
        HierarchicalMachine(states=definition["states"], transitions=definition["transitions"], initial="p")


def test_auto_transitions_can_be_switched_off() -> None:
    chart = from_transitions(dict(states=["a", "b"], initial="a", auto_transitions=False))
    assert chart.event_names() == []
    assert "to_b" in from_transitions(dict(states=["a", "b"], initial="a")).event_names()


# --------------------------------------------------------------------------- documented differences


def test_difference_invalid_trigger_raises_there_is_discarded_here() -> None:
    t = twin("flat")
    with pytest.raises(MachineError):
        t.model.trigger("resume")  # valid trigger, wrong state
    with pytest.raises(AttributeError):
        t.model.trigger("bogus")  # unknown trigger
    before = t.interp.snapshot()
    assert t.interp.send("resume").taken == ()  # no transition fired: what MachineError reports
    assert t.interp.send("bogus").taken == ()
    assert t.interp.snapshot() == before
    assert t.interp.send("start").taken != ()


def test_difference_callback_order() -> None:
    names = ["prepare", "before", "after", "exit_a", "enter_b", "bsc", "asc"]
    definition = dict(
        states=[{"name": "a", "on_exit": "exit_a"}, {"name": "b", "on_enter": "enter_b"}],
        transitions=[dict(trigger="go", source="a", dest="b", prepare="prepare", before="before", after="after")],
        initial="a", before_state_change="bsc", after_state_change="asc",
    )
    t = Twin(definition, acts={n: rec(n) for n in names}, context={"trace": ()})
    t.send("go")
    assert t.model.trace == ("prepare", "bsc", "before", "exit_a", "enter_b", "after", "asc")
    assert t.interp.context["trace"] == ("exit_a", "prepare", "bsc", "before", "after", "asc", "enter_b")


def test_difference_prepare_runs_even_when_conditions_fail() -> None:
    definition = dict(states=["a", "b", "c"], initial="a", transitions=[
        dict(trigger="go", source="a", dest="b", conditions="no", prepare="p1"),
        dict(trigger="go", source="a", dest="c", prepare="p2"),
    ])
    t = Twin(definition, conds={"no": lambda v: False}, acts={"p1": rec("p1"), "p2": rec("p2")}, context={"trace": ()})
    t.send("go")
    assert t.theirs() == t.ours() == ["c"]
    assert t.model.trace == ("p1", "p2")
    assert t.interp.context["trace"] == ("p2",)


DIAMOND = dict(
    states=["a", {"name": "p", "parallel": [
        {"name": "r1", "initial": "u", "children": ["u", "v"]},
        {"name": "r2", "initial": "s", "children": ["s", "t"]},
    ]}],
    initial="p",
)


def _diamond(*trans: Any) -> Twin:
    return Twin({**DIAMOND, "transitions": list(trans)})


def test_difference_first_region_leaves_parallel_but_second_still_fires() -> None:
    t = _diamond(["e", "p_r1_u", "a"], ["e", "p_r2_s", "p_r2_t"])
    t.send("e")
    assert t.theirs() == ["p_r2_t"]  # transitions re-enters p through r2 only: r1 has no active state
    assert t.ours() == ["a"]  # SCXML: the second transition conflicts with the first and is dropped


def test_difference_second_region_leaves_parallel_after_first_moved() -> None:
    t = _diamond(["e", "p_r1_u", "p_r1_v"], ["e", "p_r2_s", "a"])
    t.send("e")
    assert t.theirs() == ["a"]
    assert t.ours() == ["p_r1_v", "p_r2_s"]  # the earlier (document order) transition wins the conflict


def test_agreement_both_regions_move() -> None:
    t = _diamond(["e", "p_r1_u", "p_r1_v"], ["e", "p_r2_s", "p_r2_t"])
    t.send("e")
    t.assert_same()
    assert t.ours() == ["p_r1_v", "p_r2_t"]


def test_difference_cross_region_transition_keeps_other_region_there() -> None:
    t = _diamond(["m", "p_r1_u", "p_r1_v"], ["e", "p_r1_v", "p_r2_t"], ["f", "p", "p_r2_t"])
    t.send("m")
    t.send("e")
    assert t.theirs() == ["p_r1_v", "p_r2_t"]
    assert t.ours() == ["p_r1_u", "p_r2_t"]  # SCXML exits and re-enters the whole parallel state
    t2 = _diamond(["m", "p_r1_u", "p_r1_v"], ["f", "p", "p_r2_t"])
    t2.send("m")
    t2.send("f")
    assert t2.theirs() == ["p_r1_v", "p_r2_t"]
    assert t2.ours() == ["p_r1_u", "p_r2_t"]


def test_difference_reflexive_region_keeps_sibling_there() -> None:
    t = _diamond(["m", "p_r2_s", "p_r2_t"], ["e", "p_r1", "="])
    t.send("m")
    t.send("e")
    assert t.theirs() == ["p_r1_u", "p_r2_t"]
    assert t.ours() == ["p_r1_u", "p_r2_s"]
    t.send("to_p_r1")
    t.send("m")
    t.send("to_p_r1")
    assert t.theirs() == ["p_r1_u", "p_r2_t"]
    assert t.ours() == ["p_r1_u", "p_r2_s"]


def test_agreement_auto_transition_into_a_region_keeps_sibling() -> None:
    t = _diamond(["m", "p_r1_u", "p_r1_v"])
    t.run(["m", "to_p_r2_t", "to_p_r1_u", "m", "to_p_r2_s", "to_a", "to_p"])


def test_difference_entering_one_region_of_a_parallel() -> None:
    t = _diamond(["out", "p", "a"], ["in", "a", "p_r2_t"])
    t.send("out")
    t.send("in")
    assert t.theirs() == ["p_r2_t"]  # transitions enters only the targeted region
    assert t.ours() == ["p_r1_u", "p_r2_t"]  # SCXML enters every region (the others at their initial)
    t.send("to_a")
    t.send("to_p_r1_v")
    assert t.theirs() == ["p_r1_v"]
    assert t.ours() == ["p_r1_v", "p_r2_s"]


def test_difference_compound_without_initial() -> None:
    t = Twin(dict(states=["a", {"name": "c", "children": ["c1", "c2"]}], transitions=[["go", "a", "c"]], initial="a"))
    t.send("go")
    assert t.theirs() == ["c"]  # transitions rests in the compound state itself
    assert t.ours() == ["c_c1"]  # SCXML enters the first child


def test_difference_parallel_entry_and_exit_order() -> None:
    def st_(n: str, children: list[Any] | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {"name": n, "on_enter": f"in_{n}", "on_exit": f"out_{n}"}
        if children:
            d.update(initial=children[0]["name"], children=children)
        return d

    states = [st_("a"), {**st_("p"), "parallel": [st_("r1", [st_("u")]), st_("r2", [st_("s")])]}]
    names = [f"{k}_{n}" for k in ("in", "out") for n in ("a", "p", "r1", "r2", "u", "s")]
    t = Twin(dict(states=states, transitions=[["go", "a", "p"], ["back", "p", "a"]], initial="a"),
             acts={n: rec(n) for n in names}, context={"trace": ()})
    assert t.model.trace == ()  # transitions does not run on_enter of the initial state
    assert t.interp.context["trace"] == ("in_a",)  # SCXML enters it
    t.interp.restore(t.interp.state._replace(context=((),)))
    t.send("go")
    assert t.theirs() == t.ours()
    assert t.model.trace == ("out_a", "in_p", "in_r1", "in_r2", "in_u", "in_s")  # breadth first
    assert t.interp.context["trace"] == ("out_a", "in_p", "in_r1", "in_u", "in_r2", "in_s")  # document order
    t.model.trace = ()
    t.interp.restore(t.interp.state._replace(context=((),)))
    t.send("back")
    assert t.model.trace == ("out_u", "out_s", "out_r1", "out_r2", "out_p", "in_a")
    assert t.interp.context["trace"] == ("out_s", "out_r2", "out_u", "out_r1", "out_p", "in_a")  # reverse document order


def test_difference_scoped_transitions_beat_deeper_global_ones() -> None:
    t = Twin(dict(
        states=["a", {"name": "b", "initial": "z", "children": [{"name": "z", "initial": "k", "children": ["k", "l"]}],
                      "transitions": [["t", "z", "z_l"]]}],
        transitions=[["t", "b_z_k", "a"]], initial="b"))
    t.send("t")
    assert t.theirs() == ["b_z_l"]  # the transition declared in b's scope is tried first
    assert t.ours() == ["a"]  # SCXML: the transition of the deeper source state wins


def test_difference_scoped_transitions_exit_up_to_their_scope() -> None:
    def st_(n: str, children: list[Any] | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {"name": n, "on_enter": f"in_{n}", "on_exit": f"out_{n}"}
        if children:
            d.update(initial=children[0]["name"], children=children)
        return d

    names = [f"{k}_{n}" for k in ("in", "out") for n in ("on", "high", "warm", "hot", "low")]
    for scoped in (True, False):
        on = st_("on", [st_("low"), st_("high", [st_("warm"), st_("hot")])])
        trans: list[Any] = [["up", "on_high_warm", "on_high_hot"]]
        if scoped:
            on["transitions"], trans = [["up", "high_warm", "high_hot"]], []
        definition = dict(states=[on], transitions=trans, initial="on_high_warm")
        t = Twin(definition, acts={n: rec(n) for n in names}, context={"trace": ()})
        t.model.trace = ()
        t.interp.restore(t.interp.state._replace(context=((),)))
        t.send("up")
        assert t.theirs() == t.ours() == ["on_high_hot"]
        assert t.interp.context["trace"] == ("out_warm", "in_hot")
        # declared inside 'on', transitions exits and re-enters everything below 'on'
        assert t.model.trace == (("out_warm", "out_high", "in_high", "in_hot") if scoped else ("out_warm", "in_hot"))


def test_difference_top_level_final_state_ends_the_chart() -> None:
    t = Twin(dict(states=["a", {"name": "end", "final": True}], transitions=[["stop", "a", "end"]], initial="a"))
    t.send("stop")
    assert t.theirs() == t.ours() == ["end"]
    assert t.interp.is_final
    t.send("to_a")  # transitions may leave a final state; a finished chart accepts nothing
    assert t.theirs() == ["a"]
    assert t.ours() == ["end"]


def test_difference_markup_records_after_state_change_wrongly() -> None:
    markup = HierarchicalMarkupMachine(states=["a", "b"], initial="a", before_state_change="x", after_state_change="y").markup
    assert markup["after_state_change"] == ["x"]  # a bug in transitions 0.9.3's markup
    model = type("M", (), {})()
    live = HierarchicalMachine(model, states=["a", "b"], initial="a", before_state_change="x", after_state_change="y")
    with pytest.raises(ChartDefinitionError, match="'y' is not supplied"):
        from_transitions(live, callbacks={"x": lambda c, e: None})  # the live machine is read correctly


def test_difference_queued_irrelevant_callbacks_cannot_trigger() -> None:
    # transitions (queued=False) runs a trigger fired inside a callback at once; our callbacks
    # get a read-only ctx and cannot fire triggers, so both settings import the same chart.
    callbacks = chart_callbacks({**FLAT_CONDS, **FLAT_ACTS})
    a = from_transitions(dict(FLAT, queued=True), callbacks=callbacks)
    b = from_transitions(dict(FLAT, queued=False), callbacks=callbacks)
    assert len(a.transitions) == len(b.transitions)


# --------------------------------------------------------------------------- errors


def test_missing_callback_names_transition_and_lists_supplied() -> None:
    with pytest.raises(ChartDefinitionError) as info:
        from_transitions(FLAT, callbacks={"count": lambda c, e: None, "is_even": lambda c, e: True})
    msg = str(info.value)
    assert "transition 'pause' from 'running'" in msg and "'below_limit' is not supplied" in msg
    assert "supplied callbacks: count, is_even" in msg


def test_missing_state_callback_names_the_state() -> None:
    expected = r"state 'paused' on_enter: callback 'count' is not supplied \(supplied callbacks: none"
    with pytest.raises(ChartDefinitionError, match=expected):
        from_transitions(dict(states=["a", {"name": "paused", "on_enter": "count"}], initial="a"))


def test_missing_unless_and_action_callbacks() -> None:
    base = dict(states=["a", "b"], initial="a")
    with pytest.raises(ChartDefinitionError, match="unless: condition 'u' is not supplied"):
        from_transitions({**base, "transitions": [dict(trigger="go", source="a", dest="b", unless="u")]})
    with pytest.raises(ChartDefinitionError, match="actions: callback 'aft' is not supplied"):
        from_transitions({**base, "transitions": [dict(trigger="go", source="a", dest="b", after="aft")]})


def test_anonymous_callable_is_rejected() -> None:
    with pytest.raises(ChartDefinitionError, match="has no name to look up"):
        from_transitions(dict(states=["a", "b"], initial="a",
                              transitions=[dict(trigger="go", source="a", dest="b", conditions=lambda: True)]))


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ({"ordered_transitions": True}, "ordered_transitions=True is not supported"),
        ({"prepare_event": "p"}, "prepare_event is not supported"),
        ({"finalize_event": ["f"]}, "finalize_event is not supported"),
        ({"on_exception": "h"}, "on_exception is not supported"),
        ({"on_final": "h"}, "on_final without a top-level final state"),
        ({"whatever": 1}, "unsupported machine argument"),
        ({"initial": None}, "initial=None"),
        ({"initial": "nowhere"}, "initial state 'nowhere' is not declared"),
    ],
)
def test_unsupported_machine_settings(extra: dict[str, Any], match: str) -> None:
    with pytest.raises(ChartDefinitionError, match=match):
        from_transitions({**dict(states=["a", "b"], initial="a"), **extra})


@pytest.mark.parametrize(
    ("states", "transitions_", "match"),
    [
        (["a", {"name": "b", "remap": {}}], [], "unsupported state key.*'remap'"),
        (["a", {"name": "b", "volatile": object}], [], "Volatile"),
        (["a", {"name": "b", "timeout": 1}], [], "timeout without on_timeout"),
        (["a", {"name": "b", "timeout": "soon", "on_timeout": "x"}], [], "not a number of seconds"),
        (["a", {"name": "b", "final": True, "children": ["c"]}], [], "final state with children"),
        (["a", {"name": "b", "initial": ["x", "y"], "children": ["x", "y", "z"]}], [], "only some children"),
        (["a", {"name": "b", "final": True}], [["go", "b", "a"]], "transition out of final state 'b'"),
        (["a", "b"], [["go", "a", "c"]], "unknown state 'c'"),
        (["a", "b"], [["go", "x", "b"]], "unknown state 'x'"),
        (["a", "b"], [["go", "a"]], "is not \\[trigger, source, dest"),
        (["a", "b"], [dict(trigger="go", source="a", dest="b", guard="g")], "unsupported transition key"),
        (["a", "b"], [dict(source="a", dest="b")], "has no trigger"),
        (["a", "b"], [dict(trigger="go", dest="b")], "has no source"),
        (["a", "b"], ["go"], "neither a list nor a dict"),
        (["a", "b"], [["go now", "a", "b"]], "whitespace"),
        (["a", "b"], [["go", "a", "b"], ["go.on", "b", "a"]], "dotted prefix"),
        (["a", {"name": "b", "final": True}], [["done", "a", "b"]], "done.state"),
        (["a_b", {"name": "a", "children": ["b"], "initial": "b"}], [], "duplicate state 'a_b'"),
        ([42], [], "not a name, an enum member or a dict"),
    ],
)
def test_malformed_definitions(states: list[Any], transitions_: list[Any], match: str) -> None:
    with pytest.raises(ChartDefinitionError, match=match):
        from_transitions(dict(states=states, transitions=transitions_, initial="a"), callbacks={"x": lambda c, e: None})


def test_bad_arguments() -> None:
    with pytest.raises(ChartDefinitionError, match="cannot read a definition from int"):
        from_transitions(3)
    with pytest.raises(ChartDefinitionError, match="callbacks must be a mapping"):
        from_transitions(dict(states=["a"], initial="a"), callbacks=[])  # type: ignore[arg-type]
    with pytest.raises(ChartDefinitionError, match="nested machine as a state"):
        from_transitions(dict(states=["a", HierarchicalMachine(states=["x"], initial="x")], initial="a"))


def test_live_machine_with_timeout_and_on_final() -> None:
    from transitions.extensions.states import Timeout, add_state_features

    @add_state_features(Timeout)
    class TimedMachine(HierarchicalMachine):  # type: ignore[misc]
        pass

    model = type("M", (), {"late": lambda self: None, "finished": lambda self: None})()
    machine = TimedMachine(model, states=["a", {"name": "b", "timeout": 0.25, "on_timeout": "late"},
                                          {"name": "job", "initial": "run", "on_final": "finished",
                                           "children": ["run", {"name": "ok", "final": True}]}],
                           transitions=[["go", "a", "b"], ["work", "b", "job"], ["succeed", "job_run", "job_ok"]], initial="a")
    chart = from_transitions(machine, callbacks={"late": lambda c, e: {"late": c.late + 1},
                                                 "finished": lambda c, e: {"done": True}}, context={"late": 0, "done": False})
    i = Interpreter(chart)
    i.send("go")
    i.advance(250)
    assert i.context["late"] == 1
    i.send("work")
    i.send("succeed")
    assert i.leaves == ("job_ok",) and i.context["done"] is True
