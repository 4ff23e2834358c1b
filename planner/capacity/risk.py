"""The risk of a hiring plan: Monte Carlo over attrition and the volume band.

Each path draws, week by week, who of each cohort (today's bands, each class
held, each transfer in) leaves: a binomial draw with the weekly chance of
their tenure (:meth:`~planner.capacity.workforce.Workforce.weekly_leave`). The
volume of each path follows the forecast's band: a standard normal score per
week, correlated from week to week (``z_t = rho z_(t-1) + sqrt(1 - rho^2)
e_t``: a forecast's errors persist), turned into calls by
:meth:`~planner.capacity.demand.WeeklyDemand.calls_at` and into required FTE by
interpolating between the requirement staffed at a grid of scores. A week is
short on a path when its productive FTE, with overtime up to its cap, is below
that path's requirement. Every draw comes from one ``numpy.random.Generator``
seeded from the caller's seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner._validate import FloatArray
from planner.capacity.supply import ClassOptions
from planner.capacity.workforce import Workforce

__all__ = ["Paths", "draw_paths"]

# Scores the requirement is staffed at for the paths to interpolate between.
SCORES = np.linspace(-4.0, 4.0, 17)


@dataclass(frozen=True, eq=False)
class Paths:
    """Per path (rows) and week (columns): ``productive`` FTE and ``heads`` (people on
    staff) of the plan, and ``required`` FTE."""

    productive: FloatArray
    heads: FloatArray
    required: FloatArray

    def short(self, overtime_cap: float) -> FloatArray:
        """Per week, the share of paths short even with overtime up to its cap."""
        have = self.productive * (1.0 + overtime_cap)
        return (have < self.required - 1e-9).mean(axis=0)


def _scores(rng: np.random.Generator, paths: int, weeks: int, rho: float) -> FloatArray:
    """Standard normal scores per path and week, correlated ``rho`` week to week."""
    e = rng.standard_normal((paths, weeks))
    z = np.empty_like(e)
    z[:, 0] = e[:, 0]
    tail = np.sqrt(1.0 - rho * rho)
    for t in range(1, weeks):
        z[:, t] = rho * z[:, t - 1] + tail * e[:, t]
    return z


def draw_paths(
    workforce: Workforce,
    options: ClassOptions,
    sizes: FloatArray,
    required_at: FloatArray,
    *,
    paths: int,
    rng: np.random.Generator,
    rho: float,
) -> Paths:
    """``paths`` draws of the plan with class ``sizes`` (per option); ``required_at``:
    required FTE at each of :data:`SCORES` (rows) and week (columns)."""
    weeks = required_at.shape[1]
    # cohorts: (people at their start, week they start, tenure then, productivity by week)
    starts, tenure, people, curves = [], [], [], []
    full = np.ones(weeks)
    for band, at in zip(workforce.bands, workforce.tenure_today(), strict=True):
        if band.headcount:
            starts.append(0)
            tenure.append(float(at))
            people.append(float(band.headcount))
            curves.append(full)
    settled = float(workforce.tenure_today()[-1])
    moved = workforce.transfers_for(weeks)
    out_flow = np.zeros(weeks)  # people moved out: taken off the tenured, as expected
    for week in np.flatnonzero(moved):
        w = int(week)
        if moved[w] > 0:
            starts.append(w)
            tenure.append(settled)
            people.append(float(moved[w]))
            curves.append(full)
        else:
            out_flow[w:] += moved[w] * workforce.survival(settled, weeks)[: weeks - w]
    for j in np.flatnonzero(sizes > 0):
        k = workforce.classes[options.kind[j]]
        begin = int(options.start[j])
        starts.append(begin)
        tenure.append(0.0)
        people.append(float(sizes[j]))
        ramp = np.zeros(weeks)
        ramp[begin:] = k.productivity(np.arange(weeks - begin, dtype=np.float64) - k.train_weeks)
        curves.append(ramp)
    n = len(starts)
    size = np.asarray(people)
    start = np.asarray(starts, dtype=np.int64)
    first = np.asarray(tenure)
    curve = np.asarray(curves).reshape(n, weeks)
    alive = np.zeros((n, paths))
    productive = np.zeros((paths, weeks))
    heads = np.zeros((paths, weeks))
    for t in range(weeks):
        joining = start == t
        # whole people: a fractional transfer is rounded at random, its mean kept
        whole = np.floor(size[joining])
        extra = rng.random((int(joining.sum()), paths)) < (size[joining] - whole)[:, None]
        alive[joining] = whole[:, None] + extra
        heads[:, t] = alive.sum(axis=0)
        productive[:, t] = curve[:, t] @ alive
        on = start <= t
        leave = workforce.weekly_leave(first[on] + (t - start[on]))
        alive[on] = rng.binomial(alive[on].astype(np.int64), (1.0 - leave)[:, None])
    heads += out_flow
    productive += out_flow
    z = _scores(rng, paths, weeks, rho)
    required = np.empty((paths, weeks))
    for t in range(weeks):
        required[:, t] = np.interp(z[:, t], SCORES, required_at[:, t])
    return Paths(productive, heads, required)
