"""TLA+ names: identifiers that are not reserved words and do not collide."""

from __future__ import annotations

import re
from typing import Any

_RESERVED = {
    "ASSUME", "ASSUMPTION", "AXIOM", "CASE", "CHOOSE", "CONSTANT", "CONSTANTS", "DOMAIN", "ELSE", "ENABLED", "EXCEPT",
    "EXTENDS", "IF", "IN", "INSTANCE", "LET", "LOCAL", "MODULE", "OTHER", "SUBSET", "THEN", "THEOREM", "UNCHANGED",
    "UNION", "VARIABLE", "VARIABLES", "WITH", "LAMBDA", "RECURSIVE", "BOOLEAN", "TRUE", "FALSE", "STRING", "Nat", "Int",
    "Seq", "Len", "Head", "Tail", "Append", "SubSeq", "SelectSeq", "Cardinality", "IsFiniteSet", "Permutations",
    "Print", "PrintT", "Assert", "ToString", "JavaTime", "Any", "TLCGet", "TLCSet", "TLCEval", "SortSeq", "RandomElement",
    "Init", "Next", "Spec", "vars", "net", "Fairness", "Terminated", "AtRest", "Symmetry", "Constraint", "Range",
    "NetAdd", "Deliverable", "DeliverableFrom", "sender", "After", "BagRemove", "BagAdd", "SumOver", "InSeq", "MinOf", "MaxOf", "SumSeq", "Remove",
    "Proof", "PROOF", "OBVIOUS", "OMITTED", "QED", "BY", "DEF", "DEFS", "HAVE", "TAKE", "WITNESS", "PICK", "SUFFICES",
    "ACTION", "STATE", "TEMPORAL", "LEMMA", "PROPOSITION", "COROLLARY", "NEW", "ONLY", "HIDE",
    "USE", "DEFINE", "SF_", "WF_", "Infinity", "EmptyNet", "RemoveAll", "FlattenSeq", "SetToSeq",
    # bound names used by the templates
    "self", "ev", "net0", "tmr0", "m", "x", "d", "c", "p", "k", "q", "i", "t", "s", "n", "b", "f", "S", "y", "p0", "p1", "p2", "p3",
}


class _Names:
    """Allocates unique, valid TLA+ identifiers."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def new(self, hint: str, model_value: bool = False) -> str:
        """A fresh identifier; model values never look like TLC's typed ``x_name`` model values."""
        base = re.sub(r"[^A-Za-z0-9_]", "_", hint).strip("_") or "x"
        base = re.sub(r"__+", "_", base)
        if not re.search(r"[A-Za-z]", base):
            base = "v_" + base
        if base.startswith(("WF_", "SF_")):
            base = "x" + base
        if model_value:
            base = re.sub(r"^([A-Za-z])_", r"\1", base)
        name = base
        k = 1
        while name in self.used or name in _RESERVED or (model_value and re.match(r"^[A-Za-z]_", name)):
            k += 1
            name = f"{base}{k}" if model_value and len(base) == 1 else f"{base}_{k}"
        self.used.add(name)
        return name


def _tla_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def _is_ident(s: Any) -> bool:
    return isinstance(s, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", s) is not None and s not in _RESERVED


