"""Hypothesis profiles: CI runs derandomised with a deadline; the long random run is separate.

Select with HYPOTHESIS_PROFILE: ``ci`` (the default: reproducible, bounded), ``long``
(random seeds, many examples; for fuzzing before a release, not for CI). Property tests
set only ``max_examples`` / health checks, so the profile's derandomisation and deadline hold.

The long random run, separately from CI::

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py tests/test_expr.py tests/test_pytransitions.py -p no:cacheprovider
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=5000,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    derandomize=False,
    deadline=20000,
    max_examples=5000,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


ROOT = Path(__file__).resolve().parents[1]


def _loaded_from(module: ModuleType | None, folder: Path) -> bool:
    """Whether a module (or namespace package) was imported from below ``folder``."""
    places = [getattr(module, "__file__", None), *list(getattr(module, "__path__", None) or [])]
    return any(p and Path(p).resolve().is_relative_to(folder) for p in places)


@pytest.fixture
def cli_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A test that runs the command line: in its own directory, the checkout importable; sys.path restored and its models forgotten afterwards."""
    monkeypatch.chdir(tmp_path)
    saved_path, saved_modules = list(sys.path), set(sys.modules)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    yield tmp_path
    sys.path[:] = saved_path
    folder = tmp_path.resolve()
    for name in set(sys.modules) - saved_modules:
        if _loaded_from(sys.modules.get(name), folder):
            del sys.modules[name]
