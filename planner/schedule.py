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
from itertools import product

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize

from planner import _validate as v
from planner._validate import FloatArray
from planner.errors import InputError
from planner.report import evaluate_plan
from planner.staffing import Targets, interval_metrics

__all__ = ["Break", "Schedule", "ShiftTemplate", "schedule"]

_DAY = 86400.0


def _clock(name: str, text: str) -> float:
    """``"HH:MM"`` as seconds after midnight."""
    try:
        hours, minutes = (int(x) for x in str(text).split(":"))
    except ValueError:
        raise InputError(f"'{name}' must be a clock time HH:MM: {text!r}") from None
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or hours * 60 + minutes > 1440:
        raise InputError(f"'{name}' must be a clock time HH:MM: {text!r}")
    return hours * 3600.0 + minutes * 60.0


def _hhmm(seconds: float) -> str:
    seconds = seconds % _DAY
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "length", float(v.positive("length", self.length)))
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
            return sorted({_clock(f"{self.name}.starts", s) for s in self.starts})
        first, last = _clock("earliest", self.earliest), _clock("latest", self.latest)
        return list(np.arange(first, last + 1e-9, self.every))

    @property
    def paid_seconds(self) -> float:
        return self.length - sum(b.length for b in self.breaks if not b.paid)


@dataclass(frozen=True)
class _Option:
    template: int
    start: float
    breaks: tuple[float, ...]  # break starts, seconds after the shift start


def _cover(
    t: ShiftTemplate, option: _Option, interval: float, n: int, wrap: bool
) -> FloatArray | None:
    """The share of each interval the option is on duty (None: it does not fit)."""
    day = interval * n
    end = option.start + t.length
    if not wrap and end > day + 1e-9:
        return None
    edges = np.arange(n + 1) * interval
    out = np.zeros(n)

    def add(a: float, b: float, sign: float) -> None:
        for lo, hi in ((a, b),) if b <= day or not wrap else ((a, day), (0.0, b - day)):
            inside = np.clip(np.minimum(edges[1:], hi) - np.maximum(edges[:-1], lo), 0, None)
            out[:] += sign * inside / interval

    add(option.start, end, 1.0)
    for b, at in zip(t.breaks, option.breaks, strict=True):
        s = option.start + at
        add(s, s + b.length, -1.0)
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
    bound : the LP relaxation's optimum, a lower bound on any schedule's objective.
    objective : the schedule's objective (cost, plus shortfall penalties when soft).
    gap : ``(objective - bound) / objective`` (0 when both are 0).
    status : HiGHS's message.
    """

    shifts: pd.DataFrame
    coverage: pd.DataFrame
    paid_hours: float
    cost: float
    bound: float
    objective: float
    gap: float
    status: str
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
    out = np.zeros((n, depth))
    calls = workload["calls"].to_numpy(dtype=np.float64)
    aht = workload["aht"].to_numpy(dtype=np.float64)
    for j in range(depth):
        hi = np.maximum(required - j, 0)
        lo = np.maximum(required - j - 1, 0)
        sl = [
            interval_metrics(a, calls, aht, interval, targets, patience)["service_level"]
            .fillna(0.0)
            .to_numpy()
            for a in (hi, lo)
        ]
        out[:, j] = np.clip(sl[0] - sl[1], 0, None) * calls * value_per_call
    return np.maximum.accumulate(out, axis=1)  # keep it convex


def schedule(
    required: ArrayLike,
    templates: Sequence[ShiftTemplate],
    *,
    interval: float,
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
) -> Schedule:
    """How many people work each shift, at least cost, to cover ``required`` agents.

    Parameters
    ----------
    required : agents needed on the phones per interval of one day.
    templates : the :class:`ShiftTemplate` s people can work.
    interval : interval length, seconds.
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
    time_limit : seconds HiGHS may take.

    Examples
    --------
    >>> need = [6, 6, 6, 6, 6, 8, 9, 12, 18, 22, 25, 21, 21, 20, 18, 21, 21, 24, 24, 18,
    ...         18, 18, 12, 8]
    >>> s = schedule(need, [ShiftTemplate("8h", 8 * 3600)], interval=3600, wrap=True)
    >>> int(s.shifts["count"].sum()), s.gap
    (55, 0.0)
    """
    req = v.count("required", required).astype(np.float64)
    if req.ndim != 1 or req.size == 0:
        raise InputError("'required' must be one agent count per interval")
    seconds = float(v.positive("interval", interval))
    if coverage not in ("hard", "soft"):
        raise InputError(f"'coverage' must be 'hard' or 'soft': {coverage!r}")
    if not templates:
        raise InputError("give at least one ShiftTemplate")
    n = req.size
    if seconds * n > _DAY + 1e-9:
        raise InputError(f"{n} intervals of {seconds:g} s are more than a day")
    origin = _clock("start", start)
    names = list(labels) if labels is not None else [_hhmm(origin + i * seconds) for i in range(n)]
    options: list[_Option] = []
    columns: list[FloatArray] = []
    for ti, t in enumerate(templates):
        placements = [
            np.arange(b.earliest, b.latest + 1e-9, seconds).tolist() or [b.earliest]
            for b in t.breaks
        ]
        for clock in t.start_times():
            at = (clock - origin) % _DAY  # seconds after the first interval starts
            if at >= seconds * n:
                continue
            for combo in product(*placements):
                option = _Option(ti, float(at), tuple(float(x) for x in combo))
                cover = _cover(t, option, seconds, n, wrap)
                if cover is not None:
                    options.append(option)
                    columns.append(cover)
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
    cost = np.array([templates[o.template].cost_per_hour * templates[o.template].paid_seconds
                     / 3600 for o in options])  # fmt: skip
    hours = np.array([templates[o.template].paid_seconds / 3600 for o in options])
    m = len(options)
    depth = 3 if coverage == "soft" else 0
    rows, lower, upper = [], [], []
    # coverage: cover x + shortfall pieces >= required
    short = np.zeros((n, n * depth))
    for j in range(depth):
        short[np.arange(n), np.arange(n) * depth + j] = 1.0
    rows.append(np.hstack([cover, short]))
    lower.append(req)
    upper.append(np.full(n, np.inf))
    for ti, t in enumerate(templates):
        mine = np.array([o.template == ti for o in options], dtype=float)
        if t.min_count or t.max_count is not None:
            rows.append(np.concatenate([mine, np.zeros(n * depth)])[None, :])
            lower.append(np.array([t.min_count]))
            upper.append(np.array([np.inf if t.max_count is None else t.max_count]))
    if paid_hours is not None:
        budget = float(v.positive("paid_hours", paid_hours))
        rows.append(np.concatenate([hours, np.zeros(n * depth)])[None, :])
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
    caps = np.full(n * depth, 1.0)
    if depth:
        caps.reshape(n, depth)[:, -1] = np.inf  # the last piece takes the rest
    bounds = optimize.Bounds(np.zeros(m + n * depth), np.concatenate([np.full(m, np.inf), caps]))
    integral = np.concatenate([np.ones(m), np.zeros(n * depth)])
    relaxed = optimize.milp(objective, constraints=constraints, bounds=bounds)
    res = optimize.milp(
        objective, constraints=constraints, integrality=integral, bounds=bounds,
        options={"time_limit": time_limit, "mip_rel_gap": 1e-4},
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
                "start": _hhmm(origin + o.start),
                "end": _hhmm(origin + o.start + t.length),
                "breaks": ", ".join(
                    f"{_hhmm(origin + o.start + at)}-{_hhmm(origin + o.start + at + b.length)}"
                    + ("" if b.paid else " unpaid")
                    for b, at in zip(t.breaks, o.breaks, strict=True)
                ),
                "count": int(count),
                "paid_hours": float(count * t.paid_seconds / 3600),
                "cost": float(count * t.paid_seconds / 3600 * t.cost_per_hour),
            }
        )
    shifts = pd.DataFrame(
        rows_out, columns=["shift", "start", "end", "breaks", "count", "paid_hours", "cost"]
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
    obj = float(res.fun)
    bound = float(relaxed.fun) if relaxed.success else float("nan")
    gap = 0.0 if obj <= 1e-12 else max(obj - bound, 0.0) / abs(obj)
    return Schedule(
        shifts=shifts,
        coverage=table,
        paid_hours=float(hours @ x),
        cost=float(cost @ x),
        bound=bound,
        objective=obj,
        gap=gap,
        status=str(res.message),
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
