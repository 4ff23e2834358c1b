"""The hiring plan: which classes to hold, when, how large, at least cost.

An integer programme on HiGHS (:func:`scipy.optimize.milp`), over the classes
:func:`~planner.capacity.supply.class_options` allows. Per class option ``j``
its size ``x_j`` (people, whole) and whether it is held, ``y_j``
(``min_size * y_j <= x_j <= max_size * y_j``); per week ``t`` overtime
``o_t`` and shortfall ``u_t`` (FTE). Every week::

    base_t + sum_j productive[j, t] * x_j + o_t + u_t >= target_t
    o_t <= overtime_cap * (base_t + sum_j productive[j, t] * x_j)
    sum_j training[j, t] * x_j <= training_seats

and the cost it minimises: each hire's salary while on staff in the horizon
(expected), cost per hire and per class held, overtime and the price of each
FTE-week short. Salaries of today's staff are the same whatever the plan, and
are counted in the plan's cost, not in the choice.

The programme's relaxation hires fractions of a person every week, so with a
class possible every week HiGHS closes the gap slowly (measured: 2.2% after
2 s, 1.2% after 15 s on a year of weekly starts, its first plan within 0.3%
of its last); with classes every 2 or 4 weeks, as most centers run them, it
proves a plan within 0.1% in 2.3 or 0.2 s. It stops at ``mip_gap`` (0.1%) or
at ``time_limit`` seconds, whichever comes first, and says which: a plan
stopped by the clock may differ from run to run within its gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from planner import _validate as v
from planner._validate import FloatArray
from planner.capacity.supply import ClassOptions
from planner.capacity.workforce import Workforce
from planner.errors import InputError

__all__ = ["HiringSolution", "solve_hiring"]


@dataclass(frozen=True, eq=False)
class HiringSolution:
    """Class sizes per option (``sizes``, people), overtime and shortfall per week (FTE),
    the objective (currency), HiGHS's status message and its optimality gap."""

    sizes: FloatArray
    overtime: FloatArray
    short: FloatArray
    objective: float
    status: str
    gap: float


def solve_hiring(
    target: FloatArray,
    base: FloatArray,
    options: ClassOptions,
    workforce: Workforce,
    *,
    time_limit: float = 20.0,
    mip_gap: float = 1e-3,
) -> HiringSolution:
    """The least-cost classes for ``target`` FTE per week, on top of ``base`` productive
    FTE (today's staff, expected), among ``options`` (see the module notes); HiGHS
    stops at a relative gap of ``mip_gap`` or after ``time_limit`` seconds."""
    time_limit = v.single("time_limit", time_limit, v.positive)
    mip_gap = v.single("mip_gap", mip_gap, v.share)
    target = np.asarray(target, dtype=np.float64)
    weeks = target.size
    n = len(options)
    kinds = [workforce.classes[c] for c in options.kind]
    low = np.array([k.min_size for k in kinds], dtype=np.float64)
    high = np.array([k.max_size for k in kinds], dtype=np.float64)
    per_hire = np.array([k.cost_per_hire for k in kinds], dtype=np.float64)
    per_class = np.array([k.cost_per_class for k in kinds], dtype=np.float64)
    salary = workforce.salary_per_week * options.heads.sum(axis=1) if n else np.zeros(0)
    cost = np.concatenate([
        salary + per_hire, per_class,
        np.full(weeks, workforce.overtime_cost), np.full(weeks, workforce.price_of_short),
    ])  # fmt: skip
    eye = np.eye(weeks)
    zeros = np.zeros((weeks, n))
    prod = options.productive.T  # weeks x options
    rows = [
        LinearConstraint(np.hstack([prod, zeros, eye, eye]), lb=target - base),
        LinearConstraint(
            np.hstack([-workforce.overtime_cap * prod, zeros, eye, 0 * eye]),
            ub=workforce.overtime_cap * base,
        ),
    ]
    if n:
        pick = np.eye(n)
        rows += [
            LinearConstraint(np.hstack([pick, -np.diag(high), np.zeros((n, 2 * weeks))]), ub=0),
            LinearConstraint(np.hstack([pick, -np.diag(low), np.zeros((n, 2 * weeks))]), lb=0),
        ]
        if workforce.training_seats is not None:
            rows.append(LinearConstraint(
                np.hstack([options.training.T, zeros, 0 * eye, 0 * eye]),
                ub=float(workforce.training_seats),
            ))  # fmt: skip
    integrality = np.concatenate([np.ones(2 * n), np.zeros(2 * weeks)])
    upper = np.concatenate([high, np.ones(n), np.full(2 * weeks, np.inf)])
    limits = {"time_limit": time_limit, "mip_rel_gap": mip_gap}
    done = milp(cost, constraints=rows, integrality=integrality, bounds=Bounds(0, upper),
                options=limits)  # fmt: skip
    if done.x is None:
        raise InputError(f"no hiring plan found: {done.message}")
    x = done.x
    gap = float(getattr(done, "mip_gap", 0.0) or 0.0)
    return HiringSolution(
        sizes=np.round(x[:n]), overtime=x[2 * n : 2 * n + weeks], short=x[2 * n + weeks :],
        objective=float(done.fun), status=str(done.message), gap=gap,
    )  # fmt: skip
