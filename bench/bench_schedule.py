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
* A real week (issue 24): 672 quarter hours open 05:00-22:30, Monday the
  busiest, the weekend at 40-60% (3,555 agent hours); full time 8.5 h starting
  every 15 minutes 05:00-14:00 with a 30-minute unpaid lunch 3.5-5 h in, any
  2 days off; part time 4 h starting every 15 minutes 06:00-18:30, 4 days.
  With the same start every day, with starts in a 1-hour band, and with two
  paid 15-minute breaks and the lunch 30 minutes apart; then a 24/7 week
  (wrap; day, evening and night templates with breaks). Each with the
  implicit formulation and the enumerated one at the same time limit.
* The solvers on identical matrices (the real week's implicit programme and
  the bank's day with its part-time cap): HiGHS through ``scipy.optimize.milp``
  (default options), through ``highspy`` (what planner uses, with and without
  the first answer), and CBC through PuLP.

Each prints the seconds, the options the solver chose among, paid hours
against the perfectly flexible lower bound (agent hours of the requirement,
as if staff came and went every interval), HiGHS's gap and the day service
level the schedule delivers. Run with ``python bench/bench_schedule.py``
(``--quick`` for the week cases only at a 10-second limit).
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from planner import Scenario, Targets, day_summary, requirements
from planner.sample import WEEKLY
from planner.schedule import Break, ShiftTemplate, core, implicit, milp, schedule

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
        f"   ({week.people} people; {week.options:,} variables)"
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


def real_week() -> np.ndarray:
    """Issue 24's week: agents per quarter hour, 7 x 96 from Monday, open 05:00-22:30."""
    clock = np.arange(96) * 0.25  # hours after midnight
    shape = (
        np.exp(-0.5 * ((clock - 10.5) / 1.8) ** 2)
        + 0.8 * np.exp(-0.5 * ((clock - 15.0) / 2.2) ** 2)
        + 0.35 * np.exp(-0.5 * ((clock - 19.5) / 1.5) ** 2)
    )
    is_open = (clock >= 5) & (clock < 22.5)
    days = np.array([1.25, 1.05, 1.0, 0.98, 0.95, 0.6, 0.42])
    calls = (2.33 * 60 * days[:, None] * shape[None, :] * is_open[None, :]).reshape(-1)
    load = pd.DataFrame({"calls": calls, "aht": np.full(calls.size, 300.0)})
    return requirements(load, Targets(), 900, 0.0)["agents"].to_numpy()


def week_templates(band: float = 0.0, breaks: str = "lunch", weekends: int = 0
                   ) -> list[ShiftTemplate]:  # fmt: skip
    """The real week's templates: starts in a ``band`` (seconds; 0 the same start),
    a lunch, or two paid 15-minute breaks and the lunch 30 minutes apart; full
    timers with ``weekends`` weekends off per rotation."""
    lunch = Break(1800, 3.5 * HOUR, 5 * HOUR, paid=False)
    if breaks == "lunch":
        full = {"breaks": (lunch,)}
    else:
        paid = (Break(900, 1.5 * HOUR, 3 * HOUR), Break(900, 5.5 * HOUR, 7 * HOUR))
        full = {"breaks": (paid[0], lunch, paid[1]),
                "break_spacing": 1800.0}  # fmt: skip
    return [
        ShiftTemplate("full time", 8.5 * HOUR, every=900, earliest="05:00", latest="14:00",
                      consecutive_off=False, start_band=band, cost_per_hour=20,
                      weekends_off=weekends, **full),
        ShiftTemplate("part time", 4 * HOUR, every=900, earliest="06:00", latest="18:30",
                      days_off=3, consecutive_off=False, start_band=band, cost_per_hour=22,
                      breaks=(Break(900, 1.5 * HOUR, 2.5 * HOUR),) if breaks != "lunch" else ()),
    ]  # fmt: skip


def round_the_clock() -> tuple[np.ndarray, list[ShiftTemplate]]:
    """A 24/7 week in half hours (wrap): day, evening and night templates with breaks."""
    clock = np.arange(48) * 0.5
    day = 4 + 22 * np.exp(-0.5 * ((clock - 12.5) / 3.5) ** 2)
    need = np.ceil(np.outer([1.2, 1.05, 1.0, 1.0, 0.95, 0.7, 0.55], day)).reshape(-1)
    coffee = Break(900, 1.5 * HOUR, 3 * HOUR)
    meal = Break(1800, 3.5 * HOUR, 5 * HOUR, paid=False)
    rules = {"every": 1800, "consecutive_off": True, "start_band": HOUR, "break_spacing": 3600.0}
    return need, [
        ShiftTemplate("day", 8.5 * HOUR, earliest="06:00", latest="10:00",
                      breaks=(coffee, meal), cost_per_hour=20, **rules),
        ShiftTemplate("evening", 8.5 * HOUR, earliest="13:00", latest="16:00",
                      breaks=(coffee, meal), cost_per_hour=21, **rules),
        ShiftTemplate("night", 8.5 * HOUR, earliest="21:00", latest="23:00",
                      breaks=(coffee, meal), cost_per_hour=24, **rules),
    ]  # fmt: skip


def weeks(limit: float) -> None:
    """The real week and the 24/7 week, implicit against enumerated at ``limit`` s."""
    print(f"\nweeks, time limit {limit:g} s, stop at a 1% gap")
    print(f"{'':44}{'seconds':>8}{'paid h':>8}{'cost':>9}{'bound':>9}{'gap':>8}"
          f"{'vs flexible':>12}{'people':>7}{'size':>8}")  # fmt: skip
    need = real_week()
    cases = [
        ("real week, same start", need, week_templates(0.0), {}),
        ("real week, starts in a 1 h band", need, week_templates(HOUR), {}),
        ("real week, 1 h band, 2 breaks + lunch", need, week_templates(HOUR, "three"), {}),
        (
            "real week, 2 breaks + lunch, 2-week rotation",
            need,
            week_templates(HOUR, "three", weekends=1),
            {"rotation_weeks": 2},
        ),
        ("24/7 week (wrap), 3 templates", *round_the_clock(), {"wrap": True}),
    ]
    for label, req, templates, extra in cases:
        interval = 900 if req.size == 672 else 1800
        flexible = float(req.sum() * interval / HOUR)
        for formulation in ("implicit", "enumerated"):
            options = sum(_options(t, interval) for t in templates)
            if formulation == "enumerated" and options > 60_000:
                print(f"  {label + ', ' + formulation:42}{'':8}  {options:,} options: not built")
                continue
            t0 = time.perf_counter()
            try:
                s = schedule(req, templates, interval=interval, horizon="week", time_limit=limit,
                             mip_gap=0.01, formulation=formulation, **extra)  # fmt: skip
            except Exception as err:  # the bench reports what happened
                print(f"  {label + ', ' + formulation:42}{time.perf_counter() - t0:8.1f}  {err}")
                continue
            seconds = time.perf_counter() - t0
            over = s.scheduled_hours / flexible - 1
            print(f"  {label + ', ' + formulation:42}{seconds:8.1f}{s.scheduled_hours:8.0f}"
                  f"{s.cost:9.0f}{s.bound:9.0f}{s.gap:8.2%}{over:+12.1%}"
                  f"{s.people:7}{s.options:8,}")  # fmt: skip


def _options(t: ShiftTemplate, interval: float) -> int:
    """The enumerated formulation's options of ``t`` in a week (at most)."""
    places = [np.arange(b.earliest, b.latest + 1e-9, interval) for b in t.breaks]
    combos = sum(1 for c in itertools.product(*places) if t.spaced(c))
    return len(t.start_times()) * len(t.patterns()) * combos


def _captured(req: np.ndarray, templates: list[ShiftTemplate], **kw: object) -> dict:
    """The integer programme :func:`schedule` solves (its arguments to HiGHS)."""
    seen: dict = {"start": None}
    solve, rounded = core.solve, implicit.first_answer

    def keep(*args: object, **options: object):
        if not options.get("relaxed"):
            seen["args"] = args
        return solve(*args, **options)

    def first(*args: object, **options: object):
        found = rounded(*args, **options)
        seen["start"] = None if found is None else found.astype(float)
        return found

    core.solve, implicit.first_answer = keep, first
    try:
        schedule(req, templates, time_limit=1.0, mip_gap=0.01, **kw)
    finally:
        core.solve, implicit.first_answer = solve, rounded
    return seen


def _cbc(args: tuple, limit: float) -> tuple[float, str]:
    """CBC (PuLP) on the same programme: (objective, its status) at the limit."""
    import pulp

    cost, matrix, lower, upper, caps, integral = args
    problem = pulp.LpProblem("schedule", pulp.LpMinimize)
    x = [pulp.LpVariable(f"x{i}", 0, None if np.isinf(caps[i]) else float(caps[i]),
                         cat="Integer" if integral[i] else "Continuous")
         for i in range(len(cost))]  # fmt: skip
    problem += pulp.lpSum(float(c) * x[i] for i, c in enumerate(cost) if c)
    csr = matrix.tocsr()
    for r in range(csr.shape[0]):
        lo, hi = csr.indptr[r], csr.indptr[r + 1]
        expr = pulp.lpSum(
            float(v) * x[j] for j, v in zip(csr.indices[lo:hi], csr.data[lo:hi], strict=True)
        )
        if lower[r] == upper[r]:
            problem += expr == float(lower[r])
        else:
            if np.isfinite(lower[r]):
                problem += expr >= float(lower[r])
            if np.isfinite(upper[r]):
                problem += expr <= float(upper[r])
    problem.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, gapRel=0.01))
    values = np.array([v.value() if v.value() is not None else np.nan for v in x])
    whole = np.all(np.abs(values[integral] - np.round(values[integral])) < 1e-6)
    found = whole and np.all(np.isfinite(values))
    value = float(np.asarray(cost) @ values) if found else float("nan")
    return value, pulp.LpStatus[problem.status] + ("" if found else ", no whole solution")


def solvers(limit: float) -> None:
    """The same programmes through each solver (1% gap, ``limit`` s)."""
    from scipy import optimize, sparse

    print(f"\nsolvers on identical matrices, time limit {limit:g} s, stop at a 1% gap")
    print(f"{'':52}{'seconds':>8}{'objective':>11}{'gap':>8}")
    bank = Scenario.load(BANK)
    day = bank.schedule_requirements()
    rules = bank.scheduling
    week = _captured(real_week(), week_templates(HOUR), interval=900, horizon="week")
    bank_day = _captured(day["agents"].to_numpy(), list(rules.templates), interval=bank.interval,
                         start=bank.start, shrinkage=bank.schedule_shrinkage(),
                         max_part_time=rules.max_part_time)  # fmt: skip
    for label, seen in (
        ("real week, 1 h band (implicit)", week),
        ("bank day, part-time cap", bank_day),
    ):
        args = seen["args"]
        cost, matrix, lower, upper, caps, integral = args
        for name, start in (("highspy alone (planner)", None),
                            ("highspy from the first answer", seen["start"])):  # fmt: skip
            t0 = time.perf_counter()
            r = milp.solve(*args, time_limit=limit, gap=0.01, start=start)
            print(f"  {label + ': ' + name:50}{time.perf_counter() - t0:8.1f}{r.objective:11.1f}"
                  f"{r.gap:8.2%}")  # fmt: skip
        t0 = time.perf_counter()
        rows = optimize.LinearConstraint(sparse.csr_array(matrix), lower, upper)
        r = optimize.milp(cost, constraints=rows, bounds=optimize.Bounds(np.zeros(len(cost)), caps),
                          integrality=integral.astype(int),
                          options={"time_limit": limit, "mip_rel_gap": 0.01})  # fmt: skip
        print(f"  {label + ': scipy.optimize.milp':50}{time.perf_counter() - t0:8.1f}"
              f"{r.fun if r.x is not None else np.nan:11.1f}"
              f"{getattr(r, 'mip_gap', np.nan):8.2%}")  # fmt: skip
        t0 = time.perf_counter()
        value, status = _cbc(args, limit)
        print(f"  {label + ': CBC (PuLP)':50}{time.perf_counter() - t0:8.1f}{value:11.1f}"
              f"{'':>8}  {status}")  # fmt: skip


if __name__ == "__main__":
    if "--quick" in sys.argv:
        weeks(10.0)
    else:
        main()
        weeks(30.0)
        solvers(30.0)
