"""Benchmark: sweep throughput, scenario-replications per second, with 1 and 2 workers.

The bundled retail-bank scenario (24 half hours, about 4,900 calls a day)
is swept over 12 variations (volume x staffing offset), each simulated with
30 replications: 360 scenario-replications, about 1.8 million calls. Each
run uses a fresh process pool, whose start-up is part of the time, as it is
for a user. Run with ``make bench`` or ``python bench/bench_sweep.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from planner import Scenario
from planner.sweeps import grid, sweep

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "retail_bank.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    base = Scenario.load(SCENARIO)
    scenario = dataclasses.replace(
        base, simulation=dataclasses.replace(base.simulation, replications=args.replications)
    )
    variations = grid(volume=[0.9, 1.0, 1.1, 1.2], staffing_offset=[-1, 0, 1])
    work = len(variations) * args.replications
    print(f"{len(variations)} variations x {args.replications} replications = {work}")
    timings = {}
    for workers in (1, 2):

        def run(w: int = workers) -> None:
            sweep(scenario, variations, evaluate="simulation", workers=w, progress=False)

        best = min(_timed(run) for _ in range(args.repeat))
        timings[workers] = best
        print(f"{workers} worker(s): {best:6.2f} s  {work / best:8.1f} scenario-replications/s")
    print(f"speed-up with 2 workers: {timings[1] / timings[2]:.2f}x")


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
