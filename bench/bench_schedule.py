"""Benchmark: shift schedules from the bundled scenario's requirement (HiGHS MILP).

* A day: the retail bank's 24 half hours, 8-hour and 4-hour shifts with breaks.
* A week of 15-minute intervals (7 x 96 = 672, the bank's day split in
  quarter hours, Monday to Saturday at the sample's weekday volumes, Sunday
  closed): full-time 8-hour shifts with an unpaid lunch and part-time 4-hour
  shifts with a break, 5 days on and 2 off together.
* The bank scenario's own ``[schedule]`` (``Scenario.schedule()``: shifts with
  a paid break and an unpaid lunch, part time capped at 40%, 22% shrinkage
  beyond the breaks), for its day and its week (Saturday at half the calls,
  08:00-17:00, Sunday closed; days off any two).
* Soft against hard on a budget: the day with 15% fewer paid hours, either
  by cutting every interval's requirement by 15% (hard) or letting soft
  coverage leave short the intervals where an agent answers fewest calls.

Each prints the seconds, the options the solver chose among, paid hours
against the perfectly flexible lower bound (agent hours of the requirement,
as if staff came and went every interval), HiGHS's gap and the day service
level the schedule delivers. Run with ``python bench/bench_schedule.py``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from planner import Scenario, day_summary, requirements
from planner.sample import WEEKLY
from planner.schedule import Break, ShiftTemplate, schedule

HOUR = 3600.0
BANK = Path(__file__).resolve().parents[1] / "scenarios" / "retail_bank.toml"


def _row(label: str, seconds: float, s, flexible: float, sl: float) -> None:
    print(
        f"{label:34}{seconds:8.2f}{s.scheduled_hours:10.1f}{flexible:11.1f}"
        f"{s.scheduled_hours / flexible - 1:+9.1%}{s.gap:9.2%}{sl:9.1%}"
    )


def main() -> None:
    bank = Scenario.load(BANK)
    table = bank.requirements()
    need = table["agents"].to_numpy()
    how = {"targets": bank.targets, "model": bank.model}
    lunch = Break(1800, 3 * HOUR, 5 * HOUR, paid=False)
    coffee = Break(900, 1 * HOUR, 2.5 * HOUR)
    day_rules = {"every": 1800, "earliest": bank.start}
    day_t = [
        ShiftTemplate(
            "8h", 8 * HOUR, latest="12:00", breaks=(lunch,), cost_per_hour=20, **day_rules
        ),
        ShiftTemplate(
            "4h", 4 * HOUR, latest="16:00", breaks=(coffee,), cost_per_hour=22, **day_rules
        ),
    ]
    print(f"{'':34}{'seconds':>8}{'paid h':>10}{'flexible':>11}{'extra':>9}{'gap':>9}{'SL':>9}")
    t0 = time.perf_counter()
    day = schedule(need, day_t, interval=bank.interval, start=bank.start)
    seconds = time.perf_counter() - t0
    flexible = float(need.sum() * bank.interval / HOUR)
    sl = day_summary(day.service(table, **how), bank.interval)["service_level"]
    _row("a day, 30-minute intervals", seconds, day, flexible, sl)

    # The week: quarter hours over whole days (closed hours need nobody).
    quarter = bank.workload()
    calls = np.repeat(quarter["calls"].to_numpy() / 2, 2)
    aht = np.repeat(quarter["aht"].to_numpy(), 2)
    open_from = int(pd.Timestamp(bank.start).hour * 4)
    week_need, week_tables = [], []
    for weekday in range(7):
        factor = WEEKLY[weekday] / WEEKLY[1]  # the bank's day is a Tuesday
        full = np.zeros(96)
        load = pd.DataFrame({"calls": calls * factor, "aht": aht})
        req = requirements(load, bank.targets, 900, 0.0, model=bank.model)
        full[open_from : open_from + len(req)] = req["agents"].to_numpy()
        week_need.append(full)
        week_tables.append(req)
    week_rules = {"every": 1800, "earliest": "07:00"}
    week_t = [
        ShiftTemplate("full time", 8 * HOUR, latest="12:00", breaks=(lunch,),
                      cost_per_hour=20, work_days=(0, 1, 2, 3, 4, 5), **week_rules),
        ShiftTemplate("part time", 4 * HOUR, latest="16:00", breaks=(coffee,),
                      cost_per_hour=22, work_days=(0, 1, 2, 3, 4, 5), days_off=3,
                      consecutive_off=False, **week_rules),
    ]  # fmt: skip
    t0 = time.perf_counter()
    week = schedule(np.array(week_need), week_t, interval=900, horizon="week", mip_gap=0.01)
    seconds = time.perf_counter() - t0
    flexible = float(np.sum(week_need) * 900 / HOUR)
    print(
        f"{'a week, 672 quarter hours':34}{seconds:8.2f}{week.scheduled_hours:10.1f}"
        f"{flexible:11.1f}{week.scheduled_hours / flexible - 1:+9.1%}{week.gap:9.2%}{'':>9}"
        f"   ({week.shifts['count'].sum()} people from {week.options:,} shift options)"
    )

    for horizon in ("day", "week"):
        scenario = bank.with_changes(horizon=horizon)
        t0 = time.perf_counter()
        own = scenario.schedule()
        seconds = time.perf_counter() - t0
        flexible = float(own.coverage["required"].sum() * bank.interval / HOUR)
        sl = day_summary(own.service(), bank.interval)["service_level"]
        _row(f"the scenario's [schedule], {horizon}", seconds, own, flexible, sl)

    hard_even = schedule(np.floor(need * 0.85), day_t, interval=bank.interval, start=bank.start)
    t0 = time.perf_counter()
    soft = schedule(
        need, day_t, interval=bank.interval, start=bank.start, coverage="soft",
        paid_hours=hard_even.scheduled_hours, workload=table, mip_gap=0.01, **how,
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    flexible = float(need.sum() * bank.interval / HOUR)
    for label, s in (
        ("15% fewer hours: cut evenly, hard", hard_even),
        ("15% fewer hours: soft", soft),
    ):
        sl = day_summary(s.service(table, **how), bank.interval)["service_level"]
        _row(label, seconds if s is soft else float("nan"), s, flexible, sl)


if __name__ == "__main__":
    main()
