"""W3C SCXML IRP tests, tier 1 (no datamodel) and tier 2 (Python datamodel, no invoke), on a virtual clock.

The documents are the hand port to ``datamodel="python"`` in ``$STATECHARTS_CONFORMANCE/w3c/python-tutorial``
(BSD-3; by default ``../shared/conformance``, and ``python tests/conformance/fetch.py`` says where to
get it); the tiers come from ``recommended_subsets.json``. A test passes when the document, run
until its queues are empty (delayed events delivered by advancing the clock), ends in the
top-level final state ``pass``. This is a regression suite, not a claim of W3C conformance.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fetch import missing_reason, suite_dir

from statecharts import Interpreter
from statecharts.scxml import load_scxml

W3C = suite_dir() / "w3c"
PORT = W3C / "python-tutorial"
TIERS = ("tier1_core_no_datamodel", "tier2_python_datamodel_no_invoke")

LOAD_TIME = "the reader rejects this when the document is loaded (fail early); the test expects error.execution at run time"
STATIC_SEND = "send/cancel attributes are static here: a dynamic {} is not supported"
EVENT_FIELDS = "_event fields other than name, data and origin (origintype, sendid, invokeid, type) are not supported"
ACTOR_TARGETS = "send targets other than the chart itself are actor names (delivered by simulate), not SCXML sessions"
DONEDATA = "<donedata> is not supported (done events carry no data)"
IOPROCESSORS = "_ioprocessors is not supported"
METHOD_CALLS = "method calls (_event.data.get(...)) are not part of the expression language"

EXPECTED_FAILURES: dict[str, str] = {
    "152": LOAD_TIME + " (foreach item that is not a variable name)",
    "156": LOAD_TIME + " (assign to an undeclared location inside foreach)",
    "159": ACTOR_TARGETS + "; an unknown target cannot raise error.execution",
    "172": STATIC_SEND.format("eventexpr"),
    "173": ACTOR_TARGETS + "; targetexpr evaluating to '#_internal' is not recognised",
    "174": STATIC_SEND.format("typeexpr"),
    "175": STATIC_SEND.format("delayexpr"),
    "190": ACTOR_TARGETS + "; targetexpr '#_scxml_' + _sessionid is not recognised as the chart itself",
    "194": ACTOR_TARGETS + "; an unknown target cannot raise error.execution",
    "198": EVENT_FIELDS,
    "199": LOAD_TIME + " (unsupported send type)",
    "205": METHOD_CALLS,
    "210": STATIC_SEND.format("sendidexpr"),
    "280": "late data binding (binding='late') is not supported",
    "286": LOAD_TIME + " (assign to an undeclared location)",
    "294": DONEDATA,
    "298": DONEDATA,
    "302": "scripts may only assign declared data (the Python datamodel creates variables in <script>)",
    "304": "scripts may only assign declared data (the Python datamodel creates variables in <script>)",
    "311": LOAD_TIME + " (assign to an undeclared location)",
    "319": "_event before any event is not supported (a bare _event is a record of the current event)",
    "322": LOAD_TIME + " (assign to the system variable _sessionid)",
    "324": LOAD_TIME + " (assign to the system variable _name)",
    "325": IOPROCESSORS,
    "326": IOPROCESSORS,
    "329": LOAD_TIME + " (assign to system variables)",
    "330": EVENT_FIELDS,
    "331": LOAD_TIME + " (assign to an undeclared location)",
    "332": EVENT_FIELDS,
    "333": EVENT_FIELDS,
    "336": EVENT_FIELDS,
    "337": EVENT_FIELDS,
    "339": EVENT_FIELDS,
    "342": STATIC_SEND.format("eventexpr"),
    "343": DONEDATA,
    "346": LOAD_TIME + " (assign to the system variable _sessionid)",
    "349": ACTOR_TARGETS + "; the origin of a self-sent event is not a target",
    "350": ACTOR_TARGETS + "; targetexpr '#_scxml_' + _sessionid is not recognised as the chart itself",
    "351": EVENT_FIELDS,
    "352": EVENT_FIELDS,
    "354": METHOD_CALLS,
    "401": LOAD_TIME + " (assign without a location)",
    "402": LOAD_TIME + " (assign to an undeclared location)",
    "488": DONEDATA,
    "496": ACTOR_TARGETS + "; an unreachable session cannot raise error.communication",
    "500": IOPROCESSORS,
    "501": IOPROCESSORS,
    "521": ACTOR_TARGETS + "; an unreachable session cannot raise error.communication",
    "527": DONEDATA,
    "528": DONEDATA,
    "529": DONEDATA,
    "552": "<data src> is not supported",
    "553": LOAD_TIME + " (namelist names an undeclared location)",
}
"""Tier 1/2 tests that need a feature the reader or the engine does not have, with the feature named."""


def _documents(number: str) -> list[Path]:
    """The port's documents for one test number (a test may have variants such as 403a/403b)."""
    found: list[Path] = []
    for folder in ("Mandatory/Auto", "Optional/Auto"):
        found += sorted((PORT / folder).glob(f"test{number}.scxml")) + sorted((PORT / folder).glob(f"test{number}[a-z].scxml"))
    return found


def _params() -> list[Any]:
    subsets = W3C / "recommended_subsets.json"
    if not subsets.is_file():
        return [pytest.param(None, id="missing", marks=pytest.mark.skip(reason=missing_reason("w3c")))]
    tiers = json.loads(subsets.read_text())
    out = []
    for tier in TIERS:
        for number in tiers[tier]:
            docs = _documents(number)
            if not docs:
                out.append(pytest.param(None, id=f"{tier[:5]}/{number}", marks=pytest.mark.skip(reason="not in the python port")))
                continue
            for path in docs:
                marks = []
                if number in EXPECTED_FAILURES:
                    marks.append(pytest.mark.xfail(strict=True, reason=EXPECTED_FAILURES[number]))
                out.append(pytest.param(path, id=f"{tier[:5]}/{path.stem[4:]}", marks=marks))
    return out


def run_to_quiescence(path: Path, limit: int = 1000) -> Interpreter:
    """Start the document and deliver its delayed events by advancing the virtual clock until none is left."""
    it = Interpreter(load_scxml(path, strict_expressions=False))
    for _ in range(limit):
        if it.is_final or not it.pending:
            break
        it.advance(max(0, min(p.due for p in it.pending) - it.clock))
    return it


@pytest.mark.parametrize("path", _params())
def test_w3c(path: Path) -> None:
    """The document ends in its top-level final state 'pass'."""
    it = run_to_quiescence(path)
    assert it.is_final and it.leaves == ("pass",), f"ended in {it.leaves}"
