"""Hypothesis profiles: CI runs derandomised with a deadline; the long random run is separate.

Select with HYPOTHESIS_PROFILE: ``ci`` (the default: reproducible, bounded), ``long``
(random seeds, many examples; for fuzzing before a release, not for CI). Property tests
set only ``max_examples`` / health checks, so the profile's derandomisation and deadline hold.

The long random run, separately from CI::

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py tests/test_expr.py tests/test_pytransitions.py -p no:cacheprovider
"""

from __future__ import annotations

import os

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
