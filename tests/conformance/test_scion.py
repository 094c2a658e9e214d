"""The SCION conformance cases: after start and after each event, the atomic configuration must match.

The cases are read from ``$STATECHARTS_CONFORMANCE/scion``, by default ``../shared/conformance/scion``
beside the repository; ``python tests/conformance/fetch.py`` fetches them (see fetch.py).
ECMAScript documents go through the mechanical rewrite of ``statecharts.scxml``; the few
that need a real JavaScript engine are expected failures, with the feature named.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fetch import missing_reason, suite_dir

from statecharts import Interpreter
from statecharts.scxml import load_scxml

SCION = suite_dir() / "scion"

NEEDS_JAVASCRIPT: dict[str, str] = {
    "error/error": "needs JavaScript functions in <script>, JSON.stringify, isNaN and typeof",
    "script-src/test0": "needs an external .js file (<script src>)",
    "script-src/test1": "needs external .js files (<script src>)",
    "script-src/test2": "needs external .js files (<script src>)",
}
"""Cases that need a real JavaScript engine, and the JavaScript feature each needs."""

CONTRADICTS_W3C: dict[str, str] = {
    "more-parallel/test10": (
        "the expectation contradicts W3C Appendix D: findLCCA skips <parallel>, so the external a->a inside "
        "parallel p exits and re-enters p (x === 6, then t2 goes to c, as the file's legacySemantics says); "
        "tests/test_semantics.py pins the W3C behaviour"
    ),
}
"""Cases whose expectation disagrees with the W3C algorithm the engine follows (see DESIGN.md)."""


def _manifest() -> list[dict[str, Any]]:
    path = SCION / "manifest.json"
    if not path.is_file():
        return []
    return list(json.loads(path.read_text()))


def _params(loading_only: bool = False) -> list[Any]:
    cases = _manifest()
    if not cases:
        return [pytest.param(None, id="missing", marks=pytest.mark.skip(reason=missing_reason("scion")))]
    out = []
    for case in cases:
        key = f"{case['group']}/{case['test']}"
        marks = []
        if key in NEEDS_JAVASCRIPT:
            marks.append(pytest.mark.xfail(strict=True, reason=NEEDS_JAVASCRIPT[key]))
        elif key in CONTRADICTS_W3C and not loading_only:
            marks.append(pytest.mark.xfail(strict=True, reason=CONTRADICTS_W3C[key]))
        out.append(pytest.param(case, id=key, marks=marks))
    return out


def _load(case: dict[str, Any], strict: bool) -> Any:
    path = SCION / case["group"] / f"{case['test']}.scxml"
    return load_scxml(path, rewrite_ecmascript=case["needs"] == "ecmascript", strict_expressions=strict)


@pytest.mark.parametrize("case", _params())
def test_scion(case: dict[str, Any]) -> None:
    """Run one SCION case on a virtual clock and compare the atomic configurations."""
    expected = json.loads((SCION / case["group"] / f"{case['test']}.json").read_text())
    # W3C semantics: an expression that does not parse raises error.execution when evaluated
    chart = _load(case, strict=False)
    interp = Interpreter(chart)
    assert set(interp.leaves) == set(expected["initialConfiguration"]), "initial configuration"
    for k, step in enumerate(expected["events"]):
        if "after" in step:
            interp.advance(int(step["after"]))
        ev = step["event"]
        interp.send(ev["name"], ev.get("data"))
        assert set(interp.leaves) == set(step["nextConfiguration"]), f"after event #{k} {ev['name']!r}"


DEFERRED_ON_PURPOSE = {"assign/assign_invalid", "data/data_invalid"}
"""Documents whose invalid expressions are the point of the test (they expect error.execution)."""


@pytest.mark.parametrize("case", _params(loading_only=True))
def test_scion_loads_strictly(case: dict[str, Any]) -> None:
    """Every passing document but the deliberately invalid ones also loads with strict expression checking."""
    key = f"{case['group']}/{case['test']}"
    if key in DEFERRED_ON_PURPOSE:
        with pytest.raises(Exception, match="bad"):
            _load(case, strict=True)
        return
    _load(case, strict=True)
