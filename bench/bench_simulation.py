"""Benchmark: calls simulated per second, planner's engines against a minimal SimPy model.

The case is M/M/20+M: 20 agents, exponential handle times (mean 300 s),
exponential patience (mean 300 s), offered load 0.9 per agent (18 Erlangs),
100,000 callers in one long interval. Timed, on the same callers:

* ``minimal``: the textbook SimPy model written below, a process per caller
  holding a ``simpy.Resource`` request raced against a patience timeout, and a
  source process: no staffing plan, no intervals, no records beyond answer
  times. This is the baseline.
* ``planner simpy``: planner's SimPy engine (staffing plan by period, agents
  finishing calls when the staffing drops, FCFS with abandonment).
* ``planner fast``: planner's exact event-free engine.
* ``simulate(...)``: the public call end to end with each engine, drawing the
  callers and computing every per-interval metric.

Then ``simulated_staffing`` (the search for the plan that meets 80/20 in
simulation with 95% confidence per interval, then its confirmation on
independent seeds) is timed on a large day (28 half hours, 117,000 calls, up
to about 1,000 agents) with 10 replications fixed, and with the defaults
(replications added where an interval is in doubt) on it and on the bundled
retail-bank day (24 half hours, about 4,900 calls). Last, the peak memory of
``simulate`` over a 200,000-call day for 1, 10 and 100 replications, each in
a fresh process: replications are streamed, so it does not grow.

All engines must return the same answer times; the script checks it. Run with
``make bench`` or ``python bench/bench_simulation.py [--calls N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import simpy

from planner import Scenario, Targets
from planner.simulation import Lognormal, simulate, simulated_staffing
from planner.simulation.day import Callers, Day, draw_callers
from planner.simulation.distributions import Exponential
from planner.simulation.engines import run_fast, run_simpy
from planner.simulation.run import Experiment
from planner.simulation.search import interval_confidence

# Seconds (and agent-hours beside Erlang) at commit 4b04165, before arrival times were
# drawn in order and before the removal pass, on the 2-core machine
# docs/performance.md was written on.
BEFORE = {
    "minimal SimPy model (baseline)": 4.863,
    "planner SimPy engine": 1.287,
    "planner fast engine": 0.005,
    "simulate(engine='simpy')": 1.506,
    "simulate(engine='fast')": 0.020,
    "1,000-agent day, 10 reps fixed": (6.15, 67.0),
    "retail bank, defaults": (3.79, 9.5),
    "1,000-agent day, defaults": (26.81, 6.0),
}

AGENTS = 20
AHT = 300.0  # seconds
PATIENCE = 300.0  # seconds
RHO = 0.9


def minimal_simpy(arrival: list[float], handle: list[float], patience: list[float]) -> list[float]:
    """The baseline: answer times (inf when the caller hung up) from a minimal SimPy model."""
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    start = [float("inf")] * len(arrival)

    def caller(i: int):
        with agents.request() as req:
            got = yield req | env.timeout(patience[i])
            if req in got:
                start[i] = env.now
                yield env.timeout(handle[i])

    def source():
        for i, t in enumerate(arrival):
            yield env.timeout(t - env.now)
            env.process(caller(i))

    env.process(source())
    env.run()
    return start


def case(calls: int, seed: int = 1) -> tuple[dict[str, list[float]], Callers, Day]:
    """One long interval with ``calls`` expected callers at load RHO * AGENTS."""
    length = calls * AHT / (RHO * AGENTS)
    day = Day(np.array([0.0, length]), np.array([AGENTS]), 0)
    callers = draw_callers(
        day,
        np.array([float(calls)]),
        None,
        Exponential(AHT),
        Exponential(PATIENCE),
        0.0,
        np.random.SeedSequence(seed),
    )
    return {"calls": [float(calls)], "aht": [AHT], "length": [length]}, callers, day


def best_of(repeat: int, fn) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        gc.collect()  # no run pays for the garbage of the one before
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-staffing", action="store_true", help="only the engines")
    args = parser.parse_args()
    workload, callers, day = case(args.calls)
    n = len(callers)
    lists = (
        callers.arrival.tolist(),
        callers.handle.tolist(),
        (callers.gives_up_at - callers.arrival).tolist(),
    )
    timings = {}
    timings["minimal SimPy model (baseline)"], base = best_of(
        args.repeat, lambda: minimal_simpy(*lists)
    )
    timings["planner SimPy engine"], ref = best_of(
        args.repeat, lambda: run_simpy(callers, day).start
    )
    timings["planner fast engine"], fast = best_of(
        args.repeat, lambda: run_fast(callers, day).start
    )
    agree = np.isfinite(np.asarray(base)) == np.isfinite(ref)
    print(f"M/M/{AGENTS}+M, load {RHO} per agent, AHT {AHT:.0f} s, patience {PATIENCE:.0f} s")
    print(f"{n} callers drawn; best of {args.repeat} runs")
    print(f"answer times: fast == simpy: {np.array_equal(ref, fast)}; ", end="")
    print(f"minimal agrees on who is answered for {agree.mean():.6%} of callers")
    for label, engine in (
        ("simulate(engine='simpy')", "simpy"),
        ("simulate(engine='fast')", "fast"),
    ):
        timings[label], _ = best_of(
            args.repeat,
            lambda engine=engine: simulate(
                {"calls": workload["calls"], "aht": workload["aht"]},
                AGENTS,
                interval=workload["length"][0],
                patience=PATIENCE,
                replications=1,
                seed=1,
                engine=engine,
            ),
        )
    print(f"{'':34}{'seconds':>10}{'calls/s':>14}{'vs baseline':>14}{'before s':>10}")
    base_t = timings["minimal SimPy model (baseline)"]
    for label, t in timings.items():
        print(f"{label:34}{t:10.3f}{n / t:14,.0f}{base_t / t:13.2f}x{BEFORE[label]:10.3f}")
    engines = timings["planner SimPy engine"] / timings["planner fast engine"]
    whole = timings["simulate(engine='simpy')"] / timings["simulate(engine='fast')"]
    print(f"fast engine vs planner SimPy engine: {engines:.1f}x")
    print(f"end to end, with drawing callers and the metrics both share: {whole:.1f}x")
    if not args.skip_staffing:
        staffing_search()
        help_desk_plan()
        simulate_memory()


def _large_day() -> dict[str, np.ndarray]:
    """28 half hours, 117,000 calls, up to about 1,000 agents."""
    calls = (np.sin(np.linspace(0, np.pi, 28)) * 6000 + 500).round()
    return {"calls": calls, "aht": np.full(28, 300.0)}


def staffing_search() -> None:
    """Time simulated_staffing: the search, and the confirmation on independent seeds."""
    bank = Scenario.load(Path(__file__).resolve().parents[1] / "scenarios" / "retail_bank.toml")
    eighty = Targets(service_level=0.8, answer_time=20)
    cases = [
        # like for like with the search before it decided with confidence: 10
        # replications for every interval (none added), one confirmation pass
        ("1,000-agent day, 10 reps fixed", _large_day(), eighty, 10, 10, 1),
        ("retail bank, defaults", bank.workload(), bank.targets, 20, None, 5),
        ("1,000-agent day, defaults", _large_day(), eighty, 10, None, 5),
    ]
    print()
    print(
        f"{'simulated_staffing':32}{'total s':>8}{'search s':>9}{'plans':>7}{'passes':>7}"
        f"{'met':>5}{'max reps':>9}{'agent-h vs Erlang':>18}{'before s, agent-h':>19}"
    )
    for label, workload, targets, reps, most, passes in cases:
        confirming = [0.0]
        results = Experiment.results

        def timed(self, *args, results=results, confirming=confirming, **kwargs):
            t0 = time.perf_counter()  # the confirmation's share of the time
            out = results(self, *args, **kwargs)
            confirming[0] += time.perf_counter() - t0
            return out

        Experiment.results = timed  # type: ignore[method-assign]
        gc.collect()
        t0 = time.perf_counter()
        try:
            plan = simulated_staffing(
                workload,
                targets,
                interval=1800,
                handle=Lognormal(300, 1.0),
                patience=180,
                replications=reps,
                max_replications=most,
                max_passes=passes,
                seed=1,
            )
        finally:
            Experiment.results = results  # type: ignore[method-assign]
        seconds = time.perf_counter() - t0
        diff = plan.summary()["difference_hours"]
        print(
            f"{label:32}{seconds:8.2f}{seconds - confirming[0]:9.2f}{plan.evaluations:7d}"
            f"{plan.passes:7d}{'yes' if plan.met else 'no':>5}{plan.replications.max():9d}"
            f"{diff:+18.1f}{BEFORE[label][0]:11.2f}{BEFORE[label][1]:+8.1f}"
        )


def help_desk_plan(replications: int = 1000) -> None:
    """The bundled help desk's simulated plan: agent-intervals beside Erlang's, what the
    removal pass took back, and in how many intervals one agent fewer would still meet
    every target (the interval and its neighbours, 95% one-sided), judged on a fresh
    seed with ``replications`` days for each interval's one-fewer plan."""
    desk = Scenario.load(Path(__file__).resolve().parents[1] / "scenarios" / "help_desk.toml")
    t0 = time.perf_counter()
    plan = desk.simulated_staffing()
    seconds = time.perf_counter() - t0
    spare = []
    for k in np.flatnonzero(plan.agents):
        fewer = plan.agents.copy()
        fewer[k] -= 1
        res = desk.with_changes(plan=fewer).simulate(replications=replications, seed=2026)
        conf = interval_confidence(res.per_interval, desk.targets)
        if conf[max(k - 1, 0) : k + 2].min() >= plan.level:
            spare.append(int(k))
    print()
    print(f"help desk, simulated_staffing: {seconds:.1f} s, {plan.passes} passes")
    print(
        f"  agent-intervals {int(plan.agents.sum())} (Erlang {int(plan.erlang.sum())}, "
        f"the search {int(plan.searched.sum())}); removal took {int(plan.removed.sum())} back"
    )
    print(
        f"  one agent fewer still meets (fresh seed, {replications} days): {len(spare)} of "
        f"{int(np.count_nonzero(plan.agents))} intervals {spare}; flagged uncertain: "
        f"{int(plan.uncertain[spare].sum())} of them"
    )


_MEMORY_RUN = """
import resource, sys, time
import numpy as np
from planner import simulate
calls = np.full(20, 10_000.0)  # 200,000 calls a day, about 1,700 agents
reps = int(sys.argv[1])
simulate({"calls": [10.0]}, 2, interval=1800, handle=100.0, replications=1, seed=1)
loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Python, numpy, numba...
t0 = time.perf_counter()
simulate({"calls": calls, "aht": np.full(20, 300.0)}, 1720, interval=1800, patience=180,
         replications=reps, seed=1)
print(time.perf_counter() - t0, loaded, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def simulate_memory() -> None:
    """Peak memory of simulate() over a 200,000-call day, by replications (a fresh process
    each); ``loaded`` is the process after a tiny simulation (Python, numpy, numba...)."""
    print()
    print(f"{'simulate, 200k calls a day':32}{'seconds':>8}{'loaded MB':>11}{'peak RSS MB':>13}")
    for reps in (1, 10, 100):
        out = subprocess.run(
            [sys.executable, "-c", _MEMORY_RUN, str(reps)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        seconds, loaded, peak = (float(x) for x in out)
        print(f"{f'{reps} replications':32}{seconds:8.2f}{loaded:11.0f}{peak:13.0f}")


if __name__ == "__main__":
    main()
