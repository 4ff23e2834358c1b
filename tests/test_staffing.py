"""Targets, the staffing search, shrinkage and the requirements table."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner import (
    ErlangA,
    InputError,
    IntervalModel,
    Targets,
    day_summary,
    erlang_a,
    erlang_model,
    interval_metrics,
    required_agents,
    requirements,
    scheduled_staff,
    service_level,
)

EIGHTY_TWENTY = Targets(service_level=0.8, answer_time=20.0)


def test_call_centre_helper_answer():
    # Call Centre Helper worked example: 100 calls / 30 min, AHT 180 s,
    # 80% in 20 s -> 14 agents, 20 scheduled with 30% shrinkage.
    agents = required_agents(100, 180, 1800, EIGHTY_TWENTY)
    assert agents == 14
    assert isinstance(agents, int)
    assert scheduled_staff(agents, 0.3) == 20


def test_hourly_example():
    # 250 calls/hour, AHT 330 s, 80% in 30 s: 28 agents (27 give 78.2%).
    targets = Targets(service_level=0.8, answer_time=30.0)
    assert required_agents(250, 330, 3600, targets) == 28
    a = 250 * 330 / 3600
    assert service_level(27, a, 330, answer_time=30) == pytest.approx(0.782, abs=5e-4)


def test_pyworkforce_erlang_a_answer():
    # pyworkforce ErlangA example: 100 contacts / 30 min, AHT 180 s, 80% in
    # 20 s, patience 300 s -> 13 agents (12 give SL 0.772).
    assert required_agents(100, 180, 1800, EIGHTY_TWENTY, model=ErlangA(patience=300)) == 13


def test_tijms_probability_of_waiting_via_asa_free_targets():
    # Tijms (2003) Table 5.3.2 with alpha = 0.2 read as "80% answered at once":
    # service level over T = 0 equals 1 - P(wait).
    targets = Targets(service_level=0.8, answer_time=0.0)
    loads = np.array([1, 5, 10, 50, 100, 250, 500, 1000], dtype=float)
    agents = required_agents(loads, 1.0, 1.0, targets)
    assert agents.tolist() == [3, 8, 14, 58, 111, 268, 525, 1034]


def test_each_target_binds():
    a_calls, aht, interval = 200, 300, 1800  # 33.3 Erlangs
    base = required_agents(a_calls, aht, interval, Targets(service_level=0.01, answer_time=0))
    assert base == 34  # only stability binds: N > A
    occ = required_agents(a_calls, aht, interval, Targets(service_level=None, max_occupancy=0.8))
    assert occ == 42  # ceil(33.33 / 0.8)
    asa_only = required_agents(a_calls, aht, interval, Targets(service_level=None, asa=10.0))
    m = interval_metrics([asa_only - 1, asa_only], a_calls, aht, interval, Targets())
    assert m["asa"][1] <= 10.0 < m["asa"][0]
    abandon = required_agents(
        a_calls,
        aht,
        interval,
        Targets(service_level=None, max_abandon=0.02),
        model=ErlangA(patience=90),
    )
    r = erlang_a([abandon - 1, abandon], a_calls * aht / interval, aht, 90, answer_time=20)
    assert r.abandon_rate[1] <= 0.02 < r.abandon_rate[0]


def test_zero_calls_need_no_agents():
    assert required_agents(0, 180, 1800, EIGHTY_TWENTY) == 0
    assert required_agents(0, 180, 1800, EIGHTY_TWENTY, model=ErlangA(patience=60)) == 0
    assert required_agents([0, 100], 180, 1800, EIGHTY_TWENTY).tolist() == [0, 14]


def test_large_traffic():
    calls = 20_000 * 900 / 240  # 20,000 Erlangs in a 15-minute interval
    agents = required_agents(calls, 240, 900, EIGHTY_TWENTY)
    m = interval_metrics([agents - 1, agents], calls, 240, 900, EIGHTY_TWENTY)
    assert m["service_level"][1] >= 0.8 > m["service_level"][0]
    assert 20_000 < agents < 20_100
    with_patience = required_agents(
        calls, 240, 900, Targets(max_abandon=0.01), model=ErlangA(patience=180)
    )
    r = erlang_a([with_patience - 1, with_patience], 20_000.0, 240, 180, answer_time=20)
    assert r.abandon_rate[1] <= 0.01 < r.abandon_rate[0]
    assert r.service_level[1] >= 0.8


def test_small_traffic():
    assert required_agents(0.01 * 900 / 240, 240, 900, EIGHTY_TWENTY) == 1
    assert (
        required_agents(0.01 * 900 / 240, 240, 900, EIGHTY_TWENTY, model=ErlangA(patience=30)) == 1
    )


@pytest.mark.parametrize(
    ("targets", "patience"),
    [
        (EIGHTY_TWENTY, None),
        (Targets(service_level=None, asa=15.0, max_occupancy=0.85), None),
        (EIGHTY_TWENTY, 120.0),
        (Targets(service_level=0.9, answer_time=30, asa=20.0, max_abandon=0.03), 300.0),
    ],
)
def test_search_needs_logarithmically_many_model_evaluations(erlang_evaluations, targets, patience):
    calls = erlang_evaluations
    traffic = np.array([10.0, 100.0, 1000.0, 10_000.0])
    for a in traffic:
        calls["n"] = 0
        required_agents(a, 1.0, 1.0, targets, model=erlang_model(patience))
        assert 1 <= calls["n"] <= 2 * np.log2(a) + 6, (a, calls["n"])
    calls["n"] = 0
    required_agents(traffic, 1.0, 1.0, targets, model=erlang_model(patience))  # all at once
    assert 1 <= calls["n"] <= 2 * np.log2(traffic.max()) + 6


def test_vectorised_equals_one_at_a_time():
    rng = np.random.default_rng(7)
    calls = rng.uniform(0, 2000, 40)
    aht = rng.uniform(120, 600, 40)
    targets = Targets(service_level=0.85, answer_time=15, asa=12, max_occupancy=0.92)
    together = required_agents(calls, aht, 900, targets, model=ErlangA(patience=150))
    alone = [
        required_agents(c, h, 900, targets, model=ErlangA(patience=150))
        for c, h in zip(calls, aht, strict=True)
    ]
    assert together.tolist() == alone


def test_a_service_level_of_one_is_refused_with_the_reason():
    # No finite staffing answers every call within T (1 - C rounds to 1.0 only
    # in floating point, at 47 agents here): the target is an error, not an answer.
    for answer_time in (0.0, 20.0):
        with pytest.raises(InputError, match=r"'service_level' 1\.0 cannot be met: .*wait"):
            Targets(service_level=1.0, answer_time=answer_time)


def test_extreme_target_is_met_exactly():
    targets = Targets(service_level=0.999999, answer_time=0.0)
    n = required_agents(1000, 240, 900, targets)
    m = interval_metrics([n - 1, n], 1000, 240, 900, targets)
    assert m["service_level"][0] < 0.999999 <= m["service_level"][1] < 1.0


class _NeverMet(IntervalModel):
    """A model no staffing satisfies (as one returning NaN would be)."""

    def measures(self, agents, load, targets):
        return {"service_level": np.full(len(load), np.nan)}

    def meets(self, agents, load, targets):
        return np.zeros(len(load), bool)


def test_search_that_never_meets_stops_with_a_clear_error():
    # A guard against an endless bracket: the search gives up after its doublings.
    with pytest.raises(InputError, match=r"cannot be met for traffic 10\.0 Erlangs"):
        required_agents(100, 180, 1800, EIGHTY_TWENTY, model=_NeverMet())


def test_erlang_c_meets_any_abandonment_cap():
    # Nobody abandons without a patience, so the cap (on by default) never binds.
    assert Targets().max_abandon == 0.10
    for cap in (None, 0.01, 0.10):
        assert required_agents(100, 180, 1800, Targets(max_abandon=cap)) == 14


@pytest.mark.parametrize(
    "targets",
    [
        Targets(service_level=None, asa=30, max_abandon=None),
        Targets(service_level=0.8, answer_time=20, sl_basis="answered", max_abandon=None),
        Targets(sl_basis="offered_excl_short_abandons", max_abandon=None),
    ],
)
def test_targets_met_by_losing_callers_need_an_abandonment_cap(targets):
    # ASA-only with patience 10 s used to answer 1 agent at 91% abandonment.
    with pytest.raises(InputError, match=r"can be met by letting callers hang up.*max_abandon"):
        required_agents(100, 180, 1800, targets, model=ErlangA(patience=10))
    with pytest.raises(InputError, match="max_abandon"):
        requirements(
            pd.DataFrame({"calls": [100], "aht": [180]}), targets, 1800, model=ErlangA(patience=10)
        )
    assert required_agents(100, 180, 1800, targets) >= 11  # Erlang C: nobody hangs up
    capped = dataclasses.replace(targets, max_abandon=0.05)
    n = required_agents(100, 180, 1800, capped, model=ErlangA(patience=10))
    assert (
        interval_metrics(n, 100, 180, 1800, capped, model=ErlangA(patience=10))["abandon_rate"][0]
        <= 0.05
    )
    # the default targets carry a cap, so the case answers the calls
    n = required_agents(
        100, 180, 1800, Targets(service_level=None, asa=30), model=ErlangA(patience=10)
    )
    assert n >= 11


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"service_level": 0.0}, "service_level"),
        ({"service_level": 1.2}, "service_level"),
        ({"service_level": float("nan")}, "service_level"),
        ({"answer_time": -1.0}, "answer_time"),
        ({"asa": 0.0}, "asa"),
        ({"max_abandon": -0.1}, "max_abandon"),
        ({"max_occupancy": 1.5}, "max_occupancy"),
        ({"sl_basis": "handled"}, "sl_basis"),
        ({"service_level": None, "max_abandon": None}, "service_level', 'asa"),
    ],
)
def test_targets_validation(kwargs, name):
    with pytest.raises(InputError, match=f"'{name}'"):
        Targets(**kwargs)


def test_targets_are_frozen_keyword_only():
    t = Targets()
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.service_level = 0.9  # type: ignore[misc]
    with pytest.raises(TypeError):
        Targets(0.8, 20.0)  # type: ignore[misc]
    assert Targets(**t.to_dict()) == t


@pytest.mark.parametrize(
    ("args", "name", "value"),
    [
        ((-5, 180, 1800), "calls", "-5.0"),
        ((np.nan, 180, 1800), "calls", "nan"),
        ((100, 0, 1800), "aht", "0.0"),
        ((100, -180, 1800), "aht", "-180.0"),
        ((100, 180, 0), "interval", "0.0"),
    ],
)
def test_required_agents_bad_input(args, name, value):
    with pytest.raises(InputError, match=f"'{name}'.*{value}"):
        required_agents(*args, EIGHTY_TWENTY)


@pytest.mark.parametrize("patience", [0.0, -30.0, np.nan])
def test_bad_patience(patience):
    with pytest.raises(InputError, match="'patience'"):
        required_agents(100, 180, 1800, EIGHTY_TWENTY, model=erlang_model(patience))


def test_scheduled_staff():
    assert scheduled_staff(14, 0.3) == 20  # 14 / 0.7 is 20.000000000000004 in floats
    assert scheduled_staff(0, 0.5) == 0
    assert scheduled_staff([10, 11], 0.0).tolist() == [10, 11]
    assert scheduled_staff(10, 0.35) == 16
    for bad in (1.0, -0.1):
        with pytest.raises(InputError, match="'shrinkage'"):
            scheduled_staff(10, bad)


def test_requirements_table():
    day = pd.DataFrame(
        {"interval_start": ["08:00", "08:30", "09:00"], "calls": [100, 0, 250], "aht": 180}
    )
    out = requirements(day, EIGHTY_TWENTY, interval=1800, shrinkage=0.3)
    assert list(out.columns) == [
        "interval_start",
        "calls",
        "aht",
        "traffic",
        "agents",
        "scheduled",
        "service_level",
        "asa",
        "occupancy",
    ]
    assert out["agents"].tolist() == [14, 0, required_agents(250, 180, 1800, EIGHTY_TWENTY)]
    assert out["scheduled"].tolist()[:2] == [20, 0]
    assert out.loc[0, "service_level"] == pytest.approx(0.88835, abs=5e-6)
    assert out.loc[0, "asa"] == pytest.approx(7.836, abs=5e-4)
    assert out.loc[1, "service_level"] == 1.0
    assert "abandon_rate" not in out
    assert "agents" not in day  # the input is not modified
    with_patience = requirements(day, EIGHTY_TWENTY, 1800, model=ErlangA(patience=300))
    assert with_patience["agents"].tolist()[0] == 13
    assert with_patience.loc[0, "abandon_rate"] == pytest.approx(0.025, abs=5e-4)


def test_requirements_bad_frames():
    with pytest.raises(InputError, match=r"missing column\(s\) \['aht'\]"):
        requirements(pd.DataFrame({"calls": [1]}), EIGHTY_TWENTY, 1800)
    frame = pd.DataFrame({"calls": [10, -3], "aht": [180, 180]}, index=["08:00", "08:30"])
    with pytest.raises(InputError, match=r"'calls' must be >= 0 and finite: -3.0 \(row '08:30'\)"):
        requirements(frame, EIGHTY_TWENTY, 1800)
    frame = pd.DataFrame({"calls": [10, "many"], "aht": [180, 180]})
    with pytest.raises(InputError, match=r"'calls' must be a number: 'many' \(row 1\)"):
        requirements(frame, EIGHTY_TWENTY, 1800)
    frame = pd.DataFrame({"calls": [10, None], "aht": [180, 180]})
    with pytest.raises(InputError, match=r"'calls' must be a number, not NaN: nan \(row 1\)"):
        requirements(frame, EIGHTY_TWENTY, 1800)
    with pytest.raises(InputError, match="'df' must be a pandas DataFrame"):
        requirements({"calls": [1], "aht": [1]}, EIGHTY_TWENTY, 1800)  # type: ignore[arg-type]


def _targets_or_none(**kwargs):
    try:
        return Targets(**kwargs)
    except InputError:
        return None  # no target set at all


targets_strategy = st.builds(
    _targets_or_none,
    service_level=st.one_of(st.none(), st.floats(0.05, 0.99)),
    answer_time=st.floats(0.0, 120.0),
    asa=st.one_of(st.none(), st.floats(1.0, 120.0)),
    max_occupancy=st.one_of(st.none(), st.floats(0.5, 1.0)),
    max_abandon=st.one_of(st.none(), st.floats(0.01, 0.3)),
    sl_basis=st.sampled_from(["offered", "answered", "offered_excl_short_abandons"]),
).filter(lambda t: t is not None)


@given(
    calls=st.floats(0.0, 3000.0),
    aht=st.floats(30.0, 900.0),
    targets=targets_strategy,
    patience=st.one_of(st.none(), st.floats(10.0, 1200.0)),
)
def test_required_agents_is_minimal(calls, aht, targets, patience):
    if patience is not None and targets.unguarded():
        with pytest.raises(InputError, match="max_abandon"):
            required_agents(calls, aht, 900, targets, model=erlang_model(patience))
        return
    n = required_agents(calls, aht, 900, targets, model=erlang_model(patience))
    m = interval_metrics([max(n - 1, 0), n], calls, aht, 900, targets, model=erlang_model(patience))

    def meets(row: int) -> bool:
        ok = True
        if targets.service_level is not None:
            ok &= m["service_level"][row] >= targets.service_level
        if targets.asa is not None:
            ok &= m["asa"][row] <= targets.asa
        if targets.max_occupancy is not None:
            ok &= m["occupancy"][row] <= targets.max_occupancy
        if targets.max_abandon is not None and patience is not None:
            ok &= m["abandon_rate"][row] <= targets.max_abandon
        agents = n - 1 if row == 0 else n
        idle = m["traffic"][row] == 0  # no traffic (calls, or calls * aht underflowing)
        if patience is None:
            ok &= agents > m["traffic"][row] or idle
        ok &= agents >= 1 or idle  # traffic always gets at least one agent
        return bool(ok)

    assert meets(1)
    if n > 0:
        assert not meets(0)
    else:
        assert m["traffic"][1] == 0


@given(calls=st.floats(1.0, 2000.0), extra=st.floats(1.0, 1.5))
def test_more_calls_never_need_fewer_agents(calls, extra):
    n = required_agents([calls, calls * extra], 240, 900, EIGHTY_TWENTY)
    assert n[1] >= n[0]
    n = required_agents(
        [calls, calls * extra], 240, 900, EIGHTY_TWENTY, model=ErlangA(patience=120)
    )
    assert n[1] >= n[0]


def test_mismatched_array_lengths_are_named():
    with pytest.raises(
        InputError, match=r"array lengths do not match: 'calls' \(3,\), 'aht' \(2,\)"
    ):
        required_agents([1, 2, 3], [180, 200], 1800, EIGHTY_TWENTY)
    day = pd.DataFrame({"calls": [100, 120], "aht": 180})
    with pytest.raises(InputError, match=r"'patience' \(3,\)"):
        requirements(day, EIGHTY_TWENTY, 1800, model=ErlangA(patience=[100, 120, 130]))
    with pytest.raises(InputError, match=r"'agents' \(3,\)"):
        interval_metrics([1, 2, 3], [10, 20], 180, 1800, EIGHTY_TWENTY)


def test_day_summary_weights_by_calls():
    day = pd.DataFrame({"calls": [100.0, 300.0, 0.0], "aht": 180.0})
    table = requirements(day, EIGHTY_TWENTY, 1800, shrinkage=0.3, model=ErlangA(patience=300))
    s = day_summary(table, 1800)
    assert s["calls"] == 400
    assert s["peak_agents"] == table["agents"].max()
    assert s["agent_hours"] == pytest.approx(table["agents"].sum() * 0.5)
    assert s["scheduled_hours"] == pytest.approx(table["scheduled"].sum() * 0.5)
    sl = table["service_level"].to_numpy()
    assert s["service_level"] == pytest.approx((100 * sl[0] + 300 * sl[1]) / 400)
    ab = table["abandon_rate"].to_numpy()
    assert s["abandon_rate"] == pytest.approx((100 * ab[0] + 300 * ab[1]) / 400)
    answered = np.array([100 * (1 - ab[0]), 300 * (1 - ab[1]), 0.0])
    assert s["asa"] == pytest.approx((answered * table["asa"]).sum() / answered.sum())
    carried = (table["occupancy"] * table["agents"]).sum()
    assert s["occupancy"] == pytest.approx(carried / table["agents"].sum())
    # Busy agent time equals the carried load: offered traffic less abandons.
    assert carried == pytest.approx((table["traffic"] * (1 - table["abandon_rate"])).sum())
    with pytest.raises(InputError, match="evaluate_plan\\(\\) table"):
        day_summary(day, 1800)


def test_day_summary_empty_day():
    table = requirements(pd.DataFrame({"calls": [0.0, 0.0], "aht": 200.0}), EIGHTY_TWENTY, 900)
    s = day_summary(table, 900)
    assert s["service_level"] == 1.0 and s["asa"] == 0.0 and s["peak_agents"] == 0


def test_a_patience_per_interval_with_an_interval_without_calls():
    """The search's first guess took the patience of every interval for the intervals
    with calls only, and failed with a numpy broadcast error."""
    got = required_agents(
        [40, 0, 30], 240, 1800, Targets(), model=ErlangA(patience=(150.0, 90.0, 200.0))
    )
    alone = [
        required_agents([c], 240, 1800, Targets(), model=ErlangA(patience=p))[0]
        for c, p in ((40, 150.0), (30, 200.0))
    ]
    assert list(got) == [alone[0], 0, alone[1]]


def test_a_load_below_the_smallest_normal_float_is_no_load():
    """Found by hypothesis in CI: 2.2e-311 calls made x / y overflow in Erlang A, and 5e-324
    calls divided by zero in its first guess, or needed an agent while their traffic
    (underflowing to 0) needed none. Such a load counts as no calls, everywhere."""
    import warnings

    import planner

    targets = planner.Targets(service_level=None, answer_time=0.0, max_abandon=0.25)
    model = planner.ErlangA(patience=10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for calls, aht in ((2.225073858507e-311, 30.0), (5e-324, 451.0), (5e-324, 30.0)):
            assert planner.required_agents(calls, aht, 900.0, targets, model=model) == 0
            m = planner.interval_metrics(0, calls, aht, 900.0, targets, model=model)
            assert m["traffic"][0] == 0
    # the smallest normal load still needs its agent
    tiny = float(np.finfo(np.float64).tiny)
    assert planner.required_agents(tiny * 900 / 30 * 2, 30.0, 900.0, targets, model=model) == 1
