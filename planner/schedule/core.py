"""The schedule: templates and a requirement in, people's shifts out (HiGHS)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import sparse

from planner import _validate as v
from planner._validate import FloatArray
from planner.errors import InputError
from planner.models import IntervalModel
from planner.schedule.enumerated import enumerated
from planner.schedule.formulation import Formulation, Rule, Setting
from planner.schedule.grid import DAY, Grid, open_mask
from planner.schedule.implicit import implicit
from planner.schedule.milp import Progress, Solution, solve
from planner.schedule.pricing import shortfall_prices
from planner.schedule.result import Schedule, result
from planner.schedule.templates import WEEKDAYS, ShiftTemplate, opening_hours, weekday
from planner.staffing import scheduled
from planner.targets import Targets

__all__ = ["schedule"]


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
    value_per_call: float | None = None,
    start: str = "00:00",
    labels: Sequence[str] | None = None,
    time_limit: float = 60.0,
    mip_gap: float = 1e-4,
    formulation: str = "implicit",
    rotation_weeks: int = 1,
    first_answer: bool = True,
    progress: Progress | None = None,
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
        Soft coverage needs a ``paid_hours`` budget or a ``value_per_call`` (in the
        templates' cost units): without either, leaving every interval short would
        cost nothing.
    targets : the service-level definition for those prices (default ``Targets()``).
    model : the queueing model for those prices (:mod:`planner.models`; Erlang C
        by default).
    start : clock time of the first interval, ``"HH:MM"`` (templates' start times
        are clock times too).
    labels : interval labels for the tables (default ``"HH:MM"`` from ``start``).
    time_limit : seconds HiGHS may take (the best schedule found by then is returned,
        with its gap).
    mip_gap : HiGHS stops when the schedule is proven within this fraction of optimal.
    formulation : ``"implicit"`` (breaks and days off as variables of their own,
        :mod:`planner.schedule.implicit`) or ``"enumerated"`` (one variable per
        shift option, :mod:`planner.schedule.enumerated`); both give the same
        optimum, the implicit one far sooner on a week.
    rotation_weeks : weeks over which templates' ``weekends_off`` count (1 to 6);
        the schedule's :attr:`Schedule.roster` lists each person's weeks.
    first_answer : start HiGHS from a rounded LP solution (implicit formulation).
    progress : called with (seconds, objective, bound) as better schedules are found.

    Examples
    --------
    >>> need = [6, 6, 6, 6, 6, 8, 9, 12, 18, 22, 25, 21, 21, 20, 18, 21, 21, 24, 24, 18,
    ...         18, 18, 12, 8]
    >>> s = schedule(need, [ShiftTemplate("8h", 8 * 3600)], interval=3600, wrap=True)
    >>> s.people, s.gap
    (55, 0.0)
    """
    began = time.monotonic()
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
    if coverage == "soft" and paid_hours is None and value_per_call is None:
        raise InputError(
            "soft coverage needs a budget (paid_hours, --paid-hours) or a value per call "
            "answered in time (value_per_call, in the templates' cost units): without either, "
            "leaving every interval short costs nothing"
        )
    value = 1.0  # a budget's shortfalls: only their relative prices matter
    if value_per_call is not None:
        value = v.single("value_per_call", value_per_call, v.positive)
    if isinstance(templates, ShiftTemplate | str) or not isinstance(templates, Sequence):
        raise InputError(f"'templates' must be a list of ShiftTemplate: {templates!r}")
    if not templates or not all(isinstance(t, ShiftTemplate) for t in templates):
        raise InputError(f"give one or more ShiftTemplate in 'templates': {templates!r}")
    for t in templates:  # a shift shorter than an interval would count as covering it
        if t.length < seconds:
            raise InputError(
                f"shift {t.name!r} ({t.length / 60:g} min) is shorter than an interval "
                f"({seconds / 60:g} min): it cannot cover one; plan in shorter intervals or "
                "lengthen the shift"
            )
    if not isinstance(wrap, bool | np.bool_):
        raise InputError(f"'wrap' must be true or false: {wrap!r}")
    off = float(v.shrinkage_fraction("shrinkage", shrinkage))
    share = None if max_part_time is None else float(v.share("max_part_time", max_part_time))
    hours_open = opening_hours(open_hours)
    first = 0 if first_weekday is None else weekday("first_weekday", first_weekday)
    req = scheduled(agents, off).astype(np.float64)  # people on duty
    n = req.size // days
    if seconds * n > DAY + 1e-9:
        raise InputError(f"{n} intervals of {seconds:g} s are more than a day")
    origin = v.clock_seconds("start", start, end_of_day=True)
    grid = Grid(days, n, seconds, origin, wrap)
    if labels is not None:
        names = list(labels)
    else:
        clock = [v.clock_label(origin + i * seconds) for i in range(n)]
        names = (
            clock
            if days == 1
            else [f"{WEEKDAYS[(first + d) % 7]} {c}" for d in range(7) for c in clock]
        )
    is_open = open_mask(hours_open, grid, first)
    closed_need = (req > 0) & ~is_open
    if closed_need.any():
        at = int(np.argmax(closed_need))
        raise InputError(
            f"interval {names[at]} needs {int(agents[at])} agents but is outside the opening "
            "hours: open it ('open_hours') or set its requirement to 0"
        )
    if formulation not in ("implicit", "enumerated"):
        raise InputError(f"'formulation' must be 'implicit' or 'enumerated': {formulation!r}")
    weeks = v.whole("rotation_weeks", rotation_weeks, 1, 6)
    setting = Setting(tuple(templates), grid, is_open, first, first_weekday is not None, weeks)
    model_of = implicit if formulation == "implicit" else enumerated
    form = model_of(setting)
    reachable = np.zeros(req.size, bool)
    reachable[np.unique(form.cover.nonzero()[0])] = True
    uncovered = (req > 0) & ~reachable
    if uncovered.any():
        first_gap = names[int(np.argmax(uncovered))]
        raise InputError(
            f"no shift covers interval {first_gap} ({int(uncovered.sum())} interval(s) with "
            "required agents in all): add a template or start time that does"
        )
    rules = _rules(form, tuple(templates), req, names, share, paid_hours, coverage)
    depth = 3 if coverage == "soft" else 0
    total = req.size
    m = form.size
    short = sparse.csr_array(
        (np.ones(total * depth), (np.repeat(np.arange(total), depth), np.arange(total * depth))),
        shape=(total, total * depth),
    )
    covering = Rule(sparse.csr_array(sparse.hstack([form.cover, short])), req,
                    np.full(total, np.inf))  # fmt: skip
    rules = [r.widened(total * depth) for r in [*form.structure, *rules]]
    objective = form.cost.copy()
    if depth:
        prices = shortfall_prices(
            agents, workload, seconds, targets or Targets(), model, value, depth
        )
        prices *= 1.0 - off  # a person short is (1 - shrinkage) of an agent on the phones
        if paid_hours is not None:  # within a budget, shortfalls are what counts
            objective = form.cost * 1e-6
        objective = np.concatenate([objective, prices.reshape(-1)])
    caps = np.full(total * depth, 1.0)
    if depth:
        caps.reshape(total, depth)[:, -1] = np.inf  # the last piece takes the rest
    upper = np.concatenate([np.full(m, np.inf), caps])
    integral = np.concatenate([form.integral, np.zeros(total * depth, bool)])
    gap = float(v.fraction("mip_gap", mip_gap))
    limit = float(v.positive("time_limit", time_limit))

    def run(
        groups: Sequence[Rule], relaxed: bool = False, seconds_allowed: float = limit
    ) -> Solution:
        return solve(
            objective, sparse.csr_array(sparse.vstack([g.rows for g in groups])),
            np.concatenate([g.lower for g in groups]), np.concatenate([g.upper for g in groups]),
            upper, integral, time_limit=seconds_allowed, gap=gap, relaxed=relaxed,
            progress=None if relaxed else progress,
        )  # fmt: skip

    groups = [covering, *rules]
    lp = run(groups, relaxed=True)
    incumbent = None
    if first_answer and form.first_answer is not None and lp.x is not None:
        found = form.first_answer(lp.x[:m], req, coverage == "hard")
        if found is not None:
            whole = np.concatenate([found, _shortfall(form.cover @ found, req, depth)])
            if all(_holds(g, whole) for g in groups):  # budget and counts too
                incumbent = whole
                if progress is not None:
                    progress(time.monotonic() - began, float(objective @ whole), lp.objective)
    # HiGHS then searches on its own: given the first answer as its start (or as a
    # cutoff), HiGHS 1.16 stalled on it (bench/bench_schedule.py: a real week 3.9%
    # from the bound after 30 s, against 1.1% alone). The first answer stands where
    # HiGHS finds nothing better in time. The LP and it count against the time limit.
    res = run(groups, seconds_allowed=max(limit - (time.monotonic() - began), 1.0))
    if incumbent is not None:
        cost = float(objective @ incumbent)
        if res.x is None or res.objective > cost + 1e-9:
            bound = cost if res.infeasible else max(res.bound, lp.objective)
            res = Solution(incumbent, cost, bound, max(cost - bound, 0.0) / cost if cost else 0.0,
                           f"{res.status}: the first answer stands", False)  # fmt: skip
    if res.x is None:
        _explain_infeasible(groups, run, res)
    x = np.rint(res.x[:m]).astype(np.int64)
    people = form.decode(x)
    return result(
        setting, people, req, agents, off, names, res, lp, form.options, workload, targets, model
    )


def _holds(rule: Rule, x: FloatArray) -> bool:
    """Whether ``x`` meets every row of ``rule``."""
    value = rule.rows @ x
    return bool(np.all(value >= rule.lower - 1e-6) and np.all(value <= rule.upper + 1e-6))


def _shortfall(on_duty: FloatArray, req: FloatArray, depth: int) -> FloatArray:
    """Soft coverage's shortfall pieces for ``on_duty`` people: one person per piece,
    the last taking the rest."""
    if not depth:
        return np.zeros(0)
    short = np.clip(req - on_duty, 0, None)
    pieces = np.zeros((req.size, depth))
    for j in range(depth - 1):
        pieces[:, j] = np.minimum(short, 1.0)
        short = short - pieces[:, j]
    pieces[:, -1] = short
    return pieces.reshape(-1)


def _rules(
    form: Formulation,
    templates: tuple[ShiftTemplate, ...],
    req: FloatArray,
    names: list[str],
    share: float | None,
    paid_hours: float | None,
    coverage: str,
) -> list[Rule]:
    """The rules every schedule takes, each with what to say when it is the one
    that leaves no schedule: template counts, the part-time share, the budget."""
    rules: list[Rule] = []
    busiest = names[int(np.argmax(req))]

    def row(coefficients: FloatArray) -> sparse.csr_array:
        return sparse.csr_array(coefficients[None, :])

    for ti, t in enumerate(templates):
        mine = form.people * (form.template == ti)
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
            rules.append(Rule(row(mine), np.array([float(t.min_count)]), np.array([most]),
                              "; or ".join(said)))  # fmt: skip
    if share is not None:
        part = np.array([t.part_time for t in templates], dtype=float)
        counted = form.template >= 0
        shares = np.where(counted, part[np.maximum(form.template, 0)], 0.0)
        rules.append(
            Rule(
                row(form.people * (shares - share)), np.array([-np.inf]), np.array([0.0]),
                f"no schedule keeps part time to max_part_time {share:.0%} of the people "
                "with the templates' min and max counts: raise it or the full-time max_count",
            )
        )  # fmt: skip
    if paid_hours is not None:
        budget = float(v.positive("paid_hours", paid_hours))
        rules.append(
            Rule(
                row(form.hours), np.array([0.0]), np.array([budget]),
                f"no schedule covers every interval within {budget:g} paid hours: raise the "
                "budget, or use coverage='soft' to leave the quietest intervals short"
                if coverage == "hard"
                else f"the templates' min_count need more than the budget of {budget:g} "
                "paid hours",
            )
        )  # fmt: skip
    return rules


def _explain_infeasible(groups: Sequence[Rule], run: Callable[..., Solution],
                        res: Solution) -> NoReturn:  # fmt: skip
    """Raise an InputError naming the rule without which a schedule exists."""
    if not res.infeasible:  # the time limit, before any schedule was found
        raise InputError(
            f"HiGHS found no schedule within the time limit ({res.status}); raise "
            "'time_limit', or allow fewer start times"
        )
    named = [i for i, g in enumerate(groups) if g.message]
    for i in named:
        if run([g for k, g in enumerate(groups) if k != i], seconds_allowed=10.0).x is not None:
            raise InputError(groups[i].message)
    names = "; ".join(groups[i].message for i in named) or "the coverage"
    raise InputError(f"no schedule meets these rules together: {names}")
