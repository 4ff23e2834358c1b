"""Benchmark: Erlang X staffing requirements for a week of 15-minute intervals.

* The week of ``bench_required_agents.py`` (672 intervals, 10 to 2,000 calls each,
  AHT 240 s, 80% within 20 s), patience 180 s, under Erlang X without redials
  (100 lines more than agents would need are no limit) and with a volume CV of 10%.
* The bank's week: the retail bank scenario's day split into quarter hours, on
  six days (Sunday closed), with redials (half of those who hang up, after 5 min
  on average) and repeat contacts (FCR 85%): the 2-d chain per interval.

Each prints seconds (and before: at commit 4b04165 on the same machine), the agent
hours, and the hours Erlang A would staff.
Run with ``python bench/bench_erlang_x.py``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from planner import ErlangA, ErlangX, Scenario, Targets, hours, required_agents

INTERVAL = 900.0  # seconds
TARGETS = Targets(service_level=0.8, answer_time=20.0)
BANK = Path(__file__).resolve().parents[1] / "scenarios" / "retail_bank.toml"


# Seconds at commit 4b04165 (a chain per interval for every case), on the 2-core
# machine docs/performance.md was written on.
BEFORE = {
    "uniform week, no redials": 3.71,
    "uniform week, volume CV 10%": 31.1,
    "bank week (6 x 48), no redials": 0.16,
    "bank week, redials 50% after 300 s": 0.51,
    "bank week, redials and FCR 85%": 2.78,
}


def _run(label: str, calls, aht: float, patience: float, model: ErlangX) -> None:
    t0 = time.perf_counter()
    need = required_agents(calls, aht, INTERVAL, TARGETS, model=replace(model, patience=patience))
    seconds = time.perf_counter() - t0
    plain = required_agents(calls, aht, INTERVAL, TARGETS, model=ErlangA(patience=patience))
    print(
        f"{label:46}{seconds:9.2f} s{BEFORE[label]:9.2f} s"
        f"{hours(need, INTERVAL):12,.0f}{hours(plain, INTERVAL):12,.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    t0 = time.perf_counter()  # Erlang A's compiled first guess loads once per process
    required_agents(100.0, 240.0, INTERVAL, TARGETS, model=ErlangA(patience=180.0))
    print(f"first Erlang A staffing in this process (loads the compiled guess): "
          f"{time.perf_counter() - t0:.2f} s")  # fmt: skip
    print(f"{'':46}{'time':>11}{'before':>11}{'X hours':>12}{'A hours':>12}")
    rng = np.random.default_rng(args.seed)
    calls = rng.uniform(10, 2000, 672)
    _run("uniform week, no redials", calls, 240.0, 180.0, ErlangX())
    _run("uniform week, volume CV 10%", calls, 240.0, 180.0, ErlangX(volume_cv=0.1))
    bank = Scenario.load(BANK)
    day = np.repeat(np.asarray(bank.calls) / 2, 2)  # quarter hours
    week = np.concatenate([day] * 5 + [day * 0.5])  # Monday to Saturday
    patience = bank.mean_patience or 150.0
    _run("bank week (6 x 48), no redials", week, 280.0, patience, ErlangX())
    _run("bank week, redials 50% after 300 s", week, 280.0, patience,
         ErlangX(redial_probability=0.5, redial_delay=300))  # fmt: skip
    _run("bank week, redials and FCR 85%", week, 280.0, patience,
         ErlangX(redial_probability=0.5, redial_delay=300, fcr=0.85))  # fmt: skip


if __name__ == "__main__":
    main()
