"""Finding the user's model: ``MODULE[:NAME[(ARGS)]]``, ``path/to/file.py[:NAME[(ARGS)]]`` or a package directory.

A target names a module (a dotted import name, a ``.py`` file, or a package directory)
and, optionally after a colon, an attribute of it, which may be called with literal
arguments: ``examples/websocket_gateway:build(design="fixed", mutation="early-flip")``.
The arguments are parsed with :mod:`ast` and each one read with ``ast.literal_eval``
(never evaluated). Without a name the module is searched by convention (see
:func:`find_system` and :func:`find_chart`); every error names what was found and how to choose.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import os
import re
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from statecharts.chart import Chart
from statecharts.errors import CommandLineError

if TYPE_CHECKING:  # the command line may reach "up" into simulate, lazily (see statecharts_cli/__init__.py)
    from simulate.system import Actor, System

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_CALL = re.compile(r"(?P<location>.+?):(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\((?P<rest>.*)", re.DOTALL)
_OURS = tuple(
    str(Path(spec.origin).resolve().parent) + os.sep
    for spec in (importlib.util.find_spec(name) for name in ("statecharts", "simulate", "exporters", "statecharts_cli"))
    if spec is not None and spec.origin is not None
)
"""Our packages' source folders, symlinks resolved (an editable install links each file from a build folder)."""


class TargetError(CommandLineError):
    """The target could not be loaded or the object it names could not be found (a model error, exit 3)."""


class TargetUsageError(TargetError):
    """The target itself is malformed: bad call syntax, a non-literal argument, an argument the function does not take (a usage error)."""


@dataclass
class Target:
    """A parsed target: where the module is, the attribute named after the colon (if any), and its call arguments.

    ``called`` says whether the name was followed by parentheses (``build()`` calls even a
    function that has defaults); ``args``/``kwargs`` are the literal arguments.
    """

    location: str
    name: str | None
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    called: bool = False

    @classmethod
    def parse(cls, text: str) -> Target:
        """Split ``location[:name[(args)]]``; a colon followed by something that is not a dotted name stays in the location.

        Raises :class:`TargetUsageError` when the call is malformed or an argument is not a literal.
        """
        m = _CALL.fullmatch(text)
        if m:
            args, kwargs = _literal_call(m["name"], m["name"] + "(" + m["rest"])
            return cls(m["location"], m["name"], args, kwargs, called=True)
        location, sep, name = text.rpartition(":")
        if sep and location and _NAME.fullmatch(name):
            return cls(location, name)
        return cls(text, None)

    def __str__(self) -> str:
        if not self.name:
            return self.location
        call_ = ""
        if self.called:
            call_ = "(" + ", ".join([*(repr(a) for a in self.args), *(f"{k}={v!r}" for k, v in self.kwargs.items())]) + ")"
        return f"{self.location}:{self.name}{call_}"


def _literal_call(name: str, source: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The positional and keyword arguments of ``name(...)``, each a Python literal (``ast.literal_eval``, never eval)."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as e:
        col = f", column {e.offset - len(name)}" if e.offset and e.offset > len(name) else ""
        raise TargetUsageError(
            f"target {name}(...): the arguments are not valid call syntax ({e.msg}{col}); write them as in Python, "
            f'e.g. {name}(design="fixed"), and quote the whole target for the shell'
        ) from None
    node = tree.body
    if not isinstance(node, ast.Call) or ast.unparse(node.func) != name:
        raise TargetUsageError(f"target {name}(...): expected one call NAME(ARG, KEY=VALUE, ...), got {ast.unparse(node)!r}")
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for a in node.args:
        if isinstance(a, ast.Starred):
            raise TargetUsageError(f"target {name}(...): *{ast.unparse(a.value)} is not allowed; give each argument as a literal")
        args.append(_literal(name, a, f"argument {len(args) + 1}"))
    for kw in node.keywords:
        if kw.arg is None:
            raise TargetUsageError(f"target {name}(...): **{ast.unparse(kw.value)} is not allowed; give each keyword argument as KEY=LITERAL")
        kwargs[kw.arg] = _literal(name, kw.value, f"argument {kw.arg}")
    return tuple(args), kwargs


def _literal(name: str, node: ast.expr, what: str) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise TargetUsageError(
            f"target {name}(...): {what} is {ast.unparse(node)!r}, which is not a literal; "
            "arguments must be Python literals (strings in quotes, numbers, True/False/None, tuples, lists, dicts), they are never evaluated"
        ) from None


# --------------------------------------------------------------------------- loading


def _user_frame(tb: Any) -> str:
    """``file:line`` of the innermost traceback frame in a real file outside this package and importlib, or ''.

    Frames of generated code are skipped: a dataclass's ``__init__`` (System, Actor, ...) is
    compiled from a string, so its frame says ``<string>:13``, which is not the user's line.
    """
    where = ""
    for frame, line in traceback.walk_tb(tb):
        fn = frame.f_code.co_filename
        if fn.startswith("<") or "importlib" in fn:
            continue
        resolved = str(Path(fn).resolve())
        if resolved.startswith(_OURS):
            continue
        where = f"{os.path.relpath(fn) if not os.path.relpath(fn).startswith('..') else fn}:{line}"
    return where


def _import_failure(what: str, exc: BaseException) -> Exception:
    """Wrap an exception raised while importing the user's module, keeping statechart errors as they are."""
    from statecharts.errors import StatechartError

    where = _user_frame(exc.__traceback__)
    if isinstance(exc, StatechartError):
        exc.add_note(f"while importing {what}" + (f" (at {where})" if where else ""))
        return exc
    if isinstance(exc, SyntaxError):
        return TargetError(f"{what}: syntax error in {exc.filename}, line {exc.lineno}: {exc.msg}")
    at = f" at {where}" if where else ""
    return TargetError(f"importing {what} raised {type(exc).__name__}{at}: {exc}")


def _path_module(path: Path) -> tuple[Path, str | None]:
    """The sys.path root and dotted module name of a file or package directory (name None when not importable by name)."""
    path = path.resolve()
    if path.is_dir():
        if not (path / "__init__.py").exists():
            raise TargetError(f"{path}: a directory target must be a Python package (it has no __init__.py); give a .py file or a module name instead")
        parts = [path.name]
    else:
        parts = [path.stem]
    parent = path.parent
    while (parent / "__init__.py").exists():
        parts.insert(0, parent.name)
        parent = parent.parent
    if not all(p.isidentifier() for p in parts):
        return parent, None
    return parent, ".".join(parts)


def load_module(location: str) -> ModuleType:
    """Import the module a target names: a dotted name, a ``.py`` file, or a package directory.

    The current directory is put on ``sys.path`` (as ``python -m`` does), so ``examples.die_hard``
    works from a checkout. Exceptions raised by the user's code become :class:`TargetError`
    (or stay statechart errors) naming the file and line.
    """
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)
    looks_like_path = location.endswith(".py") or os.sep in location or "/" in location or Path(location).is_dir()
    if looks_like_path:
        path = Path(location)
        if not path.exists():
            raise TargetError(f"{location}: no such file or directory (give a .py file, a package directory, or a dotted module name such as examples.die_hard)")
        if path.is_file() and path.suffix != ".py":
            raise TargetError(f"{location}: not a Python file (expected a .py file or a package directory)")
        root, name = _path_module(path)
        if name is not None:
            existing = sys.modules.get(name)
            target_file = (path / "__init__.py" if path.is_dir() else path).resolve()
            if existing is None or Path(getattr(existing, "__file__", "") or "").resolve() == target_file:
                if str(root) not in sys.path:
                    sys.path.insert(0, str(root))
                return _import(name, location)
        # not importable by name (odd file name, or a clash with a loaded module): load it by location
        file = path / "__init__.py" if path.is_dir() else path
        modname = "_statecharts_target_" + re.sub(r"\W", "_", path.resolve().stem)
        spec = importlib.util.spec_from_file_location(modname, file)
        if spec is None or spec.loader is None:  # pragma: no cover - only for exotic paths
            raise TargetError(f"{location}: cannot be loaded as a Python module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[modname] = module
        try:
            spec.loader.exec_module(module)
        except Exception as e:
            sys.modules.pop(modname, None)
            raise _import_failure(location, e) from e
        return module
    if not _NAME.fullmatch(location):
        raise TargetError(f"{location!r} is neither a dotted module name (examples.die_hard) nor a path (examples/die_hard.py)")
    return _import(location, location)


def _import(name: str, what: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name is not None and (name == e.name or name.startswith(e.name + ".")):
            raise TargetError(
                f"no module named {e.name!r} (looked on sys.path, which starts with the current directory {os.getcwd()}); "
                "give a dotted module name importable from here, or a path to a .py file or package directory"
            ) from None
        raise _import_failure(what, e) from e
    except Exception as e:
        raise _import_failure(what, e) from e


# --------------------------------------------------------------------------- finding objects


def _attr(module: ModuleType, dotted: str) -> Any:
    obj: Any = module
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def _zero_arg(fn: Any) -> bool:
    try:
        inspect.signature(fn).bind()
    except (TypeError, ValueError):
        return False
    return True


def _call(fn: Any, what: str, args: Target | None = None) -> Any:
    """Call a builder; its exceptions become a TargetError naming the call (statechart errors keep their type, with a note)."""
    shown = f"{what}()"
    if args is not None:
        shown = what + str(args)[len(f"{args.location}:{args.name}") :]
    try:
        return fn()
    except Exception as e:
        from statecharts.errors import StatechartError

        if isinstance(e, StatechartError):
            e.add_note(f"while calling {shown}")
            raise
        where = _user_frame(e.__traceback__)
        raise TargetError(f"calling {shown} raised {type(e).__name__}{' at ' + where if where else ''}: {e}") from e


def _called(module: ModuleType, target: Target, fn: Any, kinds: tuple[type, ...], noun: str) -> Any:
    """Call the function a target names with its literal arguments, after checking they fit its signature."""
    assert target.name is not None
    if not callable(fn) or isinstance(fn, type):
        raise TargetUsageError(f"{target}: {target.name!r} is a {type(fn).__name__}, not a function, so it cannot be called; drop the parentheses")
    try:
        signature = inspect.signature(fn)
        signature.bind(*target.args, **target.kwargs)
    except TypeError as e:
        raise TargetUsageError(f"{target}: {e} (the signature is {target.name}{signature})") from None
    except ValueError:  # no signature (a builtin): let the call tell
        pass
    what = f"{module.__name__}.{target.name}"
    try:
        made = _call(lambda: fn(*target.args, **target.kwargs), what, args=target)
    except TargetError as e:
        # a builder that rejects the values it was given (ValueError, the Python convention) is told so by the command line
        if (target.args or target.kwargs) and isinstance(e.__cause__, ValueError) and not isinstance(e.__cause__, UnicodeError):
            raise TargetUsageError(f"{target}: {target.name} rejected its arguments: {e.__cause__}") from e.__cause__
        raise
    if isinstance(made, kinds):
        return made
    raise TargetError(f"{target}: {target.name}(...) returned a {type(made).__name__}, not a {noun}")


def _inventory(module: ModuleType) -> str:
    """What the module offers: its Systems, Charts, and functions that look like builders."""
    from simulate.system import System

    systems: list[str] = []
    charts: list[str] = []
    builders: list[str] = []
    takers: list[str] = []
    for k, v in vars(module).items():
        if k.startswith("_"):
            continue
        if isinstance(v, System):
            systems.append(k)
        elif isinstance(v, Chart):
            charts.append(k)
        elif inspect.isfunction(v) and getattr(v, "__module__", None) == module.__name__:
            ann = inspect.signature(v).return_annotation
            ann = ann if isinstance(ann, str) else getattr(ann, "__name__", "")
            if ann.endswith(("System", "Chart")):
                (builders if _zero_arg(v) else takers).append(f"{k}()" if _zero_arg(v) else f"{k}{str(inspect.signature(v)).rpartition(' -> ')[0]}")
    parts = []
    if systems:
        parts.append(f"Systems: {', '.join(systems)}")
    if charts:
        parts.append(f"Charts: {', '.join(charts)}")
    if builders:
        parts.append(f"zero-argument builders: {', '.join(builders)}")
    if takers:
        parts.append(f"builders taking arguments: {', '.join(takers)}")
    return "; ".join(parts) if parts else "no System, Chart or zero-argument builder function"


def _named(module: ModuleType, target: Target, kinds: tuple[type, ...], noun: str) -> Any:
    assert target.name is not None
    try:
        obj = _attr(module, target.name)
    except AttributeError:
        error = TargetUsageError if target.called else TargetError
        raise error(f"module {module.__name__!r} has no attribute {target.name!r}; it has {_inventory(module)}") from None
    if target.called:
        return _called(module, target, obj, kinds, noun)
    if isinstance(obj, kinds):
        return obj
    if callable(obj) and not isinstance(obj, type):
        if not _zero_arg(obj):
            raise TargetError(
                f"{target}: {target.name}{inspect.signature(obj)} needs arguments; give them in the target, "
                f"e.g. '{target.location}:{target.name}(NAME=VALUE)', or name an attribute holding the {noun}"
            )
        made = _call(obj, f"{module.__name__}.{target.name}")
        if isinstance(made, kinds):
            return made
        raise TargetError(f"{target}: {target.name}() returned a {type(made).__name__}, not a {noun}")
    raise TargetError(f"{target}: {target.name!r} is a {type(obj).__name__}, not a {noun}; the module has {_inventory(module)}")


def _by_convention(module: ModuleType, target: Target, kind: type, noun: str, names: tuple[str, ...]) -> Any:
    """A single module attribute of the kind; else a conventional attribute; else a zero-argument builder; else None."""
    found: dict[int, str] = {}
    for k, v in vars(module).items():
        if not k.startswith("_") and isinstance(v, kind):
            found.setdefault(id(v), k)
    if len(found) == 1:
        return getattr(module, next(iter(found.values())))
    for conventional in names:
        v = getattr(module, conventional, None)
        if isinstance(v, kind):
            return v
        if callable(v) and not isinstance(v, type) and _zero_arg(v):
            made = _call(v, f"{module.__name__}.{conventional}")
            if isinstance(made, kind):
                return made
    if len(found) > 1:
        listed = ", ".join(sorted(found.values()))
        first = sorted(found.values())[0]
        raise TargetError(f"module {module.__name__!r} defines {len(found)} {noun}s ({listed}): choose one, e.g. {target.location}:{first}")
    return None


def find_system(module: ModuleType, target: Target) -> System:
    """The System a target names: the named attribute (a System, or a zero-argument function returning one);
    else the module's only System; else its ``system`` attribute; else a zero-argument ``build()`` or ``system()``."""
    from simulate.system import System

    if target.name is not None:
        obj: System = _named(module, target, (System,), "System")
        return obj
    found = _by_convention(module, target, System, "System", ("system", "build"))
    if found is None:
        raise TargetError(
            f"module {module.__name__!r} has no System: define `system = System(...)` or a zero-argument build(), "
            f"or name one as {target.location}:NAME; it has {_inventory(module)}"
        )
    return found  # type: ignore[no-any-return]


def find_diagram(module: ModuleType, target: Target) -> Chart | System:
    """A Chart or a System: the named attribute, else the module's System, else its Chart."""
    from simulate.system import System

    if target.name is not None:
        obj: Chart | System = _named(module, target, (Chart, System), "Chart or System")
        return obj
    found = _by_convention(module, target, System, "System", ("system", "build"))
    if found is None:
        found = _by_convention(module, target, Chart, "Chart", ("chart",))
    if found is None:
        raise TargetError(f"module {module.__name__!r} has no System or Chart to draw; name one as {target.location}:NAME; it has {_inventory(module)}")
    return found  # type: ignore[no-any-return]


def find_chart(module: ModuleType, target: Target, actor: str | None = None) -> tuple[Chart, dict[str, Any], str]:
    """A Chart (with initial context overrides and a description) for ``run`` and ``mermaid``.

    The target may name a Chart, or a System whose actor is chosen with ``actor`` (needed
    when the system has more than one). Without a name: the module's only Chart, its
    ``chart`` attribute, or else its System's actor.
    """
    from simulate.system import System

    obj: Any
    if target.name is not None:
        obj = _named(module, target, (Chart, System), "Chart (or System)")
    else:
        obj = None if actor is not None else _by_convention(module, target, Chart, "Chart", ("chart",))
        if obj is None:
            obj = _by_convention(module, target, System, "System", ("system", "build"))
        if obj is None:
            raise TargetError(f"module {module.__name__!r} has no Chart: name one as {target.location}:NAME; it has {_inventory(module)}")
    if isinstance(obj, Chart):
        if actor is not None:
            raise TargetError(f"{target}: --actor {actor} applies to a System, and this is the chart {obj.name!r}")
        return obj, {}, f"chart {obj.name!r}"
    return _actor_chart(obj, actor, target)


def _actor_chart(system: System, actor: str | None, target: Target) -> tuple[Chart, dict[str, Any], str]:
    groups: dict[str, Actor] = {a.name: a for a in system.actors}
    names = ", ".join(groups)
    if actor is None:
        if len(groups) != 1:
            raise TargetError(f"{target}: system {system.name!r} has {len(groups)} actors ({names}): choose one with --actor NAME")
        actor = next(iter(groups))
    base, _, idx = actor.partition("[")
    if base not in groups:
        raise TargetError(f"{target}: system {system.name!r} has no actor {actor!r} (its actors: {names})")
    a = groups[base]
    index = int(idx.rstrip("]")) if idx.rstrip("]").isdigit() else 0
    ctx = dict(a.context_for(index) or {})
    return a.chart, ctx, f"actor {actor!r} of system {system.name!r} (chart {a.chart.name!r})"
