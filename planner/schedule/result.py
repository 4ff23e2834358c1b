"""What a schedule is: its shifts, each person's days, coverage, and how far from optimal."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner import _validate as v
from planner._validate import FloatArray
from planner.errors import InputError
from planner.models import IntervalModel
from planner.report import evaluate_plan
from planner.schedule.enumerated import duty
from planner.schedule.formulation import Person, Setting
from planner.schedule.milp import Solution
from planner.schedule.templates import WEEKDAYS, ShiftTemplate
from planner.simulation import SimulationResult, simulate
from planner.targets import Targets

__all__ = ["Schedule", "result"]


@dataclass(frozen=True, eq=False)
class Schedule:
    """What :func:`schedule` chose.

    Attributes
    ----------
    shifts : one row per shift worked (per kind of week worked, for a week):
        template, start, end, breaks, days, count, paid hours and cost (all
        people on it). Where a person's start or breaks differ by day, the
        columns list them per day.
    coverage : per interval: people ``required`` on duty (the agents needed on
        the phones after ``shrinkage``), ``scheduled`` on duty, ``over`` and
        ``short``, and ``agents``: the scheduled people on the phones after
        shrinkage, rounded down (what :meth:`service` evaluates).
    scheduled_hours, cost : the schedule's totals (paid hours, and their cost).
    objective : the schedule's objective (cost, plus shortfall penalties when soft).
    bound : HiGHS's best bound: no schedule has a lower objective.
    gap : the optimality gap HiGHS reports, ``(objective - bound) / objective``.
    lp_bound : the LP relaxation's optimum (fractional people), a weaker bound.
    status : HiGHS's message.
    options : the programme's size: shift options (template x start x days x
        breaks) for the enumerated formulation, variables for the implicit one.
    roster : one row per person and day worked (each week of a rotation):
        ``person``, ``week``, ``day``, ``shift``, ``start``, ``end``, ``breaks``.
    interval : interval length, seconds.
    shrinkage : fraction of on-duty time off the phones beyond the templates' breaks.
    """

    shifts: pd.DataFrame
    coverage: pd.DataFrame
    scheduled_hours: float
    cost: float
    objective: float
    bound: float
    gap: float
    lp_bound: float
    status: str
    options: int
    roster: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    interval: float = field(repr=False, default=1800.0)
    shrinkage: float = field(repr=False, default=0.0)
    workload: pd.DataFrame | None = field(repr=False, default=None)
    targets: Targets | None = field(repr=False, default=None)
    model: IntervalModel | None = field(repr=False, default=None)

    @property
    def people(self) -> int:
        """People the schedule employs (each works one shift, or one week pattern)."""
        return int(self.shifts["count"].sum())

    def service(
        self,
        workload: pd.DataFrame | None = None,
        targets: Targets | None = None,
        model: IntervalModel | None = None,
    ) -> pd.DataFrame:
        """What the schedule really delivers: :func:`planner.evaluate_plan` of the
        scheduled agents on the phones (``coverage["agents"]``) on ``workload``'s
        ``calls`` and ``aht`` per interval, under ``model`` (Erlang C by default).
        Each argument defaults to the one the schedule was made with."""
        return evaluate_plan(
            self._workload(workload), self.coverage["agents"].to_numpy(),
            targets or self.targets or Targets(), self.interval, self.shrinkage,
            model=self.model if model is None else model,
        )  # fmt: skip

    def intervals(self) -> pd.DataFrame:
        """The coverage table beside what it delivers: one row per interval
        (``interval_start`` a column), the :attr:`coverage` columns and the
        ``service_level``, ``asa`` (seconds) and, with a patience,
        ``abandon_rate`` of :meth:`service`. What the app's and the CLI's
        per-interval downloads hold."""
        service = self.service()
        measures = [c for c in ("service_level", "asa", "abandon_rate") if c in service]
        return self.coverage.join(service[measures]).reset_index()

    def simulate(self, workload: pd.DataFrame | None = None, **options: Any) -> SimulationResult:
        """The scheduled agents on the phones simulated over ``workload`` (``calls``,
        ``aht`` per interval; default the schedule's): :func:`planner.simulate` with
        its keyword arguments (``answer_time``, ``patience``, ``replications``, ...)."""
        agents = self.coverage["agents"].to_numpy()
        return simulate(self._workload(workload), agents, interval=self.interval, **options)

    def _workload(self, workload: pd.DataFrame | None) -> pd.DataFrame:
        workload = self.workload if workload is None else workload
        if workload is None:
            raise InputError("give the workload (calls and aht per interval) to evaluate")
        if len(workload) != len(self.coverage):
            raise InputError(
                f"the workload has {len(workload)} intervals and the schedule {len(self.coverage)}"
            )
        return workload[["calls", "aht"]].set_axis(self.coverage.index)


def _label(t: ShiftTemplate, start: float, breaks: tuple[float, ...]) -> tuple[str, str, str]:
    """A day's shift as (start, end, breaks) clock labels."""
    spans = ", ".join(
        f"{v.clock_label(start + at)}-{v.clock_label(start + at + b.length)}"
        + ("" if b.paid else " unpaid")
        for b, at in zip(t.breaks, breaks, strict=True)
    )
    return v.clock_label(start), v.clock_label(start + t.length), spans


def _day_name(setting: Setting, d: int) -> str:
    week = setting.grid.days == 7
    return WEEKDAYS[(setting.first + d) % 7] if week or setting.weekday_known else ""


def _shift_row(setting: Setting, p: Person, count: int) -> dict[str, Any]:
    """The shifts table's row for ``count`` people working ``p``'s week."""
    t = setting.templates[p.template]
    labels = [_label(t, s, breaks) for _, s, breaks in p.days]
    names = [_day_name(setting, d) for d, _, _ in p.days]

    def column(k: int, sep: str) -> str:
        values = [lab[k] for lab in labels]
        if len(set(values)) <= 1:
            return values[0] if values else ""
        return sep.join(
            f"{n}{':' if k == 2 else ''} {x}" for n, x in zip(names, values, strict=True)
        )

    paid = t.paid_seconds / 3600 * len(p.days)
    return {
        "shift": t.name, "start": column(0, " "), "end": column(1, " "),
        "breaks": column(2, "; "),
        "days": " ".join(names) if setting.grid.days == 7 else "",
        "count": int(count), "paid_hours": float(count * paid),
        "cost": float(count * paid * t.cost_per_hour),
    }  # fmt: skip


def rotation(people: list[tuple[Person, int]], weekend: tuple[int, int],
             weeks: int) -> list[list[Person]]:  # fmt: skip
    """Each person's weeks (``weeks`` of them): within a template and start band,
    the people with the weekend off take turns, ``O`` of ``N`` each week moving on
    by ``O``, so every one has the weekend off ``floor(weeks O / N)`` times or more."""
    groups: dict[tuple[int, int], list[Person]] = defaultdict(list)
    for p, count in people:
        groups[p.template, p.group].extend([p] * count)
    out = []
    off = set(weekend)
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda p: bool(off & {d for d, _, _ in p.days}))
        n = len(members)
        resting = sum(not off & {d for d, _, _ in p.days} for p in members)
        for i in range(n):
            out.append([members[(i - w * resting) % n] for w in range(weeks)])
    return out


def result(
    setting: Setting,
    people: list[tuple[Person, int]],
    req: FloatArray,
    agents: FloatArray,
    off: float,
    names: list[str],
    res: Solution,
    lp: Solution,
    options: int,
    workload: pd.DataFrame | None,
    targets: Targets | None,
    model: IntervalModel | None,
) -> Schedule:
    """The :class:`Schedule` of ``people`` (each with a count): its tables from the
    people themselves, and the solver's objective, bound and gap."""
    templates = setting.templates
    on_duty = np.zeros(req.size)
    for p, count in people:
        on_duty += count * duty(setting, p)
    on_duty = np.round(on_duty, 9)
    people = sorted(
        people,
        key=lambda pc: (
            pc[0].template,
            [(s, d) for d, s, _ in pc[0].days],
            [b for _, _, b in pc[0].days],
        ),
    )
    rows = [_shift_row(setting, p, c) for p, c in people]
    shifts = pd.DataFrame(
        rows, columns=["shift", "start", "end", "breaks", "days", "count", "paid_hours", "cost"]
    )
    roster_rows = []
    for number, weeks in enumerate(rotation(people, setting.weekend(), setting.rotation_weeks), 1):
        for w, p in enumerate(weeks, 1):
            t = templates[p.template]
            for d, s, breaks in p.days:
                start, end, spans = _label(t, s, breaks)
                roster_rows.append({"person": number, "week": w, "day": _day_name(setting, d),
                                    "shift": t.name, "start": start, "end": end,
                                    "breaks": spans})  # fmt: skip
    roster = pd.DataFrame(
        roster_rows, columns=["person", "week", "day", "shift", "start", "end", "breaks"]
    )
    table = pd.DataFrame(
        {
            "required": req,
            "scheduled": on_duty,
            "over": np.clip(on_duty - req, 0, None),
            "short": np.clip(req - on_duty, 0, None),
            "agents": np.floor(on_duty * (1.0 - off) + 1e-9).astype(np.int64),
        },
        index=pd.Index(names, name="interval_start"),
    )
    hours = float(shifts["paid_hours"].sum())
    return Schedule(
        shifts=shifts, coverage=table, scheduled_hours=hours, cost=float(shifts["cost"].sum()),
        objective=res.objective, bound=res.bound, gap=res.gap,
        lp_bound=lp.objective if lp.x is not None else float("nan"), status=res.status,
        options=options, roster=roster, interval=setting.grid.interval, shrinkage=off,
        workload=workload, targets=targets, model=model,
    )  # fmt: skip
