"""The expression language: builder and string forms, printing, parsing, compiling.

The property tests generate random well-typed expression trees with the Python builder,
print them with ``to_source``, parse them back with ``parse`` and check that both forms
(and Python itself, evaluating the printed source) agree on random contexts.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statecharts import Event, ExpressionError, FrozenMap, In, and_, call, const, ctx, event, if_else, not_, or_, parse, to_source
from statecharts.expr import (
    Attr,
    BinOp,
    BoolOp,
    Call,
    Compare,
    Const,
    Ctx,
    Expr,
    IfElse,
    Index,
    Node,
    Quant,
    TupleLit,
    Unary,
    Var,
    all_of,
    any_of,
    compile_expr,
    context_fields,
    var,
)

FIELDS = ("a", "b", "c")
INDEX = {name: i for i, name in enumerate(FIELDS)}
STATES = {"A": 1 << 1, "B": 1 << 2}


def evaluate(node: Node, values: dict[str, Any], ev: Event | None = None, cfg: int = 0) -> Any:
    fields = {k: i for i, k in enumerate(values)}
    f = compile_expr(node, fields, STATES.__getitem__)
    return f(tuple(values.values()), ev or Event.of("e"), cfg, {})


# --------------------------------------------------------------------------- unit tests


@pytest.mark.parametrize(
    ("built", "text"),
    [
        (ctx.a < 3, "ctx.a < 3"),
        (ctx.a + 1 == ctx.b * 2, "ctx.a + 1 == ctx.b * 2"),
        ((ctx.a > 0) & (ctx.b > 0), "ctx.a > 0 and ctx.b > 0"),
        (~(ctx.a == 1) | (ctx.b != 2), "not ctx.a == 1 or ctx.b != 2"),
        (ctx.a // 2 % 3, "ctx.a // 2 % 3"),
        (ctx.a - (ctx.b - 1), "ctx.a - (ctx.b - 1)"),
        ((ctx.a - ctx.b) - 1, "ctx.a - ctx.b - 1"),
        (-ctx.a, "-ctx.a"),
        (ctx.a.is_in((1, 2)), "ctx.a in (1, 2)"),
        (ctx.a.not_in({3}), "ctx.a not in {3}"),
        (event.amount > ctx.a, "event.amount > ctx.a"),
        (event.name == "go", "event.name == 'go'"),
        (if_else(ctx.a > 0, 1, 2), "1 if ctx.a > 0 else 2"),
        (call("len", ctx.a), "len(ctx.a)"),
        (In("A"), "In('A')"),
        (ctx.a.f, "ctx.a.f"),
        (ctx.a["k"], "ctx.a['k']"),
        (const(3).x, "(3).x"),
        (const(-3)["k"], "(-3)['k']"),
        (ctx.a - -3, "ctx.a - -3"),
        (7 // ctx.a, "7 // ctx.a"),
        (7 % ctx.a, "7 % ctx.a"),
        (1 - ctx.a, "1 - ctx.a"),
        (2 * ctx.a, "2 * ctx.a"),
        (all_of("x", ctx.a, lambda x: x > 0), "all(x > 0 for x in ctx.a)"),
        (any_of("x", if_else(ctx.b, ctx.a, ()), lambda x: x > 0), "any(x > 0 for x in (ctx.a if ctx.b else ()))"),
    ],
)
def test_builder_prints_and_parses_back(built: Expr, text: str) -> None:
    assert to_source(built.node) == text
    bound = {"x"} if "for x" in text else set()
    assert parse(text, bound=bound) == built.node


def test_short_labels_and_bare_field_names() -> None:
    node = (ctx.retries < 3).node
    assert to_source(node, short=True) == "retries < 3"
    assert parse("retries < 3", fields=["retries"]) == node
    with pytest.raises(ExpressionError, match="unknown name 'retries'") as info:
        parse("retries < 3")
    assert info.value.hint is not None and "ctx.retries" in info.value.hint


def test_chained_comparison_and_power_and_unary_plus() -> None:
    assert parse("0 < ctx.a < 3") == BoolOp("and", (Compare("<", Const(0), Ctx("a")), Compare("<", Ctx("a"), Const(3))))
    assert parse("ctx.a ** 2") == Call("pow", (Ctx("a"), Const(2)))
    assert parse("+ctx.a") == Ctx("a")
    assert parse("-3") == Const(-3)
    assert parse("[1, 2]") == Const((1, 2))
    assert parse("{'k': 1}") == Const(FrozenMap(k=1))


def test_literals_with_expressions_stay_trees() -> None:
    assert parse("(ctx.a, 1)") == TupleLit((Ctx("a"), Const(1)))
    assert evaluate(parse("{'k': ctx.a, 'j': 2}"), {"a": 5}) == FrozenMap(k=5, j=2)
    assert evaluate(parse("{ctx.a, 1}"), {"a": 5}) == frozenset({1, 5})


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("all(x > 0 for x in ctx.a)", {"a": (1, 2)}, True),
        ("any(x > 1 for x in ctx.a if x < 3)", {"a": (1, 2, 5)}, True),
        ("all(x > 1 for x in ctx.a if x != 1)", {"a": (1, 2, 5)}, True),
        ("{x * 2 for x in ctx.a if x > 1}", {"a": frozenset({1, 2, 3})}, frozenset({4, 6})),
        ("len(append(ctx.a, 3))", {"a": (1,)}, 2),
        ("put(ctx.m, 'k', 2).k", {"m": FrozenMap()}, 2),
        ("remove(ctx.s, 1)", {"s": frozenset({1, 2})}, frozenset({2})),
        ("head(ctx.a) + len(tail(ctx.a))", {"a": (7, 8, 9)}, 9),
        ("sum(range(1, 4)) + max(ctx.a) - min(ctx.a)", {"a": (2, 5)}, 9),
        ("keys(ctx.m)", {"m": FrozenMap(x=1)}, frozenset({"x"})),
        ("'n=' + ctx.a", {"a": 3}, "n=3"),
        ("ctx.a | ctx.b", {"a": frozenset({1}), "b": frozenset({2})}, frozenset({1, 2})),
        ("ctx.a & ctx.b", {"a": frozenset({1, 2}), "b": frozenset({2})}, frozenset({2})),
        ("abs(-ctx.a) if not ctx.a == 0 else 99", {"a": 4}, 4),
    ],
)
def test_evaluation(text: str, values: dict[str, Any], expected: Any) -> None:
    assert evaluate(parse(text), values) == expected


def test_event_access() -> None:
    ev = Event.of("pay", {"amount": 5}, origin="client")
    assert evaluate(parse("event.amount + 1"), {}, ev) == 6
    assert evaluate(parse("event.origin"), {}, ev) == "client"
    assert evaluate(parse("event.data"), {}, ev) == FrozenMap(amount=5)
    assert evaluate(parse("_event.data.amount"), {}, ev) == 5
    with pytest.raises(KeyError, match="no data field 'missing'"):
        evaluate(parse("event.missing"), {}, ev)


def test_in_predicate_uses_the_configuration_mask() -> None:
    assert evaluate(In("A").node, {}, cfg=STATES["A"]) is True
    assert evaluate(In("B").node, {}, cfg=STATES["A"]) is False
    with pytest.raises(ExpressionError, match="inside a chart"):
        compile_expr(In("A").node, {})


def test_compile_rejects_unknown_field() -> None:
    with pytest.raises(ExpressionError, match="unknown context field 'zz'"):
        compile_expr((ctx.zz + 1).node, INDEX)
    assert context_fields((ctx.a + ctx.b * ctx.a).node) == {"a", "b"}


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("__import__('os')", "unknown function '__import__'"),
        ("__import__('os').system('true')", "only the language's built-in functions can be called"),
        ("ctx.a.__class__", "private attributes"),
        ("().__class__.__bases__", "private attributes"),
        ("ctx.a.append(1)", "only the language's built-in functions can be called"),
        ("len(ctx.a, key=1)", "keyword arguments"),
        ("ctx.a[1:2]", "slices are not supported"),
        ("lambda: 0", "Lambda is not part of the expression language"),
        ("[x for x in ctx.a]", "ListComp is not part of the expression language"),
        ("ctx.a is None", "comparison Is is not supported"),
        ("ctx.a << 1", "operator LShift is not supported"),
        ("ctx.a / 2", "'/' is not in the language"),
        ("1.5", "floating-point constant 1.5"),
        ("b'x'", "is not supported"),
        ("ctx", "'ctx' needs a field"),
        ("In(ctx.a)", "In\\(\\) takes one state id"),
        ("{**ctx.a}", "'\\*\\*' in a map literal"),
        ("all(x for x in ctx.a for y in ctx.b)", "one 'for name in domain' clause"),
        ("ctx.a <", "cannot parse expression"),
    ],
)
def test_parse_rejects_everything_outside_the_language(text: str, match: str) -> None:
    with pytest.raises(ExpressionError, match=match):
        parse(text)


def test_builder_refuses_true_division_both_ways() -> None:
    with pytest.raises(ExpressionError, match="'/' is not in the language"):
        ctx.a / 2
    with pytest.raises(ExpressionError, match="'/' is not in the language"):
        2 / ctx.a


def test_builder_refuses_python_boolean_operators() -> None:
    with pytest.raises(ExpressionError, match="no truth value"):
        bool(ctx.a < 1)
    with pytest.raises(ExpressionError, match="no truth value"):
        _ = (ctx.a < 1) and (ctx.b < 2)


def test_and_or_not_helpers() -> None:
    assert and_(ctx.a, ctx.b, ctx.c).node == BoolOp("and", (Ctx("a"), Ctx("b"), Ctx("c")))
    assert or_(ctx.a, False).node == BoolOp("or", (Ctx("a"), Const(False)))
    assert not_(ctx.a).node == Unary("not", Ctx("a"))
    assert to_source(var("x").node) == "x"


def test_frozen_map_is_immutable_and_hashable() -> None:
    m = FrozenMap(a=1)
    for mutate in (lambda: m.__setitem__("b", 2), lambda: m.update(b=2), lambda: m.pop("a"), m.clear):
        with pytest.raises(TypeError):
            mutate()
    with pytest.raises(TypeError):
        m |= {"b": 2}
    assert m == {"a": 1}
    merged = m | {"b": 2}
    assert isinstance(merged, FrozenMap) and merged == {"a": 1, "b": 2}
    assert isinstance({"z": 0} | m, FrozenMap)
    assert hash(m.set("b", 2)) == hash(merged)
    assert m.a == 1
    assert m.remove("a") == {}


# --------------------------------------------------------------------------- property tests

INT_OPS = ("+", "-", "*", "//", "%")
CMP_OPS = ("==", "!=", "<", "<=", ">", ">=")
ZERO_DIV = ("error", "ZeroDivisionError")


def _apply_int(op: str, x: Any, y: Any) -> Any:
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "//":
        return x // y
    return x % y


def _apply_cmp(op: str, x: Any, y: Any) -> Any:
    return {
        "==": lambda: x == y,
        "!=": lambda: x != y,
        "<": lambda: x < y,
        "<=": lambda: x <= y,
        ">": lambda: x > y,
        ">=": lambda: x >= y,
    }[op]()


@st.composite
def int_exprs(draw: st.DrawFn, depth: int = 3) -> Any:
    """A random integer-valued builder expression (sometimes a plain Python int)."""
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            return getattr(ctx, draw(st.sampled_from(FIELDS)))
        return draw(st.integers(-6, 6))
    kind = draw(st.sampled_from(["bin", "bin", "bin", "neg", "if", "call", "len"]))
    if kind == "bin":
        op = draw(st.sampled_from(INT_OPS))
        left, right = draw(int_exprs(depth - 1)), draw(int_exprs(depth - 1))
        if not isinstance(left, Expr) and not isinstance(right, Expr):
            left = const(left)  # two Python ints would just be added by Python
        return _apply_int(op, left, right)
    if kind == "neg":
        inner = draw(int_exprs(depth - 1))
        return -inner if isinstance(inner, Expr) else -const(inner)
    if kind == "if":
        return if_else(draw(bool_exprs(depth - 1)), draw(int_exprs(depth - 1)), draw(int_exprs(depth - 1)))
    if kind == "call":
        fn = draw(st.sampled_from(["abs", "min", "max"]))
        n = 1 if fn == "abs" else draw(st.integers(1, 3))
        if fn != "abs" and n == 1:
            return call(fn, [draw(int_exprs(depth - 1))])
        return call(fn, *[draw(int_exprs(depth - 1)) for _ in range(n)])
    return call("len", [draw(int_exprs(depth - 1)) for _ in range(draw(st.integers(0, 3)))])


@st.composite
def bool_exprs(draw: st.DrawFn, depth: int = 3) -> Any:
    """A random boolean-valued builder expression."""
    if depth <= 0 or draw(st.integers(0, 4)) == 0:
        choice = draw(st.sampled_from(["const", "in_state", "cmp"]))
        if choice == "const":
            return const(draw(st.booleans()))
        if choice == "in_state":
            return In(draw(st.sampled_from(sorted(STATES))))
        depth = 1
    kind = draw(st.sampled_from(["cmp", "cmp", "and", "or", "not", "member", "nary", "if"]))
    if kind == "cmp":
        op = draw(st.sampled_from(CMP_OPS))
        left, right = draw(int_exprs(depth - 1)), draw(int_exprs(depth - 1))
        if not isinstance(left, Expr) and not isinstance(right, Expr):
            left = const(left)
        return _apply_cmp(op, left, right)
    if kind == "and":
        return draw(bool_exprs(depth - 1)) & draw(bool_exprs(depth - 1))
    if kind == "or":
        return draw(bool_exprs(depth - 1)) | draw(bool_exprs(depth - 1))
    if kind == "not":
        return ~draw(bool_exprs(depth - 1))
    if kind == "member":
        item = draw(int_exprs(depth - 1))
        coll = tuple(draw(st.lists(st.integers(-3, 3), max_size=3)))
        item = item if isinstance(item, Expr) else const(item)
        return item.is_in(coll) if draw(st.booleans()) else item.not_in(coll)
    if kind == "nary":
        items = [draw(bool_exprs(depth - 1)) for _ in range(draw(st.integers(3, 4)))]
        return and_(*items) if draw(st.booleans()) else or_(*items)
    return if_else(draw(bool_exprs(depth - 1)), draw(bool_exprs(depth - 1)), draw(bool_exprs(depth - 1)))


any_exprs = st.one_of(int_exprs(), bool_exprs()).map(lambda e: e if isinstance(e, Expr) else const(e))
contexts = st.fixed_dictionaries({name: st.integers(-8, 8) for name in FIELDS})
configurations = st.sampled_from([0, STATES["A"], STATES["B"], STATES["A"] | STATES["B"]])


def outcome(f: Any) -> Any:
    try:
        return ("ok", f())
    except ZeroDivisionError:
        return ZERO_DIV


def python_eval(source: str, values: dict[str, int], cfg: int) -> Any:
    """Python's own reading of the printed source (the oracle; our generated text only)."""
    namespace = {
        "__builtins__": {},
        "ctx": SimpleNamespace(**values),
        "In": lambda s: bool(cfg & STATES[s]),
        "abs": abs,
        "min": min,
        "max": max,
        "len": len,
    }
    return eval(source, namespace)  # the text was printed from our own generated tree


def normalise(node: Node) -> Node:
    """The tree ``parse`` builds for the same text: ``-<int constant>`` folds to a constant."""
    if isinstance(node, Unary):
        inner = normalise(node.operand)
        if node.op == "-" and isinstance(inner, Const) and type(inner.value) is int:
            return Const(-inner.value)
        return Unary(node.op, inner)
    if isinstance(node, BinOp):
        return BinOp(node.op, normalise(node.left), normalise(node.right))
    if isinstance(node, Compare):
        return Compare(node.op, normalise(node.left), normalise(node.right))
    if isinstance(node, BoolOp):
        return BoolOp(node.op, tuple(normalise(i) for i in node.items))
    if isinstance(node, IfElse):
        return IfElse(normalise(node.cond), normalise(node.then), normalise(node.other))
    if isinstance(node, TupleLit):
        items = tuple(normalise(i) for i in node.items)
        if all(isinstance(i, Const) for i in items):
            return Const(tuple(i.value for i in items))  # type: ignore[attr-defined]
        return TupleLit(items)
    if isinstance(node, Call):
        return Call(node.fn, tuple(normalise(a) for a in node.args))
    if isinstance(node, (Attr, Index, Quant)):  # pragma: no cover - not generated
        return node
    return node


SETTINGS = settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(expr=any_exprs, values=contexts, cfg=configurations)
def test_string_and_builder_forms_evaluate_alike(expr: Expr, values: dict[str, int], cfg: int) -> None:
    node = expr.node
    source = to_source(node)
    parsed = parse(source)
    built = compile_expr(node, INDEX, STATES.__getitem__)
    reparsed = compile_expr(parsed, INDEX, STATES.__getitem__)
    args: tuple[Any, ...] = (tuple(values[k] for k in FIELDS), Event.of("e"), cfg, {})
    expected = outcome(lambda: built(*args))
    assert outcome(lambda: reparsed(*args)) == expected, source
    assert outcome(lambda: python_eval(source, values, cfg)) == expected, source


@pytest.mark.slow
@SETTINGS
@given(expr=any_exprs)
def test_parse_of_to_source_is_the_same_tree(expr: Expr) -> None:
    node = expr.node
    source = to_source(node)
    assert parse(source) == normalise(node), source
    assert to_source(parse(source)) == to_source(normalise(node))
    assert parse(to_source(node, short=True), fields=FIELDS) == normalise(node)


# --------------------------------------------------------------------------- the extension hook


def _twice_extension(asked: list[Node]) -> Any:
    """An extension adding ``twice(x)`` and ``seven`` (a string constant read as 7), as a layer above would."""

    def extension(node: Node, compile: Any) -> Any:
        asked.append(node)
        if isinstance(node, Call) and node.fn == "twice":
            (arg,) = node.args
            f = compile(arg)
            return lambda c, e, g, b: 2 * f(c, e, g, b)
        if isinstance(node, Const) and node.value == "seven":
            return lambda c, e, g, b: 7
        return None

    return extension


def test_an_extension_adds_functions_anywhere_in_an_expression() -> None:
    """compile_expr's public hook (simulate.properties adds the system functions through it): asked first
    about every node, it compiles sub-expressions with the same hook, inside quantifiers too, and
    leaves every other node to the language."""
    asked: list[Node] = []
    twice_a = Call("twice", (Ctx("a"),))
    quant = Quant("all", "x", Const((1, 2, 3)), Compare("<", Call("twice", (Var("x"),)), Const("seven")))
    node = BoolOp("and", (Compare("==", twice_a, BinOp("+", Ctx("b"), Ctx("b"))), quant))
    f = compile_expr(node, INDEX, extension=_twice_extension(asked))
    assert f((3, 3, 0), Event.of("e"), 0, {}) is True  # twice(3) == 3 + 3 and every 2x < 7 for x in 1..3
    assert f((3, 4, 0), Event.of("e"), 0, {}) is False
    quant4 = Quant("any", "x", Const((1, 4)), Compare(">", Call("twice", (Var("x"),)), Const("seven")))
    assert compile_expr(quant4, INDEX, extension=_twice_extension([]))((0, 0, 0), Event.of("e"), 0, {}) is True
    assert Ctx("b") in asked and Var("x") in asked and Const((1, 2, 3)) in asked  # every node is offered


def test_without_the_extension_its_functions_are_refused() -> None:
    with pytest.raises(ExpressionError, match="'twice' is not available"):
        compile_expr(Call("twice", (Ctx("a"),)), INDEX)
    with pytest.raises(ExpressionError, match="unknown context field 'zz'"):
        compile_expr(Call("twice", (Ctx("zz"),)), INDEX, extension=_twice_extension([]))
