"""Shared test settings: hypothesis profiles (choose with HYPOTHESIS_PROFILE).

``default`` and ``ci`` are derandomised, so a run is reproducible and CI
cannot fail by chance; ``explore`` draws fresh random examples to hunt for
new edge cases (run it by hand, then pin what it finds as an example).
"""

import os

from hypothesis import HealthCheck, settings

_common = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("default", max_examples=60, derandomize=True, **_common)
settings.register_profile("ci", max_examples=300, derandomize=True, **_common)
settings.register_profile("explore", max_examples=1000, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
