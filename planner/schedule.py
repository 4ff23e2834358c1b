"""Shifts from a requirement: how many people work each shift, at least cost (HiGHS MILP).

A :class:`ShiftTemplate` describes shifts people can work: a paid length,
the start times allowed, breaks placed in windows, a cost per paid hour,
bounds on how many work it, whether it is part time, and for a week its
days-off patterns. :func:`schedule` expands every template into its options
(start time x break placement x days worked), each covering the intervals it
is on duty (a break shorter than an interval covers the rest of it), and
solves an integer programme with ``scipy.optimize.milp`` (HiGHS):

    minimise  sum(cost_s x_s) + sum(penalty_t u_t)
    subject to  sum_s cover[t, s] x_s + u_t >= required_t   for every interval t
                min_count <= sum of a template's x_s <= max_count
                sum of part-time x_s <= max_part_time * sum of all x_s
                sum(paid_hours_s x_s) <= paid_hours
                x_s whole numbers >= 0, u_t >= 0

``required_t`` is people on duty: the agents needed on the phones over
``1 - shrinkage``, the share of on-duty time the breaks do not already take.
With ``coverage="hard"`` no interval may be short (``u`` is 0); with
``"soft"`` a shortfall costs its effect on service: one agent short in an
interval loses the calls answered within the answer time that Erlang C (or
A) says the last agent there answers, so a quiet interval is left short
before the peak. Opening hours per weekday keep everyone home while closed.

Days (or weeks) are cyclic with ``wrap=True`` (24/7: a shift running past
the horizon's end covers its start, as the next day's or week's would);
otherwise a shift must end by the end of the requirement's day. When HiGHS
finds no schedule, each rule is dropped in turn and the error names the one
without which a schedule exists. :class:`ScheduleSettings` is a scenario
file's ``[schedule]`` section (:meth:`planner.Scenario.schedule`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, product
from typing import Any, NoReturn

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize

from planner import _validate as v
from planner._validate import FloatArray
from planner.errors import InputError
from planner.models import IntervalModel
from planner.report import evaluate_plan
from planner.simulation import SimulationResult, simulate
from planner.staffing import interval_metrics, scheduled
from planner.targets import Targets

__all__ = [
    "WEEKDAYS", "Break", "Schedule", "ScheduleSettings", "ShiftTemplate", "duration_seconds",
    "opening_hours", "schedule", "weekday",
]  # fmt: skip

_DAY = 86400.0
# No agent hour costs more; past it the solver's objective loses precision.
MAX_COST_PER_HOUR = 1e6
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEK = WEEKDAYS
_DAYS = {name.lower(): i for i, name in enumerate(_WEEK)}


@dataclass(frozen=True)
class Break:
    """A break of ``length`` seconds starting between ``earliest`` and ``latest``
    seconds after the shift starts (on the interval grid); ``paid`` or not."""

    length: float
    earliest: float
    latest: float
    paid: bool = True

    def __post_init__(self) -> None:
        for name in ("length", "earliest", "latest"):
            value = getattr(self, name)
            check = v.positive if name == "length" else v.nonnegative
            object.__setattr__(self, name, float(check(f"Break.{name}", value)))
        if self.latest < self.earliest:
            raise InputError(
                f"a break's window ends before it begins: {self.earliest:g} s to {self.latest:g} s"
            )


@dataclass(frozen=True)
class ShiftTemplate:
    """Shifts people can work.

    Attributes
    ----------
    name : what the tables call it.
    length : time from start to end, seconds (breaks included).
    starts : allowed start times ``"HH:MM"``; by default every ``every``
        seconds from ``earliest`` to ``latest``.
    breaks : :class:`Break` es, each placed by the solver in its window.
    cost_per_hour : per paid hour (unpaid breaks are not paid).
    min_count, max_count : bounds on how many people work this template.
    days_off, consecutive_off, work_days : the weeks it can be worked (see
        :meth:`patterns`): ``days_off`` days off, together or not, on
        ``work_days`` only (0 = Monday).
    part_time : counts towards :func:`schedule`'s ``max_part_time`` share.
    """

    name: str
    length: float
    starts: tuple[str, ...] | None = None
    every: float = 3600.0
    earliest: str = "00:00"
    latest: str = "23:59"
    breaks: tuple[Break, ...] = ()
    cost_per_hour: float = 1.0
    min_count: int = 0
    max_count: int | None = None
    days_off: int = 2
    consecutive_off: bool = True
    work_days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    part_time: bool = False

    def __post_init__(self) -> None:
        for flag in ("consecutive_off", "part_time"):
            if not isinstance(getattr(self, flag), bool | np.bool_):
                raise InputError(
                    f"shift {self.name!r}: '{flag}' must be true or false: {getattr(self, flag)!r}"
                )
        for name, check in (("length", v.positive), ("every", v.positive),
                            ("cost_per_hour", v.nonnegative)):  # fmt: skip
            value = getattr(self, name)
            if np.ndim(value) != 0 or isinstance(value, bool | str):
                raise InputError(f"shift {self.name!r}: '{name}' must be a number: {value!r}")
            object.__setattr__(self, name, float(check(name, value)))
        if self.cost_per_hour > MAX_COST_PER_HOUR:
            raise InputError(
                f"shift {self.name!r}: 'cost_per_hour' above {MAX_COST_PER_HOUR:g}: "
                f"{self.cost_per_hour:g}"
            )
        for name in ("earliest", "latest"):
            if not isinstance(getattr(self, name), str):
                raise InputError(
                    f"shift {self.name!r}: '{name}' must be a clock time HH:MM: "
                    f"{getattr(self, name)!r}"
                )
        if self.starts is not None and (
            isinstance(self.starts, str) or not all(isinstance(x, str) for x in self.starts)
        ):
            raise InputError(f"shift {self.name!r}: 'starts' must be clock times: {self.starts!r}")
        try:
            if not self.start_times():
                raise InputError(f"no start time from {self.earliest} to {self.latest}")
        except InputError as err:
            raise InputError(f"shift {self.name!r}: {err}") from None
        if (
            isinstance(self.days_off, bool)
            or not isinstance(self.days_off, int)
            or not (0 <= self.days_off <= 6)
        ):
            raise InputError(f"shift {self.name!r}: 'days_off' must be 0 to 6: {self.days_off!r}")
        days = tuple(sorted(set(self.work_days)))
        if not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise InputError(
                f"shift {self.name!r}: 'work_days' must be weekdays 0 (Monday) to 6: "
                f"{self.work_days!r}"
            )
        object.__setattr__(self, "work_days", days)
        if self.length > _DAY:
            raise InputError(f"shift {self.name!r}: 'length' is at most 24 h: {self.length:g} s")
        for b in self.breaks:
            if b.latest + b.length > self.length:
                raise InputError(
                    f"shift {self.name!r}: a {b.length:g} s break starting up to "
                    f"{b.latest:g} s in does not fit a {self.length:g} s shift"
                )
        lo = 0 if self.min_count is None else self.min_count
        if isinstance(lo, bool) or not isinstance(lo, int) or lo < 0:
            raise InputError(f"shift {self.name!r}: 'min_count' must be a whole number >= 0")
        if self.max_count is not None and (
            isinstance(self.max_count, bool)
            or not isinstance(self.max_count, int)
            or self.max_count < lo
        ):
            raise InputError(
                f"shift {self.name!r}: 'max_count' must be a whole number >= min_count "
                f"({lo}): {self.max_count!r}"
            )

    def start_times(self) -> list[float]:
        """Allowed starts, seconds after midnight."""
        if self.starts is not None:
            return sorted(
                {v.clock_seconds(f"{self.name}.starts", s, end_of_day=True) for s in self.starts}
            )
        first = v.clock_seconds("earliest", self.earliest, end_of_day=True)
        last = v.clock_seconds("latest", self.latest, end_of_day=True)
        return list(np.arange(first, last + 1e-9, self.every))

    @property
    def paid_seconds(self) -> float:
        """Paid time of one shift, seconds."""
        return self.length - sum(b.length for b in self.breaks if not b.paid)

    def patterns(self) -> list[tuple[int, ...]]:
        """The weeks this template can be worked: the days on (0 = Monday), with
        ``days_off`` days off (all together, around the week's end too, when
        ``consecutive_off``), on ``work_days`` only."""
        on = 7 - self.days_off
        out = []
        for days in combinations(self.work_days, min(on, len(self.work_days))):
            off = sorted(set(range(7)) - set(days))
            if self.consecutive_off and len(off) > 1:
                gaps = [(b - a) % 7 for a, b in zip(off, off[1:] + off[:1], strict=True)]
                if sum(g != 1 for g in gaps) > 1:  # more than one run of days off
                    continue
            out.append(days)
        return out


@dataclass(frozen=True)
class _Option:
    template: int
    start: float  # clock time, seconds after midnight
    breaks: tuple[float, ...]  # break starts, seconds after the shift start
    days: tuple[int, ...] = (0,)  # days worked (the week's, or the one day)


@dataclass(frozen=True)
class _Grid:
    """The requirement's intervals on a clock: ``days`` days of ``n`` intervals of
    ``interval`` seconds from ``origin`` (seconds after midnight) each."""

    days: int
    n: int
    interval: float
    origin: float
    wrap: bool

    @property
    def edges(self) -> FloatArray:
        """Start of every interval, seconds from the first day's midnight (flat)."""
        per_day = self.origin + np.arange(self.n) * self.interval
        return (np.arange(self.days)[:, None] * _DAY + per_day[None, :]).reshape(-1)

    def cover(self, t: ShiftTemplate, o: _Option) -> FloatArray | None:
        """The share of each interval the option is on duty (None: it does not fit)."""
        close = self.origin + self.n * self.interval
        if not self.wrap and (o.start < self.origin or o.start + t.length > close + 1e-9):
            return None  # without wrap, a shift stays within its day's hours
        starts = self.edges
        out = np.zeros(starts.size)
        horizon = self.days * _DAY

        def add(a: float, b: float, sign: float) -> None:
            pieces = [(a, b)]
            if self.wrap and b > horizon:
                pieces = [(a, horizon), (0.0, b - horizon)]
            for lo, hi in pieces:
                inside = np.minimum(starts + self.interval, hi) - np.maximum(starts, lo)
                out[:] += sign * np.clip(inside, 0, None) / self.interval

        for d in o.days:
            begin = d * _DAY + o.start
            add(begin, begin + t.length, 1.0)
            for b, at in zip(t.breaks, o.breaks, strict=True):
                add(begin + at, begin + at + b.length, -1.0)
        return out


@dataclass(frozen=True, eq=False)
class Schedule:
    """What :func:`schedule` chose.

    Attributes
    ----------
    shifts : one row per shift worked: template, start, end, breaks, days,
        count, paid hours and cost (all people on it).
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
    options : shifts the solver chose among (template x start x days x breaks).
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


def _penalties(
    required: FloatArray,
    workload: pd.DataFrame | None,
    interval: float,
    targets: Targets,
    model: IntervalModel | None,
    value_per_call: float,
    depth: int,
) -> FloatArray:
    """Per interval and agent short (1st, 2nd, ...): calls answered in time that agent
    answers, times ``value_per_call`` (increasing: convex, as a solver needs)."""
    n = len(required)
    if workload is None:
        return np.full((n, depth), value_per_call)
    if len(workload) != n:
        raise InputError(f"'workload' has {len(workload)} intervals; the requirement has {n}")
    calls = workload["calls"].to_numpy(dtype=np.float64)
    aht = workload["aht"].to_numpy(dtype=np.float64)
    # service level at the requirement and at 1, 2, ... agents fewer, in one call
    fewer = np.maximum(required[None, :] - np.arange(depth + 1)[:, None], 0)
    metrics = interval_metrics(fewer, calls, aht, interval, targets, model=model)
    sl = metrics["service_level"].fillna(0.0).to_numpy().reshape(depth + 1, n)
    out = (np.clip(sl[:-1] - sl[1:], 0, None) * calls * value_per_call).T
    return np.maximum.accumulate(out, axis=1)  # keep it convex


def weekday(name: str, value: object) -> int:
    """A weekday as 0 (Monday) to 6 from ``"Mon"`` ... ``"Sun"`` (any case, or the
    full name) or the number; anything else is an InputError naming ``name``."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool) and 0 <= value <= 6:
        return int(value)
    key = str(value).strip().lower()[:3]
    if isinstance(value, str) and key in _DAYS:
        return _DAYS[key]
    raise InputError(f"'{name}' takes Mon ... Sun (or 0 to 6): {value!r}")


def opening_hours(hours: Mapping[Any, Any] | None) -> dict[int, tuple[float, float] | None]:
    """``{weekday: ("HH:MM", "HH:MM") or None}`` checked: weekday numbers to
    (open, close) seconds after midnight, or None (closed all day)."""
    if hours is None:
        return {}
    if not isinstance(hours, Mapping):
        raise InputError(f"'open_hours' must map weekdays to [open, close] or closed: {hours!r}")
    out: dict[int, tuple[float, float] | None] = {}
    for key, span in hours.items():
        day = weekday("open_hours", key)
        name = _WEEK[day]
        if span is None or span is False:
            out[day] = None
            continue
        if isinstance(span, str) or not isinstance(span, Sequence) or len(span) != 2:
            raise InputError(
                f"'open_hours' {name}: give [open, close] as clock times, or false: {span!r}"
            )
        lo = v.clock_seconds(f"open_hours {name}", span[0])
        hi = v.clock_seconds(f"open_hours {name}", span[1], end_of_day=True)
        if hi <= lo:
            raise InputError(f"'open_hours' {name}: closes at or before it opens: {span!r}")
        out[day] = (lo, hi)
    return out


def _open_mask(hours: dict[int, tuple[float, float] | None], grid: _Grid, first: int) -> np.ndarray:
    """Per interval of the grid: inside its weekday's opening hours."""
    clock = grid.origin + np.arange(grid.n) * grid.interval
    mask = np.ones((grid.days, grid.n), dtype=bool)
    for d in range(grid.days):
        w = (first + d) % 7
        if w in hours:
            span = hours[w]
            mask[d] = False if span is None else (clock >= span[0]) & (clock < span[1] - 1e-9)
    return mask.reshape(-1)


@dataclass(frozen=True)
class _Rule:
    """One group of constraints rows, with the message to give if it is what
    makes the problem infeasible."""

    rows: FloatArray
    lower: FloatArray
    upper: FloatArray
    message: str


def schedule(
    required: ArrayLike,
    templates: Sequence[ShiftTemplate],
    *,
    interval: float,
    horizon: str = "day",
    coverage: str = "hard",
    wrap: bool = False,
    paid_hours: float | None = None,
    shrinkage: float = 0.0,
    max_part_time: float | None = None,
    open_hours: Mapping[Any, Any] | None = None,
    first_weekday: int | str | None = None,
    workload: pd.DataFrame | None = None,
    targets: Targets | None = None,
    model: IntervalModel | None = None,
    value_per_call: float = 1.0,
    start: str = "00:00",
    labels: Sequence[str] | None = None,
    time_limit: float = 60.0,
    mip_gap: float = 1e-4,
) -> Schedule:
    """How many people work each shift, at least cost, to cover ``required`` agents.

    Parameters
    ----------
    required : agents needed on the phones per interval of one day, or of a
        week (7 x n counts, flat or as 7 rows, from ``first_weekday``).
    templates : the :class:`ShiftTemplate` s people can work.
    interval : interval length, seconds.
    horizon : ``"day"`` or ``"week"`` (people work a template's days-off
        patterns: the same shift on each day they work).
    coverage : ``"hard"`` (every interval covered) or ``"soft"`` (shortfalls
        allowed at a price; see the module notes).
    wrap : the day (or week) is cyclic (24/7): shifts crossing its end cover its start.
    paid_hours : most paid hours the schedule may have (a budget).
    shrinkage : fraction of on-duty time off the phones that the templates'
        breaks do not model (absence, meetings, training), in [0, 1): each
        interval needs ``ceil(required / (1 - shrinkage))`` people on duty.
    max_part_time : most share of the people on ``part_time`` templates, in [0, 1].
    open_hours : per weekday (``"Mon"`` ... or 0-6) ``("HH:MM", "HH:MM")``, or
        ``None`` for closed; days not named are open over the requirement's
        hours. Nobody is on duty outside them; a requirement there is an error.
    first_weekday : the weekday of the first day (default Monday for a week;
        for a day, naming it keeps templates to their ``work_days``).
    workload : ``calls`` and ``aht`` per interval, what :meth:`Schedule.service`
        evaluates. With ``"soft"``, a shortfall is priced by the calls answered in
        time it loses (under ``model``, Erlang C by default), at ``value_per_call``
        each; without a workload every agent-interval short costs ``value_per_call``.
    targets : the service-level definition for those prices (default ``Targets()``).
    model : the queueing model for those prices (:mod:`planner.models`; Erlang C
        by default).
    start : clock time of the first interval, ``"HH:MM"`` (templates' start times
        are clock times too).
    labels : interval labels for the tables (default ``"HH:MM"`` from ``start``).
    time_limit : seconds HiGHS may take (the best schedule found by then is returned,
        with its gap).
    mip_gap : HiGHS stops when the schedule is proven within this fraction of optimal.

    Examples
    --------
    >>> need = [6, 6, 6, 6, 6, 8, 9, 12, 18, 22, 25, 21, 21, 20, 18, 21, 21, 24, 24, 18,
    ...         18, 18, 12, 8]
    >>> s = schedule(need, [ShiftTemplate("8h", 8 * 3600)], interval=3600, wrap=True)
    >>> s.people, s.gap
    (55, 0.0)
    """
    agents = v.count("required", required).astype(np.float64)
    if horizon not in ("day", "week"):
        raise InputError(f"'horizon' must be 'day' or 'week': {horizon!r}")
    days = 7 if horizon == "week" else 1
    if agents.ndim == 2 and agents.shape[0] == days:
        agents = agents.reshape(-1)
    if agents.ndim != 1 or agents.size == 0 or agents.size % days:
        raise InputError(
            "'required' must be one agent count per interval"
            + (" of 7 days (a flat array of 7 x n, or 7 rows)" if days == 7 else "")
        )
    seconds = float(v.positive("interval", interval))
    if coverage not in ("hard", "soft"):
        raise InputError(f"'coverage' must be 'hard' or 'soft': {coverage!r}")
    if not templates:
        raise InputError("give at least one ShiftTemplate")
    if not isinstance(wrap, bool | np.bool_):
        raise InputError(f"'wrap' must be true or false: {wrap!r}")
    off = float(v.shrinkage_fraction("shrinkage", shrinkage))
    share = None if max_part_time is None else float(v.share("max_part_time", max_part_time))
    hours_open = opening_hours(open_hours)
    first = 0 if first_weekday is None else weekday("first_weekday", first_weekday)
    req = scheduled(agents, off).astype(np.float64)  # people on duty
    n = req.size // days
    if seconds * n > _DAY + 1e-9:
        raise InputError(f"{n} intervals of {seconds:g} s are more than a day")
    origin = v.clock_seconds("start", start, end_of_day=True)
    grid = _Grid(days, n, seconds, origin, wrap)
    if labels is not None:
        names = list(labels)
    else:
        clock = [v.clock_label(origin + i * seconds) for i in range(n)]
        names = (
            clock
            if days == 1
            else [f"{_WEEK[(first + d) % 7]} {c}" for d in range(7) for c in clock]
        )
    is_open = _open_mask(hours_open, grid, first)
    closed_need = (req > 0) & ~is_open
    if closed_need.any():
        at = int(np.argmax(closed_need))
        raise InputError(
            f"interval {names[at]} needs {int(agents[at])} agents but is outside the opening "
            "hours: open it ('open_hours') or set its requirement to 0"
        )
    options: list[_Option] = []
    columns: list[FloatArray] = []
    for ti, t in enumerate(templates):
        placements = [
            np.arange(b.earliest, b.latest + 1e-9, seconds).tolist() or [b.earliest]
            for b in t.breaks
        ]
        if days == 7:
            weeks = [tuple(sorted((w - first) % 7 for w in p)) for p in t.patterns()]
        elif first_weekday is None or first in t.work_days:
            weeks = [(0,)]
        else:
            weeks = []  # not worked on this weekday
        for clock_start in t.start_times():
            for pattern in weeks:
                for combo in product(*placements):
                    option = _Option(
                        ti, float(clock_start), tuple(float(x) for x in combo), pattern
                    )
                    column = grid.cover(t, option)
                    if column is None or column.max() <= 0:
                        continue
                    if (column[~is_open] > 1e-9).any():
                        continue  # on duty while closed
                    options.append(option)
                    columns.append(column)
    if not options:
        raise InputError(
            "no shift of the templates fits the "
            + ("opening hours" if hours_open else "day")
            + " (check lengths, starts and work days)"
        )
    cover = np.column_stack(columns)  # intervals x options
    reachable = cover.max(axis=1) > 0
    uncovered = (req > 0) & ~reachable
    if uncovered.any():
        first_gap = names[int(np.argmax(uncovered))]
        raise InputError(
            f"no shift covers interval {first_gap} ({int(uncovered.sum())} interval(s) with "
            "required agents in all): add a template or start time that does"
        )
    hours = np.array([templates[o.template].paid_seconds / 3600 * len(o.days) for o in options])
    cost = hours * np.array([templates[o.template].cost_per_hour for o in options])
    m = len(options)
    total = req.size  # intervals of the whole horizon
    depth = 3 if coverage == "soft" else 0
    pad = np.zeros(total * depth)

    def row(coefficients: FloatArray) -> FloatArray:
        return np.concatenate([coefficients, pad])[None, :]

    # coverage: cover x + shortfall pieces >= required
    short = np.zeros((total, total * depth))
    for j in range(depth):
        short[np.arange(total), np.arange(total) * depth + j] = 1.0
    covering = _Rule(np.hstack([cover, short]), req, np.full(total, np.inf), "")
    rules: list[_Rule] = []
    busiest = names[int(np.argmax(req))]
    for ti, t in enumerate(templates):
        mine = np.array([o.template == ti for o in options], dtype=float)
        if t.min_count or t.max_count is not None:
            most = np.inf if t.max_count is None else t.max_count
            said = []
            if t.max_count is not None:
                said.append(
                    f"the max_count of {t.name} ({t.max_count}) leaves some interval "
                    f"uncovered (e.g. the busiest, {busiest}): raise it or add a template"
                )
            if t.min_count:
                said.append(
                    f"the min_count of {t.name} ({t.min_count}) is more than the other rules "
                    "allow (budget, max_part_time)"
                )
            rules.append(_Rule(row(mine), np.array([t.min_count]), np.array([most]),
                               "; or ".join(said)))  # fmt: skip
    if share is not None:
        part = np.array([templates[o.template].part_time for o in options], dtype=float)
        rules.append(
            _Rule(
                row(part - share), np.array([-np.inf]), np.array([0.0]),
                f"no schedule keeps part time to max_part_time {share:.0%} of the people "
                "with the templates' min and max counts: raise it or the full-time max_count",
            )
        )  # fmt: skip
    if paid_hours is not None:
        budget = float(v.positive("paid_hours", paid_hours))
        rules.append(
            _Rule(
                row(hours), np.array([0.0]), np.array([budget]),
                f"no schedule covers every interval within {budget:g} paid hours: raise the "
                "budget, or use coverage='soft' to leave the quietest intervals short"
                if coverage == "hard"
                else f"the templates' min_count need more than the budget of {budget:g} "
                "paid hours",
            )
        )  # fmt: skip
    objective = cost.copy()
    if depth:
        prices = _penalties(
            agents, workload, seconds, targets or Targets(), model, value_per_call, depth
        )
        prices *= 1.0 - off  # a person short is (1 - shrinkage) of an agent on the phones
        if paid_hours is not None:  # within a budget, shortfalls are what counts
            objective = cost * 1e-6
        objective = np.concatenate([objective, prices.reshape(-1)])
    caps = np.full(total * depth, 1.0)
    if depth:
        caps.reshape(total, depth)[:, -1] = np.inf  # the last piece takes the rest
    bounds = optimize.Bounds(
        np.zeros(m + total * depth), np.concatenate([np.full(m, np.inf), caps])
    )
    integral = np.concatenate([np.ones(m), pad])
    gap = float(v.positive("mip_gap", mip_gap))

    def solve(groups: Sequence[_Rule], relaxed: bool = False, limit: float = time_limit) -> Any:
        constraints = optimize.LinearConstraint(
            np.vstack([g.rows for g in groups]),
            np.concatenate([g.lower for g in groups]),
            np.concatenate([g.upper for g in groups]),
        )
        return optimize.milp(
            objective, constraints=constraints, bounds=bounds,
            integrality=None if relaxed else integral,
            options={"time_limit": limit, "mip_rel_gap": gap},
        )  # fmt: skip

    lp = solve([covering, *rules], relaxed=True)
    res = solve([covering, *rules])
    if res.x is None:
        _explain_infeasible(covering, rules, solve, res)
    x = np.round(res.x[:m]).astype(np.int64)
    on_duty = cover @ x
    rows_out = []
    for o, count in zip(options, x, strict=True):
        if count <= 0:
            continue
        t = templates[o.template]
        rows_out.append(
            {
                "shift": t.name,
                "start": v.clock_label(o.start),
                "end": v.clock_label(o.start + t.length),
                "breaks": ", ".join(
                    f"{v.clock_label(o.start + at)}-{v.clock_label(o.start + at + b.length)}"
                    + ("" if b.paid else " unpaid")
                    for b, at in zip(t.breaks, o.breaks, strict=True)
                ),
                "days": " ".join(_WEEK[(first + d) % 7] for d in o.days) if days == 7 else "",
                "count": int(count),
                "paid_hours": float(count * t.paid_seconds / 3600 * len(o.days)),
                "cost": float(count * t.paid_seconds / 3600 * len(o.days) * t.cost_per_hour),
            }
        )
    shifts = pd.DataFrame(
        rows_out,
        columns=["shift", "start", "end", "breaks", "days", "count", "paid_hours", "cost"],
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
    return Schedule(
        shifts=shifts,
        coverage=table,
        scheduled_hours=float(hours @ x),
        cost=float(cost @ x),
        objective=float(res.fun),
        bound=float(res.mip_dual_bound),
        gap=float(res.mip_gap),
        lp_bound=float(lp.fun) if lp.success else float("nan"),
        status=str(res.message),
        options=m,
        interval=seconds,
        shrinkage=off,
        workload=workload,
        targets=targets,
        model=model,
    )


def _explain_infeasible(covering: _Rule, rules: Sequence[_Rule], solve: Any, res: Any) -> NoReturn:
    """Raise an InputError naming the rule without which a schedule exists."""
    if res.status == 1:  # the time limit, before any schedule was found
        raise InputError(
            f"HiGHS found no schedule within the time limit ({res.message}); raise "
            "'time_limit', or allow fewer start times"
        )
    for i, rule in enumerate(rules):
        without = [covering, *rules[:i], *rules[i + 1 :]]
        if solve(without, limit=10.0).x is not None:
            raise InputError(rule.message)
    names = "; ".join(r.message for r in rules) or "the coverage"
    raise InputError(f"no schedule meets these rules together: {names}")


_UNITS = {"s": 1.0, "sec": 1.0, "min": 60.0, "m": 60.0, "h": 3600.0}


def duration_seconds(name: str, value: object) -> float:
    """A duration: seconds as a number, or text like ``"8h"``, ``"30min"``, ``"90s"``."""
    if isinstance(value, bool):
        raise InputError(f"'{name}' must be a duration like 8h, 30min or seconds: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().lower()
    for unit in sorted(_UNITS, key=len, reverse=True):
        if text.endswith(unit):
            try:
                return float(text[: -len(unit)]) * _UNITS[unit]
            except ValueError:
                break
    raise InputError(f"'{name}' must be a duration like 8h, 30min or seconds: {value!r}")


@dataclass(frozen=True, kw_only=True)
class ScheduleSettings:
    """How a scenario's requirement becomes shifts (a scenario file's ``[schedule]``).

    Attributes
    ----------
    templates : the :class:`ShiftTemplate` s (``[[schedule.shift]]`` tables).
    horizon : ``"day"``, or ``"week"``: the scenario's day on every day of the
        week, its calls times ``week_factors`` and none outside ``open_hours``
        (a scenario of 7 days of intervals is the week itself).
    first_weekday : the week's first day (``"Mon"``).
    coverage, wrap, paid_hours, max_part_time, value_per_call : as :func:`schedule`.
    shrinkage : off-phone share the templates' breaks do not model; ``None``
        uses the scenario's shrinkage (set it lower when that includes breaks).
    open_hours : ``{"Sat": ("09:00", "17:00"), "Sun": None}`` (None: closed);
        for the week horizon.
    week_factors : ``{"Sat": 0.6}``: a weekday's calls against the scenario's day,
        for the week horizon.
    time_limit, mip_gap : how long HiGHS may search, and when it may stop.
    """

    templates: tuple[ShiftTemplate, ...]
    horizon: str = "day"
    coverage: str = "hard"
    wrap: bool = False
    paid_hours: float | None = None
    shrinkage: float | None = None
    max_part_time: float | None = None
    open_hours: Mapping[str, tuple[str, str] | None] = field(default_factory=dict)
    week_factors: Mapping[str, float] = field(default_factory=dict)
    first_weekday: str = "Mon"
    value_per_call: float = 1.0
    time_limit: float = 60.0
    mip_gap: float = 1e-4

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "first_weekday", _WEEK[weekday("first_weekday", self.first_weekday)]
        )
        templates = tuple(self.templates)
        if not templates or not all(isinstance(t, ShiftTemplate) for t in templates):
            raise InputError("'templates' must be one or more ShiftTemplate")
        object.__setattr__(self, "templates", templates)
        if self.horizon not in ("day", "week"):
            raise InputError(f"'horizon' must be 'day' or 'week': {self.horizon!r}")
        if self.coverage not in ("hard", "soft"):
            raise InputError(f"'coverage' must be 'hard' or 'soft': {self.coverage!r}")
        if not isinstance(self.wrap, bool):
            raise InputError(f"'wrap' must be true or false: {self.wrap!r}")
        checks = {
            "paid_hours": v.positive, "shrinkage": v.shrinkage_fraction,
            "max_part_time": v.share, "value_per_call": v.positive, "time_limit": v.positive,
            "mip_gap": v.positive,
        }  # fmt: skip
        for name, check in checks.items():
            value = getattr(self, name)
            if value is not None:
                if np.ndim(value) != 0 or isinstance(value, bool):
                    raise InputError(f"'{name}' must be a single number: {value!r}")
                object.__setattr__(self, name, float(check(name, value)))
        hours = opening_hours(self.open_hours)
        object.__setattr__(
            self,
            "open_hours",
            {
                _WEEK[d]: None if span is None else (v.clock_label(span[0]), _close(span[1]))
                for d, span in sorted(hours.items())
            },
        )
        if not isinstance(self.week_factors, Mapping):
            raise InputError(f"'week_factors' must map weekdays to numbers: {self.week_factors!r}")
        factors = {}
        for key, value in self.week_factors.items():
            day = weekday("week_factors", key)
            if np.ndim(value) != 0 or isinstance(value, bool):
                raise InputError(f"'week_factors' {_WEEK[day]} must be a number: {value!r}")
            factors[day] = float(v.nonnegative(f"week_factors {_WEEK[day]}", value))
        object.__setattr__(self, "week_factors", {_WEEK[d]: f for d, f in sorted(factors.items())})

    def week(self, calls: FloatArray, aht: FloatArray, start: str, interval: float) -> pd.DataFrame:
        """The week's workload (7 x n rows ``interval_start``, ``calls``, ``aht`` from
        ``first_weekday``) from one day's: calls times the weekday's factor, none
        outside its opening hours. Calls longer than a day are taken as the week
        itself: 7 days of n intervals each."""
        calls = np.asarray(calls, dtype=np.float64)
        aht = np.asarray(aht, dtype=np.float64)
        first = weekday("first_weekday", self.first_weekday)
        given = calls.size * interval > _DAY + 1e-9
        if given and (calls.size % 7 or calls.size // 7 * interval > _DAY + 1e-9):
            raise InputError(
                f"a week schedule takes one day of intervals, or 7 days of n intervals each: "
                f"{calls.size} intervals of {interval:g} s are neither"
            )
        n = calls.size // 7 if given else calls.size
        origin = v.clock_seconds("start", start)
        clock = [v.clock_label(origin + i * interval) for i in range(n)]
        days = [_WEEK[(first + d) % 7] for d in range(7)]
        if not given:
            grid = _Grid(7, n, interval, origin, self.wrap)
            is_open = _open_mask(opening_hours(self.open_hours), grid, first).reshape(7, n)
            factor = np.array([self.week_factors.get(d, 1.0) for d in days])
            calls = (calls[None, :] * factor[:, None] * is_open).reshape(-1)
            aht = np.tile(aht, 7)
        return pd.DataFrame(
            {"interval_start": [f"{d} {c}" for d in days for c in clock], "calls": calls,
             "aht": aht}
        )  # fmt: skip


def _close(seconds: float) -> str:
    """A closing time's label: ``"24:00"`` for midnight at the day's end."""
    return "24:00" if seconds >= _DAY - 1e-9 else v.clock_label(seconds)
