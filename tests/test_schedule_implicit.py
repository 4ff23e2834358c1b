"""Implicit breaks and days off: the same optimum as every option spelled out,
people's rosters that add up to the coverage, weekend rotations, the first answer."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse as sp

from planner import InputError
from planner.schedule import Break, ShiftTemplate, milp, schedule, weekday
from planner.schedule.formulation import Setting
from planner.schedule.grid import Grid
from planner.schedule.implicit import bands, implicit

HOUR = 3600.0
LUNCH = Break(1800, 3 * HOUR, 5 * HOUR, paid=False)
COFFEE = Break(900, 1 * HOUR, 2.5 * HOUR)
TEA = Break(900, 5.5 * HOUR, 7 * HOUR)


def _minutes(label: str) -> int:
    h, m = label.split(":")
    return int(h) * 60 + int(m)


def roster_coverage(roster, days: int, n: int, interval: float, origin: str = "00:00",
                    week: int = 1) -> np.ndarray:  # fmt: skip
    """People on duty per interval from the roster's clock labels alone (minutes,
    no planner code): shift start to end, less each break."""
    step = int(interval // 60)
    first = _minutes(origin)
    minute = np.zeros(days * 1440 + 1440)
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    for row in roster[roster["week"] == week].itertuples():
        d = names.index(row.day) if row.day else 0
        begin = d * 1440 + _minutes(row.start)
        end = d * 1440 + _minutes(row.end)
        end += 1440 if end <= begin else 0
        minute[begin:end] += 1
        for span in filter(None, (b.strip() for b in row.breaks.split(","))):
            lo, hi = span.split()[0].split("-")
            b0 = d * 1440 + _minutes(lo)
            b0 += 1440 if b0 < begin else 0
            b1 = b0 + (_minutes(hi) - _minutes(lo)) % 1440
            minute[b0:b1] -= 1
    minute[:1440] += minute[days * 1440 :]  # a wrapped horizon's overflow
    per_day = []
    for d in range(days):
        at = d * 1440 + first + np.arange(n) * step
        per_day.append([minute[a : a + step].mean() for a in at])
    return np.array(per_day).reshape(-1)


def test_implicit_breaks_match_enumerated_ones_on_a_bank_day():
    need = [2, 3, 5, 7, 9, 10, 10, 9, 8, 9, 11, 12, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 2]
    templates = [
        ShiftTemplate("8h", 8 * HOUR, every=1800, earliest="08:00", latest="12:00",
                      breaks=(COFFEE, LUNCH, TEA), break_spacing=1800, cost_per_hour=20),
        ShiftTemplate("4h", 4 * HOUR, every=1800, earliest="08:00", latest="16:00",
                      breaks=(COFFEE,), cost_per_hour=22),
    ]  # fmt: skip
    kw = {"interval": 1800, "start": "08:00"}
    both = {f: schedule(need, templates, formulation=f, **kw) for f in ("implicit", "enumerated")}
    implicit_, enumerated_ = both["implicit"], both["enumerated"]
    assert implicit_.cost == pytest.approx(enumerated_.cost, rel=1e-9)
    assert implicit_.gap <= 1e-4 and enumerated_.gap <= 1e-4
    assert implicit_.options < enumerated_.options / 3  # variables against options
    for s in both.values():
        assert s.coverage["short"].max() == 0
        got = roster_coverage(s.roster, 1, 24, 1800, "08:00")
        np.testing.assert_allclose(got, s.coverage["scheduled"], atol=1e-9)
        # each full-time person's breaks: in their windows, in order, 30 minutes apart
        for row in s.roster[s.roster["shift"] == "8h"].itertuples():
            spans = [b.split()[0].split("-") for b in row.breaks.split(", ")]
            offsets = [_minutes(lo) - _minutes(row.start) for lo, _ in spans]
            ends = [_minutes(hi) - _minutes(row.start) for _, hi in spans]
            windows = [(60, 150), (180, 300), (330, 420)]
            assert all(lo <= o <= hi for o, (lo, hi) in zip(offsets, windows, strict=True))
            assert all(later >= end + 30 for end, later in zip(ends, offsets[1:], strict=False))


@settings(max_examples=12, derandomize=True, deadline=None)
@given(
    need=st.lists(st.integers(0, 6), min_size=24, max_size=24),
    spacing=st.sampled_from([0.0, 1800.0]),
    wrap=st.booleans(),
)
def test_implicit_and_enumerated_have_the_same_optimum(need, spacing, wrap):
    templates = [
        ShiftTemplate("long", 8 * HOUR, every=HOUR, breaks=(COFFEE, LUNCH),
                      break_spacing=spacing, cost_per_hour=1.0),
        ShiftTemplate("short", 4 * HOUR, every=HOUR, cost_per_hour=1.2),
    ]  # fmt: skip
    costs = []
    for formulation in ("implicit", "enumerated"):
        try:
            s = schedule(need, templates, interval=HOUR, wrap=wrap, formulation=formulation)
        except InputError as err:
            assert "no shift" in str(err)
            return
        assert s.coverage["short"].max() == 0 and s.gap <= 1e-4
        costs.append(s.cost)
    assert costs[0] == pytest.approx(costs[1], rel=1e-9, abs=1e-9)


def test_a_night_shift_s_break_after_midnight_leaves_the_right_interval():
    # 24/7 (wrap): a night shift from 21:00 takes its meal after midnight; the
    # interval 00:30 can only be covered by a night person whose meal is later
    meal = Break(1800, 3.5 * HOUR, 5 * HOUR, paid=False)
    templates = [
        ShiftTemplate("day", 8.5 * HOUR, every=1800, earliest="06:00", latest="10:00",
                      breaks=(meal,)),
        ShiftTemplate("night", 8.5 * HOUR, every=1800, earliest="21:00", latest="23:00",
                      breaks=(meal,)),
    ]  # fmt: skip
    need = np.zeros(48)
    need[1] = 1  # 00:30
    need[20:24] = 2  # 10:00-12:00
    for formulation in ("implicit", "enumerated"):
        s = schedule(need, templates, interval=1800, wrap=True, formulation=formulation)
        assert s.people == 3 and s.coverage["short"].max() == 0
        np.testing.assert_allclose(
            roster_coverage(s.roster, 1, 48, 1800), s.coverage["scheduled"], atol=1e-9
        )


def test_a_week_implicit_equals_enumerated_and_its_roster_adds_up():
    # a small week: hourly intervals 07:00-19:00, Saturday lighter, Sunday closed
    day = np.array([2, 3, 4, 5, 5, 4, 4, 5, 5, 4, 3, 2])
    need = np.vstack([day, day, day + 1, day, day, np.maximum(day - 2, 0), 0 * day])
    templates = [
        ShiftTemplate("ft", 8 * HOUR, every=HOUR, earliest="07:00", latest="11:00",
                      breaks=(Break(HOUR, 3 * HOUR, 5 * HOUR, paid=False),),
                      consecutive_off=False, cost_per_hour=20),
        ShiftTemplate("pt", 4 * HOUR, every=2 * HOUR, earliest="07:00", latest="15:00",
                      days_off=3, cost_per_hour=22),
    ]  # fmt: skip
    kw = {"interval": HOUR, "horizon": "week", "start": "07:00",
          "open_hours": {"Sun": None}}  # fmt: skip
    got = schedule(need, templates, formulation="implicit", **kw)
    want = schedule(need, templates, formulation="enumerated", **kw)
    assert got.cost == pytest.approx(want.cost, rel=1e-9)
    assert got.gap <= 1e-4 and got.coverage["short"].max() == 0
    np.testing.assert_allclose(
        roster_coverage(got.roster, 7, 12, HOUR, "07:00"), got.coverage["scheduled"], atol=1e-9
    )
    # the shifts table and the roster count the same people and hours
    assert got.roster["person"].nunique() == got.people == got.shifts["count"].sum()
    assert set(got.roster["day"]) <= {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
    per_person = got.roster.groupby("person")["day"].nunique()
    shift_of = got.roster.groupby("person")["shift"].first()
    assert (per_person[shift_of == "ft"] == 5).all() and (per_person[shift_of == "pt"] == 4).all()


def test_starts_stay_in_their_band_and_a_band_that_breaks_the_rest_is_refused():
    # the early half of the week needs people 06:00-14:00, the late half 10:00-18:00
    early = np.r_[np.zeros(6), np.full(8, 3.0), np.zeros(10)]
    late = np.r_[np.zeros(10), np.full(8, 3.0), np.zeros(6)]
    need = np.concatenate([early] * 3 + [late] * 4)
    rules = {"every": HOUR, "earliest": "06:00", "latest": "10:00", "consecutive_off": False}
    s = schedule(need, [ShiftTemplate("8h", 8 * HOUR, start_band=4 * HOUR, **rules)],
                 interval=HOUR, horizon="week")  # fmt: skip
    assert s.coverage["short"].max() == 0
    starts = s.roster.groupby("person")["start"].agg(lambda x: [_minutes(v) for v in x])
    assert max(max(v) - min(v) for v in starts) == 240  # early and late in one week
    same = schedule(need, [ShiftTemplate("8h", 8 * HOUR, **rules)], interval=HOUR,
                    horizon="week")  # fmt: skip
    assert s.cost < same.cost and s.people == 5  # 21 shift-days need 5 people of 5 days
    with pytest.raises(InputError, match="min_rest"):
        ShiftTemplate("x", 10 * HOUR, start_band=4 * HOUR, min_rest=11 * HOUR)
    assert bands([0.0, 900.0, 1800.0, 3600.0, 7200.0], 1800.0) == [[0.0, 900.0, 1800.0],
                                                                  [3600.0], [7200.0]]  # fmt: skip


@pytest.mark.parametrize("weeks", [2, 3])
def test_a_rotation_gives_everyone_their_weekends_off(weeks):
    need = np.tile(np.r_[np.zeros(8), np.full(10, 6.0), np.zeros(6)], 7)
    t = ShiftTemplate("8h", 8 * HOUR, every=HOUR, earliest="08:00", latest="10:00",
                      weekends_off=1, consecutive_off=False)  # fmt: skip
    s = schedule(need, [t], interval=HOUR, horizon="week", rotation_weeks=weeks)
    assert s.coverage["short"].max() == 0
    roster = s.roster
    assert sorted(roster["week"].unique()) == list(range(1, weeks + 1))
    for person, mine in roster.groupby("person"):
        off = [not ({"Sat", "Sun"} & set(mine[mine["week"] == w]["day"]))
               for w in range(1, weeks + 1)]  # fmt: skip
        assert sum(off) >= 1, f"person {person} works every weekend"
    for w in range(1, weeks + 1):  # every week of the rotation is covered the same
        got = roster_coverage(roster, 7, 24, HOUR, week=w)
        np.testing.assert_allclose(got, s.coverage["scheduled"], atol=1e-9)
    # without the rule, fewer people have weekends off: it costs something
    free = schedule(need, [ShiftTemplate("8h", 8 * HOUR, every=HOUR, earliest="08:00",
                                         latest="10:00", consecutive_off=False)],
                    interval=HOUR, horizon="week")  # fmt: skip
    assert free.cost <= s.cost
    with pytest.raises(InputError, match="weekends_off"):  # every weekend off, at the weekend
        schedule(need, [ShiftTemplate("8h", 8 * HOUR, every=HOUR, earliest="08:00",
                                      latest="10:00", weekends_off=2)],
                 interval=HOUR, horizon="week", rotation_weeks=1)  # fmt: skip


@pytest.mark.parametrize("weekends", [0, 1])
def test_the_first_answer_is_a_feasible_whole_schedule_near_the_lp(weekends):
    rng = np.random.default_rng(7)
    day = np.r_[np.zeros(20), 8 + 6 * np.sin(np.linspace(0, np.pi, 70)), np.zeros(6)]
    need = np.ceil(np.outer([1.2, 1.0, 1.0, 1.0, 0.9, 0.6, 0.4], day)
                   + rng.integers(0, 2, (7, 96)) * (day > 0)).reshape(-1)  # fmt: skip
    ft = ShiftTemplate("ft", 8.5 * HOUR, every=900, earliest="05:00", latest="14:00",
                       breaks=(LUNCH,), consecutive_off=False, start_band=HOUR,
                       weekends_off=weekends)  # fmt: skip
    pt = ShiftTemplate("pt", 4 * HOUR, every=900, earliest="06:00", latest="18:30", days_off=3)
    grid = Grid(7, 96, 900.0, 0.0, False)
    setting = Setting((ft, pt), grid, np.ones(672, bool), 0, True, rotation_weeks=2)
    form = implicit(setting)
    rows = [r.rows for r in form.structure]
    lower = np.concatenate([r.lower for r in form.structure])
    upper = np.concatenate([r.upper for r in form.structure])
    matrix = sp.vstack([form.cover, *rows])
    lp = milp.solve(form.cost, sp.csr_array(matrix), np.r_[need, lower],
                    np.r_[np.full(need.size, np.inf), upper], np.full(form.size, np.inf),
                    form.integral, time_limit=60, gap=1e-4, relaxed=True)  # fmt: skip
    x = form.first_answer(lp.x, need, True)
    assert x is not None and (x >= 0).all()
    assert (form.cover @ x >= need - 1e-9).all()
    for r in form.structure:  # every linking, break, ordering and weekend row holds
        value = r.rows @ x
        assert (value >= r.lower - 1e-9).all() and (value <= r.upper + 1e-9).all()
    # about 40 people: one more full-timer is 2.6% of the cost
    assert form.cost @ x <= 1.08 * lp.objective


def test_progress_reports_better_schedules_and_weekday_names_parse():
    seen = []
    need = [6, 6, 6, 6, 6, 8, 9, 12, 18, 22, 25, 21, 21, 20, 18, 21, 21, 24, 24, 18, 18, 18,
            12, 8]  # fmt: skip
    s = schedule(need, [ShiftTemplate("8h", 8 * HOUR)], interval=HOUR, wrap=True,
                 progress=lambda *report: seen.append(report))  # fmt: skip
    assert s.people == 55
    assert seen and seen[-1][1] == pytest.approx(s.objective)
    assert weekday("x", "saturday") == 5


def test_a_short_time_limit_still_returns_a_schedule_with_an_honest_gap():
    # 5 s: time for the LP and the first answer on a busy 2-core machine, not for HiGHS
    day = np.r_[np.zeros(20), 8 + 6 * np.sin(np.linspace(0, np.pi, 70)), np.zeros(6)]
    need = np.ceil(np.outer([1.2, 1.0, 1.0, 1.0, 0.9, 0.6, 0.4], day)).reshape(-1)
    ft = ShiftTemplate("ft", 8.5 * HOUR, every=900, earliest="05:00", latest="14:00",
                       breaks=(LUNCH,), consecutive_off=False)  # fmt: skip
    pt = ShiftTemplate("pt", 4 * HOUR, every=900, earliest="06:00", latest="18:30", days_off=3)
    seen = []
    s = schedule(need, [ft, pt], interval=900, horizon="week", time_limit=5.0,
                 progress=lambda *report: seen.append(report))  # fmt: skip
    assert seen  # the first answer is reported before HiGHS starts
    assert s.coverage["short"].max() == 0
    assert s.lp_bound <= s.bound + 1e-6 <= s.objective + 2e-6
    assert s.gap == pytest.approx((s.objective - s.bound) / s.objective, abs=1e-9)
    assert s.cost == pytest.approx(s.shifts["cost"].sum()) == pytest.approx(s.objective)
