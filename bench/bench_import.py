"""Benchmark: what ``import planner`` costs, and what the first use of each part adds.

Each figure is the median wall time of fresh interpreters (``--repeats``), with
the cumulative time ``python -X importtime`` gives the package's own import.
Run with ``make bench`` or ``python bench/bench_import.py``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = [
    ("python -c pass (the interpreter alone)", "pass"),
    ("import planner", "import planner"),
    ("planner.required_agents (models, staffing)", "import planner; planner.required_agents"),
    ("planner.Scenario (the scenario stack)", "import planner; planner.Scenario"),
    ("planner.forecast (the forecasting stack)", "import planner; planner.forecast"),
]


def _wall(code: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _importtime(code: str) -> float:
    """Seconds ``-X importtime`` reports for the package's own top-level import."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], check=True, capture_output=True,
        text=True,
    ).stderr  # fmt: skip
    for line in out.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == "planner":
            return int(parts[1]) / 1e6
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{'':48}{'wall (median)':>15}")
    for label, code in CASES:
        print(f"{label:48}{_wall(code, args.repeats):13.3f} s")
    own = _importtime("import planner")
    print(f"{'-X importtime, the planner package itself':48}{own:13.3f} s")


if __name__ == "__main__":
    main()
