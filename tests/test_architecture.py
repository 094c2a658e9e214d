"""The architecture as a checked contract: one error root, and (below) the layers' direction and public names."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import pkgutil
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from statecharts.errors import StatechartError

PACKAGES = ["statecharts", "simulate", "exporters", "statecharts_cli"]
# Control-flow signals private to the engine: raised and caught inside one function's reach, never an error.
SIGNALS = {"statecharts.engine.values._NoChoice", "statecharts.engine.values._Abort", "simulate.columns._Unsupported"}


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
    # warning categories (e.g. simulate.SymmetryWarning) are issued, not raised: they are no errors
    outside = [f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, (StatechartError, Warning))]
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


def _imports_across_packages() -> list[tuple[str, int, str, str]]:
    """(file, line, module, name) for every ``from package.module import name`` whose package is another one."""
    found = []
    root = Path(__file__).resolve().parent.parent
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    top = node.module.split(".")[0]
                    if top in PACKAGES and top != package:
                        found.extend((str(path.relative_to(root)), node.lineno, node.module, alias.name) for alias in node.names)
                elif isinstance(node, ast.Import):
                    for alias in node.names:
                        top = alias.name.split(".")[0]
                        if top in PACKAGES and top != package:
                            found.append((str(path.relative_to(root)), node.lineno, alias.name, ""))
    return found


def test_no_private_name_crosses_a_package() -> None:
    """A name or module that starts with ``_`` is its package's own business (import-linter cannot say this)."""
    found = _imports_across_packages()
    assert len(found) > 50  # the walk sees the code
    private = [f"{f}:{line}: {module} {name}" for f, line, module, name in found if name.startswith("_") or any(part.startswith("_") for part in module.split("."))]
    assert private == []


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter is not installed (pip install -e '.[dev]')")
def test_the_layers_contract_is_kept() -> None:
    """lint-imports (as CI runs it): statecharts_cli > exporters > simulate > statecharts."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(["lint-imports", "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "1 kept, 0 broken" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("package", ["statecharts", "simulate"])
def test_the_public_surface_is_what_a_user_writes(package: str) -> None:
    module = importlib.import_module(package)
    public = set(module.__all__)
    assert public == {name for name in dir(module) if not name.startswith("_") and not inspect.ismodule(getattr(module, name))}
    internals = {"Cancelled", "Outgoing", "StepResult", "ChartState", "StateNode", "Model", "Invariant", "Eventually", "LeadsTo", "Sometimes", "ActorRef"}
    assert public.isdisjoint(internals)
    documented = [getattr(module, name) for name in sorted(public) if inspect.isclass(getattr(module, name)) or inspect.isfunction(getattr(module, name))]
    assert len(documented) > 20
    assert [obj.__name__ for obj in documented if not (obj.__doc__ or "").strip()] == []


@pytest.mark.parametrize("module", ["exporters.graphviz", "exporters.mermaid", "exporters.tla", "exporters.tlc", "exporters.report"])
def test_each_exporter_module_declares_its_surface(module: str) -> None:
    names = importlib.import_module(module).__all__
    assert names and all(not name.startswith("_") for name in names)
