"""A fast approximation of each call type's service under a center's staffing.

Per interval, in three steps (no simulation: a day of a 5-type, 8-group center
in milliseconds):

1. **Fluid routing.** Each call type's offered load (Erlangs: calls x AHT /
   interval) flows to the groups that take it, as a linear programme (HiGHS,
   :func:`scipy.optimize.linprog`): each Erlang sent to a type's k-th group in
   its routing order (groups that take it only after a delay come last) costs
   k plus the place the group gives the type among its skills (0 for its
   first), so that a group's first skill keeps its agents when they are
   short, as a freed agent's priorities make it; an Erlang no group carries
   costs more than any route; and a group carries at most ``N - sqrt(N) / 2``
   Erlangs of its ``N`` agents (at its own handle times), so that a group near
   its limit passes calls on, as its busy agents do. (Half a square root:
   against simulation on the bench's two centers and the bundled bank, on the
   given and the staff_center staffings, a mean absolute error of 6.8 points
   on average over the five, against 8.6 with a whole square root and 7.6
   with none; the largest error 52 points, against 74 and 36.)
2. **Agents per type.** A group's agents carry, for each of its types, the
   load routed to them (in agents), and its spare agents (those the load
   leaves) wait for a call of any of its types: type ``q`` has ``s_q``
   agents, the sum over its groups of the load they carry for it and their
   spare agents. A spare agent counts for each type it takes, as the pooling
   of skills makes it.
3. **Erlang per type.** Each type's service level, ASA and abandon rate are
   Erlang A's (C without a patience) for its calls and AHT with ``s_q``
   agents, interpolated between the two whole numbers round ``s_q``.

What it leaves out: queues carried over between intervals, the sharing of a
shortage between call types (the programme leaves it with one of them: its
largest errors, in a center loaded to its limit), and overflow delays (a
delayed group comes last, at once). Its error against simulation (service
level per type and interval, 200 days) on the bench's centers is printed by
``bench/bench_multiskill.py``.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from planner._validate import FloatArray
from planner.errors import InputError
from planner.models.erlang import erlang_model
from planner.simulation.distributions import Distribution
from planner.simulation.skills import Center, _prepare
from planner.staffing import interval_metrics

__all__ = ["approximate_center"]


def _routes(center: Center) -> tuple[FloatArray, FloatArray]:
    """Per group and call type: the rank of the route (NaN: no route) and the group's
    handle time over the type's, per interval (groups x types x intervals), from the
    simulation's own routing tables."""
    prep = _prepare(center, "serve_queue")
    rank = np.full(prep.delay.shape, np.nan)
    for q, groups in enumerate(center.routing_order()):
        delayed = [g for g in groups if prep.delay[g, q] > 0]
        for r, g in enumerate([g for g in groups if g not in delayed] + delayed):
            rank[g, q] = r
    for g, grp in enumerate(center.groups):  # and the group's own order of its skills
        levels = sorted(set(grp.priority.values()))
        for q, t in enumerate(center.call_types):
            if t.name in grp.priority:
                rank[g, q] += levels.index(grp.priority[t.name])
    return rank, prep.factor.transpose(1, 0, 2)


def _shares(load: FloatArray, agents: FloatArray, rank: FloatArray, factor: FloatArray
            ) -> FloatArray:  # fmt: skip
    """One interval: agents of each type (steps 1 and 2 of the module notes), from the
    types' loads (Erlangs), the groups' agents, and ranks and handle-time factors
    (groups x types)."""
    n_groups, n_types = rank.shape
    pairs = [(g, q) for g in range(n_groups) for q in range(n_types) if not np.isnan(rank[g, q])]
    n = len(pairs)
    short = float(np.nanmax(rank)) + 1.0
    cost = np.concatenate([[rank[g, q] for g, q in pairs], np.full(n_types, short)])
    equal = np.zeros((n_types, n + n_types))
    upper = np.zeros((n_groups, n + n_types))
    for j, (g, q) in enumerate(pairs):
        equal[q, j] = 1.0
        upper[g, j] = factor[g, q]
    equal[np.arange(n_types), n + np.arange(n_types)] = 1.0
    capacity = np.maximum(agents - 0.5 * np.sqrt(agents), 0.0)
    done = linprog(cost, A_ub=upper, b_ub=capacity, A_eq=equal, b_eq=load,
                   bounds=(0, None), method="highs")  # fmt: skip
    if done.status != 0:  # pragma: no cover - always feasible: the unserved take the rest
        raise InputError(f"the fluid routing failed: {done.message}")
    flow = np.zeros((n_groups, n_types))
    for j, (g, q) in enumerate(pairs):
        flow[g, q] = done.x[j] * factor[g, q]
    share = np.zeros(n_types)
    for g in range(n_groups):
        spare = max(agents[g] - flow[g].sum(), 0.0)
        share += flow[g] + spare * ~np.isnan(rank[g])
    return share


def approximate_center(center: Center) -> dict[str, pd.DataFrame]:
    """Per call type, one row per interval: ``agents`` (the agents it has, fractional;
    see the module notes), ``traffic`` (Erlangs), ``service_level`` (within its
    ``targets.answer_time``, on its basis), ``asa`` (seconds) and ``abandon_rate``,
    from the fluid routing and Erlang per type of the module notes."""
    if not isinstance(center, Center):
        raise InputError(f"'center' must be a Center: {center!r}")
    k, step = center.intervals, center.interval
    rank, factor = _routes(center)
    agents = np.stack([g.agents_per_interval(k) for g in center.groups]).astype(np.float64)
    calls = np.stack([np.asarray(t.calls, dtype=np.float64) for t in center.call_types])
    aht = np.stack([t.aht_per_interval() for t in center.call_types])
    load = calls * aht / step
    shares = np.stack([
        _shares(load[:, i], agents[:, i], rank, factor[:, :, i]) for i in range(k)
    ], axis=1)  # fmt: skip
    out = {}
    for q, t in enumerate(center.call_types):
        patience = cast("Distribution | None", t.patience)
        model = erlang_model(None if patience is None else float(patience.mean))
        s = shares[q]
        low, high = np.floor(s), np.floor(s) + 1.0
        w = s - low
        m_low = interval_metrics(low.astype(int), calls[q], aht[q], step, t.targets, model=model)
        m_high = interval_metrics(high.astype(int), calls[q], aht[q], step, t.targets,
                                  model=model)  # fmt: skip
        table = pd.DataFrame({"agents": s, "traffic": m_low["traffic"]})
        for name in ("service_level", "asa", "abandon_rate"):
            if name in m_low:
                a, b = m_low[name].to_numpy(float), m_high[name].to_numpy(float)
                with np.errstate(invalid="ignore"):  # inf ASA where too few: kept as a
                    table[name] = np.where(w > 0, (1 - w) * a + w * b, a)
            else:  # Erlang C: nobody abandons
                table[name] = 0.0
        out[t.name] = table.rename_axis("interval")
    return out
