"""Wrong types at the library's entry points are an InputError that names the input,
never a TypeError or AttributeError from deep inside."""

import re
from pathlib import Path

import pytest

import planner
from planner import InputError, ShiftTemplate, Targets
from planner.schedule import schedule
from planner.sweeps import grid, sweep

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample_history.csv"
DESK = planner.Scenario.load(ROOT / "scenarios" / "help_desk.toml")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: planner.read_history(5), "must be a CSV path, an open file or a DataFrame"),
        (lambda: planner.read_history(SAMPLE, columns=5), "'columns' must map your headers"),
        (lambda: planner.read_calls(5), "must be a CSV path, an open file or a DataFrame"),
        (lambda: planner.forecast.fit(SAMPLE, country=5), "'country' must be a country code"),
        (lambda: planner.forecast.fit(SAMPLE, special_days=5), "'special_days' must be a list"),
        (lambda: planner.forecast.fit(SAMPLE, special_days="2026-05-25"), "must be a list"),
        (lambda: schedule([1, 2], 5, interval=3600), "'templates' must be a list of ShiftTemplate"),
        (lambda: schedule([1, 2], [5], interval=3600), "give one or more ShiftTemplate"),
        (
            lambda: schedule([1, 2], ShiftTemplate("a", 7200), interval=3600),
            "'templates' must be a list of ShiftTemplate",
        ),
        (lambda: grid(volume=5), "grid axis 'volume' takes a list of values"),
        (lambda: sweep(DESK, 5), "'variations' must be a list of variations"),
        (lambda: sweep(DESK, [5]), "each variation must be a dict"),
        (lambda: planner.required_agents(100, 180, 1800, Targets(), model="x"), "'model' must be"),
        (lambda: planner.required_agents(100, 180, True, Targets()), "'interval' must be"),
        (lambda: planner.required_agents([100, True], 180, 1800, Targets()), "not true or false"),
    ],
)
def test_wrong_types_are_input_errors(call, message):
    with pytest.raises(InputError, match=re.escape(message)):
        call()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: planner.scheduled_staff(14, 0.999999999), "past the limit of 1,000,000"),
        (
            lambda: planner.required_agents(100, 180, 1800, Targets(max_occupancy=1e-6)),
            "need 10,000,000 agents in interval 0 (10 Erlangs), past the limit of 1,000,000",
        ),
    ],
)
def test_absurd_values_are_refused_with_the_limit_named(call, message):
    with pytest.raises(InputError, match=re.escape(message)):
        call()
