"""Fingerprints of model parts, for checkpoint signatures: the printed form of data and expressions, and a digest
of each Python callable's code, constants, defaults, closure cells and the globals it reads.

A fingerprint does not depend on PYTHONHASHSEED (sets and maps are sorted) nor on object identity. A value it
cannot see into (an arbitrary object, say a closure over an instance of a user class) raises
:class:`Unfingerprintable`, naming it: a model holding one cannot be shown to be unchanged.
"""

from __future__ import annotations

import dataclasses
import dis
import enum
import functools
import hashlib
import types
from collections.abc import Mapping
from typing import Any

from statecharts.errors import ModelError


class Unfingerprintable(ModelError):
    """A part of the model whose meaning a fingerprint cannot capture (names it)."""


_PLAIN = (type(None), bool, int, float, complex, str, bytes)


def fingerprint(value: Any, where: str) -> str:
    """Deterministic text standing for ``value``: equal texts mean equal behaviour, as far as can be seen."""
    return _Walker(where).text(value)


class _Walker:
    def __init__(self, where: str) -> None:
        self.where = where
        self.active: set[int] = set()  # functions being walked (recursion through globals)

    def text(self, v: Any) -> str:
        if isinstance(v, _PLAIN):
            return f"{type(v).__name__}:{v!r}"
        if isinstance(v, enum.Enum):
            return f"enum:{type(v).__qualname__}.{v.name}"
        if isinstance(v, type):
            return f"class:{v.__module__}.{v.__qualname__}"
        if isinstance(v, types.ModuleType):
            return f"module:{v.__name__}"
        if isinstance(v, (types.FunctionType, types.MethodType, functools.partial, types.BuiltinFunctionType)):
            return self.callable(v)
        if dataclasses.is_dataclass(v):
            body = ",".join(f"{f.name}={self.text(getattr(v, f.name))}" for f in dataclasses.fields(v))
            return f"{type(v).__qualname__}({body})"
        if isinstance(v, Mapping):
            items = sorted(f"{self.text(k)}:{self.text(x)}" for k, x in v.items())
            return f"{type(v).__name__}{{{','.join(items)}}}"
        if isinstance(v, (set, frozenset)):
            return f"{type(v).__name__}{{{','.join(sorted(self.text(x) for x in v))}}}"
        if isinstance(v, (tuple, list)):  # named tuples too (Event, ChartState)
            return f"{type(v).__name__}[{','.join(self.text(x) for x in v)}]"
        if isinstance(v, range):
            return f"range({v.start},{v.stop},{v.step})"
        expr_node = getattr(v, "node", None)
        if expr_node is not None and type(v).__name__ == "Expr":
            return self.text(expr_node)
        raise Unfingerprintable(
            f"{self.where} uses a {type(v).__module__}.{type(v).__qualname__} object ({v!r:.60}), whose meaning a checkpoint "
            "signature cannot capture"
        )

    def callable(self, fn: Any) -> str:
        if isinstance(fn, functools.partial):
            return f"partial({self.text(fn.func)},{self.text(fn.args)},{self.text(fn.keywords)})"
        if isinstance(fn, types.MethodType):
            return f"method({self.text(fn.__func__)},{self.text(fn.__self__)})"
        if isinstance(fn, types.BuiltinFunctionType):
            owner = getattr(fn, "__self__", None)
            if owner is not None and not isinstance(owner, types.ModuleType):
                return f"builtin:{fn.__qualname__}({self.text(owner)})"
            return f"builtin:{getattr(fn, '__module__', '')}.{fn.__qualname__}"
        name = f"{fn.__module__}.{fn.__qualname__}"
        if id(fn) in self.active:
            return f"recursive:{name}"
        self.active.add(id(fn))
        try:
            parts = [name, self.code(fn.__code__), self.text(fn.__defaults__), self.text(fn.__kwdefaults__)]
            for var, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
                try:
                    contents = cell.cell_contents
                except ValueError:  # an empty cell (a name assigned later)
                    contents = None
                parts.append(f"{var}={self.text(contents)}")
            parts.extend(f"{g}={self.text(fn.__globals__[g])}" for g in self.global_names(fn.__code__) if g in fn.__globals__)
        finally:
            self.active.discard(id(fn))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def code(self, co: types.CodeType) -> str:
        consts = ",".join(self.code(c) if isinstance(c, types.CodeType) else self.text(c) for c in co.co_consts)
        return f"{co.co_code.hex()}|{consts}|{co.co_names}|{co.co_varnames}|{co.co_freevars}|{co.co_argcount}|{co.co_flags}"

    @staticmethod
    def global_names(co: types.CodeType) -> list[str]:
        """The global names the code (and the code nested in it) reads."""
        names = {i.argval for i in dis.get_instructions(co) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME") and isinstance(i.argval, str)}
        for c in co.co_consts:
            if isinstance(c, types.CodeType):
                names.update(_Walker.global_names(c))
        return sorted(names)
