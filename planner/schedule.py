"""Shifts from a requirement: how many people work each shift, at least cost (HiGHS MILP).

A :class:`ShiftTemplate` describes shifts people can work: a paid length,
the start times allowed, breaks placed in windows, a cost per paid hour and
bounds on how many work it. :func:`schedule` expands every template into
its options (start time x break placement), each covering the intervals of
the day it is on duty (a break shorter than an interval covers the rest of
it), and solves an integer programme with ``scipy.optimize.milp`` (HiGHS):

    minimise  sum(cost_s x_s) + sum(penalty_t u_t)
    subject to  sum_s cover[t, s] x_s + u_t >= required_t   for every interval t
                min_count <= sum of a template's x_s <= max_count
                x_s whole numbers >= 0, u_t >= 0

With ``coverage="hard"`` no interval may be short (``u`` is 0); with
``"soft"`` a shortfall costs its effect on service: one agent short in an
interval loses the calls answered within the answer time that Erlang C (or
A) says the last agent there answers, so a quiet interval is left short
before the peak. A ``paid_hours`` budget caps the schedule's paid time.

Days are cyclic with ``wrap=True`` (24/7: a shift crossing midnight covers
the start of the same day, as the next day's would); otherwise a shift must
end by the end of the requirement. Days-off patterns, weeks and the CLI and
app are not built yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations, product
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize

from planner import _validate as v
from planner._validate import FloatArray
from planner.errors import InputError
from planner.report import evaluate_plan
from planner.simulation import SimulationResult, simulate
from planner.staffing import Targets, interval_metrics

__all__ = ["Break", "Schedule", "ShiftTemplate", "read_templates", "schedule", "templates_from"]

_DAY = 86400.0
_WEEK = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "length", float(v.positive("length", self.length)))
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
        object.__setattr__(self, "every", float(v.positive("every", self.every)))
        object.__setattr__(
            self, "cost_per_hour", float(v.nonnegative("cost_per_hour", self.cost_per_hour))
        )
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
    shifts : one row per shift worked: template, start, end, breaks, count,
        paid hours and cost (all people on it).
    coverage : per interval: required and scheduled agents, over and short.
    paid_hours, cost : the schedule's totals.
    objective : the schedule's objective (cost, plus shortfall penalties when soft).
    bound : HiGHS's best bound: no schedule has a lower objective.
    gap : the optimality gap HiGHS reports, ``(objective - bound) / objective``.
    lp_bound : the LP relaxation's optimum (fractional people), a weaker bound.
    status : HiGHS's message.
    options : shifts the solver chose among (template x start x days x breaks).
    """

    shifts: pd.DataFrame
    coverage: pd.DataFrame
    paid_hours: float
    cost: float
    objective: float
    bound: float
    gap: float
    lp_bound: float
    status: str
    options: int
    interval: float = field(repr=False, default=1800.0)

    def service(
        self, workload: pd.DataFrame, targets: Targets, patience: float | None = None
    ) -> pd.DataFrame:
        """What the schedule really delivers: :func:`planner.evaluate_plan` of the
        scheduled agents (partial coverage rounded down) on ``workload``'s ``calls``
        and ``aht``, Erlang C (or A with ``patience``)."""
        agents = np.floor(self.coverage["scheduled"].to_numpy() + 1e-9).astype(np.int64)
        day = workload[["calls", "aht"]].set_axis(self.coverage.index)
        return evaluate_plan(day, agents, targets, self.interval, 0.0, patience)

    def simulate(self, workload: pd.DataFrame, **options: Any) -> SimulationResult:
        """The scheduled agents (partial coverage rounded down) simulated over
        ``workload`` (``calls``, ``aht`` per interval): :func:`planner.simulate` with
        its keyword arguments (``answer_time``, ``patience``, ``replications``, ...)."""
        agents = np.floor(self.coverage["scheduled"].to_numpy() + 1e-9).astype(np.int64)
        day = workload[["calls", "aht"]].set_axis(self.coverage.index)
        return simulate(day, agents, interval=self.interval, **options)


def _penalties(
    required: FloatArray,
    workload: pd.DataFrame | None,
    interval: float,
    targets: Targets,
    patience: float | None,
    value_per_call: float,
    depth: int,
) -> FloatArray:
    """Per interval and agent short (1st, 2nd, ...): calls answered in time that agent
    answers, times ``value_per_call`` (increasing: convex, as a solver needs)."""
    n = len(required)
    if workload is None:
        return np.full((n, depth), value_per_call)
    calls = workload["calls"].to_numpy(dtype=np.float64)
    aht = workload["aht"].to_numpy(dtype=np.float64)
    # service level at the requirement and at 1, 2, ... agents fewer, in one call
    fewer = np.maximum(required[None, :] - np.arange(depth + 1)[:, None], 0)
    metrics = interval_metrics(fewer, calls, aht, interval, targets, patience)
    sl = metrics["service_level"].fillna(0.0).to_numpy().reshape(depth + 1, n)
    out = (np.clip(sl[:-1] - sl[1:], 0, None) * calls * value_per_call).T
    return np.maximum.accumulate(out, axis=1)  # keep it convex


def schedule(
    required: ArrayLike,
    templates: Sequence[ShiftTemplate],
    *,
    interval: float,
    horizon: str = "day",
    coverage: str = "hard",
    wrap: bool = False,
    paid_hours: float | None = None,
    workload: pd.DataFrame | None = None,
    targets: Targets | None = None,
    patience: float | None = None,
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
        week (Monday first: 7 x n counts, flat or as 7 rows).
    templates : the :class:`ShiftTemplate` s people can work.
    interval : interval length, seconds.
    horizon : ``"day"`` or ``"week"`` (people work a template's days-off
        patterns: the same shift on each day they work).
    coverage : ``"hard"`` (every interval covered) or ``"soft"`` (shortfalls
        allowed at a price; see the module notes).
    wrap : the day is cyclic (24/7): shifts crossing its end cover its start.
    paid_hours : most paid hours the schedule may have (a budget).
    workload : with ``"soft"``, ``calls`` and ``aht`` per interval: a shortfall
        is priced by the calls answered in time it loses (Erlang C, or A with
        ``patience``), at ``value_per_call`` each; without it every agent-interval
        short costs ``value_per_call``.
    targets : the service-level definition for those prices (default ``Targets()``).
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
    >>> int(s.shifts["count"].sum()), s.gap
    (55, 0.0)
    """
    req = v.count("required", required).astype(np.float64)
    if horizon not in ("day", "week"):
        raise InputError(f"'horizon' must be 'day' or 'week': {horizon!r}")
    days = 7 if horizon == "week" else 1
    if req.ndim == 2 and req.shape[0] == days:
        req = req.reshape(-1)
    if req.ndim != 1 or req.size == 0 or req.size % days:
        raise InputError(
            "'required' must be one agent count per interval"
            + (" of 7 days (a flat array of 7 x n, or 7 rows)" if days == 7 else "")
        )
    seconds = float(v.positive("interval", interval))
    if coverage not in ("hard", "soft"):
        raise InputError(f"'coverage' must be 'hard' or 'soft': {coverage!r}")
    if not templates:
        raise InputError("give at least one ShiftTemplate")
    n = req.size // days
    if seconds * n > _DAY + 1e-9:
        raise InputError(f"{n} intervals of {seconds:g} s are more than a day")
    origin = v.clock_seconds("start", start, end_of_day=True)
    grid = _Grid(days, n, seconds, origin, wrap)
    if labels is not None:
        names = list(labels)
    else:
        clock = [v.clock_label(origin + i * seconds) for i in range(n)]
        names = clock if days == 1 else [f"{_WEEK[d]} {c}" for d in range(days) for c in clock]
    options: list[_Option] = []
    columns: list[FloatArray] = []
    for ti, t in enumerate(templates):
        placements = [
            np.arange(b.earliest, b.latest + 1e-9, seconds).tolist() or [b.earliest]
            for b in t.breaks
        ]
        weeks = t.patterns() if days == 7 else [(0,)]
        for clock_start in t.start_times():
            for pattern in weeks:
                for combo in product(*placements):
                    option = _Option(
                        ti, float(clock_start), tuple(float(x) for x in combo), pattern
                    )
                    column = grid.cover(t, option)
                    if column is not None and column.max() > 0:
                        options.append(option)
                        columns.append(column)
    if not options:
        raise InputError("no shift of the templates fits the day (check lengths and starts)")
    cover = np.column_stack(columns)  # intervals x options
    reachable = cover.max(axis=1) > 0
    uncovered = (req > 0) & ~reachable
    if uncovered.any():
        first = names[int(np.argmax(uncovered))]
        raise InputError(
            f"no shift covers interval {first} ({int(uncovered.sum())} interval(s) with "
            "required agents in all): add a template or start time that does"
        )
    hours = np.array([templates[o.template].paid_seconds / 3600 * len(o.days) for o in options])
    cost = hours * np.array([templates[o.template].cost_per_hour for o in options])
    m = len(options)
    total = req.size  # intervals of the whole horizon
    depth = 3 if coverage == "soft" else 0
    rows, lower, upper = [], [], []
    # coverage: cover x + shortfall pieces >= required
    short = np.zeros((total, total * depth))
    for j in range(depth):
        short[np.arange(total), np.arange(total) * depth + j] = 1.0
    rows.append(np.hstack([cover, short]))
    lower.append(req)
    upper.append(np.full(total, np.inf))
    for ti, t in enumerate(templates):
        mine = np.array([o.template == ti for o in options], dtype=float)
        if t.min_count or t.max_count is not None:
            rows.append(np.concatenate([mine, np.zeros(total * depth)])[None, :])
            lower.append(np.array([t.min_count]))
            upper.append(np.array([np.inf if t.max_count is None else t.max_count]))
    if paid_hours is not None:
        budget = float(v.positive("paid_hours", paid_hours))
        rows.append(np.concatenate([hours, np.zeros(total * depth)])[None, :])
        lower.append(np.array([0.0]))
        upper.append(np.array([budget]))
    constraints = optimize.LinearConstraint(
        np.vstack(rows), np.concatenate(lower), np.concatenate(upper)
    )
    objective = cost.copy()
    if depth:
        prices = _penalties(
            req, workload, seconds, targets or Targets(), patience, value_per_call, depth
        )
        if paid_hours is not None:  # within a budget, shortfalls are what counts
            objective = cost * 1e-6
        objective = np.concatenate([objective, prices.reshape(-1)])
    caps = np.full(total * depth, 1.0)
    if depth:
        caps.reshape(total, depth)[:, -1] = np.inf  # the last piece takes the rest
    bounds = optimize.Bounds(
        np.zeros(m + total * depth), np.concatenate([np.full(m, np.inf), caps])
    )
    integral = np.concatenate([np.ones(m), np.zeros(total * depth)])
    relaxed = optimize.milp(objective, constraints=constraints, bounds=bounds)
    res = optimize.milp(
        objective, constraints=constraints, integrality=integral, bounds=bounds,
        options={"time_limit": time_limit, "mip_rel_gap": float(v.positive("mip_gap", mip_gap))},
    )  # fmt: skip
    if res.x is None:
        _explain_infeasible(templates, req, paid_hours, coverage, names)
        raise InputError(f"no schedule found: {res.message}")  # pragma: no cover
    x = np.round(res.x[:m]).astype(np.int64)
    scheduled = cover @ x
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
                "days": " ".join(_WEEK[d] for d in o.days) if days == 7 else "",
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
            "scheduled": scheduled,
            "over": np.clip(scheduled - req, 0, None),
            "short": np.clip(req - scheduled, 0, None),
        },
        index=pd.Index(names, name="interval_start"),
    )
    return Schedule(
        shifts=shifts,
        coverage=table,
        paid_hours=float(hours @ x),
        cost=float(cost @ x),
        objective=float(res.fun),
        bound=float(res.mip_dual_bound),
        gap=float(res.mip_gap),
        lp_bound=float(relaxed.fun) if relaxed.success else float("nan"),
        status=str(res.message),
        options=m,
        interval=seconds,
    )


def _explain_infeasible(
    templates: Sequence[ShiftTemplate],
    req: FloatArray,
    paid_hours: float | None,
    coverage: str,
    names: Sequence[str],
) -> None:
    """Raise an InputError naming the rule that makes the problem infeasible."""
    if coverage == "hard" and paid_hours is not None:
        raise InputError(
            f"no schedule covers every interval within {paid_hours:g} paid hours: raise the "
            "budget, or use coverage='soft' to leave the quietest intervals short"
        )
    floor = sum(t.min_count * t.paid_seconds / 3600 for t in templates)
    if paid_hours is not None and floor > paid_hours:
        raise InputError(
            f"the templates' min_count need {floor:g} paid hours, more than the budget "
            f"of {paid_hours:g}"
        )
    capped = [t.name for t in templates if t.max_count is not None]
    if capped:
        raise InputError(
            f"the max_count of {', '.join(capped)} leave(s) some interval uncovered "
            f"(e.g. the busiest, {names[int(np.argmax(req))]}): raise them or add a template"
        )


_UNITS = {"s": 1.0, "sec": 1.0, "min": 60.0, "m": 60.0, "h": 3600.0}
_DAYS = {name.lower(): i for i, name in enumerate(_WEEK)}


def _seconds(name: str, value: object) -> float:
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


_SHIFT_KEYS = {
    "name", "length", "starts", "every", "earliest", "latest", "break", "cost_per_hour",
    "min_count", "max_count", "days_off", "consecutive_off", "work_days",
}  # fmt: skip
_BREAK_KEYS = {"length", "earliest", "latest", "paid"}


def templates_from(tables: object, source: str = "templates") -> list[ShiftTemplate]:
    """Shift templates from a list of tables (a TOML file's ``[[shift]]`` entries).

    Durations take seconds or text (``"8h"``, ``"30min"``); ``work_days`` takes
    ``"Mon"`` ... ``"Sun"``; each ``[[shift.break]]`` is a :class:`Break`.

    Examples
    --------
    >>> [t.name for t in templates_from([{"name": "early", "length": "8h", "every": "30min",
    ...     "break": [{"length": "30min", "earliest": "3h", "latest": "5h", "paid": False}]}])]
    ['early']
    """
    if not isinstance(tables, list) or not tables:
        raise InputError(f"{source}: give at least one [[shift]] table")
    out = []
    for i, table in enumerate(tables, start=1):
        where = f"{source}: shift {i}"
        if not isinstance(table, dict):
            raise InputError(f"{where}: must be a table of keys")
        unknown = sorted(set(table) - _SHIFT_KEYS)
        if unknown:
            raise InputError(f"{where}: unknown key {unknown[0]!r}; known: {sorted(_SHIFT_KEYS)}")
        if "length" not in table:
            raise InputError(f"{where}: missing key 'length'")
        breaks = []
        for b in table.get("break", []):
            bad = sorted(set(b) - _BREAK_KEYS) if isinstance(b, dict) else ["(not a table)"]
            if bad:
                raise InputError(f"{where}: break: unknown key {bad[0]!r}")
            breaks.append(
                Break(
                    _seconds("break.length", b.get("length", 0)),
                    _seconds("break.earliest", b.get("earliest", 0)),
                    _seconds("break.latest", b.get("latest", b.get("earliest", 0))),
                    bool(b.get("paid", True)),
                )
            )
        days = table.get("work_days", list(_WEEK))
        try:
            work_days = tuple(_DAYS[str(d).strip().lower()[:3]] for d in days)
        except KeyError:
            raise InputError(f"{where}: 'work_days' takes Mon ... Sun: {days!r}") from None
        fields: dict[str, object] = {
            "name": str(table.get("name", f"shift {i}")),
            "length": _seconds("length", table["length"]),
            "breaks": tuple(breaks),
            "work_days": work_days,
        }
        if "starts" in table:
            fields["starts"] = tuple(str(x) for x in table["starts"])
        if "every" in table:
            fields["every"] = _seconds("every", table["every"])
        for key in ("earliest", "latest"):
            if key in table:
                fields[key] = str(table[key])
        for key in ("cost_per_hour", "min_count", "max_count", "days_off", "consecutive_off"):
            if key in table:
                fields[key] = table[key]
        try:
            out.append(ShiftTemplate(**fields))  # type: ignore[arg-type]
        except InputError as err:
            raise InputError(f"{where}: {err}") from None
    return out


def read_templates(path: str) -> list[ShiftTemplate]:
    """Shift templates from a TOML file of ``[[shift]]`` tables (see :func:`templates_from`)."""
    import tomllib

    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as err:
        raise InputError(f"cannot read templates file {path}: {err.strerror}") from None
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{path}: not valid TOML: {err}") from None
    unknown = sorted(set(data) - {"shift"})
    if unknown:
        raise InputError(
            f"{path}: unknown key {unknown[0]!r}; a templates file has [[shift]] tables"
        )
    return templates_from(data.get("shift"), path)
