"""The architecture as a checked contract: one error root, and (below) the layers' direction and public names."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

from statecharts.errors import StatechartError

PACKAGES = ["statecharts", "simulate", "exporters", "statecharts_cli"]
# Control-flow signals private to the engine: raised and caught inside one function's reach, never an error.
SIGNALS = {"statecharts.engine._NoChoice", "statecharts.engine._Abort"}


def _modules() -> list[ModuleType]:
    found = []
    for name in PACKAGES:
        package = importlib.import_module(name)
        found.append(package)
        for info in pkgutil.walk_packages(package.__path__, name + "."):
            if info.name.endswith("__main__"):
                continue
            try:
                found.append(importlib.import_module(info.name))
            except ImportError as e:  # an optional dependency (ray) that is not installed
                if "ray" not in str(e):
                    raise
    return found


def _exception_classes() -> list[type[BaseException]]:
    classes = {}
    for module in _modules():
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                classes[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [classes[k] for k in sorted(classes) if k not in SIGNALS]


def test_every_exception_class_derives_from_the_root() -> None:
    classes = _exception_classes()
    assert len(classes) >= 20, [c.__name__ for c in classes]
    outside = [f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, StatechartError)]
    assert outside == []


@pytest.mark.parametrize(
    ("dotted", "base"),
    [
        ("exporters.tla.TlaUnsupported", "ExportError"),
        ("exporters.graphviz.GraphTooLarge", "ExportError"),
        ("exporters.graphviz.GraphvizNotInstalled", "ToolMissing"),
        ("exporters.tlc.TlcError", "ToolError"),
        ("simulate.checkpoint.CheckpointError", "ModelError"),
        ("simulate.transport.WorkerError", "ModelError"),
    ],
)
def test_the_hierarchy_has_one_base_per_kind(dotted: str, base: str) -> None:
    module, _, name = dotted.rpartition(".")
    errors = importlib.import_module("statecharts.errors")
    assert issubclass(getattr(importlib.import_module(module), name), getattr(errors, base))
