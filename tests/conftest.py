"""Shared test settings and fixtures.

- Hypothesis profiles (choose with HYPOTHESIS_PROFILE): ``default`` and ``ci`` are
  derandomised, so a run is reproducible and CI cannot fail by chance; ``explore``
  draws fresh random examples to hunt for new edge cases (run it by hand, then pin
  what it finds as an example).
- The tests mirror the package (tests/models, tests/simulation, ...); those in
  tests/front drive the app, the browser and the command line end to end and are
  marked ``e2e`` (the browser's also ``browser`` and ``slow``): ``-m "not e2e"`` runs
  the library's. ``make test`` runs every test but the ``slow`` ones, then ``make
  test-slow`` runs those (CI runs both).
- ``fitted_sample``: the bundled sample history (with the sample bank's calendar)
  fitted once for every test that reads it, as the app and the command line fit it.
- ``erlang_evaluations``: counts Erlang C and A evaluations (each starts with one
  vectorised Erlang B call) while a test runs.
"""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

FRONT = Path(__file__).parent / "front"

_common = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("default", max_examples=60, derandomize=True, **_common)
settings.register_profile("ci", max_examples=300, derandomize=True, **_common)
settings.register_profile("explore", max_examples=1000, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath))
        if FRONT in path.parents:
            item.add_marker(pytest.mark.e2e)
            if path.name == "test_browser.py":  # a real browser: slow by nature
                item.add_marker(pytest.mark.browser)
                item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def fitted_sample():
    """The bundled sample history fitted with US holidays and the sample bank's calendar
    (one fit for the session)."""
    from planner import forecast, read_history
    from planner.sample import SAMPLE_CALENDAR_PATH, SAMPLE_PATH

    return forecast.fit(read_history(SAMPLE_PATH), country="US", calendar=SAMPLE_CALENDAR_PATH)


@pytest.fixture
def erlang_evaluations(monkeypatch):
    """A dict whose ``"n"`` counts the Erlang B calls made while the test runs: one
    per Erlang C or Erlang A evaluation, over the intervals still searched."""
    from planner.models import _kernels

    calls = {"n": 0}
    original = _kernels.log_erlang_b

    def counting(*args, **kwargs):
        calls["n"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(_kernels, "log_erlang_b", counting)
    return calls
