"""Benchmark: simulating many call types and agent groups with skills.

Calls simulated per second by the skills engine (``planner.simulate_center``'s
compiled event loop) against the single-skill fast engine on the same callers
(one call type, one group: the same answer times), and on two centers: an
N-design (two call types, a specialist group for each and generalists who take
both) and a 5-type, 8-group center, over a day of 48 half hours; for those two,
the agent hours of the staffing simulated beside the Erlang bounds (dedicated
teams, full pooling) of ``planner.staffing_bounds`` and the skills cover the
search starts from, and both staffed by
``planner.staff_center`` (its agent hours, whether they fall between the
bounds, and its time), beside the same search for the specialist groups alone;
and ``planner.approximate_center``'s error against simulation on each staffing.
Run with ``make bench`` or ``python bench/bench_multiskill.py``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from planner import (
    AgentGroup,
    CallType,
    Center,
    approximate_center,
    hours,
    simulate_center,
    staff_center,
    staffing_bounds,
)
from planner.simulation.day import Day, draw_callers
from planner.simulation.distributions import Exponential
from planner.simulation.engines import run_fast
from planner.simulation.skills import _callers, _prepare, _replication
from planner.simulation.skills_staffing import skill_cover

INTERVAL = 1800.0
HOURS = np.arange(48) / 2


def profile(peak: float) -> tuple[float, ...]:
    """Calls per half hour over a day, peaking at ``peak`` late in the morning."""
    shape = np.exp(-(((HOURS - 11.0) / 3.5) ** 2)) + 0.6 * np.exp(-(((HOURS - 16) / 2.5) ** 2))
    return tuple(float(x) for x in peak * shape / shape.max())


def one_queue(peak: float) -> Center:
    calls = profile(peak)
    agents = tuple(int(np.ceil(c * 240 / INTERVAL + 2 * np.sqrt(c * 240 / INTERVAL))) + 1
                   for c in calls)  # fmt: skip
    return Center(
        (CallType("calls", calls, 240.0, patience=180.0),),
        (AgentGroup("agents", ["calls"], agents),),
        INTERVAL,
    )


def n_design() -> Center:
    a, b = profile(900.0), profile(300.0)
    return Center(
        (CallType("cards", a, 240.0, patience=180.0), CallType("loans", b, 360.0, patience=240.0)),
        (
            AgentGroup("cards", ["cards"], tuple(int(x * 240 / INTERVAL * 0.85) for x in a)),
            AgentGroup("loans", ["loans"], tuple(int(x * 360 / INTERVAL * 0.85) for x in b)),
            AgentGroup("generalists", {"loans": 0, "cards": 1}, 12),
        ),
        INTERVAL,
    )


def five_by_eight() -> Center:
    names = ["cards EN", "cards FR", "loans EN", "loans FR", "fraud"]
    peaks = [700.0, 250.0, 300.0, 120.0, 150.0]
    aht = [240.0, 260.0, 360.0, 380.0, 420.0]
    types = tuple(
        CallType(name, profile(peak), seconds, patience=200.0)
        for name, peak, seconds in zip(names, peaks, aht, strict=True)
    )

    def team(share: float, *loads: int) -> tuple[int, ...]:
        work = sum(np.asarray(types[k].calls) * types[k].aht / INTERVAL for k in loads)
        return tuple(int(x) for x in np.ceil(share * work))

    groups = (
        AgentGroup("cards EN", ["cards EN"], team(0.8, 0)),
        AgentGroup("cards FR", ["cards FR"], team(0.7, 1)),
        AgentGroup("loans EN", ["loans EN"], team(0.8, 2)),
        AgentGroup("loans FR", ["loans FR"], team(0.6, 3)),
        AgentGroup("fraud", ["fraud"], team(0.9, 4)),
        AgentGroup("bilingual cards", {"cards FR": 0, "cards EN": 1}, team(0.3, 1)),
        AgentGroup("bilingual loans", {"loans FR": 0, "loans EN": 1}, team(0.3, 3)),
        AgentGroup("generalists EN", {"cards EN": 1, "loans EN": 1, "fraud": 0}, team(0.25, 0, 2)),
    )
    return Center(types, groups, INTERVAL)


def approximation_error(center: Center, days: int = 200) -> str:
    """``planner.approximate_center`` against ``days`` simulated days: its time, and the
    error of the service level per call type and interval (intervals of 5 calls or
    more): mean, mean absolute and largest."""
    t0 = time.perf_counter()
    approx = approximate_center(center)
    seconds = time.perf_counter() - t0
    sim = simulate_center(center, replications=days, seed=9)
    errors = np.concatenate([
        (approx[t.name]["service_level"].to_numpy() - sim.call_types[t.name]["service_level"].mean)[
            np.asarray(t.calls) >= 5]
        for t in center.call_types
    ])  # fmt: skip
    return (f"approximation in {seconds * 1000:.0f} ms, service level error against "
            f"{days} simulated days: mean {errors.mean():+.3f}, mean absolute "
            f"{np.abs(errors).mean():.3f}, largest {np.abs(errors).max():.3f}")  # fmt: skip


def calls_per_second(center: Center, repeats: int) -> tuple[float, float]:
    """Calls a second of the skills engine (best of ``repeats``), and calls a day."""
    prep = _prepare(center, "serve_queue")
    root = np.random.SeedSequence(1)
    drawn = _callers(prep, root, 0)
    calls = sum(len(c) for c in drawn)
    _replication(prep, drawn)  # compiled once
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        _replication(prep, drawn)
        best = min(best, time.perf_counter() - t0)
    return calls / best, calls


def fast_calls_per_second(center: Center, repeats: int) -> float:
    """The single-skill fast engine, and its totals, on the first type's callers."""
    from planner.simulation.outcomes import period_totals

    t = center.call_types[0]
    k = center.intervals
    agents = np.asarray(center.groups[0].agents_per_interval(k))
    day = Day(INTERVAL * np.arange(k + 1.0), agents, 0, True)
    callers = draw_callers(day, np.asarray(t.calls), t.aht_per_interval(), Exponential(1.0),
                           t.patience, 0.0, np.random.SeedSequence(1))  # type: ignore[arg-type]  # fmt: skip
    best = np.inf
    for _ in range(repeats + 1):
        t0 = time.perf_counter()
        answers = run_fast(callers, day)
        period_totals(callers, answers.start, answers.overtime, day, 20.0)
        best = min(best, time.perf_counter() - t0)
    return len(callers) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--days", type=int, default=100, help="staff_center's replications")
    args = parser.parse_args()
    print(f"{'one day, 48 half hours':44}{'calls':>9}{'calls/s':>14}{'vs fast':>9}")
    single = one_queue(4000.0)
    fast = fast_calls_per_second(single, args.repeats)
    print(f"{'  fast engine, one queue (simulate)':44}{'':9}{fast:14,.0f}")
    for label, center in (
        ("  skills engine, the same queue", single),
        ("  skills engine, N-design (2 types, 3 groups)", n_design()),
        ("  skills engine, 5 types, 8 groups", five_by_eight()),
    ):
        rate, calls = calls_per_second(center, args.repeats)
        print(f"{label:44}{calls:9,}{rate:14,.0f}{fast / rate:8.1f}x")
    for label, center in (("N-design", n_design()), ("5 types, 8 groups", five_by_eight())):
        t0 = time.perf_counter()
        res = simulate_center(center, replications=20, seed=2)
        seconds = time.perf_counter() - t0
        levels = ", ".join(
            f"{name} {r.day('service_level').mean:.1%}" for name, r in res.call_types.items()
        )
        print(f"{label}: 20 replications in {seconds:.2f} s; day service level {levels}")
        t0 = time.perf_counter()
        bounds = staffing_bounds(center).attrs["agent_hours"]
        seconds = time.perf_counter() - t0
        k = center.intervals
        given = sum(hours(g.agents_per_interval(k), INTERVAL) for g in center.groups)
        dedicated, pooled = bounds["dedicated"], bounds["pooled"]
        t0 = time.perf_counter()
        rate = np.array([g.cost_per_hour or 1.0 for g in center.groups])
        cover = hours(skill_cover(center, rate).sum(axis=0), INTERVAL)
        cover_seconds = time.perf_counter() - t0
        print(f"  agent hours: this staffing {given:,.0f}; Erlang bounds (in {seconds:.2f} s): "
              f"dedicated teams {dedicated:,.0f}, fully pooled {pooled:,.0f}; skills cover "
              f"(staff_center's start, in {cover_seconds:.2f} s) {cover:,.0f}")  # fmt: skip
        print(f"  this staffing: {approximation_error(center)}")
    print(f"staffed by staff_center ({args.days} days a try, 95% confidence per type and "
          "interval), beside the Erlang bounds and the same search with the specialists "
          "alone (dedicated teams in simulation, the same margin):")  # fmt: skip
    for label, center in (("N-design", n_design()), ("5 types, 8 groups", five_by_eight())):
        bounds = staffing_bounds(center).attrs["agent_hours"]
        t0 = time.perf_counter()
        plan = staff_center(center, replications=args.days, seed=1)
        seconds = time.perf_counter() - t0
        specialists = tuple(g for g in center.groups if len(g.priority) == 1)
        alone = Center(center.call_types, specialists, INTERVAL)
        dedicated = staff_center(alone, replications=args.days, seed=1)
        where = "between the bounds" if bounds["pooled"] < plan.agent_hours < bounds[
            "dedicated"] else "NOT between the bounds"  # fmt: skip
        per_group = ", ".join(
            f"{g} {h:,.1f}" for g, h in (plan.agents.sum() * INTERVAL / 3600).items()
        )
        print(f"  {label}: {plan.agent_hours:,.1f} agent hours ({where}: dedicated "
              f"{bounds['dedicated']:,.1f}, pooled {bounds['pooled']:,.1f}; specialists "
              f"alone in simulation {dedicated.agent_hours:,.1f}), met {plan.met}, "
              f"{plan.evaluations} simulations in {seconds:.1f} s")  # fmt: skip
        print(f"    per group: {per_group}")
        print(f"    this staffing: {approximation_error(plan.applied(center))}")


if __name__ == "__main__":
    main()
