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
simulation) is timed on the bundled retail-bank day (24 half hours, about
4,900 calls, 20 replications) and on a large day (28 half hours, 117,000
calls, up to about 1,000 agents, 10 replications).

All engines must return the same answer times; the script checks it. Run with
``make bench`` or ``python bench/bench_simulation.py [--calls N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

import numpy as np
import simpy

from planner import Scenario, Targets
from planner.simulation import Lognormal, simulate, simulated_staffing
from planner.simulation.day import Callers, Day, draw_callers
from planner.simulation.distributions import Exponential
from planner.simulation.engines import run_fast, run_simpy

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
        (callers.deadline - callers.arrival).tolist(),
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
    print(f"{'':34}{'seconds':>10}{'calls/s':>14}{'vs baseline':>14}")
    base_t = timings["minimal SimPy model (baseline)"]
    for label, t in timings.items():
        print(f"{label:34}{t:10.3f}{n / t:14,.0f}{base_t / t:13.2f}x")
    engines = timings["planner SimPy engine"] / timings["planner fast engine"]
    whole = timings["simulate(engine='simpy')"] / timings["simulate(engine='fast')"]
    print(f"fast engine vs planner SimPy engine: {engines:.1f}x")
    print(f"end to end, with drawing callers and the metrics both share: {whole:.1f}x")
    if not args.skip_staffing:
        staffing_search()


def staffing_search() -> None:
    """Time simulated_staffing on the default scenario and on a 1,000-agent day."""
    bank = Scenario.load(Path(__file__).resolve().parents[1] / "scenarios" / "retail_bank.toml")
    large_calls = (np.sin(np.linspace(0, np.pi, 28)) * 6000 + 500).round()
    cases = [
        ("retail bank, 20 replications", bank.workload(), bank.targets, 20),
        (
            "1,000-agent day, 10 replications",
            {"calls": large_calls, "aht": [300.0] * 28},
            Targets(service_level=0.8, answer_time=20),
            10,
        ),
    ]
    print()
    print(f"{'simulated_staffing':34}{'seconds':>10}{'plans':>8}{'calls':>10}{'agent-h diff':>14}")
    for label, workload, targets, reps in cases:
        gc.collect()
        t0 = time.perf_counter()
        plan = simulated_staffing(
            workload,
            targets,
            interval=1800,
            handle=Lognormal(300, 1.0),
            patience=180,
            replications=reps,
            seed=1,
        )
        seconds = time.perf_counter() - t0
        calls = plan.result.day("calls").mean
        diff = plan.summary()["difference_hours"]
        print(f"{label:34}{seconds:10.2f}{plan.evaluations:8d}{calls:10,.0f}{diff:+14.1f}")


if __name__ == "__main__":
    main()
