"""The capacity plan: requirement, supply, the hiring plan and its risk, in one call.

:func:`capacity_plan` staffs every week of the demand from the interval models
(:mod:`~planner.capacity.requirement`), projects today's staff
(:mod:`~planner.capacity.supply`), chooses the hiring classes at least cost
(:mod:`~planner.capacity.hiring`) and draws the plan's risk
(:mod:`~planner.capacity.risk`). With ``quantile`` it plans to that quantile
of the requirement net of attrition's luck, not to the expected requirement:
it adds to each week's target the ``quantile`` of what the paths fall short of
the expected plan (more volume than forecast, more people gone than
expected), on the same paths each time, and chooses again (three rounds).

It plans past the horizon, by the longest lead time and ramp and a quarter,
with the last week's requirement held: without those weeks, hiring for the
horizon's last weeks would look dearer than being short there (a hire costs
as much, and helps for only a few weeks), where the next plan would need them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from planner import _validate as v
from planner.capacity.demand import WeeklyDemand
from planner.capacity.hiring import HiringSolution, solve_hiring
from planner.capacity.requirement import (
    CapacitySettings,
    WeekProfile,
    fte_at_scores,
    requirement_table,
)
from planner.capacity.risk import SCORES, Paths, draw_paths
from planner.capacity.supply import ClassOptions, base_supply, class_options
from planner.capacity.workforce import Workforce
from planner.errors import InputError
from planner.staffing import interval_metrics

__all__ = ["CapacityPlan", "capacity_plan"]

_ROUNDS = 3  # rounds of planning to a quantile


@dataclass(frozen=True)
class CapacityPlan:
    """What :func:`capacity_plan` chose and what it leads to.

    ``weeks``: one row per week: ``week_start``, ``calls``, ``aht``, ``required_fte``
    (and its band, ``required_fte_low`` / ``_high``, where the demand has one),
    ``target_fte`` (what the plan covers: the requirement, or its quantile),
    ``headcount`` (people on staff, expected), ``trainees``, ``productive_fte`` (on
    the phones, ramp counted), ``overtime_fte``, ``short_fte`` and ``surplus_fte``
    (against the requirement, overtime counted),
    ``starting`` and ``going_live`` (people), ``service_level`` (expected, with the
    productive FTE and overtime, on the targets' basis) and ``p_short`` (the share
    of Monte Carlo paths short even with overtime up to its cap).
    ``classes``: one row per class held: ``class``, ``recruit_from`` (date recruiting
    must begin), ``training_start``, ``go_live``, ``size`` (people) and ``cost``
    (hiring, the class and the hires' salaries in the horizon, expected).
    ``cost``: ``salaries`` (everyone on staff, expected), ``hiring``, ``classes``,
    ``overtime``, ``short`` (the price put on the shortfall against the requirement)
    and ``total`` (currency).
    """

    weeks: pd.DataFrame
    classes: pd.DataFrame
    cost: pd.Series
    status: str
    gap: float
    quantile: float | None
    paths: int


def capacity_plan(
    demand: WeeklyDemand,
    profile: WeekProfile,
    settings: CapacitySettings,
    workforce: Workforce,
    *,
    quantile: float | None = None,
    paths: int = 1000,
    seed: int | np.random.SeedSequence | None = None,
    volume_correlation: float = 0.9,
    time_limit: float = 20.0,
) -> CapacityPlan:
    """The least-cost hiring plan for ``demand`` (see the module notes); ``paths``
    Monte Carlo paths (0: no risk figures; planning to a ``quantile`` needs some),
    seeded from ``seed``; ``volume_correlation``: of the volume's scores from one week
    to the next (0: independent weeks, 1: one score for the whole horizon);
    ``time_limit``: seconds HiGHS may take for each choice of classes (see
    :mod:`~planner.capacity.hiring`: the plan's ``gap`` and ``status`` say whether it
    proved its plan within 0.1% of the best)."""
    for name, value, kind in (("demand", demand, WeeklyDemand), ("profile", profile, WeekProfile),
                              ("settings", settings, CapacitySettings),
                              ("workforce", workforce, Workforce)):  # fmt: skip
        if not isinstance(value, kind):
            raise InputError(f"'{name}' must be a {kind.__name__}: {value!r}")
    paths = v.whole("paths", paths, 0, 1_000_000)
    if quantile is not None:
        quantile = v.single("quantile", quantile, v.fraction)
        if not 0.5 <= quantile < 1:
            raise InputError(f"'quantile' must be in [0.5, 1): {quantile!r}")
        if paths == 0:
            raise InputError("planning to a quantile needs Monte Carlo paths: paths >= 1")
    rho = v.single("volume_correlation", volume_correlation, v.share)
    weeks = demand.weeks
    table, agents = requirement_table(demand, profile, settings)
    # planned past the horizon (the last week's requirement held), so that its last
    # weeks are worth hiring for as the weeks before them are
    span = weeks + _tail(workforce)
    required = _held(table["required_fte"].to_numpy(), span)
    base = base_supply(workforce, span)
    options = class_options(workforce, span)
    rng = np.random.default_rng(seed)
    if paths:
        if demand.sigma.any():
            at_scores = _held(fte_at_scores(demand, profile, settings, SCORES), span)
        else:
            at_scores = np.tile(required, (len(SCORES), 1))
    target = required.copy()
    solution = solve_hiring(target, base, options, workforce, time_limit=time_limit)
    drawn = None
    if quantile is not None:
        state = rng.bit_generator.state
        for _ in range(_ROUNDS):
            rng.bit_generator.state = state  # the same paths each round
            drawn = draw_paths(workforce, options, solution.sizes, at_scores, paths=paths,
                               rng=rng, rho=rho)  # fmt: skip
            expected = base + solution.sizes @ options.productive
            luck = (drawn.required - required) + (expected - drawn.productive)
            target = required + np.maximum(np.quantile(luck, quantile, axis=0), 0.0)
            solution = solve_hiring(target, base, options, workforce, time_limit=time_limit)
        rng.bit_generator.state = state
    if paths:
        drawn = draw_paths(workforce, options, solution.sizes, at_scores, paths=paths,
                           rng=rng, rho=rho)  # fmt: skip
        drawn = Paths(drawn.productive[:, :weeks], drawn.heads[:, :weeks],
                      drawn.required[:, :weeks])  # fmt: skip
    # the horizon's weeks, and the classes that start in it (later ones cannot reach it)
    keep = options.start < weeks
    options = ClassOptions(
        options.kind[keep], options.start[keep], options.heads[keep, :weeks],
        options.productive[keep, :weeks], options.training[keep, :weeks],
    )  # fmt: skip
    solution = HiringSolution(solution.sizes[keep], solution.overtime[:weeks],
                              solution.short[:weeks], solution.objective, solution.status,
                              solution.gap)  # fmt: skip
    return _result(table, agents, target[:weeks], base[:weeks], options, solution, workforce,
                   demand, profile, settings, drawn, quantile, paths)  # fmt: skip


def _tail(workforce: Workforce) -> int:
    """Weeks planned past the horizon: the longest lead time and ramp, and a quarter."""
    reach = [k.lead_weeks + len(k.ramp) for k in workforce.classes]
    return max(reach, default=0) + 13


def _held(values: Any, span: int) -> Any:
    """``values`` (weeks on the last axis) continued to ``span`` weeks with the last."""
    values = np.asarray(values)
    extra = np.repeat(values[..., -1:], span - values.shape[-1], axis=-1)
    return np.concatenate([values, extra], axis=-1)


def _result(table: pd.DataFrame, agents: Any, target: Any, base: Any, options: Any, solution: Any,
            workforce: Workforce, demand: WeeklyDemand, profile: WeekProfile,
            settings: CapacitySettings, drawn: Any, quantile: float | None, paths: int
            ) -> CapacityPlan:  # fmt: skip
    sizes = solution.sizes
    weeks = demand.weeks
    heads = base + sizes @ options.heads
    productive = base + sizes @ options.productive
    trainees = sizes @ options.training
    out = table.drop(columns=["agent_hours", "scheduled_hours", "shrinkage"])
    out["target_fte"] = target
    out["headcount"] = heads
    out["trainees"] = trainees
    out["productive_fte"] = productive
    out["overtime_fte"] = solution.overtime
    required = table["required_fte"].to_numpy()
    short = np.maximum(required - productive - solution.overtime, 0.0)
    out["short_fte"] = short
    out["surplus_fte"] = np.maximum(productive + solution.overtime - required, 0.0)
    starting = np.zeros(weeks)
    live = np.zeros(weeks)
    for j in np.flatnonzero(sizes > 0):
        k = workforce.classes[options.kind[j]]
        starting[options.start[j]] += sizes[j]
        if options.start[j] + k.train_weeks < weeks:
            live[options.start[j] + k.train_weeks] += sizes[j] * options.heads[
                j, options.start[j] + k.train_weeks]  # fmt: skip
    out["starting"] = starting
    out["going_live"] = live
    out["service_level"] = _service_levels(agents, demand, profile, settings, required,
                                           productive + solution.overtime)  # fmt: skip
    out["p_short"] = drawn.short(workforce.overtime_cap) if drawn is not None else np.nan
    classes = []
    for j in np.flatnonzero(sizes > 0):
        k = workforce.classes[options.kind[j]]
        s = int(options.start[j])
        first = demand.week_start[0]
        classes.append({
            "class": k.name,
            "recruit_from": first + timedelta(weeks=s - k.recruit_weeks),
            "training_start": first + timedelta(weeks=s),
            "go_live": first + timedelta(weeks=s + k.train_weeks),
            "size": int(sizes[j]),
            "cost": float(sizes[j] * (k.cost_per_hire + workforce.salary_per_week
                                      * options.heads[j].sum()) + k.cost_per_class),
        })  # fmt: skip
    frame = pd.DataFrame(classes, columns=["class", "recruit_from", "training_start",
                                           "go_live", "size", "cost"])  # fmt: skip
    for name in ("recruit_from", "training_start", "go_live"):
        frame[name] = pd.to_datetime(frame[name])
    held = sizes > 0
    kinds = [workforce.classes[c] for c in options.kind]
    cost = pd.Series({
        "salaries": float(workforce.salary_per_week * heads.sum()),
        "hiring": float(sum(k.cost_per_hire * x for k, x in zip(kinds, sizes, strict=True))),
        "classes": float(sum(k.cost_per_class for k, h in zip(kinds, held, strict=True) if h)),
        "overtime": float(workforce.overtime_cost * solution.overtime.sum()),
        "short": float(workforce.price_of_short * short.sum()),
    })  # fmt: skip
    cost["total"] = cost.sum()
    return CapacityPlan(out, frame, cost, solution.status, solution.gap, quantile, paths)


def _service_levels(agents: Any, demand: WeeklyDemand, profile: WeekProfile,
                    settings: CapacitySettings, required: Any, have: Any) -> Any:  # fmt: skip
    """Each week's expected service level (calls-weighted over its intervals) with the
    requirement's ``agents`` (weeks x intervals of the week) scaled to the FTE it has
    (``have / required``, at most 1)."""
    calls = np.asarray(demand.calls)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(required > 0, np.minimum(have / required, 1.0), 1.0)
    scaled = np.floor(agents * ratio[:, None] + 1e-9).astype(np.int64)
    week_calls = calls[:, None] * profile.shares.ravel()[None, :]
    aht = np.broadcast_to(np.asarray(demand.aht)[:, None], week_calls.shape)
    m = interval_metrics(scaled.ravel(), week_calls.ravel(), aht.ravel(), profile.interval,
                         settings.targets, model=settings.model)  # fmt: skip
    level = m["service_level"].to_numpy().reshape(week_calls.shape)
    level = np.where(week_calls > 0, level, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(calls > 0, (level * week_calls).sum(axis=1) / calls, np.nan)
